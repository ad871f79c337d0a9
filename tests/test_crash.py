"""Crash safety: a real ingest process SIGKILLed inside a write, and two ingest processes at once.

Each crash case starts this file as a child process (`python tests/test_crash.py child ...`) that
runs the real `flows.ingest.ingest` flow (against the session's Prefect harness, through
PREFECT_API_URL) over a corpus served on 127.0.0.1. The child wraps `os.replace` and
`pyarrow.parquet.write_table` so that at a named point of a write it prints a marker and sleeps;
the test then SIGKILLs it there. Points are named `<table>:<where>:<n>`, the n-th write of that
table, where `where` is

- `mid-temp`: half of the temp file written and synced, the rest not (a torn temp file),
- `before-rename`: the temp file complete and synced, not yet renamed over its target,
- `after-rename`: the rename done, nothing after it (not the directory fsync, not the next write).

No hook lives in the library: the child patches the two functions every write goes through
(and `warehouse.lock._acquire`, to announce when it waits for and takes the data root's lock).
After the kill the warehouse must be readable as it is (DuckDB and `parquet.read`, no temp or
partial file visible, no key twice); after one more normal run it must hold exactly what one
clean run produces: the same article keys, mention ids and incidents, nothing lost or doubled.
Every flow here runs in a child, the reference clean run too, started together with the runs it
is compared with: all of them then run the same code (it matters while the coder is being edited).
About 60-90 s for the module on two shared cores, most of it the harness and the children's imports.

Two runs at once: the first is held inside its first write, the second is started and must wait
for the lock (not take it), and once both finish the warehouse equals one clean run's.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MARK = "FLAREWATCH-CRASH-TEST "


# --------------------------------------------------------------------------------------- child


def _child(argv: list[str]) -> int:
    """`child FEEDS DATA [POINT [GO]]`: ingest FEEDS into DATA, pausing at POINT if given.

    The pause lasts until the file GO exists, or until the test kills the child. Taking the data
    root's write lock is announced too: "LOCK-WAIT" before, "LOCK-HELD" once held.
    """
    feeds, data = argv[0], argv[1]
    point, go = (argv[2:] + ["", ""])[:2]
    if point:
        _install_pause(point, Path(data).resolve(), Path(go) if go else None)
    from warehouse import lock

    real_acquire = lock._acquire

    def acquire(path, timeout):
        print(MARK + "LOCK-WAIT", flush=True)
        fd = real_acquire(path, timeout)
        print(MARK + "LOCK-HELD", flush=True)
        return fd

    lock._acquire = acquire
    from flows.ingest import ingest

    summary = ingest(feeds=feeds, data=data, allow_hosts=["127.0.0.1"])
    print(MARK + "DONE " + json.dumps({k: summary[k] for k in ("new_articles", "new_mentions",
                                                                "feeds_not_modified")}), flush=True)
    return 0


def _install_pause(point: str, root: Path, go: Path | None) -> None:
    import pyarrow.parquet as pq

    table, where, nth = point.split(":")
    seen: Counter[str] = Counter()

    def table_of(path: object) -> str:
        rel = Path(os.fspath(path)).resolve().relative_to(root)  # type: ignore[arg-type]
        return rel.parts[0].split(".stage-")[0]  # a table's next state is staged beside it

    def hit(path: object) -> bool:
        if table_of(path) != table:
            return False
        seen[table] += 1
        return seen[table] == int(nth)

    def pause() -> None:
        print(MARK + "PAUSED " + point, flush=True)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not (go and go.exists()):
            time.sleep(0.05)

    if where == "mid-temp":
        real_write = pq.write_table

        def write_table(tbl, where_, **kwargs):
            if not hasattr(where_, "write") or not hit(where_.name):
                return real_write(tbl, where_, **kwargs)
            import io

            buffer = io.BytesIO()
            real_write(tbl, buffer, **kwargs)
            where_.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
            where_.flush()
            os.fsync(where_.fileno())
            pause()
            return None

        pq.write_table = write_table
        return
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        now = hit(dst)
        if now and where == "before-rename":
            pause()
        real_replace(src, dst, *args, **kwargs)
        if now and where == "after-rename":
            pause()

    os.replace = replace  # type: ignore[assignment]


if __name__ == "__main__":
    sys.path.append(str(REPO))  # appended: a PYTHONPATH given by the caller comes first
    sys.exit(_child(sys.argv[2:]) if sys.argv[1:2] == ["child"] else 2)


# --------------------------------------------------------------------------------------- tests

import shutil
import threading

import pyarrow.parquet as pq
import pytest

from flows.demo import DEMO_DIR, serve_demo
from warehouse import attacks, catalog, compact, parquet, paths
from warehouse.schemas import TABLES

pytestmark = pytest.mark.slow
FEEDS = ("levant-wire", "gulf-monitor")  # two outlets that report some of the same incidents


@pytest.fixture(scope="module", autouse=True)
def no_child_left() -> Iterator[None]:
    yield
    for child in Child.started:
        if child.proc.poll() is None:
            child.kill()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    """Two demo outlets served on 127.0.0.1 (fixed for the module); yields the feed list path."""
    folder = tmp_path_factory.mktemp("corpus")
    with serve_demo(DEMO_DIR) as base_url:
        lines = ["feeds:"]
        for feed in FEEDS:
            lines += [f"  - id: {feed}", f'    url: "{base_url}/feeds/{feed}.xml"', f"    outlet: {feed}"]
        feed_list = folder / "feeds.yaml"
        feed_list.write_text("\n".join(lines) + "\n", encoding="utf-8")
        yield feed_list


@pytest.fixture(scope="module")
def child_env(prefect_harness) -> dict[str, str]:
    """The environment of a child: the harness's API (no server of its own), one worker."""
    import prefect.settings

    return {
        **os.environ,
        "PREFECT_API_URL": prefect.settings.PREFECT_API_URL.value(),
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "FLAREWATCH_WORKERS": "1",
    }


