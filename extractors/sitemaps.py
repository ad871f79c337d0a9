"""Discovering historical article URLs for a backfill: outlets' sitemaps, or a list of URLs.

In: the feed list (for the outlets' sites), a month range, a fetch policy. Out: candidate URLs
with the months they may belong to (`flows.backfill.fetch_and_code` fetches and codes them).

Budgets: a sitemap is at most `policy.max_bytes` after decoding, also a `.xml.gz` file, which is
inflated in bounded steps (a gzip bomb stops at the cap + 1 byte); one site's sitemap walk stops
after `max_sitemaps` sitemaps or `SITEMAP_SECONDS` seconds, whichever comes first, and says so.
"""

from __future__ import annotations

import datetime as dt
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from courlan import clean_url, extract_domain, get_hostinfo
from htmldate.extractors import extract_url_date
from htmldate.utils import Extractor as HtmlDateOptions
from lxml import etree
from trafilatura.sitemaps import (
    DETECT_SITEMAP_LINK,
    SitemapObject,
    extract_robots_sitemaps,
)
from trafilatura.sitemaps import GUESSES as SITEMAP_GUESSES
from trafilatura.utils import safe_relative_url

from extractors.fetch import Fetcher
from extractors.fetch_types import FetchError, FetchPolicy
from extractors.months import month_of
from extractors.records import Failure, FeedSpec
from extractors.urls import canonicalize_url

# --- discovery of historical URLs (backfill --source sitemaps | urls) --------------------------

SITEMAP_SECONDS = 120.0
"""Wall time one site's sitemap walk may take (fetching and parsing); past it the walk stops."""

_URL_DATE_OPTIONS = HtmlDateOptions(False, dt.datetime(2100, 1, 1), dt.datetime(1990, 1, 1), True, "%Y-%m-%d")


def url_months(url: str) -> frozenset[str] | None:
    """The publication months a date in the URL path allows (htmldate's URL date, +-1 day for
    time zones), or None when the URL carries no date."""
    found = extract_url_date(url, _URL_DATE_OPTIONS)
    if not found:
        return None
    day = dt.date.fromisoformat(found)
    return frozenset(month_of(day + dt.timedelta(days=d)) for d in (-1, 0, 1))


def site_root(url: str) -> str:
    """scheme://host[:port] of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def spec_for(url: str, specs: Sequence[FeedSpec]) -> FeedSpec | None:
    """The feed whose outlet (and language) a discovered URL takes: the feed list's feed of the
    URL's site, or, where several outlets share one site, the one whose feed id or outlet name
    appears in the URL path; None when that stays ambiguous."""
    same = [s for s in specs if site_root(s.url) == site_root(url)]
    if len({s.outlet for s in same}) == 1:
        return same[0]
    path = urlsplit(url).path.lower()
    named = [s for s in same if s.id in path or s.outlet.lower().replace(" ", "-") in path]
    return named[0] if len({s.outlet for s in named}) == 1 else None


def read_url_list(path: Path) -> list[str]:
    """One URL per line; blank lines and lines starting with # skipped; order kept, duplicates dropped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return list(dict.fromkeys(s for line in lines if (s := line.strip()) and not s.startswith("#")))


class _GuardedSitemap(SitemapObject):
    """trafilatura's sitemap walker, fetching through our guarded `Fetcher` (SSRF guard, size cap,
    timeouts) instead of its own downloader, and keeping each URL's <lastmod> / news date."""

    def __init__(self, fetcher: Fetcher, base_url: str, domain: str, sitemaps: list[str]) -> None:
        super().__init__(base_url, domain, sitemaps)
        self.fetcher = fetcher
        self.dates: dict[str, tuple[dt.date | None, dt.date | None]] = {}
        self.fetched = 0
        self.problems: list[Failure] = []

    def fetch(self) -> None:
        self.seen.add(self.current_url)
        try:
            body = self.fetcher.get(self.current_url, kind="any").body
        except FetchError:
            self.content = ""
            return
        if body[:2] == b"\x1f\x8b":  # a .xml.gz sitemap served as a file, not as an encoding
            cap = self.fetcher.policy.max_bytes
            inflated = _gunzip_capped(body, cap)
            if inflated is None:
                self.problems.append(Failure("sitemap", self.current_url,
                                             f"gzip sitemap inflates past the {cap:,} byte cap"))
            body = inflated or b""
        self.content = body.decode("utf-8", "replace")
        self.fetched += bool(self.content)

    def handle_link(self, link: str) -> None:
        absolute = safe_relative_url(self.base_url, link)
        same_host = absolute and urlsplit(absolute).netloc == urlsplit(self.base_url).netloc
        if same_host and link != self.current_url and extract_domain(absolute, fast=True) is None:
            # An IP address or a one-label host (a local server): courlan finds no registrable
            # domain there and trafilatura would drop every link; the same host is the same site.
            cleaned = clean_url(absolute)
            if cleaned:
                (self.sitemap_urls if DETECT_SITEMAP_LINK.search(cleaned) else self.urls).append(cleaned)
            return
        super().handle_link(link)

    def process(self) -> None:
        super().process()
        self.dates.update(_sitemap_dates(self.content))


