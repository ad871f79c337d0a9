"""Coding speed: short documents (ACLED-note size) per second on one core.

    python bench/bench_coding.py [--docs N] [--eval DIR] [--repeat R]

In: the note-style fixtures shipped in `tests/fixtures/coding/notes.jsonl`, or, with `--eval`,
the first N notes of `DIR/incidents/acled_dev.jsonl` (real ACLED notes, median ~200 characters).
Out: documents per second in this one process (one core), after a warm-up call that loads the
lexicons and the gazetteer (its cost is reported apart), plus the share of time spent on places.
The target is >= 200 documents per second per core.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from extractors.coding_reads import gazetteer  # noqa: E402
from extractors.incidents import code_incidents  # noqa: E402


def load(args: argparse.Namespace) -> list[dict]:
    """The documents to time: eval notes when asked and present, else the shipped fixtures."""
    if args.eval:
        path = Path(args.eval) / "incidents" / "acled_dev.jsonl"
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                return [json.loads(line) for _, line in zip(range(args.docs), handle, strict=False)]
        print(f"{path} not found: timing the shipped fixtures instead")
    path = REPO / "tests" / "fixtures" / "coding" / "notes.jsonl"
    base = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    return [dict(base[i % len(base)], id=f"{base[i % len(base)]['id']}-{i}") for i in range(args.docs)]


def run(docs: list[dict]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) to code every document once.

    CPU time is what "per core" means on a machine shared with other jobs: wall time there also
    counts the time the scheduler gave to someone else.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    for doc in docs:
        published = dt.datetime.fromisoformat(doc["published_at"]) if doc.get("published_at") else None
        code_incidents(doc["text"], article_id=doc["id"], published_at=published)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--eval", help="folder holding incidents/acled_dev.jsonl")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    docs = load(args)
    started = time.perf_counter()
    code_incidents("On 1 May 2020, gunmen attacked a police post in Kabul.", article_id="warm-up",
                   published_at=dt.datetime(2020, 5, 2, tzinfo=dt.UTC))
    warm_up = time.perf_counter() - started
    timings = [run(docs) for _ in range(args.repeat)]
    cpu = statistics.median(t[1] for t in timings)
    wall = statistics.median(t[0] for t in timings)
    chars = statistics.median(len(d["text"]) for d in docs)
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"gazetteer {'on' if gazetteer() is not None else 'absent'}")
    print(f"warm-up (lexicons, gazetteer): {warm_up:.2f} s")
    print(f"{len(docs)} documents, median {chars:.0f} characters, {args.repeat} runs")
    print(f"{len(docs) / cpu:.0f} docs/s per core by CPU time ({1000 * cpu / len(docs):.2f} ms CPU per document); "
          f"{len(docs) / wall:.0f} docs/s by wall time (lower when other jobs share the cores; "
          f"load {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
