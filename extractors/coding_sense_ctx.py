"""One event cue in its sentence, as every rule that reads a cue sees it, and the word classes they use.

In: one sentence (clean text), one cue, the sentence's clause starts and other cues, whether it names
a day, and the lexicon. Out: `Ctx` (immutable: the cue's span and words, its clause before and after
it, `has(pattern)`: a match besides the cue, `follows(pattern)` / `found_after(pattern)`: a match at
or after the cue's end, `preceding(n)`: the text just before it), `Ctx.of(...)` which builds it from
the sentence's facts, `harm(ctx)` (physical harm, a weapon or an armed party named besides the cue)
and `_cls(name)`, a word class of `seeds/lexicon/en/senses.yaml` compiled once. The sense rules
(`coding_sense`, `coding_sense_harm`) and the frame rules (`coding_frames`) take the same `Ctx`; the
windowed searches are `coding_local`'s, which answer a long sentence's questions with what one
reading of it gives.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import yaml

from extractors import SEEDS_DIR
from extractors.coding_cue_match import CueMatcher, CuePattern
from extractors.coding_local import found_blanked, found_from
from extractors.coding_text import clause_of
from extractors.lexicon import Lexicon, compile_cue

SENSES_FILE = SEEDS_DIR / "lexicon" / "en" / "senses.yaml"


@functools.cache
def _classes() -> dict[str, re.Pattern[str]]:
    with SENSES_FILE.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=yaml.CSafeLoader) or {}  # libyaml: the same objects, 10x faster
    return {name: compile_cue([str(p) for p in patterns]) for name, patterns in data.items()}


def _cls(name: str) -> re.Pattern[str]:
    return _classes()[name]


class Span(Protocol):
    """A cue as `coding_cue_data.Cue` gives it: its name, its [start, end) in the sentence, its words."""

    @property
    def name(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Ctx:
    """One cue in its sentence: the words, the cue's span, its clause, the lexicon, the sentence's
    other cues and whether the sentence names a day."""

    text: str
    name: str
    start: int
    end: int
    word: str
    clause_start: int
    clause_end: int
    lex: Lexicon
    cues: Sequence[Span] = ()
    named_day: bool = False

    @classmethod
    def of(cls, text: str, cue: Span, clauses: list[int], lex: Lexicon, cues: Sequence[Span] = (),
           named_day: bool = False) -> Ctx:
        """The cue `cue` of the sentence `text`, whose clauses start at `clauses` (`coding_text.clause_bounds`)."""
        index = clause_of(clauses, cue.start)
        return cls(text, cue.name, cue.start, cue.end, cue.text, clauses[index],
                   clauses[index + 1] if index + 1 < len(clauses) else len(text), lex, cues, named_day)

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

    def follows(self, pattern: re.Pattern[str]) -> bool:
        """Whether `pattern` matches right at the cue's end (`pattern.match(text, end)`)."""
        return pattern.match(self.text, self.end) is not None

    def found_after(self, pattern: re.Pattern[str]) -> bool:
        """Whether `pattern` matches anywhere from the cue's end on (the sentence's last match, found once)."""
        return found_from(pattern, self.text, self.end)


def harm(ctx: Ctx) -> bool:
    """Physical harm, a weapon, an armed party or a physical target in the sentence besides the cue."""
    if ctx.has(_cls("harm")):
        return True
    cues = ctx.lex.cues
    return any(name in cues and ctx.has(cues[name]) for name in ("nonstate_armed", "small_arms"))


def _crowd(ctx: Ctx) -> bool:
    cues = ctx.lex.cues
    return any(name in cues and ctx.has(cues[name]) for name in ("rioter_party", "crowd_party"))
