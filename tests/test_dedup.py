"""Merging mentions into incidents: the cases the counts depend on, and order-independence as a property."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.dedup import incident_id_for, merge_mentions
from extractors.records import Incident, Mention

T0 = dt.datetime(2023, 11, 12, 23, 0, tzinfo=dt.UTC)
DAY = dt.date(2023, 11, 12)


def mention(mid: str, article: str, outlet: str | None = None, hours: float = 0, **kw: object) -> Mention:
    """A US strike in eastern Syria as one article reports it; keywords override any field."""
    fields: dict = dict(
        mention_id=mid, article_id=article, outlet=outlet or f"outlet-{article}",
        reported_at=T0 + dt.timedelta(hours=hours), event_type="Explosions/Remote violence",
        sub_event_type="Air/drone strike", event_date=DAY, date_precision="day", iso3="SYR",
        admin1="Deir ez-Zor", location="Mayadin", latitude=None, longitude=None, geo_precision=1,
        actor1="US military", actor2="Iran-backed militia", fatalities=None, injuries=None, weapons=(),
        munitions=None, role="primary", evidence="US jets struck a site.", evidence_start=0, evidence_end=22,
        confidence=0.9, extractor_version="test",
    )
    fields.update(kw)
    return Mention(**fields)


def active(incidents: tuple[Incident, ...]) -> list[Incident]:
    return [i for i in incidents if i.status == "active"]


def partition(incidents: tuple[Incident, ...]) -> set[frozenset[str]]:
    return {frozenset(i.mention_ids) for i in active(incidents)}


def test_wire_copies_from_two_outlets_merge() -> None:
    a = mention("a#0", "a", "reuters.com", fatalities=3, weapons=("missile",))
    b = mention("b#0", "b", "aljazeera.com", hours=2, location=None, fatalities=3, weapons=("drone",))
    [inc] = merge_mentions([a, b])
    assert (inc.n_mentions, inc.n_articles, inc.n_outlets) == (2, 2, 2)
    assert inc.location == "Mayadin"  # the more precise report names the town
    assert inc.weapons == ("drone", "missile")
    assert inc.incident_id == incident_id_for("a#0")
    assert (inc.first_reported_at, inc.updated_at) == (a.reported_at, b.reported_at)


def test_two_attacks_in_one_article_stay_two_and_pair_with_their_own_copies() -> None:
    vague = dict(admin1=None, location=None, actor2=None)
    one = [mention("a#0", "a", **vague), mention("a#1", "a", evidence_start=30, evidence_end=60, **vague)]
    two = [mention("b#0", "b", hours=1, **vague),
           mention("b#1", "b", hours=1, evidence_start=40, evidence_end=70, **vague)]
    assert len(merge_mentions(one)) == 2
    assert partition(merge_mentions(one + two)) == {frozenset({"a#0", "b#0"}), frozenset({"a#1", "b#1"})}


@pytest.mark.parametrize("reprints", [1, 3, 60])
def test_reprints_of_one_report_do_not_change_the_incidents(reprints: int) -> None:
    """Two wire stories of one strike, each reprinted by `reprints` outlets, beside a second strike:
    as many incidents, with the same figures, whether each story is printed once or sixty times
    (more than the best partners a node keeps, which a node per reprint filled with its own copies)."""
    story = [mention("a#0", "a", fatalities=4, location=None),
             mention("b#0", "b", hours=5, fatalities=6, actor2=None, event_date=DAY + dt.timedelta(days=1)),
             mention("c#0", "c", hours=1, location="Abu Kamal", actor1="Israeli military", actor2=None)]
    once = active(merge_mentions(story))
    printed = [replace(m, mention_id=f"{m.mention_id}-{k}", article_id=f"{m.article_id}-{k}",
                       outlet=f"outlet{k}", reported_at=m.reported_at + dt.timedelta(minutes=k))
               for m in story for k in range(reprints)]
    merged = active(merge_mentions(random.Random(reprints).sample(printed, len(printed))))
    assert len(once) == 2
    def told(i: Incident, times: int = 1) -> tuple[object, ...]:
        return i.location or "", i.fatalities, i.fatalities_max, times * i.n_mentions, times * i.n_articles

    assert sorted(told(i) for i in merged) == sorted(told(i, reprints) for i in once)


def test_an_article_telling_two_look_alike_attacks_keeps_them_apart_among_reprints() -> None:
    """Copies of one report are one node only across articles: the same coded strike twice in one
    article (two places in its text) is two incidents, each reprint's first with the first."""
    vague = dict(admin1=None, location=None, actor2=None)
    later = dict(evidence_start=30, evidence_end=60)
    ms = [m for k in range(3) for m in (mention(f"a{k}#0", f"a{k}", hours=k, **vague),
                                         mention(f"a{k}#1", f"a{k}", hours=k, **later, **vague))]
    assert partition(merge_mentions(ms)) == {frozenset({"a0#0", "a1#0", "a2#0"}), frozenset({"a0#1", "a1#1", "a2#1"})}


