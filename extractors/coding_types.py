"""From the cues of one incident's sentences to ACLED's sub-event type, with the rule that decided.

In: the sentences (text and `SentenceCues`) grouped as one incident, and the group's family.
Out: `classify(...)` -> (sub_event_type, reason). The event type follows from
`extractors.taxonomy.SUB_EVENT_TYPES`.

Precedence (ACLED's codebook, most specific method first): chemical > suicide bomb > remote
explosive/IED > air/drone strike, shelling/artillery/missile, grenade (the most often named wins,
ties in that order); an explosive used inside a firefight (mortars with small arms, an IED then
gunfire) is an armed clash; abduction; sexual violence; clash words -> armed clash; attacks and
killings -> armed clash when the victims are armed (soldiers, police, militants, their posts),
attack on civilians otherwise. Demonstrations: mob > violent demonstration > excessive force >
protest with intervention > peaceful protest.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence

from extractors.coding_cue_data import SentenceCues
from extractors.lexicon import Lexicon

# "at" opens a place or a time, except in "at least" / "at most", which count the object itself
_AT_PLACE = r"at(?!\s+(?:least|most)\b)"
_OBJECT_STOP = re.compile(
    rf"[,.;:()\u2014]|\b{_AT_PLACE}\b|\b(?:in|near|on|during|with|by|after|while|from|inside|outside|following|"
    r"when|as|who|which|that|before|for|because|since|into|along|between|and killed|and injured|and wounded|killing|"
    r"injuring|wounding|leaving|were|was|had|have|has)\b", re.IGNORECASE)
_CLAUSE_START = re.compile(r"[,;:]|\b(?:after|before|following|when|while|but|as|and then)\b", re.IGNORECASE)
_NOT_A_SIDE = re.compile(r"(?i)(?:vehicles?|cars?|trucks?|camps?|stations?|units?|drones?|helicopters?)$")
_HARM = (r"killed|wounded|injured|hurt|shot(?: dead| and killed)?|attacked|targeted|ambushed|abducted|kidnapped|"
         r"beaten|stabbed|hacked|murdered|executed|beheaded|lynched|raped|taken hostage|gunned down|hit|struck")
# the victims of an act, in the four ways a sentence names them
_PASSIVE = re.compile(rf"\b(?:was|were|been|got)\s+(?:\w+\s+)?(?:{_HARM})\b", re.IGNORECASE)
_REDUCED = re.compile(
    rf"\b(?:killed|wounded|injured|shot dead)\s+(?:in|by|during|when|after|as|following|near|on|{_AT_PLACE})\b",
    re.IGNORECASE)
_ACTIVE = re.compile(
    r"\b(?:kill|killed|killing|kills|wound|wounds|wounded|wounding|injure|injures|injured|injuring|shot|shooting|"
    r"attack|attacked|attacking|target|targets|targeted|targeting|ambush|ambushes|abduct|abducts|kidnap|kidnaps|"
    r"ambushed|ambushing|abducted|abducting|kidnapped|murdered|executed|beheaded|stabbed|hacked|raided|stormed|beat|"
    r"assaulted|assaulting|robbed|beat up|beating|lynched|tortured|"
    r"opened fire on|fired (?:[\w/-]+[ ,]+){0,7}?(?:at|on|upon)|overran|overtook|captured)\s+", re.IGNORECASE)
_NOMINAL = re.compile(r"\b(?:attacks?|assaults?|raids?|ambush(?:es)?|strikes?|fire)\s+(?:\w+\s+){0,4}?(?:on|against|"
                      r"targeting)\s+",
                      re.IGNORECASE)

Members = Sequence[tuple[str, SentenceCues]]
# the subject of an outcome that says it befell nobody: "no one was killed", "nobody was hurt"
_NOBODY = re.compile(r"(?i)\b(?:no one|no-one|nobody|none|no (?:one|person|people|casualties|civilians))\s+"
                     r"(?:(?:of|among)\s+(?:\w+\s+){1,2})?(?:was|were|had been|has been|have been|got)\s+"
                     r"(?:\w+ly\s+)?$")
_CONTEXT_USED = ("small_arms", "intervention", "lethal_force")


def _window_after(text: str, end: int, words: int = 7) -> str:
    tail = text[end:end + 80]
    stop = _OBJECT_STOP.search(tail)
    tail = tail[:stop.start()] if stop else tail
    return " ".join(tail.split()[:words])


_PARENS = re.compile(r"\([^()]*\)")


def _window_before(text: str, start: int, parens: list[tuple[int, int]], words: int = 8) -> str:
    """The last `words` words before `start`, from the last clause start on, asides in brackets
    left out (a toll with another source's figure in brackets before its verb). `parens`: the
    spans of `_PARENS` in `text`, in order.

    Read from a stretch before `start` that grows until it tells the same as the whole head of
    the sentence would: a clause start well inside it, or more than `words` words after its
    first characters (a long sentence is not read from its start once per act)."""
    size = 400
    while True:
        a = max(0, start - size)
        k = bisect.bisect_left(parens, (a, a)) - 1
        if k >= 0 and parens[k][0] < a < parens[k][1]:
            a = parens[k][0]  # an aside across the stretch's edge is taken whole
        head = _PARENS.sub(" ", text[a:start])
        cut = [m.end() for m in _CLAUSE_START.finditer(head)]
        if a == 0:
            break
        if cut and cut[-1] >= 20:  # past any word the edge may have cut
            break
        if len(head[20:].split()) > words:
            return " ".join(head[20:].split()[-words:])
        size *= 4
    head = head[cut[-1]:] if cut else head
    return " ".join(head.split()[-words:])


def _party(window: str, lex: Lexicon) -> set[str]:
    """Which kinds of party a stretch of words names: "armed", "civilian" or both."""
    found = set()
    if any(not _NOT_A_SIDE.match(m.group()) for m in lex.cues["armed_party"].finditer(window)):
        found.add("armed")
    if lex.cues["civilian_party"].search(window):
        found.add("civilian")
    return found


def victims(text: str, lex: Lexicon) -> set[str]:
    """The kinds of party the acts of one sentence fall on: "armed", "civilian", both or none.

    Passives look at their subject ("two soldiers were killed"), active verbs at their object
    ("attacked a police post"), nouns at what follows "on"/"against" ("an attack on villagers").
    Agents ("by armed men") are cut off: they did the act, they did not suffer it.
    """
    found: set[str] = set()
    parens = [m.span() for m in _PARENS.finditer(text)]
    for m in _PASSIVE.finditer(text):
        found |= _party(_window_before(text, m.start(), parens), lex)
    for m in _REDUCED.finditer(text):
        found |= _party(_window_before(text, m.start(), parens), lex)
    for pattern in (_ACTIVE, _NOMINAL):
        for m in pattern.finditer(text):
            found |= _party(_window_after(text, m.end()), lex)
    return found


_EXPLOSIVES = ("chemical", "suicide", "ied", "air", "shelling", "grenade", "explosion_remote", "strike", "explosion")


def _explosive(counts: Counter[str]) -> str | None:
    """The explosive sub-event type the cues name, or None."""
    if counts["chemical"]:
        return "Chemical weapon"
    if counts["suicide"]:
        return "Suicide bomb"
    if counts["ied"]:
        return "Remote explosive/landmine/IED"
    ranked = [("Air/drone strike", counts["air"]), ("Shelling/artillery/missile attack", counts["shelling"]),
              ("Grenade", counts["grenade"])]
    best, score = max(ranked, key=lambda item: item[1])  # max keeps the first of equals: the order above
    if score:
        return best
    if counts["explosion_remote"]:
        return "Shelling/artillery/missile attack"
    if counts["strike"]:
        return "Air/drone strike"
    if counts["explosion"]:
        return "Remote explosive/landmine/IED"
    return None


def classify(members: Members, family: str, lex: Lexicon) -> tuple[str, str]:
    """ACLED sub-event type for one incident and the rule that chose it."""
    counts: Counter[str] = Counter()
    echoes: Counter[str] = Counter()
    context: set[str] = set()
    parties: set[str] = set()
    for text, cues in members:
        for cue in cues.events:
            if cue.name in ("kill", "injure") and _NOBODY.search(text[max(0, cue.start - 40):cue.start]):
                continue  # "no one was killed": a toll of none, no killing told
            (echoes if cue.weak else counts)[cue.name] += 1
        context |= {name for name in _CONTEXT_USED if cues.context.get(name)}
        parties |= victims(text, lex)
    if family == "dwu":
        return "Disrupted weapons use", "intercepted, defused or failed attack"
    if family == "demo":
        return _demonstration(counts + echoes, context)
    if family == "sd":
        return _strategic(counts + echoes)
    # what the incident's own sentences say decides; echoes ("the bombing", "roadside bombs and
    # ambushes" in a background paragraph) only fill in a kind nothing else names
    explosive_named = any(counts[e] for e in _EXPLOSIVES)
    for name, n in echoes.items():
        if name not in counts and not (explosive_named and (name in _EXPLOSIVES or name == "clash")):
            counts[name] = n
    return _violence(counts, context, parties)


def _violence(counts: Counter[str], context: set[str], parties: set[str]) -> tuple[str, str]:
    firefight = counts["clash"] > 0 or "small_arms" in context
    explosive = _explosive(counts)
    if explosive in ("Chemical weapon", "Suicide bomb", "Air/drone strike"):
        return explosive, "explosive method named"
    if explosive == "Remote explosive/landmine/IED" and counts["clash"] and (counts["ied"] or counts["explosion"]):
        return "Armed clash", "explosive device within a firefight"
    if explosive in ("Shelling/artillery/missile attack", "Grenade") and firefight:
        return "Armed clash", "artillery or grenades together with small-arms fire"
    if explosive:
        return explosive, "explosive method named"
    if counts["territory_gov"] and not counts["kill"]:
        return "Government regains territory", "territory retaken"
    if counts["territory_nsa"] and not counts["kill"]:
        return "Non-state actor overtakes territory", "territory taken"
    if counts["abduct"] and not counts["kill"]:
        return "Abduction/forced disappearance", "abduction"
    if counts["sexual"]:
        return "Sexual violence", "sexual violence"
    if counts["clash"]:
        return "Armed clash", "clash words"
    if counts["loot"] and not counts["kill"] and not parties:
        return "Looting/property destruction", "property taken or destroyed, nobody hurt"
    if "armed" in parties:
        return "Armed clash", "armed victims"
    return "Attack", "civilian or unspecified victims"


def _demonstration(counts: Counter[str], context: set[str]) -> tuple[str, str]:
    if counts["mob"]:
        return "Mob violence", "mob, lynching or vigilantes"
    if counts["riot"] or (counts["crowd"] and counts["protest"]) or (counts["clash"] and counts["protest"]):
        # (demonstrators who clash, with police or a rival camp, use violence)
        return "Violent demonstration", "demonstrators used violence"
    if counts["crowd"]:
        return "Mob violence", "a crowd fought without a demonstration"
    if "lethal_force" in context:
        return "Excessive force against protesters", "lethal force against demonstrators"
    if "intervention" in context:
        return "Protest with intervention", "authorities intervened"
    return "Peaceful protest", "demonstration"


def _strategic(counts: Counter[str]) -> tuple[str, str]:
    if counts["loot"]:
        return "Looting/property destruction", "property taken or destroyed"
    if counts["arrest"]:
        return "Arrests", "arrests"
    return "Agreement", "agreement"
