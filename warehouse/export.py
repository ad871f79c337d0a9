"""Incidents in the shapes other tools read: ACLED's columns and conventions, flat rows, GeoJSON.

In: incident rows (dicts with the `incidents` columns) and each one's sources (`incident_sources`
rows). Out: rows / a GeoJSON dict; no file or database access here.

ACLED conventions followed by `acled_rows` (ACLED codebook): columns in ACLED's order;
`event_id_cnty` is flarewatch's `incident_id` (stable across runs, what `flarewatch show` takes);
`time_precision` 1 (day), 2 (week / a range within a month), 3 (month or coarser); `fatalities` 0
when no report gave a figure (the warehouse keeps NULL: `tags` then says "fatalities not reported");
`notes` the evidence sentence of the first primary report; `source` the outlets, "; "-separated;
`iso` the ISO 3166-1 numeric code; `interaction` the two inter codes, smaller first. Columns the
warehouse does not hold (region, admin2, admin3, assoc_actor_2, source_scale; assoc_actor_1, inter1,
inter2 and civilian_targeting until the records carry them) are written empty.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location",
    "latitude", "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags",
    "timestamp",
)
TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}
DISORDER = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
LONG_EVIDENCE = 300
"""Evidence longer than this is cut to the sentence that carries the figure."""

_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")
_CASUALTY = re.compile(r"\b(kill|dead|death|died|die|wound|injur|casualt)", re.I)


def figure_pattern(figure: int | None) -> re.Pattern[str] | None:
    """The ways a text writes `figure`: digits, or its English word up to twenty."""
    if figure is None:
        return None
    forms = [re.escape(str(figure))] + ([_WORDS[figure]] if 0 < figure < len(_WORDS) else [])
    return re.compile(r"(?<![\w.])(" + "|".join(forms) + r")(?!\w)", re.I)


def evidence_sentence(evidence: str | None, figure: int | None = None) -> str:
    """The evidence itself when short; else its sentence giving `figure` (or a casualty word)."""
    text = (evidence or "").strip()
    if len(text) <= LONG_EVIDENCE:
        return text
    parts = [p for p in _SENTENCE_END.split(text) if p.strip()]
    for pattern in (p for p in (figure_pattern(figure), _CASUALTY) if p is not None):
        hit = next((p for p in parts if pattern.search(p)), None)
        if hit:
            return hit.strip()
    return parts[0].strip() if parts else text


def _disorder(event_type: str, sub_event_type: str) -> str:
    if sub_event_type == "Excessive force against protesters":
        return "Political violence; Demonstrations"
    if sub_event_type == "Mob violence":
        return "Political violence"
    return DISORDER.get(event_type, "")


def _country(iso3: str | None) -> tuple[str, str]:
    """(ISO numeric, English name) of an ISO3 code; empty when unknown."""
    if not iso3:
        return "", ""
    import pycountry  # ISO 3166: numeric codes and names

    found = pycountry.countries.get(alpha_3=iso3)
    return ("", iso3) if found is None else (str(int(found.numeric)), str(found.name))


def first_primary(sources: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The earliest primary source (else the earliest of any role)."""
    latest = dt.datetime.max.replace(tzinfo=dt.UTC)
    ordered = sorted(sources, key=lambda s: (s.get("published_at") or s.get("reported_at") or latest))
    return next((s for s in ordered if s.get("role") == "primary"), ordered[0] if ordered else None)


def acled_row(incident: Mapping[str, Any], sources: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One incident as one ACLED row (every value a string or number, blanks as "")."""
    day = incident.get("event_date")
    iso, country = _country(incident.get("iso3"))
    inter1, inter2 = incident.get("inter1"), incident.get("inter2")
    lead = first_primary(sources)
    outlets = sorted({s["outlet"] for s in sources if s.get("outlet") and s.get("role") != "reference"})
    deaths = incident.get("fatalities")
    updated = incident.get("updated_at") or incident.get("first_reported_at")
    civilians = incident.get("civilian_targeting")
    row = {
        "event_id_cnty": incident["incident_id"],
        "event_date": day.isoformat() if day else "",
        "year": day.year if day else "",
        "time_precision": TIME_PRECISION.get(incident.get("date_precision") or "", 3),
        "disorder_type": _disorder(incident["event_type"], incident["sub_event_type"]),
        "event_type": incident["event_type"],
        "sub_event_type": incident["sub_event_type"],
        "actor1": incident.get("actor1"),
        "assoc_actor_1": incident.get("assoc_actor1"),
        "inter1": inter1,
        "actor2": incident.get("actor2"),
        "assoc_actor_2": None,
        "inter2": inter2,
        "interaction": (int(f"{min(inter1, inter2)}{max(inter1, inter2)}")
                        if inter1 is not None and inter2 is not None else None),
        "civilian_targeting": "Civilian targeting" if civilians else None,
        "iso": iso,
        "region": None,
        "country": country,
        "admin1": incident.get("admin1"),
        "admin2": None,
        "admin3": None,
        "location": incident.get("location"),
        "latitude": incident.get("latitude"),
        "longitude": incident.get("longitude"),
        "geo_precision": incident.get("geo_precision"),
        "source": "; ".join(outlets),
        "source_scale": None,
        "notes": evidence_sentence(lead.get("evidence"), lead.get("fatalities")) if lead else "",
        "fatalities": deaths if deaths is not None else 0,
        "tags": "" if deaths is not None else "fatalities not reported",
        "timestamp": int(updated.timestamp()) if isinstance(updated, dt.datetime) else "",
    }
    return {k: "" if row[k] is None else row[k] for k in ACLED_COLUMNS}


def acled_rows(incidents: Iterable[Mapping[str, Any]],
               sources: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """`acled_row` for each incident, its sources looked up by incident_id."""
    return [acled_row(i, sources.get(i["incident_id"], ())) for i in incidents]


def geojson(incidents: Iterable[Mapping[str, Any]],
            sources: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, Any]:
    """A FeatureCollection: one Point per incident with coordinates, ACLED's fields as properties."""
    features = []
    for incident in incidents:
        lat, lon = incident.get("latitude"), incident.get("longitude")
        if lat is None or lon is None:
            continue
        props = acled_row(incident, sources.get(incident["incident_id"], ()))
        props["fatalities"] = incident.get("fatalities")  # GeoJSON keeps "not reported" as null
        features.append({"type": "Feature", "id": incident["incident_id"],
                         "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props})
    return {"type": "FeatureCollection", "features": features}
