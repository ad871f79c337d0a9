"""Why one event cue of a sentence is dropped, or kept only as a reference or a tally.

In: one cue (`coding_cue_data.Cue`), the sentence's blocker cues, clause starts, all its cues,
text and dates. Out: a reason string or None: `_tally_reason` (a count, span or habit in the
cue's clause), `_cue_reason` (labour strike, not conflict, "since" reference, purpose, negation,
modality) and `_reference_reason` (the act named only as the cause, backdrop or object of what
the sentence tells: GUIDE rule 9). `UNCOUNTED_REASONS` maps the reasons that keep a dropped cue
as an uncounted mention to the rule id of its role.
"""

from __future__ import annotations

import bisect
import re

from extractors.coding_cue_data import _VERB_FORMS, _VERB_NEXT, DEMO, EXPLOSIVE, VIOLENCE, Cue
from extractors.coding_frames import FRAME_ROLES
from extractors.coding_headlines import HEADLINE_ROLES
from extractors.coding_local import found_from, once
from extractors.coding_text import clause_of
from extractors.dates import DateHit

_NEGATED_VERB = re.compile(r"(?i)^(?:has not|have not|had not|did not|didn't|hasn't|haven't|never|was not|were not)$")
_MODAL_VERB = re.compile(r"(?i)^(?:would|could|might|may|will|won't|wouldn't|can|cannot|can't|should|shall)$")
_SCOPE = 60  # characters a negation or modal reaches forward ("threatened to target Israeli ships")
# a few strikes counted on a named day: "On 9 May, the coalition carried out 4 airstrikes on
# Houthi positions in Al Jawf" is one event (ACLED: one place, one day), not a tally
_FEW_STRIKES = re.compile(
    r"(?i)(?:[1-9]|1\d|20|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty) (?:[\w-]+ ){0,2}"
    r"(?:air ?strikes|airstrikes|strikes|air raids|sorties)")


def _tally_reason(cue: Cue, blockers: dict[str, list[Cue]], clauses: list[int], named_day: bool) -> str | None:
    """A count, span of time or habit in the cue's clause that makes it a tally, not an event.

    "On <day>, <a force> opened a post because of continued raids by <a militia>": the day dates the
    post, the raids in the clause of "continued" are a tally. A count of events on a named
    day ("four attacks on three ships late Sunday") stays one incident, and so do up to twenty
    strikes counted on a named day (`_FEW_STRIKES`).
    """
    counts = [b for b in _containing(blockers, "aggregate_count", cue) if b.start <= cue.start and cue.end <= b.end]
    if counts and not (named_day and all(_FEW_STRIKES.fullmatch(b.text) for b in counts)):
        return "aggregate_count"
    clause = clause_of(clauses, cue.start)
    names: tuple[str, ...] = (("aggregate_period", "habitual") if named_day
                              else ("aggregate_count", "aggregate_period", "habitual"))
    if named_day and cue.name in DEMO:
        # a demonstration on a named day is that day's, whatever span or conflict it is about
        # ("On 4 May, activists protested against interference in the Afghan conflict")
        names = ("habitual",)
    two_clauses = clauses[clause + 2] if clause + 2 < len(clauses) else _END
    for name in names:
        # the cue's own clause, or the clause right after it when that clause is the span
        # itself ("300 civilians had been killed in attacks | since January")
        if any(clause_of(clauses, b.start) == clause or (clause_of(clauses, b.start) == clause + 1
                                                          and b.start - clauses[clause + 1] <= 1)
               for b in _between(blockers, name, "start", clauses[clause], two_clauses)):
            return name
    return None


# "since" right before an act makes it the start of a span ("the first time since <group> attacked")
_REFERENCE = re.compile(r"(?i)\bsince\s+(?:the\s+|a\s+|its\s+|their\s+)?(?:[\w.’'-]+\s+){0,3}$")


