"""Stored mentions merged into incidents again, around the event months that changed.

In: the opened data root (`paths.DataRoot`) and the event months that received new mentions; the
months of the mentions table's change log are taken too. Out: the incidents partitions of those
months +-1 rewritten whole (`is_attack` marked), the monthly attack counts rewritten, the change
log cleared; returns (new incident ids, ids merged away, months rewritten). The caller holds the
data root's lock (the ingest flow, `warehouse.recoded` for backfills).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from extractors.dedup import merge_mentions
from extractors.months import event_month, shift_month
from extractors.records import Incident
from warehouse import attacks, changes, parquet
from warehouse.memory import release_free_memory
from warehouse.mentions import load_incidents, load_merge_mentions
from warehouse.paths import DataRoot


def remerge_incidents(root: DataRoot, months: Iterable[str]) -> tuple[int, int, tuple[str, ...]]:
    """Merge stored mentions into incidents again around the months that received new mentions.

    Mentions of the affected months +-2 are merged (a cluster cannot reach further: merging needs
    dates within a day, a week or the same month), and the incidents of the affected months +-1 are
    rewritten whole, so a late report that moves an incident to a neighbouring month moves it.
    The months the mentions table's change log holds are affected too (`changes.pending`:
    mentions a killed run stored but never merged, and mentions a re-code removed), and the log is
    cleared once their incidents are written. Incidents citing a mention no longer stored (a
    re-code replaced it) have those citations dropped first: the stored incident would otherwise
    stand in for the replaced mention and count it twice; one left citing nothing is dropped (the
    current coding no longer supports it). Reads only the months it touches, never the whole
    history. Returns (new incident ids, ids merged away, months rewritten).
    """
    pending = changes.pending(root, "mentions")
    months = set(months) | pending.months
    affected = {m for m in months if m != "unknown"}
    unknown = {"unknown"} & months
    write = {shift_month(m, d) for m in affected for d in (-1, 0, 1)} | unknown
    read = {shift_month(m, d) for m in affected for d in (-2, -1, 0, 1, 2)} | unknown
    if not write:
        return 0, 0, ()
    mentions = load_merge_mentions(root, read)  # only what merging reads: memory per mention small
    release_free_memory()  # the read's buffers: the merge's large arrays are mappings of their own
    stored = load_incidents(root, sorted(write))
    present = {m.mention_id for m in mentions}
    cited = {m for i in stored if i.status != "merged" for m in i.mention_ids or ()} - present
    if cited:  # cited mentions outside the window: stored or gone? ask the store for just those
        present |= parquet.stored_keys(root, "mentions", sorted(cited))
    previous: list[Incident] = []
    for incident in stored:
        # Tombstones go back in as they are: merge_mentions keeps them, chains followed.
        if incident.status != "merged":
            kept = tuple(m for m in incident.mention_ids if m in present)
            if not kept:
                continue
            if kept != incident.mention_ids:
                incident = dataclasses.replace(incident, mention_ids=kept, n_mentions=len(kept))
        previous.append(incident)
    incidents = [i for i in merge_mentions(mentions, previous) if event_month(i.event_date) in write]
    del mentions  # the partitions' writes below need the room
    release_free_memory()
    by_month: dict[str, list[Incident]] = {m: [] for m in write}
    # An incident whose id is stored in a month outside the window (its date moved far) is
    # rewritten there too, so no id is ever stored twice.
    ids = {i.incident_id for i in incidents}
    # only ids not stored in the window can be stored outside it (an id is stored once)
    in_window = {i.incident_id for i in stored}
    unseen = [i for i in incidents if i.incident_id not in in_window]
    for month in set(parquet.affected_partitions(root, "incidents", unseen)) - write:
        by_month[month] = [i for i in load_incidents(root, [month]) if i.incident_id not in ids]
    for incident in incidents:
        by_month[event_month(incident.event_date)].append(incident)
    # is_attack set in one place; the monthly counts follow every write
    parquet.replace_partitions(root, "incidents", {m: attacks.mark(rows) for m, rows in by_month.items()})
    attacks.write_per_month(root, by_month)
    changes.forget(root, pending)  # last: a run killed before it merges these months again
    before = {i.incident_id for i in previous}
    new = sum(1 for i in incidents if i.status == "active" and i.incident_id not in before)
    merged = sum(1 for i in incidents if i.status == "merged" and i.incident_id in before)
    months_written = tuple(sorted(by_month))
    del stored, previous, incidents, by_month, before
    release_free_memory()  # what the run does next (its report page) starts from the run's level
    return new, merged, months_written
