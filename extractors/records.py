"""The records that travel between stages: frozen dataclasses, no behaviour.

In: nothing. Out: `FeedSpec`, `FeedEntry`, `FeedPoll`, `Article`, `Mention`, `Incident`.
Datetimes are timezone-aware UTC; dates are `datetime.date`. `None` means "not reported".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

COUNTED_ROLES = frozenset(("primary", "background"))
"""Mention roles that report an incident; "reference" and "aggregate" mentions are kept, never counted."""


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed of the feed list (`seeds/feeds.yaml`)."""

    id: str
    url: str
    outlet: str
    language: str = "en"
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a parsed feed, before its page is fetched."""

    feed_id: str
    url: str
    canonical_url: str
    title: str | None
    summary: str | None
    published_at: dt.datetime | None
    entry_id: str | None = None


@dataclass(frozen=True, slots=True)
class FeedPoll:
    """The outcome of polling one feed once.

    `status` is "ok" (parsed, entries may be empty), "not_modified" (HTTP 304) or "error".
    """

    feed_id: str
    status: str
    fetched_at: dt.datetime
    entries: tuple[FeedEntry, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    http_status: int | None = None
    error: str | None = None
    body: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Article:
    """One extracted article version (one row of the `articles` table)."""

    article_id: str
    canonical_url: str
    url: str
    feed_id: str | None
    outlet: str | None
    title: str | None
    author: str | None
    text: str
    published_at: dt.datetime | None
    site_name: str | None
    language: str | None
    content_sha256: str
    raw_path: str | None
    fetched_at: dt.datetime
    extractor_version: str
    coding_status: str | None = None
    """"coded", "not coded: <lang>" (no lexicon for the article's language) or "coding: over budget"."""


@dataclass(frozen=True, slots=True)
class Mention:
    """One incident as one article reports it, with the evidence that supports each figure.

    `role`: "primary" (the news itself), "background" (a dated past incident the story recalls),
    "reference" (an incident named only as the story's topic, cause or backdrop: "after the
    bombing", "condemned the strike") or "aggregate" (a tally over days or places). Only primary
    and background mentions make or count an incident; `refers_to` links a reference to the
    incident it most likely names. `why`: the ids of the coding rules that fired
    (`extractors.coding_rules`).
    `date_precision`: "day", "week", "month" or "year" (ACLED's time precision).
    `geo_precision`: ACLED's 1 (the town itself), 2 (near a town / a district), 3 (a region).
    `fatalities` / `injuries`: None when the text does not say, 0 when it says none.
    `evidence_start` / `evidence_end`: character offsets of `evidence` in the coded text.
    """

    mention_id: str
    article_id: str
    outlet: str | None
    reported_at: dt.datetime | None
    event_type: str
    sub_event_type: str
    event_date: dt.date | None
    date_precision: str
    iso3: str | None
    admin1: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    actor1: str | None
    actor2: str | None
    fatalities: int | None
    injuries: int | None
    weapons: tuple[str, ...]
    munitions: int | None
    role: str
    evidence: str
    evidence_start: int
    evidence_end: int
    confidence: float
    extractor_version: str
    why: tuple[str, ...] = ()
    refers_to: str | None = None
    # ACLED's actor coding (issue 13, actors): see `extractors.actors.code_actors`
    assoc_actor1: str | None = None
    inter1: int | None = None
    inter2: int | None = None
    civilian_targeting: bool | None = None


@dataclass(frozen=True, slots=True)
class Incident:
    """One real-world incident after merging the mentions that report it.

    Built only from mentions that report it (role primary or background); references are
    counted apart in `n_references`. `fatalities` is the conservative (lowest) figure any report
    gives; `fatalities_min` / `fatalities_max` the range. `status`: "active", "merged" (see
    `merged_into`) or "retracted".
    """

    incident_id: str
    status: str
    merged_into: str | None
    event_type: str
    sub_event_type: str
    event_date: dt.date | None
    date_precision: str
    iso3: str | None
    admin1: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    actor1: str | None
    actor2: str | None
    fatalities: int | None
    fatalities_min: int | None
    fatalities_max: int | None
    injuries: int | None
    weapons: tuple[str, ...]
    munitions: int | None
    n_mentions: int
    n_articles: int
    n_outlets: int
    first_reported_at: dt.datetime | None
    updated_at: dt.datetime | None
    mention_ids: tuple[str, ...]
    # ACLED's actor coding (issue 13, actors), the most frequent value among its mentions
    assoc_actor1: str | None = None
    inter1: int | None = None
    inter2: int | None = None
    civilian_targeting: bool | None = None
    n_references: int = 0
    """How many other articles name this incident only as a reference (never counted)."""
    # issue 16: written by warehouse.attacks.mark before every incidents write (one definition).
    is_attack: bool = False


@dataclass(frozen=True, slots=True)
class Failure:
    """Something that went wrong for one feed or URL, recorded and reported, never raised."""

    stage: str
    target: str
    reason: str
