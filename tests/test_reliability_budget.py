"""Reliability, round two (issue 14, row 2): bounded work per document.

A page whose text is over the character budget, and a page whose coding runs past the wall-time
budget (one long comma-spliced sentence of places and figures, the shape that made coding grow
with the square of the text), go through the real extraction and coder: each is stored with
`coding_status` "coding: over budget" and no mentions, the run's chunk result names it, the
articles view shows it, and the other pages of the batch are coded as usual.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from pathlib import Path

import pytest

from extractors import budget
from extractors.pipeline import Page
from extractors.records import FeedEntry
from flows import steps
from warehouse import catalog
from warehouse.mentions import store_coded

NOW = dt.datetime(2024, 5, 20, 12, tzinfo=dt.UTC)
STORY = ("Gunmen killed four villagers in an attack on a market near Maiduguri in Borno state on "
         "Sunday, a local official said. Residents said the attackers arrived on motorcycles.")


def long_sentence(n_clauses: int) -> str:
    rng = random.Random(3)
    clauses = ["gunmen killed {n} people in Kano", "{n} soldiers were wounded near Mosul",
               "a bomb killed {n} civilians in Kabul", "{n} villagers died in Borno state"]
    return "On Monday, " + ", ".join(rng.choice(clauses).format(n=rng.randint(2, 40))
                                     for _ in range(n_clauses)) + "."


def page(name: str, text: str) -> Page:
    html = f"<html><head><title>{name}</title></head><body><article><p>{text}</p></article></body></html>"
    url = f"https://news.example.com/{name}"
    entry = FeedEntry(feed_id="f", url=url, canonical_url=url, title=name, summary=None,
                      published_at=NOW)
    return Page(entry=entry, outlet="Example", url=url, fetched_at=NOW, raw_path=None,
                body=html.encode(), feed_language="en")


def test_row2_text_over_the_character_budget_is_stored_uncoded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(steps, "CODING_CHARS", 1_000)
    long, short = page("long", " ".join([STORY] * 10)), page("short", STORY)
    coded = steps.code_stored(None, [long, short])
    assert coded[0] is not None and coded[0].article.coding_status == steps.OVER_BUDGET
    assert coded[0].mentions == () and len(coded[0].article.text) > 1_000
    assert coded[1] is not None and coded[1].article.coding_status != steps.OVER_BUDGET
    assert len(coded[1].mentions) >= 1


def test_row2_coding_past_the_time_budget_is_stopped_and_the_batch_goes_on(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(steps, "CODING_SECONDS", 1.0)
    slow, fine = page("slow", long_sentence(2_000)), page("fine", STORY)  # ~70 kB in one sentence
    start = time.process_time()  # CPU, not wall: a loaded machine stretches wall time, not this
    coded = steps.code_stored(None, [slow, fine])
    took = time.process_time() - start
    assert coded[0] is not None and coded[0].article.coding_status == steps.OVER_BUDGET
    assert coded[0].mentions == ()
    assert took < 15  # coding it whole took minutes before the budget
    assert coded[1] is not None and len(coded[1].mentions) >= 1
    root = tmp_path / "data"
    articles, _ = store_coded(root, [c for c in coded if c is not None])
    assert articles == 2
    with catalog.connect(root) as con:
        rows = con.execute("SELECT canonical_url, coding_status FROM articles ORDER BY 1").fetchall()
    assert rows[1] == ("https://news.example.com/slow", "coding: over budget")
    assert rows[0][1] != "coding: over budget"


def test_row2_the_time_limit_leaves_no_exception_behind() -> None:
    """A limit that fires as its block ends must not raise later, somewhere else."""
    for _ in range(50):
        try:
            with budget.time_limit(0.001):
                sum(range(20_000))
        except budget.OverBudget:
            pass
        time.sleep(0.002)
        sum(range(20_000))  # an exception left pending would land here
