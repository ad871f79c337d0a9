"""`flarewatch serve --interval N`: the runner does not take a poll run so early that the previous
poll still holds the poll's one concurrency slot (CANCEL_NEW would cancel every second run)."""

from __future__ import annotations

from flows.deployments import POLL, prefetch_seconds, runner_deployments


def test_a_ten_second_poll_is_taken_at_most_a_second_early():
    poll = next(d for d in runner_deployments(interval=10) if d.name == POLL)
    every = poll.schedules[0].schedule.interval.total_seconds()
    assert every == 10
    assert prefetch_seconds(every) <= 1  # Prefect's default, 10 s, is the whole interval


def test_the_fifteen_minute_poll_keeps_prefects_prefetch():
    poll = next(d for d in runner_deployments() if d.name == POLL)
    assert prefetch_seconds(poll.schedules[0].schedule.interval.total_seconds()) == 10
    assert prefetch_seconds(None) == 10
