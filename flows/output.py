"""How the CLI prints: tables, CSV, JSON, a terminal bar chart and run summaries.

In: Arrow tables or plain dicts. Out: text on stdout. Nothing here queries or computes.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

import pyarrow as pa
from rich.console import Console
from rich.table import Table

BAR_WIDTH = 40


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    return value


def print_table(table: pa.Table, fmt: str, *, title: str | None = None, chart: tuple[str, str] | None = None) -> None:
    """Print an Arrow table as a rich table (with a bar chart of `chart` = (label, value)), CSV or JSON."""
    rows = [{k: _plain(v) for k, v in r.items()} for r in table.to_pylist()]
    if fmt == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
        return
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=table.column_names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    console = Console(soft_wrap=False)
    view = Table(title=title, title_justify="left")
    for name in table.column_names:
        view.add_column(name, justify="right" if pa.types.is_integer(table.schema.field(name).type) else "left")
    for row in rows:
        view.add_row(*["" if v is None else str(v) for v in row.values()])
    console.print(view)
    if chart and rows and chart[1] in table.column_names:
        print_bars(rows, *chart)
    elif not rows:
        console.print("(no rows)")


def print_bars(rows: list[dict], label: str, value: str) -> None:
    """A horizontal bar chart in the terminal: one bar per label, values summed."""
    totals: dict[str, int] = {}
    for row in rows:
        totals[str(row[label])] = totals.get(str(row[label]), 0) + (row[value] or 0)
    peak = max(totals.values(), default=0) or 1
    width = max(len(k) for k in totals)
    for key, total in totals.items():
        print(f"{key:<{width}} {'█' * max(1 if total else 0, round(BAR_WIDTH * total / peak))} {total}")


def print_record(record: dict) -> None:
    """One record as aligned `field: value` lines."""
    width = max(len(k) for k in record)
    for key, value in record.items():
        print(f"{key:<{width}}  {_plain(value)}")


def print_summary(summary: dict) -> None:
    """The one-paragraph account of an ingest run, then its failures."""
    print(
        f"Polled {summary['feeds_polled']} feeds ({summary['feeds_not_modified']} unchanged, "
        f"{summary['feeds_failed']} failed), {summary['entries_seen']} entries: "
        f"{summary['new_articles']} new articles, {summary['new_mentions']} new mentions, "
        f"{summary['new_incidents']} new incidents, {summary['merges']} merged."
    )
    for failure in summary["failures"]:
        print(f"  failed {failure['stage']}: {failure['target']}: {failure['reason']}")
    for url in summary.get("over_budget") or ():
        print(f"  stored uncoded (over the coding budget): {url}")


def save_chart(table: pa.Table, target: Path, *, title: str) -> None:
    """Draw incidents per period as a bar chart (stacked by the first group column) into a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    rows = table.to_pylist()
    periods = sorted({str(r["period"]) for r in rows})
    group = next((c for c in table.column_names if c not in {"period", "incidents", "fatalities", "fatalities_reported"}), None)
    stacks: dict[str, list[int]] = {}
    for row in rows:
        key = str(row[group]) if group else "incidents"
        stacks.setdefault(key, [0] * len(periods))[periods.index(str(row["period"]))] += row["incidents"] or 0
    figure, axes = plt.subplots(figsize=(max(6, len(periods) * 0.6) + (3 if group else 0), 4))
    bottom = [0] * len(periods)
    for key, values in sorted(stacks.items()):
        axes.bar(periods, values, bottom=bottom, label=key)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_title(title)
    axes.set_ylabel("incidents")
    axes.tick_params(axis="x", labelrotation=45)
    if group:
        axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    figure.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=100)
    plt.close(figure)
