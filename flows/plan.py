"""The backfill plan: which month partitions a backfill runs and why, decided before anything runs.

In: a data root, a month range, a source (`raw`, `sitemaps`, `urls`) and a reprocess policy.
Out: a `Plan` (one `PlannedMonth` per month, and for `sitemaps` / `urls` the URLs to fetch), and
the rows the CLI prints: the plan, the final table, the coverage grid of `flarewatch status`.
Nothing here writes or imports Prefect: `flarewatch backfill --dry-run` stops after this module.

The partition is the publication month of articles (see `extractors.months.publication_month`); its
state is the `partitions` row (table "articles", partition "YYYY-MM"). Rules, per month:

| month's state                         | none | failed | stale | all |
|---------------------------------------|------|--------|-------|-----|
| missing (never coded)                 | run  | run    | run   | run |
| running (a run was killed: resume)    | run  | run    | run   | run |
| failed                                | skip | run    | run   | run |
| done by an older extractor (stale)    | skip | skip   | run   | run |
| done by the current extractor         | skip | skip   | skip  | run |

Resume: a backfill's run id is `backfill:<start>..<end>:<source>:<reprocess>[:<list hash>]:<n>`,
written to `runs` when it starts and closed when it ends. The same command run again after a kill
finds that unclosed run, adopts its id, and skips every month that run already finished, whatever
the policy (with `--reprocess all` it would otherwise code them all again). `--source raw` skips a
month with no stored article (there is nothing to re-code; it stays "missing").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import sys
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from extractors import sitemaps
from extractors.feeds import load_feed_list
from extractors.fetch_types import FetchPolicy
from extractors.months import month_of, month_range
from extractors.records import Failure, FeedSpec
from flows.settings import Settings
from warehouse import partitions, state
from warehouse.coverage import article_months, read_coverage
from warehouse.handle import Warehouse
from warehouse.paths import DataRoot

SOURCES = ("raw", "sitemaps", "urls")
REPROCESS = ("none", "failed", "stale", "all")
DEFAULT_REPROCESS = "stale"

SYMBOLS = {"done": "✔", "stale": "◐", "running": "▶", "failed": "✘", "missing": "·"}
LEGEND = (
    "✔ done  ◐ stale (coded by an older extractor)  ▶ running or interrupted  ✘ failed  · missing\n"
    "The number is the month's rows: articles published, incidents by event date."
)


@dataclass(frozen=True, slots=True)
class PlannedMonth:
    """One month of a plan: its state now and what the backfill will do with it."""

    month: str
    status: str
    stale: bool
    articles: int
    extractor_version: str | None
    run: bool
    action: str
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """What a backfill will do, month by month; `candidates` are the URLs to fetch (sitemaps/urls)."""

    start: str
    end: str
    source: str
    reprocess: str
    run_id: str
    resumed: bool
    months: tuple[PlannedMonth, ...]
    candidates: tuple[sitemaps.Candidate, ...] = ()
    found: int = 0
    seen: int = 0
    off_dates: int = 0
    failures: tuple[Failure, ...] = ()
    urls_file: str | None = None

    @property
    def to_run(self) -> list[str]:
        return [m.month for m in self.months if m.run]

    @property
    def has_work(self) -> bool:
        """False when running would change nothing: no month to run, or (sitemaps / urls) no URL to
        fetch and no month left running or failed to finish."""
        if self.source == "raw" or not self.to_run:
            return bool(self.to_run)
        return bool(self.candidates) or any(m.run and m.status in ("running", "failed") for m in self.months)


def decide(status: str, stale: bool, reprocess: str) -> tuple[bool, str]:
    """Run this month or not under `reprocess`, with the reason (the table in the module docstring)."""
    if status == "missing":
        return True, "code it"
    if status == "running":
        return True, "resume it (a run stopped while coding it)"
    if status == "failed":
        return (reprocess != "none"), (
            "retry it" if reprocess != "none" else "skip: failed (--reprocess failed retries)")
    if stale:
        ok = reprocess in ("stale", "all")
        return ok, ("re-code it (coded by an older extractor)" if ok else "skip: stale (--reprocess stale re-codes)")
    if reprocess == "all":
        return True, "re-code it (--reprocess all)"
    return False, "skip: done (--reprocess all re-codes it)"


def job_key(start: str, end: str, source: str, reprocess: str, urls_file: str | None = None) -> str:
    """The part of a backfill's run id that names its parameters (the URL list by its content)."""
    key = f"backfill:{start}..{end}:{source}:{reprocess}"
    if urls_file:
        key += ":" + hashlib.sha256(Path(urls_file).read_bytes()).hexdigest()[:8]
    return key


