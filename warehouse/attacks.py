"""The one definition of "attack" and "current" in the stored data, and the materialised monthly counts.

In: incident records (before they are written) or a data root. Out: incidents with `is_attack` set,
the SQL of the same rule for the DuckDB views, and `attacks_per_month/attacks_per_month.parquet`
(rows: dated attacks per month; its Parquet key-value metadata, written in the same atomic file:
the undated attacks as rows of the same columns without a month, and the active incidents of any
type per month, and each month's latest active attacks with their sources, as zlib-compressed JSON,
so a poll's artifacts and report page read a few hundred rows whatever the history; `read_per_month`).

"Current" is `status = 'active'` (merged tombstones and retracted incidents are kept, not counted).
"Attack" is `extractors.taxonomy.is_attack`: the political-violence event types (Battles,
Explosions/Remote violence, Violence against civilians) plus the sub-event type Disrupted weapons
use (an intercepted attack). Both columns are in the incidents Parquet, so any tool counts
`WHERE status = 'active' AND is_attack` per month and gets `flarewatch trends`' numbers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import zlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extractors.records import Incident
from extractors.taxonomy import DISRUPTED, POLITICAL_VIOLENCE, is_attack
from warehouse import parquet, partitions, paths, swap
from warehouse.paths import DataRoot

ACTIVE = "active"
ATTACK_TYPES: tuple[str, ...] = (*sorted(POLITICAL_VIOLENCE), f"{DISRUPTED} (sub-event type)")
"""What "attacks" includes, in words, for footers and docs."""

PER_MONTH = "attacks_per_month"
PER_MONTH_SCHEMA = pa.schema([
    pa.field("month", pa.date32()),
    pa.field("iso3", pa.string()),
    pa.field("event_type", pa.string()),
    pa.field("sub_event_type", pa.string()),
    pa.field("incidents", pa.int64()),
    pa.field("fatalities", pa.int64()),
    pa.field("fatalities_reported", pa.int64()),
])


def mark(incidents: Iterable[Incident]) -> list[Incident]:
    """The incidents with `is_attack` set from their event and sub-event type."""
    return [
        i if i.is_attack == is_attack(i.event_type, i.sub_event_type)
        else dataclasses.replace(i, is_attack=is_attack(i.event_type, i.sub_event_type))
        for i in incidents
    ]


def attack_sql(event_type: str, sub_event_type: str) -> str:
    """The same rule as a SQL expression over two column expressions."""
    types = ", ".join("'" + t.replace("'", "''") + "'" for t in sorted(POLITICAL_VIOLENCE))
    return f"({event_type} IN ({types}) OR {sub_event_type} = '{DISRUPTED}')"


@dataclasses.dataclass(frozen=True, slots=True)
class PerMonth:
    """The materialised counts. `rows`: dated active attacks per (month, iso3, event_type,
    sub_event_type), the columns of `PER_MONTH_SCHEMA`; `undated`: the same counts of the active
    attacks without an event date (month None); `active`: "YYYY-MM" -> active incidents of any
    type dated in that month; `latest`: event-month partition ("YYYY-MM" / "unknown") -> its
    `LATEST_KEPT` latest active attacks (`LATEST_COLUMNS`, by event date then id) with their
    "sources" (`with_sources`, as of the merge that wrote the month), or None in a file written
    before they were kept (as read back: a `Latest`, each month parsed when first asked for)."""

    rows: list[dict[str, Any]]
    undated: list[dict[str, Any]]
    active: dict[str, int]
    latest: Mapping[str, list[dict[str, Any]]] | None = None


class Latest(Mapping[str, list[dict[str, Any]]]):
    """The kept latest attacks as read back: event month -> its rows, each month's JSON parsed
    when first asked for. A poll's rewrite of a few months copies the others' values as they are
    (`raw`), and the report page parses only the newest months it shows: neither parses, nor
    holds as Python objects, the latest attacks of every month of the history."""

    def __init__(self, raw: Mapping[str, bytes], *, compressed: bool = True) -> None:
        self._raw, self._compressed = dict(raw), compressed
        self._parsed: dict[str, list[dict[str, Any]]] = {}

    def __getitem__(self, month: str) -> list[dict[str, Any]]:
        if month not in self._parsed:
            self._parsed[month] = _rows_from_json(self.raw(month))
        return self._parsed[month]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._raw))

    def __len__(self) -> int:
        return len(self._raw)

    def raw(self, month: str) -> bytes:
        """The month's rows as `_month_json` writes them (as stored; compressed here if the file
        predates it)."""
        return self._raw[month] if self._compressed else zlib.compress(self._raw[month])


UNDATED_KEY = b"flarewatch.undated"
ACTIVE_KEY = b"flarewatch.active_per_month"
LATEST_KEY = b"flarewatch.latest_attacks.zlib"
"""The months whose latest attacks are kept (a JSON list); each month's rows (`_month_json`) are
under their own key, `LATEST_KEY + b"/" + month` (`_month_key`), so that a month is read or
rewritten alone. Files written before hold plain JSON under `PLAIN_LATEST_KEY` instead (a list of
months, each under its own key; before that one object of every month): read still, and a version
that knows only those finds no latest attacks in a newer file and reads them from the incidents."""
PLAIN_LATEST_KEY = b"flarewatch.latest_attacks"
LATEST_KEPT = 25
"""Latest attacks kept per event month: the report page's "latest N" reads them for N up to this."""
SOURCES_SHOWN = 10
"""Sources kept per latest attack: its earliest reports; "sources_total" counts them all (`flarewatch
show ID` lists every one). A much-reported attack's page block, and the memory that builds it, stay
the same size however many outlets report it."""
LATEST_COLUMNS = ("incident_id", "status", "event_type", "sub_event_type", "event_date", "iso3", "admin1",
                  "location", "fatalities", "mention_ids")


