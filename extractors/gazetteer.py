"""The gazetteer's data layer: name normalisation, tokenising, and the loaded lookup tables.

In: the files under `seeds/gazetteer/` (see its README): `places.tsv.gz` and `names.tsv.gz`
(derived from GeoNames data by `scripts/build_gazetteer.py`), `common_words.txt` (derived),
and the hand-curated `sites.yaml` and `aliases.yaml`, read as they are at load time.
Out: `GazetteerData`, which maps a normalised name to the rows it may mean, and `tokens()`,
which cuts text into word tokens (finding the names in a text is `extractors.place_scan`'s
job, resolving them `extractors.place_resolve`'s).

Why not a regex over all names: 600k names make a huge alternation slow to compile and to
run. A name is instead keyed by its normalised tokens glued together ("Deir ez-Zor",
"Deir Ezzor" and "DEIR EZ ZOR" all give "deirezzor"), and text is looked up n-gram by n-gram.
This module is pure (no network); its only I/O is reading the seed files once.
"""

from __future__ import annotations

import functools
import gzip
import re
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, cast

import yaml

# Letters with no NFKD decomposition that GeoNames and news transliterations use.
_TRANSLIT = str.maketrans({
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
    "þ": "th", "Þ": "Th", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ß": "ss", "ı": "i",
    "ħ": "h", "Ħ": "H", "ə": "e", "Ə": "E", "ǝ": "e", "ŀ": "l", "ʻ": "", "ʼ": "", "ʿ": "",
    "ʾ": "", "‘": "", "’": "", "'": "", "`": "", "´": "",
})

# A word: letters/digits, with apostrophes inside it ("Sana'a", "Kam'yanka", "N'Djamena").
_WORD = re.compile(r"[^\W_]+(?:['’ʼ‘`´][^\W_]+)*")
# What may stand between two tokens of one name: spaces, a hyphen, an apostrophe, never a
# line break, a comma or a bracket (those end a name).
_JOIN = re.compile(r"[ \t\u00a0\-‐‑'’‘ʼ`&]{1,3}")
# A word and the gap after it: what is not a word character ends a word, and `_WORD` matches
# wherever a word character stands; so these are `_WORD`'s matches and the text between them.
_WORD_GAP = re.compile(rf"({_WORD.pattern})([\W_]*)")
_LEAD = re.compile(r"[\W_]*")  # what stands before the first word

ARTICLES = frozenset(
    "al el ad ar as at an az ash ath adh ez es ed er en et ul um".split()
)
"""Arabic article spellings: inside a name they are canonicalised to "al" as a second key,
so that "Deir al-Balah" and "Deir el-Balah" meet; a leading one may be dropped ("Anbar")."""

PARTICLES = ARTICLES | frozenset(
    "de del della dei di da do dos das du des au aux la le les lo los las y e i o a of the and on upon"
    " sur sous am im der den van von bin ibn bint wa ye na ni ki".split()
)
"""Lower-case words allowed inside a capitalised name ("Lima-San Juan de Lurigancho")."""

DESCRIPTORS = frozenset(
    "gas oil field fields air base airbase airfield airport camp refugee idp crossing border "
    "dam refinery plant hospital port bridge island strait sea garrison military nuclear power "
    "station".split()
)
"""Lower-case words that end or fill a site's name as news writes it ("Conoco gas field",
"Ain al-Asad air base"); a window with them matches only if the whole name is known."""


def fold(s: str) -> str:
    """Lower-case ASCII form of `s`: diacritics and apostrophes dropped, other scripts dropped."""
    if s.isascii():
        return s.replace("'", "").replace("`", "").lower()
    s = unicodedata.normalize("NFKD", s.translate(_TRANSLIT))
    return s.encode("ascii", "ignore").decode().lower()


class Token(NamedTuple):
    """One word of a text: offsets, surface, folded form, and whether it may join the next.

    A named tuple, not a dataclass: a text has thousands of tokens, and a tuple is built
    several times faster (`place_scan` profile, issue #7)."""

    start: int
    end: int
    text: str
    norm: str
    joins_next: bool


