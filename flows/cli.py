"""The `flarewatch` command: one console script, a subcommand per job.

In: command-line arguments (and `FLAREWATCH_*` variables, read once into `Settings`).
Out: text on stdout (tables, CSV, JSON), files in the data root, an exit status (0 = all good,
1 = the job ran but something failed, 2 = bad input, 3 = `run` / `demo`: the poll failed as a
whole, every feed or every new page failed; its Prefect flow run is Failed).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

EPILOG = """environment: FLAREWATCH_DATA (data root), FLAREWATCH_FEEDS (feed list),
FLAREWATCH_ALLOW_HOSTS (comma-separated hosts exempt from the private-address guard),
FLAREWATCH_WORKERS (processes for extraction), FLAREWATCH_LOCK_DIR (lock files of an s3:// data root).
Start with `flarewatch demo`."""


def _data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", metavar="DIR",
                        help="data root, a directory or s3://bucket/prefix (default: $FLAREWATCH_DATA or ./data)")


def _allow_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-host",
        metavar="HOST",
        action="append",
        default=[],
        help="fetch from this host even if it resolves to a private or loopback address (repeatable)",
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("flarewatch")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (0-65535; 0 picks a free one)")
    return int(text)


def _format_option(parser: argparse.ArgumentParser, *choices: str) -> None:
    parser.add_argument("--format", choices=["table", *choices], default="table", help="output format (default table)")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit 2), not the usage block."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="flarewatch",
        description="Turn syndicated news into counted conflict incidents: feeds -> articles -> "
        "ACLED-coded incidents -> hive-partitioned Parquet -> DuckDB.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="ingest the offline demo corpus over a local HTTP server and print attacks per month",
        description="Serve seeds/demo (three fictional outlets' feeds and pages) on 127.0.0.1, run the "
        "real ingest flow against it, and print attacks per month. Running it twice adds nothing.",
    )
    _data_option(demo)
    _allow_option(demo)
    demo.add_argument("--port", type=_port, default=8765,
                      help="port of the local demo server (default 8765; 0 picks a free one)")

    run = sub.add_parser(
        "run",
        help="one ingest pass over a feed list",
        description="Poll every enabled feed (conditional GET), fetch new articles, extract, code, "
        "merge and write to the data root. Exits 0 if all went well; 1 if some feeds or pages failed (the "
        "rest is kept; the flow run is Completed, with a WARNING per failure); 3 if every feed or every "
        "new page failed (the flow run is Failed).",
    )
    run.add_argument("--feeds", metavar="FILE", help="feed list YAML (default: seeds/feeds.yaml)")
    _data_option(run)
    _allow_option(run)
    _format_option(run, "json")

    serve = sub.add_parser(
        "serve",
        help="serve the scheduled deployments (needs a Prefect server)",
        description="Serve the deployments prefect.yaml declares from this process: 'ingest/poll' (every "
        "15 minutes, one run at a time) and 'backfill/backfill' (on demand). Schedules need a Prefect "
        "server: run `prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api first. "
        "--data, --feeds and --allow-host become the deployments' default parameters (else each run reads "
        "FLAREWATCH_DATA, FLAREWATCH_FEEDS, FLAREWATCH_ALLOW_HOSTS from this process's environment). "
        "SIGTERM or Ctrl-C stops it and pauses the schedule.",
    )
    serve.add_argument("--interval", type=float, metavar="SECONDS",
                       help="poll every SECONDS instead of prefect.yaml's 900 (--demo: 60)")
    serve.add_argument("--demo", action="store_true",
                       help="serve the demo corpus on 127.0.0.1 from this process and poll it")
    serve.add_argument("--port", type=_port, default=8765, help="port of the demo server with --demo (default 8765)")
    serve.add_argument("--feeds", metavar="FILE", help="feed list YAML for the poll (default: seeds/feeds.yaml)")
    _data_option(serve)
    _allow_option(serve)

    alerts = sub.add_parser(
        "alerts",
        help="install the poll's alerts on a Prefect server (failed poll, no poll for too long)",
        description="Create the automations of flows/automations.yaml on the Prefect server named by "
        "PREFECT_API_URL: a webhook call when a poll ends Failed or Crashed, and one when no poll has "
        "completed for --stale-after seconds. Running it again replaces them.",
    )
    alerts.add_argument("action", choices=["install"], help="install (or replace) the alerts")
    alerts.add_argument("--webhook", required=True, metavar="URL", help="where to POST the alerts (JSON)")
    alerts.add_argument("--stale-after", type=float, default=3600, metavar="SECONDS",
                        help="alert when no poll has completed for this long (default 3600)")

    extract = sub.add_parser(
        "extract",
        help="code incidents in a JSONL file of documents, offline",
        description="Read documents (one JSON object per line: id, text or html, optional url, title, "
        "published_at) and write one line per incident mention in the prediction format of the "
        "evaluation scorer, with incident_id the merged incident across the whole input.",
    )
    extract.add_argument("--input", required=True, metavar="DOCS.jsonl", help="documents to code")
    extract.add_argument("--output", required=True, metavar="MENTIONS.jsonl",
                         help="where to write mentions (- for stdout)")

    trends = sub.add_parser(
        "trends",
        help="attack counts per month, week or day",
        description="Count active attack incidents (political violence and intercepted attacks) and "
        "their fatalities per period, by country. Every period of the range is listed (zero when "
        "nothing happened); a footer gives the totals and the event types 'attacks' includes.",
    )
    _data_option(trends)
    trends.add_argument("--by", choices=["month", "week", "day"], default="month", help="period (default month)")
    trends.add_argument("--country", metavar="ISO3", help="only this country, e.g. IRQ (or a name: Iraq)")
    trends.add_argument("--event-type", metavar="TYPE", help="only this ACLED event type")
    trends.add_argument(
        "--group", metavar="COLUMN", action="append",
        choices=["iso3", "admin1", "event_type", "sub_event_type", "actor1"],
        help="break counts down by this column (repeatable; default iso3)",
    )
    trends.add_argument("--since", metavar="DATE", help="first event date counted: YYYY, YYYY-MM or YYYY-MM-DD")
    trends.add_argument("--until", metavar="DATE",
                        help="last event date counted (inclusive): YYYY, YYYY-MM or YYYY-MM-DD")
    trends.add_argument("--all-types", action="store_true", help="count every incident, not only attacks")
    trends.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format")
    trends.add_argument("--chart", metavar="FILE.png", help="also draw the counts as a bar chart into a PNG file")

    sql = sub.add_parser(
        "sql",
        help="run SQL over the warehouse views",
        description="Run SQL with DuckDB over the views: articles, articles_latest (each article's latest "
        "version), mentions, incidents, incidents_all, attacks, attacks_per_month, incident_sources, feed_state, "
        "link_failures (article links failing run after run), partitions, runs. "
        "Several statements (;-separated) print every result set. Read-only: only reading statements "
        "run, and files outside the data root, COPY, ATTACH and extensions are refused.",
    )
    _data_option(sql)
    sql.add_argument("query", help='e.g. "SELECT * FROM attacks_per_month"')
    sql.add_argument("--format", choices=["table", "csv", "json", "parquet"], default="table",
                     help="output format (parquet needs --output)")
    sql.add_argument("--output", metavar="FILE", help="with --format parquet: the file to write")
    sql.add_argument("--limit", type=int, metavar="N", help="at most N rows per result set")
    sql.add_argument("--columns", metavar="A,B", help="only these columns of the result (wide results)")
    sql.add_argument("--allow-write", "--unsafe", dest="allow_write", action="store_true",
                     help="run any statement with full file access, in a scratch session: tables it "
                     "creates vanish at exit; the Parquet store is never changed by SQL")

    show = sub.add_parser(
        "show",
        help="one incident and the articles and sentences behind it",
        description="Print an incident's coded fields, then every mention behind it: outlet, URL, "
        "the evidence sentence and the figures that report gave.",
    )
    _data_option(show)
    show.add_argument("incident_id", help="an incident_id from trends or sql")
    _format_option(show, "json")

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
    _format_option(backfill, "json")
    backfill.add_argument("--feeds", metavar="FILE",
                          help="feed list: the sites --source sitemaps walks, the outlet of each URL")
    _allow_option(backfill)
    backfill.add_argument(
        "--local", action="store_true",
        help="run the months as subflows of this process even if PREFECT_API_URL names a server with "
        "the backfill/backfill deployment (otherwise --source raw sends one run per month there)",
    )

    status = sub.add_parser(
        "status",
        help="feeds, a coverage grid of month partitions, the last runs",
        description="Show the state of a data root: each feed (last poll, status, last error, "
        "entries), a coverage grid of month partitions (articles by publication month, incidents by "
        "event month) with their status, and the last 10 runs.",
    )
    _data_option(status)
    _format_option(status, "json")
    _more_commands(sub)

    compact = sub.add_parser(
        "compact",
        help="merge each month's small article and mention files into one",
        description="Rewrite every month partition of the articles and mentions tables that holds "
        "several files (one per poll) as one file, each swapped in atomically (local data roots).",
    )
    _data_option(compact)
    return parser


def _quiet_prefect(verbose: bool) -> None:
    """Keep the CLI's output ours: Prefect's console logs only with --verbose (its INFO logs still
    reach the server, so `serve`d runs show them in the UI); no telemetry."""
    from flows.lifecycle import NO_TELEMETRY

    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")  # ours says it all
        os.environ.setdefault("PREFECT_LOGGING_SERVER_LEVEL", "CRITICAL")
    for name, value in NO_TELEMETRY.items():
        os.environ.setdefault(name, value)


def cmd_demo(args: argparse.Namespace) -> int:
    """The demo's flow run on its own temporary Prefect server (started first: it is forked, before
    the demo's HTTP server starts a thread), then the trends, printed while that server stops."""
    from flows.demo import serve_demo, write_demo_feed_list

    with contextlib.ExitStack() as stopping:
        with _prefect_server(args, stopping=stopping):
            from flows.commands import _ingested, _print_trends, _progress, _settings  # after the fork
            from flows.ingest import ingest

            settings = _settings(args)

            with serve_demo(port=args.port) as base_url, tempfile.TemporaryDirectory() as tmp:
                feeds = write_demo_feed_list(base_url, Path(tmp) / "demo-feeds.yaml")
                print(f"Serving the demo corpus at {base_url}; ingesting into {settings.data} ...", flush=True)
                hosts = list(dict.fromkeys([*settings.allow_hosts, "127.0.0.1"]))
                with _progress(args):
                    status = _ingested(lambda: ingest(feeds=str(feeds), data=str(settings.data), allow_hosts=hosts))
        return status if status == 3 else _print_trends(settings.data, "table", by="month")


def _prefect_server(args: argparse.Namespace, stopping: contextlib.ExitStack | None = None,
                    ) -> contextlib.AbstractContextManager:
    """The temporary Prefect server of a command that runs flows with PREFECT_API_URL unset: ours,
    so that it dies with this process (flows.lifecycle), where Prefect's own would outlive a kill.
    `stopping`: see `temporary_server` (the wait for its shutdown left to that stack)."""
    runs_flows = args.command in ("run", "demo") or (args.command == "backfill" and not args.dry_run)
    if not runs_flows:
        return contextlib.nullcontext()
    if os.environ.get("PREFECT_API_URL"):  # a profile's server: temporary_server finds it, after importing Prefect
        return contextlib.nullcontext()
    from flows.lifecycle import temporary_server, warm_up

    def prepare() -> None:  # while the server starts
        if args.command == "run":
            _check_run(args)  # bad input: one line at once, and the server just forked is stopped
        warm_up(args.command)

    return temporary_server(prepare=prepare, fork=True, stopping=stopping)


def _check_run(args: argparse.Namespace) -> None:
    """`flows.commands.check_run`: run's bad input (ValueError, one line). Imported here, after the
    temporary server's fork: it imports the table output (pyarrow, numpy) and the feed parser."""
    from flows.commands import check_run

    check_run(args)


def _more_commands(sub: argparse._SubParsersAction) -> None:
    """`export` and `report`: the analyst's files."""
    export = sub.add_parser(
        "export",
        help="incidents as an ACLED-style CSV, CSV, Parquet or GeoJSON file",
        description="Write the active incidents (all event types) with ACLED's columns in ACLED's order "
        "(acled-csv: fatalities 0 when not reported, notes = the evidence sentence, source = the "
        "outlets), as plain CSV / Parquet (the warehouse's columns, NULL kept), or GeoJSON points.",
    )
    _data_option(export)
    export.add_argument("--format", choices=["acled-csv", "csv", "parquet", "geojson"], default="acled-csv",
                        help="file format (default acled-csv)")
    export.add_argument("--since", metavar="DATE", help="first event date: YYYY, YYYY-MM or YYYY-MM-DD")
    export.add_argument("--until", metavar="DATE", help="last event date (inclusive)")
    export.add_argument("--attacks-only", action="store_true", help="only the incidents trends counts as attacks")
    export.add_argument("--output", metavar="FILE", default="-", help="where to write (default -, stdout)")
    report = sub.add_parser(
        "report",
        help="one self-contained HTML page: chart, latest incidents, feed health, coverage",
        description="Write one HTML file that opens offline (no server, no network): attacks per month "
        "by country as an inline SVG chart, the latest incidents with their evidence sentence and "
        "sources, feed health and partition coverage.",
    )
    _data_option(report)
    report.add_argument("--html", required=True, metavar="FILE", help="the HTML file to write")
    report.add_argument("--latest", type=int, default=20, metavar="N", help="incidents listed (default 20)")


COMMANDS = {name: f"cmd_{name}" for name in ("alerts", "demo", "run", "serve", "extract", "trends", "sql", "show",
                                               "backfill", "status", "export", "report", "compact")}
"""Command -> its function's name: `cmd_demo` here, the others in `flows.commands`, imported only once
a command runs (its table output imports pyarrow and numpy: 0.3 s of CPU), so that `demo`, `run` and
`backfill` fork their temporary Prefect server without them (`flows.lifecycle.temporary_server`)."""


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    """The function that runs the command `name`."""
    if name == "demo":
        return cmd_demo
    from flows import commands

    return getattr(commands, COMMANDS[name])


def _one_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return " ".join(lines[:3]) or type(exc).__name__


def _silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the exit-time flush cannot complain."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _missing_credentials(exc: BaseException | None) -> bool:
    """Whether `exc` (or an exception it was raised from) is botocore's "no credentials" error."""
    while exc is not None:
        if type(exc).__name__ in ("NoCredentialsError", "PartialCredentialsError") \
                and type(exc).__module__.startswith("botocore"):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command `argv` names (None: this program's arguments); its exit status. Run as the
    program (`argv` None), `demo`, `run` and `backfill` end the process here (`_exit_now`)."""
    args = build_parser().parse_args(argv)
    status = _main(args)
    if argv is None and args.command in ("demo", "run", "backfill"):
        _exit_now(status)
    return status


def _exit_now(status: int) -> None:
    """End the process with `status` once the interpreter's exit handlers have run and stdout and
    stderr are flushed, without the interpreter's teardown: freeing every module's objects one by
    one (Prefect's, the gazetteer's, the language model's) costs 0.1-0.3 s of a command's wall
    time, with nothing left to write (bench/bench_startup.py). First, as the interpreter's own exit
    does, the threads that are not daemons are waited for (a coding pool's) and the exit handlers
    run; where those two steps cannot be run apart (CPython's private `threading._shutdown` and
    `atexit._run_exitfuncs`, missing), this returns, for the usual exit."""
    import atexit
    import threading

    join_threads = getattr(threading, "_shutdown", None)
    run_handlers = getattr(atexit, "_run_exitfuncs", None)
    if join_threads is None or run_handlers is None:
        return
    join_threads()
    run_handlers()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status)


def _main(args: argparse.Namespace) -> int:
    _quiet_prefect(args.verbose or args.command == "serve")  # a server's console shows its runs
    try:
        server = _prefect_server(args) if args.command != "demo" else contextlib.nullcontext()  # demo: its own
        with server as temporary:
            if args.command == "run" and temporary is None:  # else checked while the temporary server started
                _check_run(args)
            return _command(args.command)(args)
    except BrokenPipeError:  # `flarewatch ... | head`: the reader has all it wanted
        _silence_stdout()
        return 0
    except (OSError, ValueError) as exc:
        print(f"flarewatch {args.command}: {_one_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:
        if _missing_credentials(exc):
            print(f"flarewatch {args.command}: no credentials for the object store ({exc}); set AWS_ACCESS_KEY_ID "
                  "and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (SCALING.md)", file=sys.stderr)
            return 2
        if type(exc).__module__.split(".")[0] != "duckdb":
            raise
        print(f"flarewatch {args.command}: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"flarewatch {args.command}: interrupted; the next run resumes where this one stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
