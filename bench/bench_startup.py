"""Where the seconds of `flarewatch demo` go: start-up (imports, Prefect's temporary server, the
coding processes) against the work (polling, fetching, coding, writing).

    .venv/bin/python bench/bench_startup.py [--runs 3] [--skip-trace] [--against DIR [--against-cache DIR]]

1. imports alone, each in a new interpreter: `flows.cli`, `flows.ingest` (Prefect's client,
   trafilatura, DuckDB, pyarrow, the coder), and `prefect.server.api.server` (what the temporary
   server imports before it can answer);
2. one traced `flarewatch demo` (a new process running the CLI's `main` with hooks around its
   steps; `--port 0`, a fresh data root): for each step the wall time since the process started,
   this process's CPU time, and the temporary server's CPU time, so the critical path can be
   read even when other jobs load the machine (CPU seconds do not grow with the load, wall ones do);
3. `--runs` plain demo runs (`python -m flows.cli demo`), each a new process with a fresh data
   root: wall time and CPU time; with `--against DIR` (another revision's checkout) each is paired
   with a run of that revision's demo just before it, so the two are compared under the same load.

PREFECT_API_URL is removed from the environment, so every demo starts its own temporary server,
as on a machine with no Prefect server configured. Prints the machine header of the other
bench scripts first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _farm import print_machine  # noqa: E402

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent
GOAL_DEMO = 5.0


def clean_env() -> dict[str, str]:
    """This environment without a Prefect server or flarewatch settings named."""
    return {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL" and not k.startswith("FLAREWATCH_")}


def import_cost(module: str) -> tuple[float, float]:
    """(wall s, CPU s) of `import module` in a new interpreter, interpreter start included."""
    code = f"import {module}"
    t0 = time.perf_counter()
    before = os.times()
    subprocess.run([sys.executable, "-c", code], check=True, env=clean_env(), cwd=REPO)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return time.perf_counter() - t0, cpu


def demo_run(data: Path, tree: Path = REPO, cache: Path | None = None) -> tuple[float, float]:
    """(wall s, CPU s of the CLI and the children it waited for) of `python -m flows.cli demo` run
    from `tree` (this checkout, or another revision's: its `flows` package is the one imported),
    with `cache` as its XDG_CACHE_HOME if given."""
    env = clean_env() | ({"XDG_CACHE_HOME": str(cache)} if cache else {})
    before = os.times()
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flows.cli", "demo", "--port", "0", "--data", str(data)], check=True,
                   env=env, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def traced_demo(data: Path) -> str:
    """The step table of one traced demo (the `_trace` mode of this script, in a new process)."""
    done = subprocess.run([sys.executable, __file__, "--_trace", str(data)], env=clean_env(), check=True,
                          capture_output=True, text=True, cwd=REPO)
    return done.stdout


# ---- the traced run (runs in its own process: `--_trace DATA`) -------------------------------------

def _proc_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _server_cpu() -> float:
    """CPU seconds so far of this process's server descendants (the temporary Prefect server)."""
    from _farm import descendants_by_kind

    total = 0.0
    for pid in descendants_by_kind(os.getpid()):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes() + Path(f"/proc/{pid}/comm").read_bytes()
        except OSError:
            continue
        if b"uvicorn" in cmd or b"--serve-prefect" in cmd or b"prefect-server" in cmd:  # forked, started, older
            total += _proc_cpu(pid)
    return total


def _server_marks(lifecycle: object, started: float):  # noqa: ANN202 - returns a reader
    """Have the temporary server's process (forked or started by `lifecycle.serve_prefect`) note when
    its app is built and when it listens, on this process's clock (CLOCK_MONOTONIC is the system's)
    with its own CPU time, in a pipe; returns a function that reads those marks back. The CLI
    reaches "temporary server: answers" only after its own imports, so that mark alone does not
    tell which of the two was later."""
    read_end, write_end = os.pipe()
    real = lifecycle.serve_prefect  # type: ignore[attr-defined]

    def serve(port: int) -> None:
        import uvicorn

        startup = uvicorn.Server.startup

        def note(what: str) -> None:
            os.write(write_end, f"{time.perf_counter() - started}|{time.process_time()}|{what}\n".encode())

        async def noted(self, sockets=None) -> None:  # noqa: ANN001
            note("server's own process: routes built, starts (lifespan)")
            await startup(self, sockets)
            note("server's own process: listening")

        uvicorn.Server.startup = noted
        real(port)

    lifecycle.serve_prefect = serve  # type: ignore[attr-defined]

    def read() -> list[tuple[float, float, float, str]]:
        os.close(write_end)
        with os.fdopen(read_end) as pipe:
            rows = [line.split("|", 2) for line in pipe.read().splitlines()]
        return [(float(wall), float("nan"), float(cpu), what) for wall, cpu, what in rows]

    return read


def _trace(data: str, started: float) -> None:
    """Run `flarewatch demo` in this process with a mark around each step; print the table."""
    import contextlib
    import functools
    import io
    import threading

    marks: list[tuple[float, float, float, str]] = []
    lock = threading.Lock()

    def mark(what: str) -> None:
        server_cpu = _server_cpu()  # read at every mark: where the server's CPU goes, step by step
        with lock:
            marks.append((time.perf_counter() - started, time.process_time(), server_cpu, what))

    def around(module: object, name: str, label: str, first_only: bool = False) -> None:
        fn, seen = getattr(module, name), []

        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            if not (first_only and seen):
                mark(f"{label}: begins")
            try:
                return fn(*args, **kwargs)
            finally:
                if not (first_only and seen):
                    mark(f"{label}: ends")
                seen.append(1)

        setattr(module, name, wrapped)

    import flows.cli as cli
    import flows.lifecycle as lifecycle

    mark("import flows.cli")
    real_server = lifecycle.temporary_server
    server_marks = _server_marks(lifecycle, started)

    def hooks() -> None:
        import flows.ingest as ingest
        from flows import steps
        from warehouse import remerge

        around(ingest, "run_ingest", "flow body (run_ingest)")
        around(steps, "poll_feeds", "poll a feed", first_only=True)
        around(steps, "fetch_pages", "fetch pages")
        around(steps, "_pool", "start the coding pool")
        around(steps, "code_within_budget", "code the first article (in this process)", first_only=True)
        around(steps, "store_chunk", "wait for coding + store the chunk")
        around(remerge, "remerge_incidents", "merge incidents")
        around(ingest, "publish_artifacts", "artifacts + report page")

    @contextlib.contextmanager
    def timed_server(prepare=None, **options):  # noqa: ANN001, ANN003, ANN202
        mark("temporary server: start requested")

        def prepared() -> None:
            mark("imports while the server starts: begin")
            if prepare is not None:
                prepare()
            hooks()
            mark("imports while the server starts: end")

        with real_server(prepare=prepared, **options) as url:
            mark("temporary server: answers")
            yield url
            mark("flow returned (server still up)")
        mark("temporary server: stopped")

    lifecycle.temporary_server = timed_server
    with contextlib.redirect_stdout(io.StringIO()):
        status = cli.main(["demo", "--port", "0", "--data", data])
    mark(f"CLI done (trends printed), status {status}")
    marks.extend(server_marks())
    marks.sort()
    print(f"{'wall s':>7} {'CPU s':>6} {'server CPU s':>12}  step")
    for wall, cpu, server_cpu, what in marks:
        print(f"{wall:7.2f} {cpu:6.2f} {server_cpu:12.2f}  {what}".replace("   nan", "     -"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="plain demo runs timed after the traced one")
    ap.add_argument("--skip-trace", action="store_true", help="only the import costs and the plain runs")
    ap.add_argument("--against", type=Path, metavar="DIR",
                    help="a checkout of another revision (git archive REV | tar -x -C DIR): its demo runs "
                    "before each of this tree's, with the same interpreter and packages")
    ap.add_argument("--against-cache", type=Path, metavar="DIR",
                    help="XDG_CACHE_HOME of --against's runs (else they share this tree's: the kept regular "
                    "expressions and decoded seeds of the two revisions would meet in one directory)")
    ap.add_argument("--_trace", metavar="DATA", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._trace:
        _trace(args._trace, STARTED)
        return 0
    print_machine("python bench/bench_startup.py " + " ".join(sys.argv[1:] if argv is None else argv))
    print("imports, each in a new interpreter (wall s, CPU s):")
    for module in ("flows.cli", "flows.ingest", "prefect.server.api.server"):
        wall, cpu = import_cost(module)
        print(f"    {module:<28} {wall:6.2f} {cpu:6.2f}")
    with tempfile.TemporaryDirectory(prefix="fw-startup-") as tmp:
        if not args.skip_trace:
            print("\none traced `flarewatch demo` (times since its process started; CPU: that process, "
                  "and the server's):")
            print(traced_demo(Path(tmp) / "traced"), end="")
        print(f"\n{args.runs} plain demo runs, each a new process and a fresh data root"
              + (f", alternating with {args.against}" if args.against else "") + ":")
        walls = []
        for i in range(args.runs):
            if args.against:
                wall, cpu = demo_run(Path(tmp) / f"against-{i}", args.against, args.against_cache)
                print(f"    {args.against}: {wall:6.2f} s wall, {cpu:6.2f} s CPU (load {os.getloadavg()[0]:.1f})")
            wall, cpu = demo_run(Path(tmp) / f"run-{i}")
            walls.append(wall)
            print(f"    this tree: {wall:6.2f} s wall, {cpu:6.2f} s CPU (load {os.getloadavg()[0]:.1f})")
    load = os.getloadavg()
    print(f"\nloadavg after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if walls:
        best = min(walls)
        print(f"RESULT demo wall, {len(walls)} runs: " + ", ".join(f"{w:.2f}" for w in walls)
              + f" s; best {best:.2f} s (goal < {GOAL_DEMO:g} s on a warm machine): "
              + ("MET" if best < GOAL_DEMO else "NOT MET"))
    return 0


STARTED = time.perf_counter()  # the traced run's clock starts with its process (this module's import)

if __name__ == "__main__":
    raise SystemExit(main())
