"""Schema evolution: partitions written by an older version stay readable after columns are added.

Two directions. Backward: files written before some of today's columns existed (each partitioned
table loses a few columns, written straight with pyarrow as an older release would have) sit beside
files of today's schema; every view, trend query, provenance join, `parquet.read`, the record
loaders the flows use, and a rewrite of an old partition must work, the missing columns reading as
NULL. Forward: a later version adds a column (the declared schema is extended for the test); files
without it read it as NULL, files with it carry it, and today's code still reads those newer files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from warehouse import catalog, parquet
from warehouse.mentions import load_incidents, load_mentions
from warehouse.schemas import TABLES

sys.path.insert(0, str(Path(__file__).parent))
from test_warehouse import make_article, make_incident, make_mention

UTC = dt.UTC
JUNE = dt.datetime(2024, 6, 10, 8, tzinfo=UTC)
JULY = dt.datetime(2024, 7, 15, 12, tzinfo=UTC)
# The columns an "older release" did not have yet, per table.
OLD_LACKS = {
    "articles": ["site_name", "language", "author"],
    "mentions": ["confidence", "munitions", "injuries", "extractor_version"],
    "incidents": ["injuries", "munitions", "fatalities_min", "fatalities_max", "updated_at"],
}


def write_old(root: Path, table: str, records: list, month: str) -> Path:
    """Write `records` as an older release would have: without OLD_LACKS[table], straight to disk."""
    ts = TABLES[table]
    tbl = parquet.to_arrow(records, table).drop_columns([ts.partition_col, *OLD_LACKS[table]])
    name = "part-0123456789abcdef0123456789abcdef.parquet" if ts.mode == "append" else "data.parquet"
    target = root / table / f"{ts.partition_col}={month}" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(tbl, target)
    return target


@pytest.fixture()
def mixed(tmp_path: Path) -> Path:
    """June written by the older release, July by today's code, in every partitioned table."""
    root = tmp_path / "data"
    write_old(root, "articles", [make_article(1, fetched=JUNE, title="Old article")], "2024-06")
    write_old(root, "mentions", [dataclasses.asdict(make_mention(
        1, "a1", event_date=dt.date(2024, 6, 9), fatalities=4, evidence="Four were killed.")) | {
        "ingested_at": JUNE}], "2024-06")
    write_old(root, "incidents", [
        make_incident("old-clash", dt.date(2024, 6, 9), fatalities=4, mention_ids=("m1",)),
        make_incident("old-protest", dt.date(2024, 6, 11), event_type="Protests",
                      sub_event_type="Peaceful protest"),
    ], "2024-06")
    parquet.append(root, "articles", [make_article(2, fetched=JULY, title="New article")])
    parquet.upsert(root, "mentions", [dataclasses.asdict(make_mention(
        2, "a2", event_date=dt.date(2024, 7, 14), fatalities=1, injuries=6, munitions=2)) | {
        "ingested_at": JULY}])
    parquet.upsert(root, "incidents", [make_incident(
        "new-strike", dt.date(2024, 7, 14), event_type="Explosions/Remote violence",
        sub_event_type="Air/drone strike", fatalities=1, fatalities_min=1, fatalities_max=3,
        injuries=6, munitions=2, mention_ids=("m2",))])
    return root


def test_views_and_reads_fill_the_missing_columns_with_null(mixed: Path) -> None:
    with catalog.connect(mixed) as con:
        for view, table in (("articles", "articles"), ("mentions", "mentions"),
                            ("incidents_all", "incidents")):
            described = [r[0] for r in con.execute(f"DESCRIBE {view}").fetchall()]
            assert described == TABLES[table].schema.names  # every declared column, in order
        assert con.execute("SELECT title, language, site_name FROM articles ORDER BY 1").fetchall() == [
            ("New article", "en", "Example"), ("Old article", None, None)]
        assert con.execute(
            "SELECT mention_id, injuries, confidence, ingest_month FROM mentions ORDER BY 1").fetchall() == [
            ("m1", None, None, "2024-06"), ("m2", 6, 0.9, "2024-07")]
        assert con.execute(
            "SELECT incident_id, fatalities, fatalities_max, injuries, event_month FROM incidents_all "
            "ORDER BY 1").fetchall() == [
            ("new-strike", 1, 3, 6, "2024-07"), ("old-clash", 4, None, None, "2024-06"),
            ("old-protest", None, None, None, "2024-06")]
    for table, lacks in OLD_LACKS.items():
        got = parquet.read(mixed, table)
        assert got.schema == TABLES[table].schema
        june = got.filter(pa.compute.equal(got[TABLES[table].partition_col], "2024-06"))
        assert june.num_rows >= 1 and all(june[c].null_count == june.num_rows for c in lacks)


def test_trend_queries_and_provenance_span_old_and_new_partitions(mixed: Path) -> None:
    with catalog.connect(mixed) as con:
        monthly = catalog.trends(con, by="month").to_pylist()
        assert [(r["period"], r["iso3"], r["incidents"], r["fatalities"]) for r in monthly] == [
            (dt.date(2024, 6, 1), "IRQ", 1, 4), (dt.date(2024, 7, 1), "IRQ", 1, 1)]
        weekly = catalog.trends(con, by="week", country="IRQ", event_type="Battles").to_pylist()
        assert [(r["period"], r["incidents"]) for r in weekly] == [(dt.date(2024, 6, 3), 1)]
        assert con.execute("SELECT sum(incidents), sum(fatalities) FROM attacks_per_month").fetchall() == [(2, 5)]
        assert con.execute("SELECT count(*) FROM attacks_by('day')").fetchall() == [(2,)]
        every = catalog.trends(con, by="month", attacks_only=False, group=("event_type",)).to_pylist()
        assert sum(r["incidents"] for r in every) == 3  # the old protest counts as an incident
        sources = catalog.provenance(con, "old-clash").to_pylist()
        assert [(s["evidence"], s["title"], s["confidence"]) for s in sources] == [
            ("Four were killed.", "Old article", None)]


