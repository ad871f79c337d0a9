"""A capital named as the government that acts or speaks is not the scene of an unplaced incident
(extractors/coding_reads.py `story_place`).

Every sentence here is written for these tests; none comes from an evaluation set.
"""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.incidents import code_incidents
from extractors.records import COUNTED_ROLES

PUB = dt.datetime(2024, 5, 14, 9, 0, tzinfo=dt.UTC)


def the_incident(text: str):
    [m] = [m for m in code_incidents(text, article_id="doc", published_at=PUB) if m.role in COUNTED_ROLES]
    return m


@pytest.mark.parametrize("text, iso3", [
    ("Gunmen killed four soldiers at a checkpoint on Monday. Abuja says it will send more troops. "
     "Officials in Nigeria gave no other details.", "NGA"),
    ("A car bomb exploded near a market on Monday, killing six people. Baghdad blamed a jihadist cell. "
     "Iraq has seen fewer such bombings this year.", "IRQ"),
    ("A suicide bomber killed seven people at a mosque on Friday. Islamabad vowed to hunt down the "
     "plotters in Pakistan.", "PAK"),
])
def test_a_capital_that_only_acts_or_speaks_is_not_the_scene(text: str, iso3: str) -> None:
    m = the_incident(text)
    assert m.iso3 == iso3 and m.location is None and m.admin1 is None, (m.location, m.why)


def test_the_story_s_other_place_is_taken_instead() -> None:
    m = the_incident("A suicide bomber killed seven people at a mosque on Friday. Islamabad vowed to hunt "
                     "down the plotters. The mosque is in Peshawar.")
    assert m.location == "Peshawar"


@pytest.mark.parametrize("text", [
    # the capital is also named as a place: it stays the scene
    "A car bomb exploded near a market on Monday, killing six people. Baghdad blamed a jihadist cell. "
    "Police in Baghdad sealed off the area.",
    # the capital's people, not its government
    "A car bomb exploded near a market on Monday, killing six people. Baghdad residents said the blast "
    "shook the whole district.",
])
def test_a_capital_named_as_a_place_stays_the_scene(text: str) -> None:
    assert the_incident(text).location == "Baghdad"
