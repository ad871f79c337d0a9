"""Atomic replacement under a data root: one file, or a whole table directory at once.

In: an Arrow table (`write_atomic`) or a file's bytes (`write_bytes_atomic`) and its target path,
or a table's next partitions. Out: the file or the table replaced in one step a reader cannot see
halfway: a file through a temp file and one `os.replace` (on object storage one PUT under its final
key); a local table built beside itself (`<table>.stage-<id>`) and swapped in with one
`renameat2(RENAME_EXCHANGE)` (`exchange`).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse import footers, paths
from warehouse.schemas import TableSpec


def write_atomic(root: paths.Root, tbl: pa.Table, path: str) -> None:
    """Write `tbl` to `path` as a zstd Parquet file, atomically (`write_bytes_atomic`). Locally the
    table is written straight into the temp file, not serialised in memory first: no second copy
    of a partition's file in memory, and a write killed halfway leaves a torn temp file only."""
    if not root.local:
        buffer = pa.BufferOutputStream()
        pq.write_table(tbl, buffer, compression="zstd")
        write_bytes_atomic(root, buffer.getvalue().to_pybytes(), path)
        return
    replace_file(Path(path), lambda fh: pq.write_table(tbl, fh, compression="zstd"))


def write_bytes_atomic(root: paths.Root, data: bytes, path: str) -> None:
    """Write `data` to `path` atomically: locally via a temp file in the same directory, fsynced,
    one `os.replace` and the directory fsynced; on object storage as one PUT under its final key."""
    if not root.local:
        root.fs.pipe_file(path, data)
        return
    replace_file(Path(path), lambda fh: fh.write(data))


def replace_file(final: Path, write: Callable[[BinaryIO], object]) -> None:
    """A local file replaced atomically, under a data root or anywhere (the CLI's output files,
    `flows.output.save_file`): `write` fills a temp file beside `final` (`paths.temp_path`; a
    killed write under a data root leaves a file `compact.sweep_temp` removes), which is fsynced
    and renamed over `final`; then the directory is fsynced. The temp file is removed when
    `write` or the rename fails."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = paths.temp_path(final)
    try:
        with open(tmp, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    paths.fsync_dir(final.parent)


_RENAME_EXCHANGE = 2  # renameat2 flag (linux/fs.h)


_AT_FDCWD = -100


def exchange(a: str, b: str) -> None:
    """Swap two directories in one atomic step (Linux `renameat2(RENAME_EXCHANGE)`): a reader
    lists either the old or the new one, never neither nor both. OSError where unsupported."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available (glibc >= 2.28 on Linux needed)")
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"cannot swap {a} and {b}: {os.strerror(code)}")


STAGE_SUFFIX = ".stage-"
"""`<root>/<table>.stage-<id>`: a table's next state, built beside it, then swapped in whole."""


def swap_table(root: paths.Root, ts: TableSpec, new: Mapping[str, pa.Table]) -> None:
    """Replace several partitions of a local table in one atomic step.

    The table's next state is built beside it: the partitions not rewritten as hard links to
    their current files (no copy), the rewritten ones as new files; then the two directories
    are swapped (`exchange`), and the old state, now under the staging name, is deleted. A
    reader lists the old table or the new one, never a mix; a process killed before the swap
    leaves the old table and a staging directory that `compact.sweep_temp` removes.
    """
    pcol = ts.partition_col
    assert pcol is not None
    table_dir = Path(paths.table_dir(root, ts.name))
    table_dir.mkdir(parents=True, exist_ok=True)
    stage = table_dir.with_name(f"{ts.name}{STAGE_SUFFIX}{uuid.uuid4().hex[:12]}")
    stage.mkdir()
    try:
        for part in paths.partition_values(root, ts.name, pcol):
            files = [] if part in new else paths.data_files(root, paths.partition_dir(root, ts.name, pcol, part))
            if files:
                (stage / f"{pcol}={part}").mkdir()
                for f in files:
                    os.link(f, stage / f"{pcol}={part}" / Path(f).name)
        for part, tbl in sorted(new.items()):
            if tbl.num_rows:
                (stage / f"{pcol}={part}").mkdir()
                tbl = tbl.sort_by([(k, "ascending") for k in ts.key])
                write_atomic(root, footers.with_key_filter(tbl.drop_columns([pcol]), ts.key[0]),
                              str(stage / f"{pcol}={part}" / paths.DATA_FILE))
        for directory in stage.iterdir():
            paths.fsync_dir(directory)
        paths.fsync_dir(stage)
        exchange(str(stage), str(table_dir))
        paths.fsync_dir(table_dir.parent)
    finally:
        shutil.rmtree(stage, ignore_errors=True)  # after the swap: the old state
