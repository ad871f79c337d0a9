"""The cue records of incident coding and the cue names by event family.

In: a lexicon and one sentence (clean text). Out: `Cue` (one matched cue with its offsets),
`SentenceCues` (what one sentence says about incidents, filled by `coding_cues.analyse_sentence`),
`LazyCues` (context cues matched on first use), and the families of event cues (`VIOLENCE`,
`DEMO`, `SD`, `SPECIFIC`, `EXPLOSIVE`) that decide which incident group a sentence can open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.coding_cue_match import Starts
from extractors.lexicon import Lexicon

# Event cues by family: a sentence's family decides which incident group it can open.
VIOLENCE = ("suicide", "ied", "air", "strike", "shelling", "explosion_remote", "explosion", "grenade",
            "chemical", "clash", "attack", "kill", "injure", "abduct", "sexual", "territory_gov", "territory_nsa")
DEMO = ("protest", "riot", "mob", "crowd")
SD = ("loot", "arrest", "agreement")
# "crowd" is not matched from the lexicon: a fight cue becomes one when its sides are crowds.
EVENT_CUES = VIOLENCE + ("dwu", "seizure") + DEMO + SD
CONTEXT_CUES = ("armed_party", "nonstate_armed", "civilian_party", "rioter_party", "crowd_party", "small_arms",
                "intervention", "lethal_force", "separation", "claim", "legal", "footage")
# Cues specific enough to open an incident of their own family next to one of another family.
SPECIFIC = frozenset(("suicide", "ied", "air", "shelling", "grenade", "chemical", "clash", "abduct", "sexual",
                      "dwu", "protest", "riot", "mob", "territory_gov", "territory_nsa"))
EXPLOSIVE = frozenset(("suicide", "ied", "air", "shelling", "grenade", "chemical"))
# a plural-looking word that is a verb: "<clan> militia attacks <clan> herder" (a bare plural-looking verb)
_VERB_NEXT = re.compile(r"\s+(?:a|an|the|his|her|their|its|two|three|four|five|several|(?-i:[A-Z])\w*)\b",
                        re.IGNORECASE)
_VERB_FORMS = re.compile(r"^(?:attacks|strikes|raids|kills|bombs|shells|targets|ambushes|storms)$", re.IGNORECASE)
class LazyCues(dict[str, "list[Cue]"]):
    """Context cues of one sentence, matched on first use (most sentences need only a few)."""

    def __init__(self, lex: Lexicon | None = None, text: str = "", begun: Starts | None = None) -> None:
        super().__init__()
        self._lex = lex
        self._text = text
        self._begun = begun  # the text's word starts, when read already

    def __missing__(self, name: str) -> list[Cue]:
        found = _matches(self._lex, name, self._text, self._begun) \
            if self._lex is not None and name in self._lex.cues else []
        if name == "aggregate_period" and self._lex is not None:
            found = [c for c in found if not _habit_of_a_thing(c, self._text, self._lex)]
        if name == "intervention":
            # what a demonstration is against is no intervention in it: "protested against the
            # unjust arrest of an editor", "demanding the release of those detained"; nor is an
            # arrest told with neither the police nor the demonstrators ("He was arrested in May")
            found = [c for c in found if not _GRIEVANCE.search(self._text[max(0, c.start - 60):c.start])
                     and not _self_end(c, self._text)] if _AT_THE_SCENE.search(self._text) else []
        self[name] = found
        return found

    def get(self, name: str, default: object = None) -> list[Cue]:
        return self[name]


@dataclass(frozen=True, slots=True)
class Cue:
    """One matched cue: its name, [start, end) within the sentence, the words, and strength."""

    name: str
    start: int
    end: int
    text: str
    weak: bool = False
    ref: bool = False  # named only as a reference ("after the bombing"): an echo that opens no incident


@dataclass(slots=True)
class SentenceCues:
    """What one sentence says about incidents (offsets are within the sentence)."""

    events: list[Cue] = field(default_factory=list)
    dropped: list[tuple[Cue, str]] = field(default_factory=list)
    context: dict[str, list[Cue]] = field(default_factory=LazyCues)
    family: str | None = None
    clauses: list[int] = field(default_factory=list)

    @property
    def strong(self) -> bool:
        """True when some kept cue reports an event by itself (not only an echo like "the attack")."""
        return any(not c.weak for c in self.events)

    @property
    def specific(self) -> bool:
        """True when some kept strong cue names a kind of act precisely (a weapon, a clash...)."""
        return any(c.name in SPECIFIC and not c.weak for c in self.events)

    def names(self) -> set[str]:
        """The names of the kept event cues."""
        return {c.name for c in self.events}


_GRIEVANCE = re.compile(r"(?i)\b(?:against|over|condemn\w*|denounc\w*|protest\w*|demand\w*|releas\w*|decry\w*|"
                        r"outrage at)\s+(?:the\s+|their\s+|his\s+|her\s+)?(?:[\w/-]+\s+){0,4}$")


# a demonstration that ends by itself: "the rally broke up peacefully", "the crowd dispersed" (its own subject, no
# force named as the one that broke it up)
_SELF_END = re.compile(r"(?i)^(?:broke up|break up|dispersed|dispersing|disperse)$")
_GATHERING_BEFORE = re.compile(r"(?i)\b(?:demonstrations?|protests?|rall(?:y|ies)|marches|march|sit-ins?|gatherings?|"
                               r"crowds?|protesters|demonstrators|marchers)\s+(?:\w+ly\s+|later\s+|then\s+)?$")
def _self_end(cue: Cue, text: str) -> bool:
    """Whether an intervention word tells a demonstration ending by itself ("the rally broke up")."""
    return bool(_SELF_END.match(cue.text) and _GATHERING_BEFORE.search(text[max(0, cue.start - 40):cue.start]))


_AT_THE_SCENE = re.compile(r"(?i)\b(?:police\w*|security|authorities|soldiers|troops|gendarm\w*|officers|army|"
                           r"protest\w*|demonstrat\w*|crowds?|participants|marchers|rall(?:y|ies)|sit-ins?|them|"
                           r"tear ?gas|teargas|water ?cannons?|batons?|rubber bullets)\b")


_FREQUENCY = re.compile(r"(?i)daily|weekly|monthly|nightly")
# the words after a frequency adjective, up to a word that ends its noun phrase
_PHRASE_AFTER = re.compile(r"[ -]((?:(?!(?:and|or|of|in|on|at|to|for|with|by|near|from|that|which|who|as|but|when|"
                           r"while|after|before|since|until)\b)[^\W\d][\w'’-]*[ ]?){1,3})", re.IGNORECASE)
# nouns by which a frequency word still tells a habit or a tally of acts: "on a daily basis", "part of daily
# life", "a weekly toll", "the monthly report"
_RECURRENCE = re.compile(r"(?i)\b(?:basis|life|lives|routine|reality|fact|occurrences?|events?|affairs?|features?|"
                         r"tolls?|tall(?:y|ies)|totals?|averages?|rates?|counts?|figures?|numbers?|statistics|"
                         r"reports?|bulletins?|updates?|briefings?|summar(?:y|ies)|reviews?|threats?|dangers?)\b")


def _habit_of_a_thing(cue: Cue, text: str, lex: Lexicon) -> bool:
    """Whether a frequency adjective (`cue`, an `aggregate_period` match) qualifies a thing that is no
    act: "near the weekly market", "after daily prayers", "daily wage labourers", "a daily newspaper".
    The habit is the thing's, not the act's, so it makes no tally of the acts its clause tells; one
    before an act ("daily shelling", "weekly Israeli raids"), a word of recurrence ("on a daily basis")
    or none ("attacked daily") still does."""
    if not _FREQUENCY.fullmatch(cue.text):
        return False
    after = _PHRASE_AFTER.match(text, cue.end)
    if after is None:
        return False
    phrase = after.group(1)
    return lex.any_event.search(phrase) is None and _RECURRENCE.search(phrase) is None


def _matches(lex: Lexicon, name: str, text: str, begun: Starts | None = None) -> list[Cue]:
    """The matches of cue `name` in `text`; none without matching when the text's word starts
    `begun` (`coding_cue_match.starts`) begin none of them."""
    if begun is not None and not lex.heads[name].possible(begun):
        return []
    return [Cue(name, m.start(), m.end(), m.group()) for m in lex.cues[name].finditer(text)]

