"""The coding lexicons: YAML files under `seeds/lexicon/` compiled once into regular expressions.

In: a language code (reads `seeds/lexicon/<lang>/*.yaml` on first use). Out: `get_lexicon(lang)`,
a `Lexicon` whose
`cues` map each cue name (an event kind, a context word class, a filter) to one compiled pattern,
plus the number words and weapon names the casualty and weapon readers need;
`languages()`, the languages that have a lexicon (an article in another language is not coded).
`CueMatcher`: a cue alternation that finds exactly the matches of its one compiled pattern, in a
fraction of the time (see its docstring).

The lexicon is data, not code: a pattern can be read, argued over and changed without touching the
coder. Loading happens once per process (`functools.cache`), so a worker pays it one time.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from re import _constants as C  # type: ignore[attr-defined]  # noqa: N812 - the regex parser's op codes
from re import _parser  # type: ignore[attr-defined]  # the standard regex parser (`_first`)
from typing import Any

import yaml

from extractors import SEEDS_DIR

LEXICON_ROOT = SEEDS_DIR / "lexicon"
DEFAULT_LANGUAGE = "en"
LEXICON_DIR = LEXICON_ROOT / DEFAULT_LANGUAGE
CUE_FILES = ("events.yaml", "context.yaml", "filters.yaml")
EVENT_FILE = "events.yaml"

# A cue matches whole words: not inside a longer word, whatever its first and last characters are.
_LEFT = r"(?<![\w])"
_RIGHT = r"(?![\w])"


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Compiled lexicons.

    `cues`: cue name -> pattern (case-insensitive, whole words; alternatives keep their order).
    `units` / `tens` / `scales`: number words -> values. `vague`: vague quantity -> value or None.
    `keep_qualifiers` / `refuse_qualifiers`: words before a figure that keep it or void it.
    `weapons`: (pattern, canonical weapon name) in precedence order.
    `any_event`: every event cue at once (a `CueMatcher`), to find the sentences with one in a
    single pass over the document.
    """

    cues: Mapping[str, re.Pattern[str]]
    units: Mapping[str, int]
    tens: Mapping[str, int]
    scales: Mapping[str, int]
    vague: Mapping[str, int | None]
    keep_qualifiers: tuple[str, ...]
    refuse_qualifiers: tuple[str, ...]
    weapons: tuple[tuple[re.Pattern[str], str], ...]
    any_event: CueMatcher


def compile_cue(patterns: list[str]) -> re.Pattern[str]:
    """One alternation of `patterns`, each anchored on word boundaries, case-insensitive."""
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(f"{_LEFT}(?:{body}){_RIGHT}", re.IGNORECASE)


class CueMatcher:
    """`compile_cue(patterns)`'s matches (`finditer`, `search`, `match`: the same `re.Match`
    spans and texts; group numbers inside differ), found without trying every alternative at
    every character.

    A long alternation run by `re` tries each of its hundreds of alternatives at each position
    of the text: case-insensitive, it cannot skip any by its first letter. Here the positions
    where some alternative may start (a word start whose character is one an alternative can
    begin with) are found by one small pattern, and at each only the alternatives that can
    begin with that character are tried, in their order: the alternation picks the first that
    matches, and the others cannot match there, so the result is the same. A non-ASCII
    character tries them all. (An Aho-Corasick automaton would need literal words; the cues
    are patterns, so the first characters are read from their parse.)
    """

    def __init__(self, patterns: list[str]) -> None:
        self.pattern = compile_cue(patterns)
        firsts = [_first(_parser.parse(p, re.IGNORECASE).data) for p in patterns]
        if any(f is None or nullable for f, nullable in firsts) or any(
                _has_backreference(_parser.parse(p).data) for p in patterns):
            self._starts = None  # an alternative may start anywhere or refers to a group: no shortcut
            return
        chars = sorted(set().union(*(f for f, _ in firsts if f is not None)))
        self._starts = re.compile(f"{_LEFT}[{''.join(re.escape(chr(c)) for c in chars)}]", re.IGNORECASE)
        by_alternatives: dict[tuple[int, ...], re.Pattern[str]] = {}
        self._buckets: dict[str, re.Pattern[str]] = {}
        for code in range(128):
            char = chr(code)
            chosen = tuple(k for k, (f, _) in enumerate(firsts) if f and _class(f).match(char))
            if chosen:
                if chosen not in by_alternatives:
                    by_alternatives[chosen] = compile_cue([patterns[k] for k in chosen])
                self._buckets[char] = by_alternatives[chosen]

    def finditer(self, text: str, pos: int = 0) -> Iterator[re.Match[str]]:
        """The matches of `pattern.finditer(text, pos)`, left to right, non-overlapping."""
        if self._starts is None:
            yield from self.pattern.finditer(text, pos)
            return
        buckets, full = self._buckets, self.pattern
        for start in self._starts.finditer(text, pos):
            at = start.start()
            if at < pos:
                continue  # inside the match before
            m = buckets.get(text[at], full).match(text, at)
            if m is not None:
                yield m
                pos = m.end()  # never empty: no alternative matches the empty string

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        """`pattern.search(text, pos)`."""
        return next(self.finditer(text, pos), None)

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        """`pattern.match(text, pos)`."""
        return self.pattern.match(text, pos)


