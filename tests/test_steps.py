"""The ingest steps as plain functions: a run killed between storing mentions and merging them
leaves mentions no incident cites, the next run finds their months and merges them; the coding
processes read page bytes from the raw store themselves."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from extractors.pipeline import Page
from extractors.records import FeedEntry, Mention
from flows import steps
from warehouse import catalog, parquet, remerge, state
from warehouse.raw import RawStore

FETCHED = dt.datetime(2024, 8, 2, 9, tzinfo=dt.UTC)


def mention(n: int, day: dt.date, town: str) -> Mention:
    return Mention(
        mention_id=f"m{n}", article_id=f"a{n}", outlet=f"outlet{n}", reported_at=FETCHED,
        event_type="Explosions/Remote violence", sub_event_type="Air/drone strike", event_date=day,
        date_precision="day", iso3="IRQ", admin1="Al Anbar", location=town, latitude=None, longitude=None,
        geo_precision=1, actor1=None, actor2=None, fatalities=n, injuries=None, weapons=("drone",), munitions=None,
        role="primary", evidence=f"A drone struck {town}.", evidence_start=0, evidence_end=20, confidence=0.9,
        extractor_version="test",
    )


def test_mentions_left_unmerged_by_a_killed_run_are_merged_by_the_next(tmp_path):
    stored = [mention(1, dt.date(2024, 7, 30), "Ramadi"), mention(2, dt.date(2024, 8, 1), "Hit")]
    parquet.upsert(tmp_path, "mentions", [dataclasses.asdict(m) | {"ingested_at": FETCHED} for m in stored])
    assert state.unmerged_mention_months(tmp_path) == {"2024-07", "2024-08"}

    new, merged, months = remerge.remerge_incidents(tmp_path, state.unmerged_mention_months(tmp_path))

    assert (new, merged) == (2, 0) and {"2024-07", "2024-08"} <= set(months)
    assert state.unmerged_mention_months(tmp_path) == set()
    with catalog.connect(tmp_path) as con:
        rows = con.execute("SELECT location, fatalities FROM incidents ORDER BY location").fetchall()
    assert rows == [("Hit", 2), ("Ramadi", 1)]


@pytest.mark.slow  # a pool of coding processes (each imports the coder) codes 42 pages
def test_coding_processes_read_page_bytes_from_the_raw_store(tmp_path):
    """Pages handed over without bytes (as the ingest flow does) are read back from the raw store
    by the coding processes and give what pages with their bytes in hand give, in page order."""
    fixtures = sorted((Path(__file__).parent / "fixtures" / "pages").glob("article_*.html"))
    store = RawStore(tmp_path)
    with_bytes = []
    for i in range(steps.INLINE_BELOW + 2):  # enough pages to go to the process pool
        body = fixtures[i % len(fixtures)].read_bytes().replace(b"</body>", f"<p>copy {i}</p></body>".encode())
        url = f"https://news.example.com/story/{i}"
        entry = FeedEntry(feed_id="f", url=url, canonical_url=url, title=None, summary=None, published_at=FETCHED)
        with_bytes.append(Page(entry=entry, outlet="o", url=url, fetched_at=FETCHED,
                               raw_path=store.put(body, fetched_at=FETCHED), body=body))
    without_bytes = [dataclasses.replace(p, body=b"") for p in with_bytes]

    coding = steps.submit_coding(without_bytes, workers=2, chunk_size=100, root=tmp_path)
    expected = steps.code_all(with_bytes, workers=1, chunk_size=100)

    assert coding.result() == expected
    assert [c.article.url for c in expected] == [p.url for p in with_bytes]


def test_coding_processes_take_the_environment_the_flow_has_now(monkeypatch):
    """Workers read the raw store, so they need the flow's current credentials and settings."""
    monkeypatch.delenv("FLAREWATCH_TEST_MARK", raising=False)
    first = steps._pool(2)
    assert steps._pool(2) is first  # kept while nothing changes
    assert first.submit(os.getenv, "FLAREWATCH_TEST_MARK").result() is None
    monkeypatch.setenv("FLAREWATCH_TEST_MARK", "s3-credentials")
    second = steps._pool(2)
    assert second is not first
    assert second.submit(os.getenv, "FLAREWATCH_TEST_MARK").result() == "s3-credentials"


@pytest.mark.slow  # starts two pools of coding processes and kills one
def test_a_broken_pool_is_replaced_once(tmp_path):
    pool = steps._pool(2)
    os.kill(pool.submit(os.getpid).result(), signal.SIGKILL)
    with pytest.raises(BrokenProcessPool):
        for _ in range(20):  # the pool notices the death on a later call
            pool.submit(os.getpid).result()
            time.sleep(0.05)
    fresh = steps._pool(2, broken=pool)
    assert fresh is not pool and fresh.submit(int, "7").result() == 7
    assert steps._pool(2, broken=pool) is fresh  # a second chunk that saw the same break keeps it
