"""Weapons and munition counts named in an incident's sentences.

In: sentence texts. Out: `read_weapons(text)` -> canonical weapon names in order of mention
(`seeds/lexicon/en/weapons.yaml`), `read_munitions(text)` -> the first count of munitions the
text gives ("four rockets" -> 4, "a drone and three rockets" -> 4), or None.
"""

from __future__ import annotations

import bisect
import functools
import re

from extractors.casualties import number_pattern, parse_number
from extractors.lexicon import get_lexicon

_MUNITION = (r"(?:rockets?|missiles?|drones?|UAVs?|shells?|mortars?(?: rounds| shells| bombs)?|rounds|projectiles?|"
             r"grenades?|bombs?|IEDs?)")


@functools.cache
def _munition_pattern() -> re.Pattern[str]:
    number = number_pattern()
    # up to two describing words between the figure and the munition ("two armed drones"), never
    # a capitalised word ("<day> <month> two rockets": the first figure is a day) nor another figure
    between = r"(?:(?-i:[a-z][\w-]*)[- ]){0,2}?"
    item = rf"(?P<num>{number})\s+{between}{_MUNITION}\b"
    return re.compile(rf"\b{item}(?:\s+(?:and|,)\s+(?P<num2>{number})\s+{between}{_MUNITION}\b)?",
                      re.IGNORECASE)


def read_weapons(text: str) -> list[str]:
    """Canonical weapon names the text names, first mention first, each once."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern, weapon in get_lexicon().weapons:
        for m in pattern.finditer(text):
            at = bisect.bisect_left(taken, (m.end(),))  # `taken` is sorted and never overlaps: only the span
            if at and taken[at - 1][1] > m.start():    # starting last before `m` ends may overlap it
                continue
            bisect.insort(taken, m.span())
            found.append((m.start(), weapon))
    seen: dict[str, None] = {}
    for _, weapon in sorted(found):
        seen.setdefault(weapon, None)
    return list(seen)


def read_munitions(text: str) -> int | None:
    """The number of munitions the first count in `text` gives, or None."""
    lex = get_lexicon()
    for m in _munition_pattern().finditer(text):
        first = parse_number(m.group("num"), lex)
        if first is None or first > 10_000:
            continue
        second = parse_number(m.group("num2"), lex) if m.group("num2") else 0
        return first + (second or 0)
    return None
