"""Text from the web is printed as stored by every command that prints it.

A hand-made warehouse whose article titles, outlets, evidence sentences, actors, locations and feed
errors carry console markup (`[b]`, `[/]`), emoji codes (`:x:`), an ANSI colour escape and a
right-to-left override. Each command must print the brackets and colons as written, never pass an
escape character or a bidi control to the terminal, and keep the exact text in CSV and JSON.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from extractors.records import Article, Incident, Mention
from flows.cli import main
from warehouse import attacks, parquet
from warehouse.schemas import FeedState

MARKUP = "They [the bandits] came [b]at night[/] :x: [/]"
ANSI = "\x1b[31mred\x1b[0m"
RTL = "\u202egnp.exe"
EVIDENCE = f"{MARKUP} and killed two villagers {ANSI} {RTL}."
WHEN = dt.datetime(2024, 7, 4, 9, 30, tzinfo=dt.UTC)


def article(n: int, outlet: str) -> Article:
    return Article(
        article_id=f"a{n}", canonical_url=f"https://news.example/{n}", url=f"https://news.example/{n}?[b]x[/]",
        feed_id="f1", outlet=outlet, title=f"Raid [b]{n}[/] :x:", author=None, text=EVIDENCE, published_at=WHEN,
        site_name=None, language="en", content_sha256=f"sha{n}", raw_path=None, fetched_at=WHEN,
        extractor_version="test")


def mention(n: int, outlet: str, role: str = "primary") -> Mention:
    return Mention(
        mention_id=f"m{n}", article_id=f"a{n}", outlet=outlet, reported_at=WHEN,
        event_type="Violence against civilians", sub_event_type="Attack", event_date=dt.date(2024, 7, 3),
        date_precision="day", iso3="NGA", admin1="Zamfara [b]", location="Village :x:", latitude=12.1,
        longitude=6.2, geo_precision=1, actor1="[red]Gunmen[/red]", actor2="Civilians", fatalities=2,
        injuries=None, weapons=("firearm",), munitions=None, role=role, evidence=EVIDENCE, evidence_start=0,
        evidence_end=len(EVIDENCE), confidence=0.9, extractor_version="test")


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    parquet.append(root, "articles", [article(1, "[b]Outlet[/b] :x:"), article(2, f"Second {ANSI}")])
    rows = [{**_asdict(m), "ingested_at": WHEN}
            for m in (mention(1, "[b]Outlet[/b] :x:"), mention(2, f"Second {ANSI}"))]
    parquet.upsert(root, "mentions", rows)
    incident = Incident(
        incident_id="inc[b]1", status="active", merged_into=None, event_type="Violence against civilians",
        sub_event_type="Attack", event_date=dt.date(2024, 7, 3), date_precision="day", iso3="NGA",
        admin1="Zamfara [b]", location="Village :x:", latitude=12.1, longitude=6.2, geo_precision=1,
        actor1="[red]Gunmen[/red]", actor2="Civilians", fatalities=2, fatalities_min=2, fatalities_max=2,
        injuries=None, weapons=("firearm",), munitions=None, n_mentions=2, n_articles=2, n_outlets=2,
        first_reported_at=WHEN, updated_at=WHEN, mention_ids=("m1", "m2"))
    parquet.upsert(root, "incidents", attacks.mark([incident]))
    parquet.replace_table(root, "feed_state", [FeedState(
        feed_id="f1", url="https://news.example/feed", last_polled_at=WHEN, last_status="error",
        last_error=f"HTTP 500 [b]{ANSI}[/] :x:", entries_seen=2)])
    return root


def _asdict(record) -> dict:
    import dataclasses

    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}


def printed(capsys, *argv: str) -> str:
    code = main(list(argv))
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def assert_shown_as_stored(out: str, *fragments: str) -> None:
    for fragment in fragments:
        assert fragment in out, fragment
    assert "\x1b" not in out and "\u202e" not in out
    assert "\\x1b[31m" in out or "\\u202e" in out  # made visible, not dropped


COMMANDS = {
    "show": ["show", "inc[b]1"],
    "sql": ["sql", "SELECT title, outlet, url FROM articles; SELECT evidence FROM mentions"],
    "status": ["status"],
    "trends": ["trends", "--group", "actor1"],
    "export": ["export", "--format", "acled-csv"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_markup_like_text_is_printed_as_stored(command, hostile_root, capsys):
    out = printed(capsys, *COMMANDS[command], "--data", str(hostile_root))
    if command == "show":
        assert_shown_as_stored(out, MARKUP, "[b]Outlet[/b] :x:", "[red]Gunmen[/red]", "Village :x:", "?[b]x[/]")
    elif command == "sql":
        assert_shown_as_stored(out, "Raid [b]1[/] :x:", "[b]Outlet[/b] :x:", MARKUP)
    elif command == "status":
        assert_shown_as_stored(out, "[b]", ":x:")
    elif command == "trends":
        assert "[red]Gunmen[/red]" in out and "\x1b" not in out
    else:  # export writes the exact stored text: it is a file, not a terminal
        row = next(csv.DictReader(io.StringIO(out)))
        assert row["notes"] == EVIDENCE and row["actor1"] == "[red]Gunmen[/red]"


def test_json_carries_the_exact_text(hostile_root, capsys):
    shown = json.loads(printed(capsys, "show", "inc[b]1", "--format", "json", "--data", str(hostile_root)))
    assert {s["evidence"] for s in shown["sources"]} == {EVIDENCE}
    rows = json.loads(printed(capsys, "sql", "SELECT outlet FROM articles ORDER BY outlet", "--format", "json",
                              "--data", str(hostile_root)))
    assert [r["outlet"] for r in rows] == ["Second " + ANSI, "[b]Outlet[/b] :x:"]


def test_show_counts_one_source_and_one_reference_in_the_singular(capsys):
    from flows import show

    source = {"outlet": "Example Post", "published_at": WHEN, "reported_at": WHEN, "role": "primary",
              "sentence": "Gunmen killed two villagers.", "fatalities": 2, "injuries": None, "why": [],
              "url": "https://news.example/1"}
    reference = {"outlet": "Other Daily", "published_at": WHEN, "url": "https://news.example/2"}
    show.render({"incident": {"incident_id": "i1", "n_references": 1}, "sources": [source],
                 "references": [reference]})
    out = capsys.readouterr().out
    assert "Sources: 1 mention from 1 outlet\n" in out
    assert "Referenced by 1 article (not counted" in out
