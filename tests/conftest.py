"""Shared fixtures: one Prefect test harness per session (it costs ~15-20 s to start here)."""

from __future__ import annotations

import os

import pytest

# No telemetry from the tests: the harness's server analytics, Cloud orchestration telemetry and
# the client SDK's analytics (which honours DO_NOT_TRACK). Set before Prefect is imported.
for _name, _value in {"PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                      "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false", "DO_NOT_TRACK": "1"}.items():
    os.environ.setdefault(_name, _value)


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect API with its own SQLite database, for real flow runs in tests."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
