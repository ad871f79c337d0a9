"""Headlines and wire style (GUIDE rule 10): where a document's headline is, and its forms.

In: the clean text of a document (`coding_text.prepare`). Out: `headline_act(clean)` -> the end
offset of the headline the document opens with, or None. A headline is the first line when it
stands alone (a line break follows it, or it is the whole text), is short, and does not end as a
sentence of prose does; news feeds and wires put the title there. Its present tense ("Car bomb
kills 12 at market") reports an act of the publication day or the day before.

`is_headline(sentence)` tells a headline's shape on its own (short, no full stop), and
`np_report(sentence, start, end)` whether a headline that is only a noun phrase of fighting and its
scene or its sides ("Heavy fighting in <town>", "<Country>: fresh clashes near <town>", "Clashes between
<A> and <B>") reports it: a headline
drops its verb and its articles, so the plural that echoes a war in prose names the day's fighting
there (rule DET-headline-np).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

MAX_HEADLINE = 220  # characters: a longer first line is a paragraph, not a title
_PROSE_END = re.compile(r"[.!?]['\"\u201d\u2019)]*\s*$")


def headline_act(clean: str) -> int | None:
    """The end of the headline `clean` opens with, or None when it opens with prose."""
    text = clean.lstrip()
    offset = len(clean) - len(text)
    end = text.find("\n")
    line = text if end < 0 else text[:end]
    if not line.strip() or len(line) > MAX_HEADLINE or _PROSE_END.search(line):
        return None
    if end < 0 and len(line.split()) > 30:
        return None
    return offset + len(line)


_WORDS_MAX = 20  # words: a longer line without a full stop is prose cut short, not a title


def is_headline(sentence: str) -> bool:
    """Whether one sentence has a headline's shape: one short line that does not end as prose does."""
    line = sentence.strip()
    return bool(line) and "\n" not in line and not _PROSE_END.search(line) and len(line.split()) <= _WORDS_MAX


# a label a headline may open with ("<Country>:", "Update:", "<Country> -"), then up to two modifiers of a
# fight; the fight noun; an intransitive verb of its course; and a place it is in
_LABEL = r"(?:[\w’'. -]{1,40}(?::|\s[-–—])\s+)?"
_FIGHT_MODIFIER = (r"(?:heavy|fierce|fresh|renewed|intense|deadly|bloody|overnight|new|more|sporadic|sectarian|"
                   r"tribal|ethnic|communal|armed|border|street|night-?time|violent|clan|factional|running|"
                   r"(?-i:[A-Z])[\w-]*(?:i|ian|ese|ish|an|ic))")
_NP_HEAD = re.compile(rf"(?i)^\W*{_LABEL}(?:{_FIGHT_MODIFIER}\s+){{0,2}}$")
_NP_SCENE = re.compile(r"(?i)^\s+(?:(?:continues?|resumes?|erupts?|flares?(?: up)?|breaks? out|go(?:es)? on)\s+)?"
                       r"(?:(?:in|near|at|on|along|around|outside|inside|over|for)\s+(?:the\s+)?"
                       r"(?:(?:\w+ern|central|rebel-held|government-held|besieged|key|strategic)\s+)?(?-i:[A-Z])|"
                       # or its two sides: "Clashes between <A> and <B>"
                       r"between\s+[^,;:.]{2,60}?\s+and\s+\S)")
_FIGHT_NOUN = re.compile(r"(?i)^(?:fighting|clashes|battles|gun ?battles|firefights|skirmishes|gunfights)$")


def np_report(sentence: str, start: int, end: int) -> bool:
    """Whether the fight noun at [start, end) of `sentence` heads a headline that is a noun phrase of
    fighting at a named place or between two named sides ("Fierce clashes in <town>", "Clashes
    between <A> and <B>"): the day's fighting there, reported.
    A noun phrase that is the object or the backdrop of a verb ("insurers count the cost of
    clashes in <place>") has words before it that are no modifiers, and is not one."""
    return (is_headline(sentence) and bool(_FIGHT_NOUN.match(sentence[start:end]))
            and bool(_NP_HEAD.match(sentence[:start])) and bool(_NP_SCENE.match(sentence[end:])))


