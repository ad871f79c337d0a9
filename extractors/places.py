"""Places: find place names in text and resolve where an incident happened.

In: text (an article, an ACLED-style note), and for `locate` the character span of one
incident's evidence plus the document's likely countries. Out: `PlaceHit`s (every place name
found, with every place it may mean, best first), the ISO3 codes the text names, and a
`Location` (most specific place, its admin1 and country, coordinates, ACLED geo precision).

Data: an offline gazetteer loaded once per process from `seeds/gazetteer/` (see
`extractors.gazetteer` and that folder's README): countries, first-level regions (admin1),
districts (admin2), 148k towns, 31k district seats and 29k Ukrainian villages, curated conflict sites
and water bodies, and forces and groups tied to one country or a few (or to a few regions).

Which place each name means is `extractors.place_resolve`'s job; whether a country rests on
strong evidence is `extractors.place_evidence`'s (`Location.strong`, `WEAK_RULES`): callers
that count by country abstain on weak ones. This module picks the incident's place among the
resolved names of a span.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from extractors import SEEDS_DIR
from extractors.gazetteer import ARTICLES, GazetteerData, Token, fold, shifted, tokens
from extractors.place_evidence import (
    LOCALS_AFTER,
    NATIONAL_SITE,
    WEAK_RULES,
    TextEvidence,
    bordering,
    rival_place,
    strong,
    text_evidence,
)
from extractors.place_resolve import (
    COMMA_GAP,
    LOCATIVE_WORDS,
    Match,
    TextVotes,
    best_rows,
    kind_of,
    locative,
    resolve,
    text_votes,
    weight,
)
from extractors.place_scan import (
    TOWN_WORDS,
    UNIT_WORDS,
    VILLAGE_WORDS,
    Mention,
    mentions,
    shouting,
    spans,
)

__all__ = ["WEAK_RULES", "Gazetteer", "Location", "Place", "PlaceHit", "PlacedText", "get_gazetteer"]


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


_BUCKET = {"site": 0, "city": 0, "water": 0, "admin2": 0, "admin1": 1, "country": 2}
_NEAR = frozenset(
    "near outside outskirts vicinity around close nearby km kilometres kilometers miles "
    "north south east west northeast northwest southeast southwest between".split()
)
_AWAY = frozenset("from to toward towards with by".split())
_PIECES = 8  # texts whose tokens and name spans `Gazetteer._scan` keeps for reuse


class Gazetteer:
    """Place-name finder and resolver over a loaded `GazetteerData`."""

    def __init__(self, data: GazetteerData) -> None:
        self.data = data
        self._places: dict[int, Place] = {}
        # (text, shouting) -> its tokens and name spans (see `_scan`), the tokens' offsets moved by the int
        self._pieces: dict[tuple[str, bool], tuple[list[Token], list[tuple[int, int, str]], int]] = {}

    # -- public ---------------------------------------------------------------------------

    def placed(self, text: str, context_iso3: Sequence[str] = ()) -> PlacedText:
        """`text`'s place names, scanned and resolved once in the context of `context_iso3`
        (the caller's countries, most likely first): see `PlacedText`. The last few are kept,
        for the calls below that take a text."""
        return self._placed(text, tuple(context_iso3))

    @functools.lru_cache(maxsize=16)  # noqa: B019 - one instance per process
    def _placed(self, text: str, context_iso3: tuple[str, ...]) -> PlacedText:
        return PlacedText(self, text, context_iso3)

    def find(self, text: str) -> list[PlaceHit]:
        """Every accepted place-name occurrence, in text order, non-overlapping (the longest
        name wins), each with all its readings, best first (best = what the text supports)."""
        return self.placed(text).find()

    def countries(self, text: str) -> list[str]:
        """ISO3 codes the text names (countries, demonyms, regions, towns), most often first."""
        matches = self.placed(text).matches
        votes: Counter[str] = Counter()
        first: dict[str, int] = {}
        for k, x in enumerate(matches):
            if x.accepted and not x.m.attributive:
                iso3 = self.data.row(x.best).iso3
                if iso3:
                    # Places weigh more than nationalities ("Ethiopian raiders" in Kenya).
                    votes[iso3] += weight(kind_of(self.data, x.best), False)  # type: ignore[assignment]  # float weights (typeshed: int counts)
                    first.setdefault(iso3, k)
        return sorted(votes, key=lambda c: (-votes[c], first[c]))

    def reading_countries(self, text: str) -> set[str]:
        """ISO3 codes of every reading of every name found in `text`, taken or not: whether the
        gazetteer knows a place of a country there at all (for diagnostics)."""
        return {self.data.row(rid).iso3 for x in self.placed(text).matches for rid, _ in x.m.ids} - {""}

    def place_countries(self, text: str, *, as_scene: bool = False) -> set[str]:
        """ISO3 codes the text names by a place name (a country, region or town) or by a force
        of one country ("OSCE SMM", "Koglweogo"), not only through a nationality, an adjective
        ("US troops") or a border ("border with Mali"). `as_scene`: a country name counts only
        where the text puts something in it ("in Syria"), not where it acts or speaks ("Iran
        accuses Israel")."""
        return set(self.placed(text).place_countries(as_scene))

    def locate(
        self, text: str, start: int, end: int, *, context_iso3: Sequence[str] = ()
    ) -> Location | None:
        """`PlacedText.locate` of `text` read in the context of `context_iso3`."""
        return self.placed(text, context_iso3).locate(start, end)

    def story_place(self, text: str, iso3: str) -> Location | None:
        """Where a story is set, for an incident whose own sentences name no place ("On 2 May,
        in Tetecala, Morelos, two heads were found. 2 fatalities."): the place `locate` gives
        for the whole text when it lies in `iso3`, rests on strong evidence, is more than the
        country, and the text names no other region of `iso3`; else None. Its geo precision
        is at least 2: the incident is only near it as far as the text says."""
        loc = self.locate(text, 0, len(text), context_iso3=(iso3,))
        if loc is None or not loc.strong or loc.iso3 != iso3 or loc.place is None or loc.place.kind == "country":
            return None
        regions = {
            self.data.row(x.best).admin1 for x in self.placed(text, (iso3,)).matches
            if x.accepted and self.data.row(x.best).iso3 == iso3 and kind_of(self.data, x.best) not in
            ("country", "demonym", "actor", "water")
        }
        if len(regions) > 1:
            return None  # "clashes in Kandahar and Zabul": which one is not told
        return dataclasses.replace(loc, geo_precision=max(2, loc.geo_precision or 2))

    def place(self, row_id: int) -> Place:
        """The `Place` of a gazetteer row (cached)."""
        p = self._places.get(row_id)
        if p is None:
            r = self.data.row(row_id)
            kind = "country" if row_id in self.data.demonym_rows else r.kind
            p = self._places[row_id] = Place(r.name, kind, r.iso3, r.admin1, r.lat, r.lon, r.pop)
        return p


    # -- resolution -----------------------------------------------------------------------

    @functools.lru_cache(maxsize=16)  # noqa: B019 - one instance per process
    def _scan(self, text: str) -> tuple[list[Token], list[Mention]]:
        """`place_scan.scan(self.data, text)`, reusing the tokens and name spans of a text
        scanned before when `text` is a line put before it: callers scan an article's title
        and body ("title\nbody") and then the body alone, and the body's tokens and spans are
        its share of the whole text's (a token never joins across a line break, so neither a
        token nor a name crosses one; see `place_scan.spans`). What the surroundings say
        about each name (`place_scan.mentions`) is read in `text` itself."""
        loud = shouting(text)
        cut = text.find("\n") if (text, loud) not in self._pieces else -1
        if cut < 0:
            toks, found = self._piece(text, loud)
        else:
            # the tail's tokens are made where they lie in `text` (a text scanned once is not
            # shifted); they are shifted back when the tail is scanned alone
            toks = tokens(text[:cut])
            found = spans(self.data, toks, loud)
            tail_toks, tail_found = self._piece(text[cut + 1 :], loud, cut + 1)
            n = len(toks)
            toks += tail_toks
            found += [(lo + n, hi + n, key) for lo, hi, key in tail_found]
        return toks, mentions(self.data, text, toks, found, loud)

    @functools.lru_cache(maxsize=16)  # noqa: B019 - one instance per process
    def _text_votes(self, text: str) -> TextVotes:
        """`place_resolve.text_votes` of `text`: the same in every context it is resolved in."""
        toks, found = self._scan(text)
        return text_votes(self.data, text, toks, found)

    def _piece(self, text: str, loud: bool, offset: int = 0) -> tuple[list[Token], list[tuple[int, int, str]]]:
        """The tokens (their offsets moved by `offset`) and name spans of `text` (see `_scan`),
        kept for the last few texts."""
        got = self._pieces.get((text, loud))
        if got is None:
            toks = tokens(text, offset)
            got = toks, spans(self.data, toks, loud), offset
            if len(self._pieces) >= _PIECES:
                self._pieces.clear()  # the reuse is within one document: its title, then its body
            self._pieces[(text, loud)] = got
        toks, found, at = got
        return (toks if at == offset else shifted(toks, offset - at)), found

    # -- building --------------------------------------------------------------------------

    def _location(self, name: str, place: Place, precision: int, strong: bool = True) -> Location:
        lat, lon = place.latitude, place.longitude
        if lat is None and place.kind == "city" and place.admin1:
            # a village known by name and region only (Ukraine's codifier): the region's point
            row = self.data.admin1_row.get((place.iso3, fold(place.admin1)))
            if row is not None:
                lat, lon, precision = self.data.row(row).lat, self.data.row(row).lon, 3
        return Location(
            name, place.admin1 if place.kind != "country" else None, place.iso3 or None,
            lat, lon, precision, place, strong,
        )

    def _hit(self, x: Match) -> PlaceHit:
        seen: set[Place] = set()
        cands = []
        for rid in best_rows(x.scores):
            p = self.place(rid)
            if p not in seen:
                seen.add(p)
                cands.append(p)
        return PlaceHit(x.m.start, x.m.end, x.m.surface, tuple(cands))


class PlacedText:
    """One text's place names, scanned and resolved once (immutable facts: the tokens, every
    name found with its readings and offsets, the text's country votes), so that a span's
    names are taken by offset (bisect) instead of re-reading the text per span.

    Make one with `Gazetteer.placed(text, context_iso3)`. `find(start, end)` gives the hits of
    a span, `locate(start, end)` its place; `plain` is the same text resolved with no caller's
    countries (what `Gazetteer.find` and `place_countries` read).
    """

    def __init__(self, gaz: Gazetteer, text: str, context_iso3: tuple[str, ...]) -> None:
        self.gaz, self.data, self.text, self.context = gaz, gaz.data, text, context_iso3
        self.toks, mentions = gaz._scan(text)
        self.matches, self.votes = resolve(gaz.data, text, self.toks, mentions, context_iso3, gaz._text_votes(text))
        self._starts = [x.m.start for x in self.matches]  # in text order (`place_scan.scan`)
        self._hits: dict[int, PlaceHit] = {}
        self._countries: dict[bool, frozenset[str]] = {}

    @functools.cached_property
    def plain(self) -> PlacedText:
        """The text resolved with no caller's countries."""
        return self if not self.context else self.gaz.placed(self.text)

    @functools.cached_property
    def evidence(self) -> TextEvidence:
        """What the whole text says about each country (see `place_evidence.text_evidence`)."""
        return text_evidence(self.data, self.text, self.toks, self.matches)

    def inside(self, start: int, end: int) -> list[int]:
        """The indices of the accepted matches within text[start:end], in text order."""
        lo, hi = bisect.bisect_left(self._starts, start), bisect.bisect_left(self._starts, end)
        return [k for k in range(lo, hi) if self.matches[k].accepted and self.matches[k].m.end <= end]

    def find(self, start: int = 0, end: int | None = None) -> list[PlaceHit]:
        """The `PlaceHit`s within text[start:end] (all of it by default), in text order."""
        out = []
        for k in self.inside(start, len(self.text) if end is None else end):
            hit = self._hits.get(k)
            if hit is None:
                hit = self._hits[k] = self.gaz._hit(self.matches[k])
            out.append(hit)
        return out

    def place_countries(self, as_scene: bool) -> frozenset[str]:
        """`Gazetteer.place_countries` of the text (read in its own context), worked out once."""
        got = self._countries.get(as_scene)
        if got is None:
            got = self._countries[as_scene] = self._place_countries(as_scene)
        return got

    def _place_countries(self, as_scene: bool) -> frozenset[str]:
        text = self.text
        toks, matches = self.toks, self.matches
        out: set[str] = set()
        for x in matches:
            if x.accepted and not x.m.attributive and kind_of(self.data, x.best) != "demonym":
                r = self.data.row(x.best)
                if not r.iso3 or (r.kind == "country" and bordering(text, x)):
                    continue
                if not as_scene or rival_place(self.data, text, toks, x):
                    out.add(r.iso3)
        return frozenset(out)

    def locate(self, start: int, end: int) -> Location | None:
        """The most specific place named within `text[start:end]`, read in the context of the
        whole text and of its context (the document's countries, most likely first);
        None when the span names no place.

        Among the places of the span, those in the span's main country come first (a
        "Timbuktu triangle" in a Borno story is not in Mali); then towns, sites and
        districts before regions before countries; then places introduced by "in", "at",
        "near" before others; then places not introduced by "from", "to", "border with".
        """
        text, toks, matches, doc_votes, context_iso3 = self.text, self.toks, self.matches, self.votes, self.context
        row = self.data.row
        inside = self.inside(start, end)
        if not inside:
            return None
        # The span's main country: places said to be the scene ("in Syria") count most,
        # agents and adjectives ("U.S. strikes", "Iraqi forces") least.
        votes: Counter[str] = Counter()
        for k in inside:
            x = matches[k]
            side = x.m.attributive or kind_of(self.data, x.best) == "demonym" or bordering(text, x)
            w = 0.0 if x.m.sponsor else 0.5 if side else 1.0 + (x.container_of is not None)
            votes[row(x.best).iso3] += w + 0.5 * locative(toks, x.m.lo)  # type: ignore[assignment]  # float weights (typeshed: int counts)
        for n, iso3 in enumerate(context_iso3[:2]):
            votes[iso3] += 0.3 - 0.1 * n  # type: ignore[assignment]  # float weights (typeshed: int counts)
        for iso3, v in doc_votes.items():
            votes[iso3] += 0.25 * min(v, 6.0)  # type: ignore[assignment]  # float weights; the whole text's countries break ties
        main = votes.most_common(1)[0][0]
        places = [
            k for k in inside
            if not matches[k].m.attributive and matches[k].best not in self.data.demonym_rows
            and not (row(matches[k].best).kind == "country" and bordering(text, matches[k]))
        ]
        if not places:
            return self._signal_location(inside, main)
        # Each place is a candidate; a region also stands for the unknown town named just
        # before it ("in Culianca, Sinaloa": Culianca, in Sinaloa).
        options = []
        for k in [k for k in places if matches[k].container_of is None] or places:
            x = matches[k]
            place = self.gaz.place(x.best)
            unknown = None
            if place.kind in ("admin1", "admin2", "country") or (place.kind == "city" and x.holds_unknown):
                unknown = self._unknown_before(x.m, start)
            if unknown:
                lo, name = unknown
                rank = self._rank(toks, lo, "city", place.iso3, k, main)
                options.append((rank, name, place, 2 if place.kind in ("admin2", "city") else 3, k))
                continue
            rank = self._rank(toks, x.m.lo, place.kind, place.iso3, k, main)
            if place.kind in ("city", "site"):
                near = any(t.norm in _NEAR for t in toks[max(0, x.m.lo - 3) : x.m.lo])
                precision = 2 if near else 1
            else:
                precision = {"admin2": 2}.get(place.kind, 3)
            options.append((rank, place.name, place, precision, k))
        options.sort(key=lambda o: o[0])
        return self._choose(inside, places, options)

    def _signal_location(self, inside: list[int], main: str) -> Location:
        """The country of a span that names no place, only nationalities or forces ("Ukrainian
        soldiers", "Iraqi forces", "the OSCE SMM"), at region precision: a neighbour ("near
        the border with Mali") only when nothing else is named, and the people attacked before
        those who attack ("Ethiopian raiders attack Kenyan herders")."""
        text, matches, row = self.text, self.matches, self.data.row
        signals = [k for k in inside if not bordering(text, matches[k])] or inside
        local = [k for k in signals if LOCALS_AFTER.match(text, matches[k].m.end)]
        if len({row(matches[k].best).iso3 for k in signals}) > 1 and local:
            k = local[0]
        else:
            k = next((k for k in signals if row(matches[k].best).iso3 == main), signals[0])
        p = self.gaz.place(matches[k].best)
        # a nationality or an adjective says whose people act, not where: weak when the
        # text names another country as a place and never names this one as a place
        # ("a Malian police officer shot an imam in Gordaga" in a note naming Burkina Faso)
        is_strong = "demonym" not in WEAK_RULES or self.evidence.supported(p.iso3, exclude=k) \
            or not any(c != p.iso3 for c in self.plain.place_countries(True)) \
            or bool(NATIONAL_SITE.match(text, matches[k].m.end))  # "an Israeli army base": a place
        return self.gaz._location(p.name, p, 3, is_strong)

    def _choose(self, inside: list[int], places: list[int], options: list[tuple[Any, ...]]) -> Location:
        """The location among a span's `options` (rank, name, place, precision, match index;
        best first): the best one whose country rests on strong evidence, so that a weak town
        yields to the region the text ties the story to ("the Rabat area of ... district,
        Zabul"), then to a force of one country in the span ("the OSCE SMM ... near
        Komsomolets"); else the best one, marked weak. A town outside the one region the span
        names as its container is a namesake: "Bamba (Koro, Mopti)" when the gazetteer's Bamba
        is in Gao gives Mopti, or the span's place that lies in it; so is a sea ("a grenade at
        Black Sea junction (Hodan, Banadir)" is a street of Mogadishu)."""
        text, matches = self.text, self.matches
        region = self._named_region(places)
        for _, name, place, precision, k in options:
            if not strong(self.data, text, self.toks, matches, k, self.evidence):
                continue
            if region is None or place.kind not in ("city", "site", "admin2", "water") \
                    or place.iso3 not in (region.iso3, "") or place.admin1 == region.admin1:
                return self.gaz._location(name, place, precision)
            inner = next((o for o in options if o[2].admin1 == region.admin1 and o[2].iso3 == region.iso3
                          and o[2].kind != "admin1"), None)
            if inner is not None:
                return self.gaz._location(inner[1], inner[2], inner[3])
            return self.gaz._location(name, region, 2)
        for k in inside:
            if kind_of(self.data, matches[k].best) == "actor" and not matches[k].m.attributive:
                return self.gaz._location(self.gaz.place(matches[k].best).name, self.gaz.place(matches[k].best), 3)
        _, name, place, precision, _ = options[0]
        return self.gaz._location(name, place, precision, False)

    def _named_region(self, ks: list[int]) -> Place | None:
        """The one region (admin1) the span names as the container of its places: with a unit
        word ("Rakhine State"), as the last qualifier ("(Kachchh, Gujarat)", "district,
        Herat."), or as the container the text ties a place to; None when it names none or
        several ("in Kabul, Ghor and Balkh provinces")."""
        matches = self.matches
        found = {matches[k].best for k in ks if self.data.row(matches[k].best).kind == "admin1"}
        if len(found) != 1:
            return None
        k = next(k for k in ks if matches[k].best in found)
        x = matches[k]
        if x.m.hint == "admin" or x.m.qualifier or x.holds_unknown or x.container_of is not None:
            return self.gaz.place(x.best)
        return None

    @staticmethod
    def _rank(toks: list[Token], lo: int, kind: str, iso3: str, k: int, main: str) -> tuple[Any, ...]:
        """Sort key of a place among a span's options (see `locate`)."""
        away = lo > 0 and toks[lo - 1].norm in _AWAY
        return (iso3 != main and kind != "water", _BUCKET.get(kind, 3), not locative(toks, lo), away, k)

    def _unknown_before(self, m: Mention, start: int) -> tuple[int, str] | None:
        """A capitalised name the gazetteer lacks, just before its known container:
        "near Kamianka, Donetsk" -> "Kamianka"; "in Toulfe (Loroum, Nord)" -> "Toulfe"."""
        text, toks = self.text, self.toks
        q = m.lo - 1  # last word of the unknown name
        while q > 0 and toks[q].norm in UNIT_WORDS | TOWN_WORDS | VILLAGE_WORDS:
            q -= 1  # "in Jalrez district, Wardak"
        if q < 1 or not COMMA_GAP.fullmatch(text, toks[q].end, toks[m.lo].start):
            return None
        lo = q
        while lo > 1 and q - lo < 3 and toks[lo - 1].joins_next and (
            toks[lo - 1].text[0].isupper()
            # an Arabic article inside the name: "in Bir al-Qasab (Rif Dimashq)"
            or (toks[lo - 1].norm in ARTICLES and lo > 2 and toks[lo - 2].joins_next and toks[lo - 2].text[0].isupper())
        ):
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
            before in LOCATIVE_WORDS or before == "of" or before in TOWN_WORDS | VILLAGE_WORDS
        ):
            return None
        return lo, text[toks[lo].start : toks[q].end]


@functools.cache
def get_gazetteer() -> Gazetteer:
    """The gazetteer of `seeds/gazetteer/`, loaded once per process."""
    return Gazetteer(GazetteerData(SEEDS_DIR / "gazetteer"))