# "weeks after the <date> raid" (a span measured from an act): the act dates something else
_SPAN_AFTER = re.compile(r"(?i)\b(?:days|weeks|months|years)\s+(?:after|before)\s+the\s+(?:[\w.’'-]+\s+){0,3}$")
# an event verb in the infinitive ("to attack", "to strike") names an aim; "in response to attack" is a noun
_INFINITIVE = re.compile(r"(?i)(?<!response )(?<!retaliation )(?<!reaction )(?<!due )(?<!prior )(?<!led )(?<!lead )"
                         r"(?<!leading )(?<!exposed )(?<!subjected )\bto\s+$")
# "<weapons> to launch strikes on <country> territory" (an infinitive of launching): the aim again, with a verb
# of launching
_INFINITIVE_LAUNCH = re.compile(r"(?i)\bto\s+(?:launch|carry out|mount|stage|conduct|commit)\s+(?:[\w-]+\s+){0,2}$")
_BARE_VERBS = frozenset(("attack", "strike", "bomb", "shell", "kill", "fight", "clash", "ambush", "abduct", "kidnap",
                        "raid", "target", "hit", "shoot", "storm", "assault", "loot", "burn", "fire", "launch"))


def _cue_reason(cue: Cue, blockers: dict[str, list[Cue]], clauses: list[int], cues: list[Cue],
                text: str = "", named_day: bool = False) -> str | None:
    """A reason that voids this one cue, or None (`named_day`: the sentence names a day, which
    keeps an infinitive as told: "On 28 April, a dispute triggered one camp to attack the other")."""
    if cue.name == "strike" and _overlaps(cue, _overlapping(blockers, "strike_labour", cue)):
        return "labour strike"
    if _overlaps(cue, _overlapping(blockers, "non_conflict", cue)):
        return "not conflict"
    if cue.name in ("kill", "explosion", "injure") and blockers["non_conflict"] and not any(
            c is not cue for c in once("armed acts", cues, lambda: [
                c for c in cues if c.name in EXPLOSIVE or c.name in ("attack", "clash")])):
        return "not conflict"
    clause = clause_of(clauses, cue.start)
    if _REFERENCE.search(text[max(clauses[clause], cue.start - 40):cue.start]) or _SPAN_AFTER.search(
            text[max(0, cue.start - 50):cue.start]):
        return "reference"  # "<her> first visit since the <date> attack": a point in time, not news
    if not named_day and ((cue.text in _BARE_VERBS and _INFINITIVE.search(text[max(0, cue.start - 25):cue.start]))
                          or _INFINITIVE_LAUNCH.search(text[max(0, cue.start - 40):cue.start])):
        # "<capital> helps allied groups to strike <country>" (an infinitive of purpose): an aim, not an act told
        return "purpose"
    for name in ("negation", "modality"):
        # a threat or a denial governs what follows it closely in its own clause
        if any(b.end <= cue.start <= b.end + _SCOPE and clause_of(clauses, b.start) == clause
               for b in _between(blockers, name, "end", cue.start - _SCOPE, cue.start + 1)):
            return name
    # a modal or a negated verb right after the act: "attacks could lead to a wider war",
    # "missiles won't hurt", "large-scale fighting has not resumed"
    if any(cue.end <= b.start <= cue.end + 25 and _MODAL_VERB.match(b.text) and clause_of(clauses, b.start) == clause
           for b in _between(blockers, "modality", "start", cue.end, cue.end + 26)):
        return "modality"
    if any(cue.end <= b.start <= cue.end + 20 and _NEGATED_VERB.match(b.text) and clause_of(clauses, b.start) == clause
           for b in _between(blockers, "negation", "start", cue.end, cue.end + 21)):
        return "negation"
    return None


# reasons that keep a dropped cue as an uncounted mention: the rule id of its role (`coding_rules`)
UNCOUNTED_REASONS = {
    "ref-after": "ROLE-reference-after", "ref-reaction": "ROLE-reference-reaction",
    "reference": "ROLE-reference-since", "commemoration": "ROLE-reference-commemoration",
    "aggregate_count": "ROLE-aggregate-count", "aggregate_period": "ROLE-aggregate-period",
    "habitual": "ROLE-aggregate-habit", "running total": "ROLE-aggregate-running",
    **FRAME_ROLES,  # the frames of `coding_frames`
    **HEADLINE_ROLES,  # the frames of headline grammar (`coding_headlines`)
}
# words that end a noun phrase between a frame and the act: a clause of its own starts
_NP_BREAK = re.compile(r"(?i)[,;:()]|\b(?:that|which|who|whom|when|where|while|as|and|but|or|was|were|is|are|had|has|"
                       r"have|been|be|will|would|said|says|say)\b")
