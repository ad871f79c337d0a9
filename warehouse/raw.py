"""The raw store: every fetched page or feed document, gzip-compressed, named by content hash.

In: bytes as fetched and their fetch time. Out: files `raw/fetch_month=YYYY-MM/<kind>-<sha256>.gz`
under the data root, and the path relative to the root (what `Article.raw_path` holds).

Content addressing makes `put` idempotent and safe without the write lock: two processes storing
the same body write the same bytes under the same name. On a local root each write is a temp file
plus one `os.replace`; on object storage it is one PUT under the final key (atomic there).
Keeping the raw bytes lets a new extractor version re-run over old pages offline.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from extractors.months import month_of
from warehouse import paths

PARTIAL_DIR = ".partial"
"""`raw/.partial`: where a page is written before its rename into its fetch-month folder."""
_KIND = re.compile(r"^[a-z0-9_]+$")
_MONTH_DIR = re.compile(r"^fetch_month=(\d{4}-\d{2})$")
_FILE = re.compile(r"^[a-z0-9_]+-[0-9a-f]{64}\.gz$")


def _gzip(body: bytes) -> bytes:
    # mtime=0: the same body always gives the same file bytes. Level 1 rather than zlib's default 6
    # or gzip's 9: this runs in the flow process for every page fetched, and on real pages (170 KiB
    # on average) level 1 takes 1.3 ms of CPU against 3.2 ms for 6, for files 19 % larger
    # (`bench/bench_ingest.py --options`). Any gzip reader reads every level: older stores too.
    return gzip.compress(body, compresslevel=1, mtime=0)


class RawStore:
    """Content-addressed raw bytes under `<root>/raw` (a local directory or object storage)."""

    def __init__(self, root: str | os.PathLike[str] | paths.Root) -> None:
        self._root = paths.open_root(root)
        self.root = self._root.url
        self.base = paths.raw_dir(self._root)

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
        rel = str(PurePosixPath(paths.RAW_DIR, f"fetch_month={month_of(fetched_at)}", f"{kind}-{digest}.gz"))
        if self.exists(rel):
            return rel
        if not self._root.local:
            self._root.fs.pipe_file(self._root.join(rel), _gzip(body))
            return rel
        final = Path(self._root.join(rel))
        final.parent.mkdir(parents=True, exist_ok=True)
        # the temp file waits in `raw/.partial`, so the sweep of killed writes lists that folder, not
        # the fetch-month folders (a file per page ever fetched); same file system: an atomic rename
        tmp = paths.temp_path(Path(self.base, PARTIAL_DIR, final.name))
        tmp.parent.mkdir(exist_ok=True)
        try:
            with open(tmp, "wb") as fh:
                fh.write(_gzip(body))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return rel

    def _resolve(self, relpath: str) -> str:
        """The stored path of `relpath`; ValueError unless it is `raw/fetch_month=YYYY-MM/<file>`."""
        parts = PurePosixPath(relpath).parts
        if (
            len(parts) != 3
            or parts[0] != paths.RAW_DIR
            or not _MONTH_DIR.match(parts[1])
            or not _FILE.match(parts[2])
        ):
            raise ValueError(f"not a raw store path: {relpath!r}")
        return self._root.join(*parts)

    def get(self, relpath: str) -> bytes:
        """The bytes stored at `relpath` (as `put` returned it); FileNotFoundError if absent."""
        path = self._resolve(relpath)
        if self._root.local:
            data = Path(path).read_bytes()
        else:
            data = self._root.fs.cat_file(path)
        return gzip.decompress(data)

    def exists(self, relpath: str) -> bool:
        """True if `relpath` is stored."""
        path = self._resolve(relpath)
        return Path(path).is_file() if self._root.local else bool(self._root.fs.isfile(path))

    def months(self) -> list[str]:
        """The fetch months present, sorted ("2024-07", ...)."""
        found = (_MONTH_DIR.match(name) for name, is_dir in self._root.listdir(self.base) if is_dir)
        return sorted(m.group(1) for m in found if m)

    def iter(self, month: str) -> Iterator[str]:
        """The relative paths stored for one fetch month, sorted; temp files excluded."""
        name = f"fetch_month={month}"
        if not _MONTH_DIR.match(name):
            return iter(())
        files = [n for n, is_dir in self._root.listdir(f"{self.base}/{name}") if not is_dir and _FILE.match(n)]
        return (str(PurePosixPath(paths.RAW_DIR, name, n)) for n in files)
