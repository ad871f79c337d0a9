"""Acts counted by a plural noun of occurrence ("sporadic incidents of shelling", "cases of
kidnapping") are a tally (GUIDE rule 2); the same act told once stays a report."""

from __future__ import annotations

import pytest

from extractors.coding_cues import analyse_sentence
from extractors.lexicon import get_lexicon


@pytest.mark.parametrize("sentence", [
    "Monitors noted sporadic incidents of shelling along the line.",
    "The province logged dozens more cases of kidnapping than a year earlier.",
])
def test_a_plural_noun_of_occurrence_makes_a_tally(sentence: str) -> None:
    cues = analyse_sentence(sentence, get_lexicon("en"), [])
    assert not cues.strong
    assert "aggregate_count" in [reason for _, reason in cues.dropped]


def test_one_act_told_is_no_tally() -> None:
    cues = analyse_sentence("Shelling hit the market in the town, wounding five traders.", get_lexicon("en"), [])
    assert cues.strong and "aggregate_count" not in [reason for _, reason in cues.dropped]
