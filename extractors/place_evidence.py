"""How strongly a text supports the country of a place (used by `extractors.places`).

In: a text, its tokens and resolved `Match`es (see `extractors.place_resolve`), and the match
chosen as an incident's place. Out: whether its country rests on strong evidence
(`Location.strong`): callers that count by country abstain on weak evidence, because a wrong
country is worse for counts by country than an unknown one.

Strong: a country or region named as such (not as a neighbour or an actor); a place tied to its
container ("Kamianka, Donetsk", "Syria's Deir Ezzor"); a place whose country another place of the
text, or a force of that country only ("OSCE SMM"), names; a large town or one whose name no other
country has, when nothing names a rival country. Weak (`WEAK_RULES`): a nationality alone when the
text puts the story in another country (`demonym`); a country named only as the one that acts or
speaks ("Turkey says", `actor`); a town whose country nothing else names while the text names a
place in another (`rival`); a small namesake town alone in the text (`namesake`); a town outside
every country where a group the text names is active ("JNIM militants ... in Ferel", `region`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.gazetteer import GazetteerData, Token
from extractors.place_resolve import COMPOUND_AFTER, Match, kind_of, locative, weight

NAMESAKE_MARGIN = 2.0  # score lead over other countries' readings that lets a namesake town stand alone
WEAK_RULES = frozenset({"demonym", "actor", "rival", "namesake", "region"})  # which weak evidence abstains
LARGE_TOWN = 100_000  # a town this big may stand alone for its country when it is no namesake

_BORDER = re.compile(r"\bborders?\s+(?:with\s+|of\s+)?(?:the\s+)?$", re.I)
_BORDER_AFTER = re.compile(r"(?:['’]s)?[ \t]+(?:\w+[ \t]+)?(?:border|frontier)\b", re.I)  # "near the Mali border"
_OFF_COAST = re.compile(r"\b(?:off|coast\s+of|shores?\s+of|waters\s+of)\s+(?:the\s+)?$", re.IGNORECASE)
# what follows a country named as the one that acts or speaks: "US strikes", "Ukraine downs",
# "Israel has said", "Lebanon PM", "Russia's army"
_ACTOR_AFTER = re.compile(
    r"(?:['’]s)?\s+(?!(?:is|was|has\s+been|had\s+been|as|its|this|thus)\b)"  # "Yemen was hit": no actor
    r"(?:(?:has|have|had|also|then|later|now)\s+)?(?:[a-z]+(?:s|ed)\b|"
    r"(?:PM|president|prime minister|army|military|forces|troops|government|officials|ministry|minister|"
    r"navy|air force|police|authorities)\b)")
# a nationality that qualifies a place, not people: "an Israeli army base", "Syrian territory"
NATIONAL_SITE = re.compile(
    r"[ \t]+(?:[\w-]+[ \t]+){0,2}?(?:base|bases|outpost|post|positions?|town|towns|village|villages|city|cities|"
    r"territory|soil|airspace|airport|airbase|port|border\s+town|settlement|settlements|capital)\b", re.IGNORECASE)
# people of the place, as victims or its own police: "Kenyan herders", "Lebanese villagers"
LOCALS_AFTER = re.compile(
    r"[ \t]+(?:[\w-]+[ \t]+)?(?:civilians?|villagers?|residents?|herders?|herdsmen|farmers?|pastoralists|"
    r"police(?:men)?|children|families|worshippers|traders|fishermen)\b", re.IGNORECASE)


def bordering(text: str, x: Match) -> bool:
    """Whether `x` is a neighbour, not the scene: "near the border with Somalia", "the Mali border"."""
    return bool(_BORDER.search(text, max(0, x.m.start - 24), x.m.start)) \
        or bool(_BORDER_AFTER.match(text, x.m.end))


def placed(text: str, toks: list[Token], x: Match) -> bool:
    """Named as a scene: "in Syria", "off the coast of Yemen", "Syria's Deir Ezzor"."""
    return locative(toks, x.m.lo) or bool(_OFF_COAST.search(text, max(0, x.m.start - 24), x.m.start))


def rival_place(data: GazetteerData, text: str, toks: list[Token], y: Match) -> bool:
    """Whether mention `y` names a place that competes as the scene: a town or region, or a
    country named as a place; not a neighbour ("border with Mali") nor a country named only
    as the one that acts or speaks ("Iran accuses Israel")."""
    if data.row(y.best).kind != "country" or y.best in data.actor_rows:
        return True
    return not bordering(text, y) and placed(text, toks, y)


@dataclass(frozen=True, slots=True)
class TextEvidence:
    """What a whole text says about each country, gathered once per resolved text so that
    judging one place (`strong`) reads tables instead of every name of the text.

    `support`: per ISO3, the indices of the matches that name it as a place (not a
    nationality, an adjective or a neighbour); `rivals`: per ISO3, the summed weight of the
    matches naming it as a place that competes as the scene (`rival_place`), in text order;
    `contained`: the indices of matches some other match is the container of; `regional`: the
    countries where the groups the text names are active."""

    support: dict[str, list[int]]
    rivals: dict[str, float]
    contained: frozenset[int]
    regional: frozenset[str]

    def supported(self, iso3: str, exclude: int) -> bool:
        """Whether a place name of the text other than match `exclude` names `iso3`."""
        found = self.support.get(iso3, ())
        return len(found) > 1 or (len(found) == 1 and found[0] != exclude)

    def rival(self, iso3: str) -> float:
        """The most weight any other country than `iso3` gets as a competing scene."""
        return max((v for c, v in self.rivals.items() if c != iso3), default=0.0)


def text_evidence(data: GazetteerData, text: str, toks: list[Token], matches: list[Match]) -> TextEvidence:
    """The `TextEvidence` of a text (cut into `toks`) whose names resolved to `matches`: one
    pass over them."""
    row = data.row
    support: dict[str, list[int]] = {}
    rivals: dict[str, float] = {}
    for j, y in enumerate(matches):
        if not y.accepted or y.m.attributive or kind_of(data, y.best) == "demonym":
            continue
        r = row(y.best)
        if not (r.kind == "country" and bordering(text, y)):
            support.setdefault(r.iso3, []).append(j)
        if r.iso3 and not COMPOUND_AFTER.match(text, y.m.end) and rival_place(data, text, toks, y):
            # "Gourma-Rharous": not that Gourma
            rivals[r.iso3] = rivals.get(r.iso3, 0.0) + weight(kind_of(data, y.best), False)
    contained = frozenset(o.container_of for o in matches if o.container_of is not None)
    return TextEvidence(support, rivals, contained, data.actor_countries(text))


def strong(data: GazetteerData, text: str, toks: list[Token], matches: list[Match], k: int,
           evidence: TextEvidence) -> bool:
    """Whether the country of the place chosen at `matches[k]` rests on strong evidence.

    Strong: a country or region named as such (not as a neighbour or an actor); a place
    tied to its container ("Kamianka, Donetsk", "Syria's Deir Ezzor"); a place whose
    country another place of the text names; a large town or one whose name no other
    country has, when the text names no rival country. Weak: anything else, e.g. a small
    namesake town, or a town whose country loses to another country the text names.
    `evidence`: the text's `text_evidence`.
    """
    row = data.row
    x = matches[k]
    r = row(x.best)
    iso3 = r.iso3
    if not iso3:
        return True  # a sea: no country is claimed
    if x.container_of is not None or x.holds_unknown or k in evidence.contained:
        return True
    own = evidence.supported(iso3, exclude=k)
    rival = evidence.rival(iso3)
    if r.kind in ("country", "admin1"):
        # a country named only as the one that acts or speaks ("US strikes", "Ukraine downs",
        # "Lebanon PM says"), never as a place, while nothing else in the text names it
        return own or placed(text, toks, x) or x.m.hint == "admin" or "actor" not in WEAK_RULES \
            or not _ACTOR_AFTER.match(text, x.m.end)
    if own:
        return True
    region = evidence.regional
    if region and iso3 not in region and r.kind in ("city", "admin2") and "region" in WEAK_RULES:
        return False  # "JNIM militants ... in Ferel": no French village
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
