"""The deployments `flarewatch serve` runs: scheduled polling and manual backfills.

In: nothing (parameters come with each flow run). Out: a long-running process serving both
deployments against the Prefect server named by PREFECT_API_URL. `prefect.yaml` declares the
same two deployments for work pools and `prefect deploy`.
"""

from __future__ import annotations

import sys

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

POLL_EVERY_SECONDS = 15 * 60
ONE_AT_A_TIME = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)
BACKFILL_RUNS = ConcurrencyLimitConfig(limit=4, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)


def serve_deployments() -> int:
    """Serve 'ingest/poll' (every 15 minutes, a new run cancelled while one runs) and 'backfill/manual'."""
    from prefect import serve
    from prefect.settings import PREFECT_API_URL

    from flows.backfill import backfill
    from flows.ingest import ingest

    if not PREFECT_API_URL.value():
        print(
            "flarewatch serve: schedules need a Prefect server. Start one with `prefect server start` "
            "and set PREFECT_API_URL=http://127.0.0.1:4200/api, then run `flarewatch serve` again.",
            file=sys.stderr,
        )
        return 2
    poll = ingest.to_deployment(
        name="poll", interval=POLL_EVERY_SECONDS, concurrency_limit=ONE_AT_A_TIME,
        description="Poll every enabled feed, fetch and code new articles.",
    )
    # Several backfill runs may run at once (`flarewatch backfill` sends one per month); their
    # writes and the poll's take turns on the data root's lock, so they never write at once.
    manual = backfill.to_deployment(
        name="manual", concurrency_limit=BACKFILL_RUNS,
        description="Backfill months: parameters start and end (YYYY-MM), source (raw | sitemaps | urls), "
        "urls (file), reprocess (none | failed | stale | all), max_parallel, data.",
    )
    serve(poll, manual)
    return 0
