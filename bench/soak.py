"""Soak: many poll cycles against a local feed server whose feeds change between cycles.

    python bench/soak.py [--cycles 200] [--feeds 3] [--per-cycle 3] [--data DIR]
    python bench/soak.py --serve [--cycles 300] [--interval 10] [--minutes M] [--csv FILE]

`--serve` runs the same farm against a real Prefect server and `flarewatch serve` (bench/soak_serve.py).

In: nothing but this repository. A feed server on 127.0.0.1 publishes `--feeds` outlets; before
each cycle every outlet gains `--per-cycle` new stories (rolling window of the latest 12 items,
ETag / If-None-Match honoured), some unchanged outlets answer 304, one outlet is down for a whole
cycle now and then, some page requests fail once with a 503, and every fifth story is syndicated:
another outlet lists the same article under a tracking-parameter variant of its URL.
Each cycle runs the ingest steps (`flows.steps`, no Prefect): poll with the stored feed state,
new entries, fetch, extract and code, store, re-merge incidents, save the feed state, record the run.
Out: one line per cycle (figures), a summary, and a check of the invariants: every story published
is stored once (no duplicate article keys or canonical URLs, none missing), mention and incident ids
unique, each feed's state matches what the server last served, and resident memory flat after the
warm-up. Exit 1 if an invariant fails. `tests/test_soak.py` runs the same loop for a few cycles.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import os
import platform
import resource
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from xml.sax.saxutils import escape

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractors.fetch_types import FetchPolicy
from extractors.months import event_month, utcnow
from extractors.records import FeedSpec
from flows import steps
from flows.demo import LocalServer
from flows.report import feed_state_rows
from warehouse import catalog, parquet, paths, remerge, state
from warehouse.mentions import store_coded

WINDOW = 12  # items a feed lists: the newest ones, as real feeds do
START = dt.datetime(2024, 1, 1, 6, tzinfo=dt.UTC)
_EVENTS = [  # (sentence template, place): sentences the coder codes, places the gazetteer knows
    ("A roadside bomb killed {n} soldiers near {place} on {day}, security officials said.", "Kirkuk"),
    ("Gunmen killed {n} civilians in an attack on a village near {place} on {day}, officials said.", "Mopti"),
    ("An air strike killed {n} militants in {place} on {day}, a war monitor said.", "Idlib"),
    ("A mortar attack killed {n} people in {place} on {day}, police said.", "Mogadishu"),
    ("Clashes between the army and militants killed {n} fighters near {place} on {day}.", "Maiduguri"),
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass
class Story:
    feed: str
    n: int
    published: dt.datetime
    path: str  # where the page lives
    listed_as: dict[str, str] = field(default_factory=dict)  # feed -> path listed in that feed


class ChangingFeedServer(LocalServer):
    """Feeds that gain stories each `advance()`, their pages, on 127.0.0.1 (HTTP/1.0, threaded)."""

    def __init__(self, feeds: int = 3, per_cycle: int = 3) -> None:
        self.feeds = [f"outlet-{chr(ord('a') + i)}" for i in range(feeds)]
        self.per_cycle = per_cycle
        self.cycle = 0
        self.stories: list[Story] = []
        self.listed: dict[str, list[Story]] = {f: [] for f in self.feeds}
        self.down: set[str] = set()  # feeds answering 500 this cycle
        self.requests = 0
        self._flaky_done: set[str] = set()
        self._lock = threading.Lock()

    def specs(self) -> list[FeedSpec]:
        return [FeedSpec(id=f, url=f"{self.base}/{f}/rss.xml", outlet=f) for f in self.feeds]

    def advance(self) -> None:
        """The next cycle: new stories on most feeds; some feeds unchanged; one feed maybe down."""
        with self._lock:
            self.cycle += 1
            c = self.cycle
            self.down = {self.feeds[c % len(self.feeds)]} if c % 7 == 3 else set()
            for i, feed in enumerate(self.feeds):
                if (c + i) % 5 == 4:  # this feed publishes nothing this cycle: 304 next poll
                    continue
                for _ in range(self.per_cycle):
                    n = len(self.stories)
                    story = Story(feed, n, START + dt.timedelta(hours=9 * n), f"/{feed}/story-{n}.html")
                    story.listed_as[feed] = story.path
                    self.stories.append(story)
                    self.listed[feed].append(story)
                    if n % 5 == 0:  # syndicated: another outlet lists it with tracking parameters
                        other = self.feeds[(i + 1) % len(self.feeds)]
                        story.listed_as[other] = f"{story.path}?utm_source={other}&utm_medium=rss"
                        self.listed[other].append(story)
            for feed in self.feeds:
                self.listed[feed] = self.listed[feed][-WINDOW:]

    def feed_body(self, feed: str) -> bytes:
        items = []
        for s in reversed(self.listed[feed]):
            stamp = s.published.strftime("%a, %d %b %Y %H:%M:%S +0000")
            items.append(f"<item><title>Story {s.n}</title><link>{escape(self.base + s.listed_as[feed])}"
                         f"</link><guid>{feed}-{s.n}</guid><pubDate>{stamp}</pubDate></item>")
        return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{feed}'
                f"</title><link>{self.base}/{feed}/</link>{''.join(items)}</channel></rss>").encode()

    def page_body(self, story: Story) -> bytes:
        template, place = _EVENTS[story.n % len(_EVENTS)]
        day = _DAYS[(story.published - dt.timedelta(days=1)).weekday()]
        sentence = template.format(n=story.n % 9 + 1, place=place, day=day)
        return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Story {story.n} from {story.feed}</title>
<meta property="article:published_time" content="{story.published.isoformat()}"></head>
<body><nav><a href="/">Home</a></nav><article><h1>Story {story.n} from {story.feed}</h1>
<p>{sentence}</p>
<p>Story {story.n} continues with background that names no new incident. Residents described
the scene to reporters, and local authorities said an investigation had been opened.</p>
<p>Reporting by {story.feed} correspondents; serial {story.n}.</p></article></body></html>
""".encode()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path.split("?", 1)[0]
        with self._lock:
            self.requests += 1
            feed = path.strip("/").split("/", 1)[0]
            if path.endswith("/rss.xml") and feed in self.listed:
                if feed in self.down:
                    return _send(h, 500, b"down", "text/plain")
                body = self.feed_body(feed)
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if h.headers.get("If-None-Match") == etag:
                    return _send(h, 304, b"", None, {"ETag": etag})
                return _send(h, 200, body, "application/rss+xml", {"ETag": etag})
            story = next((s for s in self.stories if s.path == path), None)
            if story is None:
                return _send(h, 404, b"no", "text/plain")
            if story.n % 4 == 1 and path not in self._flaky_done:  # fails once, the retry works
                self._flaky_done.add(path)
                return _send(h, 503, b"busy", "text/plain")
            return _send(h, 200, self.page_body(story), "text/html; charset=utf-8")


