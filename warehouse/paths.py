"""Where everything lives under the data root: the one module that builds paths.

In: a data root (a local directory) and table / partition names. Out: paths and globs.

Layout::

    <root>/raw/fetch_month=2024-07/page-<sha256>.gz          raw.py, content-addressed
    <root>/articles/ingest_month=2024-07/part-<sha>.parquet   append tables: one file per append call
    <root>/incidents/event_month=2024-07/data.parquet          replace tables: one file per partition
    <root>/feed_state/data.parquet                             unpartitioned tables: one file
    <root>/.locks/write.lock                                   lock.py

Every other module asks this one for a path, so that moving the root onto object storage (pyarrow /
fsspec filesystems) later means changing this file and the few `os` calls in parquet.py and raw.py.
Files being written carry the suffix `.tmp` (`TMP_SUFFIX`): neither DuckDB's `*.parquet` glob nor
`data_files` matches them, so a write that died half-way is invisible to every reader.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

TMP_SUFFIX = ".tmp"
DATA_FILE = "data.parquet"
LOCK_DIR = ".locks"
RAW_DIR = "raw"

# Partition values become directory names: keep them to a safe alphabet (no "/", no "..", no "=").
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def as_root(root: str | os.PathLike[str]) -> Path:
    """The data root as an absolute `Path` (not created)."""
    return Path(root).expanduser().resolve()


def table_dir(root: str | os.PathLike[str], table: str) -> Path:
    """`<root>/<table>`."""
    return as_root(root) / table


def check_partition_value(value: str) -> str:
    """Return `value` if it is safe as a directory name, else raise ValueError."""
    if not _SAFE_VALUE.match(value):
        raise ValueError(f"unsafe partition value {value!r}: expected e.g. '2024-07' or 'unknown'")
    return value


def partition_dir(root: str | os.PathLike[str], table: str, column: str, value: str) -> Path:
    """`<root>/<table>/<column>=<value>` (hive style, which DuckDB reads as a column)."""
    return table_dir(root, table) / f"{column}={check_partition_value(value)}"


def partition_values(root: str | os.PathLike[str], table: str, column: str) -> list[str]:
    """The partition values on disk for `table`, sorted (directories without data included)."""
    base = table_dir(root, table)
    if not base.is_dir():
        return []
    prefix = f"{column}="
    return sorted(
        entry.name[len(prefix) :]
        for entry in base.iterdir()
        if entry.is_dir() and entry.name.startswith(prefix)
    )


def data_files(directory: Path) -> list[Path]:
    """The readable Parquet files of one directory, sorted; temp files (`*.tmp`) never match."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.is_file() and p.name.endswith(".parquet"))


def temp_path(final: Path) -> Path:
    """A unique temp name beside `final` (same directory, so `os.replace` is an atomic rename)."""
    return final.with_name(f".{final.name}.{uuid.uuid4().hex[:12]}{TMP_SUFFIX}")


def temp_files(root: str | os.PathLike[str]) -> list[Path]:
    """Every leftover temp file under the root (from writes that were killed)."""
    base = as_root(root)
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob(f"*{TMP_SUFFIX}") if p.is_file())


def parquet_glob(root: str | os.PathLike[str], table: str, partitioned: bool) -> str:
    """The DuckDB glob of a table's data files."""
    base = table_dir(root, table)
    return str(base / "*" / "*.parquet") if partitioned else str(base / "*.parquet")


def lock_path(root: str | os.PathLike[str], name: str) -> Path:
    """`<root>/.locks/<name>.lock`."""
    if not re.match(r"^[A-Za-z0-9_.-]+$", name):
        raise ValueError(f"unsafe lock name {name!r}")
    return as_root(root) / LOCK_DIR / f"{name}.lock"


def raw_dir(root: str | os.PathLike[str]) -> Path:
    """`<root>/raw`."""
    return as_root(root) / RAW_DIR


def fsync_dir(directory: Path) -> None:
    """Flush a directory entry (after a rename) so the rename survives a power cut."""
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
