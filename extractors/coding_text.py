"""Text preparation for incident coding: markup removed, sentences and clauses with offsets.

In: the document text exactly as the extractor sees it (may hold leftover HTML from feeds).
Out: `prepare(text)` -> `Prepared` (clean text plus a map back to the original offsets) and
`sentences(clean)` -> `Sentence` spans; `clause_bounds(sentence)` -> clause starts within it.

Every offset the coder reports points into the *original* text, so evidence can be cut from the
stored article with `text[start:end]`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_TAG = re.compile(r"<[^<>]{0,2000}>|&#?\w{1,10};")
_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|br|div|h\d|tr|td|table|blockquote)\b", re.IGNORECASE)

# Words whose trailing period is not a sentence end (titles, months, initials in "U.S.").
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr gen lt col maj capt sgt cpl pvt adm cmdr gov sen rep st jr sr prof rev "
    "jan feb mar apr jun jul aug sep sept oct nov dec no nos vs etc approx est dept govt "
    "inc ltd co corp mt ft u.s u.k u.n e.g i.e a.m p.m al lt.-col brig".split()
)
# A sentence ends at ., ! or ? before a capital (after spaces, or glued on, as in pasted
# paragraphs: "<word>.In <month>", "<surname>.A <noun>" (sentences glued without a space)), at a line
# break, or at a wiki heading ("==Background==").
_SENTENCE_END = re.compile(
    r"[.!?]+['\"\u201d\u2019)\]]*(?=\s+['\"\u201c\u2018(\[]?[A-Z0-9])"
    r"|(?<=[a-z]{2}[.!?])(?=[A-Z][a-z]|[AI] [a-z])|(?<=[a-z]{2}[.!?]['\"\u201d\u2019])(?=[A-Z][a-z])"
    r"|={2,}[^=\n]{0,80}={2,}|\n+")
_CLAUSE_BREAK = re.compile(
    r"[;:\u2014\u2013]|,|\s-\s|\((?!as reported|or around)|"
    r"\b(?:after|before|following|when|while|but|prompting|amid|ahead of|since|because|despite|"
    r"whereas|although|though|in retaliation|in response|as a result|then|and then|due to)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Prepared:
    """Clean text for matching and the way back to original offsets.

    `origin[i]` is the offset in the original text of clean character `i` (None when the two
    texts are the same, the common case, which costs nothing).
    """

    clean: str
    origin: tuple[int, ...] | None
    original_length: int

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a clean [start, end) span to the original text."""
        if self.origin is None:
            return start, end
        if not self.origin:
            return 0, 0
        first = self.origin[min(start, len(self.origin) - 1)]
        last = self.origin[end - 1] + 1 if end > 0 else first
        return first, max(first, min(last, self.original_length))


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the clean text: [start, end) and the text itself."""

    start: int
    end: int
    text: str


def prepare(text: str) -> Prepared:
    """Strip tags and decode entities, keeping a map from clean to original offsets.

    Block-level tags become newlines (they end sentences); other tags become a space.
    """
    if "<" not in text and "&" not in text:
        return Prepared(text, None, len(text))
    parts: list[str] = []
    origin: list[int] = []
    position = 0
    for match in _TAG.finditer(text):
        chunk = text[position:match.start()]
        parts.append(chunk)
        origin.extend(range(position, match.start()))
        token = match.group()
        if token.startswith("&"):
            decoded = html.unescape(token)
            replacement = decoded if decoded != token else token
        else:
            replacement = "\n" if _BLOCK_TAG.match(token) else " "
        parts.append(replacement)
        origin.extend([match.start()] * len(replacement))
        position = match.end()
    parts.append(text[position:])
    origin.extend(range(position, len(text)))
    return Prepared("".join(parts), tuple(origin), len(text))


def _is_abbreviation(text: str, period: int) -> bool:
    """True when the period at `period` closes an abbreviation or an initial, not a sentence."""
    start = period
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "."):
        start -= 1
    word = text[start:period].lower()
    if word in _ABBREVIATIONS:
        return True
    # single capital initial ("J. Smith") or dotted acronym ("U.S.")
    return len(word) == 1 and word.isalpha() or ("." in word and len(word) <= 5)


def sentences(clean: str) -> list[Sentence]:
    """Split clean text into sentences (newlines always end one); empty stretches are skipped."""
    out: list[Sentence] = []
    start = 0
    for match in _SENTENCE_END.finditer(clean):
        token = match.group()
        if token.startswith(".") and _is_abbreviation(clean, match.start()):
            continue
        end = match.start() if token.startswith(("\n", "=")) else match.end()
        _append(out, clean, start, end)
        start = match.end()
    _append(out, clean, start, len(clean))
    return out


def _append(out: list[Sentence], clean: str, start: int, end: int) -> None:
    while start < end and clean[start].isspace():
        start += 1
    while end > start and clean[end - 1].isspace():
        end -= 1
    if end - start >= 3:
        out.append(Sentence(start, end, clean[start:end]))


def clause_bounds(text: str) -> list[int]:
    """Offsets (within `text`) where clauses begin: 0 and after each clause break."""
    return [0] + [m.start() for m in _CLAUSE_BREAK.finditer(text)]


def clause_of(bounds: list[int], position: int) -> int:
    """Index of the clause holding `position`, given `clause_bounds` output."""
    low, high = 0, len(bounds) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if bounds[middle] <= position:
            low = middle
        else:
            high = middle - 1
    return low
