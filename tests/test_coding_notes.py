"""Incident-database notes ("<numeric date>: <who did what where>. <toll>. <claim>."): devices found,
one more device of an attack, attacks on rituals, and the note's own date against its stamp.

Every note here is written for these tests; none comes from an evaluation set or a database.
"""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.incidents import code_incidents
from extractors.records import COUNTED_ROLES


def counted(text: str, published: dt.datetime | None):
    mentions = code_incidents(text, article_id="note", published_at=published)
    return [m for m in mentions if m.role in COUNTED_ROLES]


def stamp(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=12, tzinfo=dt.UTC)


@pytest.mark.parametrize("text", [
    "04/02/2019: An explosive device was discovered beside a bridge in Kismayo, Lower Juba, Somalia. "
    "Engineers defused it.",
    "04/02/2019: Two landmines were spotted on a farm track near Gao, Mali, and soldiers destroyed them.",
    "04/02/2019: Bombs had been found in a parked van outside a stadium in Lahore, Pakistan.",
])
def test_a_device_told_as_found_is_a_disrupted_attack_not_a_blast(text):
    found = counted(text, stamp("2019-04-03"))
    assert [m.sub_event_type for m in found] == ["Disrupted weapons use"]


def test_a_device_found_and_then_exploding_is_a_blast():
    found = counted("04/02/2019: A bomb that was found under a car in Kirkuk, Iraq, exploded as police "
                    "approached, killing two officers.", stamp("2019-04-03"))
    assert [m.sub_event_type for m in found] == ["Remote explosive/landmine/IED"]


@pytest.mark.parametrize("extra", [
    "A second device did not detonate and was later defused.",
    "Another bomb failed to explode.",
    "Police found and defused a third explosive device at the scene.",
])
def test_one_more_device_of_the_attack_is_the_same_incident(extra):
    text = ("06/21/2014: Two bombs exploded in a bus station in Jos, Plateau state, Nigeria, killing nine "
            f"passengers. {extra}")
    found = counted(text, stamp("2014-06-22"))
    assert [m.sub_event_type for m in found] == ["Remote explosive/landmine/IED"]


def test_a_defused_device_in_another_town_is_its_own_incident():
    text = ("06/21/2014: A bomb exploded in a bus station in Jos, Plateau state, Nigeria, killing nine passengers. "
            "In Bauchi, Bauchi state, police defused another bomb.")
    assert len(counted(text, stamp("2014-06-22"))) == 2


@pytest.mark.parametrize("text", [
    "11/03/2012: A suicide bomber blew himself up among villagers mourning an elder in Kunduz, Afghanistan. "
    "Fourteen people were killed.",
    "11/03/2012: Gunmen opened fire on relatives mourning a slain councillor in Marawi, Philippines, killing three.",
    "11/03/2012: A car bomb exploded outside a hall where a memorial service was being held in Hilla, Iraq.",
])
def test_an_attack_on_a_ritual_is_reported(text):
    found = counted(text, stamp("2012-11-04"))
    assert len(found) == 1 and found[0].event_date == dt.date(2012, 11, 3)


@pytest.mark.parametrize("text", [
    "Hundreds held a candlelit vigil in Kunduz on Sunday for the victims of the suicide bombing.",
    "A memorial was unveiled on Sunday for those killed when a car bomb exploded in Hilla.",
    "The bombing that struck the market was commemorated on Sunday.",
])
def test_a_ritual_that_recalls_an_attack_reports_none(text):
    assert counted(text, stamp("2012-11-05")) == []


@pytest.mark.parametrize("published", [None, "2014-03-20", "2021-07-01"])
def test_a_note_keeps_its_month_first_date_whatever_its_stamp(published):
    text = "05/09/2013: Militants shelled an army outpost in Kunar province, Afghanistan. One soldier was wounded."
    found = counted(text, stamp(published) if published else None)
    assert [m.event_date for m in found] == [dt.date(2013, 5, 9)]


def test_a_note_dated_after_its_stamp_keeps_its_own_date():
    text = "08/27/2015: Gunmen shot dead a judge outside his home in Quetta, Balochistan, Pakistan."
    assert [m.event_date for m in counted(text, stamp("2015-08-20"))] == [dt.date(2015, 8, 27)]


def test_one_more_device_found_at_a_distance_is_its_own_incident():
    text = ("06/21/2014: A bomb exploded in a bus station in Jos, Plateau state, Nigeria, killing nine passengers. "
            "Hours later police defused another bomb two kilometres away.")
    assert sorted(m.sub_event_type for m in counted(text, stamp("2014-06-22"))) == [
        "Disrupted weapons use", "Remote explosive/landmine/IED"]


def test_more_devices_found_in_the_sentence_of_a_blast_leave_it_a_blast():
    text = ("09/14/2017: A roadside bomb struck an army truck near Kidal, Mali, and three more mines were found "
            "and removed by engineers.")
    assert [m.sub_event_type for m in counted(text, stamp("2017-09-15"))] == ["Remote explosive/landmine/IED"]
