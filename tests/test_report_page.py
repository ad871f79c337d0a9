"""The report page a poll writes reads what it shows by key and from the materialised counts; it
must show what the DuckDB views over every row show: the latest attacks with their sources, and the
trends numbers with their footer."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from extractors.records import Article, Mention
from flows import report_page, trends_cmd
from tests.test_cli_analyst import LONG_TEXT, T0, incident
from warehouse import attacks, catalog, parquet
from warehouse.handle import Warehouse

DAY = dt.date(2024, 3, 9)
INCIDENTS = [
    incident(1, dt.date(2024, 1, 3), "IRQ", "Explosions/Remote violence", "Air/drone strike", 3),
    incident(2, DAY, "SYR", "Battles", "Armed clash", None),
    incident(3, DAY, "IRQ", "Battles", "Armed clash", 1),  # same day as 2: the id orders them (2 first)
    incident(4, dt.date(2024, 3, 20), "IRQ", "Protests", "Peaceful protest", 0),  # not an attack
    incident(5, dt.date(2024, 3, 21), "IRQ", "Battles", "Armed clash", 5, status="merged"),  # not current
    incident(6, None, "IRQ", "Battles", "Armed clash", 1),  # undated: last
    incident(7, dt.date(2024, 2, 2), "IRQ", "Strategic developments", "Disrupted weapons use", 0),
]
# incident 3 cites two reports and one mention no longer stored; 1's article has two versions
CITES = {"i3": ("m3", "m3b", "m-gone")}


def article(n: str, fetched: dt.datetime, sha: str, outlet: str | None) -> Article:
    return Article(article_id=f"a{n}", canonical_url=f"https://o{n}.example/x", url=f"https://o{n}.example/{sha}",
                   feed_id="f", outlet=outlet, title="t", author=None, text=LONG_TEXT, published_at=fetched,
                   site_name=None, language="en", content_sha256=sha, raw_path=None, fetched_at=fetched,
                   extractor_version="x")


def mention(mid: str, aid: str, outlet: str | None, deaths: int | None) -> dict:
    m = Mention(mention_id=mid, article_id=aid, outlet=outlet, reported_at=T0, event_type="Battles",
                sub_event_type="Armed clash", event_date=DAY, date_precision="day", iso3="IRQ", admin1=None,
                location=None, latitude=None, longitude=None, geo_precision=None, actor1=None, actor2=None,
                fatalities=deaths, injuries=None, weapons=(), munitions=None, role="primary", evidence=LONG_TEXT,
                evidence_start=0, evidence_end=len(LONG_TEXT), confidence=0.8, extractor_version="x")
    return {**dataclasses.asdict(m), "ingested_at": T0}


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Warehouse:
    root = Warehouse.open(tmp_path_factory.mktemp("page"))
    stored = [dataclasses.replace(i, mention_ids=CITES.get(i.incident_id, i.mention_ids)) for i in INCIDENTS]
    by_month: dict[str, list] = {}
    for i in stored:
        by_month.setdefault(i.event_date.strftime("%Y-%m") if i.event_date else "unknown", []).append(i)
    later = T0 + dt.timedelta(days=1)
    parquet.append(root, "articles", [
        article("1", T0, "s1-old", "Old name"), article("1", later, "s1-new", "New name"),
        article("3", T0, "s3-b", "Outlet 3"), article("3", T0, "s3-a", "Outlet 3 (a)"),  # same fetch: lowest hash
        article("3b", later, "s3b", None),  # no outlet on the article: the mention's
        *(article(str(n), T0 - dt.timedelta(days=n), f"s{n}", f"Outlet {n}") for n in (2, 4, 5, 6, 7))])
    parquet.upsert(root, "mentions", [
        mention("m1", "a1", None, 3), mention("m3", "a3", None, 1), mention("m3b", "a3b", "From the mention", 2),
        *(mention(f"m{n}", f"a{n}", None, 0) for n in (2, 4, 5, 6, 7))])
    # merged after their reports are stored, as a run merges: the kept latest attacks hold their sources
    for month, rows in by_month.items():
        parquet.replace_partitions(root, "incidents", {month: attacks.mark(rows)})
        attacks.write_per_month(root, [month])
    return root


def latest_by_views(root: Warehouse, n: int) -> list[dict]:
    """The query the page made before: the DuckDB views over every incident, mention and article."""
    with catalog.connect(root) as con:
        found = catalog.query(con, "SELECT * FROM attacks ORDER BY event_date DESC NULLS LAST, incident_id LIMIT ?",
                              [n]).to_pylist()
        sources = catalog.query(con, "SELECT * FROM incident_sources WHERE list_contains($ids, incident_id) "
                                "ORDER BY published_at NULLS LAST, mention_id",
                                {"ids": [i["incident_id"] for i in found]}).to_pylist()
    for i in found:
        i["sources"] = [s for s in sources if s["incident_id"] == i["incident_id"]]
    return found


@pytest.mark.parametrize("n", [0, 1, 2, 4, 5, 20])
def test_the_latest_attacks_by_key_are_the_views_latest(root, n):
    shown = attacks.latest(root, n)
    expected = latest_by_views(root, n)
    assert [report_page.incident_block(i) for i in shown] == [report_page.incident_block(i) for i in expected]
    assert [i["incident_id"] for i in shown] == ["i2", "i3", "i7", "i1", "i6"][:n]


def test_a_sources_outlet_and_url_are_its_articles_latest_version(root):
    by_id = {i["incident_id"]: i for i in attacks.latest(root, 5)}
    assert [(s["outlet"], s["url"]) for s in by_id["i1"]["sources"]] == [("New name", "https://o1.example/s1-new")]
    assert [(s["mention_id"], s["outlet"]) for s in by_id["i3"]["sources"]] == [
        ("m3", "Outlet 3 (a)"), ("m3b", "From the mention"), ("m-gone", None)]


def test_the_trends_from_the_materialised_counts_are_the_views_trends(root):
    from_counts = trends_cmd.compute(root, by="month", group=("iso3",), counted=attacks.country_months(root))
    assert from_counts == trends_cmd.compute(root, by="month", group=("iso3",))
    assert any("1 matching incidents have no event date" in line for line in from_counts.footer)
    assert any("; 5 dated active incidents of any type" in line for line in from_counts.footer)


def test_a_much_reported_attack_shows_its_earliest_reports_and_counts_the_rest(tmp_path):
    root = Warehouse.open(tmp_path)
    many = attacks.SOURCES_SHOWN + 3
    parquet.append(root, "articles", [article(f"r{k:02d}", T0 + dt.timedelta(hours=k), f"s{k}", f"Outlet {k}")
                                      for k in range(many)])
    parquet.upsert(root, "mentions", [mention(f"m{k:02d}", f"ar{k:02d}", None, 1) for k in range(many)])
    told = dataclasses.replace(INCIDENTS[1], mention_ids=tuple(f"m{k:02d}" for k in reversed(range(many))))
    parquet.replace_partitions(root, "incidents", {"2024-03": attacks.mark([told])})
    read, evidence_read = parquet.read, []

    def spy(*args, **kwargs):  # the mentions read with their evidence: only the sources shown
        if "evidence" in (kwargs.get("columns") or ()):
            evidence_read.extend(kwargs["keys"])
        return read(*args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parquet, "read", spy)
        attacks.write_per_month(root, ["2024-03"])
    assert sorted(evidence_read) == [f"m{k:02d}" for k in range(attacks.SOURCES_SHOWN)]
    [shown] = attacks.latest(root, 1)
    assert shown["sources_total"] == many
    assert [s["mention_id"] for s in shown["sources"]] == [f"m{k:02d}" for k in range(attacks.SOURCES_SHOWN)]
    assert "and 3 more reports: flarewatch show i2" in report_page.incident_block(shown)
    # all shown: no line is added
    few = shown | {"sources": shown["sources"][:2], "sources_total": 2}
    assert "more report" not in report_page.incident_block(few)
