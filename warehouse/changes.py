"""The change log of a table: which months its writes touched, kept until a consumer caught up.

In: a data root, a table name, months ("YYYY-MM" / "unknown"). Out: one small JSON file per
logged write under `<root>/.changes/<table>/` (`log`), the union of the months still pending with
their files (`pending`), and `forget` once a consumer (the incident re-merge) has handled them.
`parquet.replace_partitions` logs a write of a table in `CHANGE_LOG` before writing its data, so a
write killed after its data is never missing from the log; a file per write means no
read-modify-write of a shared file.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from warehouse import paths

CHANGE_LOG = {"mentions": "event_date"}
"""Tables whose `replace_partitions` writes are logged, with the date column whose months they
touch: a mention's event month is what incidents must be merged again for. The log is written
before the data, so a write killed after its data is never missing from it."""
CHANGES_DIR = ".changes"


@dataclass(frozen=True, slots=True)
class Changes:
    """The logged, not yet consumed writes of one table: their log files and the months touched."""

    files: tuple[str, ...] = ()
    months: frozenset[str] = frozenset()


def log(root: paths.Root, table: str, months: set[str]) -> None:
    """Log one write of `table` that touched `months` (written and synced before it returns)."""
    if not months:
        return
    body = json.dumps({"months": sorted(months)}).encode()
    name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:12]}.json"
    target = root.join(CHANGES_DIR, table, name)
    if not root.local:
        root.fs.pipe_file(target, body)
        return
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    tmp = paths.temp_path(target)
    with open(tmp, "wb") as fh:
        fh.write(body)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    paths.fsync_dir(Path(target).parent)


def pending(root: str | os.PathLike[str], table: str) -> Changes:
    """The logged writes of `table` no consumer has forgotten yet (a few files, not the table)."""
    parsed = paths.open_root(root)
    directory = parsed.join(CHANGES_DIR, table)
    files = [f"{directory}/{n}" for n, is_dir in parsed.listdir(directory) if not is_dir and n.endswith(".json")]
    months: set[str] = set()
    for f in files:
        with (parsed.fs.open(f, "rb") if parsed.fs else open(f, "rb")) as fh:
            months.update(json.loads(fh.read())["months"])
    return Changes(tuple(files), frozenset(months))


def forget(root: str | os.PathLike[str], changes: Changes) -> None:
    """Drop the log files of `changes` once their months are consumed (later writes stay logged)."""
    parsed = paths.open_root(root)
    for f in changes.files:
        with contextlib.suppress(FileNotFoundError):
            parsed.fs.rm_file(f) if parsed.fs else os.unlink(f)
