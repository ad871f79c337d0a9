"""Headlines and wire style (GUIDE rule 10): where a document's headline is, and its forms.

In: the clean text of a document (`coding_text.prepare`). Out: `headline_act(clean)` -> the end
offset of the headline the document opens with, or None. A headline is the first line when it
stands alone (a line break follows it, or it is the whole text), is short, and does not end as a
sentence of prose does; news feeds and wires put the title there. Its present tense ("Car bomb
kills 12 at market") reports an act of the publication day or the day before.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

MAX_HEADLINE = 220  # characters: a longer first line is a paragraph, not a title
_PROSE_END = re.compile(r"[.!?]['\"\u201d\u2019)]*\s*$")


def headline_act(clean: str) -> int | None:
    """The end of the headline `clean` opens with, or None when it opens with prose."""
    text = clean.lstrip()
    offset = len(clean) - len(text)
    end = text.find("\n")
    line = text if end < 0 else text[:end]
    if not line.strip() or len(line) > MAX_HEADLINE or _PROSE_END.search(line):
        return None
    if end < 0 and len(line.split()) > 30:
        return None
    return offset + len(line)


# "death toll from the bombing rises to 51", "the number of dead climbed to at least 30": the latest
# figure of an incident already told, which supersedes earlier ones (tolls only grow)
_TOLL_UPDATE = re.compile(
    r"(?i)\b(?:death toll|toll|number of (?:the )?(?:dead|deaths|people killed|victims)|fatalities)\b"
    r"(?:\s+[\w’'-]+){0,6}?"
    r"\s+(?:has\s+|have\s+)?(?:rises|rose|risen|climbs|climbed|jumps|jumped|reaches|reached|hits|hit|mounts|mounted|"
    r"soars|soared|increases|increased|grows|grew|tops|topped|passes|passed|surpasses|surpassed)\s+(?:to\s+)?"
    r"(?:at least\s+|more than\s+|over\s+|nearly\s+|almost\s+)?(?P<n>\d[\d,]*|[a-z]+(?:[- ][a-z]+)?)\b")


def toll_update(text: str, units: Mapping[str, int], tens: Mapping[str, int]) -> int | None:
    """The largest death-toll update a text states ("toll rises to 51", "climbed to thirty-two"),
    or None. `units` / `tens`: the lexicon's number words."""
    best = None
    for match in _TOLL_UPDATE.finditer(text):
        value = _number(match.group("n"), units, tens)
        if value is not None:
            best = value if best is None else max(best, value)
    return best


def _number(word: str, units: Mapping[str, int], tens: Mapping[str, int]) -> int | None:
    if word[0].isdigit():
        return int(word.replace(",", ""))
    total = 0
    for part in re.split(r"[- ]", word.lower()):
        if part in tens:
            total += tens[part]
        elif part in units:
            total += units[part]
        else:
            return total or None
    return total or None
