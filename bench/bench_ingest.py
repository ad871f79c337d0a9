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
   coding (`extractors.incidents.code_incidents`) over the extracted texts: documents/s per core;
4. the CPU time the flow took per page in each process (flow process, coding processes, page
   server, Prefect's API server, from /proc) against bare extraction's CPU time per page: a
   figure other jobs on the machine do not move, and the ceiling it sets on idle cores.
Goals (issue): pipeline pages/s >= 0.8 x bare single-core x cores used; Prefect share <= 10 %.

5. the peer, cold, start-up included: trafilatura's own command line (`trafilatura -i URLS.txt
   --parallel 2 --with-metadata --json -o DIR`, a config file setting its sleep between requests to
   0 and its SSRF guard off for 127.0.0.1) over the same `--articles` pages, served afresh, then
   `flarewatch run` (a new process: imports, Prefect's temporary API server) over them behind the
   feeds; reported as flarewatch's pages/s over the peer's (goal: >= 1.0 at 500 pages, >= 1.5 at
   2,000). `--peer-only` runs just this part; `--repeat N` runs N pairs, swapping which side runs
   first, and reports the median ratio. Each side's CPU seconds (its whole process tree, start-up
   included; flarewatch's split by process) are printed beside its wall time: a figure other jobs
   on the machine do not move.

With `--score-extraction DIR` (the article-extraction benchmark: DIR/html/<id>.html.gz,
DIR/ground-truth.json, and DIR/../score_extraction.py), only `extract_article` over its pages,
`--repeat` passes: CPU ms per page of each pass, and F1 / precision / recall of the first pass's
texts by that scorer; `--texts-out FILE` keeps those texts (JSON by page id) to compare trees.

With `--options`, only the per-page CPU cost of each extraction option and of coding instead
(`options_table`), interleaved page by page over the `--bare` pages; no flow is run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _farm import (  # noqa: E402
    Farm,
    Intervals,
    _children,
    descendants_by_kind,
    load_pages,
    print_machine,
    serve_farm,
    write_feed_list,
)


def bare_extract(pages: list[bytes]) -> tuple[float, float, list[str]]:
    """(wall seconds, CPU seconds, texts) of `trafilatura.extract` with its defaults, one core."""
    import trafilatura

    t0, c0 = time.perf_counter(), time.process_time()
    texts = [trafilatura.extract(p) or "" for p in pages]
    return time.perf_counter() - t0, time.process_time() - c0, texts


def bare_code(texts: list[str]) -> float:
    from extractors.incidents import code_incidents

    when = dt.datetime(2024, 10, 8, 12, tzinfo=dt.UTC)
    t0 = time.perf_counter()
    for i, text in enumerate(texts):
        code_incidents(text, article_id=f"bench-{i}", published_at=when)
    return time.perf_counter() - t0


def options_table(pages: list[bytes], url: str) -> None:
    """Print the CPU milliseconds per page of bare `trafilatura.extract` with its defaults, with
    each of our options alone, of our whole extraction (`extract_article`), of it with `fast`,
    of coding its text, of parts of it (metadata we never use, which include parsing the page:
    subtract the parse line) and of the raw store's gzip at three levels; each option runs on
    page i before any runs on page i+1, in an order that rotates from page to page."""
    import gzip
    from copy import copy

    import trafilatura
    from trafilatura.metadata import extract_catstags, extract_license
    from trafilatura.utils import load_html

    from extractors import articles
    from extractors.incidents import code_incidents
    from extractors.pipeline import code_article

    when = dt.datetime(2024, 10, 8, 12, tzinfo=dt.UTC)

    def ours(page: bytes, fast: bool = False) -> object:
        dates = {"original_date": True, "extensive_search": articles._DATE_SEARCH_EXTENSIVE,
                 "max_date": "2024-10-09", "url": url, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
        return trafilatura.bare_extraction(page, url=url, **(articles._OPTIONS | {"fast": fast}),
                                           date_extraction_params=dates)

    def parsed(page: bytes) -> object:
        return load_html(page)

    runs = {
        "extract(), defaults (the baseline)": lambda p: trafilatura.extract(p),
        "extract(favor_precision=True)": lambda p: trafilatura.extract(p, favor_precision=True),
        "extract(include_tables=True)": lambda p: trafilatura.extract(p, include_tables=True),
        "extract(with_metadata=True)": lambda p: trafilatura.extract(p, with_metadata=True),
        "our bare_extraction options": ours,
        "our options + fast=True": lambda p: ours(p, fast=True),
        "  metadata part: categories and tags": lambda p: [extract_catstags(k, t) for t in [parsed(p)]
                                                           for k in ("category", "tag")],
        "  metadata part: licence": lambda p: extract_license(parsed(p)),
        "  parsing the page alone (load_html)": parsed,
        "  copying the parsed tree": lambda p: copy(parsed(p)),
        "raw store: gzip level 9 (its default)": lambda p: gzip.compress(p, 9, mtime=0),
        "raw store: gzip level 6": lambda p: gzip.compress(p, 6, mtime=0),
        "raw store: gzip level 1": lambda p: gzip.compress(p, 1, mtime=0),
    }
    ours_all, coding = "extract_article (ours, all of it)", "code_incidents of its text"
    spent = dict.fromkeys([*runs, ours_all, coding], 0.0)
    for run in runs.values():  # warm-up, untimed: imports, trafilatura's and the coder's tables
        run(pages[0])
    code_incidents("On 1 May 2020, gunmen attacked a police post in Kabul.", article_id="warm-up", published_at=when)
    order = list(runs.items())
    for i, page in enumerate(pages):
        for name, run in order[i % len(order):] + order[: i % len(order)]:  # each option first as often
            c0 = time.process_time()
            run(page)
            spent[name] += time.process_time() - c0
        c0 = time.process_time()
        article = articles.extract_article(page, url=url, feed_entry=None, fetched_at=when, raw_path=None, outlet=None)
        c1 = time.process_time()
        if article is not None:
            code_article(article)
        spent[ours_all] += c1 - c0
        spent[coding] += time.process_time() - c1
    base = spent["extract(), defaults (the baseline)"]
    for name, seconds in spent.items():
        print(f"    {name:<38} {1000 * seconds / len(pages):7.2f} ms CPU per page  {seconds / base:5.2f}x")


def score_extraction(directory: Path, passes: int, texts_out: Path | None) -> int:
    """Print the CPU ms per page of `extract_article` over the benchmark's pages in each of
    `passes` passes (one untimed warm-up page first), then the benchmark scorer's line for the
    texts of the first pass; write those texts to `texts_out` when given."""
    import gzip
    import importlib.util
    import json

    from extractors.articles import extract_article

    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {key: gzip.decompress((directory / "html" / f"{key}.html.gz").read_bytes()) for key in truth}
    when = dt.datetime(2024, 10, 8, 12, tzinfo=dt.UTC)

    def extract(key: str) -> str:
        url = truth[key].get("url") or "https://example.org/article"
        article = extract_article(pages[key], url=url, feed_entry=None, fetched_at=when, raw_path=None, outlet=None)
        return article.text if article else ""

    extract(next(iter(truth)))
    texts: dict[str, str] = {}
    for i in range(passes):
        c0 = time.process_time()
        got = {key: extract(key) for key in truth}
        print(f"    pass {i + 1}: {1000 * (time.process_time() - c0) / len(truth):.2f} ms CPU per page "
              f"over {len(truth)} pages")
        texts = texts or got
    spec = importlib.util.spec_from_file_location("score_extraction", directory.parent / "score_extraction.py")
    assert spec and spec.loader
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    print("    " + str(scorer.evaluate(truth, {key: {"articleBody": text} for key, text in texts.items()})))
    if texts_out:
        texts_out.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    return 0


def instrument(spans: Intervals) -> None:
    """Time every call into project code made by the ingest flow."""
    import flows.ingest as ingest_mod
    from flows import steps
    from warehouse import partitions, remerge, state

    for name in ("poll_feeds", "new_entries", "fetch_pages", "submit_coding", "store_chunk", "store_coded"):
        spans.wrap(steps, name)
    spans.wrap(remerge, "remerge_incidents")
    spans.wrap(partitions, "record_coded_months")
    for name in ("load_feed_state", "seen_canonical_urls", "save_feed_state", "record_run",
                 "unmerged_mention_months"):
        spans.wrap(state, name)
    for name in ("load_feed_list", "feed_state_rows", "monthly_table", "root_lock"):
        spans.wrap(ingest_mod, name)


def run_flow(farm: Farm, root: Path, workers: int, chunk_size: int) -> tuple[float, dict, dict[str, float]]:
    """Run the ingest flow over `farm` into `root`: (wall seconds, run summary, CPU seconds the
    flow took in each group of processes, see `cpu_by_group`)."""
    from flows.ingest import ingest

    os.environ["FLAREWATCH_WORKERS"] = str(workers)
    os.environ["FLAREWATCH_CHUNK_SIZE"] = str(chunk_size)
    with serve_farm(farm):
        feeds = write_feed_list(farm, root.parent / f"{root.name}-feeds.yaml")
        cpu0, t0 = cpu_by_group(), time.perf_counter()
        summary = ingest(feeds=str(feeds), data=str(root), allow_hosts=["127.0.0.1"])
        wall, cpu1 = time.perf_counter() - t0, cpu_by_group()
        return wall, summary, {k: cpu1[k] - cpu0.get(k, 0.0) for k in cpu1}


def peer_ratio(raw: list[bytes], n: int, feeds: int, pages: Path | None, workers: int, tmp: Path,
               flarewatch_first: bool = False) -> float:
    """Wall seconds of trafilatura's CLI and of `flarewatch run`, each a cold process over the
    same `n` pages served afresh, one right after the other (`flarewatch_first` swaps the order);
    prints both, with the load average before each, each side's CPU seconds (`TreeCPU`) and
    flarewatch's start-up (process start to its flow's first step, read back from the `runs`
    table), and returns flarewatch's throughput over the peer's."""
    import shutil
    import subprocess

    import trafilatura

    cfg = (Path(trafilatura.__file__).parent / "settings.cfg").read_text(encoding="utf-8")
    cfg = cfg.replace("SLEEP_TIME = 5.0", "SLEEP_TIME = 0").replace("SSRF_PROTECTION = on", "SSRF_PROTECTION = off")
    (tmp / "peer.cfg").write_text(cfg, encoding="utf-8")
    out, data = tmp / "peer-out", tmp / "peer-data"
    for stale in (out, data):
        shutil.rmtree(stale, ignore_errors=True)

    def peer() -> tuple[float, float]:
        farm = Farm(raw, n, feeds, pages_dir=pages)
        with serve_farm(farm):
            urls = [f"{farm.base_url.decode()}/a/{k}/{i}.html" for k in range(farm.feeds) for i in farm.entries_of(k)]
            (tmp / "urls.txt").write_text("\n".join(urls) + "\n", encoding="utf-8")
            cmd = [shutil.which("trafilatura") or str(Path(sys.executable).parent / "trafilatura"),
                   "-i", str(tmp / "urls.txt"), "--parallel", str(workers), "--with-metadata", "--json",
                   "-o", str(out), "--config-file", str(tmp / "peer.cfg")]
            load = os.getloadavg()[0]
            with TreeCPU() as cpu:
                t0 = time.perf_counter()
                subprocess.run(cmd, check=True, capture_output=True)
                wall = time.perf_counter() - t0
        written = len(list(out.rglob("*.json")))  # its CLI splits big runs into folders
        print(f"peer, cold (load {load:.1f} before): trafilatura CLI {n} pages in {wall:.2f} s = "
              f"{n / wall:.1f} pages/s ({written} JSON files); CPU {cpu.total:.1f} s = "
              f"{1000 * cpu.total / n:.1f} ms per page")
        return wall, cpu.total

    def ours() -> tuple[float, float]:
        farm = Farm(raw, n, feeds, pages_dir=pages)
        with serve_farm(farm):
            feed_list = write_feed_list(farm, tmp / "peer-feeds.yaml")
            env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | {"FLAREWATCH_WORKERS": str(workers)}
            cmd = [str(Path(sys.executable).parent / "flarewatch"), "run", "--feeds", str(feed_list),
                   "--data", str(data), "--allow-host", "127.0.0.1"]
            load = os.getloadavg()[0]
            started = dt.datetime.now(dt.UTC)
            with TreeCPU() as cpu:
                t0 = time.perf_counter()
                done = subprocess.run(cmd, env=env, capture_output=True, text=True)
                wall = time.perf_counter() - t0
        if done.returncode:
            raise SystemExit(f"flarewatch run failed ({done.returncode}):\n{done.stderr[-2000:]}")
        from warehouse import catalog

        with catalog.connect(data) as con:
            flow_start = con.execute("SELECT min(started_at) FROM runs").fetchone()[0]
        if flow_start.tzinfo is None:  # stored as UTC
            flow_start = flow_start.replace(tzinfo=dt.UTC)
        startup = (flow_start - started).total_seconds()
        print(f"flarewatch, cold (load {load:.1f} before): run {n} pages in {wall:.2f} s = {n / wall:.1f} pages/s "
              f"(start-up included: {startup:.2f} s from process start to the flow's first step, "
              f"imports and the temporary Prefect server); CPU {cpu.total:.1f} s = "
              f"{1000 * cpu.total / n:.1f} ms per page ("
              + ", ".join(f"{k} {v:.1f} s" for k, v in cpu.by_kind().items()) + ")")
        return wall, cpu.total

    if flarewatch_first:
        (ours_wall, ours_cpu), (peer_wall, peer_cpu) = ours(), peer()
    else:
        (peer_wall, peer_cpu), (ours_wall, ours_cpu) = peer(), ours()
    print(f"    CPU seconds, start-up included: flarewatch {ours_cpu:.1f} s, peer {peer_cpu:.1f} s "
          f"(peer / flarewatch {peer_cpu / ours_cpu:.2f}; the load moves these far less than wall times)")
    return peer_wall / ours_wall


class TreeCPU:
    """CPU seconds of every process started inside the block and of their descendants, read from
    the kernel's accounting of reaped children: this process becomes a subreaper (Linux
    `PR_SET_CHILD_SUBREAPER`), so descendants orphaned when their parent exits (a forkserver's
    workers, a forked server) are reparented here and reaped as the block ends, their CPU counted.
    Children that outlive the block (the page server) are left alone and not counted. While the
    block runs, a thread samples each descendant's CPU by kind (`by_kind`: "main" the process
    started, "coders" its multiprocessing children, "server" the rest; approximate, sampled every
    0.1 s; `total` is exact)."""

    def __init__(self) -> None:
        import ctypes
        import threading

        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
        self._keep = set(_children(os.getpid()))
        self._seen: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.total = 0.0

    def __enter__(self) -> TreeCPU:
        import resource

        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        self._start = usage.ru_utime + usage.ru_stime
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        import resource

        self._stop.set()
        self._thread.join()
        deadline = time.monotonic() + 10
        while (left := [p for p in _children(os.getpid()) if p not in self._keep]) and time.monotonic() < deadline:
            for pid in left:
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
            time.sleep(0.02)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.total = usage.ru_utime + usage.ru_stime - self._start

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            todo = [p for p in _children(os.getpid()) if p not in self._keep]
            top = set(todo)
            while todo:
                pid = todo.pop()
                todo += _children(pid)
                try:
                    comm = Path(f"/proc/{pid}/comm").read_text().strip()
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                kind, cpu = self._seen.get(pid, ("main" if pid in top else "server", 0.0))  # orphans too
                kind = ("coders" if b"multiprocessing" in cmd else "server" if comm == "prefect-server" else kind)
                self._seen[pid] = (kind, max(_proc_cpu(pid), cpu))

    def by_kind(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for kind, cpu in self._seen.values():
            out[kind] = out.get(kind, 0.0) + cpu
        return out


def _proc_cpu(pid: int) -> float:
    """utime + stime of one process, in seconds (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def cpu_by_group() -> dict[str, float]:
    """CPU seconds so far of this process ("flow": Prefect's engine, fetch threads, writes) and of
    its descendants by kind: "coders" (the multiprocessing pool), "page server" (bench/_farm.py),
    "prefect api" (everything else, Prefect's temporary API server)."""
    out = {"flow": _proc_cpu(os.getpid()), "coders": 0.0, "page server": 0.0, "prefect api": 0.0}
    for pid, kind in descendants_by_kind(os.getpid()).items():
        out[kind] += _proc_cpu(pid)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--feeds", type=int, default=20)
    ap.add_argument("--pages", type=Path, default=None, help="folder of *.html / *.html.gz pages")
    ap.add_argument("--bare", type=int, default=300, help="pages for each bare single-core pass")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk-size", type=int, default=100)
    ap.add_argument("--options", action="store_true", help="only the CPU cost of each extraction option")
    ap.add_argument("--peer-only", action="store_true", help="only the cold comparison with trafilatura's CLI")
    ap.add_argument("--repeat", type=int, default=1, metavar="N",
                    help="peer: N pairs of runs, the order swapped each time; the median ratio (default 1)")
    ap.add_argument("--score-extraction", type=Path, default=None, metavar="DIR",
                    help="only extract_article over the extraction benchmark in DIR: CPU per page and its scores")
    ap.add_argument("--texts-out", type=Path, default=None, help="with --score-extraction: write the texts here")
    args = ap.parse_args(argv)
    print_machine("python bench/bench_ingest.py " + " ".join(sys.argv[1:] if argv is None else argv))
    logging.getLogger("prefect").setLevel(logging.WARNING)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

    if args.score_extraction:
        return score_extraction(args.score_extraction, args.repeat, args.texts_out)
    raw = load_pages(args.pages)
    farm = Farm(raw, args.articles, args.feeds, pages_dir=args.pages)
    farm.base_url = b"http://127.0.0.1:1"  # bare passes: same bytes as served, bar the port
    sample = [farm.page(k, i) for k in range(farm.feeds) for i in farm.entries_of(k)][: args.bare]
    avg_kb = sum(map(len, sample)) / len(sample) / 1024
    print(f"pages: {len(raw)} distinct sources from {args.pages or 'seeds/demo/pages'}, "
          f"served as {args.articles} distinct articles over {args.feeds} feeds; mean page {avg_kb:.1f} KiB")

    if args.options:
        print(f"CPU per page, {len(sample)} pages, options interleaved page by page:")
        options_table(sample, farm.base_url.decode() + "/a/0/0.html")
        return 0
    if args.peer_only:
        return report_peer(raw, args)
    t_bare1, c_bare1, texts = bare_extract(sample)
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
        wall, summary, cpu = run_flow(farm, tmp / "data", args.workers, args.chunk_size)
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

    t_bare2, c_bare2, _ = bare_extract(sample)
    print(f"bare trafilatura.extract, 1 core (after): {len(sample)} pages in {t_bare2:.2f} s = "
          f"{len(sample) / t_bare2:.1f} pages/s")
    bare_cpu = (c_bare1 + c_bare2) / (2 * len(sample))
    flow_cpu = sum(cpu.values()) / args.articles
    print("CPU per page during the flow: " + ", ".join(f"{k} {1000 * v / args.articles:.1f} ms" for k, v in cpu.items())
          + f"; total {1000 * flow_cpu:.1f} ms; bare trafilatura.extract {1000 * bare_cpu:.1f} ms CPU per page")
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
    print(f"RESULT CPU per page: pipeline {1000 * flow_cpu:.1f} ms (all processes) vs bare extraction "
          f"{1000 * bare_cpu:.1f} ms = {flow_cpu / bare_cpu:.2f}x; ceiling on {cores} idle cores "
          f"{cores * bare_cpu / flow_cpu:.2f}x bare 1-core (goal {goal:.1f}x)")
    print(f"RESULT coding: {len(texts) / t_code:.1f} docs/s per core "
          f"(extraction alone: {bare_rate:.1f} pages/s per core)")
    return report_peer(raw, args)


def report_peer(raw: list[bytes], args: argparse.Namespace) -> int:
    """`--repeat` pairs, the order swapped from one pair to the next; the median pair's ratio."""
    ratios = []
    with tempfile.TemporaryDirectory(prefix="fw-peer-") as tmp:
        for i in range(args.repeat):
            ratios.append(peer_ratio(raw, args.articles, args.feeds, args.pages, args.workers, Path(tmp),
                                     flarewatch_first=i % 2 == 1))
            print(f"    pair {i + 1}: ratio {ratios[-1]:.2f}")
    ratio = statistics.median(ratios)  # of an even count: the mean of the middle two, not the higher
    goal = 1.5 if args.articles >= 2000 else 1.0
    print(f"RESULT peer: flarewatch / trafilatura CLI throughput at {args.articles} pages, start-up included: "
          f"{ratio:.2f}{' (median of ' + str(len(ratios)) + ' pairs)' if len(ratios) > 1 else ''} "
          f"(goal >= {goal}): {'MET' if ratio >= goal else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
