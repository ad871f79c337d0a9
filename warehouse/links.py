"""Links that keep failing, and articles stored uncoded: what `flarewatch status` lists for a person.

In: a data root, the pages one run tried to fetch and the failures among them. Out: rows of the
`link_failures` table (see `schemas.LinkFailure`) and lookups over it and over `articles`.

A link (canonical URL) whose fetch fails in `RETIRE_AFTER` runs in a row is retired: the ingest
flow counts it as seen, so it is not fetched again on every poll, its feed saves its validators
(a conditional GET again) and the runs stop failing for it. A successful fetch clears the count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from warehouse import parquet, paths
from warehouse.schemas import LinkFailure

RETIRE_AFTER = 3
"""Runs in a row a link must fail in before it is retired."""
OVER_BUDGET = "coding: over budget"


def record_fetches(root: paths.DataRoot, attempted: Iterable[tuple[str, str, str | None]],
                   failed: Mapping[str, str], *, at: dt.datetime) -> set[str]:
    """Count one more failure for each failed link and clear the count of each fetched one.

    In: (canonical_url, url, feed_id) of every link the run tried, and url -> reason of those that
    failed. Out: the canonical URLs retired by this call (their `RETIRE_AFTER`-th failure in a row).
    """
    attempted = list(attempted)
    if not attempted:
        return set()
    stored = {r["canonical_url"]: r for r in parquet.read(root, "link_failures").to_pylist()}
    rows, retired = dict(stored), set()
    for canonical, url, feed_id in attempted:
        before = stored.get(canonical)
        if url not in failed:
            rows.pop(canonical, None)
            continue
        failures = (before["failures"] if before else 0) + 1
        retired_at = before["retired_at"] if before else None
        if retired_at is None and failures >= RETIRE_AFTER:
            retired_at = at
            retired.add(canonical)
        rows[canonical] = LinkFailure(canonical, url, feed_id, failures, failed[url], at, retired_at)
    if rows != stored:
        parquet.replace_table(root, "link_failures", list(rows.values()))
    return retired


def retired_urls(root: paths.DataRoot) -> set[str]:
    """Canonical URLs of the retired links: not to be fetched again."""
    return {r["canonical_url"] for r in parquet.read(root, "link_failures").to_pylist() if r["retired_at"]}


def retired(root: paths.DataRoot) -> list[dict[str, Any]]:
    """The retired links as rows for a table: link, feed, failures in a row, last error, since."""
    rows = [r for r in parquet.read(root, "link_failures").to_pylist() if r["retired_at"]]
    return [{"link": r["url"], "feed": r["feed_id"] or "", "failures": r["failures"],
             "last error": r["last_error"] or "", "retired": f"{r['retired_at']:%Y-%m-%d %H:%M}"}
            for r in sorted(rows, key=lambda r: r["retired_at"], reverse=True)]


def over_budget(root: paths.DataRoot) -> list[dict[str, Any]]:
    """The articles stored uncoded because they were over the coding budget, as table rows."""
    table = parquet.read(root, "articles", columns=["url", "feed_id", "fetched_at", "coding_status"])
    rows = [r for r in table.to_pylist() if r["coding_status"] == OVER_BUDGET]
    return [{"article": r["url"], "feed": r["feed_id"] or "", "fetched": f"{r['fetched_at']:%Y-%m-%d %H:%M}"}
            for r in sorted(rows, key=lambda r: r["fetched_at"], reverse=True)]
