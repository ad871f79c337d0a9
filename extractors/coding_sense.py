"""Word senses and frames that make an event cue no report of political violence.

In: one event cue the filters of `coding_cues` kept, in its sentence (`coding_sense_ctx.Ctx`: the
sentence, its clauses and the lexicon). Out: `sense_reason(ctx)` -> `"sense:<rule id>"` for the
first rule of `RULES` that voids the cue, or None.

Each rule names a construction, not an example: an event word used in another sense (a contest, a
speech act, a work's title, an idiom), in a frame that reports no act (an expectation, a topic, a
lasting state), or for harm that ACLED does not code as political violence (a collision, a natural
cause, a blast at a plant, a search by police, a theft). A rule about sense never fires when the
sentence names physical harm or armed force (`harm` in the lexicon): "fans clashed with police,
injuring 12" stays a riot. The word classes live in `seeds/lexicon/en/senses.yaml`.

The cue in its sentence (`Ctx`, `harm`) is in `coding_sense_ctx`, the rules about harm that is not
political violence in `coding_sense_harm`; the word senses and frames are here, with `RULES`.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from extractors.coding_sense_crowd import armed_roadblock, delegation, forced_march, source
from extractors.coding_sense_ctx import Ctx, _cls, _crowd, harm
from extractors.coding_sense_harm import (
    accidental,
    charge,
    collision,
    harassment,
    industrial_blast,
    labour_strike,
    mishap,
    natural_cause,
    non_human_opponent,
    plain_death,
    property_crime,
    search,
    space_launch,
    weapon_shown,
    work_stoppage,
)

# the cues of violence (`coding_cue_data.VIOLENCE`, disrupted attacks and seized arms): all rules apply to them
VIOLENT_CUES = frozenset(("suicide", "ied", "air", "strike", "shelling", "explosion_remote", "explosion", "grenade",
                          "chemical", "clash", "attack", "kill", "injure", "abduct", "sexual", "territory_gov",
                          "territory_nsa", "dwu", "seizure"))


# --- word senses -------------------------------------------------------------------------------

_QUOTED = re.compile(r"(?:^|(?<=[\s(\[—–-]))[‘“\"'](?P<q>[^‘“”\"\n]{1,80}?)[’”\"'](?!\w)")
_SMALL = frozenset("a an the of to in on at for and or but by with from as is".split())


@functools.lru_cache(maxsize=8)
def _found(pattern: re.Pattern[str], text: str, group: str | int) -> tuple[list[int], list[re.Match[str]]]:
    """The matches of `pattern` in `text` (found once per sentence, not once per cue) and the
    ends of their `group`, in text order."""
    found = list(pattern.finditer(text))
    return [m.end(group) for m in found], found


def _around(pattern: re.Pattern[str], text: str, group: str | int, start: int, end: int) -> list[re.Match[str]]:
    """The matches of `pattern` in `text` whose `group` may hold or touch [start, end): those
    ending at or after `start` and starting at or before `end` (matches do not overlap, so their
    ends are in order: a bisect finds the first)."""
    ends, found = _found(pattern, text, group)
    out, k = [], bisect.bisect_left(ends, start)
    while k < len(found) and found[k].start(group) <= end:
        out.append(found[k])
        k += 1
    return out


def in_title(ctx: Ctx) -> bool:
    """The cue lies inside a quoted name of a work ("starred in 'Kill the Messenger'"):
    the quote is in title case, or a word for a work stands right before it."""
    for m in _around(_QUOTED, ctx.text, "q", ctx.start, ctx.end):
        if not (m.start("q") <= ctx.start and ctx.end <= m.end("q")):
            continue
        words = [w for w in re.findall(r"[^\W\d_][\w’'-]*", m.group("q")) if w.lower() not in _SMALL]
        title_case = len(words) >= 2 and all(w[0].isupper() for w in words)
        named = _cls("work").search(ctx.text[max(0, m.start() - 30):m.start()])
        if named or (title_case and not harm(ctx)):  # a capitalised quote beside harm may be a slogan
            return True
    # an unquoted title after a word for a work: "the novel Murder at the Mill"
    for m in _around(_UNQUOTED_TITLE, ctx.text, "t", ctx.start, ctx.end):
        if m.start("t") <= ctx.start and ctx.end <= m.end("t"):
            return True
    return False


# (the word for the work in lower case: in a headline in title case, "Video Shows Strikes On ..." is no title)
_UNQUOTED_TITLE = re.compile(r"\b(?P<w>films?|movies?|novels?|books?|albums?|songs?|singles?|series|plays?|musicals?|"
                             r"operas?|documentar(?:y|ies)|podcasts?|sitcoms?|thrillers?|memoirs?|titled|entitled),?\s+(?P<t>(?-i:[A-Z])[\w’'-]*(?:\s+(?:(?:a|an|the|of|to|in|on|at|for|and)\s+)*"
                             r"(?-i:[A-Z])[\w’'-]*)*)")


def in_idiom(ctx: Ctx) -> bool:
    """The cue is part of a fixed compound or idiom of another sense ("kill zone", "attack ad",
    "a striking message", "struck a chord", "make a killing")."""
    return any(m.start() <= ctx.start and ctx.end <= m.end() or (m.start() < ctx.end and ctx.start < m.end())
               for m in _around(_cls("idiom"), ctx.text, 0, ctx.start, ctx.end))


# the object's start: a preposition and a determiner; the idea may follow up to two modifiers
_OBJECT_HEAD = r"\s*(?:(?:on|against|upon|at|over|about)\s+)?" \
               r"(?:(?:the|a|an|our|his|her|their|its|this|that|these|those|such|" \
               r"[\w’']+[’']s)\s+)?"


_NP_END = re.compile(r"\s*(?:$|[,.;:!?)”’\"']|(?:and|or|that|which|who|in|on|of|by|with|as|for|to|from|after|before|"
                     r"amid|while|at|is|was|are|were|has|had|during|over|since|because|when|but|last|this|on)\b)",
                     re.IGNORECASE)


def figurative_object(ctx: Ctx) -> bool:
    """An attack, offensive, war or blow whose object is an idea, a policy or a statement ("an
    attack on democracy", "an offensive against the pension reform", "pushed back on
    those allegations"): a verbal or political act."""
    if harm(ctx):
        return False
    head = re.match(_OBJECT_HEAD, ctx.after)
    if head is None:
        return False
    words = re.finditer(r"[\w-]+\s+", ctx.after[head.end():])
    starts = [head.end()] + [head.end() + m.end() for m in words][:2]
    for start in starts:
        for name in ("abstract_object", "discourse"):
            hit = _cls(name).match(ctx.after, start)
            if hit and _NP_END.match(ctx.after, hit.end()):  # the idea is the whole object, not a modifier
                return True
    return False


_TEXT_SUBJECT = re.compile(
    r"(?i)\b(?:posts?|tweets?|statements?|ads?|adverts?|editorials?|articles?|letters?|speech(?:es)?|reports?|"
    r"books?|columns?|op-?eds?|essays?|memos?|podcasts?|remarks|comments|messages?)\b(?:[^.;:]{0,60}?\s(?:that|which))?"
    r"\s+(?:\w+ly\s+)?(?:also\s+)?$")
_SPEECH_FRAME = re.compile(
    r"(?i)^[^.;]{0,60}?(?:\b(?:over|for|about)\s+(?:his|her|their|its|the|my|our)\s+(?:[\w-]+\s+){0,2}?(?:remarks|comments|"
    r"statements?|views|stance|positions?|polic(?:y|ies)|record|handling|decisions?|response|words|tweets?|posts?)\b|"
    r"\bon the basis of\b|\bin (?:a|an|his|her|their|its|the)\s+(?:[\w-]+\s+){0,2}?(?:speech|interview|post|tweet|"
    r"statement|op-?ed|column|letter|press conference|briefing|debate|editorial|podcast|video message)\b|"
    r"\bon (?:social media|X|Twitter|Facebook|Truth Social|television|TV|air|the campaign trail)\b|\bverbally\b|"
    r"\bas (?:a |an )?(?:[\w-]+ )?(?:liar|traitor|failure|threat|hypocrite|coward|extremist|racist|fascist|"
    r"communist|puppet|disgrace)\b)")


def verbal(ctx: Ctx) -> bool:
    """An attack made in words: its subject is a text ("an editorial that attacked the bank") or
    the act is framed as speech ("attacked the report on the basis of a leaked memo", "in a speech",
    "over his remarks")."""
    if ctx.name == "explosion" and re.match(r"(?i)^blast(?:s|ed)$", ctx.word) and not harm(ctx):
        # "Senator blasts the agency over delays": a verb of criticism between a speaker and a target
        return bool(re.search(r"(?:[A-Z][\w.’'-]+|\b(?i:minister|senator|president|leader|chief|critics?|mayor|"
                              r"governor|lawmakers?|spokes\w+|union|party|group|fans))\s+$", ctx.before)
                    and re.match(r"^\s+(?:[A-Z]|(?i:the|his|her|their|its|a|an)\s)", ctx.after))
    if ctx.name not in ("attack", "clash", "strike", "kill") or harm(ctx):
        return False
    if ctx.word.lower().startswith("target") and ctx.has(_cls("discourse")):
        return True  # "the targeting of a gallery in a legal campaign"
    if any(m.start() < ctx.end and ctx.start < m.end()
           for m in _around(_cls("critique"), ctx.text, 0, ctx.start, ctx.end)):
        return True  # "under fire over his remarks": criticism
    return bool(_TEXT_SUBJECT.search(ctx.preceding(90))
                or _SPEECH_FRAME.match(ctx.text[ctx.end:]))


_ATTACK_VERB = re.compile(r"(?i)^attack(?:s|ed|ing)?$")
# a party of political speech on either side of "attacks": a named person or a speaker ("minister", "party")
_NAME_BEFORE = re.compile(r"(?:^|[\s,(])[A-Z][\w.’'-]+(?:\s+[A-Z][\w.’'-]+){0,2}\s+$")
_RIVAL = re.compile(r"(?i)^\s+(?:(?:the|his|her|their|its|a|an|[\w’'-]+[’']s)\s+)?(?:[\w-]+\s+)?"
                    r"(?:judges?|courts?|rivals?|opponents?|predecessor|successor)\b")
_ISSUE_AFTER = re.compile(r"(?i)^[^.;:]{0,60}?\s(?:over|for)\s")


def political_attack(ctx: Ctx) -> bool:
    """"<speaker> attacks <speaker> over <issue>": a politician, a party or a government attacking
    another, or a judge or a rival, over a deed or an issue ("the senator attacked the governor over
    the budget", "<name> attacks judge over ruling"): an attack in words. Not with harm, a weapon,
    an armed party or a crowd anywhere in the sentence (`harm`), which keep the act physical."""
    if not _ATTACK_VERB.match(ctx.word) or harm(ctx) or _crowd(ctx):
        return False
    speaker = _cls("speaker").pattern
    target = re.match(r"(?i)\s+(?:(?:the|his|her|their|its|[\w’'-]+[’']s)\s+)?(?:[\w-]+\s+)?(?:" + speaker + r")\b",
                      ctx.after) or _RIVAL.match(ctx.after)
    subject = _NAME_BEFORE.search(ctx.before) or re.search(r"(?i)\b(?:" + speaker + r")\s+$", ctx.before)
    return bool(subject and target and _ISSUE_AFTER.match(ctx.after))


_CONTEST_WORDS = re.compile(r"(?i)^(?:beat|beats|beating|beaten|fight|fights|fought|fighting|blast(?:s|ed)?|"
                            r"battle[sd]?|battling|massacr\w+|"
                            r"clash(?:ed|es)?|rout(?:ed|s)?|attack(?:s|ed|ing)?|struck|strikes?|striking|storm(?:ed|ing)|"
                            r"shot|shoots?|shooting|assault(?:s|ed)?|ambush(?:ed)?|skirmish\w*|brawl(?:s|ed|ing)?|scuffle[sd]?|"
                            r"intercept(?:s|ed|ions?)?|sack(?:s|ed)?|blitz(?:es|ed)?)$")


def contest(ctx: Ctx) -> bool:
    """A word of fighting in a game or a race ("came back to win 4-1", "beating the
    incumbent in the governor's race"): sport or election words around it, no harm, no crowd."""
    if not _CONTEST_WORDS.match(ctx.word) or harm(ctx) or _crowd(ctx):
        return False
    if ctx.has(_cls("sport")):
        return True
    # in an election a rout or a win is told with "beat" or "battle"; a fight or an attack
    # among voters or party members stays an act
    return bool(re.match(r"(?i)^(?:beat|beats|beating|rout(?:ed|s)?|battles?)$", ctx.word)
                and ctx.has(_cls("election")))


SPORT_STORY = 8  # words of sport in a text that make it a sports story
SPORT_SHARE = 12  # in a short text (a headline and a summary): one word in this many, and at least 3


def sport_story(text: str) -> bool:
    """Whether `text` is a sports story: at least `SPORT_STORY` words of sport in it (the word
    class `sport`), or, in a text too short to hold that many, one word of sport in `SPORT_SHARE`
    and at least three. A word keeps one sense through a text (one sense per discourse), so in such a
    story a fight or an attack without harm is a move of the game (`game_move`), even in a
    sentence that names no sport itself."""
    need = min(SPORT_STORY, max(3, len(text.split()) // SPORT_SHARE))
    found = _cls("sport").finditer(text)
    return sum(1 for _ in zip(range(need), found, strict=False)) == need


def game_move(ctx: Ctx) -> bool:
    """A word of fighting, attacking or intercepting with no death, weapon, armed party or crowd
    besides it (an injury is part of a game): in a sports story (`sport_story`), a move of the
    game, not an act of violence."""
    return bool(_CONTEST_WORDS.match(ctx.word.split()[0])) and not ctx.has(_cls("game_harm")) and not _crowd(ctx)


# a person's or a team's name (not an acronym of a party: "beat DPP monitors"), then the end of the phrase
_PROPER_OBJECT = re.compile(r"^\s+(?:the\s+)?(?:[A-Z][a-z][\w.’'-]*)(?:\s+[A-Z][a-z][\w.’'-]*)*"
                            r"(?=\s*(?:$|[,.;:!?)]|(?:by|in|at|on|to|and|with|for|as|who|after|before|last|this|"
                            r"again|twice)\b))")
_NOT_VICTIM = re.compile(r"(?i)^\s+(?:up|to death|him|her|them|me|us|down)\b")


def beat_contender(ctx: Ctx) -> bool:
    """"beat" with a named rival and no harm ("hopes to beat Smith", "beating Jones by ten
    points"): a win, not a beating, which names a weapon, a wound or an armed party."""
    if not re.match(r"(?i)^beat(?:s|ing)?$", ctx.word) or harm(ctx) or _crowd(ctx) or _NOT_VICTIM.match(ctx.after):
        return False
    return bool(_PROPER_OBJECT.match(ctx.text[ctx.end:]))


def filming(ctx: Ctx) -> bool:
    """"shot" or "shooting" of a film or a photograph ("scenes shot on set", "what the director
    is shooting"): film words in the sentence and no harm."""
    if not re.match(r"(?i)^(?:shot|shoots?|shooting)$", ctx.word) or harm(ctx):
        return False
    return bool(ctx.has(_cls("filming")))


def fiction(ctx: Ctx) -> bool:
    """An act inside a work of fiction: a video game, a film, a series, a novel ("the sequel lets
    players storm a base", "the novel's villain bombs a city"). Harm told there befalls no one, so
    `harm` does not keep it; footage of a real act ("video shows the strike") is no fiction word. The
    work is named before the act in its clause, or right after it ("... in the film"): a work named
    as the object of another verb ("a poet who survived a stabbing publishes a novel") is not its frame."""
    return bool(_cls("fiction").search(ctx.before)
                or re.match(r"(?i)^\s+(?:\w+\s+){0,4}?(?:in|from)\s+(?:the|a|an|this|his|her|their)\s+(?:new\s+)?"
                            + _cls("fiction").pattern, ctx.after))


_POLITICAL_ACTS = re.compile(r"(?i)^(?:ambush(?:ed|es)?|attack(?:s|ed)?|assault(?:s|ed)?|fight(?:s)?|fought|"
                             r"battle[sd]?|"
                             r"clash(?:ed|es)?|knif(?:e|ed)|stab(?:bed)?|sniping|sniped|coup)$")


def political_agent(ctx: Ctx) -> bool:
    """An ambush, attack or fight whose doer is a political body ("survives ambush by backbenchers",
    "shareholders attack the board's pay plan"): a vote or a speech, unless harm is told."""
    if not _POLITICAL_ACTS.match(ctx.word) or harm(ctx):
        return False
    by = re.match(r"(?i)^\s+(?:\w+\s+){0,3}?(?:by|from)\s+(?:the\s+|his\s+|her\s+|their\s+|its\s+|own\s+)*", ctx.after)
    return bool((by and _cls("political_body").match(ctx.after, by.end()))
                or re.search(_cls("political_body").pattern + r"\s+(?:\w+\s+)?$", ctx.before, re.IGNORECASE))


_PROTEST_WORD = re.compile(r"(?i)^protest(?:s|ed|ing)?$")


def diplomatic_protest(ctx: Ctx) -> bool:
    """A protest lodged by a state ("the ministry protested in the strongest terms", "lodged a formal
    protest", "summoned the envoy to protest"): words between governments, no demonstration."""
    return bool(_PROTEST_WORD.match(ctx.word) and _cls("diplomatic_protest").search(ctx.text)
                and not ctx.has(_cls("gathering")))


# --- frames that report no act -----------------------------------------------------------------

_MODIFIERS = r"(?:(?!(?:was|were|is|are|been|had|has|have|did|do|does)\b)[\w-]+\s+){0,3}"


def anticipated(ctx: Ctx) -> bool:
    """An act expected, feared or prepared for ("gearing up for a fight", "on the brink of war", "a
    strike called for next week"): no act has happened."""
    before = ctx.before
    for m in _cls("anticipation").finditer(before):
        if (re.fullmatch(r"\s+" + _MODIFIERS, before[m.end():] + " ")
                or re.fullmatch(_MODIFIERS, before[m.end():].lstrip())):
            return True
    if re.search(r"(?i)\b(?:looming|imminent|impending|upcoming|planned|scheduled|anticipated|would-be)\s+"
                 r"(?:[\w-]+\s+)?$", before):
        return True
    return bool(re.match(r"(?i)^[^.;]{0,30}?\b(?:(?:called|set|scheduled|planned|slated) for (?:next|this coming|"
                         r"tomorrow|later|the coming)|(?:next|this coming) (?:week|month|year|monday|tuesday|wednesday|"
                         r"thursday|friday|saturday|sunday)|in the coming (?:days|weeks|months))\b", ctx.after))


_GENERAL_NOUN = re.compile(r"(?i)^(?:[\w-]+ )?(?:violence|conflicts?|feuds?|hostilities|rape|sexual \w+|abuse|"
                           r"terror(?:ism)?|killings|bloodshed|fighting|kidnappings|abductions|assassinations|"
                           r"shootings|lynchings|murders)$")


def topic(ctx: Ctx) -> bool:
    """A general notion named as a topic or a lasting state, not an act ("tolerance of sectarian
    violence", "a charity working on preventing rape", "clan violence simmers")."""
    if not _GENERAL_NOUN.match(ctx.word):
        return False
    before = ctx.preceding(60)
    if any(m.end() == len(before) for m in _cls("topic_before").finditer(before)):
        return True
    # the state verb right after the noun, or after a coordinated one ("kidnappings and violence are rife")
    for lead in (r"^\s+(?:\w+ly\s+)?(?=\S)", r"^\s+(?:and|or)\s+[\w-]+\s+(?:\w+ly\s+)?(?=\S)",
                 r"^\s+(?:and|or)\s+[\w-]+\s+[\w-]+\s+(?:\w+ly\s+)?(?=\S)"):
        found = re.match(lead, ctx.after)
        if found and _cls("state_verb").match(ctx.after, found.end()):
            return True
    return False


_LIFE_STORY = re.compile(r"(?i)\b(?:the|a|an|her|his|their|my|our)\s+(?:[\w-]+\s+)?"
                         r"(?:life|lives|life story|story|ordeal|"
                         r"years|childhood|youth|journey|memoir)\s+(?:of|as|in|with)\b|\b(?:recall(?:s|ed)?|recount(?:s|ed)?|"
                         r"remember(?:s|ed)?)\s+(?:his|her|their|my|our)\b")


def life_story(ctx: Ctx) -> bool:
    """What befell a person over years, told as a life story ("beaten and starved during his
    years as a farmhand"): no one act on a day and at a place, unless harm is told besides the cue."""
    return bool(_found(_LIFE_STORY, ctx.text, 0)[1]) and not harm(ctx)


_ATTRIBUTIVE = re.compile(r"(?i)^(?:assassinated|slain|murdered|martyred|executed|killed)$")


_NAMING_BEFORE = re.compile(r"(?i)(?:\b(?:the|a|an|his|her|their|its|of|and|late)|[’']s)\s+$")


def attributive(ctx: Ctx) -> bool:
    """A participle naming a person by what befell them ("the slain journalist", "son of
    assassinated President X"): the act is not reported here."""
    if not _ATTRIBUTIVE.match(ctx.word):
        return False
    gap = ctx.start  # the spaces before the cue; the word before them decides (read there, not from the start)
    while gap > 0 and ctx.text[gap - 1].isspace():
        gap -= 1
    if not _NAMING_BEFORE.search(ctx.text, max(0, gap - 8), ctx.start):
        return False
    return bool(re.match(r"^\s+(?:(?i:former|late)\s+)?(?:(?-i:[A-Z][\w.’'-]+)|(?i:president|prime minister|"
                         r"leader|journalist|activist|reporter|lawyer|politician|rapper|singer|"
                         r"teenager|student|priest))\b", ctx.after))


# a determiner and the people's noun, right before the participle: "the children killed", "those slain"
_DEFINITE_PEOPLE = re.compile(r"(?i)\b(?:the|those|their|its)\s+(?:[\w-]+\s+)?(?:people|persons|children|victims|"
                              r"soldiers|troops|officers|civilians|pupils|students|men|women|worshippers|miners|"
                              r"journalists|workers|passengers|hostages|dead)\s+$|\bthose\s+$")
# what an act told after its participle starts with: a place, an agent, a time, a count, a clause of time
_ANCHOR_AFTER = re.compile(r"(?i)^\s+(?:in|at|by|on|near|during|when|while|after|last|earlier|outside|inside|"
                           r"overnight|yesterday|today|this|\d)\b")


def attributive_after(ctx: Ctx) -> bool:
    """A participle after a definite noun of people, with no place, agent or time after it ("mothers
    of the children killed laid flowers", "the soldiers slain were buried"): it names the people by a
    known act, it does not report one. (No `harm` guard: the participle is the harm, and the place
    or agent that would tell the act is what `_ANCHOR_AFTER` looks for.)"""
    if not _ATTRIBUTIVE.match(ctx.word):
        return False
    return bool(_DEFINITE_PEOPLE.search(ctx.preceding(40))) and not _ANCHOR_AFTER.match(ctx.text[ctx.end:])


@dataclass(frozen=True, slots=True)
class SenseRule:
    """One rule: its id (stored in the drop reason), why it voids a cue, and its test."""

    id: str
    reason: str
    test: Callable[[Ctx], bool]


# In order; the first rule that fires gives the reason. The first three apply to every cue, the
# others to cues of violence only.
RULES: tuple[SenseRule, ...] = (
    SenseRule("title", "the word is part of a work's title", in_title),
    SenseRule("idiom", "the word is part of an idiom or compound of another sense", in_idiom),
    SenseRule("anticipated", "the act is expected or prepared for, not reported", anticipated),
    SenseRule("fiction", "the act happens in a game, a film, a series or a novel", fiction),
    SenseRule("political_agent", "an ambush or an attack by a political body: a vote or a speech", political_agent),
    SenseRule("figurative_object", "the act's object is an idea, a policy or a statement", figurative_object),
    SenseRule("verbal", "the attack is made in words", verbal),
    SenseRule("political_attack", "one party of politics attacks another over an issue", political_attack),
    SenseRule("contest", "a word of fighting in a game or an election", contest),
    SenseRule("beat_contender", "beating a named rival: a win", beat_contender),
    SenseRule("filming", "shooting a film or a photograph", filming),
    SenseRule("topic", "a general notion or a lasting state, not an act", topic),
    SenseRule("attributive", "a participle naming a person by a past act", attributive),
    SenseRule("attributive_after", "a participle after a definite noun of people, nothing told after it",
              attributive_after),
    SenseRule("life_story", "what befell a person over years, told as a life story", life_story),
    SenseRule("natural_cause", "harm from a natural or abstract cause", natural_cause),
    SenseRule("collision", "a vehicle hitting something: an accident", collision),
    SenseRule("mishap", "deaths caused by a crush, a collapse, a crash or a capsizing: an accident", mishap),
    SenseRule("accidental", "a shot fired or a wound caused by accident", accidental),
    SenseRule("labour_strike", "a work stoppage, not an air strike", labour_strike),
    SenseRule("industrial_blast", "a blast at a plant or of fireworks, gas or unstated cause", industrial_blast),
    SenseRule("non_human_opponent", "a fight against a fire, a disease or the weather", non_human_opponent),
    SenseRule("space_launch", "a rocket or missile in space flight", space_launch),
    SenseRule("weapon_shown", "a weapon shown, tested, made or traded, not used", weapon_shown),
    SenseRule("plain_death", "a death with no act of violence named", plain_death),
    SenseRule("charge", "a crime named as a charge or verdict", charge),
    SenseRule("harassment", "harassment is not sexual violence under ACLED", harassment),
    SenseRule("search", "a raid by police or agents with nobody hurt", search),
    SenseRule("property_crime", "a theft or break-in with nobody hurt", property_crime),
    SenseRule("work_stoppage", "a strike where nobody gathers: no demonstration under ACLED", work_stoppage),
    SenseRule("diplomatic_protest", "a protest lodged by a state: words, no demonstration", diplomatic_protest),
)
# the words of a demonstration or a crowd that tell none (`coding_sense_crowd`)
DEMO_RULES: tuple[SenseRule, ...] = (
    SenseRule("source", "the people of a demonstration or a crowd named as the source of a report", source),
    SenseRule("delegation", "demonstrators named as a party sent to talks", delegation),
    SenseRule("forced_march", "people marched by force: captives moved, not a march of protest", forced_march),
    SenseRule("armed_roadblock", "a road blocked by an armed party: a step of its attack, not a riot",
              armed_roadblock),
)
# a demonstration cue is read by the first three rules (a title, an idiom, an expectation), by the
# two that say it is no demonstration at all (a strike nobody gathers for, a state's protest note),
# and by those of its people and words that tell no demonstration; a riot or a mob cue by the first
# three and the latter
_PROTEST_RULES = RULES[:3] + RULES[-2:] + DEMO_RULES
_CROWD_RULES = RULES[:3] + DEMO_RULES


# the cues of violence are read by every rule but those about demonstrations only
_VIOLENT_RULES = tuple(r for r in RULES if r.id not in ("work_stoppage", "diplomatic_protest"))


def sense_reason(ctx: Ctx) -> str | None:
    """`"sense:<id>"` of the first rule that voids the cue of `ctx`, else None."""
    name = ctx.name
    rules = _VIOLENT_RULES if name in VIOLENT_CUES else _PROTEST_RULES if name == "protest" \
        else _CROWD_RULES if name in ("riot", "mob") else RULES[:3]
    for rule in rules:
        # a demonstration, an arrest or an agreement is what it says whatever its object or frame
        # ("teachers protested against the reform"); only a title, an idiom or an expectation
        # ("a strike called for next week") hides it
        if rule.test(ctx):
            return f"sense:{rule.id}"
    return None
