"""What a data root holds, month by month: the state `flarewatch status`, the report page and the
backfill plan read.

In: a data root. Out: typed rows, not formatted: `ArticleMonth` per publication month (its
`partitions` row and the articles stored for it), `IncidentMonth` per event month, `MonthCoverage`
pairing them, and `Coverage`: the feeds' poll state (`schemas.FeedState`), the grid of months and
the last runs (`schemas.Run`). Reads only; nothing here writes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from extractors import EXTRACTOR_ID
from warehouse import parquet, partitions
from warehouse.paths import DataRoot
from warehouse.schemas import FeedState, Run

_R = TypeVar("_R")


@dataclass(frozen=True, slots=True)
class ArticleMonth:
    """One publication month: its `partitions` row (table "articles") and the articles stored for it.

    `status`: the row's ("running", "done", "failed"), "missing" without a row. `articles`: the
    latest article versions published that month (or, read with `recorded=True`, the count the
    row recorded). `recorded_version` is the row's extractor; `stored_version` the extractor all
    the month's stored articles were coded with (`partitions.month_extractor_version`).
    """

    month: str
    status: str = "missing"
    articles: int = 0
    recorded_version: str | None = None
    stored_version: str | None = None
    run_id: str | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    error: str | None = None

    @property
    def extractor_version(self) -> str | None:
        """The extractor that coded the month: as recorded, else as its articles say."""
        return self.recorded_version or self.stored_version

    @property
    def stale(self) -> bool:
        """Done, but by an older extractor (recorded so, or some stored article says so)."""
        return self.status == "done" and (
            self.extractor_version != EXTRACTOR_ID or self.stored_version not in (None, EXTRACTOR_ID))


@dataclass(frozen=True, slots=True)
class IncidentMonth:
    """One event month: its `partitions` row (table "incidents") and the incidents stored in it."""

    month: str
    status: str = "missing"
    incidents: int = 0
    extractor_version: str | None = None
    run_id: str | None = None
    finished_at: dt.datetime | None = None
    error: str | None = None

    @property
    def stale(self) -> bool:
        return self.status == "done" and self.extractor_version != EXTRACTOR_ID


@dataclass(frozen=True, slots=True)
class MonthCoverage:
    """One row of the coverage grid: articles by publication month, incidents by event month."""

    month: str
    articles: ArticleMonth
    incidents: IncidentMonth


@dataclass(frozen=True, slots=True)
class Coverage:
    """The feeds (by id), the months (oldest first) and the last runs (newest first) of a data root."""

    feeds: tuple[FeedState, ...]
    months: tuple[MonthCoverage, ...]
    runs: tuple[Run, ...]


def _record(cls: type[_R], row: Mapping[str, Any]) -> _R:
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in row.items() if k in names})


def _article_month(month: str, row: Mapping[str, Any], refs: list[dict[str, Any]] | None) -> ArticleMonth:
    return ArticleMonth(
        month=month, status=row.get("status") or "missing",
        articles=len(refs) if refs is not None else row.get("rows") or 0,
        recorded_version=row.get("extractor_version"),
        stored_version=partitions.month_extractor_version(refs or []),
        run_id=row.get("run_id"), started_at=row.get("started_at"), finished_at=row.get("finished_at"),
        error=row.get("error"),
    )


def article_months(root: DataRoot, months: Iterable[str]) -> dict[str, ArticleMonth]:
    """`months` -> the state of each as a publication month (the backfill plan's input)."""
    wanted = list(months)
    rows = partitions.partition_rows(root, "articles")
    by_month = partitions.articles_by_month(root, wanted)
    return {m: _article_month(m, rows.get(("articles", m)) or {}, by_month.get(m, [])) for m in wanted}


def read_coverage(root: DataRoot, *, last_runs: int = 10, recorded: bool = False) -> Coverage:
    """The feeds, every month any table records or holds, and the `last_runs` latest runs.

    `recorded`: each month's articles as its `partitions` row counted them (what a poll's report
    page needs: no read of every article); a month with articles but no record then shows none.
    """
    feed_rows = sorted(parquet.read(root, "feed_state").to_pylist(), key=lambda r: r["feed_id"])
    rows = partitions.partition_rows(root)
    by_month = {} if recorded else partitions.articles_by_month(root)
    incident_months = set(parquet.list_partitions(root, "incidents"))
    counts = partitions.incident_counts(root, incident_months) if incident_months else {}
    grid = []
    for month in sorted({p for _, p in rows} | set(by_month) | incident_months):
        art = rows.get(("articles", month)) or {}
        inc = rows.get(("incidents", month)) or {}
        grid.append(MonthCoverage(
            month,
            _article_month(month, art, None if recorded else by_month.get(month, [])),
            IncidentMonth(month, status=inc.get("status") or "missing", incidents=counts.get(month, 0),
                          extractor_version=inc.get("extractor_version"), run_id=inc.get("run_id"),
                          finished_at=inc.get("finished_at"), error=inc.get("error")),
        ))
    runs = sorted(parquet.read(root, "runs").to_pylist(), key=lambda r: r["started_at"], reverse=True)[:last_runs]
    return Coverage(
        feeds=tuple(_record(FeedState, r) for r in feed_rows),
        months=tuple(grid),
        runs=tuple(_record(Run, r) for r in runs),
    )
