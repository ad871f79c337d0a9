"""`flarewatch backfill --reprocess stale` after a coder-only upgrade: the months it re-codes end
current, a second run plans nothing, and an ingest's record of such a month keeps it current.

The demo corpus but one April article is ingested (real HTTP on 127.0.0.1, the real ingest flow),
then made to look coded by an older extractor: every stored article version says OLD and the months' `partitions`
rows too. The current extractor then re-extracts the same text from the same raw pages (what a
coder-only change does), so the articles table has nothing to append; before, the months stayed
stale for ever (the stored versions kept saying OLD) and every `--reprocess stale` re-coded them,
and the ingest of the held-back article recorded its month as OLD's again.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extractors.articles import EXTRACTOR_ID
from flows import plan as planning
from flows.cli import main
from flows.demo import DEMO_DIR, serve_demo, write_demo_feed_list
from warehouse import catalog, coverage, partitions, paths
from warehouse.swap import write_atomic

pytestmark = pytest.mark.slow

OLD = "0.0.9+older-coder"
RUN, OTHER = ["2024-04", "2024-05"], ["2024-03", "2024-06", "2024-07", "2024-08", "2024-09", "2024-10"]


def as_if_older(root: Path) -> None:
    """Every stored article version, and every articles month's record, says OLD coded it (each
    file rewritten with its other columns and footer metadata as they were)."""
    parsed = paths.open_root(root)
    for f in sorted((root / "articles").rglob("*.parquet")):
        tbl = pq.ParquetFile(f).read()
        i = tbl.column_names.index("extractor_version")
        write_atomic(parsed, tbl.set_column(i, tbl.schema.field(i), pa.array([OLD] * tbl.num_rows)), str(f))
    months = {p: r["rows"] for (_, p), r in partitions.partition_rows(root, "articles").items()}
    partitions.mark_partitions(root, "articles", months, status="done", run_id="older", extractor_version=OLD)


def versions_by_month(root: Path) -> dict[str, set[str]]:
    """Publication month -> the extractor versions of its articles' latest versions (DuckDB)."""
    with catalog.connect(root) as con:
        rows = con.execute("SELECT strftime(coalesce(published_at, fetched_at), '%Y-%m'), extractor_version "
                           "FROM articles_latest").fetchall()
    out: dict[str, set[str]] = {}
    for month, version in rows:
        out.setdefault(month, set()).add(version)
    return out


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@dataclass
class Older:
    """A demo root as an older extractor left it, its feed list and the served copy of the demo."""

    root: Path
    feeds: Path
    feed: Path
    """The feed one April entry is held back from (`restore` puts it back)."""
    full: str

    def restore(self) -> None:
        self.feed.write_text(self.full, encoding="utf-8")


@pytest.fixture()
def older(prefect_harness, tmp_path) -> Iterator[Older]:
    """The demo corpus but one April article ingested (the demo served from a copy, which stays
    served for the test), then made to look coded by OLD (`as_if_older`)."""
    from flows.ingest import ingest

    site, root = tmp_path / "site", tmp_path / "data"
    shutil.copytree(DEMO_DIR, site)
    feed = site / "feeds" / "gulf-monitor.xml"
    full = feed.read_text(encoding="utf-8")
    april = [e for e in re.findall(r"\s*<entry>.*?</entry>", full, flags=re.S) if "<published>2024-04" in e][0]
    feed.write_text(full.replace(april, ""), encoding="utf-8")
    with serve_demo(site) as base_url:
        feeds = write_demo_feed_list(base_url, tmp_path / "demo-feeds.yaml", directory=site)
        assert ingest(feeds=str(feeds), data=str(root), allow_hosts=["127.0.0.1"])["failures"] == []
        as_if_older(root)
        yield Older(root, feeds, feed, full)


def stale(root: Path, months: list[str]) -> dict[str, bool]:
    return {m: a.stale for m, a in coverage.article_months(root, months).items()}