# `fold` of the words `tokens` has seen: news repeats its words, and folding is the cost of
# tokenising. Bounded: cleared when full.
_FOLDED: dict[str, str] = {}
_FOLDED_MAX = 50_000
_IDS_KEPT = 5_000  # parsed id lists `GazetteerData.ids` keeps (cleared when full)


def tokens(text: str, offset: int = 0) -> list[Token]:
    """Cut `text` into word tokens; `joins_next` is False where punctuation ends a name. Their
    offsets are moved by `offset` (the tokens of a text that is the tail of a longer one, in the
    longer one: `shifted(tokens(text), offset)` in one pass)."""
    out: list[Token] = []
    append = out.append
    new = tuple.__new__
    folded = _FOLDED
    join = _JOIN.fullmatch
    # each word of `_WORD` with the gap after it, up to the next word (or the end): the words
    # `_WORD.finditer` finds, and the text between them, in one C pass
    pairs = _WORD_GAP.findall(text)
    lead = _LEAD.match(text)  # matches always (possibly empty)
    pos = (lead.end() if lead else 0) + offset
    last = len(pairs) - 1
    for i, (word, gap) in enumerate(pairs):
        start = pos
        end = full = start + len(word)
        pos = end + len(gap)
        if len(word) > 3 and word[-1] == "s" and word[-2] in "'’":
            word, end = word[:-2], end - 2  # "Syria's" names Syria
        norm = folded.get(word)
        if norm is None:
            if len(folded) >= _FOLDED_MAX:
                folded.clear()
            norm = folded[word] = fold(word)
        if not norm:
            continue
        joins = False
        if i < last and end == full:
            # "U.S." and "St. Petersburg": a dot joins only after a one- or two-letter word.
            joins = gap == " " or bool(join(gap)) or (gap in (".", ". ") and len(norm) <= 2)
        append(new(Token, (start, end, word, norm, joins)))
    return out


def shifted(toks: list[Token], offset: int) -> list[Token]:
    """`toks` with their offsets moved by `offset` (the tokens of a text that is the tail of a
    longer one)."""
    new = tuple.__new__
    return [new(Token, (t[0] + offset, t[1] + offset, t[2], t[3], t[4])) for t in toks]


def name_tokens(name: str) -> list[str]:
    """The folded tokens of a gazetteer name (the same cutting as `tokens`)."""
    return [t for t in (fold(m.group()) for m in _WORD.finditer(name)) if t]


def name_keys(name: str, *, drop_article: bool = True) -> Iterator[tuple[str, bool]]:
    """The index keys of one name, each with `weak` (True for the article-dropped form).

    "Ain al-Asad" gives ("ainalasad", False); "El-Fasher" also gives ("fasher", True).
    """
    toks = name_tokens(name)
    if not toks:
        return
    seen: set[str] = set()
    canon = ["al" if t in ARTICLES else t for t in toks]
    forms: list[tuple[list[str], bool]] = [(toks, False), (canon, False)]
    if drop_article and len(toks) > 1 and toks[0] in ARTICLES:
        forms += [(toks[1:], True), (canon[1:], True)]
    for form, weak in forms:
        key = "".join(form)
        if key not in seen and len(key) >= 2:
            seen.add(key)
            yield key, weak


def _deletions(key: str) -> set[str]:
    return {key} | {key[:i] + key[i + 1 :] for i in range(len(key))}


_UNIT_SUFFIX = re.compile(r"\s+(?:Region|Province|Department|Governorate|District|State)$")

# Row kinds in places.tsv.gz, most general first.
KINDS = ("country", "admin1", "admin2", "city", "site", "water")


@dataclass(frozen=True, slots=True)
class Row:
    """One gazetteer entry as stored: kind, iso3 ("" at sea), admin1, name, lat, lon, pop."""

    kind: str
    iso3: str
    admin1: str | None
    name: str
    lat: float | None
    lon: float | None
    pop: int | None


def _first_words(names: list[str]) -> tuple[str, ...]:
    """The first word of each of `names`: text holding none of them cannot match
    `_names_pattern(names)` (a cheap test before the regex)."""
    return tuple(re.split(r"[-\s]+", n)[0] for n in names)


