"""Why matched incidents miss their country: a gazetteer gap or the resolver.

    python bench/country_misses.py [--eval DIR] [--only acled_dev ...] [--list N]

In: the gold sets under `DIR/incidents/` and the external scorer `DIR/score_incidents.py`
(default `../shared/eval` beside the repository, or `$FLAREWATCH_EVAL_DIR`); skips cleanly when
absent. Codes every document as `bench/eval_incidents.py` does and pairs predicted with gold
incidents by the scorer's own matching (`match_doc`). Out, per gold set: matched pairs, pairs
whose predicted iso3 differs from gold (null or another country), split into
- "gazetteer gap": no name of the text has any reading in the gold country in the gazetteer,
  taken or not, so no resolver could give it from the place names (a village no packaged
  gazetteer has, or no place named at all);
- "resolver": some name has a reading in the gold country, and the coder did not take it;
and the iso3 accuracy a perfect resolver would reach with this gazetteer (the gaps stay wrong).
`--list N` prints up to N resolver cases with their text.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from eval_incidents import parse_time, prediction  # noqa: E402

from extractors.incidents import code_incidents  # noqa: E402
from extractors.places import get_gazetteer  # noqa: E402


def load_scorer(path: Path):
    spec = importlib.util.spec_from_file_location("score_incidents", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def misses(gold: Path, scorer, show: int) -> dict:
    """Counts for one gold file: matched, wrong, gap, resolver; prints up to `show` resolver cases."""
    gaz = get_gazetteer()
    counts = {"matched": 0, "wrong": 0, "gap": 0, "resolver": 0}
    for line in gold.open(encoding="utf-8"):
        doc = json.loads(line)
        text = doc.get("text") or ""
        mentions = code_incidents(text, article_id=str(doc["id"]), published_at=parse_time(doc.get("published_at")),
                                  title=doc.get("title"))
        preds = [p for p in map(prediction, mentions) if scorer.is_violent(p)]
        golds = [g for g in doc.get("incidents", []) if scorer.is_violent(g)]
        for p, g in scorer.match_doc(preds, golds):
            counts["matched"] += 1
            if not g.get("iso3") or p.get("iso3") == g["iso3"]:
                continue
            counts["wrong"] += 1
            named = g["iso3"] in gaz.reading_countries(text)
            counts["resolver" if named else "gap"] += 1
            if named and show > 0:
                show -= 1
                print(f"  resolver: {doc['id']} gold {g['iso3']} predicted {p.get('iso3')}: {text[:160]!r}")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = os.environ.get("FLAREWATCH_EVAL_DIR") or str(REPO.parent / "shared" / "eval")
    parser.add_argument("--eval", default=default, help="folder with score_incidents.py and incidents/")
    parser.add_argument("--only", nargs="*", default=["acled_dev"], help="gold set names (file stems)")
    parser.add_argument("--list", type=int, default=0, help="print up to N resolver cases")
    args = parser.parse_args(argv)
    root = Path(args.eval)
    if not (root / "score_incidents.py").exists():
        print(f"no gold sets at {root}: skipped")
        return 0
    scorer = load_scorer(root / "score_incidents.py")
    for name in args.only:
        c = misses(root / "incidents" / f"{name}.jsonl", scorer, args.list)
        n = c["matched"] or 1
        print(f"{name}: {c['matched']} matched, iso3 right {1 - c['wrong'] / n:.3f}; "
              f"{c['wrong']} without the gold country: {c['gap']} gazetteer gap, {c['resolver']} resolver; "
              f"ceiling with this gazetteer {1 - c['gap'] / n:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
