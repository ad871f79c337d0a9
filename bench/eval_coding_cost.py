"""What coding a long article costs next to extracting it: CPU time of `code_incidents` against
trafilatura's `extract` on the same real pages.

    python bench/eval_coding_cost.py [--eval DIR] [--min-chars 3000] [--repeat 3] [--keep-caches] [--profile N]

In: the article-extraction benchmark pages under `DIR/extraction/html/*.html.gz` (181 real news
pages; skips cleanly when absent). Each page is extracted once with trafilatura (timed), and the
text, when at least `--min-chars` long, is coded (timed), both `--repeat` times, the best time
kept (a shared machine's noise only adds). Out: pages timed, CPU seconds of each step, the ratio
of their sums (the target: coding <= 0.5 x extraction) and the median and worst per-page ratios.
Loading the lexicons, gazetteer and language model is done once before timing. Before each
coding the caches keyed by a document's text (its place scan, ...) are emptied: a page is coded
once in a real run, so its repeats must not find their work done (`--keep-caches` keeps them,
which times mostly cache hits); the caches of words (folded forms, gazetteer rows) stay warm,
as a worker's are. `--profile N`:
after the timing, the coding of every timed page is run once more under cProfile (CPU clock) and
its N costliest functions by own time and by cumulative time are printed.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gzip
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import trafilatura  # noqa: E402

from extractors import coding_local, coding_sense  # noqa: E402
from extractors.coding_reads import gazetteer  # noqa: E402
from extractors.incidents import code_incidents  # noqa: E402

PUBLISHED = dt.datetime(2024, 1, 15, 12, 0, tzinfo=dt.UTC)


def forget_documents() -> None:
    """Empty the coder's caches keyed by a document's or a sentence's text."""
    gaz = gazetteer()
    if gaz is not None:
        gaz._placed.cache_clear()
        gaz._scan.cache_clear()
        gaz._text_votes.cache_clear()
        gaz._pieces.clear()
        gaz.data.actor_countries.cache_clear()
        gaz.data.actor_regions.cache_clear()
    coding_sense._found.cache_clear()
    coding_local._index.cache_clear()


def best_cpu(fn, repeat: int, before=lambda: None):
    """(result, least CPU seconds over `repeat` calls, each after an untimed `before()`)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        before()
        start = time.process_time()
        result = fn()
        best = min(best, time.process_time() - start)
    return result, best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("FLAREWATCH_EVAL_DIR") or str(REPO.parent / "shared" / "eval")
    parser.add_argument("--eval", default=default)
    parser.add_argument("--min-chars", type=int, default=3000, help="shortest article text timed")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep-caches", action="store_true", help="keep the document caches between repeats")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the N costliest functions")
    args = parser.parse_args(argv)
    pages = sorted((Path(args.eval) / "extraction" / "html").glob("*.html.gz"))
    if not pages:
        print(f"no extraction pages under {args.eval}: skipped")
        return 0
    code_incidents("Warm-up: a bomb killed two soldiers in Kabul on Monday.", article_id="w", published_at=PUBLISHED)
    rows, texts = [], []
    for path in pages:
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        text, extract_s = best_cpu(lambda html=html: trafilatura.extract(html), args.repeat)
        if not text or len(text) < args.min_chars:
            continue
        _, code_s = best_cpu(
            lambda text=text, path=path: code_incidents(text, article_id=path.stem, published_at=PUBLISHED),
            args.repeat, (lambda: None) if args.keep_caches else forget_documents)
        rows.append((path.stem[:12], len(text), extract_s, code_s))
        texts.append((path.stem, text))
    if not rows:
        print("no page long enough")
        return 0
    extract_total, code_total = sum(r[2] for r in rows), sum(r[3] for r in rows)
    ratios = [r[3] / r[2] for r in rows if r[2] > 0]
    worst = max(rows, key=lambda r: r[3] / r[2] if r[2] else 0)
    print(f"{len(rows)} pages with >= {args.min_chars} characters of text "
          f"(median {statistics.median(r[1] for r in rows):.0f})")
    print(f"extract (trafilatura) {extract_total:.2f} s CPU, code_incidents {code_total:.2f} s CPU"
          f" ({'document caches kept' if args.keep_caches else 'document caches emptied before each coding'})")
    print(f"coding / extraction: {code_total / extract_total:.2f} (sums), "
          f"median per page {statistics.median(ratios):.2f}, "
          f"worst {worst[3] / worst[2]:.2f} ({worst[0]}, {worst[1]} characters)")
    if args.profile:
        profile(texts, args.profile)
    return 0


def profile(texts: list[tuple[str, str]], top: int) -> None:
    """Code every (article id, text) once under cProfile on the CPU clock, its document caches
    emptied before (untimed); print the `top`
    functions by own time, then by cumulative time."""
    profiler = cProfile.Profile(time.process_time)
    for article_id, text in texts:
        forget_documents()
        profiler.enable()
        code_incidents(text, article_id=article_id, published_at=PUBLISHED)
        profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


if __name__ == "__main__":
    sys.exit(main())
