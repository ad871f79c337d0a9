"""Deaths and injuries as a sentence states them, and how a document's sentences add up.

In: one sentence (`read_toll`) or the tolls of the sentences that report one incident
(`combine_tolls`). Out: `Toll` (fatalities, injuries; None = not reported, 0 = the text says none),
with the offsets of the words that carry each figure.

Rules:
- figures in digits or words ("twenty-one", "a dozen"); ACLED's vague figures ("dozens" = 12,
  "hundreds" = 100); words that give no figure ("several", "scores", "an unknown number") give None;
- "at least 11" / "more than 150" keep the figure (conservative); "nearly 200" / "up to 50" void it;
- "killed and wounded 12" gives no split, so neither figure;
- an aside between the people and their verb ("30 people, including the bomber, were killed") keeps
  the figure; "plus the four attackers" adds its own;
- "no casualties" / "no reported casualties" / "no one was hurt" -> 0; "no (immediate) reports of
  casualties" -> 0 deaths only;
- an explicit tally ("3 fatalities", "Fatalities coded as 0") overrides figures read from verbs;
- a suicide bomber said to have died ("blew himself up", "and the bomber were killed") is counted.
Across sentences the largest figure is kept (a headline and its lead repeat one toll), except
sentences that add victims ("two other policemen were also killed"), which are summed.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from extractors.lexicon import Lexicon, get_lexicon

_DEATH_VERB = (r"killed|dead|died|slain|murdered|shot dead|shot and killed|shot to death|executed|beheaded|"
               r"massacred|perished|lost their lives|lost his life|lost her life|burned to death|burnt to death|"
               r"hacked to death|stabbed to death|beaten to death|lynched|assassinated|gunned down|"
               r"confirmed dead|killed in action|were killed|was killed")
_INJURY_VERB = r"wounded|injured|hurt|maimed|hospitali[sz]ed|suffered (?:\w+ )?injuries|sustained (?:\w+ )?injuries"
_DEATH_ACTIVE = (r"killing|killed|kills|kill|murdering|murdered|massacring|massacred|executing|executed|"
                 r"claiming the lives of|claimed the lives of|shot dead|shooting dead|leaving|left|leaves|"
                 # a headline's present tense: "gunmen gun down 9", "militants behead 11", "troops shoot dead 4"
                 r"murders?|massacres?|beheads?|beheading|beheaded|guns? down|gunning down|gunned down|"
                 r"shoots? dead|slays?|slew|lynch(?:es)?|lynching|claims? the lives of|"
                 r"(?:resulting|resulted|leading|led|causing|caused) (?:in )?(?:to )?the deaths? of")
_INJURY_ACTIVE = r"injuring|injured|injures|wounding|wounded|wounds|hurting|hurt|maiming"
_STOP = (r"(?:were|was|are|is|been|be|and|or|but|killed|dead|died|wounded|injured|hurt|in|on|at|by|after|"
         r"when|while|during|with|as|from|of|the|a|an|who|which|that|to)")
_NP = rf"(?:(?!{_STOP}\b)[A-Za-z'’\-]+\s+){{0,5}}?"
_AUX = r"(?:(?:were|was|are|is|have been|has been|had been|got|being|have|has)\s+)?"
_ADVERBS = (r"(?:(?:reportedly|allegedly|also|all|later|confirmed|reported|believed|feared|then|subsequently|"
            r"immediately|instantly|critically|seriously|severely|slightly|lightly|fatally|mortally|badly|both)\s+){0,2}")
_SELF = re.compile(r"blew (?:him|her)self up|detonated (?:his|her) (?:explosive |suicide )?(?:vest|belt|explosives)",
                   re.IGNORECASE)
_TALLY = re.compile(r"\b(?:total|overall|cumulative|so far|since|to date|this year|in all)\b", re.IGNORECASE)
_NEGATED = re.compile(r"\b(?:no|not|none of the)\s+$", re.IGNORECASE)
# (not "claiming the lives of six": a toll, not a perpetrator's claim)
_CLAIM = re.compile(r"\b(?:claim(?:ed|s|ing)?(?! the lives)|saying (?:its|their) (?:fighters|militants|forces))\b",
                    re.IGNORECASE)
_NUMBER_AFTER = re.compile(r"\s+(?:\d|a |an |one |two |three |four |five |six |seven |eight |nine |ten |at least|"
                           r"more than)",
                           re.IGNORECASE)
_ADDITIVE = re.compile(r"\b(?:also|other|another|additional|further|more(?!\s+than)|as well)\b", re.IGNORECASE)
_ADDITIVE_AFTER = re.compile(r"\s+(?:as well|too)\b", re.IGNORECASE)
# a qualifying aside between a figure's people and their verb: "At least 30 people, including the bomber,
# were killed", "Nine people, most of them students, died" (the figure already counts them), "plus <N>"
# (adds its own figure: see `_plus`)
_APPOSITIVE = (rf"(?:(?:(?!{_STOP}\b)[A-Za-z'’\-]+)?,\s*(?:including|excluding|among them|most of them|"
               r"many of them|all of them|mostly|most|mainly|chiefly|plus|not including|as well as)\b"
               r"[^,;.()]{1,60},\s*)?")
_PLUS = re.compile(r",\s*(?:plus|as well as)\s+(?:the\s+)?(?P<num>[\w-]+)\b", re.IGNORECASE)
_CLAUSE_CUT = re.compile(r".*(?:,|;|\band\b)", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class Toll:
    """Casualty figures one sentence (or one incident) gives.

    `explicit`: a tally statement ("N fatalities") that overrides figures read from verbs.
    `additive`: the sentence adds victims to earlier ones ("two other soldiers were killed").
    `spans`: offsets (within the text read) of the phrases that carry the figures.
    """

    fatalities: int | None = None
    injuries: int | None = None
    explicit: bool = False
    additive: bool = False
    spans: tuple[tuple[int, int], ...] = ()
    claimed: bool = False  # the figure is a perpetrator's claim ("its fighters had killed seven")


@dataclass(frozen=True, slots=True)
class _Patterns:
    number: str
    death_before: re.Pattern[str]
    death_after: re.Pattern[str]
    injury_before: re.Pattern[str]
    injury_after: re.Pattern[str]
    death_noun: re.Pattern[str]
    injury_noun: re.Pattern[str]
    explicit: re.Pattern[str]
    zero_deaths: re.Pattern[str]
    zero_both: re.Pattern[str]
    zero_injuries: re.Pattern[str]
    plus_one: re.Pattern[str]


@functools.cache
def _patterns() -> _Patterns:
    lex = get_lexicon()
    # longest first, then alphabetical: one pattern text in every process (a set's order follows the
    # string-hash seed, which would make each process compile, and cache, a pattern of its own)
    words = sorted(set(lex.units) - {"no", "none", "zero", "both", "pair", "couple", "twin", "single", "lone"}
                   | set(lex.tens), key=lambda w: (-len(w), w))
    word = "|".join(words)
    vague = "|".join(sorted((re.escape(v) for v in lex.vague), key=lambda w: (-len(w), w)))
    number = (rf"(?:(?:{'|'.join(map(re.escape, lex.keep_qualifiers + lex.refuse_qualifiers))})\s+)?"
              rf"(?:(?!(?:19|20)\d\d\b)\d[\d,]*(?!\d)|(?:two|three|four|five) dozen|(?:{vague})(?:\s+of)?|"
              rf"(?:{word})(?:[- ](?:{word}))?(?:\s+(?:hundred|thousand))?(?:\s+and\s+(?:{word}))?)")
    flags = re.IGNORECASE
    tail = (r"(?!\s*(?:percent|per cent|%|km|kilomet|miles?|met(?:er|re)s|hours?|days?|weeks?|months?|years?|times|"
            r"a\.m|p\.m))")
    return _Patterns(
        number=number,
        death_before=re.compile(rf"\b(?P<num>{number})\s+{_NP}(?:and the (?:suicide )?(?:bomber|attacker|assailant|"
                                rf"gunman)s?\s+)?{_APPOSITIVE}"
                                rf"(?P<aux>{_AUX}){_ADVERBS}(?P<verb>{_DEATH_VERB})\b", flags),
        death_after=re.compile(rf"\b(?:{_DEATH_ACTIVE})\s+(?P<num>{number})\b{tail}(?P<rest>(?:\s+[\w'’\-]+){{0,4}})"
                               rf"|\b(?:beat|beaten|stoned|hacked|burn(?:ed|t)|stabbed|clubbed|"
                               rf"lynched)\s+(?P<num2>{number})\s+"
                               rf"(?:[\w'’\-]+\s+){{0,4}}?to death", flags),
        injury_before=re.compile(rf"\b(?P<num>{number})\s+{_NP}{_APPOSITIVE}(?P<aux>{_AUX}){_ADVERBS}"
                                 rf"(?P<verb>{_INJURY_VERB})\b", flags),
        injury_after=re.compile(rf"\b(?:{_INJURY_ACTIVE})\s+(?P<num>{number})\b{tail}", flags),
        death_noun=re.compile(rf"\b(?P<num>{number})\s+(?:people\s+|persons\s+)?(?:dead|deaths|fatalities|fatality|"
                              rf"bodies)\b"
                              rf"|death toll (?:\w+\s+){{0,4}}?(?:to|of|at|is|was|stands at|reached|"
                              rf"hit)\s+(?P<num2>{number})", flags),
        injury_noun=re.compile(rf"\b(?P<num>{number})\s+(?:people\s+)?(?:injuries|injured|wounded)\b(?!\s+(?:were|"
                               rf"was|by|in))", flags),
        explicit=re.compile(r"(?:fatalities|deaths)\s+(?:were\s+|was\s+|are\s+)?coded\s+as\s+(?P<num>\d+)"
                            r"|^\s*(?P<num2>\d+)\s+fatalit(?:y|ies)\b|fatalities (?:are |were )?split (?:across|"
                            r"between) \w+ events? \((?P<num3>\d+)\)",
                            flags),
        zero_deaths=re.compile(r"\bno (?:immediate |official )?(?:reports?|word|information|news) (?:of|"
                               r"on) (?:any )?(?:casualties|fatalities|deaths|dead|victims)"
                               r"|\b(?:no|zero) (?:fatalities|deaths|one (?:was |were )?killed|loss of life|"
                               r"one died|lives were lost)\b"
                               r"|\bnobody (?:was )?(?:killed|died)\b|\bno one (?:was )?killed\b|\b(?:did not|"
                               r"didn't|failed to) kill anyone\b"
                               r"|\bwithout (?:causing )?(?:any )?(?:fatalities|deaths|loss of life)\b", flags),
        zero_both=re.compile(r"\bno (?:immediate |reported )?casualties\b|\bno (?:damage|injuries) or casualties\b"
                             r"|\bno (?:one|body) (?:was |were )?(?:hurt|injured|"
                             r"harmed|wounded)\b"
                             r"|\bnobody (?:was )?(?:hurt|injured|harmed)\b|"
                             r"\bwithout (?:causing )?(?:any )?(?:casualties|injuries)\b"
                             r"|\b(?:escaped|were|was|left) (?:\w+ )?(?:unhurt|unharmed|unscathed)\b|"
                             r"\bcasualties: none\b"
                             r"|\bcaus(?:ed|ing) no (?:injuries|casualties)|\bno (?:injuries|casualties) (?:or|"
                             r"and) (?:damage|deaths)", flags),
        zero_injuries=re.compile(r"\bno (?:immediate )?(?:reports? of )?(?:injuries|injured|wounded)\b|\b(?:did not|"
                                 r"didn't) (?:injure|hurt|wound) anyone\b", flags),
        plus_one=re.compile(r"\band the (?:suicide )?(?:bomber|attacker|assailant|gunman)s?\s+(?:were|"
                            r"was)\s+(?:\w+\s+)?killed"
                            r"|\bas well as the (?:suicide )?(?:bomber|attacker|assailant|gunman)\b", flags),
    )


def parse_number(phrase: str, lex: Lexicon | None = None) -> int | None:
    """The figure a number phrase gives ("at least 11" -> 11, "dozens" -> 12, "several" -> None)."""
    lex = lex or get_lexicon()
    text = phrase.lower().strip()
    for qualifier in lex.refuse_qualifiers:
        if text.startswith(qualifier + " "):
            return None
    for qualifier in sorted(lex.keep_qualifiers, key=len, reverse=True):
        if text.startswith(qualifier + " "):
            text = text[len(qualifier) + 1:]
            break
    text = re.sub(r"\s+of$", "", text)
    if text in lex.vague:
        return lex.vague[text]
    digits = text.replace(",", "")
    if digits.isdigit():
        return int(digits)
    dozen = re.fullmatch(r"(two|three|four|five) dozen", text)
    if dozen:
        return lex.units[dozen.group(1)] * 12
    total, current = 0, 0
    for token in re.split(r"[\s-]+", text):
        if token == "and":
            continue
        if token in lex.units:
            current += lex.units[token]
        elif token in lex.tens:
            current += lex.tens[token]
        elif token in lex.scales:
            current = max(current, 1) * lex.scales[token]
            if lex.scales[token] >= 1000:
                total, current = total + current, 0
        else:
            return None
    return total + current


def _conjoined(text: str, start: int, lex: Lexicon) -> int:
    """Figures of victim groups joined by "and" or commas before a passive figure.

    Each group is looked for in the `_GROUP_REACH` characters before the previous one, not in
    the whole text before it: searching a long sentence from its start for a match that must end
    at one point made this quadratic in the sentence's length (issue 14). `\b` still sees the
    character before the window (`search(text, pos, endpos)` does not cut the string).
    """
    total = 0
    pattern = re.compile(rf"\b(?P<num>{_patterns().number})\s+{_NP}(?:,\s*(?:and\s+)?|and\s+)$", re.IGNORECASE)
    end = start
    while True:
        m = pattern.search(text, max(0, end - _GROUP_REACH), end)
        if not m:
            return total
        value = parse_number(m.group("num"), lex)
        if value is None:
            return total
        total += value
        end = m.start()


# A figure, up to five words and "and" or a comma span far less; a group longer than this (a
# 100-character word) is not read as one.
_GROUP_REACH = 600


def _combined(text: str, start: int, end: int) -> bool:
    """True when a death figure is shared with the wounded ("killed and wounded 12")."""
    around = text[max(0, start - 25):end + 25].lower()
    return bool(re.search(r"killed (?:and|or) (?:wounded|injured)|(?:wounded|injured) (?:and|or) killed|"
                          r"killing (?:and|or) (?:wounding|injuring)|casualties", around))


def read_toll(text: str) -> Toll:
    """The deaths and injuries one sentence states (see the module docstring for the rules)."""
    p = _patterns()
    lex = get_lexicon()
    spans: list[tuple[int, int]] = []

    explicit = p.explicit.search(text)
    if explicit:
        figure = int(explicit.group("num") or explicit.group("num2") or explicit.group("num3"))
        injuries = _sum_matches(text, (p.injury_after, p.injury_before, p.injury_noun), lex, spans)
        return Toll(figure, injuries, explicit=True, spans=(explicit.span(), *spans))

    deaths = _sum_matches(text, (p.death_after, p.death_before, p.death_noun), lex, spans)
    n_death_spans = len(spans)
    if deaths is not None and (p.plus_one.search(text) or _SELF.search(text)):
        deaths += 1
    injuries = _sum_matches(text, (p.injury_before, p.injury_after, p.injury_noun), lex, spans)

    if deaths is None:
        zero = p.zero_deaths.search(text) or p.zero_both.search(text)
        if zero is None and p.zero_injuries.search(text) and not re.search(r"\b(?:killed|dead|died)\b", text, re.I):
            zero = p.zero_injuries.search(text)
        if zero:
            deaths = 0
            spans.append(zero.span())
    if injuries is None:
        zero = p.zero_both.search(text) or p.zero_injuries.search(text)
        if zero:
            injuries = 0
            spans.append(zero.span())
    additive = _marked_additive(text, spans[:n_death_spans] or spans)
    return Toll(deaths, injuries, additive=additive, spans=tuple(spans), claimed=bool(_CLAIM.search(text)))


def _marked_additive(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether a figure is marked as adding victims ("three more were killed", "a further 5 died",
    "also killed two"): the mark sits in the figure's phrase or just before it in the same clause.
    A figure that only restates an outcome told elsewhere ("four people died and two more were
    hurt": the "more" marks the wounded) is not additive, and is counted once."""
    for start, end in spans:
        before = text[max(0, start - 20):start]
        cut = _CLAUSE_CUT.match(before)
        before = before[cut.end():] if cut else before
        if _ADDITIVE.search(before + text[start:end]) or _ADDITIVE_AFTER.match(text, end):
            return True
    return False


