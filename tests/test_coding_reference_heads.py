"""Acts named only to qualify something else: a head noun they modify ("<act> victims"), and the
figures of dead told with an act that is itself only a reference: never a counted incident."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.coding_cues import analyse_sentence
from extractors.incidents import code_incidents
from extractors.lexicon import get_lexicon

PUBLISHED = dt.datetime(2025, 3, 12, 9, tzinfo=dt.UTC)


def _counted(title: str, summary: str) -> list[str]:
    coded = code_incidents(f"{title}\n\n{summary}", article_id="q", published_at=PUBLISHED, title=title)
    return [m.sub_event_type for m in coded if m.role in ("primary", "background")]


@pytest.mark.parametrize("sentence", [
    "Parents of stabbing victims meet the education minister",
    "Bombing suspect's lawyer asks for a delay",
    "Ambush victims describe their recovery",
])
def test_an_act_that_qualifies_a_head_noun_is_a_reference(sentence: str) -> None:
    cues = analyse_sentence(sentence, get_lexicon("en"), [])
    assert cues.events and all(c.ref for c in cues.events)
    assert ("frame:qualifier" in [reason for _, reason in cues.dropped])


@pytest.mark.parametrize("sentence", [
    "Gunmen shot victims at a wedding in the north",
    "A shooting at a bus station wounds six",
])
def test_an_act_that_heads_its_phrase_or_is_a_verb_is_no_qualifier(sentence: str) -> None:
    cues = analyse_sentence(sentence, get_lexicon("en"), [])
    assert "frame:qualifier" not in [reason for _, reason in cues.dropped]
    assert cues.strong


def test_a_feed_item_about_the_families_of_victims_counts_no_incident() -> None:
    assert _counted("Families of shooting victims lobby for stricter rifle rules",
                    "Relatives spent the day with lawmakers in the state capital.") == []


def test_dead_told_with_a_referenced_act_are_its_toll_not_a_new_act() -> None:
    assert _counted("Police chief quits over the raid on the market",
                    "The chief stepped down after criticism of the police raid that left three people dead.") == []


def test_a_referenced_act_with_a_day_of_its_own_is_still_told() -> None:
    # the sentence dates the deaths to a day: an anchor of a report, whatever frames the act
    assert _counted("Police chief quits over the raid on the market",
                    "The chief stepped down after the police raid on 9 March 2025 left three people dead.") != []
