"""The coder's rules, declared once: a short stable id and a one-line reason for each.

In: nothing. Out: `RULES` (id -> reason), `explain(ids)` (the reasons of a decision trail) and
`check(ids)` (raises on an id nobody declared). Every `Mention.why` is a tuple of ids from this
table, in the order the rules fired: detection (DET-), role (ROLE-), type (TYPE-), date (DATE-),
place (PLACE-). An id is never reused for another rule; a retired rule's id is deleted, not renamed.
"""

from __future__ import annotations

from collections.abc import Iterable

RULES: dict[str, str] = {
    # detection: why the coder saw an incident at all
    "DET-cue": "an event word the filters kept reports an act (an explosion, a strike, a clash, a killing)",
    "DET-echo": "only echo words (\"the attack\", bare plurals), kept because the sentence gives a toll, day or place",
    "DET-headline": "the document opens with a headline that names an act in the present tense (GUIDE rule 10)",
    "DET-headline-np": "a headline that is only a noun phrase of fighting at a named place or between two sides "
                       "(\"Fierce clashes in <town>\", \"Clashes between <A> and <B>\"): the day's fighting, "
                       "reported, though its word alone is an echo",
    "DET-headline-verb": "a headline whose plural act or weapon word is its verb between a named actor and an "
                         "object (\"<force> shells <town>\", \"<group> drone strikes ship\"): reported",
    "DET-two-acts": "one sentence ties two different acts (\"X after Y\"): read as two incidents",
    "DET-split-targets": "a remote strike on counted or listed targets: one incident per target",
    "DET-split-places": "one act told in two named towns (\"in the towns of <A> and <B>\"): one incident per town",
    # role: whether the mention counts
    "ROLE-primary": "the act is the story's news",
    "ROLE-background-dated": "an act dated clearly before the news the story reports",
    "ROLE-background-legal": "an act recalled in a sentence about a trial or charges",
    "ROLE-reference-after": "the act is only the cause or backdrop of what is told (\"after the bombing\", "
                            "\"in the wake of\", \"in response to\"): a reference, never counted",
    "ROLE-reference-reaction": "the act is only the object of a reaction (condemned, praised, mourned, "
                               "investigated, reacted to): a reference, never counted",
    "ROLE-reference-since": "the act only marks a point in time (\"since the attack\", \"days after the strike\")",
    "ROLE-reference-commemoration": "the act is recalled by a commemoration (an anniversary, a vigil, a memorial)",
    "ROLE-reference-recalled": "a past act recalled by a month, a season or a year only, with no toll (or by a "
                               "year with no place of its own): the backdrop of the news, a reference",
    "ROLE-reference-frame": "an act a story tells outside its news frame: undated, told only by echo words, or "
                            "borrowing another act's date, in a story whose headline and lede report no act or "
                            "a piece labelled as commentary: its topic, kept as a reference",
    "ROLE-reference-cause": "the act is the subject of a consequence (\"<act> raises tensions\", \"sparks a row\"): "
                            "named as the cause of the news, a reference",
    "ROLE-reference-label": "the act is the label a headline opens with (\"<place> shooting: what we know\") and "
                            "nothing after it tells the act: a reference",
    "ROLE-reference-judgement": "a known act is the subject of a judgement (\"the strike was illegal\"): a reference",
    "ROLE-reference-person": "the act names a person by their past (\"who survived a stabbing\", \"survivors of\"): "
                             "a reference",
    "ROLE-reference-pursuit": "a known act is what suspects are sought, arrested or tried for (\"arrested over the "
                              "bombing\"): a reference",
    "ROLE-reference-answer": "an act named as the cause of an institution's answer, article dropped (\"envoy "
                             "summoned over drone strike\", \"minister quits over raid\"): a reference",
    "ROLE-reference-topic": "a headline whose own news is a reaction, a ritual, a step of justice, a cancellation, "
                            "a market's move or a policy names the act as its topic (\"<leader> prays for victims "
                            "of <act>\", \"<event> postponed after <act>\", \"Review: ...\"): a reference",
    "ROLE-aggregate-trend": "a count of acts or victims as the subject of a trend (\"murders fall for a third "
                            "year\", \"attacks doubled\"): a statistic, never counted",
    "ROLE-aggregate-campaign": "a toll summed over a war, a crackdown or violence in general, no day named: a tally",
    "ROLE-aggregate-count": "a count of acts (\"dozens of strikes\", \"175 attacks\"): a tally, never counted",
    "ROLE-aggregate-period": "acts summed over a span of time or places (\"in three months\", \"across the country\")",
    "ROLE-aggregate-habit": "a habit or trend (\"continue to attack\", \"with impunity\"), not one act",
    "ROLE-aggregate-running": "the latest step of a running total (\"bringing the total to 90\")",
    # type: why this ACLED sub-event type
    "TYPE-disrupted": "an intercepted, defused or failed attack: Disrupted weapons use",
    "TYPE-explosive": "the explosive method named decides (chemical > suicide > IED > air/shelling/grenade)",
    "TYPE-ied-in-firefight": "an explosive device inside a firefight: Armed clash",
    "TYPE-heavy-with-small-arms": "artillery or grenades together with small-arms fire: Armed clash",
    "TYPE-territory": "territory taken or retaken",
    "TYPE-abduction": "an abduction with nobody killed",
    "TYPE-sexual": "sexual violence",
    "TYPE-clash": "clash words (fought, clashed, exchanged fire): Armed clash",
    "TYPE-looting": "property taken or destroyed, nobody hurt",
    "TYPE-armed-victims": "an attack whose victims are armed (soldiers, police, militants): Armed clash",
    "TYPE-civilian-victims": "an attack on civilians or unspecified victims: Attack",
    "TYPE-demonstration": "a demonstration, typed by who used force (mob, violent, excessive force, intervention)",
    "TYPE-strategic": "a strategic development (looting, arrests, agreement)",
    # date
    "DATE-own": "dated by a date expression that governs the act",
    "DATE-inherited": "no date of its own: the date of the incident told just before",
    "DATE-default": "undated: the day before publication, at week precision",
    "DATE-headline": "a headline's act: the publication day or the day before (GUIDE rule 10)",
    # place
    "PLACE-sentence": "placed where its own sentences put it",
    "PLACE-story": "no place of its own: the story's single strong place or country",
    "PLACE-abstain": "the place's country rests on weak evidence: left unplaced rather than misplaced",
}

