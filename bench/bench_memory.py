"""Peak memory while ingesting N articles through the real flow (is it bounded or does it grow?).

    .venv/bin/python bench/bench_memory.py [--articles 1000,2000,4000] [--feeds 20] [--pages DIR]

For each N, a fresh child process runs the `ingest` flow (bench/bench_ingest.py's setup: distinct
real pages behind feeds on a local HTTP server in its own process) into a fresh data root, while this
process samples, every 0.2 s from /proc, the resident memory (RSS) of the child and of its whole
process tree (the Prefect flow process plus its coding worker processes; the page server and the
Prefect API server are separate processes and are counted separately). Reports peak RSS per N
and the growth per 1,000 articles; "bounded" means the peak does not grow with N.

    .venv/bin/python bench/bench_memory.py --stores 4000 [--pages DIR] [--keep DIR]

`--stores N` splits the flow's two memory costs apart, in this process, without Prefect or HTTP:
the pages are coded once, N copies of them (new ids) are stored in chunks of 100 as a run does
(the process's memory set up as the flow's, `memory.limit_allocators`)
(`store_coded`, then `memory.release_free_memory`), printing the RSS after every 5th chunk, then
what the run does at its end, each with the RSS before it, its own peak (the kernel's high-water
mark reset before it, `/proc/self/clear_refs`) and the RSS after it: the re-merge
(`remerge.remerge_incidents`), the partition records (`partitions.record_coded_months`) and the
report page (`report_page.page`), with the memory released between them as the flow does.
`--keep DIR` stores into DIR (new or empty) and leaves it there, to compare two versions' output.
`--distinct` places each copy's incidents in a town of its own, so that no two copies report one
incident: the working set of N different reports, where plain copies are reprints of 28 stories
(which the merge holds as one node each, `extractors.dedup_pairs.copies`).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _farm import descendants_by_kind, print_machine, rss_bytes  # noqa: E402

T = TypeVar("T")


def measure(n: int, feeds: int, pages: Path | None) -> dict:
    cmd = [sys.executable, __file__, "--child", str(n), "--feeds", str(feeds)]
    if pages:
        cmd += ["--pages", str(pages)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = {"flow": 0, "flow+workers": 0, "page server": 0, "prefect api": 0}
    t0 = time.perf_counter()
    while proc.poll() is None:
        flow = rss_bytes(proc.pid)
        used = {"coders": 0, "page server": 0, "prefect api": 0}
        for p, kind in descendants_by_kind(proc.pid).items():
            used[kind] += rss_bytes(p)
        work, server, others = used["coders"], used["page server"], used["prefect api"]
        peak["flow"] = max(peak["flow"], flow)
        peak["flow+workers"] = max(peak["flow+workers"], flow + work)
        peak["page server"] = max(peak["page server"], server)
        peak["prefect api"] = max(peak["prefect api"], others)
        time.sleep(0.2)
    out = proc.stdout.read().strip()
    peak["seconds"] = time.perf_counter() - t0
    peak["child said"] = out
    return peak


def child(n: int, feeds: int, pages: Path | None) -> None:
    import logging
    import tempfile

    from _farm import Farm, load_pages
    from bench_ingest import run_flow

    logging.getLogger("prefect").setLevel(logging.WARNING)
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")  # a busy shared machine
    with tempfile.TemporaryDirectory(prefix="fw-mem-") as tmp:
        wall, summary, _ = run_flow(Farm(load_pages(pages), n, feeds, pages_dir=pages), Path(tmp) / "data", 2, 100)
        print(f"ingested {summary.get('new_articles')} articles in {wall:.1f} s")


def stores(n: int, pages: Path | None, keep: Path | None = None, distinct: bool = False) -> None:
    """Store N copies of the coded pages chunk by chunk, then re-merge them; prints RSS (MiB)."""
    import dataclasses
    import datetime as dt
    import hashlib
    import tempfile

    from _farm import load_pages, unique_page

    from extractors.months import event_month, publication_month
    from extractors.pipeline import CodedArticle, Page
    from extractors.records import FeedEntry
    from flows import report_page, steps
    from warehouse import memory, partitions, remerge
    from warehouse.handle import Warehouse
    from warehouse.mentions import store_coded

    memory.limit_allocators()  # as the ingest module does when imported
    when, coded = dt.datetime(2026, 12, 6, 9, tzinfo=dt.UTC), []
    for k, body in enumerate(load_pages(pages)):
        url = f"http://127.0.0.1/a/{k}.html"
        entry = FeedEntry(feed_id="f", url=url, canonical_url=url, title=None, summary=None, published_at=when)
        page = Page(entry=entry, outlet=None, url=url, fetched_at=when, raw_path=None,
                    body=unique_page(body, b"http://127.0.0.1", str(k)))
        coded += [c] if (c := steps.code_within_budget(page)) else []

    def town(i: int) -> str:  # a made-up name no other copy's town is alike to (`dedup_names._place_match`)
        return hashlib.sha1(str(i).encode()).hexdigest()[:10].translate(str.maketrans("0123456789", "ghijklmnop"))

    def copy(c: CodedArticle, i: int) -> CodedArticle:
        article = dataclasses.replace(c.article, article_id=f"{c.article.article_id}-{i}", outlet=f"outlet{i % 20}",
                                      url=f"{c.article.url}?{i}", canonical_url=f"{c.article.canonical_url}?{i}")
        return CodedArticle(article, tuple(
            dataclasses.replace(m, mention_id=f"{m.mention_id}-{i}", article_id=article.article_id,
                                outlet=article.outlet, reported_at=when + dt.timedelta(seconds=i),
                                **({"location": town(i)} if distinct else {}))
            for m in c.mentions))

    def rss() -> float:
        return rss_bytes(os.getpid()) / 2**20

    print(f"{len(coded)} pages coded, {sum(len(c.mentions) for c in coded)} mentions; {n} copies stored"
          + (", each in towns of its own" if distinct else ""))
    with tempfile.TemporaryDirectory(prefix="fw-mem-") as scratch:
        tmp = str(keep) if keep else scratch
        months: set[str] = set()
        published: set[str] = set()
        for start in range(0, n, 100):
            batch = [copy(coded[i % len(coded)], i) for i in range(start, min(n, start + 100))]
            store_coded(Path(tmp), batch)
            memory.release_free_memory()
            months |= {event_month(m.event_date) for c in batch for m in c.mentions}
            published |= {publication_month(c.article) for c in batch}
            if start // 100 % 5 == 0:
                print(f"  after chunk {start // 100 + 1}: {rss():.0f} MiB")
        t0 = time.process_time()
        (new, _, rewritten), figures = phase(lambda: remerge.remerge_incidents(Path(tmp), months))
        print(f"re-merge: {figures}; {new} incidents in {len(rewritten)} months, "
              f"{time.process_time() - t0:.1f} s CPU")
        memory.release_free_memory()
        _, figures = phase(lambda: partitions.record_coded_months(Path(tmp), published, "bench", rewritten))
        print(f"partition records: {figures}")
        memory.release_free_memory()
        page, figures = phase(lambda: report_page.page(Warehouse.open(tmp), recorded=True))
        print(f"report page: {figures} ({len(page)} characters)")


def phase(run: Callable[[], T]) -> tuple[T, str]:
    """`run()` and its memory: "before B, peak P (+P-B), after A" (MiB); the peak is the process's
    high-water mark (VmHWM), reset before `run` (where the kernel does not allow the reset, the
    process's peak so far)."""
    def status(key: str) -> float:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith(key)) / 1024

    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS
    except OSError:
        pass
    before = status("VmRSS")
    out = run()
    peak = status("VmHWM")
    return out, f"before {before:.0f}, peak {peak:.0f} (+{peak - before:.0f}), after {status('VmRSS'):.0f} MiB"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", default="1000,2000,4000")
    ap.add_argument("--feeds", type=int, default=20)
    ap.add_argument("--pages", type=Path, default=None)
    ap.add_argument("--stores", type=int, default=None, help="store N copies and re-merge, in this process")
    ap.add_argument("--keep", type=Path, default=None, help="with --stores: store into DIR and leave it")
    ap.add_argument("--distinct", action="store_true", help="with --stores: no two copies report one incident")
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.stores:
        print_machine("python bench/bench_memory.py " + " ".join(sys.argv[1:] if argv is None else argv))
        stores(args.stores, args.pages, args.keep, args.distinct)
        return 0
    if args.child:
        child(args.child, args.feeds, args.pages)
        return 0
    print_machine("python bench/bench_memory.py " + " ".join(sys.argv[1:] if argv is None else argv))
    mib = 2**20
    rows = []
    print(f"{'articles':>8} {'flow MiB':>9} {'flow+workers MiB':>17} {'page server MiB':>15} "
          f"{'prefect api MiB':>15} {'seconds':>8}")
    for n in [int(x) for x in args.articles.split(",")]:
        peak = measure(n, args.feeds, args.pages)
        rows.append((n, peak["flow+workers"], peak["flow"]))
        print(f"{n:>8} {peak['flow'] / mib:>9.0f} {peak['flow+workers'] / mib:>17.0f} "
              f"{peak['page server'] / mib:>15.0f} {peak['prefect api'] / mib:>15.0f} {peak['seconds']:>8.1f}"
              f"   ({peak['child said']})")
    (n0, m0, f0), (n1, m1, f1) = rows[0], rows[-1]
    slope = (m1 - m0) / (n1 - n0) * 1000 / mib if n1 != n0 else 0.0
    fslope = (f1 - f0) / (n1 - n0) * 1000 / mib if n1 != n0 else 0.0
    print()
    print(f"growth: {slope:.1f} MiB per 1,000 articles (flow + workers, {n0} -> {n1} articles); "
          f"extrapolated at 10,000: {(m1 + slope * mib * (10_000 - n1) / 1000) / mib:.0f} MiB")
    print(f"growth of the flow process alone: {fslope:.1f} MiB per 1,000 articles; "
          f"extrapolated at 10,000: {(f1 + fslope * mib * (10_000 - n1) / 1000) / mib:.0f} MiB")
    bounded = slope < 5
    print(f"RESULT peak memory: {'bounded' if bounded else 'NOT bounded (grows with N)'}: "
          f"{m1 / mib:.0f} MiB at {n1} articles, +{slope:.1f} MiB per 1,000 articles")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
