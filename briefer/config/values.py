"""Reading one setting's value from briefer.toml or the environment: each parser takes the raw
value, the layer it came from and its key, and gives the Config field's value or raises an
OptionsError that names the layer, the key (or variable) and a value that would do."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefer.errors import OptionsError
from briefer.options import ALGORITHMS, FORMATS, UNDATED, is_url
from briefer.records import (
    DEFAULT_ALGORITHM,
    DEFAULT_OUT,
    DEFAULT_SENTENCES,
    EMAIL_MODES,
    SMTP_SECURITY,
    InputLimits,
)

ENV_PREFIX = "BRIEFER_"


# ---- where a value came from, for error messages ----------------------------------------------


@dataclass(frozen=True)
class Origin:
    """A layer a value was read from: the config file (paths relative to its folder) or the
    environment (paths relative to the working folder)."""

    label: str  # "briefer.toml" or "environment"
    base: Path  # folder relative paths are joined to
    cwd: Path
    in_file: bool

    def name(self, key: str) -> str:
        return key if self.in_file else ENV_PREFIX + key.upper()

    def bad(self, key: str, value: object, expected: str, example: str) -> OptionsError:
        shown = show(value)
        kind = f" ({toml_type(value)})" if self.in_file else ""
        fix = f"write {key} = {example}" if self.in_file else f"set {self.name(key)}={example}"
        return OptionsError(
            f"{self.label}: {self.name(key)} = {shown}{kind} is not {expected}; {fix}"
        )

    def path(self, value: str) -> Path:
        given = Path(value).expanduser()
        if given.is_absolute() or not self.in_file:
            return given
        joined = self.base / given
        # Kept relative to the working folder where possible: paths end up in the briefing's
        # coverage footer, which should read the same on every clone of a repo.
        try:
            return joined.relative_to(self.cwd)
        except ValueError:
            return joined


def show(value: object) -> str:
    if isinstance(value, str | int | float | bool | list | dict):
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def toml_type(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return "a date or time"
    return type(value).__name__


# ---- value parsers: (raw value, origin, key) -> the Config field's value -----------------------

# local@domain with nothing that could start another address or header; dotless domains
# (a@localhost) are allowed, as local mail setups use them.
ADDRESS = re.compile(r"[^@\s,;<>()\[\]\"']+@[^@\s,;<>()\[\]\"'.][^@\s,;<>()\[\]\"']*")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def strings(
    raw: object, origin: Origin, key: str, sep: str | None, expected: str, example: str
) -> list[str]:
    """A list of non-empty strings from a TOML list, or a string split at sep (None: kept
    whole)."""
    if isinstance(raw, str):
        parts = [part.strip() for part in (raw.split(sep) if sep else [raw])]
    elif isinstance(raw, list) and origin.in_file and all(isinstance(x, str) for x in raw):
        parts = [str(part).strip() for part in raw]
    else:
        raise origin.bad(key, raw, expected, example)
    parts = [part for part in parts if part]
    if not parts:
        raise origin.bad(key, raw, expected, example)
    return parts


# An item of a ":"-separated BRIEFER_INPUT: a URL keeps its own "://" and ":port".
_POSIX_ITEM = re.compile(r"(?i)https?://(?:[^:]|:\d+(?=[/?#:]|$))*|[^:]+")


def inputs(raw: object, origin: Origin, key: str) -> tuple[tuple[Path, ...], tuple[str, ...]]:
    expected = "a file, folder or feed URL, or a list of them"
    if origin.in_file:
        example = '["articles", "https://example.org/feed.xml"]'
        # A string in the file is one path or URL: TOML has lists for more than one.
        items = strings(raw, origin, key, None, expected, example)
    else:
        example = f"articles{os.pathsep}feeds"
        text = raw if isinstance(raw, str) else ""
        found = _POSIX_ITEM.findall(text) if os.pathsep == ":" else text.split(os.pathsep)
        items = [item.strip() for item in found if item.strip()]
        if not items:
            raise origin.bad(key, raw, expected, example)
    paths = tuple(origin.path(item) for item in items if not is_url(item))
    urls = tuple(item for item in items if is_url(item))
    return paths, urls


def path(raw: object, origin: Origin, key: str) -> Path:
    if not isinstance(raw, str) or not raw.strip():
        example = f'"{DEFAULT_OUT}"' if origin.in_file else str(DEFAULT_OUT)
        raise origin.bad(key, raw, "a path", example)
    return origin.path(raw.strip())


def formats(raw: object, origin: Origin, key: str) -> tuple[str, ...]:
    example = '["md", "html"]' if origin.in_file else "md,html"
    expected = f"a list of briefing formats ({', '.join(FORMATS)})"
    names = [part.lower().lstrip(".") for part in strings(raw, origin, key, ",", expected, example)]
    for name in names:
        if name not in FORMATS:
            raise OptionsError(
                f"{origin.label}: {origin.name(key)} names {name!r}, which is not a briefing "
                f"format; choose from {', '.join(FORMATS)}"
            )
    return tuple(dict.fromkeys(names))


def from_environment(raw: object, origin: Origin, convert: Callable[[str], object]) -> object:
    """Environment variables are always text: a number there is converted before checking,
    while in briefer.toml a quoted number stays a (wrong) string, so the error can say so."""
    if isinstance(raw, str) and not origin.in_file:
        try:
            return convert(raw.strip())
        except ValueError:
            return raw
    return raw


def count(raw: object, origin: Origin, key: str) -> int:
    example = str(getattr(InputLimits(), key, DEFAULT_SENTENCES if key == "sentences" else 60))
    value = from_environment(raw, origin, int)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise origin.bad(key, raw, "a whole number of at least 1", example)
    return value


def zero_or_more(raw: object, origin: Origin, key: str) -> int:
    value = from_environment(raw, origin, int)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        example = "10" if key == "minutes" else "5"
        raise origin.bad(key, raw, "a whole number of at least 0", example)
    return value


def algorithm(raw: object, origin: Origin, key: str) -> str:
    if not isinstance(raw, str) or raw.strip() not in ALGORITHMS:
        example = f'"{DEFAULT_ALGORITHM}"' if origin.in_file else DEFAULT_ALGORITHM
        raise origin.bad(key, raw, f"a sentence scorer ({', '.join(ALGORITHMS)})", example)
    return raw.strip()


def undated(raw: object, origin: Origin, key: str) -> str:
    if not isinstance(raw, str) or raw.strip().lower() not in UNDATED:
        example = f'"{UNDATED[0]}"' if origin.in_file else UNDATED[0]
        raise origin.bad(key, raw, f"one of {', '.join(UNDATED)}", example)
    return raw.strip().lower()


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def flag(raw: object, origin: Origin, key: str) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and not origin.in_file:
        word = raw.strip().lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
    example = "true" if origin.in_file else "1"
    raise origin.bad(key, raw, "true or false", example)


_TEXT_EXAMPLES = {"smtp_host": "smtp.example.org", "smtp_from": "news@example.org"}


def one_line(raw: object, origin: Origin, key: str) -> str:
    if not isinstance(raw, str) or not raw.strip() or CONTROL.search(raw):
        example = _TEXT_EXAMPLES.get(key, "briefer")
        example = f'"{example}"' if origin.in_file else example
        raise origin.bad(key, raw, "a one-line string", example)
    return raw.strip()


def port(raw: object, origin: Origin, key: str) -> int:
    value = from_environment(raw, origin, int)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise origin.bad(key, raw, "a port number from 1 to 65535", "587")
    return value


def seconds(raw: object, origin: Origin, key: str) -> float:
    value = from_environment(raw, origin, float)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 3600:
        raise origin.bad(key, raw, "a number of seconds above 0", "30")
    return float(value)


def one_of(choices: Sequence[str], example: str) -> Callable[[object, Origin, str], str]:
    """A parser for a setting that is one word of `choices` (any case); a bad value is
    shown `example` as the fix."""

    def parse(raw: object, origin: Origin, key: str) -> str:
        word = raw.strip().lower() if isinstance(raw, str) else None
        if word is None or word not in choices:
            shown = f'"{example}"' if origin.in_file else example
            raise origin.bad(key, raw, f"one of {', '.join(choices)}", shown)
        return word

    return parse


security = one_of(SMTP_SECURITY, "starttls")
mode = one_of(EMAIL_MODES, "bcc")


def parse_addresses(value: str | list[str], where: str) -> tuple[str, ...]:
    """Bare e-mail addresses from `a@x.org,b@y.org` (or a list), in order, without repeats.

    Anything that could smuggle a second header or recipient (spaces, line breaks, `<>`,
    commas inside an item) is refused, naming `where` (a flag, key or variable).
    """
    items = value.split(",") if isinstance(value, str) else value
    addresses: list[str] = []
    for item in items:
        address = item.strip()
        if not address:
            continue
        if not ADDRESS.fullmatch(address):
            raise OptionsError(
                f"{where}: {show(address)} is not an e-mail address; "
                "write addresses like ann@example.org, separated by commas"
            )
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OptionsError(f"{where} is empty; give one or more addresses like ann@example.org")
    return tuple(addresses)


def email(raw: object, origin: Origin, key: str) -> tuple[str, ...]:
    example = '["ann@example.org", "bo@example.org"]' if origin.in_file else "ann@example.org"
    items = strings(raw, origin, key, ",", "a list of e-mail addresses", example)
    return parse_addresses(items, f"{origin.label}: {origin.name(key)}")


def sender(raw: object, origin: Origin, key: str) -> str:
    # "Briefings <news@example.org>" or a bare address; no line breaks (header injection).
    text = one_line(raw, origin, key)
    match = re.fullmatch(r"(?:[^<>@]*<)?([^<>]+)>?", text)
    if match is None or not ADDRESS.fullmatch(match.group(1).strip()):
        example = '"Briefings <news@example.org>"' if origin.in_file else "news@example.org"
        raise origin.bad(key, raw, "an e-mail address", example)
    return text
