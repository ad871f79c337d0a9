"""Scanning text for place names: every name the gazetteer knows, as `Mention`s.

In: a text and the loaded `GazetteerData` (see `extractors.gazetteer`). Out: the text's word
tokens and every known name in it, longest first, left to right, non-overlapping, each with all
the rows it may mean and what its surroundings say about it (a unit word after it, a title or
first name before it, an adjective use, a closing region qualifier). Which reading is meant is
`extractors.place_resolve`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.gazetteer import (
    ARTICLES,
    DESCRIPTORS,
    PARTICLES,
    GazetteerData,
    Token,
    tokens,
)

MAX_TOKENS = 7
UNIT_WORDS = frozenset(
    "province provinces governorate governorates state states region regions oblast oblasts "
    "department departement prefecture wilaya wilayah county counties district districts "
    "municipality municipalities raion rayon lga commune division territory emirate "
    "muhafazat canton parish subcounty".split()
)
TOWN_WORDS = frozenset("city town township neighbourhood neighborhood suburb".split())
VILLAGE_WORDS = frozenset("village villages hamlet locality".split())
# Words that may stand right before a place without making it part of another name.
_BEFORE_OK = frozenset(
    "eastern western northern southern central north south east west northeast northwest "
    "southeast southwest upper lower middle greater rural downtown old new lake mount mt "
    "river camp port cape the in at near of".split()
)
# Capitalised words that may follow a place without making it part of another name.
_AFTER_OK = UNIT_WORDS | TOWN_WORDS | VILLAGE_WORDS | frozenset(
    "airport air base airbase airfield camp dam bridge hospital university "
    "prison market bazaar mosque church square stadium port harbour harbor station checkpoint "
    "crossing border international central general police army military security court "
    "council government governor mayor valley river lake mountains hills area zone strip".split()
)  # not "Road", "Street", "Boulevard": "Lazaro Cardenas Boulevard" is no town
# Titles: "Col. Hasan", "President Zongo" name people, not places.
_TITLES = frozenset(
    "mr mrs ms dr col gen lt maj capt sgt cpl president minister sheikh shaikh commander general "
    "colonel major captain king prince princess queen imam emir governor senator judge pope "
    "mullah ayatollah bishop brother sister spokesman spokesperson secretary chief director "
    "officer leader ambassador envoy lawmaker rep correspondent reporter editor".split()
)
# "Iran-backed", "US-led", "Britain-based": a name used as an adjective, not a place.
_ATTRIBUTIVE = re.compile(r"[-‐‑][a-z]")
# ... and of those, a sponsor or maker ("Saudi-led coalition", "Iran-made drones"): by
# construction another country than the scene, so no evidence of where at all
_SPONSOR = re.compile(r"[-‐‑](?:led|backed|supported|sponsored|funded|allied|aligned|linked|affiliated|armed|"
                      r"trained|made|built|supplied)\b")
_DATELINE = re.compile(r"(?:,[ \t]+[A-Z][\w .]*)?[ \t]*(?:\([A-Za-z .]+\)[ \t]*)?[-—–:]")
_SENTENCE_GAP = re.compile(r"[.!?:;\n\"“”(\[]")


@dataclass(slots=True)
class Mention:
    """A name found in text, with every row it may mean; `places.py` resolves it.

    `hint`: "admin" ("Anbar province"), "city" ("Ghazni city") or "village".
    `common`: a name that is also an ordinary word ("Hit", "Centre"): needs support.
    `in_name`: looks like part of a person's or body's name ("Col. Hasan", "Justin Zongo",
    "Nelson Mandela Bay"): a small town reading needs support.
    """

    lo: int
    hi: int
    start: int
    end: int
    surface: str
    ids: list[tuple[int, bool]]
    common: bool = False
    attributive: bool = False
    sponsor: bool = False  # attributive as a sponsor or maker ("Saudi-led", "Iran-made"): no vote
    hint: str | None = None
    in_name: bool = False
    qualifier: bool = False  # closes "X, Y." / "(X, Y)": names the region of what precedes


_FUNCTION_WORDS = frozenset(
    "on in and or to for with from at by of is was were are has have had said says say will "
    "would could should may might did does do as but than that which who since after before "
    "over under into during against about".split()
)
_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z]+)")


def nxt_word_is_noun(text: str, end: int) -> bool:
    """Whether a content word follows ("US soldiers", "US Interests" in a title): no tagger,
    so function words are listed."""
    m = _NEXT_WORD.match(text, end)
    return m is not None and m.group(1).lower() not in _FUNCTION_WORDS


def _capital(t: Token, shouting: bool) -> bool:
    c = t.text[0]
    return shouting or c.isupper() or c.isdigit()


def shouting(text: str) -> bool:
    """Whether `text` is written in capitals (over 60 % of the letters of its first 2000
    characters are capitals): then case says nothing about names."""
    head = text[:2000]
    # counted in C for the ASCII characters (letters: A-Z, a-z; capitals: A-Z), in Python for
    # the others only
    raw = head.encode("ascii", "ignore")
    letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
    upper = len(raw) - len(raw.translate(None, _ASCII_UPPER))
    if len(raw) != len(head):
        for c in _NON_ASCII.findall(head):
            if c.isalpha():
                letters += 1
                upper += c.isupper()
    return bool(letters) and upper > 0.6 * letters


_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_ASCII_UPPER = bytes(range(65, 91))
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def scan(data: GazetteerData, text: str) -> tuple[list[Token], list[Mention]]:
    """Every name of `data` in `text`, longest first, left to right, non-overlapping.

    Case matters (a name must be capitalised, apart from particles inside it: "Deir ez-Zor";
    "al-Anbar"), except in text written in capitals. Short all-capital words match only the
    listed abbreviations ("US", "KPK"), not acronyms of bodies ("NAF", "SMM").
    """
    loud = shouting(text)
    toks = tokens(text)
    return toks, mentions(data, text, toks, spans(data, toks, loud), loud)


def spans(data: GazetteerData, toks: list[Token], shouting: bool) -> list[tuple[int, int, str]]:
    """The token spans `(lo, hi, key)` of the names `scan` reports, in order.

    They depend on the tokens alone (and on `shouting`), not on the text around them: so the
    spans of a text whose tail is another text already scanned are the head's spans plus the
    tail's, shifted (a name never spans a line break: a token before one never joins the
    next; see `extractors.places.Gazetteer._scan`)."""
    has = data.has
    out: list[tuple[int, int, str]] = []
    # whether each token counts as capitalised (`_capital`)
    cap = [shouting or t.text[0].isupper() or t.text[0].isdigit() for t in toks]
    i, n_toks = 0, len(toks)
    while i < n_toks:
        t = toks[i]
        if not (cap[i] or (
            t.norm in ARTICLES and t.joins_next and i + 1 < n_toks and cap[i + 1]
        )):
            i += 1
            continue
        j = i + 1
        while j < n_toks and j - i < MAX_TOKENS and toks[j - 1].joins_next:
            j += 1
        found = None
        for hi in range(j, i, -1):
            window = toks[i:hi]
            if hi - i == 1 and t.norm in ARTICLES:
                continue  # "Al" alone is no place
            if not (cap[hi - 1] or (hi - i > 1 and window[-1].norm in DESCRIPTORS)) or any(
                not cap[k] and toks[k].norm not in PARTICLES and toks[k].norm not in DESCRIPTORS
                for k in range(i + 1, hi - 1)
            ):
                continue
            key = "".join([w.norm for w in window])
            if has(key):
                found = (hi, key)
                break
            if hi - i > 1 and any(w.norm in ARTICLES for w in window[:-1]):
                key = "".join(["al" if w.norm in ARTICLES else w.norm for w in window])
                if has(key):
                    found = (hi, key)
                    break
        if found is None:
            i += 1
            continue
        hi, key = found
        if key in data.not_places:
            i = hi  # "Boko Haram", "May", "Hassan": words that are no places here
            continue
        first = toks[i]
        if hi - i == 1 and first.text.isupper() and not shouting and len(first.text) <= 3 \
                and key not in data.abbreviations \
                and not all(rid in data.actor_rows for rid, _ in data.ids(key)):
            i += 1  # "NAF", "SMM", "IDP": acronyms, not towns; but "ODM" is a party of one country
            continue
        out.append((i, hi, key))
        i = hi
    return out


def mentions(
    data: GazetteerData, text: str, toks: list[Token], found: list[tuple[int, int, str]], shouting: bool
) -> list[Mention]:
    """The `Mention`s of the `spans` found in `text` (cut into `toks`), with what their
    surroundings say about them."""
    has = data.has
    out: list[Mention] = []
    n_toks = len(toks)
    for i, hi, key in found:
        t = first = toks[i]
        last = toks[hi - 1]
        m = Mention(i, hi, first.start, last.end, text[first.start : last.end], data.ids(key))
        m.common = key in data.common_words or (t.norm == "the" and key[3:] in data.common_words)
        m.sponsor = bool(_SPONSOR.match(text, last.end))
        m.attributive = m.sponsor or bool(_ATTRIBUTIVE.match(text, last.end)) or bool(
            # "BEIRUT (Reuters) -", "KYIV, Ukraine (AP) —": where the reporter files from.
            first.text.isupper() and not shouting and _DATELINE.match(text, last.end)
            and not text[max(0, first.start - 2) : first.start].strip()
        ) or (
            # "US soldiers", "UK officials": an abbreviation before a noun is an adjective.
            key in data.abbreviations and nxt_word_is_noun(text, last.end)
        )
        if hi - i >= 2 and last.norm in UNIT_WORDS and key.endswith(last.norm) and has(key[: -len(last.norm)]):
            # "Central Region" names Uganda's region of that name and every region called
            # "Central" (Ghana's, in "Cape Coast, Central Region")
            extra = [(rid, weak) for rid, weak in data.ids(key[: -len(last.norm)])
                     if data.row(rid).kind in ("admin1", "admin2") and (rid, weak) not in m.ids]
            m.ids = [*m.ids, *extra]
        nxt = toks[hi] if hi < n_toks and last.joins_next else None
        before = toks[i - 2].norm if i >= 2 and toks[i - 1].norm == "of" else ""
        for word in (nxt.norm if nxt else "", before):
            if word in UNIT_WORDS:
                m.hint = "admin"
            elif word in TOWN_WORDS:
                m.hint = "city"
            elif word in VILLAGE_WORDS:
                m.hint = "village"
            if m.hint:
                break
        if i > 0:
            prev = toks[i - 1]
            if prev.norm in _TITLES and (prev.joins_next or text[prev.end : t.start].strip() == "."):
                m.in_name = True  # "Col. Hasan"
            elif prev.joins_next and _capital(prev, False) and not shouting \
                    and prev.norm not in _BEFORE_OK and not (out and out[-1].hi == i) \
                    and i >= 2 and not _SENTENCE_GAP.search(text, toks[i - 2].end, prev.start):
                m.in_name = True  # "Justin Zongo", "St Albans"
        if i > 0 and _QUALIFIER_BEFORE.search(text, toks[i - 1].end, t.start) \
                and _QUALIFIER_AFTER.match(text, last.end):
            m.qualifier = True
        if nxt is not None and hi - i == 1 and _capital(nxt, shouting) and not shouting \
                and nxt.norm not in _AFTER_OK and not has(nxt.norm):
            m.in_name = True  # "Nelson Mandela", "Ayn Zarah", "Khair Khana"
        out.append(m)
    _fuzzy_qualifiers(data, text, toks, out)
    return out


_QUALIFIER_BEFORE = re.compile(r"\s*[,(]\s*$")
_QUALIFIER_AFTER = re.compile(r"\s*(?:[),.;]|$)")


def _fuzzy_qualifiers(data: GazetteerData, text: str, toks: list[Token], out: list[Mention]) -> None:
    """A misspelt region as the last qualifier of a place: "(Ceel Buur, Galgaduud)"."""
    covered = {k for m in out for k in range(m.lo, m.hi)}
    for i, t in enumerate(toks):
        if i in covered or i == 0 or not t.text[0].isupper() or t.text.isupper():
            continue
        if not _QUALIFIER_BEFORE.search(text, toks[i - 1].end, t.start):
            continue
        hi = i + 1
        while hi < len(toks) and hi - i < 4 and toks[hi - 1].joins_next and hi not in covered \
                and toks[hi].text[0].isupper():
            hi += 1
        if not _QUALIFIER_AFTER.match(text, toks[hi - 1].end):
            continue
        key = "".join(x.norm for x in toks[i:hi])
        ids = data.fuzzy_regions(key)
        if ids and len({(data.row(r).iso3, data.row(r).admin1) for r in ids}) == 1:
            out.append(Mention(i, hi, t.start, toks[hi - 1].end, text[t.start : toks[hi - 1].end],
                               [(r, False) for r in ids], qualifier=True))
    out.sort(key=lambda m: m.lo)
