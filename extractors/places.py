"""Places: find place names in text and resolve where an incident happened.

In: text (an article, an ACLED-style note), and for `locate` the character span of one
incident's evidence plus the document's likely countries. Out: `PlaceHit`s (every place name
found, with every place it may mean, best first), the ISO3 codes the text names, and a
`Location` (most specific place, its admin1 and country, coordinates, ACLED geo precision).

Data: an offline gazetteer loaded once per process from `seeds/gazetteer/` (see
`extractors.gazetteer` and that folder's README): countries, first-level regions (admin1),
districts (admin2), 235k populated places, curated conflict sites and water bodies.

How a name is resolved: each reading gets a prior (kind, population) plus support from
context: a container named right next to it ("Kamianka, Donetsk", "(Loroum, Nord)", "Syria's
Deir Ezzor"), a unit word ("Anbar province", "Ghazni city"), the countries and regions the
whole text names, and the caller's `context_iso3`; a small town the text puts the event in
("near Novoluhanske") when it is the only country the name can mean and the text names no
other country, not even as a nationality. A small place with no support, and a
name that is also an English word ("Hit", "Man") or part of a person's name, is not taken.

Every `Location` says whether its country rests on strong evidence (`Location.strong`, see
`Gazetteer._strong` and `WEAK_RULES`): callers that count by country abstain on weak ones.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from extractors import SEEDS_DIR
from extractors.gazetteer import (
    TOWN_WORDS,
    UNIT_WORDS,
    VILLAGE_WORDS,
    GazetteerData,
    Mention,
    Row,
    Token,
    scan,
)

__all__ = ["Gazetteer", "Location", "Place", "PlaceHit", "get_gazetteer"]


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry. `kind`: "country", "admin1", "admin2" (a district), "city",
    "site" (base, field, crossing, camp) or "water" (a sea or strait; `iso3` is "")."""

    name: str
    kind: str
    iso3: str
    admin1: str | None
    latitude: float | None
    longitude: float | None
    population: int | None = None


@dataclass(frozen=True, slots=True)
class PlaceHit:
    """One occurrence of a place name: offsets into the text searched, and its readings."""

    start: int
    end: int
    surface: str
    candidates: tuple[Place, ...]


@dataclass(frozen=True, slots=True)
class Location:
    """Where an incident happened. `geo_precision` is ACLED's: 1 the town or site itself,
    2 near a town or a district, 3 only a region or country."""

    location: str | None
    admin1: str | None
    iso3: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    place: Place | None
    # How well the text supports the country: False when the only evidence is weak (a
    # nationality, a country named as actor or neighbour, a small or namesake town whose
    # country nothing else in the text names, a town whose country loses to another the
    # text names). Callers that count by country abstain on a weak location.
    strong: bool = True


ACCEPT = 5.5  # least score a reading needs (a town of ~50k people needs no context)
SMALL = 6.0  # prior under which a town needs support from context (~20k people)
NAMESAKE_MARGIN = 2.0  # score lead over other countries' readings that lets a namesake town stand alone
WEAK_RULES = frozenset({"demonym", "actor", "rival", "namesake"})  # which weak evidence abstains
LARGE_TOWN = 100_000  # a town this big may stand alone for its country when it is no namesake
MAX_CANDIDATES = 40
LONE_LOCATIVE = 2.0  # support for a small town introduced by "in"/"near" in a text naming no rival country

