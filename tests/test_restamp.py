"""A re-extraction that reproduces a stored article version stamps it with its extractor
(`recoded.restamp_reproduced`, through `parquet.restamp`): only the files holding those rows are
rewritten, nothing else in them changes, a rerun rewrites nothing, and the restamped version is
then "the current extractor's" for `partitions.LATEST_ORDER`, in Arrow and in DuckDB's
`articles_latest` alike. Real Parquet files, read back by DuckDB."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

import pyarrow.parquet as pq

from extractors.articles import EXTRACTOR_ID
from extractors.pipeline import CodedArticle
from tests.test_latest_version import OLD, version
from warehouse import catalog, parquet, partitions, recoded

T = dt.datetime(2024, 3, 30, 8, tzinfo=dt.UTC)


def files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / "articles").rglob("*.parquet"))}


def test_restamp_rewrites_only_the_files_that_hold_a_changed_row(tmp_path):
    march = [version(1, "1" * 64, OLD), version(2, "2" * 64, OLD)]
    may = [version(3, "3" * 64, OLD, fetched=T + dt.timedelta(days=40))]
    parquet.append(tmp_path, "articles", march)
    parquet.append(tmp_path, "articles", may)
    before = files(tmp_path)
    [march_file] = [f for f in before if "ingest_month=2024-03" in f]
    old_rows = pq.ParquetFile(tmp_path / march_file).read()
    stamps = parquet.to_arrow([dataclasses.replace(march[1], extractor_version=EXTRACTOR_ID),
                               dataclasses.replace(may[0], content_sha256="9" * 64, extractor_version="x")],
                              "articles").select(["article_id", "content_sha256", "extractor_version"])

    assert parquet.restamp(tmp_path, "articles", "extractor_version", stamps) == 1  # a3's "9..." is not stored
    after = files(tmp_path)
    assert {f for f in after if after[f] != before[f]} == {march_file} and after.keys() == before.keys()
    new_rows = pq.ParquetFile(tmp_path / march_file).read()
    others = [c for c in old_rows.column_names if c != "extractor_version"]
    assert new_rows.select(others) == old_rows.select(others)  # same rows, same order, same values
    assert new_rows.schema.metadata[parquet.BLOOM_META] == old_rows.schema.metadata[parquet.BLOOM_META]
    with catalog.connect(tmp_path) as con:
        got = con.execute("SELECT article_id, extractor_version FROM articles ORDER BY 1").fetchall()
    assert got == [("a1", OLD), ("a2", EXTRACTOR_ID), ("a3", OLD)]
    assert parquet.read(tmp_path, "articles", keys=["a2"])["extractor_version"].to_pylist() == [EXTRACTOR_ID]

    assert parquet.restamp(tmp_path, "articles", "extractor_version", stamps) == 0  # a rerun: nothing written
    assert files(tmp_path) == after


def test_the_reproduced_version_becomes_the_latest(tmp_path):
    """Two versions of one fetch, both an older extractor's: the one the current extractor
    reproduces is restamped and becomes the latest (not the lower hash); a reproduction from
    another fetch restamps nothing."""
    low, high = version(1, "1" * 64, OLD), version(1, "9" * 64, OLD)
    elsewhere = version(2, "2" * 64, OLD)
    parquet.append(tmp_path, "articles", [low, high, elsewhere])
    assert {r["article_id"]: r["content_sha256"] for r in partitions.latest_article_refs(tmp_path)}["a1"] == "1" * 64
    coded = [CodedArticle(dataclasses.replace(high, extractor_version=EXTRACTOR_ID), ()),
             CodedArticle(dataclasses.replace(elsewhere, extractor_version=EXTRACTOR_ID,
                                              fetched_at=T + dt.timedelta(hours=1)), ())]

    assert recoded.restamp_reproduced(tmp_path, coded) == 1
    assert recoded.restamp_reproduced(tmp_path, coded) == 0
    refs = {r["article_id"]: (r["content_sha256"], r["extractor_version"])
            for r in partitions.latest_article_refs(tmp_path)}
    assert refs == {"a1": ("9" * 64, EXTRACTOR_ID), "a2": ("2" * 64, OLD)}
    with catalog.connect(tmp_path) as con:
        view = con.execute("SELECT article_id, content_sha256, extractor_version FROM articles_latest "
                           "ORDER BY 1").fetchall()
        low_now = con.execute("SELECT extractor_version FROM articles WHERE content_sha256 = ?",
                              ["1" * 64]).fetchall()
    assert view == [("a1", *refs["a1"]), ("a2", *refs["a2"])]
    assert low_now == [(OLD,)]  # the version not reproduced keeps its extractor
    assert partitions.month_articles(tmp_path, ["2024-03"]) == {"2024-03": (2, OLD)}  # a2 is still the old one's
