"""The pair judgements of incident merging: could two mentions be one incident, and how alike are they.

In: `Mention`s, or earlier `Incident`s standing in for their mentions, normalised once as `_Node`s
(`_node`); mentions that are copies of one report (`copies`) are one node. Out: `_compatible(a, b)`
(nothing contradicts one incident: type family, dates within both precisions, places nested,
attackers not swapped, different articles) and `_affinity(a, b)`, the score `extractors.dedup`
clusters on. Pure; no state.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import Any

from extractors.dedup_names import (
    _named,
    _norm_place,
    _overlap,
    _place_match,
    _place_parts,
    _same_place,
    _tokens,
)
from extractors.records import Incident, Mention

# Sub-event types outlets use for one event. Remote violence: one outlet's "air strike" is another's
# "missile strike", and a third calls the drones shot down "Disrupted weapons use". Planted and thrown
# explosives blur likewise. A battle's sub-types (clash, territory taken) describe one fight. An attack
# on civilians and an abduction (a hijacked ship, a raid) blur; so do protests and riots. Every other
# sub-event type only matches itself, and a different sub-type within a family costs affinity.
_FAMILY: dict[str, str] = {
    "Air/drone strike": "remote", "Shelling/artillery/missile attack": "remote",
    "Disrupted weapons use": "remote", "Chemical weapon": "remote",
    "Suicide bomb": "bomb", "Remote explosive/landmine/IED": "bomb", "Grenade": "bomb",
    "Armed clash": "battle", "Government regains territory": "battle",
    "Non-state actor overtakes territory": "battle",
    "Attack": "civilians", "Abduction/forced disappearance": "civilians",
    "Peaceful protest": "crowd", "Protest with intervention": "crowd",
    "Excessive force against protesters": "crowd", "Violent demonstration": "crowd", "Mob violence": "crowd",
}


# A coder that reads "an attack on a base / a ship" without a weapon cue codes the generic "Attack"; another
# outlet names the weapon. So "Attack" may be the same incident as a strike or an explosion, at the cost
# of a sub-type disagreement (`_CROSS_COST`): a shared day alone does not outweigh it, a shared place or
# attacker as well does. "Armed clash" gets no such pass: a clash beside a strike is usually a second
# event. Blocking groups the families that may meet this way.
_GENERIC = {"Attack": frozenset({"remote", "bomb"})}
_CROSS_COST = 1.0
_FRAGMENT_WEIGHT = 0.75  # how much a mismatch of actor strings that are not both clean names counts
_END = dt.datetime.max.replace(tzinfo=dt.UTC)
# Half-widths in half-days: a "day" date is +-0.5 day, so two match within 1 day (ACLED's day +-1); a
# "week" date is +-3.5 days. "month" and "year" cover their calendar unit; no date matches any date.
_HALF_WIDTH = {"day": 1, "week": 7}
_UNDATED_COST = 0.75  # a mention the text gives no date is weak evidence of being the same event


# --- a mention, or an earlier incident standing in for its mentions, normalised once ------------------


# What a mention says of its incident, apart from which article says it, where in its text and by
# which coder: two mentions of different articles that agree on all the rest are copies of one report
# (a wire story reprinted by many outlets), and every pair judgement treats them alike.
_PROVENANCE = frozenset({"mention_id", "article_id", "outlet", "reported_at", "evidence", "evidence_start",
                         "evidence_end", "confidence", "extractor_version", "why", "refers_to"})
_CODED = tuple(f.name for f in fields(Mention) if f.name not in _PROVENANCE)
_ONE: frozenset[str] = frozenset()  # a node of one report: its article is `_Node.article`


def copies(mentions: Iterable[Mention]) -> list[tuple[Mention, ...]]:
    """The mentions in groups of copies of one report, each group in canonical order (`_order`).

    Copies agree on every coded field (`_CODED`) and come from different articles. An article that
    tells two look-alike incidents (the same coded fields at two places in its text) puts the first
    in one group and the second in another, as the i-th of several look-alike incidents in one
    article pairs with the i-th of another (by place in the text; one coder may read several
    incidents from one sentence, and those stay apart); two coder versions' mentions of one place
    in one article go in one group. Groups are ordered by their first member.
    """
    alike: dict[tuple[Any, ...], list[Mention]] = defaultdict(list)
    for m in mentions:
        alike[tuple(getattr(m, n) for n in _CODED)].append(m)
    groups: list[list[Mention]] = list(alike.values())
    del alike  # its keys, a tuple per report, before the groups are built
    out: list[tuple[Mention, ...]] = []
    for same in groups:
        if len(same) == 1:  # most reports have no copy
            out.append((same[0],))
            continue
        lanes: dict[tuple[int, int], list[Mention]] = defaultdict(list)
        spans: dict[str, list[tuple[int, int]]] = defaultdict(list)  # article -> its places, in text order
        told: Counter[tuple[str, str, tuple[int, int]]] = Counter()  # one coder's mentions of one place
        for m in sorted(same, key=lambda m: (m.article_id, m.evidence_start, m.evidence_end, m.mention_id)):
            span = (m.evidence_start, m.evidence_end)
            if span not in spans[m.article_id]:
                spans[m.article_id].append(span)
            lanes[(spans[m.article_id].index(span), told[(m.article_id, m.extractor_version, span)])].append(m)
            told[(m.article_id, m.extractor_version, span)] += 1
        out += [tuple(sorted(lane, key=_order)) for lane in lanes.values()]
    out.sort(key=lambda group: _order(group[0]))
    return out


def _order(m: Mention) -> tuple[object, ...]:
    """A mention's canonical place: arrival, then place in its article, then id (`_Node.key`)."""
    return (m.reported_at or _END, m.article_id, (m.evidence_start, m.evidence_end), m.mention_id)


