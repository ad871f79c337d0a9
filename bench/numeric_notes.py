"""How the coder reads incident-database notes that open with a numeric date, on a set written for it.

    python bench/numeric_notes.py                  # TUNE and HELD: detection P / R / F1, dates right
    python bench/numeric_notes.py --half tune      # TUNE only (while tuning: HELD is not looked at)
    python bench/numeric_notes.py --misses tune    # also list the TUNE notes scored wrong

In: `tests/fixtures/coding/notes_numeric_{tune,held}.jsonl`, short notes in the style of incident
databases ("<numeric date>: <who did what where>. <toll>. <claim or attribution>."), written in this
project's own words, in the gold format of `../shared/eval/GUIDE.md`. Out: per half, the external
scorer's detection precision / recall / F1 and the share of matched incidents with the exact day
("dates right"; a day more than one off is no match, so "exact day (all gold)" also gives the share
of all gold incidents found with their exact day): `../shared/eval/score_incidents.py` is run on the
predictions, so the matching is the external one. `--published` also scores the same notes with
their publication time rewritten in memory (`none`: dropped; `+N` / `-N`: N days after / before the
first gold day), since a note from a database may come with no publication time, an export date
long after the incident, or a stamp earlier than the day it records. Without the evaluation folder
the scorer is absent: the script says so and exits 0.

The split was fixed before the first score: the n-th note as written (the number in its id) is
HELD when n is a multiple of 3, else TUNE. `--misses` lists TUNE only, so HELD is never read back.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import itertools
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import eval_incidents  # noqa: E402  (bench/eval_incidents.py: the same coding path as the gold-set table)
import feed_items  # noqa: E402  (the evaluation folder's default location)

FIXTURES = REPO / "tests" / "fixtures" / "coding"


def scorer_module(root: Path) -> object:
    """The external scorer imported as a module (for the per-note listing of `--misses`)."""
    spec = importlib.util.spec_from_file_location("score_incidents", root / "score_incidents.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def misses(scorer: object, gold: Path, pred: Path) -> list[str]:
    """One line per note with a missed, extra or wrongly dated incident."""
    docs = scorer.load_jsonl(str(gold))  # type: ignore[attr-defined]
    preds: dict[str, list[dict]] = {}
    for p in scorer.load_jsonl(str(pred)):  # type: ignore[attr-defined]
        if p.get("role") not in scorer.UNCOUNTED_ROLES:  # type: ignore[attr-defined]
            preds.setdefault(p["doc_id"], []).append(p)
    lines = []
    for doc in docs:
        golds = [g for g in doc["incidents"] if scorer.is_violent(g)]  # type: ignore[attr-defined]
        mine = [p for p in preds.get(doc["id"], []) if scorer.is_violent(p)]  # type: ignore[attr-defined]
        pairs = scorer.match_doc(mine, golds)  # type: ignore[attr-defined]
        wrong_day = [(p["event_date"], g["event_date"]) for p, g in pairs if p["event_date"] != g["event_date"]]
        if len(pairs) < len(golds) or len(pairs) < len(mine) or wrong_day:
            shown = "; ".join(f"{p['event_date']} {p['iso3']} {p['sub_event_type']}" for p in mine) or "nothing"
            lines.append(f"    MISS {doc['id']} gold {len(golds)} pred {len(mine)} matched {len(pairs)}"
                         f" dates(pred, gold) {wrong_day}\n         {doc['text'][:160]}\n         -> {shown}")
    return lines


def rewrite(source: Path, target: Path, variant: str) -> None:
    """Copy a half with its publication times as `variant` says (see the module doc)."""
    with source.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as out:
        for line in filter(str.strip, src):
            doc = json.loads(line)
            days = [g["event_date"] for g in doc["incidents"] if g.get("event_date")]
            if variant == "none":
                doc["published_at"] = None
            elif variant != "as-written":
                base = dt.date.fromisoformat(days[0]) if days else \
                    dt.date.fromisoformat(doc["text"][:10]) if doc["text"][4:5] == "-" else None
                stamp = base + dt.timedelta(days=int(variant)) if base else None
                doc["published_at"] = f"{stamp.isoformat()}T12:00:00+00:00" if stamp else doc["published_at"]
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", help="evaluation folder (default ../shared/eval)")
    parser.add_argument("--half", choices=("tune", "held", "both"), default="both", help="which half to score")
    parser.add_argument("--misses", choices=("tune",), help="list the TUNE notes scored wrong")
    parser.add_argument("--published", default="as-written",
                        help="comma-separated publication variants: as-written, none, +N, -N (days from the gold day)")
    args = parser.parse_args(argv)
    root = feed_items.eval_dir(args.eval)
    if not (root / "score_incidents.py").is_file():
        print(f"no evaluation folder at {root}: the external scorer is absent, nothing to do")
        return 0
    print("| half | published | notes | incidents | detection P | R | F1 | dates right (matched) "
          "| exact day (all gold) |")
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for half, variant in itertools.product(("tune", "held") if args.half == "both" else (args.half,),
                                               args.published.split(",")):
            gold, pred = Path(tmp) / f"{half}{variant}.jsonl", Path(tmp) / f"{half}{variant}.pred.jsonl"
            rewrite(FIXTURES / f"notes_numeric_{half}.jsonl", gold, variant)
            eval_incidents.code_file(gold, pred)
            out = Path(tmp) / f"{half}.report.json"
            subprocess.run([sys.executable, str(root / "score_incidents.py"), str(gold), str(pred), "--json", str(out)],
                           check=True, capture_output=True)
            report = json.loads(out.read_text(encoding="utf-8"))
            det, date = report["detection"], report["fields"].get("event_date") or {"accuracy": 0.0, "n": 0}
            incidents = det["tp"] + det["fn"]
            exact = round((date["accuracy"] or 0.0) * date["n"])
            print(f"| {half} | {variant} | {report['documents']} | {incidents} | {det['precision']:.3f} "
                  f"| {det['recall']:.3f} | {det['f1']:.3f} | {date['accuracy'] or 0:.3f} ({date['n']}) "
                  f"| {exact / max(incidents, 1):.3f} |", flush=True)
            if args.misses == half:
                print("\n".join(misses(scorer_module(root), gold, pred)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
