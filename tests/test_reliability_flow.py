"""Reliability, round two (issue 14), through the real ingest flow and CLI (Prefect harness).

Row 8: a permanently dead article link is retired after `links.RETIRE_AFTER` failing runs in a
row: not fetched again, its feed keeps a validator (conditional GET: 304), the runs stop failing
for it, and `flarewatch status` lists it. Row 2: an article over the coding budget is stored
uncoded, named in the run's summary and listed by `flarewatch status`. Row 9: a run sweeps
the temp files killed writes left. The fault server and
helpers are those of `test_reliability.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from test_reliability import FaultServer, flow_env, hostile_files, network_jail, rss, write_feed_list  # noqa: F401

from flows import steps
from flows.cli import main
from flows.ingest import PollFailed
from warehouse import catalog, links, state


@pytest.mark.slow
def test_row8_a_dead_link_is_retired_and_the_feed_gets_its_validators_back(
        flow_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from flows.ingest import ingest

    monkeypatch.setattr(links, "RETIRE_AFTER", 2)
    monkeypatch.setattr(steps, "CODING_CHARS", 200)  # the English article is longer: over budget
    root = tmp_path / "data"
    with FaultServer(hostile_files(), etags=True) as srv:
        dead, good = srv.url("down", "article_fr.html"), srv.url("ok", "article_en.html")
        srv.files["newswire.xml"] = rss("Newswire", [("en", good, None), ("fr", dead, None)])
        feed_list = write_feed_list(tmp_path / "feeds.yaml", {"newswire": srv.url("ok", "newswire.xml")})

        def run(*, fails: bool = False) -> dict:
            """One poll; `fails`: every new page of it failed, so the run must end Failed (issue 12)."""
            try:
                summary = ingest(feeds=str(feed_list), data=str(root), allow_hosts=["127.0.0.1"])
            except PollFailed as exc:
                assert fails, exc
                return exc.summary
            assert not fails
            return summary

        first = run()
        assert [f["target"] for f in first["failures"]] == [dead]
        assert first["over_budget"] == [good]
        # the feed kept no validator (a page failed): 200 again, the dead link is the only new page and
        # fails again, so this poll is Failed; it is then retired and later polls complete
        second = run(fails=True)
        assert [f["target"] for f in second["failures"]] == [dead]
        assert links.retired_urls(root) == {dead}
        assert state.load_feed_state(root)["newswire"]["etag"]  # retired: the validator is saved
        dead_hits, feed_hits = srv.hits["/down/article_fr.html"], srv.hits["/ok/newswire.xml"]
        third = run()
        assert third["failures"] == [] and third["feeds_not_modified"] == 1  # a conditional GET: 304
        srv.files["newswire.xml"] = rss("Newswire", [("en", good, None), ("fr", dead, None),
                                                     ("ar", srv.url("ok", "article_ar.html"), None)])
        fourth = run()  # the feed changed: 200, but the retired link is not fetched
        assert fourth["failures"] == [] and fourth["new_articles"] == 1
        assert srv.hits["/down/article_fr.html"] == dead_hits
        assert srv.hits["/ok/newswire.xml"] == feed_hits + 2
    with catalog.connect(root) as con:
        assert con.execute("SELECT failures FROM runs ORDER BY started_at").fetchall() == [(1,), (1,), (0,), (0,)]
    capsys.readouterr()
    assert main(["status", "--data", str(root)]) == 0
    out = capsys.readouterr().out
    assert "Retired links" in out and "/down/article_fr.html" in out and "HTTP 500" in out
    assert "over the coding budget" in out and "/ok/article_en.html" in out.split("over the coding budget")[1]


@pytest.mark.slow
def test_row9_a_run_sweeps_the_temp_files_of_killed_writes(flow_env: None, tmp_path: Path) -> None:
    from flows.ingest import ingest

    root = tmp_path / "data"
    month = root / "articles" / "ingest_month=2024-05"
    month.mkdir(parents=True)
    old, young = month / ".part-1.parquet.aaaa.tmp", month / ".part-2.parquet.bbbb.tmp"
    for f in (old, young):
        f.write_bytes(b"half a file")
    os.utime(old, (time.time() - 7200, time.time() - 7200))  # killed two hours ago
    with FaultServer(hostile_files()) as srv:
        feed_list = write_feed_list(tmp_path / "feeds.yaml", {"gone": srv.url("ok", "missing.xml")})
        with pytest.raises(PollFailed):  # its only feed is gone: the poll fails, after the sweep
            ingest(feeds=str(feed_list), data=str(root), allow_hosts=["127.0.0.1"])
    assert not old.exists()
    assert young.exists()  # an hour's grace: it may belong to a write still going on elsewhere


@pytest.mark.slow
def test_row1_a_stuck_run_times_out_and_frees_the_data_roots_lock(
        flow_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The flow's `timeout_seconds` ends a run stuck anywhere (played by a feed poll that does not
    return for 20 s): the data root's lock is free for another process long before the poll ends."""
    from flows.ingest import ingest

    assert ingest.timeout_seconds == 3600
    stuck = threading.Event()

    def stalls(*args: object, **kwargs: object) -> None:
        stuck.set()
        for _ in range(200):
            time.sleep(0.1)

    monkeypatch.setattr(steps, "poll_feeds", stalls)
    root = tmp_path / "data"
    feed_list = write_feed_list(tmp_path / "feeds.yaml", {"any": "http://127.0.0.1:9/feed.xml"})
    states: list = []
    run = threading.Thread(target=lambda: states.append(ingest.with_options(timeout_seconds=3)(
        feeds=str(feed_list), data=str(root), allow_hosts=["127.0.0.1"], return_state=True)))
    run.start()
    assert stuck.wait(60)
    time.sleep(5)
    probe = subprocess.run(
        [sys.executable, "-c", "import sys; from warehouse.lock import root_lock\n"
         "with root_lock(sys.argv[1], timeout=2): print('free')", str(root)],
        capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parent.parent)
    assert run.is_alive()  # the poll is still stuck ...
    assert probe.stdout.strip() == "free", probe.stderr  # ... but the lock is no longer held
    run.join()
    assert states[0].is_failed() and "timeout" in states[0].message.lower()
