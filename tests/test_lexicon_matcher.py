"""`lexicon.CueMatcher` finds exactly what the one compiled alternation finds, and
`coding_cue_match.CueHeads` never says a text holds no match when it holds one.

The matcher is a shortcut (only the alternatives that can begin with a position's character are
tried there); these tests compare it with `compile_cue`'s pattern on every cue of the shipped
lexicon, over the project's coding fixtures and over random text made of the lexicon's own words.
The heads are a test before matching (can a match begin at one of the text's word starts?): they
are checked on the same texts.
"""

from __future__ import annotations

import functools
import json
import random
import re
from pathlib import Path

import pytest
import yaml

from extractors.coding_cue_match import CueHeads, starts
from extractors.lexicon import LEXICON_DIR, CueMatcher, compile_cue, load_lexicon

FIXTURES = Path(__file__).parent / "fixtures" / "coding"


def _spans(found) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in found]


def _same(patterns: list[str], texts: list[str]) -> None:
    matcher, pattern, heads = CueMatcher(patterns), compile_cue(patterns), CueHeads(patterns)
    for text in texts:
        assert _spans(matcher.finditer(text)) == _spans(pattern.finditer(text)), text
        assert heads.possible(starts(text)) or pattern.search(text) is None, text
        for pos in (0, 1, len(text) // 2):
            old, new = pattern.search(text, pos), matcher.search(text, pos)
            assert (old and old.span()) == (new and new.span()), (text, pos)


@functools.cache
def _fixture_texts() -> list[str]:
    texts = []
    for path in sorted(FIXTURES.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.extend(v for v in json.loads(line).values() if isinstance(v, str) and len(v) > 20)
    assert len(texts) > 50
    return texts


@functools.cache
def _lexicon_patterns() -> dict[str, list[str]]:
    """Every cue's patterns as the YAML files give them, and all event cues as "any_event"."""
    out: dict[str, list[str]] = {}
    for name in ("events.yaml", "context.yaml", "filters.yaml"):
        data = yaml.safe_load((LEXICON_DIR / name).read_text(encoding="utf-8"))
        out.update({cue: [str(p) for p in patterns] for cue, patterns in data.items()})
    out["any_event"] = [str(p) for patterns in yaml.safe_load(
        (LEXICON_DIR / "events.yaml").read_text(encoding="utf-8")).values() for p in patterns]
    return out


def _random_texts(seed: int, n: int) -> list[str]:
    """Texts of words taken from the lexicon's patterns and the fixtures, with random case,
    punctuation, hyphens and a few non-ASCII letters that fold onto ASCII ones."""
    rng = random.Random(seed)
    words = sorted({w for p in _lexicon_patterns()["any_event"] for w in re.findall(r"[A-Za-z]+", p)}
                   | {"the", "a", "in", "on", "two", "killed", "soldiers", "Kabul", "Monday", "gas"})
    glue = [" ", " ", " ", ", ", ". ", "-", "\n", " (", ") ", "'s ", " \u201c", "\u201d ", "\u2014"]
    odd = ["\u212a", "\u017f", "\u0131", "\u0130", "\u00e9", "\u00df"]  # Kelvin sign, long s, dotless i ...
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(5, 60)):
            word = rng.choice(words)
            roll = rng.random()
            word = word.upper() if roll < 0.1 else word.capitalize() if roll < 0.3 else word
            if rng.random() < 0.05:
                k = rng.randrange(len(word))
                word = word[:k] + rng.choice(odd) + word[k + 1:]
            parts += [word, rng.choice(glue)]
        out.append("".join(parts))
    return out


@pytest.mark.parametrize("cue", sorted(_lexicon_patterns()))
def test_every_cue_matches_as_its_pattern(cue: str) -> None:
    _same(_lexicon_patterns()[cue], _fixture_texts() + _random_texts(sum(map(ord, cue)), 60))


def test_the_loaded_lexicon_uses_the_matcher_for_every_event_cue() -> None:
    lex = load_lexicon()
    text = "Gunmen opened fire on a market; a car bomb exploded and an airstrike hit the town."
    assert _spans(lex.any_event.finditer(text)) == _spans(lex.any_event.pattern.finditer(text))
    assert len(_spans(lex.any_event.finditer(text))) >= 3


@pytest.mark.parametrize(("patterns", "text"), [
    # a zero-width lookbehind first: the match begins with what follows it
    (["(?<!gas )bombs?", "gas bomb"], "a gas bomb and a bomb, gas bombs, Bombs"),
    # alternatives tried in order at one position: the first that matches wins, not the longest
    (["car", "car bomb"], "a car bomb"),
    (["car bomb", "car"], "a car bomb, a car"),
    # a case-sensitive part, an optional first word, a class first
    (["(?-i:[A-Z])\\w+ attack", "(?:new )?raids?", "[0-9]+ killed"], "Xattack New raids 12 killed new raid"),
    # characters that fold onto ASCII letters under IGNORECASE
    (["kill(?:ed)?", "strikes?", "injured"], "\u212ailled \u017ftrikes \u0130njured killed"),
    # matches that would overlap: the left one is kept, the next search starts at its end
    (["attack on", "on the town"], "attack on the town"),
    # a word start read as the beginning of another alternative ("a b") must not hide the next one
    (["a big deal", "bigger", "soccer", "a s"], "a bigger match, a soccer field, a scorer"),
    # word starts no bucket holds (a non-ASCII character among the first three, the text's end):
    # only the alternatives that can begin there are tried, whatever they are written with
    (["[\u2019']s attack", "it\u2019s war", "\u00e9lan", "war", "is"],
     "it\u2019s war, its attack, \u2019s attack, \u00c9lan, \u00e9lan\u2019s war \u041f war is"),
    (["is", "isis", "war"], "Isis at the end is"),
])
def test_matcher_keeps_the_alternation_semantics(patterns: list[str], text: str) -> None:
    _same(patterns, [text, text.upper(), f"x{text}y", f"({text})"])


def test_pattern_that_may_start_anywhere_falls_back_to_the_plain_pattern() -> None:
    patterns = ["\\w+ing attack", "(?:big )?"]  # a category first; an alternative that matches nothing
    _same(patterns, ["a bombing attack", "big"])
    assert CueMatcher(patterns)._starts is None


@pytest.mark.parametrize(("patterns", "text", "possible"), [
    (["car bomb", "airstrikes?"], "Protesters marched on Monday.", False),
    (["car bomb", "airstrikes?"], "An AIRSTRIKE hit the town.", True),
    (["car bomb", "airstrikes?"], "the scar bombed", False),  # "car" inside a word begins nothing
    # a beginning one character short: at the text's end, or before a non-ASCII character
    (["is", "war"], "this", False),
    (["is", "war"], "it is", True),
    (["is", "war"], "\u201cis\u201d", True),
    # a non-ASCII character folding onto an ASCII one ("\u212a", the Kelvin sign)
    (["killed"], "\u212ailled", True),
    # beginnings that cannot be listed (a category first): always possible
    (["\\w+ing attack"], "nothing here", True),
])
def test_heads_tell_whether_a_match_can_begin(patterns: list[str], text: str, possible: bool) -> None:
    assert CueHeads(patterns).possible(starts(text)) is possible
    assert (compile_cue(patterns).search(text) is not None) <= possible
