"""The one options object, built at the boundary (CLI or caller) and passed down."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from briefer.errors import OptionsError

FORMATS = ("md", "html", "txt", "json")
DEFAULT_SENTENCES = 3
DEFAULT_ALGORITHM = "default"
# What to do with an article without a date: place it by the day briefer first saw it
# (remembered in the article store), or leave it out with a warning.
UNDATED = ("first-seen", "skip")


@dataclass(frozen=True)
class FetchSettings:
    """How feeds and pages are fetched over HTTP (briefer/fetch.py)."""

    timeout: float = 15.0  # seconds allowed to connect, and between bytes of the response
    retries: int = 3  # further attempts after a 429, a 5xx, a timeout or a dropped connection
    backoff: float = 1.0  # seconds before the first retry; doubled for each one after it
    max_retry_after: float = 60.0  # a server's Retry-After is honoured up to this many seconds
    max_bytes: int = 5 * 1024 * 1024  # a larger response is an error for that URL
    max_redirects: int = 5
    entry_pages: bool = True  # fetch an entry's page when its feed gives only a short summary


@dataclass(frozen=True)
class MakeOptions:
    inputs: tuple[Path, ...]
    out: Path
    since: dt.date | None
    until: dt.date
    formats: tuple[str, ...] = ("md",)
    themes: Path | None = None  # None: no themes file, everything under "Other developments"
    sentences: int = DEFAULT_SENTENCES
    words: int | None = None  # optional word budget per article summary
    algorithm: str = DEFAULT_ALGORITHM
    explain: bool = False
    templates: Path | None = None  # a folder of user templates overriding the shipped ones
    urls: tuple[str, ...] = ()  # feed and page URLs, fetched for this run only (never stored)
    fetch: FetchSettings = FetchSettings()
    cache: bool = True  # keep and reuse the article store, .briefer/ beside `out`
    undated: str = "first-seen"  # or "skip": see UNDATED


def parse_date(value: str, option: str) -> dt.date:
    """A YYYY-MM-DD date given on the command line or in a config file."""
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise OptionsError(f"{option} {value!r} is not a date; write it as YYYY-MM-DD") from None


def parse_formats(value: str) -> tuple[str, ...]:
    """`md,html` -> ("md", "html"), in the order given, without repeats."""
    formats: list[str] = []
    for part in value.split(","):
        name = part.strip().lower().lstrip(".")
        if not name:
            continue
        if name not in FORMATS:
            raise OptionsError(
                f"--format {name!r} is not a briefing format; choose from {', '.join(FORMATS)}"
            )
        if name not in formats:
            formats.append(name)
    if not formats:
        raise OptionsError(f"--format is empty; choose from {', '.join(FORMATS)}")
    return tuple(formats)


def check_undated(value: str, option: str = "--undated") -> str:
    """`first-seen` or `skip`, as given for what to do with articles without a date."""
    word = value.strip().lower()
    if word not in UNDATED:
        raise OptionsError(f"{option} {value!r} is not a choice; choose from {', '.join(UNDATED)}")
    return word


def check_period(since: dt.date | None, until: dt.date) -> None:
    if since is not None and since > until:
        raise OptionsError(
            f"--since {since.isoformat()} is after --until {until.isoformat()}; swap them"
        )


def check_length(sentences: int, words: int | None) -> None:
    if sentences < 1:
        raise OptionsError(f"--sentences {sentences} must be at least 1")
    if words is not None and words < 1:
        raise OptionsError(f"--words {words} must be at least 1")


def is_url(text: str) -> bool:
    """True for an http(s) address: what --input and fetch treat as something to fetch."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def split_inputs(values: Sequence[str]) -> tuple[tuple[Path, ...], tuple[str, ...]]:
    """--input values as paths and http(s) URLs, each in the order given."""
    paths = tuple(Path(value) for value in values if not is_url(value))
    urls = tuple(value.strip() for value in values if is_url(value))
    return paths, urls
