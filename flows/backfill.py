"""The backfill flows: one Prefect flow run per month partition, at most `max_parallel` at a time.

In: a month range (`start`, `end` as YYYY-MM, inclusive), a source (`raw`: re-code the stored raw
pages; `sitemaps`: historical URLs of the feed list's sites; `urls`: a file of URLs), a reprocess
policy (none | failed | stale | all, see `flows.plan`) and the data root.
Out: each month to run re-coded or filled, incidents re-merged for the event months touched, one
`partitions` row per month (table "articles") and per incident month rewritten (table
"incidents"), and a `runs` row (kind "backfill") opened at the start and closed at the end.

Shape: a `Backfill` object holds a plan (`flows.plan.make_plan`), the settings and the caller's
progress listener; its flow `backfill` (`Backfill.run`, or the module's `backfill` flow, which plans
first: the deployment's entry point) calls the subflow `backfill-month` once per month to run, from
a thread pool of `max_parallel` threads, so each partition is its own flow run (named after its
month) under the parent's. For `sitemaps` / `urls` the parent first fetches and
codes the planned URLs (one `fetch-and-code` task per chunk, `max_parallel` chunks), since a page's
month is known only once it is extracted; each month's subflow then stores the articles published
in it (held by the `Backfill` object whose flows run them, never passed as flow parameters).
`flarewatch backfill --source raw` does the same, except when PREFECT_API_URL names a server on
which the deployment `backfill/backfill` exists (and `--local` is not given): it then starts one run
of that deployment per month (`start` = `end` = the month), at most `--max-parallel` at once, and
waits for each (`Backfill.through_deployment`), so the work lands on whatever serves the deployment
(`flarewatch serve`, or a worker of the `flarewatch` pool; the data root must be the same path
there). `sitemaps` / `urls` always run here: their coded pages cannot travel as parameters.

What parallelism buys: up to N months read raw pages and extract and code at once, and for
`sitemaps` / `urls` N chunks of URLs are fetched at once (network-bound: a real gain). Extraction
and coding are mostly Python under the GIL, so in one process N threads mainly overlap file reads
and Prefect's per-run bookkeeping (measured here on the 8 demo months, a loaded 2-core machine:
10-14 s at N=1, 6-12 s at N=3); the cores are used when a month has enough articles for `code_all`
to spread them over `FLAREWATCH_WORKERS` processes, or when the runs go to several workers through
the deployment. Writes never run in parallel: each month's writes hold the data root's lock
(`warehouse.lock.root_lock`, the flock the ingest flow holds too, so a scheduled poll and a
backfill never write at the same time), and inside one process the months' write phases take turns
on `_WRITE_TURN`, because root_lock is reentrant per process and two months can rewrite the same
mentions partition.

Resume: every month is marked "running" before it starts and "done" / "failed" after; each write
step is idempotent (append by key, partitions rewritten whole from the stored state), so rerunning
the same command after a kill re-does the month that was running and skips the ones that run
finished (`flows.plan`: the killed run's id is adopted from its unclosed `runs` row).
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from extractors.fetch_types import FetchPolicy
from extractors.months import month_range, publication_month, utcnow
from extractors.pipeline import CodedArticle, Page
from extractors.records import Failure, FeedEntry, FeedSpec
from extractors.sitemaps import Candidate, spec_for
from flows.plan import DEFAULT_REPROCESS, Plan, plan_for
from flows.report import artifact_key
from flows.settings import Settings
from flows.steps import code_all, fetch_pages
from warehouse import partitions, recoded, state
from warehouse.handle import Warehouse
from warehouse.lock import root_lock

__all__ = [
    "DEPLOYMENT", "Backfill", "BackfillFailed", "PartitionFailed", "backfill",
    "deployment_available", "month_range",
]

DEPLOYMENT = "backfill/backfill"

# One thread of this process writes at a time (see `_write_turn`): a lock, not data between callers.
_WRITE_TURN = threading.Lock()

Listener = Callable[[str, str, dict | None], None]
"""`on_event(event, month, result)`: "months", "fetch", "start" and "end" of a backfill's months."""


def _ignore(event: str, month: str, result: dict | None) -> None:
    return None


