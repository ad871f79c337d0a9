"""Per-sentence evidence for incident coding: event cues that survive the filters, and context.

In: one sentence (clean text) and the dates found in it. Out: `analyse_sentence(...)` ->
`SentenceCues`: the event cues kept (each with offsets and whether it is weak), the ones dropped
with the reason (negated, threat/plan, aggregate, habit, accident, question...), the context cues
(armed parties, civilians, small arms...) and the sentence's event family.

Why a cue is dropped is kept beside it so a coding decision can be explained from the evidence.
The cue records and families are in `coding_cue_data`, the reasons that drop one cue or keep it
only as a reference or a tally in `coding_cue_reasons`.
"""

from __future__ import annotations

import re

from extractors.coding_cue_data import (
    _VERB_FORMS,
    _VERB_NEXT,
    DEMO,
    EVENT_CUES,
    EXPLOSIVE,
    VIOLENCE,
    Cue,
    LazyCues,
    SentenceCues,
    _matches,
)
from extractors.coding_cue_match import starts
from extractors.coding_cue_reasons import UNCOUNTED_REASONS, _cue_reason, _reference_reason, _tally_reason
from extractors.coding_frames import reference_frame, void_frame
from extractors.coding_headlines import headline_reference, headline_void
from extractors.coding_sense import sense_reason
from extractors.coding_sense_ctx import Ctx
from extractors.coding_text import clause_bounds, clause_of
from extractors.dates import DateHit
from extractors.lexicon import Lexicon

# Words that on their own only echo an incident ("deaths", "the attacks") rather than report one.
_WEAK_WORDS = re.compile(
    r"^(?:attacks|strikes|raids|assaults|shootings|bombings|explosions|blasts|clashes|killings|airstrikes|"
    r"air strikes|hostilities|incursions|dead|died|deaths?|death toll|"
    r"under fire|protests|demonstrations|rallies|arrests|ambushes|foiled|thwarted|averted|foiling|thwarting|"
    r"found dead|human remains|bod(?:y|ies) .*|.* bod(?:y|ies)|"
    r"dead bod(?:y|ies)|remains of .*|fatalit(?:y|ies)|wounded|wounding|injured|injuring|hurt|injuries|maimed)$",
    re.IGNORECASE)
_PERFECT = re.compile(r"(?i)\b(?:have|has|'ve)\s+(?:\w+ly\s+|once again\s+|again\s+|also\s+|been\s+){0,2}"
                      r"(?:(?:carried out|launched|conducted|mounted|staged|made|used|fired)\s+(?:\w+\s+){0,2})?$")
# the means of a state told in the perfect: "<group>, which has spread fear by raiding convoys and shelling
# towns" sums up a campaign, it reports no act
_MEANS_OF_STATE = re.compile(r"(?i)\b(?:have|has|'ve)\s+(?:\w+ly\s+)?\w+(?:ed|en|wn|ght)\s+(?:\w+\s+){0,3}?by\s+"
                             r"(?:\w+ing\s+(?:\w+\s+){0,3}?(?:and|or)\s+)?(?:\w+ing\s+)?$")
_POSSESSIVE = re.compile(r"[\w][’']s\s+(?:\w+[- ]){0,1}$")
_ACTOR_BEFORE = re.compile(r"(?:\b(?:[A-Z]\.){2,}|\b[A-Z]{2,5}|\b(?i:army|military|militants?|militia|rebels|forces|"
                           r"troops|police|"
                           r"insurgents|jihadists|gunmen|raiders|bandits|group|jets|warplanes|drones?|navy))\s+$")
_PLURAL_NOUN = re.compile(r"(?i)^(?:\w+[- ])?(?:attacks|strikes|airstrikes|air strikes|raids|bombings|shellings|"
                          r"explosions|blasts)$")
