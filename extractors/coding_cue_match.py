"""Matching a cue: an alternation of patterns on whole words, case-insensitive, found fast.

In: a cue's patterns (regular expressions, in precedence order). Out: `compile_cue(patterns)`,
the one compiled alternation (`(?<!\\w)(?:p1|p2|...)(?!\\w)`), and `CueMatcher(patterns)`, which
finds exactly its matches (`finditer`, `search`, `match`: the same spans and texts; the numbers
of groups inside differ) without trying every alternative at every character; `starts(text)`, the
beginnings of a text's word starts read in one pass, and `CueHeads(patterns).possible(...)`, whether
a match can begin at one of them (False: the text holds none, and the cue need not be matched).

Why: `re` tries each of a long alternation's hundreds of alternatives at each position of the
text; case-insensitive, it cannot skip one by its first letter. `CueMatcher` reads from each
alternative's parse the three-character beginnings its matches can have (case folded). One small
pattern finds the word starts whose first three characters are such a beginning; at each, only the
alternatives that can begin with those three characters are tried, in their order. The alternation
takes the first alternative that matches at a position, and the others cannot match there, so
the matches are the same. Where a non-ASCII character is involved all alternatives are tried.
(An Aho-Corasick automaton, e.g. pyahocorasick, needs literal words; cues are patterns.)
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from re import _constants as C  # type: ignore[attr-defined,unused-ignore]  # noqa: N812 - the regex parser's op codes
from re import _parser  # type: ignore[attr-defined,unused-ignore]  # the standard library's regex parser
from typing import Any, NamedTuple, Protocol

# A cue matches whole words: not inside a longer word, whatever its first and last characters are.
_LEFT = r"(?<![\w])"
_RIGHT = r"(?![\w])"
_HEAD = 3  # characters of a match's beginning that choose the alternatives to try
_MOST_HEADS = 5000  # beginnings an alternative may have before it is tried everywhere
_ASCII = "".join(chr(c) for c in range(128))


_OTHERS_KEPT = 4096  # word starts with a non-ASCII character a `CueMatcher` keeps the alternatives of
_SHORTCUT_FROM = 500  # characters of patterns from which a cue is matched by a `CueMatcher`


class CuePattern(Protocol):
    """What the coder calls on a cue: a compiled pattern or a `CueMatcher`."""

    def finditer(self, text: str, pos: int = 0) -> Iterator[re.Match[str]]: ...
    def search(self, text: str, pos: int = 0) -> re.Match[str] | None: ...
    def match(self, text: str, pos: int = 0) -> re.Match[str] | None: ...


def cue_pattern(patterns: list[str]) -> CuePattern:
    """The quicker matcher of a cue: a `CueMatcher` for a long one (that can take the shortcut),
    else its one compiled pattern (on a sentence, the shortcut costs more than a short
    alternation saves). Both find the same matches."""
    if sum(map(len, patterns)) >= _SHORTCUT_FROM:
        matcher = CueMatcher(patterns)
        if matcher.shortcut:
            return matcher
    return compile_cue(patterns)


def compile_cue(patterns: list[str]) -> re.Pattern[str]:
    """One alternation of `patterns`, each anchored on word boundaries, case-insensitive."""
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(f"{_LEFT}(?:{body}){_RIGHT}", re.IGNORECASE)


class CueMatcher:
    """`compile_cue(patterns)`'s matches, found trying at each word start only the alternatives
    that can begin with its first three characters (see the module docstring)."""

    def __init__(self, patterns: list[str]) -> None:
        self.pattern = compile_cue(patterns)
        self._starts: re.Pattern[str] | None = None
        self._buckets: dict[str, re.Pattern[str]] = {}  # the first `_HEAD` characters, in any case
        raws = [_raw_heads(p) for p in patterns]
        keys = _bucket_keys(raws)  # `_HEAD` lower-case ASCII characters -> alternatives, in order
        if keys is None:
            return  # an alternative may begin anywhere (or with nothing, or one character): no shortcut
        # the beginnings as written (code points), by their first: for a word start no bucket has
        # (a non-ASCII character, the text's end), the alternatives that can begin there
        self._patterns = patterns
        self._by_first = _by_first(raws)
        self._others: dict[str, re.Pattern[str] | None] = {}
        compiled: dict[tuple[int, ...], re.Pattern[str]] = {}
        for key, alternatives in keys.items():
            chosen = tuple(sorted(alternatives))
            if chosen not in compiled:
                compiled[chosen] = compile_cue([patterns[k] for k in chosen])
            for spelling in itertools.product(*({c, c.upper()} for c in key)):  # "the", "The", "THE"...
                self._buckets["".join(spelling)] = compiled[chosen]
        # a non-ASCII character may fold onto an ASCII one ("\u212a", the Kelvin sign): tried in full
        # (one character taken, the others looked ahead at: the next word may start among them, "a soccer")
        # a beginning written with a non-ASCII character after ASCII ones ("it\u2019s"): its ASCII
        # part is a way into the tree, whatever follows it (`_unlisted` then picks the alternatives)
        # (one that begins a key already is: the tree takes a non-ASCII character after any beginning)
        open_keys = {o for o in {"".join(p) for raw in raws for written in raw or () for p in _open_prefixes(written)}
                     if not any(key.startswith(o) for key in keys)}
        self._starts = re.compile(f"{_LEFT}(?:{_trie(sorted(set(keys) | open_keys), top=True)}|[^\\x00-\\x7f])")

    @property
    def shortcut(self) -> bool:
        """Whether the alternatives to try are chosen by a match's first characters (else every
        alternative is tried everywhere, as by `pattern`)."""
        return self._starts is not None

    def finditer(self, text: str, pos: int = 0) -> Iterator[re.Match[str]]:
        """The matches of `pattern.finditer(text, pos)`, left to right, non-overlapping."""
        if self._starts is None:
            yield from self.pattern.finditer(text, pos)
            return
        buckets = self._buckets
        for start in self._starts.finditer(text, pos):
            at = start.start()
            if at < pos:
                continue  # inside the match before
            key = text[at:at + _HEAD]
            bucket = buckets.get(key)
            if bucket is None:  # a key with a non-ASCII character, or cut short by the end
                bucket = self._unlisted(key)
                if bucket is None:
                    continue
            m = bucket.match(text, at)
            if m is not None:
                yield m
                pos = m.end()  # never empty: no alternative matches the empty string

    def _unlisted(self, key: str) -> re.Pattern[str] | None:
        """The alternatives, in order, that can begin with `key` (a text's `_HEAD` characters
        holding a non-ASCII one, or fewer at its end), compiled; None when none can. An
        alternative can when one of its beginnings as written matches `key`'s first characters
        case-insensitively (a beginning longer than `key` cannot). Kept for the last keys seen."""
        if key in self._others:
            return self._others[key]
        chosen = _chosen(self._by_first, key)
        found = compile_cue([self._patterns[k] for k in chosen]) if chosen else None
        if len(self._others) >= _OTHERS_KEPT:
            self._others.clear()
        self._others[key] = found
        return found

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        """`pattern.search(text, pos)`."""
        return next(self.finditer(text, pos), None)

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        """`pattern.match(text, pos)`."""
        return self.pattern.match(text, pos)


class Starts(NamedTuple):
    """The beginnings of a text's word starts (where a cue's match may begin): `keys`, the
    `_HEAD`-character ones in ASCII, lower case; `others`, those holding a non-ASCII character
    or cut short by the text's end, as written."""

    keys: frozenset[str]
    others: frozenset[str]


