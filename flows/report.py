"""What a run tells its users: feed state rows, the monthly table, the markdown summary.

In: the run's polls, coded articles and `RunSummary`, or a DuckDB connection over the warehouse.
Out: plain rows and markdown text (no Prefect here, so the CLI can print the same things).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

import duckdb

from extractors.pipeline import CodedArticle
from extractors.records import FeedPoll, FeedSpec
from flows.steps import RunSummary


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


def monthly_table(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Attacks per month over all countries: month, incidents, fatalities."""
    rows = con.execute(
        "SELECT month, sum(incidents)::BIGINT AS incidents, sum(fatalities)::BIGINT AS fatalities "
        "FROM attacks_per_month GROUP BY month ORDER BY month"
    ).fetchall()
    return [{"month": str(m)[:7], "incidents": n, "fatalities": f} for m, n, f in rows]


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