def make_plan(
    root: DataRoot,
    start: str,
    end: str,
    *,
    source: str = "raw",
    reprocess: str = DEFAULT_REPROCESS,
    urls_file: str | None = None,
    specs: Sequence[FeedSpec] = (),
    policy: FetchPolicy | None = None,
) -> Plan:
    """The plan of a backfill: reads the warehouse (and for `sitemaps` the sites), writes nothing."""
    months = month_range(start, end)
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, got {source!r}")
    if reprocess not in REPROCESS:
        raise ValueError(f"reprocess must be one of {', '.join(REPROCESS)}, got {reprocess!r}")
    if source == "urls" and not urls_file:
        raise ValueError("--source urls needs a FILE of URLs, one a line")
    key = job_key(start, end, source, reprocess, urls_file)
    prior = partitions.interrupted_run(root, key)
    run_id = prior["run_id"] if prior else f"{key}:{uuid.uuid4().hex[:8]}"
    planned = []
    for month, held in article_months(root, months).items():
        if prior and held.status == "done" and held.run_id == run_id:
            run, action = False, "skip: done by this backfill (resuming)"
        elif source == "raw" and not held.articles and held.status in ("missing", "done"):
            run, action = False, "skip: no stored article published this month"
        else:
            run, action = decide(held.status, held.stale, reprocess)
            if run and source != "raw":
                action = "add the new articles found for this month" + (
                    "" if held.status == "missing" else f" ({action})")
        planned.append(PlannedMonth(month, held.status, held.stale, held.articles, held.extractor_version,
                                    run, action, held.error))
    plan = Plan(start, end, source, reprocess, run_id, prior is not None, tuple(planned), urls_file=urls_file)
    if source == "raw":
        return plan
    return _with_candidates(root, plan, specs, policy or FetchPolicy())


def fetch_policy(settings: Settings) -> FetchPolicy:
    """The fetch policy the settings ask for (as the ingest flow's, without importing Prefect)."""
    return FetchPolicy(
        timeout=settings.timeout, max_bytes=settings.max_bytes,
        allow_hosts=frozenset(settings.allow_hosts), respect_robots=settings.respect_robots,
    )


def feed_specs(settings: Settings, source: str) -> list[FeedSpec]:
    """The feed list a sitemaps / urls backfill uses (sites to walk, outlet of each URL)."""
    if source == "raw":
        return []
    if source == "urls" and not Path(settings.feeds).is_file():
        return []
    return [s for s in load_feed_list(settings.feeds) if s.enabled]


def plan_for(warehouse: Warehouse, settings: Settings, start: str, end: str, *, source: str = "raw",
             reprocess: str = DEFAULT_REPROCESS, urls_file: str | None = None) -> Plan:
    """`make_plan` on the opened data root with the feed list and fetch policy of `settings`."""
    return make_plan(warehouse, start, end, source=source, reprocess=reprocess, urls_file=urls_file,
                     specs=feed_specs(settings, source), policy=fetch_policy(settings))


def _with_candidates(root: DataRoot, plan: Plan, specs: Sequence[FeedSpec], policy: FetchPolicy) -> Plan:
    """Discover the URLs of a sitemaps / urls backfill and keep those worth fetching."""
    if plan.source == "sitemaps":
        roots = sorted({sitemaps.site_root(s.url) for s in specs if s.enabled})
        found, failures = sitemaps.discover_sitemap_urls(roots, policy)
    else:
        assert plan.urls_file is not None
        found, failures = sitemaps.candidates_from_urls(sitemaps.read_url_list(Path(plan.urls_file)))
    seen = state.seen_canonical_urls(root, among=[c.canonical_url for c in found])
    wanted = set(plan.to_run)
    first = min(wanted) if wanted else None
    fresh = [c for c in found if c.canonical_url not in seen]
    keep = [
        c for c in fresh
        if first is not None
        and (c.months is None or c.months & wanted)
        and (c.modified is None or month_of(c.modified) >= first)  # published <= last modified
    ]
    return Plan(
        plan.start, plan.end, plan.source, plan.reprocess, plan.run_id, plan.resumed, plan.months,
        tuple(keep), len(found), len(found) - len(fresh), len(fresh) - len(keep), tuple(failures), plan.urls_file,
    )


