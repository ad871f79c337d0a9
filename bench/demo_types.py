"""How well demonstrations are typed: the external scorer counts only violent incidents, so
protests and riots are measured here.

    python bench/demo_types.py [--eval DIR] [--set acled_dev] [--confusions N]

In: a gold set under `DIR/incidents/` (default `../shared/eval`, or `$FLAREWATCH_EVAL_DIR`);
skips cleanly when absent. Takes the documents with exactly one gold incident whose event type
is Protests or Riots, codes each, and compares the first mention's sub-event type with the gold
one (no mention counts as wrong). Out: right / total, and the most frequent (gold, predicted)
confusions.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from eval_incidents import parse_time  # noqa: E402

from extractors.incidents import code_incidents  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = os.environ.get("FLAREWATCH_EVAL_DIR") or str(REPO.parent / "shared" / "eval")
    parser.add_argument("--eval", default=default, help="folder with incidents/")
    parser.add_argument("--set", default="acled_dev", help="gold set name (file stem)")
    parser.add_argument("--confusions", type=int, default=8, help="how many confusions to print")
    args = parser.parse_args(argv)
    gold = Path(args.eval) / "incidents" / f"{args.set}.jsonl"
    if not gold.exists():
        print(f"no gold set at {gold}: skipped")
        return 0
    right, total, confusions = 0, 0, Counter()
    for line in gold.open(encoding="utf-8"):
        doc = json.loads(line)
        incidents = doc.get("incidents", [])
        if len(incidents) != 1 or incidents[0]["event_type"] not in ("Protests", "Riots"):
            continue
        mentions = code_incidents(doc.get("text") or "", article_id=str(doc["id"]),
                                  published_at=parse_time(doc.get("published_at")), title=doc.get("title"))
        want, got = incidents[0]["sub_event_type"], mentions[0].sub_event_type if mentions else None
        total += 1
        if got == want:
            right += 1
        else:
            confusions[(want, got)] += 1
    print(f"{args.set}: demonstrations typed right {right} of {total} ({right / max(total, 1):.3f})")
    for (want, got), n in confusions.most_common(args.confusions):
        print(f"  {n:4d}  gold {want!r} -> coded {got!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
