"""DuckDB: attacks per month by country over generated incidents in partitioned Parquet.

    .venv/bin/python bench/bench_duckdb.py [--sizes 1,2,5,10] [--repeat 3] [--months 120] [--keep DIR]

For each size (millions of incidents) DuckDB itself writes an `incidents` table with the
warehouse's exact schema (warehouse/schemas.py), hive-partitioned by event_month like the real
store (`incidents/event_month=YYYY-MM/*.parquet`, `--months` partitions), with a realistic spread
of ACLED types (about 70 % attacks), 40 countries and 5 % merged (inactive) rows. Then it opens the
project's own catalog (`warehouse.catalog.connect`: the same views the CLI uses) and times
`catalog.trends(con, by="month")`, i.e. attacks per month by country over every active incident.
The first query on a fresh connection is reported as "cold" (it includes view creation and
Parquet footers); then the best and median of `--repeat` warm runs; and, side by side, the best
time of the same count written straight over `read_parquet` (no views), to show the views' cost.
Goal (issue): 10 million under 1 second.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _farm import print_machine  # noqa: E402

TYPES = [  # (event_type, sub_event_type, weight)
    ("Battles", "Armed clash", 25),
    ("Explosions/Remote violence", "Air/drone strike", 15),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", 10),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED", 8),
    ("Violence against civilians", "Attack", 10),
    ("Strategic developments", "Disrupted weapons use", 2),
    ("Protests", "Peaceful protest", 20),
    ("Riots", "Violent demonstration", 5),
    ("Strategic developments", "Arrests", 5),
]
COUNTRIES = ("IRQ SYR YEM LBN ISR PSE SOM NGA MLI BFA NER TCD SDN SSD ETH COD CAF CMR MOZ LBY "
             "AFG PAK IND MMR PHL THA UKR RUS TUR IRN SAU EGY DZA TUN KEN UGA BDI HTI MEX COL").split()


def generate(root: Path, n: int, months: int) -> float:
    import duckdb

    from warehouse.catalog import duck_type
    from warehouse.schemas import TABLES

    schema = TABLES["incidents"].schema
    weighted = [t for t in TYPES for _ in range(t[2])]
    et = "[" + ", ".join(f"'{t[0]}'" for t in weighted) + "]"
    st = "[" + ", ".join(f"'{t[1]}'" for t in weighted) + "]"
    cc = "[" + ", ".join(f"'{c}'" for c in COUNTRIES) + "]"
    days = int(months * 30.4)
    exprs = {
        "incident_id": "'inc-' || i",
        "status": "CASE WHEN h % 20 = 0 THEN 'merged' ELSE 'active' END",
        "event_type": f"{et}[1 + h % {len(weighted)}]",
        "sub_event_type": f"{st}[1 + h % {len(weighted)}]",
        "event_date": f"DATE '2015-01-01' + CAST(i % {days} AS INTEGER)",
        "date_precision": "'day'",
        "iso3": f"{cc}[1 + (h // 7) % {len(COUNTRIES)}]",
        "fatalities": "CASE WHEN h % 3 = 0 THEN NULL ELSE h % 11 END",
        "weapons": "CAST([] AS VARCHAR[])",
        "n_mentions": "1 + h % 4", "n_articles": "1 + h % 3", "n_outlets": "1 + h % 2",
        "mention_ids": "['m-' || i]",
    }
    cols = []
    for f in schema:
        if f.name == "event_month":
            continue
        cols.append(f"CAST({exprs.get(f.name, 'NULL')} AS {duck_type(f.type)}) AS \"{f.name}\"")
    target = root / "incidents"
    target.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"""
        COPY (
          SELECT {', '.join(cols)}, strftime(event_date, '%Y-%m') AS event_month
          FROM (SELECT i, CAST(hash(i) % 1000000007 AS BIGINT) AS h FROM range({n}) t(i)) AS g
          ORDER BY event_month
        ) TO '{target}' (FORMAT parquet, PARTITION_BY (event_month), OVERWRITE_OR_IGNORE,
                         FILENAME_PATTERN 'data_{{i}}')""")
    con.close()
    return time.perf_counter() - t0


def timed_query(root: Path, repeat: int) -> tuple[float, list[float], int]:
    from warehouse import catalog

    t0 = time.perf_counter()
    con = catalog.connect(root)
    rows = catalog.trends(con, by="month").num_rows
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        catalog.trends(con, by="month")
        warm.append(time.perf_counter() - t0)
    con.close()
    return cold, warm, rows


def timed_direct(root: Path, repeat: int) -> float:
    """Baseline: the same count straight over read_parquet (no catalog views), best of `repeat`."""
    import duckdb

    from extractors.taxonomy import DISRUPTED, POLITICAL_VIOLENCE

    types = ", ".join(f"'{t}'" for t in sorted(POLITICAL_VIOLENCE))
    sql = f"""
        SELECT date_trunc('month', event_date) AS period, iso3, count(*), sum(coalesce(fatalities, 0))
        FROM read_parquet('{root}/incidents/*/*.parquet', hive_partitioning = true)
        WHERE status = 'active' AND event_date IS NOT NULL
          AND (event_type IN ({types}) OR sub_event_type = '{DISRUPTED}')
        GROUP BY ALL ORDER BY 1, 2"""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    best = float("inf")
    for _ in range(repeat + 1):
        t0 = time.perf_counter()
        con.execute(sql).fetchall()
        best = min(best, time.perf_counter() - t0)
    con.close()
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,2,5,10", help="millions of incidents, comma-separated")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--keep", type=Path, default=None, help="write under DIR and keep it")
    args = ap.parse_args(argv)
    print_machine("python bench/bench_duckdb.py " + " ".join(sys.argv[1:] if argv is None else argv))
    import duckdb

    print(f"duckdb {duckdb.__version__}; {args.months} monthly partitions\n")
    print(f"{'incidents':>11} {'parquet MiB':>11} {'generate s':>10} {'cold s':>7} {'warm best s':>11} "
          f"{'warm median s':>13} {'result rows':>11} {'direct best s':>13}")
    results = []
    for size in [float(s) for s in args.sizes.split(",")]:
        n = int(size * 1_000_000)
        tmp = tempfile.mkdtemp(prefix="fw-duck-") if args.keep is None else str(args.keep / f"{n}")
        root = Path(tmp)
        try:
            gen = generate(root, n, args.months)
            mib = sum(f.stat().st_size for f in root.rglob("*.parquet")) / 2**20
            cold, warm, rows = timed_query(root, args.repeat)
            direct = timed_direct(root, args.repeat)
            results.append((n, cold, min(warm)))
            print(f"{n:>11,} {mib:>11.1f} {gen:>10.1f} {cold:>7.3f} {min(warm):>11.3f} "
                  f"{statistics.median(warm):>13.3f} {rows:>11,} {direct:>13.3f}")
        finally:
            if args.keep is None:
                shutil.rmtree(root, ignore_errors=True)
    print()
    n0, _, w0 = results[0]
    for n, _cold, warm in results[1:]:
        print(f"growth {n0:,} -> {n:,} ({n / n0:.0f}x rows): warm {warm / w0:.1f}x, ")
    n, cold, warm = results[-1]
    print(f"RESULT duckdb attacks per month by country over {n:,} incidents: cold {cold:.3f} s, "
          f"warm {warm:.3f} s (goal < 1 s): "
          f"{'MET' if max(cold, warm) < 1 else ('MET warm only' if warm < 1 else 'NOT MET')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