# the verb of a headline's clause, read as a plural noun in prose: "<force> shells <town>",
# "<group> drone strikes <ship>"
_VERB_PLURAL = re.compile(r"(?i)(?:^|\s)(?:shells|bombs|strikes|raids|attacks|pounds|targets|hits|rockets)$")
_SUBJECT = re.compile(r"(?i)^\W*" + _LABEL + r"(?:[\w’'.-]+\s+){0,3}?(?:(?-i:[A-Z])[\w’'.-]*|army|troops|forces|"
                      r"militias?|"
                      r"rebels|insurgents|militants|jihadists|gunmen|police|navy|jets|warplanes|drones?|tanks?)(?:[’']s)?"
                      r"\s+(?:(?:drone|air|missile|rocket|artillery)\s+)?$")
_OBJECT = re.compile(r"(?i)^\s+(?!(?:on|in|at|against|by|from|near|over|across|off|to|for|with|into|onto|under|after|"
                     r"amid|as|about|of|through|since|during|towards?|along|around|up|down|out|and|or|but|are|were|is|"
                     r"was|be|been|have|has|had|will|would|could|may|might|can|kill|kills|hit|hits|continue|resume|rise|"
                     r"rose|fall|fell|double|doubled|"
                     # a verb of consequence: the plural is its subject ("<group> attacks threaten trade")
                     r"threaten|raise|spark|disrupt|hurt|weigh|rattle|deepen|stoke|prompt|trigger|cloud|"
                     r"overshadow|dampen|shake|upend)\b)(?:the\s+|a\s+)?[\w’'-]+")


def verb_report(sentence: str, start: int, end: int) -> bool:
    """Whether the plural at [start, end) of a headline is its verb between a named actor and an object
    ("<force> shells <town> hospital", "<group> drone strikes ship"): an act in the present tense,
    reported, though the same word in prose ("the shells", "strikes on") only echoes one."""
    word = sentence[start:end]
    if not (is_headline(sentence) and _VERB_PLURAL.search(word)):
        return False
    head = sentence[:start] + (word.rsplit(None, 1)[0] + " " if " " in word.strip() else "")
    if not (_SUBJECT.match(head) and _OBJECT.match(sentence[end:])):
        return False
    # "attacks", "strikes", "hits" and "targets" are nouns as often as verbs ("rebel attacks target
    # shipping", "attacks upend trade"): read as the verb only when a short object and its place follow
    return not _NOUN_TOO.search(word) or bool(_OBJECT_PLACED.match(sentence[end:]))


_NOUN_TOO = re.compile(r"(?i)(?:^|\s)(?:strikes|attacks|hits|targets)$")
_OBJECT_PLACED = re.compile(r"(?i)^\s+(?:the\s+|a\s+)?(?:[\w’'-]+\s+){1,3}?(?:in|near|at|off|outside|inside|on)\s+\S")


# "death toll from the bombing rises to 51", "the number of dead climbed to at least 30": the latest
# figure of an incident already told, which supersedes earlier ones (tolls only grow)
_TOLL_UPDATE = re.compile(
    r"(?i)\b(?:death toll|toll|number of (?:the )?(?:dead|deaths|people killed|victims)|fatalities)\b"
    r"(?:\s+[\w’'-]+){0,6}?"
    r"\s+(?:has\s+|have\s+)?(?:rises|rose|risen|climbs|climbed|jumps|jumped|reaches|reached|hits|hit|mounts|mounted|"
    r"soars|soared|increases|increased|grows|grew|tops|topped|passes|passed|surpasses|surpassed)\s+(?:to\s+)?"
    r"(?:at least\s+|more than\s+|over\s+|nearly\s+|almost\s+)?(?P<n>\d[\d,]*|[a-z]+(?:[- ][a-z]+)?)\b")


def toll_update(text: str, units: Mapping[str, int], tens: Mapping[str, int]) -> int | None:
    """The largest death-toll update a text states ("toll rises to 51", "climbed to thirty-two"),
    or None. `units` / `tens`: the lexicon's number words."""
    best = None
    for match in _TOLL_UPDATE.finditer(text):
        value = _number(match.group("n"), units, tens)
        if value is not None:
            best = value if best is None else max(best, value)
    return best


