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


UNDATED = [incident(5, None, "IRQ", "Battles", "Armed clash", 2),
           incident(6, None, "SYR", "Explosions/Remote violence", "Shelling/artillery/missile attack", None),
           incident(7, None, "IRQ", "Protests", "Peaceful protest", 0)]


def test_the_undated_attacks_and_the_any_type_counts_follow_each_rewrite(tmp_path):
    """The counts beside the rows (undated attacks; active incidents of any type per month) are
    updated with the months a merge rewrote and equal a rebuild; they are in the same file."""
    rewrite(tmp_path, "2024-01", [incident(1, dt.date(2024, 1, 3), "IRQ", "Battles", "Armed clash", 2),
                                  incident(2, dt.date(2024, 1, 5), "IRQ", "Protests", "Peaceful protest", 0)])
    rewrite(tmp_path, "unknown", UNDATED)
    counts = attacks.read_per_month(tmp_path)
    assert [(r["iso3"], r["incidents"], r["fatalities"], r["fatalities_reported"]) for r in counts.undated] == [
        ("IRQ", 1, 2, 1), ("SYR", 1, 0, 0)]
    assert counts.active == {"2024-01": 2}
    # a later merge folds one undated attack into another, and adds a February protest
    rewrite(tmp_path, "unknown", [UNDATED[0], dataclasses.replace(UNDATED[1], status="merged"), UNDATED[2]])
    rewrite(tmp_path, "2024-02", [incident(3, dt.date(2024, 2, 1), "IRQ", "Protests", "Peaceful protest", 0)])
    incremental = attacks.read_per_month(tmp_path)
    assert [(r["iso3"], r["incidents"]) for r in incremental.undated] == [("IRQ", 1)]
    assert incremental.active == {"2024-01": 2, "2024-02": 1}
    attacks.write_per_month(tmp_path)
    assert attacks.read_per_month(tmp_path) == incremental


def test_a_file_from_before_the_undated_counts_is_rebuilt_by_the_next_write(tmp_path):
    rewrite(tmp_path, "unknown", UNDATED)
    rewrite(tmp_path, "2024-01", [incident(1, dt.date(2024, 1, 3), "IRQ", "Battles", "Armed clash", 2)])
    path = tmp_path / "attacks_per_month" / "attacks_per_month.parquet"
    pq.write_table(pq.read_table(path).replace_schema_metadata(None), path)  # as the earlier code wrote it
    assert attacks.read_per_month(tmp_path) is None  # not trusted: readers fall back to the views
    rewrite(tmp_path, "2024-01", [incident(1, dt.date(2024, 1, 3), "IRQ", "Battles", "Armed clash", 3)])
    rebuilt = attacks.read_per_month(tmp_path)
    assert [r["iso3"] for r in rebuilt.undated] == ["IRQ", "SYR"] and rebuilt.active == {"2024-01": 1}
    assert [r["fatalities"] for r in rebuilt.rows] == [3]


def test_the_runs_artifact_reads_the_file_and_shows_what_the_views_show(tmp_path):
    """`report.monthly_table` (the "attacks per month" artifact of every run) from the materialised
    counts equals the same table from the DuckDB views over every incident, undated attacks last."""
    from flows.report import monthly_table
    from warehouse import catalog

    rewrite(tmp_path, "2024-01", [incident(1, dt.date(2024, 1, 3), "IRQ", "Battles", "Armed clash", 2),
                                  incident(2, dt.date(2024, 1, 9), "SYR", "Battles", "Armed clash", None)])
    rewrite(tmp_path, "2024-03", [incident(3, dt.date(2024, 3, 9), "IRQ", "Battles", "Armed clash", 4)])
    rewrite(tmp_path, "unknown", UNDATED)
    with catalog.connect(tmp_path) as con:
        viewed = con.execute("SELECT strftime(month, '%Y-%m'), sum(incidents), sum(fatalities) "
                             "FROM attacks_per_month GROUP BY month ORDER BY month NULLS LAST").fetchall()
    expected = [{"month": m or "undated", "incidents": n, "fatalities": f} for m, n, f in viewed]
    assert expected[-1] == {"month": "undated", "incidents": 2, "fatalities": 2}
    assert monthly_table(tmp_path) == expected
    (tmp_path / "attacks_per_month" / "attacks_per_month.parquet").unlink()
    assert monthly_table(tmp_path) == expected  # no counts stored: the views


