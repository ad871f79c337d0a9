"""A process's memory handed back to the system: glibc's malloc arenas capped, its mmap
threshold fixed and Arrow put on them (`limit_allocators`), Arrow's and the heap's free memory
released (`release_free_memory`).

In: nothing but the process itself (and `MALLOC_ARENA_MAX` / `MALLOC_MMAP_THRESHOLD_`, glibc's, and
`ARROW_DEFAULT_MEMORY_POOL`, Arrow's, read once). Out: calls into
glibc (`mallopt`, `malloc_trim`) and Arrow's allocator; nothing at all off glibc. Here, not in the
flows, because the re-merge (`warehouse.remerge`) releases memory between its read and its writes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os

import pyarrow as pa

MALLOC_ARENAS = 2
"""glibc malloc arenas a flow process uses at most (see `limit_allocators`)."""
MMAP_THRESHOLD = 128 * 1024
"""Bytes from which glibc serves an allocation by its own mapping, handed back when freed (see
`limit_allocators`): glibc's initial value, kept fixed."""
_M_ARENA_MAX = -8  # mallopt's parameter number for MALLOC_ARENA_MAX (glibc malloc.h)
_M_MMAP_THRESHOLD = -3  # and for MALLOC_MMAP_THRESHOLD_


def limit_allocators(arenas: int = MALLOC_ARENAS) -> None:
    """Cap this process's glibc malloc arenas, as `MALLOC_ARENA_MAX` does, and fix its mmap
    threshold, as `MALLOC_MMAP_THRESHOLD_` does, unless the environment sets them itself, and have
    Arrow allocate from them too (its system pool), unless the environment sets
    `ARROW_DEFAULT_MEMORY_POOL`; does nothing off glibc.

    Why: each thread that allocates (fetch threads, Prefect's task threads) gets an arena of its
    own, up to 8 per core, and an arena keeps its high-water mark after its thread is gone. The
    flow process of a 3,000-article run grew ~25 MiB per 1,000 articles that way while its Python
    heap stayed flat (issue #7, tracemalloc); with 2 arenas it grew ~3. glibc fixes its arena limit
    once it has more than 8 arenas, so this must run before the flow starts its threads: the
    ingest module calls it when imported. The one read of the environment at import time, and
    not a setting of ours: `MALLOC_ARENA_MAX` is glibc's, and an explicit value is left alone.

    Why Arrow's system pool: its default (mimalloc) keeps what each reading thread allocated. A
    re-merge's read by key of 4,000 demo copies' cited mentions (40 files, 3 MiB kept) raised the
    RSS 38 MiB with it, 10 with the system pool, and the run's re-merge peaked 38 MiB lower
    (bench/bench_memory.py --stores 4000), at the same CPU time; `release_free_memory` trims both.

    Why a fixed mmap threshold (`MMAP_THRESHOLD`, unless `MALLOC_MMAP_THRESHOLD_` is set): glibc
    raises its threshold to the size of each large block freed (up to 32 MiB), after which the
    re-merge's and the counts' large Arrow and numpy buffers come from the heap, where the small
    objects allocated between them keep the freed room from going back (malloc_trim cannot
    return a page still partly used). Fixed, a large block is its own mapping, returned when
    freed: a 4,000-article run's flow process peaked 313 -> 307 MiB (the report page, after the
    re-merge and the partition records, started 5 MiB lower; bench/bench_memory.py).
    """
    libc = _glibc()
    if libc is not None and "MALLOC_ARENA_MAX" not in os.environ:
        libc.mallopt(_M_ARENA_MAX, arenas)
    if libc is not None and "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    if libc is not None and "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
        pa.set_memory_pool(pa.system_memory_pool())


def release_free_memory() -> None:
    """Hand the free memory of Arrow's allocator and of the heap back to the system (glibc
    `malloc_trim`; nothing off glibc). Arrow's allocator otherwise keeps the high-water mark of
    the largest table a process read or wrote (a re-merge's months, a partition rewritten), so
    that mark would otherwise rise through a run (bench/bench_memory.py)."""
    pa.default_memory_pool().release_unused()
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (it has `mallopt` and `malloc_trim`), else None; looked up
    once (`find_library` runs `ldconfig`)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None
