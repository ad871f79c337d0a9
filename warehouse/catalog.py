"""DuckDB over the Parquet store: one view per table, derived views, macros and named queries.

In: a data root. Out: a DuckDB connection with the views below, and functions that return Arrow.

Base views (one per `schemas.TABLES` entry, columns exactly the declared schema):
`articles`, `mentions`, `incidents_all`, `feed_state`, `partitions`, `runs`.
Derived: `incidents` (status = 'active'), `articles_latest` (the latest version of each article_id,
by `partitions.LATEST_ORDER`), `attacks` (active incidents where `is_attack`), `attacks_per_month`,
`incident_sources`.
Macros: `is_attack(event_type, sub_event_type)` (the rule of `warehouse.attacks`, which also writes
the stored `is_attack` column), table macro
`attacks_by(period, country := NULL, etype := NULL)` (period: 'day' | 'week' | 'month').

Each base view is `typed empty relation UNION ALL BY NAME read_parquet(..., union_by_name)`: it has
every declared column even when no file exists yet or when every file predates a column. DuckDB
expands the glob at every query, so files written later show up in open views; two cases need
`refresh(con, root)` (or a new connection): a table that had no file when the view was made (its
view is the empty relation), and a table that has since lost every file (DuckDB: "No files found").
The Parquet is the store of record; a `.duckdb` database file holds only these views and macros and
can be deleted at any time.
The session time zone is UTC, so day / week / month buckets are UTC.

On object storage (`s3://...` roots) the connection reads through the root's fsspec file system,
registered with `register_filesystem`: DuckDB's own S3 support is the httpfs extension, which it
downloads at run time, and this must work offline.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa

from warehouse import attacks, paths
from warehouse.partitions import latest_order_sql
from warehouse.schemas import TABLES, TableSpec

PERIODS = ("day", "week", "month")
GROUPABLE = ("iso3", "admin1", "event_type", "sub_event_type", "actor1")

_DUCK_TYPES: dict[pa.DataType, str] = {
    pa.string(): "VARCHAR",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.date32(): "DATE",
    pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ",
    pa.list_(pa.string()): "VARCHAR[]",
}


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def duck_type(typ: pa.DataType) -> str:
    """The DuckDB type of a declared Arrow type."""
    try:
        return _DUCK_TYPES[typ]
    except KeyError:
        raise TypeError(f"no DuckDB type for {typ}") from None


def _base_view_sql(con: duckdb.DuckDBPyConnection, root: str | os.PathLike[str] | paths.Root, ts: TableSpec) -> str:
    """The table's declared columns over its Parquet files, typed even where files lack a column.

    A column no file has yet (added by a later version; older partitions predate it) reads as a
    typed NULL; with no files at all the view is an empty typed relation. Reading the files
    directly, rather than a UNION with an empty typed relation, keeps DuckDB's projection and
    filter pushdown (measured 2.3x faster on 10 M incidents, BENCHMARKS.md).
    """
    fields = list(ts.schema)
    if not _has_files(root, ts):
        empty = ", ".join(f"CAST(NULL AS {duck_type(f.type)}) AS {_ident(f.name)}" for f in fields)
        return f"SELECT {empty} WHERE false"
    partitioned = ts.partition_col is not None
    glob = paths.parquet_glob(root, ts.name, partitioned)
    options = "union_by_name = true, hive_partitioning = " + ("true" if partitioned else "false")
    if partitioned:
        options += f", hive_types = {{{_literal(str(ts.partition_col))}: 'VARCHAR'}}"
    source = f"read_parquet({_literal(glob)}, {options})"
    present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    cols = ", ".join(
        f"CAST({_ident(f.name) if f.name in present else 'NULL'} AS {duck_type(f.type)}) AS {_ident(f.name)}"
        for f in fields
    )
    return f"SELECT {cols} FROM {source}"


def _has_files(root: str | os.PathLike[str] | paths.Root, ts: TableSpec) -> bool:
    parsed = paths.open_root(root)
    if ts.partition_col is None:
        return bool(paths.data_files(parsed, paths.table_dir(parsed, ts.name)))
    return any(
        paths.data_files(parsed, paths.partition_dir(parsed, ts.name, ts.partition_col, p))
        for p in paths.partition_values(parsed, ts.name, ts.partition_col)
    )


_AGGREGATES = """
    count(*) AS incidents,
    CAST(sum(coalesce(fatalities, 0)) AS BIGINT) AS fatalities,
    count(fatalities) AS fatalities_reported"""

_DERIVED = {
    "incidents": "SELECT * FROM incidents_all WHERE status = 'active'",
    "articles_latest": """
        SELECT * FROM articles
        QUALIFY row_number() OVER (PARTITION BY article_id ORDER BY {latest_order}) = 1""",
    "attacks": "SELECT * FROM incidents WHERE is_attack(event_type, sub_event_type)",
    "attacks_per_month": f"""
        SELECT CAST(date_trunc('month', event_date) AS DATE) AS month,
               iso3, event_type, sub_event_type, {_AGGREGATES}
        FROM attacks GROUP BY ALL
        ORDER BY month NULLS LAST, iso3, event_type, sub_event_type""",
    "incident_sources": """
        WITH links AS (
            SELECT incident_id, status AS incident_status, unnest(mention_ids) AS mention_id
            FROM incidents_all)
        SELECT l.incident_id, l.incident_status, l.mention_id, m.article_id,
               coalesce(a.outlet, m.outlet) AS outlet, a.url, a.title, a.published_at,
               m.reported_at, m.evidence, m.evidence_start, m.evidence_end, m.role,
               m.event_date AS mention_event_date, m.fatalities, m.injuries, m.weapons,
               m.munitions, m.confidence, m.extractor_version
        FROM links AS l
        LEFT JOIN mentions AS m ON m.mention_id = l.mention_id
        LEFT JOIN articles_latest AS a ON a.article_id = m.article_id""",
}


def refresh(con: duckdb.DuckDBPyConnection, root: str | os.PathLike[str]) -> None:
    """(Re)create every view and macro over `root`; call it after writing to a root seen empty.

    On object storage, registers the root's file system on `con` unless one of its protocol is.
    """
    parsed = paths.open_root(root)
    if not parsed.local:
        protocols = {parsed.fs.protocol} if isinstance(parsed.fs.protocol, str) else set(parsed.fs.protocol)
        if not protocols & set(con.list_filesystems()):
            con.register_filesystem(parsed.fs)
    con.execute("SET TimeZone = 'UTC'")
    for name, ts in TABLES.items():
        view = "incidents_all" if name == "incidents" else name
        con.execute(f"CREATE OR REPLACE VIEW {_ident(view)} AS {_base_view_sql(con, parsed, ts)}")
    con.execute(
        "CREATE OR REPLACE MACRO is_attack(event_type, sub_event_type) AS "
        + attacks.attack_sql("event_type", "sub_event_type")
    )
    for view, sql in _DERIVED.items():
        if view == "articles_latest":
            sql = sql.format(latest_order=latest_order_sql())
        con.execute(f"CREATE OR REPLACE VIEW {_ident(view)} AS {sql}")
    # Parameter names differ from column names: inside a macro a parameter shadows a column.
    con.execute(
        f"""CREATE OR REPLACE MACRO attacks_by(period, country := NULL, etype := NULL) AS TABLE
        SELECT CAST(date_trunc(period, event_date) AS DATE) AS period,
               iso3, event_type, sub_event_type, {_AGGREGATES}
        FROM attacks
        WHERE event_date IS NOT NULL
          AND (country IS NULL OR iso3 = country)
          AND (etype IS NULL OR event_type = etype)
        GROUP BY ALL ORDER BY ALL"""
    )


def connect(root: str | os.PathLike[str], database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection (in memory, or a disposable database file) with the views over `root`
    (a local directory or an object-storage URL)."""
    con = duckdb.connect(database)
    refresh(con, root)
    return con


