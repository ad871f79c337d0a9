"""The gazetteer's data layer: name normalisation, tokenising, and the loaded lookup tables.

In: the files under `seeds/gazetteer/` (see its README): `places.tsv.gz` and `names.tsv.gz`
(derived from GeoNames data by `scripts/build_gazetteer.py`), `common_words.txt` (derived),
and the hand-curated `sites.yaml` and `aliases.yaml`, read as they are at load time.
Out: `GazetteerData`, which maps a normalised name to the rows it may mean; `tokens()`,
which cuts text into word tokens; and `scan()`, which finds every known name in a text as a
`Mention` with all its readings (resolving them is `extractors.places`' job).

Why not a regex over all names: 600k names make a huge alternation slow to compile and to
run. A name is instead keyed by its normalised tokens glued together ("Deir ez-Zor",
"Deir Ezzor" and "DEIR EZ ZOR" all give "deirezzor"), and text is looked up n-gram by n-gram.
This module is pure (no network); its only I/O is reading the seed files once.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: offsets, surface, folded form, and whether it may join the next."""

    start: int
    end: int
    text: str
    norm: str
    joins_next: bool


def tokens(text: str) -> list[Token]:
    """Cut `text` into word tokens; `joins_next` is False where punctuation ends a name."""
    out: list[Token] = []
    matches = list(_WORD.finditer(text))
    for i, m in enumerate(matches):
        word, end = m.group(), m.end()
        if len(word) > 3 and word[-1] == "s" and word[-2] in "'’":
            word, end = word[:-2], end - 2  # "Syria's" names Syria
        norm = fold(word)
        if not norm:
            continue
        joins = False
        if i + 1 < len(matches) and end == m.end():
            gap = text[end : matches[i + 1].start()]
            # "U.S." and "St. Petersburg": a dot joins only after a one- or two-letter word.
            joins = bool(_JOIN.fullmatch(gap)) or (gap in (".", ". ") and len(norm) <= 2)
        out.append(Token(m.start(), end, word, norm, joins))
    return out


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


def _parse_row(line: str) -> Row:
    kind, iso3, admin1, name, lat, lon, pop = line.split("\t")
    return Row(
        kind, iso3, admin1 or None, name,
        float(lat) if lat else None, float(lon) if lon else None, int(pop) if pop else None,
    )


class GazetteerData:
    """The loaded tables: rows by id, and normalised key -> row ids (weak ones marked).

    `ids(key)` gives `[(row_id, weak), ...]`. Rows and id lists are parsed lazily: the files
    hold ~175k places and ~410k keys, and a document touches a few dozen of them.
    """

    def __init__(self, folder: Path) -> None:
        with gzip.open(folder / "places.tsv.gz", "rt", encoding="utf-8") as f:
            self._rows: list[str | Row] = f.read().split("\n")
        if self._rows and self._rows[-1] == "":
            self._rows.pop()
        with gzip.open(folder / "names.tsv.gz", "rt", encoding="utf-8") as f:
            pairs = (line.partition("\t") for line in f.read().split("\n") if line)
            self._names: dict[str, str] = {k: v for k, _, v in pairs}
        lines = (folder / "common_words.txt").read_text(encoding="utf-8").splitlines()
        self.common_words: set[str] = {w.strip() for w in lines if w.strip() and not w.startswith("#")}
        self._fuzzy: dict[str, set[int]] | None = None
        self.demonym_rows: set[int] = set()
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
        raw = self._names.get(key)
        if raw is None:
            return []
        return [(int(x[1:]), True) if x[0] == "~" else (int(x), False) for x in raw.split(",")]

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
        item = f"~{i}" if weak else str(i)
        old = self._names.get(key)
        if old is None:
            self._names[key] = item
        elif item not in old.split(","):
            self._names[key] = f"{old},{item}"

    def _add_row(self, r: Row) -> int:
        self._rows.append(r)
        return len(self._rows) - 1

    def _load_aliases(self, data: dict) -> None:
        for iso3, names in (data.get("countries") or {}).items():
            i = self.country_row[iso3]
            for name in names:
                for key, _ in name_keys(name, drop_article=False):
                    self._add(key, i)
        for iso3, names in (data.get("demonyms") or {}).items():
            # A demonym gets its own row (a copy of the country) so that callers can tell
            # "Iraqi" (a signal) from "Iraq" (a place).
            d = self._add_row(self.row(self.country_row[iso3]))
            self.demonym_rows.add(d)
            for name in names:
                for key, _ in name_keys(name, drop_article=False):
                    self._add(key, d)
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


# -- scanning text ---------------------------------------------------------------------------

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
    return bool(m) and m.group(1).lower() not in _FUNCTION_WORDS


def _capital(t: Token, shouting: bool) -> bool:
    c = t.text[0]
    return shouting or c.isupper() or c.isdigit()


def scan(data: GazetteerData, text: str) -> tuple[list[Token], list[Mention]]:
    """Every name of `data` in `text`, longest first, left to right, non-overlapping.

    Case matters (a name must be capitalised, apart from particles inside it: "Deir ez-Zor";
    "al-Anbar"), except in text written in capitals. Short all-capital words match only the
    listed abbreviations ("US", "KPK"), not acronyms of bodies ("NAF", "SMM").
    """
    toks = tokens(text)
    letters = [c for c in text[:2000] if c.isalpha()]
    shouting = bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)
    has = data.has
    out: list[Mention] = []
    i, n_toks = 0, len(toks)
    while i < n_toks:
        t = toks[i]
        lower_article = not _capital(t, shouting) and t.norm in ARTICLES
        if not (_capital(t, shouting) or (
            lower_article and t.joins_next and i + 1 < n_toks and _capital(toks[i + 1], shouting)
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
            if not (_capital(window[-1], shouting) or (hi - i > 1 and window[-1].norm in DESCRIPTORS)) or any(
                not _capital(w, shouting) and w.norm not in PARTICLES and w.norm not in DESCRIPTORS
                for w in window[1:-1]
            ):
                continue
            key = "".join(w.norm for w in window)
            if has(key):
                found = (hi, key)
                break
            if hi - i > 1 and any(w.norm in ARTICLES for w in window[:-1]):
                key = "".join("al" if w.norm in ARTICLES else w.norm for w in window)
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
        first, last = toks[i], toks[hi - 1]
        if hi - i == 1 and first.text.isupper() and not shouting and len(first.text) <= 3 \
                and key not in data.abbreviations:
            i += 1  # "NAF", "SMM", "IDP": acronyms, not towns
            continue
        m = Mention(i, hi, first.start, last.end, text[first.start : last.end], data.ids(key))
        m.common = key in data.common_words or (t.norm == "the" and key[3:] in data.common_words)
        m.attributive = bool(_ATTRIBUTIVE.match(text, last.end)) or bool(
            # "BEIRUT (Reuters) -", "KYIV, Ukraine (AP) —": where the reporter files from.
            first.text.isupper() and not shouting and _DATELINE.match(text, last.end)
            and not text[max(0, first.start - 2) : first.start].strip()
        ) or (
            # "US soldiers", "UK officials": an abbreviation before a noun is an adjective.
            key in data.abbreviations and nxt_word_is_noun(text, last.end)
        )
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
        i = hi
    _fuzzy_qualifiers(data, text, toks, out)
    return toks, out


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
        while hi < len(toks) and hi - i < 3 and toks[hi - 1].joins_next and hi not in covered \
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
