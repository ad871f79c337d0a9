"""The one definition of "attack" and "current" in the stored data, and the materialised monthly counts.

In: incident records (before they are written) or a data root. Out: incidents with `is_attack` set,
the SQL of the same rule for the DuckDB views, and `attacks_per_month/attacks_per_month.parquet`.

"Current" is `status = 'active'` (merged tombstones and retracted incidents are kept, not counted).
"Attack" is `extractors.taxonomy.is_attack`: the political-violence event types (Battles,
Explosions/Remote violence, Violence against civilians) plus the sub-event type Disrupted weapons
use (an intercepted attack). Both columns are in the incidents Parquet, so any tool counts
`WHERE status = 'active' AND is_attack` per month and gets `flarewatch trends`' numbers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from extractors.records import Incident
from extractors.taxonomy import DISRUPTED, POLITICAL_VIOLENCE, is_attack
from warehouse import parquet, paths, swap

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


def per_month_rows(incidents: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Active attacks with an event date, counted per (month, iso3, event_type, sub_event_type)."""
    totals: dict[tuple[Any, ...], list[int]] = {}
    for row in incidents:
        if row["status"] != ACTIVE or row["event_date"] is None:
            continue
        if not is_attack(row["event_type"], row["sub_event_type"]):
            continue
        day: dt.date = row["event_date"]
        key = (day.replace(day=1), row["iso3"], row["event_type"], row["sub_event_type"])
        cell = totals.setdefault(key, [0, 0, 0])
        cell[0] += 1
        cell[1] += row["fatalities"] or 0
        cell[2] += row["fatalities"] is not None
    return [
        dict(zip(PER_MONTH_SCHEMA.names, (*key, *cell), strict=True))
        for key, cell in sorted(totals.items(), key=lambda kv: tuple("" if k is None else str(k) for k in kv[0]))
    ]


def write_per_month(root: str | os.PathLike[str], months: Iterable[str] | None = None) -> int:
    """Rewrite `<root>/attacks_per_month/attacks_per_month.parquet`; returns its row count.

    `months` ("YYYY-MM" event-month partitions of incidents just rewritten): only those partitions
    are read and their rows replaced, so the cost follows the months a merge touched, not the
    history. None, or no stored table yet (a data root written before the table existed), reads
    every incident. Call it after every incidents write.
    """
    cols = ["status", "event_date", "iso3", "event_type", "sub_event_type", "fatalities"]
    parsed = paths.open_root(root)
    target = parsed.join(PER_MONTH, f"{PER_MONTH}.parquet")
    kept: list[dict[str, Any]] = []
    touched = None if months is None else sorted(set(months))
    if touched is not None and (os.path.exists(target) if parsed.local else parsed.fs.exists(target)):
        firsts = {dt.date(int(m[:4]), int(m[5:7]), 1) for m in touched if m[:4].isdigit()}
        stored = pq.read_table(target, filesystem=parsed.fs, schema=PER_MONTH_SCHEMA).to_pylist()
        kept = [r for r in stored if r["month"] not in firsts]
        fresh = parquet.read(root, "incidents", partitions=touched, columns=cols).to_pylist()
    else:
        fresh = parquet.read(root, "incidents", columns=cols).to_pylist()
    rows = sorted([*kept, *per_month_rows(fresh)], key=_order)
    table = pa.Table.from_pylist(rows, schema=PER_MONTH_SCHEMA)
    swap.write_atomic(parsed, table, target)  # the warehouse's one atomic file write
    return int(table.num_rows)


def _order(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple("" if row[k] is None else str(row[k]) for k in ("month", "iso3", "event_type", "sub_event_type"))
