"""The steps of one ingest pass as plain functions: library calls composed, no Prefect.

In: settings values, the feed list, the data root. Out: records written to the warehouse and a
`RunSummary`. The Prefect tasks in `flows.ingest` are one-line wrappers over these, so every
step can be tested and reused (backfills, re-coding) without an orchestrator.
"""

from __future__ import annotations

import atexit
import dataclasses
import datetime as dt
import logging
import multiprocessing
import os
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from extractors.budget import OverBudget, time_limit
from extractors.feeds import poll_feed
from extractors.fetch import Fetcher
from extractors.fetch_types import FetchError, FetchPolicy
from extractors.months import event_month, publication_month, utcnow
from extractors.pipeline import CodedArticle, Page, code_article, extract_page
from extractors.records import Article, Failure, FeedEntry, FeedPoll, FeedSpec
from warehouse.mentions import store_coded
from warehouse.paths import DataRoot
from warehouse.raw import RawStore

INLINE_BELOW = 40
"""Batches smaller than this are coded in-process: a worker's start (imports, then the coder's
tables on first use) costs ~2 s of CPU each; the 28 demo pages cost 2.1 s coded here, first use
included, 0.8 s after `warm_up_coding` (bench/bench_startup.py)."""
BATCHES_PER_WORKER = 8
"""A chunk goes to the coding processes in about this many batches per process."""
CODING_CHARS = 1_048_576
"""Characters of article text one document may have to be coded (1 MiB); a longer one is stored uncoded."""
CODING_SECONDS = 60.0
"""Wall time extracting and coding one page may take; past it the article is stored uncoded."""
OVER_BUDGET = "coding: over budget"
LOGGER = logging.getLogger(__name__)


@dataclass(slots=True)
class RunSummary:
    """What one ingest pass did: the figures of the run's markdown artifact and `runs` row."""

    run_id: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    feeds_polled: int = 0
    feeds_failed: int = 0
    feeds_not_modified: int = 0
    entries_seen: int = 0
    new_articles: int = 0
    new_mentions: int = 0
    new_incidents: int = 0
    merges: int = 0
    months_rewritten: tuple[str, ...] = ()
    failures: list[Failure] = field(default_factory=list)
    over_budget: list[str] = field(default_factory=list)
    """URLs of the articles stored uncoded, over their coding budget (`code_within_budget`)."""


def poll_feeds(specs: Sequence[FeedSpec], feed_state: dict[str, dict], policy: FetchPolicy) -> list[FeedPoll]:
    """Poll each feed once with conditional GET; a failing feed yields an "error" poll. Out: the
    polls in the order of `specs`. Up to `policy.concurrency` feeds at once over one `Fetcher`,
    whose host book keeps each host's own limits (`per_host_concurrency`, Retry-After)."""

    def one(spec: FeedSpec) -> FeedPoll:
        prior = feed_state.get(spec.id) or {}
        etag, modified = (prior.get("etag"), prior.get("last_modified"))
        if prior.get("url") not in (None, spec.url):
            etag = modified = None  # the feed moved: its old validators mean nothing
        return poll_feed(fetcher, spec, etag=etag, last_modified=modified, now=utcnow())

    with Fetcher(policy) as fetcher:
        if len(specs) <= 1:
            return [one(s) for s in specs]
        with ThreadPoolExecutor(max_workers=min(policy.concurrency, len(specs))) as pool:
            return list(pool.map(one, specs))


def new_entries(polls: Iterable[FeedPoll], seen_urls: Collection[str]) -> list[FeedEntry]:
    """Entries whose canonical URL is not yet ingested, each URL once (first feed wins).

    `seen_urls`: the stored canonical URLs among the polls' entries at least
    (`warehouse.state.seen_canonical_urls(root, among=...)` asks the store for just those).
    """
    out, taken = [], set(seen_urls)
    for poll in polls:
        for entry in poll.entries:
            if entry.canonical_url not in taken:
                taken.add(entry.canonical_url)
                out.append(entry)
    return out


def fetch_pages(
    entries: Sequence[FeedEntry], feeds: dict[str, FeedSpec], policy: FetchPolicy, root: DataRoot
) -> tuple[list[Page], list[Failure]]:
    """Fetch article pages concurrently and keep each body in the raw store before coding it.

    `feeds` maps feed_id to its spec, for the outlet name and the declared language.
    """
    store = RawStore(root)
    pages, failures = [], []
    with Fetcher(policy) as fetcher:
        results = fetcher.get_many([e.url for e in entries])
    for entry, result in zip(entries, results, strict=True):
        if isinstance(result, FetchError):
            failures.append(Failure("fetch", entry.url, result.reason))
            continue
        raw_path = store.put(result.body, fetched_at=result.fetched_at, kind="page")
        pages.append(
            Page(
                entry=entry,
                outlet=feeds[entry.feed_id].outlet if entry.feed_id in feeds else None,
                url=result.final_url,
                fetched_at=result.fetched_at,
                raw_path=raw_path,
                body=result.body,
                feed_language=feeds[entry.feed_id].language if entry.feed_id in feeds else None,
            )
        )
    return pages, failures


