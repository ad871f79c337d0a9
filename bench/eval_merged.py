"""Cross-outlet merging measured end to end: `flarewatch extract` (code, then merge across the
whole input) over a gold set, scored by the external scorer's dedup and monthly figures.

    .venv/bin/python bench/eval_merged.py [--eval ../shared/eval] [--sets rss_2023_11_12 ...]

In: the gold sets under `<eval>/incidents/` (skips cleanly when the folder is absent).
Out: for each set, the scorer's detection, dedup B-cubed and monthly-count lines on stdout.
Unlike `bench/eval_incidents.py`, mentions here carry the merged `incident_id`, so B-cubed and
the monthly count error (MAPE) measure what the warehouse would count.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from flows.extract import extract_file

FIELDS = ("id", "text", "url", "title", "published_at")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "eval")
    parser.add_argument("--sets", nargs="+", default=["rss_2023_11_12", "wikievents", "seed_article"])
    args = parser.parse_args()
    scorer = args.eval / "score_incidents.py"
    if not scorer.exists():
        print(f"skipped: no scorer at {scorer}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets:
            gold = args.eval / "incidents" / f"{name}.jsonl"
            docs, out = Path(tmp) / f"{name}.in.jsonl", Path(tmp) / f"{name}.out.jsonl"
            with gold.open(encoding="utf-8") as source, docs.open("w", encoding="utf-8") as target:
                for line in source:
                    doc = json.loads(line)
                    target.write(json.dumps({k: doc.get(k) for k in FIELDS}) + "\n")
            extract_file(docs, out)
            report = subprocess.run([sys.executable, str(scorer), str(gold), str(out)],
                                    capture_output=True, text=True, check=True).stdout
            keep = [line for line in report.splitlines() if line.startswith(("detection", "dedup", "monthly"))]
            print(f"== {name}\n" + "\n".join(keep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
