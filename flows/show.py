"""`flarewatch show INCIDENT_ID`: one incident and the sentences behind it, for a person or as JSON.

In: a data root and an incident id. Out: the incident's fields, then each source as a short block
(outlet, date, role, the evidence sentence with the figure highlighted, the coding rules that fired
when the mentions carry them, the URL on its own line), then the articles that only refer to it.
Evidence is shown as stored (see `output.visible`); when a stored evidence runs past one sentence,
the sentence that gives the figure is shown and `--format json` still carries the whole text.
"""

from __future__ import annotations

from rich.text import Text

from flows import inputs, output
from warehouse import queries
from warehouse.export import evidence_sentence, figure_pattern
from warehouse.handle import Warehouse

FIELDS = ("status", "merged_into", "event_type", "sub_event_type", "event_date", "date_precision", "iso3",
          "admin1", "location", "latitude", "longitude", "geo_precision", "actor1", "assoc_actor1", "actor2",
          "fatalities", "fatalities_min", "fatalities_max", "injuries", "weapons", "munitions",
          "civilian_targeting", "is_attack", "n_mentions", "n_articles", "n_outlets", "n_references",
          "first_reported_at", "updated_at")


def highlighted(text: str, figure: int | None) -> Text:
    """The sentence (control characters made visible) with the figure in bold reverse video."""
    out = Text(output.visible(text))
    pattern = figure_pattern(figure)
    if pattern:
        out.highlight_regex(pattern, style="bold reverse")
    return out


def gather(data: Warehouse, incident_id: str) -> dict:
    """{"incident": fields, "sources": [...], "references": [...]} or ValueError if unknown
    (`warehouse.queries.incident` reads them; each source gets its `sentence` here)."""
    inputs.data_root(data)
    found = queries.incident(data, incident_id)
    for source in found.sources:
        source["sentence"] = evidence_sentence(source["evidence"], source["fatalities"])
    return {"incident": {"incident_id": incident_id, **{k: found.incident[k] for k in FIELDS if k in found.incident}},
            "sources": found.sources, "references": found.references}


def render(found: dict) -> None:
    """The person's view of `gather`'s answer on stdout."""
    out = output.console()
    incident = found["incident"]
    out.print(f"Incident {output.visible(incident['incident_id'])}", style="bold")
    output.print_record({k: v for k, v in incident.items() if k != "incident_id"})
    sources = found["sources"]
    outlets = {s["outlet"] for s in sources if s["outlet"]}
    mentions, from_outlets = _count(len(sources), "mention"), _count(len(outlets), "outlet")
    out.print(f"\nSources: {mentions} from {from_outlets}", style="bold")
    for n, src in enumerate(sources, 1):
        date = output.plain(src["published_at"] or src["reported_at"]) or "date unknown"
        head = f"[{n}] {src['outlet'] or 'unknown outlet'} · {str(date)[:10]} · {src['role'] or 'role unknown'}"
        out.print(output.visible(head))
        figures = ", ".join(f"{k} {src[k]}" for k in ("fatalities", "injuries") if src[k] is not None)
        line = Text("    “") + highlighted(src["sentence"], src["fatalities"]) + Text("”")
        if figures:
            line += Text(f"  ({figures})", style="dim")
        out.print(line)
        if src["why"]:
            out.print(output.visible("    rules: " + ", ".join(src["why"])))
        out.print(output.visible(f"    {src['url'] or '(no URL stored)'}"), soft_wrap=True)  # one line: copyable
    refs = found["references"]
    if refs or incident.get("n_references"):
        count = len(refs) or incident.get("n_references")
        out.print(f"\nReferenced by {_count(count, 'article')} (not counted as sources)", style="bold")
        for ref in refs:
            when = str(output.plain(ref["published_at"]) or "")[:10]
            out.print(output.visible(f"    {ref['outlet'] or 'unknown outlet'} {when}: {ref['url'] or ''}"),
                      soft_wrap=True)


def run(args, data: Warehouse) -> int:
    """The `show` command."""
    found = gather(data, args.incident_id)
    if args.format == "json":
        output.print_json(output.jsonable(found))
        return 0
    render(found)
    return 0


def _count(n: int, noun: str) -> str:
    """"1 mention", "2 mentions"."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
