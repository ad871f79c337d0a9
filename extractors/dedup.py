"""Merging mentions into incidents: one real-world incident reported by many articles counts once.

In: `Mention`s (one incident as one article reports it) and, optionally, the `Incident`s an earlier run
stored for the same window. Out: a tuple of `Incident`s sorted by id, deterministic and independent of
the order the mentions arrive in: the active incidents, "merged" tombstones for earlier ids that were
absorbed (an id an analyst cited never disappears), and earlier "retracted" incidents unchanged.

Two mentions may be one incident only if nothing contradicts it (`dedup_pairs._compatible`): a compatible type
family (or a generic "Attack" against a named weapon's family), dates within the precision of both,
places equal or nested, two clean attacker names not swapped, and different articles (an article that
reports two attacks reports two incidents) unless both are literally the same span coded by two coder
versions (one coder reads two incidents from one sentence by construction: "X after Y", strikes on
three sites). Clusters then grow best-first: the strongest pair (`_affinity`) proposes a merge of its two clusters,
which goes ahead only if every cross pair is compatible (complete-linkage veto) and the average affinity clears
`MERGE_THRESHOLD` (average linkage), so a vague mention cannot chain two distinct events together.
Copies of one report (every coded field equal, in different articles: a wire story reprinted by many
outlets) are one node weighted by their number (`dedup_pairs.copies`): the same averages, and a
report reprinted a thousand times costs one node and cannot fill its own best partners with its
reprints, which kept the other reports of its incident from ever being proposed.

Only mentions that report an incident (role primary or background, `records.COUNTED_ROLES`) make or
join one. A "reference" mention (a story that names an incident only as its topic or backdrop) is
linked to the active incident it most likely names (`link_references`: same family, country and
actors, dated within `REFERENCE_WINDOW` days) and counted in that incident's `n_references`;
"aggregate" mentions (tallies) are left out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from itertools import combinations, product
from typing import Any

import numpy as np

from extractors.dedup_names import (
    _overlap,
    _place_match,
)
from extractors.dedup_pairs import _END, _affinity, _compatible, _crossable, _Node, _node, copies
from extractors.records import COUNTED_ROLES, Incident, Mention
from extractors.taxonomy import SUB_EVENT_TYPES

_BLOCK = {"remote": "harm", "bomb": "harm", "civilians": "harm"}
_PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
MERGE_THRESHOLD = 0.5  # average affinity two clusters need to merge; results are flat from 0 to 1
_MAX_GAP = 2  # days apart beyond which the date penalty alone keeps a pair under MERGE_THRESHOLD
_TOP_K = 40  # best partners each mention keeps as merge proposals: memory in a crowded country-week
_PAIR_BLOCK = 4096  # proposals made Python ints at a time, while clustering consumes them
_FOLD_MIN = 1 << 16  # offers buffered at least before they are folded into the kept partners
_SLICE_NODES = 1024  # nodes whose kept partners are folded together (`_Best`)


def incident_id_for(anchor_mention_id: str) -> str:
    """The id of an incident anchored on this mention (its earliest report): 16 hex digits of SHA-1."""
    return hashlib.sha1(f"incident:{anchor_mention_id}".encode()).hexdigest()[:16]


def merge_mentions(mentions: Iterable[Mention], previous: Iterable[Incident] = ()) -> tuple[Incident, ...]:
    """All incidents the mentions support, deterministic and independent of input order.

    `mentions`: the mentions of the window (a repeated `mention_id` counts once). `previous`: incidents
    stored by an earlier run for the same window. An earlier active incident whose mentions are all
    passed is re-derived from them and keeps its id; one whose mentions are partly or not at all passed
    stands in for the missing ones (the passed ones stay with it), so a new article can still merge into
    it. An earlier id that no longer survives comes back with status "merged" and `merged_into` set;
    "retracted" incidents come back unchanged and their mentions are left out.
    """
    mentions = list(mentions)
    references = [m for m in mentions if m.role == "reference"]
    prev = {p.incident_id: p for p in sorted(previous, key=lambda p: (p.incident_id, repr(p)))}
    blocked = {mid for p in prev.values() if p.status == "retracted" for mid in p.mention_ids}
    by_id: dict[str, Mention] = {}
    # the same mention twice (re-ingest): keep one, chosen by content, not by arrival
    for m in (m for m in mentions if m.role in COUNTED_ROLES):
        if m.mention_id not in blocked and (m.mention_id not in by_id or repr(m) > repr(by_id[m.mention_id])):
            by_id[m.mention_id] = m
    memo: dict[tuple[Any, ...], Any] = {}  # nodes of equal names share their normalised forms
    # copies of one report are one node: a wire story reprinted a thousand times costs one, and
    # its copies cannot crowd the other reports of its incident out of each other's best partners
    nodes = [_node(group[0], memo=memo, group=group) for group in copies(by_id.values())]
    node_of = {m.mention_id: n.ident for n in nodes if len(n.copies) > 1 for m in n.copies}
    must: list[tuple[str, str]] = []
    active = [p for p in prev.values() if p.status == "active"]
    for p in active:
        present = [mid for mid in p.mention_ids if mid in by_id]
        if len(present) < len(p.mention_ids) or not p.mention_ids:
            nodes.append(_node(p, weight=max(1, len(p.mention_ids) - len(present)), memo=memo))
            must += [(nodes[-1].ident, node_of.get(mid, mid)) for mid in present]
    del by_id, memo, node_of
    nodes.sort(key=lambda n: n.key)
    spans: dict[tuple[object, ...], list[tuple[_Node, Mention]]] = defaultdict(list)
    versions = {m.extractor_version for n in nodes for m in n.copies}
    for n in nodes if len(versions) > 1 else ():  # one span of one article coded by two coder versions
        for m in n.copies:  # (one incident if compatible)
            spans[(m.article_id, m.evidence_start, m.evidence_end)].append((n, m))
    must += [(x.ident, y.ident) for group in spans.values() for (x, a), (y, b) in combinations(group, 2)
             if x is not y and a.extractor_version != b.extractor_version
             and _compatible(replace(x, article="", also=frozenset()), y)]
    pos = {n.ident: i for i, n in enumerate(nodes)}
    joined = [(pos[a], pos[b]) for a, b in must]
    del spans, pos, must  # freed before the clustering's peak
    clusters = _cluster(nodes, joined)
    incidents = _finish([[nodes[i] for i in c] for c in clusters], prev, active)
    return _count_references(incidents, references)


# --- references: stories that name an incident without reporting it ----------------------------------

REFERENCE_WINDOW = 30  # days before its report within which an undated reference may name an incident
_REFERENCE_SLACK = 2  # days either side of a dated reference's own date


def link_references(mentions: Iterable[Mention], incidents: Iterable[Incident]) -> dict[str, str]:
    """reference mention id -> the id of the active incident it most likely names.

    A candidate has a compatible type family (a generic "Attack" meets every harmful family), no
    contradicting country, and a date within `_REFERENCE_SLACK` days of the reference's own date,
    or, for an undated reference, within `REFERENCE_WINDOW` days before it was reported. It must
    share the country or an attacker; the best is the one sharing most (country, attacker, target,
    sub-event type, place), then the closest in time, then the lowest id. No candidate, no link.
    """
    pool = [i for i in incidents if i.status == "active"]
    by_iso: dict[str | None, list[tuple[Incident, _Node]]] = defaultdict(list)
    memo: dict[tuple[Any, ...], Any] = {}
    for incident in pool:
        by_iso[incident.iso3].append((incident, _node(incident, memo=memo)))
    links: dict[str, str] = {}
    for m in mentions:
        if m.role != "reference":
            continue
        ref = _node(m, memo=memo)
        candidates = by_iso.get(m.iso3, []) + (by_iso.get(None, []) if m.iso3 else [])
        if m.iso3 is None:
            candidates = [c for group in by_iso.values() for c in group]
        best: tuple[float, int, str] | None = None
        for incident, node in candidates:
            if not _may_name(ref, node, m):
                continue
            shared_actor = bool(ref.a1 and node.a1 and _overlap(ref.a1, node.a1))
            if not (m.iso3 and m.iso3 == incident.iso3) and not shared_actor:
                continue
            score = (2.0 * shared_actor + 1.0 * bool(m.iso3 and m.iso3 == incident.iso3)
                     + 0.5 * bool(ref.a2 and node.a2 and _overlap(ref.a2, node.a2))
                     + 0.5 * (m.sub_event_type == incident.sub_event_type)
                     + 0.5 * bool(ref.loc and node.loc and _place_match(ref.loc[0], node.loc[0])))
            day = m.event_date or _report_day(m)
            gap = abs((day - incident.event_date).days) if incident.event_date and day else REFERENCE_WINDOW
            key = (-score, gap, incident.incident_id)
            if best is None or key < best:
                best = key
        if best is not None:
            links[m.mention_id] = best[2]
    return links


def _report_day(m: Mention) -> dt.date | None:
    return m.reported_at.date() if m.reported_at else None


def _may_name(ref: _Node, node: _Node, m: Mention) -> bool:
    """Whether nothing contradicts the reference `m` naming the incident `node`."""
    if ref.family != node.family and m.sub_event_type != "Attack" and not _crossable(ref, node):
        return False
    if m.sub_event_type == "Attack" and node.family not in ("remote", "bomb", "civilians", "battle"):
        return False
    day = node.src.event_date
    if day is None:
        return False
    if m.event_date is not None and m.date_precision in ("day", "week"):
        slack = _REFERENCE_SLACK + (3 if m.date_precision == "week" else 0)
        return abs((m.event_date - day).days) <= slack
    reported = _report_day(m)
    return reported is None or 0 <= (reported - day).days <= REFERENCE_WINDOW


def _count_references(incidents: tuple[Incident, ...], references: list[Mention]) -> tuple[Incident, ...]:
    """The incidents with `n_references`: how many articles name each only as a reference."""
    if not references:
        return incidents
    links = link_references(references, incidents)
    naming: dict[str, set[str]] = defaultdict(set)
    for m in references:
        if m.mention_id in links:
            naming[links[m.mention_id]].add(m.article_id)
    return tuple(replace(i, n_references=len(naming[i.incident_id])) if i.incident_id in naming else i
                 for i in incidents)


# --- clustering ------------------------------------------------------------------------------------


def _proposals(nodes: Sequence[_Node]) -> Iterator[tuple[int, int]]:
    """Compatible pairs strong enough to propose a merge, strongest first: (i, j), i < j, ties by i then j.

    Blocking keeps this near-linear: a mention dated to a day or a week meets the mentions of its family
    and country (or of no country) dated at most `_MAX_GAP` days away; one dated to a month or a year
    meets those of its months; an undated one meets its family. Each keeps its `_TOP_K` best partners.
    Once chosen, the pairs are held as one flat array (numpy: 16 bytes a pair, sorted in place; a
    tuple of Python objects each took ~150, an index sort ~40), and handed out a block at a time.
    """
    point: dict[tuple[str, int], dict[str | None, list[int]]] = defaultdict(lambda: defaultdict(list))
    by_month: dict[tuple[str, int], list[int]] = defaultdict(list)
    spread: dict[str, list[int]] = defaultdict(list)
    for i, n in enumerate(nodes):
        if n.day is None:
            spread[_BLOCK.get(n.family, n.family)].append(i)
        else:
            point[(_BLOCK.get(n.family, n.family), n.day)][n.iso3].append(i)
            by_month[(_BLOCK.get(n.family, n.family), _month(n.day))].append(i)
    best = _Best(len(nodes))

    def offer(i: int, j: int) -> None:
        if _compatible(nodes[i], nodes[j]) and (s := _affinity(nodes[i], nodes[j])) >= MERGE_THRESHOLD:
            best.offer(i, j, s)

    for (fam, day), by_iso in point.items():
        for gap, (iso, here) in product(range(_MAX_GAP + 1), by_iso.items()):
            for iso2, there in point.get((fam, day + gap), {}).items():
                # another country never matches; at gap 0 a country-less pair is met once, from its None side
                if iso and iso2 and iso != iso2 or gap == 0 and iso and iso2 is None:
                    continue
                for i, j in combinations(here, 2) if gap == 0 and iso == iso2 else product(here, there):
                    offer(i, j)
    for fam, wide in spread.items():
        for i, j in combinations(wide, 2):
            offer(i, j)
        for i in wide:
            n = nodes[i]
            dated = [m for m in by_month if m[0] == fam] if math.isinf(n.lo) else [
                (fam, m) for m in range(_month(math.ceil(n.lo / 2)), _month(math.floor(n.hi / 2)) + 1)]
            for key in dated:
                for j in by_month.get(key, ()):
                    offer(i, j)
    # pair (i, j) as i * size + j; a pair kept by both its nodes is there twice, with its one score.
    # Each as one complex number, -affinity + pair * 1j (exact: pair < size ** 2 < 2 ** 53), sorted
    # in place: numpy orders complex numbers by real part, then imaginary part, so the order of
    # (-s, i, j) tuples, with no index array nor second key held beside them.
    size, at, slices = len(nodes), 0, best.take()
    pairs = np.empty(best.kept, np.complex128)
    for node, partner, affinity in slices:  # a slice at a time: the peak of a crowded window's merge
        end = at + len(node)
        np.negative(affinity, out=pairs.real[at:end])
        pairs.imag[at:end] = np.minimum(node, partner).astype(np.int64) * size + np.maximum(node, partner)
        at = end
    pairs.sort()
    last = -1  # a pair's two copies are neighbours in that order: the second is skipped
    for start in range(0, len(pairs), _PAIR_BLOCK):
        for p in pairs.imag[start:start + _PAIR_BLOCK].astype(np.int64).tolist():
            if p != last:
                last = p
                yield divmod(p, size)


class _Best:
    """Each of `size` nodes' `_TOP_K` best partners, the largest (affinity, -partner), as flat
    arrays: offers are buffered (`array`: 16 bytes each way) and folded into the kept ones with
    numpy whenever the buffer outgrows a quarter of them; once a node keeps `_TOP_K`, an offer
    below its worst kept one is not buffered (`_floor`). The kept partners are held in slices of
    `_SLICE_NODES` nodes, each folded alone, so a fold's sorting copies are one slice's, not all
    of them. The same partners a bounded heap of (affinity, -partner) tuples per node keeps, at
    ~16 bytes an entry where a heap's tuples took ~115."""

    def __init__(self, size: int) -> None:
        self._node, self._partner, self._score = array("i"), array("i"), array("d")
        self._slices: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._kept = 0  # entries in the slices
        self._floor, self._floor_partner = array("d", [-math.inf]) * size, array("i", [0]) * size

    def offer(self, i: int, j: int, s: float) -> None:
        """The pair (i, j) of affinity `s`, offered to both its nodes."""
        for x, y in ((i, j), (j, i)):
            if s > self._floor[x] or s == self._floor[x] and y < self._floor_partner[x]:
                self._node.append(x)
                self._partner.append(y)
                self._score.append(s)
        if len(self._node) >= max(_FOLD_MIN, self._kept // 4):
            self._fold()

    def take(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(node, partner, affinity) arrays of the kept partners (the offers folded first), slice
        by slice in node order; each slice handed over, no longer held, as it is yielded (`kept`
        counts those not yet yielded), so its reader copies them out holding one slice twice, not
        all of them."""
        self._fold()
        return self._hand_over()

    def _hand_over(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        for key in sorted(self._slices):
            node, partner, score = self._slices.pop(key)
            self._kept -= len(node)
            yield node, partner, score

    @property
    def kept(self) -> int:
        """Entries kept (in the slices not yet taken)."""
        return self._kept

    @staticmethod
    def _groups(node: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each run of one node starts in sorted `node`, and its length."""
        first = np.flatnonzero(np.append(True, node[1:] != node[:-1]))
        return first, np.diff(np.append(first, len(node)))

    def _fold(self) -> None:
        """The buffered offers folded into the slices of the nodes they were made to."""
        if not self._node:
            return
        node = np.frombuffer(self._node, np.int32).copy()
        partner = np.frombuffer(self._partner, np.int32).copy()
        score = np.frombuffer(self._score, np.float64).copy()
        self._node, self._partner, self._score = array("i"), array("i"), array("d")
        order = np.argsort(node, kind="stable")
        node, partner, score = node[order], partner[order], score[order]
        del order
        where = node // _SLICE_NODES
        for at, n in zip(*self._groups(where), strict=True):
            self._fold_slice(int(where[at]), node[at:at + n], partner[at:at + n], score[at:at + n])

    def _fold_slice(self, key: int, node: np.ndarray, partner: np.ndarray, score: np.ndarray) -> None:
        """Offers to the nodes of slice `key` folded into it; its full nodes' floors set."""
        kept_node, kept_partner, kept_score = self._slices.pop(key, (node[:0], partner[:0], score[:0]))
        self._kept -= len(kept_node)
        node = np.concatenate((kept_node, node))
        partner = np.concatenate((kept_partner, partner))
        score = np.concatenate((kept_score, score))
        del kept_node, kept_partner, kept_score
        order = np.lexsort((partner, -score, node))  # by node, then affinity down, then partner up
        first, sizes = self._groups(node[order])
        keep = order[np.arange(len(order)) - np.repeat(first, sizes) < _TOP_K]
        node, partner, score = node[keep], partner[keep], score[keep]
        del order, keep
        self._slices[key] = node, partner, score
        self._kept += len(node)
        first, sizes = self._groups(node)
        worst = first[sizes == _TOP_K] + _TOP_K - 1  # a full node's worst kept partner: its floor
        for x, s, y in zip(node[worst].tolist(), score[worst].tolist(), partner[worst].tolist(), strict=True):
            self._floor[x], self._floor_partner[x] = s, y


def _month(ordinal: int) -> int:
    day = dt.date.fromordinal(ordinal)
    return day.year * 12 + day.month - 1


def _cluster(nodes: Sequence[_Node], must: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Best-first average-linkage clustering with a complete-linkage veto: clusters as index lists."""
    where = list(range(len(nodes)))  # node -> its cluster, named by its first member
    members: dict[int, list[int]] = {i: [i] for i in range(len(nodes))}

    def union(a: int, b: int) -> None:
        a, b = sorted((where[a], where[b]))
        if a != b:
            for x in members[b]:
                where[x] = a
            members[a] = sorted(members[a] + members.pop(b))

    for a, b in sorted(must):
        union(a, b)
    refused: set[tuple[int, int, int, int]] = set()  # (root, size) pins a cluster's state: it only grows
    for i, j in _proposals(nodes):
        ra, rb = where[i], where[j]
        state = (ra, len(members[ra]), rb, len(members[rb]))
        if ra == rb or state in refused:
            continue
        total = weight = 0.0
        for x, y in ((x, y) for x in members[ra] for y in members[rb]):
            if not _compatible(nodes[x], nodes[y]):
                break
            w = nodes[x].weight * nodes[y].weight
            total, weight = total + w * _affinity(nodes[x], nodes[y]), weight + w
        else:
            if total >= MERGE_THRESHOLD * weight:
                union(ra, rb)
                continue
        refused.add(state)
    return sorted(members.values())


# --- incidents from clusters, and ids that survive re-runs -------------------------------------------


def _mode(values: Iterable[tuple[Any, int]]) -> Any:
    """The most weighted value; ties go to the one seen first (callers pass earliest reports first)."""
    count: Counter[object] = Counter()
    for v, w in values:
        count[v] += w  # a Counter keeps first-seen order, and max() keeps the first of equals
    return max(count, key=count.__getitem__) if count else None


def _build(nodes: list[_Node], incident_id: str) -> Incident:
    """One active incident from a cluster: each field from the most precise, most reported values."""
    nodes = sorted(nodes, key=lambda n: n.key)
    ms = [m for n in nodes for m in n.copies]
    stubs = [n.src for n in nodes if isinstance(n.src, Incident)]
    covered = {mid for x in stubs for mid in x.mention_ids}

    def mode(field: str, among: Iterable[_Node] = nodes) -> Any:
        return _mode((v, n.weight) for n in among if (v := getattr(n.src, field)) is not None)

    def least(*values: int | None) -> int | None:
        return min((v for v in values if v is not None), default=None)

    sub = mode("sub_event_type")
    rank = {id(n): _PRECISION_RANK.get(n.src.date_precision, 4) if n.src.event_date else 5 for n in nodes}
    finest = [n for n in nodes if rank[id(n)] == min(rank.values())]
    day = mode("event_date", finest)
    spec = {id(n): (bool(x.location), bool(x.admin1), bool(x.iso3), -(x.geo_precision or 9)) for n in nodes
            for x in [n.src]}
    place = _mode(((x.iso3, x.admin1, x.location, x.latitude, x.longitude, x.geo_precision), n.weight)
                  for n in nodes if spec[id(n)] == max(spec.values()) for x in [n.src])
    iso3 = place[0] or mode("iso3")
    mention_ids = tuple(sorted({m.mention_id for m in ms} | covered))
    told = [m.fatalities for m in ms if m.fatalities is not None]
    highs = told + [x.fatalities_max for x in stubs if x.fatalities_max is not None]
    fresh = {m.article_id for m in ms if m.mention_id not in covered}
    outlets = {m.outlet or f"article:{m.article_id}" for m in ms}  # an unknown outlet counts per article
    times = [(m.reported_at,) * 2 for m in ms] + [(x.first_reported_at, x.updated_at) for x in stubs]
    return Incident(
        incident_id=incident_id, status="active", merged_into=None,
        event_type=SUB_EVENT_TYPES.get(sub) or mode("event_type"), sub_event_type=sub, event_date=day,
        date_precision=mode("date_precision", (n for n in finest if n.src.event_date == day)),
        iso3=iso3, admin1=place[1] or mode("admin1", (n for n in nodes if n.src.iso3 in (None, iso3))),
        location=place[2], latitude=place[3], longitude=place[4], geo_precision=place[5],
        actor1=mode("actor1"), actor2=mode("actor2"),
        fatalities=least(*(n.src.fatalities for n in nodes)),  # a stand-in's figure is already its lowest
        fatalities_min=least(*told, *(x.fatalities_min for x in stubs)),
        fatalities_max=max(highs, default=None),
        injuries=least(*(n.src.injuries for n in nodes)), munitions=least(*(n.src.munitions for n in nodes)),
        weapons=tuple(sorted({w for n in nodes for w in n.src.weapons})), n_mentions=len(mention_ids),
        n_articles=sum(x.n_articles for x in stubs) + len(fresh),
        # a stand-in does not say which outlets it counted: the lower bound rather than a double count
        n_outlets=max([x.n_outlets for x in stubs] + [len(outlets)]),
        first_reported_at=min((t for t, _ in times if t), default=None),
        updated_at=max((t for _, t in times if t), default=None), mention_ids=mention_ids,
        assoc_actor1=mode("assoc_actor1"), inter1=mode("inter1"), inter2=mode("inter2"),
        civilian_targeting=mode("civilian_targeting"),
    )


def _finish(
    clusters: list[list[_Node]], prev: dict[str, Incident], active: list[Incident]
) -> tuple[Incident, ...]:
    """Name each cluster, build its incident, and tombstone the earlier ids that were absorbed."""
    natural = []
    for c in clusters:
        ms = [m for n in c for m in n.copies]
        anchor = min(ms, key=lambda m: (m.reported_at or _END, m.mention_id), default=None)
        natural.append(incident_id_for(anchor.mention_id) if anchor else c[0].ident.removeprefix("incident:"))
    owner = {mid: p.incident_id for p in active for mid in p.mention_ids}
    held: dict[str, Counter[int]] = defaultdict(Counter)  # earlier id -> how much of it each cluster holds
    for k, c in enumerate(clusters):
        for n in c:
            if isinstance(n.src, Incident):
                held[n.src.incident_id][k] += n.weight
            for m in n.copies:
                if (pid := owner.get(m.mention_id)) is not None:
                    held[pid][k] += 1
    # an earlier id stays with the cluster that would be named so anyway, else with the one holding most
    # of it; ties go to the earlier-reported id
    claims = sorted(((natural[k] != pid, -w, prev[pid].first_reported_at or _END, pid, k)
                     for pid, ks in held.items() for k, w in ks.items()))
    names: dict[int, str] = {}
    taken: set[str] = set()
    for *_, pid, k in claims:
        if k not in names and pid not in taken:
            names[k] = pid
            taken.add(pid)
    for k in range(len(clusters)):
        name, salt = natural[k], 0
        while k not in names and name in taken:  # the natural id went to another cluster: derive another
            salt += 1
            name = incident_id_for(f"{natural[k]}#{salt}")
        taken.add(names.setdefault(k, name))
    out = {names[k]: _build(c, names[k]) for k, c in enumerate(clusters)}
    # an absorbed id points to the cluster that holds most of it
    redirect = {pid: names[min(ks, key=lambda k: (-ks[k], names[k]))] for pid, ks in held.items()
                if pid not in out}
    for p in prev.values():
        if p.incident_id in out:
            continue
        if p.status != "merged" and p.incident_id not in redirect:  # retracted, or all its mentions were
            out[p.incident_id] = p
            continue
        target, hops = redirect.get(p.incident_id, p.merged_into), 0
        while target in redirect and hops < len(redirect):  # follow a chain of merges to the survivor
            target, hops = redirect[target], hops + 1
        out[p.incident_id] = replace(p, status="merged", merged_into=target)
    return tuple(out[k] for k in sorted(out))
