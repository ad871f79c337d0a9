"""Reliability, round two (issue 14, row 4): one bad item never costs a feed.

Feeds of valid items plus one corrupted item (character references XML cannot carry, raw control
characters, bytes invalid in the declared encoding), in UTF-8 and in UTF-16, through the real
feedparser: every valid item must come out, the corrupted one repaired or skipped with a note.
Junk dates are dropped and said so (row 10).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import feeds
from extractors.budget import OverBudget
from extractors.feeds import parse_feed

BASE = "https://news.example.com/rss.xml"
CORRUPTIONS = [
    b"&#55357;&#56832;",  # a surrogate pair as two references (emoji as some CMSs write it)
    b"&#xD83D;&#xDE00;", b"&#55357;", b"&#56832;", b"&#xDFFF;&#xD800;",  # lone or reversed halves
    b"&#x110000;", b"&#1114112;", b"&#99999999999999;", b"&#0;", b"&#x1;", b"&#xFFFE;",
    b"\x01\x02\x1b[31m", b"\x00", b"\x80\xfe\xff", b"\xed\xa0\xbd",  # controls, invalid UTF-8
]
WORDS = st.text(alphabet="abcdefghij klmnop", min_size=1, max_size=20).map(str.strip).filter(bool)


def item(n: int, title: bytes) -> bytes:
    return (b"<item><title>" + title + b"</title><link>https://news.example.com/story-%d</link>"
            b"<description>About story %d.</description></item>" % (n, n))


def rss(items: list[bytes]) -> bytes:
    return (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            + b"".join(items) + b"</channel></rss>")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(titles=st.lists(WORDS, min_size=1, max_size=8), corruption=st.sampled_from(CORRUPTIONS),
       where=st.integers(min_value=0, max_value=8), around=st.tuples(WORDS, WORDS))
def test_row4_a_feed_with_one_corrupted_item_yields_every_valid_item(
        titles: list[str], corruption: bytes, where: int, around: tuple[str, str]) -> None:
    items = [item(n, t.encode()) for n, t in enumerate(titles)]
    bad = item(99, around[0].encode() + corruption + around[1].encode())
    items.insert(min(where, len(items)), bad)
    entries = parse_feed("x", rss(items), base_url=BASE)
    urls = {e.canonical_url for e in entries}
    assert {f"https://news.example.com/story-{n}" for n in range(len(titles))} <= urls
    for entry in entries:  # whatever came out is text XML and Parquet can carry
        assert entry.title is None or not any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF
                                              for c in entry.title)


def test_row4_the_emoji_pair_is_joined_and_impossible_references_become_a_replacement() -> None:
    entries = parse_feed("x", rss([item(1, b"smile &#55357;&#56832;"), item(2, b"bad &#x110000; ref"),
                                   item(3, b"nul &#0; and &#xD800;")]), base_url=BASE)
    assert [e.title for e in entries] == ["smile \U0001F600", "bad \ufffd ref", "nul \ufffd and \ufffd"]


def test_row4_a_utf16_feed_is_repaired_too() -> None:
    doc = ('<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>t</title>'
           '<item><title>one &#55357;&#56832;</title><link>https://news.example.com/1</link></item>'
           '<item><title>bad &#xD800; here</title><link>https://news.example.com/2</link></item>'
           "</channel></rss>").encode("utf-16")
    assert [e.title for e in parse_feed("x", doc, base_url=BASE)] == ["one \U0001F600", "bad \ufffd here"]


def test_row4_an_item_the_repair_misses_is_skipped_alone_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    """A corruption no repair knows (played here by switching the repair off): feedparser fails
    on the document, so each item is parsed alone and only the bad one is skipped."""
    monkeypatch.setattr(feeds, "_repair", lambda body: body)
    notes: list[str] = []
    entries = parse_feed("x", rss([item(1, b"one"), item(2, b"bad &#xD800; here"), item(3, b"three")]),
                         base_url=BASE, notes=notes)
    assert [e.title for e in entries] == ["one", "three"]
    assert notes == ["item 2 skipped: feedparser failed: UnicodeEncodeError"]


def test_row10_junk_dates_are_dropped_and_said_so() -> None:
    def dated(n: int, date: bytes) -> bytes:
        return item(n, b"t").replace(b"</item>", b"<pubDate>" + date + b"</pubDate></item>")

    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=400)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    notes: list[str] = []
    entries = parse_feed("x", rss([dated(1, b"Thu, 01 Jan 1970 00:00:00 GMT"), dated(2, future.encode()),
                                   dated(3, b"Mon, 99 Foo 2024"), dated(4, b"Tue, 17 Feb 2026 10:00:00 GMT")]),
                         base_url=BASE, notes=notes)
    assert [e.published_at for e in entries] == [None, None, None,
                                                 dt.datetime(2026, 2, 17, 10, tzinfo=dt.UTC)]
    assert [n.split(" ignored: ")[1] for n in notes] == [
        "1970-01-01 is implausible", f"{future[12:16]}-{dt.datetime.strptime(future[8:11], '%b').month:02d}"
        f"-{future[5:7]} is implausible", "unreadable"]


def test_row1_a_feed_parse_has_a_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    big = rss([item(n, b"title %d" % n) for n in range(5_000)])  # about 0.5 MB: seconds to parse
    monkeypatch.setattr(feeds, "PARSE_SECONDS", 0.2)
    with pytest.raises(feeds.FeedParseError, match=r"^feed parse over its 0.2 s budget$"):
        parse_feed("x", big, base_url=BASE)
    monkeypatch.setattr(feeds, "PARSE_SECONDS", 600)
    assert len(parse_feed("x", big, base_url=BASE)) == 5_000


def test_row1_a_budget_that_fires_inside_feedparser_stops_the_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """The budget's exception lands wherever the parse is: inside feedparser it must not be taken
    for a document feedparser failed on, and parsed again item by item past the budget."""
    def over_budget(*args: object, **kwargs: object) -> None:
        raise OverBudget

    monkeypatch.setattr(feeds.feedparser, "parse", over_budget)
    monkeypatch.setattr(feeds, "PARSE_SECONDS", 600)  # the budget's own timer never fires here
    with pytest.raises(feeds.FeedParseError, match=r"^feed parse over its 600 s budget$"):
        parse_feed("x", rss([item(n, b"title %d" % n) for n in range(3)]), base_url=BASE)
