"""Incident coding: one document's text in, the incidents it reports out, in ACLED's taxonomy.

In: `code_incidents(text, article_id=..., published_at=..., title=..., outlet=...)`.
Out: a tuple of `Mention`s, one per incident (one type at one place on one day), each with its
evidence: the sentence(s) it rests on, their offsets in `text`, a confidence and the extractor
version. Pure and deterministic: the same input always gives the same mentions.

How (each step's rules live in its own module; the lexicons in `seeds/lexicon/`):
1. markup is stripped and the text cut into sentences and clauses (`coding_text`);
2. each sentence is searched for event cues; cues under a negation, a threat or plan, a tally
   ("dozens of strikes", "more than 175 times"), a habit, an accident or a question are dropped,
   and echoes ("the attack", bare plurals) are marked weak (`coding_cues`); the date of the main
   act (`dates`), the casualty figures (`casualties`) and the place (`places`) are read per
   sentence, and a sentence tying two different acts ("X after Y") is read as two
   (`coding_reads`);
3. sentences are grouped into incidents in reading order: a sentence joins the incident being
   told unless it names another day, another region or country of the story, another town after
   "in another attack", or another family of event with a specific word; echoes never open an
   incident when one is being told; groups of one type, place and day are joined (`coding_groups`);
4. each group is typed (`coding_types`), dated (its own date, else the date of the incident told
   just before it, else the day before publication at week precision), placed, and given its
   actors (`actors`), casualties (largest figure, added victims summed, claims only when nothing
   else), weapons (`coding_weapons`) and role (background when dated clearly before the news);
   in a story whose news is a finding about an act ("rights groups say the strike ...", "an
   analysis of shell fragments shows ...") an incident it does not date is left out: it is not
   the previous day's news the default date would make it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from extractors import EXTRACTOR_VERSION, places
from extractors.actors import Actors, code_actors, inter_code, read_actors, read_claim
from extractors.casualties import Toll, combine_tolls
from extractors.coding_groups import Group, disaggregate, group_sentences
from extractors.coding_reads import gazetteer, read_sentences
from extractors.coding_text import Prepared, prepare
from extractors.coding_types import classify
from extractors.coding_weapons import read_munitions, read_weapons
from extractors.dates import reference_date
from extractors.lexicon import get_lexicon
from extractors.records import Mention
from extractors.taxonomy import SUB_EVENT_TYPES

MAX_EVIDENCE = 1200  # characters: beyond this the evidence is the lead sentence alone


def _role(group: Group, first: Group, published: dt.date | None) -> str:
    """background for an incident dated clearly before the news it is reported with."""
    date = group.date.date if group.date is not None else None
    if group.lead.cues.context.get("legal") and group is not first:
        return "background"
    if date is None:
        return "primary"
    if published is not None:
        if group.date.precision in ("month", "year") and (date.year, date.month) < (published.year, published.month):
            return "background"
        if date < published - dt.timedelta(days=7):
            return "background"
    first_date = first.date.date if first.date is not None and not first.date_inherited else None
    if group is not first and first_date is not None and date < first_date - dt.timedelta(days=2):
        return "background"
    return "primary"


def _confidence(group: Group, toll: Toll, abstained: bool = False) -> float:
    score = 0.45
    if any(r.cues.specific for r in group.members):
        score += 0.2
    if group.date is not None and not group.date_inherited:
        score += 0.1
    if group.location is not None and not abstained:
        score += 0.1
    elif abstained:
        score -= 0.05  # a place was named but nothing tells its country for sure
    if toll.fatalities is not None or toll.injuries is not None:
        score += 0.05
    if group.lead.lead.weak:
        score -= 0.15
    return round(min(0.95, max(0.05, score)), 2)


def _mention_id(article_id: str, start: int, end: int, sub_event_type: str, date: dt.date | None,
                ordinal: int = 0) -> str:
    """A stable id from the evidence span, type and date; `ordinal` tells apart the targets of one
    counted strike ("strikes on three locations": ordinals 0, 1, 2 share one evidence span)."""
    key = f"{article_id}|{start}|{end}|{sub_event_type}|{date.isoformat() if date else ''}"
    if ordinal:
        key += f"|{ordinal}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


# Remote strikes on counted or listed targets: ACLED codes one event per target location.
_SPLIT_TYPES = ("Air/drone strike", "Shelling/artillery/missile attack")
_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5}
_COUNTED_TARGETS = re.compile(
    r"(?i)\b(?:on|against|at|targeting|targeted|hit|hitting|struck|striking|bombed|pounded)\s+(?:\w+\s+)?"
    r"(?P<n>two|three|four|five|[2-5])\s+(?:separate\s+|different\s+|[\w-]+\s+)?"
    r"(?:locations|sites|facilities|targets|positions|places|areas|bases|depots|camps|compounds)\b")
_SITE = r"(?:facility|cent(?:er|re)|depot|camp|base|site|headquarters|post|warehouse|compound)"
_TARGET_PAIR = re.compile(rf"(?i)\b(?:struck|hit|targeted|bombed|on|against)\s+an?\s+(?:[\w-]+\s+){{0,3}}?{_SITE}"
                          rf"\s+and\s+an?\s+(?:[\w-]+\s+){{0,3}}?{_SITE}\b")


def _targets(group: Group, sub_event_type: str) -> int:
    """How many separate targets a remote strike's lead sentence names: 1 unless it counts them
    ("airstrikes on three locations") or lists two sites ("struck a depot and a training camp")."""
    if sub_event_type not in _SPLIT_TYPES:
        return 1
    text = group.lead.sentence.text
    counted = _COUNTED_TARGETS.search(text)
    if counted:
        return _COUNTS[counted.group("n").lower()]
    return 2 if _TARGET_PAIR.search(text) else 1


def _evidence(group: Group, prep: Prepared) -> tuple[int, int]:
    start = group.lead.sentence.start
    end = max(r.sentence.end for r in group.members)
    if end - start > MAX_EVIDENCE:
        end = max((r.sentence.end for r in group.members if r.sentence.end - start <= MAX_EVIDENCE),
                  default=group.lead.sentence.end)
    return prep.to_original(start, end)


# the news of a follow-up story: what investigators, rights groups or an analysis conclude about an
# act reported before ("police are investigating" in a fresh report is not one)
_FINDING = re.compile(
    r"(?i)\b(?:(?:rights groups?|investigations|investigators|findings|analysis|inquiry|probe)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:say|says|said|show|shows|showed|found|finds|indicate|indicates|suggest|suggests|concluded?|believe)\b|"
    r"(?:says?|said)\s+(?:\w+\s+){0,2}(?:rights groups?|investigators)\b|(?:must|should)\s+be\s+investigated\b)")


def _default_date(published: dt.date | None) -> tuple[dt.date | None, str]:
    # An undated report is taken to be about the day before publication (news reports the
    # previous day's events), at week precision: the day itself is not known.
    if published is None:
        return None, "day"
    return published - dt.timedelta(days=1), "week"


def code_incidents(text: str, *, article_id: str, published_at: dt.datetime | None, title: str | None = None,
                   outlet: str | None = None) -> tuple[Mention, ...]:
    """Code the incidents one document reports (see the module docstring).

    `published_at`: publication time; relative dates resolve against its UTC date (None leaves
    them unresolved). `title` only helps to tell which countries the story is about; the coded
    evidence always comes from `text`.
    """
    if not text or not text.strip():
        return ()
    published = published_at.astimezone(dt.timezone.utc).date() if published_at is not None else None
    prep = prepare(text)
    lex = get_lexicon()
    if not lex.any_event.search(prep.clean):
        # no event cue anywhere: nothing to code, and the place scan is most of a long text's cost
        return ()
    gaz = gazetteer()
    countries: tuple[str, ...] = ()
    named: set[str] = set()
    if gaz is not None:
        countries = tuple(gaz.countries(f"{title}\n{prep.clean}" if title else prep.clean))
        named = gaz.place_countries(f"{title}\n{prep.clean}" if title else prep.clean)
    # without a publication time, the latest full date the text writes dates its relative
    # expressions (a dateline, "On 12 March 2019"); undated incidents stay undated
    reference = published if published is not None else reference_date(prep.clean)
    reads = read_sentences(prep, reference, countries, inferred=published is None)
    typed = [(group, classify([(r.sentence.text, r.cues) for r in group.members], group.family, lex)[0])
             for group in group_sentences(reads, countries)]
    typed = disaggregate(typed)
    if published is not None and any(group.date is None for group, _ in typed) and _FINDING.search(prep.clean):
        # a story whose news is a finding about an act it does not date: the act is not the day
        # before's news, and the story gives no day to count it on
        typed = [(group, kind) for group, kind in typed if group.date is not None]
    groups = [group for group, _ in typed]
    mentions: list[Mention] = []
    for group, sub_event_type in typed:
        toll = combine_tolls(r.toll for r in group.members)
        if group.date is not None:
            event_date, precision = group.date.date, group.date.precision
        else:
            event_date, precision = _default_date(published)
        lead = group.lead
        actors = read_actors(lead.sentence.text, lead.lead.start, lead.lead.end)
        for read in group.members[1:]:
            if actors.actor1 is not None:
                break
            claimed = read_claim(read.sentence.text)
            if claimed is not None:
                actors = Actors(claimed, actors.actor2, None, actors.target)
        if len(typed) == 1 and (actors.actor1 is None or inter_code(actors.actor1) == 3):
            # one act told: a claim in a later sentence names who the "assailants" were
            claimed = read_claim(prep.clean[lead.sentence.end:lead.sentence.end + 600])
            if claimed is not None:
                actors = Actors(claimed, actors.actor2, actors.assoc_actor1, actors.target)
        codes = code_actors(actors, SUB_EVENT_TYPES[sub_event_type])
        joined = " ".join(r.sentence.text for r in group.members)
        location = group.location
        if location is not None and not getattr(location, "strong", True):
            # weak evidence for the country (see `places.Gazetteer._strong`): abstain rather
            # than count the incident in a wrong country
            location, abstained = None, True
        else:
            abstained = False
        # the story's only country stands in for an unplaced incident only when the text names it
        # as a place, not only through a nationality ("Somali gunmen") or as a neighbour
        sure = countries[:1] and (countries[0] in named or "demonym" not in places.WEAK_RULES)
        if location is None and countries and sure and not abstained:
            # the story's own place when it has one, in its main country even when a stray
            # namesake names another ("Fonseca neighborhood" in a Niteroi note); the place
            # must rest on strong evidence (see `places.Gazetteer.story_place`)
            location = gaz.story_place(prep.clean, countries[0])
        if location is None and len(countries) == 1 and sure and not abstained:
            iso3, admin1, place, lat, lon, geo = countries[0], None, None, None, None, 3
        elif location is not None:
            iso3, admin1, place = location.iso3 or None, location.admin1, location.location
            lat, lon, geo = location.latitude, location.longitude, location.geo_precision
        else:
            iso3 = admin1 = place = lat = lon = geo = None
        start, end = _evidence(group, prep)
        for ordinal in range(_targets(group, sub_event_type)):
            # the figures of a counted strike stay on its first target: they are not per target
            first = ordinal == 0
            mentions.append(Mention(
                mention_id=_mention_id(article_id, start, end, sub_event_type, event_date, ordinal),
                article_id=article_id, outlet=outlet, reported_at=published_at,
                event_type=SUB_EVENT_TYPES[sub_event_type], sub_event_type=sub_event_type,
                event_date=event_date, date_precision=precision,
                iso3=iso3, admin1=admin1, location=place, latitude=lat, longitude=lon, geo_precision=geo,
                actor1=actors.actor1, actor2=actors.actor2,
                fatalities=toll.fatalities if first else None, injuries=toll.injuries if first else None,
                weapons=tuple(read_weapons(joined)), munitions=read_munitions(joined) if first else None,
                role=_role(group, groups[0], published), evidence=text[start:end],
                evidence_start=start, evidence_end=end,
                confidence=_confidence(group, toll, abstained), extractor_version=EXTRACTOR_VERSION,
                assoc_actor1=actors.assoc_actor1, inter1=codes.inter1, inter2=codes.inter2,
                civilian_targeting=codes.civilian_targeting,
            ))
    return tuple(mentions)
