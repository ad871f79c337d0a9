"""Incident coding: one document's text in, the incidents it reports out, in ACLED's taxonomy.

In: `code_incidents(text, article_id=..., published_at=..., title=..., outlet=...)`.
Out: a tuple of `Mention`s, one per incident (one type at one place on one day), each with its
evidence: the sentence(s) it rests on, their offsets in `text`, a confidence and the extractor
version. Pure and deterministic: the same input always gives the same mentions.

How (each step's rules live in its own module; the lexicons in `seeds/lexicon/<lang>/`):
1. markup is stripped and the text cut into sentences and clauses (`coding_text`);
2. each sentence is searched for event cues; cues under a negation, a threat or plan, a tally
   (a vague or exact count of acts: "scores of raids", "over 90 times"), a habit, an accident or a question are dropped,
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
   else), weapons (`coding_weapons`: of its sentences and of the sentence after each that tells
   no act) and role (background when dated clearly before the news);
   in a story whose news is a finding about an act ("rights groups say the strike ...", "an
   analysis of shell fragments shows ...") an incident it does not date is left out: it is not
   the previous day's news the default date would make it; nor in a story whose title and lede
   report no act, or a piece labelled as commentary, or under a headline that names its act only
   as a past one (a memorial, an anniversary), where an undated act is a figure of speech, a memory or
   a topic (`_news_of`), and under such a headline an act must carry its own date; what the frame
   leaves out is kept as a reference (`ROLE-reference-frame`); in a sports story a fight without
   harm is a move of the game.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import re
from typing import Any

from extractors import EXTRACTOR_VERSION, places
from extractors.actors import Actors, code_actors, inter_code, read_actors, read_claim
from extractors.casualties import Toll, combine_tolls
from extractors.coding_cue_data import SPECIFIC, SentenceCues
from extractors.coding_cue_reasons import UNCOUNTED_REASONS
from extractors.coding_cues import analyse_sentence
from extractors.coding_groups import Group, disaggregate, group_sentences, two_places
from extractors.coding_headlines import headline_act, toll_update
from extractors.coding_reads import Read, gazetteer, locate, read_sentences, story_place
from extractors.coding_rules import check, type_rule
from extractors.coding_sense import game_move, sport_story
from extractors.coding_sense_ctx import Ctx
from extractors.coding_text import Prepared, prepare, sentences
from extractors.coding_types import classify
from extractors.coding_weapons import quiet_sentences, read_munitions, read_weapons
from extractors.dates import reference_date
from extractors.lexicon import DEFAULT_LANGUAGE, Lexicon, get_lexicon
from extractors.records import Mention
from extractors.taxonomy import DISRUPTED, SUB_EVENT_TYPES

MAX_EVIDENCE = 1200  # characters: beyond this the evidence is the lead sentence alone


def _role(group: Group, first: Group, published: dt.date | None, toll: Toll) -> tuple[str, str]:
    """(role, rule id): background for an incident dated clearly before the news it is reported with;
    a reference for one recalled with no day and no toll or place (`_recalled`). A past act recalled
    with its own date stays background whatever the story's news (GUIDE rule 9: "a dated past event
    it recalls" is coded)."""
    role, rule = _dated_role(group, first, published)
    if role == "background" and group.family == "violence" and _recalled(group, toll):
        return "reference", "ROLE-reference-recalled"
    return role, rule


def _recalled(group: Group, toll: Toll) -> bool:
    """A past act the story recalls only by a month, a season or a year, with no toll ("when the
    army shelled the border towns last summer"), or by a year alone with no place of its own: the
    backdrop of the news, not a dated incident it reports (GUIDE rules 8, 9); one with a figure of
    dead or wounded is still told, when a year alone dates it only if it also names its place."""
    if group.date is None or group.date.precision not in ("month", "year"):
        return False
    untolled = toll.fatalities is None and toll.injuries is None
    return untolled or group.date.precision == "year" and group.location is None


