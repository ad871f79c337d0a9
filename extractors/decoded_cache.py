"""Seed data kept decoded between processes, so that loading the coder does not decompress the same
file in every process (the language model's LZMA: 0.5 s of CPU; its copy takes 68 MB on disk).

In: a directory, given once per process by the caller that owns one (`use_directory`; flows gives
the user's cache directory); until then nothing is kept and every load decodes as before.
Out: `in_use()`, `copy_path(name, source)`, where the decoded copy of a source with these bytes is
kept (None when no directory is in use), and `save(path, chunks)`, which writes one.

How: the file's name holds a hash of the source's bytes, so a changed source (a new seed, another
package version) is decoded afresh and never meets an old copy; writing a copy removes the copies
of the same name kept for other sources (`_remove_others`: an upgrade leaves one copy, not one per
version). A copy is written to a temporary file and renamed, so a reader never
sees a partial one and concurrent writers (coding processes) replace it with equal bytes. Each
reader checks the copy's layout and length and decodes the source again when it does not fit (cut
short, or not one of ours), which `save` then replaces. Hashing the source costs about 1 ms per MB.
A hand-made helper, not a caching library: it is a file name and a rename, and the libraries key
an entry by its arguments, not by a file's content.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

_directory: Path | None = None


def use_directory(directory: Path | None) -> None:
    """Keep decoded copies in `directory` from now on in this process (None: keep none)."""
    global _directory
    _directory = directory


def in_use() -> bool:
    """Whether decoded copies are kept in this process (`use_directory`)."""
    return _directory is not None


def copy_path(name: str, source: bytes) -> Path | None:
    """Where the decoded copy of a source with the bytes `source` is kept under `name` (None: no
    directory in use)."""
    if _directory is None:
        return None
    return _directory / f"{name}-{hashlib.sha256(source).hexdigest()[:16]}"


def save(path: Path, chunks: Iterable[bytes | memoryview]) -> None:
    """Write `chunks` one after the other to `path` (a `copy_path`) through a temporary file beside
    it and a rename, then remove the copies of the same name for other sources; an error (a full
    disk, a read-only directory) leaves no file and is ignored."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        partial.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()
        return
    _remove_others(path)


_COPY = re.compile(r"(?P<name>.+)-(?P<digest>[0-9a-f]{16})")


def _remove_others(path: Path) -> None:
    """Remove the regular files beside `path` that are copies of its name for another source, or
    their temporary files (`<name>-<16 hex>`, `<name>-<16 hex>.<pid>.partial`). Symbolic links and
    any other file are left alone; a file gone meanwhile (another process removed it) or one that
    cannot be removed is skipped."""
    mine = _COPY.fullmatch(path.name)
    if mine is None:
        return
    ours = re.compile(re.escape(mine["name"]) + r"-(?P<digest>[0-9a-f]{16})(?:\.[0-9]+\.partial)?")
    with contextlib.suppress(OSError), os.scandir(path.parent) as entries:
        for entry in entries:
            found = ours.fullmatch(entry.name)
            if found is None or found["digest"] == mine["digest"]:
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False):  # a link is not ours, whatever it points to
                    os.unlink(entry.path)  # unlink never follows a link
