"""The article-pages development set: whole real news pages joined with this project's own annotations.

    python bench/pages.py list  [--eval DIR]                    # pages to annotate, JSONL
    python bench/pages.py build [--eval DIR] --out FILE [--half tune|report|all]
    python bench/pages.py score [--eval DIR] [--half tune|report|all]   # code, merge, score

In: the real pages of the evaluation folder (default `../shared/eval`, or `$FLAREWATCH_EVAL_DIR`):
the 181 pages of `extraction/html/` (URLs from `extraction/ground-truth.json`) and the 40 pages of
`articles/<library>/` (URLs from `articles/MANIFEST.md`), and the annotations under
`bench/gold/pages/*.jsonl` (one line per annotated page: `id`, `page`, `incidents`, optional
`notes`; no page text is stored in the repository).
Out: `list` prints every page (id, page, half, published_at, url, title, language, text) as JSONL,
the text and metadata being what the ingest flow codes (`extractors.articles.extract_article`);
`build` writes the annotated pages in the gold format of `DIR/README.md`; `score` builds a half,
codes and merges it exactly as `flarewatch extract` does, and prints the external scorer's report.

Unlike the feed items (a title and a summary), these are whole articles: the product's real input.
A page's id is `pg-` + the first 12 hex digits of SHA-1 over its path inside the evaluation folder;
the split is by that path's hash (`half_of`), fixed before any page was scored. When the folder is
absent the script says so and exits 0.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
GOLD_DIR = REPO / "bench" / "gold" / "pages"

from bench import feed_items  # noqa: E402 - the repository root is put on the path first

# a fixed, aware time for extraction: a page's own date wins; this is only trafilatura's upper bound
_FETCHED = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
_MANIFEST_ROW = re.compile(r"^\| `([^`]+)` \| (\S+) \|")


def page_id(relative: str) -> str:
    """`pg-` + 12 hex digits of SHA-1 over the page's path inside the evaluation folder."""
    return "pg-" + hashlib.sha1(relative.encode()).hexdigest()[:12]


def half_of(relative: str) -> str:
    """`tune` or `report`: a fixed split by the page's path (hash parity, so it never drifts)."""
    return "tune" if int(hashlib.sha1(relative.encode()).hexdigest(), 16) % 2 == 0 else "report"


def _sources(root: Path) -> Iterator[tuple[str, bytes, str]]:
    """(path inside the folder, page bytes, URL) of every page, extraction pages first."""
    truth = json.loads((root / "extraction" / "ground-truth.json").read_text(encoding="utf-8"))
    for path in sorted((root / "extraction" / "html").glob("*.html.gz")):
        key = path.name.removesuffix(".html.gz")
        yield f"extraction/html/{path.name}", gzip.decompress(path.read_bytes()), truth[key]["url"]
    manifest = (root / "articles" / "MANIFEST.md").read_text(encoding="utf-8").splitlines()
    for line in manifest:
        match = _MANIFEST_ROW.match(line)
        if match and (root / "articles" / match.group(1)).is_file():
            relative = f"articles/{match.group(1)}"
            yield relative, (root / relative).read_bytes(), match.group(2)


def pages(root: Path) -> Iterator[dict]:
    """Every page as the ingest flow would code it (pages that yield no text are left out)."""
    from extractors.articles import extract_article

    for relative, html, url in _sources(root):
        article = extract_article(html, url=url, feed_entry=None, fetched_at=_FETCHED,
                                  raw_path=None, outlet=None)
        if article is None:
            continue
        yield {
            "id": page_id(relative), "page": relative, "half": half_of(relative),
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "url": url, "title": article.title, "language": article.language, "text": article.text,
        }


def build(root: Path, out: Path, half: str, folder: Path = GOLD_DIR) -> int:
    """Write the gold set (the pages of `half` annotated in `folder`) to `out`; returns the number
    of documents."""
    notes = feed_items.annotations(folder)
    count = 0
    with out.open("w", encoding="utf-8") as sink:
        for page in pages(root):
            ann = notes.get(page["id"])
            if ann is None or (half != "all" and page["half"] != half):
                continue
            doc = {k: page[k] for k in ("id", "published_at", "url", "title", "text", "language")}
            doc.update(source="pages", page=page["page"], half=page["half"], incidents=ann["incidents"])
            sink.write(json.dumps(doc, ensure_ascii=False) + "\n")
            count += 1
    return count


def score(root: Path, half: str) -> int:
    """Build `half`, code it with `flarewatch extract`'s code path, print the scorer's report."""
    return feed_items.score_built(root, lambda gold: build(root, gold, half), f"article pages, {half} half")


def main(argv: list[str] | None = None) -> int:
    parser = feed_items.set_parser(__doc__)
    return feed_items.run_set(parser.parse_args(argv), parser, "extraction/html", build, score,
                              lambda root, _args: pages(root))


if __name__ == "__main__":
    sys.exit(main())
