"""Shared by the bench scripts: a local feed farm (many feeds, many distinct real-size pages).

In: real article pages (the demo corpus `seeds/demo/pages`, or any folder of `*.html` /
`*.html.gz` given with `--pages DIR`, e.g. `../shared/eval/extraction/html/`).
Out: a ThreadingHTTPServer on 127.0.0.1 serving `F` RSS feeds of `N` entries in all; entry `i` of
feed `k` links to `/a/k/i.html`, which serves real page bytes (page `(k * per + i) % len(pages)`)
with a unique paragraph injected, so every URL, canonical URL and text differs. Feeds carry an
ETag and answer 304 to a matching If-None-Match (switchable), and the server counts requests by
kind, so a benchmark can assert "no page fetched".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import gzip
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEMO_PAGES = REPO / "seeds" / "demo" / "pages"
PLACEHOLDER = b"{{BASE_URL}}"
_BODY_OPEN = re.compile(rb"(<article[^>]*>|<body[^>]*>)", re.I)


def load_pages(directory: Path | None = None) -> list[bytes]:
    """Page bytes from `directory` (*.html, *.html.gz), else the demo corpus; sorted by name."""
    base = Path(directory) if directory else DEMO_PAGES
    files = sorted(p for p in base.rglob("*") if p.name.endswith((".html", ".html.gz", ".htm")))
    pages = [gzip.decompress(p.read_bytes()) if p.name.endswith(".gz") else p.read_bytes() for p in files]
    if not pages:
        raise SystemExit(f"no *.html or *.html.gz pages under {base}")
    return pages


def unique_page(raw: bytes, base_url: bytes, marker: str) -> bytes:
    """The page with the base URL filled in and a unique paragraph right after <article>/<body>."""
    body = raw.replace(PLACEHOLDER, base_url)
    para = f"<p>Reference {marker}: this copy was served by the flarewatch benchmark farm.</p>".encode()
    out, n = _BODY_OPEN.subn(lambda m: m.group(1) + para, body, count=1)
    return out if n else para + body


class Farm:
    """The farm's layout and request counters (the HTTP handler reads it)."""

    def __init__(self, pages: list[bytes], n_articles: int, n_feeds: int, *, etags: bool = True,
                 pages_dir: Path | None = None) -> None:
        self.pages, self.n, self.feeds, self.etags = pages, n_articles, max(1, n_feeds), etags
        self.pages_dir = pages_dir
        self.base_url = b""
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._feed_cache: dict[int, bytes] = {}

    def entries_of(self, k: int) -> range:
        per = -(-self.n // self.feeds)
        return range(k * per, min(self.n, (k + 1) * per))

    def page(self, k: int, i: int) -> bytes:
        return unique_page(self.pages[i % len(self.pages)], self.base_url, f"FW-{k}-{i}")

    def feed(self, k: int) -> bytes:
        if k in self._feed_cache:
            return self._feed_cache[k]
        base = self.base_url.decode()
        start = dt.datetime(2024, 10, 8, 12, tzinfo=dt.UTC)
        items = []
        for i in self.entries_of(k):
            when = email.utils.format_datetime(start - dt.timedelta(minutes=7 * i))
            items.append(
                f"<item><title>Benchmark article {k}-{i}</title><link>{base}/a/{k}/{i}.html</link>"
                f"<guid isPermaLink=\"false\">bench-{k}-{i}</guid><pubDate>{when}</pubDate>"
                f"<description>Benchmark entry {k}-{i}.</description></item>"
            )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Bench feed {k}</title><link>{base}/</link><description>bench</description>"
            f"<language>en</language>{''.join(items)}</channel></rss>"
        ).encode()
        self._feed_cache[k] = xml
        return xml

    def count(self, kind: str) -> None:
        with self._lock:
            self.counts[kind] += 1


class _Handler(BaseHTTPRequestHandler):
    farm: Farm
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        if path == "/__etags/off":
            self.farm.etags = False
            path = "/__counts"
        if path == "/__counts":
            body = json.dumps(dict(self.farm.counts)).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        m_feed = re.fullmatch(r"/feeds/f(\d+)\.xml", path)
        m_page = re.fullmatch(r"/a/(\d+)/(\d+)\.html", path)
        if m_feed and int(m_feed.group(1)) < self.farm.feeds:
            body, ctype, kind = self.farm.feed(int(m_feed.group(1))), "application/rss+xml; charset=utf-8", "feed"
        elif m_page:
            body = self.farm.page(int(m_page.group(1)), int(m_page.group(2)))
            ctype, kind = "text/html; charset=utf-8", "page"
        else:
            self.farm.count("404")
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.farm.etags and self.headers.get("If-None-Match") == etag:
            self.farm.count(kind + "_304")
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.farm.count(kind)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if self.farm.etags:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@contextlib.contextmanager
def serve_farm(farm: Farm) -> Iterator[str]:
    """Serve the farm on 127.0.0.1 (a free port) from a child process, so that the server's work
    does not compete for the benchmarked process's GIL; yields the base URL. The request counts
    are read back into `farm.counts` when the block ends (and by `refresh_counts`)."""
    cmd = [sys.executable, __file__, "--articles", str(farm.n), "--feeds", str(farm.feeds)]
    if farm.pages_dir:
        cmd += ["--pages", str(farm.pages_dir)]
    if not farm.etags:
        cmd.append("--no-etags")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        if not line.startswith("http://"):
            raise RuntimeError(f"farm server did not start: {line!r}")
        farm.base_url = line.encode()
        yield line
        refresh_counts(farm)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def refresh_counts(farm: Farm) -> Counter[str]:
    with urllib.request.urlopen(farm.base_url.decode() + "/__counts", timeout=10) as r:
        farm.counts = Counter(json.loads(r.read()))
    return farm.counts