def test_later_update_with_higher_toll_merges_and_keeps_the_lowest_figure() -> None:
    first = mention("a#0", "a", fatalities=5, injuries=10)
    update = mention("b#0", "b", "outlet-a", hours=20, fatalities=12, injuries=8)  # the same outlet, later
    [before] = merge_mentions([first])
    [after] = merge_mentions([first, update])
    assert after.incident_id == before.incident_id  # a later report does not change the id
    assert (after.fatalities, after.fatalities_min, after.fatalities_max) == (5, 5, 12)
    assert (after.injuries, after.n_articles, after.n_outlets) == (8, 2, 1)
    assert after.updated_at == update.reported_at


def test_background_mention_merges_with_the_report_of_its_own_day() -> None:
    primary = mention("a#0", "a", date_precision="week", actor2=None)
    recalled = mention("z#2", "z", hours=24 * 20, role="background", location="al-Mayadin", fatalities=6)
    other_day = mention("q#0", "q", hours=24 * 6, event_date=DAY + dt.timedelta(days=6))
    [later, inc] = sorted(active(merge_mentions([recalled, other_day, primary])), key=lambda i: i.n_mentions)
    assert set(inc.mention_ids) == {"a#0", "z#2"}
    assert (inc.event_date, inc.date_precision) == (DAY, "day")  # the recalled date is the precise one
    assert later.mention_ids == ("q#0",)


def test_different_towns_on_the_same_day_stay_distinct() -> None:
    ms = [mention("a#0", "a"), mention("b#0", "b", location="Abu Kamal"),
          mention("c#0", "c", location="Mayadeen")]  # a spelling of the first town
    assert partition(merge_mentions(ms)) == {frozenset({"a#0", "c#0"}), frozenset({"b#0"})}


def test_a_strike_and_the_reprisal_it_answers_stay_distinct() -> None:
    # same sub-type, day and town: only who struck whom tells them apart
    attack = mention("a#0", "a", actor1="Kataib Hezbollah", actor2="US forces")
    reprisal = mention("b#0", "b", hours=3, actor1="US forces", actor2="Kataib Hezbollah")
    assert len(merge_mentions([attack, reprisal])) == 2
    battle = dict(event_type="Battles", sub_event_type="Armed clash")  # a battle has no attacker and target
    assert len(merge_mentions([replace(attack, **battle), replace(reprisal, **battle)])) == 1


def test_compatible_families_merge_and_others_do_not() -> None:
    strike = mention("a#0", "a")
    intercepted = mention("b#0", "b", event_type="Strategic developments",
                          sub_event_type="Disrupted weapons use")  # another outlet: "drones shot down"
    clash = mention("c#0", "c", event_type="Battles", sub_event_type="Armed clash")
    assert partition(merge_mentions([strike, intercepted, clash])) == {
        frozenset({"a#0", "b#0"}), frozenset({"c#0"})}


def test_two_day_dates_more_than_a_day_apart_stay_distinct() -> None:
    ms = [mention("a#0", "a"), mention("b#0", "b", event_date=DAY + dt.timedelta(days=2))]
    assert len(merge_mentions(ms)) == 2


