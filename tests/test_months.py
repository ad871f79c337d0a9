"""extractors.months: the month and period helpers every table and command shares."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.months import event_month, month_range, period_label, period_starts, shift_month


def test_shift_month_crosses_years_both_ways():
    assert shift_month("2024-12", 1) == "2025-01"
    assert shift_month("2024-01", -1) == "2023-12"
    assert shift_month("2024-03", -14) == "2023-01"


def test_month_range_is_inclusive_and_refuses_reversed_or_malformed_ranges():
    assert month_range("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    with pytest.raises(ValueError, match="before start"):
        month_range("2024-02", "2023-11")
    with pytest.raises(ValueError, match="YYYY-MM"):
        month_range("2024-13", "2024-12")


def test_event_month_of_an_undated_mention_is_unknown():
    assert event_month(None) == "unknown"
    assert event_month(dt.date(2024, 2, 29)) == "2024-02"


def test_iso_week_label_belongs_to_the_year_that_owns_the_week():
    # 30 December 2024 is a Monday in ISO week 1 of 2025; 1 January 2021 is in 2020's week 53.
    assert period_label(dt.date(2024, 12, 30), "week") == "2025-W01"
    assert period_label(dt.date(2021, 1, 1), "week") == "2020-W53"
    assert period_label(dt.date(2024, 1, 15), "month") == "2024-01"
    assert period_label(dt.date(2024, 1, 15), "day") == "2024-01-15"


def test_period_starts_cover_first_to_last_whatever_the_period():
    months = period_starts(dt.date(2023, 11, 20), dt.date(2024, 2, 3), "month")
    assert months == [dt.date(2023, 11, 1), dt.date(2023, 12, 1), dt.date(2024, 1, 1), dt.date(2024, 2, 1)]
    weeks = period_starts(dt.date(2024, 1, 3), dt.date(2024, 1, 15), "week")
    assert weeks == [dt.date(2024, 1, 1), dt.date(2024, 1, 8), dt.date(2024, 1, 15)]
    assert all(d.weekday() == 0 for d in weeks)
    assert len(period_starts(dt.date(2024, 2, 27), dt.date(2024, 3, 1), "day")) == 4  # a leap day inside
