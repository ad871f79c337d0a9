"""Date expressions in news and event notes, resolved against the publication time.

In: a stretch of text, the publication date (or None) and an anchor date (the date of the incident
the text last spoke of, for "the next day"). Out: `find_dates(...)` -> `DateHit`s, each with its
offsets, the resolved date (None when it cannot be resolved), ACLED's time precision and a kind.

Rules (ACLED's conventions where they exist):
- explicit dates ("6 May 2020", "May 6, 2020", "Feb. 24, 2020", "24th of February 2020") resolve
  as written; without a year ("On 6 May", "Sept. 17", "on the 3rd") they take the most recent
  such day not after publication (unresolved when there is no publication date);
- numeric dates: year first ("2020-05-06", "2020/05/06") is always year-month-day; otherwise day
  and month come in either order ("17/04/2017", "04/17/2017", "17.04.17", "4-17-17"), with `/`,
  `-` or `.` and a year of 4 or 2 digits. Only one reading valid (a number above 12 cannot be a
  month): that one. Both valid: (1) the order the document itself settles (another numeric date
  in it with a number above 12: see `numeric_order`); else (2) the reading on or before the
  publication day and closest to it (GUIDE rule 11), when it lies within `NEWS_SPAN` days of
  publication; else, for a full date heading a record, the reading at most `EARLY_STAMP` days
  after publication (a feed's or an export's stamp a few days earlier than the record: a report
  is never dated after its publication by more than that); else (both readings long past: an
  archive's or a database's record; both too far after the stamp; or one among the days just
  past and one just after an early stamp, which nearness cannot tell apart) as with no
  publication date: (3) the
  order of the text's written dates ("March 5" is month-first, "5 March" day-first), then (4)
  the separator: dotted dates are day-first in every convention that writes them; with `/` or
  `-`, month-first, CLDR's default short date for English ("M/d/y"). Two-digit
  years take the century that puts them on or before publication (without one: 00-68 -> 20xx);
  a day written as zero ("03/00/2016", "2016-03-00", a record's unknown day) is month precision;
- a weekday names the most recent such day on or before publication ("last Thursday": before it);
- "overnight" / "last night" / "yesterday" = the day before publication; "today" = publication day;
- "last week", "this week", the weekend -> week precision; "in January", "last month", "earlier
  this month" -> month precision, dated the 15th (ACLED's mid-month); "in 2014" -> year precision;
- "around", "as reported", "(or around)" before or after a day turn it into week precision;
- a range (a night spanning two days of one month, "<weekday> and <weekday>", "between <date>
  and <date>") is read as its last day;
- without a publication time, `reference_date(text)` (the latest full date the text itself writes:
  a dateline, a caption, "On 12 March 2019") can stand in for it (`inferred=True`): a day named
  relative to it ("on Saturday", "yesterday") is then only known to the week, a day and month
  ("May 22") take their year from it and keep day precision.
Not numbers that merely look like dates: "12/24 hours", "24/7", a score "3-1", a fraction "on
1/3 of", "9/11" as the name of an event, version-like runs ("1.2.3.4").
Only the standard library: `dateparser` (a dependency, used for feed metadata) was tried and
left out here: its day/month order is fixed per call and never weighed against the publication
day, it reads "on Feb. 24" as "on Feb", "the 3rd" as the 1st and "12/24 hours" or a score as
dates, and costs milliseconds per sentence where these patterns cost microseconds.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
SMALL_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "several": None,
}

# Month and weekday names are capitalised in running text; matching them case-sensitively keeps
# the modal "may" and the verb "march" out.
_MONTH = (r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|"
          r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?")
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_DAY2 = r"(?:\s*(?:-|–|to|and|or|/)\s*(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?)?"
_YEAR = r"(?P<year>1[89]\d\d|20\d\d)"
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_NUM = r"(?:\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|several)"
_I = "(?i:{})"
# a numeric date stands apart from other digits, dots and slashes ("1.2.3.4", "10/12/2020/5" are not dates)
_NUM_START = r"(?<![\w./-])"
_NUM_END = r"(?![\w%]|[-/.]\d)"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern)) for kind, pattern in (
        ("iso", rf"{_NUM_START}{_YEAR}(?P<sep>[-/.])(?P<mnum>[01]?\d)(?P=sep)(?P<day>[0-3]?\d){_NUM_END}"),
        ("dmy", rf"\b{_DAY}{_DAY2}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?\b"),
        ("mdy", rf"\b{_MONTH}\s+{_DAY}{_DAY2}\b(?!:\d)(?:,?\s+{_YEAR}(?!\d))?"),
        ("numeric", rf"{_NUM_START}(?P<n1>[0-3]?\d)(?P<sep>[-/.])(?P<n2>[0-3]?\d)(?P=sep)"
                    rf"(?P<year>(?:19|20)\d\d|\d\d){_NUM_END}"
                    # without a year only after "on", and not a fraction or a duration ("on 1/3 of", "on 12/24 hours")
                    rf"|(?<=\b[Oo]n )(?P<n1_b>[0-3]?\d)/(?P<n2_b>[0-3]?\d){_NUM_END}"
                    r"(?!\s*(?:of|hours?|hrs|h|days?|weeks?|shifts?|basis|percent|per)\b)"),
        # "on the 3rd," / "on the 3rd of this month": a day of the month; not "the 3rd brigade"
        ("ordinal", r"(?<=\b[Oo]n )the (?P<oday>[1-9]|[12]\d|3[01])(?:st|nd|rd|th)\b"
                    r"(?:\s+of (?:this|the) month|\s+(?P<lastmonth>of (?:last|the previous) month)|"
                    r"(?=\s*(?:[,.;:)!?]|$)|\s+(?:at|in|near|and|when|as|after|before|while|during|around|but|"
                    r"morning|night|afternoon|evening)\b))"),
        ("month_year", rf"\b(?:(?P<part>early|mid|late|the end of|end of|"
                       rf"the beginning of)[- ])?{_MONTH},?\s+{_YEAR}\b"),
        ("month", _I.format(r"\b(?:in|since|during|of|last|this|until|by|from|early|mid|late)[- ]")
                  + rf"(?:(?P<part>early|mid|late|the end of|the beginning of)[- ])?{_MONTH}(?![\w-])"),
        ("weekday", _I.format(r"(?:\b(?P<last>last|past|previous) )?") + rf"\b{_WEEKDAY}\b"),
        ("relative", _I.format(
            r"\b(?:(?P<today>today|tonight|this (?:morning|afternoon|evening)|earlier today|(?:early|late) today)|"
            r"(?P<yesterday>yesterday|last night|overnight|the previous night)|"
            r"(?P<before_yesterday>the day before yesterday|the night before last)|"
            rf"(?P<days_ago>{_NUM} days? ago)|(?P<weeks_ago>{_NUM} weeks? ago)|"
            r"(?P<last_week>last week|the previous week|the past week)|(?P<this_week>(?:earlier |late |)this week)|"
            r"(?P<last_weekend>last weekend)|(?P<weekend>(?:this past|this|the|over the) weekend)|"
            r"(?P<last_month>last month|the previous month)|(?P<this_month>(?:earlier |late |)this month)|"
            r"(?P<last_year>last year|the previous year)|(?P<this_year>(?:earlier |)this year))\b")),
        ("anchored", _I.format(
            r"\b(?:(?P<next>the next day|the following day|a day later|the day after|the next morning|"
            r"the following morning|the next night)|(?P<same>hours later|the same day|that day|that night|"
            r"later that day)|"
            r"(?P<prev>the day before|the previous day|a day earlier|the night before|the eve)|"
            rf"(?P<n_later>{_NUM} days? (?:later|after))|(?P<n_earlier>{_NUM} days? (?:earlier|before))|"
            r"(?P<week_later>a week later|the following week|the next week)|(?P<week_earlier>a week (?:earlier|"
            r"before))|"
            r"(?P<days_later>days later))\b")),
        ("holiday", r"\b(?P<holiday>Christmas Eve|Christmas|New Year's Eve|New Year's Day)\b"),
        ("year", _I.format(r"\b(?:in|since|during|of|the|early|late|mid|until|by|from|year|over) ")
                 + r"(?P<year>1[89]\d\d|20\d\d)(?!s\b|\d|,\d)\b"),
    )
)
_NUMERIC_INDEX = next(i for i, (kind, _) in enumerate(_PATTERNS) if kind == "numeric")
_APPROXIMATE_BEFORE = re.compile(
    r"(?:around|about|approximately|circa|as reported on|reported on|or around|on or about|week of|between)\s+$",
    re.IGNORECASE)
_APPROXIMATE_AFTER = re.compile(r"^\s*\((?:as reported|or around|approximately|reported)\)", re.IGNORECASE)
_PART_DAY = {"early": 5, "the beginning of": 5, "mid": 15, "late": 25, "the end of": 28, "end of": 28}


@dataclass(frozen=True, slots=True)
class DateHit:
    """One date expression: [start, end) in the searched text, what it resolves to, how precise.

    `kind`: "explicit" (day, month and year written), "partial" (day and month, year inferred),
    "weekday", "relative" (today, last week...), "anchored" (the next day...), "month", "year".
    `date` is None when the expression cannot be resolved (no publication date, no anchor).
    """

    start: int
    end: int
    date: dt.date | None
    precision: str
    kind: str
    text: str = ""

    @property
    def specific(self) -> bool:
        """True when it names a day (or a week) rather than a month or a year."""
        return self.precision in ("day", "week")


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _recent_day(month: int, day: int, published: dt.date | None, slack: int = 1) -> dt.date | None:
    """The most recent (month, day) not after publication (one day of slack for time zones; with an
    inferred reference date, half a year: the text may be written well after its latest date)."""
    if published is None:
        return None
    for year in (published.year, published.year - 1):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate <= published + dt.timedelta(days=slack):
            return candidate
    return None


def _recent_month(month: int, published: dt.date | None, day: int = 15) -> dt.date | None:
    if published is None:
        return None
    year = published.year if month <= published.month else published.year - 1
    candidate = _safe_date(year, month, day) or _safe_date(year, month, 28)
    return min(candidate, published) if candidate and candidate > published else candidate


def _shift_month(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 15)


def _count(word: str | None) -> int | None:
    if word is None:
        return None
    return int(word) if word.isdigit() else SMALL_NUMBERS.get(word.lower())


def _year_of(text: str | None, published: dt.date | None = None) -> int | None:
    """A written year; two digits take the century that puts them on or before publication
    (without one, POSIX's pivot: 69-99 -> 19xx, 00-68 -> 20xx)."""
    if not text:
        return None
    year = int(text)
    if len(text) > 2:
        return year
    if published is None:
        return year + (1900 if year >= 69 else 2000)
    century = published.year // 100 * 100
    return century + year if century + year <= published.year else century - 100 + year


@dataclass(frozen=True, slots=True)
class DateOrder:
    """How a document orders day and month in its numeric dates: `numeric` ("dmy" / "mdy") when
    one of its numeric dates settles it, `written` when only its month-name dates hint at it
    ("March 5" month-first, "5 March" day-first). See `numeric_order`."""

    numeric: str | None = None
    written: str | None = None


_NO_ORDER = DateOrder()
_DIGIT_SEPARATOR = re.compile(r"\d[-/.]\d")
_WRITTEN_MDY = re.compile(rf"\b{_MONTH}\s+[0-3]?\d(?:st|nd|rd|th)?\b(?!:\d)")
_WRITTEN_DMY = re.compile(rf"\b[0-3]?\d(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}(?![\w-])")


def numeric_order(text: str) -> DateOrder:
    """The day/month order a whole document uses, read once per document.

    In: the document text. Out: `DateOrder`: `numeric` is "dmy" when one of its numeric dates
    has a first number above 12 ("25/03/2016"), "mdy" when one has a second number above 12
    ("03/25/2016"), None when none does or both occur; `written` likewise from the order of its
    month-name dates (weaker: used only without a publication date).
    """
    if not _DIGIT_SEPARATOR.search(text):
        return _NO_ORDER  # no numeric date at all: most documents, at the cost of one C scan
    seen, ambiguous = set(), False
    for m in _PATTERNS[_NUMERIC_INDEX][1].finditer(text):
        first, second = int(m.group("n1") or m.group("n1_b")), int(m.group("n2") or m.group("n2_b"))
        if first > 12 >= second >= 1:
            seen.add("dmy")
        elif second > 12 >= first >= 1:
            seen.add("mdy")
        else:
            ambiguous = True
    numeric = seen.pop() if len(seen) == 1 else None
    if numeric is not None or not ambiguous:
        return DateOrder(numeric)
    written = {"mdy" for _ in _WRITTEN_MDY.finditer(text)} | {"dmy" for _ in _WRITTEN_DMY.finditer(text)}
    return DateOrder(None, written.pop() if len(written) == 1 else None)


# days (a month) before publication within which the nearer of a numeric date's two readings is the
# one meant: a report tells of days just past; beyond that span both readings are equally old news
NEWS_SPAN = 31
# days a full date heading a record may lie after its publication stamp (an export's or a feed's time
# a few days earlier than the record) and still be read by its nearness to that stamp
EARLY_STAMP = 7


def _numeric(g: dict[str, str | None], published: dt.date | None, order: DateOrder | None,
             slack: int, ahead: int = 0) -> tuple[dt.date | None, str, str] | None:
    """A numeric date with day and month in either order, resolved as the module doc says
    (`ahead`: days after publication a reading may lie, for a date heading a record)."""
    first, second = int(g["n1"] or g["n1_b"] or 0), int(g["n2"] or g["n2_b"] or 0)
    year = _year_of(g.get("year"), published)
    if year and 0 in (first, second) and 1 <= first + second <= 12:
        # a record's day left at zero ("03/00/2016", "00/03/2016"): that month, ACLED's mid-month
        return _safe_date(year, first + second, 15), "month", "month"
    readings: dict[str, dt.date | None] = {}
    for name, (day, month) in (("dmy", (first, second)), ("mdy", (second, first))):
        if 1 <= month <= 12 and 1 <= day <= 31:
            readings[name] = _safe_date(year, month, day) if year else _recent_day(month, day, published, slack)
    kind = "explicit" if year else "partial"
    valid = {name: day for name, day in readings.items() if day is not None}
    if not valid:
        # a well-formed day and month whose year cannot be told yet (no publication date)
        return (None, "day", kind) if readings and not year else None
    early: dict[str, dt.date] = {}
    if published is not None:
        # digits after the publication day in every order name no day the report looks back on
        # (a note's own filing date, a reference number such as "file 30/4/19" in an older note);
        # the one day of time-zone slack is left to a date that opens the text (see `find_dates`),
        # and the few days of an early stamp to a full date heading a record (`ahead`)
        limit = published + dt.timedelta(days=slack)
        early = {name: day for name, day in valid.items() if limit < day <= published + dt.timedelta(days=ahead)}
        valid = {name: day for name, day in valid.items() if day <= limit}
        if not valid and not early:
            return None
    if order is not None and order.numeric in valid | early:
        return (valid | early)[order.numeric], "day", kind
    if published is not None:
        # (`published` may be the text's own latest date, with a long slack: nearest, not latest)
        nearest = min(valid.values(), key=lambda day: abs((day - published).days), default=None)
        close = nearest is not None and abs((published - nearest).days) <= max(slack, NEWS_SPAN)
        if nearest is not None and not early and (len(valid) == 1 or close):
            return nearest, "day", kind
        if early and not close:
            # no reading among the days just past: a record a few days after its stamp is the
            # reading meant, not one months before it
            return min(early.values()), "day", kind
        # both readings long before publication (an archive, a database's record, a retrospective),
        # or one among the days just past and one just after an early stamp: nearness no longer
        # tells the order, the writing convention does
        valid |= early
    if order is not None and order.written in valid:
        return valid[order.written], "day", kind
    default = "dmy" if g.get("sep") == "." else "mdy"
    return valid[default] if default in valid else next(iter(valid.values())), "day", kind


def _ordinal(g: dict[str, str | None], published: dt.date | None) -> dt.date | None:
    """ "on the 3rd": the most recent such day of a month not after publication ("of last month":
    in the month before)."""
    oday = g["oday"]
    if published is None or oday is None:
        return None
    day = int(oday)
    for back in ((1,) if g.get("lastmonth") else (0, 1, 2)):
        index = published.year * 12 + published.month - 1 - back
        candidate = _safe_date(index // 12, index % 12 + 1, day)
        if candidate is not None and candidate <= published:
            return candidate
    return None


def _resolve(kind: str, m: re.Match[str], published: dt.date | None, anchor: dt.date | None,
             slack: int = 1, order: DateOrder | None = None,
             ahead: int = 0) -> tuple[dt.date | None, str, str] | None:
    """(date, precision, hit kind) for one pattern match, or None when the match is not a date
    (`ahead`: see `_numeric`)."""
    g = m.groupdict()
    if kind == "numeric":
        return _numeric(g, published, order, slack, ahead)
    if kind == "ordinal":
        return _ordinal(g, published), "day", "partial"
    if kind in ("iso", "dmy", "mdy"):
        month = MONTHS[g["month"].lower()] if g.get("month") else int(g["mnum"])
        day = int(g["day2"]) if g.get("day2") else int(g["day"])
        year = _year_of(g.get("year"))
        if kind == "iso" and day == 0 and year and 1 <= month <= 12:
            return _safe_date(year, month, 15), "month", "month"  # "2016-03-00": the day is unknown
        if not 1 <= month <= 12 or not 1 <= day <= 31:
            return None
        if year is not None:
            return _safe_date(year, month, day), "day", "explicit"
        return _recent_day(month, day, published, slack), "day", "partial"
    if kind == "month_year":
        day = _PART_DAY.get((g.get("part") or "").lower(), 15)
        precision = "week" if g.get("part") else "month"
        return _safe_date(int(g["year"]), MONTHS[g["month"].lower()], day), precision, "month"
    if kind == "month":
        day = _PART_DAY.get((g.get("part") or "").lower(), 15)
        precision = "week" if g.get("part") else "month"
        return _recent_month(MONTHS[g["month"].lower()], published, day), precision, "month"
    if kind == "year":
        return dt.date(int(g["year"]), 7, 1), "year", "year"
    if kind == "weekday":
        if published is None:
            return None, "day", "weekday"
        back = (published.weekday() - WEEKDAYS[g["weekday"].lower()]) % 7
        if back == 0 and g.get("last"):
            back = 7
        return published - dt.timedelta(days=back), "day", "weekday"
    if kind == "holiday":
        name = g["holiday"].lower()
        month, day = {"christmas eve": (12, 24), "christmas": (12, 25), "new year's eve": (12, 31),
                      "new year's day": (1, 1)}[name]
        return _recent_day(month, day, published), "day", "partial"
    if kind == "relative":
        return _relative(g, published)
    if kind == "anchored":
        return _anchored(g, anchor)
    return None


def _relative(g: dict[str, str | None], published: dt.date | None) -> tuple[dt.date | None, str, str]:
    if published is None:
        return None, "day", "relative"
    day = dt.timedelta(days=1)
    if g["today"]:
        return published, "day", "relative"
    if g["yesterday"]:
        return published - day, "day", "relative"
    if g["before_yesterday"]:
        return published - 2 * day, "day", "relative"
    if g["days_ago"]:
        n = _count(g["days_ago"].split()[0])
        return (published - n * day if n else None), "day", "relative"
    if g["weeks_ago"]:
        n = _count(g["weeks_ago"].split()[0])
        return (published - 7 * n * day if n else None), "week", "relative"
    if g["last_week"]:
        return published - 7 * day, "week", "relative"
    if g["this_week"]:
        return published - dt.timedelta(days=min(2, published.weekday())), "week", "relative"
    if g["last_weekend"] or g["weekend"]:
        back = (published.weekday() - 5) % 7
        if g["last_weekend"] and back < 2:
            back += 7
        return published - back * day, "week", "relative"
    if g["last_month"]:
        return _shift_month(published, -1), "month", "relative"
    if g["this_month"]:
        return min(published.replace(day=15), published), "month", "relative"
    if g["last_year"]:
        return dt.date(published.year - 1, 7, 1), "year", "relative"
    return dt.date(published.year, min(published.month, 7), 1), "year", "relative"


def _anchored(g: dict[str, str | None], anchor: dt.date | None) -> tuple[dt.date | None, str, str]:
    if anchor is None:
        return None, "day", "anchored"
    day = dt.timedelta(days=1)
    if g["next"]:
        return anchor + day, "day", "anchored"
    if g["same"]:
        return anchor, "day", "anchored"
    if g["prev"]:
        return anchor - day, "day", "anchored"
    if g["n_later"] or g["n_earlier"]:
        text = g["n_later"] or g["n_earlier"] or ""
        n = _count(text.split()[0])
        if n is None:
            return None, "week", "anchored"
        return (anchor + n * day if g["n_later"] else anchor - n * day), "day", "anchored"
    if g["week_later"]:
        return anchor + 7 * day, "week", "anchored"
    if g["week_earlier"]:
        return anchor - 7 * day, "week", "anchored"
    return None, "week", "anchored"


# "the April 15, 2013, bombing", "the highest since May 10, 2010", "until 3 June 2019": a date that
# names a recalled event or the edge of a span says nothing about when the text was written
_NOT_REFERENCE = re.compile(r"(?i)\b(?:the|since|until|till|before|after|from|through|between|than)\s+$")


def reference_date(text: str) -> dt.date | None:
    """The latest full date (day, month and year) written in `text`, or None.

    In: a whole document. Out: the day a text without a publication time can at least be said
    to be written on or after (a dateline, a caption, "On 12 March 2019 ..."); used in its place
    to resolve relative expressions. Dates that name a recalled event ("the April 15, 2013,
    bombing") or a span's edge ("since May 10, 2010") are not candidates.
    """
    latest: dt.date | None = None
    order = numeric_order(text)
    for kind, pattern in _PATTERNS:
        if kind not in ("iso", "dmy", "mdy", "numeric"):
            continue
        for m in pattern.finditer(text):
            if _NOT_REFERENCE.search(text[max(0, m.start() - 12):m.start()]):
                continue
            resolved = _resolve(kind, m, None, None, order=order)
            if resolved is not None and resolved[2] == "explicit" and resolved[0] is not None:
                latest = resolved[0] if latest is None else max(latest, resolved[0])
    return latest


def find_dates(text: str, *, published: dt.date | None, anchor: dt.date | None = None,
               inferred: bool = False, order: DateOrder | None = None) -> list[DateHit]:
    """Every date expression in `text`, left to right, overlaps resolved for the earlier pattern.

    `published`: the publication date (UTC) that relative expressions resolve against.
    `anchor`: the date "the next day" and its kin count from (None leaves them unresolved).
    `inferred`: `published` is not the publication date but `reference_date(...)` of the text:
    weekdays and relative days resolved against it are week precision (the text may have been
    written days after the latest date it names).
    `order`: `numeric_order(...)` of the whole document `text` comes from (by default, of `text`).
    """
    order = numeric_order(text) if order is None else order
    hits: list[DateHit] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if any(start < b and a < end for a, b in taken):
                continue
            if kind == "numeric" and m.group() in ("9/11", "24/7"):
                continue
            heading = kind == "numeric" and _heading_date(m, text, published, inferred)
            resolved = _resolve(kind, m, published, anchor, 183 if inferred else 1, order,
                                EARLY_STAMP if heading else 0)
            if resolved is None and heading:
                # a full date heading a record states its own day: a publication stamp earlier than
                # it (a feed's or an export's time) does not overrule it; the order is read as undated
                resolved = _resolve(kind, m, None, anchor, 1, order)
            if resolved is None:
                continue
            date, precision, hit_kind = resolved
            if kind == "numeric" and not inferred and date and published and date > published \
                    and not _OPENS_TEXT.match(text[:start]):
                continue  # a day past publication inside the text: a stamp, not the day of the report
            if inferred and precision == "day" and hit_kind in ("weekday", "relative") and date is not None:
                precision = "week"
            if precision == "day" and (_APPROXIMATE_BEFORE.search(text[max(0, start - 20):start])
                                       or _APPROXIMATE_AFTER.match(text[end:end + 20])):
                precision = "week"
            taken.append((start, end))
            hits.append(DateHit(start, end, date, precision, hit_kind, m.group()))
    hits.sort(key=lambda h: h.start)
    return _join_ranges(text, hits)


_OPENS_TEXT = re.compile(r"(?i)^\W*(?:on|between|from)?\s*$")
_HEADING_END = re.compile(r"\s*[:,]")


def _heading_date(m: re.Match[str], text: str, published: dt.date | None, inferred: bool) -> bool:
    """Whether a numeric date with a four-digit year heads the text ("<date>: ...", "On <date>, ...")."""
    year = m.group("year") or ""
    return (published is not None and not inferred and len(year) == 4 and bool(_OPENS_TEXT.match(text[:m.start()]))
            and bool(_HEADING_END.match(text, m.end())))
_RANGE_JOIN = re.compile(r"(?i)\s*(?:and|to|-|–|until|till|through)\s*")


def _join_ranges(text: str, hits: list[DateHit]) -> list[DateHit]:
    """Two full dates joined as a range ("between 03/11/2012 and 03/12/2012", "from 4 May 2019 to
    6 May 2019") become one hit read as the last day (week precision after "between")."""
    out: list[DateHit] = []
    for hit in hits:
        last = out[-1] if out else None
        if (last is not None and last.kind == hit.kind == "explicit" and last.date and hit.date
                and 0 < (hit.date - last.date).days <= 31 and _RANGE_JOIN.fullmatch(text[last.end:hit.start])):
            precision = "week" if "week" in (last.precision, hit.precision) else hit.precision
            out[-1] = DateHit(last.start, hit.end, hit.date, precision, "explicit", text[last.start:hit.end])
        else:
            out.append(hit)
    return out
