"""Compaction: an append table's small files become one file per partition, and a compaction
SIGKILLed anywhere leaves every article readable exactly once (the next compaction finishes it).
A rewrite of several incident months commits all or nothing, SIGKILLed half way included.

The killed compaction runs in a child process (`python tests/test_compact.py child ROOT POINT`)
that pauses at POINT and announces it; the test kills it there. Points: `mid-write` (the merged
file half written in the staging directory), `before-swap` (written and synced, not swapped in),
`after-swap` (swapped in, the old files not yet deleted).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MARK = "FLAREWATCH-COMPACT-TEST PAUSED"


def _child(root: str, point: str) -> int:
    sys.path.insert(0, str(REPO))
    import pyarrow.parquet as pq

    from warehouse import compact, parquet, swap

    def pause() -> None:
        print(MARK, flush=True)
        time.sleep(60)

    if point == "mid-write":
        real_write = pq.ParquetWriter.write_table

        def write(self, table, *a, **k):
            real_write(self, table, *a, **k)
            pause()

        pq.ParquetWriter.write_table = write
    else:
        real_exchange = swap.exchange

        def exchange(a: str, b: str) -> None:
            if point == "before-swap":
                pause()
            real_exchange(a, b)
            pause()

        swap.exchange = exchange
    if point == "rewrite":
        real_replace = os.replace
        count = [0]

        def replace(src, dst, *a, **k):
            real_replace(src, dst, *a, **k)
            count[0] += 1
            if count[0] == 2:  # two of the three months written
                pause()

        os.replace = replace
        parquet.replace_partitions(root, "incidents", rewrite())
        return 0
    compact.compact(root)
    return 0


def incident(n: int, day: dt.date, fatalities: int) -> dict:
    return {"incident_id": f"i{n}", "status": "active", "event_type": "Battles", "sub_event_type": "Armed clash",
            "event_date": day, "date_precision": "day", "weapons": [], "fatalities": fatalities,
            "n_mentions": 1, "n_articles": 1, "n_outlets": 1, "mention_ids": [f"m{n}"]}


def rewrite() -> dict[str, list[dict]]:
    """Three months rewritten at once: i2 moves from June to August, every count changes."""
    return {"2024-06": [incident(1, dt.date(2024, 6, 5), 10)],
            "2024-07": [incident(3, dt.date(2024, 7, 5), 30)],
            "2024-08": [incident(2, dt.date(2024, 8, 1), 20), incident(4, dt.date(2024, 8, 9), 40)]}


if __name__ == "__main__" and sys.argv[1:2] == ["child"]:
    raise SystemExit(_child(sys.argv[2], sys.argv[3]))

import pytest  # noqa: E402

from extractors.records import Article  # noqa: E402
from warehouse import catalog, compact, parquet, paths, swap  # noqa: E402

JULY = dt.datetime(2024, 7, 3, 8, tzinfo=dt.UTC)
AUG = dt.datetime(2024, 8, 3, 8, tzinfo=dt.UTC)


def article(n: int, fetched: dt.datetime) -> Article:
    return Article(
        article_id=f"a{n:04d}", canonical_url=f"https://news.example/{n}", url=f"https://news.example/{n}",
        feed_id="f", outlet="Outlet", title=f"Title {n}", author=None, text=f"Text {n}", published_at=fetched,
        site_name=None, language="en", content_sha256=f"{n:064d}", raw_path=None, fetched_at=fetched,
        extractor_version="test",
    )


def polled(root: Path) -> None:
    """Five polls in July, two in August: seven small files."""
    for poll in range(5):
        parquet.append(root, "articles", [article(10 * poll + i, JULY) for i in range(4)])
    for poll in range(2):
        parquet.append(root, "articles", [article(100 + 10 * poll + i, AUG) for i in range(3)])


def files(root: Path) -> dict[str, int]:
    return {p: len(paths.data_files(root, paths.partition_dir(root, "articles", "ingest_month", p)))
            for p in parquet.list_partitions(root, "articles")}


def seen(root: Path) -> list[tuple]:
    """Every article as readers see it, DuckDB and `parquet.read` agreeing, none twice."""
    with catalog.connect(root) as con:
        rows = con.execute("SELECT article_id, content_sha256, title, ingest_month FROM articles "
                           "ORDER BY article_id").fetchall()
    table = parquet.read(root, "articles", columns=["article_id", "content_sha256", "title", "ingest_month"])
    assert sorted(tuple(r.values()) for r in table.to_pylist()) == [tuple(map(str, r)) for r in rows]
    assert len({r[:2] for r in rows}) == len(rows), "an article is stored twice"
    return rows


def test_compaction_leaves_one_file_per_partition_and_the_same_rows(tmp_path):
    polled(tmp_path)
    before = seen(tmp_path)
    assert len(before) == 26 and files(tmp_path) == {"2024-07": 5, "2024-08": 2}

    assert compact.compact(tmp_path) == {"2024-07": 5, "2024-08": 2}

    assert files(tmp_path) == {"2024-07": 1, "2024-08": 1}
    assert seen(tmp_path) == before
    assert compact.compact(tmp_path) == {}  # nothing left to do
    assert parquet.append(tmp_path, "articles", [article(1, JULY)]) == 0  # keys still found


def kill_child_at_mark(root: Path, point: str) -> None:
    """Run this file's child on `root` until it prints MARK at `point`, then SIGKILL it."""
    proc = subprocess.Popen([sys.executable, __file__, "child", str(root), point],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == MARK
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.slow
@pytest.mark.parametrize("point", ["mid-write", "before-swap", "after-swap"])
def test_sigkill_during_compaction_loses_and_doubles_nothing(tmp_path, point):
    polled(tmp_path)
    before = seen(tmp_path)
    kill_child_at_mark(tmp_path, point)

    assert seen(tmp_path) == before  # as it was, or compacted: never a row twice or missing
    assert sum(files(tmp_path).values()) in (2, 3, 7)

    compact.compact(tmp_path)

    assert files(tmp_path) == {"2024-07": 1, "2024-08": 1}
    assert seen(tmp_path) == before
    assert not any((tmp_path / compact.STAGE_DIR / "articles").iterdir())  # the killed one's staging is gone


def incidents_seen(root: Path) -> list[tuple]:
    with catalog.connect(root) as con:
        return con.execute("SELECT incident_id, event_month, fatalities FROM incidents_all ORDER BY 1").fetchall()


@pytest.mark.slow
def test_a_rewrite_of_several_months_killed_half_way_leaves_the_old_state_whole(tmp_path):
    parquet.replace_partitions(tmp_path, "incidents", {
        "2024-06": [incident(1, dt.date(2024, 6, 5), 1), incident(2, dt.date(2024, 6, 30), 2)],
        "2024-07": [incident(3, dt.date(2024, 7, 5), 3)]})
    old = incidents_seen(tmp_path)
    kill_child_at_mark(tmp_path, "rewrite")

    assert incidents_seen(tmp_path) == old  # not June's new file beside July's old one
    assert compact.sweep_temp(tmp_path, older_than=0) >= 1  # the killed rewrite's staging

    parquet.replace_partitions(tmp_path, "incidents", rewrite())

    assert incidents_seen(tmp_path) == [("i1", "2024-06", 10), ("i2", "2024-08", 20), ("i3", "2024-07", 30),
                                        ("i4", "2024-08", 40)]
    assert not [p for p in tmp_path.iterdir() if swap.STAGE_SUFFIX in p.name]