def _serve_forever(argv: list[str]) -> None:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, required=True)
    ap.add_argument("--feeds", type=int, required=True)
    ap.add_argument("--pages", type=Path, default=None)
    ap.add_argument("--no-etags", action="store_true")
    args = ap.parse_args(argv)
    farm = Farm(load_pages(args.pages), args.articles, args.feeds, etags=not args.no_etags)
    handler = type("FarmHandler", (_Handler,), {"farm": farm})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    farm.base_url = f"http://127.0.0.1:{server.server_address[1]}".encode()
    print(farm.base_url.decode(), flush=True)
    server.serve_forever()


def write_feed_list(farm: Farm, target: Path) -> Path:
    lines = ["feeds:"]
    for k in range(farm.feeds):
        lines += [f"  - id: bench-{k}", f'    url: "{farm.base_url.decode()}/feeds/f{k}.xml"',
                  f"    outlet: bench-outlet-{k}", "    language: en", "    enabled: true"]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def machine() -> dict:
    """nproc, memory, CPU model, Python, date: printed at the top of every benchmark's output."""
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = "unknown"
    with contextlib.suppress(OSError):
        mem = subprocess.run(["free", "-g"], capture_output=True, text=True).stdout.splitlines()[1]
        mem = " ".join(mem.split()[:2]) + " GiB total"
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory": mem,
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
    }


def print_machine(command: str) -> None:
    info = machine()
    print(f"command: {command}")
    for key, value in info.items():
        print(f"{key}: {value}")
    print()


class Intervals:
    """Wall-clock intervals spent inside project code; `union()` counts overlapping ones once."""

    def __init__(self) -> None:
        self.spans: list[tuple[float, float, str]] = []
        self._lock = threading.Lock()

    def wrap(self, module: object, name: str) -> None:
        fn = getattr(module, name)

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                with self._lock:
                    self.spans.append((t0, time.perf_counter(), name))

        setattr(module, name, timed)

    def union(self, start: float | None = None, end: float | None = None) -> float:
        spans = sorted((max(a, start or a), min(b, end or b)) for a, b, _ in self.spans)
        total, cur_a, cur_b = 0.0, None, None
        for a, b in spans:
            if b <= a:
                continue
            if cur_b is None or a > cur_b:
                if cur_b is not None:
                    total += cur_b - cur_a
                cur_a, cur_b = a, b
            else:
                cur_b = max(cur_b, b)
        if cur_b is not None:
            total += cur_b - cur_a
        return total

    def by_name(self) -> dict[str, tuple[int, float, float]]:
        """name -> (calls, summed seconds, wall seconds with overlapping calls counted once)."""
        out = {}
        for name in {n for _, _, n in self.spans}:
            mine = Intervals()
            mine.spans = [s for s in self.spans if s[2] == name]
            out[name] = (len(mine.spans), sum(b - a for a, b, _ in mine.spans), mine.union())
        return out


def descendants_by_kind(pid: int) -> dict[int, str]:
    """Every process below `pid` (read from /proc, Linux only) with its kind: "page server" (this
    module), "coders" (a multiprocessing pool), "prefect api" (anything else: Prefect's
    temporary API server). Processes that end while being read are left out."""
    out, todo = {}, _children(pid)
    while todo:
        child = todo.pop()
        todo += _children(child)
        try:
            with open(f"/proc/{child}/cmdline", "rb") as fh:
                cmd = fh.read().decode(errors="replace")
        except OSError:
            continue
        out[child] = ("page server" if "_farm.py" in cmd else
                      "coders" if "multiprocessing" in cmd or "forkserver" in cmd else "prefect api")
    return out


def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(x) for x in fh.read().split()]
    except OSError:
        pass
    return out


if __name__ == "__main__":
    _serve_forever(sys.argv[1:])


def rss_bytes(pid: int) -> int:
    """Resident memory of process `pid` in bytes (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0
