"""How the coder reads incident notes that open with a numeric date, measured on ACLED notes.

    python bench/numeric_dates.py [--eval DIR] [--docs N] [--forms mdy_colon,dmy_colon,...]

In: `DIR/incidents/acled_dev.jsonl` (default `../shared/eval`, or `$FLAREWATCH_EVAL_DIR`). Out: one
line per written form: detection P / R / F1 and the share of matched incidents with the exact date,
from the external scorer, on the same N notes (default 800, a fixed shuffle).

Notes that open "On <day> <Month> [<year>], ..." are rewritten, in memory, so that they open with
their gold event date in another common form (`FORMS`; the `_nopub` forms also drop the
publication date, so nothing outside the note decides the day/month order); the rest of each note
is untouched. This measures how well the date reading generalises to formats the development sets
do not contain, without any note text in the repository. When the folder is absent the script
says so and exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import eval_incidents  # noqa: E402  (bench/eval_incidents.py: the same coding path as the gold-set table)
import feed_items  # noqa: E402  (the evaluation folder's default location)

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
OPENING = re.compile(rf"^On (?:\d{{1,2}} (?:{MONTHS})(?: \d{{4}})?|(?:{MONTHS}) \d{{1,2}}(?:,? \d{{4}})?),\s+")
FORMS = {
    "mdy_colon": lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}: ",
    "mdy_colon_nopub": lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}: ",
    "dmy_colon": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}: ",
    "iso_colon": lambda d: f"{d.isoformat()}: ",
    "dmy_dot_on": lambda d: f"On {d.day}.{d.month}.{d.year % 100:02d}, ",
    "mdy_dash_on": lambda d: f"On {d.month}-{d.day}-{d.year % 100:02d}, ",
}


def notes(root: Path, n: int) -> list[tuple[dict, str, dt.date]]:
    """(note, its text after the opening date, its first gold event date) for `n` notes."""
    docs = [json.loads(line) for line in (root / "incidents" / "acled_dev.jsonl").open(encoding="utf-8")]
    random.Random(7).shuffle(docs)
    picked = []
    for doc in docs:
        found = OPENING.match(doc["text"])
        if found and doc["incidents"] and doc["incidents"][0]["event_date"]:
            picked.append((doc, doc["text"][found.end():], dt.date.fromisoformat(doc["incidents"][0]["event_date"])))
        if len(picked) >= n:
            break
    return picked


def score(root: Path, docs: list[dict], tmp: Path, name: str) -> str:
    """Code `docs`, run the external scorer, return one summary line."""
    gold, pred, report = tmp / f"{name}.jsonl", tmp / f"{name}.pred.jsonl", tmp / f"{name}.json"
    gold.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    eval_incidents.code_file(gold, pred)
    subprocess.run([sys.executable, str(root / "score_incidents.py"), str(gold), str(pred), "--json", str(report)],
                   check=True, capture_output=True)
    result = json.loads(report.read_text(encoding="utf-8"))
    det, date = result["detection"], result["fields"]["event_date"]
    return (f"| {name} | {len(docs)} | {det['precision']:.3f} | {det['recall']:.3f} | {det['f1']:.3f} "
            f"| {date['accuracy']:.3f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", help="evaluation folder (default ../shared/eval)")
    parser.add_argument("--docs", type=int, default=800, help="notes to rewrite (default 800)")
    parser.add_argument("--forms", default=",".join(FORMS), help=f"comma-separated, of {', '.join(FORMS)}")
    args = parser.parse_args(argv)
    root = feed_items.eval_dir(args.eval)
    if not (root / "incidents" / "acled_dev.jsonl").is_file():
        print(f"no evaluation folder at {root}: nothing to do")
        return 0
    forms = args.forms.split(",")
    unknown = [f for f in forms if f not in FORMS]
    if unknown:
        parser.error(f"unknown form(s): {', '.join(unknown)}")
    picked = notes(root, args.docs)
    print(f"# {' '.join(sys.argv)} ({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC)")
    print("| form | notes | detection P | R | F1 | dates right (matched) |\n|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        print(score(root, [doc for doc, _, _ in picked], Path(tmp), "original"), flush=True)
        for form in forms:
            docs = []
            for doc, rest, day in picked:
                lead = FORMS[form](day)
                body = rest[:1].upper() + rest[1:] if lead.endswith(": ") else rest
                docs.append(dict(doc, text=lead + body) | ({"published_at": None} if form.endswith("_nopub") else {}))
            print(score(root, docs, Path(tmp), form), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
