"""Does a poll cost more on a warehouse with a long history? A 10-article poll on an empty
warehouse and on one holding 1 M articles, 2 M mentions and 1 M incidents, in the same run.

    .venv/bin/python bench/bench_history.py [--articles 1000000] [--poll 10] [--repeat 2]
                                            [--root DIR] [--pages DIR]

1. Builds the history under `--root` (default: a temporary directory) through the real write
   functions (`parquet.append` for articles, `parquet.replace_partitions` for mentions and
   incidents, `attacks.write_per_month` for the monthly counts), from synthetic rows: `--articles`
   articles, two mentions each, one incident citing both, spread evenly over the 23 months
   2025-01 .. 2026-11 (ingest month = event month), and one raw-store file per article (empty:
   no poll reads an old page, but the files are there to be listed). The history stands for
   incidents already merged, so the mentions' change log its writes left is cleared. The new
   articles come from the demo pages (bench/_farm.py), whose events fall in 2024: their merge
   window (event months +-2) holds none of the history, as a poll's window holds the last few
   months and not the years before them. What a poll reads of the history is then only
   what it must look up by key (seen URLs, where a key is stored), one file at a time.
2. Polls: each in a fresh child process, the real `ingest` flow (warmed up by a 5-article flow
   into a scratch root first, so that Prefect's start-up is outside the timing) brings `--poll`
   new articles into an empty root, then into the history, `--repeat` times, alternating. Each
   history poll writes into a copy of the history as built (`poll_copy`: its Parquet files hard
   links, its raw months moved in and back), never into the history itself: a poll into the
   history would leave its articles in the next poll's merge window (the demo events, reported
   again by every poll), and each later poll would merge more mentions than an empty root holds.
   The child samples every 20 ms the resident memory of the flow process plus its coding
   processes during the poll. Reported: the fastest wall time and the lowest peak of each case,
   and their ratios (goal: both <= 1.25).

A history an earlier version of this bench polled into is cleaned first (`strip`).

A 10,000-article poll's memory (flat from 1,000 on) is `bench/bench_memory.py --articles 1000,10000`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _farm import descendants_by_kind, print_machine, rss_bytes  # noqa: E402

MONTHS = [f"{2025 + (i // 12)}-{i % 12 + 1:02d}" for i in range(23)]  # 2025-01 .. 2026-11
TEXT = ("Officials said the market in the district reopened after repairs. Traders counted losses "
        "and residents described a quiet week; the council announced a new budget for roads. ")


def _hex(prefix: str, n: int) -> str:
    return hashlib.sha1(f"{prefix}{n}".encode()).hexdigest()[:16]


def build(root: Path, articles: int) -> None:
    """Write the synthetic history under `root` through the real write functions."""
    import pyarrow as pa

    from warehouse import attacks, changes, footers, parquet

    per, extra = divmod(articles, len(MONTHS))
    start = 0
    for index, month in enumerate(MONTHS):
        n = per + (index < extra)
        ids = range(start, start + n)
        start += n
        year, mon = int(month[:4]), int(month[5:])
        fetched = [dt.datetime(year, mon, 1 + i % 28, i % 24, tzinfo=dt.UTC) for i in ids]
        days = [dt.date(year, mon, 1 + i % 28) for i in ids]
        aid = [_hex("a", i) for i in ids]
        urls = [f"https://history.example/{month}/{i}" for i in ids]
        parquet.append(root, "articles", pa.table({
            "article_id": aid, "canonical_url": urls, "url": urls, "feed_id": [f"feed{i % 50}" for i in ids],
            "outlet": [f"outlet{i % 50}" for i in ids], "title": [f"Story {i}" for i in ids],
            "text": [f"{TEXT} Item {i}." for i in ids], "published_at": fetched, "language": ["en"] * n,
            "content_sha256": [hashlib.sha256(u.encode()).hexdigest() for u in urls],
            "fetched_at": fetched, "extractor_version": ["history"] * n,
        }))
        mid = [_hex("m", 2 * i + k) for i in ids for k in (0, 1)]
        two = lambda values: [v for v in values for _ in (0, 1)]  # noqa: E731
        parquet.replace_partitions(root, "mentions", {month: pa.table({
            "mention_id": mid, "article_id": two(aid), "outlet": two(f"outlet{i % 50}" for i in ids),
            "reported_at": two(fetched), "event_type": ["Violence against civilians"] * 2 * n,
            "sub_event_type": ["Attack"] * 2 * n, "event_date": two(days), "date_precision": ["day"] * 2 * n,
            "iso3": ["IRQ"] * 2 * n, "admin1": two(f"Province {i % 18}" for i in ids),
            "location": two(f"Town {i % 900}" for i in ids), "fatalities": two(i % 5 for i in ids),
            "weapons": [[] for _ in range(2 * n)], "role": ["primary"] * 2 * n,
            "evidence": two(f"Gunmen attacked Town {i % 900}." for i in ids), "evidence_start": [0] * 2 * n,
            "evidence_end": [30] * 2 * n, "confidence": [0.9] * 2 * n, "extractor_version": ["history"] * 2 * n,
            "ingested_at": two(fetched), "why": [[] for _ in range(2 * n)],
        })})
        parquet.replace_partitions(root, "incidents", {month: pa.table({
            "incident_id": [_hex("i", i) for i in ids], "status": ["active"] * n,
            "event_type": ["Violence against civilians"] * n, "sub_event_type": ["Attack"] * n,
            "event_date": days, "date_precision": ["day"] * n, "iso3": ["IRQ"] * n,
            "admin1": [f"Province {i % 18}" for i in ids], "location": [f"Town {i % 900}" for i in ids],
            "fatalities": [i % 5 for i in ids], "weapons": [[] for _ in ids], "n_mentions": [2] * n,
            "n_articles": [1] * n, "n_outlets": [1] * n, "first_reported_at": fetched, "updated_at": fetched,
            "mention_ids": [[_hex("m", 2 * i), _hex("m", 2 * i + 1)] for i in ids],
            "n_references": [0] * n, "is_attack": [True] * n,
        })})
    changes.forget(root, changes.pending(root, "mentions"))  # the history is merged
    attacks.write_per_month(root)  # and counted, as every merge leaves it
    footers.save_index(root)  # and its footers indexed, as every poll leaves them
    build_raw(root, articles)


def build_raw(root: Path, articles: int) -> None:
    """The raw store of the history: one (empty) file per fetched page in its fetch month's folder,
    named as `warehouse.raw.put` names them; a poll must not list them."""
    per, extra = divmod(articles, len(MONTHS))
    start = 0
    for index, month in enumerate(MONTHS):
        folder = root / "raw" / f"fetch_month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        n = per + (index < extra)
        for i in range(start, start + n):
            name = f"page-{hashlib.sha256(str(i).encode()).hexdigest()}.gz"
            os.close(os.open(folder / name, os.O_CREAT | os.O_WRONLY))
        start += n


COPY_SUFFIX = "-poll"
"""`<history>-poll`: the copy of the history a poll writes into (`poll_copy`)."""
POLL_TABLES = ("runs", "feed_state", "partitions", "links", "reports")
"""What a poll writes and `build` does not."""
PARTITIONED = {"articles": "ingest_month", "mentions": "ingest_month", "incidents": "event_month",
               "raw": "fetch_month"}


def _history_folder(table: str, name: str) -> bool:
    return not name.startswith(f"{PARTITIONED[table]}=") or name.split("=", 1)[1] in MONTHS


def poll_copy(history: Path) -> Path:
    """A copy of `history` for one poll to write into, beside it: each Parquet file hard-linked
    (data files are never changed in place: a write renames a new file in), every other file
    copied (footer index, lock, change log), and the raw store's month folders (a million files)
    moved in, to be moved back by `give_back`. The footer index still holds: it keys files by
    root-relative path, inode, size and modification time, which a hard link keeps."""
    work = history.with_name(history.name + COPY_SUFFIX)
    give_back(history, work)
    for folder, dirs, files in os.walk(history):
        rel = Path(folder).relative_to(history)
        if rel == Path("."):
            dirs[:] = [d for d in dirs if d != "raw"]
        (work / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            (os.link if name.endswith(".parquet") else shutil.copy2)(Path(folder) / name, work / rel / name)
    (work / "raw").mkdir()
    for month in (history / "raw").iterdir():
        month.rename(work / "raw" / month.name)
    return work


def give_back(history: Path, work: Path) -> None:
    """Move the history's raw month folders lent to `work` back into `history`; remove `work`."""
    if (work / "raw").is_dir():
        for month in (work / "raw").iterdir():
            if month.name.startswith("fetch_month=") and _history_folder("raw", month.name):
                month.rename(history / "raw" / month.name)
    shutil.rmtree(work, ignore_errors=True)


