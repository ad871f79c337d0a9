"""`partitions.month_articles` (Arrow, versions ranked only for articles stored more than once)
counts what `latest_article_refs` (one dict per article) gives: re-fetched articles that moved
month, re-codes by another extractor, ties on fetch time broken by content hash. (Before, it took
the first rows of its sorted table, not each article's first row: right only when every article
was stored once.)"""

from __future__ import annotations

import dataclasses
import datetime as dt

from extractors.articles import EXTRACTOR_ID
from extractors.months import publication_month
from extractors.records import Article
from warehouse import parquet, partitions

T = dt.datetime(2024, 3, 30, 8, tzinfo=dt.UTC)


def article(n: int, fetched: dt.datetime, published: dt.datetime | None, sha: str, version: str) -> Article:
    url = f"https://example.org/{n}"
    return Article(article_id=f"a{n}", canonical_url=url, url=url, feed_id="f", outlet="Outlet", title="T",
                   author=None, text="text", published_at=published, site_name=None, language="en",
                   content_sha256=sha, raw_path=None, fetched_at=fetched, extractor_version=version)


def test_the_month_counts_follow_each_articles_latest_version(tmp_path):
    old, day = "old-extractor", dt.timedelta(days=1)
    first = [article(n, T, T - n * day if n % 3 else None, f"{n:064d}", EXTRACTOR_ID) for n in range(9)]
    again = [  # a version is stored once per (article_id, content_sha256)
        dataclasses.replace(first[1], fetched_at=T + 9 * day, published_at=T + 5 * day, content_sha256="a" * 64),
        dataclasses.replace(first[2], extractor_version=old, content_sha256="f" * 64),  # a re-code: same fetch
        dataclasses.replace(first[4], extractor_version=old, fetched_at=T + day, content_sha256="b" * 64),
        dataclasses.replace(first[5], content_sha256="9" * 64, published_at=T + 3 * day),  # the higher hash: not it
        dataclasses.replace(first[7], extractor_version=old, fetched_at=T + 2 * day, published_at=None,
                            content_sha256="c" * 64),
        dataclasses.replace(first[8], content_sha256="0" * 64, published_at=T + 3 * day),  # the lower hash
    ]
    parquet.append(tmp_path, "articles", first)
    parquet.append(tmp_path, "articles", again)
    months = ["2024-02", "2024-03", "2024-04", "2024-05"]
    refs = partitions.latest_article_refs(tmp_path)
    expected = {}
    for m in months:
        mine = [r for r in refs if publication_month(r) == m]
        if mine:
            expected[m] = (len(mine), partitions.month_extractor_version(mine))
    assert partitions.month_articles(tmp_path, months) == expected
    assert expected == {"2024-03": (6, old), "2024-04": (3, old)}  # moved: a1, a8 (lower hash), a7 (undated)
    assert partitions.month_articles(tmp_path, ["2024-03"]) == {"2024-03": expected["2024-03"]}
