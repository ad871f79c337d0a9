"""Outbreaks of fighting in headlines, present-tense headline tolls and tolls told twice
(extractors/coding_cues.py, extractors/casualties.py), and labour strikes told as work stoppages
(extractors/coding_sense_harm.py `work_stoppage`).

Every sentence here is written for these tests; none comes from an evaluation set. Each rule is
tested on several wordings, with near misses that must keep their current coding.
"""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.casualties import read_toll
from extractors.incidents import code_incidents
from extractors.records import COUNTED_ROLES

PUB = dt.datetime(2024, 5, 14, 9, 0, tzinfo=dt.UTC)  # a Tuesday morning


def counted(text: str):
    return [m for m in code_incidents(text, article_id="doc", published_at=PUB) if m.role in COUNTED_ROLES]


# --- a verb of onset after a plural noun of fighting reports the outbreak --------------------------------

@pytest.mark.parametrize("headline", [
    "Border clashes erupt again between Armenia and Azerbaijan",
    "Clashes flare between rival gangs in Port-au-Prince",
    "Heavy fighting breaks out between army and rebels in North Kivu",
    "Fresh skirmishes break out near the frontier town of Zaporizhzhia",
    "Deadly gunfights erupt in the slums of Karachi",
    "Tribal clashes erupted between herders and farmers in Plateau State",
])
def test_a_plural_fighting_noun_with_an_onset_verb_is_a_clash(headline: str) -> None:
    mentions = counted(f"{headline}\n\nResidents said they heard gunfire through the night.")
    assert [m.sub_event_type for m in mentions] == ["Armed clash"], mentions
    assert mentions[0].event_date in (PUB.date(), PUB.date() - dt.timedelta(days=1))


@pytest.mark.parametrize("text", [
    "Clashes are part of daily life in the valley, the mayor said.",
    "Analysts fear clashes could erupt between the two militias after the vote.",
    "Clashes between the two armies have erupted repeatedly since 2020.",
])
def test_fighting_as_a_state_a_fear_or_a_habit_stays_uncounted(text: str) -> None:
    assert counted(text) == []


# --- present-tense headline tolls ----------------------------------------------------------------------

@pytest.mark.parametrize("sentence, deaths", [
    ("Bandits gun down 9 worshippers in a village mosque", 9),
    ("Gunman guns down 4 at a bar in Cali", 4),
    ("Jihadists behead 11 villagers near the border", 11),
    ("Soldiers shoot dead 6 smugglers at the river crossing", 6),
    ("Militants massacre 30 villagers in the north", 30),
    ("Mob lynches 2 suspected thieves in the market", 2),
    ("Landslide claims the lives of 15 miners", 15),
    ("Bomb kills at least 12 at bus station", 12),
])
def test_a_present_tense_killing_verb_carries_its_toll(sentence: str, deaths: int) -> None:
    assert read_toll(sentence).fatalities == deaths


@pytest.mark.parametrize("sentence", [
    "The massacre 30 years ago still haunts the town.",
    "The court will execute 2 orders on Monday.",
    "Gunman shoots 5 at a school in Ohio",  # shot, not said to be dead
])
def test_no_death_toll_without_a_verb_of_killing(sentence: str) -> None:
    assert read_toll(sentence).fatalities is None


# --- a toll told twice counts once; a figure marked as additional is summed ----------------------------

@pytest.mark.parametrize("sentence, additive", [
    ("A gunman opened fire, leaving two people dead and four more injured.", False),
    ("Four more were injured and two people died.", False),
    ("More than 20 people were killed.", False),
    ("Four people died, the ministry said, adding that more details would follow.", False),
    ("Three more people were killed in the afternoon.", True),
    ("A further 5 people died in hospital.", True),
    ("The blast also killed two police officers.", True),
    ("Two soldiers were killed as well.", True),
    ("Two other guards were killed.", True),
])
def test_only_a_figure_marked_as_additional_adds(sentence: str, additive: bool) -> None:
    assert read_toll(sentence).additive is additive


@pytest.mark.parametrize("text, deaths", [
    ("2 dead after gunman opens fire at bowling alley in Ohio\n\n"
     "A gunman opened fire at a bowling alley in Dayton on Monday, leaving two people dead and four more "
     "injured.", 2),
    ("Five killed as car bomb hits checkpoint in Mogadishu\n\n"
     "Five people died on Monday when a car bomb exploded at a checkpoint in Mogadishu, and more than "
     "ten were wounded.", 5),
    ("Three soldiers killed in ambush in Borno\n\n"
     "Insurgents ambushed a patrol in Borno on Monday, killing three soldiers. Two more soldiers died of "
     "their wounds in hospital on the same day.", 5),
])
def test_a_headline_toll_restated_in_the_body_counts_once(text: str, deaths: int) -> None:
    [m] = counted(text)
    assert m.fatalities == deaths


# --- a labour strike is a demonstration only when the strikers gather ----------------------------------

def demonstrations(text: str) -> list[str]:
    return [m.sub_event_type for m in counted(text) if m.event_type in ("Protests", "Riots")]


@pytest.mark.parametrize("text", [
    "Bus drivers went on strike on Monday, leaving commuters stranded in Accra.",
    "Dockers began a general strike at the port of Mombasa on Monday.",
    "Port employees staged a 48-hour strike in Durban on Monday over unpaid bonuses.",
])
def test_a_work_stoppage_alone_is_no_demonstration(text: str) -> None:
    assert demonstrations(text) == []


@pytest.mark.parametrize("text", [
    "Striking nurses marched through central Nairobi on Monday demanding unpaid wages.",
    "Dock workers went on strike and gathered at the port gates in Lisbon on Monday.",
    "Hundreds of striking doctors gathered outside the health ministry in Harare on Monday.",
    "Strikers assembled at the factory gates in Durban on Monday.",
    "Teachers on strike held a sit-in at the education office in Kisumu on Monday.",
])
def test_strikers_who_gather_make_a_peaceful_protest(text: str) -> None:
    assert demonstrations(text) == ["Peaceful protest"]


def test_strikers_who_fight_are_still_a_demonstration() -> None:
    assert demonstrations("Students on strike in Kaya fought with a teacher on Monday, tearing his shirt.") != []
