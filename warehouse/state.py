"""Bookkeeping over `parquet.py`: feed state, URLs already seen, partition and run records.

In: a data root and plain values. Out: rows of `feed_state`, `partitions`, `runs` (upserted by key)
and lookups the polling flow needs before it fetches.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from extractors.urls import article_id
from warehouse import changes, parquet
from warehouse.schemas import PARTITION_STATUSES, FeedState, PartitionRun, Run


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def load_feed_state(root: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """feed_id -> that feed's row of `feed_state` as a dict ({} before the first poll)."""
    return {row["feed_id"]: row for row in parquet.read(root, "feed_state").to_pylist()}


def save_feed_state(
    root: str | os.PathLike[str], rows: Iterable[FeedState | Mapping[str, Any]]
) -> None:
    """Insert or replace the state of the feeds given (by feed_id); other feeds keep theirs."""
    parquet.upsert(root, "feed_state", list(rows))


def seen_canonical_urls(
    root: str | os.PathLike[str], among: Iterable[str] | None = None
) -> set[str]:
    """The canonical URLs stored in `articles`: those of `among` (what a poll asks), or every one
    when None (reads that one column of every file).

    With `among`, the store is asked by key: an article's id is `urls.article_id` of its
    canonical URL (as `extractors.articles` sets it), so only the files whose key filter may
    hold one of those ids are opened; cost and memory follow the poll, not the history.
    """
    if among is None:
        column = parquet.read(root, "articles", columns=["canonical_url"])["canonical_url"]
        return set(pc.unique(column).to_pylist())
    wanted = sorted(set(among))
    if not wanted:
        return set()
    stored = parquet.read(root, "articles", columns=["canonical_url"], keys=[article_id(u) for u in wanted])
    urls = stored["canonical_url"]
    return set(urls.filter(pc.is_in(urls, value_set=pa.array(wanted, pa.string()))).to_pylist())


def record_partition(
    root: str | os.PathLike[str],
    *,
    table: str,
    partition: str,
    status: str,
    rows: int | None = None,
    code_version: str | None = None,
    extractor_version: str | None = None,
    run_id: str | None = None,
    error: str | None = None,
    at: dt.datetime | None = None,
) -> PartitionRun:
    """Record the state of one partition: "running" before a rewrite, "done" or "failed" after.

    "running" stamps started_at (clearing finished_at, error); "done" / "failed" stamp finished_at
    and keep the started_at of the row they close. `at` defaults to now (UTC). Returns the row.
    """
    if status not in PARTITION_STATUSES:
        raise ValueError(f"status must be one of {PARTITION_STATUSES}, got {status!r}")
    when = at or _now()
    started_at: dt.datetime | None = when if status == "running" else None
    if status in ("done", "failed"):
        prior = _partition_row(root, table, partition)
        started_at = prior.get("started_at") if prior else None
    row = PartitionRun(
        table=table,
        partition=partition,
        status=status,
        rows=rows,
        code_version=code_version,
        extractor_version=extractor_version,
        run_id=run_id,
        started_at=started_at,
        finished_at=when if status in ("done", "failed") else None,
        error=error,
    )
    parquet.upsert(root, "partitions", [row])
    return row


def _partition_row(
    root: str | os.PathLike[str], table: str, partition: str
) -> dict[str, Any] | None:
    stored = parquet.read(root, "partitions")
    hit = stored.filter(
        pc.and_(pc.equal(stored["table"], table), pc.equal(stored["partition"], partition))
    )
    return hit.to_pylist()[0] if hit.num_rows else None


def partition_status(root: str | os.PathLike[str], table: str) -> dict[str, str]:
    """partition -> status for one table (e.g. find "running" months a crashed run left behind)."""
    stored = parquet.read(root, "partitions")
    hit = stored.filter(pc.equal(stored["table"], table))
    return dict(zip(hit["partition"].to_pylist(), hit["status"].to_pylist(), strict=True))


def record_run(
    root: str | os.PathLike[str],
    *,
    run_id: str,
    kind: str,
    started_at: dt.datetime,
    finished_at: dt.datetime | None = None,
    feeds_polled: int = 0,
    feeds_failed: int = 0,
    new_articles: int = 0,
    new_mentions: int = 0,
    new_incidents: int = 0,
    merges: int = 0,
    failures: int = 0,
) -> Run:
    """Insert or replace one flow run's row of `runs` (call at start, and again at the end)."""
    run = Run(
        run_id=run_id,
        kind=kind,
        started_at=started_at,
        finished_at=finished_at,
        feeds_polled=feeds_polled,
        feeds_failed=feeds_failed,
        new_articles=new_articles,
        new_mentions=new_mentions,
        new_incidents=new_incidents,
        merges=merges,
        failures=failures,
    )
    parquet.upsert(root, "runs", [run])
    return run


def unmerged_mention_months(root: str | os.PathLike[str]) -> set[str]:
    """Event months ("YYYY-MM" or "unknown") of stored mentions not merged since they were written.

    Empty after every complete run. A run killed between writing mentions and re-merging
    incidents leaves some; the next run re-merges their months, so nothing stays uncounted.
    Read from the mentions table's change log (`changes.pending`), not from the tables:
    a few small files, whatever the history.
    """
    return set(changes.pending(root, "mentions").months)
