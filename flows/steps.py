"""The steps of one ingest pass as plain functions: library calls composed, no Prefect.

In: settings values, the feed list, the data root. Out: records written to the warehouse and a
`RunSummary`. The Prefect tasks in `flows.ingest` are one-line wrappers over these, so every
step can be tested and reused (backfills, re-coding) without an orchestrator.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import importlib.metadata
import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc
from courlan import clean_url, extract_domain, get_hostinfo
from htmldate.extractors import extract_url_date
from htmldate.utils import Extractor as HtmlDateOptions
from lxml import etree
from trafilatura.sitemaps import GUESSES as SITEMAP_GUESSES
from trafilatura.sitemaps import DETECT_SITEMAP_LINK, SitemapObject, extract_robots_sitemaps
from trafilatura.utils import safe_relative_url

from extractors.articles import EXTRACTOR_ID
from extractors.dedup import merge_mentions
from extractors.feeds import poll_feed
from extractors.fetch import Fetcher, FetchError, FetchPolicy
from extractors.pipeline import CodedArticle, Page, code_pages
from extractors.records import Article, FeedEntry, FeedPoll, FeedSpec, Incident, Mention
from extractors.urls import canonicalize_url
from warehouse import parquet
from warehouse.lock import root_lock
from warehouse.raw import RawStore
from warehouse.schemas import PARTITION_STATUSES, PartitionRun, month_of

INLINE_BELOW = 16
"""Batches smaller than this are coded in-process: starting worker processes costs ~1-2 s."""


@dataclass(frozen=True, slots=True)
class Failure:
    """Something that went wrong for one feed or URL, recorded and reported, never raised."""

    stage: str
    target: str
    reason: str


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


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def poll_feeds(specs: Sequence[FeedSpec], feed_state: dict[str, dict], policy: FetchPolicy) -> list[FeedPoll]:
    """Poll each enabled feed once with conditional GET; a failing feed yields an "error" poll."""
    polls = []
    with Fetcher(policy) as fetcher:
        for spec in specs:
            prior = feed_state.get(spec.id) or {}
            etag, modified = (prior.get("etag"), prior.get("last_modified"))
            if prior.get("url") not in (None, spec.url):
                etag = modified = None  # the feed moved: its old validators mean nothing
            polls.append(poll_feed(fetcher, spec, etag=etag, last_modified=modified, now=utcnow()))
    return polls


def new_entries(polls: Iterable[FeedPoll], seen_urls: set[str]) -> list[FeedEntry]:
    """Entries whose canonical URL is not yet ingested, each URL once (first feed wins)."""
    out, taken = [], set(seen_urls)
    for poll in polls:
        for entry in poll.entries:
            if entry.canonical_url not in taken:
                taken.add(entry.canonical_url)
                out.append(entry)
    return out


def fetch_pages(
    entries: Sequence[FeedEntry], feeds: dict[str, FeedSpec], policy: FetchPolicy, root: Path
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
    """Extract and code pages, spread over `workers` processes when the batch is worth it."""
    if workers <= 1 or len(pages) < INLINE_BELOW:
        return [c for c in code_pages(pages) if c is not None]
    size = max(1, min(chunk_size, -(-len(pages) // (workers * 2))))
    chunks = [pages[i : i + size] for i in range(0, len(pages), size)]
    # forkserver: forking a process that runs Prefect's threads can deadlock; spawn costs more.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return [c for batch in pool.map(code_pages, chunks) for c in batch if c is not None]


def store_coded(root: Path, coded: Sequence[CodedArticle]) -> tuple[int, int]:
    """Write articles (append, idempotent by key) and their mentions (upsert by mention_id).

    Returns (articles written, mentions written). Mentions land in their article's ingest month.
    """
    articles = parquet.append(root, "articles", [c.article for c in coded])
    mentions = [m for c in coded for m in c.mentions]
    if mentions:
        fetched = {c.article.article_id: c.article.fetched_at for c in coded}
        parquet.upsert(root, "mentions", [_mention_row(m, fetched[m.article_id]) for m in mentions])
    return articles, len(mentions)


def without_text(coded: Sequence[CodedArticle]) -> list[CodedArticle]:
    """The coded articles with their text and mentions dropped: what a run keeps for its report."""
    return [CodedArticle(article=dataclasses.replace(c.article, text=""), mentions=()) for c in coded]


def _mention_row(mention: Mention, ingested_at: dt.datetime) -> dict:
    return dataclasses.asdict(mention) | {"ingested_at": ingested_at}


def event_month(day: dt.date | None) -> str:
    return "unknown" if day is None else f"{day.year:04d}-{day.month:02d}"


def shift_month(month: str, delta: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + mon - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def remerge_incidents(root: Path, months: Iterable[str]) -> tuple[int, int, tuple[str, ...]]:
    """Merge stored mentions into incidents again around the months that received new mentions.

    Mentions of the affected months +-2 are merged (a cluster cannot reach further: merging needs
    dates within a day, a week or the same month), and the incidents of the affected months +-1 are
    rewritten whole, so a late report that moves an incident to a neighbouring month moves it.
    Returns (new incident ids, ids merged away, months rewritten).
    """
    affected = {m for m in months if m != "unknown"}
    write = {shift_month(m, d) for m in affected for d in (-1, 0, 1)} | ({"unknown"} & set(months))
    read = {shift_month(m, d) for m in affected for d in (-2, -1, 0, 1, 2)} | ({"unknown"} & set(months))
    mentions = [m for m in load_mentions(root) if event_month(m.event_date) in read]
    # Tombstones go back in too: merge_mentions keeps them (chains followed to the survivor).
    previous = load_incidents(root, sorted(write))
    incidents = [i for i in merge_mentions(mentions, previous) if event_month(i.event_date) in write]
    by_month: dict[str, list[Incident]] = {m: [] for m in write}
    # An incident whose id is stored in a month outside the window (its date moved far) is
    # rewritten there too, so no id is ever stored twice.
    ids = {i.incident_id for i in incidents}
    for month in set(parquet.affected_partitions(root, "incidents", incidents)) - write:
        by_month[month] = [i for i in load_incidents(root, [month]) if i.incident_id not in ids]
    for incident in incidents:
        by_month[event_month(incident.event_date)].append(incident)
    parquet.replace_partitions(root, "incidents", by_month)
    before = {i.incident_id for i in previous}
    new = sum(1 for i in incidents if i.status == "active" and i.incident_id not in before)
    merged = sum(1 for i in incidents if i.status == "merged" and i.incident_id in before)
    return new, merged, tuple(sorted(by_month))


def load_mentions(root: Path, partitions: Sequence[str] | None = None) -> list[Mention]:
    """The stored mentions (of the given ingest months, or all) as records."""
    return records_from(parquet.read(root, "mentions", partitions=partitions).to_pylist(), Mention)


def load_incidents(root: Path, months: Sequence[str]) -> list[Incident]:
    """The stored incidents (all statuses) of the given event months."""
    return records_from(parquet.read(root, "incidents", partitions=months).to_pylist(), Incident)


def records_from(rows: Iterable[dict], cls: type) -> list:
    """Rows read back from Parquet as records: extra columns dropped, lists made tuples."""
    names = [f.name for f in dataclasses.fields(cls)]
    return [cls(**{n: tuple(r[n]) if isinstance(r[n], list) else r[n] for n in names}) for r in rows]


# ---------------------------------------------------------------------------------------------
# Backfills (flows/backfill.py wires these; flows/plan.py decides which months run).
#
# The backfill partition is the PUBLICATION month of an article (its `published_at`, else its
# fetch time): the month the news is about, which is what an analyst backfills ("code March
# again"). The `articles` table itself stays stored by ingest month; `partitions` rows of table
# "articles" name publication months, rows of table "incidents" name event months.


def publication_month(article: Article | Mapping[str, Any]) -> str:
    """The month an article is about: its publication month (UTC), else its fetch month."""
    get = article.get if isinstance(article, Mapping) else partial(getattr, article)
    return month_of(get("published_at") or get("fetched_at"))


def code_version() -> str:
    """flarewatch's own version (the `code_version` of `partitions` rows)."""
    try:
        return importlib.metadata.version("flarewatch")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


