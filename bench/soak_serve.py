"""`bench/soak.py --serve`: the soak through a real Prefect server and a real `flarewatch serve`.

    python bench/soak.py --serve [--cycles 300] [--interval 10] [--minutes M] [--csv FILE]

In: nothing but this repository (`prefect server start` on a free 127.0.0.1 port with a temporary
PREFECT_HOME, through the helpers of tests/test_prefect_server.py). `flarewatch serve --interval`
polls `bench/soak.py`'s changing feed farm on 127.0.0.1; the farm advances after each completed
scheduled poll. `--cycles` counts the scheduled polls the server ended (completed, failed, or
cancelled by the poll's concurrency limit); then every feed is up, one settling poll runs, and
serve gets SIGTERM. Out: one line per poll (wall time, lateness, peak RSS, descriptors and
processes of serve's process tree, serve's own RSS and descriptors, the Prefect server's RSS,
Parquet files under the data root), and a summary whose `problems` list what failed: the
warehouse invariants of `soak.check_warehouse` (every story once, ids unique, feed state, no temp
file), one `runs` row per poll, serve's clean exit, and equality with one clean `flarewatch run`
over every story listed at once (article keys, mention ids, incidents, monthly counts). Linux
(/proc) only.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from soak import ChangingFeedServer, check_warehouse

from warehouse import catalog, parquet

REPO = Path(__file__).resolve().parent.parent
TERMINAL = ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"]


def _prefect_helpers():  # noqa: ANN202 - the module tests/test_prefect_server.py
    """The Prefect-server helpers the tests use (`prefect_server`, `process`, `wait_for`, `Api`)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("flarewatch_test_prefect_server",
                                                  REPO / "tests" / "test_prefect_server.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tree(pid: int) -> list[int]:
    """`pid` and its live descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                ppid = int(Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _rss_fds(pids: list[int]) -> tuple[float, int]:
    """Summed resident memory (MB; shared pages counted in each process) and open descriptors."""
    rss, fds = 0.0, 0
    for p in pids:
        try:
            rss += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
            fds += len(os.listdir(f"/proc/{p}/fd"))
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    return rss, fds


class Sampler:
    """Samples `serve`'s process tree twice a second; `take()` returns the peaks since the last take."""

    def __init__(self, pid: int) -> None:
        self.pid, self._lock, self._stop = pid, threading.Lock(), threading.Event()
        self._reset()
        threading.Thread(target=self._run, daemon=True).start()

    def _reset(self) -> None:
        self.rss_peak, self.fds_peak, self.procs_peak = 0.0, 0, 0

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            pids = _tree(self.pid)
            rss, fds = _rss_fds(pids)
            with self._lock:
                self.rss_peak, self.fds_peak = max(self.rss_peak, rss), max(self.fds_peak, fds)
                self.procs_peak = max(self.procs_peak, len(pids))

    def take(self) -> tuple[float, int, int]:
        with self._lock:
            peaks = (self.rss_peak, self.fds_peak, self.procs_peak)
            self._reset()
        return peaks

    def stop(self) -> None:
        self._stop.set()


@dataclass
class ServedCycle:
    n: int
    state: str
    seconds: float  # the flow run's start to end
    late: float  # seconds it started after its scheduled time
    new_articles: int
    feeds_failed: int
    tree_rss_peak_mb: float  # serve + the flow-run process + workers, peak during the cycle
    tree_fds_peak: int
    procs_peak: int
    serve_rss_mb: float  # `serve` alone, once the run ended
    serve_fds: int
    server_rss_mb: float  # the Prefect server (its process tree)
    data_files: int  # Parquet files under the data root


def _when(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def snapshot(root: Path) -> dict[str, list[tuple]]:
    """What a run must produce, whenever and in however many polls: keys, ids and the coded
    incidents. Incidents without their ids: an incident keeps the id it got when first stored
    (`dedup.merge_mentions`), so an earlier report that arrives in a later poll does not rename it,
    where one run over every report anchors the id on the earliest (`incident_ids` counts these)."""
    with catalog.connect(root) as con:
        def rows(sql: str) -> list[tuple]:
            return con.execute(sql + " ORDER BY ALL").fetchall()

        return {
            "articles": rows("SELECT article_id, content_sha256 FROM articles"),
            "mentions": rows("SELECT mention_id, article_id, event_date FROM mentions"),
            "incidents": rows("SELECT status, event_date, sub_event_type, iso3, fatalities, n_articles, "
                              "array_to_string(list_sort(mention_ids), ',') FROM incidents_all"),
            "attacks_per_month": rows("SELECT month, iso3, sub_event_type, incidents, fatalities "
                                      "FROM attacks_per_month"),
            "incident_ids": rows("SELECT incident_id FROM incidents_all"),
        }


def serve_soak(cycles: int, root: Path, work: Path, *, interval: float = 10.0, feeds: int = 3,
               per_cycle: int = 3, minutes: float | None = None, echo: bool = False,
               ) -> tuple[list[ServedCycle], dict[str, object]]:
    """`prefect server start` (own PREFECT_HOME under `work`) and `flarewatch serve --interval`
    against a changing feed farm on 127.0.0.1: the farm advances after each completed scheduled
    poll, until `cycles` polls completed (or `minutes` passed); then every feed up, one settling
    poll, SIGTERM. Checks the warehouse, then compares it with one clean `flarewatch run` over
    every story in one feed listing. Returns the cycles and the summary (`problems`)."""
    ps = _prefect_helpers()
    renamed = 0
    home = work / "prefect-home"
    home.mkdir(parents=True)
    started_at = time.monotonic()
    stop_at = started_at + minutes * 60 if minutes else None
    with ps.prefect_server(home) as (api, env), ChangingFeedServer(feeds, per_cycle) as srv:
        srv.advance()
        feed_list = work / "feeds.yaml"
        feed_list.write_text("feeds:\n" + "".join(
            f"  - id: {s.id}\n    url: \"{s.url}\"\n    outlet: {s.outlet}\n" for s in srv.specs()))
        # one coding process per run; the runner looks for due runs every 2 s (default 10)
        env = env | {"FLAREWATCH_WORKERS": "1", "PREFECT_RUNNER_POLL_FREQUENCY": "2",
                     "PREFECT_LOGGING_LEVEL": "WARNING"}
        args = [str(ps.BIN / "flarewatch"), "serve", "--interval", f"{interval:g}", "--feeds", str(feed_list),
                "--data", str(root), "--allow-host", "127.0.0.1"]
        server_pid = next(p for p in _tree(os.getpid()) if p != os.getpid() and
                          b"prefect" in Path(f"/proc/{p}/cmdline").read_bytes())
        done: list[ServedCycle] = []
        skipped: list[str] = []
        with ps.process(args, env, work / "serve.log") as proc:
            deployment = ps.wait_for(lambda: api.deployment("poll"), 180, "the poll deployment")
            sampler = Sampler(proc.pid)
            seen: set[str] = set()
            settle_from: dt.datetime | None = None
            settled = False
            while not settled:
                assert proc.poll() is None, (work / "serve.log").read_text(errors="replace")[-3000:]
                ended = api.post("/flow_runs/filter", {
                    "flow_runs": {"deployment_id": {"any_": [deployment["id"]]},
                                  "state": {"type": {"any_": TERMINAL}}},
                    "sort": "EXPECTED_START_TIME_DESC", "limit": 50})
                for run in sorted((r for r in ended if r["id"] not in seen), key=lambda r: r["end_time"] or ""):
                    seen.add(run["id"])
                    if run["state_type"] == "CANCELLED":  # an overlap refused (CANCEL_NEW)
                        skipped.append(f"{run['expected_start_time']}: {run['state']['message']}")
                        if echo:
                            print(f"poll {run['expected_start_time'][11:19]} cancelled: {run['state']['message']}")
                        continue
                    recorded = parquet.read(root, "runs").to_pylist()
                    mine = next((r for r in recorded if r["run_id"] == run["id"]), {})
                    rss, fds, procs = sampler.take()
                    serve_rss, serve_fds = _rss_fds([proc.pid])
                    start, end = _when(run["start_time"]), _when(run["end_time"])
                    done.append(ServedCycle(
                        len(done) + 1, run["state_type"], (end - start).total_seconds() if start and end else 0.0,
                        (start - _when(run["expected_start_time"])).total_seconds() if start else 0.0,
                        mine.get("new_articles") or 0, mine.get("feeds_failed") or 0, rss, fds, procs,
                        serve_rss, serve_fds, _rss_fds(_tree(server_pid))[0],
                        sum(1 for _ in root.rglob("*.parquet"))))
                    if echo:
                        c = done[-1]
                        print(f"cycle {c.n:4d} {c.state:9s} {c.seconds:6.2f}s late {c.late:5.1f}s "
                              f"+{c.new_articles:2d} articles  feeds down {c.feeds_failed}  tree "
                              f"{c.tree_rss_peak_mb:6.1f} MB {c.tree_fds_peak:4d} fds {c.procs_peak} procs  "
                              f"serve {c.serve_rss_mb:6.1f} MB {c.serve_fds:3d} fds  server "
                              f"{c.server_rss_mb:6.1f} MB  files {c.data_files:5d}", flush=True)
                    if settle_from is None:
                        srv.advance()
                    elif start and start > settle_from and run["state_type"] == "COMPLETED":
                        settled = True
                out_of_time = stop_at is not None and time.monotonic() > stop_at
                if settle_from is None and (len(done) + len(skipped) >= cycles or out_of_time):
                    with srv._lock:
                        srv.down.clear()  # the settling poll: nothing new, every feed up
                    settle_from = dt.datetime.now(dt.UTC)
                time.sleep(1.0)
            sampler.stop()
            proc.send_signal(signal.SIGTERM)
            exit_code = proc.wait(60)
            elapsed = time.monotonic() - started_at
        counts, problems = check_warehouse(srv, root)
        log = (work / "serve.log").read_text(errors="replace")
        if exit_code != 0 or "Traceback" in log:
            problems.append(f"serve exited {exit_code}; log tail: {log[-500:]}")
        # A poll may end after the last look (serve stops it or lets it finish): ask about each run
        # recorded that the loop did not count.
        late_runs = [api.http.get(f"/flow_runs/{run_id}").json().get("state_type") for run_id in
                     set(parquet.read(root, "runs")["run_id"].to_pylist()) - seen]
        if counts["runs"] != len(done) + len(late_runs) or set(late_runs) - {"COMPLETED"}:
            problems.append(f"{counts['runs']} runs recorded for {len(done)} polls and {late_runs} after the stop")
        problems += [f"poll {c.n} {c.state}" for c in done if c.state != "COMPLETED"]
        # The reference: one clean run over every story, listed at once (no window), same farm.
        with srv._lock:
            srv.listed = {f: [s for s in srv.stories if f in s.listed_as] for f in srv.feeds}
        reference = work / "reference"
        clean = subprocess.run([str(ps.BIN / "flarewatch"), "run", "--feeds", str(feed_list), "--data",
                                str(reference), "--allow-host", "127.0.0.1"], env=env, cwd=REPO,
                               capture_output=True, text=True, timeout=3600)
        if clean.returncode != 0:
            problems.append(f"clean run exited {clean.returncode}: {clean.stderr[-500:]}")
        else:
            soaked, expected = snapshot(root), snapshot(reference)
            renamed = len(set(soaked.pop("incident_ids")) - set(expected.pop("incident_ids")))
            problems += [f"{k}: {len(soaked[k])} rows after the soak, {len(expected[k])} in one clean run, "
                         f"{len(set(soaked[k]) ^ set(expected[k]))} differ"
                         for k in expected if soaked[k] != expected[k]]
    ok = done[min(3, len(done) - 1):] if done else []  # after the warm-up
    half = len(ok) // 2

    def mean(xs: list[float]) -> float:
        return round(sum(xs) / max(1, len(xs)), 2)

    def ends(name: str) -> list[float] | None:  # [after the first poll, after the last]
        return [round(getattr(done[0], name), 1), round(getattr(done[-1], name), 1)] if done else None

    summary = {
        "cycles": len(done), "interval_s": interval, "cancelled": len(skipped), "cancelled_first": skipped[:3],
        "stories": len(srv.stories), **counts,
        "feed_polls_failed": sum(c.feeds_failed for c in done),
        "seconds_per_cycle_first_half": mean([c.seconds for c in ok[:half]]),
        "seconds_per_cycle_second_half": mean([c.seconds for c in ok[half:]]),
        "seconds_per_cycle_max": round(max((c.seconds for c in done), default=0), 2),
        "late_max_s": round(max((c.late for c in done), default=0), 1),
        "tree_rss_peak_mb_first_after_warmup": round(ok[0].tree_rss_peak_mb, 1) if ok else None,
        "tree_rss_peak_mb_max": round(max((c.tree_rss_peak_mb for c in done), default=0), 1),
        "serve_rss_mb_first_end": ends("serve_rss_mb"), "serve_fds_first_end": ends("serve_fds"),
        "serve_rss_mb_max": round(max((c.serve_rss_mb for c in done), default=0), 1),
        "serve_fds_max": max((c.serve_fds for c in done), default=0),
        "tree_fds_peak_max": max((c.tree_fds_peak for c in done), default=0),
        "procs_peak_max": max((c.procs_peak for c in done), default=0),
        "server_rss_mb_first_end": ends("server_rss_mb"), "data_files_first_end": ends("data_files"),
        "runs_ended_after_the_stop": late_runs, "incident_ids_kept_from_earlier_polls": renamed,
        "clean_run_equal": not any(p.split(":")[0] in ("articles", "mentions", "incidents", "attacks_per_month")
                                   for p in problems) and clean.returncode == 0,
        "total_minutes": round(elapsed / 60, 1), "problems": problems,
    }
    return done, summary

