"""Words of a demonstration or a crowd that tell none, figures that only add to the act told, a
tally's share, and who acts: every event type of a story counts, not only the violent ones."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.actors import read_actors
from extractors.coding_cues import analyse_sentence
from extractors.incidents import code_incidents
from extractors.lexicon import get_lexicon
from extractors.records import COUNTED_ROLES, Mention

PUBLISHED = dt.datetime(2025, 2, 12, 9, 0, tzinfo=dt.UTC)  # a Wednesday


def _counted(text: str) -> list[Mention]:
    return [m for m in code_incidents(text, article_id="t", published_at=PUBLISHED) if m.role in COUNTED_ROLES]


def _reasons(sentence: str) -> list[str]:
    return [reason for _, reason in analyse_sentence(sentence, get_lexicon("en"), []).dropped]


def test_a_vigilante_group_named_as_the_source_of_a_toll_is_no_second_incident() -> None:
    text = ("A minibus hit a landmine outside Gwoza in Borno State on Monday. Three travellers died and "
            "nine were hurt, according to a commander of a local vigilante group that patrols the area.")
    counted = _counted(text)
    assert [m.sub_event_type for m in counted] == ["Remote explosive/landmine/IED"]
    assert counted[0].fatalities == 3


@pytest.mark.parametrize("sentence", [
    "Two shops were burned, according to a member of the mob that gathered outside.",
    "Nobody was hurt, a vigilante leader told reporters.",
])
def test_the_people_of_a_crowd_as_a_source_speak_they_do_not_act(sentence: str) -> None:
    assert "sense:source" in _reasons(sentence)


def test_a_crowd_that_acts_after_an_opening_attribution_still_acts() -> None:
    assert "sense:source" not in _reasons("According to police, a mob beat the suspect in the market square.")


def test_a_zero_toll_with_searchers_completes_the_abduction_before_it() -> None:
    text = ("Gunmen kidnapped 14 farmers near Zurmi in Zamfara State on Tuesday. Nobody was killed and local "
            "vigilantes were combing the bush, a police spokesman said.")
    counted = _counted(text)
    assert [m.sub_event_type for m in counted] == ["Abduction/forced disappearance"]
    assert counted[0].fatalities == 0


def test_armed_men_blocking_a_road_and_marching_captives_off_is_their_abduction() -> None:
    text = ("Bandits abducted 30 travellers on the road near Funtua in Katsina State on Tuesday. The bandits "
            "blocked the road outside the town and marched the travellers into the bush, residents said.")
    assert [m.sub_event_type for m in _counted(text)] == ["Abduction/forced disappearance"]


@pytest.mark.parametrize("sentence, rule", [
    ("The militants blocked the main road with trucks before the ambush.", "sense:armed_roadblock"),
    ("The kidnappers marched them deep into the forest.", "sense:forced_march"),
])
def test_a_step_of_an_armed_act_is_no_demonstration(sentence: str, rule: str) -> None:
    assert rule in _reasons(sentence)


@pytest.mark.parametrize("sentence", [
    "Hundreds of traders blocked the main road in protest at the new tax.",
    "Students marched through the city centre chanting slogans.",
])
def test_a_crowd_blocking_a_road_or_marching_still_demonstrates(sentence: str) -> None:
    reasons = _reasons(sentence)
    assert "sense:armed_roadblock" not in reasons and "sense:forced_march" not in reasons


def test_riot_police_and_a_delegation_make_no_riot_and_no_second_protest() -> None:
    text = ("About 500 nurses protested on Tuesday outside the health ministry in Nairobi over unpaid wages. "
            "Riot police lined the street, but the rally broke up quietly in the afternoon and nobody was hurt. "
            "A delegation of the protesters handed a petition to the permanent secretary.")
    counted = _counted(text)
    assert [m.sub_event_type for m in counted] == ["Peaceful protest"]


def test_police_breaking_up_a_rally_is_still_an_intervention() -> None:
    text = ("About 500 nurses protested on Tuesday outside the health ministry in Nairobi over unpaid wages. "
            "Police broke up the rally with tear gas in the afternoon.")
    assert [m.sub_event_type for m in _counted(text)] == ["Protest with intervention"]


def test_a_share_of_counted_acts_is_a_tally_and_its_toll_no_incident() -> None:
    text = ("Armed groups have attacked aid convoys in northern Burkina Faso more than 30 times this year, "
            "a group of relief agencies said on Tuesday. Most of the attacks happened near Djibo, where lorries "
            "were looted and set on fire. Four drivers had been killed since January, the agencies said.")
    assert _counted(text) == []


@pytest.mark.parametrize("sentence, cue, actor", [
    ("Two guards were killed on Sunday when militants stormed a fuel depot.", "stormed", "militants"),
    ("Four farmers were wounded when a mortar round hit their field.", "mortar round", None),
    ("Three traders were killed and two hurt in clashes with bandits near the market.", "clashes", None),
    ("Rebels ambushed a lorry escorted by police near the border.", "ambushed", "Rebels"),
    ("Six people were wounded when grenades thrown by suspected jihadists exploded.", "grenades", "jihadists"),
    ("Troops downed a drone launched by the Sahel Front over the town of Menaka.", "downed", "Sahel Front"),
    ("A Russian drone strike on a depot killed two workers.", "drone strike", "Russian"),
    ("Sudanese jets struck a market in the town.", "jets struck", "Sudanese jets"),
])
def test_actor1_is_the_party_that_acts(sentence: str, cue: str, actor: str | None) -> None:
    start = sentence.index(cue)
    assert read_actors(sentence, start, start + len(cue)).actor1 == actor


def test_running_battles_of_demonstrators_with_police_are_a_riot() -> None:
    text = ("Police detained 40 people in Kampala on Tuesday as students protesting over fee rises fought "
            "running battles against riot police.")
    assert [m.sub_event_type for m in _counted(text)] == ["Violent demonstration"]


def test_a_tally_sentence_still_tells_the_police_action_but_not_its_figures() -> None:
    text = ("About 300 traders protested on Tuesday outside the municipal offices in Kisumu over new levies. "
            "Police arrested 12 of them. Those arrested are often detained at such rallies, and two traders "
            "have been killed at rallies since 2019, the union said.")
    counted = _counted(text)
    assert [m.sub_event_type for m in counted] == ["Protest with intervention"]
    assert counted[0].fatalities is None