@functools.cache
def _class(codes: frozenset[int]) -> re.Pattern[str]:
    """A case-insensitive character class of `codes`."""
    return re.compile(f"[{''.join(re.escape(chr(c)) for c in sorted(codes))}]", re.IGNORECASE)


def _first(items: Any) -> tuple[frozenset[int] | None, bool]:
    """(the characters a parsed pattern's match may begin with, None when any; whether it may
    match the empty string). Case is ignored later, so case-sensitive parts only add spare
    characters."""
    out: set[int] = set()
    for op, av in items:
        if op is C.LITERAL:
            return frozenset(out | {av}), False
        if op is C.IN:
            for kind, value in av:
                if kind is C.LITERAL:
                    out.add(value)
                elif kind is C.RANGE and value[1] - value[0] < 512:
                    out.update(range(value[0], value[1] + 1))
                else:
                    return None, False  # a category or a negated class: anything
            return frozenset(out), False
        if op in (C.ASSERT, C.ASSERT_NOT, C.AT):
            continue  # zero width: the match begins with what follows
        if op is C.BRANCH:
            parts = [_first(alt.data) for alt in av[1]]
            first, nullable = _union(parts)
        elif op is C.SUBPATTERN:
            first, nullable = _first(av[3].data)
        elif op is C.ATOMIC_GROUP:
            first, nullable = _first(av.data)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            first, nullable = _first(av[2].data)
            nullable = nullable or av[0] == 0
        else:
            return None, False  # any character, a group reference...
        if first is None:
            return None, False
        out |= first
        if not nullable:
            return frozenset(out), False
    return frozenset(out), True


def _union(parts: list[tuple[frozenset[int] | None, bool]]) -> tuple[frozenset[int] | None, bool]:
    if any(first is None for first, _ in parts):
        return None, False
    return frozenset().union(*(first for first, _ in parts if first is not None)), any(n for _, n in parts)


def _has_backreference(items: Any) -> bool:
    """Whether a parsed pattern refers back to a group (renumbered in a bucket's pattern)."""
    for op, av in items:
        if op in (C.GROUPREF, C.GROUPREF_EXISTS, C.GROUPREF_IGNORE, C.GROUPREF_UNI_IGNORE, C.GROUPREF_LOC_IGNORE):
            return True
        for sub in _subpatterns(av):
            if _has_backreference(sub.data):
                return True
    return False


def _subpatterns(av: Any) -> list[Any]:
    if isinstance(av, _parser.SubPattern):
        return [av]
    if isinstance(av, (tuple, list)):
        return [s for item in av for s in _subpatterns(item)]
    return []


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data


def load_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    """Read and compile every lexicon file in `directory` (a bad pattern raises `re.error`)."""
    cues: dict[str, re.Pattern[str]] = {}
    event_patterns = [str(p) for patterns in _read(directory / EVENT_FILE).values() for p in patterns]
    for name in CUE_FILES:
        for cue, patterns in _read(directory / name).items():
            if cue in cues:
                raise ValueError(f"{name}: cue {cue!r} is defined twice")
            cues[cue] = compile_cue([str(p) for p in patterns])
    numbers = _read(directory / "numbers.yaml")
    weapons = tuple(
        (compile_cue([str(p) for p in patterns]), str(weapon))
        for weapon, patterns in _read(directory / "weapons.yaml").items()
    )
    return Lexicon(
        cues=cues,
        units={str(k): int(v) for k, v in numbers["units"].items()},
        tens={str(k): int(v) for k, v in numbers["tens"].items()},
        scales={str(k): int(v) for k, v in numbers["scales"].items()},
        vague={str(k): (None if v is None else int(v)) for k, v in numbers["vague"].items()},
        keep_qualifiers=tuple(numbers["keep_qualifiers"]),
        refuse_qualifiers=tuple(numbers["refuse_qualifiers"]),
        weapons=weapons,
        any_event=CueMatcher(event_patterns),
    )


@functools.cache
def languages() -> frozenset[str]:
    """The language codes with a lexicon (`seeds/lexicon/<lang>/events.yaml` exists)."""
    return frozenset(p.parent.name for p in LEXICON_ROOT.glob(f"*/{EVENT_FILE}"))


@functools.cache
def get_lexicon(language: str = DEFAULT_LANGUAGE) -> Lexicon:
    """The shipped lexicon of `language`, loaded on first use and shared afterwards."""
    if language not in languages():
        raise ValueError(f"no lexicon for language {language!r} (have: {', '.join(sorted(languages()))})")
    return load_lexicon(LEXICON_ROOT / language)
