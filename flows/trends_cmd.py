"""`flarewatch trends`: counts per period that add up.

In: a data root and the command's options. Out: rows with every period of the range (zero-filled),
labels `2024-01` / `2024-W03` / `2024-01-15`, the country name beside ISO3, and a footer with the
totals and what "attacks" includes; printed as a table, CSV or JSON, optionally drawn into a PNG.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path

from extractors.months import period_label, period_starts
from flows import inputs, output
from warehouse import attacks, queries
from warehouse.paths import DataRoot


@dataclass
class Trend:
    """One trends answer: rows in period order, the first day of each period, words around them."""

    rows: list[dict]
    starts: list[dt.date]
    title: str
    footer: list[str] = field(default_factory=list)
    hint: str | None = None


def fill_grid(grid: list[dict]) -> list[dict]:
    """The status grid (one row per "YYYY-MM" month, "unknown" last) with the months between its
    first and last that hold nothing added as empty rows, so a gap shows as a gap."""
    months = [r["month"] for r in grid if r["month"] != "unknown"]
    if not months:
        return grid
    have = {r["month"]: r for r in grid}
    first, last = (dt.date(int(m[:4]), int(m[5:7]), 1) for m in (min(months), max(months)))
    empty = {k: "· 0" if k in ("articles", "incidents") else "" for k in grid[0]}
    filled = [have.get(period_label(d, "month")) or {**empty, "month": period_label(d, "month")}
              for d in period_starts(first, last, "month")]
    return filled + [r for r in grid if r["month"] == "unknown"]


def compute(data: DataRoot, *, by: str = "month", country: str | None = None, event_type: str | None = None,
            group: tuple[str, ...] = ("iso3",), attacks_only: bool = True, since: str | None = None,
            until: str | None = None, counted: tuple[list[dict], int, int, list[str]] | None = None) -> Trend:
    """The trend rows of a data root (ValueError on bad input, one line).

    `counted`: the query's answer when the caller has it from the materialised counts (the report
    page): (rows as `catalog.trends` returns them, undated matches, dated incidents of any type,
    countries present); the options must then be the defaults.
    """
    iso3 = inputs.country(country) if country else None
    etype = inputs.event_type(event_type, attacks_only=attacks_only) if event_type else None
    first, last = inputs.period(since, until)
    inputs.data_root(data)
    if counted is not None:
        found, undated, every, present = counted
    else:
        got = queries.trend_counts(data, by=by, country=iso3, event_type=etype, group=group,
                                   attacks_only=attacks_only, since=first, until=last)
        found, undated, every, present = got.rows, got.undated, got.dated_any_type, got.countries
    cols = list(dict.fromkeys(group))
    dates = [r["period"] for r in found]
    starts = period_starts(first or min(dates), last or max(dates), by) if (first or dates) and (last or dates) else []
    by_start: dict[dt.date, list[dict]] = {}
    for row in found:
        by_start.setdefault(row["period"], []).append(row)
    rows = []
    for start in starts:
        zero = {**dict.fromkeys(cols), "incidents": 0, "fatalities": 0, "fatalities_reported": 0}
        for row in by_start.get(start) or [zero]:
            out = {"period": period_label(start, by)}
            for col in cols:
                out[col] = row[col]
                if col == "iso3":
                    out["country"] = inputs.country_name(row[col])
            out |= {k: row[k] for k in ("incidents", "fatalities", "fatalities_reported")}
            rows.append(out)
    what = "Attacks" if attacks_only else "Incidents (all event types)"
    where = f" in {iso3} ({inputs.country_name(iso3)})" if iso3 else ""
    kind = f", {etype}" if etype else ""
    span = f", {period_label(starts[0], by)} to {period_label(starts[-1], by)}" if starts else ""
    names = {"iso3": "country", "admin1": "region (admin1)", "event_type": "event type",
             "sub_event_type": "sub-event type", "actor1": "actor"}
    breakdown = f", by {' and '.join(names[c] for c in cols)}" if cols else ""
    trend = Trend(rows, starts, f"{what}{kind} per {by}{where}{span}{breakdown}")
    total = sum(r["incidents"] for r in rows)
    trend.footer.append(
        f"Total: {total} incidents, {sum(r['fatalities'] for r in rows)} fatalities "
        f"({sum(r['fatalities_reported'] for r in rows)} incidents with a reported figure; "
        f"no figure counts as 0), {len(starts)} {by}s."
    )
    trend.footer.append(
        "Attacks = active incidents of the event types " + ", ".join(attacks.ATTACK_TYPES)
        + (f"; {every} dated active incidents of any type in this range (--all-types counts them all)."
           if attacks_only else "; this table counts every type.")
    )
    if undated:
        trend.footer.append(f"{undated} matching incidents have no event date and are not in any period.")
    if not total:
        trend.hint = _hint(iso3, present, first, last, attacks_only)
    return trend


def _hint(iso3: str | None, present: list[str], first: dt.date | None, last: dt.date | None, attacks_only: bool) -> str:
    if not present:
        return "the data root holds no " + ("attacks" if attacks_only else "incidents") + " yet"
    if iso3 and iso3 not in present:
        guess = inputs.nearest(iso3, present)
        return (f"no {'attacks' if attacks_only else 'incidents'} in {iso3}; "
                f"countries in the data: {', '.join(present[:12])}" + (f" (nearest: {guess})" if guess else ""))
    if first or last:
        return "nothing in that date range; drop --since/--until to see every period"
    return "nothing matches; try --all-types"


def run(args) -> int:
    """The `trends` command on parsed arguments (and `demo`'s closing table)."""
    trend = compute(args.data, by=args.by, country=args.country, event_type=args.event_type,
                    group=tuple(args.group or ("iso3",)), attacks_only=not args.all_types,
                    since=args.since, until=args.until)
    import pyarrow as pa

    if args.chart:  # first: a reader that stops early (`| head`) must not cost the file
        label_col = (args.group or ["iso3"])[0]
        output.save_chart(trend.rows, trend.starts, Path(args.chart), title=trend.title,
                          label=label_col, by=args.by)
        print(f"chart written to {args.chart}", file=sys.stderr)
    if trend.hint:
        print(f"flarewatch trends: {trend.hint}", file=sys.stderr)
    table = pa.Table.from_pylist(trend.rows) if trend.rows else pa.table({"period": pa.array([], pa.string())})
    output.print_table(table, args.format, title=trend.title, chart=("period", "incidents"),
                       footer=trend.footer if args.format == "table" else ())
    return 0
