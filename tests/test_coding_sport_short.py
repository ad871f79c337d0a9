"""A short sports item (a headline and a summary) is told by its share of words of sport, not by
the eight a long match report holds: in it a fight without harm is a move of the game."""

from __future__ import annotations

import datetime as dt

from extractors.coding_sense import sport_story
from extractors.incidents import code_incidents
from extractors.records import COUNTED_ROLES

PUBLISHED = dt.datetime(2025, 2, 3, 8, tzinfo=dt.UTC)
GAME = ("Players suspended after ice hockey brawl\n\n"
        "Punches flew in the second period after a late check on the visiting goalkeeper.")


def test_a_short_item_dense_with_sport_is_a_sports_story() -> None:
    assert sport_story(GAME)


def test_a_long_text_still_needs_eight_words_of_sport() -> None:
    filler = "The council met to discuss the budget and the roads. " * 12
    assert not sport_story(filler + "The team played a game at the stadium.")


def test_a_short_report_with_one_or_two_words_of_sport_is_no_sports_story() -> None:
    assert not sport_story("Gunmen attack fans outside a football stadium, killing three")


def test_a_brawl_in_a_short_sports_item_is_no_incident() -> None:
    coded = code_incidents(GAME, article_id="s", published_at=PUBLISHED, title=GAME.split("\n")[0])
    assert [m for m in coded if m.role in COUNTED_ROLES] == []


def test_harm_keeps_a_fight_at_a_game_an_incident() -> None:
    text = ("Supporters fight outside the stadium after the derby\n\n"
            "Rival fans fought with knives after the match on Saturday; two men were stabbed to death.")
    coded = code_incidents(text, article_id="s", published_at=PUBLISHED, title=text.split("\n")[0])
    assert [m for m in coded if m.role in COUNTED_ROLES]