# a finite verb right after the act: the act is told ("after an airstrike kills five", "after a
# bomb tore through a market"), not only named
_TOLD_AFTER = re.compile(r"(?i)^\s+(?:\w+ly\s+)?(?:\w+ed|hit|hits|struck|strikes|kills?|tore|tears|rips|blew|blows|"
                         r"went off|goes off|left|leaves|shook|shakes|rocks|fell|falls|landed|lands|took|takes|"
                         r"broke|breaks|claim(?:s|ed)|injures?|wounds?|targets?|destroys?|damages?|sets? off|"
                         r"swept|sweeps|began|begins)\b")
_TOLL_AFTER = re.compile(r"(?i)\b(?:kill\w*|dead|died|deaths?|wound\w*|injur\w*|casualt\w*|lives)\b")
_OUTCOMES = ("kill", "injure")
_VERBAL = re.compile(r"(?i)\b(?:went|goes|go|blew|blow|blows|tore|broke|shot|fought|hit|struck|slew|overran|"
                     r"overtook)\b")
_OF_AFTER = re.compile(r"\s+of\b")  # "condemns bombing of a school": a gerund used as a noun
# nothing after it, or a phrase of place or time: "postponed after bombing", "after shooting in <town>",
# a gerund with no object is a noun (a gerund's object follows it: "after bombing the bridge")
_NOUN_END = re.compile(r"\s*(?:$|[,;:.!?)]|\s(?:in|near|outside|inside|during|that|which|last|this|earlier|on "
                       r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b)")


def _reference_reason(cue: Cue, blockers: dict[str, list[Cue]], clauses: list[int], cues: list[Cue], text: str,
                      dates: list[DateHit]) -> str | None:
    """See `_framed`; an act told in the relative clause of a referenced act is part of the
    reference ("inside the raid that killed the leader": the killing is the raid's)."""
    reason = _framed(cue, blockers, clauses, cues, text, dates) or _mourned(cue, text, dates)
    if reason is None and cue.name in VIOLENCE and (reach := _relative_reach(text, cue.start)) < cue.start:
        ends = once("cue ends", cues, lambda: sorted((c.end, i) for i, c in enumerate(cues)))
        # the first cue (in `cues` order) that ends within the reach where a relative gap starts
        low, high = bisect.bisect_left(ends, (reach, -1)), bisect.bisect_right(ends, (cue.start, len(cues)))
        found = [i for end, i in ends[low:high] if _RELATIVE.fullmatch(text, end, cue.start)]
        if found:
            return _framed(cues[min(found)], blockers, clauses, cues, text, dates)
    return reason



# the words between an act and the act of its relative clause, matched whole from the first act's end
# to the second's start: "the raid that killed", "the strike which had reportedly hit"
_RELATIVE = re.compile(r"(?i)\s+(?:that|which)\s+(?:had\s+|has\s+|have\s+)?(?:\w+ly\s+)?")
# the same words as a shape, read backwards from the second act: spaces, then one to three words each
# with the spaces before it (`_RELATIVE` is one word and up to two more)
_RELATIVE_SHAPE = re.compile(r"\s+(?:\w+\s+){1,3}")
# a window read backwards that holds nothing but the start of such a shape: the shape may go on past it
_SHAPE_SO_FAR = re.compile(r"\s+(?:\w+\s+){0,3}\w*")


def _relative_reach(text: str, end: int) -> int:
    """The leftmost start a `_RELATIVE` gap ending at `end` may have (`end` when none can end there).

    The backward shape is matched on a reversed window before `end`, doubled while the whole window
    is only the start of a shape (the match could go on past its edge), so the reach is exact however
    long the spaces or the adverb; a long sentence's earlier cues are then skipped by their end alone
    instead of each being matched against the text between."""
    width = 64
    while True:
        start = max(0, end - width)
        window = text[start:end][::-1]
        if start == 0 or not _SHAPE_SO_FAR.fullmatch(window):
            found = _RELATIVE_SHAPE.match(window)
            return end if found is None else end - found.end()
        width *= 2


