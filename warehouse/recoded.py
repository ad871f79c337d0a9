"""Re-coded and discovered articles: the table reads and writes of `flarewatch backfill`.

In: the opened data root (`paths.DataRoot`) and a publication month; for `raw`, the month's stored
articles and their raw pages, for `sitemaps` / `urls`, the articles coded from the pages found.
Out: articles appended (or, re-extracted identically, restamped with the current extractor), their
mentions replaced, incidents re-merged, the month recorded in the `partitions` table
(`record_month`); a dict of counts per month for the backfill's report.

The coding is the caller's, passed in (`code`: `flows.steps.code_all`, which spreads pages over
coding processes), so that this module orders the writes, which is what makes a killed backfill
safe to run again, without importing the flows ring; the re-merge is `warehouse.remerge`'s.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from extractors.months import event_month
from extractors.pipeline import CodedArticle, Page
from extractors.records import Failure, FeedEntry
from warehouse import parquet, partitions, remerge
from warehouse.mentions import mention_row, replace_article_mentions
from warehouse.partitions import articles_by_month
from warehouse.paths import DataRoot
from warehouse.queries import mention_event_months
from warehouse.raw import RawStore

Code = Callable[[Sequence[Page]], Sequence[CodedArticle]]
"""Pages (bodies in hand) -> their coded articles, pages without an article left out."""


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


def prepare_recode(root: DataRoot, month: str, *, code: Code) -> Recode:
    """Re-extract and re-code the latest version of every article published in `month`.

    Reads only (no lock needed): the stored raw page of each article goes through `code` again,
    with the stored URL, canonical URL, title and publication time standing in for the feed entry
    (the feed summary is not stored, so an article whose text came from its summary is re-coded
    from its page).
    """
    refs = articles_by_month(root, [month]).get(month, [])
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
    coded = code(pages)
    got = {c.article.article_id for c in coded}
    failed = {f.target for f in failures}
    kept = tuple(r["article_id"] for r in refs if r["article_id"] not in got and r["url"] not in failed)
    return Recode(month=month, articles=len(refs), coded=tuple(coded), kept=kept, failures=tuple(failures))


def write_recode(root: DataRoot, recode: Recode) -> dict[str, Any]:
    """Write a prepared re-code; the caller holds the data root's lock. Returns counts.

    Order (each step idempotent, so a run killed anywhere is finished by running it again):
    1. articles appended (a changed extraction is a new version; an identical one is skipped);
    2. the mentions of the re-coded articles replaced, in every ingest-month partition that held
       or receives them, the other articles' mentions kept;
    3. incidents re-merged (`warehouse.remerge`) for the event months the old and new mentions touch; the
       re-merge also takes the months of the mentions table's change log, which is how a rerun
       after a kill between 2 and 3 still finds the months of the mentions 2 removed;
    4. the stored versions the re-extraction reproduced (`restamp_reproduced`: same text, same
       fetch, skipped by 1) stamped with its extractor, last: until then the month's articles
       still say an older extractor coded them, so a run killed before 4 leaves the month stale
       (or running) and it is re-coded again; `record_month` then records the month current.
    """
    new_versions = parquet.append(root, "articles", [c.article for c in recode.coded])
    ids = {c.article.article_id for c in recode.coded}
    rows = [mention_row(m, c.article.fetched_at) for c in recode.coded for m in c.mentions]
    removed, old_months = replace_article_mentions(root, ids, rows)
    months = old_months | {event_month(r["event_date"]) for r in rows}
    new, merged, rewritten = remerge.remerge_incidents(root, months)
    restamped = restamp_reproduced(root, recode.coded)
    return {
        "month": recode.month, "articles": recode.articles, "recoded": len(recode.coded),
        "new_versions": new_versions, "restamped": restamped, "kept": len(recode.kept), "mentions": len(rows),
        "mentions_replaced": len(removed), "new_incidents": new, "merges": merged,
        "incident_months": list(rewritten), "failures": [dataclasses.asdict(f) for f in recode.failures],
    }


def restamp_reproduced(root: DataRoot, coded: Sequence[CodedArticle]) -> int:
    """Stamp each stored article version a re-extraction reproduced with the re-extraction's extractor.

    In: the re-coded articles. A stored row is reproduced when it has the same article id, content
    hash (so `parquet.append` skipped the new version: the text is identical, as after any
    coder-only change) and fetch time (the same raw page) as a re-coded article; its
    `extractor_version` becomes that article's, so the stored articles say truthfully that the
    current extractor yields this text, and `partitions.LATEST_ORDER` ("the current extractor's")
    and the month's recorded extractor (`month_extractor_version`) count it as current. The text
    and every other column stay as stored. Out: the rows restamped (0 on a rerun). The caller
    holds the lock.
    """
    made = {(c.article.article_id, c.article.content_sha256, c.article.fetched_at): c.article.extractor_version
            for c in coded}
    if not made:
        return 0
    cols = ["article_id", "content_sha256", "fetched_at", "extractor_version"]
    stored = parquet.read(root, "articles", columns=cols, keys={a for a, _, _ in made}).to_pylist()
    stamps = [r | {"extractor_version": made[key]} for r in stored
              if (key := (r["article_id"], r["content_sha256"], r["fetched_at"])) in made
              and r["extractor_version"] != made[key]]
    if not stamps:
        return 0
    return parquet.restamp(root, "articles", "extractor_version",
                           pa.Table.from_pylist(stamps).select(["article_id", "content_sha256", "extractor_version"]))


def store_discovered(root: DataRoot, coded: Sequence[CodedArticle], month: str) -> dict[str, Any]:
    """Store articles a sitemap or URL list found for one publication month; the caller holds the lock.

    Order: their mentions first (replacing any an earlier, killed attempt left), then incidents
    re-merged (`warehouse.remerge`) for the event months of every mention of the month's articles, then the
    articles. A stored article marks its URL as seen, so it goes last: a run killed before it
    fetches the page again next time and redoes the rest, instead of leaving an article without
    its mentions.
    """
    rows = [mention_row(m, c.article.fetched_at) for c in coded for m in c.mentions]
    new_ids = {c.article.article_id for c in coded}
    replace_article_mentions(root, new_ids, rows)
    ids = {r["article_id"] for r in articles_by_month(root, [month]).get(month, [])} | new_ids
    months = mention_event_months(root, ids)
    new, merged, rewritten = remerge.remerge_incidents(root, months)
    articles = parquet.append(root, "articles", [c.article for c in coded])
    return {"month": month, "articles": len(ids), "new_articles": articles, "mentions": len(rows),
            "new_incidents": new, "merges": merged, "incident_months": list(rewritten), "failures": []}


def record_month(root: DataRoot, month: str, run_id: str, incident_months: Iterable[str], *,
                 error: str | None) -> int:
    """Record a written publication month in the `partitions` table: its articles' partition done
    (failed, with `error`, when given) with their count and extractor version (the current one
    once `write_recode` re-coded and restamped them all), and the incident
    months the re-merge rewrote. The caller holds the lock. Returns the month's article count."""
    refs = articles_by_month(root, [month]).get(month, [])
    partitions.mark_partitions(
        root, "articles", {month: len(refs)}, status="failed" if error else "done", run_id=run_id,
        extractor_version=partitions.month_extractor_version(refs), error=error,
    )
    partitions.mark_incident_months(root, incident_months, run_id)
    return len(refs)
