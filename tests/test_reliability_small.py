"""Reliability, round two (issue 14, row 10): the small ones."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from extractors.articles import extract_article
from flows import cli

NOW = dt.datetime(2024, 5, 20, 12, tzinfo=dt.UTC)
PAGE = ('<html lang="en"><head><meta charset="utf-16"><title>Story</title></head><body><article>'
        + "".join(f"<p>Gunmen attacked a village near the river on Monday and residents fled to the "
                  f"nearby town, officials said in a statement. Paragraph {i} goes on.</p>" for i in range(6))
        + "</article></body></html>")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_row10_a_utf16_page_yields_an_article(encoding: str) -> None:
    article = extract_article(PAGE.encode(encoding), url="https://news.example.com/a", feed_entry=None,
                              fetched_at=NOW, raw_path=None, outlet=None)
    assert article is not None and article.language == "en"
    assert article.text.startswith("Gunmen attacked a village near the river on Monday")


def test_row10_no_telemetry_from_the_tests_or_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect._internal.analytics.enabled import is_telemetry_enabled
    from prefect.settings import get_current_settings

    assert os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"  # tests/conftest.py
    assert not is_telemetry_enabled()
    assert get_current_settings().server.analytics_enabled is False
    for name in ("PREFECT_SERVER_ANALYTICS_ENABLED", "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY", "DO_NOT_TRACK"):
        monkeypatch.delenv(name, raising=False)
    cli._quiet_prefect(verbose=True)  # noqa: SLF001 - what every command runs before Prefect starts
    assert (os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"], os.environ["PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY"],
            os.environ["DO_NOT_TRACK"]) == ("false", "false", "1")


def test_row10_s3_without_credentials_is_one_line_and_exit_2(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("s3fs")
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-metadata look-up either
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    assert cli.main(["status", "--data", "s3://flarewatch-no-such-bucket/data"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("flarewatch status: no credentials for the object store (")
    assert err.count("\n") == 1


def test_row2_the_cli_run_summary_names_the_articles_over_budget(capsys: pytest.CaptureFixture[str]) -> None:
    from flows.output import print_summary

    summary = {"feeds_polled": 1, "feeds_not_modified": 0, "feeds_failed": 0, "entries_seen": 2, "new_articles": 2,
               "new_mentions": 1, "new_incidents": 1, "merges": 0, "failures": [],
               "over_budget": ["https://news.example.com/huge"]}
    print_summary(summary)
    assert "  stored uncoded (over the coding budget): https://news.example.com/huge\n" in capsys.readouterr().out
