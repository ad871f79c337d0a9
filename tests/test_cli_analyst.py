"""The analyst's commands on a hand-made warehouse: trends that add up, bad input as one line and
exit 2, a read-only `sql`, `show` and `export` in their documented shapes, and the stored
`is_attack` / `attacks_per_month` agreeing with `flarewatch trends` when read by plain DuckDB/pyarrow."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import duckdb
import pyarrow.parquet as pq
import pytest

from extractors.records import Article, Incident, Mention
from flows.cli import main
from warehouse import attacks, parquet
from warehouse.export import ACLED_COLUMNS

T0 = dt.datetime(2024, 1, 5, tzinfo=dt.UTC)
LONG_TEXT = ("The market reopened on Monday after a week of repairs. " * 4
             + "Officials said 3 people were killed when a rocket hit the depot on Sunday. "
             + "Traders hope the road stays open. " * 3)


def incident(n: int, day: dt.date | None, iso3: str, etype: str, sub: str, deaths: int | None,
             status: str = "active", precision: str = "day") -> Incident:
    return Incident(
        incident_id=f"i{n}", status=status, merged_into=None, event_type=etype, sub_event_type=sub,
        event_date=day, date_precision=precision, iso3=iso3, admin1="North", location=f"Town {n}",
        latitude=10.0 + n if n % 2 else None, longitude=20.0 + n if n % 2 else None, geo_precision=1,
        actor1="Armed group", actor2="Civilians", fatalities=deaths, fatalities_min=deaths, fatalities_max=deaths,
        injuries=None, weapons=(), munitions=None, n_mentions=1, n_articles=1, n_outlets=1,
        first_reported_at=T0, updated_at=T0, mention_ids=(f"m{n}",))


INCIDENTS = [
    incident(1, dt.date(2024, 1, 3), "IRQ", "Explosions/Remote violence", "Shelling/artillery/missile attack", 3),
    incident(2, dt.date(2024, 1, 20), "SYR", "Battles", "Armed clash", None, precision="week"),
    # February: nothing at all; March: one intercepted attack (a Strategic development that counts)
    incident(3, dt.date(2024, 3, 9), "IRQ", "Strategic developments", "Disrupted weapons use", 0),
    incident(4, dt.date(2024, 3, 10), "IRQ", "Protests", "Peaceful protest", 0),
    incident(5, dt.date(2024, 4, 1), "IRQ", "Battles", "Armed clash", 5, status="merged"),
    incident(6, None, "IRQ", "Battles", "Armed clash", 1),
]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("analyst")
    parquet.upsert(root, "incidents", attacks.mark(INCIDENTS))
    attacks.write_per_month(root)
    parquet.append(root, "articles", [Article(
        article_id=f"a{n}", canonical_url=f"https://o{n}.example/x", url=f"https://o{n}.example/x", feed_id="f",
        outlet=f"Outlet {n}", title="t", author=None, text=LONG_TEXT, published_at=T0, site_name=None,
        language="en", content_sha256=f"s{n}", raw_path=None, fetched_at=T0, extractor_version="x")
        for n in range(1, 7)])
    parquet.upsert(root, "mentions", [{
        **{f: getattr(m, f) for f in Mention.__dataclass_fields__}, "ingested_at": T0} for m in (
        Mention(mention_id=f"m{i.incident_id[1:]}", article_id=f"a{i.incident_id[1:]}", outlet=None, reported_at=T0,
                event_type=i.event_type, sub_event_type=i.sub_event_type, event_date=i.event_date,
                date_precision=i.date_precision, iso3=i.iso3, admin1=None, location=None, latitude=None,
                longitude=None, geo_precision=None, actor1=None, actor2=None, fatalities=i.fatalities,
                injuries=None, weapons=(), munitions=None, role="primary", evidence=LONG_TEXT, evidence_start=0,
                evidence_end=len(LONG_TEXT), confidence=0.8, extractor_version="x") for i in INCIDENTS)])
    return str(root)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


# -- trends that add up -------------------------------------------------------------------------


def test_trends_lists_every_month_with_labels_country_names_and_a_footer(root, capsys):
    code, out, _ = run(capsys, "trends", "--data", root, "--format", "csv")
    assert code == 0
    got = [(r["period"], r["iso3"], r["country"], r["incidents"]) for r in csv_rows(out)]
    assert got == [("2024-01", "IRQ", "Iraq", "1"), ("2024-01", "SYR", "Syria", "1"),
                   ("2024-02", "", "", "0"), ("2024-03", "IRQ", "Iraq", "1")]
    code, out, _ = run(capsys, "trends", "--data", root)
    out = " ".join(out.split(" \n"))  # the footer wraps at the terminal's width
    assert out.startswith("Attacks per month, 2024-01 to 2024-03, by country\n")
    assert "Total: 3 incidents, 3 fatalities" in out
    assert "Disrupted weapons use" in out and "4 dated active incidents of any type in this range" in out
    assert "1 matching incidents have no event date" in out


def test_trends_since_until_take_year_month_and_day(root, capsys):
    for since, until, expected in [("2024-03", None, 1), ("2024", "2024-01", 2), ("2024-01-04", "2024-01-31", 1)]:
        args = ["--since", since] + (["--until", until] if until else [])
        code, out, _ = run(capsys, "trends", "--data", root, "--format", "json", *args)
        assert code == 0
        assert sum(r["incidents"] for r in json.loads(out)) == expected, (since, until)


def test_trends_by_week_fills_the_empty_weeks(root, capsys):
    code, out, _ = run(capsys, "trends", "--data", root, "--by", "week", "--format", "json", "--all-types")
    rows = json.loads(out)
    periods = [r["period"] for r in rows]
    assert periods[0] == "2024-W01" and periods[-1] == "2024-W10"
    assert len(set(periods)) == 10 and sum(r["incidents"] for r in rows) == 4


@pytest.mark.parametrize(("argv", "needle"), [
    (["trends", "--country", "XXX"], "unknown country 'XXX'"),
    (["trends", "--country", "Irak"], "nearest: IRQ"),
    (["trends", "--event-type", "battles"], "nearest: 'Battles'"),
    (["trends", "--event-type", "Protests"], "--all-types"),
    (["trends", "--since", "2024-07", "--until", "2024-03"], "after --until"),
    (["trends", "--since", "July"], "YYYY, YYYY-MM or YYYY-MM-DD"),
    (["trends", "--since", "2024-13"], "YYYY, YYYY-MM or YYYY-MM-DD"),
    (["export", "--since", "2024-02-30"], "YYYY, YYYY-MM or YYYY-MM-DD"),
    (["show", "nope"], "no incident 'nope'"),
    (["sql", "SELEC 1"], "syntax error"),
    (["sql", "SELECT 1", "--format", "parquet"], "needs --output"),
    (["sql", "SELECT 1 AS a", "--columns", "b"], "no column 'b'"),
])
def test_bad_input_is_one_line_and_exit_2(root, capsys, argv, needle):
    code, _, err = run(capsys, *argv, "--data", root)
    assert code == 2
    assert needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("command", [["trends"], ["sql", "SELECT 1"], ["show", "i1"], ["status"], ["export"],
                                     ["report", "--html", "x.html"]])
def test_a_missing_data_root_is_named(tmp_path, capsys, command):
    code, _, err = run(capsys, *command, "--data", str(tmp_path / "absent"))
    assert code == 2 and "no data root" in err and len(err.strip().splitlines()) == 1


def test_run_with_a_missing_feed_list_is_one_line(tmp_path, capsys):
    code, out, err = run(capsys, "run", "--feeds", str(tmp_path / "missing.yaml"), "--data", str(tmp_path))
    assert code == 2 and err.strip() == f"flarewatch run: no feed list at {tmp_path / 'missing.yaml'}"


def test_run_with_a_broken_feed_list_is_one_line(tmp_path, capsys):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds: [unclosed\n")
    code, out, err = run(capsys, "run", "--feeds", str(feeds), "--data", str(tmp_path))
    assert code == 2 and "not valid YAML" in err and len(err.strip().splitlines()) == 1 and out == ""


def test_a_valid_country_without_rows_gets_a_hint(root, capsys):
    code, out, err = run(capsys, "trends", "--data", root, "--country", "NGA")
    assert code == 0 and "countries in the data: IRQ, SYR" in err


def test_chart_series_keep_a_colour_each_and_their_sum():
    from flows.output import series

    rows = [{"period": "2024-01", "iso3": f"C{n:02d}", "incidents": n + 1} for n in range(14)]
    rows.append({"period": "2024-02", "iso3": None, "incidents": 0})  # a zero-filled month
    periods, stacks = series(rows, "iso3")
    assert periods == ["2024-01", "2024-02"] and len(stacks) == 10 and "other" in stacks
    assert sum(map(sum, stacks.values())) == sum(range(1, 15)) and stacks["other"] == [1 + 2 + 3 + 4 + 5, 0]


def test_trends_chart_is_written_before_the_table(root, tmp_path, capsys):
    target = tmp_path / "c.png"
    code, _, err = run(capsys, "trends", "--data", root, "--by", "week", "--all-types", "--chart", str(target))
    assert code == 0 and target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and "chart written" in err


# -- one definition of attack, readable by any tool ----------------------------------------------


def test_a_plain_parquet_count_equals_trends(root, capsys):
    _, out, _ = run(capsys, "trends", "--data", root, "--format", "json", "--group", "iso3")
    expected = {(r["period"], r["iso3"]): r["incidents"] for r in json.loads(out) if r["incidents"]}
    plain = duckdb.sql(
        f"SELECT strftime(event_date, '%Y-%m'), iso3, count(*) FROM read_parquet('{root}/incidents/*/*.parquet') "
        "WHERE status = 'active' AND is_attack AND event_date IS NOT NULL GROUP BY ALL").fetchall()
    assert {(m, c): n for m, c, n in plain} == expected
    stored = pq.read_table(f"{root}/attacks_per_month/attacks_per_month.parquet").to_pylist()
    totals: dict = {}
    for r in stored:
        key = (r["month"].strftime("%Y-%m"), r["iso3"])
        totals[key] = totals.get(key, 0) + r["incidents"]
    assert totals == expected


# -- sql -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("statement", [
    "COPY (SELECT 1) TO '{tmp}/out.csv'",
    "ATTACH '{tmp}/other.duckdb'",
    "CREATE TABLE t AS SELECT 1",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('{tmp}/secret.txt')",
    "SET enable_external_access = true",
])
def test_sql_is_read_only_by_default(root, tmp_path, capsys, statement):
    (tmp_path / "secret.txt").write_text("x")
    code, _, err = run(capsys, "sql", statement.format(tmp=tmp_path), "--data", root)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "other.duckdb").exists()


def test_sql_allow_write_runs_in_a_scratch_session(root, tmp_path, capsys):
    code, out, _ = run(capsys, "sql", f"COPY (SELECT 42 AS a) TO '{tmp_path}/out.csv'; SELECT 1 AS b",
                       "--allow-write", "--data", root, "--format", "csv")
    assert code == 0 and (tmp_path / "out.csv").read_text().split() == ["a", "42"]


def test_sql_prints_every_result_set_with_limit_and_formats(root, tmp_path, capsys):
    code, out, _ = run(capsys, "sql", "SELECT 1 AS a; SELECT * FROM range(5) AS t(b)", "--limit", "2", "--data", root)
    assert code == 0 and "result 1 of 2" in out and "result 2 of 2" in out
    code, out, _ = run(capsys, "sql", "SELECT * FROM range(5) AS t(b)", "--limit", "2", "--format", "json",
                       "--data", root)
    assert json.loads(out) == [{"b": 0}, {"b": 1}]
    target = tmp_path / "r.parquet"
    code, _, _ = run(capsys, "sql", "SELECT incident_id FROM attacks ORDER BY 1", "--format", "parquet",
                     "--output", str(target), "--data", root)
    assert pq.read_table(target).column("incident_id").to_pylist() == ["i1", "i2", "i3", "i6"]


def test_sql_wide_results_print_one_block_per_record(root, capsys):
    code, out, _ = run(capsys, "sql", "SELECT * FROM incidents WHERE incident_id = 'i1'", "--data", root)
    assert code == 0 and "-[ record 1 ]" in out and "…" not in out
    assert "Shelling/artillery/missile attack" in out


# -- show and export -----------------------------------------------------------------------------


def test_show_gives_the_sentence_with_the_figure_and_json(root, capsys):
    code, out, _ = run(capsys, "show", "i1", "--data", root)
    assert code == 0
    assert "Officials said 3 people were killed when a rocket hit the depot on Sunday." in out
    assert "market reopened" not in out and "https://o1.example/x" in out and "primary" in out
    code, out, _ = run(capsys, "show", "i1", "--data", root, "--format", "json")
    shown = json.loads(out)
    assert shown["incident"]["fatalities"] == 3 and shown["sources"][0]["evidence"] == LONG_TEXT


def test_export_acled_csv_has_acleds_columns_and_conventions(root, capsys):
    code, out, err = run(capsys, "export", "--data", root)
    rows = csv_rows(out)
    assert code == 0 and tuple(csv.reader(io.StringIO(out)).__next__()) == ACLED_COLUMNS
    by_id = {r["event_id_cnty"]: r for r in rows}
    assert set(by_id) == {"i1", "i2", "i3", "i4", "i6"}  # active incidents of every type; merged left out
    assert by_id["i2"]["fatalities"] == "0" and by_id["i2"]["tags"] == "fatalities not reported"
    assert by_id["i2"]["time_precision"] == "2" and by_id["i1"]["time_precision"] == "1"
    assert by_id["i1"]["iso"] == "368" and by_id["i1"]["country"] == "Iraq" and by_id["i1"]["year"] == "2024"
    assert by_id["i1"]["notes"].startswith("Officials said 3 people") and by_id["i1"]["source"] == "Outlet 1"
    assert by_id["i4"]["disorder_type"] == "Demonstrations"


def test_export_since_geojson_and_parquet(root, tmp_path, capsys):
    target = tmp_path / "out.geojson"
    code, _, _ = run(capsys, "export", "--data", root, "--format", "geojson", "--since", "2024-03",
                     "--output", str(target))
    features = json.loads(target.read_text())["features"]
    assert code == 0 and [f["id"] for f in features] == ["i3"]
    assert features[0]["geometry"]["coordinates"] == [23.0, 13.0]
    target = tmp_path / "out.parquet"
    run(capsys, "export", "--data", root, "--format", "parquet", "--output", str(target), "--attacks-only")
    table = pq.read_table(target)
    assert sorted(table.column("incident_id").to_pylist()) == ["i1", "i2", "i3", "i6"]
    assert table.column("fatalities").to_pylist().count(None) == 1  # the warehouse keeps NULL


@pytest.mark.filterwarnings("ignore:Logger 'prefect.flow_runs' attempted to send logs")  # no flow run here
def test_progress_line_rewrites_one_line_and_keeps_warnings():
    import logging

    from flows.progress import progress_line

    stream = io.StringIO()
    logger = logging.getLogger("prefect.flow_runs")
    with progress_line(True, stream):
        logger.info("3 feeds polled, 28 new entries")
        logger.info("chunk 1/2: 25 articles stored")
        logger.warning("feed x failed")
    text = stream.getvalue()
    assert text.count("\r\x1b[K… ") == 2 and "warning: feed x failed\n" in text
    quiet = io.StringIO()
    with progress_line(False, quiet):
        logger.info("not shown")
    assert quiet.getvalue() == "" and logger.propagate


def test_the_status_grid_shows_empty_months_as_gaps():
    from flows.trends_cmd import fill_grid

    grid = [{"month": "2023-11", "articles": "✔ 3", "incidents": "✔ 1", "last run": "r1"},
            {"month": "2024-02", "articles": "✔ 1", "incidents": "· 0", "last run": "r1"},
            {"month": "unknown", "articles": "", "incidents": "✔ 2", "last run": "r1"}]
    filled = fill_grid(grid)
    assert [r["month"] for r in filled] == ["2023-11", "2023-12", "2024-01", "2024-02", "unknown"]
    assert filled[1] == {"month": "2023-12", "articles": "· 0", "incidents": "· 0", "last run": ""}


def test_extract_output_dash_is_stdout(tmp_path, capsys, monkeypatch):
    source = tmp_path / "docs.jsonl"
    source.write_text(json.dumps({"id": "d1", "text": "Gunmen killed two farmers in a village in Zamfara State, "
                                  "Nigeria, on Monday, police said.", "published_at": "2024-07-02"}) + "\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "extract", "--input", str(source), "--output", "-")
    assert code == 0 and not (tmp_path / "-").exists()
    assert [json.loads(line)["doc_id"] for line in out.splitlines()] == ["d1"]


def test_a_refused_private_address_names_allow_host(capsys):
    from flows.output import print_summary

    print_summary({"feeds_polled": 1, "feeds_not_modified": 0, "feeds_failed": 1, "entries_seen": 0,
                   "new_articles": 0, "new_mentions": 0, "new_incidents": 0, "merges": 0,
                   "failures": [{"stage": "feed", "target": "local",
                                 "reason": "refused: 127.0.0.1 is a loopback address"}]})
    assert "--allow-host HOST" in capsys.readouterr().out


def test_sql_on_an_object_storage_root_cannot_reach_the_local_disk(tmp_path, capsys):
    """fsspec's in-memory file system stands in for s3:// (the same registered-file-system path)."""
    root = "memory://i16-sql/warehouse"
    parquet.upsert(root, "incidents", attacks.mark(INCIDENTS[:2]))
    code, out, _ = run(capsys, "sql", "SELECT count(*) AS n FROM incidents", "--data", root, "--format", "csv")
    assert code == 0 and out.split() == ["n", "2"]
    (tmp_path / "secret.txt").write_text("x")
    code, _, err = run(capsys, "sql", f"SELECT * FROM read_text('{tmp_path}/secret.txt')", "--data", root)
    assert code == 2 and "LocalFileSystem" in err