_IMPACT_AFTER = re.compile(r"(?i)\s+(?:\w+ly\s+)?(?:hit|hits|struck|strike|killed|kill|kills|destroyed|damaged|"
                           r"targeted|pounded|"
                           r"wounded|injured|left|rocked|shook)\b")
# a verb of onset after a plural noun of fighting reports the outbreak itself, in any tense: "<adjective>
# clashes erupt between <side> and <side>", "skirmishes broke out again", "gun battles flare up"
_ONSET_VERB = r"(?:erupt(?:s|ed)?|break(?:s)?\s+out|broke\s+out|flare(?:s|d)?(?:\s+up)?)\b"
_ONSET = r"\s+(?:(?:\w+ly|again|anew)\s+){0,2}" + _ONSET_VERB
_ONSET_AFTER = re.compile("(?i)" + _ONSET)
_PLURAL_FIGHT = re.compile(r"(?i)^(?:\w+[- ])?"
                           r"(?:clashes|skirmishes|firefights|gunfights|gun battles|battles|fighting)$")
_LAUNCH_BEFORE = re.compile(r"(?i)\b(?:launch(?:es|ed)?|carr(?:y|ies|ied) out|conduct(?:s|ed)?|mount(?:s|ed)?|"
                            r"stag(?:es|ed)|"
                            r"order(?:s|ed)|unleash(?:es|ed)?)\s+(?:\w+\s+){0,3}$")
_PASSIVE_BEFORE = re.compile(r"\b(?:was|were|been|being|got|is|are)\s+(?:\w+\s+)?$", re.IGNORECASE)



def _inside(cue: Cue, spans: list[Cue]) -> bool:
    return any(s.start <= cue.start and cue.end <= s.end for s in spans)


def _drop_contained(cues: list[Cue]) -> list[Cue]:
    """Drop a cue lying strictly inside a longer cue of another name ("attack" in "drone attack").

    One sweep by start: a cue is inside a longer one of another name when a cue starting before
    it reaches its end, or one starting with it reaches past its end (the furthest end per name
    is kept, so a long sentence's cues are not compared pair by pair)."""
    reach: dict[str, int] = {}  # name -> the furthest end of the cues that start before the current start
    dropped: set[int] = set()
    order = sorted(range(len(cues)), key=lambda i: cues[i].start)
    k = 0
    while k < len(order):
        start, here = cues[order[k]].start, dict[str, int]()  # name -> the furthest end of the cues at `start`
        group = []
        while k < len(order) and cues[order[k]].start == start:
            cue = cues[order[k]]
            here[cue.name] = max(here.get(cue.name, cue.end), cue.end)
            group.append(order[k])
            k += 1
        for i in group:
            cue = cues[i]
            if any(name != cue.name and end >= cue.end for name, end in reach.items()) \
                    or any(name != cue.name and end > cue.end for name, end in here.items()):
                dropped.add(i)
        for name, end in here.items():
            reach[name] = max(reach.get(name, end), end)
    return [cue for i, cue in enumerate(cues) if i not in dropped]


