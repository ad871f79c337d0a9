"""The personal-name guard for places and capitals named as governments (`extractors.place_names`).

Sentences written for these tests; none comes from an evaluation set.
"""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.incidents import code_incidents
from extractors.place_names import governs
from extractors.places import get_gazetteer

PUBLISHED = dt.datetime(2025, 3, 12, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def gaz():
    return get_gazetteer()


# a place name standing where a person's name stands: after a title, or after a given name
@pytest.mark.parametrize("text, iso3", [
    ("Former Treasury Secretary Michael Brandt spoke at a hearing on Monday.", "IMN"),  # first name, island
    ("Senator Carolina Ruiz said the vote would be close.", "MEX"),  # surname, town
    ("Judge Ana Durango dismissed the case on Friday.", "MEX"),  # surname, state
    ("Actress Maria Chapra won the award on Sunday.", "IND"),  # surname, town
])
def test_a_persons_name_is_no_place(gaz, text, iso3):
    assert iso3 not in gaz.countries(text)
    assert gaz.find(text) == [] or all(h.candidates[0].iso3 != iso3 for h in gaz.find(text))


# near misses: the same names as places
@pytest.mark.parametrize("text, iso3", [
    ("Militants attacked a checkpoint near Chapra on Monday.", "IND"),
    ("Gunmen killed two people in Durango on Sunday.", "MEX"),
    ("Troops Enter Kabul As Rebels Flee", "AFG"),  # a headline in title case: "Enter" is no given name
    ("Kabul police said two men were arrested.", "AFG"),
    ("The bishop of Nairobi condemned the attack.", "KEN"),
])
def test_a_place_stays_a_place(gaz, text, iso3):
    assert iso3 in gaz.countries(text)


@pytest.mark.parametrize("text, city, expected", [
    ("Moscow's decision to expel the envoys", "Moscow", True),
    ("Officials criticised Tehran\u2019s attempt to revive the talks", "Tehran", True),
    ("Beijing's response came a day later", "Beijing", True),
    ("Moscow's suburbs were hit", "Moscow", False),
    ("Moscow residents said", "Moscow", False),
])
def test_a_capital_with_a_possessive_of_will_is_its_government(text, city, expected):
    assert governs(text, text.index(city) + len(city)) is expected


def test_the_scene_is_not_the_capital_that_responds():
    text = "A drone strike hit a depot near Kupiansk on Monday, and Moscow's response was swift."
    mentions = code_incidents(text, article_id="t", published_at=PUBLISHED)
    assert [(m.iso3, m.location) for m in mentions] == [("UKR", "Kupyansk")]


def test_sentence_end_before_a_word_reads_as_the_pattern_did() -> None:
    """`_sentence_ends(text, pos)` is the search of `[.!?:;\\n"“”(\\[•]\\s*$` in text[:pos]."""
    import random
    import re

    from extractors.place_names import _sentence_ends

    pattern = re.compile(r"[.!?:;\n\"“”(\[•]\s*$")
    rng = random.Random(7)
    alphabet = ["a", "B", " ", "\t", "\n", "\u00a0", ".", "!", "?", ":", ";", "\"", "“", "”", "(", "[", "•", ",", "-"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        for pos in range(len(text) + 1):
            assert _sentence_ends(text, pos) == bool(pattern.search(text[:pos])), (text, pos)
