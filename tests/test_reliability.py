"""Reliability end to end: network faults, hostile input and SSRF, through the real ingest steps.

A fault-injecting HTTP server on 127.0.0.1 serves feeds and article pages through a fault chosen by
the first path segment (`/<mode>/<file>`): sleep past the timeout, reset the socket, 5xx then OK,
429 with Retry-After, redirect loops, redirect to cloud metadata, wrong content type, a body over
the cap, a gzip bomb, a body shorter than its Content-Length, a path robots.txt disallows. Feed lists
point at it and run through `flows.steps` (poll_feeds, new_entries, fetch_pages, code_all,
store_coded), and for the flow-level tests through the real `flows.ingest.ingest` flow under the
session's Prefect harness. Every failure must be recorded against its feed or URL with a reason,
every good feed and page must still land in the warehouse, and a rerun must fetch what failed
again and store nothing twice.

`network_jail` (autouse) makes any connection to a non-loopback address fail the test: the SSRF
guard must refuse 10.0.0.1 and 169.254.169.254 before a socket is opened, and no test may reach
past 127.0.0.0/8 even when that guard is broken on purpose.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import ipaddress
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import pytest

from extractors import netguard
from extractors.fetch import Fetcher
from extractors.fetch_types import FetchPolicy
from extractors.months import utcnow
from extractors.records import FeedSpec
from flows import steps
from flows.demo import LocalServer
from flows.report import feed_state_rows
from warehouse import catalog, parquet, state
from warehouse.mentions import store_coded
from warehouse.raw import RawStore

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
EVAL_FEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "feeds"
LOCAL = frozenset({"127.0.0.1"})
CAP = 200_000  # max_bytes of the policies below; `oversize` serves more than this
SLOW = 2.5  # seconds the `slow` mode sleeps; every policy here times out well before
PLACEHOLDER = b"{{BASE_URL}}"
ROBOTS = b"User-agent: *\nDisallow: /private/\n"

_TYPES = {".xml": "application/rss+xml; charset=utf-8", ".html": "text/html; charset=utf-8",
          ".png": "text/html", ".bin": "application/rss+xml", ".json": "application/json",
          ".dtd": "application/xml-dtd"}


@functools.cache  # built once, before any request: a handler building it could outlast the client's timeout
def _bomb() -> bytes:
    # ~50 kB on the wire, 50 MB inflated: only a decoder that stops at the cap survives it
    return gzip.compress(b"\0" * 50_000_000, compresslevel=9)


class FaultServer(LocalServer):
    """A threaded HTTP/1.0 server on 127.0.0.1 serving `files` through the fault named by the path.

    `/<mode>/<name>` serves `files[name]` ({{BASE_URL}} filled in) as follows. ok: plainly, with an
    ETag honoured by If-None-Match when `etags`; private: the same, under a path robots.txt
    disallows; lag: after 0.2 s; slow: after sleeping SLOW s; reset: closes the socket with an
    RST, no response; flaky: 503 for the first two requests of the path, then OK; busy: 429 with
    Retry-After 1 once, then OK; ratelimited: 429 with Retry-After 3600; down: 500; loop: 302 to
    /loop2/<name> which 302s back; tometa: 302 to the cloud-metadata address; wrongtype:
    image/png; oversize: padded past CAP; bomb: a gzip bomb; truncated: Content-Length larger
    than the bytes sent. `healed` turns every mode but private into ok. `hits` counts requests per
    path, `log` times them.
    """

    def __init__(self, files: Mapping[str, bytes], *, etags: bool = True) -> None:
        self.files = dict(files)
        self.etags = etags
        self.healed = False
        self.hits: Counter[str] = Counter()
        self.log: list[tuple[float, str]] = []  # (monotonic arrival time, path) of every request
        self._lock = threading.Lock()
        self._bomb = _bomb()

    def url(self, mode: str, name: str) -> str:
        return f"{self.base}/{mode}/{name}"

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])

    # -- request handling ---------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        path = urlsplit(h.path).path
        with self._lock:
            self.hits[path] += 1
            hit = self.hits[path]
            self.log.append((time.monotonic(), path))
        if path == "/robots.txt":
            return self._send(h, 200, ROBOTS, "text/plain")
        mode, _, name = path.lstrip("/").partition("/")
        if name not in self.files:
            return self._send(h, 404, b"not here", "text/plain")
        body = self.files[name].replace(PLACEHOLDER, self.base.encode())
        ctype = _TYPES.get(Path(name).suffix, "application/octet-stream")
        if self.healed and mode != "private":
            mode = "ok"
        if mode in ("ok", "private"):
            return self._ok(h, body, ctype)
        if mode == "slow":
            time.sleep(SLOW)
            return self._ok(h, body, ctype)
        if mode == "lag":
            time.sleep(0.2)
            return self._ok(h, body, ctype)
        if mode == "reset":  # SO_LINGER 0 then close: the peer gets an RST, not a FIN
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
            h.close_connection = True
            return None
        if mode == "flaky":
            return self._send(h, 503, b"busy", "text/plain") if hit <= 2 else self._ok(h, body, ctype)
        if mode == "busy":
            if hit == 1:
                return self._send(h, 429, b"slow down", "text/plain", {"Retry-After": "1"})
            return self._ok(h, body, ctype)
        if mode == "ratelimited":
            return self._send(h, 429, b"go away", "text/plain", {"Retry-After": "3600"})
        if mode == "down":
            return self._send(h, 500, b"oops", "text/plain")
        if mode in ("loop", "loop2"):
            other = "loop2" if mode == "loop" else "loop"
            return self._send(h, 302, b"", None, {"Location": f"/{other}/{name}"})
        if mode == "tometa":
            return self._send(h, 302, b"", None, {"Location": "http://169.254.169.254/latest/meta-data/"})
        if mode == "wrongtype":
            return self._send(h, 200, body, "image/png")
        if mode == "oversize":
            return self._send(h, 200, body + b" " * (CAP + 1000), ctype)
        if mode == "bomb":
            return self._send(h, 200, self._bomb, ctype, {"Content-Encoding": "gzip"})
        if mode == "truncated":
            h.send_response(200)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(body) + 5000))
            h.end_headers()
            h.wfile.write(body[: len(body) // 2])
            h.wfile.flush()
            h.close_connection = True
            return None
        return self._send(h, 400, b"unknown mode", "text/plain")

    def _ok(self, h: BaseHTTPRequestHandler, body: bytes, ctype: str) -> None:
        """200 with an ETag (when `etags`), or 304 when the client already has this body."""
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.etags and h.headers.get("If-None-Match") == etag:
            return self._send(h, 304, b"", None, {"ETag": etag})
        return self._send(h, 200, body, ctype, {"ETag": etag} if self.etags else {})

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str | None,
              headers: Mapping[str, str] | None = None) -> None:
        h.send_response(status)
        if ctype:
            h.send_header("Content-Type", ctype)
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)


def rss(title: str, items: list[tuple[str, str, str | None]]) -> bytes:
    """A small RSS 2.0 document: items are (title, link, summary or None)."""
    parts = [f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
             f"<title>{escape(title)}</title><link>https://example.org/</link>"]
    for n, (item_title, link, summary) in enumerate(items):
        parts.append(f"<item><title>{escape(item_title)}</title><link>{escape(link)}</link>"
                     f"<pubDate>Tue, 17 Feb 2026 {8 + n // 60:02d}:{n % 60:02d}:00 GMT</pubDate>"
                     + (f"<description>{escape(summary)}</description>" if summary else "")
                     + "</item>")
    parts.append("</channel></rss>\n")
    return "".join(parts).encode()


def hostile_files() -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in (HOSTILE / "pages").iterdir()}
    files |= {p.name: p.read_bytes() for p in (HOSTILE / "feeds").iterdir()}
    files["evil.dtd"] = b'<!ENTITY exfil "stolen">'
    return files


@pytest.fixture(autouse=True)
def network_jail(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, int]]]:
    """Fail on any connection the fetcher opens to an address outside 127.0.0.0/8."""
    real_connect, real_resolve = socket.create_connection, socket.getaddrinfo
    refused: list[tuple[str, int]] = []

    def jailed(address, *args, **kwargs):
        host, port = address[0], address[1]
        resolved = {info[4][0] for info in real_resolve(host, port, type=socket.SOCK_STREAM)}
        if not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in resolved):
            refused.append((host, port))
            raise AssertionError(f"test network jail: connection to {host}:{port} attempted")
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", jailed)
    yield refused
    assert refused == [], f"connections outside loopback were attempted: {refused}"


def policy(**overrides: object) -> FetchPolicy:
    options: dict[str, object] = {"allow_hosts": LOCAL, "timeout": 1.5, "retries": 2,
                                  "backoff": 0.01, "max_bytes": CAP}
    options.update(overrides)
    return FetchPolicy(**options)  # type: ignore[arg-type]


def by_url(table) -> dict[str, dict]:  # noqa: ANN001 - an Arrow table
    return {row["url"]: row for row in table.to_pylist()}


def assert_no_key_twice(root: Path) -> None:
    with catalog.connect(root) as con:
        for view, key in (("articles", "article_id, content_sha256"), ("mentions", "mention_id"),
                          ("incidents_all", "incident_id"), ("feed_state", "feed_id")):
            total, distinct = con.execute(
                f"SELECT count(*), count(DISTINCT row({key})) FROM {view}").fetchall()[0]
            assert total == distinct, f"{view}: a key is stored twice"


# -- network faults and bad pages, through the steps of one ingest pass ---------------------------

RESET = "connection failed"  # the errno text after it differs between platforms
TRUNCATED = "connection failed: peer closed connection without sending complete message body"
METADATA = "refused: 169.254.169.254 is a cloud-metadata address"

# (mode, page, outcome, requests the server sees). Outcomes: ("article", language, has mentions),
# ("nothing",) for a page with no article, ("failed", reason prefix).
PAGE_CASES = [
    ("ok", "article_en.html", ("article", "en", True), 1),
    ("ok", "article_fr.html", ("article", "fr", False), 1),
    ("ok", "article_ar.html", ("article", "ar", False), 1),
    # no language declared; the feed says "en", but the text is Cyrillic: no language, not a wrong one
    ("ok", "article_ru_windows1251.html", ("article", None, False), 1),
    ("ok", "binary_as_html.png", ("nothing",), 1),
    ("ok", "empty.html", ("nothing",), 1),
    ("ok", "no_article.html", ("nothing",), 1),
    ("flaky", "article_en.html", ("article", "en", True), 3),  # 503, 503, 200
    ("busy", "article_en.html", ("article", "en", True), 2),  # 429 + Retry-After 1, then 200
    ("slow", "article_en.html", ("failed", "timeout after 1.5s"), 3),
    ("reset", "article_en.html", ("failed", RESET), 3),
    ("down", "article_en.html", ("failed", "HTTP 500"), 3),
    ("truncated", "article_en.html", ("failed", TRUNCATED), 3),
    ("ratelimited", "article_en.html", ("failed", "HTTP 429, Retry-After 3600s is over the 30s cap"), 1),
    ("loop", "article_en.html", ("failed", "redirect loop"), 1),
    ("tometa", "article_en.html", ("failed", METADATA + " (redirected to http://169.254.169.254/"), 1),
    ("wrongtype", "article_en.html", ("failed", "wrong content type for a page: image/png"), 1),
    ("oversize", "article_en.html", ("failed", "body over 200 kB cap"), 1),
    ("bomb", "article_en.html", ("failed", "body over 200 kB cap"), 1),
    ("private", "article_en.html", ("failed", "disallowed by robots.txt"), 0),
]


def internal_pages(port: int) -> list[tuple[str, str]]:
    """Article links a hostile feed may carry, each with the refusal it must get."""
    return [("http://10.0.0.1/news/1", "refused: 10.0.0.1 is a private address"),
            ("http://169.254.169.254/latest/meta-data/", METADATA),
            (f"http://localhost:{port}/ok/article_en.html", "refused: localhost (127.0.0.1) is a loopback address"),
            (f"http://[::1]:{port}/ok/article_en.html", "refused: ::1 is a loopback address")]


def ingest_pass(specs: list[FeedSpec], root: Path, fetch_policy: FetchPolicy) -> dict:
    """One pass of the ingest steps as the flow orders them; returns what each step gave."""
    prior = state.load_feed_state(root)
    polls = steps.poll_feeds(specs, prior, fetch_policy)
    entries = steps.new_entries(polls, state.seen_canonical_urls(root))
    pages, failures = steps.fetch_pages(entries, {s.id: s for s in specs}, fetch_policy, root)
    coded = steps.code_all(pages, workers=1, chunk_size=50)
    stored = store_coded(root, coded)
    state.save_feed_state(root, feed_state_rows(specs, polls, prior, coded))
    return {"polls": polls, "entries": entries, "pages": pages, "failures": failures,
            "coded": coded, "stored": stored}


def test_page_faults_are_recorded_per_url_and_the_rest_is_stored(tmp_path: Path) -> None:
    root = tmp_path / "data"
    with FaultServer(hostile_files(), etags=False) as srv:
        internal = internal_pages(srv.port)
        items = [(f"{mode} {name}", srv.url(mode, name), None) for mode, name, _, _ in PAGE_CASES]
        srv.files["newswire.xml"] = rss("Newswire", items + [("internal", u, None) for u, _ in internal])
        specs = [FeedSpec(id="newswire", url=srv.url("ok", "newswire.xml"), outlet="Newswire")]

        first = ingest_pass(specs, root, policy())
        failed = {f.target: f for f in first["failures"]}
        articles = by_url(parquet.read(root, "articles"))
        mentions = Counter(parquet.read(root, "mentions")["article_id"].to_pylist())
        for mode, name, outcome, hits in PAGE_CASES:
            url = srv.url(mode, name)
            assert srv.hits[f"/{mode}/{name}"] == hits, url
            if outcome[0] == "failed":
                assert failed[url].stage == "fetch" and failed[url].reason.startswith(outcome[1]), url
                assert url not in articles
            elif outcome[0] == "nothing":
                assert url not in failed and url not in articles
            else:
                _, language, coded = outcome
                assert url not in failed and articles[url]["language"] == language, url
                assert (mentions[articles[url]["article_id"]] > 0) == coded, url
        for url, reason in internal:
            assert failed[url].reason == reason
        assert len(failed) == sum(o[0] == "failed" for _, _, o, _ in PAGE_CASES) + len(internal)
        assert "Белгород" in articles[srv.url("ok", "article_ru_windows1251.html")]["text"]
        # Every 200 page body is in the raw store, articles or not (a later extractor may do better).
        month = utcnow().strftime("%Y-%m")
        assert len(list(RawStore(root).iter(month))) == len({p.body for p in first["pages"]})
        assert srv.hits["/robots.txt"] == 1  # one robots.txt per host and run

        # The servers recover: the next pass fetches what failed, and only that (and, as no table
        # remembers them, the pages that had no article: see RELIABILITY.md).
        srv.healed = True
        before = Counter(srv.hits)
        second = ingest_pass(specs, root, policy())
        refetched = {path for path in srv.hits if srv.hits[path] > before[path]}
        expected = {f"/{m}/{n}" for m, n, o, _ in PAGE_CASES if o[0] != "article" and m != "private"}
        assert refetched == expected | {"/ok/newswire.xml", "/robots.txt"}
        assert {f.target for f in second["failures"]} == {srv.url("private", "article_en.html")} | {
            u for u, _ in internal}
        healed = {srv.url(m, n) for m, n, o, _ in PAGE_CASES if o[0] == "failed" and m != "private"}
        assert healed <= set(by_url(parquet.read(root, "articles")))

        # robots.txt is a setting: with it off, the disallowed page is fetched too.
        ingest_pass(specs, root, policy(respect_robots=False))
        assert srv.url("private", "article_en.html") in by_url(parquet.read(root, "articles"))
    assert_no_key_twice(root)


def test_the_robots_and_allow_list_settings_reach_the_fetch_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.ingest import fetch_policy
    from flows.settings import Settings

    monkeypatch.setenv("FLAREWATCH_RESPECT_ROBOTS", "false")
    monkeypatch.setenv("FLAREWATCH_ALLOW_HOSTS", "127.0.0.1,feeds.internal.example")
    got = fetch_policy(Settings())
    assert got.respect_robots is False
    assert got.allow_hosts == frozenset({"127.0.0.1", "feeds.internal.example"})
    monkeypatch.delenv("FLAREWATCH_RESPECT_ROBOTS")
    monkeypatch.delenv("FLAREWATCH_ALLOW_HOSTS")
    assert fetch_policy(Settings()).respect_robots is True and fetch_policy(Settings()).allow_hosts == frozenset()


FEED_CASES = [  # (mode, status, reason prefix, requests)
    ("ok", "ok", None, 1),
    ("flaky", "ok", None, 3),
    ("busy", "ok", None, 2),
    ("slow", "error", "timeout after 1.5s", 3),
    ("reset", "error", RESET, 3),
    ("down", "error", "HTTP 500", 3),
    ("truncated", "error", TRUNCATED, 3),
    ("ratelimited", "error", "HTTP 429, Retry-After 3600s is over the 30s cap", 1),
    ("loop", "error", "redirect loop", 1),
    ("tometa", "error", METADATA + " (redirected to", 1),
    ("wrongtype", "error", "wrong content type for a feed: image/png", 1),
    ("oversize", "error", "body over 200 kB cap", 1),
    ("bomb", "error", "body over 200 kB cap", 1),
]


def test_feed_faults_are_recorded_per_feed_and_cleared_when_it_recovers(tmp_path: Path) -> None:
    root = tmp_path / "data"
    with FaultServer(hostile_files()) as srv:
        srv.files["newswire.xml"] = rss("Newswire", [("a", "https://news.example.org/a", "A story.")])
        specs = [FeedSpec(id=f"feed-{mode}", url=srv.url(mode, "newswire.xml"), outlet=mode)
                 for mode, *_ in FEED_CASES]
        polls = {p.feed_id: p for p in steps.poll_feeds(specs, {}, policy())}
        state.save_feed_state(root, feed_state_rows(specs, list(polls.values()), {}, []))
        stored = state.load_feed_state(root)
        for mode, status, reason, hits in FEED_CASES:
            poll, row = polls[f"feed-{mode}"], stored[f"feed-{mode}"]
            assert (poll.status, row["last_status"]) == (status, status), mode
            assert srv.hits[f"/{mode}/newswire.xml"] == hits, mode
            if reason is None:
                assert len(poll.entries) == 1 and row["last_error"] is None and row["etag"]
            else:
                assert row["last_error"].startswith(reason), mode
                assert row["consecutive_failures"] == 1 and row["etag"] is None

        srv.healed = True
        prior = state.load_feed_state(root)
        again = steps.poll_feeds(specs, prior, policy())
        state.save_feed_state(root, feed_state_rows(specs, again, prior, []))
        stored = state.load_feed_state(root)
        assert {r["last_error"] for r in stored.values()} == {None}
        assert {r["consecutive_failures"] for r in stored.values()} == {0}
        # The feeds that worked before now answer 304 to their stored ETag; the others are fetched.
        assert {p.feed_id for p in again if p.status == "not_modified"} == {
            f"feed-{m}" for m, status, *_ in FEED_CASES if status == "ok"}


def test_a_429_holds_back_every_request_to_its_host_and_starts_can_be_spaced() -> None:
    with FaultServer(hostile_files(), etags=False) as srv:
        pages = [srv.url("busy", "article_en.html")] + [
            srv.url("lag", name) for name in ("article_fr.html", "article_ar.html", "empty.html",
                                               "no_article.html", "article_ru_windows1251.html")]
        with Fetcher(policy(respect_robots=False)) as fetcher:
            assert [getattr(r, "status", r) for r in fetcher.get_many(pages)] == [200] * len(pages)
        t429 = min(t for t, path in srv.log if path.startswith("/busy/"))
        later = [t - t429 for t, _ in srv.log if t > t429]
        # Retry-After: 1 from one page holds back its siblings too. Two requests per host may be
        # in flight: the one sent together with the 429'd one may arrive just after it, no other.
        early = [d for d in later if d < 0.95]
        assert len(later) >= 5 and len(early) <= 1 and all(d < 0.5 for d in early)

        srv.log.clear()
        with Fetcher(policy(respect_robots=False, per_host_interval=0.3)) as fetcher:
            fetcher.get_many([srv.url("ok", n) for n in ("article_en.html", "article_fr.html",
                                                          "article_ar.html", "empty.html")])
        starts = sorted(t for t, _ in srv.log)
        # Starts 0.3 s apart. Arrival times at the server jitter by the client's connection set-up
        # (up to a few hundred ms on a loaded machine): one late arrival shortens one gap and
        # lengthens the next, so the span is what is checked; without spacing it would be ~0.
        assert starts[-1] - starts[0] >= 0.6


# -- bad input: hostile feed documents and the real-world feeds of the eval set ------------------

# file -> (number of entries) or the reason it is refused with
HOSTILE_FEEDS: dict[str, int | str] = {
    "broken_unescaped.xml": 2,
    "declared_utf16_is_utf8.xml": 1,
    "external_dtd.xml": 1,
    "illegally_nested.xml": 3,
    "latin1_no_declaration.xml": 1,
    "truncated_mid_item.xml": 1,
    "utf16_bom.xml": 1,
    "windows1251.xml": 1,
    "truncated_after_header.xml": "malformed feed with no entries",
    "empty.xml": "empty body",
    "binary_garbage.bin": "not a feed",
    "json_garbage.json": "not a feed",
    "html_instead_of_feed.html": "not a feed: an HTML page",
    "billion_laughs.xml": "refused: the document declares XML entities",
    "xxe_external_entity.xml": "refused: the document declares XML entities",
    "xxe_parameter_entity.xml": "refused: the document declares XML entities",
    "entities_behind_comment.xml": "refused: the document declares XML entities",
    "entities_in_utf7.xml": "refused: the document declares XML entities",
}
TITLES = {
    "declared_utf16_is_utf8.xml": "Frappe près de Gaza — « aucune victime »",
    "latin1_no_declaration.xml": "Ação policial em São Paulo deixa três feridos",
    "windows1251.xml": "Обстрел пригорода Белгорода",
}
# The eval set's two broken documents (see ../shared/eval/feeds/MANIFEST.md); every other one parses.
EVAL_BROKEN = {"dylanharris-malformed-namespaced.rss.xml", "reuters-mostread-truncated.rss.xml"}


def test_hostile_feeds_parse_or_fail_with_a_reason_and_never_fetch_a_dtd(tmp_path: Path) -> None:
    assert set(HOSTILE_FEEDS) == {p.name for p in (HOSTILE / "feeds").iterdir()}
    with FaultServer(hostile_files()) as srv:
        specs = [FeedSpec(id=f"h{n}", url=srv.url("ok", name), outlet=name)
                 for n, name in enumerate(HOSTILE_FEEDS)]
        started = time.monotonic()
        polls = steps.poll_feeds(specs, {}, policy())
        assert time.monotonic() - started < 20  # no expansion, no hang
        assert not [path for path in srv.hits if path.endswith(".dtd")]  # external DTD not fetched
    for spec, poll in zip(specs, polls, strict=True):
        expected = HOSTILE_FEEDS[spec.outlet]
        if isinstance(expected, int):
            assert (poll.status, len(poll.entries)) == ("ok", expected), spec.outlet
        else:
            assert poll.status == "error" and poll.error.startswith(expected), spec.outlet
        if spec.outlet in TITLES:
            assert poll.entries[0].title == TITLES[spec.outlet]
        assert all("root:x:0:0" not in (e.title or "") + (e.summary or "") for e in poll.entries)


@pytest.mark.slow  # 30+ real feeds from ../shared/eval through a server
@pytest.mark.skipif(not EVAL_FEEDS.is_dir(), reason="../shared/eval/feeds is not part of a clone")
def test_every_eval_feed_parses_or_fails_with_a_reason() -> None:
    files = {p.name: p.read_bytes() for p in sorted(EVAL_FEEDS.glob("*.xml"))}
    assert len(files) >= 30
    with FaultServer(files) as srv:
        specs = [FeedSpec(id=f"e{n}", url=srv.url("ok", name), outlet=name) for n, name in enumerate(files)]
        polls = steps.poll_feeds(specs, {}, policy(max_bytes=5_000_000))
    for spec, poll in zip(specs, polls, strict=True):
        if spec.outlet in EVAL_BROKEN:
            assert poll.status == "error" and poll.error.startswith("malformed feed with no entries")
        else:
            assert poll.status == "ok" and poll.entries, (spec.outlet, poll.error)
    cyrillic = next(p for s, p in zip(specs, polls, strict=True) if s.outlet.startswith("orenburg"))
    assert all(any("А" <= ch <= "я" for ch in e.title or "") for e in cyrillic.entries)


# -- SSRF: the default policy refuses internal addresses, named hosts are allowed one by one -----

FAKE_DNS = {"intranet.test": "10.0.0.1", "metadata.test": "169.254.169.254",
            "loopback.test": "127.0.0.1"}


@pytest.fixture()
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names under .test resolve as FAKE_DNS says; every other name as usual."""
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if isinstance(host, str) and host in FAKE_DNS:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (FAKE_DNS[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(netguard.socket, "getaddrinfo", resolve)


def internal_feeds(port: int) -> dict[str, tuple[str, str]]:
    """feed id -> (URL, the refusal a default policy gives it)."""
    return {
        "loopback": (f"http://127.0.0.1:{port}/ok/newswire.xml", "refused: 127.0.0.1 is a loopback address"),
        "private": ("http://10.0.0.1/feed.xml", "refused: 10.0.0.1 is a private address"),
        "metadata": ("http://169.254.169.254/latest/meta-data/", METADATA),
        "localhost": (f"http://localhost:{port}/ok/newswire.xml",
                      "refused: localhost (127.0.0.1) is a loopback address"),
        "ipv6-loopback": (f"http://[::1]:{port}/ok/newswire.xml", "refused: ::1 is a loopback address"),
        "name-to-private": ("http://intranet.test/feed.xml", "refused: intranet.test (10.0.0.1) is a private address"),
        "name-to-metadata": ("http://metadata.test/latest/",
                             "refused: metadata.test (169.254.169.254) is a cloud-metadata address"),
        "name-to-loopback": (f"http://loopback.test:{port}/ok/newswire.xml",
                             "refused: loopback.test (127.0.0.1) is a loopback address"),
    }


def test_default_policy_refuses_every_internal_feed_and_an_allowed_host_only_lifts_itself(
    fake_dns: None, tmp_path: Path
) -> None:
    with FaultServer(hostile_files()) as srv:
        srv.files["newswire.xml"] = rss("Newswire", [("a", "https://news.example.org/a", "A story.")])
        feeds = internal_feeds(srv.port)
        specs = [FeedSpec(id=i, url=u, outlet=i) for i, (u, _) in feeds.items()]
        default = FetchPolicy(timeout=1.0, retries=0)
        assert default.allow_hosts == frozenset()
        polls = {p.feed_id: p for p in steps.poll_feeds(specs, {}, default)}
        assert {i: p.error for i, p in polls.items()} == {i: r for i, (_, r) in feeds.items()}
        assert not srv.hits  # refused before a connection is opened

        allowed = {p.feed_id: p for p in steps.poll_feeds(specs, {}, FetchPolicy(
            timeout=1.0, retries=0, allow_hosts=frozenset({"127.0.0.1"})))}
        assert allowed.pop("loopback").status == "ok"
        assert {i: p.error for i, p in allowed.items()} == {
            i: r for i, (_, r) in feeds.items() if i != "loopback"}
        assert srv.hits == Counter({"/ok/newswire.xml": 1})


# -- the real ingest flow and CLI (Prefect harness) --------------------------------------------


@pytest.fixture()
def flow_env(prefect_harness, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings for flow runs against the fault server; stamina's backoff waits switched off."""
    import stamina

    for key, value in {"FLAREWATCH_TIMEOUT": "1.5", "FLAREWATCH_MAX_BYTES": str(CAP),
                       "FLAREWATCH_WORKERS": "1", "PREFECT_LOGGING_LEVEL": "WARNING",
                       "PREFECT_LOGGING_SERVER_LEVEL": "CRITICAL"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("FLAREWATCH_ALLOW_HOSTS", raising=False)
    with stamina.set_testing(True, attempts=3, cap=True):  # attempts as the policy says, no waits
        yield


def write_feed_list(path: Path, feeds: Mapping[str, str]) -> Path:
    lines = ["feeds:"] + [f'  - {{id: {i}, url: "{u}", outlet: {i}}}' for i, u in feeds.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ingest_flow_records_failures_and_a_rerun_fetches_only_what_failed(
    flow_env: None, tmp_path: Path
) -> None:
    from flows.ingest import ingest

    root = tmp_path / "data"
    pages = [("ok", "article_en.html"), ("ok", "article_fr.html"), ("ok", "no_article.html"),
             ("flaky", "article_en.html"), ("down", "article_en.html"), ("reset", "article_en.html"),
             ("wrongtype", "article_en.html"), ("private", "article_en.html")]
    with FaultServer(hostile_files(), etags=False) as srv:
        srv.files["newswire.xml"] = rss("Newswire", [(f"{m} {n}", srv.url(m, n), None) for m, n in pages])
        feed_list = write_feed_list(tmp_path / "feeds.yaml", {
            "newswire": srv.url("ok", "newswire.xml"), "broken": srv.url("down", "newswire.xml"),
            "moved": srv.url("ok", "html_instead_of_feed.html"),
            "laughs": srv.url("ok", "billion_laughs.xml")})
        first = ingest(feeds=str(feed_list), data=str(root), allow_hosts=["127.0.0.1"])
        got = {(f["stage"], f["target"]): f["reason"] for f in first["failures"]}
        assert got == {
            ("feed", "broken"): "HTTP 500",
            ("feed", "moved"): "not a feed: an HTML page",
            ("feed", "laughs"): "refused: the document declares XML entities (expansion attack?)",
            ("fetch", srv.url("down", "article_en.html")): "HTTP 500",
            ("fetch", srv.url("reset", "article_en.html")): got[("fetch", srv.url("reset", "article_en.html"))],
            ("fetch", srv.url("wrongtype", "article_en.html")): "wrong content type for a page: image/png",
            ("fetch", srv.url("private", "article_en.html")): "disallowed by robots.txt",
        }
        assert got[("fetch", srv.url("reset", "article_en.html"))].startswith(RESET)
        assert (first["feeds_failed"], first["new_articles"]) == (3, 3)  # en, fr, flaky en
        rows = state.load_feed_state(root)
        assert {i: (r["last_status"], r["last_error"], r["consecutive_failures"]) for i, r in rows.items()} == {
            "newswire": ("ok", None, 0), "broken": ("error", "HTTP 500", 1),
            "moved": ("error", "not a feed: an HTML page", 1),
            "laughs": ("error", "refused: the document declares XML entities (expansion attack?)", 1)}
        with catalog.connect(root) as con:
            assert con.execute("SELECT failures FROM runs").fetchall() == [(len(got),)]

        srv.healed = True
        second = ingest(feeds=str(feed_list), data=str(root), allow_hosts=["127.0.0.1"])
        assert {(f["stage"], f["target"]) for f in second["failures"]} == {
            ("feed", "moved"), ("feed", "laughs"), ("fetch", srv.url("private", "article_en.html"))}
        assert second["new_articles"] == 3  # down, reset and wrongtype, healed
        assert srv.hits["/ok/article_en.html"] == srv.hits["/flaky/article_en.html"] - 2 == 1
        rows = state.load_feed_state(root)
        assert {i: (r["last_error"] is None, r["consecutive_failures"]) for i, r in rows.items()} == {
            "newswire": (True, 0), "broken": (True, 0), "moved": (False, 2), "laughs": (False, 2)}
    assert_no_key_twice(root)


def test_rerun_fetches_a_failed_page_even_when_its_feed_answers_304(
    flow_env: None, tmp_path: Path
) -> None:
    from flows.ingest import ingest

    root = tmp_path / "data"
    with FaultServer(hostile_files(), etags=True) as srv:
        srv.files["newswire.xml"] = rss("Newswire", [
            ("en", srv.url("ok", "article_en.html"), None), ("fr", srv.url("down", "article_fr.html"), None)])
        feed_list = write_feed_list(tmp_path / "feeds.yaml", {"newswire": srv.url("ok", "newswire.xml")})
        first = ingest(feeds=str(feed_list), data=str(root), allow_hosts=["127.0.0.1"])
        assert [f["target"] for f in first["failures"]] == [srv.url("down", "article_fr.html")]
        srv.healed = True
        ingest(feeds=str(feed_list), data=str(root), allow_hosts=["127.0.0.1"])
        assert srv.url("down", "article_fr.html") in by_url(parquet.read(root, "articles"))


def test_flow_default_settings_refuse_internal_feeds_and_the_allow_list_lifts_one_host(
    flow_env: None, fake_dns: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.ingest import PollFailed, ingest

    root = tmp_path / "data"
    with FaultServer(hostile_files()) as srv:
        srv.files["newswire.xml"] = rss("Newswire", [("en", srv.url("ok", "article_en.html"), None)])
        feeds = internal_feeds(srv.port)
        feed_list = write_feed_list(tmp_path / "feeds.yaml", {i: u for i, (u, _) in feeds.items()})
        with pytest.raises(PollFailed, match="every feed failed") as failed:  # no allow list anywhere
            ingest(feeds=str(feed_list), data=str(root))
        first = failed.value.summary
        assert {f["target"]: f["reason"] for f in first["failures"]} == {i: r for i, (_, r) in feeds.items()}
        assert {i: r["last_error"] for i, r in state.load_feed_state(root).items()} == {
            i: r for i, (_, r) in feeds.items()}
        assert not srv.hits

        monkeypatch.setenv("FLAREWATCH_ALLOW_HOSTS", " 127.0.0.1 , ")  # comma-separated
        second = ingest(feeds=str(feed_list), data=str(root))
        assert second["new_articles"] == 1
        assert {f["target"]: f["reason"] for f in second["failures"]} == {
            i: r for i, (_, r) in feeds.items() if i != "loopback"}


def test_cli_run_refuses_loopback_unless_allow_host_names_it(
    flow_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main

    with FaultServer(hostile_files()) as srv:
        srv.files["newswire.xml"] = rss("Newswire", [("en", srv.url("ok", "article_en.html"), None)])
        feed_list = write_feed_list(tmp_path / "feeds.yaml", {
            "by-address": srv.url("ok", "newswire.xml"),
            "by-name": f"http://localhost:{srv.port}/ok/newswire.xml"})
        base = ["run", "--feeds", str(feed_list), "--data", str(tmp_path / "data")]
        assert main(base) == 3  # every feed failed: the poll failed
        out = capsys.readouterr().out
        assert "failed feed: by-address: refused: 127.0.0.1 is a loopback address" in out
        assert "failed feed: by-name: refused: localhost (127.0.0.1) is a loopback address" in out
        assert not srv.hits

        assert main([*base, "--allow-host", "127.0.0.1"]) == 1  # that host only, not the name
        out = capsys.readouterr().out
        assert "1 new articles" in out and "by-address" not in out
        assert "failed feed: by-name: refused: localhost (127.0.0.1)" in out

        assert main([*base, "--allow-host", "127.0.0.1", "--allow-host", "localhost"]) == 0
        assert "0 failed" in capsys.readouterr().out
