"""The time limits of `extractors.budget` share one watchdog thread: each block's limit fires in
its own thread only, a block that ends in time leaves nothing behind, and a forked child gets a
watchdog of its own."""

from __future__ import annotations

import os
import threading
import time

import pytest

from extractors import budget


def spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sum(range(1_000))


def test_a_limit_fires_in_its_own_thread_only() -> None:
    outcome: dict[str, str] = {}

    def run(name: str, limit: float, work: float) -> None:
        try:
            with budget.time_limit(limit):
                spin(work)
            outcome[name] = "done"
        except budget.OverBudget:
            outcome[name] = "over"

    threads = [threading.Thread(target=run, args=("slow", 0.2, 5.0)),
               threading.Thread(target=run, args=("quick", 30.0, 0.5))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert outcome == {"slow": "over", "quick": "done"}


def test_many_blocks_in_time_then_one_over() -> None:
    for _ in range(200):
        with budget.time_limit(30.0):
            sum(range(100))
    with pytest.raises(budget.OverBudget), budget.time_limit(0.05):  # earlier than the pending 30 s
        spin(5.0)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_has_a_watchdog_of_its_own() -> None:
    with budget.time_limit(30.0):  # the parent's watchdog thread runs
        pass
    pid = os.fork()
    if pid == 0:  # the child: no watchdog thread came with the fork
        try:
            with budget.time_limit(0.05):
                spin(5.0)
            os._exit(1)
        except budget.OverBudget:
            os._exit(0)
        os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
