"""Coding time per KB of text, from 10 KB to 1 MB: is the work per document near-linear?

    python bench/bench_long_docs.py [--sizes 10,30,100,300,1000] [--sentence-sizes KB,...]
                                    [--profile KB] [--profile-sentence KB] [--extract] [--budget]
                                    [--repeat N]

In: documents built here from the sentences of the shipped coding fixtures
(`tests/fixtures/coding/*.jsonl`), shuffled with a fixed seed and their numbers varied, to each
size in KB; plus, per size, one "sentence" of that size with no full stop (a list of places and
figures joined by commas). Out: per size and kind, the CPU seconds `code_incidents` takes and the
milliseconds per KB (flat means linear), and with `--extract` the same for `extract_article` on
the document as an HTML page. One process, one core, after a warm-up (lexicons, gazetteer).
`--sentence-sizes` times the one long sentence only at those sizes (default: `--sizes`; "-" for
none). `--profile KB` prints the top of a cProfile of one
document of that size instead, `--profile-sentence KB` of one long sentence. `code_incidents`
is called directly: no per-document budget applies (`--budget` shows what the budget does). `--budget`
times what a coding process does with the page instead (`flows.steps.code_within_budget`:
extraction, then coding unless the text is over `CODING_CHARS` or the work over
`CODING_SECONDS`) and shows the article's `coding_status`. `--repeat N` times each call N times
and keeps the least CPU time (a small document's figure is otherwise noisy on a shared machine).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import platform
import pstats
import random
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from extractors.articles import extract_article  # noqa: E402
from extractors.incidents import code_incidents  # noqa: E402
from extractors.pipeline import Page  # noqa: E402
from extractors.records import FeedEntry  # noqa: E402
from flows import steps  # noqa: E402

PUBLISHED = dt.datetime(2024, 5, 20, 12, tzinfo=dt.UTC)


def sentences() -> list[str]:
    """Every sentence of the shipped coding fixtures (texts split at line breaks and full stops)."""
    out: list[str] = []
    for path in sorted((REPO / "tests" / "fixtures" / "coding").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                text = json.loads(line)["text"]
                out += [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s.strip()) > 20]
    return out


def document(size_kb: int, seed: int = 7) -> str:
    """Paragraphs of fixture sentences, numbers varied, to `size_kb` KB."""
    rng, pool = random.Random(seed), sentences()
    parts, length = [], 0
    while length < size_kb * 1000:
        sentence = re.sub(r"\b\d{1,3}\b", lambda m: str(rng.randint(1, 60)), rng.choice(pool))
        parts.append(sentence)
        length += len(sentence) + 1
        if rng.random() < 0.25:
            parts.append("\n")
    return " ".join(parts).replace(" \n ", "\n")


def long_sentence(size_kb: int, seed: int = 7) -> str:
    """One sentence of `size_kb` KB: clauses of places, actors and figures joined by commas."""
    rng = random.Random(seed)
    clauses = ["gunmen killed {n} people in Kano", "{n} soldiers were wounded near Mosul",
               "a bomb killed {n} civilians in Kabul", "police arrested {n} protesters in Lagos",
               "{n} villagers died in Borno state", "militants attacked {n} checkpoints in Gao"]
    parts, length = [], 0
    while length < size_kb * 1000:
        clause = rng.choice(clauses).format(n=rng.randint(2, 40))
        parts.append(clause)
        length += len(clause) + 2
    return "On Monday, " + ", ".join(parts) + "."


def timed(fn, *args, repeat: int = 1) -> float:  # noqa: ANN001, ANN002
    """CPU seconds of one call, the least of `repeat` (this process only: a shared machine's other
    work does not count)."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn(*args)
        times.append(time.process_time() - start)
    return min(times)


def code(text: str) -> None:
    code_incidents(text, article_id="bench", published_at=PUBLISHED, title=None)


def page_html(text: str) -> bytes:
    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines())
    return f"<html><head><title>t</title></head><body><article>{paragraphs}</article></body></html>".encode()


def extract(text: str) -> None:
    extract_article(page_html(text), url="https://news.example.com/a", feed_entry=None,
                    fetched_at=PUBLISHED, raw_path=None, outlet=None, feed_language="en")


def budgeted(text: str) -> str | None:
    """What a coding process does with the page: its article's coding_status."""
    url = "https://news.example.com/a"
    entry = FeedEntry(feed_id="f", url=url, canonical_url=url, title="t", summary=None, published_at=PUBLISHED)
    coded = steps.code_within_budget(Page(entry=entry, outlet=None, url=url, fetched_at=PUBLISHED, raw_path=None,
                                          body=page_html(text), feed_language="en"))
    return None if coded is None else coded.article.coding_status or "coded"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,30,100,300,1000", help="KB, comma-separated")
    parser.add_argument("--sentence-sizes", help="KB of the long sentences timed (default: --sizes; - for none)")
    parser.add_argument("--profile", type=int, help="profile one document of this many KB")
    parser.add_argument("--profile-sentence", type=int, help="profile one long sentence of this many KB")
    parser.add_argument("--extract", action="store_true", help="also time extract_article")
    parser.add_argument("--budget", action="store_true", help="time code_within_budget on the pages instead")
    parser.add_argument("--repeat", type=int, default=1, help="time each call N times, keep the least")
    args = parser.parse_args()
    code(document(2))  # warm-up: lexicons, gazetteer
    if args.profile or args.profile_sentence:
        profile = cProfile.Profile()
        profile.runcall(code, document(args.profile) if args.profile else long_sentence(args.profile_sentence))
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        return
    print(f"# {dt.date.today()}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}" + (f", CPU s: least of {args.repeat} runs" if args.repeat > 1 else ""))
    if args.budget:
        print(f"| KB | kind | s | status (budget {steps.CODING_CHARS:,} characters, {steps.CODING_SECONDS:g} s) |")
        print("|---|---|---|---|")
        for kb in (int(s) for s in args.sizes.split(",")):
            for kind, text in (("varied sentences", document(kb)), ("one long sentence", long_sentence(kb))):
                start = time.perf_counter()
                status = budgeted(text)
                print(f"| {kb} | {kind} | {time.perf_counter() - start:.2f} | {status} |", flush=True)
        return
    print("| KB | varied sentences: s | ms / KB | one long sentence: s | ms / KB |"
          + (" extract: s | ms / KB |" if args.extract else ""))
    print("|---|---|---|---|---|" + ("---|---|" if args.extract else ""))
    spec = args.sizes if args.sentence_sizes is None else args.sentence_sizes
    one_sizes = set() if spec == "-" else {int(s) for s in spec.split(",")}
    for kb in (int(s) for s in args.sizes.split(",")):
        doc = document(kb)
        t_doc = timed(code, doc, repeat=args.repeat)
        row = f"| {kb} | {t_doc:.2f} | {1000 * t_doc / kb:.1f} |"
        if kb in one_sizes:
            t_one = timed(code, long_sentence(kb), repeat=args.repeat)
            row += f" {t_one:.2f} | {1000 * t_one / kb:.1f} |"
        else:
            row += " - | - |"
        if args.extract:
            t_ex = timed(extract, doc, repeat=args.repeat)
            row += f" {t_ex:.2f} | {1000 * t_ex / kb:.1f} |"
        print(row, flush=True)


if __name__ == "__main__":
    main()
