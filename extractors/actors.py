"""Perpetrator and target of an incident, as the text names them.

In: one sentence and the offsets of its main event cue. Out: `read_actors(...)` -> `Actors`
(actor1 = who did it, actor2 = whom it hit; None when the sentence does not say), each a short
noun phrase cut from the text, never a guess from outside it.

Where the perpetrator comes from, most reliable first: a claim or attribution ("X claimed
responsibility", "blamed on X", "fired from areas controlled by X"), the agent of a passive
("killed by X"), then the subject of an active verb ("X attacked ..."). The target: the object
of the act ("attacked a police post"), what follows "on"/"against" ("an attack on villagers"),
or the subject of a passive ("two soldiers were killed").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NP_STOP = re.compile(
    r"[,.;:()\u201c\u201d\"]|\s(?:in|at|near|on|during|with|after|while|from|inside|outside|following|when|as|"
    r"who|which|that|before|for|because|since|into|along|and killed|and injured|killing|injuring|wounding|"
    r"reportedly|allegedly|said|says|according|late|early|last|this|overnight|to|was|were|is|are|has|have|had|"
    r"claimed|attacked|fired|killed|struck|shot|launched|carried|targeted|stormed|abducted|kidnapped|"
    r"ambushed|raided|hit|opened|clashed|bombed|shelled|fell|landed|exploded|blamed|believed|suspected|caused|left|"
    r"leaving)\b",
    re.IGNORECASE)
_LEAD = re.compile(r"^(?:the|a|an|some|unknown|unidentified|suspected|alleged|presumed|presumably|"
                   r"members of the|members of|elements of|fighters of|militants of)\s+", re.IGNORECASE)
_CLAIMS = (
    re.compile(r"(?P<np>(?:[\w'’\-]+\s+){1,6}?)(?:has |have |had )?claimed (?:responsibility|the attack|to have)",
               re.IGNORECASE),
    re.compile(r"\b(?:blamed on|attributed to|claimed by|carried out by|perpetrated by|launched by|"
               r"(?:fired|launched) from [\u201c\"']?(?:areas?|territory|positions?|zones?) (?:controlled|held) by)\s+"
               r"(?P<np>[^,.;:()]{3,80})", re.IGNORECASE),
)
_AGENT = re.compile(r"(?<=\s)by\s+(?P<np>[^,.;:()]{3,80})", re.IGNORECASE)
_SUBJECT_END = re.compile(r"(?:^|[,;:(]|\bthat|\bsaid|\b\d{4})\s*([^,;:()]*?)\s*$", re.IGNORECASE)
_OBJECT_PREP = re.compile(r"^\s*(?:on|against|at|upon|targeting|towards)\s+", re.IGNORECASE)
_PASSIVE = re.compile(r"\b(?:was|were|been|being|got)\s+(?:\w+\s+)?$", re.IGNORECASE)
_NOT_ACTOR = re.compile(r"^(?:it|they|he|she|we|there|this|that|these|those|which|who|officials?|sources?|"
                        r"police said|reports?|media|witnesses|residents said)$"
                        r"|^(?:number|numbers|some|many|dozens|several|one|two|three|all|most|both|each|"
                        r"total)(?: of)?\b",
                        re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Actors:
    """Who did it (`actor1`) and whom it hit (`actor2`); None when the text does not say."""

    actor1: str | None = None
    actor2: str | None = None


def _noun_phrase(text: str, max_words: int = 7) -> str | None:
    """The leading noun phrase of `text`: cut at the first clause word, determiners dropped."""
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
    if not match:
        return None
    words = match.group(1).split()[-7:]
    return _noun_phrase(" ".join(words)) if words else None


def read_claim(text: str) -> str | None:
    """The perpetrator a claim or attribution names ("blamed on X", "X claimed responsibility")."""
    for pattern in _CLAIMS:
        match = pattern.search(text)
        if match:
            actor = _noun_phrase(match.group("np").split(" and said")[0][-80:])
            if actor:
                return actor
    return None


def read_actors(text: str, cue_start: int, cue_end: int) -> Actors:
    """Perpetrator and target named in one sentence around the event cue at [cue_start, cue_end)."""
    actor1 = read_claim(text)
    passive = bool(_PASSIVE.search(text[max(0, cue_start - 30):cue_start]))
    after = text[cue_end:]
    if actor1 is None:
        agent = _AGENT.search(after[:120])
        if agent:
            actor1 = _noun_phrase(agent.group("np"))
    if actor1 is None and not passive:
        actor1 = _subject(text, cue_start)
    if passive:
        actor2 = _subject(text, _PASSIVE.search(text[max(0, cue_start - 30):cue_start]).start()  # type: ignore[union-attr]
                          + max(0, cue_start - 30))
    else:
        prep = _OBJECT_PREP.match(after)
        actor2 = _noun_phrase(after[prep.end():] if prep else after)
    if actor2 is not None and actor1 is not None and actor2.lower() == actor1.lower():
        actor2 = None
    return Actors(actor1, actor2)
