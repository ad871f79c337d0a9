"""The weapons of an incident: every sentence that tells or describes its act feeds them, and only
weapons used.

A frequency adjective of a thing that is no act ("near the weekly market", "after daily prayers")
makes no tally of the act its clause tells, so the sentence that says how the attackers struck stays
part of the incident; one before an act ("daily shelling") or a word of recurrence ("on a daily basis")
still does. A sentence right after one of the act's that tells no act itself ("The raiders carried
rifles") describes it. What a store held, a bomb disposal team and the shells of a named mortar name no other
weapon. Every text here is written for these tests.
"""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.coding_cues import analyse_sentence
from extractors.coding_weapons import read_weapons
from extractors.incidents import code_incidents
from extractors.lexicon import get_lexicon
from extractors.records import COUNTED_ROLES

PUB = dt.datetime(2023, 6, 12, 9, tzinfo=dt.UTC)


def counted(text: str):
    return [m for m in code_incidents(text, article_id="w", published_at=PUB) if m.role in COUNTED_ROLES]


@pytest.mark.parametrize("text, weapons", [
    ("Armed men killed six traders in a village near Gao in northern Mali on Saturday, officials said. "
     "The assailants surrounded the monthly livestock fair and opened fire, a witness said. "
     "Before leaving they set fire to several shops, the mayor said.", {"small arms", "arson"}),
    ("Militants killed four worshippers at a mosque in Kajuru, Kaduna State, on Friday, police said. "
     "The gunmen waited until the end of weekly prayers and sprayed the crowd with gunfire, a survivor said.",
     {"small arms"}),
])
def test_the_sentence_that_tells_the_firing_feeds_the_weapons(text: str, weapons: set[str]) -> None:
    found = counted(text)
    assert len(found) == 1, found
    assert set(found[0].weapons) == weapons


def test_a_sentence_that_tells_no_act_describes_the_one_before():
    text = ("Bandits killed five farmers in a hamlet near Mopti, Mali, on Sunday, officials said. "
            "The raiders carried rifles and machetes, a survivor said.")
    found = counted(text)
    assert len(found) == 1 and set(found[0].weapons) == {"small arms", "machete"}, found


def test_a_sentence_about_other_acts_lends_no_weapons():
    text = ("Bandits killed five farmers in a hamlet near Mopti, Mali, on Sunday, officials said. "
            "Such raids in the region have often involved drones in the past.")
    found = counted(text)
    assert len(found) == 1 and "drone" not in found[0].weapons, found


@pytest.mark.parametrize("sentence", [
    "Soldiers opened fire near the weekly market, a trader said.",
    "Gunmen shot two guards after daily prayers, police said.",
    "Daily wage labourers were attacked by a mob on Sunday.",
])
def test_a_frequency_of_a_thing_is_no_tally_of_the_act(sentence: str) -> None:
    cues = analyse_sentence(sentence, get_lexicon(), [])
    assert cues.strong and not [reason for _, reason in cues.dropped if reason.startswith("aggregate")], cues


@pytest.mark.parametrize("sentence", [
    "Daily shelling has emptied the border villages.",
    "Raiders attack the farms on a daily basis, residents said.",
    "Drones strike the highway nightly.",
    "Weekly Russian raids pounded the town.",
])
def test_a_frequency_of_the_act_is_still_a_tally(sentence: str) -> None:
    cues = analyse_sentence(sentence, get_lexicon(), [])
    assert not cues.strong and any(reason == "aggregate_period" for _, reason in cues.dropped), cues


@pytest.mark.parametrize("text, expected", [
    # the shells of a named mortar are its rounds, not artillery
    ("Mortar rounds hit a school. Several shells fell near the clinic.", ["mortar"]),
    ("Mortar shells struck the camp.", ["mortar"]),
    ("Howitzers and mortars pounded the ridge.", ["artillery", "mortar"]),
    # a single shell that hit something
    ("A shell crashed into a bakery in the old town.", ["artillery"]),
    # a store's contents are not the weapons of the act
    ("Jets bombed a barn where rebels kept a stockpile of rockets and grenades.", ["aircraft"]),
    ("Police raided a flat used to store weapons and explosives, and shot dead one suspect.", ["small arms"]),
    # a store that is a shop is no store of weapons
    ("Rioters looted stores and torched a police post.", ["arson"]),
    # the bomb of a disposal team is no weapon; the drone laden with explosives is a drone
    ("Gunmen fired on a bus; a bomb disposal squad later checked the road.", []),
    ("Troops downed a bomb-laden drone over the port.", ["drone"]),
    ("An explosives-laden drone hit a fuel tank.", ["drone"]),
])
def test_weapons_used_not_weapons_named(text: str, expected: list[str]) -> None:
    assert read_weapons(text) == expected


def test_a_seized_store_is_the_weapons_of_the_seizure():
    text = "Police seized a cache of hand grenades and rifles from a farmhouse."
    assert read_weapons(text) == []
    assert read_weapons(text, seizure=True) == ["grenade", "small arms"]