def code_all(pages: Sequence[Page], *, workers: int, chunk_size: int) -> list[CodedArticle]:
    """Extract and code pages (bodies in hand), spread over `workers` processes when worth it.

    Out: the coded articles in page order, pages without an article left out.
    """
    return submit_coding(pages, workers=workers, chunk_size=chunk_size).result()


class Coding:
    """Pages handed to the coding processes: `submit_coding` returns at once, `result()` waits.

    A plain class (not a dataclass), so that Prefect passes it to a task as it is.
    """

    __slots__ = ("_done", "_executor", "_futures", "_pages", "_root", "_size", "_workers")

    def __init__(self, pages: Sequence[Page], root: DataRoot | None, workers: int, size: int) -> None:
        self._pages, self._root, self._workers, self._size = pages, root, workers, size
        self._executor: ProcessPoolExecutor | None = None
        self._futures: list[Future] = []
        self._done: list[CodedArticle | None] | None = None
        if workers <= 1 or len(pages) < INLINE_BELOW:
            self._done = code_stored(root, pages)
            return
        try:
            self._submit()
        except BrokenProcessPool:  # a worker died since the last chunk: start afresh once
            self._submit(fresh=True)

    def _submit(self, fresh: bool = False) -> None:
        # another chunk may have replaced a broken pool already: only a pool this chunk saw break
        # is replaced
        self._executor = _pool(self._workers, broken=self._executor if fresh else None)
        self._futures = [self._executor.submit(code_stored, self._root, self._pages[i : i + self._size])
                         for i in range(0, len(self._pages), self._size)]

    def result(self) -> list[CodedArticle]:
        """The coded articles in page order (pages without an article left out)."""
        if self._done is None:
            try:
                done = [c for f in self._futures for c in f.result()]
            except BrokenProcessPool:  # a worker died (killed, out of memory): start afresh once
                self._submit(fresh=True)
                done = [c for f in self._futures for c in f.result()]
            self._done, self._futures = done, []
        return [c for c in self._done if c is not None]


