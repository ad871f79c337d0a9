"""warehouse.handle.Warehouse: a data root opened once, accepted by the warehouse functions as it
is, and a bad root refused in one line (exit 2 from the CLI, no traceback)."""

from __future__ import annotations

import datetime as dt
import os
import pickle

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


@pytest.mark.parametrize("command", [["status"], ["sql", "SELECT 1"], ["export"], ["compact"], ["run"],
                                     ["report", "--html", "page.html"]])
def test_the_cli_refuses_a_bad_root_in_one_line(command, capsys):
    assert main([*command[:1], "--data", "nosuchproto://bucket/x", *command[1:]]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "data root nosuchproto://bucket/x" in err


def test_a_handle_travels_as_its_url_and_is_opened_again(tmp_path):
    """What a coding process or a Dask worker receives: the handle pickled as its url (no
    file-system object), opened again on arrival."""
    local = Warehouse.open(tmp_path / "data")
    back = pickle.loads(pickle.dumps(local))
    assert isinstance(back, Warehouse) and back == local
    pytest.importorskip("s3fs")
    remote = Warehouse.open("s3://bucket/prefix")
    assert b"S3FileSystem" not in pickle.dumps(remote)
    back = pickle.loads(pickle.dumps(remote))
    assert isinstance(back, Warehouse) and (back.url, back.base) == ("s3://bucket/prefix", "bucket/prefix")


def test_a_tasks_cache_key_is_its_roots_whatever_the_handle(tmp_path):
    """Prefect's input cache policy (part of its default) hashes a task's arguments: two handles
    opened on one root give one key, another root another key; an s3 handle hashes too."""
    from prefect.cache_policies import INPUTS

    def key(root: object) -> str | None:
        return INPUTS.compute_key(task_ctx=None, inputs={"warehouse": root, "n": 1}, flow_parameters={})

    assert key(Warehouse.open(tmp_path / "a")) == key(Warehouse.open(tmp_path / "a")) is not None
    assert key(Warehouse.open(tmp_path / "a")) != key(Warehouse.open(tmp_path / "b"))
    pytest.importorskip("s3fs")
    assert key(Warehouse.open("s3://bucket/a")) == key(Warehouse.open("s3://bucket/a")) is not None
    assert key(Warehouse.open("s3://bucket/a")) != key(Warehouse.open("s3://bucket/b"))


def test_a_task_given_the_handle_is_served_from_its_persisted_cache(prefect_harness, tmp_path):
    """A real flow run: a task with a cache policy and persisted results, called with a handle
    opened afresh each time, runs once per root; the second call on a root is a cache hit."""
    from prefect import flow, task
    from prefect.cache_policies import INPUTS
    from prefect.settings import PREFECT_LOCAL_STORAGE_PATH, temporary_settings

    ran: list[str] = []

    @task(cache_policy=INPUTS, persist_result=True)
    def runs_stored(warehouse: Warehouse) -> int:
        ran.append(warehouse.url)
        return parquet.read(warehouse, "runs").num_rows

    @flow
    def three_calls(a: str, b: str) -> list[int]:
        return [runs_stored(Warehouse.open(a)), runs_stored(Warehouse.open(a)), runs_stored(Warehouse.open(b))]

    a, b = tmp_path / "a", tmp_path / "b"
    state.record_run(Warehouse.open(a), run_id="r1", kind="poll", started_at=dt.datetime(2024, 7, 1, tzinfo=dt.UTC))
    with temporary_settings({PREFECT_LOCAL_STORAGE_PATH: tmp_path / "results"}):
        assert three_calls(str(a), str(b)) == [1, 1, 0]
    assert ran == [str(a.resolve()), str(b.resolve())]


def test_a_report_page_replaces_the_last_whole_and_a_failed_rename_keeps_it(tmp_path, monkeypatch):
    root = Warehouse.open(tmp_path / "data")
    url = root.save_report("<p>first</p>")
    page = tmp_path / "data" / "reports" / "latest.html"
    assert url == page.as_uri() and page.read_text(encoding="utf-8") == "<p>first</p>"

    def pulled(src, dst):
        raise OSError("disk pulled")

    monkeypatch.setattr(os, "replace", pulled)
    with pytest.raises(OSError, match="disk pulled"):
        root.save_report("<p>second, café</p>")
    monkeypatch.undo()
    assert page.read_text(encoding="utf-8") == "<p>first</p>"
    assert paths.temp_files(root) == []
    root.save_report("<p>second, café</p>")
    assert page.read_bytes() == "<p>second, café</p>".encode()
    assert sorted(p.name for p in page.parent.iterdir()) == ["latest.html"]


def test_a_report_page_is_refused_on_object_storage():
    with pytest.raises(ValueError, match="local roots only"):
        Warehouse.open("memory://bucket/data").save_report("<p>page</p>")
