"""Frames that name an act without reporting it (GUIDE rules 2 and 9), read around one event cue.

In: one event cue the filters and sense rules of `coding_cues` kept, in its sentence
(`coding_sense_ctx.Ctx`: the sentence, the cue, its other cues and whether it names a day). Out:
`reference_frame(ctx)` and `void_frame(ctx)` -> the reason id of the first rule of `REFERENCES` / `VOIDS` that fires
("frame:cause", ...), or None; `FRAME_ROLES` maps each reason id that keeps the cue as an uncounted
mention to its role rule in `coding_rules.RULES` (a denial or an animal's attack has none: it is dropped).

Each rule names a construction of general news, not an example: an act that is the subject of a
consequence ("<act> raises tensions", "<act> sets the stage for a debate"), the label of a story
("<place> shooting: what we know"), the subject of a judgement ("the strike was illegal"), the past
of a person ("a writer who survived a stabbing"), the cause of blame or of an arrest; a toll summed
over a war, a crackdown or a campaign; an act said to be false; and an animal's attack. A reference
is kept, linked and never counted; a tally is kept apart and never counted. An act told with its own
toll, day or scene stays a report: the patterns below leave no room for a relative clause or a
figure between the act and the frame.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from extractors.coding_local import found_from
from extractors.coding_sense_ctx import Ctx

# cues of an act of violence (the frames never apply to demonstrations, arrests or agreements)
_ACTS = frozenset(("suicide", "ied", "air", "strike", "shelling", "explosion_remote", "explosion", "grenade",
                   "chemical", "clash", "attack", "kill", "injure", "abduct", "sexual"))
_VERB_FORM = re.compile(r"(?i)(?:ed|[^s]s)$")  # "attacked", "kills": a verb, the act is told
_TOLL = re.compile(r"(?i)\b(?:kill\w*|dead|died|deaths?|death toll|wound\w*|injur\w*|casualt\w*|lives|hurt|"
                   r"massacr\w+|gunned down|shot)\b")

# --- references ---------------------------------------------------------------------------------

# what an act causes when it is only the cause: a climate, a debate, a state of affairs
_CONSEQUENCE_VERB = (r"(?:raise[sd]?|rais(?:es|ing)|sets?(?: off)?|spark(?:s|ed)?|fuel(?:s|led|ed)?|stoke[sd]?|"
                     r"reignite[sd]?|rekindle[sd]?|revive[sd]?|renew(?:s|ed)?|deepen(?:s|ed)?|heighten(?:s|ed)?|"
                     r"expose[sd]?|highlight(?:s|ed)?|underscore[sd]?|lay(?:s)? bare|test(?:s|ed)?|cast(?:s)?|"
                     r"put(?:s)?|prompt(?:s|ed)?|overshadow(?:s|ed)?|complicate[sd]?|derail(?:s|ed)?|divide[sd]?|"
                     r"galvani[sz]e[sd]?|haunt(?:s|ed)?|reshape[sd]?|shake(?:s)? up|upend(?:s|ed)?|"
                     r"hang(?:s)? over|loom(?:s|ed)? over|leave[sd]?|left|pose[sd]?|open(?:s|ed)? up|"
                     r"draw(?:s)?|drew|bring(?:s)?|brought|stir(?:s|red)?|force[sd]?|add(?:s|ed)? to)")
_CONSEQUENCE_OBJECT = (r"(?:tensions?|fears?|concerns?|questions?|doubts?|debates?|row|rift|feud|dispute|outrage|"
                       r"anger|fury|backlash|criticism|condemnation|calls?|demands?|pressure|scrutiny|alarm|"
                       r"worr(?:y|ies)|anxiet(?:y|ies)|uncertainty|stakes|crisis|showdown|stand-?off|stage|"
                       r"shadow|spotlight|focus|limits|vulnerabilit(?:y|ies)|weakness(?:es)?|failures?|gaps?|"
                       r"divisions?|soul-searching|memories|trauma|scars|grief|sympathy|solidarity|unity|"
                       r"review|rethink|reckoning|soul|spectre|specter|talks|diplomacy|relations|ties|"
                       r"ceasefire|truce|peace|markets?|prices|shares|stocks|economy|election|campaign|vote|"
                       r"race|polic(?:y|ies)|laws?|legislation|security|spending|budget|sanctions|retaliation|"
                       r"speculation|suspicions?|accusations?|blame|recriminations?|reactions?|response|"
                       r"precedent|dilemma|headache|challenge|warning|rethinking|turmoil|jitters|nerves|"
                       r"hopes?|prospects?|chances?|momentum|future|legacy|reputation|image|standing)")
_CONSEQUENCE = re.compile(
    # the act's own modifiers ("on the embassy", "in the capital"), then the verb and its object
    r"(?i)(?:\s+(?:in|on|at|near|against|of|outside|inside)(?:\s+[\w’'.-]+){1,4}?)?\s+"
    + _CONSEQUENCE_VERB + r"\s+(?:(?:a|an|the|new|fresh|renewed|more|wider|broader|long|deep|deeper|further|its|"
    r"their|his|her|old|global|public|international|regional|political|diplomatic|national|sharp|serious|"
    r"hard|tough|uncomfortable|difficult|awkward|bitter|fierce|heated|urgent|growing)\s+){0,3}(?:[\w-]+\s+){0,2}?"
    + _CONSEQUENCE_OBJECT + r"\b")
# the act opens its clause: only determiners and modifiers before it ("An attack", "Embassy attack")
_SUBJECT_BEFORE = re.compile(r"(?:^|[:;—–]\s*|\b(?:Analysis|Opinion|Explainer|Comment)\s*[:|-]\s*)"
                             r"(?:[\w’'.-]+\s+){0,4}$")


def consequence(ctx: Ctx) -> bool:
    """The act is the subject of a verb of consequence whose object is a climate, a debate or a
    state ("A bombing in the capital raises tensions", "Embassy attack sparks diplomatic row",
    "Massacre casts a long shadow over talks"): the act is named as the cause of the news."""
    if _VERB_FORM.search(ctx.word) and not ctx.word.lower().endswith(("attacks", "strikes", "raids", "bombings",
                                                                      "shootings", "clashes")):
        return False
    # the anchored match first: a long sentence is not rescanned before every act
    if not ctx.follows(_CONSEQUENCE):
        return False
    before = ctx.text[:ctx.start]
    return bool(_SUBJECT_BEFORE.search(before)) and not re.search(r"(?i)\b(?:kill\w*|dead|wound\w*|injur\w*)\b", before)


_LABEL = re.compile(r"^(?:[\w’'.-]+\s+){0,4}?$")


def label(ctx: Ctx) -> bool:
    """The act is the label a headline opens with, and what follows the colon tells no act, toll or
    scene of it ("<place> shooting: what we know", "Attack on editor: police name suspect");
    "<place> bombing: death toll climbs to 40" stays a report."""
    colon = ctx.text.find(":", ctx.end, ctx.end + 41)  # (not read on to the end of a long sentence)
    if colon < 0 or colon - ctx.end > 40 or not _LABEL.match(ctx.text[:ctx.start]):
        return False
    head = ctx.text[ctx.end:colon]
    if len(head.split()) > 5 or re.search(r"[,;.]", head):
        return False
    rest = ctx.text[colon + 1:]
    if _TOLL.search(rest) or any(c.start > colon and c.name in _ACTS for c in ctx.cues):
        return False
    return True


_DEFINITE = re.compile(r"(?i)(?:\b(?:the|this|that|these|those|its|their|his|her|our)|[’']s)\s+(?:[\w-]+\s+){0,2}$")
_JUDGEMENT = re.compile(
    r"(?i)(?:\s+(?:on|in|against|of)(?:\s+[\w’'.-]+){1,4}?)?\s+(?:was|is|were|are|had been|has been)\s+"
    r"(?:(?:not|also|clearly|plainly|probably|likely|possibly|widely|legally|morally|entirely|fully|wholly)\s+)?"
    r"(?:(?:il)?legal|(?:un)?lawful|(?:un)?justified|(?:il)?legitimate|(?:un)?provoked|(?:in)?defensible|"
    r"disproportionate|proportionate|a (?:war )?crime|war crimes?|genocide|a mistake|an error|a blunder|a failure|"
    r"a success|a provocation|an act of (?:terror(?:ism)?|war|aggression|self-defen[cs]e)|terrorism|"
    r"a violation|a breach|self-defen[cs]e|a (?:false flag|message|warning|signal|response|reprisal)|"
    r"retaliation|revenge|staged|fabricated|a hoax|a turning point|a wake-up call|a tragedy|senseless|"
    r"(?:un)?acceptable|(?:un)?necessary|avoidable|preventable|foreseeable)\b")


def judgement(ctx: Ctx) -> bool:
    """An act already known (a definite or possessive noun phrase) is the subject of a judgement
    ("Critics say the airstrike was illegal", "the bombing was an act of terror", "the raid was a
    mistake"): what the sentence tells is an opinion about it."""
    return bool(_DEFINITE.search(ctx.preceding(40))
                and ctx.follows(_JUDGEMENT))


_PERSON_PAST = re.compile(
    r"(?i)(?:\b(?:who|which|that)\s+(?:had\s+|once\s+|narrowly\s+|later\s+)?(?:surviv(?:ed|es)|escap(?:ed|es)|"
    r"led|masterminded|orchestrated|planned|plotted|ordered|inspired|lived through|witnessed|covered|"
    r"reported on|investigated)|\bsurvivors?\s+of|\bveterans?\s+of|\bhero(?:es)?\s+of|\bmastermind\s+of)\s+"
    r"(?:(?:an?|the|this|that|his|her|their|its|[\w’'-]+[’']s)\s+)?(?:[\w’'-]+\s+){0,3}$")


def person_past(ctx: Ctx) -> bool:
    """The act names a person by their past ("a writer who survived a stabbing", "the guerrilla
    who led a bombing campaign", "survivors of the massacre"): the news is about the person."""
    return bool(_PERSON_PAST.search(ctx.preceding(80)))


_IRREGULAR_PAST = re.compile(r"(?i)\b(?:shot|struck|hit|fought|beat|blew|slew|stabbed|shelled)$")
# a head noun that an act only qualifies: its people, its aftermath in law and memory, its kind
_QUALIFIED_HEAD = re.compile(
    r"(?i)[ -](?:victims?|suspects?|accused|trials?|cases?|anniversar(?:y|ies)|memorials?|vigils?|"
    r"probes?|inquir(?:y|ies)|investigations?|hoax(?:es)?|drills?|laws?|legislation|polic(?:y|ies)|debates?|"
    r"prevention|charges?|convictions?|verdicts?|hearings?|lawsuits?|sentenc(?:e|es|ing)|documentar(?:y|ies)|"
    r"films?|movies?|novels?|podcasts?|statistics|figures|rates?|epidemic|crisis|insurance)\b")


def qualifier(ctx: Ctx) -> bool:
    """The act is a noun that only qualifies the head noun after it ("shooting victims", "bombing
    suspect", "massacre anniversary", "stabbing trial"): the people, the case or the memory named
    are the news, not an act told; a verb ("gunmen shot victims") is no qualifier."""
    return not _VERB_FORM.search(ctx.word) and not _IRREGULAR_PAST.search(ctx.word) and ctx.follows(_QUALIFIED_HEAD)


_YEAR_LABEL = re.compile(r"(?:\b(?:a|an|the|its|their|his|her)\s+|[’']s\s+)(?:19|20)\d\d\s+(?:[\w-]+\s+){0,2}$")
_IN_YEAR_LABEL = re.compile(r"(?i)\s+(?:in|during|by)\s+(?:a|an|the|its|their)\s+(?:19|20)\d\d\s")


def year_label(ctx: Ctx) -> bool:
    """An act labelled by its year ("the 2019 bombing", "wounded in a 2014 ambush"): a past act
    named by its year, not one the news reports; one told with a toll after it is still told."""
    if ctx.name in ("kill", "injure"):
        return ctx.follows(_IN_YEAR_LABEL)
    return bool(_YEAR_LABEL.search(ctx.preceding(40))) \
        and not ctx.found_after(_TOLL)


_KIN_OF = re.compile(
    r"(?i)\b(?:famil(?:y|ies)|relatives|parents|widows?|orphans|memory|names|graves|funerals?)\s+of\s+"
    r"(?:those|the(?:\s+[\w-]+){0,2}?|people|\w+)\s+(?:(?:who\s+(?:were\s+)?)?(?:killed|wounded|injured|died|lost)"
    r"\s+(?:in|during|by)\s+(?:the|a|an|that|this|last\s+\w+[’']s|[\w-]+[’']s)\s+(?:[\w-]+\s+){0,2})?$")


def kin_of_victims(ctx: Ctx) -> bool:
    """The dead of a known act named through their kin or their memory ("the families of those
    killed in the bombing", "the funerals of the soldiers killed in the ambush"): the kin are the news."""
    return bool(_KIN_OF.search(ctx.preceding(120)))


_BLAME = re.compile(r"(?i)\b(?:blam(?:e|es|ed|ing)|hold(?:s|ing)?|held)\s+(?:[\w’'.-]+\s+){1,4}?"
                    r"(?:responsible\s+)?for\s+(?:the|this|that|these|those|its|their|last\s+\w+[’']s|"
                    r"[\w’'-]+[’']s)\s+(?:[\w-]+\s+){0,2}$")


def blame(ctx: Ctx) -> bool:
    """A known act named as what someone is blamed for ("blamed the government for the massacre",
    "holds the militia responsible for the bombing"): the blame is the news."""
    return bool(_BLAME.search(ctx.preceding(90)))


_PURSUIT = re.compile(
    r"(?i)\b(?:suspects?|accused|arrest(?:s|ed|ing)?|detain(?:s|ed|ing)?|charg(?:es|ed|ing)|indict(?:s|ed)|"
    r"convict(?:s|ed)|sentenc(?:es|ed)|jail(?:s|ed)|hunt(?:s|ing)? for|manhunt for|search for|wanted)\s+"
    r"(?:[\w’'.-]+\s+){0,4}?(?:in|over|for|in connection with|linked to)\s+(?:the|this|that|its|their|"
    r"last\s+\w+[’']s|[\w’'-]+[’']s)\s+(?:[\w-]+\s+){0,2}$")


def pursuit(ctx: Ctx) -> bool:
    """A known act named as what suspects are sought, held or tried for ("police arrest a suspect
    in last week's shooting", "two men charged over the bombing"), with no toll told after it:
    the arrest or the trial is the news."""
    return bool(_PURSUIT.search(ctx.preceding(90))) \
        and not ctx.found_after(_TOLL)


# --- tallies and denials ------------------------------------------------------------------------

_CAMPAIGN = re.compile(
    r"(?i)\b(?:violence|war|wars|conflict|conflicts|crackdown|insurgency|unrest|campaign|repression|"
    r"civil war|genocide|occupation|siege|invasion|offensive|uprising|purge|bloodshed|fighting|hostilities)"
    r"(?:\s+(?:in|on|against|of|across|by)\s+(?:[\w’'.-]+\s+){1,3}?)?\s*(?:,[^,]{1,60},\s*)?"
    r"(?:(?:that|which)\s+)?(?:has\s+|have\s+|had\s+|already\s+|so far\s+|now\s+)*(?:\w+ly\s+)?$")


_SPAN_OPENING = re.compile(r"(?i)^\s*(?:after|in|within|over)\s+(?:more than\s+|nearly\s+|almost\s+|just\s+)?"
                           r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|a few)\s+"
                           r"(?:days|weeks|months|years)\s*,")