_REF_COLUMNS = (
    "article_id", "content_sha256", "canonical_url", "url", "feed_id", "outlet", "title",
    "published_at", "raw_path", "fetched_at", "extractor_version", "language",
)


def latest_article_refs(root: Path) -> list[dict]:
    """The latest stored version of every article, without its text, sorted by article_id.

    Latest: the newest fetch; among versions extracted from one fetch (a re-code appends one),
    the current extractor's, then the highest content hash, so the choice never depends on
    file order.
    """
    best: dict[str, dict] = {}
    for row in parquet.read(root, "articles", columns=list(_REF_COLUMNS)).to_pylist():
        rank = (row["fetched_at"], row["extractor_version"] == EXTRACTOR_ID, row["content_sha256"])
        held = best.get(row["article_id"])
        if held is None or rank > held["_rank"]:
            best[row["article_id"]] = row | {"_rank": rank}
    return [{k: v for k, v in best[i].items() if k != "_rank"} for i in sorted(best)]


def articles_by_month(root: Path) -> dict[str, list[dict]]:
    """Publication month -> the latest versions of the articles published that month."""
    out: dict[str, list[dict]] = {}
    for ref in latest_article_refs(root):
        out.setdefault(publication_month(ref), []).append(ref)
    return out


def month_extractor_version(refs: Sequence[Mapping[str, Any]]) -> str | None:
    """The extractor a month's articles were coded with: the current one only if all were."""
    versions = {r["extractor_version"] for r in refs}
    if not versions:
        return None
    return EXTRACTOR_ID if versions == {EXTRACTOR_ID} else sorted(versions - {EXTRACTOR_ID})[0]


