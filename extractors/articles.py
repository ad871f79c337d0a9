"""Articles: one fetched page (plus its feed entry) in, one `Article` record out.

In: the page's bytes (or text) as fetched, its URL, the feed entry that announced it, when it was
fetched. Out: `Article` (body text and metadata) or None when there is nothing to keep.

trafilatura's `bare_extraction` reads the body and the metadata (title, author, date, site name)
in one pass; it decodes bytes itself (declared charset, then detection). Where the page gives
nothing, the feed entry fills in: its summary for the text, its timestamp for the date.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import logging
import re
import types
import unicodedata
from collections import Counter
from collections.abc import Callable
from itertools import islice
from typing import Any

import trafilatura
import trafilatura.core
import trafilatura.external
import trafilatura.main_extractor
import trafilatura.metadata
from trafilatura.settings import Document

from extractors import EXTRACTOR_ID
from extractors.records import Article, FeedEntry
from extractors.urls import article_id, canonicalize_url

__all__ = ["EXTRACTOR_ID", "extract_article"]

LOGGER = logging.getLogger(__name__)


# Measured on the 181 pages of the article-extraction benchmark (2 cores, trafilatura 2.3.1, this
# function, options interleaved page by page): default 31.1 ms/page F1 0.960 (P 0.942); fast=True
# 22.8 ms F1 0.962 (P 0.946); favor_precision 29.4 ms F1 0.964 (P 0.958, R 0.971); fast together
# with favor_precision 20.9 ms but F1 0.946 (recall drops to 0.946). Precision is what counts here:
# boilerplate such as "related stories" teasers would be coded as incidents, so favor_precision,
# and the ~7 ms per page it costs over fast=True is small next to fetching the page.
# Since then trafilatura's fallback (readability, justext) runs only on an unsure body
# (`_extract_and_compare_if_unsure`): on the same 181 pages 18-19 -> 13-15 ms of CPU per page, the
# text of every page unchanged (`bench/bench_ingest.py --score-extraction`).
_OPTIONS: dict[str, Any] = {
    "with_metadata": True,
    "include_comments": False,  # reader comments are not reporting
    "include_tables": True,
    "favor_precision": True,
    "fast": False,
}
# Date from the page's metadata only (no "extensive" guessing from body text and links): the feed
# timestamp is there as the fallback, and a guessed date is worse than the feed's.
_DATE_SEARCH_EXTENSIVE = False
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b",
                 b"RIFF", b"OggS", b"ID3", b"\x00\x00\x01\x00")
_LANG_PATTERNS = (
    re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?", re.I),
    re.compile(rb"<meta\b[^>]*?http-equiv\s*=\s*[\"']?content-language[\"']?[^>]*?content\s*=\s*"
               rb"[\"']?([A-Za-z]{2,3})", re.I),
    re.compile(rb"<meta\b[^>]*?property\s*=\s*[\"']?og:locale[\"']?[^>]*?content\s*=\s*"
               rb"[\"']?([A-Za-z]{2,3})", re.I),
)
_LANG_CODE = re.compile(r"^([a-z]{2,3})(?:[-_].*)?$")


def extract_article(html: bytes | str, *, url: str, feed_entry: FeedEntry | None,
                    fetched_at: dt.datetime, raw_path: str | None, outlet: str | None,
                    feed_language: str | None = None) -> Article | None:
    """Extract one article version from a fetched page.

    In: the page (bytes as fetched, or text), the URL it was fetched from, the feed entry that
    announced it (or None), the aware fetch time, where the raw page is stored, the outlet name,
    and the feed's declared language (last resort for `language`). Out: an `Article`, or None
    when the page has no article text and the feed entry no summary (binary, empty, a shell page).

    Identity: `canonical_url` is the feed entry's when there is one (the key the poller already
    checked), else the canonicalized `url`; with no usable URL, `article_id` hashes the text.
    Text: the page's body, unless the page yields less text than the feed summary (a paywall or
    consent page), then the summary. Date: see `_published_at`. Language: the page's declared
    language (`<html lang>`, content-language, og:locale), else `feed_language`; a lower-case
    ISO 639 code without region. A candidate whose writing system does not match the text's is
    passed over (a Russian page on a feed declared "en", a template's stray `lang="en"`): no
    language (None) rather than a wrong one.
    """
    html = _decode_wide(html)
    page_text, doc = _run_trafilatura(html, url, fetched_at)
    summary = feed_entry.summary if feed_entry else None
    text = page_text if page_text and len(page_text) >= len(summary or "") else summary
    if not text or not text.strip():
        return None
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if feed_entry is not None:
        canonical = feed_entry.canonical_url
    else:
        try:
            canonical = canonicalize_url(url)
        except (ValueError, TypeError):
            canonical = url or ""
    return Article(
        # a document without a URL (pasted text, eval sets) is identified by its content
        article_id=article_id(canonical or f"sha256:{sha}"),
        canonical_url=canonical,
        url=url,
        feed_id=feed_entry.feed_id if feed_entry else None,
        outlet=outlet,
        title=_clean(getattr(doc, "title", None)) or (feed_entry.title if feed_entry else None),
        author=_clean(getattr(doc, "author", None)),
        text=text,
        published_at=_published_at(getattr(doc, "date", None),
                                    feed_entry.published_at if feed_entry else None),
        site_name=_clean(getattr(doc, "sitename", None)),
        language=_language(html, getattr(doc, "language", None), feed_language, text),
        content_sha256=sha,
        raw_path=raw_path,
        fetched_at=fetched_at,
        extractor_version=EXTRACTOR_ID,
    )


def _run_trafilatura(html: bytes | str, url: str,
                     fetched_at: dt.datetime) -> tuple[str | None, Document | None]:
    if not html or _looks_binary(html):
        return None, None
    # max_date from the fetch time rather than the machine's clock: re-extracting the same raw
    # page later must give the same date. One day of slack for pages dated in a zone ahead of UTC.
    max_date = (fetched_at.astimezone(dt.UTC) + dt.timedelta(days=1)).strftime("%Y-%m-%d")
    doc = _bare_extraction(
        html, url=url, **_OPTIONS,
        date_extraction_params={"original_date": True, "extensive_search": _DATE_SEARCH_EXTENSIVE,
                                "max_date": max_date, "url": url,
                                "outputformat": "%Y-%m-%dT%H:%M:%S%z"},
    )
    if not isinstance(doc, Document):  # None; a dict only with as_dict=True, never asked for
        return None, None
    text = (doc.text or "").strip()
    return (text or None), doc


def _rebound(function: Callable[..., Any], **names: object) -> Callable[..., Any]:
    """A copy of the module-level `function` in which each global name in `names` means the object
    given; the function's module is left as it is. `function` itself when one of the names is not
    among its module's globals (another trafilatura): then nothing is left out, nothing breaks."""
    if not all(name in function.__globals__ for name in names):
        return function
    copy = types.FunctionType(function.__code__, {**function.__globals__, **names}, function.__name__,
                              function.__defaults__, function.__closure__)
    copy.__kwdefaults__ = function.__kwdefaults__
    return copy


def _no_catstags(metatype: str, tree: object) -> list[str]:  # noqa: ARG001 - trafilatura's signature
    return []


def _no_license(tree: object) -> None:  # noqa: ARG001 - trafilatura's signature
    return None


_SURE_LENGTH = 2000
"""Characters of body text from trafilatura's own extractor above which (with `_SURE_PARAGRAPHS`
paragraphs) its fallback is not run; see `_extract_and_compare_if_unsure`."""
_SURE_PARAGRAPHS = 3


def _extract_and_compare_if_unsure(cleaned_tree: Any, cleaned_tree_backup: Any, tree: Any,
                                   options: Any) -> tuple[Any, str]:
    """trafilatura's `_extract_and_compare` (stages 1-2 of its cascade), but its comparison with
    readability and justext (`compare_extraction`, a third of our extraction's CPU) runs only when
    the body of its own extractor looks unsure: shorter than `_SURE_LENGTH` characters, fewer than
    `_SURE_PARAGRAPHS` paragraphs, or more tables than paragraphs (its own test for a deficient
    body); the raw tree is copied for it only then. On the 181 pages of the extraction benchmark
    the comparison changed the body of 6, each under 900 characters and at most 2 paragraphs:
    readability replaces a body with text of its own only when that is over twice as long."""
    body, text = trafilatura.main_extractor.extract_content(cleaned_tree, options)
    paragraphs = len(body.findall(".//p"))
    if options.fast or (len(text) >= _SURE_LENGTH and paragraphs >= _SURE_PARAGRAPHS
                        and len(body.findall(".//table")) <= paragraphs):
        return body, text
    result: tuple[Any, str] = trafilatura.external.compare_extraction(
        cleaned_tree_backup, copy.copy(tree), body, text, options)
    return result


# trafilatura's `bare_extraction`, but its metadata step leaves out what an `Article` never reads
# (the page's categories, tags and licence, 3.8 of our 26 ms of CPU per page, bench_ingest.py
# --options), and its fallback extractors run only on an unsure body
# (`_extract_and_compare_if_unsure`). The title, author, date and site name come from
# trafilatura's own unchanged code (tests/test_articles.py compares the two); a copy rather than a
# change to trafilatura's modules, so any other caller of trafilatura in the process gets all of
# its metadata and its fallback on every page.
_bare_extraction = _rebound(
    trafilatura.core.bare_extraction,
    extract_metadata=_rebound(trafilatura.metadata.extract_metadata, extract_catstags=_no_catstags,
                              extract_license=_no_license),
    trafilatura_sequence=_rebound(
        trafilatura.core.trafilatura_sequence,
        _extract_and_compare=_extract_and_compare_if_unsure,
    ),
)


def _decode_wide(html: bytes | str) -> bytes | str:
    """A UTF-16 page (a BOM, or ASCII markup with NUL bytes between) as text; anything else as
    it is. Its NULs would otherwise make it look binary."""
    if not isinstance(html, bytes):
        return html
    if html.startswith((b"\xff\xfe", b"\xfe\xff")):
        return html.decode("utf-16", "replace")
    head = html[:200]
    if len(head) >= 8 and head[1::2].count(0) == len(head[1::2]) and head[0::2].isascii():
        return html.decode("utf-16-le", "replace")
    if len(head) >= 8 and head[0::2].count(0) == len(head[0::2]) and head[1::2].isascii():
        return html.decode("utf-16-be", "replace")
    return html


def _looks_binary(html: bytes | str) -> bool:
    if isinstance(html, str):
        return "\x00" in html[:1024]
    head = html[:1024]
    return head.startswith(_BINARY_MAGIC) or b"\x00" in head


def _published_at(page_date: str | None, feed_date: dt.datetime | None) -> dt.datetime | None:
    """The page's own date, made precise by the feed's timestamp when both name the same day.

    htmldate (inside trafilatura) gives a zoned timestamp when the page states one, often only a
    day. A zoned page timestamp wins. A bare day (or a time without a zone) yields to the feed's
    timestamp when they are at most a day apart (zones), and otherwise stands as UTC. No page date:
    the feed's.
    """
    if not page_date:
        return feed_date
    try:
        parsed = dt.datetime.fromisoformat(page_date)
    except ValueError:
        return feed_date
    if parsed.tzinfo is not None:
        return parsed.astimezone(dt.UTC)
    if feed_date is not None and abs((feed_date.date() - parsed.date()).days) <= 1:
        return feed_date.astimezone(dt.UTC)
    return parsed.replace(tzinfo=dt.UTC)


def _language(html: bytes | str, detected: str | None, feed_language: str | None,
              text: str = "") -> str | None:
    script = _main_script(text)
    for candidate in (detected, _declared_language(html), feed_language):
        match = _LANG_CODE.match((candidate or "").strip().lower())
        if match and (script is None or script in _SCRIPTS.get(match.group(1), _LATIN)):
            return match.group(1)
    return None


# The writing systems of the languages not written in Latin letters (ISO 639-1 and -3 codes);
# every other code is taken as Latin-script. Only a clear mismatch rejects a declared language.
_LATIN = frozenset({"LATIN"})
_SCRIPTS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("ru", "rus", "uk", "ukr", "bg", "bul", "mk", "mkd", "be", "bel", "kk", "kaz",
                     "ky", "kir", "tg", "tgk", "mn", "mon"), frozenset({"CYRILLIC"})),
    **dict.fromkeys(("sr", "srp"), frozenset({"CYRILLIC", "LATIN"})),
    **dict.fromkeys(("ar", "ara", "fa", "fas", "per", "ur", "urd", "ps", "pus", "sd", "snd", "ug",
                     "uig", "ckb"), frozenset({"ARABIC"})),
    **dict.fromkeys(("ku", "kur"), frozenset({"ARABIC", "LATIN"})),
    **dict.fromkeys(("he", "heb", "yi", "yid"), frozenset({"HEBREW"})),
    **dict.fromkeys(("el", "ell", "gre"), frozenset({"GREEK"})),
    **dict.fromkeys(("zh", "zho", "chi"), frozenset({"CJK"})),
    **dict.fromkeys(("ja", "jpn"), frozenset({"CJK", "HIRAGANA", "KATAKANA"})),
    **dict.fromkeys(("ko", "kor"), frozenset({"HANGUL", "CJK"})),
    **dict.fromkeys(("hi", "hin", "mr", "mar", "ne", "nep", "sa", "san"), frozenset({"DEVANAGARI"})),
    **dict.fromkeys(("bn", "ben"), frozenset({"BENGALI"})),
    **dict.fromkeys(("ta", "tam"), frozenset({"TAMIL"})),
    **dict.fromkeys(("th", "tha"), frozenset({"THAI"})),
    **dict.fromkeys(("ka", "kat", "geo"), frozenset({"GEORGIAN"})),
    **dict.fromkeys(("hy", "hye", "arm"), frozenset({"ARMENIAN"})),
    **dict.fromkeys(("am", "amh", "ti", "tir"), frozenset({"ETHIOPIC"})),
}


def _main_script(text: str, sample: int = 2000) -> str | None:
    """The writing system of most letters among the first `sample` ("LATIN", "CYRILLIC", ...)."""
    counts = Counter(map(_script_of, islice(filter(str.isalpha, text), sample)))
    return counts.most_common(1)[0][0] if counts else None


@functools.lru_cache(maxsize=8192)
def _script_of(letter: str) -> str:
    name = unicodedata.name(letter, "")
    return "CJK" if name.startswith("CJK") else name.split(" ", 1)[0]


def _declared_language(html: bytes | str) -> str | None:
    head = html[:50_000]
    data = head.encode("utf-8", "replace") if isinstance(head, str) else head
    for pattern in _LANG_PATTERNS:
        match = pattern.search(data)
        if match:
            return match.group(1).decode("ascii", "replace")
    return None


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None
