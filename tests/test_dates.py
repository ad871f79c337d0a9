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
    assert one("During the night of 11 to 12 March 2018, a shop was torched").date == dt.date(2018, 3, 12)


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
    hit = one("June 9, 2016Shortly after 7:10 a.m. a car exploded", published=None)
    assert hit.date == dt.date(2016, 6, 9) and hit.kind == "explicit"


# --- every common written form (GUIDE rule 11); sentences written for these tests ---

# Published on a Sunday; "PUB_S" sits where day/month readings of small numbers diverge.
PUB_S = dt.date(2016, 3, 20)


@pytest.mark.parametrize("text, published, expected", [
    # year first is always year-month-day, whatever the separator
    ("2015-11-02: a patrol was ambushed", PUB_S, dt.date(2015, 11, 2)),
    ("Reported 2015/11/02, rebels shelled the town", PUB_S, dt.date(2015, 11, 2)),
    ("Filed 2015.11.02 after the raid", None, dt.date(2015, 11, 2)),
    # one reading only: a number above 12 cannot be a month
    ("03/15/2016: Militants opened fire on a convoy.", PUB_S, dt.date(2016, 3, 15)),
    ("15/03/2016: Militants opened fire on a convoy.", PUB_S, dt.date(2016, 3, 15)),
    ("03-15-2016: A grenade hit a bar.", None, dt.date(2016, 3, 15)),
    ("15.03.2016: A grenade hit a bar.", None, dt.date(2016, 3, 15)),
    ("On 15.3.16, a grenade hit a bar.", PUB_S, dt.date(2016, 3, 15)),
    ("On 3/15/16 gunmen shot a guard.", None, dt.date(2016, 3, 15)),
    # both readings valid: the one on or before publication, closest to it
    ("03/05/2016: Gunmen stormed a police post.", PUB_S, dt.date(2016, 3, 5)),   # not 3 May (after publication)
    ("05/03/2016: Gunmen stormed a police post.", PUB_S, dt.date(2016, 3, 5)),   # not 5 May
    ("02/03/2016: Gunmen stormed a police post.", PUB_S, dt.date(2016, 3, 2)),   # 3 Feb is also before, but further
    ("03/02/2016: Gunmen stormed a police post.", PUB_S, dt.date(2016, 3, 2)),
    ("02/03/2016: Gunmen stormed a police post.", dt.date(2016, 2, 10), dt.date(2016, 2, 3)),
    ("On 4.3.16, a bomb went off.", PUB_S, dt.date(2016, 3, 4)),
    # without a year: "on d/m" takes the latest such day, either order
    ("The convoy was hit on 12/3 near the border.", PUB_S, dt.date(2016, 3, 12)),
    ("The convoy was hit on 3/12 near the border.", PUB_S, dt.date(2016, 3, 12)),
    # two-digit years take the century that keeps them on or before publication
    ("On 12/30/98 a car bomb exploded.", PUB_S, dt.date(1998, 12, 30)),
    ("On 30.12.98 a car bomb exploded.", None, dt.date(1998, 12, 30)),
])
def test_numeric_dates_in_either_order(text, published, expected):
    hit = one(text, published=published)
    assert (hit.date, hit.precision) == (expected, "day")


@pytest.mark.parametrize("text, expected", [
    # the document settles the order: another of its numeric dates has a number above 12
    ("03/05/2016: Rebels raided a village. A second raid followed on 03/18/2016.", dt.date(2016, 3, 5)),
    ("05/03/2016: Rebels raided a village. A second raid followed on 18/03/2016.", dt.date(2016, 3, 5)),
    # only month-name dates hint at it: month first ("March 5"), day first ("5 March")
    ("03/05/2016: Rebels raided a village on March 5.", dt.date(2016, 3, 5)),
    ("05/03/2016: Rebels raided a village on 5 March.", dt.date(2016, 3, 5)),
    # no hint and no publication date: dotted dates are day-first, slashed or dashed month-first
    # (CLDR's default English short date)
    ("05/03/2016: Rebels raided a village.", dt.date(2016, 5, 3)),
    ("05-03-2016: Rebels raided a village.", dt.date(2016, 5, 3)),
    ("03.05.2016: Rebels raided a village.", dt.date(2016, 5, 3)),
])
def test_without_publication_the_document_decides_the_order(text, expected):
    assert find_dates(text, published=None)[0].date == expected