def _sum_matches(text: str, patterns: Iterable[re.Pattern[str]], lex: Lexicon,
                 spans: list[tuple[int, int]]) -> int | None:
    """Sum the figures of non-overlapping matches of `patterns`; None when none gives a figure."""
    found: list[tuple[int, int, int | None]] = []
    taken: list[tuple[int, int]] = []  # the spans of `found`, sorted: they never overlap
    for pattern in patterns:
        for m in pattern.finditer(text):
            group = "num" if m.groupdict().get("num") else "num2"
            phrase = m.group(group)
            if phrase is None:
                continue
            start, end = m.span()
            at = bisect.bisect_left(taken, (end,))  # spans starting before `end` lie left of `at`
            if at and taken[at - 1][1] > start:  # the one of them ending last (disjoint, sorted)
                continue
            if _NEGATED.search(text[max(0, start - 12):start]):
                continue  # "no one was hurt": the zero patterns read it
            if _TALLY.search(text[max(0, start - 30):end + 40]):
                continue  # "taking the total death toll to 78 since October": a tally, not this incident
            if _combined(text, start, end):
                found.append((start, end, None))
                bisect.insort(taken, (start, end))
                continue
            if not m.groupdict().get("aux") and "aux" in m.groupdict() and (
                    phrase.lower() in ("a", "an", "one") or _NUMBER_AFTER.match(text, m.end())):
                continue  # "a drone attack killed three": the figure is the object, read it there
            rest = m.groupdict().get("rest") or ""
            if m.group().lower().startswith(("leaving", "left", "leaves")) and "dead" not in rest.lower():
                continue
            value = parse_number(phrase, lex)
            if value is not None and m.groupdict().get("aux") is not None:
                value += _conjoined(text, start, lex)  # "Four militants and one soldier were killed"
                value += _plus(m.group(), lex)
            found.append((start, end, value))
            bisect.insort(taken, (start, end))
    figures = [value for _, _, value in found if value is not None]
    if any(value is None for _, _, value in found) and not figures:
        return None
    spans.extend((a, b) for a, b, value in found if value is not None)
    return sum(figures) if figures else None