def _names_pattern(names: list[str]) -> re.Pattern[str]:
    r"""A pattern matching any of `names` as written, spaces and hyphens alike, as whole words:
    `(?<!\w)(?:n1|n2|...)(?!\w)`, written with each name's first character before the test on
    the character ahead of it (`X(?<!\w.)...`: the same matches), so that `re` skips ahead to
    the characters a name can begin with instead of trying every position (ten times faster)."""
    alternation = "|".join(_first_then_boundary(r"[-\s]+".join(re.escape(w) for w in re.split(r"[-\s]+", n)))
                           for n in names)
    return re.compile(rf"(?:{alternation})(?!\w)")


def _first_then_boundary(body: str) -> str:
    r"""`(?<!\w)body` as `X(?<!\w.)rest` when `body` begins with a word character X (which
    `re.escape` leaves as it is; `.` then matches X itself), else as it is written."""
    if not re.match(r"\w", body):
        return r"(?<!\w)" + body
    return body[0] + r"(?<!\w.)" + body[1:]


def _parse_row(line: str) -> Row:
    kind, iso3, admin1, name, lat, lon, pop = line.split("\t")
    return Row(
        kind, iso3, admin1 or None, name,
        float(lat) if lat else None, float(lon) if lon else None, int(pop) if pop else None,
    )


