"""What a poll reads instead of the history's files: the footer index of each table (one file per
table, used only for files unchanged since it was written), the latest attacks kept per event month
by every merge, and incident counts from footers."""

from __future__ import annotations

import datetime as dt

import pyarrow.parquet as pq
import pytest

from tests.test_cli_analyst import incident
from tests.test_history import OLD, article
from warehouse import attacks, footers, parquet, partitions, state


def forget_footers() -> None:
    """A new process: nothing of any footer in memory."""
    footers._footers.clear()
    footers._loaded.clear()
    footers._indexed.clear()


@pytest.fixture
def stored(tmp_path):
    """Articles of three months, their footers indexed, then forgotten as by a new process."""
    for fetched in OLD:
        parquet.append(tmp_path, "articles", [article(f"https://old.example/{fetched:%m}/{i}", fetched)
                                              for i in range(30)])
    forget_footers()
    assert state.seen_canonical_urls(tmp_path, among=["https://new.example/1"]) == set()
    assert [p.rsplit("/", 2)[-2:] for p in footers.save_index(tmp_path)] == [
        ["articles", f"ingest_month={m:%Y-%m}.arrow"] for m in OLD]
    assert footers.save_index(tmp_path) == []  # unchanged: not written again
    forget_footers()
    return tmp_path


def test_a_lookup_reads_the_index_not_the_files_footers(stored, monkeypatch):
    read, real = [], pq.read_metadata
    monkeypatch.setattr(footers.pq, "read_metadata", lambda *a, **k: read.append(a) or real(*a, **k))
    urls = ["https://old.example/02/7", "https://new.example/2"]
    assert state.seen_canonical_urls(stored, among=urls) == {"https://old.example/02/7"}
    assert read == []
    # a new file: its footer is read, the others still come from the index, and the next save adds it
    parquet.append(stored, "articles", [article("https://new.example/3", OLD[0])])
    assert state.seen_canonical_urls(stored, among=["https://new.example/3"]) == {"https://new.example/3"}
    assert len(read) == 1
    assert len(footers.save_index(stored)) == 1
    forget_footers()
    assert state.seen_canonical_urls(stored, among=["https://new.example/3", "https://old.example/01/1"]) == {
        "https://new.example/3", "https://old.example/01/1"}
    assert len(read) == 1


def test_a_rewritten_file_is_never_answered_from_its_old_entry(tmp_path):
    """The index holds month 2024-01 with i1 only; the partition is then rewritten with i2: the
    stale entry's filter (no i2) must not hide i2, or a write would store it a second time."""
    parquet.replace_partitions(tmp_path, "incidents", {"2024-01": [incident(1, dt.date(2024, 1, 3), "IRQ",
                                                                            "Battles", "Armed clash", 1)]})
    assert parquet.stored_keys(tmp_path, "incidents", ["i2"]) == set()
    footers.save_index(tmp_path)
    parquet.replace_partitions(tmp_path, "incidents", {"2024-01": [incident(2, dt.date(2024, 1, 4), "IRQ",
                                                                            "Battles", "Armed clash", 1)]})
    forget_footers()
    assert parquet.stored_keys(tmp_path, "incidents", ["i1", "i2"]) == {"i2"}
    assert partitions.incident_counts(tmp_path, ["2024-01", "2024-02"]) == {"2024-01": 1, "2024-02": 0}


def test_an_unreadable_index_costs_footer_reads_not_answers(stored):
    (stored / footers.INDEX_DIR / "articles" / "ingest_month=2023-03.arrow").write_bytes(b"not an arrow file")
    assert state.seen_canonical_urls(stored, among=["https://old.example/03/29"]) == {"https://old.example/03/29"}


def test_the_kept_latest_attacks_are_those_the_partitions_hold(tmp_path, monkeypatch):
    monkeypatch.setattr(attacks, "LATEST_KEPT", 2)
    days = [dt.date(2024, 1, 3), dt.date(2024, 1, 9), dt.date(2024, 1, 9), dt.date(2024, 1, 20),
            dt.date(2024, 2, 2), None]
    rows = [incident(n, day, "IRQ", "Battles", "Armed clash", n) for n, day in enumerate(days)]
    rows.append(incident(9, dt.date(2024, 2, 5), "IRQ", "Protests", "Peaceful protest", 0))  # not an attack
    for month in ("2024-01", "2024-02", "unknown"):
        mine = [r for r in rows if (r.event_date.strftime("%Y-%m") if r.event_date else "unknown") == month]
        parquet.replace_partitions(tmp_path, "incidents", {month: attacks.mark(mine)})
        attacks.write_per_month(tmp_path, [month])
    kept = attacks.read_per_month(tmp_path).latest
    assert {m: [r["incident_id"] for r in v] for m, v in kept.items()} == {
        "2024-01": ["i3", "i1"], "2024-02": ["i4"], "unknown": ["i5"]}
    attacks.write_per_month(tmp_path)  # rebuilt from every incident: the same
    assert attacks.read_per_month(tmp_path).latest == kept
    for n in range(8):
        assert [i["incident_id"] for i in attacks.latest(tmp_path, n)] == [
            i["incident_id"] for i in attacks._read_latest(tmp_path, n)]
    assert attacks._kept_latest(tmp_path, 2) is not None  # February's one, then January's first
    assert attacks._kept_latest(tmp_path, 4) is None  # needs three of January: read the partitions