@dataclass(frozen=True, slots=True)
class Recode:
    """A publication month re-extracted and re-coded from the raw store, not yet written."""

    month: str
    articles: int
    coded: tuple[CodedArticle, ...]
    kept: tuple[str, ...]
    """Articles whose stored page no longer yields an article: their rows are left as stored."""
    failures: tuple[Failure, ...]
    """Articles whose raw page is missing or unreadable (not re-coded)."""


def prepare_recode(root: Path, month: str, *, workers: int, refs: Sequence[dict] | None = None) -> Recode:
    """Re-extract and re-code the latest version of every article published in `month`.

    Reads only (no lock needed): the stored raw page of each article goes through
    `extractors.pipeline.code_page` again, with the stored URL, canonical URL, title and
    publication time standing in for the feed entry (the feed summary is not stored, so an
    article whose text came from its summary is re-coded from its page).
    """
    refs = articles_by_month(root).get(month, []) if refs is None else refs
    store = RawStore(root)
    pages, failures = [], []
    for ref in refs:
        if not ref["raw_path"]:
            failures.append(Failure("recode", ref["url"], "no raw page stored for this article"))
            continue
        try:
            body = store.get(ref["raw_path"])
        except (OSError, ValueError, EOFError) as exc:  # absent, outside the store, bad gzip
            failures.append(Failure("recode", ref["url"], f"raw page {ref['raw_path']} unreadable: {exc}"))
            continue
        entry = FeedEntry(
            feed_id=ref["feed_id"] or "", url=ref["url"], canonical_url=ref["canonical_url"],
            title=ref["title"], summary=None, published_at=ref["published_at"],
        )
        # The stored language stands in for the feed's declared one (the last resort of extraction).
        pages.append(Page(entry=entry, outlet=ref["outlet"], url=ref["url"], fetched_at=ref["fetched_at"],
                          raw_path=ref["raw_path"], body=body, feed_language=ref["language"]))
    coded = code_all(pages, workers=workers, chunk_size=100)
    got = {c.article.article_id for c in coded}
    failed = {f.target for f in failures}
    kept = tuple(r["article_id"] for r in refs if r["article_id"] not in got and r["url"] not in failed)
    return Recode(month=month, articles=len(refs), coded=tuple(coded), kept=kept, failures=tuple(failures))


def write_recode(root: Path, recode: Recode, *, after_mentions: Callable[[], None] | None = None) -> dict:
    """Write a prepared re-code; the caller holds the data root's lock. Returns counts.

    Order (each step idempotent, so a run killed anywhere is finished by running it again):
    1. articles appended (a changed extraction is a new version; an identical one is skipped);
    2. the mentions of the re-coded articles replaced, in every ingest-month partition that held
       or receives them, the other articles' mentions kept;
    3. incidents re-merged for the event months the old and new mentions touch, plus any month
       holding an incident that still cites a replaced mention (`remerge_recoded`), which is how
       a rerun after a kill between 2 and 3 still finds the months of the mentions 2 removed.
    `after_mentions` runs between 2 and 3 (the kill-and-resume test's hook).
    """
    new_versions = parquet.append(root, "articles", [c.article for c in recode.coded])
    ids = {c.article.article_id for c in recode.coded}
    rows = [_mention_row(m, c.article.fetched_at) for c in recode.coded for m in c.mentions]
    removed, old_months = replace_article_mentions(root, ids, rows)
    if after_mentions is not None:
        after_mentions()
    months = old_months | {event_month(r["event_date"]) for r in rows}
    new, merged, rewritten = remerge_recoded(root, months)
    return {
        "month": recode.month, "articles": recode.articles, "recoded": len(recode.coded),
        "new_versions": new_versions, "kept": len(recode.kept), "mentions": len(rows),
        "mentions_replaced": len(removed), "new_incidents": new, "merges": merged,
        "incident_months": list(rewritten), "failures": [dataclasses.asdict(f) for f in recode.failures],
    }


