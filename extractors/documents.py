"""Documents given as JSON objects, coded: the parsing and coding behind `flarewatch extract`.

In: one JSON object per document (`id`, `text` or `html`, optional `url`, `title`, `published_at`,
`language`), read from a JSONL file (`read_jsonl`) or given as dicts. A document whose language has
no lexicon is not coded.
Out: the coded mentions (`code_documents`), then one row per mention (`prediction_rows`: `doc_id`,
`incident_id` = the merged incident across the whole input, the coded fields, the evidence, the
rules that fired). The same coding code path as the ingest flow. Reference and aggregate mentions
get their role and no `incident_id` (they count no incident); a reference carries `refers_to`, the
incident it most likely names.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from extractors.articles import extract_article
from extractors.coding_language import coding_language, coding_status
from extractors.dedup import link_references, merge_mentions
from extractors.incidents import code_incidents
from extractors.records import Mention


def parse_time(value: str | None) -> dt.datetime | None:
    """An ISO-8601 time as aware UTC (naive times are taken as UTC); None stays None."""
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def document_text(doc: Mapping[str, Any], published_at: dt.datetime | None) -> tuple[str, str | None]:
    """The text to code and the title: `text` as given, or the body trafilatura finds in `html`."""
    if doc.get("text"):
        return doc["text"], doc.get("title")
    if doc.get("html"):
        article = extract_article(
            doc["html"], url=doc.get("url") or "", feed_entry=None,
            fetched_at=published_at or dt.datetime.now(dt.UTC), raw_path=None, outlet=None,
        )
        if article is not None:
            return article.text, doc.get("title") or article.title
    return "", doc.get("title")


def outlet_of(doc: Mapping[str, Any]) -> str | None:
    """The outlet a document comes from: its URL's host (so wire copies count as two outlets)."""
    host = urlsplit(doc.get("url") or "").hostname
    return host.removeprefix("www.") if host else doc.get("outlet")


def code_documents(docs: Iterable[Any]) -> list[Mention]:
    """Code every document; a document missing `id` is an input error (ValueError, with its line)."""
    mentions: list[Mention] = []
    for line_no, doc in enumerate(docs, 1):
        if not isinstance(doc, dict) or not doc.get("id"):
            raise ValueError(f"document {line_no} has no 'id'")
        published_at = parse_time(doc.get("published_at"))
        text, title = document_text(doc, published_at)
        language = coding_language(text, doc.get("language"))
        if coding_status(language) != "coded":
            continue  # no lexicon for its language: not run through another language's rules
        mentions.extend(
            code_incidents(text, article_id=str(doc["id"]), published_at=published_at, title=title,
                           outlet=outlet_of(doc), language=language)
        )
    return mentions


def prediction_rows(mentions: list[Mention]) -> Iterator[dict[str, Any]]:
    """Each mention with the id of the incident it merged into, in the scorer's field names."""
    owner: dict[str, str] = {}
    incidents = merge_mentions(mentions)
    for incident in incidents:
        if incident.status == "active":
            owner.update(dict.fromkeys(incident.mention_ids, incident.incident_id))
    refers = link_references(mentions, incidents)
    for m in mentions:
        yield {
            "doc_id": m.article_id,
            "incident_id": owner.get(m.mention_id),
            "mention_id": m.mention_id,
            "event_date": m.event_date.isoformat() if m.event_date else None,
            "date_precision": m.date_precision,
            "iso3": m.iso3,
            "admin1": m.admin1,
            "location": m.location,
            "latitude": m.latitude,
            "longitude": m.longitude,
            "event_type": m.event_type,
            "sub_event_type": m.sub_event_type,
            "fatalities": m.fatalities,
            "injuries": m.injuries,
            "actor1": m.actor1,
            "target": m.actor2,
            "assoc_actor1": m.assoc_actor1,
            "inter1": m.inter1,
            "inter2": m.inter2,
            "civilian_targeting": m.civilian_targeting,
            "weapons": list(m.weapons),
            "role": m.role,
            "evidence": m.evidence,
            "evidence_start": m.evidence_start,
            "evidence_end": m.evidence_end,
            "confidence": m.confidence,
            "why": list(m.why),
            "refers_to": refers.get(m.mention_id),
        }


def read_jsonl(path: Path) -> Iterator[Any]:
    """The JSON value of each non-blank line of `path` (ValueError naming the line when one is not JSON)."""
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{line_no}: not JSON ({exc.msg})") from None