def test_a_rewrite_copies_the_other_months_latest_attacks_without_parsing_them(tmp_path, monkeypatch):
    """Each month's kept latest attacks are stored apart: a merge that rewrites one month copies
    the others' as stored, and a reader parses only the months it asks for."""
    for month in (1, 2, 3):
        rewrite(tmp_path, f"2024-{month:02d}", [incident(month, dt.date(2024, month, 3), "IRQ", "Battles",
                                                         "Armed clash", month)])
    before = attacks.read_per_month(tmp_path).latest
    parsed: list[bytes] = []
    real = attacks._rows_from_json
    monkeypatch.setattr(attacks, "_rows_from_json", lambda text: parsed.append(text) or real(text))
    rewrite(tmp_path, "2024-03", [incident(3, dt.date(2024, 3, 4), "IRQ", "Battles", "Armed clash", 7)])
    assert parsed == []  # January's and February's kept attacks copied, not parsed
    after = attacks.read_per_month(tmp_path).latest
    assert [r["fatalities"] for r in after["2024-03"]] == [7] and len(parsed) == 1
    assert after["2024-01"] == before["2024-01"] and after["2024-02"] == before["2024-02"]
    assert [(m, [r["incident_id"] for r in rows]) for m, rows in after.items()] == [
        ("2024-01", ["i1"]), ("2024-02", ["i2"]), ("2024-03", ["i3"])]


def _two_months_without_latest(root):
    """Two months of counts written now, then their file's metadata without the compressed latest
    attacks: (what was read, the file, its table, that metadata) for a test to add an old layout."""
    rewrite(root, "2024-01", [incident(1, dt.date(2024, 1, 3), "IRQ", "Battles", "Armed clash", 2)])
    rewrite(root, "2024-02", [incident(2, dt.date(2024, 2, 3), "IRQ", "Battles", "Armed clash", 1)])
    new = attacks.read_per_month(root)
    target = root / "attacks_per_month" / "attacks_per_month.parquet"
    tbl = pq.read_table(target)
    return new, target, tbl, {k: v for k, v in tbl.schema.metadata.items() if not k.startswith(attacks.LATEST_KEY)}


def test_a_file_keeping_every_months_latest_attacks_in_one_value_is_still_read(tmp_path):
    """A counts file written before each month's latest attacks had their own key (one JSON object
    of every month) reads the same, and the next rewrite of one month keeps the others."""
    import json
    import zlib

    import pyarrow as pa

    new, target, tbl, meta = _two_months_without_latest(tmp_path)
    meta[attacks.PLAIN_LATEST_KEY] = json.dumps({m: json.loads(zlib.decompress(new.latest.raw(m))) for m in new.latest})
    pq.write_table(tbl.replace_schema_metadata(meta), target)
    old = attacks.read_per_month(tmp_path)
    assert dict(old.latest) == dict(new.latest) and old.rows == new.rows
    for path in (tmp_path / "incidents").glob("event_month=2024-01/*.parquet"):
        zero_data_pages(path)  # January must come from the old file's value, not be read again
    rewrite(tmp_path, "2024-02", [incident(2, dt.date(2024, 2, 3), "IRQ", "Battles", "Armed clash", 5)])
    latest = attacks.read_per_month(tmp_path).latest
    assert latest["2024-01"] == new.latest["2024-01"] and [r["fatalities"] for r in latest["2024-02"]] == [5]
    assert pa.types.is_date32(pq.read_schema(target).field("month").type)


def test_a_file_of_plain_json_months_is_read_and_its_months_copied_compressed(tmp_path):
    """A counts file of the previous layout (each month's plain JSON under `PLAIN_LATEST_KEY`) reads
    the same; the next rewrite stores every month compressed under `LATEST_KEY` only, so a version
    that knows only the plain keys finds none and reads the latest attacks from the incidents."""
    import json
    import zlib

    new, target, tbl, meta = _two_months_without_latest(tmp_path)
    meta[attacks.PLAIN_LATEST_KEY] = json.dumps(list(new.latest))
    for m in new.latest:
        meta[attacks.PLAIN_LATEST_KEY + b"/" + m.encode()] = zlib.decompress(new.latest.raw(m))
    pq.write_table(tbl.replace_schema_metadata(meta), target)
    assert dict(attacks.read_per_month(tmp_path).latest) == dict(new.latest)
    rewrite(tmp_path, "2024-02", [incident(2, dt.date(2024, 2, 3), "IRQ", "Battles", "Armed clash", 5)])
    stored_meta = pq.read_schema(target).metadata
    assert not any(k.startswith(attacks.PLAIN_LATEST_KEY + b"/") or k == attacks.PLAIN_LATEST_KEY for k in stored_meta)
    latest = attacks.read_per_month(tmp_path).latest
    assert latest["2024-01"] == new.latest["2024-01"] and [r["fatalities"] for r in latest["2024-02"]] == [5]
    assert json.loads(zlib.decompress(stored_meta[attacks.LATEST_KEY + b"/2024-01"]))[0]["incident_id"] == "i1"