def recode_month(root: Path, month: str, *, workers: int) -> dict:
    """Re-code every article published in `month` from its stored raw page (prepare + write).

    Takes the data root's lock for the writes. `flows.backfill` calls the two halves itself, so
    that months can be extracted in parallel while their writes take turns.
    """
    recode = prepare_recode(root, month, workers=workers)
    with root_lock(root):
        return write_recode(root, recode)


def replace_article_mentions(root: Path, article_ids: set[str], rows: Sequence[dict]) -> tuple[set[str], set[str]]:
    """Replace the stored mentions of `article_ids` with `rows` (their new mentions).

    Every ingest-month partition that holds mentions of these articles or receives new ones is
    rewritten whole, with the other articles' mentions kept. Returns (mention ids removed, event
    months of the mentions removed).
    """
    if not article_ids:
        return set(), set()
    where = parquet.read(root, "mentions", columns=["article_id", "ingest_month"])
    hit = pc.is_in(where["article_id"], value_set=pa.array(sorted(article_ids), pa.string()))
    parts = set(where["ingest_month"].filter(hit).to_pylist())
    new_by_part: dict[str, list[dict]] = {}
    for row in rows:
        new_by_part.setdefault(month_of(row["ingested_at"]), []).append(row)
    parts |= set(new_by_part)
    if not parts:
        return set(), set()
    stored = parquet.read(root, "mentions", partitions=sorted(parts))
    mine = pc.is_in(stored["article_id"], value_set=pa.array(sorted(article_ids), pa.string()))
    old = stored.filter(mine)
    others = stored.filter(pc.invert(mine)).drop_columns(["ingest_month"])
    new_ids = {r["mention_id"] for r in rows}
    removed = set(old["mention_id"].to_pylist()) - new_ids
    old_months = {event_month(d) for d in old["event_date"].to_pylist()}
    by_part: dict[str, list[dict]] = {p: [] for p in parts}
    for row in others.to_pylist():
        by_part[month_of(row["ingested_at"])].append(row)
    for part, new in new_by_part.items():
        by_part[part].extend(new)
    parquet.replace_partitions(root, "mentions", by_part)
    return removed, old_months


def remerge_recoded(root: Path, months: Iterable[str]) -> tuple[int, int, tuple[str, ...]]:
    """`remerge_incidents` after a re-code replaced mentions: returns the same figures.

    Same windows as `remerge_incidents` (mirrored here, not changed there), with two additions:
    the months of incidents that cite a mention no longer stored are re-merged too, and those
    citations are dropped from the earlier incidents handed to the merge, which would otherwise
    stand in for the replaced mentions and count them twice. An earlier incident left with no
    stored mention is dropped (the current coding no longer supports it).
    """
    present = set(parquet.read(root, "mentions", columns=["mention_id"])["mention_id"].to_pylist())
    cited = parquet.read(root, "incidents", columns=["status", "mention_ids", "event_month"]).to_pylist()
    dangling = {r["event_month"] for r in cited
                if r["status"] != "merged" and any(m not in present for m in r["mention_ids"] or ())}
    months = set(months) | dangling
    if not months:
        return 0, 0, ()
    affected = {m for m in months if m != "unknown"}
    unknown = {"unknown"} & months
    write = {shift_month(m, d) for m in affected for d in (-1, 0, 1)} | unknown
    read = {shift_month(m, d) for m in affected for d in (-2, -1, 0, 1, 2)} | unknown
    mentions = [m for m in load_mentions(root) if event_month(m.event_date) in read]
    previous = []
    for incident in load_incidents(root, sorted(write)):
        if incident.status == "merged":
            continue
        kept = tuple(m for m in incident.mention_ids if m in present)
        if kept != incident.mention_ids:
            if not kept:
                continue
            incident = dataclasses.replace(incident, mention_ids=kept, n_mentions=len(kept))
        previous.append(incident)
    incidents = [i for i in merge_mentions(mentions, previous) if event_month(i.event_date) in write]
    by_month: dict[str, list[Incident]] = {m: [] for m in write}
    ids = {i.incident_id for i in incidents}
    for month in set(parquet.affected_partitions(root, "incidents", incidents)) - write:
        by_month[month] = [i for i in load_incidents(root, [month]) if i.incident_id not in ids]
    for incident in incidents:
        by_month[event_month(incident.event_date)].append(incident)
    parquet.replace_partitions(root, "incidents", by_month)
    before = {i.incident_id for i in previous}
    new = sum(1 for i in incidents if i.status == "active" and i.incident_id not in before)
    merged = sum(1 for i in incidents if i.status == "merged" and i.incident_id in before)
    return new, merged, tuple(sorted(by_month))


