"""HTTP fetching: the one module of `extractors` that talks to the network.

In: URLs and a `FetchPolicy`. Out: `Response` (raw bytes, final URL, status, lower-cased headers)
or `FetchError` (url, short reason, status); these types and `HostBook` live in `fetch_types`.

Every request gets a real User-Agent, a total deadline per attempt (`policy.timeout` covers the
DNS look-up, the connect, the headers and the body: `netguard.deadline`),
conditional GET headers when asked, a cap on the DECODED body (inflated here in bounded steps, so a
gzip bomb stops at cap+1 bytes), retries with backoff and jitter only where a retry can help,
per-host limits (concurrency, an optional spacing between starts, robots.txt's Crawl-delay up to
`policy.max_crawl_delay`, and a Retry-After that holds back every request to that host, not only
the one that got it), redirects followed by hand so
every hop is checked, and the SSRF guard: a host any of whose
addresses is loopback, private, link-local, reserved, multicast or cloud-metadata is refused
unless named in `allow_hosts`. The guard runs before each hop and again when a socket is opened,
on the very address connected to (no DNS-rebinding gap). Environment proxies and netrc are
ignored (`trust_env=False`): a proxy would connect past the guard.

Run-wide politeness: the per-host state (concurrency slots, the earliest next start, robots.txt
rules and Crawl-delay) lives in a `HostBook` that a `FetchPolicy` carries, so every `Fetcher` made
from one policy (one run's feed polls and page fetches alike) shares it: ten feeds on one host
keep to its limits, a 429 holds back the feeds and the pages, robots.txt is read once per run.

Robots: `get(url, check_robots=True)`, which `get_many` uses for article pages when the policy
respects robots, reads each host's robots.txt through the same guarded client (Protego parses
it: RFC 9309 wildcards and `$`), once per origin and `HostBook`. As RFC 9309 says, a 4xx
robots.txt allows everything and an unreachable one (5xx, timeout) allows nothing; one over
512 kB is read up to there. Feeds skip the check: a feed invites polling.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import logging
import ssl
import threading
import time
import zlib
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import zip_longest
from urllib.parse import SplitResult, urljoin, urlsplit

import httpx

# stamina (hynek; a thin, opinionated layer over tenacity) instead of a hand-written loop: it
# gives capped exponential backoff with jitter, a per-exception hook that can return a custom
# wait (how Retry-After is honoured), and `stamina.set_testing()` to switch waits off in tests.
import stamina
import stamina.instrumentation

# Protego (Scrapy's robots.txt parser) instead of urllib.robotparser: RFC 9309's `*` and `$`
# wildcards, longest-match precedence, and Crawl-delay.
from protego import Protego

from extractors.fetch_types import FetchError, FetchPolicy, Kind, Response
from extractors.netguard import GuardedBackend, Refused, checked_addresses, deadline

__all__ = ["Fetcher"]


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The TLS settings every `Fetcher` of this process shares: httpx's defaults (certifi's CA
    bundle, verification on), built once; building them costs ~25 ms of CPU, and a run makes a
    `Fetcher` per feed and per chunk of pages. An `SSLContext` may serve many connections."""
    return httpx.create_ssl_context(trust_env=False)

