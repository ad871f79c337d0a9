"""Grouping the sentences of one document into incidents (ACLED: one type, one place, one day).

In: the `Read`s of a document in order (`coding_reads`) and the story's countries.
Out: `group_sentences(...)` -> `Group`s; `disaggregate(...)` joins typed groups that turn out to
be the same type at the same place on the same day, and folds a launch told without impact into
the interception the same story reports (ACLED codes the two as one Disrupted weapons use).

A sentence joins the incident being told unless it names another day, another region or
country of the story, another town after "in another attack", or another family of event with
a specific word (an interception after an attack, a protest after a bombing). Echoes ("the
attack", "the rockets") never open an incident when one is being told.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from typing import Any

from extractors.coding_headlines import np_report, verb_report
from extractors.coding_reads import TALLY_REASONS, Read, placed_in
from extractors.coding_sense_crowd import PEOPLE
from extractors.coding_types import classify
from extractors.dates import DateHit
from extractors.lexicon import get_lexicon

_PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}


@dataclass(slots=True)
class Group:
    """The sentences that report one incident, and what they settle between them."""

    family: str
    members: list[Read] = field(default_factory=list)
    date: DateHit | None = None
    date_inherited: bool = False
    location: Any | None = None
    scene: str = ""  # the town a round-up's sentence opened this incident in (`_new_scene`)
    why: list[str] = field(default_factory=list)  # DET- rules that opened it besides its cues (`coding_rules`)

    @property
    def lead(self) -> Read:
        return self.members[0]


def specific_place(location: Any | None) -> bool:
    return location is not None and location.place is not None and location.place.kind != "country"


def _place_conflict(group: Group, location: Any | None, countries: tuple[str, ...]) -> bool:
    """True when `location` names a place in another country or region than the group's.

    Only a named sub-national place in one of the story's main countries can say so: a
    demonym ("Syrian mercenaries") or a namesake far away is not a second scene.
    """
    if location is None or group.location is None or not specific_place(location):
        return False
    if countries and location.iso3 not in countries[:3]:
        return False
    if not specific_place(group.location):
        return False  # "rockets hit bases in Iraq and Syria" then "four fell near Ain al-Asad": detail
    old = group.location
    if location.location and any(
            (r.location is not None and r.location.location and _same_name(r.location.location, location.location))
            or location.location.lower() in r.sentence.text.lower() for r in group.members):
        # the same name again (a village spelled two ways in one story, "<name>-e" then "<name>-ie"): one place
        return False
    if location.iso3 and old.iso3 and location.iso3 != old.iso3:
        return True
    return bool(location.admin1 and old.admin1 and location.admin1 != old.admin1)


def _same_name(a: str, b: str) -> bool:
    """Two spellings of one name ("Vodyane" / "Vodiane", "Deir ez-Zor" / "Deir Ezzor")."""
    x, y = re.sub(r"[^a-z]", "", a.lower()), re.sub(r"[^a-z]", "", b.lower())
    return x == y or difflib.SequenceMatcher(None, x, y).ratio() >= 0.8


def _other_town(group: Group, location: Any | None) -> bool:
    """True when `location` is a town or site other than the one the group names."""
    if location is None or group.location is None or not specific_place(location):
        return False
    return bool(location.location and group.location.location and location.location != group.location.location)


_KIND_RANK = {"site": 0, "city": 1, "water": 1, "admin2": 2, "admin1": 3, "country": 4}


def _specificity(location: Any) -> tuple[int, int]:
    kind = location.place.kind if location.place is not None else "country"
    return _KIND_RANK.get(kind, 4), location.geo_precision or 3


def _refine(group: Group, read: Read) -> None:
    """Keep the most specific place the group's sentences name (a town over its region).

    A detail sentence may only sharpen the place within the same country and region: "the
    attack came after talks in Washington" does not move an attack in Syria to Washington.
    """
    location = read.location
    if location is None:
        return
    old = group.location
    if old is None:
        group.location = location
        return
    vague = old.place is None or old.place.kind == "country"
    if vague and _country_level(location) and location.iso3 and old.iso3 and location.iso3 != old.iso3 \
            and read.cues.strong and placed_in(read.sentence.text, location.location) \
            and not any(placed_in(r.sentence.text, old.location) for r in group.members if r is not read):
        # "<country> carries out strikes" (the actor) then "... strikes on two sites in eastern
        # Syria": the country the act is put in, not the one that acts
        group.location = location
        return
    if not read.cues.strong or (not vague and location.iso3 and old.iso3 and location.iso3 != old.iso3) or (
            location.admin1 and old.admin1 and location.admin1 != old.admin1):
        return
    if vague and location.iso3 and old.iso3 and location.iso3 != old.iso3 and any(
            placed_in(r.sentence.text, old.location) for r in group.members if r is not read):
        return  # "<country A> strikes site in <country B>" is not moved by "<country C> shelling of <place D>"
    if _specificity(location) < _specificity(old):
        group.location = location


def _country_level(location: Any) -> bool:
    return location.place is None or location.place.kind == "country"


def _bare(expression: str) -> str:
    return re.sub(r"(?i)^(?:on|in|last|this|early|late)\s+|\s+(?:morning|afternoon|evening|night)$", "",
                  expression).lower()


def _same_time(new: DateHit, old: DateHit) -> bool:
    """Whether a sentence's date can be the day of the incident being told.

    A coarser date only contradicts a day outside its span ("in January" against 16 July);
    "this week" does not contradict Tuesday.
    """
    if new.date is None and old.date is None:
        # unresolved (no publication date): "on Sunday" is not "on Monday", whatever the week
        return _bare(new.text) == _bare(old.text) or not new.text or not old.text
    if new.date is None or old.date is None:
        return True
    if new.precision == "day" and old.precision == "day":
        return new.date == old.date
    coarse = new if _PRECISION_RANK[new.precision] >= _PRECISION_RANK[old.precision] else old
    fine = old if coarse is new else new
    c, f = coarse.date, fine.date  # both set (checked above), named for the type checker
    if c is None or f is None:
        return True
    if coarse.precision == "week":
        return abs((c - f).days) <= 4
    if coarse.precision == "month":
        return (c.year, c.month) == (f.year, f.month)
    return c.year == f.year


def _opens_new(group: Group | None, read: Read, family: str, countries: tuple[str, ...]) -> bool:
    """Whether a sentence starts a new incident rather than adding detail to `group`."""
    if group is None or read.forced_new:
        return True
    if not read.cues.strong:
        return False
    if read.date is not None and group.date is not None and not _same_time(read.date, group.date):
        return True
    if _place_conflict(group, read.location, countries):
        return True
    if read.cues.context.get("separation") and _other_town(group, read.location):
        return True
    if _new_scene(group, read):
        return True
    if _answer_across_border(group, read, family, countries):
        return True
    if _adds_toll(read):
        return False  # its figures are the act's just told, whatever family its party words make it
    if family == "dwu" and group.family == "violence" and _ONE_MORE_DEVICE.search(read.sentence.text) \
            and not _ELSEWHERE.search(read.sentence.text):
        return False  # one more device of the attack being told that failed or was defused: the same attack
    return family != group.family and read.cues.specific


def _adds_toll(read: Read) -> bool:
    """Whether a sentence only adds figures of dead or wounded to the act told before it: it has a
    toll, no date of its own, and no word of an act but the outcomes ("killed", "injured") and
    nouns of people ("Four passengers were killed, according to a member of <a vigilante group>",
    "no one was killed and local vigilantes were searching the area")."""
    toll = read.toll
    if read.date is not None or (toll.fatalities is None and toll.injuries is None):
        return False
    return all(c.weak or c.name in _OUTCOMES or PEOPLE.match(c.text) for c in read.cues.events)


# a device told as one more of an attack's ("another bomb", "a third device", "a second suicide vest")
_ONE_MORE_DEVICE = re.compile(
    r"(?i)\b(?:another|one more|a (?:second|third|fourth|further)|an (?:additional|other)|the (?:other|second|third))"
    r"\s+(?:[\w-]+\s+){0,2}?(?:bombs?|devices?|IEDs?|explosives?|vests?|belts?|grenades?|mines?)\b")
# a distance or another site: the device was elsewhere, its own incident ("found blocks away")
_ELSEWHERE = re.compile(r"(?i)\b(?:away|elsewhere|blocks?|miles?|kilomet\w+|km|different|another "
                        r"(?:location|site|street|area|part|district|neighbou?rhood|town|village))\b")


_REMOTE = frozenset(("Air/drone strike", "Shelling/artillery/missile attack"))
# the town a round-up puts an act in: "In the southern town of <X>, a bomb ...", "in nearby
# <Y> district", "In <capital>, meanwhile, ..."
_SCENE = re.compile(r"(?:\b(?:[Tt]own|[Cc]ity|[Vv]illage|[Dd]istrict|[Nn]eighbou?rhoods?) of|\b[Ii]n neighbou?ring|^In)"
                    r" ([A-Z][\w'-]+(?: [A-Z][\w'-]+)?)\b(?!')")
_NOT_PLACES = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "the", "a", "an", "its", "his", "her", "their", "this", "that", "one", "another",
    "addition", "response", "total"})


def _new_scene(group: Group | None, read: Read) -> str:
    """A round-up's next scene: a sentence telling an act (not only its victims), in a town the incident
    told so far does not name, with victims of its own when that incident already has its own
    other figures ("... killed 30 in the town of <A>." then "In the northern town of <B>, a roadside
    bomb hit a police convoy, killing two officers"). A place alone is not enough (a
    detail sentence names the street), nor the same figures again (the same act told closer), nor
    after a lede that only sums up ("A wave of attacks killed 107"). Returns the town, or ""."""
    toll = read.toll
    if group is None or not any(r.cues.specific for r in group.members) or not (toll.fatalities or toll.injuries) \
            or not any(not c.weak and c.name not in ("kill", "injure") for c in read.cues.events):
        return ""
    told = [(r.toll.fatalities, r.toll.injuries) for r in group.members if r.toll.fatalities or r.toll.injuries]
    if not told or (toll.fatalities, toll.injuries) in told:
        return ""
    scene = _SCENE.search(read.sentence.text)
    if scene is None or scene.group(1).split()[0].lower() in _NOT_PLACES:
        return ""
    name = scene.group(1).lower()
    return "" if any(name in r.sentence.text.lower() for r in group.members) else name


def _answer_across_border(group: Group, read: Read, family: str, countries: tuple[str, ...]) -> bool:
    """A remote strike of another kind into another country of the story opens its own incident,
    even when that country is all the sentence names: "an Israeli drone strike in Lebanon ...
    Hezbollah fired rockets at a base in Israel" is two incidents, not one."""
    new, old = read.location, group.location
    if not read.cues.specific or new is None or old is None or not new.iso3 or not old.iso3:
        return False
    if group.date is None or group.date.precision != "day":
        return False  # only the answer to an incident told to the day, not to a campaign's span
    if new.iso3 == old.iso3 or (countries and new.iso3 not in countries[:3]):
        return False
    lex = get_lexicon()
    kind = classify([(read.sentence.text, read.cues)], family, lex)[0]
    told = classify([(r.sentence.text, r.cues) for r in group.members], group.family, lex)[0]
    return kind in _REMOTE and told in _REMOTE and kind != told


