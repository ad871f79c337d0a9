"""How the CLI prints: tables, CSV, JSON, a terminal bar chart, run summaries and the PNG chart.

In: Arrow tables or plain dicts. Out: text on stdout. Nothing here queries or computes.

Text is shown as stored: rich's markup, emoji codes and highlighting are off on every console
made here (`console()`), so web text like "[the group]" or ":x:" prints as written. Control
characters (ANSI escapes) and bidirectional-format marks, which a terminal would act on instead of
showing, are printed as visible escapes (`\\x1b`, `\\u202e`) in tables and records; CSV and JSON
carry the stored text unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
from rich.console import Console
from rich.table import Table

from warehouse import swap

BAR_WIDTH = 40
VERTICAL_OVER = 8
"""Tables of more columns than this that would not fit the terminal print one record per block."""

# C0/C1 controls (but tab and newline), DEL, and the bidi marks / embeddings / overrides / isolates.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def save_file(target: Path, data: bytes | Callable[[BinaryIO], object]) -> None:
    """`data` as the file `target` (its folder made): written to a temp file beside it, then renamed
    over it, so a reader sees the old file or the new one, and a failed write leaves neither a torn
    file nor a temp file behind. `data` is the bytes, or a function that writes them to the open
    file (a Parquet writer streams there instead of building the file in memory first). For the
    files a user asks for (exports, reports, results), which live anywhere
    (`warehouse.swap.replace_file`, which a data root's files go through too)."""
    swap.replace_file(target, data if callable(data) else lambda handle: handle.write(data))


def visible(text: str) -> str:
    """`text` with every character a terminal would act on (rather than show) as an escape."""
    return _INVISIBLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def console(**options: object) -> Console:
    """A rich console that prints text as given: no markup, no emoji codes, no highlighting."""
    return Console(markup=False, emoji=False, highlight=False, soft_wrap=False, **options)  # type: ignore[arg-type]


def plain(value: object) -> object:
    """A JSON-able value: dates as ISO text, floats rounded."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    return value


def cell(value: object) -> str:
    """One table cell: empty for NULL, lists joined, text made visible."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return visible(", ".join(str(plain(v)) for v in value))
    return visible(str(plain(value)))


def jsonable(value: object) -> object:
    """Nested dicts / lists / records with every leaf made JSON-able by `plain`."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return plain(value)


def rows_of(table: pa.Table) -> list[dict]:
    return [{k: plain(v) for k, v in r.items()} for r in table.to_pylist()]


def print_json(value: object) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def print_table(
    table: pa.Table, fmt: str, *, title: str | None = None, chart: tuple[str, str] | None = None,
    footer: Sequence[str] = (),
) -> None:
    """Print an Arrow table as a rich table (with a bar chart of `chart` = (label, value) and
    `footer` lines), CSV or JSON. A table too wide for the terminal prints one block per record."""
    rows = rows_of(table)
    if fmt == "json":
        print_json(rows)
        return
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=table.column_names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    out = console()
    if title:
        out.print(title, style="bold")
    if rows and _too_wide(table, rows):
        print_vertical(rows)
    elif rows:
        view = Table(title_justify="left")
        for name in table.column_names:
            view.add_column(visible(name), justify="right" if _numeric(table, name) else "left", overflow="fold")
        for row in rows:
            view.add_row(*[cell(v) for v in row.values()])
        out.print(view)
    else:
        out.print("(no rows)")
    if chart and rows and chart[1] in table.column_names:
        print_bars(rows, *chart)
    for line in footer:
        out.print(visible(line))


def _numeric(table: pa.Table, name: str) -> bool:
    typ = table.schema.field(name).type
    return pa.types.is_integer(typ) or pa.types.is_floating(typ)


def _too_wide(table: pa.Table, rows: list[dict]) -> bool:
    if table.num_columns <= VERTICAL_OVER:
        return False
    widths = [max(len(name), *(len(cell(r[name])) for r in rows)) + 3 for name in table.column_names]
    return sum(widths) > shutil.get_terminal_size((100, 24)).columns


def print_vertical(rows: list[dict]) -> None:
    """One block per record, `column  value` lines (psql's expanded display)."""
    width = max(len(k) for k in rows[0])
    for n, row in enumerate(rows, 1):
        print(f"-[ record {n} ]" + "-" * max(0, width - 8))
        for key, value in row.items():
            print(f"{visible(key):<{width}}  {cell(value)}")


def print_bars(rows: list[dict], label: str, value: str) -> None:
    """A horizontal bar chart in the terminal: one bar per label (in first-seen order), values summed."""
    totals: dict[str, int] = {}
    for row in rows:
        totals[str(row[label])] = totals.get(str(row[label]), 0) + (row[value] or 0)
    peak = max(totals.values(), default=0) or 1
    width = max(len(k) for k in totals)
    for key, total in totals.items():
        print(f"{visible(key):<{width}} {'█' * max(1 if total else 0, round(BAR_WIDTH * total / peak))} {total}")


def print_record(record: Mapping[str, object]) -> None:
    """One record as aligned `field: value` lines (empty fields left out)."""
    shown = {k: v for k, v in record.items() if v not in (None, "", [], ())}
    width = max((len(k) for k in shown), default=0)
    for key, value in shown.items():
        print(f"{key:<{width}}  {cell(value)}")


def print_summary(summary: dict, fmt: str = "table") -> None:
    """The one-paragraph account of an ingest run, then its failures (or the summary as JSON)."""
    if fmt == "json":
        print_json({k: plain(v) for k, v in summary.items()})
        return
    print(
        f"Polled {summary['feeds_polled']} feeds ({summary['feeds_not_modified']} unchanged, "
        f"{summary['feeds_failed']} failed), {summary['entries_seen']} entries: "
        f"{summary['new_articles']} new articles, {summary['new_mentions']} new mentions, "
        f"{summary['new_incidents']} new incidents, {summary['merges']} merged."
    )
    for failure in summary["failures"]:
        hint = " (--allow-host HOST fetches from it anyway)" if "refused:" in str(failure["reason"]) else ""
        print(visible(f"  failed {failure['stage']}: {failure['target']}: {failure['reason']}") + hint)
    for url in summary.get("over_budget") or ():
        print(visible(f"  stored uncoded (over the coding budget): {url}"))


def series(rows: list[dict], label: str, *, top: int = 10) -> tuple[list[str], dict[str, list[int]]]:
    """(periods, {series: counts per period}) from trend rows; past `top` series, the smallest are
    summed into "other" so every series keeps a colour of its own."""
    periods = list(dict.fromkeys(str(r["period"]) for r in rows))
    stacks: dict[str, list[int]] = {}
    for row in rows:
        if row.get(label) is None and not row["incidents"]:
            continue  # a zero-filled period
        key = str(row.get(label) or "(none)") if label else "incidents"
        stacks.setdefault(key, [0] * len(periods))[periods.index(str(row["period"]))] += row["incidents"] or 0
    if len(stacks) > top:
        ranked = sorted(stacks, key=lambda k: (-sum(stacks[k]), k))
        other = [sum(col) for col in zip(*(stacks[k] for k in ranked[top - 1:]), strict=True)]
        stacks = {k: stacks[k] for k in ranked[: top - 1]} | {"other": other}
    return periods, stacks


def save_chart(rows: list[dict], starts: list[dt.date], target: Path, *,
               title: str, label: str | None, by: str) -> None:
    """Stacked bars of incidents per period on a date axis (one colour per series, top 9 + "other"),
    integer ticks, into a PNG. `starts`: the first day of each period, in the rows' period order."""
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    periods, stacks = series(rows, label or "")
    width = {"day": 0.8, "week": 5.6, "month": 24.0}[by]
    colours = plt.get_cmap("tab10").colors
    figure, axes = plt.subplots(figsize=(min(18, max(7, len(periods) * 0.45)) + (3 if label else 0), 4.5))
    bottom = [0] * len(periods)
    ordered = sorted(stacks, key=lambda k: (k == "other", -sum(stacks[k]), k))
    for n, key in enumerate(ordered):
        axes.bar(starts, stacks[key], bottom=bottom, width=width, align="edge", label=key, color=colours[n % 10])
        bottom = [b + v for b, v in zip(bottom, stacks[key], strict=True)]
    axes.set_title(title)
    axes.set_ylabel("incidents")
    axes.set_ylim(0, max(max(bottom, default=0), 1) * 1.08)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    locator = mdates.AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if label:
        axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    figure.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=100)
    plt.close(figure)
