"""A work (a series, a film, a documentary, a book) as the subject of a verb of depicting: the acts
after it are its story, not news; a real act that hits a film set is still an act."""

from __future__ import annotations

import pytest

from extractors.coding_cues import analyse_sentence
from extractors.lexicon import get_lexicon


@pytest.mark.parametrize("sentence", [
    "The new miniseries dramatises the night a car bomb tore through the old market.",
    "Her memoir retells how rebels ambushed the convoy and killed her brother.",
])
def test_acts_a_work_depicts_are_its_story(sentence: str) -> None:
    cues = analyse_sentence(sentence, get_lexicon("en"), [])
    assert not cues.strong
    assert "sense:fiction" in [reason for _, reason in cues.dropped]


def test_an_act_on_a_film_set_is_still_an_act() -> None:
    cues = analyse_sentence("A rocket struck a film set near the port on Friday, wounding three actors.",
                            get_lexicon("en"), [])
    assert cues.strong
    assert "sense:fiction" not in [reason for _, reason in cues.dropped]