def _number(word: str, units: Mapping[str, int], tens: Mapping[str, int]) -> int | None:
    if word[0].isdigit():
        return int(word.replace(",", ""))
    total = 0
    for part in re.split(r"[- ]", word.lower()):
        if part in tens:
            total += tens[part]
        elif part in units:
            total += units[part]
        else:
            return total or None
    return total or None


# --- frames of headline grammar: bare nouns, no articles (GUIDE rules 2 and 9) -----------------------
# A headline drops its articles ("Police arrest suspect over mosque shooting"), so the frames of
# `coding_frames` that want "the" or a possessive before a known act do not see it. These read the
# same constructions with the determiner left out. In: one event cue (name, [start, end), word) in its
# sentence and whether the sentence names a day. Out: a reason id ("headline:<rule>"), or None.

_ACTS = frozenset(("suicide", "ied", "air", "strike", "shelling", "explosion", "grenade", "chemical", "clash",
                   "attack", "kill", "injure", "abduct", "sexual", "dwu"))
_TOLD_AFTER = re.compile(r"(?i)^[^.;:!?]{0,60}?\b(?:kill(?:s|ed|ing)?|dead|died|dies|wound(?:s|ed|ing)|injur\w*|"
                         r"leaves?|left|claims? (?:\d|\w+ lives))\b")
# verbs of pursuit and trial, then the act they are about: "arrest suspect over", "charged in connection with"
_PURSUIT_BARE = re.compile(
    r"(?i)\b(?:arrest(?:s|ed)?|detain(?:s|ed)?|hold(?:s)?|held|charg(?:e|es|ed)|nab(?:s|bed)?|question(?:s|ed)?|"
    r"quiz(?:zed|zes)?|convict(?:s|ed)?|sentenc(?:e|es|ed)|jail(?:s|ed)?|extradit(?:e|es|ed)|indict(?:s|ed)?|"
    r"tr(?:y|ies|ied)|hunt(?:s|ed)? for|manhunt for|seek(?:s|ing)?|sought|wanted|suspects?|accused)\s+"
    r"(?:[\w’'.-]+\s+){0,4}?(?:over|for|in connection with|linked to|in probe into|in)\s+(?:[\w’'-]+\s+){0,2}$")
# an institution's answer to an act: "ambassador summoned over strike on embassy", "minister quits over raid"
_ANSWER_OVER = re.compile(
    r"(?i)\b(?:summon(?:s|ed)?|expel(?:s|led)?|recall(?:s|ed)?|sanction(?:s|ed)?|protest(?:s|ed)?|apologi[sz](?:e|es|ed)|"
    r"resign(?:s|ed)?|quit(?:s)?|su(?:e|es|ed)|fine[sd]?|censur(?:e|es|ed)|grill(?:s|ed)?|sack(?:s|ed)?|"
    r"suspend(?:s|ed)?|boycott(?:s|ed)?|cuts? ties|row|spat|rift)\s+(?:[\w’'.-]+\s+){0,4}?(?:over|after)\s+"
    r"(?:[\w’'-]+\s+){0,2}$")


def pursuit_bare(name: str, start: int, end: int, text: str, named_day: bool) -> bool:
    """An act named as what someone is arrested, charged or tried for, with no article ("Police arrest
    suspect over mosque shooting"): the arrest is the news, the act a reference; an act told with
    its own toll after it ("over attack that killed 5") is still reported."""
    return bool(_PURSUIT_BARE.search(text[max(0, start - 90):start])) and not _TOLD_AFTER.match(text[end:])


def answer_over(name: str, start: int, end: int, text: str, named_day: bool) -> bool:
    """An act named as the cause of an institution's answer ("envoy summoned over drone strike",
    "minister quits over raid"): the answer is the news, the act a reference, unless told with its toll.
    In a headline, "over" right before an act always names its cause ("council meets over attack on
    <place>", "outcry over shelling"): headline grammar has no other "over" before an act noun."""
    if _TOLD_AFTER.match(text[end:]):
        return False
    return bool(_ANSWER_OVER.search(text[max(0, start - 90):start])) or (
        is_headline(text) and bool(_OVER_BEFORE.search(text[max(0, start - 40):start])))


