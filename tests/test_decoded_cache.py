"""extractors.decoded_cache with the language model (extractors.coding_language): the identifier built
from the kept decompressed copy is the one py3langid builds from its own file; a changed model gets a
copy of its own; a copy cut short or not ours is not used, and is rebuilt."""

from __future__ import annotations

import lzma
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


def test_a_changed_model_gets_its_own_copy(model):
    _identifier()
    [old] = _copies(model)
    model.write_bytes(model.read_bytes() + lzma.compress(b""))  # a second, empty stream: other bytes, same arrays
    _identifier()
    copies = _copies(model)
    assert len(copies) == 2 and old in copies


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
