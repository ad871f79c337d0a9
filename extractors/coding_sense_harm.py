"""Sense rules for harm that ACLED does not code as political violence.

In: one cue in its sentence (`coding_sense_ctx.Ctx`). Out: True when the rule voids the cue: a
natural or abstract cause, a collision, a labour strike or a work stoppage, a blast at a plant, a
search by police, a theft, a fight against a fire or a disease, a space launch, a plain death, a
crime named as a charge, harassment. `coding_sense.RULES` orders them with the other sense rules.
"""

from __future__ import annotations

import re

from extractors.coding_sense_ctx import Ctx, _cls, harm

_NATURAL_FIRE = re.compile(r"(?i)\b(?:a|the|house|building|apartment|forest|bush|huge|massive|deadly|major|"
                           r"kitchen|factory|electrical)\s+fires?\b(?!\s+(?:on|at)\b)")


def _natural(text: str) -> bool:
    return bool(_cls("natural_cause").search(re.sub(r"(?i)\bfires?\b", " ", text)) or _NATURAL_FIRE.search(text))


def natural_cause(ctx: Ctx) -> bool:
    """Death or damage whose subject is a natural or abstract cause ("a hurricane struck the
    coast", "warming is killing people", "a fire in the block killed five"), with no attack,
    arson or armed party named."""
    if ctx.name not in ("kill", "injure", "strike", "explosion", "shelling") or ctx.has(_cls("arson")):
        return False
    by = re.match(r"(?i)^\s+(?:by|in|from|of)\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,2}?", ctx.after)
    subject = ctx.before
    if re.search(r"(?:,|\band|\bor|\bthat|\bwhich)\s+$", subject):
        # a coordinated verb keeps the subject of the first ("warming is sickening, injuring and
        # killing people"), a relative clause its antecedent ("a blaze that killed two")
        subject = ctx.preceding(80)
    return _natural(subject) or bool(by and _natural(ctx.after[by.end():by.end() + 40]))


_VEHICLE_HIT = re.compile(r"(?i)\b(?:hit|hits|struck|strikes|ran over|runs over|slammed into|smashed into|crashed into|"
                          r"plunged|plunges|veered|skidded|overturned|capsized|capsizes|sank|ran aground|careered|"
                          r"collided)\b")


def collision(ctx: Ctx) -> bool:
    """A vehicle that hits something or someone ("a van struck a cyclist", "hit by a car"): an
    accident, unless a weapon or an attack is named."""
    if ctx.name not in ("strike", "kill", "injure") or ctx.has(_cls("arson")):
        return False
    if ctx.name == "strike":
        if not re.match(r"(?i)^(?:struck|strikes)$", ctx.word) or re.search(r"(?i)\b(?:a|an|the|on)\s+$", ctx.before):
            return False  # a noun ("went on strike") is no collision
        return bool(_cls("vehicle").search(ctx.before)
                    or re.match(r"(?i)^\s+by\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,2}?", ctx.after)
                    and _cls("vehicle").search(ctx.after[:40]))
    # the vehicle is the subject of the hit, however long its phrase ("a train carrying dozens of
    # passengers to a rally in the north struck a lorry")
    # (the class's source is searched with the class's own flag: "Bus plunges" is a vehicle too)
    return any(re.search(_cls("vehicle").pattern + r"[^.;:]{0,90}$", ctx.text[max(0, m.start() - 100):m.start()],
                         re.IGNORECASE)
               for m in _VEHICLE_HIT.finditer(ctx.text))