_OVER_BEFORE = re.compile(r"(?i)\bover\s+(?:[\w’'-]+\s+){0,2}$")


# a figure that moves: "murders fall for a third year", "journalists killed worldwide rose by a third"
_TREND_AFTER = re.compile(
    r"(?i)^(?:\s+(?:on|against|in|by|at|targeting|of)\s+(?:[\w’'-]+\s+){0,3}?[\w’'-]+(?=\s+(?:\w+ly\s+)?(?:rise|rose|fall|"
    r"fell|drop|double|halve|surge|soar|decline|climb|jump|increase|decrease|plunge|plummet|tumble|spike|hit|reach)))?"
    r"(?:\s+(?:worldwide|globally|nationwide|(?:in|across) (?:the )?(?:country|world|region|\w+)|last year|"
    r"this year|in \d{4}|so far)){0,2}\s+(?:\w+ly\s+)?(?:rise|rises|rose|risen|fall|falls|fell|fallen|drop|"
    r"drops|dropped|"
    r"double[sd]?|halve[sd]?|treble[sd]?|surge[sd]?|soar(?:s|ed)?|decline[sd]?|climb(?:s|ed)?|jump(?:s|ed)?|"
    r"increase[sd]?|decrease[sd]?|plunge[sd]?|plummet(?:s|ed)?|tumble[sd]?|spike[sd]?|(?:hit|hits|reach|reaches|"
    r"reached) (?:a |an )?(?:record|new high|new low|\d+-year (?:high|low)))\b(?!\s+to\s+(?:at least\s+)?\d)")
_PLURAL_OR_PARTICIPLE = re.compile(r"(?i)^(?:[\w-]+\s)?(?:\w+s|killed|kidnapped|abducted|injured|wounded)$")


def trend(name: str, start: int, end: int, text: str, named_day: bool) -> bool:
    """A count of acts or victims as the subject of a trend ("<country> murders fall for a third
    year", "attacks on shipping doubled", "journalists killed worldwide rose by a third"): a statistic
    over many acts, never one incident. A death toll that rises to a figure is an update, not this."""
    if named_day or name not in _COUNTED_ACTS or not _PLURAL_OR_PARTICIPLE.match(text[start:end]):
        return False
    moved = _TREND_AFTER.match(text[end:])
    # "rockets fell near the base", "shells dropped on": a munition's fall is its impact, not a trend
    return moved is not None and not _PLACE_AFTER.match(text, end + moved.end()) \
        and not re.search(r"(?i)\btoll\s*$", text[max(0, start - 12):start])


# acts and victims that statistics count (not munitions, whose fall is an impact)
_COUNTED_ACTS = frozenset(("attack", "kill", "injure", "abduct", "sexual", "clash"))
_PLACE_AFTER = re.compile(r"(?i)\s+(?:near|on|onto|in|into|at|inside|outside|close to|around)\b(?!\s+(?:\d|"
                          r"the (?:first|second|last)|"
                          r"recent|a row|number|total|count))")


# a span measured from a known act, article dropped: "ten years after jet was shot down", "<act> 20 years on"
_SPAN_BEFORE = re.compile(r"(?i)\b(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                          r"fifteen|twenty|"
                          r"thirty|fifty|a hundred|several|many)\s+(?:days|weeks|months|years|"
                          r"decades)\s+(?:after|since|on from)\s+"
                          r"(?:[\w’'-]+\s+){0,4}$")
_SPAN_ON = re.compile(r"(?i)^[^.;:!?]{0,60}?\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twenty|"
                      r"thirty|fifty)\s+"
                      r"(?:years|decades)\s+(?:on|later)\b")


def span_since(name: str, start: int, end: int, text: str, named_day: bool) -> bool:
    """An act that only marks the start of a span, its article dropped ("ten years after jet was
    shot down, families still wait", "<battle> remembered 20 years on"): a point in time, not news."""
    return bool(_SPAN_BEFORE.search(text[max(0, start - 60):start]) or _SPAN_ON.match(text[end:]))


