#!/usr/bin/env python3
"""Measure incident merging alone: gold incidents in, `merge_mentions`, predictions out for the scorer.

    python bench/score_dedup.py GOLD.jsonl [--out PRED.jsonl] [--scorer score_incidents.py] [--no-target]
    python bench/score_dedup.py GOLD.jsonl --mentions MENTIONS.jsonl ...   # predicted mentions instead

GOLD: a gold file as in the eval README (documents with hand-coded `incidents` and `cluster` ids).
Each gold incident becomes one Mention (article_id = doc id, outlet = the URL's host, reported_at =
published_at, actor2 = the gold `target` unless --no-target); with --mentions, the mentions are read
instead (one JSON object per line with `Mention`'s fields; article_id must be the gold doc id).
Writes one prediction line per mention (doc_id, incident_id and the mention's own fields), and with
--scorer runs `score_incidents.py GOLD PRED`, whose dedup B-cubed and monthly MAPE isolate merging.
Also prints the merge time and the same scores for two baselines to put them in perspective.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.dedup import merge_mentions  # noqa: E402
from extractors.records import Mention  # noqa: E402


def _outlet(doc: dict) -> str | None:
    host = urlparse(doc.get("url") or "").hostname
    if not host:
        return doc.get("source")
    return host.removeprefix("www.")


def _when(s: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(s).astimezone(dt.UTC) if s else None


def gold_mentions(docs: list[dict], use_target: bool = True) -> list[Mention]:
    """One Mention per gold incident, as a perfect incident coder would emit it."""
    out = []
    for doc in docs:
        for k, g in enumerate(doc.get("incidents", [])):
            out.append(Mention(
                mention_id=f"{doc['id']}#{k}", article_id=doc["id"], outlet=_outlet(doc),
                reported_at=_when(doc.get("published_at")),
                event_type=g["event_type"], sub_event_type=g["sub_event_type"],
                event_date=dt.date.fromisoformat(g["event_date"]) if g.get("event_date") else None,
                date_precision=g.get("date_precision") or "day",
                iso3=g.get("iso3"), admin1=g.get("admin1"), location=g.get("location"),
                latitude=None, longitude=None,
                geo_precision=1 if g.get("location") else 3 if g.get("admin1") else None,
                actor1=g.get("actor1"), actor2=g.get("target") if use_target else None,
                fatalities=g.get("fatalities"), injuries=g.get("injuries"),
                weapons=tuple(g.get("weapons") or ()), munitions=None, role=g.get("role") or "primary",
                evidence=f"incident {k}", evidence_start=k, evidence_end=k + 1,
                confidence=1.0, extractor_version="gold",
            ))
    return out


def read_mentions(path: str) -> list[Mention]:
    """Mentions from JSON lines with `Mention`'s field names (dates and datetimes as ISO strings)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                d["event_date"] = dt.date.fromisoformat(d["event_date"][:10]) if d.get("event_date") else None
                d["reported_at"] = _when(d.get("reported_at"))
                d["weapons"] = tuple(d.get("weapons") or ())
                out.append(Mention(**{f.name: d.get(f.name) for f in dataclasses.fields(Mention)}))
    return out


def predictions(mentions: list[Mention], assign: dict[str, str]) -> list[dict]:
    """Scorer lines: each mention with the incident it was merged into."""
    return [{
        "doc_id": m.article_id, "incident_id": assign[m.mention_id],
        "event_date": m.event_date.isoformat() if m.event_date else None,
        "iso3": m.iso3, "admin1": m.admin1, "location": m.location, "event_type": m.event_type,
        "sub_event_type": m.sub_event_type, "fatalities": m.fatalities, "injuries": m.injuries,
        "actor1": m.actor1, "role": m.role,
    } for m in mentions]


def _score(scorer: str, gold: str, preds: list[dict], out: str | None, label: str) -> None:
    if not (path := out or ""):
        fd, path = tempfile.mkstemp(suffix=".jsonl")
        os.close(fd)
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(p) + "\n" for p in preds)
    res = subprocess.run([sys.executable, scorer, gold, path], capture_output=True, text=True, check=True)
    if not out:
        os.unlink(path)
        path = "(not kept)"
    keep = [ln for ln in res.stdout.splitlines() if ln.startswith(("dedup", "monthly", "detection"))]
    print(f"-- {label}: {path}")
    print("\n".join("   " + ln for ln in keep))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gold")
    ap.add_argument("--mentions", help="predicted mentions (JSON lines) instead of the gold incidents")
    ap.add_argument("--out", help="where to write the predictions (default: a temporary file)")
    ap.add_argument("--scorer", help="path to score_incidents.py: run it on the predictions")
    ap.add_argument("--no-target", action="store_true", help="leave actor2 empty (no gold target)")
    ap.add_argument("--baselines", action="store_true",
                    help="also score two baselines: every mention its own incident, and exact-key merging")
    a = ap.parse_args(argv)
    with open(a.gold, encoding="utf-8") as f:
        docs = [json.loads(line) for line in f if line.strip()]
    mentions = read_mentions(a.mentions) if a.mentions else gold_mentions(docs, not a.no_target)
    t0 = time.perf_counter()
    incidents = merge_mentions(mentions)
    took = time.perf_counter() - t0
    assign = {mid: inc.incident_id for inc in incidents for mid in inc.mention_ids}
    print(f"{len(mentions)} mentions -> {len(incidents)} incidents in {took:.2f} s")
    preds = predictions(mentions, assign)
    if not a.scorer:
        path = a.out or "dedup_predictions.jsonl"
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(p) + "\n" for p in preds)
        print(f"wrote {path}; score with: python score_incidents.py {a.gold} {path}")
        return 0
    _score(a.scorer, a.gold, preds, a.out, "merge_mentions")
    if a.baselines:
        _score(a.scorer, a.gold, predictions(mentions, {m.mention_id: m.mention_id for m in mentions}), None,
               "baseline: every mention its own incident")
        key = {m.mention_id: f"{m.sub_event_type}|{m.iso3}|{m.location}|{m.event_date}" for m in mentions}
        _score(a.scorer, a.gold, predictions(mentions, key), None,
               "baseline: same sub-type, country, location and date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
