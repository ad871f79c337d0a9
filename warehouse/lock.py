"""One writer at a time per data root: an exclusive `fcntl.flock` on `<root>/.locks/<name>.lock`.

In: a data root (local or object storage) and a lock name. Out: the `root_lock` context manager,
`write_guard`, `LockTimeout`.

A scheduled poll and a hand-started backfill may run at the same moment; both read-modify-write the
same tables (append checks keys, upsert rewrites months). The flow holds `root_lock(root)` around its
whole read-merge-write cycle. The write functions of `parquet.py` also take it for the length of one
call, so a caller that forgot cannot interleave with another process; inside a process the lock is
reentrant (a flow holding it can call them), and a process-local mutex keeps two threads of one
process from interleaving single writes.

flock locks belong to the open file, so the kernel drops the lock when its holder dies: no stale
lock to clean after a crash. The lock file is never deleted (deleting it would let two processes
lock two different inodes).

Object storage has no locks, so an `s3://` root is locked through a local file as well
(`paths.lock_path`: `$FLAREWATCH_LOCK_DIR/<sha of the root URL>/write.lock`). Chosen over a lease
object written with a conditional PUT (`If-None-Match: *`) because a lease must expire to survive a
crash, and a writer that stalls past its lease (GC pause, suspended laptop) keeps writing after
another took over: counts could double. A flock has no lease and no stale lock. The price: every
writer of one object-storage root must share the lock directory (one machine, or a shared file
system whose flock works); writers on other machines need a scheduler-level lock (SCALING.md).

Threads: one per-lock `threading.Lock` (the gate) is held while a thread decides whether its
process already holds the flock and, if not, waits for it. Without it two threads could each
open their own descriptor and wait on the file lock; one of them gets it while the other keeps
waiting on its own descriptor, and if the holder then needs something the waiter holds (the
per-root write mutex of `write_guard`) both stall until the timeout.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warehouse import paths

DEFAULT_TIMEOUT = 600.0
"""Seconds a write waits for another process's run to finish before giving up."""

_POLL = 0.05


class LockTimeout(TimeoutError):
    """Another process holds the data root's lock for longer than the timeout."""


@dataclass
class _Held:
    pid: int
    fd: int
    count: int


_registry: dict[Path, _Held] = {}
_registry_mutex = threading.Lock()
_gates: dict[Path, threading.Lock] = {}
_thread_mutexes: dict[Path, threading.RLock] = {}


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return "unknown holder"
    return text or "unknown holder"


def _acquire(path: Path, timeout: float | None) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"data root is locked: {path} is held by {_holder(path)}; waited "
                        f"{timeout:.1f}s. Another flow run (a poll or a backfill) is writing; "
                        "retry when it ends, or raise the timeout."
                    ) from None
                time.sleep(_POLL)
    except BaseException:
        os.close(fd)
        raise
    # Who holds it, for the next waiter's error message (the lock is on the file, not its text).
    since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    stamp = f"pid {os.getpid()} on {socket.gethostname()} since {since}"
    os.ftruncate(fd, 0)
    os.pwrite(fd, stamp.encode(), 0)
    return fd


@contextlib.contextmanager
def root_lock(
    root: str | os.PathLike[str], name: str = "write", timeout: float | None = -1.0
) -> Iterator[Path]:
    """Hold the exclusive lock `name` of the data root for the `with` block; yields the lock path.

    `timeout`: seconds to wait (None: forever, 0: try once, default `DEFAULT_TIMEOUT`); raises
    `LockTimeout` saying who holds it. Reentrant within one process: nested `root_lock`s of the
    same root and name only count.
    """
    if timeout is not None and timeout < 0:
        timeout = DEFAULT_TIMEOUT
    path = paths.lock_path(root, name)
    pid = os.getpid()
    deadline = None if timeout is None else time.monotonic() + timeout
    with _registry_mutex:
        gate = _gates.setdefault(path, threading.Lock())
    # The gate: one thread of this process at a time checks the registry and waits on the flock.
    if not gate.acquire(timeout=-1 if deadline is None else max(0.0, deadline - time.monotonic())):
        raise LockTimeout(f"data root is locked: another thread of this process waits for {path}")
    try:
        with _registry_mutex:
            held = _registry.get(path)
            # A forked child inherits the registry but not the lock's ownership: check the pid.
            if held is not None and held.pid == pid:
                held.count += 1
            else:
                held = None
        if held is None:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            fd = _acquire(path, left)
            with _registry_mutex:
                _registry[path] = _Held(pid=pid, fd=fd, count=1)
    finally:
        gate.release()
    try:
        yield path
    finally:
        with _registry_mutex:
            held = _registry[path]
            held.count -= 1
            if held.count == 0:
                del _registry[path]
                fcntl.flock(held.fd, fcntl.LOCK_UN)
                os.close(held.fd)


def is_held(root: str | os.PathLike[str], name: str = "write") -> bool:
    """True if this process holds the lock `name` of `root`."""
    held = _registry.get(paths.lock_path(root, name))
    return held is not None and held.pid == os.getpid()


@contextlib.contextmanager
def write_guard(root: str | os.PathLike[str]) -> Iterator[None]:
    """What each write function holds: the process lock (reentrant) and a per-root thread mutex."""
    path = paths.lock_path(root, "write")
    with _registry_mutex:
        mutex = _thread_mutexes.setdefault(path, threading.RLock())
    with mutex, root_lock(root, "write"):
        yield
