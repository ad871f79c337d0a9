"""The guarded fetcher against a real local HTTP server (127.0.0.1 only)."""

from __future__ import annotations

import gzip
import pickle
import socket
import threading
import time
import tracemalloc
from collections.abc import Iterator

import httpcore
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request
from werkzeug import Response as WResponse

from extractors import netguard
from extractors.fetch import Fetcher
from extractors.fetch_types import FetchError, FetchPolicy, Response

HTML = {"Content-Type": "text/html; charset=utf-8"}
LOCAL = frozenset({"127.0.0.1"})


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.clear()
    if srv.is_running():
        srv.stop()


@pytest.fixture()
def http(server: HTTPServer) -> Iterator[HTTPServer]:
    server.clear()
    yield server
    server.clear()


def fetcher(**overrides: object) -> Fetcher:
    options: dict[str, object] = {"allow_hosts": LOCAL, "timeout": 2.0, "backoff": 0.01,
                                  "retries": 2, "respect_robots": False}
    options.update(overrides)
    return Fetcher(FetchPolicy(**options))  # type: ignore[arg-type]


def reason_of(call) -> FetchError:  # noqa: ANN001
    with pytest.raises(FetchError) as info:
        call()
    return info.value


# -- plain fetching -------------------------------------------------------------------------

def test_get_returns_body_headers_and_user_agent(http: HTTPServer) -> None:
    seen: dict[str, str] = {}

    def handler(request: Request) -> WResponse:
        seen.update(request.headers)
        return WResponse("<html><p>hello</p></html>", headers=HTML)

    http.expect_request("/page").respond_with_handler(handler)
    with fetcher() as f:
        response = f.get(http.url_for("/page"), kind="page")
    assert response.status == 200 and response.body == b"<html><p>hello</p></html>"
    assert response.headers["content-type"].startswith("text/html")
    assert response.final_url == response.url == http.url_for("/page")
    assert response.fetched_at.tzinfo is not None
    assert seen["User-Agent"].startswith("flarewatch/")
    assert "gzip" in seen["Accept-Encoding"]


def test_gzip_body_is_decoded(http: HTTPServer) -> None:
    http.expect_request("/gz").respond_with_data(
        gzip.compress(b"<html>" + b"x" * 10_000 + b"</html>"),
        headers={**HTML, "Content-Encoding": "gzip"})
    with fetcher() as f:
        assert f.get(http.url_for("/gz")).body == b"<html>" + b"x" * 10_000 + b"</html>"


@pytest.mark.parametrize("header", ["etag", "last_modified"])
def test_conditional_get_round_trip(http: HTTPServer, header: str) -> None:
    etag, stamp = '"v1"', "Tue, 17 Feb 2026 10:00:00 GMT"

    def handler(request: Request) -> WResponse:
        if request.headers.get("If-None-Match") == etag or \
                request.headers.get("If-Modified-Since") == stamp:
            return WResponse(status=304, headers={"ETag": etag})
        return WResponse("<rss/>", headers={"Content-Type": "application/rss+xml",
                                            "ETag": etag, "Last-Modified": stamp})

    http.expect_request("/feed").respond_with_handler(handler)
    with fetcher() as f:
        first = f.get(http.url_for("/feed"), kind="feed")
        assert first.status == 200 and first.body == b"<rss/>"
        validators = {"etag": first.headers["etag"]} if header == "etag" else \
            {"last_modified": first.headers["last-modified"]}
        second = f.get(http.url_for("/feed"), kind="feed", **validators)
    assert second.status == 304 and second.body == b""


# -- failures and retries -------------------------------------------------------------------

def test_timeout(http: HTTPServer) -> None:
    def slow(request: Request) -> WResponse:
        time.sleep(0.6)
        return WResponse("late", headers=HTML)

    http.expect_request("/slow").respond_with_handler(slow)
    with fetcher(timeout=0.2, retries=0) as f:
        error = reason_of(lambda: f.get(http.url_for("/slow")))
    assert error.reason == "timeout after 0.2s" and error.status is None


def test_trickling_body_hits_the_total_deadline(http: HTTPServer) -> None:
    def trickle() -> Iterator[bytes]:
        for _ in range(10):
            time.sleep(0.1)
            yield b"<p>drip</p>"

    http.expect_request("/drip").respond_with_handler(
        lambda request: WResponse(trickle(), headers=HTML))
    with fetcher(timeout=0.35, retries=0) as f:
        error = reason_of(lambda: f.get(http.url_for("/drip")))
    assert error.reason == "timeout after 0.35s"


