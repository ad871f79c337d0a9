"""No process outlives the CLI, checked by PID: `kill -9` of `flarewatch run` in the middle of a
fetch (its temporary Prefect server, forkserver and coding workers all started), and
`flarewatch -v demo | head -n 1`. `serve` with no server answering: one line, exit 2.

The test process makes itself a child subreaper (PR_SET_CHILD_SUBREAPER) for the test, so an orphan
would become its child, visible by PID, instead of vanishing into init.
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
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.demo import DEMO_DIR, LocalServer
from flows.lifecycle import NO_TELEMETRY, SERVE, SERVER_NAME
from flows.steps import INLINE_BELOW

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
PR_SET_CHILD_SUBREAPER = 36
PAGE = (DEMO_DIR / "pages" / "levant-wire" / "drone-shot-down-near-erbil-airport.html").read_bytes()


def env_without_prefect() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "FLAREWATCH_"))}
    return {**env, **NO_TELEMETRY}


def processes() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, state letter, command line) of every process."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError):
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cmd += " [" + Path(f"/proc/{entry}/comm").read_text().strip() + "]"  # a forked server's name
            out[int(entry)] = (int(fields[1]), fields[0], cmd.strip())
    return out


def descendants(pid: int) -> dict[int, str]:
    table = processes()
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, (ppid, _, cmd) in table.items():
            if ppid == parent and child not in found:
                found[child] = cmd
                frontier.append(child)
    return found


def alive(pids) -> dict[int, str]:  # noqa: ANN001
    table = processes()
    return {p: table[p][2] for p in pids if p in table and table[p][1] != "Z"}


@contextlib.contextmanager
def subreaper() -> Iterator[None]:
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    try:
        yield
    finally:
        libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


def reap(pids) -> None:  # noqa: ANN001
    for pid in pids:
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)


def wait_gone(pids, timeout: float) -> dict[int, str]:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while (left := alive(pids)) and time.monotonic() < deadline:
        reap(pids)
        time.sleep(0.2)
    reap(pids)
    return left


class StuckFeed(LocalServer):
    """A feed of INLINE_BELOW pages that answer at once (a chunk big enough for the coding
    processes), then one that never answers until released; anything else (robots.txt) is a 404."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def _handle(self, request) -> None:  # noqa: ANN001
        names = [f"p{n}" for n in range(INLINE_BELOW)] + ["stuck"]
        if request.path == "/feed.xml":
            items = "".join(f"<item><title>{n}</title><link>{self.base}/{n}.html</link></item>" for n in names)
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
            kind = "application/rss+xml"
        elif request.path.removesuffix(".html").lstrip("/") in names:
            if request.path == "/stuck.html":
                self.release.wait(120)
            body, kind = PAGE, "text/html; charset=utf-8"
        else:
            request.send_error(404)
            return
        request.send_response(200)
        request.send_header("Content-Type", kind)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)


def test_kill_9_of_run_leaves_no_server_forkserver_or_worker(tmp_path):
    feeds = tmp_path / "feeds.yaml"
    before = set(descendants(os.getpid()))  # e.g. the session's Prefect test harness: not ours to kill
    with StuckFeed() as srv, subreaper():
        feeds.write_text(f"feeds:\n  - id: stuck\n    url: {srv.base}/feed.xml\n    outlet: stuck\n", encoding="utf-8")
        env = {**env_without_prefect(), "FLAREWATCH_CHUNK_SIZE": str(INLINE_BELOW), "FLAREWATCH_WORKERS": "2",
               "FLAREWATCH_TIMEOUT": "300"}
        cli = subprocess.Popen([str(BIN / "flarewatch"), "run", "--feeds", str(feeds), "--data", str(tmp_path / "d"),
                                "--allow-host", "127.0.0.1"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        try:
            def started() -> dict[int, str]:
                """The CLI's processes once its server, forkserver and two coding workers run."""
                tree = descendants(cli.pid)
                forked = sum("multiprocessing.forkserver" in cmd for cmd in tree.values())
                server = any(SERVE in cmd or SERVER_NAME.decode() in cmd for cmd in tree.values())
                return tree if server and forked >= 3 else {}

            deadline = time.monotonic() + 240
            while not (tree := started()) and time.monotonic() < deadline:
                assert cli.poll() is None, "the run ended before its pool started"
                time.sleep(0.2)
            assert tree, descendants(cli.pid)
            os.kill(cli.pid, signal.SIGKILL)
            cli.wait()
            left = wait_gone(tree, timeout=30)
            assert not left, f"outlived kill -9 of flarewatch run: {left}"
        finally:
            srv.release.set()
            with contextlib.suppress(ProcessLookupError):
                cli.kill()
            for pid in set(alive(descendants(os.getpid()))) - before:  # what this test left, if it failed
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def test_verbose_demo_into_head_leaves_no_server(tmp_path):
    with subreaper():
        before = set(descendants(os.getpid()))
        command = f"{BIN / 'flarewatch'} -v demo --port 0 --data {tmp_path / 'd'} | head -n 1"
        result = subprocess.run(["sh", "-c", command], env=env_without_prefect(), capture_output=True, text=True,
                                timeout=300)
        assert result.stdout.startswith("Serving the demo corpus")
        new = {p: c for p, c in descendants(os.getpid()).items() if p not in before}
        left = wait_gone(new, timeout=120)
        assert not left, f"outlived `flarewatch -v demo | head`: {left}"


def test_serve_with_no_server_answering_says_so_in_one_line():
    env = {**env_without_prefect(), "PREFECT_API_URL": "http://127.0.0.1:9/api"}
    result = subprocess.run([str(BIN / "flarewatch"), "serve"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no Prefect server answers at http://127.0.0.1:9/api" in result.stderr