_SINCE_OPENING = re.compile(r"(?i)^\s*since\b")
_PERFECT = re.compile(r"(?i)\b(?:has|have|had)\s+(?:\w+ly\s+|also\s+|now\s+|already\s+|so far\s+)*(?:been|killed|hit|"
                      r"struck|wounded|injured|attacked|launched|carried out|fired|left|claimed|destroyed|damaged|"
                      r"targeted|bombed|shelled|displaced)\b")


def span_opening(ctx: Ctx) -> bool:
    """A sentence that opens on a span of time and tells what it amounts to ("After three weeks, 60
    people are dead", "Since the truce began on <day>, strikes have killed 400"): a sum over
    the span; the day it names is the span's start, not an act's."""
    if _SPAN_OPENING.match(ctx.text):
        return True
    comma = ctx.text.find(",")
    return bool(_SINCE_OPENING.match(ctx.text) and 0 < comma < ctx.start and found_from(_PERFECT, ctx.text, comma))


def campaign_toll(ctx: Ctx) -> bool:
    """A toll whose subject is a war, a crackdown, a campaign or violence in general ("Gang
    violence killed 5,000 last year", "a crackdown that killed thousands"): a sum over many acts,
    unless the sentence names the day of one."""
    return ctx.name in ("kill", "injure") and not ctx.named_day \
        and bool(_CAMPAIGN.search(ctx.preceding(90)))