def analyse_sentence(text: str, lex: Lexicon, dates: list[DateHit]) -> SentenceCues:
    """The event cues of one sentence after the filters, its context cues and its family.

    `dates`: the date expressions found in the sentence; a named day keeps a counted or
    habitual phrasing ("four attacks on Sunday") as one incident instead of a tally.
    """
    out = SentenceCues(clauses=clause_bounds(text))
    if not lex.any_event.search(text):
        return out
    begun = starts(text)  # its word starts, read once: a cue that can begin at none is not matched
    raw = [cue for name in EVENT_CUES if name in lex.cues for cue in _matches(lex, name, text, begun)]
    if not raw:
        return out
    out.context = LazyCues(lex, text, begun)
    # the cues that drop or frame an event cue ("strike_labour", "negation", "modality", "aggregate_count",
    # "question", "reference_frame", "armed_party", ...), matched on first use: a reason that fires
    # early leaves the others unread
    blockers = LazyCues(lex, text, begun)
    cues = _drop_contained(raw)
    named_day = any(d.precision == "day" for d in dates)
    sentence_drop = _sentence_reason(blockers, named_day, cues, text.rstrip(" \"'\u201d\u2019").endswith("?"), text)
    for cue in cues:
        reason = (sentence_drop or _tally_reason(cue, blockers, out.clauses, named_day)
                  or _cue_reason(cue, blockers, out.clauses, cues, text, named_day) or _search(cue, text, lex))
        if not reason:  # the cue in its sentence, as the sense and frame rules read it
            ctx = Ctx.of(text, cue, out.clauses, lex, cues, named_day)
            reason = (sense_reason(ctx) or void_frame(ctx)  # issue 13: senses, frames
                      or headline_void(cue.name, cue.start, cue.end, text, named_day))  # issue 13: headline grammar
        if not reason and (ref := _reference_reason(cue, blockers, out.clauses, cues, text, dates)
                           or reference_frame(ctx)
                           or headline_reference(cue.name, cue.start, cue.end, text, named_day)):
            # kept as an echo of the incident being told (it may complete it), but it opens none
            # and is kept apart as a reference (`uncounted_cues`)
            out.dropped.append((cue, ref))
            out.events.append(Cue(cue.name, cue.start, cue.end, cue.text, True, True))
            continue
        if reason:
            out.dropped.append((cue, reason))
            continue
        weak = _is_weak(cue, text, out, blockers, lex, named_day)
        out.events.append(Cue(cue.name, cue.start, cue.end, cue.text, weak))
    _convert_crowd_fights(text, out, lex)
    _ground_strikes(text, out, lex)
    out.family = _family(out)
    return out


def _is_weak(cue: Cue, text: str, out: SentenceCues, blockers: dict[str, list[Cue]], lex: Lexicon,
             named_day: bool) -> bool:
    """Whether a kept cue only echoes an incident rather than reporting one.

    Echoes: "the attack", bare plurals ("attacks", "Israel's missiles"), a body found (the
    outcome, not the act), what a court or a probe hears about, what a video shows, perfect-tense
    states ("Houthis have attacked ships"), possessives ("Hamas's attack"), a plural noun after its
    actor ("militant attacks on troops"), "fighting" as the state of a war, a means ("by attacking
    ships") and the backdrop of an "amid" clause. A plural that acts is not an echo:
    "militia attacks a village", "Israeli strikes hit Deir el-Balah", "the US launched airstrikes".
    """
    anaphoric = _inside(cue, blockers["anaphor"])
    weak = (anaphoric or bool(_WEAK_WORDS.match(cue.text)) or bool(out.context.get("legal"))
            or bool(out.context.get("footage")))
    if weak and not anaphoric and cue.text.lower() == "death toll" and _TOLL_RISES.match(text, cue.end):
        return False  # "death toll from the bombing rises to 51": the latest figure of an act, told

    if not weak and cue.name in _MUNITION_CUES and (
            (_BARE_PLURAL.match(cue.text) and not _in_use(text, cue, out.clauses))
            or _PLURAL_ACT_AFTER.match(text, cue.end)):
        weak = True
    if weak and not anaphoric and _VERB_FORMS.match(cue.text) and (
            (cue.text[0].islower() and (_VERB_NEXT.match(text, cue.end)
                                        or lex.cues["armed_party"].match(text, cue.end + 1)
                                        or lex.cues["civilian_party"].match(text, cue.end + 1)))
            or (_ACTOR_BEFORE.search(text[max(0, cue.start - 30):cue.start]) and not _NOUN_AFTER.match(text, cue.end))):
        weak = False
    if weak and not anaphoric and _PLURAL_NOUN.match(cue.text) and (
            _IMPACT_AFTER.match(text, cue.end) or _LAUNCH_BEFORE.search(text[max(0, cue.start - 40):cue.start])):
        weak = False
    if weak and not anaphoric and _PLURAL_FIGHT.match(cue.text) and _ONSET_AFTER.match(text, cue.end):
        weak = False
    if not weak and not named_day and cue.name == "clash" and _ING.match(cue.text) and _ROLE_NOUN.search(
            text[max(0, cue.start - 30):cue.start]):
        weak = True  # "US troops advise Iraqi forces fighting remnants of IS": a standing role, not an act
    if not weak and not named_day and cue.text.lower() == "fighting" and not _FIGHT_VERB_BEFORE.search(
            text[max(0, cue.start - 20):cue.start]) and not _FIGHT_ONSET_AFTER.match(text, cue.end):
        weak = True  # "cross-border fighting", "as fighting rages": the state of a war, not one clash
    if not weak and cue.text.lower().endswith("ing") and _GERUND_PREP.search(text[max(0, cue.start - 12):cue.start]):
        # "<group> spread fear by shelling <target>" (a means after "by"): a means or a habit named, not an act told
        weak = True
    clause_start = out.clauses[clause_of(out.clauses, cue.start)]
    if not weak and not named_day and _AMID.match(text, clause_start):
        # "<unrest> grows ... amid <place> offensive" (an "amid" backdrop): the backdrop, not the act reported
        weak = True
    if not weak and not named_day and _PERFECT.search(text[max(clause_start, cue.start - 30):cue.start]):
        weak = True
    if not weak and not named_day and _MEANS_OF_STATE.search(text[max(0, cue.start - 70):cue.start]):
        weak = True
    if not weak and cue.name in _POSSESSIVE_CUES and _POSSESSIVE.search(text[max(0, cue.start - 25):cue.start]):
        weak = True
    return weak


