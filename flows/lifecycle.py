"""Processes that die with the CLI, and a Prefect server that is there or says it is not.

In: nothing but the environment. Out: `die_with_parent()` (Linux parent-death signal),
`exit_with_parent_process()` (for the coding workers, children of a forkserver),
`start_warm_forkserver()` (that forkserver, started early with the coder loaded),
`temporary_server()` (a Prefect API server for one CLI command, killed with it even on `kill -9`),
`serve_prefect(port)` (that server's process, its routes built by `route_once(app)` before it
listens), `imports_without_gc()` (imports at less CPU),
`warm_up(command)` (what a command's flow needs first, done while that server starts),
`keep_decoded_seeds()` (the coder's decompressed seed data kept in the user's cache directory),
`check_server(url)` (one line instead of a traceback when a named server is down) and
`NO_TELEMETRY` (the variables that keep Prefect from phoning home).

Why a parent-death signal: `atexit` and `finally` do not run on `kill -9`, and a closed pipe
(`flarewatch demo | head`) can end the interpreter before Prefect stops its temporary server; the
kernel's PR_SET_PDEATHSIG does not depend on the parent running any code. It is set in the child
(it is cleared on fork), hence `python -m flows.lifecycle --serve-prefect PORT`, or a forked child
that sets it first. It fires when the thread that started the child ends, so children are
started from the main thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

NO_TELEMETRY = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
    "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
}
"""Prefect's server analytics, its client's (DO_NOT_TRACK), and its telemetry, all off."""

OUR_SERVER = {"flows.heartbeat_frequency": None, "client.server_version_check_enabled": False,
              "client.csrf_support_enabled": False}
"""Prefect's client settings while it talks to the temporary server: no flow-run heartbeats (they let
a long-lived server mark a run whose process died as crashed; this server dies with that process,
and the heartbeat thread, sleeping in 1 s steps, held up every run's end by up to 1 s), no
API-version handshake with a server this same Prefect installation runs, and no CSRF token asked
of a server started without CSRF protection (`temporary_server`: loopback only, no UI)."""

_PR_SET_PDEATHSIG = 1
_PR_SET_NAME = 15
STARTUP_TIMEOUT = 120


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send `sig` to this process when its parent ends (Linux; elsewhere a no-op).

    If the parent is already gone (the signal would never come), exit now.
    """
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent or parent == 1:
        os._exit(1)


def exit_with_parent_process() -> None:
    """In a multiprocessing child (a coding worker): exit once the process that asked for it is gone.

    A forkserver's child is the forkserver's, not the flow's, and every child holds the fd that
    would tell the forkserver its client died, so neither ever notices a `kill -9` of the flow.
    The child's sentinel on its real parent (multiprocessing.parent_process) closes when that
    parent dies, however it dies; a daemon thread waits on it. Once the workers are gone the
    forkserver and the resource tracker see their pipes close and exit too.
    """
    import multiprocessing
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


