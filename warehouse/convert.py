"""Records -> Arrow: the one conversion every write goes through, and row keys.

In: records (frozen dataclasses, mappings, or an Arrow table) and a table name.
Out: an Arrow table cast to the table's declared schema (`schemas.TABLES`), partition column
computed from the row's own date; key strings for idempotency checks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from warehouse import paths
from warehouse.schemas import spec

Records: TypeAlias = Sequence[object] | pa.Table
_KEY_SEP = "\x1f"  # unit separator: never inside an id or a sha256


def _as_dict(record: object) -> dict[str, Any]:
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    if isinstance(record, Mapping):
        return dict(record)
    raise TypeError(f"expected a dataclass instance or a mapping, got {type(record).__name__}")


def _defaults(record_type: type | None) -> dict[str, Any]:
    if record_type is None:
        return {}
    return {
        f.name: f.default
        for f in dataclasses.fields(record_type)
        if f.default is not dataclasses.MISSING
    }


def _fill_ingested_at(rows: list[dict[str, Any]], ingested_at: Any) -> None:
    for row in rows:
        if row.get("ingested_at") is not None:
            continue
        if isinstance(ingested_at, Mapping):
            row["ingested_at"] = ingested_at.get(row.get("article_id"))
        else:
            row["ingested_at"] = ingested_at


def to_arrow(records: Records, table: str, *, ingested_at: Any = None) -> pa.Table:
    """Turn records into an Arrow table with `table`'s declared schema (partition column included).

    `records`: dataclass instances, mappings or an Arrow table; a field the schema lacks is an error,
    a field a mapping leaves out takes the record type's default, else null. `ingested_at`
    (mentions only): the fetch time of the mention's article, a datetime for all rows or a mapping
    article_id -> datetime; rows that carry their own `ingested_at` keep it.
    Raises ValueError on a null in a NOT NULL column, or on a partition column that disagrees with
    the row's own date.
    """
    ts = spec(table)
    names = ts.schema.names
    if isinstance(records, pa.Table):
        unknown = set(records.column_names) - set(names)
        columns: dict[str, Any] = {n: records[n] for n in records.column_names}
        n_rows = records.num_rows
        if ingested_at is not None and "ingested_at" in names:
            rows_ = records.select([c for c in ("article_id", "ingested_at") if c in columns])
            filled = rows_.to_pylist()
            _fill_ingested_at(filled, ingested_at)
            columns["ingested_at"] = [r["ingested_at"] for r in filled]
    else:
        rows = [_as_dict(r) for r in records]
        unknown = set().union(*(r.keys() for r in rows)) - set(names) if rows else set()
        if "ingested_at" in names:
            _fill_ingested_at(rows, ingested_at)
        # A dict may leave out a field its record type defaults (FeedState.entries_seen = 0).
        defaults = _defaults(ts.record_type)
        columns = {n: [r.get(n, defaults.get(n)) for r in rows] for n in names}
        n_rows = len(rows)
    if unknown:
        raise ValueError(f"{table}: unknown column(s) {sorted(unknown)}")

    arrays = []
    for field in ts.schema:
        if field.name == ts.partition_col:
            continue
        values = columns.get(field.name)
        try:
            if values is None:
                arr = pa.nulls(n_rows, field.type)
            elif isinstance(values, pa.Array | pa.ChunkedArray):
                arr = values.cast(field.type)
            else:
                arr = pa.array(values, type=field.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as exc:
            raise ValueError(
                f"{table}.{field.name}: cannot convert to {field.type}: {exc}"
            ) from exc
        if not field.nullable and arr.null_count:
            raise ValueError(
                f"{table}.{field.name}: {arr.null_count} null value(s) in a NOT NULL column"
            )
        arrays.append(arr)
    out = pa.Table.from_arrays(arrays, schema=ts.data_schema)
    if ts.partition_col is None or ts.partition_of is None:
        return out
    source = out.select(list(ts.partition_source) or out.column_names).to_pylist()
    parts = [ts.partition_of(row) for row in source]
    given = columns.get(ts.partition_col)
    if given is not None:
        given_list = given.to_pylist() if hasattr(given, "to_pylist") else list(given)
        for got, want in zip(given_list, parts, strict=True):
            if got is not None and paths.check_partition_value(got) != want:
                raise ValueError(
                    f"{table}: row says {ts.partition_col}={got} but belongs to {want}"
                )
    return out.append_column(ts.schema.field(ts.partition_col), pa.array(parts, pa.string()))


def key_array(tbl: pa.Table, key: tuple[str, ...]) -> pa.Array:
    """One string per row identifying it (composite keys joined with a unit separator)."""
    if len(key) == 1:
        return tbl[key[0]].combine_chunks().cast(pa.string())
    cols = [tbl[k].combine_chunks().cast(pa.string()) for k in key]
    return pc.binary_join_element_wise(*cols, _KEY_SEP)


def dedupe(tbl: pa.Table, key: tuple[str, ...], *, keep: str) -> pa.Table:
    """Keep the first (`keep="first"`) or last row of each key, in input order."""
    keys = key_array(tbl, key).to_pylist()
    order = range(len(keys)) if keep == "first" else range(len(keys) - 1, -1, -1)
    seen: dict[str, int] = {}
    for i in order:
        seen.setdefault(keys[i], i)
    if len(seen) == len(keys):
        return tbl
    return tbl.take(sorted(seen.values()))