def _search(cue: Cue, text: str, lex: Lexicon) -> str | None:
    """"arrested at one of two flats police raided": a search that made arrests, not an attack."""
    if cue.text.lower().startswith("raid") and _POLICE_BEFORE.search(text[max(0, cue.start - 40):cue.start]) \
            and lex.cues["arrest"].search(text):
        return "search"
    return None


_POLICE_BEFORE = re.compile(r"(?i)\b(?:police|officers|detectives|agents|investigators|security forces)\s+"
                            r"(?:\w+\s+)?(?:had\s+|have\s+|has\s+)?$")


# a plural after an actor is a noun, not a verb, when a preposition or the end follows it:
# "rebel attacks on <force>", "the threat posed by <group> rebel attacks." (a plural noun after its actor)
_NOUN_AFTER = re.compile(r"(?i)\s*(?:$|[.,;:)]|(?:on|in|against|by|at|near|across|from|targeting)\b)")
# bare "fighting" is an act only as a verb ("troops were fighting ...") or when it breaks out
_FIGHT_VERB_BEFORE = re.compile(r"(?i)\b(?:was|were|is|are|been|be|began|begun|started)\s+$")
_FIGHT_ONSET_AFTER = re.compile(r"(?i)\s+(?:\w+\s+)?(?:took place|occurred|killed|left)\b|\s+between\b|" + _ONSET)
_AMID = re.compile(r"(?i)amid(?:st)?\b")
_GERUND_PREP = re.compile(r"(?i)\b(?:by|without)\s+$")
# a participle right after a party noun, with no auxiliary: "forces fighting remnants of IS" names what
# the forces do, not a fight that happened ("forces were fighting ..." is still an act)
_ING = re.compile(r"(?i)^(?:fighting|battling|combating|combatting)$")
_ROLE_NOUN = re.compile(r"(?i)\b(?:forces|troops|soldiers|fighters|militias?|units|groups|partners|allies|"
                        r"army|militaries|rebels|police)\s+$")
_TOLL_RISES = re.compile(r"(?i)(?:\s+[\w’'-]+){0,6}?\s+(?:rises|rose|climbs|climbed|jumps|jumped|reaches|reached|hits|"
                         r"mounts|soars|increases|increased|grows|tops|passes|surpasses)\s+(?:to\s+)?(?:at least\s+)?"
                         r"(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|a dozen|dozens|hundreds)")