@contextlib.contextmanager
def temporary_server(prepare: Callable[[], object] | None = None, fork: bool = False,
                     stopping: contextlib.ExitStack | None = None) -> Iterator[str]:
    """A Prefect API server on 127.0.0.1 for the block; yields its API URL and points Prefect at it.

    Prefect's own temporary server (the one it starts when PREFECT_API_URL is unset) outlives a
    killed parent; this is the same server (Prefect's app and environment, `serve_prefect`) in a
    process that sets its parent-death signal, and not Prefect's `SubprocessASGIServer`, whose
    module would import the whole server into this process. For a command run with PREFECT_API_URL
    unset: the server starts first, then `prepare` (the command's imports and warm-up) runs while it boots, so the two
    overlap instead of adding up (bench/bench_startup.py). If Prefect's settings then name a server
    all the same (the active profile, a prefect.toml), that one is yielded and ours stopped unused.

    `fork` (the CLI, with nothing else running in the process yet): import Prefect here, then fork
    the server from this process instead of starting a new interpreter, so Prefect is imported once
    for both (1.2 s of CPU less); a process that already runs threads starts a new one all the same.
    The imports run with the garbage collector paused (`imports_without_gc`).

    `stopping`: leaving the block only asks the server to stop (SIGTERM); waiting for its graceful
    shutdown (0.2 s: it writes the events it still holds) is left to `stopping`'s close, so what
    the command does next without Prefect (the demo's trends) overlaps it.
    """
    env = {**os.environ, **NO_TELEMETRY, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
           "PREFECT_SERVER_CSRF_PROTECTION_ENABLED": "false", "PREFECT_SERVER_API_CSRF_PROTECTION_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    with imports_without_gc():
        server, api_url = _start_server(env, fork)
    try:
        if prepare is not None:
            with imports_without_gc():
                prepare()
        from prefect.settings import PREFECT_API_URL, temporary_settings

        if PREFECT_API_URL.value():  # the active Prefect profile names a server: that one, not ours
            stopping = None
            _stop(server)
            yield PREFECT_API_URL.value()
            return
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(server, api_url, deadline):  # its port was taken meanwhile: another one
            server, api_url = _start_server(env, fork)
        with temporary_settings(updates={PREFECT_API_URL: api_url, **OUR_SERVER}):
            os.environ["PREFECT_API_URL"] = api_url  # for the processes this one starts
            try:
                yield api_url
            finally:
                with contextlib.suppress(Exception):  # send the run's last logs while the server is up
                    from prefect.logging.handlers import APILogHandler

                    APILogHandler().flush()
                os.environ.pop("PREFECT_API_URL", None)
    finally:
        if stopping is None:
            _stop(server)
        else:
            server.terminate()
            stopping.callback(_stop, server)


@contextlib.contextmanager
def imports_without_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for a block of imports, then freeze what they left.

    Importing Prefect's server and client builds some hundred thousand objects (pydantic models,
    FastAPI routes), nearly all kept for the process's life; the collector walks them again and
    again while they are built: a quarter of the CPU of importing the server. Frozen
    (`gc.freeze`), they are left out of later collections too, which then cost what the flow's own
    objects cost. A no-op where the collector was already off.
    """
    import gc

    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _stop(server: subprocess.Popen[bytes] | _Forked) -> None:
    """Stop the server (SIGTERM, SIGKILL after 5 s) and reap it."""
    server.terminate()
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def warm_up(command: str) -> None:
    """What `flarewatch COMMAND` would do first once its flow starts, done while the temporary
    server starts: import the flow's modules (Prefect's client, trafilatura, DuckDB, pyarrow) and,
    but for `run`, load the coder's tables (`flows.steps.warm_up_coding`), with the regular
    expressions they compiled last time kept ready-made in the user's cache directory
    (`flows.regex_cache`) and the language model kept decompressed there (`keep_decoded_seeds`,
    for the rest of the process too). Not for `run`: a run codes its pages in the coding
    processes, warmed in their forkserver (`start_warm_forkserver`), once it has more than a few; a few pages load the
    tables when the first is coded, so this process's warm-up (about 1.3 s of CPU, while the server
    starts on the other core) would be spent for nothing on any run that fetches many
    (bench/bench_ingest.py --peer-only: start-up and the flow process's CPU)."""
    from importlib import import_module

    from flows.regex_cache import cache_file, kept_regexes

    keep_decoded_seeds()
    module = "flows.backfill" if command == "backfill" else "flows.ingest"
    with kept_regexes(cache_file(_cache_dir(), f"{module}-{command}")):  # a file per command: each keeps what it uses
        import_module(module)
        if command == "run":
            return
        from flows.steps import warm_up_coding

        warm_up_coding()


def keep_decoded_seeds() -> None:
    """From now on this process keeps the coder's decompressed seed data (the language model) in
    the user's cache directory and reads it back from there (`extractors.decoded_cache`)."""
    from extractors import decoded_cache

    decoded_cache.use_directory(_cache_dir())


def start_warm_forkserver() -> None:
    """Start multiprocessing's forkserver now, with `flows.coder_warmup` preloaded, so the coding
    processes `flows.steps` forks from it start with their modules imported and the coder's tables
    loaded, done once for all of them while the flow fetches its first chunk (bench/bench_ingest.py
    --peer-only). A forkserver already running is kept as it is (its workers warm themselves, as
    before); off Linux, nothing happens."""
    if not sys.platform.startswith("linux"):
        return
    import multiprocessing
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(["__main__", "flows.coder_warmup"])
    forkserver.ensure_running()


def _start_server(env: dict[str, str], fork: bool = False) -> tuple[subprocess.Popen[bytes] | _Forked, str]:
    """Prefect's API server on a free port, in a process that dies with this one: (process, API URL);
    forked from this one if `fork` and this process runs no other thread (forking a process with
    threads can leave the child holding a lock no thread will release)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    if fork and sys.platform.startswith("linux") and threading.active_count() == 1:
        # imported once, for the server and this process: Prefect, and fastapi's encoders (the
        # server's, and the flow engine's for a run's parameters: else imported inside the flow)
        import fastapi.encoders  # noqa: F401
        import prefect  # noqa: F401

        if threading.active_count() == 1:
            return _Forked.start(lambda: _forked_server(env, port)), url
    return subprocess.Popen([sys.executable, "-m", "flows.lifecycle", SERVE, str(port)], env=env), url


SERVE = "--serve-prefect"
SERVER_NAME = b"prefect-server"
"""The forked server's process name (/proc/PID/comm): its command line is the CLI's."""


def _forked_server(env: dict[str, str], port: int) -> None:
    """In the forked child: die with the parent, take the server's environment and name, serve."""
    die_with_parent()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(_PR_SET_NAME, SERVER_NAME, 0, 0, 0)
    os.environ.clear()
    os.environ.update(env)
    serve_prefect(port)


class _Forked:
    """A function run in a forked child process; the part of Popen's interface used here."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    @classmethod
    def start(cls, target: Callable[[], object]) -> _Forked:
        for stream in (sys.stdout, sys.stderr):  # or the child would write their buffers again
            with contextlib.suppress(Exception):
                stream.flush()
        pid = os.fork()
        if pid:
            return cls(pid)
        status = 1
        try:
            target()
            status = 0
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
        finally:
            os._exit(status)  # never back into the parent's code, its atexit or its finally blocks

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout or 0)
            time.sleep(0.02)
        return code

    def terminate(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGTERM)

    def kill(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)


def serve_prefect(port: int) -> None:
    """Run Prefect's API server (uvicorn, `prefect.server.api.server.create_app`) on 127.0.0.1:`port`
    until SIGTERM; exit status 3 if the port is taken (uvicorn's start-up failure).

    Left out of Prefect's start-up, as a flow run does not need it: registering Prefect's block types
    (and, to hash them, importing every installed Prefect collection, prefect-dask and Dask among
    them), 0.8 s of CPU before the server answers (bench/bench_startup.py); `prefect server start`
    registers them in the same database. Prefect migrates its database on every start (Alembic
    reads all its revision scripts even when there is nothing to do): skipped when the SQLite
    database already holds the revision this Prefect version migrated it to last time (recorded in
    the user's cache directory after such a start); any other database, revision or Prefect
    version migrates as usual. Before it listens it builds its API routes (`route_once`).
    """
    with imports_without_gc():
        import prefect
        import uvicorn
    from prefect.settings import (
        PREFECT_API_BLOCKS_REGISTER_ON_START,
        PREFECT_API_DATABASE_CONNECTION_URL,
        PREFECT_API_DATABASE_MIGRATE_ON_START,
        PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION,
        temporary_settings,
    )

    database = _sqlite_path(PREFECT_API_DATABASE_CONNECTION_URL.value() or "")
    record = _schema_record(prefect.__version__)
    known = database is not None and _revision(database) is not None \
        and _revision(database) == _read(record)
    migrate = bool(PREFECT_API_DATABASE_MIGRATE_ON_START.value()) and not known

    class Server(uvicorn.Server):
        async def startup(self, sockets=None) -> None:  # noqa: ANN001 - uvicorn's signature
            with imports_without_gc():  # what it builds lives as long as the app
                await route_once(app)  # before it listens: the CLI's health check finds it warm
            await super().startup(sockets)
            if self.started and migrate and database is not None:  # now at this version's head
                with contextlib.suppress(OSError):
                    record.parent.mkdir(parents=True, exist_ok=True)
                    record.write_text(_revision(database) or "")

    with temporary_settings(updates={PREFECT_API_DATABASE_MIGRATE_ON_START: migrate,
                                     PREFECT_API_BLOCKS_REGISTER_ON_START: False,
                                     PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION: False}):
        with imports_without_gc():
            from prefect.server.api import server as prefect_server

            # "final" lets Prefect drop the route copies older FastAPIs make, then collect garbage:
            # with a FastAPI that makes none, only the collection (0.2-0.4 s) would remain.
            if getattr(prefect_server, "_FASTAPI_COPIES_ROUTES_ON_INCLUDE", True):
                os.environ["PREFECT__SERVER_FINAL"] = "1"
            app = prefect_server.create_app()
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="on")
        Server(config).run()


UNROUTED = "/api/flarewatch-warm-up"
"""A path under the API that no route holds (404), asked by `route_once`."""


async def route_once(app: Callable[..., Any]) -> int | None:
    """Send the ASGI `app` one GET of `UNROUTED` in this process (no socket, no database: it ends in
    a 404 before any endpoint runs); its status, or None if it could not be sent.

    Why: FastAPI builds an included router's routes (their request and response models, their
    dependencies) the first time a request is matched against them, and a request is matched
    against every router before the one that holds its route: a flow run's first requests (its flow,
    its run, then the server's result storage, under /admin, the last router) built 183 of Prefect's
    185 routes, 0.3-0.4 s of the server's CPU while the flow waited (bench/bench_startup.py's trace,
    "answers" to "flow body"). A path no route holds is matched against all of them. Sent before
    the server listens, while the CLI still imports the flow's modules, that work leaves the flow's
    path. Through the app's own ASGI interface (httpx's ASGITransport), so nothing depends on
    FastAPI's internals; any failure only leaves the building to the first request, as before.
    """
    import httpx

    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
            return (await client.get(UNROUTED)).status_code
    except Exception:  # noqa: BLE001 - see above
        return None


def _sqlite_path(url: str) -> str | None:
    """The file of a `sqlite+aiosqlite:///PATH` database URL; None for anything else."""
    prefix = "sqlite+aiosqlite:///"
    path = url[len(prefix):] if url.startswith(prefix) else ""
    return path if path and not path.startswith(":memory:") and "?" not in path else None


def _revision(database: str) -> str | None:
    """The Alembic revision a SQLite database is at (None: no such file or table), read-only."""
    import sqlite3

    if not os.path.isfile(database):
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)) as db:
            rows = db.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        return None
    return rows[0][0] if len(rows) == 1 else None


def _cache_dir() -> Path:
    """flarewatch's directory in the user's cache directory ($XDG_CACHE_HOME or ~/.cache)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "flarewatch"


