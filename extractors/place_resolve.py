"""Resolving place names: which place each name in a text means (used by `extractors.places`).

In: the tokens and `Mention`s that `place_scan.scan` found in a text, the loaded
`GazetteerData`, and the caller's likely countries. Out: a `Match` per mention (every reading
scored, the best one, whether it is taken) and the countries the text names without doubt.

Each reading gets a prior (kind, population) plus support from context: a container named
right next to it ("Kamianka, Donetsk", "(Loroum, Nord)", "Syria's Deir Ezzor"), a unit word
("Anbar province", "Ghazni city"), a region word closing a bracket ("(Zimtanga, Bam)"), the
countries and regions the whole text names, a group the text names that is active in a few
countries ("JNIM": Mali, Burkina Faso, Niger) or in a few regions ("OSCE SMM": Donetsk,
Luhansk), and the caller's countries; a small town the
text puts the event in ("near Novoluhanske") when it is the only country the name can mean
and the text names no other country. A small place with no support, and a name that is also
an English word ("Hit", "Man") or part of a person's name, is not taken.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from extractors.gazetteer import GazetteerData, Row, Token, fold
from extractors.place_names import person_names
from extractors.place_scan import TOWN_WORDS, UNIT_WORDS, VILLAGE_WORDS, Mention

ACCEPT = 5.5  # least score a reading needs (a town of ~50k people needs no context)
SMALL = 6.0  # prior under which a town needs support from context (~20k people)
MAX_CANDIDATES = 40
REGION_SUPPORT = 1.5  # for a reading in a country where a group the text names is active
AREA_SUPPORT = 5.0  # for a place in a region where a group the text names operates (outweighs size)
QUALIFIER = 2.0  # for a region reading of the name that closes "(X, Y)" or "X, Y."
SEAT_POPULATION = 1000  # what a district seat of unknown population weighs as (scripts/build_gazetteer.py)
LONE_LOCATIVE = 2.0  # support for a small town introduced by "in"/"near" in a text naming no rival country

_PRIOR = {"country": 9.0, "admin1": 7.5, "site": 8.5, "water": 8.5, "admin2": 4.5}
LOCATIVE_WORDS = frozenset("in at near outside around inside into on within across".split())
_GAP_WORDS = "|".join(sorted(UNIT_WORDS | TOWN_WORDS | VILLAGE_WORDS | {"center", "centre", "area", "sector"}))
# What stands between a place and its container: "X, Y", "X (Y", "X in Y", "X district of Y",
# and "X (Z, Y" where Z is a district the gazetteer lacks ("Ariel (Nassoumbou, Soum)").
_CONTAINER_GAP = re.compile(
    rf"\s*(?:(?:{_GAP_WORDS})\b\s*){{0,2}}(?:[,(/]\s*(?:in\s+)?|(?:in|of)\s+)(?:the\s+)?"
    r"|\s*\(\s*(?-i:[A-Z])[^\W\d_]+(?:[ -](?-i:[A-Z])[^\W\d_]+){0,2}\s*,\s*", re.I
)
COMMA_GAP = re.compile(rf"\s*(?:(?:{_GAP_WORDS})\b\s*){{0,2}}[,(]\s*", re.I)
_POSSESSIVE_GAP = re.compile(rf"\s*(?:(?:{_GAP_WORDS})\b\s*)?['’]s\s+", re.I)
_LISTING = re.compile(r"\s*(?:,|and\b|or\b|&)\s*[A-Z]")
COMPOUND_AFTER = re.compile(r"[-‐‑][A-Z]")  # "Kain-Ouro": the name goes on past the match


@dataclass(slots=True)
class Match:
    """A mention being resolved: scores and support per row, the chosen row."""

    m: Mention
    scores: dict[int, float] = field(default_factory=dict)
    support: dict[int, float] = field(default_factory=dict)
    best: int = -1
    accepted: bool = False
    container_of: int | None = None  # index of the match this one contains
    unknown: bool = False  # a namesake of a place the gazetteer lacks ("Kamianka, Donetsk")
    holds_unknown: bool = False  # the region of such a place


@dataclass(frozen=True, slots=True)
class TextVotes:
    """What a text's clear names say before any caller's countries are known (`text_votes`):
    the same for every `resolve` of the text, so worked out once.

    `persons`: {mention index: rule id} of the names that stand for a person. `votes`: iso3 ->
    weight of the clear names. `own`: per mention, the (iso3, weight) it votes, or None.
    `regions`: (iso3, admin1) -> the mentions naming it through a district reading (-1: as a
    region). `unique`: per mention, whether all its readings lie in one country. `top`: the
    country with the most votes. `region` / `area`: the countries and regions where groups the
    text names are active. `readings`: per mention, each reading's score before any caller's
    countries (see `Reading`)."""

    persons: dict[int, str]
    votes: Counter[str]
    own: list[tuple[str, float] | None]
    regions: dict[tuple[str, str], set[int]]
    unique: list[bool]
    top: str | None
    region: frozenset[str]
    area: frozenset[tuple[str, str]]
    readings: list[list[Reading]]


class Reading(NamedTuple):
    """One reading of a mention scored from the text alone (`text_votes`, pass 2 of `resolve`
    but for the caller's countries): its score is `prior + support - penalty` then each of
    `hints` added, where `support` is `base` plus the caller's weight of `open_to` (a country
    the rest of the text gives evidence of, or names no rival to; None: no caller weighs)."""

    rid: int
    open_to: str | None
    prior: float
    base: float
    penalty: float
    hints: tuple[float, ...]


def text_votes(data: GazetteerData, text: str, toks: list[Token], mentions: list[Mention]) -> TextVotes:
    """Pass 1 of `resolve`: which countries and regions does the text name without doubt?"""
    row = data.row
    persons = person_names(data, text, toks, mentions)  # issue 13: a place name standing for a person
    # Each clear mention is weighed by what it is: a country or region named as such counts most,
    # a town less, a nationality or an adjective ("Ethiopian militia", "Iran-backed") least:
    # whose people act is weak evidence of where.
    votes: Counter[str] = Counter()
    own: list[tuple[str, float] | None] = [None] * len(mentions)
    # (iso3, admin1) -> the mentions that name it through a district reading, -1 for a region
    # named as such
    regions: dict[tuple[str, str], set[int]] = {}
    rows = [[row(rid) for rid, _ in m.ids] for m in mentions]  # each mention's readings, looked up once
    unique = [len({r.iso3 for r in found}) == 1 for found in rows]
    priors: list[list[float]] = []  # each reading's `reading_prior`, worked out once
    for n, m in enumerate(mentions):
        in_name = m.in_name or n in persons
        best_by_iso: dict[str, tuple[float, int]] = {}
        priors.append([reading_prior(data, rid, r, weak, unique[n])
                       for (rid, weak), r in zip(m.ids, rows[n], strict=True)])
        for (rid, _), r, s in zip(m.ids, rows[n], priors[n], strict=True):
            if s > best_by_iso.get(r.iso3, (-1e9, 0))[0]:
                best_by_iso[r.iso3] = (s, rid)
        ranked = sorted(best_by_iso.items(), key=lambda kv: -kv[1][0])
        if ranked and ranked[0][1][0] >= ACCEPT and not m.common and not in_name and (
            len(ranked) == 1 or ranked[0][1][0] - ranked[1][1][0] >= 1.0
        ):
            iso3, (_, rid) = ranked[0]
            if iso3 and not m.sponsor:
                w = weight(kind_of(data, rid), m.attributive, ranked[0][1][0] >= 6.5)
                votes[iso3] += w  # type: ignore[assignment]  # float weights (typeshed: int counts)
                own[n] = (iso3, w)
            for (_, weak), r in zip(m.ids, rows[n], strict=True):
                if not weak and r.kind in ("admin1", "admin2") and r.iso3 == ranked[0][0]:
                    regions.setdefault((r.iso3, r.admin1 or ""), set()).add(n if r.kind == "admin2" else -1)
    top = max(votes, key=votes.__getitem__) if votes else None
    region, area = data.actor_countries(text), data.actor_regions(text)
    first = TextVotes(persons, votes, own, regions, unique, top, region, area, [])
    return dataclasses.replace(first, readings=_readings(data, text, toks, mentions, first, rows, priors))


def _readings(data: GazetteerData, text: str, toks: list[Token], mentions: list[Mention], first: TextVotes,
              rows: list[list[Row]], priors: list[list[float]]) -> list[list[Reading]]:
    """Pass 2 of `resolve` without the caller's countries: every reading of every mention
    scored by what the rest of the text says (the caller's countries only add to `support`;
    all the weights are halves, so the sums are exact in any order). `rows` and `priors`: each
    reading's gazetteer row and `reading_prior`, as pass 1 found them."""
    votes, own, regions, unique, top = first.votes, first.own, first.regions, first.unique, first.top
    region, area = first.region, first.area
    rivals: dict[str, float] = {}  # iso3 -> the most votes of another country (votes are fixed now)
    out: list[list[Reading]] = []
    for n, m in enumerate(mentions):
        mine_iso, mine_w = own[n] or ("", 0.0)
        in_name = m.in_name or n in first.persons
        scored: list[Reading] = []
        for (rid, _), r, prior in zip(m.ids, rows[n], priors[n], strict=True):
            support = 0.0
            penalty = 0.0
            open_to = None
            iso3, kind = r.iso3, r.kind
            if iso3:
                # Evidence for this reading's country from the rest of the text only.
                other = votes.get(iso3, 0) - (mine_w if mine_iso == iso3 else 0.0)
                rival = rivals.get(iso3)
                if rival is None:
                    rival = rivals[iso3] = max((v for c, v in votes.items() if c != iso3), default=0.0)
                if iso3 in votes:  # a clear name is evidence of its own country
                    support += 2.5 if iso3 == top and votes[top] >= 1.0 else 1.5
                sure = mine_iso == iso3 and mine_w >= 1.0  # "Corrientes"
                if other <= 0.25 and rival >= 1.5 and not sure and (
                    (kind in ("city", "admin2", "site") and reading_prior(data, rid, r, False) < 7.0)
                    or (kind == "admin1" and not unique[n])
                ):
                    # A namesake in a country the text gives no other sign of, while it
                    # names another: "Inata" (Burkina Faso) is no Inada in Japan, the
                    # "Central" of a Malawi note no region of Botswana.
                    penalty = 2.5
                if other > 0.25 or not rival:
                    open_to = iso3  # the caller's countries weigh in (see `resolve`)
                if iso3 in region and kind != "country":
                    support += REGION_SUPPORT  # "JNIM militants ... Bam": Burkina's Bam
                if area and kind != "country" and (iso3, fold(r.admin1 or "")) in area:
                    # "the OSCE SMM ... near Serhiivka": Donetsk's; "Houthi positions in Al
                    # Jawf": Yemen's governorate, not Saudi Arabia's province
                    support += AREA_SUPPORT
                named = regions.get((iso3, r.admin1 or "")) if kind not in ("country", "admin1") else None
                if named and (len(named) > 1 or n not in named):
                    # a region the text names ("Kamianka ... in Donetsk"; "Corrientes" for
                    # the town of Corrientes), but not only through this name's own district
                    # reading ("Guerrero state" is no district of Chihuahua)
                    support += 2.0
                elif kind == "city" and unique[n] and not m.common and not in_name \
                        and rival <= 0.0 and locative(toks, m.lo) \
                        and not COMPOUND_AFTER.match(text, m.end):
                    # "near Novoluhanske", "in the village of Sabse": a name the text puts
                    # the event in, that only one country has, and no other country named.
                    support += LONE_LOCATIVE
            hints: tuple[float, ...] = ()
            if m.hint == "admin":
                hints = (3.0 if r.kind in ("admin1", "admin2") else -1.0,)
            elif m.qualifier and r.kind in ("admin1", "admin2"):
                hints = (QUALIFIER,)  # "(Zimtanga, Bam)": the last name in brackets is the region
            elif m.hint in ("city", "village"):
                hints = (1.5 if r.kind == "city" else -1.0,)
                if m.hint == "village" and (r.pop or 0) > 50_000:
                    hints += (-3.0,)  # a village is no city of 50k
            scored.append(Reading(rid, open_to, prior, support, penalty, hints))
        out.append(scored)
    return out