def test_5xx_then_success_is_retried(http: HTTPServer) -> None:
    calls = []

    def flaky(request: Request) -> WResponse:
        calls.append(1)
        return WResponse("busy", status=503) if len(calls) < 3 else WResponse("ok", headers=HTML)

    http.expect_request("/flaky").respond_with_handler(flaky)
    with fetcher(retries=2) as f:
        assert f.get(http.url_for("/flaky")).body == b"ok"
    assert len(calls) == 3


def test_5xx_gives_up_after_retries(http: HTTPServer) -> None:
    calls = []
    http.expect_request("/down").respond_with_handler(
        lambda request: calls.append(1) or WResponse("down", status=503))
    with fetcher(retries=1) as f:
        error = reason_of(lambda: f.get(http.url_for("/down")))
    assert (error.reason, error.status, len(calls)) == ("HTTP 503", 503, 2)
    assert pickle.loads(pickle.dumps(error)).reason == "HTTP 503"


def test_404_is_not_retried(http: HTTPServer) -> None:
    calls = []
    http.expect_request("/gone").respond_with_handler(
        lambda request: calls.append(1) or WResponse("no", status=404))
    with fetcher(retries=3) as f:
        error = reason_of(lambda: f.get(http.url_for("/gone")))
    assert (error.reason, error.status, len(calls)) == ("HTTP 404", 404, 1)


def test_429_honours_retry_after(http: HTTPServer) -> None:
    calls: list[float] = []

    def limited(request: Request) -> WResponse:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return WResponse("slow down", status=429, headers={"Retry-After": "1"})
        return WResponse("ok", headers=HTML)

    http.expect_request("/limited").respond_with_handler(limited)
    with fetcher(backoff=0.0) as f:
        assert f.get(http.url_for("/limited")).body == b"ok"
    assert calls[1] - calls[0] >= 0.95  # waited as told, not the 0 s backoff


def test_429_with_retry_after_over_the_cap_gives_up_at_once(http: HTTPServer) -> None:
    calls = []
    http.expect_request("/later").respond_with_handler(
        lambda request: calls.append(1) or WResponse("", status=429, headers={"Retry-After": "3600"}))
    with fetcher(max_retry_after=5.0) as f:
        error = reason_of(lambda: f.get(http.url_for("/later")))
    assert error.status == 429 and "Retry-After 3600s" in error.reason and len(calls) == 1


def test_redirects_are_followed(http: HTTPServer) -> None:
    http.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    http.expect_request("/new").respond_with_data("<html>new</html>", headers=HTML)
    with fetcher() as f:
        response = f.get(http.url_for("/old"))
    assert response.final_url == http.url_for("/new") and response.url == http.url_for("/old")


def test_redirect_loop(http: HTTPServer) -> None:
    http.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    http.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    with fetcher() as f:
        assert reason_of(lambda: f.get(http.url_for("/a"))).reason == "redirect loop"


def test_too_many_redirects(http: HTTPServer) -> None:
    for i in range(4):
        http.expect_request(f"/r{i}").respond_with_data("", status=307, headers={"Location": f"/r{i + 1}"})
    with fetcher(max_redirects=2) as f:
        assert reason_of(lambda: f.get(http.url_for("/r0"))).reason == "too many redirects (over 2)"


# -- size cap -------------------------------------------------------------------------------

def test_body_over_cap_with_content_length(http: HTTPServer) -> None:
    http.expect_request("/big").respond_with_data(b"x" * 5000, headers=HTML)
    with fetcher(max_bytes=1000) as f:
        assert reason_of(lambda: f.get(http.url_for("/big"))).reason == "body over 1 kB cap"


def test_streamed_body_over_cap_without_content_length(http: HTTPServer) -> None:
    http.expect_request("/stream").respond_with_handler(
        lambda request: WResponse((b"y" * 400 for _ in range(10)), headers=HTML))
    with fetcher(max_bytes=1000) as f:
        assert reason_of(lambda: f.get(http.url_for("/stream"))).reason == "body over 1 kB cap"


def test_gzip_bomb_is_refused_without_inflating(http: HTTPServer) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)  # ~50 kB on the wire, 50 MB inflated
    assert len(bomb) < 100_000
    http.expect_request("/bomb").respond_with_data(bomb, headers={**HTML, "Content-Encoding": "gzip"})
    with fetcher(max_bytes=1_000_000) as f:
        tracemalloc.start()
        try:
            error = reason_of(lambda: f.get(http.url_for("/bomb")))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert error.reason == "body over 1 MB cap"
    # Decoding is bounded by the cap: an unbounded decoder would hold the 50 MB at once. (The
    # peak also counts the in-process test server and pytest's log capture, hence the margin.)
    assert peak < 20_000_000


