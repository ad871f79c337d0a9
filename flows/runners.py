"""Which Prefect task runner the flows use: threads in this process, or a Dask cluster.

In: `Settings.task_runner` ("default" | "dask") and `Settings.dask_address`, read when a flow run
starts (`FLAREWATCH_TASK_RUNNER`, `FLAREWATCH_DASK_ADDRESS`), never at import time.
Out: a Prefect `TaskRunner`.

`SettingsTaskRunner` is what the `@flow` decorator holds: Prefect's flow engine calls
`task_runner.duplicate()` once per flow run and enters the copy, so `duplicate()` is where the
settings are read and the real runner is chosen. The same flow object therefore runs on threads
by default and on Dask when the environment says so: for `flarewatch run`, for `serve`d
deployments and for workers alike, with no other code change.

Dask is optional (`pip install 'flarewatch[scale]'`: prefect-dask, dask[distributed]); the default
install never imports it. With no `dask_address`, prefect-dask starts a temporary
`distributed.LocalCluster` for the run (`workers` processes, one thread each) and closes it after.
Dask worker processes are daemonic by default and a daemonic process may not start children, so
the cluster must run with `distributed.worker.daemon: false` (set here for the temporary cluster;
for a long-running cluster, start workers with `DASK_DISTRIBUTED__WORKER__DAEMON=False`) for the
code stage's process pool, or use `workers: 1` and let Dask spread the chunks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import prefect.flow_engine
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from flows.settings import Settings


def task_runner_for(settings: Settings) -> TaskRunner[Any]:
    """The task runner `settings` ask for (a fresh, unstarted one)."""
    if settings.task_runner == "dask":
        try:
            import dask
            from prefect_dask import DaskTaskRunner
        except ImportError as exc:  # the optional extra is not installed
            raise RuntimeError(
                "task_runner 'dask' needs prefect-dask and dask[distributed]: "
                "pip install 'flarewatch[scale]'"
            ) from exc
        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        dask.config.set({"distributed.worker.daemon": False})
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs={"n_workers": settings.workers, "threads_per_worker": 1, "processes": True,
                            "dashboard_address": ":0"},
        )
    return ThreadPoolTaskRunner()


class SettingsTaskRunner(ThreadPoolTaskRunner):
    """A thread-pool runner whose per-run copy is the runner the settings name (see module doc)."""

    def duplicate(self) -> TaskRunner[Any]:  # type: ignore[override]
        return task_runner_for(Settings())


def end_runs_without_waiting_for_the_heartbeat() -> None:
    """Prefect's sync flow engine joins its heartbeat thread as a run ends, and that thread sleeps in
    whole seconds: every run ended up to a second late (half a second on average) whatever it did,
    and a poll a tenth of a second longer than another could take a second more. The thread sees
    the stop flag after its current second and returns without emitting (it never emits for a run
    in a final state either), which is why Prefect's async engine does not join it
    (`join_on_exit=False`); the sync runs here do the same. Applied once, at import."""
    original = getattr(prefect.flow_engine, "_send_heartbeats", None)
    if original is None or getattr(original, "_flarewatch", False):
        return

    @contextlib.contextmanager
    def send_heartbeats(engine: Any, join_on_exit: bool = True) -> Iterator[None]:  # noqa: ARG001 - Prefect's signature
        with original(engine, join_on_exit=False):
            yield

    send_heartbeats._flarewatch = True  # type: ignore[attr-defined]
    prefect.flow_engine._send_heartbeats = send_heartbeats


end_runs_without_waiting_for_the_heartbeat()
