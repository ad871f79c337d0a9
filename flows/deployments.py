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
    manual = backfill.to_deployment(
        name="manual", concurrency_limit=ONE_AT_A_TIME,
        description="Re-code a month range of stored raw pages; parameters start and end (YYYY-MM).",
    )
    serve(poll, manual)
    return 0