_PRIOR = {"country": 9.0, "admin1": 7.5, "site": 8.5, "water": 8.5, "admin2": 4.5}
_BUCKET = {"site": 0, "city": 0, "water": 0, "admin2": 0, "admin1": 1, "country": 2}
_NEAR = frozenset(
    "near outside outskirts vicinity around close nearby km kilometres kilometers miles "
    "north south east west northeast northwest southeast southwest between".split()
)
_LOCATIVE = frozenset("in at near outside around inside into on within across".split())
_AWAY = frozenset("from to toward towards with by".split())
_GAP_WORDS = "|".join(sorted(UNIT_WORDS | TOWN_WORDS | VILLAGE_WORDS | {"center", "centre", "area", "sector"}))
# What stands between a place and its container: "X, Y", "X (Y", "X in Y", "X district of Y".
_CONTAINER_GAP = re.compile(
    rf"\s*(?:(?:{_GAP_WORDS})\b\s*){{0,2}}(?:[,(/]\s*(?:in\s+)?|(?:in|of)\s+)(?:the\s+)?", re.I
)
_COMMA_GAP = re.compile(rf"\s*(?:(?:{_GAP_WORDS})\b\s*){{0,2}}[,(]\s*", re.I)
_POSSESSIVE_GAP = re.compile(rf"\s*(?:(?:{_GAP_WORDS})\b\s*)?['’]s\s+", re.I)
_LISTING = re.compile(r"\s*(?:,|and\b|or\b|&)\s*[A-Z]")
_COMPOUND_AFTER = re.compile(r"[-‐‑][A-Z]")  # "Kain-Ouro": the name goes on past the match
_BORDER = re.compile(r"\bborders?\s+(?:with\s+|of\s+)?(?:the\s+)?$", re.I)
_OFF_COAST = re.compile(r"\b(?:off|coast\s+of|shores?\s+of|waters\s+of)\s+(?:the\s+)?$", re.IGNORECASE)
# what follows a country named as the one that acts or speaks: "US strikes", "Ukraine downs",
# "Israel has said", "Lebanon PM", "Russia's army"
_ACTOR_AFTER = re.compile(
    r"(?:['’]s)?\s+(?!(?:is|was|has\s+been|had\s+been|as|its|this|thus)\b)"  # "Yemen was hit": no actor
    r"(?:(?:has|have|had|also|then|later|now)\s+)?(?:[a-z]+(?:s|ed)\b|"
    r"(?:PM|president|prime minister|army|military|forces|troops|government|officials|ministry|minister|"
    r"navy|air force|police|authorities)\b)")
# a nationality that qualifies a place, not people: "an Israeli army base", "Syrian territory"
_NATIONAL_SITE = re.compile(
    r"[ \t]+(?:[\w-]+[ \t]+){0,2}?(?:base|bases|outpost|post|positions?|town|towns|village|villages|city|cities|"
    r"territory|soil|airspace|airport|airbase|port|border\s+town|settlement|settlements|capital)\b", re.IGNORECASE)
_BORDER_AFTER = re.compile(r"(?:['’]s)?[ \t]+(?:\w+[ \t]+)?(?:border|frontier)\b", re.I)  # "near the Mali border"


@dataclass(slots=True)
class _Match:
    """A mention being resolved (internal): scores and support per row, the chosen row."""

    m: Mention
    scores: dict[int, float] = field(default_factory=dict)
    support: dict[int, float] = field(default_factory=dict)
    best: int = -1
    accepted: bool = False
    container_of: int | None = None  # index of the match this one contains
    unknown: bool = False  # a namesake of a place the gazetteer lacks ("Kamianka, Donetsk")
    holds_unknown: bool = False  # the region of such a place


