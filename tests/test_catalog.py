"""warehouse.catalog: DuckDB views over real Parquet, counts computed by hand, trends, provenance."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from warehouse import catalog, parquet
from warehouse.schemas import TABLES

sys.path.insert(0, str(Path(__file__).parent))
from test_warehouse import AUG, JULY, make_article, make_incident, make_mention

D = dt.date
BASE_VIEWS = {"articles": "articles", "mentions": "mentions", "incidents_all": "incidents",
              "feed_state": "feed_state", "partitions": "partitions", "runs": "runs"}  # fmt: skip


def rows(table: pa.Table) -> list[tuple]:
    return [tuple(r.values()) for r in table.to_pylist()]


@pytest.fixture(scope="module")
def counted(tmp_path_factory):
    """Eight incidents; what each one contributes to the attack counts is written beside it."""
    root = tmp_path_factory.mktemp("counted")
    incidents = [
        # July, IRQ: one armed clash (3 dead), one air strike (deaths not reported).
        make_incident("i1", D(2024, 7, 3), fatalities=3, mention_ids=("m1", "m2")),
        make_incident("i2", D(2024, 7, 20), event_type="Explosions/Remote violence",
                      sub_event_type="Air/drone strike"),
        # Merged into i1: a second report of the same clash, must not count again.
        make_incident("i3", D(2024, 7, 5), status="merged", merged_into="i1", fatalities=5),
        # A protest is an incident but not an attack.
        make_incident("i4", D(2024, 8, 5), event_type="Protests", sub_event_type="Peaceful protest"),
        # An intercepted attack counts as an attack (0 dead, reported).
        make_incident("i5", D(2024, 8, 9), iso3="SYR", admin1="Idlib", event_type="Strategic developments",
                      sub_event_type="Disrupted weapons use", fatalities=0),
        # August, IRQ: two clashes, one with 2 dead, one without a figure.
        make_incident("i6", D(2024, 8, 10), fatalities=2, admin1="Anbar"),
        make_incident("i7", D(2024, 8, 11)),
        # Retracted: not counted.
        make_incident("i8", D(2024, 8, 12), status="retracted", fatalities=9),
    ]  # fmt: skip
    parquet.upsert(root, "incidents", incidents)
    old = make_article(1, fetched=JULY, title="Old headline")
    new = make_article(1, fetched=AUG, sha="e" * 64, title="Clash in Mosul, 3 killed")
    other = make_article(
        2, fetched=JULY, outlet="Other Wire", published_at=JULY - dt.timedelta(days=3)
    )
    parquet.append(root, "articles", [old, new, other])
    parquet.upsert(
        root,
        "mentions",
        [
            dataclasses.asdict(m) | {"ingested_at": JULY}
            for m in (
                make_mention(1, "a1", fatalities=3, evidence="Three were killed."),
                make_mention(2, "a2", role="background"),
            )
        ],
    )
    return root


def test_views_on_an_empty_root_have_the_declared_columns(tmp_path):
    con = catalog.connect(tmp_path)
    for view, table in BASE_VIEWS.items():
        got = catalog.query(con, f"SELECT * FROM {view}")
        assert got.num_rows == 0
        assert got.schema.names == TABLES[table].schema.names
        assert [f.type for f in got.schema] == [f.type for f in TABLES[table].schema], view
    apm = catalog.query(con, "SELECT * FROM attacks_per_month")
    assert apm.schema.names == [
        "month", "iso3", "event_type", "sub_event_type", "incidents", "fatalities", "fatalities_reported"
    ]  # fmt: skip
    for view in ("incidents", "attacks", "articles_latest", "incident_sources"):
        assert catalog.query(con, f"SELECT count(*) AS n FROM {view}")["n"][0].as_py() == 0
    assert catalog.trends(con, by="week").num_rows == 0


def test_attacks_per_month_counts_by_hand(counted):
    con = catalog.connect(counted)
    assert rows(catalog.query(con, "SELECT * FROM attacks_per_month")) == [
        (D(2024, 7, 1), "IRQ", "Battles", "Armed clash", 1, 3, 1),
        (D(2024, 7, 1), "IRQ", "Explosions/Remote violence", "Air/drone strike", 1, 0, 0),
        (D(2024, 8, 1), "IRQ", "Battles", "Armed clash", 2, 2, 1),
        (D(2024, 8, 1), "SYR", "Strategic developments", "Disrupted weapons use", 1, 0, 1),
    ]
    assert con.execute("SELECT count(*) FROM incidents").fetchall() == [(6,)]
    assert con.execute("SELECT count(*) FROM incidents_all").fetchall() == [(8,)]
    # The table macro gives the same numbers to SQL users.
    by_macro = catalog.query(con, "SELECT * FROM attacks_by('month', country := 'IRQ')")
    assert [r[4:] for r in rows(by_macro)] == [(1, 3, 1), (1, 0, 0), (2, 2, 1)]
    sql = "SELECT is_attack('Riots', 'Mob violence'), is_attack('Riots', 'Disrupted weapons use')"
    assert con.execute(sql).fetchall() == [(False, True)]


def test_trends_by_week_and_day_with_filters(counted):
    con = catalog.connect(counted)
    # 3 Jul is a Wednesday (week of 1 Jul), 20 Jul a Saturday (week of 15 Jul), 10-11 Aug a weekend.
    assert rows(catalog.trends(con, by="week", country="IRQ")) == [
        (D(2024, 7, 1), "IRQ", 1, 3, 1),
        (D(2024, 7, 15), "IRQ", 1, 0, 0),
        (D(2024, 8, 5), "IRQ", 2, 2, 1),
    ]
    assert rows(catalog.trends(con, by="day", event_type="Battles", group=())) == [
        (D(2024, 7, 3), 1, 3, 1),
        (D(2024, 8, 10), 1, 2, 1),
        (D(2024, 8, 11), 1, 0, 0),
    ]
    assert rows(
        catalog.trends(con, by="month", country="Iraq", group=("event_type",), attacks_only=False)
    ) == [
        (D(2024, 7, 1), "Battles", 1, 3, 1),
        (D(2024, 7, 1), "Explosions/Remote violence", 1, 0, 0),
        (D(2024, 8, 1), "Battles", 2, 2, 1),
        (D(2024, 8, 1), "Protests", 1, 0, 0),
    ]
    assert rows(
        catalog.trends(con, group=("admin1",), since=D(2024, 8, 1), until="2024-08-10")
    ) == [
        (D(2024, 8, 1), "Anbar", 1, 2, 1),
        (D(2024, 8, 1), "Idlib", 1, 0, 1),
    ]
    # Values are bound, not pasted into SQL.
    assert catalog.trends(con, event_type="Battles' OR '1'='1").num_rows == 0
    with pytest.raises(ValueError, match="group"):
        catalog.trends(con, group=("iso3; DROP VIEW incidents",))
    with pytest.raises(ValueError, match="by must be"):
        catalog.trends(con, by="year")
    with pytest.raises(ValueError, match="country"):
        catalog.trends(con, country="Atlantis")


def test_provenance_joins_mentions_and_newest_article_version(counted):
    con = catalog.connect(counted)
    got = catalog.provenance(con, "i1").to_pylist()
    assert [r["mention_id"] for r in got] == ["m2", "m1"]  # a2 was published first
    m2, m1 = got
    assert (m1["article_id"], m1["outlet"], m1["title"], m1["url"]) == (
        "a1", "Example News", "Clash in Mosul, 3 killed", "https://news.example/1?utm_source=x"
    )  # fmt: skip
    assert (m1["evidence"], m1["role"], m1["fatalities"]) == ("Three were killed.", "primary", 3)
    assert (m2["outlet"], m2["role"]) == ("Other Wire", "background")
    assert catalog.provenance(con, "nope").num_rows == 0


def test_old_partition_without_a_newer_column_stays_readable(tmp_path):
    old = parquet.to_arrow([make_incident("old", D(2024, 6, 1), fatalities=1)], "incidents")
    old = old.drop_columns(["event_month", "injuries", "munitions"])  # written before they existed
    target = tmp_path / "incidents" / "event_month=2024-06" / "data.parquet"
    target.parent.mkdir(parents=True)
    pq.write_table(old, target)
    # Only old files: the view still has every declared column.
    con = catalog.connect(tmp_path)
    assert con.execute("SELECT incident_id, injuries, event_month FROM incidents").fetchall() == [
        ("old", None, "2024-06")
    ]
    parquet.upsert(tmp_path, "incidents", [make_incident("new", D(2024, 7, 1), injuries=4)])
    catalog.refresh(con, tmp_path)
    assert con.execute("SELECT incident_id, injuries FROM incidents ORDER BY 1").fetchall() == [
        ("new", 4),
        ("old", None),
    ]
    assert con.execute("SELECT sum(fatalities) FROM attacks_per_month").fetchall() == [(1,)]
    got = parquet.read(tmp_path, "incidents")
    assert dict(zip(got["incident_id"].to_pylist(), got["injuries"].to_pylist(), strict=True)) == {
        "old": None,
        "new": 4,
    }


def test_views_see_new_files_after_refresh_and_database_file_is_disposable(tmp_path):
    db = tmp_path / "lens.duckdb"
    con = catalog.connect(tmp_path / "data", database=str(db))
    parquet.upsert(tmp_path / "data", "incidents", [make_incident("i1", D(2024, 7, 1))])
    assert con.execute("SELECT count(*) FROM attacks").fetchall() == [
        (0,)
    ]  # listed files at creation
    catalog.refresh(con, tmp_path / "data")
    assert con.execute("SELECT count(*) FROM attacks").fetchall() == [(1,)]
    # Once files exist the glob is expanded per query: a new month shows up without refresh.
    parquet.upsert(tmp_path / "data", "incidents", [make_incident("i2", D(2024, 9, 1))])
    assert con.execute("SELECT count(*) FROM attacks").fetchall() == [(2,)]
    con.close()
    db.unlink()
    con = catalog.connect(tmp_path / "data", database=str(db))
    assert con.execute("SELECT count(*) FROM incidents").fetchall() == [(2,)]
