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
from warehouse import catalog
from warehouse.export import evidence_sentence, figure_pattern

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


def gather(data: str, incident_id: str) -> dict:
    """{"incident": fields, "sources": [...], "references": [...]} or ValueError if unknown."""
    inputs.data_root(data)
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
        why = {}
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
    incident = found[0]
    for source in sources:
        source["why"] = list(why.get(source["mention_id"]) or ())
        source["sentence"] = evidence_sentence(source["evidence"], source["fatalities"])
    return {"incident": {"incident_id": incident_id, **{k: incident[k] for k in FIELDS if k in incident}},
            "sources": sources, "references": references}


def render(found: dict) -> None:
    """The person's view of `gather`'s answer on stdout."""
    out = output.console()
    incident = found["incident"]
    out.print(f"Incident {output.visible(incident['incident_id'])}", style="bold")
    output.print_record({k: v for k, v in incident.items() if k != "incident_id"})
    sources = found["sources"]
    outlets = {s["outlet"] for s in sources if s["outlet"]}
    out.print(f"\nSources: {len(sources)} mentions from {len(outlets)} outlets", style="bold")
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
        out.print(f"\nReferenced by {count} articles (not counted as sources)", style="bold")
        for ref in refs:
            when = str(output.plain(ref["published_at"]) or "")[:10]
            out.print(output.visible(f"    {ref['outlet'] or 'unknown outlet'} {when}: {ref['url'] or ''}"),
                      soft_wrap=True)


def run(args, data: str) -> int:
    """The `show` command."""
    found = gather(data, args.incident_id)
    if args.format == "json":
        output.print_json(output.jsonable(found))
        return 0
    render(found)
    return 0

