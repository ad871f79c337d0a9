"""Detection rates of the coder on its self-written challenge sets (headlines, non-events, references, reports).

    python bench/challenge_sets.py                 # both sets, TUNE and HELD, one line each
    python bench/challenge_sets.py --half tune     # TUNE files only (while tuning: HELD is not looked at)
    python bench/challenge_sets.py --misses tune   # also list the documents scored wrong (TUNE only)

In: `tests/fixtures/coding/challenge/{headlines,nonevents,references,reports}_{tune,held}.jsonl`, written in this
project's own words (never taken from the evaluation sets): one document a line with `id`,
`published_at`, `title`, `text` and `expect` ("incident": a wire-style headline that reports a
violent act; "none": a headline and summary that report no incident: reaction, politics, trials,
anniversaries, tallies, sport, business, health, films and games, metaphor, accidents, threats).
`references` are feed items (title + summary) of pieces whose news is not an act but names one as
its topic, cause or backdrop (GUIDE rule 9: reaction, politics, trials, inquiries, memorials,
policy, explainers, markets, cancelled events, opinion, obituaries, reviews, tallies); `reports`
is their matched set of feed items that report a new act (wire, present and past tense), so that
precision is never bought with recall.
Out: per file, the share of documents scored right: for "incident", at least one counted mention
(role primary or background) of any type; for "none", no counted mention of political violence or a
disrupted attack (the types the external scorer counts: Battles, Explosions/Remote violence,
Violence against civilians, Disrupted weapons use). For "none" the share with no counted mention of
any type (an arrest, an agreement, a demonstration) is printed beside it.

The split was fixed before the first score was taken: the n-th line of each set (1-based, in the
order written) is HELD when n is a multiple of 3, else TUNE. Rules are tuned on TUNE only; HELD is
reported untouched. `--misses` lists only TUNE files' misses, so HELD's texts are never read back.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from extractors.incidents import code_incidents  # noqa: E402
from extractors.records import COUNTED_ROLES  # noqa: E402

CHALLENGE = REPO / "tests" / "fixtures" / "coding" / "challenge"
SETS = ("headlines", "nonevents", "references", "reports")


def load(path: Path) -> list[dict]:
    """The documents of one challenge file."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


# what each set's documents expect (every document of a set carries the same `expect`)
EXPECT = {"headlines": "incident", "nonevents": "none", "references": "none", "reports": "incident"}

VIOLENT = frozenset(("Battles", "Explosions/Remote violence", "Violence against civilians"))


def violent(mention: object) -> bool:
    """Whether a mention is of a type the external scorer counts as an incident."""
    return mention.event_type in VIOLENT or mention.sub_event_type == "Disrupted weapons use"


def verdict(doc: dict) -> tuple[bool, bool, list[str]]:
    """(right?, no counted mention at all?, "role type why" of each counted mention) for one document."""
    published = dt.datetime.fromisoformat(doc["published_at"]) if doc.get("published_at") else None
    mentions = code_incidents(doc["text"], article_id=doc["id"], published_at=published, title=doc.get("title"))
    counted = [m for m in mentions if m.role in COUNTED_ROLES]
    shown = [f"{m.role} {m.sub_event_type} {','.join(m.why)}" for m in counted]
    right = bool(counted) if doc["expect"] == "incident" else not any(violent(m) for m in counted)
    return right, not counted, shown


def score(path: Path) -> tuple[int, int, int, list[tuple[dict, list[str]]]]:
    """(right, with no counted mention, total, [(document, its counted mentions) scored wrong]) for one file."""
    docs = load(path)
    misses, empty = [], 0
    for doc in docs:
        right, none, shown = verdict(doc)
        empty += none
        if not right:
            misses.append((doc, shown))
    return len(docs) - len(misses), empty, len(docs), misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", choices=("tune",), help="list the TUNE documents scored wrong")
    parser.add_argument("--half", choices=("tune", "held", "both"), default="both", help="which files to score")
    args = parser.parse_args(argv)
    for name in SETS:
        for half in ("tune", "held") if args.half == "both" else (args.half,):
            path = CHALLENGE / f"{name}_{half}.jsonl"
            if not path.exists():
                print(f"missing challenge file: {path}", file=sys.stderr)
                return 2
            right, empty, total, misses = score(path)
            what = "detected" if EXPECT[name] == "incident" else \
                f"free of violent incidents ({empty}/{total} {empty / total:.3f} free of any counted mention)"
            print(f"{name:<10} {half:<5} {right:>3}/{total:<3} {right / total:.3f} {what}")
            if args.misses == half:
                for doc, shown in misses:
                    print(f"    MISS {doc['id']}: {doc['text'].splitlines()[0]}")
                    for line in shown:
                        print(f"         -> {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
