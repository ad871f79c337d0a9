"""Names and places as the merging compares them (`extractors.dedup`): actor names as sets of telling
words, places as normalised parts, and the fuzzy matches between them."""

from __future__ import annotations

import functools
import re
import unicodedata

import pycountry
from rapidfuzz.fuzz import ratio  # maintained C++ string similarity; difflib's is pure Python

_SIMILAR = 80.0
"""Similarity (0-100, normalised InDel) from which two place names are one ("irbil"/"erbil")."""

_STOP = frozenset(  # words that name no one in particular ("Iran-backed militias" -> {"iran"})
    "a an the of in on at by for from to and or with near outside inside per its his her their be "
    "used use using linked backed aligned affiliated sponsored supported led allegedly alleged suspected "
    "accused likely claimed possibly reportedly thought believed blamed official unknown unidentified "
    "armed group force military militia militant rebel gunman gunmen security personnel member service "
    "servicemember troop army soldier fighter people person civilian individual men man women woman "
    "facility site location base target building vehicle ship vessel boat several multiple two three "
    # words a headline wraps around an actor ("Israeli strikes", "Iran accuses Israel of", "Biden orders")
    "strike attack kill hit say claim accuse order report show video carry out journalist".split()
)
_PLACE_NOISE = frozenset(  # words that do not tell two places apart ("Ain al-Asad air base" -> "ainasad")
    "governorate province region state district county division municipality wilayah muhafazat oblast "
    "city town village camp refugee air airbase base near outside of the in and area street st road rd "
    "avenue ave boulevard square northern southern eastern western central al el ad ar as at an ash az ath"
    .split()
)


def _words(s: str | None) -> list[str]:
    """Lower-case ASCII words: "U.S.-backed" -> ["us", "backed"], "Ma'arib" -> ["maarib"]."""
    plain = unicodedata.normalize("NFKD", s or "").encode("ascii", "ignore").decode().lower()
    return [w for w in re.split(r"[^a-z0-9]+", re.sub(r"[.'`]", "", plain)) if w]


def _norm_place(s: str | None) -> str:
    return "".join(w for w in _words(s) if w not in _PLACE_NOISE)


def _place_parts(location: str | None, iso3: str | None, admin1: str | None) -> tuple[str, ...]:
    """A location's comma- or bracket-separated parts, finest first ("Boylston Street, Boston": 2).

    A part that only names the mention's country or first-level region ("Syria" in SYR, a coder's
    stand-in when it knows no town) is no finer place, so it is left out.
    """
    coarse = _country_names(iso3) | {_norm_place(admin1)}
    parts = (p for p in map(_norm_place, re.split(r"[,;()/]", location or "")) if p)
    return tuple(p for p in parts if not any(c and _place_match(p, c) for c in coarse))


@functools.lru_cache(maxsize=512)
def _country_names(iso3: str | None) -> frozenset[str]:
    country = pycountry.countries.get(alpha_3=iso3) if iso3 else None
    return frozenset(_norm_place(getattr(country, k, None)) for k in ("name", "common_name", "official_name"))


def _tokens(s: str | None) -> frozenset[str]:
    stems = (w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in _words(s))
    return frozenset(w for w in stems if w not in _STOP and not w.isdigit())  # "2 journalists": a count


@functools.lru_cache(maxsize=1 << 16)
def _named(s: str | None) -> bool:
    """Whether an actor string looks like a clean name ("Iran-backed Houthis", "Israeli military").

    Coders also leave fragments there ("separate disclosure", "headed", "Iranian leaders accuse Israeli"):
    a name has telling words, each capitalised. Only two names can contradict each other. Title-case
    headline fragments ("Biden Orders") pass for names: that errs towards the stricter rule.
    """
    def telling_words(text: str) -> list[str]:
        return [w for w in re.split(r"[^\w'’.]+", text) if w and _tokens(w)]

    # "Israeli military (accused)": an aside is no part of the name, unless all else is generic
    # ("Unidentified Armed Group (Brazil)")
    telling = telling_words(re.sub(r"\([^)]*\)", " ", s or "")) or telling_words(s or "")
    # particles of a transliterated name ("lid-Dawatai wal-Jihad") may be lower-case, not the whole name
    capital = [w[0].isupper() or w[0].isdigit() for w in telling]
    return any(capital) and all(c or len(w) <= 3 for c, w in zip(capital, telling, strict=True))


@functools.lru_cache(maxsize=1 << 16)
def _overlap(a: frozenset[str], b: frozenset[str]) -> bool:
    # "israel"/"israeli", "houthi"/"houthis", "lebanon"/"lebanese": a shared prefix of 4+ or stem of 5
    return any(x == y or (n := min(len(x), len(y), 5)) >= 4 and x[:n] == y[:n] for x in a for y in b)


@functools.lru_cache(maxsize=1 << 16)
def _place_match(x: str, y: str) -> bool:
    # equal, nested ("damascus" in "ruraldamascus"), or transliterated alike ("irbil"/"erbil")
    return x == y or min(len(x), len(y)) >= 4 and (x in y or y in x) or (
        ratio(x, y) >= _SIMILAR)


def _same_place(x: str, y: str) -> bool:
    return x == y or ratio(x, y) >= _SIMILAR
