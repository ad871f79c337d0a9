"""Headline grammar (`extractors.coding_headlines`, issue 13): what a wire headline reports and what
it only names, and the project's own challenge sets held to floors.

All sentences are written for these tests; none comes from an evaluation set.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest

from extractors.coding_headlines import is_headline, np_report
from extractors.coding_rules import RULES
from extractors.incidents import code_incidents
from extractors.records import COUNTED_ROLES

PUB = dt.datetime(2025, 9, 18, 7, 30, tzinfo=dt.UTC)
REPO = Path(__file__).resolve().parent.parent


def code(text: str) -> tuple:
    return code_incidents(text, article_id="t", published_at=PUB, title=text.splitlines()[0])


def counted(text: str) -> list:
    return [m for m in code(text) if m.role in COUNTED_ROLES]


# --- what a headline reports ---------------------------------------------------------------------

@pytest.mark.parametrize("headline, sub_event_type", [
    # the munition or the weapon as the subject of a present-tense verb of impact
    ("Rockets slam into residential district of Kharkiv", "Shelling/artillery/missile attack"),
    ("Shells rain down on frontline town of Avdiivka", "Shelling/artillery/missile attack"),
    ("Mortars pound camp for displaced families near Mogadishu", "Shelling/artillery/missile attack"),
    ("Kamikaze drones target grain terminal in Izmail", "Air/drone strike"),
    ("Drone hits fuel depot in Belgorod region", "Air/drone strike"),
    ("Warplanes pound rebel-held villages in Sagaing", "Air/drone strike"),
    ("Blasts rock northern Syrian town of Afrin", "Remote explosive/landmine/IED"),
    # a fight as subject, or a verb of fighting after an armed subject
    ("Fighting rages in the Sudanese city of El Fasher", "Armed clash"),
    ("Soldiers battle insurgents near Kidal", "Armed clash"),
    # the noun-phrase headline: a fight and its scene, nothing else
    ("Fierce clashes near Bakhmut", "Armed clash"),
    ("Yemen: renewed fighting in Taiz", "Armed clash"),
    # storming more than a police station
    ("Gunmen storm hospital in Jos", "Attack"),
    # a plural that is the headline's verb between an actor and an object
    ("Militia shells refugee camp near Bunia", "Shelling/artillery/missile attack"),
    ("Coalition drone strikes fuel convoy in Marib", "Air/drone strike"),
])
def test_a_headline_of_an_act_in_the_present_is_reported(headline: str, sub_event_type: str) -> None:
    mentions = counted(headline)
    assert [m.sub_event_type for m in mentions] == [sub_event_type], [(m.role, m.why) for m in code(headline)]
    assert mentions[0].event_date in (PUB.date(), PUB.date() - dt.timedelta(days=1))


def test_the_noun_phrase_headline_says_why_it_was_read_as_a_report() -> None:
    [m] = counted("Heavy fighting in Bentiu")
    assert "DET-headline-np" in m.why and "DET-headline" in m.why


@pytest.mark.parametrize("headline", [
    # the same nouns as the object or the backdrop of another verb: not the day's fighting
    "Insurers count the cost of clashes in the Gulf",
    "Clashes in Marib: what the truce means for Yemen's war",
    "Why fighting in the east keeps shifting",
    # a plural noun with no object after it, or a trend verb: no verb of an act
    "Pirate attacks off the Horn of Africa at lowest level in years",
    "Drone strikes are reshaping the war",
])
def test_a_fight_noun_that_is_not_the_whole_headline_is_not_read_as_one(headline: str) -> None:
    assert not counted(headline), [(m.role, m.why) for m in code(headline)]


def test_np_report_reads_only_a_headline_shape() -> None:
    assert np_report("Fresh clashes in Hodeidah", 6, 13)
    assert not np_report("Fresh clashes in Hodeidah were reported by residents on Monday.", 6, 13)
    assert not is_headline("Fighting went on in the city overnight.")


# --- what a headline only names -------------------------------------------------------------------

@pytest.mark.parametrize("text, rule", [
    # headline grammar drops the article before a known act
    ("Police arrest teenager over synagogue stabbing", "ROLE-reference-pursuit"),
    ("Two men charged in connection with depot bombing", "ROLE-reference-pursuit"),
    ("Envoy summoned over drone strike on consulate", "ROLE-reference-answer"),
    ("Interior minister quits over prison raid", "ROLE-reference-answer"),
    ("Hostel bombing survivors meet again 20 years on", "ROLE-reference-since"),
])
def test_an_act_named_as_the_cause_of_an_arrest_or_an_answer_is_a_reference(text: str, rule: str) -> None:
    mentions = code(text)
    assert not [m for m in mentions if m.role in COUNTED_ROLES and m.event_type != "Strategic developments"]
    assert any(rule in m.why for m in mentions if m.role == "reference"), [(m.role, m.why) for m in mentions]


@pytest.mark.parametrize("text", [
    "Kidnappings fall for a second year, police say",
    "Attacks on aid convoys doubled in 2024",
    "Civilians killed worldwide rose by a fifth last year",
])
def test_a_count_that_moves_is_a_statistic(text: str) -> None:
    mentions = code(text)
    assert not [m for m in mentions if m.role in COUNTED_ROLES]
    assert any("ROLE-aggregate-trend" in m.why for m in mentions), [(m.role, m.why) for m in mentions]


@pytest.mark.parametrize("text", [
    # near misses: the act told with its own toll, or a toll that rises to a figure
    "Police arrest three after attack on bus kills 6 in Kano",
    "Death toll from market bombing rises to 27",
    "Gunmen kill 9 in raid on Zamfara village, toll expected to rise",
    "Two years after truce, fresh clashes kill 12 near Mekelle",
])
def test_near_misses_of_the_headline_frames_are_still_counted(text: str) -> None:
    assert counted(text), [(m.role, m.why) for m in code(text)]


@pytest.mark.parametrize("text, rule", [
    # the headline's news is a reaction, a ritual, justice, a cancellation, a market or a policy
    ("Archbishop prays for victims of bus station attack in Jos", "ROLE-reference-topic"),
    ("Orchestra holds minute's silence for musicians killed in theatre bombing", "ROLE-reference-topic"),
    ("Detectives identify driver in supermarket shooting as local man", "ROLE-reference-topic"),
    ("Depot shooting probed by two committees", "ROLE-reference-topic"),
    ("Chess tournament postponed over fears after bombing near venue", "ROLE-reference-after"),
    ("Podcast review: reliving the hijacking of flight 98", "ROLE-reference-topic"),
    ("Health minister visits nurses wounded in clinic shelling", "ROLE-reference-topic"),
    ("Parliament observes minute's silence for sailors killed in port blast", "ROLE-reference-topic"),
    ("Sprinter recalls fleeing the shelling of her home town", "ROLE-reference-topic"),
    ("Security council meets over attack on peacekeepers", "ROLE-reference-answer"),
    # an obituary: a person named by the act that killed them, then their life
    ("Midwife killed in clinic shelling was the valley's only carer", "ROLE-reference-person"),
    ("Reporter killed covering border fighting dies aged 41", "ROLE-reference-person"),
])
def test_an_act_that_is_only_the_topic_of_a_headline_is_a_reference(text: str, rule: str) -> None:
    mentions = code(text)
    assert not [m for m in mentions if m.role in COUNTED_ROLES], [(m.role, m.why) for m in mentions]
    assert any(rule in m.why for m in mentions if m.role == "reference"), [(m.role, m.why) for m in mentions]


@pytest.mark.parametrize("text", [
    # near misses of the topic and obituary frames: the act is the headline's verb, or told with a toll
    "Bishop condemns attack that killed 14 worshippers in Owo",
    "Gunmen kill 8 at market in Kebbi; governor condemns attack",
    "Rebels shell stadium in Bangui as crowds gather",
    "Militants attack army post near Dori, 11 killed",
    "Two soldiers killed in ambush near Gao",
    "Villagers bury 12 people killed by gunmen on Sunday in Kaura",
    "Coalition drone strikes fuel convoy in Marib",
])
def test_near_misses_of_the_topic_frames_are_still_counted(text: str) -> None:
    assert counted(text), [(m.role, m.why) for m in code(text)]


def test_a_gerund_with_no_object_after_a_frame_of_cause_is_a_noun() -> None:
    # "after bombing" with no object is the noun (a reference); "after bombing the bridge" tells the act
    assert not counted("Ferry services halted after bombing near the harbour")
    assert counted("Jets returned to base after bombing the bridge at Kherson on Monday")


def test_the_act_a_rally_is_against_is_its_topic() -> None:
    mentions = code("Students rally against drone strikes outside parliament")
    assert [m.sub_event_type for m in mentions if m.role in COUNTED_ROLES] == ["Peaceful protest"]
    assert any("ROLE-reference-topic" in m.why for m in mentions if m.role == "reference")


def test_a_plural_before_a_verb_of_consequence_is_its_subject_not_a_verb() -> None:
    assert not counted("Insurgent attacks threaten cotton harvest in northern Benin")


def test_people_named_by_an_act_as_the_object_of_a_ritual_are_a_reference() -> None:
    text = ("Candles lit in Oslo\n\nHundreds gathered on Friday to remember the seven students shot dead by a "
            "gunman in 2019.")
    mentions = code(text)
    assert not [m for m in mentions if m.role in COUNTED_ROLES], [(m.role, m.why) for m in mentions]
    assert any("ROLE-reference-commemoration" in m.why for m in mentions)


def test_a_judgement_said_of_a_known_act_is_a_reference() -> None:
    text = ("Minister condemns raid on clinic\n\nAddressing reporters on Friday, the minister called the "
            "attack shameful and promised help to the families.")
    assert not counted(text), [(m.role, m.why) for m in code(text)]


@pytest.mark.parametrize("text", [
    # a whole territory as the place, a rate, one span with an article: tallies (GUIDE rules 2 and 10)
    "Air raids kill dozens across Idlib as talks stall",
    "Shelling kills civilians across the province, monitors say",
    "Cartel violence: 12,000 murders a year in three states",
    "Rebels fired 300 rockets in a week, army says",
])
def test_a_headline_that_sums_up_places_or_a_span_is_an_aggregate(text: str) -> None:
    mentions = code(text)
    assert not [m for m in mentions if m.role in COUNTED_ROLES], [(m.role, m.why) for m in mentions]
    assert any(m.role == "aggregate" for m in mentions)


def test_a_direction_across_a_line_is_no_tally() -> None:
    assert counted("Militants fire rockets across Lebanon border at Metula")


def test_every_new_rule_id_is_declared() -> None:
    for rule in ("DET-headline-np", "DET-headline-verb", "DET-split-places", "ROLE-reference-answer",
                 "ROLE-aggregate-trend", "ROLE-reference-topic"):
        assert rule in RULES


def test_one_act_in_two_named_towns_is_two_incidents() -> None:
    text = "Gunmen seized hostages in hospitals in the towns of Sangha and Mopti on Tuesday."
    mentions = counted(text)
    assert len(mentions) == 2 and all("DET-split-places" in m.why for m in mentions)
    # neighbouring villages of one area stay one scene
    assert len(counted("Gunmen attacked the villages of Kera and Boni on Tuesday.")) == 1


# --- the challenge sets ------------------------------------------------------------------------------

def _bench():
    spec = importlib.util.spec_from_file_location("challenge_sets", REPO / "bench" / "challenge_sets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# floors a few points under the figures measured when the rules were written (the sets' README)
FLOORS = {("headlines", "tune"): 0.97, ("headlines", "held"): 0.95,
          ("nonevents", "tune"): 0.96, ("nonevents", "held"): 0.83,
          ("references", "tune"): 0.90, ("references", "held"): 0.86,
          ("reports", "tune"): 0.97, ("reports", "held"): 0.96}


@pytest.mark.parametrize("name, half", sorted(FLOORS))
def test_the_challenge_sets_hold_their_floors(name: str, half: str) -> None:
    bench = _bench()
    right, _, total, misses = bench.score(bench.CHALLENGE / f"{name}_{half}.jsonl")
    # (HELD's misses are not named: its texts are never read back while rules are written)
    assert right / total >= FLOORS[(name, half)], [d["id"] for d, _ in misses] if half == "tune" else right