def snapshot(root: Path) -> dict[str, object]:
    """What a run must produce, independent of when it ran: keys, ids and the coded incidents."""
    with catalog.connect(root) as con:
        def rows(sql: str) -> list[tuple]:
            return con.execute(sql + " ORDER BY ALL").fetchall()

        return {
            "articles": rows("SELECT article_id, content_sha256 FROM articles"),
            "mentions": rows("SELECT mention_id, article_id, event_date FROM mentions"),
            "incidents": rows(
                "SELECT incident_id, status, merged_into, event_date, sub_event_type, iso3, "
                "fatalities, n_articles, array_to_string(mention_ids, ',') FROM incidents_all"),
            "attacks_per_month": rows("SELECT month, iso3, sub_event_type, incidents, fatalities "
                                      "FROM attacks_per_month"),
            "feed_state": rows("SELECT feed_id, url, entries_seen FROM feed_state"),
            # the materialised monthly counts that plain Parquet readers use (warehouse/attacks.py)
            "attacks_per_month_file": rows(
                "SELECT month, iso3, sub_event_type, incidents, fatalities FROM read_parquet("
                f"'{root / 'attacks_per_month' / 'attacks_per_month.parquet'}')"),
            # and what the same file holds beside its rows: undated attacks, any-type month counts
            "attacks_per_month_extras": attacks.read_per_month(root).undated + [attacks.read_per_month(root).active],
        }


def assert_readable_and_single(root: Path) -> None:
    """Readable by DuckDB and `parquet.read`, no partial file visible, no key stored twice."""
    for f in root.rglob("*.parquet"):
        pq.ParquetFile(f)  # every visible file is whole (a torn one would not open)
    for tmp in paths.temp_files(root):
        assert tmp.name.startswith(".") and tmp.name.endswith(paths.TMP_SUFFIX)
    with catalog.connect(root) as con:
        for name, ts in TABLES.items():
            view = "incidents_all" if name == "incidents" else name
            keys = ", ".join(f'"{k}"' for k in ts.key)
            total, distinct = con.execute(
                f"SELECT count(*), count(DISTINCT row({keys})) FROM {view}").fetchall()[0]
            assert total == distinct, f"{view}: {total - distinct} key(s) stored twice"
            assert parquet.read(root, name).num_rows == total


