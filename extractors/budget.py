"""Wall-time budgets for work that has no timeout of its own (parsing, extracting, coding).

In: a number of seconds. Out: a context manager that raises `OverBudget` in the calling thread
once they have passed inside its block. A watchdog thread raises it asynchronously
(`PyThreadState_SetAsyncExc`, as Prefect's own flow timeouts do), so it works in a coding process
and in a flow's task thread alike; it lands between two bytecodes, so a single long C call (one
regular expression, one lxml parse) finishes first.

One watchdog thread per process serves every block, rather than a timer thread per block: a
coding process enters a block per page, and starting and stopping a thread each time cost
~0.25 ms of CPU per page. The watchdog sleeps until the earliest deadline it knew of when it
last looked, and is woken only by a deadline earlier than that, so pages that end within their
budget cost it nothing. A process forked inside a block does not carry the block's limit over.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["OverBudget", "time_limit"]


class OverBudget(Exception):  # noqa: N818 - a budget, not an error of the input
    """The block's wall-time budget ran out."""


@dataclass(slots=True, eq=False)
class _Limit:
    thread: int
    deadline: float
    fired: bool = False


class _Watchdog:
    """The blocks inside a limit in this process, and the thread that fires the expired ones."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Empty, with no thread and a fresh lock (also what a forked child starts with)."""
        self.cond = threading.Condition(threading.Lock())
        self.limits: set[_Limit] = set()
        self.wake: float | None = None  # when the thread looks next; None: it waits to be told
        self.started = False

    def add(self, limit: _Limit) -> None:
        with self.cond:
            self.limits.add(limit)
            if not self.started:
                self.started = True
                threading.Thread(target=self._run, name="flarewatch-time-limits", daemon=True).start()
            if self.wake is None or limit.deadline < self.wake:
                self.wake = limit.deadline
                self.cond.notify()

    def remove(self, limit: _Limit) -> bool:
        """Take `limit` out (it can no longer fire); True if it fired, its exception withdrawn
        if not delivered yet."""
        with self.cond:
            self.limits.discard(limit)
            if limit.fired:
                _raise_in(limit.thread, None)
            return limit.fired

    def _run(self) -> None:
        with self.cond:
            while True:
                now = time.monotonic()
                for limit in self.limits:
                    if not limit.fired and limit.deadline <= now:
                        limit.fired = True
                        _raise_in(limit.thread, OverBudget)
                waiting = [lim.deadline for lim in self.limits if not lim.fired]
                self.wake = min(waiting) if waiting else None
                self.cond.wait(None if self.wake is None else self.wake - now)


def _raise_in(thread: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), ctypes.py_object(exc) if exc else None)


_watchdog = _Watchdog()


# After a fork the watchdog thread is not in the child, nor are the other threads' blocks, and the
# lock may have been held: the child starts afresh (the same object, so blocks entered before still
# find it).
os.register_at_fork(after_in_child=_watchdog.reset)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise `OverBudget` in this thread once `seconds` have passed inside the block (at once if
    `seconds` <= 0). A limit that fires as the block ends is withdrawn and raised here, never later
    somewhere else."""
    if seconds <= 0:
        raise OverBudget
    limit = _Limit(threading.get_ident(), time.monotonic() + seconds)
    _watchdog.add(limit)
    try:
        yield
    finally:
        if _watchdog.remove(limit):
            raise OverBudget
