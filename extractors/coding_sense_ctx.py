"""One event cue in its sentence, as the sense rules read it, and the word classes they use.

In: one sentence (clean text), one cue's span and clause, and the lexicon. Out: `Ctx` (the cue with
its clause before and after it, and `has(pattern)`: a match besides the cue), `harm(ctx)` (physical
harm, a weapon or an armed party named besides the cue) and `_cls(name)`, a word class of
`seeds/lexicon/en/senses.yaml` compiled once.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import yaml

from extractors import SEEDS_DIR
from extractors.coding_cue_match import CueMatcher, CuePattern
from extractors.coding_local import found_blanked
from extractors.lexicon import Lexicon, compile_cue

SENSES_FILE = SEEDS_DIR / "lexicon" / "en" / "senses.yaml"


@functools.cache
def _classes() -> dict[str, re.Pattern[str]]:
    with SENSES_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    return {name: compile_cue([str(p) for p in patterns]) for name, patterns in data.items()}


def _cls(name: str) -> re.Pattern[str]:
    return _classes()[name]


@dataclass(frozen=True, slots=True)
class Ctx:
    """One cue in its sentence: the words, the cue's span, its clause and the lexicon."""

    text: str
    name: str
    start: int
    end: int
    word: str
    clause_start: int
    clause_end: int
    lex: Lexicon

    def preceding(self, chars: int) -> str:
        """The `chars` characters of the sentence before the cue (fewer at its start)."""
        return self.text[max(0, self.start - chars):self.start]

    @property
    def before(self) -> str:
        """The cue's clause up to the cue."""
        return self.text[self.clause_start:self.start]

    @property
    def after(self) -> str:
        """The cue's clause after the cue."""
        return self.text[self.end:self.clause_end]

    def has(self, pattern: re.Pattern[str] | CuePattern) -> bool:
        """Whether `pattern` matches the sentence with the cue blanked out (evidence must come from
        other words); a long sentence is read only near the cue (`coding_local.found_blanked`, which
        reads the compiled pattern a `CueMatcher` stands for: the same matches)."""
        compiled = pattern.pattern if isinstance(pattern, CueMatcher) else pattern
        assert isinstance(compiled, re.Pattern)
        return found_blanked(compiled, self.text, self.start, self.end)


def harm(ctx: Ctx) -> bool:
    """Physical harm, a weapon, an armed party or a physical target in the sentence besides the cue."""
    if ctx.has(_cls("harm")):
        return True
    cues = ctx.lex.cues
    return any(name in cues and ctx.has(cues[name]) for name in ("nonstate_armed", "small_arms"))


def _crowd(ctx: Ctx) -> bool:
    cues = ctx.lex.cues
    return any(name in cues and ctx.has(cues[name]) for name in ("rioter_party", "crowd_party"))
