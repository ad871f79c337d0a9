"""The ingest flow: poll feeds, fetch new articles, extract and code them, merge, write.

In: flow parameters (feed list path, data root, allowed hosts), read into `Settings` once; the data
root (a string, so deployments can store it) is opened once at the top of the run as a
`warehouse.handle.Warehouse`, which every task and step below takes.
Out: rows in the warehouse, a `runs` row, and Prefect artifacts keyed by the data root (monthly
attack counts; a markdown summary with the feed health table; a `failures` table when something
failed). A run in which every feed, or every new page, failed ends Failed (`PollFailed`, naming the
failures) after storing what it could; a partly failed run ends Completed with a WARNING per failure.
Tasks are thin wrappers over `flows.steps`; work is batched (one task for the feed polls, one
fetch task per chunk of articles; a chunk is stored by a plain call in the flow's thread) because
a Prefect task run costs more CPU than extracting an article on this kind of machine.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext

from extractors.feeds import load_feed_list
from extractors.fetch_types import FetchPolicy
from extractors.months import utcnow
from extractors.records import Failure, FeedEntry, FeedPoll, FeedSpec
from flows import steps
from flows.lifecycle import start_warm_forkserver
from flows.report import (
    artifact_key,
    failure_rows,
    feed_health,
    feed_state_rows,
    health_markdown,
    monthly_table,
    run_markdown,
    summary_dict,
    total_failure,
)
from flows.runners import SettingsTaskRunner
from flows.settings import Settings
from warehouse import compact, footers, links, memory, partitions, remerge, state
from warehouse.handle import Warehouse
from warehouse.lock import root_lock

memory.limit_allocators()  # before the flow starts its threads: see the function


class PollFailed(RuntimeError):
    """Every feed, or every new page, of a poll failed; `summary` is what the run did anyway."""

    def __init__(self, reason: str, summary: dict) -> None:
        super().__init__(reason)
        self.summary = summary


def fetch_policy(settings: Settings) -> FetchPolicy:
    """The fetch policy the settings ask for."""
    return FetchPolicy(
        timeout=settings.timeout,
        max_bytes=settings.max_bytes,
        allow_hosts=frozenset(settings.allow_hosts),
        respect_robots=settings.respect_robots,
    )


# One task for all the feeds (polled concurrently inside it), not one per feed: a task run costs
# about 35 ms of CPU between this process and the API server, more than a page's extraction,
# while a feed's poll is one conditional GET; each feed's outcome is in the run's feed health
# table and failures. No cache key (here and below): no result is kept for a key to find, and
# hashing the inputs costs CPU every call.
@task(name="poll-feeds", retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE)
def poll_feeds_task(specs: list[FeedSpec], prior: dict[str, dict], policy: FetchPolicy) -> list[FeedPoll]:
    return steps.poll_feeds(specs, prior, policy)


# Tasks hand each other raw-store paths, not page bytes: Prefect keeps every task's result for
# the flow run's lifetime, so returning bodies would hold a whole run's pages in memory.
@task(name="fetch-pages", cache_policy=NO_CACHE)
def fetch_pages_task(entries: list[FeedEntry], feeds: dict[str, FeedSpec], policy: FetchPolicy,
                     warehouse: Warehouse):
    pages, failures = steps.fetch_pages(entries, feeds, policy, warehouse)
    return [dataclasses.replace(p, body=b"") for p in pages], failures


# timeout_seconds: a run stuck past an hour is failed, which releases the data root's lock, so
# the next scheduled poll runs instead of being cancelled behind it (issue 14, row 1).
@flow(name="ingest", log_prints=False, task_runner=SettingsTaskRunner(), timeout_seconds=3600)
def ingest(feeds: str | None = None, data: str | None = None, allow_hosts: list[str] | None = None) -> dict:
    """One pass over a feed list: poll, fetch new pages, code, merge, write. Returns the run summary."""
    overrides = {k: v for k, v in {"feeds": feeds, "data": data, "allow_hosts": allow_hosts}.items() if v}
    settings = Settings(**overrides)
    return run_ingest(settings)


def run_ingest(settings: Settings) -> dict:
    """The body of the ingest flow (called inside a flow run): opens the data root once."""
    logger = get_run_logger()
    root, policy = Warehouse.open(settings.data), fetch_policy(settings)
    context = FlowRunContext.get()
    run_id = str(context.flow_run.id) if context and context.flow_run else uuid.uuid4().hex
    summary = steps.RunSummary(run_id=run_id, started_at=utcnow())
    specs = [s for s in load_feed_list(settings.feeds) if s.enabled]
    with root_lock(root, timeout=settings.lock_timeout):
        compact.sweep_temp(root)  # temp files of writes killed earlier: no writer is live under the lock
        prior = state.load_feed_state(root)
        polls = settled(poll_feeds_task.submit(specs, prior, policy)) if specs else []
        summary.feeds_polled = len(polls)
        for poll in polls:
            summary.feeds_failed += poll.status == "error"
            summary.feeds_not_modified += poll.status == "not_modified"
            summary.entries_seen += len(poll.entries)
            if poll.status == "error":
                summary.failures.append(Failure("feed", poll.feed_id, poll.error or "unknown error"))
        polled = [e.canonical_url for p in polls for e in p.entries]
        entries = steps.new_entries(polls, state.seen_canonical_urls(root, among=polled) | links.retired_urls(root))
        logger.info("%d feeds polled, %d new entries", len(polls), len(entries))
        # What the run's end needs of an entry (its link's record) is three strings; the entries
        # themselves (titles, summaries) go with their chunk once it is fetched, and the polls keep
        # only what the feed-state rows read: memory does not hold the whole run's entries.
        fetched_links = [(e.canonical_url, e.url, e.feed_id) for e in entries]
        polls = [dataclasses.replace(p, entries=()) for p in polls]
        del polled
        by_id = {s.id: s for s in specs}
        # Chunk by chunk, as a pipeline: while the coding processes work on chunk i (and what is
        # left of i-1), the flow fetches chunk i+1 and stores chunk i-1, so the coders never wait
        # for a fetch or a write; memory holds a few chunks' records (page bytes stay in the raw
        # store and the coders), and a crash keeps what was stored.
        chunks = [entries[i : i + settings.chunk_size] for i in range(0, len(entries), settings.chunk_size)]
        del entries
        if settings.workers > 1 and chunks and len(chunks[0]) >= steps.INLINE_BELOW:  # the pool will be used
            start_warm_forkserver()  # the coders' imports and tables, once, while chunk 0 is fetched
        by_feed: Counter[str] = Counter()  # counts, not articles: memory flat in the run's size
        published: set[str] = set()
        months = state.unmerged_mention_months(root)  # left by a run killed before it merged

        def store(coding: steps.Coding, number: int) -> None:
            nonlocal months
            # a plain call, not a task: it ran in this thread anyway (called, never submitted), and a
            # task run per chunk cost ~0.1 s of CPU between this process and the API server
            result = steps.store_chunk(root, coding)
            summary.new_articles += result.articles
            summary.new_mentions += result.mentions
            summary.over_budget.extend(result.over_budget)
            months |= result.months
            by_feed.update(dict(result.by_feed))
            published.update(result.published)
            memory.release_free_memory()
            logger.info("chunk %d/%d: %d articles stored", number, len(chunks), result.articles)

        pending = fetch_pages_task.submit(chunks[0], by_id, policy, root) if chunks else None
        coding: steps.Coding | None = None
        for index in range(len(chunks)):
            pages, failures = settled(pending)
            chunks[index] = []  # fetched: its entries live on in its pages until they are stored
            pending = (fetch_pages_task.submit(chunks[index + 1], by_id, policy, root)
                       if index + 1 < len(chunks) else None)
            summary.failures.extend(failures)
            started = steps.submit_coding(pages, workers=settings.workers, chunk_size=settings.chunk_size, root=root)
            if coding is not None:
                store(coding, index)
            coding = started
        if coding is not None:
            store(coding, len(chunks))
        if months:
            summary.new_incidents, summary.merges, summary.months_rewritten = remerge.remerge_incidents(root, months)
        failed = {f.target: f.reason for f in summary.failures if f.stage == "fetch"}
        retired = links.record_fetches(root, fetched_links, failed, at=utcnow())  # failing run after run: retired
        retry = {feed for canonical, url, feed in fetched_links if url in failed and canonical not in retired}
        feed_rows = feed_state_rows(specs, polls, prior, by_feed, keep_validators=retry)
        state.save_feed_state(root, feed_rows)
        # the footers this run read, so the next poll reads one file per table; before the run's
        # row, which stays its last table write (a run killed before it left no `runs` row)
        footers.save_index(root)
        summary.finished_at = utcnow()
        state.record_run(
            root, run_id=run_id, kind="ingest", started_at=summary.started_at, finished_at=summary.finished_at,
            feeds_polled=summary.feeds_polled, feeds_failed=summary.feeds_failed,
            new_articles=summary.new_articles, new_mentions=summary.new_mentions,
            new_incidents=summary.new_incidents, merges=summary.merges, failures=len(summary.failures),
        )
        partitions.record_coded_months(root, published, run_id, summary.months_rewritten)
    memory.release_free_memory()  # the report page below is the run's peak: it starts from the run's level
    publish_artifacts(root, summary, feed_health(feed_rows, prior))
    for failure in summary.failures:
        logger.warning("%s %s failed: %s", failure.stage, failure.target, failure.reason)
    logger.info("run %s: %d new articles, %d new incidents", run_id, summary.new_articles, summary.new_incidents)
    reason = total_failure(summary, pages_tried=len(fetched_links))
    if reason:
        raise PollFailed(reason, summary_dict(summary))
    return summary_dict(summary)


def settled(future):  # noqa: ANN001, ANN201 - a PrefectFuture
    """`future.result()`, waited for in one-second slices: the flow's timeout lands in the flow's
    thread between two slices (a single blocking wait would hold it, and the lock, until the task
    ends), so a run stuck in a task is failed and the data root's lock freed on time."""
    while not future.wrapped_future.done():
        future.wait(1.0)
    return future.result()


