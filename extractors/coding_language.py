"""The language seam of the coder: which lexicon codes an article, or none.

In: an article's text (and the language its page or feed declared). Out: `coding_language(text,
declared)` -> the ISO 639-1 code the coder should read it as, and `coding_status(language)` ->
"coded" when a lexicon exists for it (`seeds/lexicon/<lang>/`), else "not coded: <lang>": such an
article is stored but never run through another language's rules.

Detection uses py3langid (langid.py's model, shipped inside the wheel: nothing is downloaded at
run time; deterministic), loaded once per process on first use; its LZMA decompression (0.5 s of
CPU) is done once and kept decompressed where `extractors.decoded_cache` keeps such copies. A text
too short to tell, or a guess below `MIN_CONFIDENCE`, keeps the declared language, else English.
"""

from __future__ import annotations

import functools
import io
import lzma
import marshal
import math
import re
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from extractors import decoded_cache
from extractors.lexicon import DEFAULT_LANGUAGE, languages

MIN_CONFIDENCE = 0.9  # normalised probability under which a guess defers to the declared language
MIN_LETTERS = 40  # fewer letters than this are not enough to tell a language
SAMPLE = 3000  # characters read: the opening of an article tells its language
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier  # the model ships in the wheel

    if not decoded_cache.in_use():  # no copies kept: the package's own loader
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    model = MODEL_DIR / MODEL_FILE
    path = decoded_cache.copy_path("langid", model.read_bytes())
    arrays = _read_arrays(path) if path is not None else None
    if arrays is None:
        arrays = _decompressed(model)
        if path is not None:
            decoded_cache.save(path, _packed(arrays))
    # as py3langid's `LanguageIdentifier.from_model_file` builds it from `modelio.load_model`'s arrays
    return LanguageIdentifier(arrays["ptc"], arrays["pc"], arrays["classes"].tolist(), _uints(arrays["nextmove"]),
                              arrays["out_feat"].tolist(), norm_probs=True, tk_row=_uints(arrays["nextmove_row"]))


_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")
"""The arrays of py3langid's model file (an .npz inside LZMA), as its `modelio.load_model` reads them."""


def _decompressed(model: Path) -> dict[str, Any]:
    import numpy as np

    with np.load(io.BytesIO(lzma.decompress(model.read_bytes())), allow_pickle=False) as data:
        return {name: data[name] for name in _ARRAYS}


def _packed(arrays: dict[str, Any]) -> Iterator[bytes]:
    """The kept copy's layout: the header's length (4 bytes), the header (marshal: each array's name,
    dtype and shape), then each array's bytes in that order."""
    import numpy as np

    header = marshal.dumps([(name, arrays[name].dtype.str, arrays[name].shape) for name in _ARRAYS])
    yield len(header).to_bytes(4, "big") + header
    for name in _ARRAYS:
        yield np.ascontiguousarray(arrays[name]).tobytes()


def _read_arrays(path: Path) -> dict[str, Any] | None:
    """The arrays kept in `path` by `_packed`; None when it is missing or does not fit that layout."""
    import numpy as np

    try:
        with open(path, "rb") as f:
            header = marshal.loads(f.read(int.from_bytes(f.read(4), "big")))
            arrays = {}
            for name, dtype, shape in header:
                count = math.prod(shape)
                arrays[name] = np.fromfile(f, dtype=np.dtype(dtype), count=count).reshape(shape)
                if arrays[name].size != count:
                    return None
            return arrays if f.read(1) == b"" and tuple(arrays) == _ARRAYS else None
    except (OSError, EOFError, ValueError, TypeError):  # missing, cut short, not our layout
        return None


def _uints(values: Any) -> array[int]:
    """An unsigned integer numpy array as the standard library's array of the same item size."""
    out = array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize])
    out.frombytes(memoryview(values).cast("B"))
    return out


def detect_language(text: str) -> tuple[str | None, float]:
    """(language code, probability) of `text`, or (None, 0.0) when it is too short to tell."""
    sample = text[:SAMPLE]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return None, 0.0
    code, probability = _identifier().classify(sample)
    return str(code), float(probability)


def coding_language(text: str, declared: str | None = None) -> str:
    """The language to code `text` in: the detected one when sure, else `declared`, else English."""
    code, probability = detect_language(text)
    if code is not None and probability >= MIN_CONFIDENCE:
        return code
    base = (declared or "").split("-")[0].split("_")[0].lower()
    return base or DEFAULT_LANGUAGE


def coding_status(language: str) -> str:
    """"coded" when the coder has a lexicon for `language`, else "not coded: <language>"."""
    return "coded" if language in languages() else f"not coded: {language}"
