"""How far two hand annotations of a development set agree: the ceiling any coder's score on it has.

    python bench/agreement.py [--set feed_items|pages] [--eval DIR] [--half report|tune|all]
                              [--second DIR] [--coder]

In: the set's real text in the evaluation folder (default `../shared/eval`: `feeds/` for the feed
items, `extraction/html/` and `articles/` for the pages), its first annotation
(`bench/gold/SET/*.jsonl`) and a second one made independently of it and of the coder's output
(`--second`, default `bench/gold/SET/second/`), both in the gold format of `DIR/README.md`.
Out: the external scorer's report (`DIR/score_incidents.py`) of the second annotation read as
predictions against the first (detection P / R / F1 is then the two annotators' agreement, and P
and R swap when the roles do), over the documents both annotated; with `--coder`, also the coder's
score against the second annotation, to set beside its score against the first (`bench/SET.py
score`). When the folder is absent the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import feed_items, pages  # noqa: E402 - the repository root is put on the path first

SETS = {"feed_items": (feed_items.build, "feeds"), "pages": (pages.build, "extraction/html")}
"""Set name -> (its gold builder, the evaluation folder's subfolder it needs)."""
FIELDS = ("event_date", "iso3", "admin1", "location", "event_type", "sub_event_type", "fatalities",
          "injuries", "actor1", "role")


def as_predictions(gold: Path, out: Path) -> int:
    """Write a gold set's incidents as the scorer's prediction lines (the incident id is the gold
    incident's cluster, which names one real-world incident across documents, else its own place
    in its document); returns the number of lines."""
    lines = 0
    with out.open("w", encoding="utf-8") as sink:
        for row in gold.read_text(encoding="utf-8").splitlines():
            doc = json.loads(row)
            for n, incident in enumerate(doc["incidents"]):
                line = {"doc_id": doc["id"], "incident_id": incident.get("cluster") or f"{doc['id']}:{n}"}
                line |= {k: incident.get(k) for k in FIELDS}
                sink.write(json.dumps(line, ensure_ascii=False) + "\n")
                lines += 1
    return lines


def common(first: Path, second: Path) -> None:
    """Keep in each gold file only the documents the other one holds too."""
    docs = [{json.loads(r)["id"]: r for r in p.read_text(encoding="utf-8").splitlines()} for p in (first, second)]
    both = docs[0].keys() & docs[1].keys()
    for path, rows in zip((first, second), docs, strict=True):
        path.write_text("".join(rows[i] + "\n" for i in sorted(both)), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--set", choices=sorted(SETS), default="feed_items",
                        help="development set (default feed_items)")
    parser.add_argument("--eval", help="evaluation folder (default ../shared/eval)")
    parser.add_argument("--half", choices=("tune", "report", "all"), default="report")
    parser.add_argument("--second", type=Path, help="folder of the second annotation (default bench/gold/SET/second)")
    parser.add_argument("--coder", action="store_true", help="also score the coder against the second annotation")
    args = parser.parse_args(argv)
    build, needs = SETS[args.set]
    second_dir = args.second or feed_items.GOLD_DIR.parent / args.set / "second"
    root = feed_items.eval_dir(args.eval)
    if not (root / needs).is_dir():
        print(f"no evaluation folder at {root}: nothing to do")
        return 0
    if not any(second_dir.glob("*.jsonl")):
        parser.error(f"no second annotation (*.jsonl) in {second_dir}")
    with tempfile.TemporaryDirectory() as tmp:
        first, second, pred = Path(tmp) / "first.jsonl", Path(tmp) / "second.jsonl", Path(tmp) / "pred.jsonl"
        build(root, first, args.half)
        build(root, second, args.half, folder=second_dir)
        common(first, second)
        print(f"{args.set}, {args.half} half: {sum(1 for _ in first.open())} documents annotated twice, "
              f"{as_predictions(second, pred)} incidents in the second annotation")
        print("second annotation scored against the first (agreement):", flush=True)
        status = subprocess.run([sys.executable, str(root / "score_incidents.py"), str(first), str(pred)],
                                check=False).returncode
        if args.coder:
            label = "coder against the second annotation"
            status |= feed_items.score_built(root, lambda out: _copy(second, out), label)
    return status


def _copy(source: Path, out: Path) -> int:
    out.write_bytes(source.read_bytes())
    return sum(1 for _ in source.open())


if __name__ == "__main__":
    sys.exit(main())