def strip(history: Path) -> bool:
    """Remove from `history` what polls wrote into it (an earlier version of this bench polled into
    the history itself), so that it is again as `build` left it: the tables only a poll writes, and
    the partition folders of months `build` does not write; then the monthly counts and the footer
    index are written again. Returns whether anything was removed."""
    from warehouse import attacks, footers, paths

    gone = [history / t for t in POLL_TABLES if (history / t).exists()]
    gone += [d for t in PARTITIONED for d in (history / t).iterdir() if d.is_dir() and not _history_folder(t, d.name)]
    for path in gone:
        shutil.rmtree(path)
    if gone:
        shutil.rmtree(history / footers.INDEX_DIR, ignore_errors=True)  # first: this process then writes all
        attacks.write_per_month(history)
        root = paths.open_root(history)
        for table in ("articles", "mentions", "incidents"):
            for part in (history / table).iterdir():
                for f in paths.data_files(root, str(part)):
                    footers.footer(root, f)
        footers.save_index(history)
    return bool(gone)


def child(root: Path, n: int, pages: Path | None) -> None:
    """Warm Prefect up, then time one poll of `n` new articles into `root`; print JSON."""
    import logging

    from _farm import Farm, load_pages
    from bench_ingest import run_flow

    logging.getLogger("prefect").setLevel(logging.WARNING)
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")  # a busy shared machine
    raw = load_pages(pages)
    with tempfile.TemporaryDirectory(prefix="fw-hist-warm-") as tmp:
        run_flow(Farm(raw, 5, 1, pages_dir=pages), Path(tmp) / "data", 2, 100)
    me, peak, done = os.getpid(), [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            coders = sum(rss_bytes(p) for p, kind in descendants_by_kind(me).items() if kind == "coders")
            peak[0] = max(peak[0], rss_bytes(me) + coders)
            time.sleep(0.02)

    base = rss_bytes(me)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    wall, summary, _ = run_flow(Farm(raw, n, 1, pages_dir=pages), root, 2, 100)
    done.set()
    sampler.join()
    print(json.dumps({"wall": wall, "peak": peak[0], "before": base, "new_articles": summary.get("new_articles"),
                      "new_incidents": summary.get("new_incidents")}))


def poll(root: Path, n: int, pages: Path | None) -> dict:
    """One poll in a fresh child process (it adds to `root`)."""
    cmd = [sys.executable, __file__, "--child", str(root), "--poll", str(n)]
    cmd += ["--pages", str(pages)] if pages else []
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the poll into {root} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1_000_000, help="articles in the history")
    ap.add_argument("--poll", type=int, default=10, help="new articles a poll brings")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--root", type=Path, default=None, help="build (or reuse) the history here")
    ap.add_argument("--pages", type=Path, default=None)
    ap.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child, args.poll, args.pages)
        return 0
    print_machine("python bench/bench_history.py " + " ".join(sys.argv[1:] if argv is None else argv))
    with tempfile.TemporaryDirectory(prefix="fw-hist-") as tmp:
        history = args.root or Path(tmp) / "history"
        if not (history / "articles").exists():
            t0 = time.perf_counter()
            build(history, args.articles)
            print(f"history built in {time.perf_counter() - t0:.0f} s under {history}")
        give_back(history, history.with_name(history.name + COPY_SUFFIX))  # of a run killed mid-poll
        if strip(history):
            print(f"removed from {history} what earlier polls had written into it")
        from warehouse import attacks

        attacks.write_per_month(history, [])  # the monthly counts in this version's format, as a merge leaves them
        from warehouse import catalog

        with catalog.connect(history) as con:
            counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                      for t in ("articles", "mentions", "incidents")}
        print(f"history: {counts}")
        results: dict[str, list[dict]] = {"empty": [], "history": []}
        for rep in range(args.repeat):
            for case in ("empty", "history"):
                if case == "empty":
                    got = poll(Path(tmp) / f"empty-{rep}", args.poll, args.pages)
                else:
                    work = poll_copy(history)
                    try:
                        got = poll(work, args.poll, args.pages)
                    finally:
                        give_back(history, work)
                results[case].append(got)
                print(f"  {case:<8} poll {rep + 1}: {got['wall']:.2f} s, peak {got['peak'] / 2**20:.0f} MiB "
                      f"(before the poll {got['before'] / 2**20:.0f} MiB), {got['new_articles']} new articles")
    wall = {c: min(r["wall"] for r in rs) for c, rs in results.items()}
    peak = {c: min(r["peak"] for r in rs) for c, rs in results.items()}
    rw, rp = wall["history"] / wall["empty"], peak["history"] / peak["empty"]
    print()
    print(f"RESULT wall: empty {wall['empty']:.2f} s, history {wall['history']:.2f} s = {rw:.2f}x (goal <= 1.25): "
          f"{'MET' if rw <= 1.25 else 'NOT MET'}")
    print(f"RESULT peak memory (flow + coders): empty {peak['empty'] / 2**20:.0f} MiB, history "
          f"{peak['history'] / 2**20:.0f} MiB = {rp:.2f}x (goal <= 1.25): {'MET' if rp <= 1.25 else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
