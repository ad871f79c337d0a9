"""Backfills: the plan and its rules, a dry run that writes nothing, re-coding the demo corpus from
the raw store, a second run that changes nothing, a killed run that resumes, the data lock between
a backfill and an ingest (two processes), sitemaps and URL lists served on 127.0.0.1, and status.

One demo warehouse is ingested per module (real HTTP on 127.0.0.1, the real ingest flow under the
session's Prefect harness) and copied for each test that writes. Coding itself is still being
improved elsewhere, so nothing here pins incident counts: the assertions are invariants (same
results twice, nothing lost or doubled, every partition done, nothing written by a dry run).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from extractors.articles import EXTRACTOR_ID
from flows import plan as planning
from flows.cli import main
from flows.demo import DEMO_DIR, serve_demo, write_demo_feed_list
from warehouse import catalog, parquet, partitions, remerge, state
from warehouse.lock import LockTimeout

pytestmark = pytest.mark.slow

GOLD = Path(__file__).parent / "fixtures" / "demo_gold.jsonl"
DEMO_MONTHS = [f"2024-{m:02d}" for m in range(3, 11)]
RANGE = ["--start", "2024-03", "--end", "2024-10"]
REPO = Path(__file__).resolve().parent.parent

QUERIES = {
    "incidents": "SELECT * FROM incidents_all ORDER BY incident_id",
    "mentions": "SELECT * FROM mentions ORDER BY mention_id",
    "articles": "SELECT * FROM articles ORDER BY article_id, content_sha256",
    "attacks_per_month": "SELECT * FROM attacks_per_month ORDER BY ALL",
}


def snapshot(root: Path) -> dict[str, list]:
    """The query results a user sees."""
    with catalog.connect(root) as con:
        return {name: con.execute(sql).fetchall() for name, sql in QUERIES.items()}


def data_files(root: Path) -> dict[str, str]:
    """sha256 of every Parquet file of the data tables (not the bookkeeping `partitions`, `runs`)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*.parquet"))
        if p.relative_to(root).parts[0] not in ("partitions", "runs")
    }


def tree(root: Path) -> dict[str, str]:
    """Every file under the root (lock files included) with its content hash."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def invariants(root: Path, articles: int | None = None) -> None:
    """Nothing lost or doubled: every counted mention is cited by exactly one active incident (references
    and aggregates by none), every cited
    mention exists, every mention's article is stored, and (demo roots) every demo article is there."""
    with catalog.connect(root) as con:
        one = lambda sql: con.execute(sql).fetchall()[0][0]  # noqa: E731
        assert one("WITH c AS (SELECT unnest(mention_ids) AS m FROM incidents_all WHERE status <> 'merged') "
                   "SELECT count(*) FROM c WHERE m NOT IN (SELECT mention_id FROM mentions)") == 0
        assert one("SELECT count(*) FROM mentions WHERE role IN ('primary', 'background') AND mention_id NOT IN "
                   "(SELECT unnest(mention_ids) FROM incidents_all WHERE status = 'active')") == 0
        assert one("SELECT count(*) FROM (SELECT unnest(mention_ids) AS m FROM incidents_all "
                   "WHERE status = 'active' GROUP BY m HAVING count(*) > 1)") == 0
        assert one("SELECT count(*) FROM mentions WHERE article_id NOT IN (SELECT article_id FROM articles)") == 0
        expected = len(GOLD.read_text().splitlines()) if articles is None else articles
        assert one("SELECT count(DISTINCT article_id) FROM articles") == expected


def statuses(root: Path) -> dict[str, str]:
    return state.partition_status(root, "articles")