def test_the_same_span_coded_by_two_coder_versions_is_one_incident() -> None:
    twice = [mention("a#0", "a"), mention("a#0b", "a", location=None, extractor_version="older")]
    assert partition(merge_mentions(twice)) == {frozenset({"a#0", "a#0b"})}


def test_incidents_one_coder_reads_from_one_sentence_stay_apart() -> None:
    # "US jets struck three sites": the coder codes one strike per site on the same span
    sites = [mention(f"a#{k}", "a") for k in range(3)]
    assert len(active(merge_mentions(sites))) == 3
    # "US strikes militia sites after a drone attack on its troops": the reprisal and the attack
    after = [mention("b#0", "b"), mention("b#1", "b", sub_event_type="Shelling/artillery/missile attack",
                                         actor1="Iran-backed militia", actor2="US military")]
    assert len(active(merge_mentions(after))) == 2


def test_previous_ids_absorbed_into_another_come_back_as_merged_tombstones() -> None:
    first, second = mention("a#0", "a"), mention("b#0", "b", hours=5, location=None)
    stored = merge_mentions([first]) + merge_mentions([second])  # two runs that never saw each other
    result = merge_mentions([first, second], previous=stored)
    by_id = {i.incident_id: i for i in result}
    survivor, absorbed = incident_id_for("a#0"), incident_id_for("b#0")
    assert by_id[survivor].status == "active" and by_id[survivor].n_mentions == 2
    assert (by_id[absorbed].status, by_id[absorbed].merged_into) == ("merged", survivor)
    again = merge_mentions([first, second], previous=result)  # tombstones stay, nothing else changes
    assert again == result


def test_a_new_article_merges_into_an_incident_stored_earlier_without_its_mentions() -> None:
    stored = merge_mentions([mention("a#0", "a", fatalities=2), mention("b#0", "b", hours=1)])
    [inc] = merge_mentions([mention("c#0", "c", hours=30, fatalities=4)], previous=stored)
    assert inc.incident_id == stored[0].incident_id
    assert (inc.n_mentions, inc.n_articles) == (3, 3)
    assert (inc.fatalities, inc.fatalities_max) == (2, 4)
    assert merge_mentions([], previous=stored) == stored  # a stand-in alone is returned as it was


def test_mentions_passed_with_a_stored_incident_stay_with_it() -> None:
    [inc] = merge_mentions([mention("a#0", "a")])
    stored = replace(inc, mention_ids=("a#0", "b#0"), n_mentions=2, n_articles=2)  # merged by older rules
    [again] = merge_mentions([mention("b#0", "b", location="Abu Kamal")], previous=[stored])
    assert (again.incident_id, again.mention_ids, again.n_articles) == (inc.incident_id, ("a#0", "b#0"), 2)


def test_reingesting_the_same_articles_changes_nothing() -> None:
    ms = [mention("a#0", "a", fatalities=2), mention("b#0", "b", hours=1),
          mention("c#0", "c", location="Abu Kamal")]
    first = merge_mentions(ms)
    assert merge_mentions(ms + ms[:2], previous=first) == first
    assert merge_mentions(ms[1:2], previous=first) == first  # only one article re-ingested


def test_a_late_report_moves_an_incident_to_another_month() -> None:
    nov30 = dt.date(2023, 11, 30)
    early = mention("a#0", "a", event_date=nov30 + dt.timedelta(days=1), date_precision="week")
    [before] = merge_mentions([early])
    late = mention("b#0", "b", hours=10, event_date=nov30)
    [after] = merge_mentions([early, late], previous=[before])
    assert before.event_date.month == 12
    assert (after.incident_id, after.event_date, after.date_precision) == (before.incident_id, nov30, "day")


def test_retracted_incidents_stay_retracted() -> None:
    [inc] = merge_mentions([mention("a#0", "a")])
    retracted = replace(inc, status="retracted")
    assert merge_mentions([mention("a#0", "a")], previous=[retracted]) == (retracted,)


