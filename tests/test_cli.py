"""Every command answers --help with its own description, and bad input exits 2 with a reason."""

from __future__ import annotations

import json

import pytest

from flows.cli import COMMANDS, build_parser, main


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_explains_itself(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert f"flarewatch {command}" in out
    description = build_parser()._subparsers._group_actions[0].choices[command].description
    assert description and description.split()[0] in out


def test_top_level_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert command in out


def test_extract_reports_a_missing_input_file(tmp_path, capsys):
    code = main(["extract", "--input", str(tmp_path / "absent.jsonl"), "--output", str(tmp_path / "out.jsonl")])
    assert code == 2
    assert "absent.jsonl" in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists()


def test_extract_rejects_a_document_without_id(tmp_path, capsys):
    source = tmp_path / "docs.jsonl"
    source.write_text(json.dumps({"text": "Gunmen killed two people."}) + "\n")
    assert main(["extract", "--input", str(source), "--output", str(tmp_path / "out.jsonl")]) == 2
    assert "no 'id'" in capsys.readouterr().err


def test_sql_reports_a_bad_query(tmp_path, capsys):
    assert main(["sql", "--data", str(tmp_path), "SELECT nonsense FROM nowhere"]) == 2
    assert "nowhere" in capsys.readouterr().err