def _latest_json(root: DataRoot, incidents: pa.Table) -> dict[str, bytes]:
    """Event-month partition -> its `LATEST_KEPT` latest active attacks (`LATEST_COLUMNS`, newest
    event date first, then by id) with their sources (`with_sources`), as `_month_json`, over
    incident rows with `event_month` (months without one left out). Only the `SOURCES_SHOWN`
    sources kept per attack are read whole (`_sources`): on a crowded window an attack's
    citations are most of the merge's mentions."""
    kept = incidents.filter(current_attacks(incidents)).select([*LATEST_COLUMNS, "event_month"])
    kept = kept.sort_by([("event_date", "descending"), ("incident_id", "ascending")])  # undated: last
    months = {m: kept.filter(pc.equal(kept["event_month"], m)).slice(0, LATEST_KEPT).drop_columns(["event_month"])
              for m in sorted(m for m in pc.unique(kept["event_month"]).to_pylist() if m is not None)}
    cited = pa.chunked_array([rows["mention_ids"] for rows in months.values()], pa.list_(pa.string()))
    shown = iter(_sources(root, cited))
    return {month: _month_json(r | next(shown) for r in rows.to_pylist()) for month, rows in months.items()}


_EPOCH = dt.datetime(1, 1, 1, tzinfo=dt.UTC)