def _dated_role(group: Group, first: Group, published: dt.date | None) -> tuple[str, str]:
    date = group.date.date if group.date is not None else None
    if group.lead.cues.context.get("legal") and group is not first:
        return "background", "ROLE-background-legal"
    if group.date is None or date is None:
        return "primary", "ROLE-primary"
    if published is not None:
        if group.date.precision in ("month", "year") and (date.year, date.month) < (published.year, published.month):
            return "background", "ROLE-background-dated"
        if date < published - dt.timedelta(days=7):
            return "background", "ROLE-background-dated"
    first_date = first.date.date if first.date is not None and not first.date_inherited else None
    if group is not first and first_date is not None and date < first_date - dt.timedelta(days=2):
        return "background", "ROLE-background-dated"
    return "primary", "ROLE-primary"


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
                ordinal: int = 0, role: str = "") -> str:
    """A stable id from the evidence span, type and date; `ordinal` tells apart the targets of one
    counted strike ("strikes on three locations": ordinals 0, 1, 2 share one evidence span); an
    uncounted `role` is part of the key, so a reference never takes the id of a counted mention."""
    key = f"{article_id}|{start}|{end}|{sub_event_type}|{date.isoformat() if date else ''}"
    if ordinal:
        key += f"|{ordinal}"
    if role in ("reference", "aggregate"):
        key += f"|{role}"
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
        return 2 if two_places(group.lead.sentence.text) else 1  # issue 13: "in the towns of A and B"
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


# a title's genre label, first or after a bar: "Opinion | ...", "Analysis: ...", "... | Editorial"; a
# recap genre (a timeline, an explainer, a fact check, an obituary) retells known acts, it reports none
_COMMENTARY = re.compile(r"(?i)(?:^|\|)\s*(?:opinion|analysis|commentary|editorial|column|comment|view|viewpoint|"
                         r"perspective|review|letters?(?: to the editor)?|timeline|explainer|fact[- ]?check|"
                         r"obituary)\s*(?:[|:]|$)")
LEDE = 3  # sentences: a news story says what its news is in its headline and first sentences


def _news_of(reads: list[Read], title: str | None, lex: Lexicon, prep: Prepared, published: dt.date | None) -> bool:
    """Whether the story's news can be an act it does not date (counted the day before publication)
    or one it names only by echo words.

    Not in a story whose news is a finding about an act ("rights groups say the strike ..."): the
    act is not the day before's news, and the story gives no day to count it on. Nor in a story
    whose title and lede (its first `LEDE` sentences) report no act: news is told first (the
    inverted pyramid), so an undated act met only further down such a story (a review, a match
    report, a column, a feature) is a figure of speech, a topic or a memory, not its news; a dated
    one is still read as a recalled incident, unless it is told only with echo words ("a similar
    incident", "the deaths"), which refer back to an act the story does not tell. Nor in a piece
    its title labels as commentary (opinion, analysis, editorial, review: GUIDE rule 9): its news
    is a view, and an act it tells without a day is its topic. Nor under a headline that reports no
    act and names one as past (`_past_topic`).
    """
    if published is not None and _FINDING.search(prep.clean) or title and _COMMENTARY.search(title):
        return False
    headline = analyse_sentence(title, lex, []) if title is not None else None
    if title is not None and headline is not None and not headline.strong and _past_topic(headline, title):
        return False
    if any(r.index < LEDE and r.uncounted is None and not r.detail for r in reads):
        return True
    return headline is not None and headline.strong


# the roles of a headline's reference that place its act in the past: an anniversary, a memorial,
# a year label, "years after"; not a pursuit or a reaction, whose act is recent news
_PAST_REFERENCES = frozenset(("ROLE-reference-commemoration", "ROLE-reference-since", "ROLE-reference-recalled"))