def test_the_documents_own_order_beats_closeness_to_publication():
    # read alone, 03/05 closest before a 4 May publication is 3 May; the text writes month first
    text = "03/05/2016: Rebels raided a village. A second raid followed on 03/18/2016."
    assert find_dates(text, published=dt.date(2016, 5, 4))[0].date == dt.date(2016, 3, 5)
    assert find_dates("03/05/2016: Rebels raided a village.", published=dt.date(2016, 5, 4))[0].date \
        == dt.date(2016, 5, 3)


def test_a_numeric_date_opening_a_note_is_the_reference_without_publication():
    from extractors.dates import reference_date
    assert reference_date("03/15/2016: Militants opened fire on a convoy.") == dt.date(2016, 3, 15)
    assert reference_date("03/05/2016: Raid. Another on 03/18/2016.") == dt.date(2016, 3, 18)


@pytest.mark.parametrize("text, expected", [
    ("a mine exploded on Feb. 24 near the camp", dt.date(2022, 2, 24)),
    ("fighting resumed on Sept. 3, officials said", dt.date(2021, 9, 3)),
    ("on the 24th of February, soldiers fired", dt.date(2022, 2, 24)),
    ("the 2nd of March 2019 ambush", dt.date(2019, 3, 2)),
    ("March 15: gunmen killed a trader", dt.date(2022, 3, 15)),  # a heading date before a colon
    ("the camp was shelled on the 3rd, killing two", dt.date(2022, 3, 3)),
    ("the camp was shelled on the 17th of this month", dt.date(2022, 3, 17)),
    ("the camp was shelled on the 20th", dt.date(2022, 2, 20)),  # the 20th of March is after publication
    ("the camp was shelled on the 28th of last month", dt.date(2022, 2, 28)),
])
def test_month_abbreviations_and_ordinals(text, expected):
    hit = one(text)
    assert (hit.date, hit.precision) == (expected, "day")


@pytest.mark.parametrize("text, expected, precision", [
    ("rebels attacked last night", dt.date(2022, 3, 17), "day"),
    ("rebels attacked two days ago", dt.date(2022, 3, 16), "day"),
    ("rebels attacked earlier this week", dt.date(2022, 3, 16), "week"),
    ("rebels attacked on Sunday", dt.date(2022, 3, 13), "day"),
    ("rebels attacked the night before last", dt.date(2022, 3, 16), "day"),
    ("rebels attacked this past weekend", dt.date(2022, 3, 12), "week"),
    ("rebels attacked a fortnight ago", None, None),
])
def test_relative_phrases_with_acled_precision(text, expected, precision):
    hits = find_dates(text, published=PUB)
    if expected is None:
        assert hits == []
    else:
        assert (hits[-1].date, hits[-1].precision) == (expected, precision)


@pytest.mark.parametrize("text", [
    "police work 12/24 hours shifts",
    "the station is staffed 24/7 by guards",
    "the home side won 3-1 on penalties",
    "a 2-1-1 vote in the council",
    "the ratio was 3:2 in favour",
    "rebels hold on 1/3 of the district",
    "the anniversary of 9/11 was marked",
    "he recalled the day on 9/11 when",
    "the server at 10.12.14.3 went down",
    "ballistic code 12/40/2016 was logged",
    "the 3rd Brigade moved north",
    "it was the 5th attack this year",
])
def test_numbers_that_are_not_dates(text):
    assert [h for h in find_dates(text, published=PUB) if h.precision == "day"] == []


def test_against_an_inferred_reference_the_nearest_reading_wins():
    # the reference is the text's own latest date: both readings fall within its long slack
    hit = find_dates("09/11/2015: a checkpoint was hit", published=dt.date(2015, 9, 11), inferred=True)[0]
    assert hit.date == dt.date(2015, 9, 11)


