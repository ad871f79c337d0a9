"""Ingest throughput and Prefect's share of the wall time, side by side with bare trafilatura.

    .venv/bin/python bench/bench_ingest.py [--articles 2000] [--feeds 20] [--pages DIR]
                                           [--bare 300] [--workers 2] [--chunk-size 100]

One process, one run, on a shared machine, so every figure is a ratio of things measured here:
1. bare single-core `trafilatura.extract` over `--bare` of the generated pages (before the flow);
2. the real `ingest` Prefect flow (ephemeral API, warmed up by a 5-article run first) over
   `--articles` distinct pages behind `--feeds` RSS feeds on a local HTTP server (bench/_farm.py),
   all the way to Parquet; wall time split into time inside project code (steps, warehouse,
   feed list, artifacts' query) and the rest (Prefect orchestration: flow/task runs, states,
   events, artifacts);
3. bare single-core `trafilatura.extract` again (after the flow), and bare single-core incident
   coding (`extractors.incidents.code_incidents`) over the extracted texts: documents/s per core.
Goals (issue): pipeline pages/s >= 0.8 x bare single-core x cores used; Prefect share <= 10 %.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _farm import Farm, Intervals, load_pages, print_machine, serve_farm, write_feed_list  # noqa: E402


def bare_extract(pages: list[bytes]) -> tuple[float, list[str]]:
    import trafilatura

    t0 = time.perf_counter()
    texts = [trafilatura.extract(p) or "" for p in pages]
    return time.perf_counter() - t0, texts


def bare_code(texts: list[str]) -> float:
    from extractors.incidents import code_incidents

    when = dt.datetime(2024, 10, 8, 12, tzinfo=dt.timezone.utc)
    t0 = time.perf_counter()
    for i, text in enumerate(texts):
        code_incidents(text, article_id=f"bench-{i}", published_at=when)
    return time.perf_counter() - t0


def instrument(spans: Intervals) -> None:
    """Time every call into project code made by the ingest flow."""
    import flows.ingest as ingest_mod
    from flows import partitions, steps
    from warehouse import state

    for name in ("poll_feeds", "new_entries", "fetch_pages", "code_and_store", "code_all", "store_coded",
                 "remerge_incidents"):
        spans.wrap(steps, name)
    spans.wrap(partitions, "record_coded_months")
    for name in ("load_feed_state", "seen_canonical_urls", "save_feed_state", "record_run",
                 "unmerged_mention_months"):
        spans.wrap(state, name)
    for name in ("load_feed_list", "feed_state_rows", "monthly_table", "root_lock"):
        spans.wrap(ingest_mod, name)


def run_flow(farm: Farm, root: Path, workers: int, chunk_size: int) -> tuple[float, dict]:
    from flows.ingest import ingest

    os.environ["FLAREWATCH_WORKERS"] = str(workers)
    os.environ["FLAREWATCH_CHUNK_SIZE"] = str(chunk_size)
    with serve_farm(farm):
        feeds = write_feed_list(farm, root.parent / f"{root.name}-feeds.yaml")
        t0 = time.perf_counter()
        summary = ingest(feeds=str(feeds), data=str(root), allow_hosts=["127.0.0.1"])
        return time.perf_counter() - t0, summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--feeds", type=int, default=20)
    ap.add_argument("--pages", type=Path, default=None, help="folder of *.html / *.html.gz pages")
    ap.add_argument("--bare", type=int, default=300, help="pages for each bare single-core pass")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk-size", type=int, default=100)
    args = ap.parse_args(argv)
    print_machine("python bench/bench_ingest.py " + " ".join(sys.argv[1:] if argv is None else argv))
    logging.getLogger("prefect").setLevel(logging.WARNING)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

    raw = load_pages(args.pages)
    farm = Farm(raw, args.articles, args.feeds, pages_dir=args.pages)
    farm.base_url = b"http://127.0.0.1:1"  # bare passes: same bytes as served, bar the port
    sample = [farm.page(k, i) for k in range(farm.feeds) for i in farm.entries_of(k)][: args.bare]
    avg_kb = sum(map(len, sample)) / len(sample) / 1024
    print(f"pages: {len(raw)} distinct sources from {args.pages or 'seeds/demo/pages'}, "
          f"served as {args.articles} distinct articles over {args.feeds} feeds; mean page {avg_kb:.1f} KiB")

    t_bare1, texts = bare_extract(sample)
    print(f"bare trafilatura.extract, 1 core (before): {len(sample)} pages in {t_bare1:.2f} s = "
          f"{len(sample) / t_bare1:.1f} pages/s")

    with tempfile.TemporaryDirectory(prefix="fw-bench-") as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        run_flow(Farm(raw, 5, 1, pages_dir=args.pages), tmp / "warmup", args.workers, args.chunk_size)
        print(f"prefect warm-up (ephemeral API start + 5-article flow): {time.perf_counter() - t0:.1f} s")

        spans = Intervals()
        instrument(spans)
        start = time.perf_counter()
        wall, summary = run_flow(farm, tmp / "data", args.workers, args.chunk_size)
        work = spans.union(start, start + wall)
        from warehouse import catalog

        with catalog.connect(tmp / "data") as con:
            n_articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
            n_incidents = con.execute("SELECT count(*) FROM incidents").fetchone()[0]
        print(f"pipeline (ingest flow, {args.workers} workers, chunk {args.chunk_size}): "
              f"{args.articles} pages in {wall:.2f} s = {args.articles / wall:.1f} pages/s; "
              f"rows: {n_articles} articles, {n_incidents} active incidents; "
              f"server saw {dict(farm.counts)}; summary new_articles={summary.get('new_articles')}")
        print(f"    {'project function':<22} {'calls':>5} {'summed s':>9} {'wall s':>8}")
        for name, (calls, summed, union) in sorted(spans.by_name().items(), key=lambda kv: -kv[1][2]):
            print(f"    {name:<22} {calls:>5} {summed:9.2f} {union:8.2f}")
        print(f"time inside project code: {work:.2f} s; orchestration (rest): {wall - work:.2f} s "
              f"= {100 * (wall - work) / wall:.1f} % of the flow's wall time")

    t_bare2, _ = bare_extract(sample)
    print(f"bare trafilatura.extract, 1 core (after): {len(sample)} pages in {t_bare2:.2f} s = "
          f"{len(sample) / t_bare2:.1f} pages/s")
    t_code = bare_code(texts)
    print(f"bare incident coding (code_incidents), 1 core: {len(texts)} docs in {t_code:.2f} s = "
          f"{len(texts) / t_code:.1f} docs/s per core")

    bare_rate = len(sample) / ((t_bare1 + t_bare2) / 2)
    rate = args.articles / wall
    cores = min(args.workers, os.cpu_count() or 1)
    ratio = rate / bare_rate
    goal = 0.8 * cores
    print()
    print(f"RESULT throughput: pipeline {rate:.1f} pages/s vs bare 1-core {bare_rate:.1f} pages/s = "
          f"{ratio:.2f}x (goal >= {goal:.1f}x on {cores} cores): {'MET' if ratio >= goal else 'NOT MET'}")
    share = 100 * (wall - work) / wall
    print(f"RESULT prefect share at {args.articles} articles: {share:.1f} % (goal <= 10 %): "
          f"{'MET' if share <= 10 else 'NOT MET'}")
    print(f"RESULT coding: {len(texts) / t_code:.1f} docs/s per core "
          f"(extraction alone: {bare_rate:.1f} pages/s per core)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