# read from the act's end in the whole sentence (not a copy of its rest): "(?=\w)" is the word boundary the rest's
# first character would make, the words after it read what they read in the rest
_FALSE_AFTER = re.compile(r"(?i)(?:(?=\w)|[^.;:!?]{1,40}?\b)(?:is|are|was|were)\s+(?:\w+ly\s+)?(?:false|untrue|"
                          r"baseless|unfounded|groundless|fabricated|fake|made up|a fabrication|a lie|lies|propaganda|"
                          r"disinformation|misinformation)\b")


def said_false(ctx: Ctx) -> bool:
    """The act is said to be false ("reports of a massacre are false", "claims of a strike were
    baseless"): a denial, no act (GUIDE rule 3)."""
    return ctx.follows(_FALSE_AFTER)


_ANIMAL = (r"(?:dogs?|pit ?bulls?|rottweilers?|tigers?|bears?|sharks?|wolf|wolves|lions?|lioness|leopards?|jaguars?|"
           r"pumas?|cougars?|elephants?|crocodiles?|alligators?|snakes?|pythons?|cobras?|hippos?|hippopotamus|"
           r"boars?|bees|hornets|wasps|monkeys?|baboons?|bulls?)")
_ANIMAL_SUBJECT = re.compile(r"(?i)\b" + _ANIMAL + r"\s+(?:[\w’'-]+\s+){0,2}$")
_BY_ANIMAL = re.compile(r"(?i)\s+(?:\w+\s+)?by\s+(?:an?|the|a pack of|a swarm of|two|three)\s+(?:[\w-]+\s+)?"
                        + _ANIMAL + r"\b")
