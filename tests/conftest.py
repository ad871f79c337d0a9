"""Shared fixtures: one Prefect test harness per session (it costs ~15-20 s to start here), and a
real HTTP server on 127.0.0.1 per test (`http`, pytest-httpserver).

Every test that needs the harness (directly or through another fixture) runs real Prefect flows:
it is marked `slow` here, so `pytest -m "not slow"` (the fast loop) never starts the harness."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

# No telemetry from the tests: the harness's server analytics, Cloud orchestration telemetry and
# the client SDK's analytics (which honours DO_NOT_TRACK). Set before Prefect is imported.
for _name, _value in {"PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                      "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false", "DO_NOT_TRACK": "1"}.items():
    os.environ.setdefault(_name, _value)


@pytest.hookimpl(tryfirst=True)  # before `-m "not slow"` deselects by mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `slow` every test whose fixture closure holds `prefect_harness`."""
    for item in items:
        if "prefect_harness" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect API with its own SQLite database, for real flow runs in tests."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture()
def http() -> Iterator[HTTPServer]:
    """A real HTTP server on 127.0.0.1 (pytest-httpserver), threaded, one per test."""
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.clear()
    srv.stop()