class GazetteerData:
    """The loaded tables: rows by id, and normalised key -> row ids (weak ones marked).

    `ids(key)` gives `[(row_id, weak), ...]`. Rows and id lists are parsed lazily: the files
    hold ~205k places and ~430k keys, and a document touches a few dozen of them.
    """

    def __init__(self, folder: Path) -> None:
        with gzip.open(folder / "places.tsv.gz", "rt", encoding="utf-8") as f:
            # parsed lazily: a row is a str until first asked for, then a Row
            self._rows = cast("list[str | Row]", f.read().split("\n"))
        if self._rows and self._rows[-1] == "":
            self._rows.pop()
        with gzip.open(folder / "names.tsv.gz", "rt", encoding="utf-8") as f:
            pairs = (line.partition("\t") for line in f.read().split("\n") if line)
            self._names: dict[str, str] = {k: v for k, _, v in pairs}
        lines = (folder / "common_words.txt").read_text(encoding="utf-8").splitlines()
        self.common_words: set[str] = {w.strip() for w in lines if w.strip() and not w.startswith("#")}
        self._fuzzy: dict[str, set[int]] | None = None
        self._ids: dict[str, tuple[tuple[int, bool], ...]] = {}  # key -> parsed `ids(key)`, bounded
        self.demonym_rows: set[int] = set()
        self.actor_rows: set[int] = set()  # a subset of demonym_rows: forces of one country
        self.regional_actors: list[tuple[re.Pattern[str], frozenset[str]]] = []
        self.actor_areas: list[tuple[re.Pattern[str], frozenset[tuple[str, str]]]] = []
        # the first words of each group's names, in the same order (see `_first_words`)
        self._regional_words: list[tuple[str, ...]] = []
        self._area_words: list[tuple[str, ...]] = []
        self.abbreviations: set[str] = set()
        self.country_row: dict[str, int] = {}
        self.admin1_row: dict[tuple[str, str], int] = {}
        aliases = yaml.load((folder / "aliases.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        # ACLED's spelling of a region where the gazetteer's differs ("Al Marqab" -> "Almargeb"),
        # applied to every row as it is parsed.
        self._rename: dict[tuple[str, str], str] = {
            (iso3, old): new for iso3, names in (aliases.get("acled_admin1") or {}).items()
            for old, new in names.items()
        }
        self._index_heads()
        self._load_aliases(aliases)
        self._load_sites(folder / "sites.yaml")

    # -- lookup --------------------------------------------------------------------------

    def row(self, i: int) -> Row:
        """The entry with id `i`."""
        r = self._rows[i]
        if isinstance(r, str):
            r = _parse_row(r)
            if r.admin1 and (r.iso3, r.admin1) in self._rename:
                new = self._rename[(r.iso3, r.admin1)]
                r = Row(r.kind, r.iso3, new, new if r.kind == "admin1" else r.name, r.lat, r.lon, r.pop)
            self._rows[i] = r
        return r

    def ids(self, key: str) -> list[tuple[int, bool]]:
        """Row ids a normalised key may mean, with True for a weak (article-dropped) match."""
        got = self._ids.get(key)
        if got is None:
            raw = self._names.get(key)
            if raw is None:
                return []
            if len(self._ids) >= _IDS_KEPT:
                self._ids.clear()
            got = self._ids[key] = tuple(
                (int(x[1:]), True) if x[0] == "~" else (int(x), False) for x in raw.split(",")
            )
        return list(got)

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one instance per process
    def actor_countries(self, text: str) -> frozenset[str]:
        """The countries the regional groups a text names are active in ("JNIM militants":
        Mali, Burkina Faso, Niger); empty when it names none."""
        found: set[str] = set()
        for (pattern, iso3s), words in zip(self.regional_actors, self._regional_words, strict=True):
            if any(w in text for w in words) and pattern.search(text):
                found |= iso3s
        return frozenset(found)

    @functools.lru_cache(maxsize=256)  # noqa: B019
    def actor_regions(self, text: str) -> frozenset[tuple[str, str]]:
        """The (iso3, folded admin1) regions where the groups a text names operate ("OSCE
        SMM": Donetsk and Luhansk); empty when it names none (`aliases.yaml` `actor_areas`)."""
        found: set[tuple[str, str]] = set()
        for (pattern, regions), words in zip(self.actor_areas, self._area_words, strict=True):
            if any(w in text for w in words) and pattern.search(text):
                found |= regions
        return frozenset(found)

    def has(self, key: str) -> bool:
        """Whether `key` names anything (the hot path: most n-grams name nothing)."""
        return key in self._names

    def fuzzy_regions(self, key: str) -> list[int]:
        """Admin1/admin2 rows whose name is one or two edits from `key` (6+ letters):
        "Galgaduud" -> Galguduud, "Samamngan" -> Samangan. Built on first use."""
        if len(key) < 6:
            return []
        if self._fuzzy is None:
            self._fuzzy = {}
            for i in range(len(self._rows)):
                line = self._rows[i]
                kind = line.kind if isinstance(line, Row) else line[: line.index("\t")]
                if kind not in ("admin1", "admin2"):
                    if kind == "city":
                        break  # rows are ordered: countries, admin1, admin2, then towns
                    continue
                k = "".join(name_tokens(self.row(i).name))
                if len(k) >= 6:
                    for v in _deletions(k):
                        self._fuzzy.setdefault(v, set()).add(i)
        found: set[int] = set()
        for v in _deletions(key):
            found |= self._fuzzy.get(v, set())
        return sorted(found)

    # -- building ------------------------------------------------------------------------

    def _index_heads(self) -> None:
        # Countries and admin1 come first in places.tsv.gz; stop at the first other kind.
        for i, line in enumerate(self._rows):
            assert isinstance(line, str)
            kind = line[: line.index("\t")]
            if kind not in ("country", "admin1"):
                break
            r = self.row(i)
            if kind == "country":
                self.country_row[r.iso3] = i
            elif r.admin1:
                self.admin1_row[(r.iso3, fold(r.admin1))] = i
                raw = _parse_row(line)
                if raw.admin1 != r.admin1:  # renamed: both spellings name it
                    self.admin1_row[(r.iso3, fold(raw.admin1 or ""))] = i
                    for key, weak in name_keys(r.admin1):
                        self._add(key, i, weak)
                bare = _UNIT_SUFFIX.sub("", r.admin1)
                if bare != r.admin1 and len(bare) >= 4:
                    # "Central Region" is "Central" in ACLED notes ("Lilongwe (Central)").
                    for key, _ in name_keys(bare):
                        self._add(key, i, True)

    def _add(self, key: str, i: int, weak: bool = False) -> None:
        self._ids.pop(key, None)
        item = f"~{i}" if weak else str(i)
        old = self._names.get(key)
        if old is None:
            self._names[key] = item
        elif item not in old.split(","):
            self._names[key] = f"{old},{item}"

    def _add_row(self, r: Row) -> int:
        self._rows.append(r)
        return len(self._rows) - 1

    def _add_names(self, names: list[str], row_id: int) -> None:
        for name in names:
            for key, _ in name_keys(name, drop_article=False):
                self._add(key, row_id)

    def _load_aliases(self, data: dict[str, Any]) -> None:
        for iso3, names in (data.get("countries") or {}).items():
            self._add_names(names, self.country_row[iso3])
        for iso3, names in (data.get("demonyms") or {}).items():
            # A demonym gets its own row (a copy of the country) so that callers can tell
            # "Iraqi" (a signal) from "Iraq" (a place).
            d = self._add_row(self.row(self.country_row[iso3]))
            self.demonym_rows.add(d)
            self._add_names(names, d)
        for iso3, names in (data.get("actors") or {}).items():
            # A force, group or mission found in one country only ("OSCE SMM", "Koglweogo"):
            # a country row like a demonym's, but evidence of the scene (`actor_rows`).
            d = self._add_row(self.row(self.country_row[iso3]))
            self.demonym_rows.add(d)
            self.actor_rows.add(d)
            self._add_names(names, d)
        for group in data.get("regional_actors") or ():
            # A group active in a few countries ("JNIM": Mali, Burkina Faso, Niger): it says
            # which countries the story can be in, not which one.
            self.regional_actors.append((_names_pattern(group["names"]), frozenset(group["iso3"])))
            self._regional_words.append(_first_words(group["names"]))
        for group in data.get("actor_areas") or ():
            # Where a group operates inside its countries: support for a namesake village there.
            regions = set()
            for iso3, admin1s in group["areas"].items():
                for admin1 in admin1s:
                    if (iso3, fold(admin1)) not in self.admin1_row:
                        warnings.warn(f"aliases.yaml: no admin1 {admin1!r} in {iso3}", stacklevel=2)
                    regions.add((iso3, fold(admin1)))
            self.actor_areas.append((_names_pattern(group["names"]), frozenset(regions)))
            self._area_words.append(_first_words(group["names"]))
        for iso3, regions in (data.get("admin1") or {}).items():
            for admin1, names in regions.items():
                i = self.admin1_row.get((iso3, fold(admin1)))
                if i is None:
                    warnings.warn(f"aliases.yaml: no admin1 {admin1!r} in {iso3}", stacklevel=2)
                    continue
                for name in names:
                    for key, weak in name_keys(name):
                        self._add(key, i, weak)
        for iso3, cities in (data.get("cities") or {}).items():
            for city, names in cities.items():
                i = self._best_city(iso3, city)
                if i is None:
                    warnings.warn(f"aliases.yaml: no city {city!r} in {iso3}", stacklevel=2)
                    continue
                for name in names:
                    for key, weak in name_keys(name):
                        self._add(key, i, weak)
        for abbr in data.get("abbreviations") or ():
            self.abbreviations.add("".join(name_tokens(abbr)))
        self.not_places: set[str] = {"".join(name_tokens(w)) for w in data.get("not_places") or ()}
        for word in data.get("needs_context") or ():
            self.common_words.add("".join(name_tokens(word)))

    def _best_city(self, iso3: str, name: str) -> int | None:
        key = "".join(name_tokens(name))
        found = [i for i, _ in self.ids(key) if self.row(i).iso3 == iso3 and self.row(i).kind == "city"]
        return max(found, key=lambda i: self.row(i).pop or 0) if found else None

    def _load_sites(self, path: Path) -> None:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        for s in data.get("sites") or ():
            kind = s.get("kind", "site")
            iso3 = s.get("iso3") or ""
            admin1 = s.get("admin1")
            if iso3 and admin1 and (iso3, fold(admin1)) in self.admin1_row:
                # Spell admin1 exactly as the gazetteer does.
                admin1 = self.row(self.admin1_row[(iso3, fold(admin1))]).admin1
            i = self._add_row(Row(kind, iso3, admin1, s["name"], s.get("lat"), s.get("lon"), s.get("population")))
            for name in [s["name"], *(s.get("aliases") or ())]:
                for key, weak in name_keys(name):
                    self._add(key, i, weak)
