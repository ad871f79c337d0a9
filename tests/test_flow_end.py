"""A flow run ends when its work ends: Prefect's heartbeat thread, which sleeps in whole seconds,
is told to stop but not waited for (flows.runners), and it stops by itself without emitting again."""

from __future__ import annotations

import threading

import prefect.flow_engine

import flows.runners  # noqa: F401 - applies the change at import


class Engine:
    """What the heartbeat context asks of a flow run engine: an interval, an event template, the
    run (not final), a logger, and the emit call (recorded)."""

    heartbeat_seconds = 30
    flow_run = None

    def __init__(self) -> None:
        self.emitted = 0
        self.logger = prefect.flow_engine.get_logger("test")

    def _build_heartbeat_event_template(self) -> tuple[dict, list]:
        return {}, []

    def _emit_flow_run_heartbeat(self, resource: dict, related: list) -> None:
        self.emitted += 1


def heartbeat_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate()
            if getattr((getattr(t, "_args", None) or (None,))[0], "__name__", "") == "heartbeat_loop"]


def test_the_end_of_a_run_does_not_wait_out_the_heartbeats_second():
    engine = Engine()
    before = set(heartbeat_threads())
    with prefect.flow_engine._send_heartbeats(engine):
        (beating,) = set(heartbeat_threads()) - before
    assert beating.is_alive()  # the run's end went on while the thread sleeps out its second
    beating.join(timeout=5)
    assert not beating.is_alive() and engine.emitted == 1  # it stopped by itself, without a second heartbeat
