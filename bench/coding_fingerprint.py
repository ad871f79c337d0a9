"""A fingerprint of the coder's output: did a change alter any coded mention?

    python bench/coding_fingerprint.py OUT.json [--eval-docs N] [--eval DIR]

In: the coding fixtures and demo gold of `tests/fixtures/`, the first N documents of
`DIR/incidents/acled_dev.jsonl` when present (N=0: none), and six long documents of
`bench/bench_long_docs.py` (three of 20 kB, three single sentences of 8 kB). Out: every `Mention`
`code_incidents` gives for them, as JSON in OUT.json, and one line: documents, long documents,
mentions, and the SHA-256 of the JSON. Run it before and after a change meant to be
performance-only: the hashes must be equal (`cmp` the files to see where they differ). Each
mention's `extractor_version` is left out: it hashes the coder's source, so any edit changes it.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import bench_long_docs  # noqa: E402

from extractors.incidents import code_incidents  # noqa: E402


def _fields(mention: object) -> dict:
    """A mention's fields but `extractor_version` (a hash of the coder's source)."""
    fields = dataclasses.asdict(mention)  # type: ignore[call-overload]  # a Mention dataclass
    del fields["extractor_version"]
    return fields


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--eval-docs", type=int, default=0)
    parser.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval")
    args = parser.parse_args()
    docs: list[dict] = []
    for path in [*sorted((REPO / "tests" / "fixtures" / "coding").glob("*.jsonl")),
                 REPO / "tests" / "fixtures" / "demo_gold.jsonl"]:
        docs += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    dev = args.eval / "incidents" / "acled_dev.jsonl"
    if args.eval_docs and dev.exists():
        with dev.open(encoding="utf-8") as handle:
            docs += [json.loads(line) for _, line in zip(range(args.eval_docs), handle, strict=False)]
    long = [bench_long_docs.document(20, seed=s) for s in range(3)] + \
        [bench_long_docs.long_sentence(8, seed=s) for s in range(3)]
    out = []
    for i, doc in enumerate(docs):
        published = dt.datetime.fromisoformat(doc["published_at"]) if doc.get("published_at") else None
        mentions = code_incidents(doc["text"], article_id=f"d{i}", published_at=published, title=doc.get("title"))
        out.append([_fields(m) for m in mentions])
    for i, text in enumerate(long):
        mentions = code_incidents(text, article_id=f"x{i}", published_at=bench_long_docs.PUBLISHED, title=None)
        out.append([_fields(m) for m in mentions])
    text = json.dumps(out, default=str, sort_keys=True)
    args.out.write_text(text, encoding="utf-8")
    print(len(docs), len(long), sum(len(x) for x in out), hashlib.sha256(text.encode()).hexdigest()[:16])


if __name__ == "__main__":
    main()
