"""The coding processes' forkserver, started early with the coder loaded (`start_warm_forkserver`)."""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver

import pytest

from flows.lifecycle import start_warm_forkserver

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")]


def _warm_state() -> tuple[bool, bool]:
    """In a worker, before it did any work: (was the warm-up module imported, is the language
    model, which the coder loads on first use, already loaded)."""
    from extractors import coding_language

    return "flows.coder_warmup" in sys.modules, coding_language._identifier.cache_info().currsize == 1


def test_workers_fork_from_a_forkserver_that_loaded_the_coder():
    forkserver._forkserver._stop()  # one this test process started earlier would keep its old preload
    try:
        start_warm_forkserver()
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver")) as pool:
            assert pool.submit(_warm_state).result(timeout=300) == (True, True)
    finally:
        forkserver._forkserver._stop()
        multiprocessing.get_context("forkserver").set_forkserver_preload(["__main__"])
