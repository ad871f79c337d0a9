"""Frames that name an act without reporting it (extractors/coding_frames.py and the frames of
extractors/coding_cue_reasons.py), and the wire-style headlines that must stay reports (GUIDE rules 2, 3,
9 and 10).

Every sentence here is written for these tests; none comes from an evaluation set. Each rule is
tested on several wordings and beside near misses that must still be counted.
"""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.coding_frames import FRAME_ROLES
from extractors.coding_rules import RULES
from extractors.incidents import code_incidents
from extractors.records import COUNTED_ROLES

PUB = dt.datetime(2025, 3, 12, 8, 0, tzinfo=dt.UTC)  # a Wednesday morning
VIOLENT = ("Battles", "Explosions/Remote violence", "Violence against civilians")


def code(text: str):
    return code_incidents(text, article_id="doc", published_at=PUB)


def counted(text: str):
    return [m for m in code(text) if m.role in COUNTED_ROLES and m.event_type in VIOLENT]


def test_every_frame_role_is_declared() -> None:
    assert FRAME_ROLES and all(role in RULES for role in FRAME_ROLES.values())


@pytest.mark.parametrize("text, rule", [
    # an act as the subject of a consequence: the cause of the news
    ("A car bombing in the port city raises fears of a new insurgency", "ROLE-reference-cause"),
    ("Embassy raid sparks a diplomatic row between the neighbours", "ROLE-reference-cause"),
    ("Shooting at a college reignites the gun law debate", "ROLE-reference-cause"),
    ("An attack on a temple sets the stage for a fight over security spending", "ROLE-reference-cause"),
    ("Opinion: the raid on the camp exposes the limits of the truce", "ROLE-reference-cause"),
    ("Ambush casts a long shadow over the peace talks", "ROLE-reference-cause"),
    # a story's label, and nothing after it tells the act
    ("Harbour bombing: what we know so far", "ROLE-reference-label"),
    ("Attack on a judge: police release a sketch of the suspect", "ROLE-reference-label"),
    # a judgement about a known act
    ("Lawyers say the airstrike was unlawful under the laws of war.", "ROLE-reference-judgement"),
    ("The minister said the bombing was an act of terrorism.", "ROLE-reference-judgement"),
    # a person named by their past
    ("A poet who survived a stabbing publishes her first novel", "ROLE-reference-person"),
    ("The colonel who masterminded the bombing campaign has died aged 91", "ROLE-reference-person"),
    # blame for a known act
    ("Opposition parties blamed the interior ministry for the massacre.", "ROLE-reference-reaction"),
    # what suspects are sought, held or tried for
    ("Police detain a teenager over last month's stabbing", "ROLE-reference-pursuit"),
    ("Two brothers charged in connection with the bombing", "ROLE-reference-pursuit"),
])
def test_an_act_framed_as_cause_label_judgement_past_or_pursuit_is_a_reference(text: str, rule: str) -> None:
    mentions = code(text)
    assert not counted(text), [(m.role, m.sub_event_type, m.why) for m in mentions]
    assert any(m.role == "reference" and rule in m.why for m in mentions), [(m.role, m.why) for m in mentions]


@pytest.mark.parametrize("text", [
    # a bare act after a frame of cause in a headline, with no place, day or toll: the backdrop
    "Prime minister vows justice after deadly bombing",
    "Airlines cancel flights after missile strike",
    "Markets slide after drone attack",
])
def test_a_bare_act_after_a_frame_of_cause_with_no_scene_is_a_reference(text: str) -> None:
    assert not counted(text)
    assert any(m.role == "reference" and "ROLE-reference-after" in m.why for m in code(text))


@pytest.mark.parametrize("text", [
    "Civil war killed more than 3,000 people last year, a monitoring group said.",
    "The government's crackdown on dissent has killed hundreds, rights groups say.",
    "Gang violence in the capital killed 1,200 people in 2024.",
])
def test_a_toll_summed_over_a_war_or_a_crackdown_is_an_aggregate(text: str) -> None:
    mentions = code(text)
    assert not counted(text), [(m.role, m.why) for m in mentions]
    assert any(m.role == "aggregate" and "ROLE-aggregate-campaign" in m.why for m in mentions)


@pytest.mark.parametrize("text", [
    "Military says reports of a massacre in the village are false",
    "Ministry says claims of an airstrike on the hospital were fabricated",
    "Rebels reject claims they attacked the aid convoy",
    "President says he'll bomb the smugglers' camps",
    "Government weighs strikes on militant hideouts",
])
def test_denials_and_intentions_report_no_act(text: str) -> None:
    assert not counted(text), [(m.role, m.why) for m in code(text)]


@pytest.mark.parametrize("text", [
    "Streaming service kills its cheapest plan",
    "Broadcaster kills off long-running soap after 30 years",
    "Shares in the chipmaker exploded after strong results",
    "Startups see an explosion in the number of users",
    "Run the shell script to deploy the site",
    "The campaign is targeting younger voters on social media",
    "Treasury raids its rainy-day fund to cover the deficit",
    "Hackers' ransomware attack cripples a hospital network",
    "Pyongyang fires two ballistic missiles into the sea",
    "Tigers blast Lions 31-7 to reach the final",
])
def test_other_senses_report_no_act(text: str) -> None:
    assert not counted(text), [(m.role, m.sub_event_type, m.why) for m in code(text)]


