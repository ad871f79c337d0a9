"""Feed list, feed parsing on fixtures of every kind real feeds show, and polling over HTTP."""

from __future__ import annotations

import datetime as dt
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request
from werkzeug import Response as WResponse

from extractors import SEEDS_DIR
from extractors.feeds import FeedListError, FeedParseError, load_feed_list, parse_feed, poll_feed
from extractors.fetch import Fetcher
from extractors.fetch_types import FetchPolicy
from extractors.records import FeedSpec

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
BASE = "https://news.example.com/world/rss.xml"
NOW = dt.datetime(2026, 2, 18, 12, 0, tzinfo=dt.UTC)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# -- parse_feed -----------------------------------------------------------------------------

def test_rss20() -> None:
    entries = parse_feed("ex", fixture("rss20.xml"), base_url=BASE)
    assert [e.canonical_url for e in entries] == [  # no-link item skipped, duplicate dropped
        "https://news.example.com/world/2026/02/17/drone-strike-erbil?id=42",
        "https://news.example.com/world/2026/02/16/talks-resume",  # relative link resolved
    ]
    first, second = entries
    assert first.feed_id == "ex" and first.entry_id == "news-example-42"
    assert first.title == "Drone strike hits fuel depot near Erbil"
    assert first.summary == "A drone struck a fuel depot near Erbil on Tuesday, officials said. " \
                            "No casualties were reported."
    assert first.published_at == dt.datetime(2026, 2, 17, 15, 35, 6, tzinfo=dt.UTC)
    assert first.url.startswith("https://news.example.com/world/2026/02/17/drone-strike-erbil?utm_source")
    assert second.title == "Talks resume in Geneva & Vienna"
    assert second.summary == "Negotiators met again on Monday."
    assert second.published_at == dt.datetime(2026, 2, 16, 9, 0, tzinfo=dt.UTC)


def test_atom() -> None:
    first, second = parse_feed("wire", fixture("atom.xml"), base_url=BASE)
    assert first.title == "Shelling reported in Kharkiv region"
    assert first.summary == "Regional officials reported shelling overnight."
    assert first.published_at == dt.datetime(2026, 2, 17, 23, 30, tzinfo=dt.UTC)  # +02:00 -> UTC
    assert second.published_at == dt.datetime(2026, 2, 17, 12, 0, tzinfo=dt.UTC)  # updated only
    assert second.summary == "Content used when there is no summary."


def test_rss10_rdf() -> None:
    (entry,) = parse_feed("dw", fixture("rss10.rdf"), base_url=BASE)
    assert entry.canonical_url == "https://rdf.example.net/en/a-1001"
    assert entry.published_at == dt.datetime(2026, 2, 18, 0, 15, tzinfo=dt.UTC)


def test_windows_1251() -> None:
    (entry,) = parse_feed("oren", fixture("windows1251.xml"), base_url=BASE)
    assert entry.title == "Взрыв на складе в Белгороде"
    assert entry.summary == "Власти сообщили о взрыве на складе боеприпасов."
    assert entry.published_at == dt.datetime(2014, 1, 22, 14, 31, 31, tzinfo=dt.UTC)


def test_wrong_declared_encoding() -> None:
    (entry,) = parse_feed("blog", fixture("wrong_declared_encoding.xml"), base_url=BASE)
    assert entry.title == "Frappe près de Gaza — « aucune victime »"


def test_slightly_broken_feed_with_entries_is_accepted() -> None:
    (entry,) = parse_feed("tc", fixture("leading_whitespace.xml"), base_url=BASE)
    assert entry.title == "Usable despite bozo"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.xml", "empty body"),
        ("not_a_feed.html", "not a feed: an HTML page"),
        ("truncated.xml", "malformed feed with no entries"),
        ("billion_laughs.xml", "refused: the document declares XML entities"),
        ("quadratic_blowup.xml", "refused: the document declares XML entities"),
    ],
)
def test_rejected_documents(name: str, reason: str) -> None:
    with pytest.raises(FeedParseError) as info:
        parse_feed("x", fixture(name), base_url=BASE)
    assert info.value.reason.startswith(reason)


def test_entity_guard_is_what_keeps_memory_flat(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the guard, feedparser's loose parser expands the entity 5,000 times (10 MB)."""
    from extractors import feeds

    monkeypatch.setattr(feeds, "_ENTITY_DECL", __import__("re").compile(rb"(?!x)x"))
    tracemalloc.start()
    try:
        entries = parse_feed("x", fixture("quadratic_blowup.xml"), base_url=BASE)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(entries[0].summary or "") >= 10_000_000 and peak > 10_000_000


def test_dates_feedparser_cannot_read_are_parsed() -> None:
    body = (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>UOL</title>'
            b'<item><title>Ibope</title><link>https://noticias.example.com.br/a</link>'
            b'<pubDate>Seg, 24 Set 2018 19:42:40 -0300</pubDate></item>'
            b'<item><title>Relative</title><link>https://noticias.example.com.br/b</link>'
            b'<pubDate>ontem</pubDate></item></channel></rss>')
    first, second = parse_feed("uol", body, base_url=BASE)
    assert first.published_at == dt.datetime(2018, 9, 24, 22, 42, 40, tzinfo=dt.UTC)
    assert second.published_at is None  # a relative date would depend on the machine's clock


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=200).map(lambda b: b'<?xml version="1.0"?><rss version="2.0"><channel>' + b),
    st.binary(max_size=200).map(lambda b: fixture("rss20.xml")[:200] + b),
))
def test_arbitrary_bytes_never_crash(body: bytes) -> None:
    try:
        entries = parse_feed("x", body, base_url=BASE)
    except FeedParseError as exc:
        assert exc.reason
    else:
        assert all(e.canonical_url.startswith("http") for e in entries)


