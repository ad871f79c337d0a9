"""extractors.decoded_cache with the language model (extractors.coding_language): the identifier built
from the kept decompressed copy is the one py3langid builds from its own file; a changed model gets a
copy of its own; a copy cut short or not ours is not used, and is rebuilt."""

from __future__ import annotations

import contextlib
import lzma
import os
import shutil

import numpy as np
import py3langid.langid
import pytest

from extractors import coding_language, decoded_cache

TEXTS = [
    "The army said three soldiers were killed when gunmen attacked a checkpoint near the town on Monday.",
    "Selon la police, deux personnes ont été blessées lors d'une explosion près du marché central hier.",
]


@pytest.fixture
def model(tmp_path, monkeypatch):
    """A copy of py3langid's model file, which `_identifier` loads; copies kept in tmp_path/cache."""
    path = tmp_path / "model.npz.xz"
    shutil.copyfile(py3langid.langid.MODEL_DIR / py3langid.langid.MODEL_FILE, path)
    monkeypatch.setattr(py3langid.langid, "MODEL_FILE", str(path))  # absolute: MODEL_DIR / path is path
    monkeypatch.setattr(decoded_cache, "_directory", None)
    decoded_cache.use_directory(tmp_path / "cache")
    coding_language._identifier.cache_clear()
    yield path
    coding_language._identifier.cache_clear()


def _identifier():
    coding_language._identifier.cache_clear()
    return coding_language._identifier()


def _same(ours, theirs) -> None:
    assert np.array_equal(ours.nb_ptc, theirs.nb_ptc) and ours.nb_ptc.dtype == theirs.nb_ptc.dtype
    assert np.array_equal(ours.nb_pc, theirs.nb_pc)
    assert ours.nb_classes == theirs.nb_classes
    assert ours.tk_nextmove == theirs.tk_nextmove and ours.tk_nextmove.typecode == theirs.tk_nextmove.typecode
    assert ours.tk_row == theirs.tk_row and ours.tk_output == theirs.tk_output
    assert [ours.classify(t) for t in TEXTS] == [theirs.classify(t) for t in TEXTS]


def _copies(model):
    return sorted((model.parent / "cache").glob("langid-*"))


def test_the_kept_copy_builds_the_packages_identifier(model):
    theirs = py3langid.langid.LanguageIdentifier.from_model_file(str(model), norm_probs=True)
    first = _identifier()  # decompresses, keeps the copy
    assert len(_copies(model)) == 1
    second = _identifier()  # from the copy
    _same(first, theirs)
    _same(second, theirs)
    assert [c for c, _ in (second.classify(t) for t in TEXTS)] == ["en", "fr"]


def test_a_changed_model_gets_its_own_copy_and_the_old_one_goes(model):
    theirs = _identifier()
    [old] = _copies(model)
    model.write_bytes(model.read_bytes() + lzma.compress(b""))  # a second, empty stream: other bytes, same arrays
    _same(_identifier(), theirs)
    [new] = _copies(model)
    assert new != old and not old.exists()


def test_only_its_own_files_of_other_versions_are_removed(model, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "langid-00000000000000aa"
    target.write_bytes(b"someone else's")
    gone = ["langid-0000000000000001", "langid-0000000000000002.4242.partial"]  # an old copy, a killed write's
    kept = ["langid-notes", "langid-0000000000000001.txt", "other-0000000000000001", "langid-000000000000000G"]
    for name in gone + kept:
        (cache / name).write_bytes(b"old")
    (cache / "langid-0000000000000003").symlink_to(target)  # a link named like a copy: not ours
    (cache / "langid-0000000000000004").mkdir()  # a directory: not ours
    _identifier()
    copy = decoded_cache.copy_path("langid", model.read_bytes())
    assert copy is not None and copy.is_file()
    names = sorted(p.name for p in cache.iterdir())
    assert names == sorted([*kept, "langid-0000000000000003", "langid-0000000000000004", copy.name])
    assert target.read_bytes() == b"someone else's"


def test_a_file_another_process_removed_first_is_no_error(model, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.mkdir()
    old = cache / "langid-0000000000000001"
    old.write_bytes(b"old")
    listed, seen = os.scandir, []

    def scandir(path):  # the directory as listed, then another process removes the old copy
        entries = list(listed(path))
        seen.extend(e.name for e in entries)
        old.unlink(missing_ok=True)
        return contextlib.nullcontext(entries)

    monkeypatch.setattr(os, "scandir", scandir)
    _identifier()
    assert old.name in seen
    assert [p.name for p in cache.iterdir()] == [_copies(model)[0].name]


def test_a_damaged_copy_is_not_used_and_is_rebuilt(model):
    theirs = _identifier()
    [copy] = _copies(model)
    whole = copy.read_bytes()
    for damaged in (whole[: len(whole) // 2], b"\x00\x00\x00\x05hello" + whole[100:], b""):  # cut short, not ours
        copy.write_bytes(damaged)
        _same(_identifier(), theirs)
        assert copy.read_bytes() == whole  # rebuilt in place
    assert not list(copy.parent.glob("*.partial"))


def test_nothing_kept_without_a_directory(model, monkeypatch):
    decoded_cache.use_directory(None)
    assert decoded_cache.copy_path("langid", b"x") is None
    _identifier()
    assert not (model.parent / "cache").exists()


def test_an_unwritable_directory_only_means_decoding(model, tmp_path):
    (tmp_path / "cache").write_text("a file where the directory should be")
    first = _identifier()
    assert [c for c, _ in (first.classify(t) for t in TEXTS)] == ["en", "fr"]
    assert list(tmp_path.glob("cache*")) == [tmp_path / "cache"] and (tmp_path / "cache").is_file()
