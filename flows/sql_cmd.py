"""`flarewatch sql`: SQL over the warehouse views, read-only unless asked otherwise.

In: a data root, one or more SQL statements (`;`-separated), output options. Out: every result set
in turn (table, CSV, JSON, or Parquet files), exit 2 naming the statement DuckDB or the guard refused.
The statements are checked and run by `warehouse.sql` (its docstring: the two read-only layers);
`--allow-write` lifts them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa

from flows import inputs, output
from warehouse import sql
from warehouse.handle import Warehouse


def run(args, data: Warehouse) -> int:
    """The `sql` command: run each statement, print each result set (a title per set when several)."""
    inputs.data_root(data)
    if args.format == "parquet" and not args.output:
        raise ValueError("--format parquet needs --output FILE (one file per result set: FILE, FILE.2, ...)")
    if args.limit is not None and args.limit < 0:
        raise ValueError("--limit must be 0 or more")
    results = sql.run_statements(data, args.query, allow_write=args.allow_write, limit=args.limit)
    for n, (text, table) in enumerate(results, 1):
        title = f"-- result {n} of {len(results)}: {text[:70]}" if len(results) > 1 else None
        if args.format == "parquet":
            target = Path(args.output if n == 1 else f"{args.output}.{n}")
            import pyarrow.parquet as pq

            output.save_file(target, lambda handle, table=table: pq.write_table(table, handle))
            print(f"{table.num_rows} rows written to {target}", file=sys.stderr)
            continue
        if args.format == "table" and title:
            print(output.visible(title))
        if table.num_columns == 0:
            print("(done)" if args.format == "table" else "", end="\n" if args.format == "table" else "")
            continue
        output.print_table(_columns(table, args.columns), args.format)
    return 0


def _columns(table: pa.Table, columns: str | None) -> pa.Table:
    if not columns:
        return table
    wanted = [c.strip() for c in columns.split(",") if c.strip()]
    missing = [c for c in wanted if c not in table.column_names]
    if missing:
        raise ValueError(f"--columns: no column {missing[0]!r}; the result has {', '.join(table.column_names)}")
    return table.select(wanted)
