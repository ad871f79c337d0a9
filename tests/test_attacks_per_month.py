"""The materialised `attacks_per_month` table, updated month by month after each merge, equals a
rebuild from every stored incident; a merge reads only the months it rewrote."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pyarrow.parquet as pq

from tests.test_cli_analyst import incident
from tests.test_history import zero_data_pages
from warehouse import attacks, parquet


def stored(root) -> list[dict]:
    return pq.read_table(root / "attacks_per_month" / "attacks_per_month.parquet").to_pylist()


def rewrite(root, month: str, incidents) -> None:
    """What a merge does: replace one event-month partition, then update the monthly table."""
    parquet.replace_partitions(root, "incidents", {month: attacks.mark(incidents)})
    attacks.write_per_month(root, [month])


def test_month_by_month_updates_equal_a_full_rebuild(tmp_path):
    jan = [incident(1, dt.date(2024, 1, 3), "IRQ", "Explosions/Remote violence", "Air/drone strike", 3),
           incident(2, dt.date(2024, 1, 9), "SYR", "Battles", "Armed clash", None)]
    mar = [incident(3, dt.date(2024, 3, 9), "IRQ", "Strategic developments", "Disrupted weapons use", 0),
           incident(4, dt.date(2024, 3, 10), "IRQ", "Protests", "Peaceful protest", 0)]
    rewrite(tmp_path, "2024-01", jan)
    rewrite(tmp_path, "2024-03", mar)
    # a later merge folds January's second incident into the first: only January is rewritten
    rewrite(tmp_path, "2024-01", [jan[0], dataclasses.replace(jan[1], status="merged", merged_into="i1")])
    incremental = stored(tmp_path)
    attacks.write_per_month(tmp_path)
    assert incremental == stored(tmp_path)
    assert [(r["month"].isoformat(), r["iso3"], r["incidents"]) for r in incremental] == [
        ("2024-01-01", "IRQ", 1), ("2024-03-01", "IRQ", 1)]


def test_an_update_reads_only_the_months_it_names(tmp_path):
    rewrite(tmp_path, "2024-01", [incident(1, dt.date(2024, 1, 3), "IRQ", "Battles", "Armed clash", 2)])
    rewrite(tmp_path, "2024-02", [incident(2, dt.date(2024, 2, 3), "IRQ", "Battles", "Armed clash", 1)])
    for path in (tmp_path / "incidents").glob("event_month=2024-01/*.parquet"):
        zero_data_pages(path)  # January's rows unreadable (footer intact): they must not be read
    rewrite(tmp_path, "2024-02", [incident(2, dt.date(2024, 2, 3), "IRQ", "Battles", "Armed clash", 4)])
    assert [(r["month"].month, r["fatalities"]) for r in stored(tmp_path)] == [(1, 2), (2, 4)]
