"""Words of a demonstration or a crowd that tell no demonstration and no mob: the rules of
`coding_sense` for the cues of the `DEMO` family (protest, riot, mob).

In: one demonstration cue in its sentence (`coding_sense_ctx.Ctx`). Out: four tests, each True when
the cue names no act of its own:
- `source`: a party noun in the source of what is told ("..., according to a member of <a
  vigilante group>", "a protest leader told reporters"): the party speaks, it does not act;
- `delegation`: the demonstrators as a party sent to talks ("a delegation of protesters met the
  governor"): a meeting, not a new demonstration;
- `forced_march`: "march" with people as its object ("marched the hostages into the forest"):
  captives moved by force, part of the act that took them, not a march of protest;
- `armed_roadblock`: a road blocked by an armed party ("gunmen blocked the highway"): a step of
  their attack, not a riot (ACLED's riots are by crowds).
"""

from __future__ import annotations

import re

from extractors.coding_sense_ctx import Ctx

# a noun of the people of a demonstration or a crowd (the cue itself), not a word of its act
PEOPLE = re.compile(r"(?i)^(?:[\w-]+\s+)?(?:mobs?|vigilantes?|protesters?|protestors?|demonstrators?|rioters?|"
                     r"marchers|strikers|crowds?)$")
# the source of a report, after the report: "..., according to <a party>", "..., said <a party>"
_ATTRIBUTION = re.compile(r"(?i),\s*(?:according to|said|says|told|quoting|citing)\s+(?P<np>[^.;:!?]{0,120})$")
# a party noun as the speaker: "<vigilante> leaders said", "a protest spokesman told reporters"
_SPEAKER_AFTER = re.compile(r"(?i)^\s+(?:[\w-]+\s+)?(?:leaders?|members?|commanders?|spokes(?:man|woman|person)|"
                            r"officials?|chiefs?|heads?|representatives?|organi[sz]ers?|sources?)\s*,?\s+"
                            r"(?:said|says|told|stated|claimed)\b")


def source(ctx: Ctx) -> bool:
    """A party noun of a demonstration or a crowd in the source of what is told: after the report
    ("Four were killed, according to a member of <a vigilante group>") with no act told between
    the attribution and the cue, or as the speaker ("a vigilante leader said")."""
    if not PEOPLE.match(ctx.word):
        return False
    if _SPEAKER_AFTER.match(ctx.after):
        return True
    found = _ATTRIBUTION.search(ctx.preceding(160))
    if found is None:
        return False
    opened = ctx.start - len(found.group("np"))
    return not any(opened <= c.start < ctx.start for c in ctx.cues)


_DELEGATES = re.compile(r"(?i)\b(?:delegations?|delegates|representatives?|envoys?|emissaries|negotiators)\s+"
                        r"(?:of|for|from)\s+(?:the\s+|some\s+)?(?:[\w-]+\s+)?$")


def delegation(ctx: Ctx) -> bool:
    """The demonstrators as a party sent to talks ("a delegation of protesters met the deputy
    governor", "representatives of the strikers"): no demonstration is told by these words."""
    return bool(PEOPLE.match(ctx.word)) and bool(_DELEGATES.search(ctx.preceding(60)))


_HUMAN_OBJECT = re.compile(
    r"(?i)\s+(?:them|him|her|us|(?:the|their|his|its|some|all|dozens of|hundreds of|at least|about|[\d,]+|"
    r"two|three|four|five|six|seven|eight|nine|ten)\s+(?:[\w-]+\s+){0,2}?(?:passengers|hostages|captives|"
    r"prisoners|victims|villagers|men|women|children|students|pupils|workers|travell?ers|residents|detainees|"
    r"people|abductees|girls|boys|farmers|miners|civilians|soldiers|captured))\b")


def forced_march(ctx: Ctx) -> bool:
    """"march" with people as its object ("marched the passengers into the forest", "marched them
    away"): captives moved by force, not a march of protest."""
    return ctx.word[:5].lower() == "march" and bool(_HUMAN_OBJECT.match(ctx.text, ctx.end))


def armed_roadblock(ctx: Ctx) -> bool:
    """A road blocked by an armed party named as the subject of its clause and no crowd there
    ("gunmen blocked the highway and ..."): a step of their attack, not a riot."""
    if not ctx.word.lower().startswith("block"):
        return False
    cues = ctx.lex.cues
    subject = ctx.before
    armed = any(name in cues and cues[name].search(subject) for name in ("nonstate_armed", "armed_party"))
    crowd = any(name in cues and cues[name].search(subject) for name in ("rioter_party", "crowd_party"))
    return armed and not crowd