def _headline_report(read: Read) -> str | None:
    """The DET- rule by which a document's opening headline reports an act its echo word alone would
    not: a noun phrase of fighting at a named place ("Fierce clashes in <town>",
    `coding_headlines.np_report`), or a plural that is the headline's verb ("<force> shells <town>",
    `coding_headlines.verb_report`); None otherwise."""
    if read.index != 0:
        return None
    cues = [c for c in read.cues.events if not c.ref]
    if any(np_report(read.sentence.text, c.start, c.end) for c in cues):
        return "DET-headline-np"
    if any(verb_report(read.sentence.text, c.start, c.end) for c in cues):
        return "DET-headline-verb"
    return None


def _reported_echo(read: Read) -> bool:
    """Whether a sentence that only echoes an incident ("the 1994 bombing that killed 85")
    still reports one: it gives a toll, and a date unless it is about a trial, or it gives a
    date and a named place, or a day ("video of an airstrike on a depot in Syria on Nov. 8").
    A toll in a sentence whose acts were voided as a tally belongs to the tally ("hit in four
    further raids on outposts in two countries, wounding two")."""
    if any(reason in TALLY_REASONS for _, reason in read.cues.dropped):
        return False
    toll = bool(read.toll.fatalities) or bool(read.toll.injuries)
    dated = read.date is not None and read.date.date is not None
    legal = bool(read.cues.context.get("legal"))
    # a trial's day is not the act's
    day = dated and read.date is not None and read.date.precision == "day" and not legal
    return (toll and (dated or not legal)) or (dated and specific_place(read.location)) or day


