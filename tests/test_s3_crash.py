"""Crash safety and the lock on an `s3://` data root: tests/test_crash.py's cases against object storage.

A moto S3 server runs as its own process on 127.0.0.1 (it outlives every killed run). Each case
starts this file as a child (`python tests/test_s3_crash.py child FEEDS s3://... [POINT [GO]]`)
that runs the real `flows.ingest.ingest` flow (through test_crash's child: the harness's
PREFECT_API_URL, the lock announced as LOCK-WAIT / LOCK-HELD) into the s3 root. Every write to
object storage goes through the file system's `_pipe_file` (one PUT per object); the child wraps it
and, at `<table>:<where>:<n>` (the n-th PUT of that table), prints a marker and waits to be killed:

- `mid-put`: half the object's bytes sent in a PUT that announced all of them (Content-Length),
  as a process killed during an upload leaves it; the rest never comes,
- `before-put`: the object serialised, not yet sent,
- `after-put`: the PUT done, nothing after it.

Checked as in test_crash: the root as the kill left it is readable (every object whole, no key
twice, no temp object, no unfinished multipart upload); one more run (with a 5 s lock timeout: a
lock left behind by the killed run would fail it) makes it equal to one clean run. On object
storage the incident months are written one PUT at a time (no atomic swap of several objects), so
`incidents:after-put:2` leaves a half-rewritten table that the next run must re-merge.

The lock of an `s3://` root is a local flock (`paths.lock_path`: `$FLAREWATCH_LOCK_DIR/<sha of the
URL>/write.lock`): two runs at once from this machine take turns, a run that cannot wait says so in
one line (exit 2), and the result equals one clean run. Runs on other machines do not see that
lock (RELIABILITY.md). About 90-150 s on two shared cores.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
TORN: list[socket.socket] = []  # the torn upload's connection, kept open until the kill


def _install_s3_pause(point: str, root: str, go: Path | None) -> None:
    """Wrap `S3FileSystem._pipe_file` to pause at `point` (before any file system is made)."""
    import s3fs
    from test_crash import MARK

    table, where, nth = point.split(":")
    base = root.removeprefix("s3://").rstrip("/")
    seen: Counter[str] = Counter()

    def hit(path: str) -> bool:
        rel = path.removeprefix("s3://")
        if not rel.startswith(base + "/") or rel[len(base) + 1:].split("/")[0] != table:
            return False
        seen[table] += 1
        return seen[table] == int(nth)

    async def pause() -> None:
        print(MARK + "PAUSED " + point, flush=True)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not (go and go.exists()):
            await asyncio.sleep(0.05)

    real = s3fs.S3FileSystem._pipe_file

    async def pipe_file(self, path, data, *args, **kwargs):  # noqa: ANN001, ANN202 - s3fs's signature
        now = hit(path)
        if now and where == "mid-put":
            bucket, key = path.removeprefix("s3://").split("/", 1)
            endpoint = urlsplit(os.environ["AWS_ENDPOINT_URL"])
            conn = socket.create_connection((endpoint.hostname, endpoint.port))
            conn.sendall(f"PUT /{bucket}/{key} HTTP/1.1\r\nHost: {endpoint.netloc}\r\n"
                         f"Content-Length: {len(data)}\r\nContent-Type: application/octet-stream\r\n\r\n".encode()
                         + bytes(data[: len(data) // 2]))
            TORN.append(conn)
            print(MARK + "TORN " + key, flush=True)
            await pause()
        if now and where == "before-put":
            await pause()
        out = await real(self, path, data, *args, **kwargs)
        if now and where == "after-put":
            await pause()
        return out

    s3fs.S3FileSystem._pipe_file = pipe_file


if __name__ == "__main__":
    sys.path.append(str(REPO))  # appended: a PYTHONPATH given by the caller comes first
    if sys.argv[1:2] != ["child"]:
        sys.exit(2)
    feeds, data, point, go = (sys.argv[2:] + ["", ""])[:4]
    if point:
        _install_s3_pause(point, data, Path(go) if go else None)
    import test_crash

    sys.exit(test_crash._child([feeds, data]))


# --------------------------------------------------------------------------------------- tests

import contextlib
import json
import signal
import subprocess
import threading
from collections.abc import Iterator

import pyarrow.parquet as pq
import pytest

s3fs = pytest.importorskip("s3fs")
pytest.importorskip("moto.server")

from test_crash import Child, child_env, corpus, no_child_left, snapshot  # noqa: F401 - fixtures used by name

from warehouse import catalog, parquet, paths, swap
from warehouse.schemas import TABLES

pytestmark = pytest.mark.slow
BUCKET = "crash"
WAIT = 400.0  # seconds a child may take to reach a marker: seven start at once on shared cores


class S3Path(str):
    """An `s3://` root that test_crash's `snapshot` can join with `/` as it joins a Path."""

    def __truediv__(self, part: str) -> S3Path:
        return S3Path(f"{self}/{part}")


