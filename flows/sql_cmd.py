"""`flarewatch sql`: SQL over the warehouse views, read-only unless asked otherwise.

In: a data root, one or more SQL statements (`;`-separated), output options. Out: every result set
in turn (table, CSV, JSON, or Parquet files), exit 2 naming the statement DuckDB or the guard refused.

Read-only by default, in two layers: only statements that read are run (SELECT, WITH, VALUES,
EXPLAIN, DESCRIBE, SUMMARIZE, SHOW, PIVOT and friends: DuckDB's own parser classifies each one), and
once the views exist DuckDB's external access is switched off with the data root as the only
allowed directory (an object-storage root: the local file system is disabled) and the
configuration locked, so `read_csv('/etc/passwd')`, `COPY ... TO`,
`ATTACH` and `INSTALL` fail inside DuckDB too. `--allow-write` lifts both (a scratch session: what
it creates vanishes at the end; the Parquet files are still only written by flarewatch's flows).
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pyarrow as pa

from flows import inputs, output
from warehouse import catalog
from warehouse.handle import Warehouse

READING = {"SELECT", "EXPLAIN", "MULTI"}
"""Statement types run without --allow-write (DESCRIBE / SHOW / SUMMARIZE parse as SELECT, PIVOT as
MULTI); COPY, ATTACH, CREATE, INSERT, SET, INSTALL, PRAGMA ... are refused."""


def lock_down(con: duckdb.DuckDBPyConnection, root: Warehouse) -> None:
    """No file, network or extension access from now on but reading under `root`, and no way back."""
    if root.local:
        con.execute("SET allowed_directories = $dirs", {"dirs": [root.url.rstrip("/") + "/"]})
        con.execute("SET enable_external_access = false")
    else:  # object storage reads through the registered fsspec file system; the local disk goes
        con.execute("SET disabled_filesystems = 'LocalFileSystem'")
    con.execute("SET lock_configuration = true")


def statements(con: duckdb.DuckDBPyConnection, sql: str, *, allow_write: bool) -> list:
    """The parsed statements of `sql`; a statement that would change something is an error unless
    `allow_write`."""
    try:
        parsed = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise ValueError(_first_line(exc)) from None
    if not parsed:
        raise ValueError("no SQL statement given")
    if not allow_write:
        for stmt in parsed:
            kind = str(stmt.type).rsplit(".", 1)[-1].upper()
            if kind not in READING:
                raise ValueError(
                    f"{kind} statements are refused: the warehouse is read-only here "
                    "(--allow-write runs it in a scratch session)")
    return parsed


def _first_line(exc: BaseException) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return " ".join(lines[:2]) if lines else type(exc).__name__


def run(args, data: Warehouse) -> int:
    """The `sql` command: run each statement, print each result set (a title per set when several)."""
    inputs.data_root(data)
    if args.format == "parquet" and not args.output:
        raise ValueError("--format parquet needs --output FILE (one file per result set: FILE, FILE.2, ...)")
    if args.limit is not None and args.limit < 0:
        raise ValueError("--limit must be 0 or more")
    with catalog.connect(data) as con:
        if not args.allow_write:
            lock_down(con, data)
        parsed = statements(con, args.query, allow_write=args.allow_write)
        results = []
        for n, stmt in enumerate(parsed, 1):
            try:
                rel = con.sql(stmt.query)
                table = catalog._arrow(rel.limit(args.limit) if rel is not None and args.limit is not None else rel)
            except duckdb.Error as exc:
                where = f"statement {n}: " if len(parsed) > 1 else ""
                raise ValueError(where + _first_line(exc)) from None
            results.append((stmt.query.strip(), table))
    for n, (text, table) in enumerate(results, 1):
        title = f"-- result {n} of {len(results)}: {text[:70]}" if len(results) > 1 else None
        if args.format == "parquet":
            target = Path(args.output if n == 1 else f"{args.output}.{n}")
            import pyarrow.parquet as pq

            pq.write_table(table, target)
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