def copy_of(root: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(root, target)
    return target


@pytest.fixture(scope="module")
def demo_server():
    with serve_demo() as base_url:
        yield base_url


@pytest.fixture(scope="module")
def demo_feeds(demo_server, tmp_path_factory) -> Path:
    return write_demo_feed_list(demo_server, tmp_path_factory.mktemp("feeds") / "demo-feeds.yaml")


@pytest.fixture(scope="module")
def demo_root(prefect_harness, demo_feeds, tmp_path_factory) -> Path:
    """The demo corpus ingested once (never written to by a test: copy it)."""
    from flows.ingest import ingest

    root = tmp_path_factory.mktemp("demo") / "data"
    summary = ingest(feeds=str(demo_feeds), data=str(root), allow_hosts=["127.0.0.1"])
    assert summary["failures"] == [] and summary["new_articles"] > 0
    return root


@pytest.fixture(scope="module")
def recoded(demo_root, tmp_path_factory):
    """A copy of the demo warehouse backfilled once from the raw store, uninterrupted."""
    root = copy_of(demo_root, tmp_path_factory.mktemp("recoded"))
    assert main(["backfill", "--data", str(root), *RANGE, "--reprocess", "all"]) == 0
    return root, snapshot(root), data_files(root)


@pytest.fixture(scope="module")
def subprocess_env(prefect_harness) -> dict[str, str]:
    """Environment for a `flarewatch` subprocess: the harness's API, so it starts no server."""
    from prefect.settings import PREFECT_API_URL

    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAREWATCH_")}
    env.update(PREFECT_API_URL=str(PREFECT_API_URL.value()), PREFECT_LOGGING_LEVEL="WARNING",
               PYTHONPATH=str(REPO))
    return env


def start_held_backfill(root: Path, flag: Path, month: str, env: dict[str, str], months: list[str]) -> subprocess.Popen:
    """`flarewatch backfill` in a subprocess that stops mid-write in `month` (tests/hold_backfill.py
    patches it from outside) and returns once it is there, holding the data root's lock."""
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("hold_backfill.py")), month, str(flag),
         "--data", str(root), *months, "--reprocess", "all", "--max-parallel", "1"],
        env=env, cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while not flag.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"backfill never reached {month}: {proc.communicate()[0].decode()[-2000:]}")
        time.sleep(0.05)
    return proc


