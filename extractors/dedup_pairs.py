"""The pair judgements of incident merging: could two mentions be one incident, and how alike are they.

In: `Mention`s, or earlier `Incident`s standing in for their mentions, normalised once as `_Node`s
(`_node`). Out: `_compatible(a, b)` (nothing contradicts one incident: type family, dates within
both precisions, places nested, attackers not swapped, different articles) and `_affinity(a, b)`,
the score `extractors.dedup` clusters on. Pure; no state.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(slots=True)
class _Node:
    ident: str
    key: tuple[object, ...]
    src: Mention | Incident
    weight: int
    article: str
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


def _node(src: Mention | Incident, weight: int = 1, memo: dict[tuple[Any, ...], Any] | None = None) -> _Node:
    """`src` normalised for the pair judgements. `memo` (one merge's, then dropped): the place
    and actor normalisations by their inputs, so that nodes reporting the same names share one
    tuple, string and token set instead of each holding copies (and each name is normalised once)."""
    memo = {} if memo is None else memo
    if isinstance(src, Mention):
        ident, article, when = src.mention_id, src.article_id, src.reported_at
        span = (src.evidence_start, src.evidence_end)
    else:
        ident = article = f"incident:{src.incident_id}"
        when, span = src.first_reported_at, (0, 0)
    lo, hi = _interval(src.event_date, src.date_precision)
    return _Node(
        ident=ident,
        # canonical order: arrival, then place in the article (so the i-th of several look-alike incidents
        # in one article pairs with the i-th of another), then id
        key=(when or _END, article, span, ident),
        src=src, weight=weight, article=article,
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
    if a.lo > b.hi or b.lo > a.hi or a.article == b.article:
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
