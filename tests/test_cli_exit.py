"""flows.cli run as the program: `run` (and `demo`, `backfill`) end the process without the
interpreter's teardown, after its exit handlers ran and stdout was flushed, with the command's status."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # starts the temporary Prefect server

PROGRAM = """
import atexit, sys

class Teardown:
    def __del__(self):
        print("torn down")

kept = Teardown()  # freed only by the interpreter's teardown
atexit.register(lambda: print("handler ran"))  # not flushed: the exit has to
sys.argv = ["flarewatch", "run", "--feeds", sys.argv[1], "--data", sys.argv[2]]
from flows.cli import main
sys.exit(main())
"""


def _program(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    return subprocess.run([sys.executable, "-c", PROGRAM, *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_run_exits_with_its_status_after_the_exit_handlers(tmp_path):
    done = _program(tmp_path, str(tmp_path / "no-such-feeds.yaml"), str(tmp_path / "data"))
    assert done.returncode == 2, done.stderr
    assert "flarewatch run:" in done.stderr and "no-such-feeds.yaml" in done.stderr
    assert done.stdout.splitlines() == ["handler ran"]  # the handler's line written; no teardown