# --- the plan ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "stale", "runs_under"),
    [
        ("missing", False, {"none", "failed", "stale", "all"}),
        ("running", False, {"none", "failed", "stale", "all"}),
        ("failed", False, {"failed", "stale", "all"}),
        ("done", True, {"stale", "all"}),
        ("done", False, {"all"}),
    ],
)
def test_reprocess_rules(status, stale, runs_under):
    assert {mode for mode in planning.REPROCESS if planning.decide(status, stale, mode)[0]} == runs_under


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2024-13", "--end", "2024-12"], "not YYYY-MM"),
        (["--start", "2024-1", "--end", "2024-12"], "not YYYY-MM"),
        (["--start", "2024-05", "--end", "2024-03"], "before start"),
        (["--start", "2024-03", "--end", "2024-05", "--source", "urls"], "urls FILE"),
        (["--start", "2024-03", "--end", "2024-05", "--source", "ftp"], "urls FILE"),
        (["--start", "2024-03", "--end", "2024-05", "--source", "urls", "/nonexistent/list.txt"], "no URL list"),
        (["--start", "2024-03", "--end", "2024-05", "--max-parallel", "0"], "at least 1"),
    ],
)
def test_bad_input_exits_2_with_a_reason(tmp_path, capsys, args, message):
    assert main(["backfill", "--data", str(tmp_path / "data"), *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "data").exists()


def test_ingest_records_the_months_it_coded(demo_root):
    rows = partitions.partition_rows(demo_root)
    articles = {p: r for (t, p), r in rows.items() if t == "articles"}
    assert sorted(articles) == DEMO_MONTHS
    assert all(r["status"] == "done" and r["extractor_version"] == EXTRACTOR_ID and r["rows"]
               for r in articles.values())
    incident_months = {p for (t, p), r in rows.items() if t == "incidents" and r["status"] == "done"}
    assert set(parquet.list_partitions(demo_root, "incidents")) <= incident_months


def test_dry_run_prints_the_plan_and_writes_nothing(demo_root, tmp_path, capsys):
    root = copy_of(demo_root, tmp_path)
    before = tree(root)
    assert main(["backfill", "--data", str(root), "--start", "2024-01", "--end", "2024-12",
                 "--reprocess", "all", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert tree(root) == before
    assert "Dry run: nothing was written." in out
    for month in DEMO_MONTHS:
        assert month in out
    assert out.count("RUN: re-code it") == len(DEMO_MONTHS)
    assert out.count("skip: no stored article") == 4  # 2024-01, -02, -11, -12
    # the default policy (stale) skips months coded by the current extractor
    assert main(["backfill", "--data", str(root), *RANGE, "--dry-run"]) == 0
    assert "0 of 8 month partitions to run" in capsys.readouterr().out
    # and a data root that does not exist is not created
    assert main(["backfill", "--data", str(tmp_path / "absent"), *RANGE, "--dry-run"]) == 0
    assert not (tmp_path / "absent").exists()


def test_stale_months_are_planned_after_an_extractor_upgrade(demo_root, tmp_path):
    root = copy_of(demo_root, tmp_path)
    partitions.mark_partitions(root, "articles", {"2024-04": 4, "2024-07": 3}, status="done", run_id="old",
                          extractor_version="0.0.9+trafilatura-2.0.0")
    plan = planning.make_plan(root, "2024-03", "2024-10", reprocess="stale")
    assert plan.to_run == ["2024-04", "2024-07"]
    assert planning.make_plan(root, "2024-03", "2024-10", reprocess="none").to_run == []
    assert planning.make_plan(root, "2024-03", "2024-10", reprocess="all").to_run == DEMO_MONTHS


# --- running it ------------------------------------------------------------------------------------


def test_backfill_recodes_every_month_from_the_raw_store(demo_root, recoded):
    root, after, _ = recoded
    rows = partitions.partition_rows(root, "articles")
    run_ids = {rows[("articles", m)]["run_id"] for m in DEMO_MONTHS}
    assert len(run_ids) == 1 and next(iter(run_ids)).startswith("backfill:2024-03..2024-10:raw:all:")
    assert all(rows[("articles", m)]["status"] == "done" for m in DEMO_MONTHS)
    runs = [r for r in parquet.read(root, "runs").to_pylist() if r["kind"] == "backfill"]
    assert len(runs) == 1 and runs[0]["finished_at"] is not None and runs[0]["failures"] == 0
    invariants(root)
    # the raw store was read, never refetched: no page added
    pages = lambda base: {p.relative_to(base) for p in (base / "raw").rglob("*.gz")}  # noqa: E731
    assert pages(root) == pages(demo_root)


def test_second_run_changes_nothing(recoded, tmp_path, capsys):
    root, first, files = recoded
    work = copy_of(root, tmp_path)
    assert main(["backfill", "--data", str(work), *RANGE, "--reprocess", "all", "--max-parallel", "3"]) == 0
    assert "8 month partition(s) done, 0 failed" in capsys.readouterr().out
    assert snapshot(work) == first
    assert data_files(work) == files  # byte for byte
    # and with the default policy there is nothing to do at all
    before = tree(work)
    assert main(["backfill", "--data", str(work), *RANGE]) == 0
    assert "Nothing to run." in capsys.readouterr().out
    assert tree(work) == before


def test_a_failed_month_is_named_and_the_rest_is_done(demo_root, tmp_path, capsys):
    root = copy_of(demo_root, tmp_path)
    victim = partitions.articles_by_month(root)["2024-09"][0]
    (root / victim["raw_path"]).unlink()
    code = main(["backfill", "--data", str(root), "--start", "2024-08", "--end", "2024-09", "--reprocess", "all"])
    err = capsys.readouterr().err
    assert code == 1
    assert "2024-09 failed" in err and victim["url"] in err and "unreadable" in err
    assert statuses(root)["2024-09"] == "failed" and statuses(root)["2024-08"] == "done"
    assert "raw page" in partitions.partition_rows(root, "articles")[("articles", "2024-09")]["error"]
    invariants(root)  # the month's other articles were re-coded, nothing lost
    # --reprocess none leaves a failed month alone; failed retries it (and it fails again, honestly)
    assert planning.make_plan(root, "2024-08", "2024-09", reprocess="none").to_run == []
    assert planning.make_plan(root, "2024-08", "2024-09", reprocess="failed").to_run == ["2024-09"]


def test_killed_backfill_resumes_with_nothing_lost_or_doubled(demo_root, recoded, subprocess_env, tmp_path, capsys):
    root = copy_of(demo_root, tmp_path)
    flag = tmp_path / "hold"
    proc = start_held_backfill(root, flag, "2024-04", subprocess_env, RANGE)
    os.kill(proc.pid, signal.SIGKILL)  # mid-write: articles and mentions written, incidents not
    proc.wait(30)
    flag.unlink()
    assert statuses(root)["2024-04"] == "running"
    done_before = partitions.partition_rows(root, "articles")[("articles", "2024-03")]
    assert done_before["status"] == "done" and done_before["run_id"].startswith("backfill:")

    assert main(["backfill", "--data", str(root), *RANGE, "--reprocess", "all"]) == 0
    out = capsys.readouterr().out
    assert "Resuming backfill:2024-03..2024-10:raw:all:" in out
    assert out.count("skip: done by this backfill (resuming)") == 1  # 2024-03
    assert "7 month partition(s) done, 0 failed" in out
    assert all(statuses(root)[m] == "done" for m in DEMO_MONTHS)
    assert snapshot(root) == recoded[1]  # exactly what the uninterrupted run left
    invariants(root)
    runs = [r for r in parquet.read(root, "runs").to_pylist() if r["kind"] == "backfill"]
    assert len(runs) == 1 and runs[0]["finished_at"] is not None  # the resumed run closed the killed one


def test_backfill_and_ingest_never_write_at_once(demo_root, demo_feeds, subprocess_env, tmp_path, monkeypatch):
    """Two processes: a backfill stopped mid-write holds the data lock; an ingest cannot write
    until it is released (it times out naming the backfill's pid, or waits), then writes."""
    from flows.ingest import ingest

    root = copy_of(demo_root, tmp_path)
    flag = tmp_path / "hold"
    proc = start_held_backfill(root, flag, "2024-04", subprocess_env, ["--start", "2024-04", "--end", "2024-05"])
    try:
        held = tree(root)
        monkeypatch.setenv("FLAREWATCH_LOCK_TIMEOUT", "0.5")
        with pytest.raises(LockTimeout, match=f"pid {proc.pid} "):
            ingest(feeds=str(demo_feeds), data=str(root), allow_hosts=["127.0.0.1"])
        assert tree(root) == held

        monkeypatch.setenv("FLAREWATCH_LOCK_TIMEOUT", "120")
        done: dict = {}
        waiter = threading.Thread(target=lambda: done.update(
            ingest(feeds=str(demo_feeds), data=str(root), allow_hosts=["127.0.0.1"])), daemon=True)
        waiter.start()
        time.sleep(1.5)
        assert waiter.is_alive() and tree(root) == held  # waiting, not writing
        flag.unlink()
        assert proc.wait(90) == 0, proc.communicate()[0].decode()[-2000:]
        waiter.join(90)
        assert not waiter.is_alive() and done["failures"] == []
    finally:
        if proc.poll() is None:
            proc.kill()
    # The ingest wrote after the held month's writes ended (the backfill releases the lock between
    # months, so the ingest may also come before the later ones: each write phase is whole).
    before = {r["run_id"] for r in parquet.read(demo_root, "runs").to_pylist()}
    runs = {r["kind"]: r for r in parquet.read(root, "runs").to_pylist() if r["run_id"] not in before}
    held_month = partitions.partition_rows(root, "articles")[("articles", "2024-04")]
    assert runs["ingest"]["finished_at"] > held_month["finished_at"]
    assert runs["backfill"]["finished_at"] is not None and runs["backfill"]["failures"] == 0
    assert all(statuses(root)[m] == "done" for m in DEMO_MONTHS)
    invariants(root)


# --- other sources ----------------------------------------------------------------------------------


def _published_months() -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        month = json.loads(line)["published_at"][:7]
        counts[month] = counts.get(month, 0) + 1
    return counts


def test_sitemaps_source_adds_only_articles_published_in_range(prefect_harness, tmp_path, capsys):
    site = tmp_path / "site"
    shutil.copytree(DEMO_DIR, site)
    pages = sorted(p.relative_to(site) for p in (site / "pages").rglob("*.html"))
    urls = [f"{{{{BASE_URL}}}}/{p}" for p in pages]
    dated = ["{{BASE_URL}}/pages/archive/2023/01/05/old-story.html"]  # dated outside: never fetched
    entries = "".join(f"<url><loc>{u}</loc></url>" for u in urls + dated)
    (site / "sitemap.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</urlset>", encoding="utf-8")
    root = tmp_path / "data"
    with serve_demo(site) as base_url:
        feeds = write_demo_feed_list(base_url, tmp_path / "feeds.yaml", directory=site)
        args = ["backfill", "--data", str(root), "--start", "2024-05", "--end", "2024-06", "--source", "sitemaps",
                "--feeds", str(feeds), "--allow-host", "127.0.0.1", "--reprocess", "all"]
        assert main(args) == 0
        out = capsys.readouterr().out
        assert f"{len(pages) + 1} URLs found, 0 already ingested, 1 dated outside" in out
        first = snapshot(root)
        with catalog.connect(root) as con:
            got = con.execute("SELECT strftime(published_at, '%Y-%m'), count(*), count(outlet) "
                              "FROM articles GROUP BY 1 ORDER BY 1").fetchall()
        expected = _published_months()
        assert got == [(m, expected[m], expected[m]) for m in ("2024-05", "2024-06")]
        assert statuses(root) == {"2024-05": "done", "2024-06": "done"}
        # again: the stored ones are not refetched, the others are fetched and dropped again
        assert main(args) == 0
        assert f"{len(pages) + 1} URLs found, {sum(expected[m] for m in ('2024-05', '2024-06'))} already ingested" \
            in capsys.readouterr().out
        assert snapshot(root) == first


def test_urls_source_names_the_urls_that_failed(demo_server, prefect_harness, tmp_path, capsys):
    listed = tmp_path / "urls.txt"
    good = f"{demo_server}/pages/levant-wire/drone-shot-down-near-erbil-airport.html?utm_source=list"
    out_of_range = f"{demo_server}/pages/levant-wire/hundreds-protest-power-cuts-in-basra.html"
    missing = f"{demo_server}/pages/nowhere/gone.html"
    listed.write_text(f"# a list\n{good}\n{out_of_range}\n\n{missing}\n{good}\n", encoding="utf-8")
    root = tmp_path / "data"
    code = main(["backfill", "--data", str(root), "--start", "2024-04", "--end", "2024-04", "--source", "urls",
                 str(listed), "--allow-host", "127.0.0.1"])
    captured = capsys.readouterr()
    assert code == 1
    assert missing in captured.err and "404" in captured.err
    with catalog.connect(root) as con:
        urls = [r[0] for r in con.execute("SELECT canonical_url FROM articles").fetchall()]
    assert urls == [good.split("?")[0]]
    assert statuses(root) == {"2024-04": "done"}
    invariants(root, articles=1)


def test_urls_run_stopped_before_its_articles_is_finished_by_the_next(demo_server, prefect_harness, tmp_path,
                                                                       monkeypatch, capsys):
    """Mentions written, articles not (so their URLs still count as new): the next run fetches the
    pages again and completes the month, nothing doubled."""
    listed = tmp_path / "urls.txt"
    pages = ["levant-wire/drone-shot-down-near-erbil-airport",
             "gulf-monitor/shelling-kills-girl-wounds-three-relatives-in-taiz"]
    listed.write_text("".join(f"{demo_server}/pages/{p}.html\n" for p in pages), encoding="utf-8")
    root = tmp_path / "data"
    args = ["backfill", "--data", str(root), "--start", "2024-04", "--end", "2024-04", "--source", "urls", str(listed),
            "--allow-host", "127.0.0.1"]

    def stop(root, months) -> None:  # in place of the re-merge that follows the mentions
        raise RuntimeError("stopped after the mentions")

    monkeypatch.setattr(remerge, "remerge_incidents", stop)
    assert main(args) == 1
    assert "2024-04 failed" in capsys.readouterr().err
    assert statuses(root) == {"2024-04": "failed"}
    with catalog.connect(root) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchall()[0][0] == 0
        assert con.execute("SELECT count(*) FROM mentions").fetchall()[0][0] > 0
    monkeypatch.undo()
    assert main(args) == 0
    assert "2 to fetch" in capsys.readouterr().out
    assert statuses(root) == {"2024-04": "done"}
    invariants(root, articles=2)


# --- status -----------------------------------------------------------------------------------------


def test_status_shows_feeds_coverage_and_runs(recoded, capsys):
    root = recoded[0]
    assert main(["status", "--data", str(root)]) == 0
    out = capsys.readouterr().out
    assert "Feeds" in out and "levant-wire" in out
    assert "Coverage" in out and planning.LEGEND.splitlines()[0] in out
    for month in DEMO_MONTHS:
        line = next(line for line in out.splitlines() if line.strip().startswith(month))
        assert line.split()[1] == "✔"  # the month's articles: done
    assert "Last runs" in out and "backfill" in out and "ingest" in out


def test_status_of_a_missing_root_says_so(tmp_path, capsys):
    assert main(["status", "--data", str(tmp_path / "nothing")]) == 2
    assert "flarewatch demo" in capsys.readouterr().err
