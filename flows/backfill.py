"""The backfill flow: re-code month partitions of stored raw pages, without refetching.

In: a month range (`start`, `end` as YYYY-MM, inclusive) and the data root.
Out: the articles and mentions of each fetch month rewritten whole from the raw store with the
current extractors, incidents re-merged for every event month touched, one `partitions` row per month.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task

from flows import steps
from flows.settings import Settings
from warehouse.lock import root_lock


def month_range(start: str, end: str) -> list[str]:
    """Every month from `start` to `end` inclusive; ValueError for a malformed or reversed range."""
    for value in (start, end):
        if len(value) != 7 or value[4] != "-" or not (value[:4] + value[5:]).isdigit() or not 1 <= int(value[5:]) <= 12:
            raise ValueError(f"month {value!r} is not YYYY-MM")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    months, month = [], start
    while month <= end:
        months.append(month)
        month = steps.shift_month(month, 1)
    return months


@task(name="recode-month")
def recode_month_task(data: str, month: str, workers: int) -> dict:
    return steps.recode_month(Settings(data=data).data, month, workers=workers)


@flow(name="backfill")
def backfill(start: str, end: str, data: str | None = None) -> list[dict]:
    """Re-code the raw pages fetched in each month of [start, end]; one task per month partition."""
    settings = Settings(**({"data": data} if data else {}))
    logger = get_run_logger()
    results = []
    with root_lock(settings.data, timeout=settings.lock_timeout):
        for month in month_range(start, end):
            result = recode_month_task(str(settings.data), month, settings.workers)
            logger.info("month %s: %s", month, result)
            results.append(result)
    return results