def resolve(
    data: GazetteerData, text: str, toks: list[Token], mentions: list[Mention], context_iso3: tuple[str, ...],
    first: TextVotes | None = None,
) -> tuple[list[Match], Counter[str]]:
    """Resolve the `mentions` that `place_scan.scan` found in `text` (cut into `toks`): a
    `Match` per mention with every reading scored, the best chosen and whether it is taken;
    and the text's clear country votes. `context_iso3`: the caller's countries, most likely
    first. `first`: the text's `text_votes`, when the caller keeps them (else worked out here)."""
    row = data.row
    if first is None:
        first = text_votes(data, text, toks, mentions)
    matches = [Match(m) for m in mentions]
    persons = first.persons
    for n in persons:
        matches[n].m.in_name = True
    votes, unique, top = first.votes, first.unique, first.top
    ctx = {iso3: 2.5 - min(n, 1) for n, iso3 in enumerate(context_iso3)}

    # Pass 2: every reading's score from the text (`_readings`), plus the caller's countries.
    for x, scored in zip(matches, first.readings, strict=True):
        scores, supports = x.scores, x.support
        for rid, open_to, prior, base, penalty, hints in scored:
            support = base + ctx.get(open_to, 0.0) if open_to is not None else base
            s = prior + support - penalty
            for hint in hints:
                s += hint
            scores[rid] = s
            supports[rid] = support
    link_containers(data, text, matches)
    held = {o.container_of for o in matches if o.container_of is not None}  # contained in another
    for n, x in enumerate(matches):
        # equal scores: the more populous reading ("Plateau": Nigeria's state before Benin's)
        x.best = max(x.scores, key=lambda c: (x.scores[c], row(c).pop or 0))
        r = row(x.best)
        if r.kind == "admin2" and x.m.hint != "admin":
            # "Hit" is the town before it is the district named after it.
            seat = [c for c in x.scores if row(c).kind == "city" and row(c).admin1 == r.admin1
                    and row(c).iso3 == r.iso3 and x.scores[c] >= x.scores[x.best] - 2.5]
            if seat:
                x.best = max(seat, key=x.scores.__getitem__)
                r = row(x.best)
        base = reading_prior(data, x.best, r, False, unique[n])
        # a unit word confirms a region, unless the name is also an ordinary word and the text
        # names another country ("Bahraini police ... in Sitra (Central Governorate)": not Ghana's)
        unit = x.m.hint == "admin" and not (x.m.common and top and r.iso3 != top)
        confirmed = unit or x.container_of is not None or x.holds_unknown or (
            x.m.qualifier and r.kind in ("admin1", "admin2")
        ) or n in held
        if r.kind in ("city", "admin2"):
            doubtful = x.m.common or x.m.in_name or (base < SMALL and not x.support[x.best])
        else:  # "Delta", "Unity": a region of the text's own country, or with support
            doubtful = x.m.common and r.kind == "admin1" and r.iso3 != top \
                and r.iso3 not in context_iso3[:1] or (n in persons and r.kind != "country")
        x.accepted = x.scores[x.best] >= ACCEPT and not x.unknown and (confirmed or not doubtful)
    return matches, votes


