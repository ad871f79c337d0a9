"""The deployments, read from `prefect.yaml` (their one declaration), and `flarewatch serve`.

In: `prefect.yaml` at the repository root (names, entrypoints, schedules, concurrency limits,
parameters), optional overrides (poll interval, default parameters). Out: Prefect
`RunnerDeployment`s, and `serve()`, a long-running process serving them against the server named
by PREFECT_API_URL until SIGTERM or SIGINT. `prefect deploy --all` registers the same file's
deployments for a work pool instead, so the two paths cannot drift.
"""

from __future__ import annotations

import asyncio
import importlib
import signal
import sys
from pathlib import Path
from typing import Any

import yaml

PREFECT_YAML = Path(__file__).resolve().parent.parent / "prefect.yaml"
POLL, BACKFILL = "poll", "backfill"


def declared(path: Path = PREFECT_YAML) -> list[dict[str, Any]]:
    """The `deployments:` entries of prefect.yaml."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))["deployments"]


def _flow(entrypoint: str):  # noqa: ANN202 - a Prefect Flow
    """`flows/ingest.py:ingest` -> the flow object `flows.ingest.ingest`."""
    file, _, name = entrypoint.partition(":")
    return getattr(importlib.import_module(file.removesuffix(".py").replace("/", ".")), name)


def runner_deployments(interval: float | None = None, parameters: dict[str, Any] | None = None,
                       path: Path = PREFECT_YAML) -> list:
    """One RunnerDeployment per entry of prefect.yaml (without its work pool: `serve` needs none).

    `interval` (seconds) replaces the poll's schedule; `parameters` become the default parameters
    of every deployment whose flow takes them (a run may still override them).
    """
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.deployments.runner import EntrypointType

    out = []
    for spec in declared(path):
        flow = _flow(spec["entrypoint"])
        accepted = set(flow.parameters.properties)
        params = {**(spec.get("parameters") or {}),
                  **{k: v for k, v in (parameters or {}).items() if k in accepted and v}}
        limit = spec.get("concurrency_limit")
        seconds = [s["interval"] for s in spec.get("schedules") or [] if "interval" in s]
        if interval is not None and spec["name"] == POLL:
            seconds = [interval]
        out.append(flow.to_deployment(
            name=spec["name"],
            description=spec.get("description"),
            interval=seconds or None,
            parameters=params,
            concurrency_limit=ConcurrencyLimitConfig(
                limit=limit["limit"], collision_strategy=ConcurrencyLimitStrategy[limit["collision_strategy"]],
            ) if limit else None,
            entrypoint_type=EntrypointType.MODULE_PATH,
        ))
    return out


def prefetch_seconds(every: float | None) -> float:
    """How early the runner may take a scheduled poll run: Prefect's 10 s, but at most a tenth of
    the poll interval. The runner proposes Pending when it takes a run, which claims the poll's
    one concurrency slot (CANCEL_NEW): taken 10 s early with `--interval 10`, each run found the
    previous one still running and was cancelled, every second poll."""
    return 10.0 if every is None else min(10.0, every / 10)


async def _serve(deployments: list, stop_after: float, every: float | None = None) -> None:
    from prefect.runner import Runner

    # pause_on_shutdown: a stopped `serve` pauses its schedules, so no runs pile up for nobody.
    runner = Runner(name="flarewatch-serve", pause_on_shutdown=True, prefetch_seconds=prefetch_seconds(every))
    for deployment in deployments:
        await runner.add_deployment(deployment)
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()

    def request_stop(*_: object) -> None:
        loop.call_soon_threadsafe(stopping.set)

    # Runner.start installs its own SIGTERM handler, which calls the async `stop` from sync code
    # ("coroutine 'Runner.astop' was never awaited") and may hang: replace it with ours.
    runner.handle_sigterm = request_stop  # type: ignore[method-assign]
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, request_stop)
    started = asyncio.ensure_future(runner.start())
    waiting = asyncio.ensure_future(stopping.wait())
    await asyncio.wait({started, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if not started.done():
        await runner.astop()
        try:
            await asyncio.wait_for(started, timeout=stop_after)
        except (TimeoutError, asyncio.CancelledError):
            pass
    waiting.cancel()
    if started.done() and not started.cancelled() and started.exception():
        raise started.exception()  # type: ignore[misc]


def serve(interval: float | None = None, parameters: dict[str, Any] | None = None, stop_after: float = 10.0) -> int:
    """Serve every deployment of prefect.yaml until SIGTERM / SIGINT; 0, or 2 with one line if no
    server answers at PREFECT_API_URL."""
    from prefect.settings import PREFECT_API_URL

    from flows.lifecycle import check_server

    url = PREFECT_API_URL.value()
    if not url:
        print("flarewatch serve: schedules need a Prefect server. Start one with `prefect server start` "
              "and set PREFECT_API_URL=http://127.0.0.1:4200/api, then run `flarewatch serve` again.",
              file=sys.stderr)
        return 2
    check_server(url)
    deployments = runner_deployments(interval=interval, parameters=parameters)
    names = ", ".join(f"{d.flow_name}/{d.name}" for d in deployments)
    every = next((d.schedules[0].schedule.interval for d in deployments if d.schedules), None)
    print(f"Serving {names} on {url}" + (f"; poll every {every.total_seconds():g} s" if every else "")
          + ". Ctrl-C or SIGTERM stops.", flush=True)
    asyncio.run(_serve(deployments, stop_after, every.total_seconds() if every else None))
    print("flarewatch serve: stopped; the poll schedule is paused until the next `flarewatch serve`.",
          file=sys.stderr)
    return 0