# --- what the CLI prints ----------------------------------------------------------------------


def status_label(status: str, stale: bool) -> str:
    """"done", "done (stale)", ... with its symbol."""
    key = "stale" if status == "done" and stale else status
    return f"{SYMBOLS.get(key, '?')} {status}{' (stale)' if key == 'stale' else ''}"


def plan_rows(plan: Plan) -> list[dict]:
    """One row per month: month, status, articles stored, extractor, what will happen."""
    return [
        {"month": m.month, "status": status_label(m.status, m.stale), "articles": m.articles,
         "plan": ("RUN: " if m.run else "") + m.action}
        for m in plan.months
    ]


def plan_summary(plan: Plan) -> list[str]:
    """The lines under the plan table."""
    lines = []
    if plan.resumed:
        lines.append(f"Resuming {plan.run_id}, which stopped before it finished.")
    if plan.source != "raw":
        lines.append(
            f"{plan.found} URLs found, {plan.seen} already ingested, {plan.off_dates} dated outside "
            f"the months to run; {len(plan.candidates)} to fetch (kept if published in a month to run)."
        )
        lines += [f"  {f.stage}: {f.target}: {f.reason}" for f in plan.failures]
    n = len(plan.to_run)
    lines.append(f"{n} of {len(plan.months)} month partitions to run (source {plan.source}, "
                 f"--reprocess {plan.reprocess}); run id {plan.run_id}.")
    return lines


def result_rows(root: DataRoot, results: Sequence[Mapping]) -> list[dict]:
    """The final table: each partition run, with its `partitions` row as recorded. `changed`:
    articles whose extraction changed (a new version), or the new articles of sitemaps / urls;
    blank where the run happened elsewhere (through the deployment)."""
    rows = partitions.partition_rows(root, "articles")
    out = []
    for r in results:
        row = rows.get(("articles", r["month"])) or {}
        took = ""
        if row.get("started_at") and row.get("finished_at"):
            took = f"{(row['finished_at'] - row['started_at']).total_seconds():.1f}"
        out.append({
            "month": r["month"], "status": status_label(r.get("status") or row.get("status") or "missing", False),
            "articles": row.get("rows") if row.get("rows") is not None else r.get("articles", ""),
            "changed": r.get("new_versions", r.get("new_articles", "")),
            "mentions": r.get("mentions", ""),
            "incident months": len(r["incident_months"]) if "incident_months" in r else "",
            "secs": took, "error": r.get("error") or row.get("error") or "",
        })
    if not any(r["error"] for r in out):
        out = [{k: v for k, v in r.items() if k != "error"} for r in out]
    return out


@dataclass(frozen=True, slots=True)
class CoverageTables:
    """What `flarewatch status` and the report page show: rows of text, one list per table."""

    feeds: list[dict]
    grid: list[dict]
    runs: list[dict]


def coverage(root: DataRoot, *, last_runs: int = 10, recorded: bool = False) -> CoverageTables:
    """Feeds, the month x table grid of partition states, and the last runs of a data root, as
    table rows (`warehouse.coverage.read_coverage` reads them; `recorded` as there)."""
    found = read_coverage(root, last_runs=last_runs, recorded=recorded)
    feeds = [
        {"feed": f.feed_id, "last poll": _when(f.last_polled_at), "status": f.last_status or "",
         "last error": f.last_error or "", "entries": f.entries_seen}
        for f in found.feeds
    ]
    grid = [
        {"month": m.month,
         "articles": _cell(m.articles.status, m.articles.stale, m.articles.articles),
         "incidents": _cell(m.incidents.status, m.incidents.stale, m.incidents.incidents),
         "last run": short_run(m.articles.run_id or m.incidents.run_id),
         "finished": _when(m.articles.finished_at or m.incidents.finished_at),
         "error": m.articles.error or m.incidents.error or ""}
        for m in found.months
    ]
    if not any(g["error"] for g in grid):
        grid = [{k: v for k, v in g.items() if k != "error"} for g in grid]
    runs = [
        {"run": short_run(r.run_id), "kind": r.kind, "started": _when(r.started_at),
         "took": f"{(r.finished_at - r.started_at).total_seconds():.0f}s" if r.finished_at else "unfinished",
         "articles": r.new_articles, "incidents": r.new_incidents, "fail": r.failures}
        for r in found.runs
    ]
    return CoverageTables(feeds, grid, runs)


