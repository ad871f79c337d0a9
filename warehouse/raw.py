"""The raw store: every fetched page or feed document, gzip-compressed, named by content hash.

In: bytes as fetched and their fetch time. Out: files `raw/fetch_month=YYYY-MM/<kind>-<sha256>.gz`
under the data root, and the path relative to the root (what `Article.raw_path` holds).

Content addressing makes `put` idempotent and safe without the write lock: two processes storing
the same body write the same bytes under the same name, and each write is a temp file plus one
`os.replace`. Keeping the raw bytes lets a new extractor version re-run over old pages offline.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from warehouse import paths
from warehouse.schemas import month_of

_KIND = re.compile(r"^[a-z0-9_]+$")
_MONTH_DIR = re.compile(r"^fetch_month=(\d{4}-\d{2})$")
_FILE = re.compile(r"^[a-z0-9_]+-[0-9a-f]{64}\.gz$")


class RawStore:
    """Content-addressed raw bytes under `<root>/raw`."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = paths.as_root(root)
        self.base = paths.raw_dir(root)

    def put(self, body: bytes, *, fetched_at: dt.datetime, kind: str = "page") -> str:
        """Store `body` (skipped if already stored); returns its path relative to the root.

        `fetched_at` must be timezone-aware: its UTC month names the directory. `kind`: a short
        lowercase word such as "page" or "feed".
        """
        if fetched_at.tzinfo is None:
            raise ValueError("fetched_at must be timezone-aware (UTC)")
        if not _KIND.match(kind):
            raise ValueError(f"kind must match [a-z0-9_]+, got {kind!r}")
        digest = hashlib.sha256(body).hexdigest()
        rel = PurePosixPath(
            paths.RAW_DIR, f"fetch_month={month_of(fetched_at)}", f"{kind}-{digest}.gz"
        )
        final = self.root / rel
        if final.exists():
            return str(rel)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = paths.temp_path(final)
        try:
            with open(tmp, "wb") as fh:
                # mtime=0: the same body always gives the same file bytes.
                with gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
                    gz.write(body)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return str(rel)

    def _resolve(self, relpath: str) -> Path:
        path = (self.root / relpath).resolve()
        if self.base not in path.parents or not _FILE.match(path.name):
            raise ValueError(f"not a raw store path: {relpath!r}")
        return path

    def get(self, relpath: str) -> bytes:
        """The bytes stored at `relpath` (as `put` returned it); FileNotFoundError if absent."""
        with gzip.open(self._resolve(relpath), "rb") as gz:
            return gz.read()

    def exists(self, relpath: str) -> bool:
        """True if `relpath` is stored."""
        return self._resolve(relpath).is_file()

    def months(self) -> list[str]:
        """The fetch months present, sorted ("2024-07", ...)."""
        if not self.base.is_dir():
            return []
        found = (_MONTH_DIR.match(p.name) for p in self.base.iterdir() if p.is_dir())
        return sorted(m.group(1) for m in found if m)

    def iter(self, month: str) -> Iterator[str]:
        """The relative paths stored for one fetch month, sorted; temp files excluded."""
        directory = self.base / f"fetch_month={month}"
        if not _MONTH_DIR.match(directory.name) or not directory.is_dir():
            return iter(())
        names = sorted(p.name for p in directory.iterdir() if _FILE.match(p.name))
        return (str(PurePosixPath(paths.RAW_DIR, directory.name, n)) for n in names)
