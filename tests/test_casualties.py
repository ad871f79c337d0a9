"""Deaths and injuries as a sentence states them (extractors/casualties.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from extractors.casualties import Toll, combine_tolls, parse_number, read_toll


@pytest.mark.parametrize("phrase, value", [
    ("12", 12), ("1,200", 1200), ("three", 3), ("twenty-one", 21), ("a dozen", 12),
    ("dozens", 12), ("hundreds", 100), ("two dozen", 24), ("at least 11", 11), ("more than 150", 150),
    ("several", None), ("scores", None), ("nearly 200", None), ("an unknown number", None),
])
def test_parse_number(phrase, value):
    assert parse_number(phrase) == value


@pytest.mark.parametrize("sentence, deaths, injuries", [
    ("Two policemen were killed and three were wounded in the ambush.", 2, 3),
    ("A roadside bomb killed four soldiers and wounded six others.", 4, 6),
    ("At least 12 fighters were killed by the strikes.", 12, None),
    ("The grenade attack left 16 dead.", 16, None),
    ("Nine villagers were killed and a number of others hurt.", 9, None),
    ("A man was shot dead outside his home.", 1, None),
    ("Four militants and one soldier were killed.", 5, None),
    ("Dozens of villagers were killed in the raid.", 12, None),
    ("The strike killed a commander of the group.", 1, None),
    ("A drone hit a car, resulting in the death of 3 fighters.", 3, None),
    ("The shelling caused the deaths of two children.", 2, None),
])
def test_figures_read_from_words_and_digits(sentence, deaths, injuries):
    toll = read_toll(sentence)
    assert (toll.fatalities, toll.injuries) == (deaths, injuries)


@pytest.mark.parametrize("sentence, deaths, injuries", [
    ("There were no casualties, police said.", 0, 0),
    ("The rockets caused no injuries or damage.", 0, 0),
    ("No one was hurt in the blast.", 0, 0),
    ("The officers escaped unhurt.", 0, 0),
    ("Officials gave no immediate reports of casualties.", 0, None),
])
def test_saying_none_gives_zero(sentence, deaths, injuries):
    toll = read_toll(sentence)
    assert (toll.fatalities, toll.injuries) == (deaths, injuries)


def test_not_saying_gives_none():
    toll = read_toll("Militants attacked a police post near the border.")
    assert (toll.fatalities, toll.injuries) == (None, None)


def test_killed_and_wounded_together_give_no_split():
    toll = read_toll("An unknown number of policemen were killed and wounded.")
    assert toll.fatalities is None


def test_an_explicit_tally_overrides_verbs():
    assert read_toll("Fatalities coded as 0 (a local outlet reported 2).").fatalities == 0
    assert read_toll("3 fatalities.").fatalities == 3


def test_a_suicide_bomber_who_died_is_counted():
    assert read_toll("A bomber blew himself up at the gate, killing six guards.").fatalities == 7
    assert read_toll("Twenty people and the bomber were killed.").fatalities == 21


def test_a_cumulative_toll_is_not_this_incidents_toll():
    assert read_toll("taking the total death toll since October to 78").fatalities is None


def test_years_are_not_casualty_figures():
    assert read_toll("the insurgency that began in 2009 has killed thousands").fatalities is None


def test_combining_keeps_the_largest_repeat_and_adds_additions():
    headline = Toll(2, None)
    lead = Toll(2, None)
    added = read_toll("Two other policemen were also killed when they arrived.")
    assert added.additive
    assert combine_tolls([headline, lead]).fatalities == 2
    assert combine_tolls([headline, added]).fatalities == 4


def test_a_zero_only_stands_without_a_positive_figure():
    assert combine_tolls([Toll(0, 0), Toll(3, None)]).fatalities == 3
    assert combine_tolls([Toll(None, None), Toll(0, None)]).fatalities == 0


def test_a_perpetrator_claim_gives_way_to_another_source():
    official = read_toll("The blast killed three soldiers, officials said.")
    claim = read_toll("The group claimed responsibility, saying its fighters had killed seven soldiers.")
    assert claim.claimed
    assert combine_tolls([official, claim]).fatalities == 3
    # a toll "claiming the lives of" people is nobody's claim
    assert not read_toll("A car bomb exploded at the market, claiming the lives of six people.").claimed


def test_toll_patterns_are_the_same_text_whatever_the_hash_seed():
    """The number-word alternations are built from sets: their order must not follow the
    string-hash seed, or every process compiles (and caches) a pattern text of its own."""
    script = ("import dataclasses, hashlib; from extractors import casualties; p = casualties._patterns(); "
              "print(hashlib.sha256(repr([getattr(getattr(p, f.name), 'pattern', getattr(p, f.name)) "
              "for f in dataclasses.fields(p)]).encode()).hexdigest())")
    digests = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1, digests


@pytest.mark.parametrize("sentence, deaths, injuries", [
    # an aside between the people and their verb: the figure already counts those it names
    ("At least 41 people, including two of the gunmen, were killed and 60 others were hurt.", 41, 60),
    ("Eleven villagers, most of them women, died in the fire the raiders set.", 11, None),
    ("Seven pilgrims, excluding the bomber, were killed.", 7, None),
    ("Twenty passengers, mainly traders, were wounded.", None, 20),
    # "plus <N>" adds its own figure
    ("At least 9 guards, plus the three attackers, were killed.", 12, None),
    # the note style's zero
    ("There were no reported casualties in the bombing.", 0, 0),
    ("The shells fell on farmland and caused no damage or casualties.", 0, 0),
])
def test_asides_and_reported_zero(sentence, deaths, injuries):
    toll = read_toll(sentence)
    assert (toll.fatalities, toll.injuries) == (deaths, injuries)
