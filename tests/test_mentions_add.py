"""Mentions added a file per write (`parquet.add`): a poll's write costs its rows, not its month, and
readers (DuckDB and `parquet.read`) still see every mention id once through additions, reruns,
re-codes (`replace_article_mentions`), compaction and object storage. Real files under tmp_path."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from test_warehouse import AUG, JULY, make_mention

from warehouse import catalog, changes, compact, parquet, paths
from warehouse.mentions import replace_article_mentions


def rows(ns: range | list[int], at: dt.datetime = JULY, **kw: object) -> list[dict]:
    return [dataclasses.asdict(make_mention(n, f"a{n // 10}", **kw)) | {"ingested_at": at} for n in ns]


def files(root: Path | str, month: str = "2024-07") -> list[str]:
    directory = paths.partition_dir(root, "mentions", "ingest_month", month)
    return [f.rsplit("/", 1)[1] for f in paths.data_files(root, directory)]


def seen(root: Path | str) -> dict[str, tuple[str, str, str]]:
    """mention id -> (evidence, ingest month, extractor version) as readers see it; none twice."""
    table = parquet.read(root, "mentions", columns=["mention_id", "evidence", "ingest_month", "extractor_version"])
    got = [tuple(r.values()) for r in table.to_pylist()]
    assert len({r[0] for r in got}) == len(got), "a mention is stored twice"
    if isinstance(root, Path):
        with catalog.connect(root) as con:
            duck = con.execute("SELECT mention_id, evidence, ingest_month, extractor_version FROM mentions").fetchall()
        assert sorted(duck) == sorted(got)
    return {r[0]: r[1:] for r in got}


def test_new_mentions_are_added_as_a_file_each_and_logged(tmp_path):
    assert parquet.add(tmp_path, "mentions", rows(range(0, 5))) == 5
    assert parquet.add(tmp_path, "mentions", rows(range(5, 8)) + rows([100], AUG)) == 4
    july = files(tmp_path)
    assert len(july) == 2 and all(f.startswith("part-") for f in july)  # the first file was not rewritten
    assert files(tmp_path, "2024-08") and len(seen(tmp_path)) == 9
    assert changes.pending(tmp_path, "mentions").months == {"2024-07"}
    assert len(changes.pending(tmp_path, "mentions").files) == 2  # one log file per write, before its data
    assert parquet.stored_keys(tmp_path, "mentions", ["m3", "m7", "m100", "m999"]) == {"m3", "m7", "m100"}


def test_a_stored_id_added_again_replaces_it_and_leaves_one_file(tmp_path):
    """A run killed between its mentions and its articles codes them again: upsert's semantics."""
    parquet.add(tmp_path, "mentions", rows(range(0, 5)))
    parquet.add(tmp_path, "mentions", rows(range(5, 8)))
    again = rows([6, 7, 8], evidence="Coded again.")
    assert parquet.add(tmp_path, "mentions", again) == 3
    assert files(tmp_path) == ["data.parquet"]  # the partition rewritten whole: its files replaced at once
    got = seen(tmp_path)
    assert sorted(got) == [f"m{n}" for n in range(9)]
    assert [got[f"m{n}"][0] for n in (5, 6, 7, 8)] == ["Evidence sentence 5.", *["Coded again."] * 3]
    parquet.add(tmp_path, "mentions", rows(range(20, 22)))  # then additions resume beside data.parquet
    assert len(files(tmp_path)) == 2 and len(seen(tmp_path)) == 11


def test_a_recode_replaces_every_file_of_the_month(tmp_path):
    parquet.add(tmp_path, "mentions", rows(range(0, 5)))
    parquet.add(tmp_path, "mentions", rows(range(10, 15)))
    parquet.add(tmp_path, "mentions", rows(range(20, 22), AUG))
    new = rows([10, 11], extractor_version="t2")
    removed, months = replace_article_mentions(tmp_path, {"a1"}, new)
    assert removed == {"m12", "m13", "m14"} and months == {"2024-07"}
    assert files(tmp_path) == ["data.parquet"] and len(files(tmp_path, "2024-08")) == 1
    got = seen(tmp_path)
    assert sorted(got) == sorted([f"m{n}" for n in (0, 1, 2, 3, 4, 10, 11, 20, 21)])
    assert {got[m][2] for m in ("m10", "m11")} == {"t2"} and got["m0"][2] == "t1"


def test_compaction_merges_added_mention_files_into_data_parquet(tmp_path):
    for start in (0, 10, 20):
        parquet.add(tmp_path, "mentions", rows(range(start, start + 4)))
    parquet.add(tmp_path, "mentions", rows([50], AUG))
    before = seen(tmp_path)
    assert compact.compact(tmp_path, "mentions") == {"2024-07": 3}
    assert files(tmp_path) == ["data.parquet"] and seen(tmp_path) == before
    assert compact.compact(tmp_path, "mentions") == {}
    assert parquet.add(tmp_path, "mentions", rows([1], evidence="Again.")) == 1  # keys still found
    assert files(tmp_path) == ["data.parquet"] and seen(tmp_path)["m1"][0] == "Again."


def test_only_mentions_take_additions(tmp_path):
    with pytest.raises(ValueError, match="additions"):
        parquet.add(tmp_path, "incidents", [])
    with pytest.raises(ValueError, match="append"):
        compact.compact(tmp_path, "incidents")


def test_on_object_storage_an_addition_keeps_one_object_per_month():
    """fsspec's in-memory file system stands in for s3://: there a month is rewritten whole."""
    root = "memory://memflat-add/warehouse"
    parquet.add(root, "mentions", rows(range(0, 3)))
    parquet.add(root, "mentions", rows(range(3, 6)))
    assert files(root) == ["data.parquet"] and len(seen(root)) == 6
