"""Weapons and munition counts named in an incident's sentences.

In: sentence texts. Out: `read_weapons(text)` -> canonical weapon names in order of mention
(`seeds/lexicon/en/weapons.yaml`), leaving out what a store held and the shells of a named mortar;
`weapon_spans(text)` -> every weapon word with its offsets; `quiet_sentences(clean, events)` -> the
sentences that tell no act, whose weapons belong to the act told just before them;
`read_munitions(text)` -> the first count of munitions the text gives ("four rockets" -> 4, "a
drone and three rockets" -> 4), or None.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence

from extractors.casualties import number_pattern, parse_number
from extractors.coding_text import Sentence
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


# a weapon listed as the contents of a store ("a cache of rifles", "used to store weapons and explosives"):
# what the place held, not what the act used
_STORED = re.compile(r"(?i)\b(?:caches?|stockpiles?|stor(?:e|es|ed|ing))\s+(?:of\s+)?"
                     r"(?:(?:weapons|arms|ammunition)(?:\s*,\s*|\s+(?:and|or)\s+))?$")
# (", and" joins clauses as often as list items: "... store weapons and explosives, and shot dead one")
_LIST_GOES_ON = re.compile(r"(?i)\s*,\s*|\s+(?:and|or)\s+")
# words that name a shell whatever fired it: after a mortar is named, "the shells" are its rounds
_ANY_SHELL = re.compile(r"(?i)shells?|shelling")


def weapon_spans(text: str) -> list[tuple[int, int, str]]:
    """Every weapon word of the text as (start, end, canonical weapon), in the order of the text: a
    match is taken unless it overlaps one taken before it (`weapons.yaml` lists the precedence)."""
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern, weapon in get_lexicon().weapons:
        for m in pattern.finditer(text):
            at = bisect.bisect_left(taken, (m.end(),))  # `taken` is sorted and never overlaps: only the span
            if at and taken[at - 1][1] > m.start():    # starting last before `m` ends may overlap it
                continue
            bisect.insort(taken, m.span())
            found.append((m.start(), m.end(), weapon))
    return sorted(found)


def read_weapons(text: str, seizure: bool = False) -> list[str]:
    """Canonical weapon names the text names as used, first mention first, each once: not the
    contents of a store (`_STORED`) unless the act is their `seizure` (then they are its weapons),
    nor "shells" after a mortar is named (the mortar's rounds)."""
    spans: list[tuple[int, int, str]] = []
    stored_end = -1
    for start, end, weapon in weapon_spans(text):
        if seizure:
            spans.append((start, end, weapon))
            continue
        # a store's list goes on through the weapons after it: "a stockpile of rockets and grenades"
        listed = stored_end >= 0 and _LIST_GOES_ON.fullmatch(text, stored_end, start) is not None
        if listed or _STORED.search(text, max(0, start - 60), start):
            stored_end = end
        else:
            spans.append((start, end, weapon))
    mortar = any(weapon == "mortar" for _, _, weapon in spans)
    seen: dict[str, None] = {}
    for start, end, weapon in spans:
        if not (mortar and weapon == "artillery" and _ANY_SHELL.fullmatch(text, start, end)):
            seen.setdefault(weapon, None)
    return list(seen)


def quiet_sentences(split: Sequence[Sentence], events: list[int]) -> dict[int, str]:
    """The sentences of a text (`split`: its `coding_text.sentences`) with no event cue at all, by index (`events`:
    the sorted offsets where an event cue starts): one right after a sentence of an incident tells no
    act of its own, so the weapons it names are that act's ("The attackers carried rifles.")."""
    out: dict[int, str] = {}
    for index, sentence in enumerate(split):
        first = bisect.bisect_left(events, sentence.start)
        if first == len(events) or events[first] >= sentence.end:
            out[index] = sentence.text
    return out


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
