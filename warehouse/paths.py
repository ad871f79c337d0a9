"""Where everything lives under the data root: the one module that builds paths.

In: a data root (a local directory, or an fsspec URL such as `s3://bucket/prefix`) and table /
partition names. Out: `Root` (the root's file system and base path) and string paths under it.

Layout::

    <root>/raw/fetch_month=2024-07/page-<sha256>.gz          raw.py, content-addressed
    <root>/articles/ingest_month=2024-07/part-<sha>.parquet   append tables: one file per append call
    <root>/incidents/event_month=2024-07/data.parquet          replace tables: one file per partition
    <root>/mentions/ingest_month=2024-07/part-<sha>.parquet    ... and, for mentions, one more per chunk added
                                                               (`parquet.add`) until a rewrite or compaction
    <root>/feed_state/data.parquet                             unpartitioned tables: one file
    <root>/.locks/write.lock                                   lock.py (local roots; see lock_path)

Paths are plain strings joined with "/", as the root's file system names them: an absolute path
for a local root, `bucket/prefix/...` for object storage (`Root.url_of` adds the protocol back,
for DuckDB). Local roots use `os` directly (atomic temp file + rename, fsync); object storage goes
through fsspec (s3fs for `s3://`), chosen because pyarrow (`filesystem=`) and DuckDB
(`register_filesystem`) both accept an fsspec file system, so one object serves writes and reads.
Files being written on a local root carry the suffix `.tmp` (`TMP_SUFFIX`): neither DuckDB's
`*.parquet` glob nor `data_files` matches them, so a write that died half-way is invisible to every
reader. Object storage needs no temp files: one PUT is atomic.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from warehouse.handle import Warehouse

TMP_SUFFIX = ".tmp"
DATA_FILE = "data.parquet"
LOCK_DIR = ".locks"
RAW_DIR = "raw"
LOCK_DIR_ENV = "FLAREWATCH_LOCK_DIR"
# What warehouse functions take as a data root: the handle, opened once (`handle.Warehouse.open`)
# at the entry (the CLI, a flow's parameter), the one place a root is a string.
DataRoot: TypeAlias = "Warehouse"

# Partition values become directory names: keep them to a safe alphabet (no "/", no "..", no "=").
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_GLOB_CHARS = re.compile(r"([\[\]*?])")


@dataclass(frozen=True)
class Root:
    """A data root: `url` as users and DuckDB name it, `base` as `fs` names it.

    `fs` is None for a local root (code uses `os` and `pathlib` there), else an fsspec file system.
    """

    url: str
    base: str
    fs: Any = None

    @property
    def local(self) -> bool:
        return self.fs is None

    def join(self, *parts: str) -> str:
        """`<base>/<part>/...`."""
        return "/".join([self.base, *parts])

    def url_of(self, path: str) -> str:
        """A path under this root as DuckDB reads it (`s3://bucket/...` on object storage)."""
        return path if self.fs is None else self.fs.unstrip_protocol(path)

    def listdir(self, path: str) -> list[tuple[str, bool]]:
        """(name, is a directory) of each entry of `path`, sorted; [] if it does not exist."""
        if self.fs is None:
            try:
                with os.scandir(path) as entries:
                    return sorted((e.name, e.is_dir()) for e in entries)
            except (FileNotFoundError, NotADirectoryError):
                return []
        try:
            found = self.fs.ls(path, detail=True)
        except FileNotFoundError:
            return []
        return sorted(
            (e["name"].rstrip("/").rsplit("/", 1)[-1], e["type"] == "directory")
            for e in found
            if e["name"].rstrip("/") != path
        )

    def exists(self) -> bool:
        """True if the root holds anything (a prefix on object storage exists once written to)."""
        if self.fs is None:
            return Path(self.base).is_dir()
        return bool(self.fs.exists(self.base))


def open_root(root: str | os.PathLike[str] | Root) -> Root:
    """Parse a data root once: a local directory (made absolute, not created) or an fsspec URL.

    Listing caches are switched off (`use_listings_cache=False`, an s3fs / gcsfs / adlfs option):
    another process writes the same root, and a cached listing would hide its files.
    """
    if isinstance(root, Root):
        return root
    text = os.fspath(root)
    if "://" not in text or text.startswith("file://"):
        local = str(Path(text.removeprefix("file://")).expanduser().resolve())
        return Root(url=local, base=local)
    from fsspec.core import url_to_fs  # only object-storage roots need fsspec

    fs, base = url_to_fs(text, use_listings_cache=False)
    base = base.rstrip("/")
    return Root(url=fs.unstrip_protocol(base), base=base, fs=fs)


def root_url(root: str | os.PathLike[str] | Root) -> str:
    """The root as a string other processes can open: an absolute path or the URL."""
    return open_root(root).url


def table_dir(root: str | os.PathLike[str] | Root, table: str) -> str:
    """`<root>/<table>`."""
    return open_root(root).join(table)


def check_partition_value(value: str) -> str:
    """Return `value` if it is safe as a directory name, else raise ValueError."""
    if not _SAFE_VALUE.match(value):
        raise ValueError(f"unsafe partition value {value!r}: expected e.g. '2024-07' or 'unknown'")
    return value


def partition_dir(root: str | os.PathLike[str] | Root, table: str, column: str, value: str) -> str:
    """`<root>/<table>/<column>=<value>` (hive style, which DuckDB reads as a column)."""
    return open_root(root).join(table, f"{column}={check_partition_value(value)}")


def partition_values(root: str | os.PathLike[str] | Root, table: str, column: str) -> list[str]:
    """The partition values stored for `table`, sorted (local: empty directories included)."""
    parsed = open_root(root)
    prefix = f"{column}="
    return sorted(
        name[len(prefix) :]
        for name, is_dir in parsed.listdir(parsed.join(table))
        if is_dir and name.startswith(prefix)
    )


def data_files(root: str | os.PathLike[str] | Root, directory: str) -> list[str]:
    """The readable Parquet files of one directory, sorted; temp files (`*.tmp`) never match."""
    return [
        f"{directory}/{name}"
        for name, is_dir in open_root(root).listdir(directory)
        if not is_dir and name.endswith(".parquet")
    ]


def temp_path(final: str | os.PathLike[str]) -> Path:
    """A unique temp name beside local `final` (same directory: `os.replace` is an atomic rename)."""
    final = Path(final)
    return final.with_name(f".{final.name}.{uuid.uuid4().hex[:12]}{TMP_SUFFIX}")


def temp_files(root: str | os.PathLike[str] | Root) -> list[Path]:
    """Every leftover temp file under a local root (from writes that were killed); [] on object
    storage, where nothing is written under a temp name."""
    parsed = open_root(root)
    base = Path(parsed.base)
    if not parsed.local or not base.is_dir():
        return []
    return sorted(p for p in base.rglob(f"*{TMP_SUFFIX}") if p.is_file())


def parquet_glob(root: str | os.PathLike[str] | Root, table: str, partitioned: bool) -> str:
    """The DuckDB glob of a table's data files (with the protocol on object storage).

    The root's own path is escaped (`glob_escape`): a root named `data[1]`, `d?ta` or `d*` must
    match itself only, not fail to match or also read its neighbours' tables.
    """
    parsed = open_root(root)
    base = glob_escape(parsed.url_of(parsed.join(table)))
    return f"{base}/*/*.parquet" if partitioned else f"{base}/*.parquet"


def glob_escape(path: str) -> str:
    """`path` with the glob characters `[`, `]`, `*` and `?` each matched literally (`[[]`, ...),
    the bracket notation DuckDB's and fsspec's globs both read."""
    return _GLOB_CHARS.sub(r"[\1]", path)


def lock_path(root: str | os.PathLike[str] | Root, name: str) -> Path:
    """The local file `lock.py` flocks: `<root>/.locks/<name>.lock` for a local root.

    Object storage has no file locks, so an object-storage root's lock file lives on local disk:
    `$FLAREWATCH_LOCK_DIR/<sha of the root URL>/<name>.lock` (default directory:
    `$XDG_CACHE_HOME/flarewatch/locks`, else `~/.cache/flarewatch/locks`). Every writer of that root
    must see the same lock directory: one machine, or a shared file system with working flock.
    """
    if not re.match(r"^[A-Za-z0-9_.-]+$", name):
        raise ValueError(f"unsafe lock name {name!r}")
    parsed = open_root(root)
    if parsed.local:
        return Path(parsed.base) / LOCK_DIR / f"{name}.lock"
    configured = os.environ.get(LOCK_DIR_ENV)
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    base = Path(configured).expanduser() if configured else Path(cache) / "flarewatch" / "locks"
    digest = hashlib.sha256(parsed.url.encode()).hexdigest()[:16]
    return base.resolve() / digest / f"{name}.lock"


def raw_dir(root: str | os.PathLike[str] | Root) -> str:
    """`<root>/raw`."""
    return open_root(root).join(RAW_DIR)


def fsync_dir(directory: str | os.PathLike[str]) -> None:
    """Flush a local directory entry (after a rename) so the rename survives a power cut."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        # Some filesystems refuse fsync on a directory; the rename itself is still atomic.
        pass
    finally:
        os.close(fd)
