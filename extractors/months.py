"""Months and times, the one place they are formatted and counted.

In: dates, datetimes, article records or rows, "YYYY-MM" strings. Out: "YYYY-MM" strings (the
partition names of every table), month ranges and shifts, the current UTC time. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from extractors.records import Article


def month_of(value: dt.date | dt.datetime) -> str:
    """ "YYYY-MM" of a date, or of a datetime in UTC (a naive datetime is taken as UTC)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return f"{value.year:04d}-{value.month:02d}"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def event_month(day: dt.date | None) -> str:
    return "unknown" if day is None else f"{day.year:04d}-{day.month:02d}"


def shift_month(month: str, delta: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + mon - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def parse_month(value: str) -> str:
    """`value` if it is a month "YYYY-MM" (1990-2100), else ValueError saying so."""
    ok = len(value) == 7 and value[4] == "-" and (value[:4] + value[5:]).isdigit()
    if not ok or not 1 <= int(value[5:]) <= 12 or not 1990 <= int(value[:4]) <= 2100:
        raise ValueError(f"month {value!r} is not YYYY-MM (e.g. 2024-03)")
    return value


def month_range(start: str, end: str) -> list[str]:
    """Every month from `start` to `end` inclusive; ValueError for a malformed or reversed range."""
    parse_month(start)
    parse_month(end)
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    months, month = [], start
    while month <= end:
        months.append(month)
        month = shift_month(month, 1)
    return months


def period_label(start: dt.date, by: str) -> str:
    """How a period is named: 2024-01 (month), 2024-W03 (ISO week), 2024-01-15 (day)."""
    if by == "month":
        return month_of(start)
    if by == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.isoformat()


def period_starts(first: dt.date, last: dt.date, by: str) -> list[dt.date]:
    """The first day of every period from the one holding `first` to the one holding `last`."""
    if by == "month":
        cur, out = first.replace(day=1), []
        while cur <= last:
            out.append(cur)
            cur = (cur.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return out
    step = 7 if by == "week" else 1
    cur = first - dt.timedelta(days=first.weekday()) if by == "week" else first
    return [cur + dt.timedelta(days=step * n) for n in range((last - cur).days // step + 1)]


def publication_month(article: Article | Mapping[str, Any]) -> str:
    """The month an article is about: its publication month (UTC), else its fetch month."""
    get: Callable[[str], Any] = article.get if isinstance(article, Mapping) else partial(getattr, article)
    return month_of(get("published_at") or get("fetched_at"))


def month_index(value: Any) -> int:
    index: int = value.year * 12 + value.month - 1  # `value`: a row-group min or max of a date column
    return index


def month_number(month: str) -> int:
    """Months since year 0 of a "YYYY-MM" string (the number `month_index` gives its dates)."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1