class Gazetteer:
    """Place-name finder and resolver over a loaded `GazetteerData`."""

    def __init__(self, data: GazetteerData) -> None:
        self.data = data
        self._places: dict[int, Place] = {}

    # -- public ---------------------------------------------------------------------------

    def find(self, text: str) -> list[PlaceHit]:
        """Every accepted place-name occurrence, in text order, non-overlapping (the longest
        name wins), each with all its readings, best first (best = what the text supports)."""
        _, matches, _ = self._resolve(text, ())
        return [self._hit(x) for x in matches if x.accepted]

    def countries(self, text: str) -> list[str]:
        """ISO3 codes the text names (countries, demonyms, regions, towns), most often first."""
        _, matches, _ = self._resolve(text, ())
        votes: Counter[str] = Counter()
        first: dict[str, int] = {}
        for k, x in enumerate(matches):
            if x.accepted and not x.m.attributive:
                iso3 = self.data.row(x.best).iso3
                if iso3:
                    # Places weigh more than nationalities ("Ethiopian raiders" in Kenya).
                    votes[iso3] += _weight(x.best in self.data.demonym_rows, self.data.row(x.best).kind, False)
                    first.setdefault(iso3, k)
        return sorted(votes, key=lambda c: (-votes[c], first[c]))

    def place_countries(self, text: str, *, as_scene: bool = False) -> set[str]:
        """ISO3 codes the text names by a place name (a country, region or town), not only
        through a nationality, an adjective ("US troops") or a border ("border with Mali").
        `as_scene`: a country name counts only where the text puts something in it ("in
        Syria"), not where it acts or speaks ("Iran accuses Israel")."""
        toks, matches, _ = self._resolve(text, ())
        out: set[str] = set()
        for x in matches:
            if x.accepted and not x.m.attributive and x.best not in self.data.demonym_rows:
                r = self.data.row(x.best)
                if not r.iso3 or (r.kind == "country" and self._bordering(text, x)):
                    continue
                if not as_scene or self._rival_place(text, toks, x):
                    out.add(r.iso3)
        return out

    def locate(
        self, text: str, start: int, end: int, *, context_iso3: Sequence[str] = ()
    ) -> Location | None:
        """The most specific place named within `text[start:end]`, read in the context of the
        whole text and of `context_iso3` (the document's countries, most likely first);
        None when the span names no place.

        Among the places of the span, those in the span's main country come first (a
        "Timbuktu triangle" in a Borno story is not in Mali); then towns, sites and
        districts before regions before countries; then places introduced by "in", "at",
        "near" before others; then places not introduced by "from", "to", "border with".
        """
        toks, matches, doc_votes = self._resolve(text, tuple(context_iso3))
        row = self.data.row
        inside = [k for k, x in enumerate(matches) if x.accepted and start <= x.m.start and x.m.end <= end]
        if not inside:
            return None
        # The span's main country: places said to be the scene ("in Syria") count most,
        # agents and adjectives ("U.S. strikes", "Iraqi forces") least.
        votes: Counter[str] = Counter()
        for k in inside:
            x = matches[k]
            side = x.m.attributive or x.best in self.data.demonym_rows or self._bordering(text, x)
            w = 0.5 if side else 1.0 + (x.container_of is not None)
            votes[row(x.best).iso3] += w + 0.5 * self._locative(toks, x.m.lo)
        for n, iso3 in enumerate(context_iso3[:2]):
            votes[iso3] += 0.3 - 0.1 * n
        for iso3, v in doc_votes.items():
            votes[iso3] += 0.25 * min(v, 6.0)  # the whole text's countries break ties
        main = votes.most_common(1)[0][0]
        places = [
            k for k in inside
            if not matches[k].m.attributive and matches[k].best not in self.data.demonym_rows
            and not (row(matches[k].best).kind == "country" and self._bordering(text, matches[k]))
        ]
        if not places:
            # Only "Ukrainian soldiers", "Iraqi forces": that country, at region precision.
            k = next((k for k in inside if row(matches[k].best).iso3 == main), inside[0])
            p = self.place(matches[k].best)
            # a nationality or an adjective says whose people act, not where: weak when the
            # text names another country as a place and never names this one as a place
            # ("a Malian police officer shot an imam in Gordaga" in a note naming Burkina Faso)
            strong = "demonym" not in WEAK_RULES or self._place_support(text, matches, p.iso3, exclude=k) > 0 \
                or not any(c != p.iso3 for c in self.place_countries(text, as_scene=True)) \
                or bool(_NATIONAL_SITE.match(text, matches[k].m.end))  # "an Israeli army base": a place
            return self._location(p.name, p, 3, strong)
        # Each place is a candidate; a region also stands for the unknown town named just
        # before it ("in Culianca, Sinaloa": Culianca, in Sinaloa).
        options = []
        for k in [k for k in places if matches[k].container_of is None] or places:
            x = matches[k]
            place = self.place(x.best)
            unknown = None
            if place.kind in ("admin1", "admin2", "country"):
                unknown = self._unknown_before(text, toks, x.m, start)
            if unknown:
                lo, name = unknown
                rank = self._rank(toks, lo, "city", place.iso3, k, main)
                options.append((rank, name, place, 2 if place.kind == "admin2" else 3, k))
                continue
            rank = self._rank(toks, x.m.lo, place.kind, place.iso3, k, main)
            if place.kind in ("city", "site"):
                near = any(t.norm in _NEAR for t in toks[max(0, x.m.lo - 3) : x.m.lo])
                precision = 2 if near else 1
            else:
                precision = {"admin2": 2}.get(place.kind, 3)
            options.append((rank, place.name, place, precision, k))
        _, name, place, precision, k = min(options, key=lambda o: o[0])
        return self._location(name, place, precision, self._strong(text, toks, matches, k))

    def place(self, row_id: int) -> Place:
        """The `Place` of a gazetteer row (cached)."""
        p = self._places.get(row_id)
        if p is None:
            r = self.data.row(row_id)
            kind = "country" if row_id in self.data.demonym_rows else r.kind
            p = self._places[row_id] = Place(r.name, kind, r.iso3, r.admin1, r.lat, r.lon, r.pop)
        return p

    # -- resolution -----------------------------------------------------------------------

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one instance per process
    def _scan(self, text: str) -> tuple[list[Token], list[Mention]]:
        return scan(self.data, text)

    @functools.lru_cache(maxsize=256)  # noqa: B019
    def _resolve(
        self, text: str, context_iso3: tuple[str, ...]
    ) -> tuple[list[Token], list[_Match], Counter[str]]:
        toks, mentions = self._scan(text)
        row = self.data.row
        matches = [_Match(m) for m in mentions]
        # Pass 1: which countries and regions does the text name without doubt? Each clear
        # mention is weighed by what it is: a country or region named as such counts most, a
        # town less, a nationality or an adjective ("Ethiopian militia", "Iran-backed") least:
        # whose people act is weak evidence of where.
        votes: Counter[str] = Counter()
        own: list[tuple[str, float] | None] = [None] * len(matches)
        regions: set[tuple[str, str]] = set()
        unique = [len({row(rid).iso3 for rid, _ in x.m.ids}) == 1 for x in matches]
        for n, x in enumerate(matches):
            best_by_iso: dict[str, tuple[float, int]] = {}
            for rid, weak in x.m.ids:
                r = row(rid)
                s = self._prior(rid, r, weak, unique[n])
                if s > best_by_iso.get(r.iso3, (-1e9, 0))[0]:
                    best_by_iso[r.iso3] = (s, rid)
            ranked = sorted(best_by_iso.items(), key=lambda kv: -kv[1][0])
            if ranked and ranked[0][1][0] >= ACCEPT and not x.m.common and not x.m.in_name and (
                len(ranked) == 1 or ranked[0][1][0] - ranked[1][1][0] >= 1.0
            ):
                iso3, (_, rid) = ranked[0]
                if iso3:
                    w = _weight(rid in self.data.demonym_rows, row(rid).kind, x.m.attributive,
                                ranked[0][1][0] >= 6.5)
                    votes[iso3] += w
                    own[n] = (iso3, w)
                for rid, weak in x.m.ids:
                    r = row(rid)
                    if not weak and r.kind in ("admin1", "admin2") and r.iso3 == ranked[0][0]:
                        regions.add((r.iso3, r.admin1 or ""))
        top = max(votes, key=votes.__getitem__) if votes else None
        ctx = {iso3: 2.5 - min(n, 1) for n, iso3 in enumerate(context_iso3)}

        # Pass 2: score every reading in that context.
        for n, x in enumerate(matches):
            mine = own[n]
            for rid, weak in x.m.ids:
                r = row(rid)
                support = 0.0
                penalty = 0.0
                if r.iso3:
                    # Evidence for this reading's country from the rest of the text only.
                    other = votes[r.iso3] - (mine[1] if mine and mine[0] == r.iso3 else 0.0)
                    rival = max((v for c, v in votes.items() if c != r.iso3), default=0.0)
                    if r.iso3 in votes:  # a clear name is evidence of its own country
                        support += 2.5 if r.iso3 == top and votes[top] >= 1.0 else 1.5
                    sure = bool(mine) and mine[0] == r.iso3 and mine[1] >= 1.0  # "Corrientes"
                    if other <= 0.25 and rival >= 1.5 and not sure and (
                        (r.kind in ("city", "admin2", "site") and self._prior(rid, r, False) < 7.0)
                        or (r.kind == "admin1" and not unique[n])
                    ):
                        # A namesake in a country the text gives no other sign of, while it
                        # names another: "Inata" (Burkina Faso) is no Inada in Japan, the
                        # "Central" of a Malawi note no region of Botswana.
                        penalty = 2.5
                    support += ctx.get(r.iso3, 0.0) if other > 0.25 or not rival else 0.0
                    if r.kind not in ("country", "admin1") and (r.iso3, r.admin1 or "") in regions:
                        support += 2.0
                    elif r.kind == "city" and unique[n] and not x.m.common and not x.m.in_name \
                            and rival <= 0.0 and self._locative(toks, x.m.lo) \
                            and not _COMPOUND_AFTER.match(text, x.m.end):
                        # "near Novoluhanske", "in the village of Sabse": a name the text puts
                        # the event in, that only one country has, and no other country named.
                        support += LONE_LOCATIVE
                s = self._prior(rid, r, weak, unique[n]) + support - penalty
                if x.m.hint == "admin":
                    s += 3.0 if r.kind in ("admin1", "admin2") else -1.0
                elif x.m.hint in ("city", "village"):
                    s += 1.5 if r.kind == "city" else -1.0
                    if x.m.hint == "village" and (r.pop or 0) > 50_000:
                        s -= 3.0  # a village is no city of 50k
                x.scores[rid] = s
                x.support[rid] = support
        self._link_containers(text, matches)
        for n, x in enumerate(matches):
            x.best = max(x.scores, key=x.scores.__getitem__)
            r = row(x.best)
            if r.kind == "admin2" and x.m.hint != "admin":
                # "Hit" is the town before it is the district named after it.
                seat = [c for c in x.scores if row(c).kind == "city" and row(c).admin1 == r.admin1
                        and row(c).iso3 == r.iso3 and x.scores[c] >= x.scores[x.best] - 2.5]
                if seat:
                    x.best = max(seat, key=x.scores.__getitem__)
                    r = row(x.best)
            prior = self._prior(x.best, r, False, unique[n])
            confirmed = x.m.hint == "admin" or x.container_of is not None or x.holds_unknown or (
                x.m.qualifier and r.kind in ("admin1", "admin2")
            ) or any(
                o.container_of is not None and matches[o.container_of] is x for o in matches
            )
            if r.kind in ("city", "admin2"):
                doubtful = x.m.common or x.m.in_name or (prior < SMALL and not x.support[x.best])
            else:  # "Delta", "Unity": a region of the text's own country, or with support
                doubtful = x.m.common and r.kind == "admin1" and r.iso3 != top \
                    and r.iso3 not in context_iso3[:1]
            x.accepted = x.scores[x.best] >= ACCEPT and not x.unknown and (confirmed or not doubtful)
        return toks, matches, votes

    def _prior(self, rid: int, r: Row, weak: bool, unique: bool = False) -> float:
        if rid in self.data.demonym_rows:
            s = 8.0
        elif r.kind == "city":
            s = 1.2 * math.log10((r.pop or 0) + 10) + 0.5  # 500 people 3.7; 50k 6.1; 5M 8.5
        elif r.kind == "admin2":
            # A district name found in one country only ("Loroum", "Oudalan") is rarely
            # anything else; shared ones ("Central") need support.
            s = _PRIOR["admin2"] + (1.5 if unique else 0.0)
        else:
            s = _PRIOR[r.kind]
        return s - 1.5 if weak else s

    def _link_containers(self, text: str, matches: list[_Match]) -> None:
        """Read "A, B" / "A (B" / "A in B" / "B's A" as a place and its container, and favour
        the readings that make it so: "Kamianka, Donetsk" picks the Kamianka in Donetsk.
        When no reading of A lies in the region B, A is a place the gazetteer lacks (or a
        namesake elsewhere) and is dropped: B is what is known. Chains are read from the
        right, the outermost (most certain) container first: "Kotwali, Pratapgarh (UP)"."""
        row = self.data.row
        for k in range(len(matches) - 2, -1, -1):
            a, b = matches[k], matches[k + 1]
            gap = text[a.m.end : b.m.start]
            if len(gap) > 30:
                continue
            if _POSSESSIVE_GAP.fullmatch(gap):
                inner, outer = b, a  # "Syria's Deir Ezzor", "Kandahar province's Zhari"
            elif _CONTAINER_GAP.fullmatch(gap) and text[b.m.end : b.m.end + 2] not in ("'s", "’s"):
                inner, outer = a, b  # ... but not "Gaza, Israel's army said"
            else:
                continue
            top_in = _top(inner.scores)
            top_out = _top(outer.scores)
            floor = outer.scores[top_out[0]] - 4.0
            top_out = [y for y in top_out if outer.scores[y] >= floor]
            bonus_in: set[int] = set()
            bonus_out: set[int] = set()
            for xid in top_in:
                rx = row(xid)
                for y in top_out:
                    if _contains(row(y), rx):
                        bonus_in.add(xid)
                        bonus_out.add(y)
            if bonus_in:
                for xid in bonus_in:
                    inner.scores[xid] += 5.0
                    inner.support[xid] += 5.0
                for xid in top_in:
                    if xid not in bonus_in:
                        # Not inside the container the text names: "Guaira, Parana" is the
                        # town in Brazil's Parana, not Paraguay's Guaira department.
                        inner.scores[xid] -= 3.0
                for y in bonus_out:
                    outer.scores[y] += 4.0
                    outer.support[y] += 4.0
                outer.container_of = k if inner is a else k + 1
            elif inner is a and not _LISTING.match(text, b.m.end):
                regions = [y for y in top_out if row(y).kind in ("admin1", "admin2", "country")]
                best_in = row(top_in[0])
                if not regions or best_in.kind not in ("city", "admin2", "admin1"):
                    continue
                small = self._prior(top_in[0], best_in, False) < 6.5
                foreign = best_in.iso3 not in {row(y).iso3 for y in regions}
                comma = bool(_COMMA_GAP.fullmatch(gap))
                if foreign or (comma and (small or best_in.kind != "admin1")):
                    for y in regions:
                        outer.scores[y] += 3.0
                        outer.support[y] += 3.0
                    a.unknown = True
                    b.holds_unknown = True

    # -- locating -------------------------------------------------------------------------

    def _bordering(self, text: str, x: _Match) -> bool:
        """"near the border with Somalia": a neighbour, not the scene."""
        return bool(_BORDER.search(text, max(0, x.m.start - 24), x.m.start)) \
            or bool(_BORDER_AFTER.match(text, x.m.end))

    @staticmethod
    def _locative(toks: list[Token], lo: int) -> bool:
        """Whether "in", "at", "near"... (or "village of") introduces the name at token `lo`."""
        back = [t.norm for t in toks[max(0, lo - 4) : lo]]
        return any(w in _LOCATIVE for w in back) or (
            len(back) >= 2 and back[-1] == "of" and back[-2] in TOWN_WORDS | VILLAGE_WORDS
        )

    def _rank(self, toks: list[Token], lo: int, kind: str, iso3: str, k: int, main: str) -> tuple:
        away = lo > 0 and toks[lo - 1].norm in _AWAY
        return (iso3 != main and kind != "water", _BUCKET.get(kind, 3), not self._locative(toks, lo), away, k)

    def _unknown_before(
        self, text: str, toks: list[Token], m: Mention, start: int
    ) -> tuple[int, str] | None:
        """A capitalised name the gazetteer lacks, just before its known container:
        "near Kamianka, Donetsk" -> "Kamianka"; "in Toulfe (Loroum, Nord)" -> "Toulfe"."""
        q = m.lo - 1  # last word of the unknown name
        while q > 0 and toks[q].norm in UNIT_WORDS | TOWN_WORDS | VILLAGE_WORDS:
            q -= 1  # "in Jalrez district, Wardak"
        if q < 1 or not _COMMA_GAP.fullmatch(text, toks[q].end, toks[m.lo].start):
            return None
        lo = q
        while lo > 1 and q - lo < 3 and toks[lo - 1].joins_next and toks[lo - 1].text[0].isupper():
            lo -= 1
        # "in Dambam (Markoye, Oudalan)": the place is the one before the bracket.
        if lo > 2 and "(" in text[toks[lo - 1].end : toks[lo].start] \
                and toks[lo - 1].norm in TOWN_WORDS | VILLAGE_WORDS:
            lo -= 1  # "Kolofata town (Mayo-Sava, Extreme-Nord)"
        if lo > 1 and "(" in text[toks[lo - 1].end : toks[lo].start] and toks[lo - 1].text[0].isupper():
            q = lo = lo - 1
            while lo > 1 and q - lo < 3 and toks[lo - 1].joins_next and toks[lo - 1].text[0].isupper():
                lo -= 1
        before = toks[lo - 1].norm
        if toks[lo].start < start or not toks[lo].text[0].isupper() or not (
            before in _LOCATIVE or before == "of" or before in TOWN_WORDS | VILLAGE_WORDS
        ):
            return None
        return lo, text[toks[lo].start : toks[q].end]

    def _location(self, name: str, place: Place, precision: int, strong: bool = True) -> Location:
        return Location(
            name, place.admin1 if place.kind != "country" else None, place.iso3 or None,
            place.latitude, place.longitude, precision, place, strong,
        )

    # -- strength of the evidence for a country -----------------------------------------------

    def _place_support(self, text: str, matches: list[_Match], iso3: str, exclude: int) -> float:
        """How much the text's other place names (not nationalities, adjectives or neighbours)
        say the text is about `iso3`."""
        row = self.data.row
        total = 0.0
        for j, y in enumerate(matches):
            if j == exclude or not y.accepted or y.m.attributive or y.best in self.data.demonym_rows:
                continue
            r = row(y.best)
            if r.iso3 != iso3 or (r.kind == "country" and self._bordering(text, y)):
                continue
            total += _weight(False, r.kind, False)
        return total

    def _placed(self, text: str, toks: list[Token], x: _Match) -> bool:
        """Named as a scene: "in Syria", "off the coast of Yemen", "Syria's Deir Ezzor"."""
        return self._locative(toks, x.m.lo) or bool(_OFF_COAST.search(text, max(0, x.m.start - 24), x.m.start))

    def _rival_place(self, text: str, toks: list[Token], y: _Match) -> bool:
        """Whether mention `y` names a place that competes as the scene: a town or region, or a
        country named as a place; not a neighbour ("border with Mali") nor a country named only
        as the one that acts or speaks ("Iran accuses Israel")."""
        if self.data.row(y.best).kind != "country":
            return True
        return not self._bordering(text, y) and self._placed(text, toks, y)

    def _strong(self, text: str, toks: list[Token], matches: list[_Match], k: int) -> bool:
        """Whether the country of the place chosen at `matches[k]` rests on strong evidence.

        Strong: a country or region named as such (not as a neighbour or an actor); a place
        tied to its container ("Kamianka, Donetsk", "Syria's Deir Ezzor"); a place whose
        country another place of the text names; a large town or one whose name no other
        country has, when the text names no rival country. Weak: anything else, e.g. a small
        namesake town, or a town whose country loses to another country the text names.
        """
        row = self.data.row
        x = matches[k]
        r = row(x.best)
        iso3 = r.iso3
        if not iso3:
            return True  # a sea: no country is claimed
        if x.container_of is not None or x.holds_unknown or any(
                o.container_of is not None and matches[o.container_of] is x for o in matches):
            return True
        own = self._place_support(text, matches, iso3, exclude=k)
        rivals: Counter[str] = Counter()
        for j, y in enumerate(matches):
            if j == k or not y.accepted or y.m.attributive or y.best in self.data.demonym_rows \
                    or _COMPOUND_AFTER.match(text, y.m.end):  # "Gourma-Rharous": not that Gourma
                continue
            ry = row(y.best)
            if ry.iso3 and ry.iso3 != iso3 and self._rival_place(text, toks, y):
                rivals[ry.iso3] += _weight(False, ry.kind, False)
        rival = max(rivals.values(), default=0.0)
        if r.kind in ("country", "admin1"):
            # a country named only as the one that acts or speaks ("US strikes", "Ukraine downs",
            # "Lebanon PM says"), never as a place, while nothing else in the text names it
            return own > 0 or self._placed(text, toks, x) or x.m.hint == "admin" or "actor" not in WEAK_RULES \
                or not _ACTOR_AFTER.match(text, x.m.end)
        if own > 0:
            return True
        readings = {row(rid).iso3 for rid, _ in x.m.ids}
        unique = len(readings) == 1
        large = (r.pop or 0) >= LARGE_TOWN
        if rival > 0:
            # a town whose country the text gives no other sign of, while it names another; a
            # large town no other country has yields only to another town ("Tegucigalpa ...
            # Los Angeles cemetery"), not to a region or country named as a place
            return "rival" not in WEAK_RULES or (unique and large and rival < 1.5)
        # alone in the text: a namesake needs to be large, or to be its own region's name too
        # ("Farah", "Salyan"), or to outscore every other country's reading clearly
        margin = x.scores[x.best] - max((v for rid, v in x.scores.items() if row(rid).iso3 != iso3), default=-1e9)
        also_region = any(row(rid).kind in ("admin1", "admin2") and row(rid).iso3 == iso3 for rid, _ in x.m.ids)
        return "namesake" not in WEAK_RULES or unique or large or also_region or margin >= NAMESAKE_MARGIN

    def _hit(self, x: _Match) -> PlaceHit:
        seen: set[Place] = set()
        cands = []
        for rid in _top(x.scores):
            p = self.place(rid)
            if p not in seen:
                seen.add(p)
                cands.append(p)
        return PlaceHit(x.m.start, x.m.end, x.m.surface, tuple(cands))


