"""Partition bookkeeping: which publication and event months are coded, by which extractor.

In: the data root and the articles an ingest or backfill run coded. Out: rows of the `partitions`
table and the lookups the backfill plan reads. The backfill partition is the PUBLICATION month of
an article (its `published_at`, else its fetch time): the month the news is about, which is what
an analyst backfills ("code March again"). The `articles` table itself stays stored by ingest
month; `partitions` rows of table "articles" name publication months, rows of table "incidents"
name event months.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from extractors import EXTRACTOR_ID
from extractors.months import publication_month
from warehouse import footers, parquet, paths
from warehouse.paths import DataRoot
from warehouse.schemas import PARTITION_STATUSES, PartitionRun


def code_version() -> str:
    """flarewatch's own version (the `code_version` of `partitions` rows)."""
    try:
        return importlib.metadata.version("flarewatch")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


_REF_COLUMNS = (
    "article_id", "content_sha256", "canonical_url", "url", "feed_id", "outlet", "title",
    "published_at", "raw_path", "fetched_at", "extractor_version", "language",
)


LATEST_ORDER: tuple[tuple[str, str], ...] = (
    ("fetched_at", "descending"), ("current", "descending"), ("content_sha256", "ascending"))
"""The one rule of the latest version of an article, first key first, nulls last: the newest
fetch; among versions of one fetch (a re-extraction, `flarewatch backfill --reprocess`, appends one
with the fetch time of the raw page it re-reads), the current extractor's ("current":
`extractor_version` is `EXTRACTOR_ID`; a stored version the re-extraction reproduced, same text
from the same page, is not appended again but restamped so by `recoded.restamp_reproduced`);
then the lowest content hash, so that the choice never depends on file order. `latest_versions`
applies it to Arrow, `latest_order_sql` gives it to the `articles_latest` view (`warehouse.catalog`),
which `incident_sources` and the report's sources (`warehouse.attacks`) follow."""


def _current(tbl: pa.Table) -> pa.ChunkedArray:
    return pc.fill_null(pc.equal(tbl["extractor_version"], EXTRACTOR_ID), False)


def latest_order_sql() -> str:
    """`LATEST_ORDER` as the ORDER BY of a window over `articles` rows (the current extractor id
    written in as a quoted literal: a view cannot call Python)."""
    current = "coalesce(extractor_version = '" + EXTRACTOR_ID.replace("'", "''") + "', false)"
    return ", ".join(f"{current if col == 'current' else col} {'DESC' if way == 'descending' else 'ASC'} NULLS LAST"
                     for col, way in LATEST_ORDER)


def latest_versions(tbl: pa.Table) -> pa.Table:
    """The latest version (`LATEST_ORDER`) of each article of `tbl` (`articles` rows with at least
    article_id, fetched_at, extractor_version and content_sha256), one row each, by article id."""
    keys = pa.table({"article_id": tbl["article_id"], "fetched_at": tbl["fetched_at"], "current": _current(tbl),
                     "content_sha256": tbl["content_sha256"], "row": np.arange(tbl.num_rows, dtype=np.int64)})
    ranked = keys.sort_by([("article_id", "ascending"), *LATEST_ORDER])
    ranked = ranked.append_column("at", pa.array(np.arange(ranked.num_rows, dtype=np.int64)))
    first = ranked.group_by("article_id", use_threads=False).aggregate([("at", "min")]).sort_by("article_id")
    return tbl.take(ranked["row"].take(first["at_min"]))  # each article's first row in that order