_TYPE_REASONS = {
    "intercepted, defused or failed attack": "TYPE-disrupted",
    "explosive method named": "TYPE-explosive",
    "explosive device within a firefight": "TYPE-ied-in-firefight",
    "artillery or grenades together with small-arms fire": "TYPE-heavy-with-small-arms",
    "territory retaken": "TYPE-territory", "territory taken": "TYPE-territory",
    "abduction": "TYPE-abduction", "sexual violence": "TYPE-sexual", "clash words": "TYPE-clash",
    "property taken or destroyed, nobody hurt": "TYPE-looting", "armed victims": "TYPE-armed-victims",
    "civilian or unspecified victims": "TYPE-civilian-victims",
}


def type_rule(reason: str) -> str:
    """The TYPE- id of a reason `coding_types.classify` gives (demonstrations and strategic
    developments have one id each)."""
    if reason in _TYPE_REASONS:
        return _TYPE_REASONS[reason]
    return ("TYPE-strategic" if reason in ("property taken or destroyed", "arrests", "agreement")
            else "TYPE-demonstration")


def check(ids: Iterable[str]) -> tuple[str, ...]:
    """`ids` as a tuple; raises KeyError on an id the table does not declare."""
    out = tuple(ids)
    unknown = [i for i in out if i not in RULES]
    if unknown:
        raise KeyError(f"undeclared coding rule(s): {', '.join(unknown)}")
    return out


def explain(ids: Iterable[str]) -> list[str]:
    """"ID: reason" for each id of a decision trail (unknown ids are shown as unknown)."""
    return [f"{i}: {RULES.get(i, 'unknown rule')}" for i in ids]
