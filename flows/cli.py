"""The `flarewatch` command: one console script, a subcommand per job.

In: command-line arguments (and `FLAREWATCH_*` variables, read once into `Settings`).
Out: text on stdout (tables, CSV, JSON), files in the data root, an exit status (0 = all good,
1 = the job ran but something failed, 2 = bad input).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from flows import output

EPILOG = """environment: FLAREWATCH_DATA (data root), FLAREWATCH_FEEDS (feed list),
FLAREWATCH_ALLOW_HOSTS (comma-separated hosts exempt from the private-address guard),
FLAREWATCH_WORKERS (processes for extraction), FLAREWATCH_LOCK_DIR (lock files of an s3:// data root).
Start with `flarewatch demo`."""


def _data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", metavar="DIR", help="data root, a directory or s3://bucket/prefix (default: $FLAREWATCH_DATA or ./data)")


def _allow_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-host",
        metavar="HOST",
        action="append",
        default=[],
        help="fetch from this host even if it resolves to a private or loopback address (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flarewatch",
        description="Turn syndicated news into counted conflict incidents: feeds -> articles -> "
        "ACLED-coded incidents -> hive-partitioned Parquet -> DuckDB.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="ingest the offline demo corpus over a local HTTP server and print attacks per month",
        description="Serve seeds/demo (three fictional outlets' feeds and pages) on 127.0.0.1, run the "
        "real ingest flow against it, and print attacks per month. Running it twice adds nothing.",
    )
    _data_option(demo)
    _allow_option(demo)
    demo.add_argument("--port", type=int, default=8765, help="port of the local demo server (default 8765)")

    run = sub.add_parser(
        "run",
        help="one ingest pass over a feed list",
        description="Poll every enabled feed (conditional GET), fetch new articles, extract, code, "
        "merge and write to the data root. Exits 1 if any feed or page failed (the rest is kept).",
    )
    run.add_argument("--feeds", metavar="FILE", help="feed list YAML (default: seeds/feeds.yaml)")
    _data_option(run)
    _allow_option(run)

    sub.add_parser(
        "serve",
        help="serve the scheduled deployments (needs a Prefect server)",
        description="Serve the 'poll' deployment (every 15 minutes, one run at a time) and the manual "
        "'backfill' deployment from this process. Schedules need a Prefect server: run "
        "`prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api first.",
    )

    extract = sub.add_parser(
        "extract",
        help="code incidents in a JSONL file of documents, offline",
        description="Read documents (one JSON object per line: id, text or html, optional url, title, "
        "published_at) and write one line per incident mention in the prediction format of the "
        "evaluation scorer, with incident_id the merged incident across the whole input.",
    )
    extract.add_argument("--input", required=True, metavar="DOCS.jsonl", help="documents to code")
    extract.add_argument("--output", required=True, metavar="MENTIONS.jsonl", help="where to write mentions")

    trends = sub.add_parser(
        "trends",
        help="attack counts per month, week or day",
        description="Count active attack incidents (political violence and intercepted attacks) and "
        "their fatalities per period, by country.",
    )
    _data_option(trends)
    trends.add_argument("--by", choices=["month", "week", "day"], default="month", help="period (default month)")
    trends.add_argument("--country", metavar="ISO3", help="only this country, e.g. IRQ")
    trends.add_argument("--event-type", metavar="TYPE", help="only this ACLED event type")
    trends.add_argument(
        "--group", metavar="COLUMN", action="append",
        choices=["iso3", "admin1", "event_type", "sub_event_type", "actor1"],
        help="break counts down by this column (repeatable; default iso3)",
    )
    trends.add_argument("--since", metavar="YYYY-MM-DD", help="first event date counted")
    trends.add_argument("--until", metavar="YYYY-MM-DD", help="last event date counted")
    trends.add_argument("--all-types", action="store_true", help="count every incident, not only attacks")
    trends.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format")
    trends.add_argument("--chart", metavar="FILE.png", help="also draw the counts as a bar chart into a PNG file")

    sql = sub.add_parser(
        "sql",
        help="run SQL over the warehouse views",
        description="Run one SQL statement with DuckDB over the views: articles, mentions, incidents, "
        "incidents_all, attacks, attacks_per_month, incident_sources, feed_state, partitions, runs.",
    )
    _data_option(sql)
    sql.add_argument("query", help='e.g. "SELECT * FROM attacks_per_month"')
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format")

    show = sub.add_parser(
        "show",
        help="one incident and the articles and sentences behind it",
        description="Print an incident's coded fields, then every mention behind it: outlet, URL, "
        "the evidence sentence and the figures that report gave.",
    )
    _data_option(show)
    show.add_argument("incident_id", help="an incident_id from trends or sql")

    backfill = sub.add_parser(
        "backfill",
        help="re-code or fill month partitions: plan, progress bar, resume",
        description="Backfill the publication months START..END. Prints the plan first (each month "
        "partition, its status, what will happen); --dry-run stops there and writes nothing. Then runs "
        "one Prefect flow run per month, at most --max-parallel at a time, with a progress bar and a "
        "final table. Running it twice leaves the same query results; a killed run, run again, resumes "
        "where it stopped. Exits 1 naming each month that failed and why, 2 on bad input.",
    )
    _data_option(backfill)
    backfill.add_argument("--start", required=True, metavar="YYYY-MM", help="first publication month")
    backfill.add_argument("--end", required=True, metavar="YYYY-MM", help="last publication month (inclusive)")
    backfill.add_argument(
        "--source", nargs="+", default=["raw"], metavar=("SOURCE", "FILE"),
        help="raw: re-code the stored raw pages (default); sitemaps: historical article URLs from the "
        "sitemaps of the feed list's sites; urls FILE: a list of URLs, one a line",
    )
    backfill.add_argument(
        "--reprocess", choices=["none", "failed", "stale", "all"], default="stale",
        help="which months already recorded run again: none (only missing or interrupted ones), failed "
        "(also failed ones), stale (also those coded by an older extractor; default), all",
    )
    backfill.add_argument("--max-parallel", type=int, default=2, metavar="N",
                          help="month partitions at a time (default 2); their writes take turns on the data lock")
    backfill.add_argument("--dry-run", action="store_true", help="print the plan and stop; writes nothing")
    backfill.add_argument("--feeds", metavar="FILE",
                          help="feed list: the sites --source sitemaps walks, the outlet of each URL")
    _allow_option(backfill)
    backfill.add_argument(
        "--local", action="store_true",
        help="run the months as subflows of this process even if PREFECT_API_URL names a server with "
        "the backfill/manual deployment (otherwise --source raw sends one run per month there)",
    )

    status = sub.add_parser(
        "status",
        help="feeds, a coverage grid of month partitions, the last runs",
        description="Show the state of a data root: each feed (last poll, status, last error, "
        "entries), a coverage grid of month partitions (articles by publication month, incidents by "
        "event month) with their status, and the last 10 runs.",
    )
    _data_option(status)

    compact = sub.add_parser(
        "compact",
        help="merge each month's small article files into one",
        description="Rewrite every month partition of the articles table that holds several files "
        "(one per poll) as one file, each swapped in atomically (local data roots).",
    )
    _data_option(compact)
    return parser


def _settings(args: argparse.Namespace, **extra: object):
    from flows.settings import Settings

    values = {k: v for k, v in {"data": getattr(args, "data", None), **extra}.items() if v}
    hosts = getattr(args, "allow_host", None)
    if hosts:
        values["allow_hosts"] = tuple(Settings().allow_hosts) + tuple(hosts)
    return Settings(**values)


def _quiet_prefect(verbose: bool) -> None:
    """Keep the CLI's output ours: Prefect's console logs only with --verbose."""
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        os.environ.setdefault("PREFECT_LOGGING_SERVER_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def cmd_run(args: argparse.Namespace) -> int:
    from flows.ingest import ingest

    settings = _settings(args, feeds=args.feeds)
    summary = ingest(feeds=str(settings.feeds), data=str(settings.data), allow_hosts=list(settings.allow_hosts))
    output.print_summary(summary)
    return 1 if summary["failures"] else 0


def cmd_demo(args: argparse.Namespace) -> int:
    from flows.demo import serve_demo, write_demo_feed_list
    from flows.ingest import ingest

    settings = _settings(args)
    with serve_demo(port=args.port) as base_url, tempfile.TemporaryDirectory() as tmp:
        feeds = write_demo_feed_list(base_url, Path(tmp) / "demo-feeds.yaml")
        print(f"Serving the demo corpus at {base_url}; ingesting into {settings.data} ...", flush=True)
        hosts = list(dict.fromkeys([*settings.allow_hosts, "127.0.0.1"]))
        summary = ingest(feeds=str(feeds), data=str(settings.data), allow_hosts=hosts)
    output.print_summary(summary)
    return _print_trends(settings.data, "table", by="month")


def cmd_extract(args: argparse.Namespace) -> int:
    from flows.extract import extract_file

    return extract_file(Path(args.input), Path(args.output))


def _print_trends(data: str, fmt: str, chart: str | None = None, **query: object) -> int:
    from warehouse import catalog

    with catalog.connect(data) as con:
        table = catalog.trends(con, **query)
    by = query.get("by", "month")
    title = f"{'Incidents' if query.get('attacks_only') is False else 'Attacks'} per {by}"
    output.print_table(table, fmt, title=title, chart=("period", "incidents"))
    if chart:
        output.save_chart(table, Path(chart), title=title)
        print(f"chart written to {chart}", file=sys.stderr)
    return 0


def cmd_trends(args: argparse.Namespace) -> int:
    settings = _settings(args)
    return _print_trends(
        settings.data, args.format, args.chart, by=args.by, country=args.country, event_type=args.event_type,
        group=tuple(args.group or ("iso3",)), attacks_only=not args.all_types, since=args.since, until=args.until,
    )


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    from warehouse import catalog

    settings = _settings(args)
    with catalog.connect(settings.data) as con:
        try:
            table = catalog.query(con, args.query)
        except duckdb.Error as exc:
            print(f"flarewatch sql: {exc}", file=sys.stderr)
            return 2
    output.print_table(table, args.format)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from warehouse import catalog

    settings = _settings(args)
    with catalog.connect(settings.data) as con:
        incident = catalog.query(con, "SELECT * FROM incidents_all WHERE incident_id = ?", [args.incident_id])
        if incident.num_rows == 0:
            print(f"flarewatch show: no incident {args.incident_id!r} in {settings.data}", file=sys.stderr)
            return 2
        sources = catalog.provenance(con, args.incident_id)
    output.print_record(incident.to_pylist()[0])
    output.print_table(sources, "table", title="Reported by")
    return 0


def cmd_backfill(args: argparse.Namespace) -> int:
    from flows import plan as planning

    kind, *rest = args.source
    if kind not in ("raw", "sitemaps", "urls") or (kind == "urls") != bool(rest) or len(rest) > 1:
        raise ValueError("--source takes raw, sitemaps, or urls FILE")
    urls_file = rest[0] if rest else None
    if urls_file and not Path(urls_file).is_file():
        raise ValueError(f"no URL list at {urls_file}")
    if args.max_parallel < 1:
        raise ValueError("--max-parallel must be at least 1")
    planning.month_range(args.start, args.end)
    settings = _settings(args, feeds=args.feeds)
    if kind == "sitemaps":
        print("Looking for the sitemaps of the feed list's sites ...", file=sys.stderr, flush=True)
    plan = planning.plan_for(settings, args.start, args.end, source=kind, reprocess=args.reprocess,
                             urls_file=urls_file)
    planning.show(planning.plan_rows(plan), f"Backfill plan, {args.start} .. {args.end}, data {settings.data}")
    for line in planning.plan_summary(plan):
        print(line)
    if args.dry_run:
        print("Dry run: nothing was written.")
        return 0
    if not plan.has_work:
        print("Nothing to run.")
        return 1 if plan.failures else 0

    from flows import backfill as flows_backfill

    remote = not args.local and kind == "raw" and flows_backfill.deployment_available()
    with planning.progress_bar(plan, remote=remote) as on_event, flows_backfill.watch(on_event):
        if remote:
            result = flows_backfill.run_through_deployment(plan, settings, max_parallel=args.max_parallel)
        else:
            with flows_backfill.planned(plan) as run_id:
                result = flows_backfill.backfill(
                    start=args.start, end=args.end, data=str(settings.data), source=kind, urls=urls_file,
                    reprocess=args.reprocess, max_parallel=args.max_parallel, feeds=str(settings.feeds),
                    allow_hosts=list(settings.allow_hosts), run_id=run_id,
                )
    return planning.report(settings.data, result)


def cmd_status(args: argparse.Namespace) -> int:
    from flows import plan as planning
    from warehouse import paths

    settings = _settings(args)
    if not paths.open_root(settings.data).exists():
        print(f"flarewatch status: no data root at {settings.data}; run `flarewatch demo` first", file=sys.stderr)
        return 2
    planning.show_status(planning.coverage(settings.data))
    return 0


def cmd_compact(args: argparse.Namespace) -> int:
    from warehouse import parquet

    done = parquet.compact(_settings(args).data)
    print(f"compacted {len(done)} partition(s): {sum(done.values())} files -> {len(done)}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from flows.deployments import serve_deployments

    return serve_deployments()


COMMANDS = {
    "demo": cmd_demo,
    "run": cmd_run,
    "serve": cmd_serve,
    "extract": cmd_extract,
    "trends": cmd_trends,
    "sql": cmd_sql,
    "show": cmd_show,
    "backfill": cmd_backfill,
    "status": cmd_status,
    "compact": cmd_compact,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _quiet_prefect(args.verbose)
    try:
        return COMMANDS[args.command](args)
    except (OSError, ValueError) as exc:
        print(f"flarewatch {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"flarewatch {args.command}: interrupted; the next run resumes where this one stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
