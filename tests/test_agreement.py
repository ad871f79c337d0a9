"""bench/agreement.py: a second annotation read as the scorer's predictions, over shared documents."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parent.parent / "bench" / "agreement.py"
_SPEC = importlib.util.spec_from_file_location("flarewatch_bench_agreement", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
agreement = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = agreement
_SPEC.loader.exec_module(agreement)

CLASH = {"event_date": "2025-03-02", "date_precision": "day", "iso3": "SDN", "admin1": "Khartoum",
         "location": "Omdurman", "event_type": "Battles", "sub_event_type": "Armed clash", "fatalities": 4,
         "injuries": None, "actor1": "Rapid Support Forces", "target": None, "weapons": [], "role": "primary"}


def write(path: Path, docs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def test_each_gold_incident_becomes_one_prediction_named_by_its_cluster(tmp_path: Path) -> None:
    gold = write(tmp_path / "g.jsonl", [
        {"id": "a", "incidents": [CLASH | {"cluster": "c1"}, CLASH | {"location": "Bahri"}]},
        {"id": "b", "incidents": [CLASH | {"cluster": "c1"}]},
        {"id": "c", "incidents": []},
    ])
    out = tmp_path / "p.jsonl"
    assert agreement.as_predictions(gold, out) == 3
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(x["doc_id"], x["incident_id"]) for x in lines] == [("a", "c1"), ("a", "a:1"), ("b", "c1")]
    assert lines[1]["location"] == "Bahri" and lines[0]["fatalities"] == 4 and lines[0]["role"] == "primary"
    assert "weapons" not in lines[0]  # the scorer's prediction fields only


def test_only_documents_both_annotations_hold_are_compared(tmp_path: Path) -> None:
    first = write(tmp_path / "1.jsonl", [{"id": i, "incidents": []} for i in ("x", "y", "z")])
    second = write(tmp_path / "2.jsonl", [{"id": i, "incidents": []} for i in ("z", "w", "x")])
    agreement.common(first, second)
    for path in (first, second):
        assert [json.loads(x)["id"] for x in path.read_text().splitlines()] == ["x", "z"]
