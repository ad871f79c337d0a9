"""A past act a story recalls with its own date is coded whatever the story's news (GUIDE rule 9: "a
dated past event it recalls"); one recalled with a coarse date and too few anchors of its own, or one
that only borrows the date of the act before it in a story whose news is no act, is a reference,
never counted (GUIDE rules 8, 9)."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.incidents import code_incidents

PUBLISHED = dt.datetime(2024, 5, 20, 12, tzinfo=dt.UTC)

# a civic story: three opening sentences about a library, then one recalled, fully dated attack
LIBRARY = ("The mayor opened a new public library on the river front. Readers queued from early morning to see "
           "the reading rooms. The building cost four million euros and took two years to finish. "
           "The town is still marked by its past: on 3 March 2019, gunmen killed 12 villagers in Kidal. "
           "Librarians hope the new rooms will bring people together.")


def _roles(text: str, title: str | None) -> list[tuple[str, str]]:
    return [(m.role, m.why[[w.startswith("ROLE-") for w in m.why].index(True)])
            for m in code_incidents(text, article_id="t", published_at=PUBLISHED, title=title)]


def test_titled_story_without_an_act_still_codes_an_attack_it_recalls_with_its_own_date() -> None:
    assert _roles(LIBRARY, "Town opens a library on the river front") == [("background", "ROLE-background-dated")]


def test_a_headline_that_reports_the_act_keeps_it_counted() -> None:
    assert _roles(LIBRARY, "Gunmen kill 12 villagers in Kidal") == [("background", "ROLE-background-dated")]


def test_without_a_title_the_news_frame_is_unknown_and_the_recalled_act_counts() -> None:
    assert _roles(LIBRARY, None) == [("background", "ROLE-background-dated")]


# a council story whose later sentences tell one dated shelling, then a shooting elsewhere with no date of its own
COUNCIL = ("The city council approved its budget for the coming year on Monday. Councillors argued for hours over "
           "bus fares. Schools will receive more money than last year. "
           "On 18 May 2024, soldiers shelled a village near Gao. In Kidal, gunmen shot dead a trader.")


def _types(title: str | None) -> list[tuple[str, str]]:
    return [(m.sub_event_type, m.why[-2]) for m in code_incidents(COUNCIL, article_id="c", published_at=PUBLISHED,
                                                                  title=title)]


def test_under_a_headline_without_an_act_an_act_with_no_date_of_its_own_is_left_out() -> None:
    # left out of the count, kept as a reference that names the frame rule
    coded = code_incidents(COUNCIL, article_id="c", published_at=PUBLISHED,
                           title="Council approves the budget after a long debate")
    assert [(m.sub_event_type, m.role, m.why[1]) for m in coded] == [
        ("Shelling/artillery/missile attack", "primary", "ROLE-primary"),
        ("Attack", "reference", "ROLE-reference-frame")]


def test_without_a_title_the_next_act_still_takes_the_date_told_before_it() -> None:
    assert _types(None) == [("Shelling/artillery/missile attack", "DATE-own"), ("Attack", "DATE-inherited")]


def _recalled(sentence: str) -> list[str]:
    text = ("Aid workers returned to the valley on Sunday to reopen two clinics, officials said. " + sentence)
    return [m.role for m in code_incidents(text, article_id="r", published_at=PUBLISHED,
                                           title="Aid workers return to the valley")
            if m.event_type == "Violence against civilians"]


def test_an_attack_recalled_by_its_year_alone_with_a_toll_but_no_place_is_a_reference() -> None:
    assert _recalled("Gunmen killed nine farmers in 2021, residents recalled.") in ([], ["reference"])


def test_an_attack_recalled_by_its_year_with_a_toll_and_its_place_is_still_told() -> None:
    assert _recalled("Gunmen killed nine farmers in Kidal in 2021, residents recalled.") == ["background"]


def test_an_attack_recalled_by_its_month_with_a_toll_is_still_told() -> None:
    assert _recalled("Gunmen killed nine farmers in March, residents recalled.") == ["background"]


@pytest.mark.parametrize("label", ["Timeline", "Explainer", "Fact check", "Obituary"])
def test_a_recap_genre_retells_known_acts_and_reports_none(label: str) -> None:
    text = "Soldiers shelled a village near Gao, killing four. On 2 March 2024, gunmen killed 12 villagers in Kidal."
    coded = code_incidents(text, article_id="g", published_at=PUBLISHED, title=f"{label}: the long road to the truce")
    # the undated shelling is no news of a recap; the act it recalls with its own date is still coded
    assert [m.role for m in coded if m.role in ("primary", "background")] == ["background"]
    # the same text under a plain title reports the shelling as news
    plain = code_incidents(text, article_id="g", published_at=PUBLISHED, title="The long road to the truce")
    assert "primary" in [m.role for m in plain]