class BackfillFailed(RuntimeError):
    """Every month of a backfill failed; `summary` is the flow's summary (the CLI reports it)."""

    def __init__(self, reason: str, summary: dict) -> None:
        super().__init__(reason)
        self.summary = summary


class PartitionFailed(RuntimeError):
    """A month's run ended but could not re-code everything (its partition is marked failed)."""

    def __init__(self, reason: str, result: dict) -> None:
        super().__init__(reason)
        self.result = result


@contextlib.contextmanager
def _write_turn(root: Warehouse, timeout: float) -> Iterator[None]:
    # Every write of a backfill thread goes through here: one thread of this process writes at a
    # time. root_lock alone does not serialise threads: it is held per process, so a second
    # thread of the same process passes it while the first is still writing.
    with _WRITE_TURN, root_lock(root, timeout=timeout):
        yield


class Backfill:
    """One backfill, created by its caller and handed down to the flows it runs.

    In: the opened data root (`warehouse.handle.Warehouse`), the `Plan` to carry out (the one the
    CLI printed, so a sitemap is not walked twice), the settings (feeds, fetch policy, workers,
    lock timeout), `max_parallel`, `record_run` (False when the `runs` row belongs to the caller:
    a one-month run of the deployment) and `on_event`, the caller's progress listener.
    Out: `run()` (a flow run "backfill") or `execute()` (inside a running flow) return the summary
    dict; `through_deployment()` runs the months on a server instead.

    Its flows are built per object from bound methods, so nothing that cannot be serialised
    (the plan's coded pages, the listener) travels as a flow parameter: a month's subflow has the
    one parameter `month`, and reads the articles fetched for it from `self._coded`, which
    `execute` fills before any month runs.
    """

    def __init__(
        self, warehouse: Warehouse, plan: Plan, settings: Settings, *, max_parallel: int = 2,
        record_run: bool = True, on_event: Listener = _ignore,
    ) -> None:
        if max_parallel < 1:
            raise ValueError("max_parallel must be at least 1")
        self.warehouse, self.plan, self.settings, self.max_parallel = warehouse, plan, settings, max_parallel
        self.record_run, self.on_event = record_run, on_event
        self._coded: dict[str, list[CodedArticle]] = {}
        self.run = flow(name="backfill", log_prints=False)(self.execute)
        self._month_flow = flow(name="backfill-month", flow_run_name="{month}", log_prints=False)(self._month)

    # --- the parent flow --------------------------------------------------------------------------

    def execute(self) -> dict:
        """Run the plan inside a flow run: fetch (sitemaps / urls), then the month subflows."""
        plan, settings, root = self.plan, self.settings, self.warehouse
        months = plan.to_run
        failures = [dataclasses.asdict(f) for f in plan.failures]
        if plan.source != "raw" and months:
            coded, fetch_failures = self._fetch()
            failures += [dataclasses.asdict(f) for f in fetch_failures]
            by_month: dict[str, list[CodedArticle]] = {}
            for c in coded:
                by_month.setdefault(publication_month(c.article), []).append(c)
            again = {m.month for m in plan.months if m.status in ("running", "failed")}
            months = [m for m in months if m in by_month or m in again]
            self._coded = {month: by_month.get(month, []) for month in months}
        summary = {"run_id": plan.run_id, "source": plan.source, "partitions": [], "failures": failures,
                   "not_run": [m.month for m in plan.months if m.month not in months]}
        if not months:
            _publish_summary(root, summary)
            return summary
        self.on_event("months", "", {"months": months})
        started = utcnow()
        if self.record_run:
            with _write_turn(root, settings.lock_timeout):
                state.record_run(root, run_id=plan.run_id, kind="backfill", started_at=started)
        results = self._run_months(months)
        summary["partitions"] = results
        if self.record_run:
            with _write_turn(root, settings.lock_timeout):
                state.record_run(
                    root, run_id=plan.run_id, kind="backfill", started_at=started, finished_at=utcnow(),
                    new_articles=sum(r.get("new_versions", r.get("new_articles", 0)) or 0 for r in results),
                    new_mentions=sum(r.get("mentions", 0) or 0 for r in results),
                    new_incidents=sum(r.get("new_incidents", 0) or 0 for r in results),
                    merges=sum(r.get("merges", 0) or 0 for r in results),
                    failures=sum(r["status"] == "failed" for r in results) + len(failures),
                )
        _publish_summary(root, summary)
        return summary

    def _fetch(self) -> tuple[list[CodedArticle], list[Failure]]:
        from flows.plan import feed_specs, fetch_policy

        plan, settings = self.plan, self.settings
        candidates = list(plan.candidates)
        self.on_event("fetch", "", {"urls": len(candidates)})
        if not candidates:
            return [], []
        specs, policy = feed_specs(settings, plan.source), fetch_policy(settings)
        size = max(1, -(-len(candidates) // self.max_parallel))
        futures = [
            fetch_and_code_task.submit(candidates[i : i + size], specs, policy, self.warehouse, settings.workers)
            for i in range(0, len(candidates), size)
        ]
        coded, failures = [], []
        for future in futures:
            got, failed = future.result()
            coded += got
            failures += failed
        return coded, failures

    def _run_months(self, months: list[str]) -> list[dict]:
        def one(month: str) -> dict:
            self.on_event("start", month, None)
            try:
                result = self._month_flow(month=month)
                if result["failures"]:  # partly failed: the month flow run is Completed, the partition failed
                    result = result | {"status": "failed", "error": _failure_reason(result["failures"])}
                else:
                    result = result | {"status": "done"}
            except PartitionFailed as exc:
                result = exc.result | {"status": "failed", "error": str(exc)}
            except Exception as exc:  # noqa: BLE001 - one month failing never stops the others
                result = {"month": month, "status": "failed", "error": f"{type(exc).__name__}: {exc}"}
            self.on_event("end", month, result)
            return result

        with ThreadPoolExecutor(max_workers=self.max_parallel, thread_name_prefix="backfill") as pool:
            futures = [pool.submit(contextvars.copy_context().run, one, month) for month in months]
            return [f.result() for f in futures]

    # --- one partition --------------------------------------------------------------------------

    def _month(self, month: str) -> dict:
        """Run one publication month: re-code it from the raw store (`raw`), or store the articles a
        sitemap / URL list found for it (`sitemaps`, `urls`, fetched by `execute`)."""
        root, run_id, timeout = self.warehouse, self.plan.run_id, self.settings.lock_timeout
        with _write_turn(root, timeout):
            partitions.mark_partitions(root, "articles", {month: None}, status="running", run_id=run_id)
        try:
            if self.plan.source == "raw":
                code = functools.partial(code_all, workers=self.settings.workers, chunk_size=100)
                prepared = recoded.prepare_recode(root, month, code=code)
                with _write_turn(root, timeout):
                    result = recoded.write_recode(root, prepared)
                    _close(root, month, run_id, result)
            else:
                coded = self._coded.pop(month, [])
                with _write_turn(root, timeout):
                    result = recoded.store_discovered(root, coded, month)
                    _close(root, month, run_id, result)
        except Exception as exc:
            with _write_turn(root, timeout):
                partitions.mark_partitions(root, "articles", {month: None}, status="failed", run_id=run_id,
                                           error=f"{type(exc).__name__}: {exc}")
            raise
        logger = get_run_logger()
        for failure in result["failures"]:
            logger.warning("month %s: %s %s failed: %s", month, failure["stage"], failure["target"], failure["reason"])
        _publish_month(root, month, result)
        if result["failures"] and not result.get("recoded") and not result.get("kept"):
            raise PartitionFailed(_failure_reason(result["failures"]), result)  # nothing of the month went through
        logger.info("month %s: %s", month, {k: v for k, v in result.items() if k != "failures"})
        return result

    # --- through the deployment, on a server ----------------------------------------------------

    def through_deployment(self, name: str = DEPLOYMENT, pickup_timeout: float = 120.0) -> dict:
        """One run of the deployment per month to run (`start` = `end` = the month), at most
        `max_parallel` at once, each awaited; a run nobody picks up within `pickup_timeout` seconds
        fails its month with a hint (is `flarewatch serve` or a worker running?)."""
        from prefect.client.orchestration import get_client
        from prefect.deployments import run_deployment

        plan = self.plan
        root = self.warehouse
        started = utcnow()
        state.record_run(root, run_id=plan.run_id, kind="backfill", started_at=started)

        def one(month: str) -> dict:
            self.on_event("start", month, None)
            params = {"start": month, "end": month, "data": str(root), "source": "raw", "reprocess": "all",
                      "max_parallel": 1, "run_id": plan.run_id}
            try:
                flow_run = run_deployment(name, parameters=params, timeout=0, as_subflow=False,
                                          flow_run_name=f"{month} of {plan.run_id}")
                since = time.monotonic()
                with get_client(sync_client=True) as client:
                    while True:
                        current = client.read_flow_run(flow_run.id)
                        run_state = current.state
                        if run_state is not None and run_state.is_final():
                            break
                        waiting = run_state is None or run_state.is_scheduled() or run_state.is_pending()
                        if waiting and time.monotonic() - since > pickup_timeout:
                            raise TimeoutError(
                                f"flow run {flow_run.id} of {name} was not picked up in {pickup_timeout:.0f}s: "
                                "is `flarewatch serve` (or a worker of the flarewatch pool) running?"
                            )
                        time.sleep(1.0)
                row = partitions.partition_rows(root, "articles").get(("articles", month)) or {}
                ok = run_state.is_completed() and row.get("status") == "done"
                result = {"month": month, "status": "done" if ok else "failed", "articles": row.get("rows"),
                          "error": None if ok else (row.get("error") or f"flow run ended {run_state.name}")}
            except Exception as exc:  # noqa: BLE001 - reported per month
                result = {"month": month, "status": "failed", "error": f"{type(exc).__name__}: {exc}"}
            self.on_event("end", month, result)
            return result

        with ThreadPoolExecutor(max_workers=self.max_parallel, thread_name_prefix="backfill") as pool:
            results = list(pool.map(one, plan.to_run))
        state.record_run(root, run_id=plan.run_id, kind="backfill", started_at=started, finished_at=utcnow(),
                         failures=sum(r["status"] == "failed" for r in results))
        return {"run_id": plan.run_id, "source": plan.source, "partitions": results, "failures": [],
                "not_run": [m.month for m in plan.months if not m.run]}


def _publish_month(data: Warehouse, month: str, result: dict) -> None:
    """The month's table artifact (one row of figures) and, if any, its failures (table)."""
    where = f" (data root {data})"
    figures = {k: v for k, v in result.items() if k not in ("failures", "incident_months")}
    create_table_artifact([figures], key=artifact_key(f"backfill-{month}", data),
                          description=f"Backfill of {month}" + where)
    if result["failures"]:
        create_table_artifact(result["failures"], key=artifact_key(f"failures-{month}", data),
                              description=f"Articles of {month} not re-coded" + where)


def _failure_reason(failures: list[dict]) -> str:
    first = failures[0]
    more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
    return f"{len(failures)} article(s) not re-coded: {first['target']}: {first['reason']}{more}"


def _close(root: Warehouse, month: str, run_id: str, result: dict) -> None:
    """Record the month and the incident months it rewrote (`recoded.record_month`), failed when
    an article was not re-coded; under the write turn. Sets the result's `articles` count."""
    error = _failure_reason(result["failures"]) if result["failures"] else None
    result["articles"] = recoded.record_month(root, month, run_id, result.get("incident_months") or [], error=error)


def fetch_and_code(
    candidates: Sequence[Candidate], specs: Sequence[FeedSpec], policy: FetchPolicy, root: Warehouse, *, workers: int
) -> tuple[list[CodedArticle], list[Failure]]:
    """Fetch discovered URLs (raw pages kept in the raw store), extract and code them.

    Each becomes a `FeedEntry` of feed "backfill", outlet from the feed list (`extractors.sitemaps.spec_for`).
    """
    entries = [FeedEntry(feed_id="backfill", url=c.url, canonical_url=c.canonical_url, title=None,
                         summary=None, published_at=None) for c in candidates]
    groups: dict[FeedSpec | None, list[FeedEntry]] = {}
    for entry in entries:
        groups.setdefault(spec_for(entry.url, specs), []).append(entry)
    pages: list[Page] = []
    failures: list[Failure] = []
    for spec, group in groups.items():
        feeds = {"backfill": dataclasses.replace(spec, id="backfill")} if spec else {}
        got, failed = fetch_pages(group, feeds, policy, root)
        pages += got
        failures += failed
    return code_all(pages, workers=workers, chunk_size=100), failures


@task(name="fetch-and-code", cache_policy=NO_CACHE)
def fetch_and_code_task(candidates: list[Candidate], specs: list, policy, data: Warehouse, workers: int):
    return fetch_and_code(candidates, specs, policy, data, workers=workers)


@flow(name="backfill", log_prints=False)
def backfill(
    start: str,
    end: str,
    data: str | None = None,
    source: str = "raw",
    urls: str | None = None,
    reprocess: str = DEFAULT_REPROCESS,
    max_parallel: int = 2,
    feeds: str | None = None,
    allow_hosts: list[str] | None = None,
    run_id: str | None = None,
) -> dict:
    """The deployment's entry point: plan the months [start, end], then run them (`Backfill.execute`).

    `source`: raw | sitemaps | urls (`urls` names the file). `reprocess`: none | failed | stale |
    all. `run_id`: set by `flarewatch backfill` when it runs through the deployment: the backfill a
    one-month run belongs to; its `runs` row then belongs to the caller. (`flarewatch backfill`
    run here does not call this flow: it runs `Backfill(plan, ...).run()` on the plan it printed.)
    """
    overrides = {"data": data, "feeds": feeds, "allow_hosts": allow_hosts}
    settings = Settings(**{k: v for k, v in overrides.items() if v})
    warehouse = Warehouse.open(settings.data)
    plan = plan_for(warehouse, settings, start, end, source=source, reprocess=reprocess, urls_file=urls)
    if run_id:
        plan = dataclasses.replace(plan, run_id=run_id)
    return Backfill(warehouse, plan, settings, max_parallel=max_parallel, record_run=run_id is None).execute()


def _publish_summary(root: Warehouse, summary: dict) -> None:
    """The backfill's summary (table: one row per month run), its failures (table), WARNING logs;
    every month run failed (or nothing ran and something failed): raise BackfillFailed."""
    where = f" (data root {root})"
    rows = [{"month": r["month"], "status": r["status"], "articles": r.get("articles"),
             "mentions": r.get("mentions"), "new_incidents": r.get("new_incidents"), "error": r.get("error") or ""}
            for r in summary["partitions"]]
    create_table_artifact(rows or [{"month": "-", "status": "nothing to run"}],
                          key=artifact_key("backfill-summary", root), description="Backfill, month by month" + where)
    failed = [r for r in summary["partitions"] if r["status"] == "failed"]
    logger = get_run_logger()
    for row in failed:
        logger.warning("month %s failed: %s", row["month"], row.get("error"))
    for failure in summary["failures"]:
        logger.warning("%s %s failed: %s", failure["stage"], failure["target"], failure["reason"])
    if summary["failures"]:
        create_table_artifact(summary["failures"], key=artifact_key("failures", root),
                              description="Sitemaps and URLs that failed in this backfill" + where)
    ran = summary["partitions"]
    if (ran and len(failed) == len(ran)) or (not ran and summary["failures"]):
        months = ", ".join(f"{r['month']}: {r.get('error')}" for r in failed[:5])
        reason = (f"every month failed ({len(failed)} of {len(ran)}): {months}" if ran
                  else f"nothing ran; {len(summary['failures'])} source(s) failed")
        raise BackfillFailed(reason, summary)


# --- is the deployment there? ---------------------------------------------------------------------


def deployment_available(name: str = DEPLOYMENT) -> bool:
    """True if PREFECT_API_URL names a server and the deployment `name` exists there."""
    from prefect.exceptions import ObjectNotFound
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        return False
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        try:
            client.read_deployment_by_name(name)
        except ObjectNotFound:
            return False
        except Exception as exc:  # noqa: BLE001 - unreachable server, bad URL: say which, as bad input
            raise OSError(f"cannot reach the Prefect server at {PREFECT_API_URL.value()} ({exc}); start it, "
                          "or unset PREFECT_API_URL to run with a temporary one") from None
    return True