_OUTCOMES = frozenset(("kill", "injure"))


def _named_only(read: Read) -> bool:
    """Whether a sentence only names an act as a reference ("after the bombing"): every cue is a
    reference, or the rest are echoed figures of dead or wounded ("criticism of the raid that left
    four dead"), which are the toll of the act referred to, not a new act; unless the sentence gives
    the act a day of its own (an anchor of a report)."""
    events = read.cues.events
    if all(c.ref for c in events):
        return True
    day = read.date is not None and read.date.date is not None and read.date.precision == "day"
    return not day and any(c.ref for c in events) and all(c.ref or (c.weak and c.name in _OUTCOMES) for c in events)


def group_sentences(reads: list[Read], countries: tuple[str, ...]) -> list[Group]:
    groups: list[Group] = []
    for read in reads:
        family = read.cues.family or "violence"
        current = groups[-1] if groups else None
        if read.detail:
            # a figures-only sentence completes the incident told just before it
            if current is not None and read.index - current.members[-1].index <= 1:
                current.members.append(read)
            continue
        if current is None or _opens_new(current, read, family, countries):
            headline = _headline_report(read) if current is None and not read.cues.strong else None
            if current is None and not read.cues.strong and not _reported_echo(read) and not headline:
                continue  # an echo ("the attacks", "Israel's missiles") with nothing to echo
            if _named_only(read):
                continue  # an act named only as a reference ("after the bombing") opens no incident
            group = Group(family, scene=_new_scene(current, read), why=[headline] if headline else [])
            if read.date is not None and (read.date.date is not None or read.date.text):
                group.date = read.date
            elif current is not None and current.date is not None:
                group.date, group.date_inherited = current.date, True
            groups.append(group)
            current = group
        elif read.date is not None and read.date.date is not None and (
                current.date is None or (current.date_inherited and current.date.precision != "day")):
            current.date, current.date_inherited = read.date, False
        current.members.append(read)
        _refine(current, read)
    return groups