LOGGER = logging.getLogger(__name__)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_MAX_BACKOFF = 10.0  # seconds; exponential backoff stops growing here
_ROBOTS_MAX_BYTES = 512_000  # Google reads the first 500 KiB of a robots.txt
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Feeds are often served with a generic type; parse_feed rejects what is not a feed.
_FEED_EXTRA_TYPES = frozenset({"text/plain", "text/html", "application/octet-stream"})
_ACCEPT = {"page": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1", "any": "*/*",
           "feed": "application/rss+xml,application/atom+xml,application/rdf+xml,"
                   "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1"}


class _Retryable(FetchError):
    """A failure a later attempt may not repeat; `retry_after` is the server's wish, if any."""

    def __init__(self, url: str, reason: str, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(url, reason, status)
        self.retry_after = retry_after


class _BoundedDecoder:
    """Undo Content-Encoding (gzip / deflate / identity) without producing more than asked for."""

    def __init__(self, url: str, encoding: str) -> None:
        encoding = encoding.strip().lower()
        if encoding in ("gzip", "x-gzip"):
            self._z: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()
        elif encoding in ("", "identity"):
            self._z = None
        else:  # we only advertise gzip and deflate
            raise FetchError(url, f"unsupported Content-Encoding: {encoding}")
        self._url, self._deflate, self._first = url, encoding == "deflate", True

    def decode(self, chunk: bytes, limit: int) -> bytes:
        """Return at most `limit` decoded bytes of `chunk` (more input may remain undecoded)."""
        if self._z is None:
            return chunk[:limit]
        try:
            out = self._z.decompress(chunk, limit)
        except zlib.error:
            if not (self._deflate and self._first):
                raise FetchError(self._url, "corrupt compressed body") from None
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)  # "deflate" sent as raw deflate
            out = self._z.decompress(chunk, limit)
        self._first = False
        return out


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 10.2.3); None if absent."""
    value = (value or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value).replace(tzinfo=dt.UTC)  # HTTP dates are GMT
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _log_retry(details: stamina.instrumentation.RetryDetails) -> None:
    exc = details.caused_by
    LOGGER.info("retry %d of %s in %.1fs: %s", details.retry_num, getattr(exc, "url", "?"),
                details.wait_for, getattr(exc, "reason", exc))


# stamina's default hook logs a bare "stamina.retry_scheduled" WARNING, which Python prints to
# stderr when the app has not configured logging (noise in the CLI); one INFO line with the URL
# and the reason says more. The setting is process-wide: flarewatch is stamina's only user.
stamina.instrumentation.set_on_retry_hooks([_log_retry])


def _retry_hook(exc: Exception) -> bool | float:
    if isinstance(exc, _Retryable):
        return exc.retry_after if exc.retry_after is not None else True
    return False


def _type_allowed(media_type: str, kind: Kind) -> bool:
    if kind == "any" or not media_type:  # no declared type: let the parser judge the bytes
        return True
    if kind == "page":
        return media_type in _PAGE_TYPES
    return media_type in _FEED_EXTRA_TYPES or any(
        word in media_type for word in ("xml", "rss", "atom", "rdf", "json"))


@dataclass(slots=True)
class _Hop:
    status: int
    headers: dict[str, str]
    body: bytes = b""
    location: str | None = None


class Fetcher:
    """A guarded HTTP client (one `httpx.Client` inside); use as a context manager.

    `transport` replaces the network (e.g. `httpx.MockTransport` serving a fixture map): no DNS
    look-ups and no SSRF guard then, since no socket is opened by us.
    """

    def __init__(self, policy: FetchPolicy | None = None, *,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.policy = policy or FetchPolicy()
        allow = frozenset(h.strip("[]").lower() for h in self.policy.allow_hosts)
        self._allow_hosts = allow
        self._guarded = transport is None
        if transport is None:
            limits = httpx.Limits(max_connections=2 * self.policy.concurrency,
                                  max_keepalive_connections=self.policy.concurrency)
            transport = httpx.HTTPTransport(limits=limits, trust_env=False, verify=_tls_context())
            # httpx exposes no network_backend option; its pool keeps the backend here.
            transport._pool._network_backend = GuardedBackend(allow)  # noqa: SLF001
        self._client = httpx.Client(transport=transport, timeout=self.policy.timeout,
                                    follow_redirects=False, trust_env=False)
        self._book = self.policy.hosts

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:  # noqa: D102
        self._client.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            kind: Kind = "any", check_robots: bool = False) -> Response:
        """Fetch one URL, following redirects; raise `FetchError` for anything unusable.

        `kind` "page" accepts only HTML / XHTML, "feed" only XML-ish types (a missing type passes);
        `check_robots` consults robots.txt of every hop's host (if the policy respects robots).
        A 304 comes back as a `Response` with status 304 and an empty body.
        """
        headers = {"User-Agent": self.policy.user_agent, "Accept": _ACCEPT[kind],
                   "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._follow(url, headers, kind, self.policy.max_bytes,
                            check_robots and self.policy.respect_robots)

    def get_many(self, urls: Sequence[str], *, kind: Kind = "page",
                 check_robots: bool | None = None) -> list[Response | FetchError]:
        """Fetch article pages concurrently; results in input order, failures as `FetchError`.

        At most `policy.concurrency` requests in flight, `policy.per_host_concurrency` per host,
        starts to one host spaced by `policy.per_host_interval`, and none to a host during the
        Retry-After it gave any of them (a 429 holds back its sibling requests, not just itself).
        `check_robots` defaults to the policy's `respect_robots`.
        """
        robots = self.policy.respect_robots if check_robots is None else check_robots

        def one(url: str) -> Response | FetchError:
            try:
                return self.get(url, kind=kind, check_robots=robots)
            except FetchError as exc:
                return exc

        if not urls:
            return []
        with ThreadPoolExecutor(max_workers=min(self.policy.concurrency, len(urls))) as pool:
            futures = {i: pool.submit(one, urls[i]) for i in _interleave_by_host(urls)}
            return [futures[i].result() for i in range(len(urls))]

    # -- internals -------------------------------------------------------------------------

    def _follow(self, url: str, headers: dict[str, str], kind: Kind, max_bytes: int,
                check_robots: bool, truncate: bool = False) -> Response:
        current, seen = url, {url}
        for _ in range(self.policy.max_redirects + 1):
            parts = _split(current, url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            try:
                if self._guarded:
                    with deadline(time.monotonic() + self.policy.timeout):
                        checked_addresses(parts.hostname or "", port, self._allow_hosts)
            except Refused as exc:
                where = "" if current == url else f" (redirected to {current})"
                raise FetchError(url, f"{exc}{where}") from None
            if check_robots:
                self._check_robots(current, url)
            hop = self._fetch_with_retries(current, headers, kind, max_bytes, truncate)
            if hop.location is None:
                return Response(url=url, final_url=current, status=hop.status,
                                headers=hop.headers, body=hop.body,
                                fetched_at=dt.datetime.now(dt.UTC))
            nxt = urljoin(current, hop.location)
            if nxt in seen:
                raise FetchError(url, "redirect loop", hop.status)
            seen.add(nxt)
            current = nxt
        raise FetchError(url, f"too many redirects (over {self.policy.max_redirects})")

    def _fetch_with_retries(self, url: str, headers: dict[str, str], kind: Kind,
                            max_bytes: int, truncate: bool) -> _Hop:
        backoff = self.policy.backoff
        try:
            for attempt in stamina.retry_context(
                on=_retry_hook, attempts=self.policy.retries + 1, timeout=None,
                wait_initial=backoff, wait_max=_MAX_BACKOFF, wait_jitter=backoff,
            ):
                with attempt:
                    return self._fetch_once(url, headers, kind, max_bytes, truncate)
        except _Retryable as exc:  # attempts used up: hand back a plain, picklable FetchError
            raise FetchError(exc.url, exc.reason, exc.status) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _fetch_once(self, url: str, headers: dict[str, str], kind: Kind, max_bytes: int,
                    truncate: bool) -> _Hop:
        timeout = self.policy.timeout
        host = urlsplit(url).netloc
        try:
            with self._host_slot(host):
                self._await_turn(host)
                until = time.monotonic() + timeout
                with deadline(until):  # DNS, connect, headers and body, whatever the server does
                    return self._exchange(url, host, headers, kind, max_bytes, until, truncate)
        except Refused as exc:
            raise FetchError(url, str(exc)) from None
        except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
            raise FetchError(url, f"invalid URL: {exc}") from None
        except httpx.TimeoutException:
            raise _Retryable(url, f"timeout after {timeout:g}s") from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise _Retryable(url, f"connection failed: {exc or type(exc).__name__}") from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"{type(exc).__name__}: {exc}") from None

    def _exchange(self, url: str, host: str, headers: dict[str, str], kind: Kind, max_bytes: int,
                  until: float, truncate: bool) -> _Hop:
        with self._client.stream("GET", url, headers=headers) as r:
            status = r.status_code
            flat = {k.lower(): v for k, v in r.headers.items()}
            if status in _REDIRECTS and "location" in r.headers:
                return _Hop(status, flat, location=r.headers["location"])
            if status == 304:
                return _Hop(status, flat)
            if status in _RETRY_STATUSES:
                wait = _retry_after_seconds(r.headers.get("retry-after"))
                if wait is not None and wait > self.policy.max_retry_after:
                    raise FetchError(url, f"HTTP {status}, Retry-After {wait:.0f}s is over "
                                     f"the {self.policy.max_retry_after:g}s cap", status)
                if wait is not None:  # the server's wish holds for every request to it
                    self._defer(host, wait)
                raise _Retryable(url, f"HTTP {status}", status, wait)
            if not 200 <= status < 300:
                raise FetchError(url, f"HTTP {status}", status)
            media = r.headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if not _type_allowed(media, kind):
                raise FetchError(url, f"wrong content type for a {kind}: {media}", status)
            body = self._read_capped(r, url, max_bytes, until, truncate)
            return _Hop(status, flat, body)

    def _read_capped(self, r: httpx.Response, url: str, max_bytes: int, until: float,
                     truncate: bool) -> bytes:
        """The decoded body, at most `max_bytes` of it: past that, an error, or with `truncate`
        the first `max_bytes`."""
        over = f"body over {_size(max_bytes)} cap"
        encoding = r.headers.get("content-encoding", "")
        declared = r.headers.get("content-length", "")
        if not truncate and not encoding and declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(url, over, r.status_code)
        chunks: Iterable[bytes] = r.iter_raw()
        if r.is_stream_consumed:  # an in-memory response from a test transport: already decoded
            chunks, encoding = [r.content], ""
        decoder = _BoundedDecoder(url, encoding)
        body = bytearray()
        for chunk in chunks:
            if time.monotonic() > until:  # a server trickling bytes must not hold us forever
                raise _Retryable(url, f"timeout after {self.policy.timeout:g}s")
            body += decoder.decode(chunk, max_bytes + 1 - len(body))
            if len(body) > max_bytes:
                if truncate:
                    return bytes(body[:max_bytes])
                raise FetchError(url, over, r.status_code)
        return bytes(body)

    def _await_turn(self, host: str) -> None:
        """Sleep until `host` may take another request; book its next turn on by the larger of
        `per_host_interval` and the host's Crawl-delay (capped)."""
        book = self._book
        with book.lock:
            now = time.monotonic()
            start = max(now, book.not_before.get(host, 0.0))
            book.not_before[host] = start + max(self.policy.per_host_interval,
                                                book.crawl_delay.get(host, 0.0))
        if start > now:
            time.sleep(start - now)

    def _defer(self, host: str, seconds: float) -> None:
        with self._book.lock:
            until = time.monotonic() + seconds
            self._book.not_before[host] = max(self._book.not_before.get(host, 0.0), until)

    def _host_slot(self, host: str) -> threading.BoundedSemaphore:
        book = self._book
        with book.lock:
            if host not in book.slots:
                book.slots[host] = threading.BoundedSemaphore(self.policy.per_host_concurrency)
            return book.slots[host]

    def _check_robots(self, url: str, asked: str) -> None:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        book = self._book
        with book.lock:
            lock = book.robots_locks.setdefault(key, threading.Lock())
        with lock:  # one robots.txt fetch per origin and run, however many threads ask at once
            rules = book.robots.get(key)
            if rules is None:
                rules = book.robots[key] = self._load_robots(key)
                if isinstance(rules, Protego):
                    delay = rules.crawl_delay(self.policy.user_agent) or 0.0
                    with book.lock:
                        book.crawl_delay[parts.netloc] = min(float(delay),
                                                             self.policy.max_crawl_delay)
        if isinstance(rules, FetchError):
            raise FetchError(asked, rules.reason, rules.status)
        if not rules.can_fetch(url, self.policy.user_agent):
            raise FetchError(asked, "disallowed by robots.txt")

    def _load_robots(self, origin: str) -> Protego | FetchError:
        headers = {"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate"}
        try:
            body = self._follow(origin + "/robots.txt", headers, "any", _ROBOTS_MAX_BYTES,
                                False, truncate=True).body
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                body = b""  # RFC 9309: an unavailable robots.txt allows everything
            else:
                return FetchError(origin, f"robots.txt unreachable ({exc.reason})", exc.status)
        return Protego.parse(body.decode("utf-8", "replace"))


def _split(url: str, asked: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a bad port
    except ValueError:
        raise FetchError(asked, f"invalid URL: {url}") from None
    if parts.scheme in ("http", "https") and parts.hostname:
        return parts
    raise FetchError(asked, f"not an http(s) URL: {url}")


def _interleave_by_host(urls: Sequence[str]) -> list[int]:
    """Indices of `urls` in round-robin order over hosts, so threads rarely wait on one host."""
    by_host: dict[str, list[int]] = {}
    for i, url in enumerate(urls):
        try:
            host = urlsplit(url).netloc
        except ValueError:  # get() reports it
            host = ""
        by_host.setdefault(host, []).append(i)
    return [i for row in zip_longest(*by_host.values()) for i in row if i is not None]


def _size(n: int) -> str:
    return f"{n / 1e6:g} MB" if n >= 1_000_000 else f"{n / 1e3:g} kB"