def reading_prior(data: GazetteerData, rid: int, r: Row, weak: bool, unique: bool = False) -> float:
    """What a reading is worth before context: its kind, a town by its population; less for
    a weak key (a dropped article), more for a district only one country has."""
    if rid in data.demonym_rows:
        s = 8.0
    elif r.kind == "city":
        # a district seat GeoNames gives no population counts as a town of SEAT_POPULATION; a
        # village of the Ukrainian codifier (no coordinates either) as nobody
        pop = r.pop or (SEAT_POPULATION if r.lat is not None else 0)
        s = 1.2 * math.log10(pop + 10) + 0.5  # 500 people 3.7; 50k 6.1; 5M 8.5
    elif r.kind == "admin2":
        # A district name found in one country only ("Loroum", "Oudalan") is rarely
        # anything else; shared ones ("Central") need support.
        s = _PRIOR["admin2"] + (1.5 if unique else 0.0)
    else:
        s = _PRIOR[r.kind]
    return s - 1.5 if weak else s


def link_containers(data: GazetteerData, text: str, matches: list[Match]) -> None:
    """Read "A, B" / "A (B" / "A in B" / "B's A" as a place and its container, and favour
    the readings that make it so: "Kamianka, Donetsk" picks the Kamianka in Donetsk.
    When no reading of A lies in the region B, A is a place the gazetteer lacks (or a
    namesake elsewhere) and is dropped: B is what is known. Chains are read from the
    right, the outermost (most certain) container first: "Kotwali, Pratapgarh (UP)"."""
    row = data.row
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
        top_in = best_rows(inner.scores)
        top_out = best_rows(outer.scores)
        floor = outer.scores[top_out[0]] - 4.0
        top_out = [y for y in top_out if outer.scores[y] >= floor]
        bonus_in: set[int] = set()
        bonus_out: set[int] = set()
        for xid in top_in:
            rx = row(xid)
            for y in top_out:
                if contains(row(y), rx):
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
        elif inner is a and not _LISTING.match(text, b.m.end) \
                and not (b.m.common and any(inner.support[y] > 0 for y in top_in)):
            # (a word that is also a region, "West" of "Sardasht (West Azarbaijan)", does not
            # turn a town the rest of the text supports into an unknown place)
            best_in = row(top_in[0])
            homes = {row(xid).iso3 for xid in top_in}
            # a town holds an unknown place only when no reading of it shares the town's
            # country: "in Valencia, Sangre Grande" is a Valencia of Trinidad, not Venezuela's
            regions = [y for y in top_out if row(y).kind in ("admin1", "admin2", "country")
                       or (row(y).kind == "city" and row(y).iso3 not in homes)]
            if not regions or best_in.kind not in ("city", "admin2", "admin1"):
                continue
            small = reading_prior(data, top_in[0], best_in, False) < 6.5
            foreign = best_in.iso3 not in {row(y).iso3 for y in regions}
            comma = bool(COMMA_GAP.fullmatch(gap))
            if foreign or (comma and (small or best_in.kind != "admin1")):
                # the region of the country whose namesake the unknown place is comes
                # first: "Miango (Bassa LGA, Plateau)" is Nigeria's Plateau, not Benin's
                for y in regions:
                    bonus = 3.0 + (1.0 if row(y).iso3 in homes else 0.0)
                    outer.scores[y] += bonus
                    outer.support[y] += bonus
                a.unknown = True
                b.holds_unknown = True