def _gunzip_capped(data: bytes, cap: int) -> bytes | None:
    """`data` gunzipped, never more than `cap` + 1 bytes held; None past the cap; b"" if corrupt."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, cap + 1)
    except zlib.error:
        return b""
    return None if len(out) > cap else out


def _sitemap_dates(content: str) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """loc -> (<lastmod>, <news:publication_date>) of a sitemap's <url> entries."""
    if "<lastmod" not in content and "publication_date" not in content:
        return {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    try:
        tree = etree.fromstring(content.encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return {}
    out = {}
    for url in [] if tree is None else tree.iter("{*}url"):
        loc = url.findtext("{*}loc") or ""
        lastmod, published = url.findtext("{*}lastmod"), url.findtext(".//{*}publication_date")
        out[clean_url(loc.strip()) or loc.strip()] = (_day(lastmod), _day(published))
    return out


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A discovered URL and what its sitemap or path says about its date."""

    url: str
    canonical_url: str
    months: frozenset[str] | None
    """Publication months its URL path or news sitemap date allows; None when nothing says."""
    modified: dt.date | None = None


def discover_sitemap_urls(
    roots: Sequence[str], policy: FetchPolicy, *, max_sitemaps: int = 50
) -> tuple[list[Candidate], list[Failure]]:
    """Walk each site's sitemaps (robots.txt `Sitemap:` lines, else the usual guesses) with
    trafilatura's sitemap support; returns the article URLs found and the sites without a sitemap,
    a sitemap over its size budget or a walk over its time budget (`SITEMAP_SECONDS`)."""
    found: dict[str, Candidate] = {}
    failures = []
    with Fetcher(policy) as fetcher:
        for root in roots:
            domain, base = get_hostinfo(root)
            domain = domain or urlsplit(base).hostname  # an IP address has no registrable domain
            if not domain:
                failures.append(Failure("sitemap", root, "not a site URL"))
                continue
            try:
                robots = fetcher.get(f"{base}/robots.txt", kind="any").body.decode("utf-8", "replace")
            except FetchError:
                robots = None
            listed = extract_robots_sitemaps(robots, base)
            walker = _GuardedSitemap(fetcher, base, domain,
                                     listed or [f"{base}/{g}" for g in reversed(SITEMAP_GUESSES)])
            ends = time.monotonic() + SITEMAP_SECONDS
            while walker.sitemap_urls and len(walker.seen) < max_sitemaps:
                if time.monotonic() > ends:
                    failures.append(Failure("sitemap", base, f"sitemap walk stopped at its {SITEMAP_SECONDS:g} s "
                                            f"budget after {len(walker.seen)} sitemaps"))
                    break
                walker.current_url = walker.sitemap_urls.pop()
                walker.fetch()
                walker.process()
                walker.sitemap_urls = [s for s in walker.sitemap_urls if s not in walker.seen]
            failures += walker.problems
            if not walker.fetched:
                failures.append(
                    Failure("sitemap", base, "no sitemap found (robots.txt, /sitemap.xml and the usual names)"))
            for url in walker.urls:
                try:
                    canonical = canonicalize_url(url)
                except ValueError:
                    continue
                modified, published = walker.dates.get(url, (None, None))
                months = frozenset({month_of(published)}) if published else url_months(url)
                found.setdefault(canonical, Candidate(url, canonical, months, modified))
    return [found[k] for k in sorted(found)], failures


def candidates_from_urls(urls: Iterable[str]) -> tuple[list[Candidate], list[Failure]]:
    """Candidates from a plain URL list (dated by their path where it says)."""
    found: dict[str, Candidate] = {}
    failures = []
    for url in urls:
        try:
            canonical = canonicalize_url(url)
        except ValueError as exc:
            failures.append(Failure("urls", url, str(exc)))
            continue
        found.setdefault(canonical, Candidate(url, canonical, url_months(url)))
    return [found[k] for k in sorted(found)], failures