@dataclass(slots=True)
class _Node:
    ident: str
    key: tuple[object, ...]
    src: Mention | Incident
    weight: int
    article: str
    also: frozenset[str]  # every article of a node of several copies; empty (no memory) for one report
    copies: tuple[Mention, ...]
    family: str
    lo: float
    hi: float
    day: int | None
    iso3: str | None
    admin1: str
    loc: tuple[str, ...]
    a1: frozenset[str]
    a2: frozenset[str]
    named1: bool
    named2: bool


def _node(src: Mention | Incident, weight: int = 1, memo: dict[tuple[Any, ...], Any] | None = None,
          group: tuple[Mention, ...] = ()) -> _Node:
    """`src` normalised for the pair judgements; `group`: a mention's copies (`copies`, `src` first),
    one node weighted by their number and holding all their articles. `memo` (one merge's, then
    dropped): the place and actor normalisations by their inputs, so that nodes reporting the same
    names share one tuple, string and token set instead of each holding copies (and each name is
    normalised once)."""
    memo = {} if memo is None else memo
    if isinstance(src, Mention):
        group = group or (src,)
        ident, article, key, weight = src.mention_id, src.article_id, _order(src), len(group)
        also = frozenset(m.article_id for m in group) if len(group) > 1 else _ONE
    else:
        ident = article = f"incident:{src.incident_id}"
        key, also = (src.first_reported_at or _END, ident, (0, 0), ident), _ONE
    lo, hi = _interval(src.event_date, src.date_precision)
    return _Node(
        # canonical order: arrival, then place in the article (so the i-th of several look-alike incidents
        # in one article pairs with the i-th of another), then id
        ident=ident, key=key, src=src, weight=weight, article=article, also=also, copies=group,
        family=_FAMILY.get(src.sub_event_type, src.sub_event_type or src.event_type), lo=lo, hi=hi,
        day=src.event_date.toordinal() if src.event_date and src.date_precision in _HALF_WIDTH else None,
        iso3=src.iso3, admin1=_memo(memo, _norm_place, src.admin1),
        loc=_memo(memo, _place_parts, src.location, src.iso3, src.admin1),
        a1=_memo(memo, _tokens, src.actor1), a2=_memo(memo, _tokens, src.actor2),
        named1=_named(src.actor1), named2=_named(src.actor2),
    )


