"""Reliability, round two (issue 14): budgets on sitemaps and feeds (rows 1 and 3).

A gzip-compressed sitemap that inflates to 50 MB, a sitemap index whose sitemaps answer slowly,
served from 127.0.0.1 by pytest-httpserver; discovery must stay within its size and time budgets
and say which budget stopped it.
"""

from __future__ import annotations

import gzip
import time
import tracemalloc

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request
from werkzeug import Response as WResponse

from extractors import sitemaps as discover
from extractors.fetch_types import FetchPolicy

LOCAL = frozenset({"127.0.0.1"})
XML = "application/xml"


def policy(**overrides: object) -> FetchPolicy:
    options: dict[str, object] = {"allow_hosts": LOCAL, "timeout": 5.0, "retries": 0,
                                  "respect_robots": False, "max_bytes": 1_000_000}
    options.update(overrides)
    return FetchPolicy(**options)  # type: ignore[arg-type]


def test_row3_a_gzip_sitemap_is_inflated_in_bounded_steps(http: HTTPServer) -> None:
    padding = b"<!-- " + b" " * 50_000_000 + b" -->"
    bomb = gzip.compress(b'<?xml version="1.0"?><urlset>' + padding + b"</urlset>", compresslevel=9)
    assert len(bomb) < 200_000
    good = gzip.compress(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                         + f"<url><loc>{http.url_for('/news/2024/05/02/story.html')}</loc></url>".encode()
                         + b"</urlset>")
    http.expect_request("/robots.txt").respond_with_data(
        f"Sitemap: {http.url_for('/big.xml.gz')}\nSitemap: {http.url_for('/small.xml.gz')}\n",
        content_type="text/plain")
    http.expect_request("/big.xml.gz").respond_with_data(bomb, content_type="application/gzip")
    http.expect_request("/small.xml.gz").respond_with_data(good, content_type="application/gzip")
    tracemalloc.start()
    try:
        found, failures = discover.discover_sitemap_urls([http.url_for("/")], policy())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [c.url for c in found] == [http.url_for("/news/2024/05/02/story.html")]
    assert [(f.target, f.reason) for f in failures] == [
        (http.url_for("/big.xml.gz"), "gzip sitemap inflates past the 1,000,000 byte cap")]
    assert peak < 20_000_000  # gzip.decompress held the 50 MB at once


def test_row1_a_sitemap_walk_stops_at_its_time_budget(http: HTTPServer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discover, "SITEMAP_SECONDS", 0.5)
    index = "".join(f"<sitemap><loc>{http.url_for(f'/sitemap-{i}.xml')}</loc></sitemap>"
                    for i in range(40))
    http.expect_request("/robots.txt").respond_with_data(
        f"Sitemap: {http.url_for('/sitemap-index.xml')}\n", content_type="text/plain")
    http.expect_request("/sitemap-index.xml").respond_with_data(
        f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{index}</sitemapindex>", content_type=XML)

    def slow(request: Request) -> WResponse:
        time.sleep(0.2)
        loc = http.url_for(f"/news/2024/05/0{len(request.path) % 9 + 1}/{request.path[1:]}.html")
        return WResponse(f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                         f'sitemap/0.9"><url><loc>{loc}</loc></url></urlset>', content_type=XML)

    for i in range(40):
        http.expect_request(f"/sitemap-{i}.xml").respond_with_handler(slow)
    start = time.monotonic()
    _, failures = discover.discover_sitemap_urls([http.url_for("/")], policy(), max_sitemaps=50)
    assert time.monotonic() - start < 5  # 40 sitemaps of 0.2 s would take 8 s
    assert len(failures) == 1 and failures[0].reason.startswith("sitemap walk stopped at its 0.5 s budget after ")
