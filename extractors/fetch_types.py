"""What a fetch is asked with and what comes back: the types shared by `fetch` and its callers.

In: nothing (plain records). Out: `FetchPolicy` (how to fetch: User-Agent, deadline, byte cap,
retries, per-host limits, robots, the SSRF allow-list) carrying a run-wide `HostBook` (per-host
slots, next start, robots.txt rules and Crawl-delay), `Response` (one successful fetch),
`FetchError` (url, short reason, status) and `Kind` (what a URL is fetched as). `fetch.Fetcher`
does the fetching; these live apart so that a module that only names them loads no HTTP client.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

# Protego (Scrapy's robots.txt parser): the robots.txt rules a `HostBook` keeps per origin.
from protego import Protego

__all__ = ["FetchError", "FetchPolicy", "HostBook", "Kind", "Response"]

Kind = Literal["any", "page", "feed"]


@dataclass(frozen=True, slots=True)
class Response:
    """One successful fetch (2xx, or 304 with an empty body). Header names are lower-case."""

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    fetched_at: dt.datetime


class FetchError(Exception):
    """A fetch that gave no usable response: `.url`, `.reason` (short, human-readable), `.status`."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(url, reason, status)  # args kept so the error pickles across processes
        self.url = url
        self.reason = reason
        self.status = status

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"


class HostBook:
    """Per-host state shared by every `Fetcher` of one `FetchPolicy` (one run): concurrency slots,
    the monotonic time each host's next request may start, robots.txt rules per origin and the
    Crawl-delay they set. Pickles as a fresh, empty book (another process cannot share locks)."""

    __slots__ = ("crawl_delay", "lock", "not_before", "robots", "robots_locks", "slots")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.slots: dict[str, threading.BoundedSemaphore] = {}
        self.not_before: dict[str, float] = {}
        self.crawl_delay: dict[str, float] = {}
        self.robots: dict[str, Protego | FetchError] = {}
        self.robots_locks: dict[str, threading.Lock] = {}

    def __reduce__(self) -> tuple[type[HostBook], tuple[()]]:
        return HostBook, ()


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How to fetch. `allow_hosts`: exact host names or IP literals exempt from the SSRF guard.

    `timeout` is the total deadline of one attempt (DNS, connect, headers, body); a `get` lasts
    at most (`retries` + 1) attempts plus the waits between them. `hosts` is the run-wide
    per-host state: a new policy gets a new book, `dataclasses.replace` keeps it.
    """

    user_agent: str = "flarewatch/0.1 (+https://github.com/flarewatch/flarewatch)"
    timeout: float = 15.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    retries: int = 2
    backoff: float = 0.5
    allow_hosts: frozenset[str] = frozenset()
    per_host_concurrency: int = 2
    per_host_interval: float = 0.0  # seconds between the starts of two requests to one host
    concurrency: int = 8
    respect_robots: bool = True
    max_retry_after: float = 30.0  # a longer Retry-After gives up now; the next poll tries again
    max_crawl_delay: float = 5.0  # robots.txt's Crawl-delay is honoured up to this many seconds
    hosts: HostBook = field(default_factory=HostBook, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        if min(self.timeout, self.max_bytes, self.per_host_concurrency, self.concurrency) <= 0:
            raise ValueError("timeout, max_bytes and concurrencies must be positive")
        if min(self.retries, self.max_redirects, self.backoff, self.per_host_interval,
               self.max_crawl_delay) < 0:
            raise ValueError("retries, max_redirects, backoff, per_host_interval and "
                             "max_crawl_delay must not be negative")
