"""Reliability, round two (issue 14, row 7): paths are paths.

Data roots whose names hold DuckDB glob characters (`[`, `]`, `?`, `*`), each beside a neighbour
whose name the unescaped glob would also match: every view must read its own root's files, all
of them and nothing else.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from extractors.records import Article
from warehouse import catalog, parquet, paths

NOW = dt.datetime(2024, 5, 20, 12, tzinfo=dt.UTC)


def article(n: int, where: str) -> Article:
    return Article(article_id=f"{where}-{n}", canonical_url=f"https://n.example.com/{where}/{n}",
                   url=f"https://n.example.com/{where}/{n}", feed_id="f", outlet="o", title="t",
                   author=None, text="text", published_at=NOW, site_name=None, language="en",
                   content_sha256=f"{where}{n}", raw_path=None, fetched_at=NOW, extractor_version="x")


@pytest.mark.parametrize(("name", "neighbour"), [("data[1]", "data1"), ("d?ta", "data"), ("d*", "dx"),
                                                 ("a[b]?*c", "abxyc")])
def test_row7_a_root_with_glob_characters_reads_its_own_tables_only(
        tmp_path: Path, name: str, neighbour: str) -> None:
    root, other = tmp_path / name, tmp_path / neighbour
    parquet.append(root, "articles", [article(n, "mine") for n in range(3)])
    parquet.append(other, "articles", [article(n, "theirs") for n in range(5)])
    with catalog.connect(root) as con:
        got = con.execute("SELECT count(*), count(DISTINCT article_id) FROM articles").fetchone()
        urls = {r[0] for r in con.execute("SELECT canonical_url FROM articles").fetchall()}
    assert got == (3, 3)
    assert all("/mine/" in u for u in urls)


def test_row7_glob_escape() -> None:
    assert paths.glob_escape("/d/a[1]/x?y*z") == "/d/a[[]1[]]/x[?]y[*]z"
    assert paths.glob_escape("s3://bucket/plain/path") == "s3://bucket/plain/path"
