"""Checks of command-line input, each failing with a ValueError of one line the CLI prints (exit 2).

In: strings from the command line. Out: parsed values (dates, ISO3 codes, event types, a data root).
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from collections.abc import Iterable

from extractors.taxonomy import EVENT_TYPES, POLITICAL_VIOLENCE

_WHEN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def bound(text: str | None, option: str, *, end: bool) -> dt.date | None:
    """YYYY, YYYY-MM or YYYY-MM-DD as a date: the first day of that period, or with `end` its last."""
    if text is None:
        return None
    match = _WHEN.match(text.strip())
    try:
        if not match:
            raise ValueError
        year, month, day = int(match[1]), match[2], match[3]
        if day:
            return dt.date(year, int(month), int(day))
        if month:
            last = calendar.monthrange(year, int(month))[1]
            return dt.date(year, int(month), last if end else 1)
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    except ValueError:
        raise ValueError(f"{option} {text!r}: give YYYY, YYYY-MM or YYYY-MM-DD") from None


def period(since: str | None, until: str | None) -> tuple[dt.date | None, dt.date | None]:
    """`--since` / `--until` as inclusive dates; since after until is an error."""
    first, last = bound(since, "--since", end=False), bound(until, "--until", end=True)
    if first and last and first > last:
        raise ValueError(f"--since {since} is after --until {until}")
    return first, last


def nearest(word: str, choices: Iterable[str]) -> str | None:
    """The valid value closest to `word` (case-insensitive), or None."""
    options = {c.lower(): c for c in choices}
    found = difflib.get_close_matches(word.lower(), list(options), n=1, cutoff=0.4)
    return options[found[0]] if found else None


def country(text: str) -> str:
    """An ISO 3166-1 alpha-3 code from a code or a country name pycountry knows."""
    import pycountry  # the ISO 3166 list

    word = text.strip()
    found = pycountry.countries.get(alpha_3=word.upper()) if len(word) == 3 else None
    if found is None:
        try:
            found = pycountry.countries.lookup(word)
        except LookupError:
            names = ({c.alpha_3: c.alpha_3 for c in pycountry.countries}
                     | {c.name: c.alpha_3 for c in pycountry.countries})
            guess = nearest(word, names)
            hint = f"; nearest: {names[guess]} ({country_name(names[guess])})" if guess else ""
            raise ValueError(f"unknown country {text!r}: give an ISO 3166-1 alpha-3 code{hint}") from None
    return str(found.alpha_3)


def country_name(iso3: str | None) -> str | None:
    """The short English name of an ISO3 code ("Syria" rather than "Syrian Arab Republic")."""
    if not iso3:
        return None
    import pycountry

    found = pycountry.countries.get(alpha_3=iso3)
    return None if found is None else str(getattr(found, "common_name", None) or found.name)


def event_type(text: str, *, attacks_only: bool) -> str:
    """An ACLED event type spelled as the taxonomy spells it; a type attacks never include is an
    error unless every type is counted."""
    if text not in EVENT_TYPES:
        guess = nearest(text, EVENT_TYPES)
        hint = f"; nearest: {guess!r}" if guess else f"; one of: {', '.join(EVENT_TYPES)}"
        raise ValueError(f"unknown event type {text!r}{hint}")
    if attacks_only and text not in POLITICAL_VIOLENCE and text != "Strategic developments":
        raise ValueError(f"{text!r} is never counted as an attack; add --all-types to count it")
    return text


def data_root(data: object) -> str:
    """The data root as given, if it exists; else an error saying how to make one."""
    from warehouse import paths

    if not paths.open_root(data).exists():  # an opened handle as it is, a string parsed
        raise ValueError(f"no data root at {data}; run `flarewatch demo` or `flarewatch run` first, or pass --data")
    return str(data)
