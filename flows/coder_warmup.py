"""Imported by the coding processes' forkserver (`flows.lifecycle.start_warm_forkserver`) before it
forks any worker: imports the coding modules and loads the coder's tables once, with the regular
expressions kept in the user's cache directory (`flows.regex_cache`), so every coding worker forked
from it starts warm. Each worker otherwise paid about 3 s of CPU for this on its first pages
(importing `flows.steps` 0.9 s, the extractor's and the coder's tables and patterns 2.2 s).

In: nothing. Out: nothing; importing this module does the work, which is what a forkserver's
preload is for. It never raises: the forkserver catches only ImportError from a preload, and
another exception would end it and every pool it serves; a failed warm-up leaves each worker to
warm itself, as before.
"""

from __future__ import annotations

import logging

try:
    from flows.lifecycle import _cache_dir, imports_without_gc, keep_decoded_seeds
    from flows.regex_cache import cache_file, kept_regexes

    keep_decoded_seeds()  # and the language model decompressed, in the same directory

    # its own file of patterns (another set than the CLI's); what the warm-up builds is frozen out
    # of the collector's passes, in this process and in every worker forked from it
    with imports_without_gc(), kept_regexes(cache_file(_cache_dir(), "coding-workers")):
        from flows.steps import warm_up_coding

        warm_up_coding()
except Exception:  # noqa: BLE001 - see the module's docstring
    logging.getLogger(__name__).exception("coding workers' warm-up failed; each worker warms itself")
