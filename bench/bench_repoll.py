"""A re-poll of unchanged feeds: no page fetched, no row written, seconds not minutes.

    .venv/bin/python bench/bench_repoll.py [--feeds 50] [--per-feed 10] [--pages DIR]

Serves `--feeds` RSS feeds of `--per-feed` entries each (distinct real pages, bench/_farm.py) from a
local HTTP server, runs the real `ingest` flow once (the first poll fetches and stores everything),
then twice more with nothing changed:
- re-poll A: the server honours conditional GET (ETag / If-None-Match), so feeds answer 304;
- re-poll B: the server stops sending ETags and answers 200 with the same feed bodies, so the flow
  must recognise every entry as already ingested (canonical URL seen).
For each re-poll: wall time of the flow run, page requests the server saw, and whether any data
file under articles/, mentions/ or incidents/ was added or changed (path, size, mtime).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _farm import Farm, load_pages, print_machine, refresh_counts, serve_farm, write_feed_list  # noqa: E402


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for table in ("articles", "mentions", "incidents"):
        for f in (root / table).rglob("*.parquet"):
            st = f.stat()
            out[str(f.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out


def counts(root: Path) -> dict[str, int]:
    from warehouse import catalog

    with catalog.connect(root) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "mentions", "incidents_all", "runs")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feeds", type=int, default=50)
    ap.add_argument("--per-feed", type=int, default=10)
    ap.add_argument("--pages", type=Path, default=None)
    args = ap.parse_args(argv)
    print_machine("python bench/bench_repoll.py " + " ".join(sys.argv[1:] if argv is None else argv))
    logging.getLogger("prefect").setLevel(logging.WARNING)
    from flows.ingest import ingest

    n = args.feeds * args.per_feed
    farm = Farm(load_pages(args.pages), n, args.feeds, pages_dir=args.pages)
    results = []
    with tempfile.TemporaryDirectory(prefix="fw-repoll-") as tmp, serve_farm(farm) as base:
        root = Path(tmp) / "data"
        feeds = write_feed_list(farm, Path(tmp) / "feeds.yaml")

        def run(label: str) -> None:
            before_files, before_counts = snapshot(root) if root.exists() else {}, refresh_counts(farm).copy()
            t0 = time.perf_counter()
            summary = ingest(feeds=str(feeds), data=str(root), allow_hosts=["127.0.0.1"])
            wall = time.perf_counter() - t0
            after = refresh_counts(farm)
            delta = {k: after[k] - before_counts.get(k, 0) for k in after if after[k] != before_counts.get(k, 0)}
            files = snapshot(root)
            changed = sorted(k for k in files if before_files.get(k) != files[k])
            rows = counts(root)
            results.append((label, wall, delta, changed, rows, summary))
            print(f"{label}: {wall:.2f} s; requests {delta}; data files added/changed: {len(changed)}; "
                  f"rows {rows}; new_articles={summary.get('new_articles')} "
                  f"feeds_not_modified={summary.get('feeds_not_modified')}")

        run(f"first poll ({args.feeds} feeds, {n} articles)")
        run("re-poll A (feeds answer 304)")
        with urllib.request.urlopen(base + "/__etags/off", timeout=10):
            pass
        run("re-poll B (no ETags: 200, same bodies)")

    first_rows = results[0][4]
    print()
    for label, wall, delta, changed, rows, _ in results[1:]:
        same = all(rows[t] == first_rows[t] for t in ("articles", "mentions", "incidents_all"))
        ok = delta.get("page", 0) == 0 and not changed and same and wall < 60
        print(f"RESULT {label}: {wall:.2f} s, {delta.get('page', 0)} pages fetched, "
              f"{len(changed)} data files written, article/mention/incident rows unchanged: {same} "
              f"(runs +{rows['runs'] - first_rows['runs']}, feed_state replaced): {'MET' if ok else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