_WORD_START = re.compile(f"{_LEFT}(?=(.{{1,{_HEAD}}}))", re.DOTALL)


def starts(text: str) -> Starts:
    """The `Starts` of `text`, read in one pass (for all the cues asked about it)."""
    found = set(_WORD_START.findall(text))
    return Starts(frozenset(k.lower() for k in found if len(k) == _HEAD and k.isascii()),
                  frozenset(k for k in found if len(k) < _HEAD or not k.isascii()))


class CueHeads:
    """Whether a text may hold a match of `compile_cue(patterns)`, told from its `Starts`
    without matching: a match begins at a word start whose first `_HEAD` characters are
    one of its beginnings (the argument of `CueMatcher`). `possible` is False only when no
    match can begin anywhere in the text; True always when the beginnings cannot be listed."""

    def __init__(self, patterns: list[str]) -> None:
        raws = [_raw_heads(p) for p in patterns]
        keys = _bucket_keys(raws)
        self.keys = None if keys is None else frozenset(keys)
        self._by_first = _by_first(raws) if keys is not None else {}
        self._others: dict[str, bool] = {}  # a beginning of `Starts.others` -> can a match begin there

    def possible(self, found: Starts) -> bool:
        """Whether a match may begin at one of the word starts `found` (see the class)."""
        if self.keys is None or not self.keys.isdisjoint(found.keys):
            return True
        return any(self._other(key) for key in found.others)

    def _other(self, key: str) -> bool:
        got = self._others.get(key)
        if got is None:
            if len(self._others) >= _OTHERS_KEPT:
                self._others.clear()
            got = self._others[key] = bool(_chosen(self._by_first, key))
        return got