# -- load_feed_list -------------------------------------------------------------------------

def test_seed_feed_list_is_valid() -> None:
    specs = load_feed_list(SEEDS_DIR / "feeds.yaml")
    assert len(specs) >= 12 and all(s.enabled for s in specs)
    assert len({s.id for s in specs}) == len(specs)
    assert all(s.url.startswith("https://") for s in specs)
    assert {"en", "ar"} <= {s.language for s in specs}


def test_feed_list_names_the_bad_item(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n  - {id: ok, url: 'https://a.example/rss', outlet: A}\n"
                    "  - {id: bad-one, url: 'ftp://b.example/rss', outlet: B}\n")
    with pytest.raises(FeedListError, match=r"feed #2 \('bad-one'\): url: .*http\(s\) URL"):
        load_feed_list(path)
    path.write_text("feeds:\n  - {id: a, url: 'https://a.example/rss', outlet: A, colour: red}\n")
    with pytest.raises(FeedListError, match=r"feed #1 \('a'\): colour: Extra inputs"):
        load_feed_list(path)
    path.write_text("feeds:\n  - {id: a, url: 'https://a.example/rss', outlet: A}\n"
                    "  - {id: a, url: 'https://b.example/rss', outlet: B}\n")
    with pytest.raises(FeedListError, match="used twice"):
        load_feed_list(path)
    path.write_text("- just a list\n")
    with pytest.raises(FeedListError, match="'feeds:' list"):
        load_feed_list(path)


def test_feed_list_defaults(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n  - {id: a, url: 'https://a.example/rss', outlet: A}\n"
                    "  - {id: b, url: 'https://b.example/rss', outlet: B, language: ar, enabled: false}\n")
    assert load_feed_list(path) == [
        FeedSpec(id="a", url="https://a.example/rss", outlet="A", language="en", enabled=True),
        FeedSpec(id="b", url="https://b.example/rss", outlet="B", language="ar", enabled=False),
    ]


# -- poll_feed over HTTP --------------------------------------------------------------------

@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture()
def http(server: HTTPServer) -> Iterator[HTTPServer]:
    server.clear()
    yield server
    server.clear()


def _fetcher() -> Fetcher:
    return Fetcher(FetchPolicy(allow_hosts=frozenset({"127.0.0.1"}), retries=0, timeout=2.0))


def test_poll_ok_then_not_modified(http: HTTPServer) -> None:
    body = fixture("rss20.xml")

    def handler(request: Request) -> WResponse:
        if request.headers.get("If-None-Match") == '"abc"':
            return WResponse(status=304, headers={"ETag": '"abc"'})
        return WResponse(body, headers={"Content-Type": "application/rss+xml", "ETag": '"abc"',
                                        "Last-Modified": "Tue, 17 Feb 2026 16:00:00 GMT"})

    http.expect_request("/rss.xml").respond_with_handler(handler)
    spec = FeedSpec(id="ex", url=http.url_for("/rss.xml"), outlet="Example")
    with _fetcher() as f:
        first = poll_feed(f, spec, etag=None, last_modified=None, now=NOW)
        second = poll_feed(f, spec, etag=first.etag, last_modified=first.last_modified, now=NOW)
    assert (first.status, first.http_status, len(first.entries)) == ("ok", 200, 2)
    assert first.etag == '"abc"' and first.last_modified == "Tue, 17 Feb 2026 16:00:00 GMT"
    assert first.body == body and first.fetched_at == NOW and first.error is None
    assert (second.status, second.http_status, second.entries) == ("not_modified", 304, ())
    assert second.etag == '"abc"' and second.body is None


def test_poll_network_error_keeps_validators(http: HTTPServer) -> None:
    http.expect_request("/rss.xml").respond_with_data("down", status=503)
    spec = FeedSpec(id="ex", url=http.url_for("/rss.xml"), outlet="Example")
    with _fetcher() as f:
        poll = poll_feed(f, spec, etag='"old"', last_modified="Mon, 16 Feb 2026 00:00:00 GMT", now=NOW)
    assert (poll.status, poll.error, poll.http_status) == ("error", "HTTP 503", 503)
    assert poll.etag == '"old"' and poll.last_modified == "Mon, 16 Feb 2026 00:00:00 GMT"


def test_poll_html_instead_of_feed_is_an_error_with_body(http: HTTPServer) -> None:
    page = fixture("not_a_feed.html")
    http.expect_request("/rss.xml").respond_with_data(
        page, headers={"Content-Type": "text/html", "ETag": '"new"'})
    spec = FeedSpec(id="ex", url=http.url_for("/rss.xml"), outlet="Example")
    with _fetcher() as f:
        poll = poll_feed(f, spec, etag='"old"', last_modified=None, now=NOW)
    assert (poll.status, poll.error, poll.http_status) == ("error", "not a feed: an HTML page", 200)
    assert poll.body == page and poll.etag == '"old"'  # the broken document is not cached away


def test_poll_refused_host_is_an_error() -> None:
    spec = FeedSpec(id="meta", url="http://169.254.169.254/latest/meta-data/", outlet="x")
    with _fetcher() as f:
        poll = poll_feed(f, spec, etag=None, last_modified=None, now=NOW)
    assert poll.status == "error" and poll.error == "refused: 169.254.169.254 is a cloud-metadata address"