def _framed(cue: Cue, blockers: dict[str, list[Cue]], clauses: list[int], cues: list[Cue], text: str,
            dates: list[DateHit]) -> str | None:
    """"ref-after" / "ref-reaction" when the act is named only as the cause, backdrop or object of
    what the sentence tells (GUIDE rule 9), or None when it is reported.

    The act must be a noun phrase right after the frame in its clause ("condemned Sunday's bombing",
    "after the raid on the camp"): an act told with its own verb ("after gunmen stormed", "after an
    airstrike kills five"), or given its own later day and a toll ("condemned an attack on Sunday
    that killed 12"), is reported, and so is a cause whose outcome the sentence tells ("three died
    following an airstrike", where the deaths are the news).
    """
    word = cue.text.lower()
    if cue.name not in VIOLENCE or word.endswith("ed") or _VERBAL.search(word):
        return None  # "after gunmen stormed", "after the shells went off": the act told with its verb
    if _TOLD_AFTER.match(text, cue.end) or (_VERB_FORMS.match(cue.text) and _VERB_NEXT.match(text, cue.end)):
        return None
    if once("last day", dates, lambda: max((d.start for d in dates if d.precision == "day"), default=-1)) >= cue.end \
            and found_from(_TOLL_AFTER, text, cue.end):
        return None
    clause_start = clauses[clause_of(clauses, cue.start)]
    for name, reason in (("reaction_frame", "ref-reaction"), ("reference_frame", "ref-after")):
        for frame in _between(blockers, name, "end", cue.start - 60, cue.start + 1):
            if not (frame.end <= cue.start and cue.start - frame.end <= 60 and frame.start >= clause_start - 1):
                continue
            gap = text[frame.end:cue.start]
            if len(gap.split()) > 6 or _NP_BREAK.search(gap) or (
                    word.endswith("ing") and not gap.strip() and not _OF_AFTER.match(text, cue.end)
                    and not _NOUN_END.match(text, cue.end)):
                continue  # "after killing five": a gerund with no determiner is the act told
            if name == "reference_frame" and once("first outcome", cues, lambda: min(
                    (c.start for c in cues if c.name in _OUTCOMES), default=_END)) < frame.start:
                continue  # "three died following an airstrike": the outcome of the act is the news
            told = not _bare_topic(gap, text, cue, dates) or (
                name == "reference_frame" and once("first armed party", blockers["armed_party"], lambda: min(
                    (b.end for b in blockers["armed_party"]), default=_END)) <= frame.start)
            if not _known(gap) and told:
                # "after an attack on a ship", "after attack on ship in <place>", and "navy sinks boats
                # after attack on ship" (armed forces act before the frame): a new act, told
                continue
            return reason
    return None


# a verb of ritual, then people named by what befell them: "to remember the nine people shot dead",
# "mourned the pupils killed", "a memorial to the miners slain"
_RITUAL_OBJECT = re.compile(
    r"(?i)\b(?:remember\w*|mourn\w*|honou?r(?:s|ed|ing)?|commemorat\w*|pray(?:s|ed|ing)? for|bur(?:y|ies|ied|ying)|"
    r"(?:pa(?:y|ys|id|ying) )?tributes? to|memorials? (?:to|for)|funerals? (?:of|for)|vigils? for)\s+"
    r"(?:the\s+|those\s+|their\s+|his\s+|her\s+)?(?:[\w’'-]+\s+){0,4}$")
_PARTICIPLE = re.compile(r"(?i)^(?:\w+ed|slain|shot(?: dead)?|stabbed(?: to death)?|killed)$")


def _mourned(cue: Cue, text: str, dates: list[DateHit]) -> str | None:
    """"commemoration" when the act is a participle that names the people a ritual is for ("gathered
    to remember the nine people shot dead by a gunman"): the ritual is the news, the act its topic.
    An act given its own day after it ("buried 12 people killed by gunmen on Sunday") is told."""
    if cue.name not in VIOLENCE or not _PARTICIPLE.match(cue.text):
        return None
    if any(d.precision == "day" and d.start >= cue.end for d in dates):
        return None
    return "commemoration" if _RITUAL_OBJECT.search(text[max(0, cue.start - 80):cue.start]) else None


