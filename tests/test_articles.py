"""Article extraction with real trafilatura on the page fixtures."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import pickle
from pathlib import Path

import pytest
import trafilatura

from extractors import EXTRACTOR_VERSION, articles
from extractors.articles import extract_article
from extractors.pipeline import Page, code_pages
from extractors.records import FeedEntry
from extractors.urls import article_id

PAGES = Path(__file__).parent / "fixtures" / "pages"
FETCHED = dt.datetime(2026, 2, 18, 12, 0, tzinfo=dt.UTC)
URL = "https://news.example.com/world/2026/02/17/drone-strike-erbil?id=42&utm_source=rss"
ENTRY = FeedEntry(
    feed_id="example-world",
    url=URL,
    canonical_url="https://news.example.com/world/2026/02/17/drone-strike-erbil?id=42",
    title="Drone strike hits fuel depot near Erbil (feed title)",
    summary="A drone struck a fuel depot near Erbil on Tuesday, officials said.",
    published_at=dt.datetime(2026, 2, 17, 15, 35, 6, tzinfo=dt.UTC),
    entry_id="news-example-42",
)


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def extract(html: bytes | str, entry: FeedEntry | None = None, **kw: object):  # noqa: ANN201
    return extract_article(html, url=URL, feed_entry=entry, fetched_at=FETCHED,
                           raw_path="raw/2026-02/ab.html.gz", outlet="Example World News", **kw)


def test_article_with_metadata() -> None:
    article = extract(page("article_en.html"))
    assert article is not None
    assert article.title == "Drone strike hits fuel depot near Erbil"
    assert article.author == "Layla Hassan"
    assert article.site_name == "Example World News"
    assert article.language == "en"
    assert "A drone struck a fuel depot on the southern outskirts of Erbil" in article.text
    assert "flames rising above the depot" in article.text
    for boilerplate in ("Copyright 2026", "Related stories", "Five killed in market blast", "Sport"):
        assert boilerplate not in article.text
    # a bare page date (htmldate takes the day from the URL) at 00:00 UTC, no feed to refine it
    assert article.published_at == dt.datetime(2026, 2, 17, tzinfo=dt.UTC)
    assert article.canonical_url == "https://news.example.com/world/2026/02/17/drone-strike-erbil?id=42"
    assert article.article_id == article_id(article.canonical_url)
    assert article.url == URL and article.feed_id is None and article.outlet == "Example World News"
    assert article.content_sha256 == hashlib.sha256(article.text.encode()).hexdigest()
    assert article.extractor_version == f"{EXTRACTOR_VERSION}+trafilatura-{trafilatura.__version__}"
    assert article.raw_path == "raw/2026-02/ab.html.gz" and article.fetched_at == FETCHED


def test_feed_entry_refines_the_date_and_sets_identity() -> None:
    article = extract(page("article_en.html"), ENTRY)
    assert article is not None
    assert article.published_at == ENTRY.published_at  # same day: the feed's precise time
    assert article.feed_id == "example-world" and article.canonical_url == ENTRY.canonical_url
    assert article.title == "Drone strike hits fuel depot near Erbil"  # the page's title wins
    assert article.text.startswith("Drone strike hits fuel depot near Erbil\nA drone struck")


def test_shell_page_falls_back_to_the_feed() -> None:
    article = extract(page("shell_page.html"), ENTRY)
    assert article is not None
    assert article.text == ENTRY.summary
    assert article.title == ENTRY.title
    assert article.published_at == ENTRY.published_at
    assert article.language == "en"


def test_nothing_to_keep_gives_none() -> None:
    assert extract(page("shell_page.html")) is None
    no_summary = FeedEntry(feed_id="f", url=URL, canonical_url=URL, title="t", summary=None,
                           published_at=None)
    assert extract(page("shell_page.html"), no_summary) is None
    assert extract(b"") is None
    assert extract("   ") is None


def test_binary_page_gives_none() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20
    assert extract(png) is None
    assert extract(b"%PDF-1.7\n" + bytes(range(256)) * 20) is None
    assert extract(bytes(range(256)) * 20) is None


def test_binary_page_with_summary_keeps_the_summary() -> None:
    article = extract(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, ENTRY)
    assert article is not None and article.text == ENTRY.summary


def test_non_english_article_keeps_its_language() -> None:
    article = extract(page("article_fr.html"))
    assert article is not None
    assert article.language == "fr"
    assert "Des milliers de manifestants ont défilé mardi dans les rues de Bamako" in article.text
    assert article.site_name == "Exemple Afrique"


def test_declared_charset_is_respected_and_feed_language_is_the_last_resort() -> None:
    raw = page("article_ru_windows1251.html")
    article = extract(raw, feed_language="ru")
    assert article is not None
    assert "Во вторник вечером на складе на окраине Белгорода произошёл взрыв" in article.text
    assert article.title == "Взрыв на складе в Белгороде"
    assert article.language == "ru"
    assert extract(raw).language is None  # type: ignore[union-attr]  # nothing declared anywhere


def test_str_input_works_like_bytes() -> None:
    from_bytes = extract(page("article_fr.html"))
    from_text = extract(page("article_fr.html").decode("utf-8"))
    assert from_bytes is not None and from_text is not None
    assert from_text.text == from_bytes.text


def test_batch_form_is_picklable_and_keeps_going() -> None:
    def job(body: object, url: str = URL, entry: FeedEntry | None = None, language: str | None = None) -> Page:
        return Page(entry=entry or ENTRY, outlet="Example", url=url, fetched_at=FETCHED, raw_path=None,
                    body=body, feed_language=language)  # type: ignore[arg-type]

    pages = [
        job(page("article_en.html")),
        job(b"\x89PNG\r\n\x1a\n\x00\x00", entry=dataclasses.replace(ENTRY, summary=None)),
        job(page("article_ru_windows1251.html"), "https://region.example.ru/news/1", language="ru"),
        job(12345),  # a bug-shaped item: not a page at all
        job(page("article_fr.html"), "", entry=dataclasses.replace(ENTRY, url="", canonical_url="")),
    ]
    assert pickle.loads(pickle.dumps(code_pages)) is code_pages
    results = code_pages(pickle.loads(pickle.dumps(pages)))
    assert [r is None for r in results] == [False, True, False, True, False]
    assert results[2].article.language == "ru"  # type: ignore[union-attr]
    no_url = results[4].article  # type: ignore[union-attr]
    assert no_url is not None and no_url.canonical_url == ""
    assert no_url.article_id == article_id(f"sha256:{no_url.content_sha256}")


def test_published_date_rules() -> None:
    from extractors.articles import _published_at

    feed = dt.datetime(2026, 2, 17, 21, 0, tzinfo=dt.UTC)
    zoned = dt.datetime(2026, 2, 17, 15, 35, 6, tzinfo=dt.UTC)
    assert _published_at("2026-02-17T18:35:06+0300", feed) == zoned
    assert _published_at("2026-02-18T00:00:00", feed) == feed  # a day apart: zones, take the feed's
    assert _published_at("2026-01-02T00:00:00", feed) == dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    assert _published_at(None, feed) == feed and _published_at("garbage", None) is None


def test_main_script_counts_the_first_letters() -> None:
    from extractors.articles import _main_script

    assert _main_script("Удар беспилотника по складу, drone") == "CYRILLIC"
    assert _main_script("12 345, -- !") is None
    assert _main_script("北京 Beijing") == "LATIN"  # 7 Latin letters against 2 CJK ideographs
    assert _main_script("abc" + "д" * 10, sample=3) == "LATIN"  # only the first `sample` letters count


def test_our_bare_extraction_is_trafilaturas_without_categories_tags_and_licence():
    # the fixture page with a tag link and a licence link added
    extra = (b'<div class="tags"><a href="/tag/drones/">Drones</a></div>'
             b'<a rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>')
    pages = [page(n) for n in ("article_en.html", "article_fr.html", "article_ru_windows1251.html")]
    pages.append(pages[0].replace(b"</body>", extra + b"</body>"))
    dates = {"original_date": True, "extensive_search": False, "max_date": "2026-02-19", "url": URL}
    fields = ("text", "title", "author", "date", "sitename", "language", "url", "hostname", "description")
    for html in pages:
        theirs = trafilatura.bare_extraction(html, url=URL, **articles._OPTIONS, date_extraction_params=dict(dates))
        ours = articles._bare_extraction(html, url=URL, **articles._OPTIONS, date_extraction_params=dict(dates))
        assert [getattr(ours, f) for f in fields] == [getattr(theirs, f) for f in fields]
        assert (ours.categories, ours.tags, ours.license) == ([], [], None)
    assert (theirs.tags, theirs.license) == (["Drones"], "CC BY 4.0")  # trafilatura's own finds them


def test_trafilaturas_fallback_runs_only_on_an_unsure_body(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura.external

    sentences = [f"Witness {i} said the convoy reached the northern checkpoint at dawn and waited there "
                 f"for {i + 2} hours before the road to the river crossing was opened again." for i in range(40)]
    paragraphs = "".join(f"<p>{' '.join(sentences[i:i + 5])}</p>" for i in range(0, 40, 5))
    long_page = f"<html><body><nav>Home | World</nav><article><h1>Convoy waits</h1>{paragraphs}</article></body></html>"
    dates = {"original_date": True, "extensive_search": False, "max_date": "2026-02-19", "url": URL}
    theirs = trafilatura.bare_extraction(long_page, url=URL, **articles._OPTIONS, date_extraction_params=dict(dates))
    calls: list[int] = []
    compare = trafilatura.external.compare_extraction
    monkeypatch.setattr(trafilatura.external, "compare_extraction", lambda *a: calls.append(1) or compare(*a))

    ours = articles._bare_extraction(long_page, url=URL, **articles._OPTIONS, date_extraction_params=dict(dates))
    assert len(ours.text) > articles._SURE_LENGTH and ours.text == theirs.text
    assert calls == []  # a long body of 8 paragraphs: no comparison
    short = extract(page("article_en.html"))
    assert short is not None and len(short.text) < articles._SURE_LENGTH
    assert calls == [1]  # a short body: compared with readability and justext as trafilatura does
