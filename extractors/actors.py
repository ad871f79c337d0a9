"""Perpetrator and target of an incident, as the text names them.

In: one sentence and the offsets of its main event cue. Out: `read_actors(...)` -> `Actors`
(actor1 = who did it, actor2 = whom it hit; None when the sentence does not say), each a short
noun phrase cut from the text, never a guess from outside it.

Where the perpetrator comes from, most reliable first: a claim or attribution ("X claimed
responsibility", "blamed on X", "fired from areas controlled by X"), the agent of a passive
("killed by X"; not the agent of another verb: "ambushed a convoy escorted by X"), then the
subject of an active verb ("X attacked ..."), read from the subordinator that opens its clause
("two policemen were killed when gunmen attacked": "gunmen"); the subject of a passive is whom the
act hit, never its actor. The target: the object of the act ("attacked a police post"), what
follows "on"/"against" ("an attack on villagers"), or the subject of a passive ("two soldiers
were killed").

An actor is a named party or None, never a stretch of words: a phrase is kept only when it names
a party (a proper name, or a head noun such as "gunmen", "police", "protesters"), cut before the
first verb that follows its head ("rebels torched" -> "rebels"); a coordination fragment
("and a policeman"), a verb ("stationed"), a weekday or a thing ("a delivery truck") is None.
`code_actors(...)` adds ACLED's coding where the text supports it: `assoc_actor1` (a party acting
with actor1: "soldiers backed by vigilantes"), `inter1` / `inter2` (ACLED interaction codes:
1 state forces, 2 rebel groups, 3 political militias, 4 identity militias, 5 rioters,
6 protesters, 7 civilians, 8 external/other forces) and `civilian_targeting`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NP_STOP = re.compile(
    r"[,.;:()\u201c\u201d\"]|\s(?:in|at|near|on|during|with|after|while|from|inside|outside|following|when|as|"
    r"who|which|that|before|for|because|since|into|along|and killed|and injured|killing|injuring|wounding|"
    r"reportedly|allegedly|said|says|according|late|early|last|this|overnight|to|was|were|is|are|has|have|had|"
    r"over|across|through|towards?|around|beyond|off|"
    r"claimed|attacked|fired|killed|struck|shot|launched|carried|targeted|stormed|abducted|kidnapped|"
    r"ambushed|raided|hit|opened|clashed|bombed|shelled|fell|landed|exploded|blamed|believed|suspected|caused|left|"
    r"leaving)\b",
    re.IGNORECASE)
_LEAD = re.compile(r"^(?:the|a|an|some|unknown|unidentified|suspected|alleged|presumed|presumably|"
                   r"members of the|members of|elements of|fighters of|militants of)\s+", re.IGNORECASE)
_CLAIM = r"claimed (?:responsibility|the attack|to have)"
_ATTRIBUTION = r"(?:was|were|is|are) (?:suspected|believed to be (?:behind|responsible)|blamed|held responsible)\b"
_CLAIMS = (
    re.compile(r"(?P<np>(?:[\w'’\-]+\s+){1,6}?)(?:has |have |had )?" + _CLAIM, re.IGNORECASE),
    # "X was suspected", "X is believed to be behind the attack": an attribution told as its own sentence
    re.compile(r"(?P<np>(?:[\w'’\-()]+\s+){1,8}?)" + _ATTRIBUTION, re.IGNORECASE),
    re.compile(r"\b(?:blamed on|attributed to|(?:attributed|blamed) (?:the|this) (?:attack|incident|bombing|killing|"
               r"blast|assault|abduction|kidnapping) (?:to|on)|claimed by|carried out by|perpetrated by|launched by|"
               r"(?:fired|launched) from [\u201c\"']?(?:areas?|territory|positions?|zones?) (?:controlled|held) by)\s+"
               r"(?P<np>[^,.;:()]{3,80})", re.IGNORECASE),
)
# what each claim pattern cannot match without (its fixed words), found first: a cheap test
_NEEDED = (re.compile(_CLAIM, re.IGNORECASE), re.compile(_ATTRIBUTION, re.IGNORECASE), None)
_AGENT = re.compile(r"(?<=\s)by\s+(?P<np>[^,.;:()]{3,80})", re.IGNORECASE)
# where an active verb's subject starts: a clause's edge, or a subordinator ("... were killed when gunmen attacked")
_SUBORDINATOR = r"\b(?:when|while|after|before|because|until|once|where|as)\b"
_SUBJECT_END = re.compile(rf"(?:^|[,;:(]|\bthat|\bsaid|\b\d{{4}}|{_SUBORDINATOR})\s*"
                          rf"((?:(?!{_SUBORDINATOR})[^,;:()])*?)\s*$", re.IGNORECASE)
_CLAUSE_END = re.compile(r"(?:^|[,;:(]|\bthat|\bsaid|\b\d{4})\s*([^,;:()]*?)\s*$", re.IGNORECASE)
# a passive in the subject's stretch: its subject is the victim ("two soldiers were killed and five wounded in
# fighting"), or a reduced one ("after three troops injured in a drone attack")
_PASSIVE_IN = re.compile(r"(?i)\b(?:was|were|been|being|got)\s+(?:\w+ly\s+)?(?:\w+ed|\w+en|shot|hit|hurt|struck)\b|"
                         r"\b(?:killed|wounded|injured|hurt|abducted|kidnapped)\s+(?:in|by|during|when|after|as|near|"
                         r"on|at|while)\b")
# the agent of that passive, right before the act's noun: "two medics killed by Turkish strike"
_OWNER = re.compile(r"(?i)\bby\s+((?:an?\s+|the\s+)?[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,2})$")
# the verb of the act itself before its agent: "rounds fired by X", "a bomb planted by X" (not "a convoy escorted by X")
_ACT_PARTICIPLE = re.compile(r"(?i)\b(?:fired|launched|planted|dropped|thrown|detonated|set off|laid|carried out|"
                             r"conducted|staged|mounted|used|claimed|committed|perpetrated|sent|flown|piloted)\b")
# the object of a verb cue, then a participle of its own: "ambushed a convoy escorted by ..." (a noun cue's
# participle is its act's: "a drone shot down by ...")
_OBJECT_PARTICIPLE = re.compile(r"(?i)\b(?:a|an|the|their|its|his|her|our|several|\d+|two|three|four|five)\s+"
                                r"(?:[\w-]+\s+){0,3}?(?:\w{3,}ed|\w+en|shot|hit|held|led|built|sent|set|made|run|kept)\b")
# an act noun whose first word is its means: "a drone strike on a car", "a rocket attack that killed"
_ACT_NOUN = re.compile(r"(?i)\s+(?:\w+\s+)?(?:strikes?|airstrikes?|attacks?|raids?|bombings?|bombardments?|barrages?|"
                       r"assaults?)$")
_NOUN_FOLLOWS = re.compile(r"(?i)\s*(?:$|[,.;:)]|(?:on|against|in|at|near|targeting|that|which|killed|kills|hit|hits|"
                           r"struck|left|wounded|injured)\b)")
_OBJECT_PREP = re.compile(r"^\s*(?:on|against|at|upon|targeting|towards)\s+", re.IGNORECASE)
_PASSIVE = re.compile(r"\b(?:was|were|been|being|got)\s+(?:\w+\s+)?$", re.IGNORECASE)
_NOT_ACTOR = re.compile(r"^(?:it|they|he|she|we|there|this|that|these|those|which|who|officials?|sources?|"
                        r"police said|reports?|media|witnesses|residents said)$"
                        r"|^(?:number|numbers|some|many|dozens|several|one|two|three|all|most|both|each|"
                        r"total)(?: of)?\b",
                        re.IGNORECASE)


# ACLED interaction codes, most specific first: a phrase takes the first class it names
# ("rebel forces" are rebels, "militia forces" a militia, "security forces" the state).
_INTER = tuple((code, re.compile(pattern)) for code, pattern in (
    (8, r"peacekeep|\bUN\b|United Nations|MONUSCO|MINUSMA|MINUSCA|AMISOM|ATMIS|UNIFIL|multinational|"
        r"private security|mercenar|contractors?\b"),
    (6, r"(?i)protest|demonstrator|marchers|strikers|striking"),
    (5, r"(?i)\briot|\bmobs?\b"),
    (4, r"(?i)ethnic|communal|\bclans?\b|tribal|tribes|tribesmen|clansmen|herders|herdsmen|Fulani|Dozo"),
    (2, r"(?i)rebel|insurgen|jihad|separatist|Taliban|Shabaa?b|Boko Haram|Islamic State|ISIS|ISIL|al[- ]Qaeda|"
        r"Houthi|Maoist|Naxal|Novorossiya|Hamas|Islamic Jihad"),
    (2, r"\b(?:IS|ISWAP|ISGS|ISKP|JNIM|AQIM|ADF|M23|FARC|ELN|NPA|PKK|NAF|LTTE|ONLF|SPLA-IO)\b"),
    (3, r"(?i)militia|gunm[ae]n|armed (?:m[ae]n|group|individual|assailant|youth)|assailant|attacker|bandit|gang|"
        r"cartel|kidnapper|abductor|vigilante|hitm[ae]n|pirate|militant|terrorist|extremist|unidentified|unknown|"
        r"robber|criminal|thug|fighters?\b|bombers?\b|sniper|trafficker|smuggler|poacher"),
    (1, r"(?i)police|\barmy|armies|military|soldier|troops|forces?\b|gendarm|\bnavy|naval|air force|marines|"
        r"commando|government|regime|authorities|security|guards?\b|guardsm[ae]n|officers?\b|warplanes?|"
        r"fighter jets|\bjets\b|aircraft|helicopters?|drones?\b|ministry|customs"),
    (7, r"(?i)civilian|resident|villager|citizen|\blocals?\b|inhabitant|people|person|individual|\bm[ae]n\b|"
        r"wom[ae]n|child|\bboys?\b|\bgirls?\b|famil|farmer|trader|vendor|student|passenger|worshipper|"
        r"journalist|reporter|teacher|worker|employee|driver|doctor|nurse|patient|pedestrian|shopper|customer|"
        r"businessm[ae]n|chief|priest|imam|pastor|politician|candidate|activist|lawyer|judge|councillor|mayor|"
        r"supporter|prisoner|inmate|refugee|migrant|displaced|pilgrim|mourner|youths?\b|elders?\b|thie[fv]|"
        r"shopkeeper|herder|fisherm[ae]n|miner"),
))
# a target that is a place of daily life stands for the civilians in it; one that is a post of
# the state, for its forces (used for the target's code, never to make a party of actor1)
_TARGET_PLACES = (
    (7, re.compile(r"(?i)market|school|church|mosque|temple|\bbus\b|minibus|village|\bhomes?\b|\bhouses?\b|"
                   r"hospital|wedding|funeral|restaurant|hotel|\bshops?\b|\bbar\b|camp for|displacement camp")),
    (1, re.compile(r"(?i)checkpoint|barracks|\bbase\b|outpost|\bpost\b|patrol|convoy|station")),
)
# a weapon or craft is a party only with its owner named ("Ethiopian warplanes"), never alone ("a drone")
_MEANS = re.compile(r"(?i)^(?:warplanes?|fighter jets|jets|aircraft|helicopters?|drones?)$")
# a party the interaction codes do not classify: an organisation, a named body
_ORGANISATION = re.compile(r"(?i)\b(?:group|committee|party|parties|union|association|council|movement|front|"
                           r"alliance|coalition|brigades?|battalions?|units?|squads?|organi[sz]ations?|network|"
                           r"faction|wing|cell|crowd|members|suspects?|perpetrators?|hunters|settlers|"
                           r"colonists|mutineers|deserters|defectors|cadres|monitors|mission|agents|operatives)\b")
# a plural agent noun names people acting ("growers", "merchants", "medics", "artisans")
_AGENT_NOUN = re.compile(r"(?i)\b[a-z]{2,}(?:ers|ors|ists|ians|ans|ants|ents|eurs|ics|ees|ites)\b")
_TIME_WORD = re.compile(r"(?i)^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|"
                        r"april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|"
                        r"jul|aug|sep|sept|oct|nov|dec|night|morning|afternoon|evening|dawn|dusk|midnight|noon|"
                        r"today|tonight|yesterday|weekend|day|days|week|weeks|month|year|hours?|time)$")
# words that open no party: a coordination or a preposition ("and a policeman"), a determiner alone
_PRONOUNS = frozenset("he she it they we i you him her them us one".split())
_FRAGMENT_EDGE = frozenset("and or but nor of with to for from by as than while at in on into its their his her "
                           "the a an this that these those".split())
# lower-case words that are adjectives of a party, not its verb ("armed men", "suspected rebels")
_ADJECTIVAL = frozenset("armed unidentified suspected unknown masked alleged united organised organized hooded "
                        "displaced retired disgruntled aggrieved affected unemployed allied affiliated ruling "
                        "opposing striking fighting banned self-styled so-called wounded injured uniformed "
                        "trained".split())
_IRREGULAR_VERBS = frozenset("ran run threw shot set took went came hit fought made held gave stole broke began burnt "
                             "burned blew led beat stood sought caught brought drove flew told said says say "
                             "is are was were has have had did does again also then later now still".split())
# a headline's present tense after its subject ("Rebels seize 3 towns", "Mob burns shops")
_PRESENT_VERB = re.compile(r"(?:kill|hit|launch|strike|attack|order|praise|remind|aid|arrest|leave|claim|vow|warn|"
                           r"fire|seize|storm|raid|bomb|shell|target|abduct|kidnap|clash|open|use|take|make|send|"
                           r"deploy|shoot|block|burn|destroy|detain|free|release|torch|loot|ambush|overrun|capture|"
                           r"behead|execute|wound|injure|slay|slaughter|massacre|besiege|enter|return)(?:e?s)?")
_BACKED_SUBJECT = re.compile(r"(?P<head>[^,;:()]+?)\s*,\s*(?:alongside|together with|jointly with|backed by|"
                             r"supported by|assisted by|accompanied by|with the (?:support|help|backing) of)\s+"
                             r"(?P<assoc>[^,;:()]{3,60}?)\s*,\s*$", re.IGNORECASE)
_DEAD = re.compile(r"(?i)^(?:dead|to death)\s+")  # "shot dead a trader": the target follows
_QUANTITY = re.compile(r"(?i)^(?:(?:around|about|approximately|some|over|nearly|almost|at least|least|more than|"
                       r"up to)\s+)?\d[\d,]*(?:\s*[-–]\s*\d[\d,]*|\+)?(?:\s+|$)")
_ASSOCIATE = re.compile(r"^\s*,?\s*(?:alongside|together with|jointly with|backed by|supported by|assisted by|"
                        r"accompanied by|with the (?:support|help|backing) of)\s+(?P<np>[^,.;:()]{3,60})",
                        re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Actors:
    """Who did it (`actor1`), whom it hit (`actor2`) and a party acting with actor1
    (`assoc_actor1`); None when the text does not say."""

    actor1: str | None = None
    actor2: str | None = None
    assoc_actor1: str | None = None
    target: str | None = None  # what was hit as the text words it ("a police post"): for the codes


@dataclass(frozen=True, slots=True)
class ActorCodes:
    """ACLED's codes for one incident's parties: `inter1` / `inter2` (1-8, see the module doc;
    None when the text does not name or imply the party) and `civilian_targeting` (True when
    civilians are the target, False when the target is named and is not civilians, else None)."""

    inter1: int | None = None
    inter2: int | None = None
    civilian_targeting: bool | None = None


def inter_code(phrase: str | None) -> int | None:
    """ACLED's interaction code (1-8) a party's phrase names, or None ("OSCE monitors": none)."""
    if not phrase:
        return None
    return next((code for code, pattern in _INTER if pattern.search(phrase)), None)


def party(phrase: str | None) -> str | None:
    """`phrase` cut to the party it names, or None when it names none.

    "rebels torched a depot" -> "rebels"; "army units stationed near Y" -> "army units";
    "and a policeman", "stationed", "Saturday", "a delivery truck", "the" -> None.
    """
    if not phrase:
        return None
    words = _QUANTITY.sub("", phrase.strip()).split()
    if not words or words[0].lower() in _FRAGMENT_EDGE and len(words) == 1:
        return None  # a determiner alone
    if words[0].lower() in ("he", "she", "it", "they", "we", "i", "you"):
        return None  # a clause ("they advise and assist forces"), not a noun phrase
    if words[0].lower() in ("its", "their", "his", "her", "our", "my"):
        return None  # a possession, not a party ("their vehicle")
    if words[0].lower() in ("no", "none", "nobody", "neither", "not"):
        return None  # a denial of any party ("no group claimed responsibility")
    if words[0].lower() in ("and", "or", "but", "nor", "of", "with", "to", "for", "from", "by", "as", "than"):
        return None  # a fragment of a coordination or of a prepositional phrase
    for index, word in enumerate(words):
        bare = word.strip("'\"’”").lower()
        after_function_word = index > 0 and words[index - 1].lower() in _FRAGMENT_EDGE  # "of striking workers"
        verbish = (word[:1].islower() or index == 0) and "-" not in word and bare not in _ADJECTIVAL \
            and not after_function_word and (
            bare in _IRREGULAR_VERBS or re.fullmatch(r"[a-z]{2,}(?:ed|ing)", bare) is not None
            or index > 0 and _PRESENT_VERB.fullmatch(bare) is not None)
        if verbish:
            if index == 0:
                return None  # a verb, not a party ("stationed", "riding a motorbike")
            words = words[:index]
            break
    while words and words[-1].lower() in _FRAGMENT_EDGE:
        words.pop()
    while words and words[0].lower() in _FRAGMENT_EDGE:
        words.pop(0)
    if not words or any(_TIME_WORD.match(w.strip(",.'’")) for w in words) \
            or all(w.lower() in _ADJECTIVAL for w in words):
        return None  # a time ("Sunday night"), an adjective without its noun ("unidentified")
    phrase = " ".join(words)
    if phrase.lower() in _PRONOUNS:
        return None  # a pronoun names no party by itself ("He")
    named = any(w[:1].isupper() for w in words)
    if _MEANS.match(phrase) or not (named or inter_code(phrase) is not None or _ORGANISATION.search(phrase)
                                    or _AGENT_NOUN.search(phrase)):
        return None  # a thing or an act, not a party ("a delivery truck", "heavy rainfall")
    return phrase if len(phrase) >= 2 else None


def _split_associate(phrase: str) -> tuple[str, str | None]:
    """ "journalists and lawyers" -> ("journalists", "lawyers"); a name whose own words hold an "and"
    ("forces of A and B", "Union and Progress Movement") or an "and/or" stays whole."""
    head, sep, tail = phrase.partition(" and ")
    if not sep or "/" in phrase or " of " in f" {head} " or " for " in f" {head} " or tail[:1].isupper():
        return phrase, None
    first, second = party(head), party(tail)
    return (first, second) if first and second else (phrase, None)


def associate(text: str, actor1: str | None) -> tuple[str | None, str | None]:
    """(actor1, assoc_actor1): a party named acting with actor1 ("X and Y attacked", "X, backed
    by Y, attacked") becomes its associate."""
    if actor1 is None:
        return None, None
    actor1, assoc = _split_associate(actor1)
    if assoc is None:
        at = text.find(actor1)
        match = _ASSOCIATE.match(text[at + len(actor1):]) if at >= 0 else None
        if match:
            assoc = party(_noun_phrase(match.group("np")))
    return actor1, assoc


def code_actors(actors: Actors, event_type: str) -> ActorCodes:
    """ACLED's interaction codes and civilian targeting for one incident of `event_type`.

    Protests are by protesters (6) and riots by rioters (5) unless a militia or a force is
    named; violence against civilians always targets civilians (7). Otherwise each code is the
    class the party's phrase names (`inter_code`), None when it names none; a civilian named as
    the one who attacked is no code (the text does not say which armed party he belonged to).
    """
    inter1, inter2 = inter_code(actors.actor1), inter_code(actors.actor2)
    if inter2 is None and actors.target:
        inter2 = inter_code(party(actors.target)) or next(
            (code for code, pattern in _TARGET_PLACES if pattern.search(actors.target)), None)
    if event_type == "Protests":
        inter1, inter2 = 6, None if inter2 in (6, 7) else inter2
    elif event_type == "Riots" and inter1 not in (1, 2, 3, 4, 8):
        inter1 = 5
    elif inter1 == 7 and event_type != "Strategic developments":
        inter1 = None
    if event_type == "Violence against civilians":
        inter2 = 7
    if inter2 == 7:
        return ActorCodes(inter1, 7, True)
    return ActorCodes(inter1, inter2, None if inter2 is None else False)


def _noun_phrase(text: str, max_words: int = 7) -> str | None:
    """The leading noun phrase of `text`: cut at the first clause word, determiners dropped."""
    text = _LEAD.sub("", text.lstrip())  # "by suspected militants": the adjective opens the phrase, it does not end it
    stop = _NP_STOP.search(" " + text)
    phrase = (" " + text)[:stop.start()] if stop else " " + text
    words = phrase.split()[:max_words]
    phrase = " ".join(words).strip(" '\"‘’“”-")
    while True:
        stripped = _LEAD.sub("", phrase)
        if stripped == phrase:
            break
        phrase = stripped
    if not phrase or len(phrase) < 3 or _NOT_ACTOR.match(phrase) or phrase[0].isdigit() and len(words) == 1:
        return None
    return phrase


def _subject(text: str, position: int) -> str | None:
    """The words before `position` back to the clause start: an active verb's subject."""
    match = _SUBJECT_END.search(text[:position])
    if match and party(_noun_phrase(match.group(1))) is None:
        # no party after the subordinator ("after attack", "when a shell hit"): the clause's own subject
        match = _CLAUSE_END.search(text[:position])
    if not match:
        return None
    if _PASSIVE_IN.search(match.group(1)):
        # the subject of a passive is whom the act hit, not who did it; its agent may name the act's owner
        # right before the act's noun ("two medics killed by Turkish strike")
        owner = _OWNER.search(match.group(1))
        return _noun_phrase(owner.group(1)) if owner else None
    words = match.group(1).split()
    start = max(0, len(words) - 7)
    while 0 < start and len(words) - start < 12 and words[start].lower() in ("of", "for", "and", "the", "de", "al"):
        start -= 1  # do not cut a long name at its connector ("Forces | of the Front ...")
    words = words[start:]
    return _noun_phrase(" ".join(words)) if words else None


def _victim(head: str) -> str | None:
    """The subject of the last passive in `head` (a sentence up to its act): whom the act hit ("two
    soldiers were killed when a bomb hit ...", "three troops injured in a drone attack"), or None."""
    found = list(_PASSIVE_IN.finditer(head))[-1:]
    if not found:
        return None
    stretch = _SUBJECT_END.search(head[:found[0].start()])
    return _noun_phrase(stretch.group(1)) if stretch and stretch.group(1).strip() else None


def read_claim(text: str) -> str | None:
    """The perpetrator a claim or attribution names ("blamed on X", "X claimed responsibility")."""
    for pattern, needed in zip(_CLAIMS, _NEEDED, strict=True):
        # the words a claim ends on first: a text without them is not read word by word for a subject
        match = pattern.search(text) if needed is None or needed.search(text) else None
        if match:
            actor = party(_noun_phrase(match.group("np").split(" and said")[0][-80:]))
            if actor:
                return actor
    return None


def read_actors(text: str, cue_start: int, cue_end: int) -> Actors:
    """Perpetrator and target named in one sentence around the event cue at [cue_start, cue_end)."""
    actor1 = read_claim(text)
    after = text[cue_end:]
    # "were attacked", or reduced before its agent: "vessels attacked by drones"
    passive = bool(_PASSIVE.search(text[max(0, cue_start - 30):cue_start])
                   or re.match(r"(?i)\w+ed\s+by\s", text[cue_start:cue_end] + after[:4]))
    if actor1 is None:
        agent = _AGENT.search(after[:120])
        between = after[:agent.start()] if agent else ""
        if agent and _OBJECT_PARTICIPLE.search(between) and not _ACT_PARTICIPLE.search(between):
            agent = None  # "ambushed a convoy escorted by soldiers": the agent of another verb
        if agent:
            actor1 = party(_noun_phrase(agent.group("np")))
    assoc: str | None = None
    if actor1 is None and not passive:
        # a cue that opens on its actor ("gunmen shot"): the subject runs through that word
        first = re.match(r"[\w'’-]+(?=\s)", text[cue_start:cue_end])
        means = bool(first and _MEANS.match(first.group()) and _ACT_NOUN.search(text[cue_start:cue_end])
                     and _NOUN_FOLLOWS.match(text, cue_end))
        subject_end = cue_start + first.end() if first and inter_code(first.group()) and not means else cue_start
        actor1 = party(_subject(text, subject_end))
        backed = _BACKED_SUBJECT.search(text[:cue_start])
        if actor1 is None and backed:  # "X, backed by Y, attacked ..."
            actor1 = party(_subject(backed.group("head"), len(backed.group("head"))))
            assoc = party(_noun_phrase(backed.group("assoc"))) if actor1 else None
    if assoc is None:
        actor1, assoc = associate(text, actor1)
    if passive:
        auxiliary = _PASSIVE.search(text[max(0, cue_start - 30):cue_start])
        actor2 = _subject(text, auxiliary.start() + max(0, cue_start - 30) if auxiliary else cue_start)
    else:
        prep = _OBJECT_PREP.match(after)
        actor2 = _noun_phrase(after[prep.end():] if prep else after)
    if actor2 is None:
        actor2 = _victim(text[:cue_start])
    target, actor2 = actor2, party(_DEAD.sub("", actor2)) if actor2 else None
    if actor2 is not None and actor1 is not None and actor2.lower() == actor1.lower():
        actor2 = None
    return Actors(actor1, actor2, assoc, target)
