"""The ingest steps as plain functions: a run killed between storing mentions and merging them
leaves mentions no incident cites; the next run finds their months and merges them."""

from __future__ import annotations

import dataclasses
import datetime as dt

from extractors.records import Mention
from flows import steps
from warehouse import catalog, parquet, state

FETCHED = dt.datetime(2024, 8, 2, 9, tzinfo=dt.timezone.utc)


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

    new, merged, months = steps.remerge_incidents(tmp_path, state.unmerged_mention_months(tmp_path))

    assert (new, merged) == (2, 0) and {"2024-07", "2024-08"} <= set(months)
    assert state.unmerged_mention_months(tmp_path) == set()
    with catalog.connect(tmp_path) as con:
        rows = con.execute("SELECT location, fatalities FROM incidents ORDER BY location").fetchall()
    assert rows == [("Hit", 2), ("Ramadi", 1)]
