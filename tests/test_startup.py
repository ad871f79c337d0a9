"""Start-up: the CLI's temporary Prefect server starts while the command imports and warms up, and
nothing of it is left when that preparation fails; the warm-up really codes a page."""

from __future__ import annotations

import os

import pytest

from flows import lifecycle, steps


def test_the_warm_up_page_is_coded_into_one_attack():
    coded = steps.warm_up_coding()
    assert coded is not None
    assert coded.article.coding_status == "coded"
    assert [(m.iso3, m.location, m.fatalities) for m in coded.mentions] == [("IRQ", "Mosul", 2)]


def test_run_leaves_the_coder_to_its_workers_and_the_demo_warms_it_here(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # its own regex cache files
    calls: list[str] = []
    monkeypatch.setattr(steps, "warm_up_coding", lambda: calls.append("coded"))
    lifecycle.warm_up("run")
    assert calls == []  # a run codes in its forkserver's warm workers; a few pages load the coder lazily
    lifecycle.warm_up("demo")
    assert calls == ["coded"]


def _children() -> set[int]:
    pid = os.getpid()
    found = set()
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/children") as fh:
            found |= {int(x) for x in fh.read().split()}
    return found


@pytest.mark.slow
def test_a_failing_preparation_stops_the_server_it_overlapped(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    before = _children()
    seen: list[set[int]] = []

    def prepare() -> None:
        seen.append(_children() - before)  # the server is already starting
        raise RuntimeError("preparation failed")

    with pytest.raises(RuntimeError, match="preparation failed"), lifecycle.temporary_server(prepare=prepare):
        pass
    assert seen and seen[0], "the server was not started before the preparation"
    assert not seen[0] & _children(), "the server outlived its failed preparation"
    assert "PREFECT_API_URL" not in os.environ


@pytest.mark.slow
def test_the_temporary_server_is_left_stopping_while_the_command_goes_on(monkeypatch, tmp_path):
    """Inside the block the client skips heartbeats (whose thread held each run's end for up to 1 s)
    and the version handshake; with `stopping`, leaving the block only signals the server, and
    closing the stack waits for it: no child is left after."""
    import contextlib

    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))  # a database of its own
    waited: list[object] = []
    stop = lifecycle._stop
    monkeypatch.setattr(lifecycle, "_stop", lambda server: (waited.append(server), stop(server)))
    before = _children()
    # no server named in the settings either (the test harness of an earlier test in this process
    # names its own, and the temporary server then yields that one, as a profile's)
    with temporary_settings(restore_defaults={PREFECT_API_URL}), contextlib.ExitStack() as stopping:
        with lifecycle.temporary_server(stopping=stopping) as url:
            lifecycle.check_server(url)
            settings = get_current_settings()
            assert settings.flows.heartbeat_frequency is None
            assert settings.client.server_version_check_enabled is False
            server = _children() - before
            assert server
        assert get_current_settings().flows.heartbeat_frequency is not None
        # asked to stop, not waited for (a zombie child may already be reaped by another thread)
        assert not waited, "the server was waited for before the stack closed"
    assert len(waited) == 1, "closing the stack did not wait for the server"
    assert not server & _children(), "the server outlived the stack"