def _weight(demonym: bool, kind: str, attributive: bool, big: bool = True) -> float:
    """How much one clear mention says about the country of the text (see `_resolve`)."""
    if attributive or demonym:
        return 0.5
    return {"country": 2.0, "admin1": 2.0, "admin2": 1.5}.get(kind, 1.0 if big else 0.5)


def _top(scores: dict[int, float]) -> list[int]:
    return sorted(scores, key=scores.__getitem__, reverse=True)[:MAX_CANDIDATES]


def _contains(outer: Row, inner: Row) -> bool:
    """Whether `outer` can be the region, district or city that holds `inner`."""
    if not outer.iso3 or outer.iso3 != inner.iso3 or outer is inner:
        return False
    if outer.kind == "country":
        return inner.kind != "country"
    if outer.kind == "admin1":
        return inner.kind in ("admin2", "city", "site") and inner.admin1 == outer.admin1
    if outer.kind == "admin2":
        return inner.kind in ("city", "site") and inner.admin1 == outer.admin1
    if outer.kind == "city":  # "Green Zone, Baghdad"; "Wadajir, Mogadishu"
        if inner.kind == "site":
            return inner.admin1 == outer.admin1
        return inner.kind == "city" and inner.admin1 == outer.admin1 \
            and (outer.pop or 0) >= max(100_000, 5 * (inner.pop or 0))
    return False


@functools.cache
def get_gazetteer() -> Gazetteer:
    """The gazetteer of `seeds/gazetteer/`, loaded once per process."""
    return Gazetteer(GazetteerData(SEEDS_DIR / "gazetteer"))
