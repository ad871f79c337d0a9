"""Score the incident coder on the external gold sets and write the table into QUALITY.md.

    python bench/eval_incidents.py [--eval DIR] [--only NAME ...] [--show-errors N] [--no-write]

In: `DIR` (default `../shared/eval` beside the repository, or `$FLAREWATCH_EVAL_DIR`), holding
`score_incidents.py` and `incidents/*.jsonl` gold sets. Out: one prediction file per gold set
under a temporary directory, the scorer's report for each, and (unless `--no-write`) the table
in `QUALITY.md` between the `eval-incidents` markers, with the date, machine and command.
When the folder is absent the script says so and exits 0: the gold sets are not part of a clone.

Predictions are the coder's mentions as they are (`incident_id` = `mention_id`): this measures
coding, not cross-document merging.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from extractors.incidents import code_incidents  # noqa: E402
from extractors.records import Mention  # noqa: E402

QUALITY = REPO / "QUALITY.md"
BEGIN, END = "<!-- eval-incidents:begin -->", "<!-- eval-incidents:end -->"
FIELDS = ("event_type", "sub_event_type", "event_date", "event_date_within_1", "iso3", "admin1", "fatalities")


def parse_time(value: str | None) -> dt.datetime | None:
    """ISO-8601 to aware UTC (naive is taken as UTC)."""
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def prediction(m: Mention) -> dict:
    """One mention in the scorer's prediction format."""
    return {
        "doc_id": m.article_id, "incident_id": m.mention_id,
        "event_date": m.event_date.isoformat() if m.event_date else None, "date_precision": m.date_precision,
        "iso3": m.iso3, "admin1": m.admin1, "location": m.location,
        "event_type": m.event_type, "sub_event_type": m.sub_event_type,
        "fatalities": m.fatalities, "injuries": m.injuries, "actor1": m.actor1, "actor2": m.actor2,
        "role": m.role, "confidence": m.confidence, "evidence": m.evidence,
    }


def code_file(gold: Path, out: Path) -> tuple[int, float]:
    """Code every document of a gold file into `out`; returns (documents, seconds)."""
    docs = [json.loads(line) for line in gold.open(encoding="utf-8") if line.strip()]
    started = time.perf_counter()
    with out.open("w", encoding="utf-8") as handle:
        for doc in docs:
            for m in code_incidents(doc.get("text") or "", article_id=str(doc["id"]),
                                    published_at=parse_time(doc.get("published_at")), title=doc.get("title")):
                handle.write(json.dumps(prediction(m), ensure_ascii=False) + "\n")
    return len(docs), time.perf_counter() - started


def score(scorer: Path, gold: Path, pred: Path, show_errors: int) -> dict:
    """Run the external scorer and return its JSON report (its text report goes to stdout)."""
    report = pred.with_suffix(".report.json")
    command = [sys.executable, str(scorer), str(gold), str(pred), "--json", str(report)]
    if show_errors:
        command += ["--show-errors", str(show_errors)]
    subprocess.run(command, check=True)
    return json.loads(report.read_text(encoding="utf-8"))


def table(rows: list[tuple[str, dict]]) -> str:
    """Markdown table: one row per gold set, detection and the field accuracies."""
    head = "| gold set | docs | detection P | R | F1 | doc F1 | " + " | ".join(FIELDS) + " |"
    lines = [head, "|" + "---|" * (6 + len(FIELDS))]
    for name, rep in rows:
        d, doc = rep["detection"], rep["doc_attack"]
        fields = [rep["fields"].get(f, {}).get("accuracy") for f in FIELDS]
        cells = [f"{v:.3f}" if v is not None else "-" for v in fields]
        lines.append(f"| {name} | {rep['documents']} | {d['precision']:.3f} | {d['recall']:.3f} | {d['f1']:.3f} | "
                     f"{doc['f1']:.3f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_quality(text: str) -> None:
    """Replace the block between the markers in QUALITY.md (appended when missing)."""
    current = QUALITY.read_text(encoding="utf-8") if QUALITY.exists() else "# Quality\n"
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in current and END in current:
        current = current[:current.index(BEGIN)] + block + current[current.index(END) + len(END):]
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    QUALITY.write_text(current, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = os.environ.get("FLAREWATCH_EVAL_DIR") or str(REPO.parent / "shared" / "eval")
    parser.add_argument("--eval", default=default, help="folder with score_incidents.py and incidents/")
    parser.add_argument("--only", nargs="*", help="gold set names (file stems) to run")
    parser.add_argument("--show-errors", type=int, default=0)
    parser.add_argument("--no-write", action="store_true", help="do not touch QUALITY.md")
    parser.add_argument("--keep", help="keep prediction files in this folder")
    args = parser.parse_args(argv)
    root = Path(args.eval)
    scorer, gold_dir = root / "score_incidents.py", root / "incidents"
    if not scorer.exists() or not gold_dir.is_dir():
        print(f"no gold sets at {root}: skipped")
        return 0
    golds = sorted(p for p in gold_dir.glob("*.jsonl") if not args.only or p.stem in args.only)
    rows: list[tuple[str, dict]] = []
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = Path(args.keep) if args.keep else Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        for gold in golds:
            pred = out_dir / f"{gold.stem}.pred.jsonl"
            n, seconds = code_file(gold, pred)
            print(f"== {gold.stem}: {n} documents coded in {seconds:.1f} s")
            rows.append((gold.stem, score(scorer, gold, pred, args.show_errors)))
    result = table(rows)
    print(result)
    if not args.no_write and not args.only:
        command = "python bench/eval_incidents.py" + (f" --eval {args.eval}" if args.eval != default else "")
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        write_quality(f"Measured {stamp} on {machine} with `{command}` (mentions scored as coded, "
                      f"no cross-document merging; speed is measured by bench/bench_coding.py).\n\n{result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
