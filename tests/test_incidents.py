"""Incident coding: types, what is not an incident, dates, figures, evidence (extractors/incidents.py).

Texts are written for these tests; none is copied from an evaluation set.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors import EXTRACTOR_VERSION
from extractors.coding_cues import analyse_sentence
from extractors.coding_reads import read_sentences
from extractors.coding_text import prepare
from extractors.incidents import code_incidents
from extractors.lexicon import get_lexicon
from extractors.records import COUNTED_ROLES
from extractors.taxonomy import SUB_EVENT_TYPES

# A Friday afternoon, UTC.
PUB = dt.datetime(2022, 3, 18, 15, 0, tzinfo=dt.UTC)


def code_all(text: str, published: dt.datetime | None = PUB, **kw):
    """Every mention, the uncounted references and aggregates included."""
    return code_incidents(text, article_id="doc-1", published_at=published, **kw)


def code(text: str, published: dt.datetime | None = PUB, **kw):
    """The mentions that count (primary and background): what these tests are about."""
    return tuple(m for m in code_all(text, published, **kw) if m.role in COUNTED_ROLES)


def only(text: str, published: dt.datetime | None = PUB):
    mentions = code(text, published)
    assert len(mentions) == 1, [(m.sub_event_type, m.evidence) for m in mentions]
    return mentions[0]


@pytest.mark.parametrize("text, sub_event_type", [
    ("On 3 March 2022, separatist forces fired mortars and artillery shells at army positions near Avdiivka.",
     "Shelling/artillery/missile attack"),
    ("On 3 March 2022, warplanes bombed a rebel base outside the town, killing eight fighters.", "Air/drone strike"),
    ("On 3 March 2022, a drone strike hit a car carrying two commanders.", "Air/drone strike"),
    ("On 3 March 2022, a roadside bomb exploded under a police truck, wounding four officers.",
     "Remote explosive/landmine/IED"),
    ("On 3 March 2022, a suicide bomber detonated his vest at the gate of a mosque, killing nine worshippers.",
     "Suicide bomb"),
    ("On 3 March 2022, attackers threw a hand grenade into a crowded bar, injuring five people.", "Grenade"),
    ("On 3 March 2022, soldiers and militants clashed for several hours near the border; six fighters died.",
     "Armed clash"),
    ("On 3 March 2022, gunmen attacked an army checkpoint and killed two soldiers.", "Armed clash"),
    ("On 3 March 2022, gunmen shot dead a farmer and his son in their field.", "Attack"),
    # "at least N" counts the object: the victims, not a place, follow it (and the agents are not the victims)
    ("On 3 March 2022, armed men on pickups killed at least nine herders in a hamlet near the river.", "Attack"),
    ("On 3 March 2022, raiders killed at most four guards at a mine before fleeing.", "Armed clash"),
    ("On 3 March 2022, armed men kidnapped a priest and two teachers from the village.",
     "Abduction/forced disappearance"),
    ("On 3 March 2022, soldiers raped a woman at a checkpoint.", "Sexual violence"),
    ("On 3 March 2022, air defences intercepted two missiles fired at the city.", "Disrupted weapons use"),
    ("On 3 March 2022, the army defused an improvised explosive device planted on the main road.",
     "Disrupted weapons use"),
    ("On 3 March 2022, two militants died when the bomb they were planting exploded prematurely.",
     "Disrupted weapons use"),
    ("On 3 March 2022, hundreds of teachers gathered outside parliament to demand unpaid salaries.",
     "Peaceful protest"),
    ("On 3 March 2022, police fired tear gas to disperse students protesting against fee increases.",
     "Protest with intervention"),
    ("On 3 March 2022, protesters burned tyres and pelted police with stones during a demonstration.",
     "Violent demonstration"),
    ("On 3 March 2022, protesters stormed the governorate building to demand jobs.", "Violent demonstration"),
    ("On 3 March 2022, gunmen stormed a police station, killing two officers.", "Armed clash"),
    ("On 3 March 2022, a mob lynched a man accused of stealing a motorbike.", "Mob violence"),
    ("On 3 March 2022, teachers launched a strike over unpaid salaries.", "Peaceful protest"),
    # what a protest is against is no intervention in it; demonstrators who clash use violence
    ("On 3 March 2022, journalists protested against the unjust arrest of their editor.", "Peaceful protest"),
    ("On 3 March 2022, daily wage labourers held a protest demanding relief during the lockdown.", "Peaceful protest"),
    ("On 3 March 2022, reporters protested for their editor. Police arrested ten of them.",
     "Protest with intervention"),
    ("On 3 March 2022, activists protested against foreign interference in the conflict.", "Peaceful protest"),
    ("On 3 March 2022, supporters of two parties clashed during a protest, injuring five.", "Violent demonstration"),
    # ... but a force launching a weapon's strike is no stoppage of work
    ("On 3 March 2022, the army launched a drone strike on a rebel camp, killing four.", "Air/drone strike"),
    ("On 3 March 2022, militants looted shops and set houses on fire in the village. No casualties were reported.",
     "Looting/property destruction"),
    ("On 3 March 2022, police arrested six suspected smugglers at the border post.", "Arrests"),
])
def test_each_kind_of_event_gets_its_sub_event_type(text, sub_event_type):
    mention = only(text)
    assert mention.sub_event_type == sub_event_type
    assert mention.event_type == SUB_EVENT_TYPES[sub_event_type]
    assert mention.event_date == dt.date(2022, 3, 3)


@pytest.mark.parametrize("text", [
    "Rebels threatened to attack the capital if talks failed.",
    "The army plans to launch air strikes on the hideouts next week.",
    "Officials warned that a rocket attack could close the airport.",
    "The militia denied carrying out the bombing of the market.",
    "Militants have fired at the base more than 60 times this year.",
    "The air force carried out dozens of strikes on militant positions.",
    "Since then, attacks on the convoys have largely stopped.",
    "Hundreds gathered to commemorate the victims of the massacre on its tenth anniversary.",
    "Will the fighting spread to the north?",
    "Five climbers died in an avalanche on the mountain.",
    "Attacks on aid workers have risen sharply across the region over the past six months.",
    "Teachers went on strike over unpaid wages.",
])
def test_what_is_not_a_violent_incident_is_not_coded_as_one(text):
    violent = [m for m in code(text) if m.event_type in
               ("Battles", "Explosions/Remote violence", "Violence against civilians")
               or m.sub_event_type == "Disrupted weapons use"]
    assert violent == [], [(m.sub_event_type, m.evidence) for m in violent]


def test_relative_dates_resolve_against_publication():
    assert only("Rockets hit the air base on Thursday, officials said.").event_date == dt.date(2022, 3, 17)
    assert only("A car bomb exploded overnight outside a hotel.").event_date == dt.date(2022, 3, 17)
    last_week = only("Gunmen who kidnapped 30 pupils last week have demanded a ransom.")
    assert (last_week.event_date, last_week.date_precision) == (dt.date(2022, 3, 11), "week")


def test_relative_dates_stay_unresolved_without_publication_time():
    mention = only("Rockets hit the air base on Thursday, officials said.", published=None)
    assert mention.event_date is None


def test_an_undated_report_is_dated_the_day_before_publication_at_week_precision():
    mention = only("Gunmen kill four villagers in night raid")
    assert (mention.event_date, mention.date_precision) == (dt.date(2022, 3, 17), "week")


def test_figures_none_zero_and_counts():
    assert only("On Monday a bomb killed two soldiers near the bridge.").fatalities == 2
    zero = only("On Monday a car bomb exploded near the bridge. There were no casualties.")
    assert (zero.fatalities, zero.injuries) == (0, 0)
    unknown = only("On Monday a car bomb exploded near the bridge.")
    assert (unknown.fatalities, unknown.injuries) == (None, None)


def test_headline_and_lead_of_one_attack_make_one_mention():
    text = ("Drone strike kills two fighters in the north\n\n"
            "A drone strike on a pickup truck on Wednesday killed two fighters, a monitoring group said. "
            "The strike destroyed the vehicle.")
    mention = only(text)
    assert (mention.sub_event_type, mention.fatalities) == ("Air/drone strike", 2)
    assert mention.event_date == dt.date(2022, 3, 16)


STORY = (
    "Several mortar rounds struck bases used by African Union troops on Thursday in Somalia and Kenya, "
    "officials said.\n"
    "In Somalia, three shells landed inside a compound near the airport in Mogadishu, a police officer said, "
    "causing no casualties.\n"
    "In Kenya, at least one shell exploded close to a camp outside Mandera town in Mandera county, and nobody "
    "was hurt, a local administrator said.\n"
    "Militants have fired at the bases more than 60 times over the past year.\n"
    "On 2 March, a roadside bomb killed four soldiers near Afgooye in the Lower Shabelle region.\n"
    "In January, an attack on a base in Lamu county killed two Kenyan soldiers.\n"
    "Troops later carried out dozens of raids on militant hideouts."
)


def test_a_story_of_two_current_and_two_recalled_attacks_gives_four_mentions():
    mentions = sorted(code(STORY), key=lambda m: m.evidence_start)
    assert len(mentions) == 4, [(m.sub_event_type, m.event_date, m.iso3, m.evidence[:60]) for m in mentions]
    somalia, kenya, bomb, january = mentions
    assert {somalia.iso3, kenya.iso3} == {"SOM", "KEN"}
    for current in (somalia, kenya):
        assert current.sub_event_type == "Shelling/artillery/missile attack"
        assert current.event_date == dt.date(2022, 3, 17) and current.role == "primary"
        assert current.fatalities == 0
    assert (bomb.sub_event_type, bomb.event_date, bomb.fatalities, bomb.role) == (
        "Remote explosive/landmine/IED", dt.date(2022, 3, 2), 4, "background")
    assert (january.event_date, january.date_precision, january.fatalities, january.role) == (
        dt.date(2022, 1, 15), "month", 2, "background")


def test_evidence_points_into_the_text_and_carries_version_and_confidence():
    text = "<p>On 3 March 2022, gunmen attacked a police post &amp; killed two officers.</p>"
    mention = only(text)
    assert text[mention.evidence_start:mention.evidence_end] == mention.evidence
    assert "gunmen attacked" in mention.evidence
    assert mention.extractor_version == EXTRACTOR_VERSION
    assert 0.0 < mention.confidence <= 1.0
    assert len(mention.mention_id) == 16 and int(mention.mention_id, 16) >= 0


def test_mention_ids_differ_per_document_and_are_stable():
    text = "On 3 March 2022, gunmen attacked a police post and killed two officers."
    first = code_incidents(text, article_id="a", published_at=PUB)
    again = code_incidents(text, article_id="a", published_at=PUB)
    other = code_incidents(text, article_id="b", published_at=PUB)
    assert first == again
    assert first[0].mention_id != other[0].mention_id


def test_empty_text_gives_nothing():
    assert code("") == () and code("   \n ") == ()


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_any_text_codes_without_error_and_the_same_twice(text):
    first = code(text)
    assert first == code(text)
    for mention in first:
        assert text[mention.evidence_start:mention.evidence_end] == mention.evidence
        assert mention.sub_event_type in SUB_EVENT_TYPES


# --- rules added for headline prose, counted strikes and long articles -------------------------

def test_an_act_named_after_since_is_a_point_in_time_not_news():
    assert code("The rebel leader gave his first interview since insurgents attacked the capital.") == ()


def test_an_execution_for_an_old_bombing_is_not_a_new_bombing():
    assert code("The authorities hanged two men for bomb attacks on a market.") == ()


def test_plural_munition_attacks_not_said_to_hit_anything_only_echo():
    assert code("Shipping firms halted traffic through the strait after missile strikes.") == ()
    hit = only("Missile strikes hit a fuel depot near the port on Wednesday, killing two guards.")
    assert hit.fatalities == 2


def test_a_date_after_the_morning_of_dates_the_act_it_opens():
    m = only("On the afternoon of 4 March 2022, gunmen and suicide bombers attacked an army base near Kandahar.")
    assert m.event_date == dt.date(2022, 3, 4) and m.date_precision == "day"


def test_strikes_on_counted_locations_are_one_incident_per_location():
    mentions = code("Warplanes carried out airstrikes on three locations near the border on Wednesday, killing four.")
    assert len(mentions) == 3
    assert len({m.mention_id for m in mentions}) == 3
    assert {m.evidence for m in mentions} == {mentions[0].evidence}
    assert [m.fatalities for m in mentions] == [4, None, None]  # the figure is not per location


def test_strikes_on_two_listed_sites_are_two_incidents():
    mentions = code("Jets struck an ammunition depot and a training camp near the city on Wednesday.")
    assert len(mentions) == 2 and mentions[0].mention_id != mentions[1].mention_id


def test_a_single_strike_is_not_split():
    assert len(code("A drone struck a car on the main road on Wednesday, killing its driver.")) == 1


def test_without_publication_relative_days_resolve_against_the_texts_own_latest_date():
    text = ("The court heard on 3 November 2019 that the defendant had been seen near the market. "
            "On Friday a car bomb exploded outside the governor's office in Kandahar, killing six people.")
    bomb = [m for m in code(text, published=None) if m.sub_event_type == "Remote explosive/landmine/IED"]
    assert len(bomb) == 1
    assert bomb[0].event_date == dt.date(2019, 11, 1) and bomb[0].date_precision == "week"


def test_without_any_full_date_relative_days_stay_unresolved():
    mention = only("On Friday a car bomb exploded outside the governor's office in Kandahar, killing six people.",
                   published=None)
    assert mention.event_date is None


@pytest.mark.parametrize("text", [
    # a bomb squad sweep with nothing found is not a disrupted attack
    "Police said bomb disposal teams had swept the road and that traffic was moving again by Tuesday morning.",
    # air strikes named as the backing of a campaign are not a strike
    "Militias backed by allied troops and foreign air strikes recaptured territory from the rebels in 2019.",
])
def test_sweeps_and_backing_are_not_incidents(text):
    violent = [m for m in code(text) if m.event_type != "Protests" and m.sub_event_type != "Peaceful protest"]
    assert violent == [], [(m.sub_event_type, m.evidence) for m in violent]


def test_a_device_found_and_defused_is_still_disrupted_weapons_use():
    mention = only("On 12 March 2022, soldiers found an IED planted on the road near the village and a bomb disposal "
                   "team defused it.")
    assert mention.sub_event_type == "Disrupted weapons use"


def test_a_denied_accusation_of_shelling_is_not_coded():
    assert code("The rebels rejected the charges and accused the army of shelling its own positions.") == ()


# --- precision in news prose: actors named by their capital, support, tallies, follow-ups ----------

def test_a_capital_that_acts_is_not_the_scene_when_another_place_is_named():
    # the story's main country is the capital's own: the capital must still not win as the scene
    mention = only("Moscow struck an ammunition depot in Ukraine on Tuesday, a Russian official told Russian "
                   "television, killing three Ukrainian soldiers and Russian volunteers.")
    assert mention.iso3 == "UKR", (mention.iso3, mention.location)


def test_a_clash_is_not_split_by_a_government_named_after_its_capital():
    # "the Damascus government" names the attackers' patron; the statement's day is not the fight's
    mentions = code("Fighters of the Kurdish-led force clashed with tribesmen in the town of Hajin in Deir ez-Zor "
                    "province on Monday, killing four. The force said in a statement on Wednesday that its men had "
                    "repelled an assault by gunmen loyal to the Damascus government.")
    assert len(mentions) == 1, [(m.location, m.event_date, m.evidence[:60]) for m in mentions]
    assert mentions[0].event_date == dt.date(2022, 3, 14)


def test_air_strikes_supporting_a_ground_attack_are_not_an_air_strike():
    mention = only("Army troops, with the support of foreign air strikes, attacked insurgent camps near Kismayo on "
                   "Wednesday, killing 12 fighters.")
    assert mention.event_type == "Battles"


@pytest.mark.parametrize("text", [
    # a count of compound attacks over a span of months
    "Rebels claimed more than 90 rocket and drone attacks on the bases between March and June.",
    # a campaign dated by a span of years
    "Militias backed by allied troops recaptured territory from the rebels in 2019 and 2020.",
    # a habit told in the present, whatever clause carries the adverb
    "Rebel proxies attack convoys, border posts and aid trucks with impunity.",
    # a scare-quoted "attack on" is rhetoric
    "The governor denounced the ministry's 'attack on farmers' in a speech to the assembly.",
    # a finding about a strike already reported
    "Investigators said the strike that killed a photographer in Tyre was 'apparently deliberate'.",
])
def test_tallies_habits_rhetoric_and_findings_are_not_incidents(text):
    violent = [m for m in code(text) if m.event_type != "Protests"]
    assert violent == [], [(m.sub_event_type, m.evidence) for m in violent]


def test_a_standing_mission_does_not_turn_a_rocket_attack_into_a_clash():
    mention = only("Several rockets hit the airport near Kandahar late on Wednesday without causing casualties. "
                   "The US has about 900 troops in the country, where they train Afghan forces fighting the Taliban.")
    assert mention.sub_event_type == "Shelling/artillery/missile attack"


def test_a_reply_of_another_kind_into_another_country_is_its_own_incident():
    mentions = code("An Israeli drone strike on a car near Bint Jbeil in southern Lebanon killed two people on "
                    "Tuesday. Hours later, Hezbollah said it had fired a salvo of rockets at an Israeli army base "
                    "in response.")
    assert sorted((m.iso3, m.sub_event_type) for m in mentions) == [
        ("ISR", "Shelling/artillery/missile attack"), ("LBN", "Air/drone strike")]


# -- abstaining on a weak country (see place_evidence.strong) -------------------------------


def test_an_incident_whose_country_rests_on_weak_evidence_is_coded_without_a_place():
    weak = only("Fighting continued across Helmand province this week. On Monday, gunmen shot dead "
                "two farmers near Hyderabad.")
    assert (weak.iso3, weak.admin1, weak.location) == (None, None, None)
    strong = only("On Monday, gunmen shot dead two farmers near Hyderabad.")
    assert strong.iso3 is not None and strong.location == "Hyderabad"
    # the abstention shows in the confidence: a named place whose country is unsure counts less
    assert weak.confidence < strong.confidence


def test_a_country_known_only_from_a_nationality_does_not_stand_in_for_the_place():
    # the act names no place; the story's only country comes from "Somali": whose gunmen, not
    # where they struck
    m = only("Somali gunmen have been crossing the frontier for weeks, residents said. On Monday, "
             "gunmen attacked a police post, killing two officers.")
    assert m.iso3 is None
    # a country named by its name, even not as the scene, still stands in (region precision)
    named = only("Somalia has been hit by drought for months, residents said. On Monday, "
                 "gunmen attacked a police post, killing two officers.")
    assert named.iso3 == "SOM" and named.location is None


def test_a_complex_assault_told_with_after_is_one_incident_dated_by_its_first_act():
    # "after" ties the overrun to its opening stage, not to an act of its own (a reprisal)
    text = ("Militants overran an army base in the north on Wednesday after a suicide car bomb breached "
            "its gate. At least 20 soldiers were killed.")
    m = only(text)
    assert (m.sub_event_type, m.event_date, m.fatalities) == ("Suicide bomb", dt.date(2022, 3, 16), 20)


def test_an_arrest_told_without_police_or_demonstrators_is_no_intervention_in_the_protest():
    mentions = code("On 3 March 2022, reporters protested for their editor. He was arrested in a tax case last month.")
    protest = next(m for m in mentions if m.event_type == "Protests")
    assert protest.sub_event_type == "Peaceful protest"
    lex = get_lexicon()
    # the sentence a protest story adds about its grievance carries no intervention ...
    assert not analyse_sentence("He was arrested in connection with a graft case.", lex, []).context["intervention"]
    # ... while one about the police or the demonstrators does
    assert analyse_sentence("Police arrested ten of them.", lex, []).context["intervention"]


def test_a_few_strikes_counted_on_a_named_day_are_one_event_and_a_tally_is_none():
    m = only("On 9 May 2020, coalition warplanes carried out 4 airstrikes on rebel positions in Sirwah "
             "district (Marib). No casualties were reported.")
    assert (m.sub_event_type, m.event_date, m.iso3, m.fatalities) == ("Air/drone strike", dt.date(2020, 5, 9), "YEM", 0)
    assert code("Coalition warplanes have carried out 56 airstrikes on rebel positions in Marib since January.") == ()


def test_a_launch_intercepted_by_a_named_country_s_defences_is_one_interception_at_its_target():
    # "Saudi air defences" says whose defences, not where: the interception is the launch's
    m = only("On 6 May 2020, the rebels fired a ballistic missile toward Marib city; it was intercepted by "
             "Saudi air defences.")
    assert (m.sub_event_type, m.iso3, m.admin1) == ("Disrupted weapons use", "YEM", "Marib")


@pytest.mark.parametrize("text, sub_event_type", [
    ("On 5 May 2020, soldiers arrested five men during a raid on a house in the town.", "Arrests"),
    ("On 5 May 2020, soldiers raided the camp and arrested five men.", "Arrests"),
    # a raid that hurts someone is an attack, arrests or not
    ("On 5 May 2020, soldiers raided the camp, arrested five men and shot dead a sixth.", "Attack"),
])
def test_a_raid_whose_only_outcome_is_arrests_is_arrests(text, sub_event_type):
    assert only(text).sub_event_type == sub_event_type


def test_the_story_place_stands_in_despite_a_stray_namesake_of_another_country():
    # "Fonseca" is also a town in Colombia; the note is set in Niteroi, and its act names no place
    text = ("On 12 June 2021, in Niteroi, Rio de Janeiro, civil police ran a raid "
            "on drug traffickers in the Fonseca neighborhood. One suspect was shot and died.")
    m = only(text)
    assert (m.iso3, m.admin1, m.location) == ("BRA", "Rio de Janeiro", "Niteroi")
    assert m.geo_precision == 2  # near the story's place: the act's own sentence names none


@pytest.mark.parametrize("text", [
    # a plural after an actor word is a noun when a preposition or the end follows it
    "Insurers raised premiums because of the danger posed by militant attacks.",
    "Senators tabled a motion condemning militia attacks on peacekeepers.",
    # fighting as the state of a war, an aim in the infinitive, a means after "by"
    "Traders say cross-border fighting keeps customers away from the market.",
    "The government accused its neighbour of helping rebel groups to attack border towns.",
    "The rebels terrorise the valley by attacking buses.",
    # running totals, spans, trends and counts of places
    "Peacekeepers were attacked again on Tuesday, bringing the total number of attacks to 41.",
    "Outposts in the east have been attacked 34 times since Aug. 3, a spokesman said on Tuesday.",
    "Militia attacks on aid convoys in northern Mali rise over the weekend.",
    "Peacekeepers targeted in three more attacks on bases in Mali, leaving one injured",
    "Armed groups continue targeting convoys on the northern highway.",
    "Artillery units shelled several rebel positions in the hills.",
    "The mayor said life returned to normal after weeks of rocket fire from across the river.",
    "Soldiers were attacked again across the Middle East.",
    "Rights experts estimate that 9,000 detainees were killed in prisons during Verania's long civil war.",
    # what a weapon can do; an act that only dates another; the backdrop of other news
    "The new Sejjil missile reportedly has a range of 2,000 km and could strike Israeli cities.",
    "The minister resigned days after the Jan. 9 attack by militants.",
    "Fuel prices climbed amid an army assault on the valley.",
    "Experts worry extremists might adapt inexpensive hobby drones to launch attacks on packed concert halls.",
    "Between 150 and 420 civilians were killed across both nations, according to the watchdog.",
    "The cell had been staging bomb and gun attacks across northern Italy since spring 1978.",
    # a story whose news is a finding about an act it does not date
    ("Reporter killed near border was in combat zone, army says\n\n"
     "Human rights groups say the strike by the army that killed the reporter "
     "should be investigated as a possible war crime."),
])
def test_commentary_tallies_and_findings_are_not_incidents(text):
    violent = [m for m in code(text) if m.event_type in
               ("Battles", "Explosions/Remote violence", "Violence against civilians")
               or m.sub_event_type == "Disrupted weapons use"]
    assert violent == [], [(m.sub_event_type, m.evidence) for m in violent]


def test_footage_of_an_act_is_coded_only_when_it_names_the_day():
    assert code("Army releases video of airstrike on rebel camp in Lebanon") == ()
    dated = only("The army released video of an airstrike on a depot in Syria on Tuesday.")
    assert (dated.sub_event_type, dated.event_date, dated.iso3) == ("Air/drone strike", dt.date(2022, 3, 15), "SYR")


def test_a_scene_setting_sentence_dates_the_act_told_after_it():
    text = ("On 14 March 2021, police visited a compound in Lagos to follow up a lead. "
            "The officers were attacked by gunmen and a gunfight followed.")
    mention = only(text)
    assert (mention.event_date, mention.date_precision) == (dt.date(2021, 3, 14), "day")


def test_an_infinitive_act_on_a_named_day_is_told_not_planned():
    mention = only("On 16 March 2020, a quarrel over farmland led one clan to attack a rival household with machetes.")
    assert mention.event_date == dt.date(2020, 3, 16)


def test_fighting_between_two_sides_is_a_clash():
    assert only("Fighting between two clans in the village left three dead.").sub_event_type == "Armed clash"


def test_the_country_an_act_is_put_in_wins_over_the_country_that_acts():
    text = ("Turkey carries out air strikes on militant hideouts\n\n"
            "Turkish jets struck depots in northern Iraq, the defence ministry said.")
    assert only(text).iso3 == "IRQ"


def test_the_place_of_a_semicolon_part_is_the_place_of_its_act():
    mention = only("Aid talks stall in Geneva; drone strike hits a convoy in Yemen")
    assert (mention.sub_event_type, mention.iso3) == ("Air/drone strike", "YEM")


def test_the_day_of_a_trial_does_not_date_the_act_it_is_about():
    text = ("In court on Friday a witness named the defendant as the man who set the bomb that wrecked "
            "the railway station in Bologna.")
    assert [m for m in code(text) if m.event_date == dt.date(2022, 3, 18)] == []


def test_a_launch_the_story_says_was_intercepted_is_the_interception():
    text = ("Insurgents claim they launched ballistic missiles at Israel\n\n"
            "The Israeli army says one missile was intercepted over Eilat.")
    assert [m.sub_event_type for m in code(text)] == ["Disrupted weapons use"]
    hit = ("Rebels fired missiles towards Israel\n\n"
           "One missile was intercepted near Eilat; another hit a house in Ashkelon, wounding two people.")
    assert sorted(m.sub_event_type for m in code(hit)) == ["Disrupted weapons use", "Shelling/artillery/missile attack"]


def test_a_sentence_glued_to_the_one_before_on_an_article_is_still_a_sentence():
    # pasted paragraphs lose the space after a period; "A" and "I" open sentences too
    from extractors.coding_text import sentences
    text = "Police said the blast wounded two guards.A roadside bomb at a bus stop killed four people."
    assert [s.text for s in sentences(text)] == ["Police said the blast wounded two guards.",
                                                 "A roadside bomb at a bus stop killed four people."]
    glued = ("Police said the blast wounded two guards outside a ministry in Baghdad.A roadside bomb at a bus "
             "stop in Basra killed four people on Thursday.")
    assert sorted(m.location for m in code(glued)) == ["Baghdad", "Basrah"]


@pytest.mark.parametrize("town", ["Muqdadiyah", "Qarmat Sulaiman"])  # placed in the same region, or not placed
def test_each_town_of_a_round_up_with_its_own_victims_is_its_own_incident(town):
    text = ("A car bomb killed 12 people outside a mosque in the town of Baqubah on Thursday. "
            f"In the eastern town of {town}, a roadside bomb exploded near a police patrol, killing two officers.")
    mentions = code(text)
    assert len(mentions) == 2, [m.evidence for m in mentions]
    assert sorted(m.fatalities for m in mentions) == [2, 12]


def test_a_sentence_giving_the_town_and_the_same_victims_details_the_incident_told():
    text = ("A car bomb killed 12 people in Diyala province on Thursday. "
            "The bomb exploded outside a mosque in the town of Baqubah, killing 12 worshippers.")
    assert only(text).location == "Baqubah"


def test_the_means_of_a_state_told_in_the_perfect_is_a_campaign_not_an_act():
    text = ("Oman is trying to stay out of a war with the rebel movement, which has sowed panic by attacking "
            "tankers and firing missiles at Israel.")
    assert code(text) == ()


def test_fighting_reported_in_several_parts_of_a_place_is_no_single_incident():
    assert code("Fighting was reported across several parts of the town on Sunday, according to locals.") == ()


def test_a_police_search_that_made_arrests_is_no_attack():
    mention = only("The second suspect was arrested at a farmhouse police raided near the border on Tuesday.")
    assert mention.event_type == "Strategic developments"
    # a raid with victims is still violence
    assert only("Officers raided a flat in the suburbs, killing two gunmen.").event_type == "Battles"


@pytest.mark.parametrize("text", [
    "Monitors counted civilians killed in air strikes between March 2015 and the end of 2019.",  # a span of years
    "Officials disputed the number of civilians killed, saying it was far lower.",  # a statistic
    "The general ordered more air strikes than his predecessor did in a decade.",  # a comparison of counts
    # a trend
    "In the north, where government air attacks have shot up since the truce collapsed, the toll is unknown.",
])
def test_statistics_about_acts_are_no_incident(text):
    assert code(text) == ()


def test_flying_a_drone_is_no_strike_unless_the_drone_is_a_weapon():
    assert code("A hobbyist flew a drone over the stadium during the match, police said.") == ()
    text = "Militants flew an explosive-laden drone into the barracks, wounding three soldiers."
    assert only(text).sub_event_type == "Air/drone strike"


def test_drones_made_flying_bombs_strike_from_the_air():
    text = "Two drones rigged as flying bombs struck the governor's motorcade on Sunday, wounding four guards."
    assert only(text).sub_event_type == "Air/drone strike"


# --- notes that open with a numeric date (issue 13, dates); sentences written for these tests ---

@pytest.mark.parametrize("text, published, expected", [
    # the act is in the dated sentence; readings of 04/03 differ by a month: the one on or before publication
    ("04/03/2022: Gunmen opened fire on a minibus near Jos, Plateau, Nigeria, killing six passengers.",
     PUB, dt.date(2022, 3, 4)),
    ("2022-03-04: A roadside bomb exploded under a police truck near Jos, Plateau, Nigeria.", PUB, dt.date(2022, 3, 4)),
    # the dated sentence only sets the scene; the act in the next sentence happened that day
    ("03/14/2022: Armed men arrived in a village near Jos, Plateau, Nigeria. They opened fire on residents, "
     "killing four.", PUB, dt.date(2022, 3, 14)),
    ("14.03.22: Armed men arrived in a village near Jos, Plateau, Nigeria. They opened fire on residents, "
     "killing four.", None, dt.date(2022, 3, 14)),
])
def test_a_note_opening_with_a_numeric_date_is_detected_and_dated(text, published, expected):
    mention = only(text, published)
    assert (mention.event_date, mention.date_precision, mention.iso3) == (expected, "day", "NGA")


@pytest.mark.parametrize("figures", ["No casualties were reported.", "Police fired tear gas."])
def test_a_detail_sentence_completes_only_the_act_told_right_before_it(figures: str) -> None:
    act = "A roadside bomb struck a police convoy in Kandahar on Monday."
    aside = "The province had been calm for months."
    # read (and kept) right after the act, not after a sentence that told nothing, nor first
    for text, details in [(f"{act} {figures}", [1]), (f"{act} {aside} {figures}", []),
                          (f"{figures} {act} {figures}", [2])]:
        reads = read_sentences(prepare(text), PUB.date(), ())
        assert [r.index for r in reads if r.detail] == details, text
    if figures.startswith("No casualties"):
        assert [(m.fatalities, m.injuries) for m in code(f"{act} {figures}")] == [(0, 0)]
        assert [(m.fatalities, m.injuries) for m in code(f"{act} {aside} {figures}")] == [(None, None)]