_DETERMINER = re.compile(r"(?i)\b(?:the|this|that|these|those|its|their|his|her|our|your|last|recent|latest|"
                         r"a|an|another|one|two|three|four|five|several|some|new|fresh|further|more|other)\b|[’']s\b|"
                         r"\b\d{1,2}/\d{1,2}\b|"
                         r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}\b|"
                         r"\b\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b")
_INDEFINITE = frozenset(("a", "an", "another", "one", "two", "three", "four", "five", "several", "some", "new", "fresh",
                         "further", "more", "other"))


_STOP = re.compile(r"[.;:!?]")
_SCENE_AFTER = re.compile(r"(?:\s+[\w’'-]+){0,4}?\s+(?:in|near|at|outside|off|inside|on)\s+(?:the\s+)?"
                          r"(?:[a-z-]+\s+){0,2}(?-i:[A-Z])")


def _bare_topic(gap: str, text: str, cue: Cue, dates: list[DateHit]) -> bool:
    """Whether an act after a reaction verb or a frame of cause with no determiner at all ("leader
    praises rebel attack", "senator slams response to embassy raid", "<leader> vows revenge after
    deadly bombing") is only the topic: it gets no place, day or toll of its own in the sentence
    ("UN condemns attack on peacekeepers in Mali" reports one)."""
    if _DETERMINER.search(gap):
        return False
    stop = _STOP.search(text, cue.end + 1)
    clause_end = len(text) if stop is None else stop.start()
    rest = text[cue.end:clause_end]
    return not (_SCENE_AFTER.match(rest) or _TOLL_AFTER.search(rest)
                or once("last date", dates, lambda: max((d.start for d in dates), default=-1)) >= cue.end)


def _known(gap: str) -> bool:
    """Whether the noun phrase before an act presents it as already known (a definite or possessive
    determiner, a date label: "the bombing", "Sunday's raid", "the <date> raid"), not as news
    (an indefinite one, "an attack on a ship", or a headline's bare noun, "attack on ship")."""
    found = _DETERMINER.findall(gap)
    return bool(found) and found[-1].strip().lower() not in _INDEFINITE


def _overlaps(cue: Cue, spans: list[Cue]) -> bool:
    return any(s.start < cue.end and cue.start < s.end for s in spans)


# --- a sentence's blocker cues read near one cue -----------------------------------------------------
# A blocker list is what `finditer` gives (`coding_cue_data._matches`): in text order, no two
# overlapping, so starts and ends are both in order and a cue's neighbours are found by bisection.

_END = 1 << 62  # past any offset


def _offsets(blockers: dict[str, list[Cue]], name: str, key: str) -> list[int]:
    spans = blockers[name]
    return once(f"{name} {key}", spans, lambda: [getattr(s, key) for s in spans])


def _between(blockers: dict[str, list[Cue]], name: str, key: str, low: int, high: int) -> list[Cue]:
    """The blockers `name` whose `key` ("start" or "end") lies in [low, high), in text order."""
    offsets = _offsets(blockers, name, key)
    return blockers[name][bisect.bisect_left(offsets, low):bisect.bisect_left(offsets, high)]


def _overlapping(blockers: dict[str, list[Cue]], name: str, cue: Cue) -> list[Cue]:
    """The blockers `name` overlapping the cue: ending after it starts, starting before it ends."""
    low = bisect.bisect_right(_offsets(blockers, name, "end"), cue.start)
    return blockers[name][low:bisect.bisect_left(_offsets(blockers, name, "start"), cue.end)]


def _containing(blockers: dict[str, list[Cue]], name: str, cue: Cue) -> list[Cue]:
    """The blockers `name` starting at or before the cue and ending at or after its end."""
    low = bisect.bisect_left(_offsets(blockers, name, "end"), cue.end)
    return blockers[name][low:bisect.bisect_right(_offsets(blockers, name, "start"), cue.start)]