def store_discovered(root: Path, coded: Sequence[CodedArticle], month: str, *,
                     after_mentions: Callable[[], None] | None = None) -> dict:
    """Store articles a sitemap or URL list found for one publication month; the caller holds the lock.

    Order: their mentions first (replacing any an earlier, killed attempt left), then incidents
    re-merged for the event months of every mention of the month's articles, then the articles.
    A stored article marks its URL as seen, so it goes last: a run killed before it fetches the
    page again next time and redoes the rest, instead of leaving an article without its mentions.
    `after_mentions` runs after the mentions are written (the kill-and-resume test's hook).
    """
    rows = [_mention_row(m, c.article.fetched_at) for c in coded for m in c.mentions]
    new_ids = {c.article.article_id for c in coded}
    replace_article_mentions(root, new_ids, rows)
    if after_mentions is not None:
        after_mentions()
    ids = {r["article_id"] for r in articles_by_month(root).get(month, [])} | new_ids
    stored = parquet.read(root, "mentions", columns=["article_id", "event_date"])
    hit = pc.is_in(stored["article_id"], value_set=pa.array(sorted(ids), pa.string()))
    months = {event_month(d) for d in stored["event_date"].filter(hit).to_pylist()}
    new, merged, rewritten = remerge_recoded(root, months)
    articles = parquet.append(root, "articles", [c.article for c in coded])
    return {"month": month, "articles": len(ids), "new_articles": articles, "mentions": len(rows),
            "new_incidents": new, "merges": merged, "incident_months": list(rewritten), "failures": []}


# --- partition bookkeeping ---------------------------------------------------------------------


def partition_rows(root: Path, table: str | None = None) -> dict[tuple[str, str], dict]:
    """(table, partition) -> its `partitions` row, for one table or all."""
    rows = parquet.read(root, "partitions").to_pylist()
    return {(r["table"], r["partition"]): r for r in rows if table is None or r["table"] == table}


def mark_partitions(
    root: Path, table: str, counts: Mapping[str, int | None], *, status: str, run_id: str,
    extractor_version: str | Mapping[str, str | None] | None = EXTRACTOR_ID, error: str | None = None,
) -> None:
    """Upsert one `partitions` row per partition of `counts` (partition -> rows) in one write.

    "running" stamps started_at; "done" / "failed" stamp finished_at and keep the started_at of
    the row they close (as `warehouse.state.record_partition`, but many partitions at once).
    """
    if status not in PARTITION_STATUSES:
        raise ValueError(f"status must be one of {PARTITION_STATUSES}, got {status!r}")
    if not counts:
        return
    now, version = utcnow(), code_version()
    prior = partition_rows(root, table) if status != "running" else {}
    rows = []
    for part, n in sorted(counts.items()):
        extractor = extractor_version.get(part) if isinstance(extractor_version, Mapping) else extractor_version
        started = now if status == "running" else (prior.get((table, part)) or {}).get("started_at")
        rows.append(PartitionRun(
            table=table, partition=part, status=status, rows=n, code_version=version,
            extractor_version=extractor, run_id=run_id, started_at=started,
            finished_at=now if status in ("done", "failed") else None, error=error,
        ))
    parquet.upsert(root, "partitions", rows)


