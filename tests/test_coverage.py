"""warehouse.coverage: the month states the backfill plan and `flarewatch status` read, from real
Parquet written by the real write functions under tmp_path."""

from __future__ import annotations

import datetime as dt

from test_warehouse import AUG, JULY, make_article, make_incident

from extractors.articles import EXTRACTOR_ID
from warehouse import parquet, partitions, state
from warehouse.coverage import article_months, read_coverage
from warehouse.schemas import FeedState

UTC = dt.UTC


def filled(root):
    """July: two articles by the current extractor, done; August: one article by an older one,
    done; September: a failed month without articles; incidents in July (two) and August (one)."""
    parquet.append(root, "articles", [
        make_article(1, fetched=JULY, extractor_version=EXTRACTOR_ID),
        make_article(2, fetched=JULY, extractor_version=EXTRACTOR_ID),
        make_article(3, fetched=AUG, extractor_version="old-extractor"),
    ])
    partitions.mark_partitions(root, "articles", {"2024-07": 2}, status="done", run_id="r-july")
    partitions.mark_partitions(root, "articles", {"2024-08": 1}, status="done", run_id="r-aug",
                               extractor_version="old-extractor")
    partitions.mark_partitions(root, "articles", {"2024-09": None}, status="failed", run_id="r-sep",
                               error="boom")
    parquet.upsert(root, "incidents", [make_incident("i1", dt.date(2024, 7, 3)),
                                       make_incident("i2", dt.date(2024, 7, 9)),
                                       make_incident("i3", dt.date(2024, 8, 1))])
    partitions.mark_incident_months(root, ["2024-07", "2024-08"], "r-july")
    state.save_feed_state(root, [FeedState(feed_id="f2", url="https://b.example/rss", entries_seen=4),
                                 FeedState(feed_id="f1", url="https://a.example/rss", last_status="ok")])
    for n, day in enumerate((1, 3, 2)):
        state.record_run(root, run_id=f"run{n}", kind="poll", started_at=dt.datetime(2024, 9, day, tzinfo=UTC),
                         finished_at=dt.datetime(2024, 9, day, 1, tzinfo=UTC), new_articles=n)


def test_article_months_give_state_count_and_staleness_per_month(tmp_path):
    filled(tmp_path)
    got = article_months(tmp_path, ["2024-06", "2024-07", "2024-08", "2024-09"])
    assert list(got) == ["2024-06", "2024-07", "2024-08", "2024-09"]
    june, july, aug, sep = got.values()
    assert (june.status, june.articles, june.stale, june.extractor_version) == ("missing", 0, False, None)
    assert (july.status, july.articles, july.stale, july.extractor_version) == ("done", 2, False, EXTRACTOR_ID)
    assert (aug.status, aug.articles, aug.stale, aug.stored_version) == ("done", 1, True, "old-extractor")
    assert (sep.status, sep.error, sep.run_id) == ("failed", "boom", "r-sep")


def test_coverage_reads_feeds_every_month_and_the_latest_runs(tmp_path):
    filled(tmp_path)
    cov = read_coverage(tmp_path, last_runs=2)
    assert [f.feed_id for f in cov.feeds] == ["f1", "f2"] and cov.feeds[1].entries_seen == 4
    assert [m.month for m in cov.months] == ["2024-07", "2024-08", "2024-09"]
    july, aug, sep = cov.months
    assert (july.articles.articles, july.incidents.incidents, july.incidents.status) == (2, 2, "done")
    assert aug.articles.stale and not aug.incidents.stale and aug.incidents.incidents == 1
    assert (sep.articles.status, sep.incidents.status, sep.incidents.incidents) == ("failed", "missing", 0)
    assert [r.run_id for r in cov.runs] == ["run1", "run2"]  # newest first, two of three


def test_recorded_coverage_counts_articles_as_the_partition_rows_recorded_them(tmp_path):
    filled(tmp_path)
    parquet.append(tmp_path, "articles", [make_article(4, fetched=JULY, extractor_version=EXTRACTOR_ID)])
    counted = {m.month: m.articles.articles for m in read_coverage(tmp_path).months}
    recorded = {m.month: m.articles.articles for m in read_coverage(tmp_path, recorded=True).months}
    assert counted["2024-07"] == 3 and recorded["2024-07"] == 2
    assert recorded["2024-09"] == 0
