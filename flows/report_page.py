"""`flarewatch report --html FILE`: one self-contained HTML page about a data root.

In: the opened data root (`warehouse.handle.Warehouse`). Out: one HTML file that needs no server
and makes no request: a Content-Security-Policy of `default-src 'none'` (inline styles only), the
chart as inline SVG, no script, no font, no image. Sections: attacks per month by country (chart
and table, the numbers of `flarewatch trends`), the latest incidents with their evidence sentence
and sources (`warehouse.attacks.latest`), feed health, partition coverage. Every stored text is
HTML-escaped; source URLs are shown as text, not links.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from flows import inputs, output, trends_cmd
from warehouse import attacks
from warehouse.export import evidence_sentence, figure_pattern
from warehouse.handle import Warehouse

CSP = "default-src 'none'; style-src 'unsafe-inline'"
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.2em .6em;vertical-align:top}
th{background:#f3f3f3;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.incident{border-left:4px solid #d62728;padding:.3em .8em;margin:1em 0;background:#fafafa}
.evidence{font-style:italic}.url{font-family:monospace;font-size:.85em;color:#555;word-break:break-all}
.note{color:#555;font-size:.9em}mark{background:#ffe08a}
"""


def esc(value: object) -> str:
    return html.escape("" if value is None else str(output.plain(value)))


