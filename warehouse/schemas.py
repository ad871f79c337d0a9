"""Every table of the warehouse, declared once: Arrow schema, key, partitioning, write mode.

In: the record dataclasses (`extractors.records`, and the three bookkeeping records below).
Out: `TABLES: dict[str, TableSpec]`, generated from the dataclasses' type hints so a field added to a
record is a column of its table (tests check both lists agree).

Type mapping: `str` -> string, `int` -> int64, `float` -> float64, `bool` -> bool,
`datetime.date` -> date32, `datetime.datetime` -> timestamp[us, UTC], `tuple[str, ...]` ->
list<string>. `X | None` is nullable; anything else is NOT NULL and writers refuse a null there.
The partition column (`ingest_month` / `event_month`, "YYYY-MM") is part of the schema that `read`
and the DuckDB views return, but not stored in the files: it is the hive directory name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pyarrow as pa

from extractors.months import month_of
from extractors.records import Article, Incident, Mention

UNKNOWN_MONTH = "unknown"
"""The `event_month` of incidents without an event date."""

WriteMode = Literal["append", "replace", "table"]
Row = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class FeedState:
    """One feed's polling state (one row of `feed_state`)."""

    feed_id: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_polled_at: dt.datetime | None = None
    last_status: str | None = None
    last_error: str | None = None
    http_status: int | None = None
    entries_seen: int = 0
    new_entries: int = 0
    consecutive_failures: int = 0


@dataclass(frozen=True, slots=True)
class PartitionRun:
    """The state of one partition of one table (one row of `partitions`).

    `status`: "missing", "running", "done" or "failed". `partition` is the value ("2024-07").
    """

    table: str
    partition: str
    status: str
    rows: int | None = None
    code_version: str | None = None
    extractor_version: str | None = None
    run_id: str | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Run:
    """One flow run (one row of `runs`). `kind`: e.g. "poll", "backfill", "demo"."""

    run_id: str
    kind: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    feeds_polled: int = 0
    feeds_failed: int = 0
    new_articles: int = 0
    new_mentions: int = 0
    new_incidents: int = 0
    merges: int = 0
    failures: int = 0


@dataclass(frozen=True, slots=True)
class LinkFailure:
    """An article link whose fetch failed in its last `failures` attempts in a row (one row of
    `link_failures`); `retired_at` is set once it has failed too often and is not fetched again
    (`warehouse.links`)."""

    canonical_url: str
    url: str
    feed_id: str | None = None
    failures: int = 0
    last_error: str | None = None
    last_failed_at: dt.datetime | None = None
    retired_at: dt.datetime | None = None


PARTITION_STATUSES = ("missing", "running", "done", "failed")

_SCALARS: dict[Any, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    dt.date: pa.date32(),
    dt.datetime: pa.timestamp("us", tz="UTC"),
}


def arrow_type(hint: Any) -> tuple[pa.DataType, bool]:
    """Map one resolved type hint to (Arrow type, nullable)."""
    nullable = False
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"unsupported union {hint!r}")
        hint, nullable = args[0], True
        origin = typing.get_origin(hint)
    if origin is tuple:
        items = typing.get_args(hint)
        if len(items) == 2 and items[1] is Ellipsis and items[0] in _SCALARS:
            return pa.list_(_SCALARS[items[0]]), nullable
        raise TypeError(f"unsupported tuple {hint!r}")
    # `datetime` subclasses `date`: look the exact class up, never isinstance.
    if hint in _SCALARS:
        return _SCALARS[hint], nullable
    raise TypeError(f"no Arrow type for {hint!r}")


def schema_of(
    record_type: type, *, extra: tuple[pa.Field, ...] = (), partition_col: str | None = None
) -> pa.Schema:
    """The Arrow schema of a dataclass: its fields in order, then `extra`, then the partition col."""
    hints = typing.get_type_hints(record_type)
    out = []
    for f in dataclasses.fields(record_type):
        typ, nullable = arrow_type(hints[f.name])
        out.append(pa.field(f.name, typ, nullable=nullable))
    out.extend(extra)
    if partition_col:
        out.append(pa.field(partition_col, pa.string(), nullable=False))
    return pa.schema(out)


