"""End to end: the demo corpus served over real HTTP on 127.0.0.1, the real ingest flow under
Prefect's test harness, real feedparser and trafilatura, Parquet read back by real DuckDB."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.demo import serve_demo, write_demo_feed_list
from warehouse import catalog

GOLD = Path(__file__).parent / "fixtures" / "demo_gold.jsonl"
pytestmark = pytest.mark.slow


def gold_docs() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def counts(root: Path) -> dict[str, int]:
    with catalog.connect(root) as con:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            for t in ("articles", "mentions", "incidents_all", "feed_state", "runs")
        }


def parquet_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*.parquet")
            if "runs" not in p.parts and "feed_state" not in p.parts}


@pytest.fixture(scope="module")
def demo_runs(prefect_harness, tmp_path_factory):
    """Ingest the demo corpus twice into one data root; returns the root and both summaries."""
    from flows.ingest import ingest

    root = tmp_path_factory.mktemp("warehouse")
    with serve_demo() as base_url:
        feeds = write_demo_feed_list(base_url, root.parent / "demo-feeds.yaml")
        first = ingest(feeds=str(feeds), data=str(root), allow_hosts=["127.0.0.1"])
        after_first = (counts(root), parquet_files(root))
        second = ingest(feeds=str(feeds), data=str(root), allow_hosts=["127.0.0.1"])
    return root, first, second, after_first


def test_first_run_ingests_every_demo_article(demo_runs):
    root, first, _, _ = demo_runs
    assert first["failures"] == []
    assert first["new_articles"] == len(gold_docs())
    with catalog.connect(root) as con:
        urls = {r[0].split("/pages/", 1)[1] for r in con.execute("SELECT canonical_url FROM articles").fetchall()}
        no_text = con.execute("SELECT count(*) FROM articles WHERE length(text) < 200").fetchall()[0][0]
    assert urls == {doc["url"].split("/pages/", 1)[1] for doc in gold_docs()}
    assert no_text == 0


def test_second_run_adds_nothing(demo_runs):
    root, _, second, (before, files_before) = demo_runs
    after = counts(root)
    assert second["new_articles"] == 0 and second["new_mentions"] == 0 and second["new_incidents"] == 0
    assert second["feeds_not_modified"] == second["feeds_polled"]
    assert {k: v for k, v in after.items() if k != "runs"} == {k: v for k, v in before.items() if k != "runs"}
    assert after["runs"] == before["runs"] + 1
    assert parquet_files(root) == files_before


def test_warehouse_is_hive_partitioned_by_month(demo_runs):
    root = demo_runs[0]
    months = {p.name for p in (root / "incidents").iterdir() if p.is_dir()}
    assert months and all(m.startswith("event_month=") for m in months)
    assert any((root / "raw").rglob("*.gz"))
    with catalog.connect(root) as con:
        bad = con.execute(
            "SELECT count(*) FROM incidents_all WHERE strftime(event_date, '%Y-%m') <> event_month"
        ).fetchall()[0][0]
    assert bad == 0


def test_every_incident_traces_to_a_sentence(demo_runs):
    root = demo_runs[0]
    with catalog.connect(root) as con:
        orphans = con.execute(
            "SELECT count(*) FROM incidents i WHERE NOT EXISTS "
            "(SELECT 1 FROM incident_sources s WHERE s.incident_id = i.incident_id AND length(s.evidence) > 0)"
        ).fetchall()[0][0]
        incidents = con.execute("SELECT count(*) FROM incidents").fetchall()[0][0]
    assert incidents > 0 and orphans == 0


def test_attacks_per_month_match_the_hand_count(demo_runs):
    """The monthly attack counts equal the distinct hand-coded incidents (clusters) per month."""
    root = demo_runs[0]
    expected: dict[str, set[str]] = {}
    for doc in gold_docs():
        for incident in doc["incidents"]:
            attack = incident["event_type"] in {"Battles", "Explosions/Remote violence", "Violence against civilians"} \
                or incident["sub_event_type"] == "Disrupted weapons use"
            if attack:
                expected.setdefault(incident["event_date"][:7], set()).add(incident["cluster"])
    with catalog.connect(root) as con:
        got = dict(con.execute(
            "SELECT strftime(month, '%Y-%m'), sum(incidents) FROM attacks_per_month GROUP BY 1"
        ).fetchall())
    assert got == {m: len(c) for m, c in expected.items()}


def incidents_table(root: Path, *, ids: bool = True) -> list[tuple]:
    """Every incident row (but `updated_at`); without ids: the active incidents' content only."""
    with catalog.connect(root) as con:
        if ids:
            return con.execute("SELECT * EXCLUDE (updated_at) FROM incidents_all ORDER BY incident_id").fetchall()
        rows = con.execute(
            "SELECT * EXCLUDE (incident_id, merged_into, status, updated_at, first_reported_at), "
            "list_sort(mention_ids) AS mention_ids FROM incidents ORDER BY list_sort(mention_ids)"
        ).fetchall()
    return rows


def ingest_in_steps(feed_lists: list[Path], root: Path, chunk_size: int) -> None:
    from flows.ingest import ingest

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FLAREWATCH_CHUNK_SIZE", str(chunk_size))
        for feeds in feed_lists:
            ingest(feeds=str(feeds), data=str(root), allow_hosts=["127.0.0.1"])


def test_ingest_order_does_not_change_the_incidents(prefect_harness, tmp_path):
    """Feeds in reverse order and small chunks: the same incidents, ids included, as before; the
    same outlets in two runs (one outlet first, the rest later): the same incidents and figures
    (ids may differ: an id stays with the incident first stored, so later reports never move it)."""
    import yaml

    with serve_demo() as base_url:  # one server: article URLs (and so ids) include its port
        listing = yaml.safe_load(write_demo_feed_list(base_url, tmp_path / "feeds.yaml").read_text())
        forward = tmp_path / "forward.yaml"
        forward.write_text(yaml.safe_dump(listing))
        listing["feeds"].reverse()
        reverse = tmp_path / "reverse.yaml"
        reverse.write_text(yaml.safe_dump(listing))
        first = tmp_path / "first.yaml"
        first.write_text(yaml.safe_dump({"feeds": listing["feeds"][:1]}))
        ingest_in_steps([forward], tmp_path / "forward", chunk_size=100)
        ingest_in_steps([reverse], tmp_path / "reversed", chunk_size=4)
        ingest_in_steps([first, reverse], tmp_path / "two-runs", chunk_size=4)
    expected = incidents_table(tmp_path / "forward")
    assert len(expected) > 10
    assert incidents_table(tmp_path / "reversed") == expected
    assert incidents_table(tmp_path / "two-runs", ids=False) == incidents_table(tmp_path / "forward", ids=False)