# --- the headline's own news is not the act (GUIDE rule 9) -----------------------------------------
# A headline tells one piece of news with its verb. When that verb is a reaction, a ritual, a step of
# justice or inquiry, a cancellation, a market's move or a policy, the act it names in its object or
# in a phrase after it is the topic, not the news ("<leader> prays for victims of <act>", "<event>
# postponed after <act>", "police identify suspect in <act>"); so is an act that is the subject of
# such a verb in the passive ("<act> remembered", "<act> probed"), and every act of a headline labelled
# as a genre that comments ("Review:", "Explainer:", "Timeline:"). An act told with its toll ("...
# attack that killed 12") is still reported, and so is an act that is itself a verb ("gunmen attack").

_NEWS_PREDICATE = re.compile(
    r"(?i)\b(?:"
    # reaction and speech of leaders and the public (condemning and blaming are `coding_cue_reasons`'
    # reaction frame, which reads an act with its own scene after them as reported)
    r"pray(?:s|ed)? for|mourn(?:s|ed)?|(?:recall(?:s|ed)?|recount(?:s|ed)?|reliv(?:e|es|ed)) (?:fleeing|surviving|"
    r"escaping|hiding|losing|watching|seeing|the (?:day|night|morning|hours))|vow(?:s|ed)?|pledg(?:e|es|ed)|"
    r"urg(?:e|es|ed)|demand(?:s|ed)?|calls? for|thank(?:s|ed)?|defend(?:s|ed)?|welcom(?:e|es|ed)|"
    r"express(?:es|ed)? (?:solidarity|sympathy|condolences|shock)|visit(?:s|ed)?|meets?|met with|"
    r"(?:rall(?:y|ies|ied)|protest(?:s|ed)?|march(?:es|ed)?|demonstrat(?:e|es|ed)) against|"
    r"sends? condolences|"
    # ritual
    r"remember(?:s|ed|ing)?|honou?r(?:s|ed)?|commemorat(?:e|es|ed)|marks?|holds? (?:a )?(?:minute's |moment's )?"
    r"(?:silence|vigil|funeral|memorial|service|prayers?)|pays? tributes?|tributes? (?:to|for)|farewell to|"
    r"laid to rest|buried|funeral (?:of|for)|(?:observ|keep)(?:e|es|ed|s)? (?:a )?(?:minute's |moment's )?silence|"
    # justice and inquiry
    r"identif(?:y|ies|ied)|names? (?:suspect|gunman|attacker|bomber)|rul(?:e|es|ed) (?:that )?|inquest|"
    r"inquiry|probe|testif(?:y|ies|ied)|trial|jail(?:s|ed)|sentenc(?:e|es|ed)|convict(?:s|ed)|acquit(?:s|ted)|"
    r"plead(?:s|ed)?|upholds?|appeals?|evidence points|"
    # an event called off, a policy answered
    r"cancell?(?:ed|s)|canceled|postpon(?:e|es|ed)|called off|calls? off|rescheduled|rerouted|reroutes?|"
    r"diverted|relocated|moved to|scrapped|suspend(?:s|ed)|sanctions?|bans?|proscrib(?:e|es|ed)|"
    r"told to|ordered to|"
    # markets
    r"shares|stocks|markets?|prices?|bookings|premiums|insurers|traders|investors)\b")
# the act as the subject of such a verb in the passive: "<act> remembered", "<act> probed"
_PASSIVE_AFTER = re.compile(
    r"(?i)^\s+(?:(?:victims?|survivors?|suspects?)\s+)?(?:remembered|recalled|commemorated|marked|mourned|honou?red|"
    r"probed|investigated|condemned|revisited|retold)\b")
# a label of a genre that comments on news ("Review:", "Opinion:", "Game review -")
_GENRE_LABEL = re.compile(
    r"(?i)^\W*(?:[\w’'-]+\s+){0,2}?(?:review|explainer|analysis|opinion|comment|column|editorial|timeline|"
    r"fact ?check|obituary|interview|letter|essay|explained|in pictures|what we know)\s*(?::|\||\s[-–—])\s")
# between the verb and the act, the same clause: no comma, semicolon, colon or new verb of its own
_CLAUSE_BREAK = re.compile(r"[,;:]|\b(?:as|while|and|but)\b")
# a participle that names a person by what befell them ("fans killed in", "a teacher shot at"), not a
# toll: no auxiliary and no count right before it
_REDUCED_RELATIVE = re.compile(r"(?i)(?<!\bwere)(?<!\bwas)(?<!\bbeen)(?<!\bare)(?<!\bis)(?<!\bbe)(?<!\d)"
                               r"(?<!\bmore)(?<!\bdozens)(?<!\bscores)(?<!\bhundreds)\s+$")


