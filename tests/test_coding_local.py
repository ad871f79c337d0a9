"""A long sentence's cues are asked about the rest of the sentence locally (issue 14): the local
reading (`found_blanked`) gives what searching the whole sentence with the cue blanked gives.
No timings here: speed is `bench/bench_long_docs.py`'s.
"""

from __future__ import annotations

import random
import re

import pytest

from extractors import coding_local
from extractors.coding_local import _reach, blanked, found_blanked
from extractors.coding_sense_ctx import _classes

# shapes a lexicon uses: word boundaries, lookarounds both ways, runs of word characters,
# bounded gaps of words, an end anchor, and one pattern with no bound (read whole)
_SHAPES = [
    r"(?<![\w])(?:kill(?:ed|s)?|bruis\w+|shot dead)(?![\w])",
    r"(?i)\bfir(?:ed|ing) (?:\w+ ){0,3}on\b",
    r"(?<=, )[a-z]+(?=,? (?:and|or)\b)",
    r"\d{1,3}-\d{1,3}(?![\d/-])",
    r"dead\s*$",
    r"x\S*y",
    r"(?:a|b )+c",
]
_WORDS = ["killed", "kill", "shot", "dead", "bruised", "fired", "firing", "on", "and", "or", "a", "b", "c", "x",
          "xy", "x-y", "3-1", "12-4/", ",", "  ", "the", "police", "gunmen", "match", "soldiers", "posts", "\n",
          "zzzzzzzzzzzzzzzzzzzz"]


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(_WORDS) + rng.choice([" ", " ", "", ", "]) for _ in range(rng.randint(0, 60)))


@pytest.mark.parametrize("short", [0, coding_local._SHORT])
def test_the_local_reading_finds_what_the_whole_blanked_sentence_gives(monkeypatch, short):
    monkeypatch.setattr(coding_local, "_SHORT", short)  # 0: every text takes the local reading
    patterns = [re.compile(p) for p in _SHAPES] + list(_classes().values())
    rng = random.Random(11)
    differ = 0
    for _ in range(120):
        text = _text(rng)
        spans = [(s, s + rng.randint(0, 12)) for s in (rng.randint(0, len(text)) for _ in range(6))]
        for start, end in spans:
            end = min(end, len(text))
            for pattern in patterns:
                expected = pattern.search(blanked(text, start, end)) is not None
                differ += expected != (pattern.search(text) is not None)
                assert found_blanked(pattern, text, start, end) == expected, (pattern.pattern, text, start, end)
    assert differ > 50  # blanking changed the answer often: the comparison has something to find


def test_a_pattern_with_no_bound_on_what_it_reads_is_read_whole():
    assert _reach(re.compile(r"(?:a|b )+c")) is None  # a repeat of words, spaces included
    assert _reach(re.compile(r"a.*b")) is None
    assert _reach(re.compile(r"(a)\1")) is None
    (width, per_run), left = _reach(re.compile(r"(?<!\w)ab\w+(?=cd)"))  # type: ignore[misc]
    assert (width, per_run, left) == (2 + 2 + 2, 1, 2)  # "ab", the lookahead, the margin; one run for the word characters
