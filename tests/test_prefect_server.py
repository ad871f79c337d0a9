"""The scheduled path against a real Prefect server: `prefect server start` on 127.0.0.1 with its own
PREFECT_HOME (SQLite), the demo corpus served over HTTP on 127.0.0.1, and

- `flarewatch serve --interval 15`: the server's scheduler by itself creates poll runs, the served
  process runs them, at least two complete and each wrote its `runs` row (Parquet read by DuckDB);
  SIGTERM stops `serve` within seconds, cleanly, and pauses the schedule;
- the same through `prefect deploy --all` (prefect.yaml, the interval shortened) and a process worker
  whose environment names the feeds, data root and allowed hosts (FLAREWATCH_*);
- `flarewatch alerts install`: a failed poll, and no completed poll for 20 s, each POST to a webhook
  receiver on 127.0.0.1.

Only 127.0.0.1; telemetry off. One server for the module (it takes 15-40 s to start here).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from flows.demo import serve_demo, write_demo_feed_list
from flows.lifecycle import NO_TELEMETRY
from warehouse import catalog

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(home: Path) -> dict[str, str]:
    """This process's environment without Prefect or flarewatch settings, with its own PREFECT_HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "FLAREWATCH_"))}
    env.update(NO_TELEMETRY, PREFECT_HOME=str(home), PYTHONPATH=str(REPO), PREFECT_SERVER_LOGGING_LEVEL="WARNING")
    return env


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], log: Path, cwd: Path = REPO) -> Iterator[subprocess.Popen]:
    """A subprocess in its own process group, killed with its group at the end of the block."""
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield proc
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_for(check, timeout: float, what: str, every: float = 1.0):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


