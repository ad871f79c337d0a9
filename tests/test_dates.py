"""Date expressions resolved against the publication date (extractors/dates.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.dates import find_dates

# A Friday.
PUB = dt.date(2022, 3, 18)


def one(text: str, published: dt.date | None = PUB, anchor: dt.date | None = None):
    hits = find_dates(text, published=published, anchor=anchor)
    assert hits, f"no date found in {text!r}"
    return hits[-1]


@pytest.mark.parametrize("text, expected", [
    ("On 6 May 2020, gunmen attacked", dt.date(2020, 5, 6)),
    ("On May 6, 2020, gunmen attacked", dt.date(2020, 5, 6)),
    ("On Jun 14th 2019, in Quri", dt.date(2019, 6, 14)),
    ("the report dated 2021-11-30", dt.date(2021, 11, 30)),
    ("clashed on 17/04/2017 in the town", dt.date(2017, 4, 17)),
])
def test_explicit_dates_are_read_as_written(text, expected):
    hit = one(text)
    assert (hit.date, hit.precision, hit.kind) == (expected, "day", "explicit")


def test_a_day_without_a_year_takes_the_latest_such_day_before_publication():
    assert one("On 16 March two drones were fired").date == dt.date(2022, 3, 16)
    # 20 March is after publication: it must be last year's
    assert one("On 20 March a bomb exploded").date == dt.date(2021, 3, 20)


def test_a_day_without_a_year_stays_unresolved_without_publication_date():
    hit = one("On 16 March two drones were fired", published=None)
    assert hit.date is None and hit.kind == "partial"


@pytest.mark.parametrize("text, expected", [
    ("rockets were fired on Thursday", dt.date(2022, 3, 17)),
    ("the blast on Friday", dt.date(2022, 3, 18)),  # the publication day itself
    ("a raid on Saturday night", dt.date(2022, 3, 12)),
    ("gunmen attacked last Friday", dt.date(2022, 3, 11)),
])
def test_weekdays_name_the_latest_such_day(text, expected):
    assert one(text).date == expected


@pytest.mark.parametrize("text, expected, precision", [
    ("struck overnight", dt.date(2022, 3, 17), "day"),
    ("killed yesterday", dt.date(2022, 3, 17), "day"),
    ("clashes today", dt.date(2022, 3, 18), "day"),
    ("abducted last week", dt.date(2022, 3, 11), "week"),
    ("shelled earlier this month", dt.date(2022, 3, 15), "month"),
    ("bombed last month", dt.date(2022, 2, 15), "month"),
    ("three days ago", dt.date(2022, 3, 15), "day"),
])
def test_relative_expressions(text, expected, precision):
    hit = one(text)
    assert (hit.date, hit.precision) == (expected, precision)


def test_a_month_name_is_month_precision_in_the_latest_such_month():
    hit = one("In January, a drone attack killed three soldiers")
    assert (hit.date, hit.precision) == (dt.date(2022, 1, 15), "month")
    assert one("In October, militants attacked").date == dt.date(2021, 10, 15)


def test_may_the_verb_is_not_a_month():
    assert find_dates("the militants may attack again", published=PUB) == []


def test_a_range_is_read_as_its_last_day():
    assert one("On the night of 23 to 24 November 2019, a house burned").date == dt.date(2019, 11, 24)


def test_approximate_dates_are_week_precision():
    assert one("Around 6 May 2020 (as reported), militants").precision == "week"
    assert one("As reported on 1 May 2020, an airstrike").precision == "week"


def test_anchored_expressions_count_from_the_anchor():
    assert one("the next day", anchor=dt.date(2022, 3, 2)).date == dt.date(2022, 3, 3)
    assert one("three days later", anchor=dt.date(2022, 3, 2)).date == dt.date(2022, 3, 5)
    assert one("the next day", anchor=None).date is None


def test_relative_dates_stay_unresolved_without_publication_date():
    assert one("rockets were fired on Thursday", published=None).date is None
    assert one("struck overnight", published=None).date is None


def test_a_year_alone_is_year_precision():
    hit = one("the 1994 bombing of the centre")
    assert (hit.date.year, hit.precision) == (1994, "year")


def test_without_publication_the_latest_full_date_of_the_text_is_the_reference():
    from extractors.dates import reference_date
    text = ("KABUL, 14 June 2021 - A bomb went off on Saturday. The attack came after the 2 May 2021 ambush "
            "and was the worst since 9 January 2020.")
    assert reference_date(text) == dt.date(2021, 6, 14)
    # a date naming a recalled event or the edge of a span is not when the text was written
    assert reference_date("The worst toll since May 10, 2010. The April 15, 2013, bombing.") is None
    assert reference_date("Rockets fell on Tuesday.") is None


def test_days_resolved_against_an_inferred_reference_are_honestly_imprecise():
    ref = dt.date(2021, 6, 14)  # a Monday
    saturday = one("a bomb went off on Saturday", published=ref, anchor=None)
    assert saturday.date is None or saturday.date == dt.date(2021, 6, 12)
    hit = find_dates("a bomb went off on Saturday", published=ref, inferred=True)[0]
    assert (hit.date, hit.precision) == (dt.date(2021, 6, 12), "week")
    # a day and month take the reference's year and keep day precision, even somewhat after it
    later = find_dates("the 22 July blast", published=ref, inferred=True)[0]
    assert (later.date, later.precision) == (dt.date(2021, 7, 22), "day")


def test_a_year_glued_to_the_next_word_is_still_read():
    hit = one("April 15, 2013At about 2:50 p.m. two bombs exploded", published=None)
    assert hit.date == dt.date(2013, 4, 15) and hit.kind == "explicit"
