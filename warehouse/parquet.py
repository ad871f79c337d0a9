"""Parquet reads and writes: records in, hive-partitioned files under the data root out.

In: records (dataclasses, dicts, or an Arrow table) and a table name from `schemas.TABLES`.
Out: Parquet files (`paths.py` layout) and Arrow tables read back with the declared schema.

Three write modes, one per table (`TableSpec.mode`):

- append (`articles`): `append` skips rows whose key is anywhere in the table and writes
  the rest as one new file per partition, `part-<sha of the keys>.parquet`. Stored rows change
  only through `restamp` (one column of given keys, e.g. the extractor that reproduced a text),
  which rewrites the files holding them, each atomically under its own name.
- replace (`mentions`, `incidents`): each partition directory holds exactly ONE file, `data.parquet`.
  `replace_partitions` writes the new file under a temp name (`.data.parquet.<id>.tmp`, which no
  reader's `*.parquet` glob matches), fsyncs it, then `os.replace`s it over `data.parquet`: a single
  atomic rename. A crash before the rename leaves the old file (plus an invisible temp file), after
  it the new one; no reader ever sees both, none or half of a partition, and a reader that already
  opened the old file keeps reading the old inode. Emptying a partition is one atomic unlink.
  A fixed name (rather than content-hashed names plus a delete) is what makes this one step; it is
  also what keeps it atomic on object storage, where there is no rename: there the file is
  serialised in memory and stored with one PUT under its final key, which replaces the object
  whole (readers see the old or the new object, never part of one), and there are no temp files.
  Across partitions, on a local root, a call is all or nothing: the table's next state is built
  beside it (`<table>.stage-<id>`, hard links to the partitions it keeps) and swapped in with one
  `renameat2(RENAME_EXCHANGE)` (`swap.swap_table`). On object storage (no swap of several objects) the
  partitions are written in an order that never double-counts: every partition that loses a key
  before any partition gains a key another one holds, so an interrupted call can leave a moved
  incident missing until it is rerun, never counted twice. `upsert` is the safe entry point: it
  works out the affected months itself. Writes of `changes.CHANGE_LOG` tables (mentions) log the
  months they touch first (`changes.py`).
- replace with additions (`mentions`, `TableSpec.adds`): `add` writes the rows of keys stored
  nowhere as one more file per partition (`part-<sha of the keys>.parquet`, as `append` does), so
  a poll's write costs its rows, not its month; rows of stored keys go through `upsert`. A
  partition then holds `data.parquet` and/or part files, keys disjoint; a rewrite of it replaces
  all of them at once (`swap.swap_table`, local roots: `add` writes part files only there).
- table (`feed_state`, `partitions`, `runs`): one `data.parquet`, replaced the same way.

Every data file carries a Bloom filter of its first key column in its footer (`footers.py`), so
a lookup by key opens only the files that may hold it; `compact.compact` merges an append table's files
(one per poll), or a replace table's added ones, into one per partition, swapped in atomically.

Writes take `lock.write_guard(root)` (reentrant inside a flow that holds `root_lock`).
`root`: a local directory or an object-storage URL (`paths.open_root`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypedDict, Unpack

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extractors.months import month_number, month_of
from warehouse import changes, footers, paths
from warehouse.convert import Records, dedupe, key_array, to_arrow
from warehouse.footers import BLOOM_META
from warehouse.lock import write_guard
from warehouse.schemas import UNKNOWN_MONTH, TableSpec, spec
from warehouse.swap import swap_table, write_atomic

__all__ = [
    "BLOOM_META",
    "Records",
    "add",
    "affected_partitions",
    "append",
    "list_partitions",
    "read",
    "replace_partitions",
    "replace_table",
    "restamp",
    "stored_keys",
    "to_arrow",
    "upsert",
]


def _norm_partition(ts: TableSpec, value: str) -> str:
    """Accept "2024-07" or "event_month=2024-07"."""
    prefix = f"{ts.partition_col}="
    if value.startswith(prefix):
        value = value[len(prefix) :]
    return paths.check_partition_value(value)


def _files(
    root: paths.Root, ts: TableSpec, partitions: Iterable[str] | None = None
) -> list[tuple[str | None, str]]:
    """(partition value or None, file) for every readable data file, optionally some partitions."""
    if ts.partition_col is None:
        return [(None, f) for f in paths.data_files(root, paths.table_dir(root, ts.name))]
    present = paths.partition_values(root, ts.name, ts.partition_col)
    if partitions is not None:
        wanted = {_norm_partition(ts, p) for p in partitions}
        present = [p for p in present if p in wanted]
    return [
        (p, f)
        for p in present
        for f in paths.data_files(root, paths.partition_dir(root, ts.name, ts.partition_col, p))
    ]


def _stored_keys(
    root: paths.Root, ts: TableSpec, partitions: Iterable[str] | None = None
) -> pa.Table:
    """Columns `key` and `partition` for every stored row (only key columns are read)."""
    pieces = []
    for part, f in _files(root, ts, partitions):
        keys = key_array(pq.read_table(f, columns=list(ts.key), filesystem=root.fs), ts.key)
        pieces.append(pa.table({"key": keys, "partition": pa.repeat(part or "", len(keys))}))
    if not pieces:
        return pa.table({"key": pa.array([], pa.string()), "partition": pa.array([], pa.string())})
    return pa.concat_tables(pieces).combine_chunks()


def _files_with(
    root: paths.Root, ts: TableSpec, values: Sequence[str], partitions: Iterable[str] | None = None
) -> list[tuple[str | None, str]]:
    """The data files (as `_files`) that may hold a row whose first key column is in `values`."""
    if not values:
        return []
    hashes = footers.hashes_of(values)
    return [(p, f) for p, f in _files(root, ts, partitions) if footers.may_hold(root, f, hashes)]


def _locate(root: paths.Root, ts: TableSpec, rows: pa.Table) -> dict[str, str]:
    """key -> partition ("" unpartitioned) of the keys of `rows` that are stored anywhere.

    Opens only the files whose Bloom filter may hold one of the keys (`BLOOM_META`), reads their
    key columns one file at a time and keeps the hits: a poll's lookups read footers, not the
    history's keys.
    """
    found: dict[str, str] = {}
    if rows.num_rows == 0:
        return found
    first = pc.unique(rows[ts.key[0]].combine_chunks().cast(pa.string()))
    wanted = key_array(rows, ts.key)
    for part, f in _files_with(root, ts, first.to_pylist()):
        tbl = pq.read_table(f, columns=list(ts.key), filesystem=root.fs)
        tbl = tbl.filter(pc.is_in(tbl[ts.key[0]].cast(pa.string()), value_set=first))
        if tbl.num_rows:
            stored = key_array(tbl, ts.key)
            found.update(dict.fromkeys(stored.filter(pc.is_in(stored, value_set=wanted)).to_pylist(), part or ""))
    return found


def stored_keys(root: str | os.PathLike[str], table: str, keys: Iterable[str]) -> set[str]:
    """Those of `keys` (of a one-column key) stored in `table`, read one file at a time."""
    ts = spec(table)
    if len(ts.key) != 1:
        raise ValueError(f"{table} has a composite key {ts.key}")
    wanted = pa.table({ts.key[0]: pa.array(sorted(set(keys)), pa.string())})
    return set(_locate(paths.open_root(root), ts, wanted))


def list_partitions(root: str | os.PathLike[str], table: str) -> list[str]:
    """The partition values of `table` that hold data, sorted ("2024-07", ..., "unknown")."""
    return sorted({p for p, _ in _files(paths.open_root(root), spec(table)) if p is not None})


# ---------------------------------------------------------------------------------------------
# Reads


def _conform(tbl: pa.Table, schema: pa.Schema, partition: tuple[str, str] | None,
             defaults: Mapping[str, object] | None = None) -> pa.Table:
    """Cast a stored file's table to `schema`. Columns the file predates come back null, or as
    their record's default when they are NOT NULL and have one (`defaults`, from `_defaults`:
    `why=()`, `n_references=0`, `is_attack=False`), so an old partition can be rewritten with
    today's rows; a NOT NULL column without a default (a value nobody recorded) stays null."""
    arrays = []
    for field in schema:
        if partition is not None and field.name == partition[0]:
            arrays.append(pa.repeat(partition[1], tbl.num_rows).cast(pa.string()))
        elif field.name in tbl.column_names:
            arrays.append(tbl[field.name].cast(field.type))
        elif not field.nullable and defaults and field.name in defaults:
            arrays.append(pa.array([defaults[field.name]] * tbl.num_rows, type=field.type))
        else:
            arrays.append(pa.nulls(tbl.num_rows, field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _defaults(ts: TableSpec) -> dict[str, object]:
    """Field -> default of a table's record type (tuples as lists), for `_conform`."""
    if ts.record_type is None:
        return {}
    return {f.name: list(f.default) if isinstance(f.default, tuple) else f.default
            for f in dataclasses.fields(ts.record_type)
            if f.default is not dataclasses.MISSING and f.default is not None}


class Where(TypedDict, total=False):
    """Which rows `read` and `read_files` take (their keyword arguments; see `read`)."""

    partitions: Iterable[str] | None
    columns: Sequence[str] | None
    months_of: tuple[str, Iterable[str]] | None
    keys: Iterable[str] | None


def read(root: str | os.PathLike[str] | paths.Root, table: str, **where: Unpack[Where]) -> pa.Table:
    """Read `table` (or some of its partitions, e.g. `partitions=["2024-07"]`) with its declared schema.

    `columns` selects columns (the partition column among them if wanted). `months_of=(column,
    months)` keeps only rows whose date `column` falls in one of `months` ("YYYY-MM", "unknown"
    for a null date), e.g. mentions by event month across ingest-month partitions: that column is
    read first and a file without a hit is not read further (or not at all, when its footer's
    statistics rule it out; `footers.footer`). `keys` keeps only rows whose first key column is
    one of them, and opens only the files whose Bloom filter may hold one. Returns an empty table
    with the schema when nothing is stored.
    """
    pieces = list(read_files(root, table, **where))
    return pa.concat_tables(pieces) if pieces else _schema(spec(table), where.get("columns")).empty_table()


def _schema(ts: TableSpec, columns: Sequence[str] | None) -> pa.Schema:
    """The declared schema of a table, or of the `columns` selected from it."""
    return ts.schema if columns is None else pa.schema([ts.schema.field(c) for c in columns])


def read_files(
    root: str | os.PathLike[str] | paths.Root,
    table: str,
    *,
    partitions: Iterable[str] | None = None,
    columns: Sequence[str] | None = None,
    months_of: tuple[str, Iterable[str]] | None = None,
    keys: Iterable[str] | None = None,
) -> Iterator[pa.Table]:
    """`read`'s rows one data file at a time (files without a row left out), for a reader that
    keeps less than all of them (`warehouse.mentions.load_merge_mentions`)."""
    ts = spec(table)
    schema = _schema(ts, columns)
    parsed = paths.open_root(root)
    wanted = None if months_of is None else pa.array(sorted(set(months_of[1])), pa.string())
    chosen = None if keys is None else pa.array(sorted(set(keys)), pa.string())
    files = (_files(parsed, ts, partitions) if chosen is None
             else _files_with(parsed, ts, chosen.to_pylist(), partitions))
    for part, f in files:
        if months_of is not None and footers.outside_months(
                footers.footer(parsed, f, [months_of[0]]).ranges[months_of[0]], wanted):
            continue
        pf = pq.ParquetFile(f, filesystem=parsed.fs)
        mask = None
        if months_of is not None:
            mask = _month_mask(pf, months_of[0], wanted)
            if not pc.any(mask).as_py():
                continue
        stored = set(pf.schema_arrow.names)
        present = [n for n in schema.names if n in stored]
        if chosen is not None:
            first = pf.read(columns=[ts.key[0]])[ts.key[0]].cast(pa.string())
            hit = pc.is_in(first, value_set=chosen)
            mask = hit if mask is None else pc.and_(mask, hit)
            if not pc.any(mask).as_py():
                continue
        tbl = pf.read(columns=present)
        if mask is not None:
            tbl = tbl.filter(mask)
        pcol = (ts.partition_col, part) if ts.partition_col and part is not None else None
        yield _conform(tbl, schema, pcol, _defaults(ts))


def _month_mask(pf: pq.ParquetFile, column: str, months: pa.Array) -> pa.Array:
    """True for the rows of a file whose date `column` falls in `months` (null: "unknown")."""
    wanted = months.to_pylist()
    unknown = UNKNOWN_MONTH in wanted
    index = {month_number(m) for m in wanted if m != UNKNOWN_MONTH}
    if column not in pf.schema_arrow.names:  # a file that predates the column: every date null
        return pa.repeat(unknown, pf.metadata.num_rows)
    days = pf.read(columns=[column])[column].combine_chunks()
    month = pc.add(pc.multiply(pc.year(days), 12), pc.subtract(pc.month(days), 1))
    # is_in says False, never null, for a null date: the null dates are chosen apart
    hit = pc.is_in(month, value_set=pa.array(sorted(index), pa.int64()))
    return pc.if_else(pc.is_null(month), unknown, hit)


# ---------------------------------------------------------------------------------------------
# Writes


def _require_mode(ts: TableSpec, mode: str, hint: str) -> None:
    if ts.mode != mode:
        raise ValueError(f"{ts.name} is a {ts.mode!r} table: {hint}")


def append(
    root: str | os.PathLike[str], table: str, records: Records, *, ingested_at: Any = None
) -> int:
    """Append records to an append table (articles); returns the rows written.

    Rows whose key is already anywhere in the table, or earlier in `records`, are skipped, so a
    rerun writes nothing. At most one new file per partition. `ingested_at`: see `to_arrow`.
    """
    ts = spec(table)
    _require_mode(ts, "append", "use replace_partitions / upsert / replace_table")
    new = to_arrow(records, table, ingested_at=ingested_at)
    if new.num_rows == 0:
        return 0
    new = dedupe(new, ts.key, keep="first")
    parsed = paths.open_root(root)
    with write_guard(parsed):
        stored = _locate(parsed, ts, new)
        keys = key_array(new, ts.key)
        if stored:
            fresh = pc.invert(pc.is_in(keys, value_set=pa.array(list(stored), pa.string())))
            new, keys = new.filter(fresh), keys.filter(fresh)
        _write_new_files(parsed, ts, new, keys)
    return int(new.num_rows)


def _write_new_files(root: paths.Root, ts: TableSpec, new: pa.Table, keys: pa.Array) -> None:
    """Write `new` (rows of keys stored nowhere; `keys` their key strings) as one new file per
    partition, `part-<sha of its keys>.parquet`, each atomically (`write_atomic`)."""
    pcol = ts.partition_col
    assert pcol is not None
    for part in sorted(set(new[pcol].to_pylist())):
        mask = pc.equal(new[pcol], part)
        rows, part_keys = new.filter(mask), keys.filter(mask)
        digest = hashlib.sha256("\n".join(sorted(part_keys.to_pylist())).encode()).hexdigest()
        target = f"{paths.partition_dir(root, ts.name, pcol, part)}/part-{digest[:32]}.parquet"
        write_atomic(root, footers.with_key_filter(rows.drop_columns([pcol]), ts.key[0]), target)


def restamp(root: str | os.PathLike[str], table: str, column: str, stamps: pa.Table) -> int:
    """Set `column` of stored rows of an append table (articles) to new values, nothing else.

    In: `stamps`, a table of the key columns and `column` (a key at most once): the stored row of
    each key gets that value. Only the files holding a row whose value changes are rewritten
    (their rows, order and other columns as they were), each atomically (`write_atomic`, the
    same name: the file keeps its keys); every other file is left byte for byte, so a rerun
    rewrites nothing. Out: the rows changed. (Append tables are otherwise never rewritten but
    by `compact`.)
    """
    ts = spec(table)
    _require_mode(ts, "append", "use upsert")
    if stamps.num_rows == 0:
        return 0
    if stamps[column].null_count:
        raise ValueError(f"{table}: restamp gives {column} a null value")
    wanted = key_array(stamps, ts.key)
    values = stamps[column].combine_chunks()
    parsed = paths.open_root(root)
    changed = 0
    with write_guard(parsed):
        for _, f in _files_with(parsed, ts, pc.unique(stamps[ts.key[0]].cast(pa.string())).to_pylist()):
            stored = pq.ParquetFile(f, filesystem=parsed.fs).read()
            at = pc.index_in(key_array(stored, ts.key), value_set=wanted)
            if column not in stored.column_names:  # a file that predates the column: nulls till now
                stored = stored.append_column(field := ts.schema.field(column), pa.nulls(stored.num_rows, field.type))
            old = stored[column].combine_chunks()
            new = pc.if_else(pc.is_valid(at), values.take(at).cast(old.type), old)
            n = pc.sum(pc.and_(pc.fill_null(pc.not_equal(new, old), True), pc.is_valid(at))).as_py() or 0
            if n:
                i = stored.column_names.index(column)
                stored = stored.set_column(i, stored.schema.field(i), new)
                write_atomic(parsed, footers.with_key_filter(stored, ts.key[0]), f)
                changed += n
    return changed


def add(root: str | os.PathLike[str], table: str, records: Records) -> int:
    """Insert or replace rows by key in a replace table that takes additions (`TableSpec.adds`:
    mentions), as `upsert` does, at the cost of the rows rather than of their partitions.

    When no key of `records` is stored anywhere (a poll's new mentions), they are written as one
    new file per partition beside its others (`part-<sha of the keys>.parquet`, as `append`
    does), after the change log (`changes.py`) records their months: nothing stored is read but
    the footers (and key columns) of the files whose Bloom filter may hold a key. Otherwise (a run
    killed between its mentions and its articles codes them again) the call is an `upsert`, whose
    rewrite replaces each partition's files whole. On object storage always an `upsert`: there
    a partition stays one object, the only thing a write can replace at once. The last of several
    records with one key wins. Returns the rows written.
    """
    ts = spec(table)
    if not ts.adds:
        raise ValueError(f"{table} takes no additions: use append / upsert")
    new = dedupe(to_arrow(records, table), ts.key, keep="last")
    if new.num_rows == 0:
        return 0
    parsed = paths.open_root(root)
    with write_guard(parsed):
        if not parsed.local or _locate(parsed, ts, new):
            upsert(root, table, new)
            return int(new.num_rows)
        column = changes.CHANGE_LOG.get(table)
        if column is not None:  # logged before the data: a write killed after it is never missed
            changes.log(parsed, table, {_month(d) for d in new[column].to_pylist()})
        _write_new_files(parsed, ts, new, key_array(new, ts.key))
    return int(new.num_rows)


def _write_partition(root: paths.Root, ts: TableSpec, part: str, tbl: pa.Table) -> None:
    pcol = ts.partition_col
    assert pcol is not None
    directory = paths.partition_dir(root, ts.name, pcol, part)
    target = f"{directory}/{paths.DATA_FILE}"
    if tbl.num_rows == 0:
        # One atomic step (an unlink, or one DELETE): the partition is gone.
        if not root.local:
            with contextlib.suppress(FileNotFoundError):
                root.fs.rm_file(target)
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
        with contextlib.suppress(OSError):
            os.rmdir(directory)  # fails harmlessly if a stray temp file is left
        return
    tbl = tbl.sort_by([(k, "ascending") for k in ts.key])
    write_atomic(root, footers.with_key_filter(tbl.drop_columns([pcol]), ts.key[0]), target)


def _with_additions(root: paths.Root, ts: TableSpec, parts: Iterable[str]) -> list[str]:
    """Those of `parts` whose directory holds a file besides `data.parquet` (`add`, `compact`)."""
    assert ts.partition_col is not None
    return [p for p in sorted(parts) if ts.adds and any(
        not f.endswith(f"/{paths.DATA_FILE}")
        for f in paths.data_files(root, paths.partition_dir(root, ts.name, ts.partition_col, p)))]


def replace_partitions(
    root: str | os.PathLike[str] | paths.Root, table: str, rows_by_partition: Mapping[str, Records]
) -> None:
    """Rewrite each named partition of a replace table whole; an empty sequence removes it.

    Every row must belong to the partition it is listed under, and a key may appear once in the
    call. A key stored in a partition the call does not name is an error (it would then be counted
    twice): use `upsert`, which names those partitions itself. Each partition swaps atomically; see
    the module docstring for the order across partitions.
    """
    ts = spec(table)
    _require_mode(ts, "replace", "use append / replace_table / upsert")
    pcol = ts.partition_col
    assert pcol is not None
    new: dict[str, pa.Table] = {}
    owner: dict[str, str] = {}
    for raw_part, records in rows_by_partition.items():
        part = _norm_partition(ts, raw_part)
        tbl = to_arrow(records, table)
        wrong = pc.not_equal(tbl[pcol], part)
        if tbl.num_rows and pc.any(wrong).as_py():
            bad = tbl.filter(wrong)
            raise ValueError(
                f"{table}: {bad.num_rows} row(s) listed under {part} belong elsewhere, e.g. "
                f"{bad[ts.key[0]][0].as_py()} -> {bad[pcol][0].as_py()}"
            )
        for k in key_array(tbl, ts.key).to_pylist():
            if k in owner:
                raise ValueError(f"{table}: key {k!r} given twice ({owner[k]}, {part})")
            owner[k] = part
        new[part] = tbl

    parsed = paths.open_root(root)
    with write_guard(parsed):
        # Where the call's keys are stored now, and every key of the partitions it rewrites:
        # both bounded by the call, not by the table.
        stored = _stored_keys(parsed, ts, new)
        stored_at = dict(
            zip(stored["key"].to_pylist(), stored["partition"].to_pylist(), strict=True)
        )
        if owner:  # the call's keys not in the partitions it rewrites: are they stored elsewhere?
            rows = pa.concat_tables(new.values()).select(list(ts.key))
            rows = rows.filter(pc.invert(pc.is_in(key_array(rows, ts.key), value_set=stored["key"])))
            stored_at |= _locate(parsed, ts, rows)
        elsewhere = [(k, stored_at[k]) for k in owner if stored_at.get(k, owner[k]) not in new]
        if elsewhere:
            k, p = elsewhere[0]
            raise ValueError(
                f"{table}: {len(elsewhere)} key(s) are stored in partitions this call does not "
                f"rewrite, e.g. {k!r} in {p}; include those partitions or use upsert()"
            )
        _log_changes(parsed, ts, new)
        # Keys moving in from another partition of this call; see the module docstring.
        moved_in: dict[str, set[str]] = {p: set() for p in new}
        loses = dict.fromkeys(new, False)
        for k, p in owner.items():
            if stored_at.get(k, p) != p:
                moved_in[p].add(k)
        for k, q in stored_at.items():
            if q in new and owner.get(k) != q:
                loses[q] = True
        added = _with_additions(parsed, ts, new)
        if added and not parsed.local:
            raise ValueError(f"{table}: partitions {added} hold several files; object storage cannot "
                             "replace them at once")
        if parsed.local and (len(new) > 1 or added):
            try:
                swap_table(parsed, ts, new)
                return
            except OSError as exc:
                if added or exc.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
                    raise  # several files of one partition: only the swap replaces them at once
                # no atomic swap on this file system: the ordered writes below
        for part in sorted(new):
            if not moved_in[part]:
                _write_partition(parsed, ts, part, new[part])
            elif loses[part]:
                keep = pc.invert(
                    pc.is_in(key_array(new[part], ts.key), pa.array(sorted(moved_in[part])))
                )
                _write_partition(parsed, ts, part, new[part].filter(keep))
        for part in sorted(p for p in new if moved_in[p]):
            _write_partition(parsed, ts, part, new[part])


def replace_table(root: str | os.PathLike[str], table: str, records: Records) -> None:
    """Replace an unpartitioned table (feed_state, partitions, runs) with `records`, atomically."""
    ts = spec(table)
    _require_mode(ts, "table", "use append / replace_partitions / upsert")
    tbl = to_arrow(records, table)
    if dedupe(tbl, ts.key, keep="last").num_rows != tbl.num_rows:
        raise ValueError(f"{table}: duplicate keys {ts.key}")
    parsed = paths.open_root(root)
    with write_guard(parsed):
        write_atomic(parsed, tbl, f"{paths.table_dir(parsed, table)}/{paths.DATA_FILE}")


def affected_partitions(
    root: str | os.PathLike[str] | paths.Root, table: str, records: Records
) -> list[str]:
    """The partitions an `upsert` (or `append`) of `records` would rewrite, sorted.

    That is where the records belong plus, for replace tables, where their keys are stored now
    (an incident whose date changed leaves its old month). [] for unpartitioned tables.
    """
    ts = spec(table)
    if ts.partition_col is None:
        return []
    new = to_arrow(records, table)
    parts = set(new[ts.partition_col].to_pylist())
    if ts.mode == "replace" and new.num_rows:
        parts |= set(_locate(paths.open_root(root), ts, new).values())
    return sorted(parts)


def upsert(root: str | os.PathLike[str], table: str, records: Records) -> list[str]:
    """Insert or replace rows by key, keeping every other row; returns the partitions rewritten.

    Unpartitioned tables: the one file is rewritten. Replace tables (incidents): the months the
    records belong to and the months their keys occupy now are rewritten whole, through
    `replace_partitions`. The last of several records with one key wins.
    """
    ts = spec(table)
    if ts.mode == "append":
        raise ValueError(f"{table} is append-only: use append()")
    new = dedupe(to_arrow(records, table), ts.key, keep="last")
    if new.num_rows == 0:
        return []
    parsed = paths.open_root(root)
    with write_guard(parsed):
        parts = affected_partitions(parsed, table, new) if ts.partition_col else None
        current = read(parsed, table, partitions=parts)
        kept = current.filter(
            pc.invert(pc.is_in(key_array(current, ts.key), key_array(new, ts.key)))
        )
        merged = pa.concat_tables([kept, new])
        if ts.partition_col is None:
            write_atomic(parsed, merged, f"{paths.table_dir(parsed, table)}/{paths.DATA_FILE}")
            return []
        assert parts is not None
        pcol = merged[ts.partition_col]
        replace_partitions(parsed, table, {p: merged.filter(pc.equal(pcol, p)) for p in parts})
        return parts


# ---------------------------------------------------------------------------------------------
# Change log (`changes.py`): what a write of a logged table touched


def _month(day: Any) -> str:
    return UNKNOWN_MONTH if day is None else month_of(day)


def _log_changes(root: paths.Root, ts: TableSpec, new: Mapping[str, pa.Table]) -> None:
    """Log the months of the rows `new` writes and of the stored rows of those partitions it
    removes or moves to another month (one small JSON file per write: no read-modify-write)."""
    column = changes.CHANGE_LOG.get(ts.name)
    if column is None or not new:
        return
    rows = pa.concat_tables(new.values())
    now = dict(zip(key_array(rows, ts.key).to_pylist(), rows[column].to_pylist(), strict=True))
    months = {_month(d) for d in now.values()}
    old = read(root, ts.name, partitions=list(new), columns=[*ts.key, column])
    for k, day in zip(key_array(old, ts.key).to_pylist(), old[column].to_pylist(), strict=True):
        if k not in now or now[k] != day:
            months.add(_month(day))
    changes.log(root, ts.name, months)
