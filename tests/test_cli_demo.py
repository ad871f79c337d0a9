"""The analyst's commands on the demo corpus (real HTTP on 127.0.0.1, the real ingest flow under
Prefect's test harness): the report page in headless Chromium, plain DuckDB and pyarrow counts equal
to `flarewatch trends`, `show`, `export`, and a quiet broken pipe."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from flows.cli import main
from flows.demo import serve_demo, write_demo_feed_list
from warehouse import catalog

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def demo_root(prefect_harness, tmp_path_factory) -> str:
    from flows.ingest import ingest

    root = tmp_path_factory.mktemp("demo")
    with serve_demo() as base_url:
        feeds = write_demo_feed_list(base_url, root.parent / "demo-feeds.yaml")
        summary = ingest(feeds=str(feeds), data=str(root), allow_hosts=["127.0.0.1"])
    assert summary["failures"] == [] and summary["new_incidents"] > 0
    return str(root)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def trends_by_month(capsys, root: str) -> dict[str, int]:
    code, out, _ = run(capsys, "trends", "--data", root, "--format", "json")
    assert code == 0
    totals: dict[str, int] = {}
    for row in json.loads(out):
        totals[row["period"]] = totals.get(row["period"], 0) + row["incidents"]
    return totals


def test_plain_duckdb_and_pyarrow_counts_equal_trends(demo_root, capsys):
    expected = {m: n for m, n in trends_by_month(capsys, demo_root).items() if n}
    assert sum(expected.values()) > 0
    plain = dict(duckdb.sql(
        f"SELECT strftime(event_date, '%Y-%m'), count(*) FROM read_parquet('{demo_root}/incidents/*/*.parquet') "
        "WHERE status = 'active' AND is_attack AND event_date IS NOT NULL GROUP BY 1").fetchall())
    assert plain == expected
    stored = pq.read_table(f"{demo_root}/attacks_per_month/attacks_per_month.parquet")
    by_month: dict[str, int] = {}
    for row in stored.to_pylist():
        by_month[row["month"].strftime("%Y-%m")] = by_month.get(row["month"].strftime("%Y-%m"), 0) + row["incidents"]
    assert by_month == expected
    table = pq.read_table(f"{demo_root}/incidents", columns=["status", "is_attack", "event_date"])
    mask = pc.and_(pc.and_(pc.equal(table["status"], "active"), table["is_attack"]), pc.is_valid(table["event_date"]))
    assert table.filter(mask).num_rows == sum(expected.values())


def test_the_stored_attack_flag_is_the_view_rule(demo_root):
    with catalog.connect(demo_root) as con:
        differ = con.execute("SELECT count(*) FROM incidents_all "
                             "WHERE is_attack IS DISTINCT FROM is_attack(event_type, sub_event_type)").fetchall()[0][0]
        total = con.execute("SELECT count(*) FROM incidents_all").fetchall()[0][0]
    assert total > 0 and differ == 0


def test_show_and_export_on_the_demo(demo_root, capsys):
    with catalog.connect(demo_root) as con:
        incident_id, n_active = con.execute(
            "SELECT (SELECT incident_id FROM attacks ORDER BY n_mentions DESC, incident_id LIMIT 1), "
            "(SELECT count(*) FROM incidents)").fetchall()[0]
    code, out, _ = run(capsys, "show", incident_id, "--data", demo_root)
    assert code == 0 and "Sources:" in out and re.search(r"^    http://127\.0\.0\.1:\d+/", out, re.M)
    code, out, _ = run(capsys, "show", incident_id, "--data", demo_root, "--format", "json")
    shown = json.loads(out)
    assert all(s["sentence"] and s["sentence"] in s["evidence"] for s in shown["sources"])
    code, out, _ = run(capsys, "export", "--data", demo_root)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == n_active and all(r["fatalities"].isdigit() for r in rows)


def test_a_closed_pipe_is_quiet(demo_root):
    command = [sys.executable, "-m", "flows.cli", "sql", "--data", demo_root, "--format", "csv",
               "SELECT * FROM range(200000)"]
    producer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert producer.stdout is not None
    producer.stdout.readline()
    producer.stdout.close()  # what `| head -1` does
    _, err = producer.communicate(timeout=120)
    assert producer.returncode == 0 and err == b""


# -- the report page, in a real browser ------------------------------------------------------------


def chromium(page: Path, work: Path, *extra: str) -> tuple[str, list[tuple[str, str]]]:
    """Open `page` in headless Chromium; returns (the DOM after load, [(url, isolation key)] of every
    request the network stack started)."""
    netlog = work / "netlog.json"
    done = subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={work / 'profile'}", f"--log-net-log={netlog}", *extra,
         page.as_uri()], capture_output=True, text=True, timeout=180, check=True)
    log = json.loads(netlog.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    requests = [(e["params"]["url"], e["params"].get("network_isolation_key", ""))
                for e in log["events"] if e["type"] == start and "url" in e.get("params", {})]
    return done.stdout, requests


def page_requests(requests: list[tuple[str, str]]) -> list[str]:
    """The requests the page made (its isolation key is the file:// page), not the browser's own."""
    return [url for url, key in requests if "file://" in key and not url.startswith("file:")]


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)")
def test_report_page_renders_offline_with_the_trends_numbers(demo_root, tmp_path, capsys):
    months = trends_by_month(capsys, demo_root)
    page = tmp_path / "report.html"
    assert main(["report", "--data", demo_root, "--html", str(page)]) == 0
    text = page.read_text()
    assert not re.search(r"""(src|href|action|poster|data)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert "url(" not in text and "<script" not in text and "default-src 'none'" in text

    dom, requests = chromium(page, tmp_path / "dump", "--dump-dom")
    assert page_requests(requests) == []
    shown: dict[str, int] = {}
    for month, n in re.findall(r'<tr><td>(\d{4}-\d{2})</td><td>[^<]*</td><td>[^<]*</td><td class="n">(\d+)</td>', dom):
        shown[month] = shown.get(month, 0) + int(n)
    assert shown == months
    visible = re.sub(r"<[^>]+>", " ", dom)
    assert f"Total: {sum(months.values())} incidents" in visible
    assert "Latest 20 attacks" in visible and "Feed health" in visible and "Partition coverage" in visible

    shot = Path(__file__).parent.parent / "build" / "report-screenshot.png"
    shot.parent.mkdir(exist_ok=True)
    chromium(page, tmp_path / "shot", f"--screenshot={shot}", "--window-size=1200,2400", "--hide-scrollbars")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)")
def test_the_request_check_sees_a_page_that_fetches(tmp_path):
    """The check above can fail: a page with a remote image and style sheet is caught."""
    probe = tmp_path / "probe.html"
    probe.write_text('<img src="http://127.0.0.1:9/probe.png"><link rel=stylesheet href="http://127.0.0.1:9/s.css">')
    _, requests = chromium(probe, tmp_path, "--dump-dom")
    assert sorted(page_requests(requests)) == ["http://127.0.0.1:9/probe.png", "http://127.0.0.1:9/s.css"]


def test_status_run_and_backfill_answer_in_json(demo_root, tmp_path, capsys):
    code, out, _ = run(capsys, "status", "--data", demo_root, "--format", "json")
    status = json.loads(out)
    assert code == 0 and status["feeds"] and status["grid"] and status["runs"]
    copy = shutil.copytree(demo_root, tmp_path / "copy")  # the demo server's port differs: new URLs
    with serve_demo() as base_url:
        feeds = write_demo_feed_list(base_url, tmp_path / "feeds.yaml")
        code, out, _ = run(capsys, "run", "--feeds", str(feeds), "--data", str(copy), "--allow-host", "127.0.0.1",
                           "--format", "json")
    summary = json.loads(out)
    assert code == 0 and summary["feeds_polled"] == len(status["feeds"]) and summary["failures"] == []
    code, out, _ = run(capsys, "backfill", "--start", "2024-01", "--end", "2024-02", "--dry-run", "--format", "json",
                       "--data", demo_root)
    plan = json.loads(out)
    assert code == 0 and plan["dry_run"] is True and [r["month"] for r in plan["plan"]] == ["2024-01", "2024-02"]
