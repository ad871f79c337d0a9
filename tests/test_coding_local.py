"""A long sentence's cues are asked about the rest of the sentence locally (issue 14): the local
reading (`found_blanked`) gives what searching the whole sentence with the cue blanked gives, and
the blockers found near a cue by bisection are those a scan of all of them finds, and the frames
read after an act in place match what they matched on a copy of the rest of the sentence; a
sentence's weapons are those the pairwise reading of their matches takes.
No timings here: speed is `bench/bench_long_docs.py`'s.
"""

from __future__ import annotations

import random
import re

import pytest

from extractors import coding_local
from extractors.coding_cue_data import Cue
from extractors.coding_cue_reasons import _between, _containing, _overlapping
from extractors.coding_frames import _ANIMAL_OBJECT, _BY_ANIMAL, _FALSE_AFTER, _IN_YEAR_LABEL, _JUDGEMENT
from extractors.coding_local import _reach, blanked, found_blanked
from extractors.coding_sense_ctx import _classes
from extractors.coding_weapons import weapon_spans
from extractors.lexicon import get_lexicon

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
    assert (width, per_run, left) == (2 + 2 + 2, 1, 2)  # "ab", lookahead, margin; a run


def test_blockers_near_a_cue_found_by_bisection_are_those_a_scan_of_all_finds():
    rng = random.Random(4)
    for _ in range(300):
        text = "".join(rng.choice(["ab", "a", "b", " ", "abab", "x"]) for _ in range(rng.randint(0, 40)))
        spans = [Cue("b", m.start(), m.end(), m.group()) for m in re.finditer(r"a+b*|(?<=x)", text)]
        blockers = {"b": spans}
        for _ in range(8):
            start = rng.randint(0, len(text))
            cue = Cue("c", start, start + rng.randint(1, 6), "")
            low, high = sorted((rng.randint(-2, len(text) + 2), rng.randint(-2, len(text) + 2)))
            assert _overlapping(blockers, "b", cue) == [s for s in spans if s.start < cue.end and cue.start < s.end]
            assert _containing(blockers, "b", cue) == [s for s in spans if s.start <= cue.start and cue.end <= s.end]
            for key in ("start", "end"):
                assert _between(blockers, "b", key, low, high) == [s for s in spans if low <= getattr(s, key) < high]


def test_the_frames_read_after_an_act_in_place_match_what_they_matched_on_the_rest_copied():
    # the definitions: each pattern anchored on a copy of the text after the act
    tail = _FALSE_AFTER.pattern.split(r"\b)", 1)[1]
    copied = {_FALSE_AFTER: re.compile(r"(?i)^[^.;:!?]{0,40}?\b" + tail)}
    copied |= {p: re.compile("(?i)^" + p.pattern.removeprefix("(?i)")) for p in (_JUDGEMENT, _IN_YEAR_LABEL,
                                                                                  _BY_ANIMAL, _ANIMAL_OBJECT)}
    words = ["attack", "is false", "was widely illegal", "in a 2019", "by a dog", "the dog", "on the x", "x",
             "claims", ".", "-", "is", "was"]
    rng = random.Random(8)
    found = 0
    for _ in range(1500):
        text = "".join(rng.choice(words) + rng.choice([" ", " ", "", "  "]) for _ in range(rng.randint(1, 8)))
        pos = rng.randint(0, len(text))
        for pattern, definition in copied.items():
            expected = definition.match(text[pos:]) is not None
            found += expected
            assert (pattern.match(text, pos) is not None) == expected, (pattern.pattern, text, pos)
    assert found > 100  # the texts hold the frames: the comparison has something to find


def _weapons_pairwise(text: str) -> list[str]:
    """The definition: a weapon's match is taken unless it overlaps one taken before it."""
    found, taken = [], []
    for pattern, weapon in get_lexicon().weapons:
        for m in pattern.finditer(text):
            if not any(m.start() < b and a < m.end() for a, b in taken):
                taken.append(m.span())
                found.append((m.start(), weapon))
    return list(dict.fromkeys(weapon for _, weapon in sorted(found)))


def test_weapons_taken_by_bisection_are_those_the_pairwise_reading_takes():
    words = ["a", "car", "bomb", "suicide", "car bomb", "rocket", "rockets", "drone", "strike", "gunmen", "knife",
             "mortar", "shells", "IED", "roadside", "grenade", "and", ","]
    rng = random.Random(9)
    seen = set()
    for _ in range(300):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))
        expected = _weapons_pairwise(text)
        seen.update(expected)
        assert list(dict.fromkeys(weapon for _, _, weapon in weapon_spans(text))) == expected, text
    assert len(seen) > 4  # the texts name several weapons: the comparison has something to find
