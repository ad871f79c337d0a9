"""warehouse.handle.Warehouse: a data root opened once, accepted by the warehouse functions as it
is, and a bad root refused in one line (exit 2 from the CLI, no traceback)."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from flows.cli import main
from warehouse import parquet, paths, state
from warehouse.handle import Warehouse


def test_an_opened_root_is_parsed_once_and_works_as_a_data_root(tmp_path):
    warehouse = Warehouse.open(tmp_path / "data")
    assert paths.open_root(warehouse) is warehouse  # no second parse down the call chain
    assert Warehouse.open(warehouse) is warehouse
    assert os.fspath(warehouse) == str(warehouse) == str((tmp_path / "data").resolve())
    assert not warehouse.exists()
    state.record_run(warehouse, run_id="r1", kind="poll", started_at=dt.datetime(2024, 7, 1, tzinfo=dt.UTC))
    assert warehouse.exists()
    assert parquet.read(str(tmp_path / "data"), "runs")["run_id"].to_pylist() == ["r1"]


@pytest.mark.parametrize(("root", "says"), [
    ("nosuchproto://bucket/x", "Protocol not known: nosuchproto"),
    ("   ", "the data root is empty"),
])
def test_a_bad_root_is_one_clear_error(root, says):
    with pytest.raises(ValueError, match=says):
        Warehouse.open(root)


def test_a_file_is_not_a_data_root(tmp_path):
    not_a_dir = tmp_path / "notes.txt"
    not_a_dir.write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match="is a file, not a directory"):
        Warehouse.open(not_a_dir)


@pytest.mark.parametrize("command", [["status"], ["sql", "SELECT 1"], ["export"], ["compact"]])
def test_the_cli_refuses_a_bad_root_in_one_line(command, capsys):
    assert main([*command[:1], "--data", "nosuchproto://bucket/x", *command[1:]]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "data root nosuchproto://bucket/x" in err
