"""The coder's version: a hash of the coder's source and of the data it reads.

In: the files under `extractors/` and `seeds/` that decide what the coder outputs (`CODER_FILES`).
Out: `coder_digest()`, 10 hex digits of SHA-256 over their paths and bytes, in sorted order.
`extractors.EXTRACTOR_VERSION` carries it, so any change to a rule, a lexicon or the gazetteer
makes stored articles stale and `flarewatch backfill --reprocess stale` re-codes them; no hand
bump is needed (or possible to forget). Importing this module reads nothing from the package.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
CODER_FILES = (
    "extractors/incidents.py", "extractors/coding_*.py", "extractors/lexicon.py", "extractors/dates.py",
    "extractors/casualties.py", "extractors/actors.py", "extractors/place*.py", "extractors/gazetteer.py",
    "extractors/taxonomy.py", "seeds/lexicon/*/*.yaml", "seeds/gazetteer/*.yaml", "seeds/gazetteer/*.txt",
    "seeds/gazetteer/*.tsv.gz",
)


def coder_digest(root: Path = _ROOT) -> str:
    """10 hex digits identifying the coder: its source and its lexicons and gazetteer, byte for byte."""
    digest = hashlib.sha256()
    paths = sorted({p for pattern in CODER_FILES for p in root.glob(pattern) if p.is_file()})
    for path in paths:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:10]