class Child:
    """A child process running the flow, and the marker lines it printed so far."""

    started: list[Child] = []  # killed at the end of the module if still running (a failed test)

    def __init__(self, feeds: Path, root: Path, env: dict[str, str], *extra: str) -> None:
        args = [sys.executable, str(Path(__file__).resolve()), "child", str(feeds), str(root), *extra]
        self.proc = subprocess.Popen(args, env=env, cwd=str(REPO), stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        self.lines: list[str] = []
        Child.started.append(self)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith(MARK):
                self.lines.append(line[len(MARK):].strip())

    def seen(self, word: str) -> str | None:
        """The rest of the first marker line starting with `word`, or None."""
        return next((line[len(word):].strip() for line in self.lines if line.startswith(word)), None)

    # A wait for a state, not a timing: ten children start at once on two cores (each imports Prefect
    # and starts its temporary server), and the last reaches its pause after 45-90 s when the
    # machine is quiet; a child that exits without the word fails at once.
    def wait(self, word: str, timeout: float = 600.0) -> str:
        deadline = time.monotonic() + timeout
        while (found := self.seen(word)) is None:
            if time.monotonic() > deadline or (self.proc.poll() is not None and self.seen(word) is None):
                self.proc.kill()
                raise AssertionError(f"the child never printed {word!r} (exit {self.proc.wait()})")
            time.sleep(0.05)
        return found

    def kill(self) -> int:
        os.kill(self.proc.pid, signal.SIGKILL)
        return self.proc.wait(30)


# The points, in the order a run reaches them (the flow writes mentions, then articles, then
# re-merges incidents, then saves the feed state and the run record); then the raw store's first
# page (written while fetching) and the footer index (saved at the end of the run).
KILL_POINTS = [
    "articles:mid-temp:1",  # a torn temp file of the articles
    "mentions:before-rename:1",  # a chunk's mentions file complete, not renamed in: logged, not stored
    "mentions:after-rename:1",  # mentions stored, their articles not: the URLs are not yet "seen"
    "articles:after-rename:1",  # articles stored, incidents not re-merged
    "incidents:after-rename:2",  # incident months half rewritten
    "attacks_per_month:before-rename:1",  # incidents rewritten, their monthly counts not
    "feed_state:before-rename:1",  # every row stored, the feeds' validators not
    "raw:before-rename:1",  # a page written in raw/.partial, not yet renamed into its month
    ".footers:before-rename:1",  # the footer index of a folder written, not yet renamed in
]


@pytest.fixture(scope="module")
def runs(corpus: Path, child_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
         ) -> dict[str, Path]:
    """Every child the crash cases need, as few at a time as their order allows.

    At once: one clean run, and one run per kill point that is SIGKILLed where it pauses. Each
    killed root is copied as the kill left it, then one more run per killed root, at once.
    Children only (no flow in this process), so all code the same code as it is on disk now.
    Returns "clean" -> root, "<point>" -> recovered root, "<point>:killed" -> the copy.
    """
    base = tmp_path_factory.mktemp("runs")
    roots = {key: base / key.replace(":", "_") for key in ["clean", *KILL_POINTS]}
    clean = Child(corpus, roots["clean"], child_env)
    killed = {p: Child(corpus, roots[p], child_env, p) for p in KILL_POINTS}
    for point, child in killed.items():
        assert child.wait("PAUSED") == point
        assert child.kill() == -signal.SIGKILL
        shutil.copytree(roots[point], base / f"{point.replace(':', '_')}_killed")
        roots[f"{point}:killed"] = base / f"{point.replace(':', '_')}_killed"
    assert json.loads(clean.wait("DONE"))["new_articles"] > 10 and clean.proc.wait(30) == 0
    again = {p: Child(corpus, roots[p], child_env) for p in KILL_POINTS}
    for child in again.values():
        child.wait("DONE")
        assert child.proc.wait(30) == 0
    return roots


@pytest.fixture(scope="module")
def clean_run(runs: dict[str, Path]) -> dict[str, object]:
    """The snapshot of one uninterrupted run over the corpus."""
    snap = snapshot(runs["clean"])
    assert len({r[3] for r in snap["incidents"]}) > 3  # several event months: a multi-file rewrite
    return snap


@pytest.mark.parametrize("point", KILL_POINTS)
def test_sigkill_inside_a_write_loses_and_doubles_nothing(
    point: str, runs: dict[str, Path], clean_run: dict[str, object]
) -> None:
    assert_readable_and_single(runs[f"{point}:killed"])  # as the kill left it
    root = runs[point]  # after one more run
    assert_readable_and_single(root)
    assert snapshot(root) == clean_run
    with catalog.connect(root) as con:  # the killed run left no runs row; the next one did
        assert con.execute("SELECT count(*) FROM runs").fetchall() == [(1,)]
    # The killed write's temp file is invisible, and reclaimed by the sweep.
    compact.sweep_temp(root, older_than=0)
    assert paths.temp_files(root) == []


def test_two_runs_at_once_equal_one_run(
    corpus: Path, child_env: dict[str, str], tmp_path: Path
) -> None:
    """The first run is held inside its first write while the second starts: the second must wait
    for the first's lock, then find everything stored and add nothing. A third, independent run
    into its own root, started with them (so on the same code), is the reference."""
    root, go = tmp_path / "data", tmp_path / "go"
    reference = Child(corpus, tmp_path / "reference", child_env)
    first = Child(corpus, root, child_env, "articles:before-rename:1", str(go))
    assert first.wait("PAUSED") and first.seen("LOCK-HELD") is not None
    second = Child(corpus, root, child_env)
    second.wait("LOCK-WAIT")
    time.sleep(1.0)
    assert second.seen("LOCK-HELD") is None, "the second run took the lock the first one holds"
    go.touch()
    results = [json.loads(c.wait("DONE", timeout=120)) for c in (first, second, reference)]
    assert [c.proc.wait(30) for c in (first, second, reference)] == [0, 0, 0]
    assert_readable_and_single(root)
    expected = snapshot(tmp_path / "reference")
    assert snapshot(root) == expected
    assert [r["new_articles"] for r in results[:2]] == [len(expected["articles"]), 0]
    with catalog.connect(root) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchall() == [(2,)]
