"""One cue in its sentence (extractors/coding_sense_ctx.Ctx), as the sense and frame rules read it."""

from __future__ import annotations

import dataclasses
import re

import pytest

from extractors.coding_cue_data import Cue
from extractors.coding_frames import reference_frame, void_frame
from extractors.coding_sense import sense_reason
from extractors.coding_sense_ctx import Ctx
from extractors.coding_text import clause_bounds
from extractors.lexicon import get_lexicon


def _ctx(text: str, word: str, name: str = "attack", named_day: bool = False) -> Ctx:
    start = text.index(word)
    cue = Cue(name, start, start + len(word), word)
    return Ctx.of(text, cue, clause_bounds(text), get_lexicon(), (cue,), named_day)


def test_of_reads_the_cue_its_clause_and_the_sentence_facts() -> None:
    text = "Officials met on Monday, and the bombing in the market raised tensions."
    ctx = _ctx(text, "bombing", named_day=True)
    assert (ctx.name, ctx.word, ctx.text[ctx.start:ctx.end]) == ("attack", "bombing", "bombing")
    assert ctx.before == ", and the "  # the clause opens at the comma
    assert ctx.after == " in the market raised tensions."
    assert ctx.preceding(8) == "and the " and ctx.preceding(500) == text[:ctx.start]
    assert ctx.named_day and [c.text for c in ctx.cues] == ["bombing"]


def test_it_is_immutable() -> None:
    ctx = _ctx("A bombing killed two.", "bombing")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.start = 0  # type: ignore[misc]  # the point of the test


def test_has_reads_the_sentence_without_the_cue_and_follows_reads_from_its_end() -> None:
    ctx = _ctx("The attack near the attack site drew crowds.", "attack")
    assert ctx.has(re.compile(r"attack site"))  # the other words, not the cue's
    assert not ctx.has(re.compile(r"The attack\b"))  # the cue itself is blanked
    assert ctx.follows(re.compile(r"\s+near\b")) and not ctx.follows(re.compile(r"\s+site\b"))
    assert ctx.found_after(re.compile(r"crowds")) and not ctx.found_after(re.compile(r"The"))


def test_the_sense_and_the_frame_rules_read_the_same_ctx() -> None:
    framed = _ctx("The bombing in the capital raises tensions with the neighbours.", "bombing")
    assert reference_frame(framed) == "frame:cause" and void_frame(framed) is None
    assert sense_reason(framed) is None
    game = _ctx("He scored after a quick attack in the second half of the football match.", "attack")
    assert sense_reason(game) is not None  # a word of fighting in a game
    assert reference_frame(game) is None
    denied = _ctx("Reports of an attack on the convoy are false, the ministry said.", "attack")
    assert void_frame(denied) == "frame:false"