_ANIMAL_OBJECT = re.compile(r"(?i)\s+(?:dead\s+)?(?:an?|the|two|three|several|its|his|her|their)\s+(?:[\w-]+\s+)?"
                            + _ANIMAL + r"\b")


def animal(ctx: Ctx) -> bool:
    """An animal that attacks or is shot ("a tiger attacked a keeper", "mauled by a dog", "police
    shot the dog"): harm that is no political violence."""
    if ctx.name not in ("attack", "kill", "injure", "clash"):
        return False
    return bool(_ANIMAL_SUBJECT.search(ctx.preceding(40))
                or ctx.follows(_BY_ANIMAL) or ctx.follows(_ANIMAL_OBJECT))


@dataclass(frozen=True, slots=True)
class FrameRule:
    """One frame: the reason id a dropped cue carries, its role rule (`coding_rules`) and its test."""

    id: str
    role: str
    test: Callable[[Ctx], bool]


REFERENCES: tuple[FrameRule, ...] = (
    FrameRule("frame:cause", "ROLE-reference-cause", consequence),
    FrameRule("frame:label", "ROLE-reference-label", label),
    FrameRule("frame:judgement", "ROLE-reference-judgement", judgement),
    FrameRule("frame:person", "ROLE-reference-person", person_past),
    FrameRule("frame:blame", "ROLE-reference-reaction", blame),
    FrameRule("frame:pursuit", "ROLE-reference-pursuit", pursuit),
    FrameRule("frame:year", "ROLE-reference-recalled", year_label),
    FrameRule("frame:kin", "ROLE-reference-person", kin_of_victims),
    FrameRule("frame:qualifier", "ROLE-reference-person", qualifier),
)
# frames that void the cue: a tally is kept apart as an aggregate, a denial is dropped (no role)
VOIDS: tuple[FrameRule, ...] = (
    FrameRule("frame:campaign", "ROLE-aggregate-campaign", campaign_toll),
    FrameRule("frame:span", "ROLE-aggregate-period", span_opening),
    FrameRule("frame:false", "", said_false),
    FrameRule("frame:animal", "", animal),
)
FRAME_ROLES = {rule.id: rule.role for rule in REFERENCES + VOIDS if rule.role}


def _first(rules: tuple[FrameRule, ...], ctx: Ctx) -> str | None:
    if ctx.name not in _ACTS:
        return None
    return next((rule.id for rule in rules if rule.test(ctx)), None)


def reference_frame(ctx: Ctx) -> str | None:
    """The reason id of the first reference frame around the cue, or None."""
    return _first(REFERENCES, ctx)


def void_frame(ctx: Ctx) -> str | None:
    """The reason id of the first frame that voids the cue (a tally, a denial), or None."""
    return _first(VOIDS, ctx)
