"""warehouse: all persistence of flarewatch. Knows nothing of HTTP or Prefect.

- `schemas`: every table declared once (`TABLES`), generated from the record dataclasses.
- `convert`: records -> Arrow, cast to the declared schema (`parquet.to_arrow` re-exports it).
- `parquet`: idempotent appends, atomic partition / table replacement, upsert, read.
- `lock`: one writer per data root (`root_lock`).
- `raw`: content-addressed raw pages and feeds (`RawStore`).
- `state`: feed state, seen URLs, partition and run records.
- `catalog`: DuckDB views, macros, `trends`, `provenance`.
- `paths`: the layout of the data root (a directory or `s3://...`); the only module that builds paths.
- `handle`: `Warehouse`, the data root opened and checked once, passed down wherever a root goes.
- `recoded`: a backfill's re-coded and discovered articles (their reads and ordered writes).
- `coverage`: month states, feeds and runs (the backfill plan, `flarewatch status`); `queries`: the
  read-only questions of `show`, `export`, `trends` and the backfill's re-merge.
"""
