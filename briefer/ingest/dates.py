"""Publication days from what inputs state: never guessed, never filled in from today."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import time
from typing import Any

from briefer.errors import InputError
from briefer.safe_text import shown

DATE_FIX = "write it as YYYY-MM-DD"

_WEEKDAY_PREFIX = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.IGNORECASE)
_ABBREVIATION_DOT = re.compile(r"(?<=[A-Za-z])\.")
_SEPTEMBER = re.compile(r"\bsept\b", re.IGNORECASE)
_WRITTEN_FORMATS = (
    "%d %B %Y",
    "%d %b %Y",
    "%d %B, %Y",
    "%d %b, %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%Y/%m/%d",
)
# The longest date people write ("Wednesday, 25th September 2024 10:15:00 +01:00") is under
# 60 characters; anything much longer is not a date, and is not worth parsing.
_LONGEST_DATE = 100


def parse_date(where: str, value: Any) -> dt.date | None:
    """A publication day from a front-matter or record value; None only when absent.

    Aware times are taken in UTC; a time zone that pushes the day out of the calendar
    (past 9999 or before year 1) is an error for that input, like any unreadable date.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        day = utc_day(value)
        if day is not None:
            return day
    elif isinstance(value, dt.date):
        return value
    elif isinstance(value, str):
        if not value.strip():
            return None
        parsed = _parse_date_text(value) if len(value) <= _LONGEST_DATE else None
        if parsed is not None:
            return parsed
    raise InputError(where, f"date {shown(value)} cannot be read", DATE_FIX)


def utc_day(moment: dt.datetime) -> dt.date | None:
    """The UTC day of an aware time (the day itself of a naive one); None when it falls
    outside the calendar."""
    if moment.tzinfo is None:
        return moment.date()
    try:
        if moment.utcoffset() is None:
            return moment.date()
        return moment.astimezone(dt.UTC).date()
    except (OverflowError, ValueError):
        return None


def _parse_date_text(value: str) -> dt.date | None:
    text = " ".join(value.split())
    try:
        return utc_day(dt.datetime.fromisoformat(text))
    except ValueError:
        pass
    try:
        return utc_day(email.utils.parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    written = _WEEKDAY_PREFIX.sub("", text)
    written = _ORDINAL.sub("", written)
    written = _ABBREVIATION_DOT.sub("", written)
    written = _SEPTEMBER.sub("Sep", written)
    for pattern in _WRITTEN_FORMATS:
        try:
            return dt.datetime.strptime(written, pattern).date()
        except ValueError:
            continue
    return None


def entry_date(label: str, entry: Any) -> dt.date | None:
    """A feed entry's day: feedparser's UTC time tuples first, then the raw text."""
    for key in ("published", "updated", "created"):
        moment: time.struct_time | None = _field(entry, f"{key}_parsed")
        if moment is not None:
            try:
                return dt.date(moment.tm_year, moment.tm_mon, moment.tm_mday)
            except (ValueError, OverflowError, TypeError):
                # feedparser turns "0000-00-00" into year -1: not a day, and not a guess.
                raw = _field(entry, key)
                raise InputError(label, f"date {shown(raw)} cannot be read", DATE_FIX) from None
    for key in ("published", "updated", "created"):
        raw = _field(entry, key)
        if raw:
            return parse_date(label, raw)
    return None


def _field(entry: Any, key: str) -> Any:
    """The entry's own value for key, or None. Asked for an `updated` field it lacks,
    feedparser answers with the `published` one and a DeprecationWarning (its issue 310):
    that field was read first anyway, so only one the entry has is read (`in` asks for the
    key itself)."""
    return entry.get(key) if key in entry else None
