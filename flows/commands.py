"""The handlers of the `flarewatch` subcommands (but `demo`, in `flows.cli`), and what they share.

In: the parsed arguments of one subcommand (`flows.cli.build_parser`). Out: its exit status (the
codes of `flows.cli`'s docstring); text on stdout and stderr. Each handler imports what it runs
when it runs, so that `flarewatch --help` and a bad argument stay fast.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from pathlib import Path

from flows import output


def _settings(args: argparse.Namespace, **extra: object):
    from flows.settings import Settings

    values = {k: v for k, v in {"data": getattr(args, "data", None), **extra}.items() if v}
    hosts = getattr(args, "allow_host", None)
    if hosts:
        values["allow_hosts"] = tuple(Settings().allow_hosts) + tuple(hosts)
    return Settings(**values)


def _warehouse(settings):  # Settings -> Warehouse (both imported when a command runs)
    """The data root of `settings`, opened and checked once (a bad root: one line, exit 2)."""
    from warehouse.handle import Warehouse

    return Warehouse.open(settings.data)


def _progress(args: argparse.Namespace):
    from flows.progress import progress_line

    return progress_line(sys.stderr.isatty() and not args.verbose)


def _ingested(run, fmt: str = "table") -> int:  # noqa: ANN001 - a call of the ingest flow
    """Run the ingest flow, print its summary; the exit status of `run` (module doc)."""
    from flows.ingest import PollFailed

    try:
        summary = run()
    except PollFailed as exc:
        output.print_summary(exc.summary, fmt)
        print(f"flarewatch: the poll failed: {exc}", file=sys.stderr)
        return 3
    output.print_summary(summary, fmt)
    return 1 if summary["failures"] else 0


def _print_trends(data: str, fmt: str, chart: str | None = None, **query: object) -> int:
    from flows import trends_cmd
    from warehouse.handle import Warehouse

    defaults = {"country": None, "event_type": None, "group": None, "all_types": False, "since": None, "until": None}
    opened = {"data": Warehouse.open(data), "format": fmt, "chart": chart}
    return trends_cmd.run(argparse.Namespace(**(defaults | query | opened)))


def check_run(args: argparse.Namespace) -> None:
    """`run`'s bad input, a data root that cannot be one or a missing or broken feed list: ValueError
    (one line, exit 2). `flows.cli.main` calls it before the temporary Prefect server starts, so the
    answer comes at once (the flow opens the root again from its parameter: a deployment's runs
    have only that string)."""
    settings = _settings(args, feeds=args.feeds)
    _warehouse(settings)
    if "://" not in str(settings.feeds) and not Path(settings.feeds).is_file():
        raise ValueError(f"no feed list at {settings.feeds}")
    from extractors.feeds import load_feed_list

    load_feed_list(settings.feeds)


def cmd_run(args: argparse.Namespace) -> int:
    from flows.ingest import ingest

    settings = _settings(args, feeds=args.feeds)
    with _progress(args):
        return _ingested(lambda: ingest(feeds=str(settings.feeds), data=str(settings.data),
                                        allow_hosts=list(settings.allow_hosts)), args.format)


def cmd_extract(args: argparse.Namespace) -> int:
    from flows.extract import extract_file
    from flows.lifecycle import keep_decoded_seeds

    keep_decoded_seeds()

    if args.output != "-":
        return extract_file(Path(args.input), Path(args.output))
    with tempfile.TemporaryDirectory() as tmp:  # `--output -`: stdout
        code = extract_file(Path(args.input), Path(tmp) / "mentions.jsonl")
        sys.stdout.write((Path(tmp) / "mentions.jsonl").read_text(encoding="utf-8"))
    return code


def cmd_trends(args: argparse.Namespace) -> int:
    from flows import trends_cmd

    args.data = _warehouse(_settings(args))
    return trends_cmd.run(args)


def cmd_sql(args: argparse.Namespace) -> int:
    from flows import sql_cmd

    return sql_cmd.run(args, _warehouse(_settings(args)))


def cmd_show(args: argparse.Namespace) -> int:
    from flows import show

    return show.run(args, _warehouse(_settings(args)))


def cmd_backfill(args: argparse.Namespace) -> int:
    from extractors.months import month_range
    from flows import plan as planning

    kind, *rest = args.source
    if kind not in ("raw", "sitemaps", "urls") or (kind == "urls") != bool(rest) or len(rest) > 1:
        raise ValueError("--source takes raw, sitemaps, or urls FILE")
    urls_file = rest[0] if rest else None
    if urls_file and not Path(urls_file).is_file():
        raise ValueError(f"no URL list at {urls_file}")
    if args.max_parallel < 1:
        raise ValueError("--max-parallel must be at least 1")
    month_range(args.start, args.end)
    settings = _settings(args, feeds=args.feeds)
    warehouse = _warehouse(settings)
    if kind == "sitemaps":
        print("Looking for the sitemaps of the feed list's sites ...", file=sys.stderr, flush=True)
    plan = planning.plan_for(warehouse, settings, args.start, args.end, source=kind, reprocess=args.reprocess,
                             urls_file=urls_file)
    as_json = args.format == "json"
    if as_json:
        answer: dict = {"plan": planning.plan_rows(plan), "summary": planning.plan_summary(plan),
                        "dry_run": args.dry_run}
    else:
        planning.show(planning.plan_rows(plan), f"Backfill plan, {args.start} .. {args.end}, data {settings.data}")
        for line in planning.plan_summary(plan):
            print(line)
    if args.dry_run or not plan.has_work:
        if as_json:
            output.print_json(answer | {"result": []})
        else:
            print("Dry run: nothing was written." if args.dry_run else "Nothing to run.")
        return 1 if plan.failures and not args.dry_run else 0

    from flows import backfill as flows_backfill

    remote = not args.local and kind == "raw" and flows_backfill.deployment_available()
    failed: list[dict] = []
    bar = contextlib.nullcontext(lambda *_: None) if as_json else planning.progress_bar(plan, remote=remote)
    with bar as on_event:
        job = flows_backfill.Backfill(warehouse, plan, settings, max_parallel=args.max_parallel, on_event=on_event)
        if remote:
            result = job.through_deployment()
        else:
            with _backfill_failed(failed):
                result = job.run()
    result = failed[0] if failed else result
    if as_json:
        rows = planning.result_rows(warehouse, result["partitions"])
        output.print_json(output.jsonable(answer | {"result": rows, "failures": result["failures"]}))
        return 1 if any(r["status"] == "failed" for r in result["partitions"]) or result["failures"] else 0
    return planning.report(warehouse, result)


@contextlib.contextmanager
def _backfill_failed(failed: list[dict]):
    """Every month of a local backfill failed (its flow run is Failed): its summary goes to `failed`."""
    from flows.backfill import BackfillFailed

    try:
        yield
    except BackfillFailed as exc:
        failed.append(exc.summary)


def cmd_status(args: argparse.Namespace) -> int:
    from flows import plan as planning

    settings = _settings(args)
    warehouse = _warehouse(settings)
    if not warehouse.exists():
        print(f"flarewatch status: no data root at {settings.data}; run `flarewatch demo` first", file=sys.stderr)
        return 2
    import dataclasses

    from flows.trends_cmd import fill_grid
    from warehouse import links

    found = planning.coverage(warehouse)
    coverage = dataclasses.replace(found, grid=fill_grid(found.grid))
    retired, over = links.retired(warehouse), links.over_budget(warehouse)
    if args.format == "json":
        output.print_json(output.jsonable({"feeds": coverage.feeds, "grid": coverage.grid, "runs": coverage.runs,
                                           "retired_links": retired, "over_budget": over}))
    else:
        planning.show_status(coverage)
        planning.show(retired, f"Retired links (failed {links.RETIRE_AFTER} runs in a row, not fetched again)",
                      empty="(none)")
        planning.show(over, "Articles stored uncoded, over the coding budget", empty="(none)")
    return 0


def cmd_compact(args: argparse.Namespace) -> int:
    from warehouse import compact

    root = _warehouse(_settings(args))
    for table in compact.COMPACTED:
        done = compact.compact(root, table)
        print(f"{table}: compacted {len(done)} partition(s): {sum(done.values())} files -> {len(done)}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from flows.deployments import serve

    interval = args.interval if args.interval is not None else (60.0 if args.demo else None)
    if interval is not None and interval < 10:
        raise ValueError("--interval must be at least 10 seconds")
    hosts = list(args.allow_host)
    params = {"data": args.data, "feeds": args.feeds, "allow_hosts": hosts}
    if not args.demo:
        return serve(interval=interval, parameters=params)
    from flows.demo import serve_demo, write_demo_feed_list

    with serve_demo(port=args.port) as base_url, tempfile.TemporaryDirectory() as tmp:
        params["feeds"] = str(write_demo_feed_list(base_url, Path(tmp) / "demo-feeds.yaml"))
        params["allow_hosts"] = list(dict.fromkeys([*hosts, "127.0.0.1"]))
        params["data"] = str(_settings(args).data)
        print(f"Demo corpus at {base_url}; runs write to {params['data']}.", flush=True)
        return serve(interval=interval, parameters=params)


def cmd_alerts(args: argparse.Namespace) -> int:
    from prefect.settings import PREFECT_API_URL

    from flows.alerts import install
    from flows.lifecycle import check_server

    url = PREFECT_API_URL.value()
    if not url:
        raise ValueError("alerts live on a Prefect server: set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api)")
    check_server(url)
    for name in install(args.webhook, args.stale_after):
        print(f"installed automation {name} on {url}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from flows import export_cmd

    return export_cmd.run(args, _warehouse(_settings(args)))


def cmd_report(args: argparse.Namespace) -> int:
    from flows import report_page

    return report_page.run(args, _warehouse(_settings(args)))
