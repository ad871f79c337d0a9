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

The lock itself is `filelock.FileLock` (flock on Unix, maintained, thread-safe); this module adds
what it lacks: one instance per process and lock file, reentrant across the process's threads (a
flow holding the lock runs write functions in task threads), a fresh instance in a forked child
(which inherits no lock), and the holder's pid and host written into the file for the next
waiter's error message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from warehouse import paths

DEFAULT_TIMEOUT = 600.0
"""Seconds a write waits for another process's run to finish before giving up."""

_POLL = 0.05


class LockTimeout(TimeoutError):
    """Another process holds the data root's lock for longer than the timeout."""


_locks: dict[tuple[int, Path], FileLock] = {}
_registry_mutex = threading.Lock()
_thread_mutexes: dict[Path, threading.RLock] = {}


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return "unknown holder"
    return text or "unknown holder"


def _lock_of(path: Path) -> FileLock:
    """This process's lock on `path`: shared by its threads (one hold count), new after a fork."""
    with _registry_mutex:
        lock = _locks.get((os.getpid(), path))
        if lock is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            lock = _locks[(os.getpid(), path)] = FileLock(path, thread_local=False)
        return lock


def _stamp(path: Path) -> None:
    """Who holds it, for the next waiter's error message (the lock is on the file, not its text;
    another descriptor of the file may be written and closed without releasing the flock)."""
    since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    fd = os.open(path, os.O_WRONLY)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {since}".encode(), 0)
    finally:
        os.close(fd)


def _acquire(path: Path, timeout: float | None) -> FileLock:
    """Take the flock on `path` for this process, waiting up to `timeout` seconds (None: forever)."""
    lock = _lock_of(path)
    try:
        lock.acquire(timeout=-1 if timeout is None else timeout, poll_interval=_POLL)
    except Timeout:
        raise LockTimeout(
            f"data root is locked: {path} is held by {_holder(path)}; waited {timeout:.1f}s. "
            "Another flow run (a poll or a backfill) is writing; retry when it ends, or raise the timeout."
        ) from None
    return lock


@contextlib.contextmanager
def root_lock(
    root: str | os.PathLike[str] | paths.Root, name: str = "write", timeout: float | None = -1.0
) -> Iterator[Path]:
    """Hold the exclusive lock `name` of the data root for the `with` block; yields the lock path.

    `timeout`: seconds to wait (None: forever, 0: try once, default `DEFAULT_TIMEOUT`); raises
    `LockTimeout` saying who holds it. Reentrant within one process: nested `root_lock`s of the
    same root and name only count.
    """
    if timeout is not None and timeout < 0:
        timeout = DEFAULT_TIMEOUT
    path = paths.lock_path(root, name)
    lock = _acquire(path, timeout)  # one more hold, at once, if this process holds it already
    try:
        if lock.lock_counter == 1:
            _stamp(path)
        yield path
    finally:
        lock.release()


def is_held(root: str | os.PathLike[str], name: str = "write") -> bool:
    """True if this process holds the lock `name` of `root`."""
    lock = _locks.get((os.getpid(), paths.lock_path(root, name)))
    return lock is not None and lock.is_locked


@contextlib.contextmanager
def write_guard(root: str | os.PathLike[str] | paths.Root) -> Iterator[None]:
    """What each write function holds: the process lock (reentrant) and a per-root thread mutex."""
    path = paths.lock_path(root, "write")
    with _registry_mutex:
        mutex = _thread_mutexes.setdefault(path, threading.RLock())
    with mutex, root_lock(root, "write"):
        yield
