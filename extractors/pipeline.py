"""One fetched page in, one article and the incidents it reports out.

In: `Page` (the raw bytes of a fetched article page and the feed entry that led to it).
Out: `CodedArticle` (the extracted `Article` and its `Mention`s), or None when the page holds
no article. Pure and picklable, so the flow can spread pages over processes. Each article's
language is detected (`coding_language`); one in a language without a lexicon is kept with
`coding_status` "not coded: <lang>" and no mentions, never read with another language's rules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from extractors.articles import extract_article
from extractors.coding_language import coding_language, coding_status
from extractors.incidents import code_incidents
from extractors.records import Article, FeedEntry, Mention

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched article page waiting to be extracted and coded."""

    entry: FeedEntry
    outlet: str | None
    url: str
    fetched_at: dt.datetime
    raw_path: str | None
    body: bytes = field(repr=False)
    feed_language: str | None = None


@dataclass(frozen=True, slots=True)
class CodedArticle:
    """An extracted article and the incident mentions coded from its text."""

    article: Article
    mentions: tuple[Mention, ...]


def code_article(article: Article) -> CodedArticle:
    """Code the incidents of an already extracted article (used when re-coding stored articles);
    the article comes back with its `coding_status`."""
    language = coding_language(article.text, article.language)
    status = coding_status(language)
    article = dataclasses.replace(article, coding_status=status)
    if status != "coded":
        return CodedArticle(article=article, mentions=())
    mentions = code_incidents(
        article.text,
        article_id=article.article_id,
        published_at=article.published_at,
        title=article.title,
        outlet=article.outlet,
        language=language,
    )
    return CodedArticle(article=article, mentions=mentions)


def extract_page(page: Page) -> Article | None:
    """The article body and metadata of a fetched page (None when the page holds no article)."""
    return extract_article(page.body, url=page.url, feed_entry=page.entry, fetched_at=page.fetched_at,
                           raw_path=page.raw_path, outlet=page.outlet, feed_language=page.feed_language)


def code_page(page: Page) -> CodedArticle | None:
    """Extract the article body and metadata from a page, then code its incidents."""
    article = extract_page(page)
    return None if article is None else code_article(article)


def code_pages(pages: Sequence[Page]) -> list[CodedArticle | None]:
    """`code_page` over a batch, in order: the unit of work one worker process receives.

    A page on which extraction or coding itself fails is logged with its URL and gives None:
    one bad page never stops the batch (top-level and picklable, for process pools).
    """
    out: list[CodedArticle | None] = []
    for page in pages:
        try:
            out.append(code_page(page))
        except Exception:  # noqa: BLE001 - logged with the URL; the batch goes on
            LOGGER.exception("extraction or coding failed for %s", page.url)
            out.append(None)
    return out
