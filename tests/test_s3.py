"""The data root on object storage: a real S3-compatible server (moto's server mode on 127.0.0.1,
started here), written and read through s3fs, pyarrow and DuckDB (`register_filesystem`).

The same demo ingest as tests/test_e2e.py runs into `s3://` (twice: the second adds nothing) and
into a local directory; the root-independent checks of test_e2e run again over the s3 root, and
the two warehouses must hold the same incidents and monthly counts. Skips without the packages
(`pip install -e '.[test]'` has them). About 60-90 s, most of it the three ingest runs.
"""

from __future__ import annotations

import datetime as dt
import gzip
import logging
import multiprocessing
import os
from pathlib import Path

import pytest

s3fs = pytest.importorskip("s3fs")
moto_server = pytest.importorskip("moto.server")

from test_e2e import (  # the checks that hold for any root, run again over s3://
    counts,
    gold_docs,
    incidents_table,
    test_attacks_per_month_match_the_hand_count,
    test_every_incident_traces_to_a_sentence,
    test_first_run_ingests_every_demo_article,
)
from test_warehouse import AUG, JULY, _hold_lock, make_article, make_incident

from flows.demo import serve_demo, write_demo_feed_list
from warehouse import catalog, compact, lock, parquet, paths, state
from warehouse.raw import RawStore
from warehouse.schemas import FeedState