# a span of weeks or more before "after <act>": "months after the shooting", "a year after the siege"
_SPAN_AFTER = re.compile(r"(?i)\b(?:weeks|months|years?|decades?)\s+(?:after|since)\s+(?:(?:the|a|an|last)\s+)?"
                         r"(?:[\w’'-]+\s+){0,2}$")


def _past_topic(headline: SentenceCues, title: str) -> bool:
    """Whether a headline that reports no act names one as a past act: the story's topic is that act's
    memory (an anniversary, a memorial, a book about it, "months after the shooting"), so the act its
    lede tells without a date is that past act, not the previous day's news (GUIDE rule 9)."""
    return any(UNCOUNTED_REASONS.get(reason) in _PAST_REFERENCES or reason == "sense:life_story"
               or reason == "ref-after" and _SPAN_AFTER.search(title, 0, cue.start)
               for cue, reason in headline.dropped)


def _told(group: Group) -> bool:
    """Whether `group` tells an act itself: a word that reports one by itself, or one that names a
    kind of act ("an air strike", "clashes"), rather than only echoes of one ("the incident", "deaths")."""
    return any(c.name in SPECIFIC or not c.weak for r in group.members for c in r.cues.events)


def _game(group: Group, lex: Lexicon) -> bool:
    """Whether every sentence of `group` tells its act with a move of a game (`coding_sense.game_move`)."""
    return all(game_move(Ctx.of(r.sentence.text, r.lead, r.cues.clauses, lex, r.cues.events))
               for r in group.members if not r.detail)


def _default_date(published: dt.date | None) -> tuple[dt.date | None, str]:
    # An undated report is taken to be about the day before publication (news reports the
    # previous day's events), at week precision: the day itself is not known.
    if published is None:
        return None, "day"
    return published - dt.timedelta(days=1), "week"