def incident_counts(root: Path, months: Iterable[str]) -> dict[str, int]:
    """Event month -> incidents stored in it (every status), 0 for an emptied month."""
    wanted = sorted(set(months))
    stored = parquet.read(root, "incidents", partitions=wanted, columns=["event_month"])["event_month"]
    counts = Counter(stored.to_pylist())
    return {m: counts.get(m, 0) for m in wanted}


def record_coded_months(root: Path, coded: Sequence[CodedArticle], run_id: str,
                        incident_months: Iterable[str] = ()) -> None:
    """Mark the publication months that received `coded` articles, and the incident months
    rewritten, as done (what an ingest run calls at its end, under the data root's lock).

    rows = the articles now stored for the month (incidents: the month's incidents);
    extractor_version = the current extractor only if every article of the month was coded by
    it, so `flarewatch backfill --reprocess stale` still finds a month an upgrade half-covered.
    """
    months = sorted({publication_month(c.article) for c in coded})
    if months:
        by_month = articles_by_month(root)
        mark_partitions(
            root, "articles", {m: len(by_month.get(m, [])) for m in months}, status="done", run_id=run_id,
            extractor_version={m: month_extractor_version(by_month.get(m, [])) for m in months},
        )
    mark_incident_months(root, incident_months, run_id)


def mark_incident_months(root: Path, months: Iterable[str], run_id: str) -> None:
    """Mark rewritten incident months done with their incident counts. A neighbour month a merge
    rewrote empty is recorded only if it was recorded before (keeps the coverage grid to months
    that hold or held incidents)."""
    months = sorted(set(months))
    if not months:
        return
    known = partition_rows(root, "incidents")
    counts = {m: n for m, n in incident_counts(root, months).items() if n or ("incidents", m) in known}
    mark_partitions(root, "incidents", counts, status="done", run_id=run_id)


# --- discovery of historical URLs (backfill --source sitemaps | urls) --------------------------

_URL_DATE_OPTIONS = HtmlDateOptions(False, dt.datetime(2100, 1, 1), dt.datetime(1990, 1, 1), True, "%Y-%m-%d")


def url_months(url: str) -> frozenset[str] | None:
    """The publication months a date in the URL path allows (htmldate's URL date, +-1 day for
    time zones), or None when the URL carries no date."""
    found = extract_url_date(url, _URL_DATE_OPTIONS)
    if not found:
        return None
    day = dt.date.fromisoformat(found)
    return frozenset(month_of(day + dt.timedelta(days=d)) for d in (-1, 0, 1))


def site_root(url: str) -> str:
    """scheme://host[:port] of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def spec_for(url: str, specs: Sequence[FeedSpec]) -> FeedSpec | None:
    """The feed whose outlet (and language) a discovered URL takes: the feed list's feed of the
    URL's site, or, where several outlets share one site, the one whose feed id or outlet name
    appears in the URL path; None when that stays ambiguous."""
    same = [s for s in specs if site_root(s.url) == site_root(url)]
    if len({s.outlet for s in same}) == 1:
        return same[0]
    path = urlsplit(url).path.lower()
    named = [s for s in same if s.id in path or s.outlet.lower().replace(" ", "-") in path]
    return named[0] if len({s.outlet for s in named}) == 1 else None


def read_url_list(path: Path) -> list[str]:
    """One URL per line; blank lines and lines starting with # skipped; order kept, duplicates dropped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return list(dict.fromkeys(s for line in lines if (s := line.strip()) and not s.startswith("#")))


class _GuardedSitemap(SitemapObject):
    """trafilatura's sitemap walker, fetching through our guarded `Fetcher` (SSRF guard, size cap,
    timeouts) instead of its own downloader, and keeping each URL's <lastmod> / news date."""

    def __init__(self, fetcher: Fetcher, base_url: str, domain: str, sitemaps: list[str]) -> None:
        super().__init__(base_url, domain, sitemaps)
        self.fetcher = fetcher
        self.dates: dict[str, tuple[dt.date | None, dt.date | None]] = {}
        self.fetched = 0

    def fetch(self) -> None:
        self.seen.add(self.current_url)
        try:
            body = self.fetcher.get(self.current_url, kind="any").body
        except FetchError:
            self.content = ""
            return
        if body[:2] == b"\x1f\x8b":  # a .xml.gz sitemap served as a file, not as an encoding
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError):
                body = b""
        self.content = body.decode("utf-8", "replace")
        self.fetched += bool(self.content)

    def handle_link(self, link: str) -> None:
        absolute = safe_relative_url(self.base_url, link)
        same_host = absolute and urlsplit(absolute).netloc == urlsplit(self.base_url).netloc
        if same_host and link != self.current_url and extract_domain(absolute, fast=True) is None:
            # An IP address or a one-label host (a local server): courlan finds no registrable
            # domain there and trafilatura would drop every link; the same host is the same site.
            cleaned = clean_url(absolute)
            if cleaned:
                (self.sitemap_urls if DETECT_SITEMAP_LINK.search(cleaned) else self.urls).append(cleaned)
            return
        super().handle_link(link)

    def process(self) -> None:
        super().process()
        self.dates.update(_sitemap_dates(self.content))


