"""A poll reads what it touches, not the history: the seen-URL check, the key checks of its writes,
the re-merge and the partition records work on a warehouse whose older files cannot be read at all
(their data pages zeroed, their footers intact), and a run keeps counts, not articles."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from extractors.pipeline import CodedArticle
from extractors.records import Article, Mention
from extractors.urls import article_id
from flows import report, report_page, steps
from warehouse import compact, parquet, partitions, remerge, state
from warehouse.mentions import store_coded
from warehouse.raw import RawStore

OLD = [dt.datetime(2023, m, 10, 8, tzinfo=dt.UTC) for m in (1, 2, 3)]
NOW = dt.datetime(2024, 8, 2, 9, tzinfo=dt.UTC)


def article(url: str, fetched: dt.datetime, published: dt.datetime | None = None) -> Article:
    return Article(
        article_id=article_id(url), canonical_url=url, url=url, feed_id="f", outlet="Outlet", title="T",
        author=None, text=f"Text of {url}", published_at=published or fetched, site_name=None, language="en",
        content_sha256=f"{abs(hash(url)):064d}"[:64], raw_path=None, fetched_at=fetched, extractor_version="test",
    )


def mention(n: int, art: Article, day: dt.date, town: str) -> Mention:
    return Mention(
        mention_id=f"m{n}", article_id=art.article_id, outlet=art.outlet, reported_at=art.fetched_at,
        event_type="Explosions/Remote violence", sub_event_type="Air/drone strike", event_date=day,
        date_precision="day", iso3="IRQ", admin1="Al Anbar", location=town, latitude=None, longitude=None,
        geo_precision=1, actor1=None, actor2=None, fatalities=1, injuries=None, weapons=("drone",),
        munitions=None, role="primary", evidence=f"A drone struck {town}.", evidence_start=0, evidence_end=20,
        confidence=0.9, extractor_version="test",
    )


def zero_data_pages(path: Path) -> None:
    """Overwrite everything between the magic bytes and the footer: the footer (statistics, key
    filter) still reads, any column does not."""
    raw = bytearray(path.read_bytes())
    footer = int.from_bytes(raw[-8:-4], "little")
    raw[4 : len(raw) - 8 - footer] = bytes(len(raw) - 12 - footer)
    path.write_bytes(bytes(raw))


@pytest.fixture
def history(tmp_path):
    """Three old months of articles, mentions and merged incidents, then made unreadable."""
    n = 0
    for fetched in OLD:
        arts = [article(f"https://old.example/{fetched:%Y-%m}/{i}", fetched) for i in range(20)]
        coded = []
        for a in arts:
            n += 1
            coded.append(CodedArticle(article=a, mentions=(mention(n, a, fetched.date(), f"Town{n}"),)))
        store_coded(tmp_path, coded)
        remerge.remerge_incidents(tmp_path, {f"{fetched:%Y-%m}"})
    assert state.unmerged_mention_months(tmp_path) == set()
    for f in tmp_path.rglob("*.parquet"):
        if f.parts[-3] in ("articles", "mentions", "incidents"):
            zero_data_pages(f)
    with pytest.raises(OSError):  # the history really is unreadable
        parquet.read(tmp_path, "mentions")
    return tmp_path


def test_a_poll_never_reads_the_history_it_does_not_touch(history):
    new = [article(f"https://new.example/{i}", NOW) for i in range(3)]
    urls = [a.canonical_url for a in new]
    assert state.seen_canonical_urls(history, among=urls) == set()
    coded = [CodedArticle(article=a, mentions=(mention(100 + i, a, dt.date(2024, 8, 1), "Ramadi"),))
             for i, a in enumerate(new)]
    assert store_coded(history, coded) == (3, 3)
    assert state.seen_canonical_urls(history, among=[*urls, "https://new.example/other"]) == set(urls)
    assert state.unmerged_mention_months(history) == {"2024-08"}

    new_incidents, merged, months = remerge.remerge_incidents(history, state.unmerged_mention_months(history))
    partitions.record_coded_months(history, {"2024-08"}, "run-1", months)

    assert (new_incidents, merged) == (1, 0)  # three reports of one strike
    assert state.unmerged_mention_months(history) == set()
    stored = parquet.read(history, "incidents", partitions=["2024-08"]).to_pylist()
    assert [sorted(i["mention_ids"]) for i in stored] == [["m100", "m101", "m102"]]
    rows = partitions.partition_rows(history)
    assert rows[("articles", "2024-08")]["rows"] == 3 and rows[("incidents", "2024-08")]["rows"] == 1
    # what the run publishes after: the monthly artifact and the report page with its latest attack
    monthly = report.monthly_table(history)
    assert [m["month"] for m in monthly] == ["2023-01", "2023-02", "2023-03", "2024-08"]
    assert monthly[-1] == {"month": "2024-08", "incidents": 1, "fatalities": 1}
    page = report_page.page(str(history), 1, recorded=True)
    total = sum(m["incidents"] for m in monthly)
    assert f"Total: {total} incidents" in page and "A drone struck Ramadi." in page


def test_the_sweep_of_temp_files_leaves_the_raw_months_unlisted(tmp_path, monkeypatch):
    """A killed write's temp file is swept from the tables and from the raw store's `.partial`
    folder, where a page waits before its rename; the raw store's month folders (a file per page
    ever fetched) are not listed at all."""
    listed: list[str] = []
    walk = os.walk
    monkeypatch.setattr(os, "walk", lambda top: ((f, d, n) for f, d, n in walk(top) if not listed.append(f)))
    this_month = f"fetch_month={dt.datetime.now(dt.UTC):%Y-%m}"
    stored = RawStore(tmp_path).put(b"<html>page</html>", fetched_at=dt.datetime.now(dt.UTC))
    assert stored.startswith(f"raw/{this_month}/") and os.listdir(tmp_path / "raw" / ".partial") == []
    temps = [tmp_path / "raw" / ".partial" / ".page-1.gz.aaaa.tmp",
             tmp_path / "raw" / this_month / "page-2.gz.tmp",
             tmp_path / "articles" / "ingest_month=2020-01" / ".part-1.parquet.tmp"]
    for f in temps:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"partial")
    assert compact.sweep_temp(tmp_path, older_than=0) == 2
    assert [f.exists() for f in temps] == [False, True, False]
    assert str(tmp_path / "raw" / this_month) not in listed and str(tmp_path / "articles") in listed


def test_a_stored_key_is_found_wherever_it_lives(history, tmp_path):
    """The key filters only skip files: a key stored in the history is still found (so a write
    never stores it twice), and lookups of new keys open no history file."""
    clean = tmp_path / "clean"
    old = article("https://old.example/2023-02/5", OLD[1])
    store_coded(clean, [CodedArticle(article=old, mentions=(mention(1, old, OLD[1].date(), "Hit"),))])
    store_coded(clean, [CodedArticle(article=article("https://x.example/1", NOW), mentions=())])
    assert parquet.stored_keys(clean, "mentions", ["m1", "m2"]) == {"m1"}
    assert state.seen_canonical_urls(clean, among=[old.canonical_url]) == {old.canonical_url}
    assert parquet.append(clean, "articles", [old]) == 0  # already stored two months ago
    # the same mention id again, from a later fetch: it moves, it is not doubled
    later = dataclasses.replace(old, fetched_at=NOW)
    assert parquet.upsert(clean, "mentions", [dataclasses.asdict(mention(1, later, NOW.date(), "Hit"))
                                              | {"ingested_at": NOW}]) == ["2023-02", "2024-08"]
    assert parquet.read(clean, "mentions")["mention_id"].to_pylist() == ["m1"]
    # in the unreadable history, new keys open nothing
    assert parquet.stored_keys(history, "mentions", ["m999", "x"]) == set()


def test_a_run_keeps_counts_not_articles(tmp_path):
    arts = [article(f"https://new.example/{i}", NOW, published=OLD[0]) for i in range(3)]
    coding = steps.submit_coding([], workers=1, chunk_size=10)
    coding._done = [CodedArticle(article=a, mentions=()) for a in arts]  # coded already
    result = steps.store_chunk(tmp_path, coding)
    assert (result.articles, result.mentions) == (3, 0)
    assert result.by_feed == (("f", 3),) and result.published == frozenset({"2023-01"})
    assert not any(isinstance(v, (list, tuple)) and v and not isinstance(v[0], tuple)
                   for v in dataclasses.astuple(result))


def test_files_carry_a_key_filter_in_their_footer(tmp_path):
    a = article("https://new.example/1", NOW)
    parquet.append(tmp_path, "articles", [a])
    (f,) = (tmp_path / "articles").rglob("*.parquet")
    assert parquet.BLOOM_META in pq.read_metadata(f).metadata