def short_run(run_id: str | None) -> str:
    """A run id short enough for a table: a backfill's random suffix, a flow run id's first 8."""
    if not run_id:
        return ""
    return run_id.rsplit(":", 1)[-1] if run_id.startswith("backfill:") else run_id[:8]


def _cell(status: str | None, stale: bool, rows: int) -> str:
    key = "stale" if status == "done" and stale else (status or "missing")
    return f"{SYMBOLS.get(key, '?')} {rows}"


def _when(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") if value else ""


# --- terminal output (rich) -----------------------------------------------------------------------


def show(rows: Sequence[Mapping], title: str, *, empty: str = "(none)") -> None:
    """Rows of dicts as one rich table (numbers right-aligned), or `empty` under the title."""
    from flows.output import cell  # text as stored: no markup, escapes visible
    from flows.output import console as safe_console

    console = safe_console()
    if not rows:
        console.print(title, style="bold")
        console.print(empty)
        return
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, title_style="bold")
    for name in rows[0]:
        numeric = all(isinstance(r.get(name), int) for r in rows)
        wide = any(len(str(r.get(name) or "")) > 24 for r in rows)
        table.add_column(name, justify="right" if numeric else "left", overflow="fold", no_wrap=not wide)
    for row in rows:
        table.add_row(*[cell(v) for v in row.values()])
    console.print(table)


def show_status(cov: CoverageTables) -> None:
    """What `flarewatch status` prints: feeds, the coverage grid and its legend, the last runs."""
    show(cov.feeds, "Feeds", empty="(no feed polled yet)")
    show(cov.grid, "Coverage: articles by publication month, incidents by event month",
         empty="(no partition recorded yet)")
    print(LEGEND)
    show(cov.runs, "Last runs", empty="(no run yet)")


@contextlib.contextmanager
def progress_bar(plan: Plan, *, remote: bool = False) -> Iterator[Callable[[str, str, dict | None], None]]:
    """A rich progress bar over the months of a backfill; yields the callback the flows call."""
    months = list(plan.to_run)
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=Console())
    lock = threading.Lock()
    running: set[str] = set()
    first = "waiting for the server's runs ..." if remote else "starting Prefect ..."

    def on_event(event: str, month: str, result: dict | None) -> None:
        with lock:
            if event == "fetch" and result is not None:
                progress.update(bar, description=f"fetching {result['urls']} URLs")
                return
            if event == "months" and result is not None:
                progress.update(bar, total=len(result["months"]))
            elif event == "start":
                running.add(month)
            elif event == "end":
                running.discard(month)
                progress.advance(bar)
                if result and result.get("status") == "failed":
                    progress.console.print(f"{month} failed: {result.get('error')}", style="red", markup=False)
            progress.update(bar, description=("coding " + ", ".join(sorted(running))) if running else "")

    with progress:
        bar = progress.add_task(first, total=len(months))
        yield on_event
        progress.update(bar, description="done")


def report(root: DataRoot, result: Mapping) -> int:
    """Print the final table and the failures; the exit status (1 if any month or URL failed)."""
    runs = result["partitions"]
    show(result_rows(root, runs), "Backfill result", empty="(no month partition ran)")
    failed = [r for r in runs if r["status"] == "failed"]
    for r in failed:
        print(f"flarewatch backfill: {r['month']} failed: {r.get('error')}", file=sys.stderr)
    for f in result["failures"]:
        print(f"flarewatch backfill: {f['stage']} failed: {f['target']}: {f['reason']}", file=sys.stderr)
    if result["source"] != "raw" and result["not_run"]:
        print("No new article found for: " + ", ".join(result["not_run"]))
    print(f"{len(runs) - len(failed)} month partition(s) done, {len(failed)} failed; run id {result['run_id']}. "
          "`flarewatch status` shows the coverage grid.")
    return 1 if failed or result["failures"] else 0
