"""flows.regex_cache: patterns compiled in one block are kept in a file and come back ready-made,
equal to a fresh compile, in the next; a damaged file means compiling as usual."""

from __future__ import annotations

import re

import pytest

from flows import regex_cache

# patterns unlikely to be in `re`'s cache already: groups, named groups, flags, bytes
PATTERNS = [
    (r"(?P<count>\d+) (?:people|persons) killed near (\w+)-kept", re.IGNORECASE),
    (r"""(?x) ^ \s* (?P<a> [A-Z][a-z]+ ) \s+ attack(ed|s)? -kept""", 0),
    (rb"(?m)^kept-bytes\s+(\d{2,})$", 0),
]
TEXTS = ["Officials said 12 People killed near Mosul-kept today", "  Rebels attacked-kept",
         b"x\nkept-bytes   123\n"]  # one a pattern, each matched by it


def _compile_all() -> list[re.Pattern]:
    return [re.compile(pattern, flags) for pattern, flags in PATTERNS]


def _fresh() -> list[re.Pattern]:
    re.purge()
    return _compile_all()


def test_kept_patterns_come_back_equal_without_compiling(tmp_path, monkeypatch):
    path = regex_cache.cache_file(tmp_path)
    re.purge()
    with regex_cache.kept_regexes(path):
        first = _compile_all()
    assert path.is_file()
    expected = _fresh()

    re.purge()

    def no_compiling(*args, **kwargs):
        raise AssertionError("a kept pattern was compiled again")

    with regex_cache.kept_regexes(path):
        monkeypatch.setattr(regex_cache._compiler, "compile", no_compiling)
        second = _compile_all()
        monkeypatch.undo()
    for kept, fresh, before, text in zip(second, expected, first, TEXTS, strict=True):
        assert (kept.pattern, kept.flags, kept.groups, dict(kept.groupindex)) == \
            (fresh.pattern, fresh.flags, fresh.groups, dict(fresh.groupindex))
        assert [m.groups() for m in kept.finditer(text)] == [m.groups() for m in fresh.finditer(text)] \
            == [m.groups() for m in before.finditer(text)]
        assert kept.search(text) is not None
    assert type(re._cache) is dict  # re's own cache is a plain dict again after the block


def test_the_file_keeps_only_what_the_last_block_used(tmp_path):
    path = regex_cache.cache_file(tmp_path)
    re.purge()
    with regex_cache.kept_regexes(path):
        _compile_all()
    assert len(regex_cache._load(path)) == len(PATTERNS)
    re.purge()
    with regex_cache.kept_regexes(path):
        re.compile(PATTERNS[0][0], PATTERNS[0][1])
    assert [key[1] for key in regex_cache._load(path)] == [PATTERNS[0][0]]


@pytest.mark.parametrize("content", [b"", b"not marshal at all", b"\x00" * 10])
def test_a_damaged_file_means_compiling_as_usual(tmp_path, content):
    path = regex_cache.cache_file(tmp_path)
    path.write_bytes(content)
    re.purge()
    with regex_cache.kept_regexes(path):
        patterns = _compile_all()
    assert patterns[0].search(TEXTS[0]).group("count") == "12"
    assert len(regex_cache._load(path)) == len(PATTERNS)  # rewritten whole


def test_another_interpreter_has_another_file(tmp_path, monkeypatch):
    mine = regex_cache.cache_file(tmp_path)
    monkeypatch.setattr(regex_cache.sys, "version", "3.99.0 (other build)")
    assert regex_cache.cache_file(tmp_path) != mine
