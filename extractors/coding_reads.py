"""Reading one document sentence by sentence: what each sentence says about incidents.

In: the prepared text (`coding_text.prepare`), the publication date and the story's countries.
Out: `read_sentences(...)` -> `Read`s in document order: each eventful sentence with its kept
cues (`coding_cues`); a sentence that names an act only as a reference or a tally also gives an
`uncounted` read of those cues (its role rule set, no place looked up, no toll); the date
expression that dates its main act (`dates`), its casualty figures (`casualties`) and its place
(`places`, when the gazetteer is installed); plus "detail"
reads for sentences that only give figures or police action, which complete the incident told in
the sentence before (so they are only read right after a sentence that gave a read).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

from extractors.casualties import Toll, read_toll
from extractors.coding_cue_data import Cue, SentenceCues
from extractors.coding_cues import analyse_sentence, split_cues, uncounted_cues
from extractors.coding_text import Prepared, Sentence, clause_of, sentences
from extractors.coding_types import classify
from extractors.dates import DateHit, find_dates, numeric_order
from extractors.lexicon import get_lexicon
from extractors.place_names import governs

_PROCEEDING_KINDS = frozenset(("weekday", "relative", "anchored"))
_DATE_RANK = {"explicit": 0, "partial": 1, "weekday": 2, "relative": 3, "anchored": 4, "month": 5, "year": 6}


@dataclass(slots=True)
class Read:
    """What one eventful sentence says (offsets in the clean text)."""

    sentence: Sentence
    cues: SentenceCues
    lead: Cue
    date: DateHit | None
    toll: Toll
    location: Any | None  # places.Location when the gazetteer is installed
    index: int = 0  # the sentence's position in the document
    detail: bool = False  # no event words, only figures ("No casualties were reported.")
    forced_new: bool = False  # the second act of "X hit Y after Z struck W": always its own incident
    uncounted: str | None = None  # the role rule of an act named, not reported ("after the bombing")


@functools.cache
def gazetteer() -> Any | None:
    """The place gazetteer when `extractors.places` is installed, else None (places stay empty)."""
    try:
        from extractors.places import get_gazetteer
    except ImportError:
        return None
    return get_gazetteer()


_CLAUSE_WORD = re.compile(r"(?i)\b(?:after|before|following|when|while|but|since|as|because|amid|ahead of|prompting|"
                          r"due to|despite|said|says|and|which|who|that)\b|[;:.]")
# a date that opens the sentence dates all of it: "On <day> <month> <year>, ...", "As reported on <day> <month>, ..."
_OPENING = re.compile(r"(?i)^\W*(?:(?:on or around|on or about|as reported on|reported on|on|around|in|during|by|"
                      r"late on|early on|"
                      r"between|\d{1,2}|the (?:night|morning|afternoon|evening|early hours) of)\s+)*$")
# a sentence that opens on a date, as ACLED notes and datelines do ("On <day> <month> <year>, in <town>, ...")
_DATELINE = re.compile(r"(?i)\W*(?:on or around |on or about |as reported on |around |on )?(?:\d{1,2}\s+[a-z]{3}|"
                       r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|"
                       r"\d{1,4}([/.-])\d{1,2}\1\d{1,4}\b)")  # numeric: "03/15/2016:", "2016-03-15", "15.03.16,"
_SPAN_EDGE = re.compile(r"(?i)\b(?:since|until|till|from|by|after|before|ahead of|through)\s+(?:the\s+|mid-?|"
                        r"early\s+|late\s+)?$")


def _attach_date(text: str, cues: SentenceCues, dates: list[DateHit], cue: Cue) -> DateHit | None:
    """The date expression that dates the event cue `cue` of one sentence, or None.

    Same clause first (the most explicit, then the latest: "on Thursday and Friday" is read as
    Friday, a night spanning two dates as its second); then a date that opens the sentence
    ("On <day> <month> <year>, ..."); then the nearest date before the cue. A date in a later clause
    belongs to something else ("... after a meeting this week").
    """
    # "since mid-October", "until Friday", "after the 7 October attack": a span's edge or
    # another event's day, not the day of this one
    dates = [d for d in dates if not _SPAN_EDGE.search(text[max(0, d.start - 12):d.start])
             and not _statement_day(text, d, cue)]
    if not dates:
        return None
    clause = clause_of(cues.clauses, cue.start)
    same = [d for d in dates if clause_of(cues.clauses, d.start) == clause]
    if same:
        return min(same, key=lambda d: (_DATE_RANK[d.kind], -(d.date.toordinal() if d.date else 0)))
    # a date set off by commas right after the act: "abducted pupils in Kuriga, Kaduna state, last week"
    following = [d for d in dates if d.start >= cue.end and not _CLAUSE_WORD.search(text[cue.end:d.start])
                 and not any(cue.end <= c.start < d.start for c in cues.events)]
    if following:
        return following[0]
    opening = [d for d in dates if _OPENING.match(text[:d.start])]
    if opening:
        return opening[0]
    before = [d for d in dates if d.end <= cue.start and not _CLAUSE_WORD.search(text[d.end:cue.start])]
    return before[-1] if before else None


# "X said in a statement on Tuesday that its forces had repelled an attack": the day dates the
# statement; an act told in the past perfect after "that" happened before it, on a day not given
_SPEECH_BEFORE = re.compile(r"(?i)\b(?:said|says|announced|stated|reported|claimed|told\s+\w+)\b[^.;:]{0,40}$")
_PLUPERFECT_ACT = re.compile(r"(?i)^\s*,?\s*that\b[^.;:]*\b(?:had|have|has)\s+(?:\w+\s+){0,2}$")


def _statement_day(text: str, date: DateHit, cue: Cue) -> bool:
    return (date.end <= cue.start and bool(_SPEECH_BEFORE.search(text[:date.start]))
            and bool(_PLUPERFECT_ACT.match(text[date.end:cue.start])))


def _lead_cue(cues: SentenceCues) -> Cue:
    strong = [c for c in cues.events if not c.weak]
    return (strong or cues.events)[0]


def _first_cue(cues: SentenceCues) -> Cue:
    strong = [c for c in cues.events if not c.weak]
    return min(strong or cues.events, key=lambda c: c.start)


_LOCATIVE_BEFORE = re.compile(r"(?i)\b(?:in|at|near|inside|outside|across|into|"
                              r"off)\s+(?:the\s+)?(?:\w+\s+){0,2}?(?:of\s+)?$")
_DEMONYM = re.compile(r"(?i)(?:i|ian|ese|ish|ic|an)$")


def placed_in(text: str, name: str | None) -> bool:
    """Whether `text` puts something in the place `name` ("in eastern Syria", "off Yemen"), not
    only names it as an actor or a speaker ("<country> carries out strikes", "<country> says")."""
    if not name:
        return False
    return any(_LOCATIVE_BEFORE.search(text[max(0, m.start() - 30):m.start()])
               for m in re.finditer(rf"\b{re.escape(name)}\b", text))


def locate(places: Any, sentence: Sentence, near: int | None = None) -> Any | None:
    """The place of the incident one sentence tells, from the document's `places.PlacedText`
    (its clean text resolved once with the story's countries): only the names inside the
    sentence's span are read.

    When the gazetteer's pick is only a country, a place the sentence puts the event in ("in
    Syria", "off Yemen") is preferred over a country named as a speaker or an adjective ("Iran
    says", "US troops").
    """
    clean = places.text
    location = places.locate(sentence.start, sentence.end)
    if location is not None and location.place is not None and location.place.kind == "city":
        location = _past_metonyms(places, sentence, location)
    if location is None or location.place is None or location.place.kind != "country":
        return location
    hits = places.plain.find(sentence.start, sentence.end)
    placed = [h for h in hits if _LOCATIVE_BEFORE.search(clean[max(sentence.start, h.start - 30):h.start])
              and not (_DEMONYM.search(h.surface) and h.surface.lower() not in {c.name.lower() for c in h.candidates})]
    if near is not None:
        placed.sort(key=lambda h: abs(h.start - near))  # the place named closest to the act
    elif any(h.candidates and h.candidates[0].name == location.location for h in placed):
        return location
    for hit in placed:
        better = places.locate(hit.start, hit.end)
        if better is not None:
            return better
    return location


# a city (a capital) named as the government that acts or speaks: "Washington struck", "Moscow says",
# "the Damascus government"; the scene is another place the sentence names, if any
_METONYM_AFTER = re.compile(
    r"(?i)(?:\s+(?:government|regime|administration|authorities|leadership|officials|forces|troops)\b|"
    r"\s+(?:has\s+|have\s+|had\s+|then\s+|later\s+|also\s+)?(?:struck|strikes|retaliated|retaliates|launched|launches|"
    r"said|says|accused|accuses|blamed|blames|warned|warns|responded|responds|denied|denies|claimed|claims|ordered|"
    r"orders|sent|sends|vowed|vows|bombed|bombs|attacked|attacks|carried out|carries out|announced|announces|"
    r"condemned|condemns|backed|backs|supports|supported|deployed|deploys)\b)")


def metonyms(places: Any, start: int, end: int, kinds: tuple[str, ...] = ("city",)) -> list[Any]:
    """The place hits of city names (or places of `kinds`) within text[start:end] of a
    `places.PlacedText` that stand for a government."""
    clean = places.text
    return [h for h in places.plain.find(start, end) if h.candidates and h.candidates[0].kind in kinds
            and (_METONYM_AFTER.match(clean, h.end) or governs(clean, h.end))]  # issue 13: "X's attempt"


def _past_metonyms(places: Any, sentence: Sentence, location: Any) -> Any:
    """`location` unless it is a city named as an actor ("Washington struck", "the Damascus
    government"): then the place the sentence gives once those names are set aside, or None."""
    actors = [h for h in metonyms(places, sentence.start, sentence.end)
              if any(c.name == location.location for c in h.candidates[:1])]
    if not actors:
        return location
    masked = list(places.text)
    for hit in actors:
        masked[hit.start:hit.end] = " " * (hit.end - hit.start)
    # None when the sentence names no other place: the government acted, the scene is not told
    # (the masked text is resolved anew: rare, a capital named as the actor of its own city's act)
    return places.gaz.locate("".join(masked), sentence.start, sentence.end, context_iso3=places.context)


def story_place(places: Any, iso3: str) -> Any | None:
    """`Gazetteer.story_place` of the document of `places` once the capitals it names only as
    the government that acts or speaks ("<capital> says", "<capital> vowed") are set aside: such
    a name is an actor, not the scene, so the story's other place is taken, or None."""
    clean = places.text
    # a capital territory may be a first-level region in the gazetteer
    actors = metonyms(places, 0, len(clean), kinds=("city", "admin1"))
    other = {h.candidates[0].name for h in places.plain.find() if h.candidates and h not in actors}
    masked = list(clean)
    for hit in actors:
        if hit.candidates[0].name not in other:  # named elsewhere as a place: kept
            masked[hit.start:hit.end] = " " * (hit.end - hit.start)
    return places.gaz.story_place("".join(masked), iso3)


# the reasons that void a cue as part of a tally of acts (`coding_cue_reasons`, `coding_cues`)
TALLY_REASONS = frozenset(("aggregate_count", "aggregate_period", "habitual", "running total"))
_FIGURE_WORDS = re.compile(r"(?i)casualt|fatalit|injur|wounded|unhurt|unharmed|unscathed|killed|dead|died|hurt")
_NO_CUE = Cue("detail", 0, 0, "", True)


def read_sentences(prep: Prepared, published: dt.date | None, countries: tuple[str, ...],
                   inferred: bool = False, lex: Any = None, events: list[int] | None = None,
                   places: Any = None, split: list[Sentence] | None = None) -> list[Read]:
    """The `Read`s of one document. `published`: the publication date, or with `inferred` the
    text's own latest full date standing in for it (see `dates.reference_date`). `lex`: the
    lexicon of the text's language (English by default). `events`: the sorted offsets in the
    clean text where an event cue starts, when the caller has scanned it once already (one pass
    of the cue pattern over the document instead of one per sentence). `places`: the clean
    text's `places.PlacedText` in the context of `countries`, when the caller has it (else it is
    made here, when the gazetteer is installed). `split`: the clean text's `sentences`, when the
    caller has them."""
    lex = lex or get_lexicon()
    if events is None:
        events = [m.start() for m in lex.any_event.finditer(prep.clean)]
    gaz = gazetteer()
    if places is None and gaz is not None:
        places = gaz.placed(prep.clean, countries)
    reads: list[Read] = []
    anchor: dt.date | None = None if inferred else published
    order = numeric_order(prep.clean)  # the day/month order of the document's numeric dates
    opening: DateHit | None = None  # the day a sentence with no act opens on ("On 7 May 2020, police went ...")
    for index, sentence in enumerate(split if split is not None else sentences(prep.clean)):
        # dates are only read where an event word is (most sentences of a story have none)
        first = bisect.bisect_left(events, sentence.start)
        eventful = first < len(events) and events[first] < sentence.end
        dates = find_dates(sentence.text, published=published, anchor=anchor, inferred=inferred,
                           order=order) if eventful else []
        cues = analyse_sentence(sentence.text, lex, dates) if eventful else None
        told = bool(reads) and reads[-1].index == index - 1 and reads[-1].uncounted is None  # read before
        side = uncounted_cues(cues) if cues is not None and cues.dropped else None
        if side is not None:
            rule, part = side
            lead = _lead_cue(part)
            reads.append(Read(sentence, part, lead, _attach_date(sentence.text, part, dates, lead), Toll(), None,
                              index, uncounted=rule))
        if cues is None or not cues.events:
            if _DATELINE.match(sentence.text):
                opening = next((d for d in find_dates(sentence.text, published=published, anchor=anchor,
                                                      inferred=inferred, order=order)
                                if d.date is not None and d.precision == "day"
                                and _OPENING.match(sentence.text[:d.start])), opening)
            # a sentence of figures or of police action only completes the incident told in the
            # sentence right before it (`coding_groups.group_sentences`): one after a sentence that
            # gave no counted read (`told`) completes nothing, and is not read
            if told:
                # a sentence whose acts were voided as a tally ("Three had been killed since January")
                # gives the tally's figures, not the incident's
                tally = cues is not None and any(reason in TALLY_REASONS for _, reason in cues.dropped)
                detail = _detail(sentence, cues or SentenceCues(), index, lex, figures=not tally)
                if detail is not None:
                    reads.append(detail)
            continue
        # a complex assault told in one sentence is dated by its first act ("overran a base on
        # Wednesday after a suicide car bomb breached its gate"), whatever word types it
        one_assault = _one_assault(sentence.text)
        for number, (part, a, b) in enumerate(_acts(sentence.text, cues, lex)):
            lead = _lead_cue(part)
            date = _attach_date(sentence.text, part, dates, _first_cue(part) if one_assault else lead)
            if date is not None and date.kind in _PROCEEDING_KINDS and part.context.get("legal") \
                    and not _OPENING.match(sentence.text[:date.start]):
                date = None  # "identified the bomber in court Friday": the day of the trial, not of the bombing
            if date is not None and date.date is not None:
                anchor, opening = date.date, None
            elif date is None and opening is not None:
                date = opening  # the act told after a dated scene-setting sentence happened that day
            span = Sentence(sentence.start + a, sentence.start + b, sentence.text[a:b])
            location = None
            if places is not None:
                # "<agency> warns of famine in <A>; <state> strikes militia depot in <B>": the part the act is in
                part_span = _segment(sentence, a, b, lead)
                if part_span is not None:
                    location = locate(places, part_span, sentence.start + lead.start)
                if location is None:
                    location = locate(places, span, sentence.start + lead.start)
            reads.append(Read(sentence, part, lead, date, read_toll(span.text), location, index, forced_new=number > 0))
    return reads


def _detail(sentence: Sentence, cues: SentenceCues, index: int, lex: Any, figures: bool = True) -> Read | None:
    """The "detail" read of a sentence with no kept event cue (its `cues`): one that gives
    figures of dead or wounded (only read with `figures`), or tells police action; else None."""
    toll = read_toll(sentence.text) if figures and _FIGURE_WORDS.search(sentence.text) else None
    action = lex.cues["intervention"].search(sentence.text)
    if (toll is not None and (toll.fatalities is not None or toll.injuries is not None)) or action:
        if action:
            cues.context["intervention"] = [Cue("intervention", action.start(), action.end(), action.group())]
        return Read(sentence, cues, _NO_CUE, None, toll or Toll(), None, index, detail=True)
    return None


def _segment(sentence: Sentence, a: int, b: int, lead: Cue) -> Sentence | None:
    """The semicolon-delimited part of sentence[a:b] holding the lead cue, or None without one."""
    text = sentence.text
    if ";" not in text[a:b] or lead is _NO_CUE:
        return None
    start = max((m.end() for m in re.finditer(";", text[a:lead.start])), default=0) + a
    end = text.find(";", lead.end, b)
    end = b if end < 0 else end
    return Sentence(sentence.start + start, sentence.start + end, text[start:end])


_CONNECTOR = re.compile(r"(?i)\b(?:after|following|in retaliation for|in response to|in revenge for|prompting|"
                        r"hours after|days after)\b|,\s+and\b|;")
# the opening stage of one complex assault, not an act of its own: "overran the base after a
# suicide car bomb breached its gate"
_BREACH = re.compile(r"(?i)\b(?:breach(?:ed|ing)?|blew open|rammed|"
                     r"(?:its|the|their) (?:main )?(?:gate|entrance|perimeter wall|outer wall|perimeter)s?)\b")


def _one_assault(text: str) -> bool:
    """Whether a connector ties an act to the opening stage of the same assault ("overran the
    base after a suicide car bomb breached its gate")."""
    return any(_BREACH.search(text, c.end()) for c in _CONNECTOR.finditer(text))


def _acts(text: str, cues: SentenceCues, lex: Any) -> list[tuple[SentenceCues, int, int]]:
    """The sentence as one act, or as two when it ties two different acts together.

    "Hezbollah fires rockets at Israel after an airstrike kills five fighters": two incidents,
    each with its own type; "two policemen were killed following attacks by militants" stays
    one (the second part only echoes the first), and so does a complex assault whose second
    part is its opening stage ("after a suicide car bomb breached its gate").
    """
    whole = [(cues, 0, len(text))]
    for connector in _CONNECTOR.finditer(text):
        first = split_cues(cues, 0, connector.start())
        second = split_cues(cues, connector.end(), len(text))
        if not (first.specific and second.specific) or _BREACH.search(text, connector.end()):
            continue  # (the second part is the opening stage of the first: see `_one_assault`)
        kinds = [classify([(text, part)], part.family or "violence", lex)[0] for part in (first, second)]
        if kinds[0] != kinds[1]:
            return [(first, 0, connector.start()), (second, connector.end(), len(text))]
    return whole


