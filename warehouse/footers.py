"""What a data file's footer tells a lookup before its columns are read: a Bloom filter of its
first key column, its row count, and the months of its date columns in each row group; kept for
each partition folder in one small index file, so a poll reads small Arrow files, not Parquet footers.

In: a data root (`paths.Root`), file paths, lookup values or months. Out: yes/no answers ("may
this file hold one of these keys?", "do none of its rows fall in these months?"), row counts,
and the table with the filter to write (`with_key_filter`).

Footers of local files are read once per file version (a rewrite renames a new inode in) and
process. `save_index` writes what this process knows of a table's files to
`<root>/.footers/<table>/<partition folder>.arrow`; the next process loads a table's index files
at its first lookup in that table. An
entry is used only while its file has the same path, inode, size and modification time as when its
footer was read, so a stale or missing index costs a footer read, never a wrong answer.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extractors.months import month_index, month_number
from warehouse import paths
from warehouse.schemas import UNKNOWN_MONTH

BLOOM_META = b"flarewatch.key_bloom"
"""Footer metadata of every data file written since: a Bloom filter of its first key column, so a
lookup by key opens the footers, not the key columns, of files that cannot hold the key."""
_BLOOM_HASHES = 4
_BLOOM_BITS = 16
"""Bits per distinct key, before rounding up to a power of two (16-32 with 4 hashes: 0.05-0.3 %
false positives, so a poll's few dozen keys rarely open a file that does not hold one)."""
INDEX_DIR = ".footers"
"""`<root>/.footers/<table>/<partition folder>.arrow`: the footer facts of a folder's files (`save_index`)."""
_DATED = ("DATE", "TIMESTAMP")


def hashes_of(values: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """Two independent 32-bit hashes per value (the halves of a 64-bit blake2b: stable across
    processes, unlike `hash()`; crc32 with two seeds is not independent for equal lengths)."""
    digests = np.frombuffer(b"".join(hashlib.blake2b(v.encode(), digest_size=8).digest() for v in values),
                            dtype="<u4").astype(np.uint64)
    return digests[0::2], digests[1::2] | np.uint64(1)


def _bits(h1: np.ndarray, h2: np.ndarray, nbits: int) -> np.ndarray:
    """The bit positions of each value, shape (values, hashes) (double hashing)."""
    steps = np.arange(_BLOOM_HASHES, dtype=np.uint64)
    positions: np.ndarray = (h1[:, None] + steps[None, :] * h2[:, None]) % np.uint64(nbits)
    return positions


def _filter_of(values: pa.Array) -> bytes:
    """A Bloom filter of `values` (`_BLOOM_BITS` bits per distinct value, rounded up to a power of two)."""
    distinct = pc.unique(values.cast(pa.string())).to_pylist()
    nbits = max(1024, 1 << (_BLOOM_BITS * len(distinct) - 1).bit_length())
    bits = np.zeros(nbits, dtype=bool)
    bits[_bits(*hashes_of(distinct), nbits).ravel().astype(np.int64)] = True
    return np.packbits(bits).tobytes()


def with_key_filter(tbl: pa.Table, column: str) -> pa.Table:
    """`tbl` with the Bloom filter of `column` (its first key column) in its schema metadata."""
    return tbl.replace_schema_metadata({**(tbl.schema.metadata or {}), BLOOM_META: _filter_of(tbl[column])})


Ranges = list[tuple[int, int, int] | None] | None
"""Per row group of one date column: (first month, last month, null count), months as
`month_number` gives them; None for a group without statistics; None for a file without the column."""


@dataclass(frozen=True, slots=True)
class _Footer:
    """What lookups need from a file's footer: its key filter (packed bits, or None), its row
    count, and the `Ranges` of its date and timestamp columns (and of any other column asked for)."""

    bloom: bytes | None
    rows: int
    ranges: dict[str, Ranges]


_footers: dict[tuple[str, int, int, int], _Footer] = {}
"""Footers of local files by (path, inode, mtime, size): a replaced file is a new key. Files
are immutable once written (a rewrite renames a new inode in), so an entry never goes stale."""
_loaded: set[str] = set()
"""Index folders (`<root>/.footers/<table>`) this process has loaded into `_footers`."""
_indexed: dict[str, set[tuple[str, int, int, int]]] = {}
"""Index file -> the file identities it holds, as this process loaded or saved it."""


def _identity(f: str) -> tuple[str, int, int, int]:
    st = os.stat(f)  # not the change time: a hard link (`swap.swap_table` keeps files so) changes it
    return (f, st.st_ino, st.st_mtime_ns, st.st_size)


_TABLE_FILES = "_table"
"""The index file of the files directly in a table's folder (unpartitioned tables)."""


def _index_path(root: paths.Root, f: str) -> str | None:
    """The index file of the folder that data file `f` is in: `<root>/.footers/<table>/<partition
    folder>.arrow` (None: not under a table)."""
    if not f.startswith(root.base + "/"):
        return None
    parts = f[len(root.base) + 1 :].split("/")
    if len(parts) not in (2, 3) or "." in parts[0]:  # a staging folder (`<table>.stage-<id>`), a hidden one
        return None
    return root.join(INDEX_DIR, parts[0], f"{parts[1] if len(parts) == 3 else _TABLE_FILES}.arrow")


def _ranges(meta: pq.FileMetaData, k: int) -> Ranges:
    groups: list[tuple[int, int, int] | None] = []
    for g in range(meta.num_row_groups):
        stats = meta.row_group(g).column(k).statistics
        groups.append((month_index(stats.min), month_index(stats.max), stats.null_count)
                      if stats is not None and stats.has_min_max else None)
    return groups


def _parse(meta: pq.FileMetaData, columns: Sequence[str]) -> _Footer:
    """The footer facts of a parsed footer: the ranges of its date and timestamp columns, and of
    `columns` (None for those it lacks)."""
    schema = meta.schema
    leaves = {schema.column(k).path: k for k in range(len(schema))}
    ranges: dict[str, Ranges] = {}
    for path, k in leaves.items():
        if schema.column(k).logical_type.type in _DATED:
            ranges[path] = _ranges(meta, k)
    for column in columns:
        if column not in ranges:
            ranges[column] = _ranges(meta, leaves[column]) if column in leaves else None
    return _Footer((meta.metadata or {}).get(BLOOM_META), meta.num_rows, ranges)


def footer(root: paths.Root, f: str, columns: Sequence[str] = ()) -> _Footer:
    """The footer facts of `f` (local files: from this process's memory or the table's index when
    the file is unchanged, else read once; object storage: read every time)."""
    if not root.local:
        return _parse(pq.read_metadata(f, filesystem=root.fs), columns)
    key = _identity(f)
    index = _index_path(root, f)
    if index is not None and os.path.dirname(index) not in _loaded:
        _loaded.add(os.path.dirname(index))
        for name, _ in root.listdir(os.path.dirname(index)):
            if name.endswith(".arrow"):
                _load(f"{os.path.dirname(index)}/{name}", root)
    held = _footers.get(key)
    if held is not None and all(c in held.ranges for c in columns):
        return held
    found = _parse(pq.read_metadata(f), columns)
    if len(_footers) > 65536:
        _footers.clear()
    _footers[key] = found
    return found


def may_hold(root: paths.Root, f: str, hashes: tuple[np.ndarray, np.ndarray]) -> bool:
    """False when file `f`'s Bloom filter rules out every value hashed; True without a filter."""
    bloom = footer(root, f).bloom
    if bloom is None:
        return True
    bits = np.frombuffer(bloom, dtype=np.uint8)
    positions = _bits(*hashes, len(bloom) * 8)
    hit = (bits[(positions >> np.uint64(3)).astype(np.int64)]
           >> (np.uint64(7) - (positions & np.uint64(7))).astype(np.uint8)) & 1
    return bool(hit.all(axis=1).any())


def outside_months(groups: Ranges, months: pa.Array) -> bool:
    """True when a file's row-group statistics of a date column show that none of its rows falls
    in `months` (a null date counts as "unknown"); False when they cannot tell."""
    wanted = months.to_pylist()
    if groups is None:  # the file predates the column: every date null
        return UNKNOWN_MONTH not in wanted
    index = {month_number(m) for m in wanted if m != UNKNOWN_MONTH}
    for group in groups:
        if group is None or (UNKNOWN_MONTH in wanted and group[2] != 0):
            return False
        if any(group[0] <= i <= group[1] for i in index):
            return False
    return True


# ---------------------------------------------------------------------------------------------
# The index: one file per partition folder of the footer facts above

_INDEX_SCHEMA = pa.schema([
    pa.field("path", pa.string()), pa.field("inode", pa.int64()), pa.field("mtime_ns", pa.int64()),
    pa.field("size", pa.int64()), pa.field("rows", pa.int64()),
    pa.field("bloom", pa.binary()), pa.field("ranges", pa.string()),
])


def _load(index: str, root: paths.Root) -> None:
    """Put the entries of one index file into `_footers` (nothing when it is absent or unreadable:
    the footers are then read from their files)."""
    try:
        with pa.memory_map(index) as source:
            stored = pa.ipc.open_file(source).read_all()
    except (OSError, pa.ArrowInvalid):
        return
    if stored.schema != _INDEX_SCHEMA:
        return
    held = _indexed.setdefault(index, set())
    for row in stored.to_pylist():
        ranges = {c: None if g is None else [None if r is None else (r[0], r[1], r[2]) for r in g]
                  for c, g in json.loads(row["ranges"]).items()}
        key = (root.join(row["path"]), row["inode"], row["mtime_ns"], row["size"])
        _footers.setdefault(key, _Footer(row["bloom"], row["rows"], ranges))
        held.add(key)


def save_index(root: str | os.PathLike[str] | paths.Root) -> list[str]:
    """Write the index of each partition folder of every table of a local `root` that this process
    looked a footer up in: an entry for each data file now in the folder (footers of files written
    since read here), none for files replaced or removed; atomically (temp file, `os.replace`), and
    only when it changed, so a poll rewrites the few folders it wrote to. Returns the index files
    written. Call it under the data root's lock (the ingest flow does, at the end of each run)."""
    parsed = paths.open_root(root)
    if not parsed.local:
        return []
    written = []
    for folder in sorted(d for d in _loaded if d.startswith(parsed.join(INDEX_DIR) + "/")):
        table = parsed.join(os.path.basename(folder))
        groups = {_TABLE_FILES: paths.data_files(parsed, table)} | {
            name: paths.data_files(parsed, f"{table}/{name}")
            for name, is_dir in parsed.listdir(table) if is_dir and not name.startswith(".")}
        for name, is_dir in parsed.listdir(folder):  # folders gone: their index too
            if not is_dir and name.endswith(".arrow") and name[: -len(".arrow")] not in groups:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{folder}/{name}")
        for group, files in sorted(groups.items()):
            index = f"{folder}/{group}.arrow"
            entries = {}
            for f in files:
                with contextlib.suppress(FileNotFoundError):  # removed meanwhile: no entry
                    entries[_identity(f)] = footer(parsed, f)
            if set(entries) == _indexed.get(index, set()):
                continue
            _write_index(parsed, index, entries)
            _indexed[index] = set(entries)
            written.append(index)
    return written


def _write_index(root: paths.Root, index: str, entries: dict[tuple[str, int, int, int], _Footer]) -> None:
    rows = [{"path": key[0][len(root.base) + 1 :], "inode": key[1], "mtime_ns": key[2], "size": key[3],
             "rows": facts.rows, "bloom": facts.bloom, "ranges": json.dumps(facts.ranges)}
            for key, facts in entries.items()]
    os.makedirs(os.path.dirname(index), exist_ok=True)
    tmp = paths.temp_path(index)
    try:
        with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, _INDEX_SCHEMA) as writer:
            writer.write_table(pa.Table.from_pylist(rows, schema=_INDEX_SCHEMA))
        os.replace(tmp, index)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
