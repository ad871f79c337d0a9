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


def test_trends_writes_csv_json_and_a_png_chart(tmp_path, capsys):
    """Counts from hand-made incidents: two attacks in July (one Iraqi), one in August, and a protest."""
    import datetime as dt

    from extractors.records import Incident
    from warehouse import parquet

    def incident(n: int, day: dt.date, iso3: str, event_type: str, sub: str, deaths: int | None) -> Incident:
        return Incident(
            incident_id=f"i{n}", status="active", merged_into=None, event_type=event_type, sub_event_type=sub,
            event_date=day, date_precision="day", iso3=iso3, admin1=None, location=None, latitude=None,
            longitude=None, geo_precision=None, actor1=None, actor2=None, fatalities=deaths,
            fatalities_min=deaths, fatalities_max=deaths, injuries=None, weapons=(), munitions=None,
            n_mentions=1, n_articles=1, n_outlets=1, first_reported_at=None, updated_at=None, mention_ids=(f"m{n}",),
        )

    parquet.upsert(tmp_path, "incidents", [
        incident(1, dt.date(2024, 7, 3), "IRQ", "Explosions/Remote violence", "Air/drone strike", 2),
        incident(2, dt.date(2024, 7, 9), "SYR", "Battles", "Armed clash", None),
        incident(3, dt.date(2024, 8, 1), "IRQ", "Explosions/Remote violence", "Grenade", 1),
        incident(4, dt.date(2024, 8, 2), "IRQ", "Protests", "Peaceful protest", 0),
    ])
    assert main(["trends", "--data", str(tmp_path), "--format", "csv", "--group", "event_type"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "period,event_type,incidents,fatalities,fatalities_reported"
    assert lines[1:] == [
        "2024-07,Battles,1,0,0",
        "2024-07,Explosions/Remote violence,1,2,1",
        "2024-08,Explosions/Remote violence,1,1,1",
    ]
    chart = tmp_path / "chart.png"
    assert main(["trends", "--data", str(tmp_path), "--country", "IRQ", "--format", "json", "--chart", str(chart)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["period"], r["country"], r["incidents"]) for r in rows] == [
        ("2024-07", "Iraq", 1), ("2024-08", "Iraq", 1)]
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sql_help_names_every_view_a_query_can_read(tmp_path):
    from warehouse import catalog

    description = build_parser()._subparsers._group_actions[0].choices["sql"].description
    named = {word.strip(".,:()") for word in description.split()}
    with catalog.connect(tmp_path / "data") as con:
        views = {row[0] for row in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert views and views <= named, sorted(views - named)
