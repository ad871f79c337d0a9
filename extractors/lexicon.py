"""The coding lexicons: YAML files under `seeds/lexicon/` compiled once into regular expressions.

In: a language code (reads `seeds/lexicon/<lang>/*.yaml` on first use). Out: `get_lexicon(lang)`,
a `Lexicon` whose
`cues` map each cue name (an event kind, a context word class, a filter) to one compiled pattern,
plus the number words and weapon names the casualty and weapon readers need;
`languages()`, the languages that have a lexicon (an article in another language is not coded).
(`compile_cue` and `CueMatcher`, how a cue's patterns are matched, are in `extractors.coding_cue_match`.)

The lexicon is data, not code: a pattern can be read, argued over and changed without touching the
coder. Loading happens once per process (`functools.cache`), so a worker pays it one time.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from extractors import SEEDS_DIR
from extractors.coding_cue_match import CueHeads, CueMatcher, CuePattern, compile_cue, cue_pattern

__all__ = ["CueMatcher", "CuePattern", "Lexicon", "compile_cue", "get_lexicon", "languages", "load_lexicon"]

LEXICON_ROOT = SEEDS_DIR / "lexicon"
DEFAULT_LANGUAGE = "en"
LEXICON_DIR = LEXICON_ROOT / DEFAULT_LANGUAGE
CUE_FILES = ("events.yaml", "context.yaml", "filters.yaml")
EVENT_FILE = "events.yaml"


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Compiled lexicons.

    `cues`: cue name -> pattern (case-insensitive, whole words; alternatives keep their order;
    a long one is a `CueMatcher`, see `coding_cue_match.cue_pattern`).
    `units` / `tens` / `scales`: number words -> values. `vague`: vague quantity -> value or None.
    `keep_qualifiers` / `refuse_qualifiers`: words before a figure that keep it or void it.
    `weapons`: (pattern, canonical weapon name) in precedence order.
    `any_event`: every event cue at once (a `CueMatcher`), to find the sentences with one in a
    single pass over the document.
    `heads`: cue name -> its `CueHeads` (whether a sentence may hold a match, from its word starts).
    """

    cues: Mapping[str, CuePattern]
    units: Mapping[str, int]
    tens: Mapping[str, int]
    scales: Mapping[str, int]
    vague: Mapping[str, int | None]
    keep_qualifiers: tuple[str, ...]
    refuse_qualifiers: tuple[str, ...]
    weapons: tuple[tuple[re.Pattern[str], str], ...]
    any_event: CueMatcher
    heads: Mapping[str, CueHeads]


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=yaml.CSafeLoader) or {}  # libyaml: the same objects, 10x faster
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data


def load_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    """Read and compile every lexicon file in `directory` (a bad pattern raises `re.error`)."""
    cues: dict[str, CuePattern] = {}
    heads: dict[str, CueHeads] = {}
    event_patterns = [str(p) for patterns in _read(directory / EVENT_FILE).values() for p in patterns]
    for name in CUE_FILES:
        for cue, patterns in _read(directory / name).items():
            if cue in cues:
                raise ValueError(f"{name}: cue {cue!r} is defined twice")
            cues[cue] = cue_pattern([str(p) for p in patterns])
            heads[cue] = CueHeads([str(p) for p in patterns])
    numbers = _read(directory / "numbers.yaml")
    weapons = tuple(
        (compile_cue([str(p) for p in patterns]), str(weapon))
        for weapon, patterns in _read(directory / "weapons.yaml").items()
    )
    return Lexicon(
        cues=cues,
        units={str(k): int(v) for k, v in numbers["units"].items()},
        tens={str(k): int(v) for k, v in numbers["tens"].items()},
        scales={str(k): int(v) for k, v in numbers["scales"].items()},
        vague={str(k): (None if v is None else int(v)) for k, v in numbers["vague"].items()},
        keep_qualifiers=tuple(numbers["keep_qualifiers"]),
        refuse_qualifiers=tuple(numbers["refuse_qualifiers"]),
        weapons=weapons,
        any_event=CueMatcher(event_patterns),
        heads=heads,
    )


@functools.cache
def languages() -> frozenset[str]:
    """The language codes with a lexicon (`seeds/lexicon/<lang>/events.yaml` exists)."""
    return frozenset(p.parent.name for p in LEXICON_ROOT.glob(f"*/{EVENT_FILE}"))


@functools.cache
def get_lexicon(language: str = DEFAULT_LANGUAGE) -> Lexicon:
    """The shipped lexicon of `language`, loaded on first use and shared afterwards."""
    if language not in languages():
        raise ValueError(f"no lexicon for language {language!r} (have: {', '.join(sorted(languages()))})")
    return load_lexicon(LEXICON_ROOT / language)