def code_incidents(text: str, *, article_id: str, published_at: dt.datetime | None, title: str | None = None,
                   outlet: str | None = None, language: str = DEFAULT_LANGUAGE) -> tuple[Mention, ...]:
    """Code the incidents one document reports (see the module docstring).

    `published_at`: publication time; relative dates resolve against its UTC date (None leaves
    them unresolved). `title` helps to tell which countries the story is about and whether its
    news is an act (`_news_of`); the coded evidence always comes from `text`. `language`: the
    text's language, whose lexicon is used (`lexicon.languages()`; another raises ValueError: the
    caller marks the article not coded). Mentions of role "reference" and "aggregate" name acts the
    story does not report; they come after the counted ones.
    """
    if not text or not text.strip():
        return ()
    lex = get_lexicon(language)
    published = published_at.astimezone(dt.UTC).date() if published_at is not None else None
    prep = prepare(text)
    events = [m.start() for m in lex.any_event.finditer(prep.clean)]  # one pass, reused per sentence
    if not events:
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
    places = gaz.placed(prep.clean, countries) if gaz is not None else None  # the one place scan of the text
    story = functools.cache(functools.partial(story_place, places))  # the story's place, sought once
    split = sentences(prep.clean)  # split once: the reads and the weapons' quiet sentences share it
    reads = read_sentences(prep, reference, countries, inferred=published is None, lex=lex, events=events,
                           places=places, split=split)
    side = [r for r in reads if r.uncounted]
    reasons: dict[int, str] = {}
    typed = []
    for group in group_sentences([r for r in reads if not r.uncounted], countries):
        kind, reasons[id(group)] = classify([(r.sentence.text, r.cues) for r in group.members], group.family, lex)
        typed.append((group, kind))
    typed = disaggregate(typed)
    if typed and not _news_of(reads, title, lex, prep, published):
        # undated acts are not this story's news; echoes ("the incident", "deaths") refer to no act it tells;
        # under a headline that reports no act, an act must bear its own date: one that only takes the
        # date of the act told before it has no anchor of its own
        titled = title is not None
        framed = [(group, kind) for group, kind in typed
                  if group.date is not None and _told(group) and not (titled and group.date_inherited)]
        kept = {id(group) for group, _ in framed}
        # what the frame leaves out stays visible as a reference, with the rule that decided it
        side += [dataclasses.replace(group.lead, uncounted="ROLE-reference-frame")
                 for group, _ in typed if id(group) not in kept]
        typed = framed
    games = {id(group) for group, _ in typed if _game(group, lex)}
    if games and sport_story(prep.clean):  # the text is read for sport only when a move of a game may be
        typed = [(group, kind) for group, kind in typed if id(group) not in games]
    groups = [group for group, _ in typed]
    headline = headline_act(prep.clean)
    mentions: list[Mention] = []
    quiet: dict[int, str] | None = None  # the sentences that tell no act (`quiet_sentences`), read when needed
    for group, sub_event_type in typed:
        type_reason = reasons[id(group)]
        toll = combine_tolls(r.toll for r in group.members)
        latest = max((n for r in group.members if (n := toll_update(r.sentence.text, lex.units, lex.tens))),
                     default=None)
        if latest is not None:
            toll = dataclasses.replace(toll, fatalities=latest)  # "death toll rises to 51": the latest figure wins
        why = ["DET-cue" if any(r.cues.strong for r in group.members) else "DET-echo"] + group.why
        if headline is not None and group.lead.sentence.start < headline:
            why.append("DET-headline")
        if any(r.forced_new for r in group.members):
            why.append("DET-two-acts")
        role, role_rule = _role(group, groups[0], published, toll)
        why += [role_rule, type_rule(type_reason)]
        if group.date is not None:
            event_date, precision = group.date.date, group.date.precision
            why.append("DATE-inherited" if group.date_inherited else "DATE-own")
        else:
            event_date, precision = _default_date(published)
            why.append("DATE-headline" if "DET-headline" in why else "DATE-default")
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
        # the sentence right after one of the act's that tells no act itself describes it: its weapons are the act's
        if quiet is None:
            quiet = quiet_sentences(split, events)
        described = " ".join([joined] + [quiet[r.index + 1] for r in group.members if r.index + 1 in quiet])
        weapons = tuple(read_weapons(described, seizure=sub_event_type == DISRUPTED))  # a seized cache is its weapons
        place, place_rule = _place(group.location, countries, named, story)
        why.append(place_rule)
        start, end = _evidence(group, prep)
        targets = _targets(group, sub_event_type)
        if targets > 1:
            why.append("DET-split-targets" if sub_event_type in _SPLIT_TYPES else "DET-split-places")
        for ordinal in range(targets):
            # the figures of a counted strike stay on its first target: they are not per target
            first = ordinal == 0
            mentions.append(Mention(
                mention_id=_mention_id(article_id, start, end, sub_event_type, event_date, ordinal, role),
                article_id=article_id, outlet=outlet, reported_at=published_at,
                event_type=SUB_EVENT_TYPES[sub_event_type], sub_event_type=sub_event_type,
                event_date=event_date, date_precision=precision, **place,
                actor1=actors.actor1, actor2=actors.actor2,
                fatalities=toll.fatalities if first else None, injuries=toll.injuries if first else None,
                weapons=weapons, munitions=read_munitions(joined) if first else None,
                role=role, evidence=text[start:end], evidence_start=start, evidence_end=end,
                confidence=_confidence(group, toll, place_rule == "PLACE-abstain"),
                extractor_version=EXTRACTOR_VERSION, why=check(why),
                assoc_actor1=actors.assoc_actor1, inter1=codes.inter1, inter2=codes.inter2,
                civilian_targeting=codes.civilian_targeting,
            ))
    mentions += _uncounted(side, mentions, text, prep, places, lex, article_id, outlet, published_at, published)
    return tuple(mentions)


