"""A numeric date heading a record whose publication stamp is a few days earlier than the record.

A report is never dated after its publication by more than a few days (`dates.EARLY_STAMP`): among
the two readings of an ambiguous day and month, one that lies just after an early stamp is the
record's day when the other lies months before it; when both lie after the stamp the nearer one is
meant; when one lies among the days just past and the other just after the stamp, nearness cannot
tell them apart and the writing convention decides. Every text here is written for these tests.
"""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.dates import find_dates
from extractors.incidents import code_incidents
from extractors.records import COUNTED_ROLES


def heading_day(text: str, published: dt.date) -> dt.date | None:
    hits = find_dates(text, published=published)
    assert hits and hits[0].start == 0, text
    return hits[0].date


@pytest.mark.parametrize("text, published, expected", [
    # one reading three days after the stamp, the other five months before it
    ("09/04/2018: Militants burned a school in a border village.", dt.date(2018, 9, 1), dt.date(2018, 9, 4)),
    ("11/02/2013: A patrol hit a mine on a dirt road.", dt.date(2013, 10, 30), dt.date(2013, 11, 2)),
    # both readings after the stamp: the one four days after it, not the one two months after
    ("06/04/2021: A grenade was thrown into a tea stall.", dt.date(2021, 4, 2), dt.date(2021, 4, 6)),
    ("4/6/2021: A grenade was thrown into a tea stall.", dt.date(2021, 4, 2), dt.date(2021, 4, 6)),
])
def test_a_record_a_few_days_after_its_stamp_takes_the_near_reading(text, published, expected):
    assert heading_day(text, published) == expected


@pytest.mark.parametrize("text, published, expected", [
    # one reading 27 days before the stamp, one 3 days after: the slash is read month-first,
    # the dot day-first
    ("09/08/2017: Gunmen raided a cattle camp.", dt.date(2017, 9, 5), dt.date(2017, 9, 8)),
    ("08.09.2017: Gunmen raided a cattle camp.", dt.date(2017, 9, 5), dt.date(2017, 9, 8)),
    # the text's own unambiguous date settles the order whatever the stamp
    ("09/08/2017: Gunmen raided a cattle camp. A second raid followed on 23/08/2017.", dt.date(2017, 9, 5),
     dt.date(2017, 8, 9)),
])
def test_when_nearness_cannot_tell_the_convention_decides(text, published, expected):
    assert heading_day(text, published) == expected


def test_both_readings_well_after_the_stamp_are_read_by_convention():
    # five and nine weeks after the stamp: no early stamp is that early, the slash is month-first
    assert heading_day("05/06/2016: Rebels shelled a river port.", dt.date(2016, 4, 1)) == dt.date(2016, 5, 6)


def test_a_day_after_publication_inside_the_text_is_still_no_date():
    # only a date heading the record may lie after its stamp; one inside the text is a filing stamp
    hits = find_dates("Rebels shelled a river port. Entry updated 04/06/2016.", published=dt.date(2016, 4, 2))
    assert all(h.date is None or h.date <= dt.date(2016, 4, 3) for h in hits)


def test_a_note_stamped_before_its_day_is_coded_on_that_day():
    text = ("12/03/2019: Gunmen on motorbikes shot dead two herders near Mopti, Mali. "
            "No group claimed the killing.")
    published = dt.datetime(2019, 11, 30, 12, tzinfo=dt.UTC)
    found = [m for m in code_incidents(text, article_id="note", published_at=published) if m.role in COUNTED_ROLES]
    assert [m.event_date for m in found] == [dt.date(2019, 12, 3)]