class S3Child(Child):
    """test_crash's Child, started as this file's child (the s3 pause points)."""

    def __init__(self, feeds: Path, root: str, env: dict[str, str], *extra: str) -> None:
        args = [sys.executable, str(Path(__file__).resolve()), "child", str(feeds), root, *extra]
        self.proc = subprocess.Popen(args, env=env, cwd=str(REPO), stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        self.lines: list[str] = []
        Child.started.append(self)
        threading.Thread(target=self._read, daemon=True).start()


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[s3fs.S3FileSystem]:
    """A moto S3 server process on a free 127.0.0.1 port, the bucket `crash` in it; the endpoint,
    fake credentials and a lock directory set in the environment for the module (children inherit
    them). Yields an s3fs file system for assertions."""
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    server = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
            patch.setenv("AWS_ACCESS_KEY_ID", "testing")
            patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
            patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
            patch.setenv(paths.LOCK_DIR_ENV, str(tmp_path_factory.mktemp("locks")))
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
                assert server.poll() is None and time.monotonic() < deadline, "moto_server did not start"
                time.sleep(0.2)
            s3fs.S3FileSystem.clear_instance_cache()
            fs = s3fs.S3FileSystem(use_listings_cache=False)
            fs.mkdir(BUCKET)
            yield fs
            s3fs.S3FileSystem.clear_instance_cache()
    finally:
        server.kill()
        server.wait(30)
        log.close()


@pytest.fixture(scope="module")
def s3_env(child_env: dict[str, str], moto: s3fs.S3FileSystem) -> dict[str, str]:
    """A child's environment with the endpoint, credentials and lock directory of `moto`."""
    names = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", paths.LOCK_DIR_ENV)
    return {**child_env, **{name: os.environ[name] for name in names}}


def keys(fs: s3fs.S3FileSystem, root: str) -> list[str]:
    return fs.find(root.removeprefix("s3://"))


def assert_readable_and_single(fs: s3fs.S3FileSystem, root: str) -> None:
    """Every object whole, none under a temp or staging name, no unfinished multipart upload, no
    key twice in any table (DuckDB and `parquet.read` agree)."""
    found = keys(fs, root)
    assert found, f"nothing stored under {root}"
    for key in found:
        assert paths.TMP_SUFFIX not in key and swap.STAGE_SUFFIX not in key, key
        if key.endswith(".parquet"):
            with fs.open(key, "rb") as fh:
                pq.ParquetFile(fh)  # a torn object would not open
    assert fs.call_s3("list_multipart_uploads", Bucket=BUCKET).get("Uploads", []) == []
    with catalog.connect(root) as con:
        for name, ts in TABLES.items():
            view = "incidents_all" if name == "incidents" else name
            cols = ", ".join(f'"{k}"' for k in ts.key)
            total, distinct = con.execute(f"SELECT count(*), count(DISTINCT row({cols})) FROM {view}").fetchall()[0]
            assert total == distinct, f"{view}: {total - distinct} key(s) stored twice"
            assert parquet.read(root, name).num_rows == total


KILL_POINTS = [  # in the order a run reaches them (see test_crash.KILL_POINTS)
    "articles:mid-put:1",  # a torn upload of the articles
    "mentions:after-put:1",  # mentions stored, their articles not
    "articles:after-put:1",  # articles stored, incidents not re-merged
    "incidents:after-put:2",  # incident months half rewritten: one object written of several
    "attacks_per_month:before-put:1",  # incidents rewritten, their monthly counts not
    "feed_state:before-put:1",  # every row stored, the feeds' validators not
]


def root_of(name: str) -> S3Path:
    return S3Path(f"s3://{BUCKET}/{name.replace(':', '_')}")


@pytest.fixture(scope="module")
def runs(corpus: Path, s3_env: dict[str, str], moto: s3fs.S3FileSystem) -> dict[str, object]:
    """At once: one clean run and one run per kill point, SIGKILLed where it pauses; each killed
    root copied as the kill left it; then one more run per killed root (lock timeout 5 s), at once.
    Returns "clean" -> root, "<point>" -> recovered root, "<point>:killed" -> the copy, "torn stored" ->
    whether the torn upload's key held an object before the next run."""
    out: dict[str, object] = {}
    torn = None
    clean = S3Child(corpus, root_of("clean"), s3_env)
    killed = {p: S3Child(corpus, root_of(p), s3_env, p) for p in KILL_POINTS}
    for point, child in killed.items():
        assert child.wait("PAUSED", timeout=WAIT) == point
        assert child.kill() == -signal.SIGKILL
        if point.endswith("mid-put:1"):
            torn = child.seen("TORN")
        moto.cp(root_of(point).removeprefix("s3://"), root_of(point + ":killed").removeprefix("s3://"),
                recursive=True)
        out[point + ":killed"] = root_of(point + ":killed")
    assert clean.wait("DONE", timeout=WAIT) and clean.proc.wait(30) == 0
    out["clean"] = root_of("clean")
    # By now (the clean run done, tens of seconds) the server has long seen the torn upload's end.
    out["torn stored"] = moto.exists(f"{BUCKET}/{torn}") if torn else None
    again = {p: S3Child(corpus, root_of(p), s3_env | {"FLAREWATCH_LOCK_TIMEOUT": "5"}) for p in KILL_POINTS}
    for point, child in again.items():
        child.wait("DONE", timeout=WAIT)
        assert child.proc.wait(30) == 0, point
        out[point] = root_of(point)
    return out


@pytest.fixture(scope="module")
def clean_run(runs: dict[str, object]) -> dict[str, object]:
    snap = snapshot(runs["clean"])
    assert len({r[3] for r in snap["incidents"]}) > 3  # several event months: several incident PUTs
    return snap


@pytest.mark.parametrize("point", KILL_POINTS)
def test_sigkill_inside_an_s3_write_loses_and_doubles_nothing(
    point: str, runs: dict[str, object], clean_run: dict[str, object], moto: s3fs.S3FileSystem
) -> None:
    as_killed = runs[f"{point}:killed"]
    assert_readable_and_single(moto, as_killed)  # as the kill left it
    if point == "articles:mid-put:1":  # the torn upload stored nothing, under its key or any other
        assert runs["torn stored"] is False
        assert not any("/articles/" in k for k in keys(moto, as_killed))
    root = runs[point]  # after one more run
    assert_readable_and_single(moto, root)
    assert snapshot(root) == clean_run
    with catalog.connect(root) as con:  # the killed run left no runs row; the next one did
        assert con.execute("SELECT count(*) FROM runs").fetchall() == [(1,)]


def test_two_runs_at_once_on_one_s3_root_take_turns(corpus: Path, s3_env: dict[str, str],
                                                     moto: s3fs.S3FileSystem, tmp_path: Path) -> None:
    """The first run is held inside its first articles PUT while a second starts: the second waits
    for the lock (not takes it); `flarewatch run` with a 1 s lock timeout is refused in one line
    naming the holder; once both finish the root equals one clean run's (a reference root, started
    with them so on the same code)."""
    root, go = root_of("turns"), tmp_path / "go"
    reference = S3Child(corpus, root_of("turns-reference"), s3_env)
    first = S3Child(corpus, root, s3_env, "articles:before-put:1", str(go))
    assert first.wait("PAUSED", timeout=WAIT) and first.seen("LOCK-HELD") is not None
    second = S3Child(corpus, root, s3_env)
    refused = subprocess.run([str(Path(sys.executable).parent / "flarewatch"), "run", "--feeds", str(corpus),
                              "--data", root, "--allow-host", "127.0.0.1"],
                             env=s3_env | {"FLAREWATCH_LOCK_TIMEOUT": "1"}, cwd=REPO, capture_output=True,
                             text=True, timeout=300)
    second.wait("LOCK-WAIT", timeout=WAIT)
    assert second.seen("LOCK-HELD") is None, "the second run took the lock the first one holds"
    assert refused.returncode == 2, refused.stderr[-2000:]
    line = refused.stderr.strip()
    assert "\n" not in line and line.startswith("flarewatch run: data root is locked") \
        and f"pid {first.proc.pid}" in line, line
    go.touch()
    results = [json.loads(c.wait("DONE", timeout=WAIT)) for c in (first, second, reference)]
    assert [c.proc.wait(30) for c in (first, second, reference)] == [0, 0, 0]
    assert_readable_and_single(moto, root)
    expected = snapshot(root_of("turns-reference"))
    assert snapshot(root) == expected
    assert [r["new_articles"] for r in results[:2]] == [len(expected["articles"]), 0]
    with catalog.connect(root) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchall() == [(2,)]
