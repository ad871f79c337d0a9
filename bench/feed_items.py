"""The feed-items development set: real feed items joined with this project's own annotations.

    python bench/feed_items.py list  [--eval DIR] [--feeds STEM,...]        # items to annotate, JSONL
    python bench/feed_items.py build [--eval DIR] --out FILE [--half tune|report|all]
    python bench/feed_items.py score [--eval DIR] [--half tune|report|all]   # code, merge, score

In: the captured feeds `DIR/feeds/*.xml` (default `../shared/eval`, or `$FLAREWATCH_EVAL_DIR`), read
with feedparser, and the annotations under `bench/gold/feed_items/*.jsonl` (one line per annotated
item: `id`, `feed`, `incidents`, optional `notes`; no item text is stored in the repository).
Out: `list` prints every item (id, feed, half, published_at, url, title, text) as JSONL; `build`
writes the annotated items in the gold format of `DIR/README.md` (the scorer's input), with the
text rebuilt from the feed, so the gold set exists only where the evaluation folder does; `score`
builds the half into a temporary folder, codes and merges it exactly as `flarewatch extract`
does, and prints the external scorer's report (`DIR/score_incidents.py`).

An item's text is what the coder sees for a feed item: its title, a blank line, and its summary
with markup removed. Its id is `fi-` + the first 12 hex digits of SHA-1 over the feed's file name
and the entry's id (else its link, else its title). The split is by feed (`half_of`): tune on one
half, report the other untouched. When the folder is absent the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import feedparser
import lxml.html

REPO = Path(__file__).resolve().parent.parent
GOLD_DIR = REPO / "bench" / "gold" / "feed_items"


def eval_dir(option: str | None) -> Path:
    """The evaluation folder: the option, else `$FLAREWATCH_EVAL_DIR`, else `../shared/eval`."""
    return Path(option or os.environ.get("FLAREWATCH_EVAL_DIR") or REPO.parent / "shared" / "eval")


def half_of(feed: str) -> str:
    """`tune` or `report`: a fixed split by feed file name (hash parity, so it never drifts)."""
    return "tune" if int(hashlib.sha1(feed.encode()).hexdigest(), 16) % 2 == 0 else "report"


def plain(html: str | None) -> str:
    """Markup removed and white space folded (feed summaries are often HTML)."""
    if not html or not html.strip():
        return ""
    try:
        text = lxml.html.fromstring(html).text_content()
    except Exception:  # a summary that is not HTML at all (lxml raises on empty documents etc.)
        text = html
    return " ".join(text.split())


def _published(entry: dict) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return dt.datetime(*parsed[:6], tzinfo=dt.UTC).isoformat()


def items(root: Path, feeds: set[str] | None = None) -> Iterator[dict]:
    """Every item of every captured feed (optionally only the feeds whose file stem is named)."""
    seen: set[str] = set()
    for path in sorted((root / "feeds").glob("*.xml")):
        stem = path.name.removesuffix(".xml")
        if feeds and stem not in feeds:
            continue
        parsed = feedparser.parse(path.read_bytes())
        for entry in parsed.entries:
            key = entry.get("id") or entry.get("link") or entry.get("title") or ""
            item_id = "fi-" + hashlib.sha1(f"{path.name}\n{key}".encode()).hexdigest()[:12]
            if item_id in seen:  # a feed that lists the same entry twice
                continue
            seen.add(item_id)
            title = plain(entry.get("title"))
            summary = plain(entry.get("summary"))
            yield {
                "id": item_id,
                "feed": stem, "half": half_of(stem), "published_at": _published(entry),
                "url": entry.get("link"), "title": title or None,
                "text": f"{title}\n\n{summary}" if summary else title,
            }


def annotations(folder: Path = GOLD_DIR) -> dict[str, dict]:
    """Every annotated item by id, from `folder/*.jsonl` (default `bench/gold/feed_items/`)."""
    found: dict[str, dict] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                found[row["id"]] = row
    return found


def build(root: Path, out: Path, half: str, folder: Path = GOLD_DIR) -> int:
    """Write the gold set (the items of `half` annotated in `folder`) to `out`; returns the number
    of documents."""
    notes = annotations(folder)
    count = 0
    with out.open("w", encoding="utf-8") as sink:
        for item in items(root):
            ann = notes.get(item["id"])
            if ann is None or (half != "all" and item["half"] != half):
                continue
            doc = {k: item[k] for k in ("id", "published_at", "url", "title", "text")}
            doc.update(source="feed_items", feed=item["feed"], half=item["half"], incidents=ann["incidents"])
            sink.write(json.dumps(doc, ensure_ascii=False) + "\n")
            count += 1
    return count


def score(root: Path, half: str) -> int:
    """Build `half`, code it with `flarewatch extract`'s code path, print the scorer's report."""
    return score_built(root, lambda gold: build(root, gold, half), f"feed items, {half} half")


def score_built(root: Path, build_into: Callable[[Path], int], label: str) -> int:
    """Write a gold set with `build_into(path)` (returns its documents), code it with `flarewatch
    extract`'s code path, print the external scorer's report; its exit status."""
    sys.path.insert(0, str(REPO))
    from flows.extract import extract_file

    with tempfile.TemporaryDirectory() as tmp:
        gold, pred = Path(tmp) / "gold.jsonl", Path(tmp) / "pred.jsonl"
        print(f"{label}: {build_into(gold)} documents")
        extract_file(gold, pred)
        return subprocess.run([sys.executable, str(root / "score_incidents.py"), str(gold), str(pred)],
                              check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = set_parser(__doc__)
    parser.add_argument("--feeds", help="comma-separated feed file stems (list only)")
    return run_set(parser.parse_args(argv), parser, "feeds", build, score,
                   lambda root, args: items(root, set(args.feeds.split(",")) if args.feeds else None))


def set_parser(doc: str | None) -> argparse.ArgumentParser:
    """The options every development-set script takes: list, build or score; folder, output, half."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("command", choices=("list", "build", "score"))
    parser.add_argument("--eval", help="evaluation folder (default ../shared/eval)")
    parser.add_argument("--out", type=Path, help="gold JSONL to write (build)")
    parser.add_argument("--half", choices=("tune", "report", "all"), default="all")
    return parser


def run_set(args: argparse.Namespace, parser: argparse.ArgumentParser, needs: str,
            build_set: Callable[[Path, Path, str], int], score_set: Callable[[Path, str], int],
            rows: Callable[[Path, argparse.Namespace], Iterable[dict]]) -> int:
    """Carry out `args.command` for a development set whose source folder is `needs` inside the
    evaluation folder (exit 0 with a word when that folder is absent); its exit status."""
    root = eval_dir(args.eval)
    if not (root / needs).is_dir():
        print(f"no evaluation folder at {root}: nothing to do")
        return 0
    if args.command == "list":
        for row in rows(root, args):
            print(json.dumps(row, ensure_ascii=False))
        return 0
    if args.command == "score":
        return score_set(root, args.half)
    if args.out is None:
        parser.error("build needs --out FILE")
    print(f"{build_set(root, args.out, args.half)} documents -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
