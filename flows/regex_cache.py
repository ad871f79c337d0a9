"""Compiled regular expressions kept between runs of the CLI, so its warm-up does not parse and
compile the coder's patterns (about 1,100 of them, 0.7 s of CPU) on every start.

In: a block of code that compiles patterns with `re` (the CLI's imports and coder warm-up).
Out: `kept_regexes(path)`, a context manager: inside it `re.compile` finds the patterns the same
block compiled last time ready-made; after it the file holds the patterns the block used.

How: CPython compiles a pattern in two steps, parsing it into the regex engine's code (a list of
ints; nearly all the cost) and building the pattern object from that code (`_sre.compile`, cheap).
The file keeps each pattern's code; loading it builds the pattern objects and puts them in `re`'s
own cache, where `re.compile` looks first. The code depends only on the pattern, its flags and the
interpreter, so the file is named after the interpreter's exact version and regex engine; any
other interpreter, a missing or unreadable file, or an `re` module built differently (a future
Python) compiles as usual. Matching is done by the same engine on the same code either way.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

try:
    import _sre
    from re import _compiler  # type: ignore[attr-defined]
except ImportError:  # another Python implementation: nothing kept
    _sre = _compiler = None  # type: ignore[assignment]

Key = tuple[type, str | bytes, int]
"""`re`'s cache key: (str or bytes, pattern, flags as passed)."""


def cache_file(directory: Path, name: str = "regex") -> Path:
    """The file `name` for this interpreter in `directory` (its version, build and regex engine in the
    file's name: marshal's format and the engine's code both belong to one interpreter)."""
    tag = f"{sys.version}|{getattr(_sre, 'MAGIC', '')}|{getattr(_sre, 'CODESIZE', '')}|{sys.implementation.name}"
    return directory / f"{name}-{hashlib.sha256(tag.encode()).hexdigest()[:16]}.regex"


class _Recording(dict):
    """`re`'s cache while the block runs: remembers which keys were asked for."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.used: set[Key] = set()

    def __getitem__(self, key: Key) -> Any:
        value = super().__getitem__(key)
        self.used.add(key)
        return value

    def pop(self, key: Key, *default: Any) -> Any:  # Python 3.12+ moves a hit to the end with pop
        if key in self:
            self.used.add(key)
        return super().pop(key, *default)


@contextlib.contextmanager
def kept_regexes(path: Path) -> Iterator[None]:
    """Run the block with the patterns kept in `path` already compiled; then keep there those the
    block used (kept or newly compiled), if that set changed. Never fails the block: on any problem
    with the file or with `re`'s internals, patterns are compiled as usual."""
    cache = getattr(re, "_cache", None)
    if _compiler is None or type(cache) is not dict or not hasattr(_compiler, "compile"):
        yield
        return
    kept = _load(path)
    recording = _Recording(cache)
    for key, args in kept.items():
        with contextlib.suppress(Exception):
            recording.setdefault(key, _sre.compile(key[1], *args))
    new: dict[Key, tuple] = {}
    real_compile, real_sre = _compiler.compile, _compiler._sre
    last: list[tuple] = []

    class _Capture:  # `_sre` as `_compiler.compile` sees it: notes the code it builds a pattern from
        def __getattr__(self, name: str) -> Any:
            return getattr(real_sre, name)

        @staticmethod
        def compile(pattern: Any, flags: int, code: list[int], *rest: Any) -> Any:
            last.append((int(flags), [int(op) for op in code], *rest))
            return real_sre.compile(pattern, flags, code, *rest)

    def compile_and_note(p: Any, flags: int = 0) -> Any:
        last.clear()
        compiled = real_compile(p, flags)
        if type(p) in (str, bytes) and len(last) == 1 and compiled.pattern == p:
            new[(type(p), p, flags)] = last[0]
        return compiled

    re._cache = recording  # type: ignore[attr-defined]
    _compiler.compile, _compiler._sre = compile_and_note, _Capture()
    try:
        yield
    finally:
        _compiler.compile, _compiler._sre = real_compile, real_sre
        re._cache = dict(recording)  # type: ignore[attr-defined]
    used = {key: kept[key] for key in recording.used if key in kept} | new
    if used.keys() != kept.keys():
        _save(path, used)


def _load(path: Path) -> dict[Key, tuple]:
    try:
        rows = marshal.loads(path.read_bytes())  # marshal, not pickle: reading it runs no code
        return {(bytes if is_bytes else str, pattern, flags): tuple(args)
                for is_bytes, pattern, flags, args in rows}
    except Exception:  # noqa: BLE001 - missing, partial or foreign: compile as usual
        return {}


def _save(path: Path, entries: dict[Key, tuple]) -> None:
    """Write `entries` to `path` atomically (a partial file never replaces a whole one)."""
    with contextlib.suppress(OSError, ValueError):  # ValueError: a pattern marshal cannot write
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        rows = [(kind is bytes, pattern, flags, args) for (kind, pattern, flags), args in entries.items()]
        partial.write_bytes(marshal.dumps(rows))
        partial.replace(path)
