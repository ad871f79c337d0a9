"""Flow run states tell the truth, read back from the Prefect API (the test harness's server):

- a poll in which every feed failed is Failed, its message naming each feed; `flarewatch run` exits 3;
- a partly failed poll is Completed, with a WARNING log line per failure, a `failures` table
  artifact and the feed health table in its summary, all keyed by the data root;
- a backfill month whose every article failed is Failed (and so is the backfill); a month with
  some failures is Completed with its failures artifact, and the backfill publishes a summary.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extractors.months import utcnow
from extractors.records import Failure
from flows.report import artifact_key, total_failure
from flows.steps import RunSummary

DEAD = "http://127.0.0.1:9/feed.xml"  # the discard port: connection refused


def test_total_failure_names_every_feed_or_every_page_and_nothing_less():
    summary = RunSummary(run_id="r", started_at=utcnow(), feeds_polled=2)
    summary.failures = [Failure("feed", "a", "HTTP 500"), Failure("feed", "b", "refused")]
    assert total_failure(summary, pages_tried=0) == "every feed failed (2 of 2): a: HTTP 500; b: refused"
    summary.failures = [Failure("feed", "a", "HTTP 500")]
    assert total_failure(summary, pages_tried=0) is None
    summary.failures = [Failure("fetch", "u1", "HTTP 404"), Failure("fetch", "u2", "timeout")]
    assert total_failure(summary, pages_tried=3) is None
    assert total_failure(summary, pages_tried=2) == "every new page failed (2 of 2): u1: HTTP 404; u2: timeout"
    summary.new_articles = 1
    assert total_failure(summary, pages_tried=2) is None


def write_feeds(path: Path, feeds: dict[str, str]) -> Path:
    path.write_text("feeds:\n" + "".join(f"  - id: {i}\n    url: {u}\n    outlet: {i}\n" for i, u in feeds.items()),
                    encoding="utf-8")
    return path


def client():  # noqa: ANN201
    from prefect.client.orchestration import get_client

    return get_client(sync_client=True)


def artifacts(key: str) -> list:
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with client() as c:
        return c.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))


def warnings_of(flow_run_id: str) -> list[str]:
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId, LogFilterLevel
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()
    with client() as c:
        logs = c.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]),
                                                level=LogFilterLevel(ge_=30)))
    return [log.message for log in logs]


@pytest.fixture(scope="module")
def demo_feed(prefect_harness):
    from flows.demo import serve_demo

    with serve_demo() as base_url:
        yield f"{base_url}/feeds/levant-wire.xml"


@pytest.mark.slow
def test_a_poll_where_every_feed_failed_is_failed_and_run_exits_3(prefect_harness, tmp_path, capsys):
    from prefect.client.schemas.objects import StateType

    from flows.cli import main
    from flows.ingest import PollFailed, ingest

    feeds = write_feeds(tmp_path / "feeds.yaml", {"dead-one": DEAD, "dead-two": DEAD.replace("feed", "other")})
    with pytest.raises(PollFailed) as failed:
        ingest(feeds=str(feeds), data=str(tmp_path / "data"), allow_hosts=["127.0.0.1"])
    with client() as c:
        state = c.read_flow_run(failed.value.summary["run_id"]).state
    assert state.type == StateType.FAILED
    assert "every feed failed (2 of 2)" in state.message and "dead-one" in state.message and "dead-two" in state.message
    assert main(["run", "--feeds", str(feeds), "--data", str(tmp_path / "data"), "--allow-host", "127.0.0.1"]) == 3
    captured = capsys.readouterr()
    assert "the poll failed: every feed failed" in captured.err and "2 failed" in captured.out


@pytest.mark.slow
def test_a_partly_failed_poll_completes_with_warnings_and_a_failures_artifact(prefect_harness, demo_feed, tmp_path):
    from prefect.client.schemas.objects import StateType

    from flows.ingest import ingest

    root = str(tmp_path / "data")
    feeds = write_feeds(tmp_path / "feeds.yaml", {"levant": demo_feed, "dead": DEAD})
    summary = ingest(feeds=str(feeds), data=root, allow_hosts=["127.0.0.1"])
    assert summary["new_articles"] > 0 and [f["target"] for f in summary["failures"]] == ["dead"]
    with client() as c:
        assert c.read_flow_run(summary["run_id"]).state.type == StateType.COMPLETED
    assert any("feed dead failed" in m for m in warnings_of(summary["run_id"]))
    failures = artifacts(artifact_key("failures", root))
    assert failures and "dead" in str(failures[0].data) and str(failures[0].flow_run_id) == summary["run_id"]
    report = artifacts(artifact_key("ingest-summary", root))[0].data
    assert "## Feeds" in report and "| levant | ok |" in report and "| dead | error |" in report
    assert artifacts(artifact_key("attacks-per-month", root))
    assert not artifacts(artifact_key("failures", str(tmp_path / "elsewhere")))  # keys differ per data root
    # the report page of `flarewatch report --html`, written after the run and linked as an artifact
    page = Path(root) / "reports" / "latest.html"
    link = artifacts(artifact_key("report", root))[0]
    assert link.data.startswith("[flarewatch report") and page.resolve().as_uri() in link.data
    assert "<h1>flarewatch report</h1>" in page.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def ingested(prefect_harness, demo_feed, tmp_path_factory) -> Path:
    from flows.ingest import ingest

    root = tmp_path_factory.mktemp("states") / "data"
    feeds = write_feeds(tmp_path_factory.mktemp("f") / "feeds.yaml", {"levant": demo_feed})
    ingest(feeds=str(feeds), data=str(root), allow_hosts=["127.0.0.1"])
    return root


def copy_without_raw(source: Path, target: Path, keep: int | None) -> tuple[Path, str]:
    """A copy of `source` whose raw pages of its fullest month are gone, all but `keep` of them."""
    from warehouse import partitions

    shutil.copytree(source, target)
    months = partitions.articles_by_month(str(target))
    month, refs = max(months.items(), key=lambda item: len(item[1]))
    assert len(refs) >= 2
    for ref in refs[keep or 0:]:
        gone = [p.unlink() for p in target.rglob(Path(ref["raw_path"]).name)]
        assert gone
    return target, month


def month_runs(month: str) -> list:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
    from prefect.client.schemas.sorting import FlowRunSort

    with client() as c:
        return c.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[month])),
                                sort=FlowRunSort.START_TIME_DESC, limit=1)


@pytest.mark.slow
def test_a_backfill_month_whose_every_article_failed_is_failed(ingested, tmp_path, capsys):
    from prefect.client.schemas.objects import StateType

    from flows.cli import main

    root, month = copy_without_raw(ingested, tmp_path / "data", keep=None)
    assert main(["backfill", "--data", str(root), "--start", month, "--end", month, "--reprocess", "all"]) == 1
    run = month_runs(month)[0]
    assert run.state.type == StateType.FAILED and "not re-coded" in run.state.message
    assert artifacts(artifact_key(f"failures-{month}", str(root)))
    summary = artifacts(artifact_key("backfill-summary", str(root)))
    assert summary and month in str(summary[0].data)
    with client() as c:
        assert c.read_flow_run(summary[0].flow_run_id).state.type == StateType.FAILED


@pytest.mark.slow
def test_a_backfill_month_with_some_failures_completes_with_them_in_an_artifact(ingested, tmp_path):
    from prefect.client.schemas.objects import StateType

    from flows.cli import main

    root, month = copy_without_raw(ingested, tmp_path / "data", keep=1)
    assert main(["backfill", "--data", str(root), "--start", month, "--end", month, "--reprocess", "all"]) == 1
    run = month_runs(month)[0]
    assert run.state.type == StateType.COMPLETED
    assert any("not re-coded" in m or "failed" in m for m in warnings_of(str(run.id)))
    assert artifacts(artifact_key(f"failures-{month}", str(root)))
    assert artifacts(artifact_key(f"backfill-{month}", str(root)))