def topic_of_news(name: str, start: int, end: int, text: str, named_day: bool) -> bool:
    """An act a headline names as the topic of its news, not as its news: after a verb of reaction,
    ritual, justice, cancellation, markets or policy in its clause, as the subject of such a verb in
    the passive, or in a headline labelled as commentary (see the block comment above)."""
    if not is_headline(text) or _TOLD_AFTER.match(text[end:]):
        return False
    if _GENRE_LABEL.match(text) or _PASSIVE_AFTER.match(text[end:]):
        return True
    if named_day:
        return False  # "villagers bury 12 people killed by gunmen on Sunday": the act has its own day, told
    word = text[start:end]
    if _VERB_PLURAL.search(word) and verb_report(text, start, end):
        return False  # "<leader>'s forces strike <town>": the act is the headline's verb
    if word.lower().endswith("ed") and not _REDUCED_RELATIVE.search(text[:start]):
        return False  # "... as 12 killed in <place>": a toll told, not a person named by it
    for found in _NEWS_PREDICATE.finditer(text, 0, start):
        if not _CLAUSE_BREAK.search(text[found.end():start]):
            return True
    return False


# an obituary's headline: a person named by the act that killed them, then the verb of their life
# ("<role> killed in <act> was a tireless <role>", "<role> killed covering <war> dies aged 38")
_PERSON_PAST = re.compile(
    r"(?i)^\W*(?:[\w’'.-]+\s+){1,5}?(?:killed|slain|shot dead|murdered)\s+(?:in|by|at|during|while|when|covering|on|"
    r"near|for)\b[^,;:]{0,60}?\s+(?:was|is|were|dies|died aged|remembered|mourned|buried|honou?red|laid to rest|"
    r"devoted|had|was due|gets|awarded|named)\b")


def person_past(name: str, start: int, end: int, text: str, named_day: bool) -> bool:
    """Every act of a headline that names a person by the act that killed them, then tells their life
    ("<role> killed by <group> was a mediator"): an obituary, the act a reference."""
    return is_headline(text) and bool(_PERSON_PAST.match(text))


@dataclass(frozen=True, slots=True)
class HeadlineFrame:
    """One frame of headline grammar: its reason id, its role rule (`coding_rules`) and its test."""

    id: str
    role: str
    test: Callable[[str, int, int, str, bool], bool]


HEADLINE_REFERENCES: tuple[HeadlineFrame, ...] = (
    HeadlineFrame("headline:pursuit", "ROLE-reference-pursuit", pursuit_bare),
    HeadlineFrame("headline:answer", "ROLE-reference-answer", answer_over),
    HeadlineFrame("headline:since", "ROLE-reference-since", span_since),
    HeadlineFrame("headline:person", "ROLE-reference-person", person_past),
    HeadlineFrame("headline:topic", "ROLE-reference-topic", topic_of_news),
)
HEADLINE_VOIDS: tuple[HeadlineFrame, ...] = (
    HeadlineFrame("headline:trend", "ROLE-aggregate-trend", trend),
)
HEADLINE_ROLES = {frame.id: frame.role for frame in HEADLINE_REFERENCES + HEADLINE_VOIDS}


def _first(frames: tuple[HeadlineFrame, ...], name: str, start: int, end: int, text: str,
           named_day: bool) -> str | None:
    if name not in _ACTS:
        return None
    return next((f.id for f in frames if f.test(name, start, end, text, named_day)), None)


def headline_reference(name: str, start: int, end: int, text: str, named_day: bool) -> str | None:
    """The reason id of the first reference frame of headline grammar around one cue, or None."""
    return _first(HEADLINE_REFERENCES, name, start, end, text, named_day)


def headline_void(name: str, start: int, end: int, text: str, named_day: bool) -> str | None:
    """The reason id of the first tally frame of headline grammar around one cue, or None."""
    return _first(HEADLINE_VOIDS, name, start, end, text, named_day)
