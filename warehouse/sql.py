"""SQL from a user over the warehouse views, read-only unless asked otherwise (`flarewatch sql`).

In: a data root and one or more SQL statements (`;`-separated). Out: each statement's text and its
result as an Arrow table (empty for a statement that returns nothing); ValueError, one line, naming
the statement DuckDB or the guard refused.

Read-only by default, in two layers: only statements that read are run (SELECT, WITH, VALUES,
EXPLAIN, DESCRIBE, SUMMARIZE, SHOW, PIVOT and friends: DuckDB's own parser classifies each one), and
once the views exist DuckDB's external access is switched off with the data root as the only
allowed directory (an object-storage root: the local file system is disabled) and the
configuration locked, so `read_csv('/etc/passwd')`, `COPY ... TO`,
`ATTACH` and `INSTALL` fail inside DuckDB too. `allow_write` lifts both (a scratch session: what
it creates vanishes at the end; the Parquet files are still only written by flarewatch's flows).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from warehouse import catalog
from warehouse.paths import DataRoot

READING = {"SELECT", "EXPLAIN", "MULTI"}
"""Statement types run without `allow_write` (DESCRIBE / SHOW / SUMMARIZE parse as SELECT, PIVOT as
MULTI); COPY, ATTACH, CREATE, INSERT, SET, INSTALL, PRAGMA ... are refused."""


def run_statements(root: DataRoot, sql: str, *, allow_write: bool = False,
                   limit: int | None = None) -> list[tuple[str, pa.Table]]:
    """Run each statement of `sql` over the views of `root`, in order: (its text, its result, at
    most `limit` rows). Every statement is checked before the first runs."""
    with catalog.connect(root) as con:
        if not allow_write:
            lock_down(con, root)
        parsed = statements(con, sql, allow_write=allow_write)
        results = []
        for n, stmt in enumerate(parsed, 1):
            try:
                rel = con.sql(stmt.query)
                table = catalog.arrow(rel.limit(limit) if rel is not None and limit is not None else rel)
            except duckdb.Error as exc:
                where = f"statement {n}: " if len(parsed) > 1 else ""
                raise ValueError(where + _first_line(exc)) from None
            results.append((stmt.query.strip(), table))
    return results


def lock_down(con: duckdb.DuckDBPyConnection, root: DataRoot) -> None:
    """No file, network or extension access from now on but reading under `root`, and no way back."""
    if root.local:
        con.execute("SET allowed_directories = $dirs", {"dirs": [root.url.rstrip("/") + "/"]})
        con.execute("SET enable_external_access = false")
    else:  # object storage reads through the registered fsspec file system; the local disk goes
        con.execute("SET disabled_filesystems = 'LocalFileSystem'")
    con.execute("SET lock_configuration = true")


def statements(con: duckdb.DuckDBPyConnection, sql: str, *, allow_write: bool) -> list[duckdb.Statement]:
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
