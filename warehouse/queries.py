"""The read-only questions the flows and the CLI ask the tables: one incident with its sources,
reasons and references (`flarewatch show`), the incidents of a period with their sources
(`flarewatch export`), the figures under a trend (`flarewatch trends`), the event months some
articles' mentions fall in (a backfill's re-merge).

In: a data root (the catalog ones open it with `catalog.connect`) and the question's bounds.
Out: Arrow tables, plain rows or sets; formatting is the caller's. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from extractors.months import event_month
from warehouse import catalog, parquet
from warehouse.paths import DataRoot


def mention_event_months(root: DataRoot, article_ids: Iterable[str]) -> set[str]:
    """The event months of every stored mention of these articles (their incident months)."""
    stored = parquet.read(root, "mentions", columns=["article_id", "event_date"])
    hit = pc.is_in(stored["article_id"], value_set=pa.array(sorted(set(article_ids)), pa.string()))
    return {event_month(d) for d in stored["event_date"].filter(hit).to_pylist()}


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    """One incident as `flarewatch show` reads it: its row, its sources (`incident_sources` rows,
    earliest first) with `why` (the coding rules behind each mention, [] when not stored), and the
    articles whose mentions only refer to it."""

    incident: dict[str, Any]
    sources: list[dict[str, Any]]
    references: list[dict[str, Any]] = field(default_factory=list)


def incident(data: DataRoot, incident_id: str) -> IncidentRecord:
    """The incident `incident_id`, or ValueError (one line, with up to three similar ids)."""
    with catalog.connect(data) as con:
        found = catalog.query(con, "SELECT * FROM incidents_all WHERE incident_id = ?", [incident_id]).to_pylist()
        if not found:
            near = con.execute("SELECT incident_id FROM incidents_all WHERE incident_id LIKE ? LIMIT 3",
                               [incident_id[:6] + "%"]).fetchall()
            hint = (f"; similar ids: {', '.join(r[0] for r in near)}" if near
                    else "; `flarewatch sql \"SELECT incident_id FROM attacks\"` lists them")
            raise ValueError(f"no incident {incident_id!r} in {data}{hint}")
        mention_cols = {r[0] for r in con.execute("DESCRIBE mentions").fetchall()}
        sources = catalog.provenance(con, incident_id).to_pylist()
        why: dict[str, Any] = {}
        if "why" in mention_cols:
            why = dict(con.execute("SELECT mention_id, why FROM mentions WHERE mention_id IN "
                                   "(SELECT unnest(mention_ids) FROM incidents_all WHERE incident_id = ?)",
                                   [incident_id]).fetchall())
        references = []
        if "refers_to" in mention_cols:
            references = catalog.query(con, """
                SELECT coalesce(a.outlet, m.outlet) AS outlet, a.published_at, a.url, m.evidence
                FROM mentions AS m LEFT JOIN articles_latest AS a USING (article_id)
                WHERE m.refers_to = ? AND m.role = 'reference' ORDER BY a.published_at NULLS LAST""",
                [incident_id]).to_pylist()
    for source in sources:
        source["why"] = list(why.get(source["mention_id"]) or ())
    return IncidentRecord(found[0], sources, references)


def incidents_with_sources(
    data: DataRoot, since: dt.date | None, until: dt.date | None, *, attacks_only: bool
) -> tuple[pa.Table, dict[str, list[dict[str, Any]]]]:
    """The active incidents (or attacks) with an event date in [since, until] (either bound may be
    None), in event-date order (undated last), and incident id -> its `incident_sources` rows."""
    where = "($since IS NULL OR event_date >= $since) AND ($until IS NULL OR event_date <= $until)"
    params = {"since": since, "until": until}
    source = "attacks" if attacks_only else "incidents"
    with catalog.connect(data) as con:
        incidents = catalog.query(con, f"SELECT * EXCLUDE (event_month) FROM {source} WHERE {where} "
                                  "ORDER BY event_date NULLS LAST, incident_id", params)
        rows = catalog.query(con, f"""
            SELECT s.* FROM incident_sources AS s JOIN {source} AS i USING (incident_id)
            WHERE {where.replace('event_date', 'i.event_date')}""", params).to_pylist()
    sources: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        sources.setdefault(row["incident_id"], []).append(row)
    return incidents, sources


@dataclass(frozen=True, slots=True)
class TrendCounts:
    """A trend's rows (as `catalog.trends` returns them) and the figures its footer and hint need."""

    rows: list[dict[str, Any]]
    undated: int
    """Incidents matching the question but without an event date (left out of the rows)."""
    dated_any_type: int
    """Dated incidents of any event type in the bounds (country filter applied)."""
    countries: list[str]
    """The countries holding a matching incident (ISO3, sorted)."""


def trend_counts(
    data: DataRoot, *, by: str, country: str | None, event_type: str | None, group: tuple[str, ...],
    attacks_only: bool, since: dt.date | None, until: dt.date | None,
) -> TrendCounts:
    """`catalog.trends` with these options, and in one more scan the footer's figures."""
    with catalog.connect(data) as con:
        table = catalog.trends(con, by=by, country=country, event_type=event_type, group=group,
                               attacks_only=attacks_only, since=since, until=until)
        kept = "is_attack(event_type, sub_event_type)" if attacks_only else "true"
        undated, every, present = con.execute(f"""
            SELECT count(*) FILTER (WHERE {kept} AND event_date IS NULL AND ($c IS NULL OR iso3 = $c)
                                    AND ($t IS NULL OR event_type = $t)),
                   count(*) FILTER (WHERE event_date IS NOT NULL AND ($c IS NULL OR iso3 = $c)
                                    AND ($s IS NULL OR event_date >= $s) AND ($u IS NULL OR event_date <= $u)),
                   list(DISTINCT iso3 ORDER BY iso3) FILTER (WHERE {kept} AND iso3 IS NOT NULL)
            FROM incidents""", {"c": country, "t": event_type, "s": since, "u": until}).fetchall()[0]
    return TrendCounts(table.to_pylist(), undated, every, list(present or []))