def test_a_generic_attack_merges_with_the_strike_another_outlet_names_but_needs_evidence() -> None:
    # one outlet: "an attack on the base"; another names the weapon. Same day, town and attacker: one.
    attack = mention("a#0", "a", event_type="Violence against civilians", sub_event_type="Attack")
    strike = mention("b#0", "b", hours=2)
    assert len(merge_mentions([attack, strike])) == 1
    # sharing only the country and the day is not enough across types
    bare = dict(admin1=None, location=None, actor1=None, actor2=None)
    assert len(merge_mentions([replace(attack, **bare), replace(strike, **bare)])) == 2
    # an abduction is not a generic attack: it never meets a strike
    abduction = replace(attack, sub_event_type="Abduction/forced disappearance")
    assert len(merge_mentions([abduction, strike])) == 2


def test_a_count_in_an_actor_string_is_no_name() -> None:
    # "2 Journalists" as attacker and "2 journalists" as the other's target must not read as a swap
    a = mention("a#0", "a", actor1="Israeli strikes", actor2="2 journalists")
    b = mention("b#0", "b", hours=1, actor1="2 Journalists", actor2=None)
    assert len(merge_mentions([a, b])) == 1


def test_a_fragment_in_the_actor_slot_weighs_less_than_a_name() -> None:
    # dates a day apart with no date cue and no place: a mismatch of two names splits, of a fragment not
    vague = dict(iso3="YEM", admin1=None, location=None, actor2=None, date_precision="week")
    houthis = mention("a#0", "a", actor1="Houthis", **vague)
    later = dict(hours=20, event_date=DAY + dt.timedelta(days=1), **vague)
    assert len(merge_mentions([houthis, mention("b#0", "b", actor1="separate disclosure", **later)])) == 1
    assert len(merge_mentions([houthis, mention("c#0", "c", actor1="Royal Navy", **later)])) == 2
    # ACLED-style names are names: an aside in brackets, lower-case particles of a transliteration
    group = mention("d#0", "d", actor1="Unidentified Armed Group (Yemen)", **vague)
    jnim = mention("e#0", "e", actor1="Jama'at Nusrat al-Islam wal-Muslimin", **later)
    assert len(merge_mentions([group, jnim])) == 2


def test_a_fragment_does_not_veto_as_a_swapped_attacker() -> None:
    # a headline fragment that happens to contain the other's target is not a reprisal
    a = mention("a#0", "a", actor1="leaders accuse Israeli", actor2=None)
    b = mention("b#0", "b", hours=1, actor1="Hezbollah", actor2="Israeli forces")
    assert len(merge_mentions([a, b])) == 1
    named = replace(a, actor1="Israeli military")  # two clean names, swapped: a strike and its reprisal
    assert len(merge_mentions([named, b])) == 2


def test_a_region_given_as_the_place_nests_the_towns_of_that_region() -> None:
    region = mention("a#0", "a", admin1=None, location="Deir ez-Zor")
    town = mention("b#0", "b", hours=1)  # Mayadin, Deir ez-Zor
    assert len(merge_mentions([region, town])) == 1
    other = mention("c#0", "c", hours=1, admin1=None, location="Abu Kamal")  # a town, not the region
    assert len(merge_mentions([region, town, other])) == 2
    # a place that only contains the region's name is a place of its own, not the region
    airport = mention("d#0", "d", hours=1, admin1=None, location="Deir ez-Zor Airport")
    assert len(merge_mentions([town, airport])) == 2


# --- order-independence and incremental runs, as properties --------------------------------------------

SUBS = [("Explosions/Remote violence", "Air/drone strike"),
        ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
        ("Strategic developments", "Disrupted weapons use"), ("Battles", "Armed clash"),
        ("Violence against civilians", "Attack")]

mention_specs = st.lists(
    st.tuples(
        st.integers(0, 5),  # article
        st.sampled_from(SUBS),
        st.integers(0, 4),  # day offset
        st.sampled_from(["day", "week", "month"]),
        st.sampled_from([("SYR", None, None), ("SYR", "Deir ez-Zor", "Mayadin"), ("SYR", None, "Abu Kamal"),
                         ("IRQ", "Erbil", "Erbil"), (None, None, None)]),
        st.sampled_from([None, "US military", "Iran-backed militia", "Houthis", "separate disclosure"]),
        st.sampled_from([None, 0, 3, 7]),
    ),
    max_size=18,
)