def test_wrong_content_type_for_a_page(http: HTTPServer) -> None:
    http.expect_request("/doc.pdf").respond_with_data(
        b"%PDF-1.7", headers={"Content-Type": "application/pdf"})
    with fetcher() as f:
        error = reason_of(lambda: f.get(http.url_for("/doc.pdf"), kind="page"))
        assert error.reason == "wrong content type for a page: application/pdf"
        assert f.get(http.url_for("/doc.pdf")).body == b"%PDF-1.7"  # kind "any" takes it


def test_wrong_content_type_for_a_feed(http: HTTPServer) -> None:
    http.expect_request("/logo").respond_with_data(b"\x89PNG", headers={"Content-Type": "image/png"})
    http.expect_request("/rss").respond_with_data(
        b"<rss/>", headers={"Content-Type": "text/xml; charset=utf-8"})
    with fetcher() as f:
        assert reason_of(lambda: f.get(http.url_for("/logo"), kind="feed")).reason == \
            "wrong content type for a feed: image/png"
        assert f.get(http.url_for("/rss"), kind="feed").body == b"<rss/>"


# -- SSRF guard ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.1/admin", "refused: 10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "refused: 169.254.169.254 is a cloud-metadata address"),
        ("http://[fd00:ec2::254]/latest/", "refused: fd00:ec2::254 is a cloud-metadata address"),
        ("http://192.168.1.1/", "refused: 192.168.1.1 is a private address"),
        ("http://[::ffff:10.0.0.1]/", "refused: ::ffff:10.0.0.1 is a private address"),
        ("http://0.0.0.0:9/", "refused: 0.0.0.0 is an unspecified address"),
    ],
)
def test_ssrf_refuses_internal_addresses(url: str, reason: str) -> None:
    with fetcher() as f:  # refused before any connection is attempted
        assert reason_of(lambda: f.get(url)).reason == reason


def test_ssrf_refuses_loopback_unless_allowed(http: HTTPServer) -> None:
    http.expect_request("/x").respond_with_data("ok", headers=HTML)
    with fetcher(allow_hosts=frozenset()) as f:
        assert reason_of(lambda: f.get(http.url_for("/x"))).reason == \
            "refused: 127.0.0.1 is a loopback address"
    with fetcher() as f:  # 127.0.0.1 allowed, but not the name "localhost"
        assert f.get(http.url_for("/x")).body == b"ok"
        port = http.url_for("/").split(":")[2].rstrip("/")
        assert reason_of(lambda: f.get(f"http://localhost:{port}/x")).reason.startswith(
            "refused: localhost (")


def test_ssrf_redirect_from_allowed_host_to_refused_one(http: HTTPServer) -> None:
    http.expect_request("/go").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    with fetcher() as f:
        error = reason_of(lambda: f.get(http.url_for("/go")))
    assert error.reason == ("refused: 169.254.169.254 is a cloud-metadata address "
                            "(redirected to http://169.254.169.254/latest/meta-data/)")


def test_ssrf_every_resolved_address_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    def resolve(host, port, *args, **kwargs):  # noqa: ANN001, ANN202
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]

    monkeypatch.setattr(netguard.socket, "getaddrinfo", resolve)
    with fetcher() as f:
        assert reason_of(lambda: f.get("http://mixed.example/")).reason == \
            "refused: mixed.example (10.1.2.3) is a private address"