_POSSESSIVE_CUES = ("attack", "clash", "shelling", "air", "strike", "ied")
_MUNITION_CUES = ("shelling", "air", "grenade", "ied")
_PLURAL_ACT_AFTER = re.compile(r"(?i)\s+(?:attacks|strikes|barrages|raids|bombardments)\b")
_BARE_PLURAL = re.compile(r"(?i)^(?:[\w-]+ )?(?:rockets|missiles|drones|shells|mortars|bombs|grenades|projectiles|"
                          r"UAVs|IEDs|mines|landmines|artillery|attacks|strikes|bombings|bombardments)$")
_USE = re.compile(
    r"(?i)\b(?:fir(?:ed|es|e|ing)|launch(?:ed|es|ing)?|f[ae]ll|falling|landed|struck|strikes?|hit|hits|slammed|rained|"
    r"targeted|targeting|exploded|detonated|aimed|shot|pounded|used|dropped|impacted|intercepted|downed|rocked|"
    r"killed|killing|injured|wounded|damaged|destroyed|attacked|attack)\b|\b(?:\d+|two|three|four|five|six|seven|"
    r"eight|nine|ten|"
    r"dozens?|several|a number of|barrage|salvo|volley)\s+(?:\w+\s+){0,2}$")


def _in_use(text: str, cue: Cue, clauses: list[int]) -> bool:
    """True when the clause of a weapon word says it was used (fired, fell, killed) or counts it."""
    index = clause_of(clauses, cue.start)
    start = clauses[index]
    end = clauses[index + 1] if index + 1 < len(clauses) else len(text)
    return bool(_USE.search(text[start:cue.start]) or _USE.search(text[cue.end:end]))


def _sentence_reason(blockers: dict[str, list[Cue]], named_day: bool, cues: list[Cue],
                     text_is_question: bool = False, text: str = "") -> str | None:
    """A reason that voids every cue of the sentence, or None.

    Counts, spans of time and habits act on their clause (`_tally_reason`): "Since then,
    attacks have largely stopped" voids the attacks, "4 killed as part of the ongoing conflict"
    does not void the killing.
    """
    if blockers["question"] or text_is_question:
        return "question"
    if blockers["running_total"]:
        return "running total"  # "attacked again, bringing the total to 90": a tally's latest step
    if blockers["habit_adverbial"] and not named_day:
        return "habitual"  # "militias attack convoys at will": a state of affairs, not one act
    if any(_PARTITIVE.match(b.text) and not text[:b.start].strip(" \"'\u201c\u2018")
           for b in blockers["aggregate_count"]):
        # "Most of the incidents took place on roads where trucks were looted": its subject is a share of
        # acts counted before, so all it tells is of that tally
        return "aggregate_count"
    if blockers["commemoration"] and not any(c.name in DEMO for c in cues) \
            and not _ritual_scene(blockers["commemoration"], cues, text):
        return "commemoration"  # a march on a memorial day is still a march
    return None


# a share of many acts: "most of the attacks", "some of these incidents" (not "one of the attacks": one act)
_PARTITIVE = re.compile(r"(?i)(?:most|many|some|all|several|none|each|half) of\b")
# an act told by its verb: a past tense ending the cue ("bomb exploded", "struck", "opened fire")
_ACT_VERB = re.compile(r"(?i)(?:\w+ed|struck|hit|shot|threw|blew up|went off|opened fire)$")
_RELATIVE = re.compile(r"(?i)\b(?:that|which|who|whose)\b")


def _ritual_scene(rituals: list[Cue], cues: list[Cue], text: str) -> bool:
    """Whether the ritual words name the scene or the victims of the act the sentence tells: an
    act verb of the main clause comes first, the ritual after it (an attack on mourners, a blast
    at a memorial service), not the ritual first with the act as what it recalls."""
    first = min(r.start for r in rituals)
    return any(c.name in VIOLENCE and c.name not in ("kill", "injure") and c.end <= first
               and _ACT_VERB.search(c.text) and not _RELATIVE.search(text[:c.start]) for c in cues)