def build(specs: list[tuple]) -> list[Mention]:
    out = []
    for k, (art, (etype, sub), day, precision, (iso3, admin1, loc), actor, dead) in enumerate(specs):
        out.append(mention(
            f"m{k:02d}", f"art{art}", outlet=f"outlet{art % 3}", hours=art * 7 + (k % 2), event_type=etype,
            sub_event_type=sub, event_date=DAY + dt.timedelta(days=day), date_precision=precision, iso3=iso3,
            admin1=admin1, location=loc, actor1=actor, actor2=None, fatalities=dead, evidence_start=k * 10,
        ))
    return out


@settings(max_examples=150, deadline=None)
@given(mention_specs, st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_arrival_order(specs: list[tuple], rnd: random.Random) -> None:
    ms = build(specs)
    shuffled = ms + ms[: len(ms) // 3]  # some mentions arrive twice
    rnd.shuffle(shuffled)
    result = merge_mentions(ms)
    assert merge_mentions(shuffled) == result
    assert sorted(mid for i in result for mid in i.mention_ids) == sorted(m.mention_id for m in ms)


@settings(max_examples=100, deadline=None)
@given(mention_specs, st.integers(0, 18))
def test_incremental_runs_cluster_like_one_batch_and_keep_every_id(specs: list[tuple], cut: int) -> None:
    ms = build(specs)
    stored = merge_mentions(ms[:cut])
    result = merge_mentions(ms, previous=stored)
    assert partition(result) == partition(merge_mentions(ms))
    by_id = {i.incident_id: i for i in result}
    for old in stored:  # no id an analyst may have cited is lost: it is active or points to one that is
        assert old.incident_id in by_id
        now = by_id[old.incident_id]
        assert now.status == "active" or by_id[now.merged_into].status == "active"
    assert merge_mentions(ms, previous=result) == result


@pytest.mark.slow  # 20,000 mentions: a scale check
def test_tens_of_thousands_of_mentions_merge_in_seconds() -> None:
    rnd = random.Random(7)
    ms = []
    for k in range(20_000):
        event = random.Random(k // 4)  # about four reports per event
        iso3 = event.choice(["SYR", "IRQ", "YEM", "LBN", "ISR", "PSE", "UKR", "SDN", "MLI", "NGA"])
        ms.append(mention(
            f"m{k}", f"a{k // 2}", outlet=f"o{rnd.randrange(30)}",
            hours=event.randrange(365 * 24) + rnd.random() * 30,
            event_date=DAY + dt.timedelta(days=event.randrange(365)), iso3=iso3, admin1=None,
            location=f"town{event.randrange(300)}" if rnd.random() < 0.6 else None,
            date_precision=rnd.choice(["day", "week"]), evidence_start=k % 2,
        ))
    start = time.perf_counter()
    incidents = merge_mentions(ms)
    assert time.perf_counter() - start < 30
    assert 4_000 < len(incidents) < 12_000


def test_references_and_aggregates_make_no_incident_and_references_are_counted_apart() -> None:
    report = mention("a#0", "a", hours=0)
    # two later stories name the strike only as their topic; a third sums up a month of strikes
    ref_b = mention("b#r", "b", hours=20, role="reference", event_date=None, admin1=None, location=None,
                    fatalities=None, actor2=None)
    ref_c = mention("c#r", "c", hours=30, role="reference", sub_event_type="Attack",
                    event_type="Violence against civilians", event_date=None, iso3=None, admin1=None,
                    location=None)
    tally = mention("d#g", "d", hours=5, role="aggregate", event_date=None, admin1=None, location=None)
    [inc] = merge_mentions([report, ref_b, ref_c, tally])
    assert inc.mention_ids == ("a#0",) and inc.n_mentions == 1 and inc.n_articles == 1
    assert inc.n_references == 2
    # a story of references alone counts nothing
    assert merge_mentions([ref_b, ref_c, tally]) == ()


def test_a_reference_links_to_the_incident_it_most_likely_names() -> None:
    from extractors.dedup import link_references

    syria = mention("a#0", "a")
    iraq = mention("b#0", "b", iso3="IRQ", admin1="Al Anbar", location="Ain al-Asad", actor1="Islamic Resistance",
                   actor2="US troops", sub_event_type="Shelling/artillery/missile attack")
    incidents = merge_mentions([syria, iraq])
    by_country = {i.iso3: i.incident_id for i in incidents}
    # same country and attacker, dated the day before its report, within the window
    to_syria = mention("r1", "c", hours=24, role="reference", event_date=None, location=None, admin1=None)
    # no country, but the attacker named by the Iraqi incident
    to_iraq = mention("r2", "d", hours=24, role="reference", event_date=None, iso3=None, admin1=None,
                      location=None, actor1="Islamic Resistance", actor2=None, sub_event_type="Attack",
                      event_type="Violence against civilians")
    # another country, nobody shared: linked to nothing
    stray = mention("r3", "e", hours=24, role="reference", iso3="YEM", admin1=None, location=None,
                    actor1="Houthis", actor2=None)
    # long after the window
    late = mention("r4", "f", hours=24 * 90, role="reference", event_date=None, admin1=None, location=None)
    links = link_references([to_syria, to_iraq, stray, late], incidents)
    assert links == {"r1": by_country["SYR"], "r2": by_country["IRQ"]}


def test_an_undated_report_sharing_only_its_type_stays_apart() -> None:
    """An undated mention with no place and no attacker in common is no evidence of the same event:
    the type alone must not merge it into another article's dated incident."""
    dated = mention("a#0", "a", actor1=None, actor2=None, location=None, admin1=None, iso3="USA",
                    sub_event_type="Armed clash", event_type="Battles")
    undated = replace(dated, mention_id="b#0", article_id="b", outlet="outlet-b", event_date=None,
                      date_precision="year")
    assert len(active(merge_mentions([dated, undated]))) == 2
    # with its own place, attacker and toll in common, an undated report still joins the dated one
    named = dict(location="Mayadin", admin1="Deir ez-Zor", iso3="SYR", actor1="US military", fatalities=4)
    assert len(active(merge_mentions([replace(dated, **named), replace(undated, **named)]))) == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), st.sampled_from([0.5, 0.6, 0.75, 1.0, 1.25])),
                max_size=400), st.integers(1, 5))