def table(rows: Sequence[Mapping], *, empty: str) -> str:
    """Rows as an HTML table (numbers right-aligned), or `empty`."""
    if not rows:
        return f"<p class=note>{esc(empty)}</p>"
    head = "".join(f"<th>{esc(k)}</th>" for k in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td class=n>{esc(v)}</td>" if isinstance(v, int | float) else f"<td>{esc(v)}</td>"
                         for v in row.values()) + "</tr>"
        for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def chart(trend: trends_cmd.Trend) -> str:
    """Stacked bars per month by country as inline SVG (top 9 countries + "other"), integer axis."""
    periods, stacks = output.series(trend.rows, "iso3")
    if not periods:
        return "<p class=note>(no attacks recorded)</p>"
    order = sorted(stacks, key=lambda k: (k == "other", -sum(stacks[k]), k))
    totals = [sum(stacks[k][i] for k in order) for i in range(len(periods))]
    peak = max(max(totals), 1)
    step = max(1, -(-peak // 5))
    top = step * -(-peak // step)
    width, height, left, bottom, legend = 900, 320, 50, 50, 150
    plot_w, plot_h = width - left - legend - 20, height - bottom - 20
    slot = plot_w / len(periods)
    parts = [f'<svg width="{width}" height="{height}" role="img" '
             f'aria-label="{esc(trend.title)}" font-size="12">']
    for tick in range(0, top + 1, step):
        y = 20 + plot_h - plot_h * tick / top
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    for i, period in enumerate(periods):
        base = 0
        for n, key in enumerate(order):
            value = stacks[key][i]
            if value:
                y = 20 + plot_h - plot_h * (base + value) / top
                parts.append(f'<rect x="{left + i * slot + slot * .1:.1f}" y="{y:.1f}" width="{slot * .8:.1f}" '
                             f'height="{plot_h * value / top:.1f}" fill="{COLOURS[n % 10]}">'
                             f'<title>{esc(period)} {esc(key)}: {value}</title></rect>')
            base += value
        if len(periods) <= 24 or i % -(-len(periods) // 24) == 0:
            x = left + (i + .5) * slot
            parts.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="end" '
                         f'transform="rotate(-45 {x:.1f} {height - bottom + 16})">{esc(period)}</text>')
    parts.append(f'<text x="14" y="{20 + plot_h / 2}" transform="rotate(-90 14 {20 + plot_h / 2})" '
                 'text-anchor="middle">incidents</text>')
    for n, key in enumerate(order):
        y = 30 + n * 18
        parts.append(f'<rect x="{width - legend}" y="{y - 10}" width="12" height="12" fill="{COLOURS[n % 10]}"/>'
                     f'<text x="{width - legend + 18}" y="{y}">{esc(key)} ({sum(stacks[key])})</text>')
    parts.append("</svg>")
    return "".join(parts)


def incident_block(incident: Mapping) -> str:
    where = ", ".join(str(v) for v in (incident["location"], incident["admin1"], incident["iso3"]) if v)
    deaths = "fatalities not reported" if incident["fatalities"] is None else f"{incident['fatalities']} killed"
    lines = [f"<div class=incident><b>{esc(incident['event_date'] or 'date unknown')}</b> · {esc(where)} · "
             f"{esc(incident['sub_event_type'])} · {esc(deaths)} · "
             f"<span class=note>{esc(incident['incident_id'])}</span>"]
    for src in incident["sources"]:
        sentence = evidence_sentence(src["evidence"], src["fatalities"])
        when = str(output.plain(src["published_at"]) or "")[:10]
        pattern = figure_pattern(src["fatalities"])
        marked = pattern.sub(r"<mark>\1</mark>", esc(sentence)) if pattern else esc(sentence)
        lines.append(f"<p><span class=evidence>“{marked}”</span><br>{esc(src['outlet'] or 'unknown outlet')}"
                     f" · {esc(when)} · {esc(src['role'])}<br><span class=url>{esc(src['url'])}</span></p>")
    more = incident.get("sources_total", len(incident["sources"])) - len(incident["sources"])
    if more > 0:  # the earliest reports are shown; `flarewatch show` lists every one
        lines.append(f"<p class=note>and {more} more report{'s' if more > 1 else ''}: "
                     f"flarewatch show {esc(incident['incident_id'])}</p>")
    return "\n".join(lines) + "</div>"


def page(data: Warehouse, n_latest: int = 20, *, recorded: bool = False) -> str:
    """The whole HTML document of a data root. `recorded`: the coverage grid's article counts as
    the runs recorded them (`plan.coverage`), not counted again from every article (what a poll
    writes after each run)."""
    from flows import plan as planning

    inputs.data_root(data)
    trend = trends_cmd.compute(data, by="month", group=("iso3",), counted=attacks.country_months(data))
    found = planning.coverage(data, recorded=recorded)
    cover = dataclasses.replace(found, grid=trends_cmd.fill_grid(found.grid))
    monthly = [{"month": r["period"], "iso3": r["iso3"] or "", "country": r["country"] or "",
                "attacks": r["incidents"], "fatalities": r["fatalities"]} for r in trend.rows]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [
        f"<h1>flarewatch report</h1><p class=note>Data root {esc(data)} · written {esc(stamp)}</p>",
        f"<h2>{esc(trend.title)}</h2>", chart(trend),
        "".join(f"<p class=note>{esc(line)}</p>" for line in trend.footer),
        table(monthly, empty="(no attacks recorded)"),
        f"<h2>Latest {n_latest} attacks</h2>",
        "\n".join(incident_block(i) for i in attacks.latest(data, n_latest)) or "<p class=note>(none)</p>",
        "<h2>Feed health</h2>", table(cover.feeds, empty="(no feed polled yet)"),
        "<h2>Partition coverage</h2>", table(cover.grid, empty="(no partition recorded yet)"),
        f"<p class=note>{esc(planning.LEGEND).replace(chr(10), '<br>')}</p>",
        "<h2>Last runs</h2>", table(cover.runs, empty="(no run yet)"),
    ]
    return ("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f"<title>flarewatch report</title><style>{STYLE}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def run(args, data: Warehouse) -> int:
    """The `report` command: write the page aside, then rename it into place."""
    if args.latest < 0:
        raise ValueError("--latest must be 0 or more")
    text = page(data, args.latest)
    target = Path(args.html)
    output.save_file(target, text.encode("utf-8"))
    print(f"report written to {target}", file=sys.stderr)
    return 0

