"""Compaction and clean-up of a data root: an append table's many small files (one per poll)
become one file per partition; temp files and staging directories of killed writes are removed.

In: a local data root (compaction) or any data root (sweep). Out: the partitions compacted, or
the count of leftovers removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse import footers, paths, raw, swap
from warehouse.convert import key_array
from warehouse.lock import write_guard
from warehouse.parquet import _conform, _defaults, _require_mode
from warehouse.schemas import spec
from warehouse.swap import STAGE_SUFFIX

STAGE_DIR = ".stage"


COMPACTED = ("articles", "mentions")
"""The tables whose partitions grow a file per write: `articles` (append) and `mentions` (`add`)."""


def compact(root: paths.DataRoot, table: str = "articles", *, min_files: int = 2) -> dict[str, int]:
    """Rewrite each partition of an append table, or of a replace table that takes additions
    (`TableSpec.adds`: mentions), holding `min_files` files or more as one file.

    Returns partition -> files before, for the partitions compacted. Per partition: the one new
    file (the rows of the old files in their order, streamed file by file; an append table's named
    `part-<sha of its keys>.parquet`, a replace table's `data.parquet`, the one file a rewrite
    leaves) is written into a staging directory beside the table (`<root>/.stage/`), which
    is then swapped with the partition directory in one atomic step (`swap.exchange`); the old files,
    now in the staging directory, are deleted. A process killed at any point leaves the partition
    either as it was or compacted (readers never see a row twice or miss one); its staging
    directories are removed by the next `compact`. Local roots only: object storage has no atomic
    swap of several objects, and a reader could count a row twice there.
    """
    ts = spec(table)
    if not ts.adds:
        _require_mode(ts, "append", "only append tables and tables that take additions grow a file per write")
    pcol = ts.partition_col
    assert pcol is not None
    parsed = paths.open_root(root)
    if not parsed.local:
        raise ValueError(f"compaction needs a local data root, not {parsed.url}")
    done: dict[str, int] = {}
    with write_guard(parsed):
        stage = Path(parsed.join(STAGE_DIR, table))
        shutil.rmtree(stage, ignore_errors=True)  # left by a compaction that was killed
        for part in paths.partition_values(parsed, table, pcol):
            directory = paths.partition_dir(parsed, table, pcol, part)
            files = paths.data_files(parsed, directory)
            if len(files) < min_files:
                continue
            keys = pa.concat_tables([pq.read_table(f, columns=list(ts.key)) for f in files])
            digest = hashlib.sha256("\n".join(sorted(key_array(keys, ts.key).to_pylist())).encode()).hexdigest()
            staged = stage / f"{pcol}={part}"
            staged.mkdir(parents=True)
            target = staged / (paths.DATA_FILE if ts.adds else f"part-{digest[:32]}.parquet")
            schema = footers.with_key_filter(keys, ts.key[0]).schema.metadata
            with open(target, "wb") as fh:
                writer = pq.ParquetWriter(fh, ts.data_schema.with_metadata(schema), compression="zstd")
                for f in files:
                    writer.write_table(_conform(pq.ParquetFile(f).read(), ts.data_schema, None, _defaults(ts)))
                writer.close()
                fh.flush()
                os.fsync(fh.fileno())
            paths.fsync_dir(staged)
            swap.exchange(str(staged), directory)
            paths.fsync_dir(Path(directory).parent)
            paths.fsync_dir(stage)
            shutil.rmtree(staged)
            done[part] = len(files)
    return done


def sweep_temp(root: paths.DataRoot, *, older_than: float = 3600.0) -> int:
    """Delete temp files and staging directories left by killed writes (older than `older_than`
    seconds); returns the count.

    Readers never see them; this only reclaims space. Young ones may belong to a live writer.
    Object storage has none (0). In the raw store (a file per fetched page) only `raw/.partial`
    is searched, where `RawStore.put` writes before its rename, so the sweep does not grow with
    the history.
    """
    cutoff = time.time() - older_than
    removed = 0
    parsed = paths.open_root(root)
    for folder, dirs, files in os.walk(parsed.base) if parsed.local else ():
        if folder == os.path.join(parsed.base, paths.RAW_DIR):
            dirs[:] = [d for d in dirs if d == raw.PARTIAL_DIR]
        for f in (Path(folder, name) for name in files if name.endswith(paths.TMP_SUFFIX)):
            with contextlib.suppress(FileNotFoundError):
                if f.stat().st_mtime < cutoff:
                    f.unlink()
                    removed += 1
    if parsed.local:
        for name, is_dir in parsed.listdir(parsed.base):
            staged = Path(parsed.join(name))
            if is_dir and STAGE_SUFFIX in name and staged.stat().st_mtime < cutoff:
                shutil.rmtree(staged, ignore_errors=True)
                removed += 1
    return removed
