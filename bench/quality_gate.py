"""Quality gate for incident coding: score the project's own fixtures against pinned floors.

    python bench/quality_gate.py              # exit 1 when a score falls below its floor
    python bench/quality_gate.py --update [--margin 0.02]  # raise floors to the scores (never lowers)
    python bench/quality_gate.py --update --allow-lower   # lower a floor on purpose (say why in review)

In: the hand-coded fixtures shipped with the repository, in the gold format of the external eval
sets: `tests/fixtures/coding/*.jsonl` (written for this gate) and `tests/fixtures/demo_gold.jsonl`
(the demo corpus hand coding), each scored as its own set. Out: a table of scores per set, and a
verdict against `bench/quality_baseline.json`. Needs nothing outside the repository; where the
evaluation folder is present (`../shared/eval`, `$FLAREWATCH_EVAL_DIR` or `--eval DIR`), it also
holds floors on the untuned (report) halves of the feed-items set (`bench/feed_items.py`) and
the article-pages set (`bench/pages.py`), the text no rule was fitted to; without the folder
those sets are skipped and it says so.

The demo corpus is also scored over every event type (`score_all_types`, set "demo_gold (all
types)"): the external scorer counts violent incidents only, so a protest typed as a riot or a
sentence read as a second incident of another family would pass it. There each article's counted
incidents (primary and background) are counted per event type and per sub-event type and compared
with the hand coding: the share of articles whose counts agree, and an F1 of the counts.

The scoring follows the external scorer's rules in a few lines: within a document, a predicted
violent incident (Battles, Explosions/Remote violence, Violence against civilians, Disrupted weapons
use) may match a gold one when their countries do not contradict and the dates agree within the
gold precision (day +-1, week +-4, same month, same year); references and aggregates are not
incidents and are left out, as the external scorer does; pairs are taken best first (same event
type, then sub-event type, then exact date). Fields are scored on the matched pairs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from extractors.coding_language import coding_language, coding_status  # noqa: E402
from extractors.incidents import code_incidents  # noqa: E402
from extractors.records import COUNTED_ROLES, Mention  # noqa: E402
from extractors.taxonomy import is_attack  # noqa: E402

BASELINE = REPO / "bench" / "quality_baseline.json"
FIXTURES = REPO / "tests" / "fixtures"
METRICS = ("detection_f1", "doc_f1", "sub_event_type", "event_date", "fatalities", "iso3")
ALL_TYPES = ("articles_event_types", "articles_sub_event_types", "incidents_f1")


def fixture_sets() -> dict[str, Path]:
    """Name -> file of every fixture set the gate scores."""
    sets = {f"coding/{p.stem}": p for p in sorted((FIXTURES / "coding").glob("*.jsonl"))}
    demo = FIXTURES / "demo_gold.jsonl"
    if demo.exists():
        sets["demo_gold"] = demo
    return sets


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _dates_agree(pred: dt.date | None, gold: dt.date | None, precision: str | None) -> bool:
    if pred is None or gold is None:
        return True
    window = {"day": 1, "week": 4}.get(precision or "day")
    if window is not None:
        return abs((pred - gold).days) <= window
    if precision == "month":
        return (pred.year, pred.month) == (gold.year, gold.month)
    return pred.year == gold.year


def _compatible(pred: dict, gold: dict) -> bool:
    if pred["iso3"] and gold.get("iso3") and pred["iso3"] != gold["iso3"]:
        return False
    return _dates_agree(_day(pred["event_date"]), _day(gold.get("event_date")), gold.get("date_precision"))


def _affinity(pred: dict, gold: dict) -> float:
    return (3.0 * (pred["event_type"] == gold.get("event_type"))
            + 2.0 * (pred["sub_event_type"] == gold.get("sub_event_type"))
            + 1.0 * (pred["event_date"] is not None and pred["event_date"] == gold.get("event_date")))


def match(preds: list[dict], golds: list[dict]) -> list[tuple[dict, dict]]:
    """Greedy one-to-one pairing, best affinity first."""
    pairs = sorted(((_affinity(p, g), i, j) for i, p in enumerate(preds) for j, g in enumerate(golds)
                    if _compatible(p, g)), key=lambda t: -t[0])
    used_p: set[int] = set()
    used_g: set[int] = set()
    out = []
    for _, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            out.append((preds[i], golds[j]))
    return out


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else (1.0 if not fp and not fn else 0.0)


def untuned_sets(option: str | None, tmp: Path) -> dict[str, Path]:
    """The report halves of the feed-items and article-pages sets, built from the evaluation folder
    into `tmp` ({} when absent)."""
    sys.path.insert(0, str(REPO / "bench"))
    import feed_items  # bench/feed_items.py: the set is rebuilt from the feeds, never stored with text
    import pages  # bench/pages.py: likewise, from the pages

    root = feed_items.eval_dir(option)
    if not (root / "feeds").is_dir():
        print(f"(no evaluation folder at {root}: the untuned halves are not scored)")
        return {}
    items, articles = tmp / "feed_items_report.jsonl", tmp / "pages_report.jsonl"
    feed_items.build(root, items, "report")
    pages.build(root, articles, "report")
    return {"feed_items/report (untuned)": items, "pages/report (untuned)": articles}


def score_set(path: Path) -> dict[str, float]:
    """Code every document of one gold file and score it (metrics in `METRICS`)."""
    tp = fp = fn = 0
    doc_tp = doc_fp = doc_fn = 0
    fields = {name: [0, 0] for name in ("sub_event_type", "event_date", "fatalities", "iso3")}
    for line in path.open(encoding="utf-8"):
        if not line.strip():
            continue
        doc = json.loads(line)
        mentions = _coded(doc)  # a page in a language without a lexicon is not coded, as in a run
        preds = [{"event_date": m.event_date.isoformat() if m.event_date else None, "iso3": m.iso3,
                  "event_type": m.event_type, "sub_event_type": m.sub_event_type, "fatalities": m.fatalities}
                 for m in mentions if is_attack(m.event_type, m.sub_event_type) and m.role in COUNTED_ROLES]
        golds = [g for g in doc["incidents"] if is_attack(g["event_type"], g["sub_event_type"])]
        pairs = match(preds, golds)
        tp, fp, fn = tp + len(pairs), fp + len(preds) - len(pairs), fn + len(golds) - len(pairs)
        doc_tp += bool(preds) and bool(golds)
        doc_fp += bool(preds) and not golds
        doc_fn += bool(golds) and not preds
        for pred, gold in pairs:
            fields["sub_event_type"][0] += pred["sub_event_type"] == gold["sub_event_type"]
            fields["sub_event_type"][1] += 1
            if gold.get("event_date") and (gold.get("date_precision") or "day") == "day":
                fields["event_date"][0] += pred["event_date"] == gold["event_date"]
                fields["event_date"][1] += 1
            if gold.get("fatalities") is not None:
                fields["fatalities"][0] += pred["fatalities"] == gold["fatalities"]
                fields["fatalities"][1] += 1
            if gold.get("iso3"):
                fields["iso3"][0] += pred["iso3"] == gold["iso3"]
                fields["iso3"][1] += 1
    scores = {"detection_f1": _f1(tp, fp, fn), "doc_f1": _f1(doc_tp, doc_fp, doc_fn)}
    scores.update({name: (right / total if total else 1.0) for name, (right, total) in fields.items()})
    return {name: round(value, 4) for name, value in scores.items()}


def _coded(doc: dict) -> tuple[Mention, ...]:
    """The mentions of one gold document, coded as a run codes it (a language without a lexicon: none)."""
    declared = doc.get("language")
    if declared and coding_status(coding_language(doc["text"], declared)) != "coded":
        return ()
    return code_incidents(doc["text"], article_id=doc["id"], published_at=_time(doc.get("published_at")),
                          title=doc.get("title"))


def score_all_types(path: Path) -> dict[str, float]:
    """Every event type of one gold file, per document: the share of documents whose counted
    incidents have the gold's count per event type (`articles_event_types`) and per sub-event type
    (`articles_sub_event_types`), and the F1 of the counts per (document, sub-event type)
    (`incidents_f1`: each pair matches min(predicted, gold) incidents)."""
    docs = same_types = same_subs = tp = fp = fn = 0
    for line in path.open(encoding="utf-8"):
        if not line.strip():
            continue
        doc = json.loads(line)
        counted = [m for m in _coded(doc) if m.role in COUNTED_ROLES]
        golds = doc["incidents"]
        types = Counter(m.event_type for m in counted), Counter(g["event_type"] for g in golds)
        subs = Counter(m.sub_event_type for m in counted), Counter(g["sub_event_type"] for g in golds)
        docs += 1
        same_types += types[0] == types[1]
        same_subs += subs[0] == subs[1]
        matched = sum((subs[0] & subs[1]).values())
        tp, fp, fn = tp + matched, fp + subs[0].total() - matched, fn + subs[1].total() - matched
    scores = {"articles_event_types": same_types / docs if docs else 1.0,
              "articles_sub_event_types": same_subs / docs if docs else 1.0, "incidents_f1": _f1(tp, fp, fn)}
    return {name: round(value, 4) for name, value in scores.items()}


def check(scores: dict[str, dict[str, float]], floors: dict[str, dict[str, float]]) -> list[str]:
    """The failures: every metric below its pinned floor (a set or metric without a floor passes)."""
    failures = []
    for name, metrics in scores.items():
        for metric, value in metrics.items():
            floor = floors.get(name, {}).get(metric)
            if floor is not None and value < floor:
                failures.append(f"{name}: {metric} {value:.4f} < floor {floor:.4f}")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true", help="raise the floors to the current scores")
    parser.add_argument("--allow-lower", action="store_true", help="with --update, also lower floors")
    parser.add_argument("--margin", type=float, default=0.0,
                        help="with --update, pin floors this far below the current scores (slack for data edits)")
    parser.add_argument("--eval", help="evaluation folder (default ../shared/eval); absent = fixtures only")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        sets = fixture_sets() | untuned_sets(args.eval, Path(tmp))
        scores = {name: score_set(path) for name, path in sets.items()}
    print("| set | " + " | ".join(METRICS) + " |")
    print("|---|" + "---|" * len(METRICS))
    for name, metrics in scores.items():
        print(f"| {name} | " + " | ".join(f"{metrics[m]:.3f}" for m in METRICS) + " |")
    if "demo_gold" in sets:
        scores["demo_gold (all types)"] = all_types = score_all_types(sets["demo_gold"])
        print("\n| set | " + " | ".join(ALL_TYPES) + " |")
        print("|---|" + "---|" * len(ALL_TYPES))
        print("| demo_gold (all types) | " + " | ".join(f"{all_types[m]:.3f}" for m in ALL_TYPES) + " |")
    floors = json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}
    if args.update:
        for name, metrics in scores.items():
            pinned = floors.setdefault(name, {})
            for metric, value in metrics.items():
                floor = round(max(0.0, value - args.margin), 4)
                if metric not in pinned or floor > pinned[metric] or args.allow_lower:
                    pinned[metric] = floor
        BASELINE.write_text(json.dumps(floors, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"floors written to {BASELINE.relative_to(REPO)}")
    failures = check(scores, floors)
    for failure in failures:
        print("FAIL", failure)
    if not failures:
        print("quality gate passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
