"""The language seam of the coder: which lexicon codes an article, or none.

In: an article's text (and the language its page or feed declared). Out: `coding_language(text,
declared)` -> the ISO 639-1 code the coder should read it as, and `coding_status(language)` ->
"coded" when a lexicon exists for it (`seeds/lexicon/<lang>/`), else "not coded: <lang>": such an
article is stored but never run through another language's rules.

Detection uses py3langid (langid.py's model, shipped inside the wheel: nothing is downloaded at
run time; deterministic), loaded once per process on first use. A text too short to tell, or a
guess below `MIN_CONFIDENCE`, keeps the declared language, else English.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from extractors.lexicon import DEFAULT_LANGUAGE, languages

MIN_CONFIDENCE = 0.9  # normalised probability under which a guess defers to the declared language
MIN_LETTERS = 40  # fewer letters than this are not enough to tell a language
SAMPLE = 3000  # characters read: the opening of an article tells its language
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # the model ships in the wheel

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


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