def submit_coding(pages: Sequence[Page], *, workers: int, chunk_size: int, root: DataRoot | None = None) -> Coding:
    """Start extracting and coding pages; returns without waiting when they go to worker processes.

    In: pages (a page with an empty body is read back from the raw store under `root`, by the
    process that codes it, so page bytes never travel between processes), the number of coding
    processes, the largest batch one process receives. Batches are small (about 8 per process
    and chunk), so no process idles long while another finishes the chunk's last batch.
    Small chunks, or `workers` 1, are coded here and now.
    """
    size = max(1, min(chunk_size, -(-len(pages) // (workers * BATCHES_PER_WORKER))))
    return Coding(pages, root, workers, size)


def code_stored(root: DataRoot | None, pages: Sequence[Page]) -> list[CodedArticle | None]:
    """`code_within_budget` over `pages`, after reading back from the raw store under `root` each
    page with an empty body (top-level and picklable: this is what a coding process runs)."""
    if root is not None and any(p.raw_path and not p.body for p in pages):
        store = RawStore(root)
        pages = [dataclasses.replace(p, body=store.get(p.raw_path)) if p.raw_path and not p.body else p
                 for p in pages]
    return [code_within_budget(p) for p in pages]


def code_within_budget(page: Page) -> CodedArticle | None:
    """`pipeline.code_page` with a budget per document: text over `CODING_CHARS` characters, or
    extraction and coding over `CODING_SECONDS`, gives the article uncoded (no mentions) with
    `coding_status` "coding: over budget", so one huge or pathological page cannot hold a run.
    None when the page holds no article or extraction fails (logged with the URL), or when
    extraction alone runs over the budget."""
    article: Article | None = None
    try:
        with time_limit(CODING_SECONDS):  # one limit over both stages: one timer thread per page, not two
            try:
                article = extract_page(page)
            except OverBudget:
                raise
            except Exception:  # noqa: BLE001 - logged with the URL; the batch goes on
                LOGGER.exception("extraction failed for %s", page.url)
                return None
            if article is None:
                return None
            if len(article.text) > CODING_CHARS:
                LOGGER.warning("%s: %d characters, over the %d coded per document", page.url, len(article.text),
                               CODING_CHARS)
                return _uncoded(article)
            try:
                return code_article(article)
            except OverBudget:
                raise
            except Exception:  # noqa: BLE001 - logged with the URL; the batch goes on
                LOGGER.exception("coding failed for %s", page.url)
                return None
    except OverBudget:
        if article is None:
            LOGGER.warning("extraction over its %gs budget: %s", CODING_SECONDS, page.url)
            return None
        LOGGER.warning("coding over its %gs budget: %s", CODING_SECONDS, page.url)
        return _uncoded(article)


def _uncoded(article: Article) -> CodedArticle:
    """`article` stored without mentions, marked over budget."""
    return CodedArticle(dataclasses.replace(article, coding_status=OVER_BUDGET), ())


_WARM_UP_PAGE = (b"<html><head><title>Attack on a checkpoint</title></head><body><article><h1>Attack on a "
                 b"checkpoint</h1><p>Gunmen attacked an army checkpoint near Mosul, Iraq, on Monday, killing two "
                 b"soldiers and wounding three, officials said.</p><p>No group said it carried out the attack, "
                 b"the second on the road this month.</p></article></body></html>")
"""A made-up short conflict report, coded once by `warm_up_coding`."""


def warm_up_coding() -> CodedArticle | None:
    """Code one small built-in page here, so the extractor's and the coder's tables (loaded on first
    use, ~1.3 s of CPU) are ready before the flow needs them; the CLI calls it while the temporary
    Prefect server starts, when this process would otherwise wait (bench/bench_startup.py).
    Returns the coded page (one incident mention)."""
    when = utcnow()
    url = "http://127.0.0.1/warm-up.html"
    entry = FeedEntry(feed_id="warm-up", url=url, canonical_url=url, title="Attack on a checkpoint", summary="",
                      published_at=when, entry_id=url)
    return code_within_budget(Page(entry=entry, outlet=None, url=url, fetched_at=when, raw_path=None,
                                   body=_WARM_UP_PAGE))


_pools: dict[int, tuple[dict[str, str], ProcessPoolExecutor]] = {}


def _pool(workers: int, broken: ProcessPoolExecutor | None = None) -> ProcessPoolExecutor:
    """One pool of coding processes per process, kept for its lifetime: a worker's start-up
    (importing trafilatura, loading the gazetteer) costs 1-2 s, paid once, not once per chunk.
    forkserver: forking a process that runs Prefect's threads can deadlock; spawn costs more.

    A new pool replaces the kept one when that one is `broken`, or when this process's
    environment changed since it started: workers read the raw store themselves, so they need
    the same object-storage settings and credentials (AWS_*, FLAREWATCH_*) as the flow. The
    forkserver keeps the environment it started with, hence the initializer.
    """
    env = dict(os.environ)
    kept = _pools.get(workers)
    if kept is not None and kept[0] == env and kept[1] is not broken:
        return kept[1]
    if kept is not None:
        kept[1].shutdown(wait=False)  # chunks already submitted to it still finish
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
                               initializer=_adopt_environment, initargs=(env,))
    atexit.register(pool.shutdown, cancel_futures=True)
    _pools[workers] = (env, pool)
    return pool


def _adopt_environment(env: dict[str, str]) -> None:
    """Run in each new coding process: take the environment of the process that started it, and
    exit when that process is gone, even after `kill -9` (the forkserver then exits by itself)."""
    from flows.lifecycle import exit_with_parent_process

    exit_with_parent_process()
    os.environ.clear()
    os.environ.update(env)


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What coding and storing one chunk of pages did: counts only, so a run's memory does not
    grow with its articles (a task returns it, and Prefect keeps every task result for the run)."""

    articles: int
    mentions: int
    months: frozenset[str]
    """Event months of the chunk's mentions."""
    by_feed: tuple[tuple[str, int], ...] = ()
    """(feed_id, articles coded) for the run's feed_state rows."""
    published: frozenset[str] = frozenset()
    """Publication months of the chunk's articles, for the run's partition records."""
    over_budget: tuple[str, ...] = ()
    """URLs of the chunk's articles stored uncoded, over their coding budget."""


def store_chunk(root: DataRoot, coding: Coding) -> ChunkResult:
    """Wait for a chunk's coding, then store its articles and mentions (`store_coded`)."""
    coded = coding.result()
    articles, mentions = store_coded(root, coded)
    months = frozenset(event_month(m.event_date) for c in coded for m in c.mentions)
    over = tuple(c.article.url for c in coded if c.article.coding_status == OVER_BUDGET)
    by_feed = Counter(c.article.feed_id for c in coded)
    return ChunkResult(articles, mentions, months, tuple(sorted(by_feed.items())),
                       frozenset(publication_month(c.article) for c in coded), over)