def test_reprocess_stale_leaves_the_months_current(older, capsys):
    from flows.ingest import ingest

    root = older.root
    with catalog.connect(root) as con:
        rows_before = con.execute("SELECT count(*) FROM articles").fetchall()
    assert planning.make_plan(root, RUN[0], RUN[-1], reprocess="stale").to_run == RUN
    assert all(stale(root, RUN + OTHER).values())

    assert main(["backfill", "--data", str(root), "--start", RUN[0], "--end", RUN[-1], "--reprocess", "stale"]) == 0
    assert "2 month partition(s) done, 0 failed" in capsys.readouterr().out
    # (1) the re-coded months are current, in DuckDB and in the bookkeeping; nothing was appended
    by_month = versions_by_month(root)
    assert {m: by_month[m] for m in RUN} == {m: {EXTRACTOR_ID} for m in RUN}
    assert {m: by_month[m] for m in OTHER} == {m: {OLD} for m in OTHER}  # not re-coded: still the old ones'
    with catalog.connect(root) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchall() == rows_before
    assert stale(root, RUN) == dict.fromkeys(RUN, False)
    assert stale(root, OTHER) == dict.fromkeys(OTHER, True)
    rows = partitions.partition_rows(root, "articles")
    assert {rows[("articles", m)]["extractor_version"] for m in RUN} == {EXTRACTOR_ID}
    # ... and a second run plans nothing and writes nothing
    before = tree(root)
    assert main(["backfill", "--data", str(root), "--start", RUN[0], "--end", RUN[-1], "--reprocess", "stale"]) == 0
    assert "Nothing to run." in capsys.readouterr().out
    assert tree(root) == before

    # (2) an ingest that codes a new article into such a month records it (at its end) as
    # current, not stale again
    older.restore()
    before = coverage.article_months(root, RUN)
    assert ingest(feeds=str(older.feeds), data=str(root), allow_hosts=["127.0.0.1"])["new_articles"] == 1
    rows = partitions.partition_rows(root, "articles")
    assert rows[("articles", "2024-04")]["run_id"] != before["2024-04"].run_id  # the ingest recorded it
    assert rows[("articles", "2024-04")]["rows"] == before["2024-04"].articles + 1
    assert {rows[("articles", m)]["extractor_version"] for m in RUN} == {EXTRACTOR_ID}
    assert stale(root, RUN) == dict.fromkeys(RUN, False)
    assert planning.make_plan(root, RUN[0], RUN[-1], reprocess="stale").to_run == []


@pytest.mark.parametrize("stop", ["restamp", "record"])
def test_a_run_stopped_around_the_restamp_is_finished_by_the_next(older, monkeypatch, capsys, stop):
    """Stopped just before the restamp (mentions re-coded, articles still OLD) or just after it
    (the month not recorded): the months are not done, and the next run re-codes them to current."""
    from warehouse import parquet, recoded

    older_root = older.root

    def stopped(*args, **kwargs):
        raise RuntimeError(f"stopped at {stop}")

    monkeypatch.setattr(*((parquet, "restamp", stopped) if stop == "restamp" else (recoded, "record_month", stopped)))
    args = ["backfill", "--data", str(older_root), "--start", RUN[0], "--end", RUN[-1], "--reprocess", "stale"]
    assert main(args) == 1
    assert {m: r["status"] for (_, m), r in partitions.partition_rows(older_root, "articles").items() if m in RUN} \
        == dict.fromkeys(RUN, "failed")
    monkeypatch.undo()
    assert main(args) == 0
    assert "2 month partition(s) done, 0 failed" in capsys.readouterr().out
    assert {m: versions_by_month(older_root)[m] for m in RUN} == {m: {EXTRACTOR_ID} for m in RUN}
    assert stale(older_root, RUN) == dict.fromkeys(RUN, False)
    assert planning.make_plan(older_root, RUN[0], RUN[-1], reprocess="stale").to_run == []