def _place(location: Any | None, countries: tuple[str, ...], named: set[str],
           story: Any) -> tuple[dict[str, Any], str]:
    """The Mention's place fields for an incident's `location`, and the PLACE- rule that set them;
    `story(iso3)`: the story's own place in that country (`coding_reads.story_place`)."""
    rule = "PLACE-sentence"
    if location is not None and not getattr(location, "strong", True):
        # weak evidence for the country (see `place_evidence.strong`): abstain rather
        # than count the incident in a wrong country
        location, rule = None, "PLACE-abstain"
    # the story's only country stands in for an unplaced incident only when the text names it
    # as a place, not only through a nationality ("Somali gunmen") or as a neighbour
    sure = countries[:1] and (countries[0] in named or "demonym" not in places.WEAK_RULES)
    abstained = rule == "PLACE-abstain"
    if location is None and countries and sure and not abstained:
        # the story's own place when it has one, in its main country even when a stray
        # namesake names another; the place must rest on strong evidence
        # (see `places.Gazetteer.story_place`)
        location, rule = story(countries[0]), "PLACE-story"
    if location is None and len(countries) == 1 and sure and not abstained:
        return dict(iso3=countries[0], admin1=None, location=None, latitude=None, longitude=None,
                    geo_precision=3), "PLACE-story"
    if location is not None:
        return dict(iso3=location.iso3 or None, admin1=location.admin1, location=location.location,
                    latitude=location.latitude, longitude=location.longitude,
                    geo_precision=location.geo_precision), rule
    return dict(iso3=None, admin1=None, location=None, latitude=None, longitude=None, geo_precision=None), rule


def _uncounted(side: list[Read], counted: list[Mention], text: str, prep: Prepared, places: Any,
               lex: Lexicon, article_id: str, outlet: str | None, published_at: dt.datetime | None,
               published: dt.date | None) -> list[Mention]:
    """The reference and aggregate mentions of a document: one per role and sub-event type, the
    first sentence that names it; a reference of a type the story itself reports is left out (it
    names the story's own incident). Placed by their sentence, dated only by their own date."""
    reported = {m.sub_event_type for m in counted}
    seen: set[tuple[str, str]] = set()
    out: list[Mention] = []
    for read in side:
        assert read.uncounted is not None  # `side` holds the reads with an uncounted role only
        role = "reference" if read.uncounted.startswith("ROLE-reference") else "aggregate"
        sub_event_type, type_reason = classify([(read.sentence.text, read.cues)], read.cues.family or "violence", lex)
        if (role, sub_event_type) in seen or (role == "reference" and sub_event_type in reported):
            continue
        seen.add((role, sub_event_type))
        date = read.date if read.date is not None and read.date.date is not None else None
        location = locate(places, read.sentence, read.sentence.start + read.lead.start) \
            if places is not None else None
        place, _ = _place(location if location is not None and getattr(location, "strong", True) else None,
                          (), set(), None)
        actors = read_actors(read.sentence.text, read.lead.start, read.lead.end)
        start, end = prep.to_original(read.sentence.start, read.sentence.end)
        event_date = date.date if date is not None else None
        out.append(Mention(
            mention_id=_mention_id(article_id, start, end, sub_event_type, event_date, role=role),
            article_id=article_id, outlet=outlet, reported_at=published_at,
            event_type=SUB_EVENT_TYPES[sub_event_type], sub_event_type=sub_event_type,
            event_date=event_date, date_precision=date.precision if date is not None else "day", **place,
            actor1=actors.actor1, actor2=actors.actor2, fatalities=None, injuries=None,
            weapons=tuple(read_weapons(read.sentence.text)), munitions=None, role=role,
            evidence=text[start:end], evidence_start=start, evidence_end=end, confidence=0.3,
            extractor_version=EXTRACTOR_VERSION,
            why=check(("DET-cue", read.uncounted, type_rule(type_reason)) + (("DATE-own",) if date else ())),
        ))
    return out