def test_ssrf_guard_holds_at_connect_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the name resolves to a public address for the check, then to loopback."""
    answers = iter(["93.184.215.14", "127.0.0.1", "127.0.0.1", "127.0.0.1"])

    def resolve(host, port, *args, **kwargs):  # noqa: ANN001, ANN202
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(netguard.socket, "getaddrinfo", resolve)
    with fetcher(retries=0) as f:
        error = reason_of(lambda: f.get("http://rebind.example:9/"))
    assert error.reason == "refused: rebind.example (127.0.0.1) is a loopback address"


def test_guarded_backend_refuses_directly() -> None:
    backend = netguard.GuardedBackend(frozenset())
    with pytest.raises(netguard.Refused):
        backend.connect_tcp("127.0.0.1", 9)
    with pytest.raises(httpcore.ConnectError):  # allowed, and nothing listens on port 9
        netguard.GuardedBackend(LOCAL).connect_tcp("127.0.0.1", 9, timeout=1)


def test_non_http_urls_are_refused() -> None:
    with fetcher() as f:
        assert reason_of(lambda: f.get("file:///etc/passwd")).reason == \
            "not an http(s) URL: file:///etc/passwd"


# -- robots.txt and get_many ----------------------------------------------------------------

def test_robots_disallow_and_single_robots_fetch(http: HTTPServer) -> None:
    robots_calls = []
    http.expect_request("/robots.txt").respond_with_handler(
        lambda request: robots_calls.append(1) or WResponse(
            "User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"}))
    http.expect_request("/public/a").respond_with_data("<html>a</html>", headers=HTML)
    http.expect_request("/public/b").respond_with_data("<html>b</html>", headers=HTML)
    urls = [http.url_for("/private/x"), http.url_for("/public/a"), http.url_for("/public/b")]
    with fetcher(respect_robots=True) as f:
        results = f.get_many(urls)
        # plain get() skips robots: the request reaches the server (which has no such page)
        assert reason_of(lambda: f.get(http.url_for("/private/x"), check_robots=False)).reason == "HTTP 500"
    assert isinstance(results[0], FetchError) and results[0].reason == "disallowed by robots.txt"
    assert [r.body for r in results[1:]] == [b"<html>a</html>", b"<html>b</html>"]  # type: ignore[union-attr]
    assert len(robots_calls) == 1


def test_robots_missing_allows_and_unreachable_refuses(http: HTTPServer) -> None:
    http.expect_request("/robots.txt").respond_with_data("", status=404)
    http.expect_request("/page").respond_with_data("<html>p</html>", headers=HTML)
    with fetcher(respect_robots=True) as f:
        assert f.get(http.url_for("/page"), check_robots=True).body == b"<html>p</html>"
    http.clear()
    http.expect_request("/robots.txt").respond_with_data("", status=503)
    with fetcher(respect_robots=True, retries=0) as f:
        error = reason_of(lambda: f.get(http.url_for("/page"), check_robots=True))
    assert error.reason == "robots.txt unreachable (HTTP 503)"


def test_get_many_keeps_order_and_limits_per_host(http: HTTPServer) -> None:
    lock, state = threading.Lock(), {"now": 0, "max": 0}

    def handler(request: Request) -> WResponse:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.1)
        with lock:
            state["now"] -= 1
        return WResponse(f"<html>{request.path}</html>", headers=HTML)

    for i in range(6):
        http.expect_request(f"/p{i}").respond_with_handler(handler)
    urls = [http.url_for(f"/p{i}") for i in range(6)] + ["http://10.0.0.1/"]
    with fetcher(per_host_concurrency=2, concurrency=6) as f:
        results = f.get_many(urls)
    assert [r.body for r in results[:6]] == [f"<html>/p{i}</html>".encode() for i in range(6)]  # type: ignore[union-attr]
    assert isinstance(results[6], FetchError)
    assert state["max"] == 2


def test_records_pickle() -> None:
    import datetime as dt

    response = Response(url="u", final_url="u", status=200, headers={"a": "b"}, body=b"x",
                        fetched_at=dt.datetime.now(dt.UTC))
    assert pickle.loads(pickle.dumps(response)) == response
    error = pickle.loads(pickle.dumps(FetchError("u", "HTTP 503", 503)))
    assert (error.url, error.reason, error.status) == ("u", "HTTP 503", 503)


def test_malformed_urls_are_errors_not_crashes() -> None:
    urls = ["http://[::1/", "nonsense", "http://host:99999/", "http://" + "a" * 64 + ".example/",
            "http://127.0.0.1:1/\x00"]
    with fetcher() as f:
        results = f.get_many(urls)
    assert [r.reason.split(":")[0] for r in results] == [  # type: ignore[union-attr]
        "invalid URL", "not an http(s) URL", "invalid URL", "invalid host name", "invalid URL"]


def test_transport_seam_needs_no_network() -> None:
    import httpx

    pages = {"https://news.example.com/a": (200, b"<html>a</html>"),
             "https://news.example.com/old": (301, b"")}

    def handler(request: httpx.Request) -> httpx.Response:
        status, body = pages.get(str(request.url), (404, b""))
        headers = {"Location": "/a"} if status == 301 else {"Content-Type": "text/html"}
        return httpx.Response(status, content=body, headers=headers)

    with Fetcher(FetchPolicy(respect_robots=False), transport=httpx.MockTransport(handler)) as f:
        response = f.get("https://news.example.com/old", kind="page")
        assert (response.final_url, response.body) == ("https://news.example.com/a", b"<html>a</html>")
        assert reason_of(lambda: f.get("https://news.example.com/missing")).reason == "HTTP 404"