@pytest.mark.parametrize("text", [
    # GUIDE rule 10: present-tense wire headlines report an act
    "Twin car bombs kill 15 at army checkpoint in Mosul",
    "Air strike on rebel compound kills 22",
    "Death toll rises to 48 in Quetta market bombing",
    "Gunmen kill 9 in raid on village in Katsina",
    "Drone attack on air base wounds 4 soldiers",
    "Suicide bomber kills 11 at bus station in Kano",
    "Mortar shells hit market in Mogadishu, killing 5",
    "Harbour bombing: death toll climbs to 40",
    # a frame whose act has its own verb, scene or toll stays a report
    "Navy sinks two pirate skiffs after attack on cargo ship",
    "A bombing that killed 12 at a bus stop raises tensions in the city",
    "Police arrest two men after gunmen killed a trader in Jos on Monday.",
    "Officials said the attack on the convoy near Gao on Tuesday killed four soldiers.",
])
def test_wire_headlines_and_acts_with_their_own_verb_stay_reported(text: str) -> None:
    assert counted(text), [(m.role, m.event_type, m.why) for m in code(text)]


@pytest.mark.parametrize("text", [
    "Ministers met on Tuesday to discuss the truce. The army shelled the border towns in August 2024, "
    "before the first round of talks.",
    "The envoy says the regime learned its lesson when the air force bombed the rebel airfields in 2023.",
])
def test_a_past_act_recalled_by_month_season_or_year_alone_is_a_reference(text: str) -> None:
    mentions = code(text)
    assert not counted(text), [(m.role, m.why) for m in mentions]
    assert any(m.role == "reference" and "ROLE-reference-recalled" in m.why for m in mentions)


def test_a_past_act_recalled_with_its_toll_stays_background() -> None:
    text = "Talks resumed on Tuesday. Militants attacked the town in June 2024, killing 14 villagers."
    assert [m.role for m in counted(text)] == ["background"]


@pytest.mark.parametrize("text, rule", [
    # an act labelled by its year, or the wound or death of one
    ("The ministry keeps a file on the 2016 bombing of the consulate.", "ROLE-reference-recalled"),
    ("The general was wounded in a 2009 ambush, his aides say.", "ROLE-reference-recalled"),
    # the dead of a known act named through their kin
    ("Years on, the families of those killed in the bombing still want answers.", "ROLE-reference-person"),
    # an indirect question about a known act
    ("Few people know what triggered the clash.", "ROLE-reference-reaction"),
    ("The motive behind the stabbing remains a mystery to police.", "ROLE-reference-reaction"),
    # the act a war or a crisis began with
    ("The conflict, which began with the raid on the border post in 2022, has displaced thousands.",
     "ROLE-reference-after"),
])
def test_acts_named_by_year_kin_question_or_beginning_are_references(text: str, rule: str) -> None:
    mentions = code(text)
    assert not counted(text), [(m.role, m.why) for m in mentions]
    assert any(m.role == "reference" and rule in m.why for m in mentions), [(m.role, m.why) for m in mentions]


@pytest.mark.parametrize("text", [
    "After four weeks, 75 people are dead and the town is empty.",
    "Within three days, the shelling had killed 31 people.",
    "Since the truce took effect on 2 March, drone strikes have killed 150 people.",
])
def test_a_sentence_opening_on_a_span_of_time_sums_it_up(text: str) -> None:
    assert not counted(text), [(m.role, m.why) for m in code(text)]


def test_a_span_measured_after_an_act_leaves_a_new_act_reported() -> None:
    assert counted("Three days after the truce, gunmen attacked a market in Kaduna on Tuesday, killing six.")


@pytest.mark.parametrize("text", [
    "A bear attacked two hikers on the mountain trail.",
    "The boy was mauled by a pit bull in the park.",
    "Rangers shot the leopard after it strayed into the village.",
    "Troops are massing near the border for an offensive on the port.",
    "The finance minister came under fire from her own party over the tax plan.",
    "A bitter battle for the party leadership is under way.",
])
def test_animals_preparations_and_political_fights_report_no_act(text: str) -> None:
    assert not counted(text), [(m.role, m.sub_event_type, m.why) for m in code(text)]


def test_an_armed_attack_on_herders_and_their_cattle_stays_reported() -> None:
    assert counted("Gunmen attacked herders and killed their cattle near Jos on Monday, killing three men.")


@pytest.mark.parametrize("text", [
    "Lawmakers urged a halt to arms exports after airstrikes killed dozens of aid workers over the past year.",
    "Villagers demand answers over drone strike",
])
def test_a_toll_over_the_past_year_and_demands_over_an_act_count_nothing(text: str) -> None:
    assert not counted(text), [(m.role, m.why) for m in code(text)]


def test_a_toll_within_the_last_week_is_still_one_incident() -> None:
    assert counted("Three herders were killed in Kisumu in the last week in a quarrel about grazing.")