_FIGHT_CUES = ("clash", "attack", "kill")
# words whose subject is not the one who fought: "three people died", "explosions targeting police"
_NOT_AGENTIVE = re.compile(r"(?i)^(?:\w+ing|died|dead|deaths?|death toll|fatalit\w+|found dead|.*bod(?:y|ies).*)$")
_FIREARMS = re.compile(r"(?i)\b(?:shot|shoot\w*|gunfire|gunshots?|armed|guns?|firearms?|fire ?fights?|"
                       r"exchanged? (?:of )?fire|"
                       r"rifles?|bullets?|gunm[ae]n)\b")
_REDUCED_PASSIVE = re.compile(r"(?i)\s+(?:in|during|when|after|as|near|at|on|while|following)\b")
_STATE = re.compile(r"(?i)\b(?:police\w*|officers?|gendarm\w+|security (?:forces|personnel|agents)|guards?|"
                    r"soldiers?|troops|army)\b")
_BETWEEN = re.compile(r"\bbetween\s+(?P<np>[^,.;:()]{3,90})", re.IGNORECASE)


def _convert_crowd_fights(text: str, out: SentenceCues, lex: Lexicon) -> None:
    """A fight or beating whose named sides are crowds ("two groups of villagers clashed",
    "students clashed with police", "a group of locals beat a man") is a riot, not a battle.

    A side armed with guns or an armed group (militants, a militia, herders) keeps it a battle;
    state forces on the other side do not (police facing a crowd is ACLED's riot).
    """
    if not any(c.name in _FIGHT_CUES for c in out.events):
        return
    if out.context.get("small_arms") or _FIREARMS.search(text):
        return
    converted = []
    for cue in out.events:
        if cue.name in _FIGHT_CUES and not _NOT_AGENTIVE.match(cue.text):
            clause_start = out.clauses[clause_of(out.clauses, cue.start)]
            first = min((c.start for c in out.events if clause_start <= c.start <= cue.start), default=cue.start)
            sides = [text[clause_start:first]]
            if passive_before(text, cue.start) or _REDUCED_PASSIVE.match(text, cue.end):
                sides = [""]  # the subject of a passive is the victim; only "by ..." names the doer
            # the partner after the verb ("clashed with police") is not a side: read as one, it
            # turned battles into riots (ACLED notes F1 0.907 -> 0.905, long articles 0.768 ->
            # 0.759; `QUALITY.md`, round 10)
            if cue.name == "clash" and re.match(r"(?i)ambush|fought", cue.text) \
                    and not passive_before(text, cue.start) and not _REDUCED_PASSIVE.match(text, cue.end):
                sides.append(text[cue.end:cue.end + 60])  # "youths ambushed a group of militants"
            between = _BETWEEN.search(text, cue.start)
            if between and between.start() - cue.end <= 40:
                sides.append(between.group("np"))
            # a crowd in a two-sided fight; for one-sided violence only an unorganised crowd
            # ("a group of locals beat a man"), not party workers or youths of a community
            party = "rioter_party" if cue.name == "clash" else "crowd_party"
            crowd = any(lex.cues[party].search(side) for side in sides[:1] + sides[2:]) or (
                cue.name == "clash" and any(lex.cues[party].search(side) for side in sides))
            armed_group = any(lex.cues["nonstate_armed"].search(side) for side in sides)
            # a clash with the police by someone not armed is a riot too ("X clashed with police")
            police_fight = cue.name == "clash" and any(_STATE.search(side) for side in sides[1:]) \
                and not _STATE.search(sides[0])
            if (crowd or police_fight) and not armed_group:
                name = "riot" if any(c.name == "protest" for c in out.events) else "crowd"
                cue = Cue(name, cue.start, cue.end, cue.text, cue.weak)
        converted.append(cue)
    out.events = converted


