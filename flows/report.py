"""What a run tells its users: feed state rows, the monthly table, the markdown summary.

In: the run's polls, coded articles and `RunSummary`, or the opened data root (its materialised counts).
Out: plain rows and markdown text (no Prefect here, so the CLI can print the same things).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

from extractors.pipeline import CodedArticle
from extractors.records import FeedPoll, FeedSpec
from flows.steps import RunSummary
from warehouse import attacks
from warehouse.handle import Warehouse


def feed_state_rows(
    specs: Sequence[FeedSpec], polls: Sequence[FeedPoll], prior: dict[str, dict],
    coded: Sequence[CodedArticle] | Mapping[str, int], keep_validators: Collection[str] = (),
) -> list[dict]:
    """One `feed_state` row per polled feed; validators kept from before on a 304 or an error.

    `coded`: the articles the run coded, or their counts by feed_id (what the ingest flow keeps).

    `keep_validators`: feeds whose new ETag / Last-Modified must not be saved because one of their
    pages failed: the next poll must get the feed again (200, not 304) to retry that page.
    """
    new_by_feed = coded if isinstance(coded, Mapping) else Counter(c.article.feed_id for c in coded)
    urls = {s.id: s.url for s in specs}
    rows = []
    for poll in polls:
        before = prior.get(poll.feed_id) or {}
        ok = poll.status == "ok"
        fresh = ok and poll.feed_id not in keep_validators
        rows.append(
            {
                "feed_id": poll.feed_id,
                "url": urls.get(poll.feed_id),
                "etag": poll.etag if fresh else before.get("etag"),
                "last_modified": poll.last_modified if fresh else before.get("last_modified"),
                "last_polled_at": poll.fetched_at,
                "last_status": poll.status,
                "last_error": poll.error,
                "http_status": poll.http_status,
                "entries_seen": len(poll.entries) if ok else before.get("entries_seen") or 0,
                "new_entries": new_by_feed.get(poll.feed_id, 0),
                "consecutive_failures": (before.get("consecutive_failures") or 0) + 1 if poll.status == "error" else 0,
            }
        )
    return rows


def monthly_table(root: Warehouse) -> list[dict]:
    """Attacks per month over all countries: month, incidents, fatalities; the undated attacks
    last, as month "undated" (`warehouse.attacks.monthly_totals`)."""
    return [{"month": "undated" if m is None else str(m)[:7], "incidents": n, "fatalities": f}
            for m, n, f in attacks.monthly_totals(root)]


def run_markdown(summary: RunSummary) -> str:
    """The markdown summary of one run, failures listed with their reasons."""
    lines = [
        f"# flarewatch ingest run `{summary.run_id}`",
        "",
        "| feeds polled | not modified | failed | entries | new articles | new mentions | new incidents | merges |",
        "|---|---|---|---|---|---|---|---|",
        f"| {summary.feeds_polled} | {summary.feeds_not_modified} | {summary.feeds_failed} | {summary.entries_seen} "
        f"| {summary.new_articles} | {summary.new_mentions} | {summary.new_incidents} | {summary.merges} |",
    ]
    if summary.months_rewritten:
        lines += ["", "Incident months rewritten: " + ", ".join(summary.months_rewritten)]
    if summary.over_budget:
        lines += ["", f"## Stored uncoded, over the coding budget ({len(summary.over_budget)})", ""]
        lines += [f"- {url}" for url in summary.over_budget]
    if summary.failures:
        lines += ["", "## Failures", "", "| stage | target | reason |", "|---|---|---|"]
        lines += [f"| {f.stage} | {f.target} | {f.reason} |" for f in summary.failures]
    return "\n".join(lines)


def summary_dict(summary: RunSummary) -> dict:
    """The run summary as plain JSON-able values (the flow's return value)."""
    out = dataclasses.asdict(summary)
    out["started_at"] = summary.started_at.isoformat()
    out["finished_at"] = summary.finished_at.isoformat() if summary.finished_at else None
    return out


def artifact_key(name: str, root: object) -> str:
    """`name` plus a short hash of the data root, so runs on two roots never overwrite each other's
    artifacts (keys: lowercase letters, digits, dashes)."""
    return f"{name}-{hashlib.sha256(str(root).encode()).hexdigest()[:8]}"


def total_failure(summary: RunSummary, pages_tried: int) -> str | None:
    """Why the run as a whole failed, or None: every feed failed, or every new page did."""
    feeds = [f for f in summary.failures if f.stage == "feed"]
    pages = [f for f in summary.failures if f.stage != "feed"]
    if summary.feeds_polled and len(feeds) >= summary.feeds_polled:
        return f"every feed failed ({len(feeds)} of {summary.feeds_polled}): " + _named(feeds)
    if pages_tried and len(pages) >= pages_tried and not summary.new_articles:
        return f"every new page failed ({len(pages)} of {pages_tried}): " + _named(pages)
    return None


def _named(failures: Sequence, most: int = 5) -> str:
    text = "; ".join(f"{f.target}: {f.reason}" for f in failures[:most])
    return text + (f"; and {len(failures) - most} more" if len(failures) > most else "")


def failure_rows(failures: Sequence) -> list[dict]:
    """The `failures` table artifact: one row per feed or page that failed."""
    return [{"stage": f.stage, "target": f.target, "reason": f.reason} for f in failures]


def feed_health(rows: Sequence[dict], prior: dict[str, dict]) -> list[dict]:
    """The feed health table of a poll: status, last poll, last success, last error, entries.

    Last success: this poll's time if the feed answered (200 or 304), else the previous poll's if
    that one answered, else "before" it (the state keeps one poll back).
    """
    out = []
    for row in rows:
        before = prior.get(row["feed_id"]) or {}
        if row["last_status"] != "error":
            success = row["last_polled_at"]
        elif before.get("last_status") not in (None, "error"):
            success = before.get("last_polled_at")
        else:
            success = f"before {before['last_polled_at']}" if before.get("last_polled_at") else "never"
        out.append({"feed": row["feed_id"], "status": row["last_status"], "last_poll": str(row["last_polled_at"]),
                    "last_success": str(success), "last_error": row.get("last_error") or "",
                    "entries": row.get("entries_seen") or 0,
                    "failures_in_a_row": row.get("consecutive_failures") or 0})
    return out


def health_markdown(health: Sequence[dict]) -> str:
    """The feed health table as markdown, for the poll's summary artifact."""
    lines = ["## Feeds", "", "| feed | status | last poll | last success | last error | entries | failures in a row |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {h['feed']} | {h['status']} | {h['last_poll']} | {h['last_success']} | {h['last_error']} "
              f"| {h['entries']} | {h['failures_in_a_row']} |" for h in health]
    return "\n".join(lines)