def test_the_kept_partners_are_those_a_bounded_heap_per_node_keeps(offers, top_k):
    """`_Best` (arrays, folded often here, in slices) keeps each node's `_TOP_K` largest (affinity,
    -partner): what a heap of those tuples per node, capped at `_TOP_K`, keeps."""
    import heapq

    from extractors import dedup

    pairs = {(min(i, j), max(i, j)): s for i, j, s in offers if i != j}  # one offer a pair, as blocking makes
    heaps: list[list[tuple[float, int]]] = [[] for _ in range(12)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(dedup, "_TOP_K", top_k)
        mp.setattr(dedup, "_FOLD_MIN", 7)
        mp.setattr(dedup, "_SLICE_NODES", 5)  # the 12 nodes' partners kept in three slices
        best = dedup._Best(12)
        for k, ((i, j), s) in enumerate(pairs.items()):
            best.offer(i, j, s)
            if k % 3 == 0:
                best._fold()  # a floor set at once: the offers after it are filtered
            for x, y in ((i, j), (j, i)):
                if len(heaps[x]) < top_k:
                    heapq.heappush(heaps[x], (s, -y))
                elif (s, -y) > heaps[x][0]:
                    heapq.heapreplace(heaps[x], (s, -y))
        slices = list(best.take())  # each slice handed over as it is taken
        assert best.kept == 0
    node, partner, score = (np.concatenate([s[k] for s in slices] or [np.empty(0)]) for k in range(3))
    kept = sorted(zip(node.tolist(), partner.tolist(), score.tolist(), strict=True))
    assert kept == sorted((x, -y, s) for x, heap in enumerate(heaps) for s, y in heap)
