"""What a run may be asked for, and the checks on it: the one place that knows the briefing
formats and the sentence scorers' names, so a name is validated without importing a scorer.

The records themselves (MakeOptions, FetchSettings) live in briefer/records.py; briefer.config
builds MakeOptions at the boundary from the layered settings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from briefer.errors import OptionsError
from briefer.records import (
    DEFAULT_ALGORITHM,
    DEFAULT_FORMATS,
    DEFAULT_INPUTS,
    DEFAULT_OUT,
    DEFAULT_SENTENCES,
    FetchSettings,
    InputLimits,
    MakeOptions,
)

__all__ = [
    "ALGORITHMS",
    "DEFAULT_ALGORITHM",
    "DEFAULT_FORMATS",
    "DEFAULT_INPUTS",
    "DEFAULT_OUT",
    "DEFAULT_SENTENCES",
    "FORMATS",
    "LIMIT_KEYS",
    "SUMY_ALGORITHMS",
    "UNDATED",
    "FetchSettings",
    "MakeOptions",
    "check_algorithm",
    "check_length",
    "check_period",
    "check_undated",
    "fetch_folder",
    "fetch_settings",
    "is_url",
    "merge_limits",
    "parse_date",
    "parse_formats",
    "split_inputs",
    "themes_file",
]

FORMATS = ("md", "html", "txt", "json")
# What to do with an article without a date: place it by the day briefer first saw it
# (remembered in the article store), or leave it out with a warning.
UNDATED = ("first-seen", "skip")
# The sentence scorers (briefer/summarize.py implements them): ours, the lead baseline, and
# the classic extractive scorers of the sumy library.
SUMY_ALGORITHMS: tuple[str, ...] = ("lexrank", "textrank", "lsa", "luhn", "sumbasic", "kl")
ALGORITHMS: tuple[str, ...] = ("default", "lead", *SUMY_ALGORITHMS)
# The input limits (records.InputLimits): each is a setting, a BRIEFER_* variable and a flag.
LIMIT_KEYS: tuple[str, ...] = tuple(limit.name for limit in fields(InputLimits))


def check_undated(value: str, where: str = "--undated") -> str:
    """`first-seen` or `skip`, as given for what to do with articles without a date."""
    word = value.strip().lower()
    if word not in UNDATED:
        raise OptionsError(f"{where} {value!r} is not a choice; choose from {', '.join(UNDATED)}")
    return word


def check_algorithm(name: str, where: str = "--algorithm") -> str:
    """name, if it is a sentence scorer; else the one message every caller gives."""
    if name not in ALGORITHMS:
        raise OptionsError(
            f"{where} {name!r} is not a sentence scorer; choose from {', '.join(ALGORITHMS)}"
        )
    return name


def parse_date(value: str | dt.date, option: str) -> dt.date:
    """A YYYY-MM-DD date given on the command line or in a config file."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise OptionsError(f"{option} {value!r} is not a date; write it as YYYY-MM-DD") from None


def parse_formats(value: str | Sequence[str]) -> tuple[str, ...]:
    """`md,html` (or ["md", "html"]) -> ("md", "html"), in the order given, without repeats."""
    parts = value.split(",") if isinstance(value, str) else value
    formats: list[str] = []
    for part in parts:
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


def check_rank(minutes: int, top: int, max_stories: int | None) -> None:
    """The rank options: minutes and top may be 0, max-stories not."""
    for flag, value in (("--minutes", minutes), ("--top", top)):
        if value < 0:
            raise OptionsError(f"{flag} {value} must be at least 0")
    if max_stories is not None and max_stories < 1:
        raise OptionsError(f"--max-stories {max_stories} must be at least 1")


def is_url(text: str) -> bool:
    """True for an http(s) address: what --input and fetch treat as something to fetch."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def fetch_settings(
    urls: Sequence[str], timeout: float, retries: int, entry_pages: bool
) -> FetchSettings:
    """The settings `briefer fetch` (and briefer.fetch) fetches urls with, each checked: every
    URL an http(s) one, the timeout above 0, the retries at least 0."""
    not_urls = [url for url in urls if not is_url(url)]
    if not_urls:
        raise OptionsError(f"{not_urls[0]!r} is not an http or https URL; give a full URL")
    if timeout <= 0 or retries < 0:
        raise OptionsError("--timeout must be above 0 and --retries at least 0")
    return FetchSettings(timeout=timeout, retries=retries, entry_pages=entry_pages)


def themes_file(path: Path | None) -> Path:
    """The themes file a themes report reads: there is no report without one (a briefing
    files every story under "Other news" instead)."""
    if path is None:
        raise OptionsError(
            "no themes file given and no themes.toml beside the input; pass --themes FILE"
        )
    return path


def fetch_folder(inputs: Sequence[Path]) -> Path:
    """Where fetched articles are saved when no folder is named: the first input that is a
    folder (or will be one: a path without a suffix), else samples/."""
    folders = [path for path in inputs if path.is_dir() or not path.suffix]
    return folders[0] if folders else Path("samples")


def split_inputs(values: Sequence[str | Path]) -> tuple[tuple[Path, ...], tuple[str, ...]]:
    """--input values as paths and http(s) URLs, each in the order given."""
    paths = tuple(Path(value) for value in values if not is_url(str(value)))
    urls = tuple(str(value).strip() for value in values if is_url(str(value)))
    return paths, urls


def merge_limits(limits: object, given: Mapping[str, object]) -> InputLimits:
    """limits (an InputLimits) with the single limits in given (`max_file_bytes=...`, as the
    flags give them) laid over it; every limit must be a whole number of at least 1."""
    if not isinstance(limits, InputLimits):
        raise TypeError("make_options: limits must be a briefer.records.InputLimits")
    # Any: each value is checked below to be a whole number, which a dict cannot express.
    changes: dict[str, Any] = {key: given[key] for key in LIMIT_KEYS if key in given}
    merged = replace(limits, **changes)
    for key in LIMIT_KEYS:
        value = getattr(merged, key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            flag = "--" + key.replace("_", "-")
            raise OptionsError(f"{flag} {value!r} must be a whole number of at least 1")
    return merged