def _bucket_keys(raws: list[set[tuple[int, ...]] | None]) -> dict[str, list[int]] | None:
    """`_HEAD` lower-case ASCII characters -> the alternatives (by index, in order) whose
    matches can begin with them, from each alternative's beginnings as written (`_raw_heads`);
    a beginning one character short stands for itself and any ASCII character after it. None
    when an alternative's beginnings cannot be listed, or a match may be empty or of one character."""
    heads = [None if r is None else _folded_heads(r) for r in raws]
    keys: dict[str, list[int]] = {}
    for k, found in enumerate(heads):
        if found is None or "" in found:
            return None
        for head in found:
            if _HEAD - len(head) > 1:
                return None  # a match of one character: every key would need it
            # a match one character shorter than `_HEAD`: whatever character follows it
            for key in ([head] if len(head) == _HEAD else [head + c.lower() for c in _ASCII]):
                alternatives = keys.setdefault(key, [])
                if not alternatives or alternatives[-1] != k:
                    alternatives.append(k)
    return keys


def _by_first(raws: list[set[tuple[int, ...]] | None]) -> dict[int, list[tuple[int, tuple[int, ...]]]]:
    """The alternatives' beginnings as written, by their first code point: (alternative, beginning)."""
    out: dict[int, list[tuple[int, tuple[int, ...]]]] = {}
    for k, raw in enumerate(raws):
        for written in raw or ():
            out.setdefault(written[0], []).append((k, written))
    return out


def _chosen(by_first: dict[int, list[tuple[int, tuple[int, ...]]]], key: str) -> list[int]:
    """The alternatives, in order, one of whose beginnings as written (`_by_first`) matches the
    first characters of `key` case-insensitively (a beginning longer than `key` cannot)."""
    return sorted({k for first, entries in by_first.items() if _same(key[0], first)
                   for k, head in entries
                   if len(head) <= len(key) and all(_same(key[i], head[i]) for i in range(1, len(head)))})


def _trie(keys: list[str], top: bool = False) -> str:
    """A case-sensitive pattern matching the beginning of a text that is one of the lower-case
    `keys` (of one length, or shorter: a beginning followed by anything) in any case, or a
    beginning of one followed by a non-ASCII character or the end: a tree of character classes,
    one class per character (`re` skips a branch whose first class does not match without
    entering it). `top`: only the first character is
    taken, the others are a lookahead."""
    if all(len(k) == 1 for k in keys):
        return f"[{re.escape(''.join(sorted({c for k in keys for c in (k, k.upper())})))}]"
    branches = []
    for first, group in itertools.groupby(keys, key=lambda k: k[0]):
        rests = [k[1:] for k in group]
        if "" in rests:  # a key that is a beginning of the others (an open one): whatever follows
            branches.append(f"[{re.escape(first + first.upper())}]")
            continue
        rest = f"{_trie(rests)}|[^\\x00-\\x7f]|\\Z"
        branches.append(f"[{re.escape(first + first.upper())}]" + (f"(?={rest})" if top else f"(?:{rest})"))
    return "|".join(branches)


