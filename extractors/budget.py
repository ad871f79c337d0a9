"""Wall-time budgets for work that has no timeout of its own (parsing, extracting, coding).

In: a number of seconds. Out: a context manager that raises `OverBudget` in the calling thread
once they have passed inside its block. A timer thread raises it asynchronously
(`PyThreadState_SetAsyncExc`, as Prefect's own flow timeouts do), so it works in a coding process
and in a flow's task thread alike; it lands between two bytecodes, so a single long C call (one
regular expression, one lxml parse) finishes first.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
from collections.abc import Iterator

__all__ = ["OverBudget", "time_limit"]


class OverBudget(Exception):  # noqa: N818 - a budget, not an error of the input
    """The block's wall-time budget ran out."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise `OverBudget` in this thread once `seconds` have passed inside the block (at once if
    `seconds` <= 0). A limit that fires as the block ends is withdrawn and raised here, never later
    somewhere else."""
    target, lock, state = threading.get_ident(), threading.Lock(), {"done": False, "fired": False}

    def fire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(OverBudget))

    if seconds <= 0:
        raise OverBudget
    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["done"] = True
            if state["fired"]:  # not delivered yet: withdraw it, then say so here
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)
        if state["fired"]:
            raise OverBudget
