"""The ingest flow: poll feeds, fetch new articles, extract and code them, merge, write.

In: flow parameters (feed list path, data root, allowed hosts), read into `Settings` once.
Out: rows in the warehouse, a `runs` row, and two Prefect artifacts (monthly attack counts and a
markdown summary). Tasks are thin wrappers over `flows.steps`; work is batched (one task per
feed, one per chunk of articles) because a Prefect task run costs about as much as extracting an
article on this kind of machine.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext

from extractors.feeds import load_feed_list
from extractors.fetch import FetchPolicy
from extractors.records import FeedEntry, FeedPoll, FeedSpec
from flows import partitions, steps
from flows.report import feed_state_rows, monthly_table, run_markdown, summary_dict
from flows.runners import SettingsTaskRunner
from flows.settings import Settings
from warehouse import catalog, state
from warehouse.lock import root_lock
from warehouse.paths import DataRoot

steps.limit_malloc_arenas()  # before the flow starts its threads: see the function


def fetch_policy(settings: Settings) -> FetchPolicy:
    """The fetch policy the settings ask for."""
    return FetchPolicy(
        timeout=settings.timeout,
        max_bytes=settings.max_bytes,
        allow_hosts=frozenset(settings.allow_hosts),
        respect_robots=settings.respect_robots,
    )


@task(name="poll-feed", retries=1, retry_delay_seconds=5)
def poll_feed_task(spec: FeedSpec, prior: dict, policy: FetchPolicy) -> FeedPoll:
    return steps.poll_feeds([spec], {spec.id: prior} if prior else {}, policy)[0]


# Tasks hand each other raw-store paths, not page bytes: Prefect keeps every task's result for
# the flow run's lifetime, so returning bodies would hold a whole run's pages in memory.
@task(name="fetch-pages")
def fetch_pages_task(entries: list[FeedEntry], feeds: dict[str, FeedSpec], policy: FetchPolicy, root: DataRoot):
    pages, failures = steps.fetch_pages(entries, feeds, policy, root)
    return [dataclasses.replace(p, body=b"") for p in pages], failures


# No cache key: the input is a handle on work running in the coding processes, not data.
@task(name="store-chunk", cache_policy=NO_CACHE)
def store_chunk_task(root: DataRoot, coding: steps.Coding) -> steps.ChunkResult:
    return steps.store_chunk(root, coding)


@flow(name="ingest", log_prints=False, task_runner=SettingsTaskRunner())
def ingest(feeds: str | None = None, data: str | None = None, allow_hosts: list[str] | None = None) -> dict:
    """One pass over a feed list: poll, fetch new pages, code, merge, write. Returns the run summary."""
    overrides = {k: v for k, v in {"feeds": feeds, "data": data, "allow_hosts": allow_hosts}.items() if v}
    settings = Settings(**overrides)
    return run_ingest(settings)


def run_ingest(settings: Settings) -> dict:
    """The body of the ingest flow (called inside a flow run)."""
    logger = get_run_logger()
    root, policy = settings.data, fetch_policy(settings)
    context = FlowRunContext.get()
    run_id = str(context.flow_run.id) if context and context.flow_run else uuid.uuid4().hex
    summary = steps.RunSummary(run_id=run_id, started_at=steps.utcnow())
    specs = [s for s in load_feed_list(settings.feeds) if s.enabled]
    with root_lock(root, timeout=settings.lock_timeout):
        prior = state.load_feed_state(root)
        polls = [f.result() for f in [poll_feed_task.submit(s, prior.get(s.id) or {}, policy) for s in specs]]
        summary.feeds_polled = len(polls)
        for poll in polls:
            summary.feeds_failed += poll.status == "error"
            summary.feeds_not_modified += poll.status == "not_modified"
            summary.entries_seen += len(poll.entries)
            if poll.status == "error":
                summary.failures.append(steps.Failure("feed", poll.feed_id, poll.error or "unknown error"))
        polled = [e.canonical_url for p in polls for e in p.entries]
        entries = steps.new_entries(polls, state.seen_canonical_urls(root, among=polled))
        logger.info("%d feeds polled, %d new entries", len(polls), len(entries))
        by_id = {s.id: s for s in specs}
        # Chunk by chunk, as a pipeline: while the coding processes work on chunk i (and what is
        # left of i-1), the flow fetches chunk i+1 and stores chunk i-1, so the coders never wait
        # for a fetch or a write; memory holds a few chunks' records (page bytes stay in the raw
        # store and the coders), and a crash keeps what was stored.
        chunks = [entries[i : i + settings.chunk_size] for i in range(0, len(entries), settings.chunk_size)]
        by_feed: Counter[str] = Counter()  # counts, not articles: memory flat in the run's size
        published: set[str] = set()
        months = state.unmerged_mention_months(root)  # left by a run killed before it merged

        def store(coding: steps.Coding, number: int) -> None:
            nonlocal months
            result = store_chunk_task(root, coding)
            summary.new_articles += result.articles
            summary.new_mentions += result.mentions
            months |= result.months
            by_feed.update(dict(result.by_feed))
            published.update(result.published)
            steps.release_free_memory()
            logger.info("chunk %d/%d: %d articles stored", number, len(chunks), result.articles)

        pending = fetch_pages_task.submit(chunks[0], by_id, policy, root) if chunks else None
        coding: steps.Coding | None = None
        for index in range(len(chunks)):
            pages, failures = pending.result()
            pending = fetch_pages_task.submit(chunks[index + 1], by_id, policy, root) if index + 1 < len(chunks) else None
            summary.failures.extend(failures)
            started = steps.submit_coding(pages, workers=settings.workers, chunk_size=settings.chunk_size, root=root)
            if coding is not None:
                store(coding, index)
            coding = started
        if coding is not None:
            store(coding, len(chunks))
        if months:
            summary.new_incidents, summary.merges, summary.months_rewritten = steps.remerge_incidents(root, months)
        failed = {f.target for f in summary.failures if f.stage == "fetch"}
        retry = {e.feed_id for e in entries if e.url in failed}
        state.save_feed_state(root, feed_state_rows(specs, polls, prior, by_feed, keep_validators=retry))
        summary.finished_at = steps.utcnow()
        state.record_run(
            root, run_id=run_id, kind="ingest", started_at=summary.started_at, finished_at=summary.finished_at,
            feeds_polled=summary.feeds_polled, feeds_failed=summary.feeds_failed,
            new_articles=summary.new_articles, new_mentions=summary.new_mentions,
            new_incidents=summary.new_incidents, merges=summary.merges, failures=len(summary.failures),
        )
        partitions.record_coded_months(root, published, run_id, summary.months_rewritten)
    publish_artifacts(root, summary)
    logger.info("run %s: %d new articles, %d new incidents", run_id, summary.new_articles, summary.new_incidents)
    return summary_dict(summary)


def publish_artifacts(root: DataRoot, summary: steps.RunSummary) -> None:
    """A table artifact of the monthly attack counts and a markdown summary of the run."""
    with catalog.connect(root) as con:
        rows = monthly_table(con)
    create_table_artifact(rows, key="attacks-per-month", description="Attacks per month, all countries")
    create_markdown_artifact(run_markdown(summary), key="ingest-summary", description="What this run did")