def _memo(memo: dict[tuple[Any, ...], Any], fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)`, computed once per `memo` (a dict, not `functools.cache`: the values are one
    merge's and go with it)."""
    key = (fn, *args)
    if key not in memo:
        memo[key] = fn(*args)
    return memo[key]


def _interval(day: dt.date | None, precision: str) -> tuple[float, float]:
    """The event date as an interval in half-days, [lo, hi]."""
    if day is None:
        return -math.inf, math.inf
    if precision == "month":
        first = day.replace(day=1)
        return 2 * first.toordinal() - 1, 2 * (first + dt.timedelta(days=32)).replace(day=1).toordinal() - 1
    if precision == "year":
        return 2 * dt.date(day.year, 1, 1).toordinal() - 1, 2 * dt.date(day.year + 1, 1, 1).toordinal() - 1
    half = _HALF_WIDTH.get(precision, 1)
    return 2 * day.toordinal() - half, 2 * day.toordinal() + half


# --- the two judgements: could these be one incident, and how alike are they -------------------------


def _compatible(a: _Node, b: _Node) -> bool:
    """False when anything contradicts a and b being one incident."""
    if a.lo > b.hi or b.lo > a.hi or a.article == b.article or (a.also or b.also) and _share_article(a, b):
        return False
    if a.family != b.family and not _crossable(a, b):
        return False
    if a.iso3 and b.iso3 and a.iso3 != b.iso3:
        return False
    if a.admin1 and b.admin1 and not _place_match(a.admin1, b.admin1):
        return False
    # a coder that resolves no region may put it as the place ("Deir ez-Zor" against admin1 "Deir ez-Zor",
    # town "Mayadin"): a part naming the other's region is no finer place than that region
    # (the same name, not a nested one: "Bihar Sharif" is a town of Bihar)
    la = tuple(x for x in a.loc if not (b.admin1 and _same_place(x, b.admin1)))
    lb = tuple(y for y in b.loc if not (a.admin1 and _same_place(y, a.admin1)))
    if la and lb and not (any(_place_match(la[0], y) for y in lb) or any(_place_match(x, lb[0]) for x in la)):
        return False  # two towns; "Khan Younis, Gaza" and "Rafah, Gaza" differ in their finest part
    # two different attackers, one of whom is the other's target: a strike and its reprisal (a battle
    # has no such sides; a missing attacker is no evidence, coders often put the target there)
    # (only clean names count: a fragment that happens to contain the other's target proves nothing)
    return a.family == "battle" or not (a.named1 and b.named1 and a.a1 and b.a1 and not _overlap(a.a1, b.a1)
                                        and (_overlap(a.a1, b.a2) or _overlap(a.a2, b.a1)))


def _share_article(a: _Node, b: _Node) -> bool:
    """Whether two nodes, one at least of several copies, hold a report of the same article."""
    return not (a.also or {a.article}).isdisjoint(b.also or {b.article})


def _crossable(a: _Node, b: _Node) -> bool:
    """Two families that may still be one incident: a generic "Attack" and a named weapon's family."""
    return (b.family in _GENERIC.get(a.src.sub_event_type, ())
            or a.family in _GENERIC.get(b.src.sub_event_type, ()))


def _affinity(a: _Node, b: _Node) -> float:
    """How much two compatible nodes look like one incident, about -12 to +4.5.

    The weights follow what separates same- from different-incident pairs among compatible pairs of
    the RSS gold set: a different sub-event type, a gap of 2+ days, two named attackers with nothing
    in common are strong signs of two incidents; the same day, attacker, target or death toll of one.
    """
    same_family = a.family == b.family
    s = 1.0 if a.src.sub_event_type == b.src.sub_event_type else -1.0 if same_family else -_CROSS_COST
    if a.day is not None and b.day is not None:
        gap = abs(a.day - b.day)
        if gap == 0:
            s += 1.0
        elif gap == 1:  # a "week" date is the publication day for want of a cue; two "day" dates disagree
            s += 0.25 if "week" in (a.src.date_precision, b.src.date_precision) else -0.5
        else:  # news is news for a day or two: a later report without a date cue is another event
            s -= 2.0 * (gap - 1)
    else:  # no day to agree on: the type alone must not make two reports one incident
        s -= _UNDATED_COST
    if a.loc and b.loc or a.admin1 and b.admin1:
        s += 0.5
    for x, y, named, hit, miss in ((a.a1, b.a1, a.named1 and b.named1, 1.0, -1.0),
                                   (a.a2, b.a2, a.named2 and b.named2, 0.5, -0.25)):
        if x and y:  # two clean names with nothing in common tell two incidents; a fragment barely does
            s += hit if _overlap(x, y) else miss if named else miss * _FRAGMENT_WEIGHT
    if a.src.fatalities and a.src.fatalities == b.src.fatalities:
        s += 0.5
    return s