def test_digits_after_the_publication_day_are_no_date_of_the_report():
    assert find_dates("figures revised, file 30/4/19 attached", published=dt.date(2019, 4, 2)) == []
    # one reading after publication, one before: the one before
    assert one("08/04/2019: gunmen shot a trader", published=dt.date(2019, 4, 10)).date == dt.date(2019, 4, 8)


def test_a_numeric_date_the_day_after_publication_is_a_stamp_not_a_date():
    assert find_dates("toll revised (count 14/3/22)", published=dt.date(2022, 3, 13)) == []
    # ... unless it opens the text: a dateline one time zone ahead of the publication time
    assert one("03/14/2022: gunmen raided a farm", published=dt.date(2022, 3, 13)).date == dt.date(2022, 3, 14)


@pytest.mark.parametrize("text", ["03/00/2016: a mine exploded", "00/03/2016: a mine exploded",
                                  "2016-03-00: a mine exploded"])
def test_a_zero_day_is_a_month(text):
    hit = one(text, published=PUB_S)
    assert (hit.date, hit.precision) == (dt.date(2016, 3, 15), "month")


@pytest.mark.parametrize("text, expected, precision", [
    ("Between 03/11/2012 and 03/12/2012: gunmen raided a village", dt.date(2012, 3, 12), "week"),
    ("From 4 May 2019 to 6 May 2019, troops shelled the hills", dt.date(2019, 5, 6), "day"),
    ("2019-05-04 - 2019-05-06: troops shelled the hills", dt.date(2019, 5, 6), "day"),
])
def test_a_range_of_full_dates_is_its_last_day(text, expected, precision):
    hits = find_dates(text, published=dt.date(2019, 6, 1) if "2019" in text else dt.date(2012, 3, 14))
    assert len(hits) == 1 and (hits[0].date, hits[0].precision) == (expected, precision)


def test_two_dates_of_two_acts_are_no_range():
    hits = find_dates("a raid on 4 May 2019 and a bombing on 20 June 2019", published=dt.date(2019, 7, 1))
    assert [h.date for h in hits] == [dt.date(2019, 5, 4), dt.date(2019, 6, 20)]


@pytest.mark.parametrize("text, published, expected", [
    # both readings a year or more before publication (an archive's record): nearness tells nothing,
    # the slash is read month-first
    ("02/03/2016: Gunmen stormed a police post.", dt.date(2017, 6, 1), dt.date(2016, 2, 3)),
    ("07/11/2009: A mortar round hit a depot.", dt.date(2012, 1, 20), dt.date(2009, 7, 11)),
    # dotted dates stay day-first, and the document's own unambiguous date still settles the order
    ("On 4.3.16, a bomb went off.", dt.date(2018, 9, 9), dt.date(2016, 3, 4)),
    ("Filed 25/01/2016. 02/03/2016: Gunmen stormed a police post.", dt.date(2017, 6, 1), dt.date(2016, 3, 2)),
])
def test_numeric_date_long_before_publication_is_read_by_convention(text, published, expected):
    assert find_dates(text, published=published)[-1].date == expected


@pytest.mark.parametrize("text, published, expected", [
    # a full date heading a record, a few days after the publication stamp it came with
    ("03/15/2016: Militants opened fire on a convoy.", dt.date(2016, 3, 11), dt.date(2016, 3, 15)),
    ("2019-08-30, a rocket struck a fuel depot.", dt.date(2019, 8, 1), dt.date(2019, 8, 30)),
    ("On 28.02.2014, a grenade hit a bar.", dt.date(2014, 2, 20), dt.date(2014, 2, 28)),
])
def test_heading_date_after_publication_stamp_is_kept(text, published, expected):
    assert find_dates(text, published=published)[0].date == expected


def test_numeric_date_after_publication_inside_a_text_is_still_a_stamp():
    hits = find_dates("Gunmen attacked a post. Report filed 03/15/2016.", published=dt.date(2016, 3, 11))
    assert all(h.date is None or h.date <= dt.date(2016, 3, 12) for h in hits)