def kind_of(data: GazetteerData, rid: int) -> str:
    """The row's kind, with "demonym" for a nationality and "actor" for a force of one
    country ("Koglweogo"): both are country rows that name no place."""
    if rid in data.demonym_rows:
        return "actor" if rid in data.actor_rows else "demonym"
    return data.row(rid).kind


def weight(kind: str, attributive: bool, big: bool = True) -> float:
    """How much one clear mention of `kind` (see `kind_of`) says about the country of
    the text (see `resolve`): a nationality or an adjective least, a force of one country as
    much as a town, a region or a country most."""
    if attributive or kind == "demonym":
        return 0.5
    return {"country": 2.0, "admin1": 2.0, "admin2": 1.5, "actor": 1.0}.get(kind, 1.0 if big else 0.5)


def locative(toks: list[Token], lo: int) -> bool:
    """Whether "in", "at", "near"... (or "village of") introduces the name at token `lo`."""
    back = [t.norm for t in toks[max(0, lo - 4) : lo]]
    return any(w in LOCATIVE_WORDS for w in back) or (
        len(back) >= 2 and back[-1] == "of" and back[-2] in TOWN_WORDS | VILLAGE_WORDS
    )


def best_rows(scores: dict[int, float]) -> list[int]:
    """The best-scored readings, best first, at most `MAX_CANDIDATES`."""
    return sorted(scores, key=scores.__getitem__, reverse=True)[:MAX_CANDIDATES]


def contains(outer: Row, inner: Row) -> bool:
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

