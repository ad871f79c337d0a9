"""One rule picks the latest version of an article everywhere (`partitions.LATEST_ORDER`): the
DuckDB views analysts query (`articles_latest`, `incident_sources`), the report's sources
(`attacks.with_sources`) and the partition bookkeeping (`latest_article_refs`, `month_articles`)
choose the same row. A re-extraction (`flarewatch backfill --reprocess`) appends a version with the
fetch time of the page it re-reads, so versions tie on `fetched_at`: the current extractor's wins,
then the lowest content hash. (Before, the views and the sources took the lowest hash even over the
current extractor's version, and the bookkeeping took the highest hash.)"""

from __future__ import annotations

import dataclasses
import datetime as dt

from extractors.articles import EXTRACTOR_ID
from extractors.records import Article
from tests.test_cli_analyst import incident
from tests.test_report_page import mention
from warehouse import attacks, catalog, parquet, partitions

T = dt.datetime(2024, 3, 30, 8, tzinfo=dt.UTC)
MARCH, APRIL = T - dt.timedelta(days=2), T + dt.timedelta(days=5)
OLD = "0.2.0+old-extractor"


def version(n: int, sha: str, extractor: str, *, fetched: dt.datetime = T, published: dt.datetime = MARCH) -> Article:
    """Article `a<n>`, one version: its url, title and publication month tell the versions apart."""
    return Article(article_id=f"a{n}", canonical_url=f"https://example.org/{n}", url=f"https://example.org/{n}/{sha[0]}",
                   feed_id="f", outlet="Outlet", title=f"title {sha[0]} by {extractor}", author=None, text="text",
                   published_at=published, site_name=None, language="en", content_sha256=sha, raw_path=None,
                   fetched_at=fetched, extractor_version=extractor)


STORED = [
    version(1, "1" * 64, OLD), version(2, "2" * 64, EXTRACTOR_ID), version(3, "3" * 64, EXTRACTOR_ID),
    version(4, "4" * 64, EXTRACTOR_ID),
]
APPENDED = [  # later, in a file of their own
    version(1, "e" * 64, EXTRACTOR_ID, published=APRIL),  # re-extracted from the same fetch: the current extractor's
    version(2, "d" * 64, EXTRACTOR_ID, published=APRIL),  # same fetch, same extractor: the lower hash stays
    version(3, "c" * 64, OLD, fetched=T + dt.timedelta(hours=1), published=APRIL),  # a newer fetch, whoever made it
]
LATEST = {"a1": "e" * 64, "a2": "2" * 64, "a3": "c" * 64, "a4": "4" * 64}


def test_the_views_the_sources_and_the_partitions_take_the_same_latest_version(tmp_path):
    parquet.append(tmp_path, "articles", STORED)
    parquet.append(tmp_path, "articles", APPENDED)
    parquet.upsert(tmp_path, "mentions", [mention(f"m{n}", f"a{n}", None, 1) for n in range(1, 5)])
    told = dataclasses.replace(incident(1, dt.date(2024, 3, 28), "IRQ", "Battles", "Armed clash", 4),
                               mention_ids=("m1", "m2", "m3", "m4"))
    parquet.replace_partitions(tmp_path, "incidents", {"2024-03": attacks.mark([told])})
    url = {a.content_sha256: a.url for a in STORED + APPENDED}
    title = {a.content_sha256: a.title for a in STORED + APPENDED}

    with catalog.connect(tmp_path) as con:
        view = con.execute("SELECT article_id, content_sha256, title FROM articles_latest ORDER BY 1").fetchall()
        cited = con.execute("SELECT article_id, url FROM incident_sources ORDER BY 1").fetchall()
    assert view == [(a, sha, title[sha]) for a, sha in LATEST.items()]
    assert cited == [(a, url[sha]) for a, sha in LATEST.items()]

    [shown] = attacks.with_sources(tmp_path, [{"mention_ids": ["m1", "m2", "m3", "m4"]}])
    assert sorted(s["url"] for s in shown["sources"]) == sorted(url[sha] for sha in LATEST.values())

    refs = partitions.latest_article_refs(tmp_path)
    assert {r["article_id"]: r["content_sha256"] for r in refs} == LATEST
    # a1 and a3 moved to April with their latest versions; a2 and a4 stay in March, all by the
    # current extractor there, while April's a3 is the old extractor's
    assert partitions.month_articles(tmp_path, ["2024-03", "2024-04"]) == {
        "2024-03": (2, EXTRACTOR_ID), "2024-04": (2, OLD)}