def _schema_record(version: str) -> Path:
    """Where the revision a Prefect `version` migrates to is recorded: the user's cache directory."""
    return _cache_dir() / f"prefect-{version}-schema"


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except OSError:
        return None


def _free_port() -> int:
    """A TCP port on 127.0.0.1 free right now (the kernel's pick)."""
    import socket

    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(server: subprocess.Popen[bytes] | _Forked, api_url: str, deadline: float) -> bool:
    """Poll `api_url`/health until it answers 200 (True); False if the server exits with uvicorn's
    "address in use" status 3; OSError (one line) if it exits otherwise or the deadline passes
    (Prefect's default wait, 20 s, is short on a loaded machine)."""
    import urllib.error
    import urllib.request

    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy
    while True:
        if server.poll() == 3:
            return False
        if server.poll() is not None:
            raise OSError(f"the temporary Prefect server exited (status {server.returncode}) before it answered; "
                          "start one with `prefect server start` and set PREFECT_API_URL")
        with contextlib.suppress(OSError, urllib.error.URLError):
            with direct.open(f"{api_url}/health", timeout=2) as response:
                if response.status == 200:
                    return True
        if time.monotonic() > deadline:
            raise OSError(f"the temporary Prefect server did not answer within {STARTUP_TIMEOUT} s; start one "
                          "with `prefect server start` and set PREFECT_API_URL")
        time.sleep(0.05)


def check_server(api_url: str, timeout: float = 5.0) -> None:
    """Raise OSError (one line) unless the Prefect API at `api_url` answers its health check."""
    import httpx

    try:
        response = httpx.get(f"{api_url.rstrip('/')}/health", timeout=timeout)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise OSError(f"no Prefect server answers at {api_url} ({type(exc).__name__}); start it with "
                      "`prefect server start`, or fix PREFECT_API_URL") from None


def main(argv: list[str]) -> None:
    """`python -m flows.lifecycle --serve-prefect PORT`: die with the parent, serve Prefect's API."""
    if len(argv) != 2 or argv[0] != SERVE or not argv[1].isdigit():
        sys.exit(f"usage: python -m flows.lifecycle {SERVE} PORT")
    die_with_parent()
    serve_prefect(int(argv[1]))


if __name__ == "__main__":
    main(sys.argv[1:])
