"""Actors as named parties, ACLED interaction codes and civilian targeting (extractors/actors.py).

Sentences are written for these tests; none is copied from an evaluation set.
"""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.actors import Actors, code_actors, party, read_actors
from extractors.incidents import code_incidents


def actors_of(text: str, cue: str) -> Actors:
    start = text.index(cue)
    return read_actors(text, start, start + len(cue))


@pytest.mark.parametrize("phrase, expected", [
    # named parties, kept
    ("unidentified gunmen", "unidentified gunmen"),
    ("police", "police"),
    ("protesters", "protesters"),
    ("Boko Haram", "Boko Haram"),
    ("separatist forces", "separatist forces"),
    ("Ethiopian warplanes", "Ethiopian warplanes"),
    ("members of a local vigilante committee", "members of a local vigilante committee"),
    ("cocoa growers", "cocoa growers"),
    ("a crowd of striking dockers", "crowd of striking dockers"),
    ("relatives of a deceased miner", "relatives of a deceased miner"),
    # cut before the verb that follows the party
    ("rebels torched a", "rebels"),
    ("army units stationed", "army units"),
    ("troops threw", "troops"),
    ("around 30 villagers", "villagers"),
    ("20-30 traders", "traders"),
    ("Bandits torch", "Bandits"),
    ("Militia seizes", "Militia"),
    ("About 40", None),
    ("Searching", None),
    # fragments: no party at all
    ("and a policeman", None),
    ("or two guards", None),
    ("a delivery truck ran into a", None),
    ("Saturday", None),
    ("Tuesday night", None),
    ("stationed", None),
    ("riding a motorbike", None),
    ("heavy rainfall", None),
    ("indiscriminate shells", None),
    ("casualties", None),
    ("their armoured vehicle", None),
    ("He suffered", None),
    ("a drone", None),
    ("the", None),
])
def test_an_actor_is_a_named_party_or_nothing(phrase, expected):
    assert party(phrase) == expected


@pytest.mark.parametrize("text, cue, actor1, assoc", [
    ("Soldiers, backed by vigilantes, raided a rebel camp near the river.", "raided", "Soldiers", "vigilantes"),
    ("Police and soldiers dispersed a crowd at the depot.", "dispersed", "Police", "soldiers"),
    ("Villagers and hunters attacked a herders' camp.", "attacked", "Villagers", "hunters"),
    # an "and" inside one name is no associate
    ("Fighters of the Union and Progress Movement shelled the town.", "shelled", "Union and Progress Movement", None),
    ("A truck drove onto a landmine on the road, and a guard died.", "landmine", None, None),
])
def test_actor1_and_its_associate(text, cue, actor1, assoc):
    found = actors_of(text, cue)
    assert (found.actor1, found.assoc_actor1) == (actor1, assoc)


@pytest.mark.parametrize("actor1, target, event_type, inter1, inter2, civilian", [
    ("security forces", "rebel positions", "Battles", 1, 2, False),
    ("rebels", "an army patrol", "Battles", 2, 1, False),
    ("gunmen", "a trader", "Violence against civilians", 3, 7, True),
    ("Fulani herdsmen", "farmers", "Violence against civilians", 4, 7, True),
    ("residents", None, "Protests", 6, None, None),
    ("a mob", "a suspected thief", "Riots", 5, 7, True),
    ("students", "police", "Riots", 5, 1, False),
    ("UN peacekeepers", "militia fighters", "Battles", 8, 3, False),
    ("militants", "a crowded market", "Explosions/Remote violence", 3, 7, True),
    ("militants", "a police checkpoint", "Explosions/Remote violence", 3, 1, False),
    (None, None, "Explosions/Remote violence", None, None, None),
    ("OSCE monitors", None, "Explosions/Remote violence", None, None, None),
])
def test_interaction_codes_and_civilian_targeting(actor1, target, event_type, inter1, inter2, civilian):
    actors = Actors(party(actor1), party(target), None, target)
    codes = code_actors(actors, event_type)
    assert (codes.inter1, codes.inter2, codes.civilian_targeting) == (inter1, inter2, civilian)


def test_the_codes_travel_on_the_mention():
    text = "On 3 March 2022, unidentified gunmen shot dead a shopkeeper in his store in Kano, Nigeria."
    (mention,) = code_incidents(text, article_id="doc-1",
                                published_at=dt.datetime(2022, 3, 5, 12, tzinfo=dt.UTC))
    assert mention.sub_event_type == "Attack"
    assert (mention.actor1, mention.inter1, mention.inter2, mention.civilian_targeting) == ("gunmen", 3, 7, True)


def test_a_weekday_subject_is_no_actor():
    text = "On 3 March 2022, on Sunday a roadside bomb exploded near a convoy in Kano, Nigeria."
    mentions = code_incidents(text, article_id="doc-1",
                              published_at=dt.datetime(2022, 3, 5, 12, tzinfo=dt.UTC))
    assert mentions and all(m.actor1 is None for m in mentions)


@pytest.mark.parametrize("text, actor1", [
    ("05/03/2021: Assailants fired rockets at a base near Gao, Mali. The Islamic State claimed responsibility.",
     "Islamic State"),
    ("05/03/2021: Assailants fired rockets at a base near Gao, Mali. Local sources attributed the attack to JNIM.",
     "JNIM"),
    ("05/03/2021: A bomb exploded near a base in Gao, Mali. The Liberation Front of Azawad was suspected.",
     "Liberation Front of Azawad"),
    # a denial names no party
    ("05/03/2021: Assailants fired rockets at a base near Gao, Mali. No group claimed responsibility.", "Assailants"),
])
def test_a_claim_told_after_the_act_names_its_perpetrator(text, actor1):
    (mention,) = code_incidents(text, article_id="doc-1",
                                published_at=dt.datetime(2021, 3, 7, 12, tzinfo=dt.UTC))
    assert mention.actor1 == actor1
