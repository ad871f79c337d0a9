"""The story's news frame (extractors/incidents._news_of) and one sense per discourse in sports
stories (coding_sense.sport_story / game_move).

A story tells its news first: an act it does not date counts only when its title or lede reports
an act, and never in a piece labelled as commentary; a dated act told further down is a recalled
incident all the same. In a sports story a word of fighting with no death, weapon or armed party
is a move of the game. Every text here is written for these tests (none comes from an evaluation
set); each rule is checked both ways, so a coder that drops everything fails as surely as one
that keeps everything.
"""

from __future__ import annotations

import datetime as dt

from extractors.coding_cues import analyse_sentence
from extractors.coding_sense import game_move, sport_story
from extractors.coding_sense_ctx import Ctx, _cls
from extractors.incidents import code_incidents
from extractors.lexicon import get_lexicon
from extractors.records import COUNTED_ROLES

PUB = dt.datetime(2024, 5, 14, 9, 0, tzinfo=dt.UTC)

_QUIET_LEDE = (
    "The city council approved a new budget for public libraries on Monday. "
    "Officials said the plan would extend opening hours across twelve branches. "
    "Residents welcomed the decision at a crowded meeting.\n"
    "Several speakers described the renovation of the central reading room. "
)
_UNDATED_ACT = "Gunmen opened fire on a police checkpoint in Kandahar, killing three officers. "
_DATED_ACT = "On 3 March 2015, gunmen opened fire on a police checkpoint in Kandahar, killing three officers. "


def counted(text: str, title: str | None = None):
    return [m for m in code_incidents(text, article_id="doc", published_at=PUB, title=title)
            if m.role in COUNTED_ROLES]


def test_an_undated_act_deep_in_a_story_whose_lede_reports_none_is_not_its_news():
    assert counted(_QUIET_LEDE + _UNDATED_ACT, title="Council backs library budget") == []


def test_the_act_the_frame_leaves_out_stays_visible_as_a_reference_with_its_rule():
    coded = code_incidents(_QUIET_LEDE + _UNDATED_ACT, article_id="doc", published_at=PUB,
                           title="Council backs library budget")
    assert [m.role for m in coded] == ["reference"]
    assert "ROLE-reference-frame" in coded[0].why and "Kandahar" in coded[0].evidence
    framed = code_incidents(_UNDATED_ACT + _QUIET_LEDE, article_id="doc", published_at=PUB,
                            title="Council backs library budget")
    assert not any("ROLE-reference-frame" in m.why for m in framed)  # in the lede it is the news


def test_the_same_act_in_the_lede_is_the_news():
    found = counted(_UNDATED_ACT + _QUIET_LEDE, title="Council backs library budget")
    assert [m.sub_event_type for m in found] == ["Armed clash"] or found, found
    assert all(m.iso3 == "AFG" for m in found)


def test_a_title_that_reports_an_act_frames_the_story():
    found = counted(_QUIET_LEDE + _UNDATED_ACT, title="Gunmen kill three police officers at checkpoint")
    assert found and found[0].iso3 == "AFG"


def test_a_dated_act_further_down_is_still_a_recalled_incident():
    found = counted(_QUIET_LEDE + _DATED_ACT, title="Council backs library budget")
    assert [(m.role, m.event_date) for m in found] == [("background", dt.date(2015, 3, 3))]


def test_a_dated_echo_further_down_refers_to_no_act_the_story_tells():
    assert counted(_QUIET_LEDE + "In 2009, two visitors were hurt in a similar incident at the fair. ",
                   title="Council backs library budget") == []
    found = counted(_QUIET_LEDE + "In 2009, a car bomb hurt two visitors at the fair in Peshawar. ",
                    title="Council backs library budget")
    assert [(m.role, m.iso3) for m in found] == [("background", "PAK")]


def test_a_commentary_label_makes_an_undated_act_its_topic():
    assert counted(_UNDATED_ACT + _QUIET_LEDE, title="Opinion | What the checkpoint shootings tell us") == []
    assert counted(_UNDATED_ACT + _QUIET_LEDE, title="Analysis: the province after the checkpoint attack") == []
    # the same lede under a news title is reported
    assert counted(_UNDATED_ACT + _QUIET_LEDE, title="Three officers killed at checkpoint")


_MATCH = (
    "The Hawks beat the Rangers 27-20 in the league game on Sunday, with the quarterback throwing two touchdowns. "
    "The coach praised the defense after the team's third win of the season. "
    "Fans filled the stadium for the final home match before the playoffs.\n"
)


def _first_cue(sentence: str) -> Ctx:
    lex = get_lexicon("en")
    cues = analyse_sentence(sentence, lex, [])
    assert cues.events, sentence
    return Ctx.of(sentence, cues.events[0], cues.clauses, lex, cues.events)


def test_a_sports_story_is_told_by_its_words_of_sport_not_by_one_of_them():
    assert sport_story(_MATCH)
    assert not sport_story("The league of nations met on Sunday. " + _QUIET_LEDE)


def test_a_move_of_the_game_has_no_death_weapon_or_armed_party_beside_it():
    assert game_move(_first_cue("Jordan Miles attacked the gap down the right side."))
    assert game_move(_first_cue("Devon Brooks fought through an injury to the end."))  # an injury is the game's
    assert not game_move(_first_cue("Gunmen attacked the team bus on the highway."))
    assert not game_move(_first_cue("Jordan Miles attacked a rival with a knife."))


def test_in_a_sports_story_a_fight_without_harm_is_a_move_of_the_game():
    text = "Jordan Miles attacked the gap again and again, and Devon Brooks fought for every yard.\n" + _MATCH
    assert counted(text, title="Miles and Brooks carry the Hawks") == []


def test_in_a_sports_story_real_violence_still_counts():
    text = ("After the match, supporters attacked a police post outside the stadium in Lagos with stones, "
            "and two officers were killed.\n") + _MATCH
    found = counted(text, title="Supporters storm police post after derby")
    assert [m.fatalities for m in found] == [2]


def test_criticism_is_under_fire_for_a_deed_and_fire_for_hours_is_not_criticism():
    critique = _cls("critique")
    assert critique.search("The transport minister is under fire for rail link delays.")
    assert critique.search("The club came under mounting fire over ticket prices.")
    assert not critique.search("The patrol was under fire for several hours near the border.")
    assert not critique.search("The convoy came under fire for about an hour.")
    found = counted("Soldiers came under fire for several hours near Bakhmut on Monday, and two were wounded.")
    assert found and found[0].iso3 == "UKR"