def mishap(ctx: Ctx) -> bool:
    """Deaths or wounds whose cause is a crush, a collapse, a crash or a capsizing ("a crowd crush
    kills 150", "died in a stampede"): an accident, unless an attack, a bomb or an armed party is named."""
    if ctx.name not in ("kill", "injure") or ctx.has(_cls("arson")):
        return False
    # the cause after the act: "died in a tunnel collapse" (its noun phrase: up to three words)
    cause = re.match(r"(?i)^\s+(?:\w+\s+){0,3}?(?:in|by|from|after|during)\s+(?:an?\s+|"
                     r"the\s+)?((?:[\w-]+\s+){0,2}[\w-]+)",
                     ctx.after)
    return bool(re.search(_cls("mishap").pattern + r"\s+(?:\w+\s+)?$", ctx.before, re.IGNORECASE)
                or (cause and _cls("mishap").search(cause.group(1))))


def accidental(ctx: Ctx) -> bool:
    """A shot fired or a wound caused by accident ("shot in the leg in a prop gun accident", "a
    hunting rifle misfired"): no political violence, unless an armed party or an attack is named."""
    if ctx.name not in ("attack", "kill", "injure"):
        return False
    cues = ctx.lex.cues
    if "nonstate_armed" in cues and ctx.has(cues["nonstate_armed"]):
        return False
    return ctx.has(_cls("accidental"))


_USED = re.compile(r"(?i)\b(?:fired (?:at|on|into|towards)|hit|hits|struck|strikes? on|kill\w*|wound\w*|"
                   r"injur\w*|landed|"
                   r"exploded|target\w*|attack\w*|damag\w*|destroy\w*|intercept\w*|shot down|downed)\b")


def weapon_shown(ctx: Ctx) -> bool:
    """A weapon shown, tested, made or traded, not used ("a parade showcases new missiles", "test-fires
    a missile into the sea", "buys drones"): no act, unless the sentence tells a use (fired at, hit, killed)."""
    # (the use is sought in the whole sentence: the cue itself may tell it, "drone hits a depot")
    return ctx.name in ("shelling", "air", "grenade", "ied", "chemical", "dwu") \
        and ctx.has(_cls("weapon_display")) and not _USED.search(ctx.text)


def labour_strike(ctx: Ctx) -> bool:
    """A bare "strike", "struck" or "striking" told of workers, pay or a walkout ("nurses are
    striking over pay", "rail workers struck for a second day"): a work stoppage, no air strike."""
    # (schools or hospitals named are where the work stops, not targets: no `harm` check here)
    if ctx.name != "strike" or ctx.has(_cls("search_harm")) or ctx.has(_cls("arson")):
        return False
    return bool(ctx.has(_cls("labour")))


def work_stoppage(ctx: Ctx) -> bool:
    """A strike told as a stoppage alone ("dockers went on strike", "a general strike shut the
    city"): people stayed away from work and did not gather, so ACLED codes no demonstration. A
    strike told with a gathering or a demonstration in the same sentence ("strikers massed at the
    gates", "went on strike and marched") is kept, and so is one whose strikers rioted, fought or hurt someone."""
    return (ctx.name == "protest" and "strike" in ctx.word.lower()
            and not _cls("gathering").search(ctx.text)
            and not any(n in ctx.lex.cues and ctx.has(ctx.lex.cues[n]) for n in _STRIKERS_ACT))


# strikers who riot, fight, loot, attack or hurt someone make a demonstration of their strike
_STRIKERS_ACT = ("riot", "mob", "clash", "attack", "kill", "injure", "loot")


def industrial_blast(ctx: Ctx) -> bool:
    """A blast at a plant, a gas line, fireworks or of a cause left unstated, or the deaths it
    caused: an accident, unless an attack, a bomb or an armed party is named."""
    if ctx.name not in ("explosion", "kill", "injure") or ctx.has(_cls("arson")):
        return False
    if ctx.name in ("kill", "injure") and not ctx.has(re.compile(r"(?i)\b(?:explo\w+|blasts?|blew up|went off|fires?|"
                                                                 r"blazes?)\b")):
        return False
    return bool(ctx.has(_cls("industrial")) or ctx.has(re.compile(
        r"(?i)\bcause (?:of (?:the )?(?:\w+ )?)?(?:is|was|remains|remained) (?:unknown|unclear|not known|not yet known|"
        r"under investigation|being investigated)|\bunexplained\b")))