def test_the_flows_record_loaders_and_a_rewrite_of_an_old_partition_keep_old_rows(mixed: Path) -> None:
    # What remerge_incidents reads: records built from rows that lack columns.
    assert {m.mention_id: m.confidence for m in load_mentions(mixed)} == {"m1": None, "m2": 0.9}
    old = {i.incident_id: i for i in load_incidents(mixed, ["2024-06"])}
    assert old["old-clash"].fatalities == 4 and old["old-clash"].injuries is None
    # Today's code rewrites the old month whole: the old rows survive, now in today's schema.
    parquet.upsert(mixed, "incidents", [make_incident("late-report", dt.date(2024, 6, 20), injuries=2)])
    parquet.append(mixed, "articles", [make_article(3, fetched=JUNE)])
    rewritten = pq.read_schema(mixed / "incidents" / "event_month=2024-06" / "data.parquet")
    assert set(OLD_LACKS["incidents"]) <= set(rewritten.names)
    with catalog.connect(mixed) as con:
        assert con.execute("SELECT incident_id, injuries FROM incidents_all WHERE event_month = '2024-06' "
                           "ORDER BY 1").fetchall() == [
            ("late-report", 2), ("old-clash", None), ("old-protest", None)]
        assert con.execute("SELECT count(*), count(language) FROM articles WHERE ingest_month = '2024-06'"
                           ).fetchall() == [(2, 1)]


def test_a_column_added_later_reads_as_null_before_it_and_todays_code_reads_files_that_have_it(
    mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = TABLES["incidents"]
    position = today.schema.get_field_index("event_month")  # the partition column stays last
    later = dataclasses.replace(today, schema=today.schema.insert(
        position, pa.field("severity", pa.string(), nullable=True)))
    monkeypatch.setitem(TABLES, "incidents", later)
    row = dataclasses.asdict(make_incident("newer", dt.date(2024, 8, 2), fatalities=2)) | {"severity": "high"}
    parquet.upsert(mixed, "incidents", [row])
    with catalog.connect(mixed) as con:
        assert con.execute("SELECT incident_id, severity FROM incidents_all ORDER BY 1").fetchall() == [
            ("new-strike", None), ("newer", "high"), ("old-clash", None), ("old-protest", None)]
        assert [r["incidents"] for r in catalog.trends(con, by="month").to_pylist()] == [1, 1, 1]
    assert parquet.read(mixed, "incidents")["severity"].null_count == 3

    monkeypatch.undo()  # today's release again, over a file written by the later one
    with catalog.connect(mixed) as con:
        assert "severity" not in [r[0] for r in con.execute("DESCRIBE incidents_all").fetchall()]
        assert con.execute("SELECT count(*) FROM attacks").fetchall() == [(3,)]
    assert parquet.read(mixed, "incidents").schema == today.schema


def test_an_old_partition_without_the_not_null_columns_added_since_takes_new_rows(tmp_path: Path) -> None:
    """A month written before `mentions.why` and `incidents.n_references` / `is_attack` existed
    (NOT NULL columns with a default) takes today's rows in the same month: the old rows are
    kept, with the record's default in the new columns, instead of the write refusing a null."""
    root = tmp_path / "data"
    old_mention = dataclasses.asdict(make_mention(1, "a1", event_date=dt.date(2024, 6, 9))) | {"ingested_at": JUNE}
    tbl = parquet.to_arrow([old_mention], "mentions").drop_columns(["ingest_month", "why"])
    target = root / "mentions" / "ingest_month=2024-06" / "data.parquet"
    target.parent.mkdir(parents=True)
    pq.write_table(tbl, target)
    old_incident = make_incident("old-clash", dt.date(2024, 6, 9), mention_ids=("m1",))
    tbl = parquet.to_arrow([old_incident], "incidents").drop_columns(["event_month", "n_references", "is_attack"])
    target = root / "incidents" / "event_month=2024-06" / "data.parquet"
    target.parent.mkdir(parents=True)
    pq.write_table(tbl, target)

    parquet.upsert(root, "mentions", [dataclasses.asdict(make_mention(
        2, "a2", event_date=dt.date(2024, 6, 12))) | {"ingested_at": JUNE}])
    parquet.upsert(root, "incidents", [make_incident("new-clash", dt.date(2024, 6, 12), mention_ids=("m2",))])

    mentions = parquet.read(root, "mentions", columns=["mention_id", "why"]).to_pylist()
    assert sorted((m["mention_id"], m["why"]) for m in mentions) == [("m1", []), ("m2", [])]
    incidents = parquet.read(root, "incidents", columns=["incident_id", "n_references", "is_attack"])
    assert sorted(incidents["incident_id"].to_pylist()) == ["new-clash", "old-clash"]
    old = next(r for r in incidents.to_pylist() if r["incident_id"] == "old-clash")
    assert old["n_references"] == 0 and old["is_attack"] is False