def with_sources(root: DataRoot, incidents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Set each incident's "sources" (its `SOURCES_SHOWN` earliest cited mentions, earliest report
    first: mention_id, evidence, fatalities, role, outlet, url, published_at) and "sources_total"
    (all it cites), reading the mentions and the latest version of their articles by key (the
    `incident_sources` view's rows); returns `incidents`."""
    for incident, shown in zip(incidents, _sources(root, [i["mention_ids"] for i in incidents]), strict=True):
        incident.update(shown)
    return incidents


def _sources(root: DataRoot, cited: pa.Array | pa.ChunkedArray | list[list[str] | None]) -> list[dict[str, Any]]:
    """Per incident citing `cited[k]` (mention ids: Python lists, or a list<string> array):
    {"sources": its `SOURCES_SHOWN` earliest reports (by their article's publication time, then
    mention id; a mention or article not stored gives None fields and comes last), "sources_total":
    how many it cites}.

    Two reads by key: the cited mentions' article ids and the latest version of those articles
    (the `articles_latest` view's order) choose each incident's earliest reports, looked up and
    sorted as Arrow arrays; then only the chosen mentions are read with their evidence. Python
    objects are made for the sources shown, not for every citation: a much-reported attack cites
    most of a crowded window's mentions. A mention id stored twice gives its last row in both
    reads (same files, same order), as a dict of the rows keeps."""
    if isinstance(cited, list):
        cited = pa.array(cited, pa.list_(pa.string()))
    elif isinstance(cited, pa.ChunkedArray):
        cited = pa.concat_arrays(cited.chunks) if cited.num_chunks else pa.array([], pa.list_(pa.string()))
    totals = pc.fill_null(pc.list_value_length(cited), 0).to_pylist()
    incident, mention_id = pc.list_parent_indices(cited), pc.list_flatten(cited)
    ids = parquet.read(root, "mentions", keys=pc.unique(mention_id).to_pylist(), columns=["mention_id", "article_id"])
    ids = ids.take(pa.array(np.arange(ids.num_rows - 1, -1, -1, dtype=np.int64)))  # last row first
    row = pc.index_in(mention_id, value_set=ids["mention_id"])  # the first match: the last row stored
    articles = _latest_articles(root, ids["article_id"])
    article = pc.index_in(ids["article_id"].take(row), value_set=articles["article_id"])
    keys = pa.table({"incident": incident, "published_at": articles["published_at"].take(article),
                     "mention_id": mention_id})
    order = pc.sort_indices(keys, sort_keys=[("incident", "ascending"), ("published_at", "ascending"),
                                             ("mention_id", "ascending")])  # nulls last: unknown times
    by_incident = incident.take(order).to_numpy()
    first = np.searchsorted(by_incident, by_incident, side="left")  # where each incident's rows start
    shown = order.filter(pa.array(np.arange(len(by_incident)) - first < SOURCES_SHOWN))
    chosen = pa.table({"incident": incident.take(shown), "mention_id": mention_id.take(shown),
                       "row": row.take(shown), "article": article.take(shown)}).to_pylist()
    del keys, order, by_incident, first, shown, ids
    cols = ["mention_id", "outlet", "evidence", "fatalities", "role"]
    stored = sorted({c["mention_id"] for c in chosen if c["row"] is not None})
    said_of = {r["mention_id"]: r for r in parquet.read(root, "mentions", keys=stored, columns=cols).to_pylist()}
    wanted = [c["article"] for c in chosen if c["article"] is not None]
    rows = iter(articles.select(["url", "outlet", "published_at"]).take(pa.array(wanted, pa.int64())).to_pylist())
    out: list[dict[str, Any]] = [{"sources": [], "sources_total": total} for total in totals]
    for c in chosen:
        said: dict[str, Any] = said_of[c["mention_id"]] if c["row"] is not None else {}
        at: dict[str, Any] = next(rows) if c["article"] is not None else {}
        outlet = said.get("outlet") if at.get("outlet") is None else at["outlet"]
        out[c["incident"]]["sources"].append({
            "mention_id": c["mention_id"], "evidence": said.get("evidence"), "fatalities": said.get("fatalities"),
            "role": said.get("role"), "outlet": outlet, "url": at.get("url"), "published_at": at.get("published_at")})
    return out


def _latest_articles(root: DataRoot, article_ids: pa.ChunkedArray) -> pa.Table:
    """The latest version (`partitions.LATEST_ORDER`, the `articles_latest` view's) of these
    articles: article_id, url, outlet, published_at, one row each."""
    keys = pc.unique(pc.drop_null(article_ids)).to_pylist()
    cols = ["article_id", "url", "outlet", "published_at", "fetched_at", "extractor_version", "content_sha256"]
    latest = partitions.latest_versions(parquet.read(root, "articles", keys=keys, columns=cols))
    return latest.select(["article_id", "url", "outlet", "published_at"])


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _month_key(month: str, key: bytes = LATEST_KEY) -> bytes:
    return key + b"/" + month.encode()


def _month_json(rows: Iterable[dict[str, Any]]) -> bytes:
    """One month's kept latest attacks as JSON (dates as ISO strings), zlib-compressed as it is
    written, row by row: a crowded month's sources (every report of a much-reported attack, its
    evidence sentence each) never stand in memory whole as text, and the counts file stays small.
    Decompressed, the JSON of the whole list (`json.dumps`' separators)."""
    out = zlib.compressobj()
    parts = [out.compress(b"[")]
    for k, r in enumerate(rows):
        text = json.dumps(r | {"event_date": _iso(r["event_date"]),
                               "sources": [s | {"published_at": _iso(s["published_at"])} for s in r["sources"]]})
        parts.append(out.compress(((", " if k else "") + text).encode()))
    return b"".join([*parts, out.compress(b"]"), out.flush()])


def _rows_from_json(data: bytes) -> list[dict[str, Any]]:
    """A month's rows from `_month_json`."""
    def day(value: str | None) -> dt.date | None:
        return None if value is None else dt.date.fromisoformat(value)

    def when(value: str | None) -> dt.datetime | None:
        return None if value is None else dt.datetime.fromisoformat(value)

    return [r | {"event_date": day(r["event_date"]),
                 "sources": [s | {"published_at": when(s["published_at"])} for s in r["sources"]]}
            for r in json.loads(zlib.decompress(data))]


def _latest_from_meta(meta: Mapping[bytes, bytes]) -> Latest | None:
    """The kept latest attacks of a counts file's metadata (None: not kept in this file)."""
    if LATEST_KEY in meta:
        return Latest({m: meta[_month_key(m)] for m in json.loads(meta[LATEST_KEY])})
    if PLAIN_LATEST_KEY not in meta:
        return None
    months = json.loads(meta[PLAIN_LATEST_KEY])
    if isinstance(months, dict):  # written before each month had its own key
        return Latest({m: json.dumps(rows).encode() for m, rows in months.items()}, compressed=False)
    return Latest({m: meta[_month_key(m, PLAIN_LATEST_KEY)] for m in months}, compressed=False)


def count(incidents: Iterable[dict[str, Any]]) -> PerMonth:
    """The counts of `PerMonth` over incident rows (status, event_date, iso3, event_type,
    sub_event_type, fatalities)."""
    totals: dict[tuple[Any, ...], list[int]] = {}
    active: dict[str, int] = {}
    for row in incidents:
        if row["status"] != ACTIVE:
            continue
        day: dt.date | None = row["event_date"]
        if day is not None:
            month = f"{day.year:04d}-{day.month:02d}"
            active[month] = active.get(month, 0) + 1
        if not is_attack(row["event_type"], row["sub_event_type"]):
            continue
        key = (None if day is None else day.replace(day=1), row["iso3"], row["event_type"], row["sub_event_type"])
        cell = totals.setdefault(key, [0, 0, 0])
        cell[0] += 1
        cell[1] += row["fatalities"] or 0
        cell[2] += row["fatalities"] is not None
    rows = sorted((dict(zip(PER_MONTH_SCHEMA.names, (*key, *cell), strict=True)) for key, cell in totals.items()),
                  key=_order)
    return PerMonth([r for r in rows if r["month"] is not None], [r for r in rows if r["month"] is None], active)


def current_attacks(incidents: pa.Table) -> pa.Array:
    """The same rule over an Arrow table of incidents: a mask of the active attacks."""
    rule = pc.or_kleene(pc.is_in(incidents["event_type"], pa.array(sorted(POLITICAL_VIOLENCE), pa.string())),
                        pc.equal(incidents["sub_event_type"], DISRUPTED))
    return pc.fill_null(pc.and_kleene(pc.equal(incidents["status"], ACTIVE), rule), False)


def per_month_rows(incidents: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Active attacks with an event date, counted per (month, iso3, event_type, sub_event_type)."""
    return count(incidents).rows


def read_per_month(root: DataRoot) -> PerMonth | None:
    """The materialised counts of `root`, or None when there are none yet or the file predates
    its undated and any-type counts (the next `write_per_month` rebuilds it from every incident)."""
    parsed = paths.open_root(root)
    target = parsed.join(PER_MONTH, f"{PER_MONTH}.parquet")
    if not (os.path.exists(target) if parsed.local else parsed.fs.exists(target)):
        return None
    pf = pq.ParquetFile(target, filesystem=parsed.fs)
    meta = pf.schema_arrow.metadata or {}
    if UNDATED_KEY not in meta or ACTIVE_KEY not in meta:
        return None
    rows = pf.read(columns=PER_MONTH_SCHEMA.names).cast(PER_MONTH_SCHEMA).to_pylist()
    return PerMonth(rows, json.loads(meta[UNDATED_KEY]), json.loads(meta[ACTIVE_KEY]), _latest_from_meta(meta))


def country_months(root: DataRoot) -> tuple[list[dict[str, Any]], int, int, list[str]] | None:
    """What the trends ask DuckDB for (attacks per month by country as rows of period, iso3,
    incidents, fatalities, fatalities_reported; undated attacks; dated incidents of any type; the
    countries present), from the materialised counts (`read_per_month`); None without them."""
    counts = read_per_month(root)
    if counts is None:
        return None
    cells: dict[tuple[str, str | None], list[int]] = {}
    for row in counts.rows:
        cell = cells.setdefault((row["month"], row["iso3"]), [0, 0, 0])
        for k, name in enumerate(("incidents", "fatalities", "fatalities_reported")):
            cell[k] += row[name]
    rows = [{"period": month, "iso3": iso3, "incidents": c[0], "fatalities": c[1], "fatalities_reported": c[2]}
            for (month, iso3), c in sorted(cells.items(), key=lambda kv: (kv[0][0], kv[0][1] is None, kv[0][1] or ""))]
    present = sorted({r["iso3"] for r in [*counts.rows, *counts.undated] if r["iso3"] is not None})
    return rows, sum(r["incidents"] for r in counts.undated), sum(counts.active.values()), present


def write_per_month(root: DataRoot, months: Iterable[str] | None = None) -> int:
    """Rewrite `<root>/attacks_per_month/attacks_per_month.parquet`; returns its row count.

    `months` ("YYYY-MM" / "unknown" event-month partitions of incidents just rewritten): only those
    partitions are read and their counts replaced, so the cost follows the months a merge touched,
    not the history. None, or no stored counts yet (or counts from before the undated ones or the
    latest attacks were kept), reads every incident. Call it after every incidents write. One
    atomic file write: the rows, the undated counts, the any-type counts and the latest attacks
    are always of the same incidents.
    """
    counted = ["status", "event_date", "iso3", "event_type", "sub_event_type", "fatalities"]
    cols = sorted({*counted, *LATEST_COLUMNS, "event_month"})
    parsed = paths.open_root(root)
    target = parsed.join(PER_MONTH, f"{PER_MONTH}.parquet")
    touched = None if months is None else sorted(set(months))
    stored = None if touched is None else read_per_month(root)
    if stored is not None and isinstance(stored.latest, Latest) and touched is not None:
        firsts = {dt.date(int(m[:4]), int(m[5:7]), 1) for m in touched if m[:4].isdigit()}
        read = parquet.read(root, "incidents", partitions=touched, columns=cols)
        fresh = count(read.select(counted).to_pylist())
        counts = PerMonth(
            sorted([*(r for r in stored.rows if r["month"] not in firsts), *fresh.rows], key=_order),
            fresh.undated if "unknown" in touched else stored.undated,
            {m: n for m, n in stored.active.items() if m not in touched} | fresh.active,
        )
        kept = {m: stored.latest.raw(m) for m in stored.latest if m not in touched}  # not parsed
    else:
        read = parquet.read(root, "incidents", columns=cols)
        counts, kept = count(read.select(counted).to_pylist()), {}
    kept |= _latest_json(root, read)
    table = pa.Table.from_pylist(counts.rows, schema=PER_MONTH_SCHEMA).replace_schema_metadata({
        UNDATED_KEY: json.dumps(counts.undated, sort_keys=True),
        ACTIVE_KEY: json.dumps(dict(sorted(counts.active.items()))),
        LATEST_KEY: json.dumps(sorted(kept)),
        **{_month_key(m): text for m, text in kept.items()},
    })
    swap.write_atomic(parsed, table, target)  # the warehouse's one atomic file write
    return int(table.num_rows)


def _order(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple("" if row[k] is None else str(row[k]) for k in ("month", "iso3", "event_type", "sub_event_type"))


def latest(root: DataRoot, n: int) -> list[dict[str, Any]]:
    """The `n` latest active attacks (by event date, then id; undated last) with their "sources"
    (`with_sources`: the `SOURCES_SHOWN` earliest) and "sources_total", what the report page
    shows. From the latest ones each merge keeps per event month (`read_per_month`), else from the
    newest event-month partitions until they hold `n`; sources kept with them, else read by key:
    the cost follows `n`, not the history."""
    incidents = _kept_latest(root, n)
    if incidents is None:
        incidents = _read_latest(root, n)
    missing = [i for i in incidents if "sources" not in i]
    if missing:
        with_sources(root, missing)
    return incidents


def _kept_latest(root: DataRoot, n: int) -> list[dict[str, Any]] | None:
    """The `n` latest active attacks from the materialised per-month lists, newest month first,
    "unknown" last; None when there are none, or when `n` needs more of a month than is kept."""
    counts = read_per_month(root)
    if counts is None or counts.latest is None:
        return None
    found: list[dict[str, Any]] = []
    for month in [*sorted((m for m in counts.latest if m != "unknown"), reverse=True), "unknown"]:
        if len(found) >= n:
            break
        rows = counts.latest.get(month, [])
        if len(rows) >= LATEST_KEPT and n - len(found) > len(rows):
            return None  # the month may hold more than is kept
        found.extend(rows)
    return [dict(r) for r in found[:n]]


def _read_latest(root: DataRoot, n: int) -> list[dict[str, Any]]:
    """The `n` latest active attacks read from the newest event-month partitions until they hold `n`."""
    months = sorted((m for m in parquet.list_partitions(root, "incidents") if m != "unknown"), reverse=True)
    found: list[pa.Table] = []
    for month in [*months, "unknown"]:
        if sum(t.num_rows for t in found) >= n:
            break
        rows = parquet.read(root, "incidents", partitions=[month], columns=list(LATEST_COLUMNS))
        found.append(rows.filter(current_attacks(rows)))
    newest = (pa.concat_tables(found) if found
              else parquet.read(root, "incidents", partitions=[], columns=list(LATEST_COLUMNS)))
    # undated ones come last: they are read last and Arrow places nulls at the end
    rows_out: list[dict[str, Any]] = newest.sort_by([("event_date", "descending"), ("incident_id", "ascending")]
                                                    ).slice(0, n).to_pylist()
    return rows_out


def monthly_totals(root: DataRoot) -> list[tuple[dt.date | None, int, int]]:
    """(month, attacks, fatalities) over all countries, month order, the undated attacks last
    (month None). From the materialised counts (a few hundred rows whatever the history); through
    the DuckDB views over every incident only for a data root that has none yet."""
    counts = read_per_month(root)
    if counts is None:
        from warehouse import catalog  # here: catalog imports this module

        with catalog.connect(root) as con:
            found: list[tuple[dt.date | None, int, int]] = con.execute(
                "SELECT month, sum(incidents)::BIGINT, sum(fatalities)::BIGINT "
                "FROM attacks_per_month GROUP BY month ORDER BY month NULLS LAST").fetchall()
        return found
    totals: dict[dt.date | None, list[int]] = {}
    for row in [*counts.rows, *counts.undated]:
        cell = totals.setdefault(row["month"], [0, 0])
        cell[0] += row["incidents"]
        cell[1] += row["fatalities"]
    return [(m, n, f) for m, (n, f) in sorted(totals.items(), key=lambda kv: (kv[0] is None, kv[0] or dt.date.min))]