# one act told in two named towns or cities: "seized hostages in the towns of <A> and <B>" (ACLED: one event
# per place). Not villages: neighbouring villages of one area are one scene in ACLED's notes.
_TWO_PLACES = re.compile(r"\bin\s+the\s+(?:[\w-]+\s+){0,2}?(?i:towns|cities)\s+of\s+"
                         r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?\s+and\s+[A-Z][\w'’-]+")


def two_places(text: str) -> bool:
    """Whether a sentence tells its act in two named towns or cities ("in the towns of <A> and <B>")."""
    return bool(_TWO_PLACES.search(text))


def _same_scene(a: Group, b: Group) -> bool:
    """Same day (or no day) and no two different places: one ACLED event.

    Places differ when their countries or regions differ, or when both name a town or site
    and not the same one ("Taiz" and "Taiz governorate" are one place; "Djibo" and "Arbinda" two).
    """
    day_a = a.date.date if a.date is not None else None
    day_b = b.date.date if b.date is not None else None
    if day_a != day_b:
        return False
    x, y = a.location, b.location
    if x is None or y is None:
        return True
    if x.iso3 and y.iso3 and x.iso3 != y.iso3:
        return False
    if x.admin1 and y.admin1 and x.admin1 != y.admin1:
        return False
    return not (specific_place(x) and specific_place(y) and x.location != y.location
                and x.place.kind in ("city", "site") and y.place.kind in ("city", "site"))


def disaggregate(typed: list[tuple[Group, str]]) -> list[tuple[Group, str]]:
    """ACLED's unit: one type at one place on one day. Groups that share all three are joined
    ("A second attack in that district killed 3 guards" adds to the first)."""
    out: list[tuple[Group, str]] = []
    for group, sub_event_type in typed:
        for kept, kept_type in out:
            if kept_type == sub_event_type and _same_scene(kept, group) and not _other_scene(kept, group):
                kept.members.extend(group.members)
                if kept.location is None:
                    kept.location = group.location
                for read in group.members:
                    read.toll = replace(read.toll, additive=True)  # "in another attack": its victims add
                break
        else:
            out.append((group, sub_event_type))
    return _intercepted(out)


def _other_scene(kept: Group, group: Group) -> bool:
    """A round-up's scene the incident kept does not name: another town, even one not placed."""
    return any(g.scene and not any(g.scene in r.sentence.text.lower() for r in h.members)
               for g, h in ((group, kept), (kept, group)))


_LAUNCHED = frozenset(("Air/drone strike", "Shelling/artillery/missile attack"))
_IMPACT = re.compile(r"(?i)\b(?:hit|hits|struck|attacked|strikes? (?:on|at)|landed|impact\w*|exploded|damag\w+|"
                     r"destroy\w*|killed|killing|kills|wounded|wounding|injur\w+|casualt\w+)\b")


def _strong(location: Any | None) -> bool:
    return location is not None and getattr(location, "strong", True)


def _intercepted(typed: list[tuple[Group, str]]) -> list[tuple[Group, str]]:
    """A launch the same story says was intercepted is the interception (ACLED: an attack stopped
    before impact is Disrupted weapons use): "Houthis say they fired missiles towards Israel" then
    "a missile was intercepted near Eilat" is one incident. A launch told with any impact (a hit,
    damage, victims), in its own words or the interception's ("one was intercepted; another hit a
    house"), stays its own incident."""
    stops = [group for group, kind in typed if kind == "Disrupted weapons use"]
    if not stops:
        return typed
    out = []
    for group, kind in typed:
        # an interception with no day, or placed only by whose defences stopped it ("it was
        # intercepted by Saudi air defences"), is the launch's: it takes the launch's day and place
        stop = next((g for g in stops if _same_scene(g, group) or _same_scene(Group(
            g.family, date=g.date or group.date, location=g.location if _strong(g.location) else None), group)),
            None) if kind in _LAUNCHED else None
        if stop is not None and not any(r.toll.fatalities or r.toll.injuries or _IMPACT.search(r.sentence.text)
                                        for r in group.members + stop.members):
            stop.members.extend(group.members)
            if stop.date is None:
                stop.date, stop.date_inherited = group.date, group.date_inherited
            if not _strong(stop.location):
                stop.location = group.location
            continue
        out.append((group, kind))
    return out