__all__ = [  # collected here too, with this module's `demo_runs`
    "test_attacks_per_month_match_the_hand_count",
    "test_every_incident_traces_to_a_sentence",
    "test_first_run_ingests_every_demo_article",
]


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """A moto S3 server on 127.0.0.1 (free port); AWS_ENDPOINT_URL, fake credentials and a lock
    directory set in the environment for the module. Yields an s3fs file system for assertions."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request otherwise
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv(paths.LOCK_DIR_ENV, str(tmp_path_factory.mktemp("locks")))
        s3fs.S3FileSystem.clear_instance_cache()  # an instance made before would hold no endpoint
        fs = s3fs.S3FileSystem(use_listings_cache=False)
        try:
            yield fs
        finally:
            s3fs.S3FileSystem.clear_instance_cache()
            server.stop()


def bucket(fs, name: str) -> str:
    """Create bucket `name`; returns a data root inside it."""
    fs.mkdir(name)
    return f"s3://{name}/flarewatch"


def keys(fs, root: str, *under: str) -> set[str]:
    """Every object key below `root` (relative to it), optionally below one sub-path."""
    base = root.removeprefix("s3://")
    return {k[len(base) + 1 :] for k in fs.find("/".join([base, *under]))}


# ----------------------------------------------------------------------------- warehouse


def test_tables_round_trip_on_s3_with_one_object_per_partition(s3):
    root = bucket(s3, "tables")
    assert not paths.open_root(root).exists()
    arts = [make_article(1, fetched=JULY), make_article(2, fetched=AUG)]
    assert parquet.append(root, "articles", arts) == 2
    assert parquet.append(root, "articles", arts) == 0  # keys already stored: nothing written
    assert parquet.list_partitions(root, "articles") == ["2024-07", "2024-08"]
    # An incident moves month: it leaves July (emptied: the object is deleted) and enters August.
    parquet.upsert(root, "incidents", [make_incident("i1", dt.date(2024, 7, 3))])
    parquet.upsert(root, "incidents", [make_incident("i1", dt.date(2024, 8, 9))])
    parquet.replace_table(root, "feed_state", [FeedState("f1", "https://a/rss")])
    assert keys(s3, root, "incidents") == {"incidents/event_month=2024-08/data.parquet"}
    assert keys(s3, root, "feed_state") == {"feed_state/data.parquet"}
    assert len(keys(s3, root, "articles")) == 2 and not any(paths.TMP_SUFFIX in k for k in keys(s3, root))
    assert parquet.read(root, "incidents")["event_month"].to_pylist() == ["2024-08"]
    assert paths.temp_files(root) == [] and compact.sweep_temp(root, older_than=0) == 0
    with catalog.connect(root) as con:
        got = con.execute("SELECT count(*), min(ingest_month) FROM articles").fetchall()
        inc = con.execute("SELECT incident_id, event_month FROM incidents_all").fetchall()
    assert got == [(2, "2024-07")] and inc == [("i1", "2024-08")]


def test_raw_store_round_trip_on_s3(s3):
    root = bucket(s3, "raw")
    raw = RawStore(root)
    body = b"<html>hello</html>" * 50
    rel = raw.put(body, fetched_at=JULY)
    assert raw.put(body, fetched_at=JULY) == rel and rel.startswith("raw/fetch_month=2024-07/page-")
    assert keys(s3, root) == {rel}
    assert gzip.decompress(s3.cat_file(f"raw/flarewatch/{rel}")) == body and raw.get(rel) == body
    feed = raw.put(b"<rss/>", fetched_at=AUG, kind="feed")
    assert raw.months() == ["2024-07", "2024-08"] and raw.exists(feed)
    assert list(raw.iter("2024-08")) == [feed] and list(raw.iter("1999-01")) == []
    missing = rel.replace(rel[-67:-3], "0" * 64)
    assert not raw.exists(missing)
    with pytest.raises(FileNotFoundError):
        raw.get(missing)
    with pytest.raises(ValueError):
        raw.get("../../etc/passwd")


def test_state_round_trip_on_s3(s3):
    root = bucket(s3, "state")
    assert state.load_feed_state(root) == {}
    state.save_feed_state(root, [FeedState("f1", "https://a/rss", etag="e1"), FeedState("f2", "https://b/rss")])
    state.save_feed_state(root, [{"feed_id": "f1", "url": "https://a/rss", "etag": "e2"}])
    got = state.load_feed_state(root)
    assert set(got) == {"f1", "f2"} and got["f1"]["etag"] == "e2"
    t0 = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
    state.record_partition(root, table="incidents", partition="2024-07", status="running", at=t0)
    done = state.record_partition(root, table="incidents", partition="2024-07", status="done", rows=3)
    assert done.started_at == t0 and state.partition_status(root, "incidents") == {"2024-07": "done"}
    state.record_run(root, run_id="r1", kind="ingest", started_at=t0, new_articles=4)
    assert parquet.read(root, "runs")["new_articles"].to_pylist() == [4]


# ----------------------------------------------------------------------------- lock


def test_s3_root_lock_lives_in_the_lock_dir_and_excludes_a_second_process(s3, monkeypatch):
    root = bucket(s3, "locked")
    where = paths.lock_path(root, "write")
    assert where.parent.parent == Path(os.environ[paths.LOCK_DIR_ENV]).resolve()
    assert where != paths.lock_path(bucket(s3, "other"), "write")  # one lock per root
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(root, ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        monkeypatch.setattr(lock, "DEFAULT_TIMEOUT", 0.3)
        with pytest.raises(lock.LockTimeout, match=f"pid {holder.pid}"):
            parquet.append(root, "articles", [make_article(1, fetched=JULY)])
    finally:
        release.set()
        holder.join(10)
    assert parquet.append(root, "articles", [make_article(1, fetched=JULY)]) == 1


def _save_feeds(root: str, who: str, n: int) -> None:
    for i in range(n):
        state.save_feed_state(root, [FeedState(f"{who}-{i}", f"https://{who}/{i}")])


@pytest.mark.slow  # two spawned processes, each importing the warehouse
def test_racing_writers_on_s3_lose_nothing(s3):
    """Two processes read-modify-write one object (`feed_state`) ten times each: every row stays."""
    root = bucket(s3, "race")
    ctx = multiprocessing.get_context("spawn")  # inherits the environment: endpoint, lock dir
    procs = [ctx.Process(target=_save_feeds, args=(root, who, 10)) for who in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    assert len(state.load_feed_state(root)) == 20


# ----------------------------------------------------------------------------- demo ingest


def s3_parquet_files(fs, root: str) -> set[str]:
    return {k for k in keys(fs, root) if k.endswith(".parquet") and k.split("/")[0] not in ("runs", "feed_state")}


@pytest.fixture(scope="module")
def demo_feeds(tmp_path_factory):
    """The demo corpus served for the module (one server: the same article URLs and ids in every
    run); yields its feed list."""
    with serve_demo() as base_url:
        yield write_demo_feed_list(base_url, tmp_path_factory.mktemp("feeds") / "demo-feeds.yaml")


@pytest.fixture(scope="module")
def demo_runs(s3, prefect_harness, demo_feeds):
    """The demo ingested twice into s3://, shaped as test_e2e's fixture: (root, first summary,
    second summary, (counts, parquet files) after the first)."""
    from flows.ingest import ingest

    root = bucket(s3, "demo")
    first = ingest(feeds=str(demo_feeds), data=root, allow_hosts=["127.0.0.1"])
    after_first = (counts(root), s3_parquet_files(s3, root))
    second = ingest(feeds=str(demo_feeds), data=root, allow_hosts=["127.0.0.1"])
    return root, first, second, after_first


@pytest.fixture(scope="module")
def local_root(prefect_harness, demo_feeds, tmp_path_factory):
    """The same demo ingested once into a local directory."""
    from flows.ingest import ingest

    local = tmp_path_factory.mktemp("local-warehouse")
    ingest(feeds=str(demo_feeds), data=str(local), allow_hosts=["127.0.0.1"])
    return local


def test_second_run_on_s3_adds_nothing(s3, demo_runs):
    root, first, second, (before, files_before) = demo_runs
    assert first["new_articles"] == len(gold_docs()) and first["new_incidents"] > 0
    assert second["new_articles"] == 0 and second["new_mentions"] == 0 and second["new_incidents"] == 0
    after = counts(root)
    assert {k: v for k, v in after.items() if k != "runs"} == {k: v for k, v in before.items() if k != "runs"}
    assert after["runs"] == before["runs"] + 1
    assert s3_parquet_files(s3, root) == files_before
    assert any(k.startswith("raw/fetch_month=") and k.endswith(".gz") for k in keys(s3, root))


def test_s3_warehouse_equals_the_local_one(demo_runs, local_root):
    root, local = demo_runs[0], local_root
    assert incidents_table(root) == incidents_table(local)
    with catalog.connect(root) as remote_con, catalog.connect(local) as local_con:
        for sql in ("SELECT * FROM attacks_per_month", "SELECT count(*) FROM articles"):
            assert remote_con.execute(sql).fetchall() == local_con.execute(sql).fetchall()
        assert catalog.trends(remote_con, by="month") == catalog.trends(local_con, by="month")


def test_cli_reads_an_s3_root(demo_runs, local_root, capsys):
    """`trends`, `sql`, `show` and `status` with `--data s3://...` print what they print locally."""
    from flows.cli import main

    root, local = demo_runs[0], local_root
    with catalog.connect(root) as con:
        incident = con.execute("SELECT min(incident_id) FROM incidents").fetchall()[0][0]
    printed = []
    for data in (root, str(local)):
        for argv in (
            ["trends", "--data", data, "--format", "csv"],
            ["sql", "--data", data, "--format", "csv", "SELECT count(*) AS n FROM incidents"],
            ["show", "--data", data, incident],
        ):
            assert main(argv) == 0
        printed.append(capsys.readouterr().out)
        assert main(["status", "--data", data]) == 0
        assert capsys.readouterr().out.startswith("Feeds")
    assert printed[0] == printed[1] and len(printed[0].splitlines()) > 3
