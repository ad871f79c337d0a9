"""Start-up: the CLI's temporary Prefect server starts while the command imports and warms up, and
nothing of it is left when that preparation fails; the warm-up really codes a page."""

from __future__ import annotations

import os

import pytest

from flows import lifecycle, steps


def test_the_warm_up_page_is_coded_into_one_attack():
    coded = steps.warm_up_coding()
    assert coded is not None
    assert coded.article.coding_status == "coded"
    assert [(m.iso3, m.location, m.fatalities) for m in coded.mentions] == [("IRQ", "Mosul", 2)]


def _children() -> set[int]:
    pid = os.getpid()
    found = set()
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/children") as fh:
            found |= {int(x) for x in fh.read().split()}
    return found


@pytest.mark.slow
def test_a_failing_preparation_stops_the_server_it_overlapped(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    before = _children()
    seen: list[set[int]] = []

    def prepare() -> None:
        seen.append(_children() - before)  # the server is already starting
        raise RuntimeError("preparation failed")

    with pytest.raises(RuntimeError, match="preparation failed"), lifecycle.temporary_server(prepare=prepare):
        pass
    assert seen and seen[0], "the server was not started before the preparation"
    assert not seen[0] & _children(), "the server outlived its failed preparation"
    assert "PREFECT_API_URL" not in os.environ
