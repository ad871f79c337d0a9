"""One party of politics attacking another over an issue is an attack in words; an attack with a
crowd, an armed party or harm stays an act of violence."""

from __future__ import annotations

import pytest

from extractors.coding_cues import analyse_sentence
from extractors.lexicon import get_lexicon


def _reasons(sentence: str) -> tuple[bool, list[str]]:
    cues = analyse_sentence(sentence, get_lexicon("en"), [])
    return cues.strong, [reason for _, reason in cues.dropped]


@pytest.mark.parametrize("sentence", [
    "Finance minister attacks opposition leader over pension plan",
    "The mayor attacked the governor over transport funding on Tuesday.",
    "Nguyen attacks judge over ruling on election maps",
])
def test_a_speaker_attacking_a_speaker_over_an_issue_is_speech(sentence: str) -> None:
    strong, reasons = _reasons(sentence)
    assert not strong and "sense:political_attack" in reasons


@pytest.mark.parametrize("sentence", [
    "Protesters attack minister over fuel prices",          # a crowd
    "Gunmen attack mayor over contract dispute",            # an armed party
    "Villagers attacked the chief over a land row, beating him",  # harm told
    "The senator attacked the governor with a knife over the budget.",  # a weapon
])
def test_a_crowd_an_armed_party_or_harm_keeps_the_attack_physical(sentence: str) -> None:
    strong, reasons = _reasons(sentence)
    assert strong and "sense:political_attack" not in reasons


def test_an_attack_without_an_issue_is_not_read_as_speech() -> None:
    assert "sense:political_attack" not in _reasons("Minister attacks governor at rally")[1]