def search(ctx: Ctx) -> bool:
    """A raid by police, agents or inspectors with nobody hurt ("immigration raids on
    workplaces", "police raided the offices"): a search, not an attack."""
    if not re.match(r"(?i)^raid", ctx.word) or ctx.has(_cls("search_harm")):
        return False
    return bool(_cls("enforcement").search(ctx.preceding(40))
                or re.match(r"(?i)^\s+(?:\w+\s+){0,6}?by\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?", ctx.after)
                and _cls("enforcement").search(ctx.after[:60]))


def property_crime(ctx: Ctx) -> bool:
    """A break-in or theft told with a word of attack ("burglars raided the shop") and nobody
    hurt: crime against property, not political violence."""
    if not re.match(r"(?i)^(?:raid|storm|target|attack|broke)", ctx.word) or ctx.has(_cls("search_harm")) \
            or harm(ctx):
        return False
    return bool(ctx.has(_cls("property_crime")))


def non_human_opponent(ctx: Ctx) -> bool:
    """A fight or a battle against a fire, a disease, the weather or a habit ("firefighters
    battled the blaze", "fought cancer for years"): not an armed clash, whatever harm is told."""
    if ctx.name != "clash" or not re.match(r"(?i)^(?:fight\w*|fought|battl\w+|combat\w*)$", ctx.word):
        return False
    head = re.match(r"(?i)^\s+(?:against\s+|back\s+|off\s+)?", ctx.after)
    return bool(head and _cls("non_human_opponent").match(ctx.after, head.end()))


def space_launch(ctx: Ctx) -> bool:
    """A rocket or a missile in space flight ("the rocket lifted off with two satellites"): a
    launch, not an attack, unless harm is told."""
    return ctx.name == "shelling" and bool(ctx.has(_cls("space"))) and not harm(ctx) and not \
        ctx.has(re.compile(r"(?i)\b(?:fired|struck|hit|landed|intercepted|attack\w*|target\w*|killed|wounded)\b"))


_DEATH = re.compile(r"(?i)^(?:died|dies|die|dead|deaths?|passed away)$")


def plain_death(ctx: Ctx) -> bool:
    """A death told of a person in a relative clause, with no act of violence and no other event
    word in the sentence ("an engineer who died in 2015"): a fact about the person, not an incident."""
    return bool(_DEATH.match(ctx.word) and re.search(r"(?i)\bwho\s+(?:later\s+|had\s+|has\s+|since\s+)?$", ctx.before)
                and not harm(ctx) and not ctx.has(ctx.lex.any_event))


_CHARGE_BEFORE = re.compile(r"(?i)\b(?:convicted|charged|accused|acquitted|guilty|suspected|arrested|sentenced|jailed|"
                            r"tried|indicted|counts?|charges?|convictions?)(?:\s+[\w’'-]+){0,4}?\s+(?:of|for|with)\s+"
                            r"(?:(?:attempted|first-degree|second-degree|aggravated|sexual|a|an)\s+)?$")
_CRIME_NOUN = re.compile(r"(?i)^(?:murders?|manslaughter|homicides?|assaults?|rape|kidnapping|abduction|terrorism|"
                         r"arson|sexual (?:assault|abuse|harassment))$")


def charge(ctx: Ctx) -> bool:
    """A crime named as a charge or a verdict ("convicted a man of murder", "charged with
    assault"): the legal category, not the act reported."""
    return bool(_CRIME_NOUN.match(ctx.word) and _CHARGE_BEFORE.search(ctx.preceding(70)))


def harassment(ctx: Ctx) -> bool:
    """Sexual harassment: ACLED's sexual violence is a physical act (rape, sexual assault)."""
    return ctx.name == "sexual" and "harass" in ctx.word.lower()