def _ingest_month(column: str) -> Callable[[Row], str]:
    def partition_of(row: Row) -> str:
        value = row[column]
        if value is None:
            raise ValueError(f"{column} is required to place the row in its ingest month")
        return month_of(value)

    return partition_of


def _event_month(row: Row) -> str:
    value = row["event_date"]
    return UNKNOWN_MONTH if value is None else month_of(value)


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table: its Arrow schema (partition column included), key, partitioning and write mode.

    `partition_of(row) -> "YYYY-MM"` takes a row as a dict (column -> Python value).
    `mode`: "append" (`parquet.append`, one content-hashed file per call and partition),
    "replace" (`parquet.replace_partitions` / `upsert`, one file per partition) or "table"
    (unpartitioned, one file: `replace_table` / `upsert`). `adds`: a replace table whose new keys
    may also be written as a file of their own beside a partition's others (`parquet.add`), so a
    write of new rows costs the rows, not the partition; a rewrite replaces all of its files.
    """

    name: str
    schema: pa.Schema
    key: tuple[str, ...]
    partition_col: str | None
    partition_of: Callable[[Row], str] | None
    mode: WriteMode = "table"
    record_type: type | None = None
    partition_source: tuple[str, ...] = ()
    adds: bool = False

    @property
    def data_schema(self) -> pa.Schema:
        """The schema stored in the files: `schema` without the partition column."""
        if self.partition_col is None:
            return self.schema
        return self.schema.remove(self.schema.get_field_index(self.partition_col))


INGESTED_AT = pa.field("ingested_at", pa.timestamp("us", tz="UTC"), nullable=False)
"""Mentions carry their article's `fetched_at`, so each lands in its article's ingest month."""

TABLES: dict[str, TableSpec] = {
    "articles": TableSpec(
        name="articles",
        schema=schema_of(Article, partition_col="ingest_month"),
        key=("article_id", "content_sha256"),
        partition_col="ingest_month",
        partition_of=_ingest_month("fetched_at"),
        mode="append",
        record_type=Article,
        partition_source=("fetched_at",),
    ),
    "mentions": TableSpec(
        name="mentions",
        schema=schema_of(Mention, extra=(INGESTED_AT,), partition_col="ingest_month"),
        key=("mention_id",),
        partition_col="ingest_month",
        partition_of=_ingest_month("ingested_at"),
        # replace, not append: re-coding a month (backfill) must drop the mentions an older
        # extractor produced, so a month of mentions is rewritten whole like incidents; but a
        # poll's new mentions are added as a file of their own (`adds`), not a month rewritten.
        mode="replace",
        record_type=Mention,
        partition_source=("ingested_at",),
        adds=True,
    ),
    "incidents": TableSpec(
        name="incidents",
        schema=schema_of(Incident, partition_col="event_month"),
        key=("incident_id",),
        partition_col="event_month",
        partition_of=_event_month,
        mode="replace",
        record_type=Incident,
        partition_source=("event_date",),
    ),
    "feed_state": TableSpec(
        "feed_state", schema_of(FeedState), ("feed_id",), None, None, "table", FeedState
    ),
    "partitions": TableSpec(
        "partitions",
        schema_of(PartitionRun),
        ("table", "partition"),
        None,
        None,
        "table",
        PartitionRun,
    ),
    "runs": TableSpec("runs", schema_of(Run), ("run_id",), None, None, "table", Run),
    "link_failures": TableSpec(
        "link_failures", schema_of(LinkFailure), ("canonical_url",), None, None, "table", LinkFailure
    ),
}


def spec(table: str) -> TableSpec:
    """The `TableSpec` of `table`, or a ValueError naming the known tables."""
    try:
        return TABLES[table]
    except KeyError:
        raise ValueError(f"unknown table {table!r}; known: {', '.join(TABLES)}") from None