def _open_prefixes(written: tuple[int, ...]) -> Iterator[tuple[str, ...]]:
    """The lower-case ASCII spellings of the part of a beginning as written before its first
    character that folds onto no ASCII one, when that part is not empty (none when there is none)."""
    folded = [_folded(c) for c in written]
    cut = next((i for i, f in enumerate(folded) if not f), None)
    if cut:
        yield from itertools.product(*folded[:cut])


def _raw_heads(pattern: str) -> set[tuple[int, ...]] | None:
    """The beginnings (`_HEAD` code points, fewer for a shorter match) of the matches of
    `pattern` as written (`_prefixes`), or None when they cannot be listed (a character class
    like `\\w`, a group reference, too many)."""
    raw = _prefixes(_parser.parse(pattern, re.IGNORECASE).data, _HEAD)
    return None if raw is None or len(raw) > _MOST_HEADS else raw


def _folded_heads(raw: set[tuple[int, ...]]) -> frozenset[str]:
    """The lower-case ASCII beginnings of the matches whose beginnings as written are `raw`,
    matched case-insensitively. A beginning that only a non-ASCII character can make is left
    out: `CueMatcher` finds the alternatives to try there apart (`_unlisted`)."""
    out: set[str] = set()
    for head in raw:
        out.update("".join(p) for p in itertools.product(*(_folded(c) for c in head)))
    return frozenset(out)


@functools.cache
def _same(char: str, code: int) -> bool:
    """Whether the text character `char` matches the pattern's character `code` case-insensitively."""
    return re.compile(re.escape(chr(code)), re.IGNORECASE).fullmatch(char) is not None


@functools.cache
def _folded(code: int) -> str:
    """The lower-case ASCII characters that the character `code` matches case-insensitively."""
    matches = re.compile(re.escape(chr(code)), re.IGNORECASE).fullmatch
    return "".join(sorted({c.lower() for c in _ASCII if matches(c)}))


def _prefixes(items: Any, k: int) -> set[tuple[int, ...]] | None:
    """The first `k` characters (as code points) of every match of a parsed pattern, shorter
    for the matches shorter than `k`; None when they cannot be listed. Zero-width assertions
    are skipped (the match begins with what follows them), so the set may be larger than the
    true one, never smaller."""
    if k == 0 or not items:
        return {()}
    (op, av), rest = items[0], items[1:]
    if op in (C.ASSERT, C.ASSERT_NOT, C.AT):
        return _prefixes(rest, k)
    if op is C.SUBPATTERN:
        return _prefixes(list(av[3].data) + list(rest), k)
    if op is C.ATOMIC_GROUP:
        return _prefixes(list(av.data) + list(rest), k)
    if op is C.BRANCH:
        out: set[tuple[int, ...]] = set()
        for alt in av[1]:
            got = _prefixes(list(alt.data) + list(rest), k)
            if got is None:
                return None
            out |= got
        return out
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        low, high, item = av
        out = set()
        # beyond `k` copies nothing new begins: each copy that is not empty adds a character
        for n in range(low if low <= k else k, min(high, k) + 1):
            got = _prefixes(list(item.data) * n + list(rest), k)
            if got is None:
                return None
            out |= got
        return out
    chars = _chars(op, av)
    if chars is None:
        return None
    tails = _prefixes(rest, k - 1)
    if tails is None or len(chars) * len(tails) > _MOST_HEADS:
        return None
    return {(c, *tail) for c in chars for tail in tails}


def _chars(op: Any, av: Any) -> set[int] | None:
    """The characters one parsed item of one character matches (its case aside), or None."""
    if op is C.LITERAL:
        return {av}
    if op is C.IN:
        out: set[int] = set()
        for kind, value in av:
            if kind is C.LITERAL:
                out.add(value)
            elif kind is C.RANGE and value[1] - value[0] < 128:
                out.update(range(value[0], value[1] + 1))
            else:
                return None  # a category (`\w`, `\d`), a negated class
        return out
    return None  # any character, a negated literal, a group reference...
