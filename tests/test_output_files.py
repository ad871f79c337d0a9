"""Files a user asks for (exports, reports, SQL results, `extract`'s mentions): whole or not at all."""

from __future__ import annotations

import os

import pytest

from flows import output


def test_save_file_replaces_the_file_and_leaves_nothing_beside_it(tmp_path):
    target = tmp_path / "out" / "report.html"
    output.save_file(target, b"first")
    output.save_file(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]


def test_a_failed_save_keeps_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "export.csv"
    output.save_file(target, b"old")

    def refuse(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        output.save_file(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]


def test_extract_writes_its_mentions_through_save_file(tmp_path, monkeypatch):
    from flows import extract

    source = tmp_path / "docs.jsonl"
    source.write_text('{"id": "d1", "text": "Gunmen killed five villagers in an attack on Monday."}\n',
                      encoding="utf-8")
    saved = []
    monkeypatch.setattr(output, "save_file", lambda target, data: saved.append((target, data)))
    extract.extract_file(source, tmp_path / "mentions.jsonl")
    assert [t.name for t, _ in saved] == ["mentions.jsonl"]
    assert b'"doc_id": "d1"' in saved[0][1]