def publish_artifacts(root: Warehouse, summary: steps.RunSummary, health: list[dict]) -> None:
    """Artifacts keyed by the data root: monthly attack counts (table), the run's summary with the
    feed health table (markdown), and the failures (table) when there are any."""
    rows = monthly_table(root)
    where = f" (data root {root})"
    create_table_artifact(rows, key=artifact_key("attacks-per-month", root),
                          description="Attacks per month, all countries" + where)
    create_markdown_artifact(run_markdown(summary) + "\n\n" + health_markdown(health),
                             key=artifact_key("ingest-summary", root), description="What this run did" + where)
    if summary.failures:
        create_table_artifact(failure_rows(summary.failures), key=artifact_key("failures", root),
                              description="Feeds and pages that failed in this run" + where)
    page = write_report_page(root)
    if page is not None:
        create_link_artifact(page, link_text="flarewatch report (one HTML file)", key=artifact_key("report", root),
                             description="The report page after this run" + where)


def write_report_page(root: Warehouse) -> str | None:
    """`flarewatch report --html` after every run, as `<root>/reports/latest.html` (local data roots):
    returns its file:// URL, or None on object storage or when the page cannot be written (logged;
    the run's data is stored either way)."""
    from flows import report_page

    if not root.local:
        return None
    try:
        return root.save_report(report_page.page(root, recorded=True))
    except Exception as exc:  # noqa: BLE001 - the page is a view; a failure must not fail the stored run
        get_run_logger().warning("report page not written: %s", exc)
        return None
