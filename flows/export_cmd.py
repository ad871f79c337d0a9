"""`flarewatch export`: the active incidents as an ACLED-style CSV, a flat CSV, Parquet or GeoJSON.

In: a data root, a format, optional event-date bounds, an output path ("-" = stdout). Out: one file,
written aside and renamed (a failed export leaves no half file), and a one-line account on stderr.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import pyarrow as pa

from flows import inputs, output
from warehouse import catalog, export


def load(data: str, since: str | None, until: str | None, attacks_only: bool) -> tuple[pa.Table, dict[str, list[dict]]]:
    """The active incidents in the bounds (event date order) and each one's sources."""
    first, last = inputs.period(since, until)
    inputs.data_root(data)
    where = "($since IS NULL OR event_date >= $since) AND ($until IS NULL OR event_date <= $until)"
    params = {"since": first, "until": last}
    source = "attacks" if attacks_only else "incidents"
    with catalog.connect(data) as con:
        incidents = catalog.query(con, f"SELECT * EXCLUDE (event_month) FROM {source} WHERE {where} "
                                  "ORDER BY event_date NULLS LAST, incident_id", params)
        rows = catalog.query(con, f"""
            SELECT s.* FROM incident_sources AS s JOIN {source} AS i USING (incident_id)
            WHERE {where.replace('event_date', 'i.event_date')}""", params).to_pylist()
    sources: dict[str, list[dict]] = {}
    for row in rows:
        sources.setdefault(row["incident_id"], []).append(row)
    return incidents, sources


def render(fmt: str, incidents: pa.Table, sources: dict[str, list[dict]]) -> bytes:
    """The file's bytes in `fmt`."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        sink = pa.BufferOutputStream()
        pq.write_table(incidents, sink, compression="zstd")
        return sink.getvalue().to_pybytes()
    rows = incidents.to_pylist()
    if fmt == "geojson":
        return (json.dumps(output.jsonable(export.geojson(rows, sources)), ensure_ascii=False) + "\n").encode()
    text = io.StringIO()
    if fmt == "acled-csv":
        writer = csv.DictWriter(text, fieldnames=export.ACLED_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(export.acled_rows(rows, sources))
    else:
        writer = csv.DictWriter(text, fieldnames=incidents.column_names, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "; ".join(v) if isinstance(v, list) else output.plain(v) for k, v in row.items()})
    return text.getvalue().encode("utf-8")


def run(args, data: str) -> int:
    """The `export` command."""
    if args.format == "parquet" and args.output == "-" and sys.stdout.isatty():
        raise ValueError("Parquet is binary: give --output FILE (or pipe stdout)")
    incidents, sources = load(data, args.since, args.until, args.attacks_only)
    body = render(args.format, incidents, sources)
    if args.output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    else:
        target = Path(args.output)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    print(f"{incidents.num_rows} incidents written as {args.format} to {args.output}", file=sys.stderr)
    return 0
