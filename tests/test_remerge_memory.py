"""The re-merge reads mentions slimmed to what merging reads (`load_merge_mentions`): the merged
incidents are those of the whole records, a mention id stored twice included."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extractors.dedup import merge_mentions
from extractors.records import Mention
from warehouse import parquet
from warehouse.mentions import MERGE_BLANKS, load_mentions, load_merge_mentions

JULY = dt.datetime(2024, 7, 2, 9, tzinfo=dt.UTC)


def mention(n: int, article: int, day: dt.date | None, town: str, **changes: object) -> Mention:
    m = Mention(
        mention_id=f"m{n}", article_id=f"a{article}", outlet=f"outlet{article % 3}",
        reported_at=JULY + dt.timedelta(hours=n), event_type="Explosions/Remote violence",
        sub_event_type="Air/drone strike", event_date=day, date_precision="day" if day else "year", iso3="IRQ",
        admin1="Al Anbar", location=town, latitude=None, longitude=None, geo_precision=1, actor1=None,
        actor2=None, fatalities=n % 4, injuries=None, weapons=("drone",), munitions=None, role="primary",
        evidence=f"Sentence {n}: a drone struck {town}.", evidence_start=10 * n, evidence_end=10 * n + 9,
        confidence=0.5 + n / 100, extractor_version="test", why=(f"rule{n % 2}",),
    )
    return dataclasses.replace(m, **changes)


def window() -> list[Mention]:
    """Reports of two strikes from several articles, one undated, one reference, one aggregate."""
    out = [mention(n, n, dt.date(2024, 7, 1 + n % 2), ("Ramadi", "Hit")[n % 2]) for n in range(1, 9)]
    out.append(mention(9, 9, None, "Ramadi"))
    out.append(mention(10, 10, dt.date(2024, 7, 1), "Ramadi", role="reference", refers_to="x"))
    out.append(mention(11, 11, dt.date(2024, 6, 30), "Hit", role="aggregate"))
    out.append(mention(12, 12, dt.date(2024, 8, 20), "Fallujah", actor1="Islamic State"))
    return out


def store(root, mentions: list[Mention], at: dt.datetime = JULY) -> None:
    parquet.upsert(root, "mentions", [dataclasses.asdict(m) | {"ingested_at": at} for m in mentions])


def test_slim_records_are_the_stored_ones_without_the_fields_and_roles_merging_never_reads(tmp_path):
    store(tmp_path, window())
    months = ["2024-06", "2024-07", "2024-08", "unknown"]
    whole = sorted(load_mentions(tmp_path, event_months=months), key=lambda m: m.mention_id)
    slim = sorted(load_merge_mentions(tmp_path, months), key=lambda m: m.mention_id)
    assert [dataclasses.replace(m, **MERGE_BLANKS) for m in whole if m.role != "aggregate"] == slim
    assert {m.mention_id for m in slim} == {f"m{n}" for n in range(1, 13)} - {"m11"}  # m11: an aggregate
    assert all(m.evidence == "" and m.why == () for m in slim)
    assert slim[0].iso3 is slim[1].iso3 and slim[0].weapons is slim[1].weapons  # one object per value
    assert merge_mentions(slim) == merge_mentions(whole)
    assert {m.mention_id for m in load_merge_mentions(tmp_path, ["2024-08"])} == {"m12"}


def test_a_mention_id_stored_in_two_months_comes_back_whole_so_the_merge_picks_the_same_copy(tmp_path):
    store(tmp_path, window())
    # the same id in a second ingest month, written past the store's writes (which keep one copy
    # of an id): an older or damaged store
    stored = pq.read_table(tmp_path / "mentions" / "ingest_month=2024-07" / "data.parquet")
    copy = stored.filter(pc.equal(stored["mention_id"], "m3"))
    copy = copy.set_column(copy.schema.get_field_index("evidence"), "evidence", pa.array(["Another wording."]))
    copy = copy.set_column(copy.schema.get_field_index("fatalities"), "fatalities", pa.array([7]))
    (tmp_path / "mentions" / "ingest_month=2024-09").mkdir()
    pq.write_table(copy, tmp_path / "mentions" / "ingest_month=2024-09" / "data.parquet")
    months = ["2024-06", "2024-07", "2024-08"]
    whole = load_mentions(tmp_path, event_months=months)
    assert sum(m.mention_id == "m3" for m in whole) == 2
    slim = load_merge_mentions(tmp_path, months)
    assert sorted(repr(m) for m in slim if m.mention_id == "m3") == sorted(
        repr(m) for m in whole if m.mention_id == "m3")
    assert len(slim) == len(whole) - 1  # the aggregate left out
    assert merge_mentions(slim) == merge_mentions(whole)


def test_undated_mentions_are_read_for_the_unknown_month_and_only_for_it(tmp_path):
    store(tmp_path, window())
    assert {m.mention_id for m in load_mentions(tmp_path, event_months=["unknown"])} == {"m9"}
    assert {m.mention_id for m in load_merge_mentions(tmp_path, ["unknown"])} == {"m9"}
    assert "m9" not in {m.mention_id for m in load_mentions(tmp_path, event_months=["2024-07"])}


def test_slim_records_read_file_by_file_are_the_whole_read_and_share_values_across_files(tmp_path):
    mentions = window()
    for k in range(0, len(mentions), 4):  # three files, as three chunks of a run write them
        parquet.add(tmp_path, "mentions", [dataclasses.asdict(m) | {"ingested_at": JULY} for m in mentions[k:k + 4]])
    assert len(list((tmp_path / "mentions" / "ingest_month=2024-07").glob("*.parquet"))) == 3
    months = ["2024-06", "2024-07", "2024-08", "unknown"]
    whole = load_mentions(tmp_path, event_months=months)
    slim = load_merge_mentions(tmp_path, months)
    assert [dataclasses.replace(m, **MERGE_BLANKS) for m in whole if m.role != "aggregate"] == slim
    by_id = {m.mention_id: m for m in slim}
    first, last = by_id["m1"], by_id["m12"]  # written to the first and the last file
    assert first.iso3 is last.iso3 and first.extractor_version is last.extractor_version
