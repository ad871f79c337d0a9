"""Per-cue questions about a long sentence answered locally, with the answers a whole reading gives.

The coder asks each cue of a sentence things about the rest of the sentence; read whole each time,
a long sentence (a list of acts joined by commas) costs the square of its length. In: a sentence
and one cue's span. Out: `found_blanked(pattern, text, start, end)`, whether `pattern` matches the
sentence with the cue blanked out (exactly `pattern.search(blanked) is not None`, read only near the
cue plus the sentence's first and last match, found once per sentence), `found_from(pattern, text,
pos)`, whether it matches from `pos` on, and `once(...)`, a value
(offsets sorted for bisection, say) built once per sentence instead of once per cue.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from re import _constants as sre  # type: ignore[attr-defined,unused-ignore]  # the regex parser's op codes
from re import _parser as sre_parse  # type: ignore[attr-defined,unused-ignore]  # the standard library's own regex parser: the widths are read off its tree
from typing import Any, TypeVar

T = TypeVar("T")
_SHORT = 2000  # a sentence up to this many characters is blanked and read whole (cheaper than the bounds)
_HELD: dict[str, tuple[object, object]] = {}


def once(name: str, owner: object, make: Callable[[], T]) -> T:
    """`make()` for `owner` (a sentence's cue list, say), made again only when another owner is
    asked under `name`: a sentence's cues are read one by one, so what they share is built once
    per sentence. `owner` must not change while it is held."""
    held = _HELD.get(name)
    if held is None or held[0] is not owner:
        held = (owner, make())
        _HELD[name] = held
    return held[1]  # type: ignore[return-value]  # made by `make` under this name


def blanked(text: str, start: int, end: int) -> str:
    """`text` with [start, end) turned to spaces (evidence must come from the other words)."""
    return text[:start] + " " * (end - start) + text[end:]


def found_blanked(pattern: re.Pattern[str], text: str, start: int, end: int) -> bool:
    """Whether `pattern` matches `blanked(text, start, end)`, reading a long text only near the span.

    One attempt of the pattern at position p reads only the characters in [p - left, p + right)
    (`_reach`), so an attempt that cannot reach the span does in the blanked text what it does in
    `text`: a match of `text` starting before `start - right` or after `end + left` is one of the
    blanked text, and the attempts between are read in a window of the blanked text around the span.
    """
    if len(text) <= _SHORT:
        return pattern.search(blanked(text, start, end)) is not None
    run = _longest_run(text)
    reach = _reach(pattern)
    if reach is None:
        return pattern.search(blanked(text, start, end)) is not None
    (width, width_run), left = reach
    right = width + width_run * run
    first, last = first_last(pattern, text)
    low, high = max(0, start - right + 1), end + left - 1  # the attempts that may read the span
    if first is not None and last is not None and (first < low or last > high):
        return True
    a, b = max(0, low - left), min(len(text), high + right)
    window = text[a:start] + " " * (end - start) + text[end:b]
    found = pattern.search(window, low - a)
    return found is not None and found.start() + a <= high


def found_from(pattern: re.Pattern[str], text: str, pos: int) -> bool:
    """`pattern.search(text, pos) is not None`, from the last match start of `text` (found once)."""
    last = first_last(pattern, text)[1]
    return last is not None and last >= pos


@functools.lru_cache(maxsize=8)
def _index(text: str) -> dict[object, object]:
    """What is read once per sentence (its longest run, each pattern's first and last match), for the
    last few sentences asked about: a few sentences' worth of memory, whatever the patterns."""
    return {}


def _longest_run(text: str) -> int:
    """The longest run of characters without a space (blanking only shortens runs)."""
    index = _index(text)
    if None not in index:
        index[None] = max(map(len, text.split(" ")))
    return index[None]  # type: ignore[return-value]  # an int under None


def first_last(pattern: re.Pattern[str], text: str) -> tuple[int | None, int | None]:
    """The first and the last position where a match of `pattern` in `text` starts (None: no match)."""
    index = _index(text)
    if pattern not in index:
        first = last = None
        found = pattern.search(text)
        while found is not None:
            first = found.start() if first is None else first
            last = found.start()
            found = pattern.search(text, last + 1)
        index[pattern] = (first, last)
    return index[pattern]  # type: ignore[return-value]  # the pair under its pattern


@functools.cache
def _reach(pattern: re.Pattern[str]) -> tuple[tuple[int, int], int] | None:
    """((c, k), left): an attempt at p reads no character before p - left nor from p + c + k * R on,
    R being the text's longest run without a space; None when the pattern has no such bound (a
    repeat that can take spaces without end, a back reference)."""
    found: dict[str, float] = {"ahead": 0, "ahead_run": 0, "behind": 0}
    try:
        width = _width(sre_parse.parse(pattern.pattern, pattern.flags), found)
    except _Unbounded:
        return None
    # a word boundary reads one character each side; an end of line reads the next two
    c, k = width[0] + found["ahead"] + 2, width[1] + found["ahead_run"]
    return (int(c), int(k)), int(found["behind"]) + 1


class _Unbounded(Exception):
    pass


_WIDTH_ONE = (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN)
_SPACE_CATEGORIES = (sre.CATEGORY_SPACE, sre.CATEGORY_NOT_DIGIT, sre.CATEGORY_NOT_WORD, sre.CATEGORY_NOT_LINEBREAK,
                     sre.CATEGORY_UNI_SPACE, sre.CATEGORY_UNI_NOT_DIGIT, sre.CATEGORY_UNI_NOT_WORD,
                     sre.CATEGORY_UNI_NOT_LINEBREAK, sre.CATEGORY_LOC_NOT_WORD)
_NO_SPACE_CATEGORIES = (sre.CATEGORY_DIGIT, sre.CATEGORY_NOT_SPACE, sre.CATEGORY_WORD, sre.CATEGORY_LINEBREAK,
                        sre.CATEGORY_UNI_DIGIT, sre.CATEGORY_UNI_NOT_SPACE, sre.CATEGORY_UNI_WORD,
                        sre.CATEGORY_UNI_LINEBREAK, sre.CATEGORY_LOC_WORD)


def _takes_space(op: object, av: object) -> bool:
    """Whether one character item may match a space (True when unsure)."""
    if op is sre.LITERAL:
        return av == 32
    if op is sre.NOT_LITERAL:
        return av != 32
    if op is not sre.IN:
        return True
    items = list(av)  # type: ignore[call-overload]  # an IN item's members
    negate = bool(items) and items[0][0] is sre.NEGATE
    taken = False
    for sub_op, sub_av in items[1:] if negate else items:
        if sub_op is sre.LITERAL:
            taken |= sub_av == 32
        elif sub_op is sre.RANGE:
            taken |= sub_av[0] <= 32 <= sub_av[1]
        elif sub_op is sre.CATEGORY and sub_av in _NO_SPACE_CATEGORIES:
            pass
        elif sub_op is sre.CATEGORY and sub_av in _SPACE_CATEGORIES:
            taken = True
        else:
            return True
    return taken != negate


def _width(items: Any, found: dict[str, float]) -> tuple[float, float]:
    """(c, k): the most characters `items` consume is c + k * R (R: the longest run without a space);
    lookarounds' widths go into `found`. Raises `_Unbounded` when there is no such bound."""
    c = k = 0.0
    for op, av in items:
        if op in _WIDTH_ONE:
            c += 1
        elif op is sre.AT:
            pass
        elif op is sre.SUBPATTERN:
            w = _width(av[3], found)
            c, k = c + w[0], k + w[1]
        elif op is sre.ATOMIC_GROUP:
            w = _width(av, found)
            c, k = c + w[0], k + w[1]
        elif op is sre.BRANCH:
            ws = [_width(alt, found) for alt in av[1]]
            c, k = c + max(w[0] for w in ws), k + max(w[1] for w in ws)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, high, item = av
            if high == sre.MAXREPEAT:
                if len(item) != 1 or item[0][0] not in _WIDTH_ONE or _takes_space(*item[0]):
                    raise _Unbounded
                k += 1  # a repeat of one character class without spaces stays within one run
            else:
                w = _width(item, found)
                c, k = c + high * w[0], k + high * w[1]
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            direction, sub = av
            w = _width(sub, found)
            if direction == 1:
                found["ahead"], found["ahead_run"] = max(found["ahead"], w[0]), max(found["ahead_run"], w[1])
            else:
                if w[1]:
                    raise _Unbounded  # (Python takes only fixed-width lookbehinds)
                found["behind"] = max(found["behind"], w[0])
        else:  # a back reference, a conditional group: no bound read off here
            raise _Unbounded
    return c, k
