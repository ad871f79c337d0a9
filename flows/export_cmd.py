"""`flarewatch export`: the active incidents as an ACLED-style CSV, a flat CSV, Parquet or GeoJSON.

In: a data root, a format, optional event-date bounds, an output path ("-" = stdout). Out: one file,
written aside and renamed (a failed export leaves no half file), and a one-line account on stderr.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pyarrow as pa

from flows import inputs, output
from warehouse import export, queries
from warehouse.handle import Warehouse


def load(
    data: Warehouse, since: str | None, until: str | None, attacks_only: bool
) -> tuple[pa.Table, dict[str, list[dict]]]:
    """The active incidents in the bounds (event date order) and each one's sources."""
    first, last = inputs.period(since, until)
    inputs.data_root(data)
    return queries.incidents_with_sources(data, first, last, attacks_only=attacks_only)


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


def run(args, data: Warehouse) -> int:
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
        output.save_file(Path(args.output), body)
    print(f"{incidents.num_rows} incidents written as {args.format} to {args.output}", file=sys.stderr)
    return 0