def latest_article_refs(root: DataRoot, months: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The latest stored version (`LATEST_ORDER`) of every article (of those whose latest version
    was published in one of `months`, when given), without its text, sorted by article_id.

    With `months`, the articles published then are found by their dates (files whose footer rules
    the months out are skipped), then all versions of just those are read by key.
    """
    keys = None
    if months is not None:
        wanted = set(months)
        dated = pa.concat_tables([
            parquet.read(root, "articles", columns=["article_id"], months_of=(column, wanted))
            for column in ("published_at", "fetched_at")
        ])
        keys = set(dated["article_id"].to_pylist())
        if not keys:
            return []
    refs = latest_versions(parquet.read(root, "articles", columns=list(_REF_COLUMNS), keys=keys)).to_pylist()
    return refs if months is None else [r for r in refs if publication_month(r) in set(months)]


def articles_by_month(root: DataRoot, months: Iterable[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Publication month -> the latest versions of the articles published that month (of
    `months` only, when given: reads what those months need, not every article's row)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for ref in latest_article_refs(root, None if months is None else list(months)):
        out.setdefault(publication_month(ref), []).append(ref)
    return out


def month_extractor_version(refs: Sequence[Mapping[str, Any]]) -> str | None:
    """The extractor a month's articles were coded with: the current one only if all were."""
    versions = {r["extractor_version"] for r in refs}
    if not versions:
        return None
    return EXTRACTOR_ID if versions == {EXTRACTOR_ID} else sorted(versions - {EXTRACTOR_ID})[0]


def partition_rows(root: DataRoot, table: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    """(table, partition) -> its `partitions` row, for one table or all."""
    rows = parquet.read(root, "partitions").to_pylist()
    return {(r["table"], r["partition"]): r for r in rows if table is None or r["table"] == table}


def mark_partitions(
    root: DataRoot, table: str, counts: Mapping[str, int | None], *, status: str, run_id: str,
    extractor_version: str | Mapping[str, str | None] | None = EXTRACTOR_ID, error: str | None = None,
) -> None:
    """Upsert one `partitions` row per partition of `counts` (partition -> rows) in one write.

    "running" stamps started_at; "done" / "failed" stamp finished_at and keep the started_at of
    the row they close (as `warehouse.state.record_partition`, but many partitions at once).
    """
    if status not in PARTITION_STATUSES:
        raise ValueError(f"status must be one of {PARTITION_STATUSES}, got {status!r}")
    if not counts:
        return
    now, version = dt.datetime.now(dt.UTC), code_version()
    prior = partition_rows(root, table) if status != "running" else {}
    rows = []
    for part, n in sorted(counts.items()):
        extractor = extractor_version.get(part) if isinstance(extractor_version, Mapping) else extractor_version
        started = now if status == "running" else (prior.get((table, part)) or {}).get("started_at")
        rows.append(PartitionRun(
            table=table, partition=part, status=status, rows=n, code_version=version,
            extractor_version=extractor, run_id=run_id, started_at=started,
            finished_at=now if status in ("done", "failed") else None, error=error,
        ))
    parquet.upsert(root, "partitions", rows)


def incident_counts(root: DataRoot, months: Iterable[str]) -> dict[str, int]:
    """Event month -> incidents stored in it (every status), 0 for an emptied month: the row
    counts of its files' footers (`footers.footer`, from the table's index when it is current)."""
    parsed = paths.open_root(root)
    return {m: sum(footers.footer(parsed, f).rows
                   for f in paths.data_files(parsed, paths.partition_dir(parsed, "incidents", "event_month", m)))
            for m in sorted(set(months))}


def month_articles(root: DataRoot, months: Iterable[str]) -> dict[str, tuple[int, str | None]]:
    """Publication month -> (articles whose latest version was published then, the month's
    extractor as `month_extractor_version` gives it), for `months` only: the same choice of latest
    version as `latest_article_refs`, made with Arrow, so that no article becomes a Python object
    (an ingest run's end calls it over the months of all its articles). An article stored once
    (most) is its own latest version: only those stored more than once have their versions
    ranked, with their content hashes read for them alone."""
    wanted = sorted(set(months))
    if not wanted:
        return {}
    dated = pa.concat_tables([
        parquet.read(root, "articles", columns=["article_id"], months_of=(column, wanted))
        for column in ("published_at", "fetched_at")
    ])
    keys = pc.unique(dated["article_id"]).to_pylist()
    del dated
    if not keys:
        return {}
    cols = ["article_id", "published_at", "fetched_at", "extractor_version"]
    tbl = parquet.read(root, "articles", columns=cols, keys=keys)
    del keys
    counts = pc.value_counts(tbl["article_id"])
    several = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    del counts
    latest = tbl.filter(pc.invert(pc.is_in(tbl["article_id"], value_set=several)))
    del tbl
    if len(several):
        latest = pa.concat_tables([latest, _latest_versions(root, several.to_pylist()).select(cols)])
    when = pc.coalesce(latest["published_at"], latest["fetched_at"])
    month = pc.strftime(pc.cast(when, pa.timestamp("us", tz="UTC")), "%Y-%m")
    latest = latest.select(["article_id", "extractor_version"]).append_column("month", month)
    latest = latest.filter(pc.is_in(latest["month"], value_set=pa.array(wanted, pa.string())))
    grouped = latest.group_by("month", use_threads=False).aggregate(
        [("article_id", "count"), ("extractor_version", "distinct")]).to_pylist()
    return {g["month"]: (g["article_id_count"], month_extractor_version(
        [{"extractor_version": v} for v in g["extractor_version_distinct"]])) for g in grouped}


def _latest_versions(root: DataRoot, article_ids: list[str]) -> pa.Table:
    """The latest version (`latest_versions`) of each of these articles, one row each, by article id."""
    cols = ["article_id", "published_at", "fetched_at", "extractor_version", "content_sha256"]
    return latest_versions(parquet.read(root, "articles", columns=cols, keys=article_ids))


def record_coded_months(root: DataRoot, coded_months: Iterable[str], run_id: str,
                        incident_months: Iterable[str] = ()) -> None:
    """Mark the publication months that received coded articles (`ChunkResult.published`), and
    the incident months rewritten, as done (what an ingest run calls at its end, under the data
    root's lock).

    rows = the articles now stored for the month (incidents: the month's incidents);
    extractor_version = the current extractor only if every article of the month was coded by
    it, so `flarewatch backfill --reprocess stale` still finds a month an upgrade half-covered.
    """
    months = sorted(set(coded_months))
    if months:
        found = month_articles(root, months)
        mark_partitions(
            root, "articles", {m: found.get(m, (0, None))[0] for m in months}, status="done", run_id=run_id,
            extractor_version={m: found.get(m, (0, None))[1] for m in months},
        )
    mark_incident_months(root, incident_months, run_id)


def mark_incident_months(root: DataRoot, months: Iterable[str], run_id: str) -> None:
    """Mark rewritten incident months done with their incident counts. A neighbour month a merge
    rewrote empty is recorded only if it was recorded before (keeps the coverage grid to months
    that hold or held incidents)."""
    months = sorted(set(months))
    if not months:
        return
    known = partition_rows(root, "incidents")
    counts = {m: n for m, n in incident_counts(root, months).items() if n or ("incidents", m) in known}
    mark_partitions(root, "incidents", counts, status="done", run_id=run_id)


def interrupted_run(root: DataRoot, key: str) -> dict[str, Any] | None:
    """The latest backfill run of these parameters that started and never finished (killed)."""
    rows = [r for r in parquet.read(root, "runs").to_pylist()
            if r["kind"] == "backfill" and r["finished_at"] is None and r["run_id"].startswith(key + ":")]
    return max(rows, key=lambda r: r["started_at"]) if rows else None