def arrow(rel: duckdb.DuckDBPyRelation | None) -> pa.Table:
    """A relation's rows as an Arrow table; an empty table for a statement that returns nothing."""
    if rel is None:  # a statement that returns nothing
        return pa.table({})
    # duckdb >= 1.4 names it to_arrow_table; older releases return a Table from arrow().
    fetch = getattr(rel, "to_arrow_table", None) or rel.arrow
    return fetch()


def query(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> pa.Table:
    """Run `sql` (parameters bound: a list for `?`, a dict for `$name`) and return Arrow."""
    return arrow(con.sql(sql, params=params))


def _iso3(country: str) -> str:
    text = country.strip()
    if len(text) == 3 and text.isalpha():
        return text.upper()
    import pycountry  # only for names; codes need no lookup

    try:
        return str(pycountry.countries.lookup(text).alpha_3)
    except LookupError:
        raise ValueError(f"unknown country {country!r}: give an ISO 3166-1 alpha-3 code") from None


def trends(
    con: duckdb.DuckDBPyConnection,
    *,
    by: str = "month",
    country: str | None = None,
    event_type: str | None = None,
    group: Sequence[str] = ("iso3",),
    attacks_only: bool = True,
    since: Any = None,
    until: Any = None,
) -> pa.Table:
    """Incident counts per period: columns period (DATE, start of the day / ISO week / month), the
    `group` columns, incidents, fatalities (NULL counted as 0), fatalities_reported.

    `by`: "day", "week" (weeks start Monday) or "month". `country`: ISO3 code (or a name pycountry
    knows). `event_type`: ACLED event type. `group`: any of iso3, admin1, event_type,
    sub_event_type, actor1. `attacks_only`: count the `attacks` view (default) or every active
    incident. `since` / `until`: inclusive event-date bounds. Incidents without a date are left out.
    """
    if by not in PERIODS:
        raise ValueError(f"by must be one of {PERIODS}, got {by!r}")
    bad = [g for g in group if g not in GROUPABLE]
    if bad:
        raise ValueError(f"cannot group by {bad}; allowed: {GROUPABLE}")
    cols = list(dict.fromkeys(group))
    select_group = "".join(f", {_ident(g)}" for g in cols)
    order = ", ".join(["period", *(_ident(g) for g in cols)])
    source = "attacks" if attacks_only else "incidents"
    sql = f"""
        SELECT CAST(date_trunc($by, event_date) AS DATE) AS period{select_group}, {_AGGREGATES}
        FROM {source}
        WHERE event_date IS NOT NULL
          AND ($country IS NULL OR iso3 = $country)
          AND ($event_type IS NULL OR event_type = $event_type)
          AND ($since IS NULL OR event_date >= CAST($since AS DATE))
          AND ($until IS NULL OR event_date <= CAST($until AS DATE))
        GROUP BY ALL ORDER BY {order}"""
    params = {
        "by": by,
        "country": _iso3(country) if country else None,
        "event_type": event_type,
        "since": since,
        "until": until,
    }
    return query(con, sql, params)


def provenance(con: duckdb.DuckDBPyConnection, incident_id: str) -> pa.Table:
    """Every source of one incident: its mentions with outlet, url, title, published_at, evidence,
    role and figures (the `incident_sources` view), earliest publication first."""
    return query(
        con,
        "SELECT * FROM incident_sources WHERE incident_id = $id "
        "ORDER BY published_at NULLS LAST, mention_id",
        {"id": incident_id},
    )
