"""ACLED's event taxonomy, in ACLED's exact spelling, so output joins ACLED exports.

In: nothing. Out: `SUB_EVENT_TYPES` (sub-event type -> event type) and the groupings the
coder, the merger and the trend queries share.
"""

from __future__ import annotations

SUB_EVENT_TYPES: dict[str, str] = {
    "Government regains territory": "Battles",
    "Non-state actor overtakes territory": "Battles",
    "Armed clash": "Battles",
    "Excessive force against protesters": "Protests",
    "Protest with intervention": "Protests",
    "Peaceful protest": "Protests",
    "Violent demonstration": "Riots",
    "Mob violence": "Riots",
    "Chemical weapon": "Explosions/Remote violence",
    "Air/drone strike": "Explosions/Remote violence",
    "Suicide bomb": "Explosions/Remote violence",
    "Shelling/artillery/missile attack": "Explosions/Remote violence",
    "Remote explosive/landmine/IED": "Explosions/Remote violence",
    "Grenade": "Explosions/Remote violence",
    "Sexual violence": "Violence against civilians",
    "Attack": "Violence against civilians",
    "Abduction/forced disappearance": "Violence against civilians",
    "Agreement": "Strategic developments",
    "Arrests": "Strategic developments",
    "Change to group/activity": "Strategic developments",
    "Disrupted weapons use": "Strategic developments",
    "Headquarters or base established": "Strategic developments",
    "Looting/property destruction": "Strategic developments",
    "Non-violent transfer of territory": "Strategic developments",
    "Other": "Strategic developments",
}

EVENT_TYPES: tuple[str, ...] = tuple(dict.fromkeys(SUB_EVENT_TYPES.values()))

POLITICAL_VIOLENCE: frozenset[str] = frozenset(
    {"Battles", "Explosions/Remote violence", "Violence against civilians"}
)
"""Event types counted as attacks; plus the sub-event type `DISRUPTED` (an intercepted attack)."""

DISRUPTED = "Disrupted weapons use"


def is_attack(event_type: str, sub_event_type: str) -> bool:
    """True for the incidents the attack counts include (political violence and intercepted attacks)."""
    return event_type in POLITICAL_VIOLENCE or sub_event_type == DISRUPTED
