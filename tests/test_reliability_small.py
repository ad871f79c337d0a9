"""Reliability, round two (issue 14, row 10): the small ones."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.articles import extract_article

NOW = dt.datetime(2024, 5, 20, 12, tzinfo=dt.UTC)
PAGE = ('<html lang="en"><head><meta charset="utf-16"><title>Story</title></head><body><article>'
        + "".join(f"<p>Gunmen attacked a village near the river on Monday and residents fled to the "
                  f"nearby town, officials said in a statement. Paragraph {i} goes on.</p>" for i in range(6))
        + "</article></body></html>")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_row10_a_utf16_page_yields_an_article(encoding: str) -> None:
    article = extract_article(PAGE.encode(encoding), url="https://news.example.com/a", feed_entry=None,
                              fetched_at=NOW, raw_path=None, outlet=None)
    assert article is not None and article.language == "en"
    assert article.text.startswith("Gunmen attacked a village near the river on Monday")
