"""What a data file's footer tells a lookup before its columns are read: a Bloom filter of its
first key column, and the range of a date column in each row group.

In: a data root (`paths.Root`), file paths, lookup values or months. Out: yes/no answers ("may
this file hold one of these keys?", "do none of its rows fall in these months?") and the table
with the filter to write (`with_key_filter`). Footers of local files are read once per file
version (a rewrite renames a new inode in), so repeated lookups in a run cost one footer each.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

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
    """A Bloom filter of `values` (about 10 bits per distinct value: ~1 % false positives)."""
    distinct = pc.unique(values.cast(pa.string())).to_pylist()
    nbits = max(1024, 1 << (10 * len(distinct) - 1).bit_length())
    bits = np.zeros(nbits, dtype=bool)
    bits[_bits(*hashes_of(distinct), nbits).ravel().astype(np.int64)] = True
    return np.packbits(bits).tobytes()


def with_key_filter(tbl: pa.Table, column: str) -> pa.Table:
    """`tbl` with the Bloom filter of `column` (its first key column) in its schema metadata."""
    return tbl.replace_schema_metadata({**(tbl.schema.metadata or {}), BLOOM_META: _filter_of(tbl[column])})


@dataclass(frozen=True, slots=True)
class _Footer:
    """What lookups need from a file's footer: its key filter (packed bits, or None) and, per
    date column asked for, the (min, max, null count) of each row group (None: no statistics)."""

    bloom: bytes | None
    ranges: dict[str, list[tuple[Any, Any, int] | None] | None]
    meta: pq.FileMetaData | None = None
    """The parsed footer, kept so that another date column's ranges need no second read."""


_footers: dict[tuple[str, int, int, int], _Footer] = {}
"""Footers of local files by (path, inode, mtime, size): a replaced file is a new key. Files are
immutable once written (a rewrite renames a new inode in), so an entry never goes stale."""


def footer(root: paths.Root, f: str, columns: Sequence[str] = ()) -> _Footer:
    """The footer facts of `f` (read once per local file version; every time on object storage)."""
    key, held = None, None
    if root.local:
        st = os.stat(f)
        key = (f, st.st_ino, st.st_mtime_ns, st.st_size)
        held = _footers.get(key)
        if held is not None and all(c in held.ranges for c in columns):
            return held
    meta = held.meta if held is not None and held.meta is not None else pq.read_metadata(f, filesystem=root.fs)
    ranges: dict[str, list[tuple[Any, Any, int] | None] | None] = dict(held.ranges) if held is not None else {}
    names = meta.schema.to_arrow_schema().names
    for column in columns:
        if column in ranges:
            continue
        if column not in names:
            ranges[column] = None
            continue
        j = names.index(column)
        groups: list[tuple[Any, Any, int] | None] = []
        for g in range(meta.num_row_groups):
            stats = meta.row_group(g).column(j).statistics
            groups.append((stats.min, stats.max, stats.null_count)
                          if stats is not None and stats.has_min_max else None)
        ranges[column] = groups
    footer = _Footer((meta.metadata or {}).get(BLOOM_META), ranges, meta if key is not None else None)
    if key is not None:
        if len(_footers) > 4096:
            _footers.clear()
        _footers[key] = footer
    return footer


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


def outside_months(groups: list[tuple[Any, Any, int] | None] | None, months: pa.Array) -> bool:
    """True when a file's row-group statistics of a date column show that none of its rows falls
    in `months` (a null date counts as "unknown"); False when they cannot tell."""
    wanted = months.to_pylist()
    if groups is None:  # the file predates the column: every date null
        return UNKNOWN_MONTH not in wanted
    index = {month_number(m) for m in wanted if m != UNKNOWN_MONTH}
    for group in groups:
        if group is None or (UNKNOWN_MONTH in wanted and group[2] != 0):
            return False
        if any(month_index(group[0]) <= i <= month_index(group[1]) for i in index):
            return False
    return True