def _plus(matched: str, lex: Lexicon) -> int:
    """The figure an aside adds to the people before it ("30 people, plus the four attackers, died")."""
    aside = _PLUS.search(matched)
    return (parse_number(aside.group("num"), lex) or 0) if aside else 0


def combine_tolls(tolls: Iterable[Toll]) -> Toll:
    """One incident's figures from the tolls of its sentences, in document order.

    An explicit tally wins; otherwise the largest figure stands, and additive sentences are summed
    onto it. A zero only stands when no sentence gives a positive figure.
    """
    fatalities: int | None = None
    injuries: int | None = None
    spans: list[tuple[int, int]] = []
    explicit_deaths: int | None = None
    tolls = list(tolls)
    if any(t.claimed for t in tolls) and any(not t.claimed and t.fatalities for t in tolls):
        # a perpetrator's claim only stands when no other source gives a figure (ACLED)
        tolls = [t for t in tolls if not t.claimed]
    for toll in tolls:
        spans.extend(toll.spans)
        if toll.explicit:
            explicit_deaths = toll.fatalities
        fatalities = _merge(fatalities, toll.fatalities, toll.additive)
        injuries = _merge(injuries, toll.injuries, toll.additive)
    if explicit_deaths is not None:
        fatalities = explicit_deaths
    return Toll(fatalities, injuries, explicit=explicit_deaths is not None, spans=tuple(spans))


def _merge(current: int | None, new: int | None, additive: bool) -> int | None:
    if new is None:
        return current
    if current is None:
        return new
    if additive and new > 0:
        return current + new
    return max(current, new)


def number_pattern() -> str:
    """The regular expression (source) of a figure: digits, number words, vague quantities."""
    return _patterns().number
