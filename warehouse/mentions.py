"""Coded articles, mentions and incidents in the warehouse: stored, replaced, read back as records.

In: the data root and coded articles or mention rows. Out: `articles` and `mentions` rows written
(mentions before articles: a stored article marks its URL as seen), or the stored mentions and
incidents of some months as `extractors.records` dataclasses.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from extractors.months import event_month, month_of
from extractors.pipeline import CodedArticle
from extractors.records import COUNTED_ROLES, Incident, Mention
from warehouse import parquet
from warehouse.paths import DataRoot


def mention_row(mention: Mention, ingested_at: dt.datetime) -> dict[str, Any]:
    return dataclasses.asdict(mention) | {"ingested_at": ingested_at}


def store_coded(root: DataRoot, coded: Sequence[CodedArticle]) -> tuple[int, int]:
    """Write mentions (insert or replace by mention_id), then their articles (append, idempotent by key).

    Mentions go first: a stored article marks its URL as seen, so a run killed between the two
    writes must leave the article unstored (the next run fetches and codes it again, replacing
    the same mention ids) rather than an article whose mentions no run will ever write.
    New mention ids are added as a file of their own in their month (`parquet.add`): a chunk's
    write does not grow with the mentions stored before it.
    Returns (articles written, mentions written). Mentions land in their article's ingest month.
    """
    mentions = [m for c in coded for m in c.mentions]
    if mentions:
        fetched = {c.article.article_id: c.article.fetched_at for c in coded}
        parquet.add(root, "mentions", [mention_row(m, fetched[m.article_id]) for m in mentions])
    articles = parquet.append(root, "articles", [c.article for c in coded])
    return articles, len(mentions)


def load_mentions(root: DataRoot, partitions: Sequence[str] | None = None,
                  event_months: Iterable[str] | None = None) -> list[Mention]:
    """The stored mentions (of the given ingest months, or all; of the given event months
    "YYYY-MM" / "unknown", or all) as records."""
    where = None if event_months is None else ("event_date", event_months)
    return records_from(parquet.read(root, "mentions", partitions=partitions, months_of=where).to_pylist(), Mention)


MERGE_BLANKS: dict[str, Any] = {"evidence": "", "confidence": 0.0, "why": (), "refers_to": None}
"""Mention fields merging never reads (`extractors.dedup`), and the value `load_merge_mentions` gives them."""
_BATCH = 4096
"""Rows `load_merge_mentions` makes records of at a time."""
MERGE_ROLES = COUNTED_ROLES | {"reference"}
"""The roles of the mentions merging reads: it counts the first two and links references; an
"aggregate" mention (a tally) neither makes nor joins an incident (`extractors.dedup`)."""


def load_merge_mentions(root: DataRoot, event_months: Iterable[str]) -> list[Mention]:
    """The stored mentions of the given event months ("YYYY-MM" / "unknown") that merging reads
    (`MERGE_ROLES`: about half of a conflict report's mentions are aggregates, which it skips), as
    records holding what `extractors.dedup.merge_mentions` reads: the `MERGE_BLANKS` fields are not
    read (each mention's evidence sentence is most of its size), and equal values share one Python object
    (a month's mentions repeat their types, countries, outlets and dates), built column by
    column, one data file and at most `_BATCH` rows at a time, never as one dict per row, nor as
    whole columns of Python objects, nor as one table of every mention read (only their ids and
    roles are read whole, first, to find the ids stored twice). The merge of these records is the
    merge of the whole records: it reads the blanked fields only to choose between two stored
    copies of one mention id (by their repr), so ids stored more than once come back whole.
    """
    months = sorted(set(event_months))
    names = [f.name for f in dataclasses.fields(Mention)]
    roles = pa.array(sorted(MERGE_ROLES), pa.string())
    ids = parquet.read(root, "mentions", columns=["mention_id", "role"], months_of=("event_date", months))
    counts = pc.value_counts(ids["mention_id"].filter(pc.is_in(ids["role"], value_set=roles)))
    twice = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    del ids, counts
    whole: list[Mention] = []
    if len(twice):
        whole = [m for m in load_mentions_of(root, twice.to_pylist(), months) if m.role in MERGE_ROLES]
    # per column: equal values one object; a mention's id is its own
    seen: dict[str, dict[Any, Any] | None] = {n: None if n == "mention_id" else {} for n in names}
    out: list[Mention] = []
    for piece in parquet.read_files(root, "mentions", columns=[n for n in names if n not in MERGE_BLANKS],
                                    months_of=("event_date", months)):
        read = pc.is_in(piece["role"], value_set=roles)
        if len(twice):
            read = pc.and_(read, pc.invert(pc.is_in(piece["mention_id"], value_set=twice)))
        out += _records(piece.filter(read), Mention, seen, MERGE_BLANKS)
    return out + whole


def _records(piece: pa.Table, cls: type, seen: dict[str, dict[Any, Any] | None],
             blanks: dict[str, Any] | None = None) -> list[Any]:
    """The rows of `piece` as `cls` records, built column by column at most `_BATCH` rows at a time
    (slices are views: a batch's rows are copied once), each column's values through `_shared`
    with its `seen`, and the `blanks` fields given their value instead of being read."""
    blanks = blanks or {}
    names = [f.name for f in dataclasses.fields(cls)]
    out: list[Any] = []
    for start in range(0, piece.num_rows, _BATCH):
        rows = piece.slice(start, _BATCH)
        columns = [itertools.repeat(blanks[n]) if n in blanks else _shared(rows[n].to_pylist(), seen[n])
                   for n in names]
        out += [cls(*row) for row in zip(*columns, strict=False)]  # a blank's column repeats without end
    return out


def load_mentions_of(root: DataRoot, mention_ids: Sequence[str], event_months: Iterable[str]) -> list[Mention]:
    """The whole stored records of these mention ids among the given event months."""
    tbl = parquet.read(root, "mentions", keys=mention_ids, months_of=("event_date", event_months))
    return records_from(tbl.to_pylist(), Mention)


def _shared(values: list[Any], seen: dict[Any, Any] | None) -> list[Any]:
    """The values with equal ones made one object, the first `seen` (lists as tuples, as the
    records hold them); `seen` None: each value its own (a column of unique ids)."""
    values = [tuple(x) if isinstance(x, list) else x for x in values]
    return values if seen is None else [seen.setdefault(v, v) for v in values]


def load_incidents(root: DataRoot, months: Sequence[str]) -> list[Incident]:
    """The stored incidents (all statuses) of the given event months, built as `load_merge_mentions`
    builds mentions: column by column, one data file and at most `_BATCH` rows at a time, equal
    values one object (ids and citations, unique, are not looked up), never a dict per row."""
    names = [f.name for f in dataclasses.fields(Incident)]
    seen: dict[str, dict[Any, Any] | None] = {n: None if n in ("incident_id", "mention_ids") else {} for n in names}
    return [i for piece in parquet.read_files(root, "incidents", partitions=months, columns=names)
            for i in _records(piece, Incident, seen)]


def records_from(rows: Iterable[dict[str, Any]], cls: type) -> list[Any]:
    """Rows read back from Parquet as records: extra columns dropped, lists made tuples."""
    names = [f.name for f in dataclasses.fields(cls)]
    return [cls(**{n: tuple(r[n]) if isinstance(r[n], list) else r[n] for n in names}) for r in rows]


def replace_article_mentions(
    root: DataRoot, article_ids: set[str], rows: Sequence[dict[str, Any]]
) -> tuple[set[str], set[str]]:
    """Replace the stored mentions of `article_ids` with `rows` (their new mentions).

    Every ingest-month partition that holds mentions of these articles or receives new ones is
    rewritten whole, with the other articles' mentions kept. Returns (mention ids removed, event
    months of the mentions removed).
    """
    if not article_ids:
        return set(), set()
    where = parquet.read(root, "mentions", columns=["article_id", "ingest_month"])
    hit = pc.is_in(where["article_id"], value_set=pa.array(sorted(article_ids), pa.string()))
    parts = set(where["ingest_month"].filter(hit).to_pylist())
    new_by_part: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        new_by_part.setdefault(month_of(row["ingested_at"]), []).append(row)
    parts |= set(new_by_part)
    if not parts:
        return set(), set()
    stored = parquet.read(root, "mentions", partitions=sorted(parts))
    mine = pc.is_in(stored["article_id"], value_set=pa.array(sorted(article_ids), pa.string()))
    old = stored.filter(mine)
    others = stored.filter(pc.invert(mine)).drop_columns(["ingest_month"])
    new_ids = {r["mention_id"] for r in rows}
    removed = set(old["mention_id"].to_pylist()) - new_ids
    old_months = {event_month(d) for d in old["event_date"].to_pylist()}
    by_part: dict[str, list[dict[str, Any]]] = {p: [] for p in parts}
    for row in others.to_pylist():
        by_part[month_of(row["ingested_at"])].append(row)
    for part, new in new_by_part.items():
        by_part[part].extend(new)
    parquet.replace_partitions(root, "mentions", by_part)
    return removed, old_months
