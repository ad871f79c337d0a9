"""warehouse.recoded: a backfill's reads and ordered writes, with the coding passed in (no Prefect
here). The order is what makes a killed backfill safe to run again."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from extractors.months import event_month, publication_month
from flows import steps
from warehouse import parquet, recoded, remerge, state
from warehouse.handle import Warehouse
from warehouse.raw import RawStore


@pytest.fixture(scope="module")
def coded():
    """One coded article with one incident mention (the built-in warm-up page)."""
    found = steps.warm_up_coding()
    assert found is not None and found.mentions
    return found


def code(pages):
    return [c for c in map(steps.code_within_budget, pages) if c is not None]


def stop(root, months):
    raise RuntimeError("stopped before the re-merge")


def test_discovered_articles_are_stored_last_so_a_failed_merge_leaves_their_urls_new(tmp_path, coded, monkeypatch):
    warehouse = Warehouse.open(tmp_path / "data")
    month = publication_month(coded.article)
    url = coded.article.canonical_url
    with monkeypatch.context() as patched, pytest.raises(RuntimeError, match="stopped"):
        patched.setattr(remerge, "remerge_incidents", stop)
        recoded.store_discovered(warehouse, [coded], month)
    assert parquet.read(warehouse, "mentions").num_rows == len(coded.mentions)
    assert parquet.read(warehouse, "articles").num_rows == 0
    assert state.seen_canonical_urls(warehouse, among=[url]) == set()  # fetched again next time
    result = recoded.store_discovered(warehouse, [coded], month)
    assert (result["articles"], result["new_articles"], result["new_incidents"]) == (1, 1, 1)
    assert parquet.read(warehouse, "mentions").num_rows == len(coded.mentions)  # replaced, not doubled
    assert state.seen_canonical_urls(warehouse, among=[url]) == {url}


def test_a_recode_reads_the_raw_pages_and_replaces_the_months_mentions(tmp_path, coded, monkeypatch):
    warehouse = Warehouse.open(tmp_path / "data")
    month = publication_month(coded.article)
    raw_path = RawStore(warehouse).put(steps._WARM_UP_PAGE, fetched_at=coded.article.fetched_at)
    # stored with one mention more than the coder now finds, dated in another month
    stale = dataclasses.replace(coded.mentions[0], mention_id="m-stale", event_date=dt.date(2020, 1, 5))
    stored = dataclasses.replace(coded, article=dataclasses.replace(coded.article, raw_path=raw_path),
                                 mentions=(*coded.mentions, stale))
    lost = dataclasses.replace(coded.article, article_id="a-lost", url="http://127.0.0.1/lost.html",
                               canonical_url="http://127.0.0.1/lost.html", raw_path="raw/nowhere/page-0.gz")
    recoded.store_discovered(warehouse, [stored, dataclasses.replace(coded, article=lost, mentions=())], month)
    assert parquet.read(warehouse, "incidents", partitions=["2020-01"]).num_rows == 1  # the stale mention's

    prepared = recoded.prepare_recode(warehouse, month, code=code)
    assert (prepared.articles, len(prepared.coded), prepared.kept) == (2, 1, ())
    assert [f.target for f in prepared.failures] == [lost.url]
    merged: list[set[str]] = []

    remerge_incidents = remerge.remerge_incidents

    def recording(root, months):
        merged.append(set(months))
        return remerge_incidents(root, months)

    monkeypatch.setattr(remerge, "remerge_incidents", recording)
    result = recoded.write_recode(warehouse, prepared)
    assert merged == [{event_month(m.event_date) for m in coded.mentions} | {"2020-01"}]
    assert (result["recoded"], result["new_versions"], result["mentions_replaced"]) == (1, 0, 1)
    assert result["new_incidents"] == 0 and "2020-01" in result["incident_months"]
    assert sorted(parquet.read(warehouse, "mentions")["mention_id"].to_pylist()) == sorted(
        m.mention_id for m in coded.mentions)
    assert parquet.read(warehouse, "incidents", partitions=["2020-01"]).num_rows == 0  # its incident went
    assert [f["target"] for f in result["failures"]] == [lost.url]
