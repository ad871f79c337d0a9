"""warehouse: schemas, Parquet writes (idempotent appends, atomic partition swaps), lock, raw store,
state helpers. Real files under tmp_path; nothing mocked except the crash points."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import multiprocessing
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.records import Article, Incident, Mention
from warehouse import compact, lock, parquet, paths, state
from warehouse.raw import RawStore
from warehouse.schemas import TABLES, FeedState, PartitionRun, Run

UTC = dt.UTC


# ---------------------------------------------------------------------------------- factories
# Shared with test_catalog.py.


def make_article(n: int, *, fetched: dt.datetime, sha: str | None = None, **kw: object) -> Article:
    base = dict(
        article_id=f"a{n}",
        canonical_url=f"https://news.example/{n}",
        url=f"https://news.example/{n}?utm_source=x",
        feed_id="f1",
        outlet="Example News",
        title=f"Title {n}",
        author=None,
        text=f"Body of article {n}.",
        published_at=fetched - dt.timedelta(hours=1),
        site_name="Example",
        language="en",
        content_sha256=sha or f"{n:064x}",
        raw_path=None,
        fetched_at=fetched,
        extractor_version="t1",
    )
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


def make_mention(n: int, article_id: str, **kw: object) -> Mention:
    base = dict(
        mention_id=f"m{n}",
        article_id=article_id,
        outlet="Example News",
        reported_at=dt.datetime(2024, 7, 4, tzinfo=UTC),
        event_type="Battles",
        sub_event_type="Armed clash",
        event_date=dt.date(2024, 7, 3),
        date_precision="day",
        iso3="IRQ",
        admin1="Nineveh",
        location="Mosul",
        latitude=36.34,
        longitude=43.13,
        geo_precision=1,
        actor1="A",
        actor2="B",
        fatalities=2,
        injuries=None,
        weapons=("rifle",),
        munitions=None,
        role="primary",
        evidence=f"Evidence sentence {n}.",
        evidence_start=0,
        evidence_end=20,
        confidence=0.9,
        extractor_version="t1",
    )
    base.update(kw)
    return Mention(**base)  # type: ignore[arg-type]


def make_incident(iid: str, event_date: dt.date | None, **kw: object) -> Incident:
    base = dict(
        incident_id=iid,
        status="active",
        merged_into=None,
        event_type="Battles",
        sub_event_type="Armed clash",
        event_date=event_date,
        date_precision="day",
        iso3="IRQ",
        admin1="Nineveh",
        location="Mosul",
        latitude=None,
        longitude=None,
        geo_precision=1,
        actor1="A",
        actor2=None,
        fatalities=None,
        fatalities_min=None,
        fatalities_max=None,
        injuries=None,
        weapons=(),
        munitions=None,
        n_mentions=1,
        n_articles=1,
        n_outlets=1,
        first_reported_at=None,
        updated_at=None,
        mention_ids=(),
    )
    base.update(kw)
    return Incident(**base)  # type: ignore[arg-type]


JULY = dt.datetime(2024, 7, 15, 12, tzinfo=UTC)
AUG = dt.datetime(2024, 8, 2, 9, tzinfo=UTC)


def files_of(root: Path, table: str) -> list[str]:
    return sorted(
        str(p.relative_to(root / table)) for p in (root / table).rglob("*") if p.is_file()
    )


def ids(root: Path, table: str = "incidents", col: str = "incident_id") -> list[str]:
    return sorted(parquet.read(root, table, columns=[col])[col].to_pylist())


# ---------------------------------------------------------------------------------- schemas


@pytest.mark.parametrize(
    ("table", "record", "extra", "pcol"),
    [
        ("articles", Article, [], "ingest_month"),
        ("mentions", Mention, ["ingested_at"], "ingest_month"),
        ("incidents", Incident, [], "event_month"),
        ("feed_state", FeedState, [], None),
        ("partitions", PartitionRun, [], None),
        ("runs", Run, [], None),
    ],
)
def test_schema_fields_are_record_fields_plus_partition(table, record, extra, pcol):
    spec = TABLES[table]
    expected = [f.name for f in dataclasses.fields(record)] + extra + ([pcol] if pcol else [])
    assert spec.schema.names == expected
    assert spec.partition_col == pcol
    assert set(spec.key) <= set(spec.schema.names)
    assert all(not spec.schema.field(k).nullable for k in spec.key)


def test_schema_types_follow_the_mapping():
    inc = TABLES["incidents"].schema
    assert inc.field("weapons").type == pa.list_(pa.string())
    assert inc.field("mention_ids").type == pa.list_(pa.string())
    assert inc.field("event_date").type == pa.date32()
    assert inc.field("first_reported_at").type == pa.timestamp("us", tz="UTC")
    assert inc.field("fatalities").type == pa.int64() and inc.field("fatalities").nullable
    assert not inc.field("status").nullable
    assert TABLES["mentions"].schema.field("confidence").type == pa.float64()


def test_to_arrow_dataclasses_and_dicts_agree_and_bad_rows_raise():
    art = make_article(1, fetched=JULY)
    a = parquet.to_arrow([art], "articles")
    b = parquet.to_arrow([dataclasses.asdict(art)], "articles")
    assert a.equals(b) and a.schema == TABLES["articles"].schema
    assert a["ingest_month"].to_pylist() == ["2024-07"]
    with pytest.raises(ValueError, match="unknown column"):
        parquet.to_arrow([{**dataclasses.asdict(art), "bogus": 1}], "articles")
    with pytest.raises(ValueError, match="NOT NULL"):
        parquet.to_arrow([{**dataclasses.asdict(art), "text": None}], "articles")
    with pytest.raises(ValueError, match="belongs to 2024-07"):
        parquet.to_arrow([{**dataclasses.asdict(art), "ingest_month": "2024-08"}], "articles")
    # A fetch just before midnight UTC+3 is still the previous UTC month... or not: UTC decides.
    late = dt.datetime(2024, 8, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert (
        parquet.to_arrow([make_article(2, fetched=late)], "articles")["ingest_month"][0].as_py()
        == "2024-07"
    )


# ---------------------------------------------------------------------------------- append


def test_append_is_idempotent_and_writes_one_hashed_file_per_partition(tmp_path):
    arts = [
        make_article(1, fetched=JULY),
        make_article(2, fetched=JULY),
        make_article(3, fetched=AUG),
    ]
    assert parquet.append(tmp_path, "articles", arts) == 3
    first = files_of(tmp_path, "articles")
    assert len(first) == 2 and all(Path(f).name.startswith("part-") for f in first)
    assert parquet.append(tmp_path, "articles", arts) == 0  # rerun adds nothing
    assert files_of(tmp_path, "articles") == first
    # Same article and content fetched again next month: same key, still skipped (table-wide key).
    again = make_article(1, fetched=AUG)
    assert parquet.append(tmp_path, "articles", [again, again, make_article(4, fetched=AUG)]) == 1
    # A new version (new content hash) of article 1 is a new row.
    assert parquet.append(tmp_path, "articles", [make_article(1, fetched=AUG, sha="f" * 64)]) == 1
    table = parquet.read(tmp_path, "articles")
    assert table.num_rows == 5
    assert sorted(zip(table["article_id"].to_pylist(), table["ingest_month"].to_pylist(), strict=True)) == [
        ("a1", "2024-07"), ("a1", "2024-08"), ("a2", "2024-07"), ("a3", "2024-08"), ("a4", "2024-08")
    ]  # fmt: skip
    assert parquet.read(tmp_path, "articles", partitions=["ingest_month=2024-07"]).num_rows == 2
    assert parquet.list_partitions(tmp_path, "articles") == ["2024-07", "2024-08"]
    assert state.seen_canonical_urls(tmp_path) == {
        f"https://news.example/{n}" for n in (1, 2, 3, 4)
    }


def test_mentions_land_in_their_articles_ingest_month(tmp_path):
    ms = [make_mention(1, "a1"), make_mention(2, "a2")]
    with pytest.raises(ValueError, match="ingested_at"):
        parquet.upsert(tmp_path, "mentions", ms)
    fetched = {"a1": JULY, "a2": AUG}
    rows = [dataclasses.asdict(m) | {"ingested_at": fetched[m.article_id]} for m in ms]
    assert parquet.upsert(tmp_path, "mentions", rows) == ["2024-07", "2024-08"]
    parquet.upsert(tmp_path, "mentions", rows)  # a rerun replaces by key: nothing doubles
    got = parquet.read(tmp_path, "mentions")
    assert dict(
        zip(got["mention_id"].to_pylist(), got["ingest_month"].to_pylist(), strict=True)
    ) == {
        "m1": "2024-07",
        "m2": "2024-08",
    }
    assert got["weapons"].to_pylist() == [["rifle"], ["rifle"]]


def test_write_modes_are_enforced(tmp_path):
    with pytest.raises(ValueError, match="replace"):
        parquet.append(tmp_path, "incidents", [make_incident("i1", dt.date(2024, 7, 1))])
    with pytest.raises(ValueError, match="append"):
        parquet.replace_partitions(tmp_path, "articles", {"2024-07": []})
    with pytest.raises(ValueError, match="unknown table"):
        parquet.read(tmp_path, "nope")


# ---------------------------------------------------------------------------------- replace


def test_replace_partitions_swaps_whole_partitions_and_removes_empty_ones(tmp_path):
    july = [make_incident("i1", dt.date(2024, 7, 1)), make_incident("i2", dt.date(2024, 7, 9))]
    parquet.replace_partitions(
        tmp_path,
        "incidents",
        {"2024-07": july, "2024-08": [make_incident("i3", dt.date(2024, 8, 1))]},
    )
    assert files_of(tmp_path, "incidents") == [
        "event_month=2024-07/data.parquet",
        "event_month=2024-08/data.parquet",
    ]
    parquet.replace_partitions(
        tmp_path,
        "incidents",
        {"2024-07": [make_incident("i2", dt.date(2024, 7, 9), fatalities=4)], "2024-08": []},
    )
    got = parquet.read(tmp_path, "incidents")
    assert got["incident_id"].to_pylist() == ["i2"] and got["fatalities"].to_pylist() == [4]
    assert files_of(tmp_path, "incidents") == ["event_month=2024-07/data.parquet"]
    assert not (tmp_path / "incidents" / "event_month=2024-08").exists()


def test_replace_partitions_refuses_rows_that_would_be_misplaced_or_double_counted(tmp_path):
    parquet.replace_partitions(
        tmp_path, "incidents", {"2024-07": [make_incident("i1", dt.date(2024, 7, 1))]}
    )
    with pytest.raises(ValueError, match="belong elsewhere"):
        parquet.replace_partitions(
            tmp_path, "incidents", {"2024-07": [make_incident("i9", dt.date(2024, 8, 1))]}
        )
    # i1 moved to August, but July (where it is stored) is not rewritten: it would count twice.
    with pytest.raises(ValueError, match="does not rewrite"):
        parquet.replace_partitions(
            tmp_path, "incidents", {"2024-08": [make_incident("i1", dt.date(2024, 8, 1))]}
        )
    with pytest.raises(ValueError, match="given twice"):
        parquet.replace_partitions(
            tmp_path, "incidents", {"2024-07": [make_incident("i2", dt.date(2024, 7, 1))] * 2}
        )
    assert ids(tmp_path) == ["i1"]


def test_upsert_rewrites_the_months_an_incident_leaves_and_enters(tmp_path):
    parquet.upsert(
        tmp_path,
        "incidents",
        [
            make_incident("i1", dt.date(2024, 7, 1)),
            make_incident("i2", dt.date(2024, 7, 2)),
            make_incident("u", None),
        ],
    )
    moved = make_incident("i1", dt.date(2024, 8, 30), fatalities=1)
    assert parquet.affected_partitions(tmp_path, "incidents", [moved]) == ["2024-07", "2024-08"]
    assert parquet.upsert(tmp_path, "incidents", [moved]) == ["2024-07", "2024-08"]
    got = parquet.read(tmp_path, "incidents")
    assert sorted(zip(got["incident_id"].to_pylist(), got["event_month"].to_pylist(), strict=True)) == [
        ("i1", "2024-08"), ("i2", "2024-07"), ("u", "unknown")
    ]  # fmt: skip
    # Moving the only July incident out removes the July partition.
    assert parquet.upsert(tmp_path, "incidents", [make_incident("i2", None)]) == [
        "2024-07",
        "unknown",
    ]
    assert parquet.list_partitions(tmp_path, "incidents") == ["2024-08", "unknown"]


# ---------------------------------------------------------------------------------- crashes


def test_failed_rename_keeps_the_old_partition_and_leaves_no_temp_file(tmp_path, monkeypatch):
    old = [make_incident("i1", dt.date(2024, 7, 1)), make_incident("i2", dt.date(2024, 7, 2))]
    parquet.replace_partitions(tmp_path, "incidents", {"2024-07": old})
    written: list[str] = []

    def boom(src, dst):
        written.append(str(src))
        assert Path(src).stat().st_size > 0  # the new file was fully written before the swap
        raise OSError("disk pulled")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk pulled"):
        parquet.replace_partitions(
            tmp_path, "incidents", {"2024-07": [make_incident("i3", dt.date(2024, 7, 3))]}
        )
    with pytest.raises(OSError):
        parquet.append(tmp_path, "articles", [make_article(1, fetched=JULY)])
    monkeypatch.undo()
    assert len(written) == 2 and all(w.endswith(".tmp") for w in written)
    assert ids(tmp_path) == ["i1", "i2"]
    assert paths.temp_files(tmp_path) == []
    assert parquet.read(tmp_path, "articles").num_rows == 0


def _die_at_rename(root: str) -> None:
    # A killed process: no exception handler, no cleanup, nothing after the temp file is written.
    os.replace = lambda src, dst: os._exit(3)  # type: ignore[assignment]
    parquet.replace_partitions(
        root, "incidents", {"2024-07": [make_incident("new", dt.date(2024, 7, 5))]}
    )


def test_killed_writer_leaves_old_data_readable_and_temp_file_invisible(tmp_path):
    from warehouse import catalog

    parquet.replace_partitions(
        tmp_path, "incidents", {"2024-07": [make_incident("i1", dt.date(2024, 7, 1))]}
    )
    proc = multiprocessing.get_context("fork").Process(target=_die_at_rename, args=(str(tmp_path),))
    proc.start()
    proc.join(20)
    assert proc.exitcode == 3
    leftovers = paths.temp_files(tmp_path)
    assert len(leftovers) == 1 and leftovers[0].parent.name == "event_month=2024-07"
    assert ids(tmp_path) == ["i1"]
    con = catalog.connect(tmp_path)
    assert con.execute("SELECT incident_id FROM incidents_all").fetchall() == [("i1",)]
    assert compact.sweep_temp(tmp_path, older_than=0) == 1 and paths.temp_files(tmp_path) == []


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    before=st.lists(st.sampled_from([None, 1, 2, 3]), min_size=1, max_size=6),
    after=st.lists(st.sampled_from([None, 1, 2, 3]), min_size=6, max_size=6),
)
def test_moving_incidents_between_months_never_double_counts_midway(
    tmp_path_factory, before, after
):
    """After every single partition write inside upsert, no incident is stored twice."""
    root = tmp_path_factory.mktemp("move")

    def on(month):
        return None if month is None else dt.date(2024, month, 10)

    parquet.upsert(root, "incidents", [make_incident(f"i{n}", on(m)) for n, m in enumerate(before)])
    real = parquet._write_partition
    seen_states = []

    def checked(*args, **kwargs):
        real(*args, **kwargs)
        stored = ids(root)
        seen_states.append(stored)
        assert len(stored) == len(set(stored)), f"double-counted midway: {stored}"

    parquet._write_partition = checked  # type: ignore[assignment]
    try:
        parquet.upsert(
            root,
            "incidents",
            [make_incident(f"i{n}", on(m)) for n, m in enumerate(after[: len(before)])],
        )
    finally:
        parquet._write_partition = real  # type: ignore[assignment]
    got = parquet.read(root, "incidents")
    assert sorted(
        zip(got["incident_id"].to_pylist(), got["event_date"].to_pylist(), strict=True)
    ) == sorted((f"i{n}", on(m)) for n, m in enumerate(after[: len(before)]))


# ---------------------------------------------------------------------------------- lock


def _hold_lock(root: str, ready, release) -> None:
    with lock.root_lock(root):
        ready.set()
        release.wait(15)


def test_lock_excludes_a_second_process(tmp_path, monkeypatch):
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(tmp_path), ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        with pytest.raises(lock.LockTimeout, match=f"pid {holder.pid}"):
            with lock.root_lock(tmp_path, timeout=0.3):
                pass
        # The write functions take the same lock: a writer that forgot root_lock still waits.
        monkeypatch.setattr(lock, "DEFAULT_TIMEOUT", 0.3)
        with pytest.raises(lock.LockTimeout):
            parquet.append(tmp_path, "articles", [make_article(1, fetched=JULY)])
        assert parquet.read(tmp_path, "articles").num_rows == 0
        with lock.root_lock(tmp_path, name="other", timeout=0.3):  # other names are independent
            pass
    finally:
        release.set()
        holder.join(10)
    with lock.root_lock(tmp_path, timeout=5):
        assert lock.is_held(tmp_path)
        with lock.root_lock(tmp_path, timeout=0):  # reentrant in one process
            assert parquet.append(tmp_path, "articles", [make_article(1, fetched=JULY)]) == 1
        assert lock.is_held(tmp_path)
    assert not lock.is_held(tmp_path)


def _try_lock(root: str, out) -> None:
    try:
        with lock.root_lock(root, timeout=0.2):
            out.put("acquired")
    except lock.LockTimeout:
        out.put("timeout")


def test_forked_child_does_not_inherit_lock_ownership(tmp_path):
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    with lock.root_lock(tmp_path):
        child = ctx.Process(target=_try_lock, args=(str(tmp_path), out))
        child.start()
        assert out.get(timeout=10) == "timeout"
        child.join(10)


def test_two_threads_taking_the_lock_in_opposite_orders_do_not_deadlock(tmp_path, monkeypatch):
    """Thread A (a write: mutex, then lock) is about to wait on the file lock when thread B takes
    the lock and then writes (needs the mutex). Were the lock held per thread, A would wait on it
    holding the mutex B needs: both stuck until the timeout. One hold shared by the process's
    threads lets A in."""
    import threading

    monkeypatch.setattr(lock, "DEFAULT_TIMEOUT", 3.0)
    a_waits, b_holds = threading.Event(), threading.Event()
    real_lock_of = lock._lock_of

    def lock_of(path):
        if threading.current_thread().name == "A":
            a_waits.set()
            b_holds.wait(1.0)  # give B its chance to take the file lock first
        return real_lock_of(path)

    monkeypatch.setattr(lock, "_lock_of", lock_of)
    errors: list[Exception] = []

    def run(target):
        try:
            target()
        except Exception as exc:
            errors.append(exc)

    def writer_a():
        parquet.append(tmp_path, "articles", [make_article(1, fetched=JULY)])

    def writer_b():
        a_waits.wait(5)
        with lock.root_lock(tmp_path, timeout=3.0):
            b_holds.set()
            parquet.append(tmp_path, "articles", [make_article(2, fetched=JULY)])

    threads = [threading.Thread(target=run, args=(f,), name=n) for n, f in (("A", writer_a), ("B", writer_b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert errors == []
    assert sorted(ids(tmp_path, "articles", "article_id")) == sorted(
        [make_article(1, fetched=JULY).article_id, make_article(2, fetched=JULY).article_id]
    )


# ---------------------------------------------------------------------------------- raw store


def test_raw_store_round_trip(tmp_path):
    raw = RawStore(tmp_path)
    body = b"<html>hello</html>" * 50
    rel = raw.put(body, fetched_at=JULY)
    assert rel.startswith("raw/fetch_month=2024-07/page-") and rel.endswith(".gz")
    assert raw.put(body, fetched_at=JULY) == rel  # idempotent
    mtime = (tmp_path / rel).stat().st_mtime_ns
    raw.put(body, fetched_at=JULY)
    assert (tmp_path / rel).stat().st_mtime_ns == mtime  # skipped, not rewritten
    assert raw.get(rel) == body and gzip.decompress((tmp_path / rel).read_bytes()) == body
    feed = raw.put(b"<rss/>", fetched_at=AUG, kind="feed")
    assert raw.months() == ["2024-07", "2024-08"]
    assert list(raw.iter("2024-08")) == [feed] and list(raw.iter("2024-07")) == [rel]
    assert list(raw.iter("1999-01")) == []
    with pytest.raises(ValueError, match="timezone"):
        raw.put(body, fetched_at=dt.datetime(2024, 7, 1))
    with pytest.raises(ValueError):
        raw.get("../../etc/passwd")
    assert paths.temp_files(tmp_path) == []


# ---------------------------------------------------------------------------------- state


def test_feed_state_upsert_keeps_other_feeds(tmp_path):
    assert state.load_feed_state(tmp_path) == {}
    state.save_feed_state(
        tmp_path, [FeedState("f1", "https://a/rss", etag="e1"), FeedState("f2", "https://b/rss")]
    )
    state.save_feed_state(
        tmp_path,
        [{"feed_id": "f1", "url": "https://a/rss", "etag": "e2", "consecutive_failures": 1}],
    )
    got = state.load_feed_state(tmp_path)
    assert set(got) == {"f1", "f2"}
    assert got["f1"]["etag"] == "e2" and got["f1"]["consecutive_failures"] == 1
    assert files_of(tmp_path, "feed_state") == ["data.parquet"]


def test_partition_and_run_records(tmp_path):
    t0 = dt.datetime(2024, 7, 1, 10, tzinfo=UTC)
    state.record_partition(
        tmp_path, table="incidents", partition="2024-07", status="running", run_id="r1", at=t0
    )
    state.record_partition(
        tmp_path, table="incidents", partition="2024-08", status="running", run_id="r1", at=t0
    )
    done = state.record_partition(
        tmp_path,
        table="incidents",
        partition="2024-07",
        status="done",
        rows=3,
        run_id="r1",
        at=t0 + dt.timedelta(minutes=2),
    )
    assert done.started_at == t0 and done.finished_at == t0 + dt.timedelta(minutes=2)
    assert state.partition_status(tmp_path, "incidents") == {
        "2024-07": "done",
        "2024-08": "running",
    }
    with pytest.raises(ValueError, match="status"):
        state.record_partition(tmp_path, table="incidents", partition="2024-07", status="ok")
    state.record_run(tmp_path, run_id="r1", kind="poll", started_at=t0)
    state.record_run(
        tmp_path, run_id="r1", kind="poll", started_at=t0, finished_at=t0, new_articles=7
    )
    runs = parquet.read(tmp_path, "runs").to_pylist()
    assert len(runs) == 1 and runs[0]["new_articles"] == 7
    stored = pq.read_table(tmp_path / "partitions" / "data.parquet")
    assert stored.num_rows == 2
