"""`flarewatch backfill` stopped in the middle of one month's writes, for the kill and lock tests.

    python tests/hold_backfill.py MONTH FLAG BACKFILL-ARGUMENTS...

Runs `flarewatch backfill BACKFILL-ARGUMENTS` in this process with its writes (`warehouse.recoded`)
and their re-merge (`warehouse.remerge.remerge_incidents`) patched from outside: when month
MONTH has written its mentions and is about to re-merge its incidents (the data root's lock held;
`raw` has appended the articles before, `sitemaps` / `urls` append them after), it creates FLAG
holding this process's id and waits until FLAG is deleted (at most 120 s).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from flows import cli
from warehouse import recoded, remerge


def hold_in(month: str, flag: Path) -> None:
    """Patch the backfill's writes so those of `month` stop before its incidents are re-merged."""
    current = threading.local()  # the month the calling backfill thread is writing
    write_recode, store_discovered, remerge_incidents = (recoded.write_recode, recoded.store_discovered,
                                                         remerge.remerge_incidents)

    def writing_recode(root, prepared, *args, **kwargs):
        current.month = prepared.month
        return write_recode(root, prepared, *args, **kwargs)

    def writing_discovered(root, coded, written, *args, **kwargs):
        current.month = written
        return store_discovered(root, coded, written, *args, **kwargs)

    def held_remerge(root, months):
        if getattr(current, "month", None) == month:
            flag.write_text(str(os.getpid()), encoding="utf-8")
            deadline = time.monotonic() + 120
            while flag.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        return remerge_incidents(root, months)

    recoded.write_recode, recoded.store_discovered = writing_recode, writing_discovered
    remerge.remerge_incidents = held_remerge


if __name__ == "__main__":
    month, flag, *arguments = sys.argv[1:]
    hold_in(month, Path(flag))
    sys.exit(cli.main(["backfill", *arguments]))
