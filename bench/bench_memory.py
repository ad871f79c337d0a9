"""Peak memory while ingesting N articles through the real flow (is it bounded or does it grow?).

    .venv/bin/python bench/bench_memory.py [--articles 1000,2000,4000] [--feeds 20] [--pages DIR]

For each N, a fresh child process runs the `ingest` flow (bench/bench_ingest.py's setup: distinct
real pages behind feeds on a local HTTP server in its own process) into a fresh data root, while this
process samples, every 0.2 s from /proc, the resident memory (RSS) of the child and of its whole
process tree (the Prefect flow process plus its coding worker processes; the page server and the
Prefect API server are separate processes and are counted separately). Reports peak RSS per N
and the growth per 1,000 articles; "bounded" means the peak does not grow with N.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _farm import descendants_by_kind, print_machine, rss_bytes  # noqa: E402


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", default="1000,2000,4000")
    ap.add_argument("--feeds", type=int, default=20)
    ap.add_argument("--pages", type=Path, default=None)
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
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
