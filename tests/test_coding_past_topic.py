"""A headline that names its act only as a past one (a memorial, an anniversary, "years since"):
the act its summary tells without a date is that past act, its topic, not the previous day's news."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.incidents import code_incidents
from extractors.records import COUNTED_ROLES

PUBLISHED = dt.datetime(2025, 4, 2, 9, tzinfo=dt.UTC)
SUMMARY = "Relatives read out the names of the 40 people who died when a bomb exploded at the gates of the stadium."


def _counted(title: str, summary: str = SUMMARY) -> list[str]:
    coded = code_incidents(f"{title}\n\n{summary}", article_id="p", published_at=PUBLISHED, title=title)
    return [m.sub_event_type for m in coded if m.role in COUNTED_ROLES]


@pytest.mark.parametrize("title", [
    "City holds memorial for victims of the stadium bombing",
    "Ten years since the stadium bombing, the city remembers",
])
def test_an_undated_act_under_a_memorial_or_anniversary_headline_is_its_topic(title: str) -> None:
    assert _counted(title) == []


@pytest.mark.parametrize("title", [
    "Bomb explodes at stadium gates, killing 40",
    "Police hunt bombers after stadium blast",  # a pursuit follows a recent act: the act is news
])
def test_the_same_summary_under_a_report_or_a_pursuit_is_counted(title: str) -> None:
    assert _counted(title) == ["Remote explosive/landmine/IED"]


def test_a_memorial_headline_still_lets_a_new_dated_act_count() -> None:
    summary = ("Mourners gathered at the stadium. On 1 April 2025, a grenade thrown at the crowd wounded six "
               "people near the gates, police said.")
    assert _counted("City holds memorial for victims of the stadium bombing", summary) == ["Grenade"]


RETURN = "Pupils went back to lessons at the college where a gunman killed six people."


def test_a_span_of_months_before_after_places_the_act_in_the_past() -> None:
    assert _counted("College reopens months after shooting", RETURN) == []


def test_an_act_days_before_is_still_told() -> None:
    assert _counted("College reopens days after shooting", RETURN) != []