def _send(h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str | None,
          headers: dict[str, str] | None = None) -> None:
    h.send_response(status)
    if ctype:
        h.send_header("Content-Type", ctype)
    for key, value in (headers or {}).items():
        h.send_header(key, value)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def rss_mb() -> float:
    """Resident memory of this process now, in MB (Linux /proc; else the peak from getrusage)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


@dataclass
class Cycle:
    n: int
    seconds: float
    new_articles: int
    new_mentions: int
    not_modified: int
    feed_errors: int
    page_failures: int
    articles_total: int
    rss_mb: float
    arrow_mb: float  # bytes Arrow's memory pool holds allocated now


def one_cycle(srv: ChangingFeedServer, root: Path, policy: FetchPolicy, run: int, *,
              advance: bool = True) -> Cycle:
    """Advance the server, then one ingest pass over its feeds as `flows.ingest` orders the steps."""
    if advance:
        srv.advance()
    started = time.perf_counter()
    specs = srv.specs()
    run_start = utcnow()
    prior = state.load_feed_state(root)
    polls = steps.poll_feeds(specs, prior, policy)
    entries = steps.new_entries(polls, state.seen_canonical_urls(root))
    pages, failures = steps.fetch_pages(entries, {s.id: s for s in specs}, policy, root)
    coded = steps.code_all(pages, workers=1, chunk_size=100)
    articles, mentions = store_coded(root, coded)
    months = {event_month(m.event_date) for c in coded for m in c.mentions}
    if months:
        remerge.remerge_incidents(root, months)
    state.save_feed_state(root, feed_state_rows(specs, polls, prior, coded))
    errors = sum(p.status == "error" for p in polls)
    state.record_run(root, run_id=f"soak-{run:05d}", kind="soak", started_at=run_start,
                     finished_at=utcnow(), feeds_polled=len(polls), feeds_failed=errors,
                     new_articles=articles, new_mentions=mentions, failures=len(failures))
    seconds = time.perf_counter() - started
    gc.collect()
    total = parquet.read(root, "articles", columns=["article_id"]).num_rows
    return Cycle(run, seconds, articles, mentions, sum(p.status == "not_modified" for p in polls),
                 errors, len(failures), total, rss_mb(), pa.total_allocated_bytes() / 1e6)


def check_warehouse(srv: ChangingFeedServer, root: Path) -> tuple[dict[str, int], list[str]]:
    """The invariants of the data after a soak and its settling pass: every story published stored
    once, ids unique, each feed's state what the server last served, no temp file left. Returns
    the counts (articles, mentions, incidents, active_incidents, runs) and the problems found."""
    problems: list[str] = []
    with catalog.connect(root) as con:
        def one(sql: str) -> tuple:
            return con.execute(sql).fetchall()[0]

        n, keys, urls = one("SELECT count(*), count(DISTINCT (article_id, content_sha256)), "
                            "count(DISTINCT canonical_url) FROM articles")
        m, mids = one("SELECT count(*), count(DISTINCT mention_id) FROM mentions")
        i, iids = one("SELECT count(*), count(DISTINCT incident_id) FROM incidents_all")
        active = one("SELECT count(*) FROM incidents")[0]
        stored_urls = {r[0] for r in con.execute("SELECT url FROM articles").fetchall()}
        runs = one("SELECT count(*) FROM runs")[0]
    if not n == keys == urls:
        problems.append(f"articles: {n} rows, {keys} keys, {urls} canonical URLs")
    if m != mids or i != iids:
        problems.append(f"mentions {m}/{mids} or incidents {i}/{iids} hold a key twice")
    missing = [s.path for s in srv.stories
               if not any(srv.base + p in stored_urls for p in s.listed_as.values())]
    if missing:
        problems.append(f"{len(missing)} published stories missing, e.g. {missing[:3]}")
    if n != len(srv.stories):
        problems.append(f"{n} articles stored for {len(srv.stories)} stories published")
    feed_state = state.load_feed_state(root)
    for feed in srv.feeds:  # after the settling pass: every feed up, its state what it last served
        row = feed_state[feed]
        if row["last_status"] not in ("ok", "not_modified") or row["consecutive_failures"] or row["last_error"]:
            problems.append(f"feed_state of {feed}: {row['last_status']}, {row['last_error']}")
        if row["etag"] != '"' + hashlib.sha256(srv.feed_body(feed)).hexdigest()[:16] + '"':
            problems.append(f"feed_state of {feed}: stale ETag")
        if row["entries_seen"] != len(srv.listed[feed]):
            problems.append(f"feed_state of {feed}: entries_seen {row['entries_seen']}")
    left = [str(p) for p in paths.temp_files(root)] + [
        name for name, is_dir in paths.open_root(root).listdir(str(root)) if is_dir and ".stage-" in name]
    if left:
        problems.append(f"{len(left)} temp file(s) or staging folder(s) left, e.g. {left[:2]}")
    return {"articles": n, "mentions": m, "incidents": i, "active_incidents": active, "runs": runs}, problems


def check(srv: ChangingFeedServer, root: Path, cycles: list[Cycle], warmup: int) -> dict[str, object]:
    """The invariants after the soak; returns figures, with `problems` listing what failed."""
    counts, problems = check_warehouse(srv, root)
    n, m, i, active, runs = (counts[k] for k in ("articles", "mentions", "incidents", "active_incidents", "runs"))
    if sum(c.feed_errors for c in cycles) == 0 and len(cycles) > 7:
        problems.append("no feed was ever down: the soak did not exercise recovery")
    if runs != len(cycles):
        problems.append(f"{runs} runs recorded for {len(cycles)} cycles")
    after = [c.rss_mb for c in cycles[warmup:]]
    growth = max(after) - after[0] if after else 0.0
    half = len(cycles[warmup:]) // 2
    first_half = sum(c.seconds for c in cycles[warmup:warmup + half]) / max(1, half)
    second_half = sum(c.seconds for c in cycles[warmup + half:]) / max(1, len(cycles) - warmup - half)
    return {"cycles": len(cycles), "stories": len(srv.stories), "articles": n, "mentions": m,
            "incidents": i, "active_incidents": active, "requests": srv.requests,
            "rss_start_mb": round(cycles[0].rss_mb, 1), "rss_after_warmup_mb": round(after[0], 1) if after else None,
            "rss_end_mb": round(cycles[-1].rss_mb, 1), "rss_growth_after_warmup_mb": round(growth, 1),
            "arrow_allocated_end_mb": round(cycles[-1].arrow_mb, 2),
            "seconds_per_cycle_first_half": round(first_half, 3),
            "seconds_per_cycle_second_half": round(second_half, 3),
            "total_seconds": round(sum(c.seconds for c in cycles), 1), "problems": problems}


def soak(cycles: int, root: Path, *, feeds: int = 3, per_cycle: int = 3, warmup: int = 3,
         echo: bool = False) -> tuple[list[Cycle], dict[str, object]]:
    """Run `cycles` poll cycles into `root`, then one settling pass; returns figures and summary."""
    policy = FetchPolicy(allow_hosts=frozenset({"127.0.0.1"}), timeout=5.0, retries=2, backoff=0.01)
    done: list[Cycle] = []
    with ChangingFeedServer(feeds, per_cycle) as srv:
        for n in range(cycles + 1):
            if n == cycles:  # a settling pass: nothing new published, every feed up
                srv.down.clear()
            done.append(one_cycle(srv, root, policy, n + 1, advance=n < cycles))
            if echo:
                c = done[-1]
                print(f"cycle {c.n:4d}  {c.seconds:6.2f}s  +{c.new_articles:2d} articles "
                      f"+{c.new_mentions:2d} mentions  304s {c.not_modified}  feed errors "
                      f"{c.feed_errors}  page failures {c.page_failures}  total {c.articles_total:5d}"
                      f"  rss {c.rss_mb:6.1f} MB  arrow {c.arrow_mb:5.2f} MB", flush=True)
        summary = check(srv, root, done, warmup)
    return done, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--feeds", type=int, default=3)
    parser.add_argument("--per-cycle", type=int, default=3)
    parser.add_argument("--data", type=Path, help="data root (default: a temporary directory)")
    parser.add_argument("--serve", action="store_true",
                        help="scheduled polls of a real `flarewatch serve` on a real Prefect server")
    parser.add_argument("--interval", type=float, default=10.0,
                        help="with --serve: the poll interval in seconds (default 10, serve's minimum)")
    parser.add_argument("--minutes", type=float, help="with --serve: stop starting cycles after this long")
    parser.add_argument("--csv", type=Path, help="with --serve: write the per-cycle figures here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.data or Path(tmp) / "data"
        if args.serve:
            from soak_serve import ServedCycle, serve_soak  # bench/soak_serve.py

            done, summary = serve_soak(args.cycles, root, Path(tmp) / "work", interval=args.interval,
                                       feeds=args.feeds, per_cycle=args.per_cycle, minutes=args.minutes, echo=True)
            if args.csv:
                names = list(ServedCycle.__dataclass_fields__)
                args.csv.write_text("\n".join([",".join(names)] + [
                    ",".join(str(round(v, 2) if isinstance(v, float) else v) for v in
                             (getattr(c, k) for k in names)) for c in done]) + "\n")
        else:
            _, summary = soak(args.cycles, root, feeds=args.feeds, per_cycle=args.per_cycle, echo=True)
    print()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}; date: {dt.date.today().isoformat()}")
    for key, value in summary.items():
        print(f"{key}: {value}")
    return 1 if summary["problems"] else 0

if __name__ == "__main__":
    sys.exit(main())