def _sitemap_dates(content: str) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """loc -> (<lastmod>, <news:publication_date>) of a sitemap's <url> entries."""
    if "<lastmod" not in content and "publication_date" not in content:
        return {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    try:
        tree = etree.fromstring(content.encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return {}
    out = {}
    for url in [] if tree is None else tree.iter("{*}url"):
        loc = url.findtext("{*}loc") or ""
        lastmod, published = url.findtext("{*}lastmod"), url.findtext(".//{*}publication_date")
        out[clean_url(loc.strip()) or loc.strip()] = (_day(lastmod), _day(published))
    return out


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A discovered URL and what its sitemap or path says about its date."""

    url: str
    canonical_url: str
    months: frozenset[str] | None
    """Publication months its URL path or news sitemap date allows; None when nothing says."""
    modified: dt.date | None = None


def discover_sitemap_urls(
    roots: Sequence[str], policy: FetchPolicy, *, max_sitemaps: int = 50
) -> tuple[list[Candidate], list[Failure]]:
    """Walk each site's sitemaps (robots.txt `Sitemap:` lines, else the usual guesses) with
    trafilatura's sitemap support; returns the article URLs found and the sites without a sitemap."""
    found: dict[str, Candidate] = {}
    failures = []
    with Fetcher(policy) as fetcher:
        for root in roots:
            domain, base = get_hostinfo(root)
            domain = domain or urlsplit(base).hostname  # an IP address has no registrable domain
            if not domain:
                failures.append(Failure("sitemap", root, "not a site URL"))
                continue
            try:
                robots = fetcher.get(f"{base}/robots.txt", kind="any").body.decode("utf-8", "replace")
            except FetchError:
                robots = None
            listed = extract_robots_sitemaps(robots, base)
            walker = _GuardedSitemap(fetcher, base, domain, listed or [f"{base}/{g}" for g in reversed(SITEMAP_GUESSES)])
            while walker.sitemap_urls and len(walker.seen) < max_sitemaps:
                walker.current_url = walker.sitemap_urls.pop()
                walker.fetch()
                walker.process()
                walker.sitemap_urls = [s for s in walker.sitemap_urls if s not in walker.seen]
            if not walker.fetched:
                failures.append(Failure("sitemap", base, "no sitemap found (robots.txt, /sitemap.xml and the usual names)"))
            for url in walker.urls:
                try:
                    canonical = canonicalize_url(url)
                except ValueError:
                    continue
                modified, published = walker.dates.get(url, (None, None))
                months = frozenset({month_of(published)}) if published else url_months(url)
                found.setdefault(canonical, Candidate(url, canonical, months, modified))
    return [found[k] for k in sorted(found)], failures


def candidates_from_urls(urls: Iterable[str]) -> tuple[list[Candidate], list[Failure]]:
    """Candidates from a plain URL list (dated by their path where it says)."""
    found: dict[str, Candidate] = {}
    failures = []
    for url in urls:
        try:
            canonical = canonicalize_url(url)
        except ValueError as exc:
            failures.append(Failure("urls", url, str(exc)))
            continue
        found.setdefault(canonical, Candidate(url, canonical, url_months(url)))
    return [found[k] for k in sorted(found)], failures


def fetch_and_code(
    candidates: Sequence[Candidate], specs: Sequence[FeedSpec], policy: FetchPolicy, root: Path, *, workers: int
) -> tuple[list[CodedArticle], list[Failure]]:
    """Fetch discovered URLs (raw pages kept in the raw store), extract and code them.

    Each becomes a `FeedEntry` of feed "backfill", outlet from the feed list (`outlet_for`).
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