def _ground_strikes(text: str, out: SentenceCues, lex: Lexicon) -> None:
    """"Raiders struck at the village": a bare "struck" by a ground group is an attack, not an
    air strike (which "strike" alone is taken to be: "an Israeli strike on the town")."""
    converted = []
    for cue in out.events:
        if cue.name == "strike":
            clause_start = out.clauses[clause_of(out.clauses, cue.start)]
            if lex.cues["nonstate_armed"].search(text[clause_start:cue.start]):
                cue = Cue("attack", cue.start, cue.end, cue.text, cue.weak)
        converted.append(cue)
    out.events = converted


def _family(out: SentenceCues) -> str | None:
    """The sentence's event family: dwu, demo, violence or sd (None without kept cues).

    An intercepted attack absorbs the violence words that describe it; a demonstration absorbs
    generic violence words (police fired, protesters killed) but not explosives; violence absorbs
    looting and arrests (the incident is the attack, not what was taken).
    """
    # an act named only as a reference does not decide the family when the sentence reports another
    # act ("police arrest a suspect in last week's shooting" reports an arrest)
    names = {c.name for c in out.events if not c.ref} or out.names()
    if not names:
        return None
    if names & set(VIOLENCE) and any(c.name == "protest" for c in out.events) and all(
            c.text.lower().startswith("march") for c in out.events if c.name == "protest"):
        # "militias marched to Gordi and attacked settlers": a march is only movement here
        out.events = [c for c in out.events if c.name != "protest"]
        names = out.names()
    if "dwu" in names:
        return "dwu"
    if "seizure" in names:
        # arms seized after a fight belong to the fight; seized on their own, they are a
        # disrupted attack
        if names & set(VIOLENCE) - {"explosion"} and any(c.name in VIOLENCE and not c.weak for c in out.events):
            out.events = [c for c in out.events if c.name != "seizure"]
            names = out.names()
        else:
            return "dwu"
    if names & set(DEMO) and not names & EXPLOSIVE:
        return "demo"
    if "arrest" in names and names & set(VIOLENCE) == {"attack"} and all(
            c.text.lower().startswith("raid") for c in out.events if c.name == "attack"):
        # "forces arrested five people during a raid": a raid whose only outcome is arrests is
        # ACLED's Arrests, not an attack
        out.events = [c for c in out.events if c.name != "attack"]
        return "sd"
    if names & set(VIOLENCE):
        return "violence"
    return "sd"


def uncounted_cues(cues: SentenceCues) -> tuple[str, SentenceCues] | None:
    """The role rule and the cues of what a sentence names without reporting: references first
    ("after the bombing", "condemned the strike"), else tallies ("dozens of strikes"); None when
    it names neither. The cues come back as kept, with their own family, for typing."""
    for prefix in ("ROLE-reference", "ROLE-aggregate"):
        found = [(c, UNCOUNTED_REASONS[r]) for c, r in cues.dropped
                 if UNCOUNTED_REASONS.get(r, "").startswith(prefix) and c.name in VIOLENCE and c.name != "explosion"]
        if found:
            part = SentenceCues(events=[c for c, _ in found], context=cues.context, clauses=cues.clauses)
            part.family = _family(part)
            return found[0][1], part
    return None


def split_cues(cues: SentenceCues, start: int, end: int) -> SentenceCues:
    """The cues of the part [start, end) of a sentence, with that part's own family."""
    part = SentenceCues(events=[c for c in cues.events if start <= c.start < end], context=cues.context,
                        clauses=cues.clauses)
    part.family = _family(part)
    return part


def passive_before(text: str, position: int) -> bool:
    """True when the words before `position` make the cue there passive ("were killed")."""
    return bool(_PASSIVE_BEFORE.search(text[max(0, position - 30):position]))