class Api:
    """The few REST calls the tests need (no Prefect client: it would read this process's settings)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=30)

    def post(self, path: str, body: dict | None = None):  # noqa: ANN201
        response = self.http.post(path, json=body or {})
        response.raise_for_status()
        return response.json()

    def deployment(self, name: str) -> dict | None:
        found = self.post("/deployments/filter", {"deployments": {"name": {"any_": [name]}}})
        return found[0] if found else None

    def flow_runs(self, deployment_id: str) -> list[dict]:
        return self.post("/flow_runs/filter", {"flow_runs": {"deployment_id": {"any_": [deployment_id]}}})

    def delete_deployments(self) -> None:
        for deployment in self.post("/deployments/filter"):
            self.http.delete(f"/deployments/{deployment['id']}")


@contextlib.contextmanager
def prefect_server(home: Path, **extra: str) -> Iterator[tuple[Api, dict[str, str]]]:
    """`prefect server start` on 127.0.0.1: yields the API and the environment its clients use."""
    port = free_port()
    env = {**base_env(home), **extra}
    with process([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)], env,
                 home / "server.log") as proc:
        url = f"http://127.0.0.1:{port}/api"

        def healthy() -> bool:
            assert proc.poll() is None, (home / "server.log").read_text()[-3000:]
            with contextlib.suppress(httpx.HTTPError):
                return httpx.get(f"{url}/health", timeout=5).status_code == 200
            return False

        wait_for(healthy, 180, "the Prefect server")
        yield Api(url), {k: v for k, v in env.items() if k != "PREFECT_API_DATABASE_CONNECTION_URL"} | {
            "PREFECT_API_URL": url}
        log = (home / "server.log").read_text(errors="replace")
        assert "Can't evaluate bulk DML" not in log  # the SQLAlchemy 2.1 failure of the scheduler


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[Api, dict[str, str]]]:
    with prefect_server(tmp_path_factory.mktemp("prefect-home")) as running:
        yield running


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@contextlib.contextmanager
def postgres_cluster() -> Iterator[tuple[str, list[str]]]:
    """A PostgreSQL cluster of its own on 127.0.0.1 (a free port, trust auth, database `prefect`);
    yields its SQLAlchemy URL and a psql command line on it. As root, it runs as the `postgres`
    user (postgres refuses root)."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (.ci/run installs Debian's postgresql)")
    directory = Path(tempfile.mkdtemp(prefix="flarewatch-pg-"))  # not under pytest's 0700 tmp
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = directory / "data", free_port()
    try:
        subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "prefect"],
                       check=True, capture_output=True, timeout=120)
        with process([*as_user, str(bin_dir / "postgres"), "-D", str(data), "-k", str(directory), "-p", str(port),
                      "-c", "listen_addresses=127.0.0.1"], dict(os.environ), directory / "pg.log", cwd=directory):
            wait_for(lambda: subprocess.run([str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                                            capture_output=True).returncode == 0, 60, "PostgreSQL")
            subprocess.run([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "prefect", "prefect"],
                           check=True, capture_output=True, timeout=60)
            psql = [str(bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "prefect", "-d", "prefect",
                    "-At", "-c"]
            yield f"postgresql+asyncpg://prefect@127.0.0.1:{port}/prefect", psql
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def demo_feeds(tmp_path_factory) -> Iterator[Path]:
    with serve_demo() as base_url:
        yield write_demo_feed_list(base_url, tmp_path_factory.mktemp("feeds") / "demo-feeds.yaml")


def completed_scheduled_runs(api: Api, deployment_id: str, at_least: int, timeout: float = 300) -> list[dict]:
    """Wait until `at_least` runs of the deployment the scheduler created have completed."""

    def done() -> list[dict]:
        runs = api.flow_runs(deployment_id)
        failed = [r for r in runs if r["state_type"] in ("FAILED", "CRASHED")]
        assert not failed, [(r["name"], r["state"]["message"]) for r in failed]
        ok = [r for r in runs if r["state_type"] == "COMPLETED" and r["auto_scheduled"]]
        return ok if len(ok) >= at_least else []

    return wait_for(done, timeout, f"{at_least} completed scheduled runs", every=2)


def recorded_runs(root: Path) -> set[str]:
    with catalog.connect(root) as con:
        return {row[0] for row in con.execute("SELECT run_id FROM runs WHERE finished_at IS NOT NULL").fetchall()}


def articles(root: Path) -> int:
    with catalog.connect(root) as con:
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]


def check_serve(api: Api, env: dict[str, str], demo_feeds: Path, tmp_path: Path,
                also: Callable[[list[dict]], None] | None = None) -> None:
    """`flarewatch serve --interval 15`: two runs the scheduler made complete and write; SIGTERM
    stops it within seconds, with no warning, and pauses the schedule. `also` checks the completed
    runs further while the deployments exist (deleting them at the end may delete their runs)."""
    root = tmp_path / "data"
    log = tmp_path / "serve.log"
    args = [str(BIN / "flarewatch"), "serve", "--interval", "15", "--feeds", str(demo_feeds), "--data", str(root),
            "--allow-host", "127.0.0.1"]
    try:
        with process(args, env, log) as serve:
            deployment = wait_for(lambda: api.deployment("poll"), 120, "the poll deployment")
            wait_for(lambda: api.deployment("backfill"), 60, "the backfill deployment")
            assert deployment["concurrency_limit"] == 1 or deployment.get("global_concurrency_limit")
            assert deployment["parameters"]["data"] == str(root)
            runs = completed_scheduled_runs(api, deployment["id"], at_least=2)
            if also is not None:
                also(runs)
            assert {r["id"] for r in runs} <= recorded_runs(root), log.read_text()[-3000:]
            assert articles(root) > 0
            info = api.post("/logs/filter", {"logs": {"flow_run_id": {"any_": [r["id"] for r in runs]},
                                                      "level": {"ge_": 20, "le_": 20}}})
            assert any("feeds polled" in entry["message"] for entry in info)  # INFO logs reach the UI
            serve.send_signal(signal.SIGTERM)
            started = time.monotonic()
            assert serve.wait(timeout=30) == 0, log.read_text()[-3000:]
            assert time.monotonic() - started < 30
        text = log.read_text(errors="replace")
        assert "never awaited" not in text and "Traceback" not in text, text[-3000:]
        assert api.deployment("poll")["paused"]  # a stopped serve leaves no schedule running for nobody
    finally:
        api.delete_deployments()


def test_serve_the_scheduler_alone_creates_runs_that_complete_and_write(server, demo_feeds, tmp_path):
    check_serve(*server, demo_feeds, tmp_path)


def test_serve_on_a_prefect_server_backed_by_postgresql(demo_feeds, tmp_path):
    (tmp_path / "home").mkdir()
    with postgres_cluster() as (database, psql), prefect_server(
        tmp_path / "home", PREFECT_API_DATABASE_CONNECTION_URL=database
    ) as (api, env):
        def stored_in_postgres(runs: list[dict]) -> None:
            completed = subprocess.run([*psql, "SELECT count(*) FROM flow_run WHERE state_type = 'COMPLETED'"],
                                       capture_output=True, text=True, timeout=60)
            assert int(completed.stdout.strip()) >= 2  # the runs live in PostgreSQL, not in a SQLite file

        check_serve(api, env, demo_feeds, tmp_path, also=stored_in_postgres)
        assert not list((tmp_path / "home").glob("*.db"))


def test_deploy_all_and_a_process_worker_run_the_schedule(server, demo_feeds, tmp_path):
    api, env = server
    root = tmp_path / "data"
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text())
    for deployment in spec["deployments"]:
        for schedule in deployment.get("schedules") or []:
            schedule["interval"] = 15
    prefect_file = tmp_path / "prefect.yaml"
    prefect_file.write_text(yaml.safe_dump(spec))
    prefect = str(BIN / "prefect")
    subprocess.run([prefect, "work-pool", "create", "flarewatch", "--type", "process"], env=env, cwd=REPO,
                   check=True, capture_output=True, timeout=120)
    deploy = subprocess.run([prefect, "--no-prompt", "deploy", "--all", "--prefect-file", str(prefect_file)],
                            env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert deploy.returncode == 0, deploy.stdout[-3000:] + deploy.stderr[-3000:]
    worker_env = {**env, "FLAREWATCH_FEEDS": str(demo_feeds), "FLAREWATCH_DATA": str(root),
                  "FLAREWATCH_ALLOW_HOSTS": "127.0.0.1"}
    try:
        with process([prefect, "worker", "start", "--pool", "flarewatch"], worker_env, tmp_path / "worker.log"):
            deployment = api.deployment("poll")
            assert deployment["work_pool_name"] == "flarewatch"
            assert api.deployment("backfill")["work_queue_name"] == "backfill"
            runs = completed_scheduled_runs(api, deployment["id"], at_least=2)
            assert {r["id"] for r in runs} <= recorded_runs(root)
            assert articles(root) > 0
    finally:
        api.delete_deployments()


class Receiver:
    """A webhook receiver on 127.0.0.1: keeps every POSTed body."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        bodies = self.bodies = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def got(self, alert: str) -> list[str]:
        return [b for b in self.bodies if f'"alert": "{alert}"' in b]


def test_alerts_fire_on_a_failed_poll_and_on_no_poll_for_too_long(server, tmp_path):
    api, env = server
    receiver = Receiver()
    try:
        flarewatch = str(BIN / "flarewatch")
        install = [flarewatch, "alerts", "install", "--webhook", receiver.url, "--stale-after", "20"]
        for _ in range(2):  # a second install replaces the first: one set of automations
            done = subprocess.run(install, env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr[-3000:]
        names = [a["name"] for a in api.post("/automations/filter")]
        assert sorted(names) == ["flarewatch-poll-failed", "flarewatch-poll-stale"]
        feeds = tmp_path / "dead.yaml"
        feeds.write_text("feeds:\n  - id: dead\n    url: http://127.0.0.1:9/feed.xml\n    outlet: dead\n")
        run = subprocess.run([flarewatch, "run", "--feeds", str(feeds), "--data", str(tmp_path / "d"),
                              "--allow-host", "127.0.0.1"], env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 3, run.stderr[-3000:]
        failed = wait_for(lambda: receiver.got("poll-failed"), 120, "the poll-failed webhook")
        assert '"state": "Failed"' in failed[0]
        wait_for(lambda: receiver.got("poll-stale"), 180, "the poll-stale webhook")
    finally:
        receiver.server.shutdown()
        for automation in api.post("/automations/filter"):
            api.http.delete(f"/automations/{automation['id']}")
