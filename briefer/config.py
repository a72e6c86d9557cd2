"""Settings for `briefer make` and the e-mail it sends, in layers, each over the one before:

    shipped defaults < briefer.toml < BRIEFER_* environment variables < command-line flags

`load_config` merges the first three into one immutable `Config`: the run's options as a
`MakeOptions` (records.py; its field defaults are the shipped defaults), the recipients and
the SMTP settings. `make_options` lays the flags over `Config.make` and gives the one options
record the run uses. briefer.toml is flat (no tables): every key is the long flag's name with
`-` written `_`, and its environment variable is `BRIEFER_` + the key in capitals, so one name
serves all three layers. Relative paths in briefer.toml are relative to the file's folder, so
a project can be briefed from anywhere; relative paths in the environment are relative to the
working folder, like flags. The SMTP password is read only from `BRIEFER_SMTP_PASSWORD`: a
password written in briefer.toml is an error, so it never ends up committed beside the
briefings.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import logging
import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from briefer.errors import OptionsError
from briefer.options import (
    ALGORITHMS,
    FORMATS,
    LIMIT_KEYS,
    UNDATED,
    check_algorithm,
    check_length,
    check_period,
    check_rank,
    check_undated,
    is_url,
    merge_limits,
    parse_date,
    parse_formats,
    split_inputs,
)
from briefer.records import (
    DEFAULT_ALGORITHM,
    DEFAULT_OUT,
    DEFAULT_SENTENCES,
    EMAIL_MODES,
    SMTP_PORTS,
    SMTP_SECURITY,
    SMTP_TIMEOUT,
    Config,
    EmailSettings,
    InputLimits,
    MakeOptions,
    SmtpSettings,
)

log = logging.getLogger(__name__)

CONFIG_FILENAME = "briefer.toml"
CONFIG_ENV = "BRIEFER_CONFIG"
PASSWORD_ENV = "BRIEFER_SMTP_PASSWORD"
ENV_PREFIX = "BRIEFER_"

DEFAULT_SMTP_SECURITY = "starttls"


# ---- where a value came from, for error messages ----------------------------------------------


@dataclass(frozen=True)
class _Origin:
    """A layer a value was read from: the config file (paths relative to its folder) or the
    environment (paths relative to the working folder)."""

    label: str  # "briefer.toml" or "environment"
    base: Path  # folder relative paths are joined to
    cwd: Path
    in_file: bool

    def name(self, key: str) -> str:
        return key if self.in_file else ENV_PREFIX + key.upper()

    def bad(self, key: str, value: object, expected: str, example: str) -> OptionsError:
        shown = _show(value)
        kind = f" ({_toml_type(value)})" if self.in_file else ""
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


def _show(value: object) -> str:
    if isinstance(value, str | int | float | bool | list | dict):
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _toml_type(value: object) -> str:
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
_ADDRESS = re.compile(r"[^@\s,;<>()\[\]\"']+@[^@\s,;<>()\[\]\"'.][^@\s,;<>()\[\]\"']*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _strings(
    raw: object, origin: _Origin, key: str, sep: str | None, expected: str, example: str
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


def _inputs(raw: object, origin: _Origin, key: str) -> tuple[tuple[Path, ...], tuple[str, ...]]:
    expected = "a file, folder or feed URL, or a list of them"
    if origin.in_file:
        example = '["articles", "https://example.org/feed.xml"]'
        # A string in the file is one path or URL: TOML has lists for more than one.
        items = _strings(raw, origin, key, None, expected, example)
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


def _path(raw: object, origin: _Origin, key: str) -> Path:
    if not isinstance(raw, str) or not raw.strip():
        example = f'"{DEFAULT_OUT}"' if origin.in_file else str(DEFAULT_OUT)
        raise origin.bad(key, raw, "a path", example)
    return origin.path(raw.strip())


def _formats(raw: object, origin: _Origin, key: str) -> tuple[str, ...]:
    example = '["md", "html"]' if origin.in_file else "md,html"
    expected = f"a list of briefing formats ({', '.join(FORMATS)})"
    names = [
        part.lower().lstrip(".") for part in _strings(raw, origin, key, ",", expected, example)
    ]
    for name in names:
        if name not in FORMATS:
            raise OptionsError(
                f"{origin.label}: {origin.name(key)} names {name!r}, which is not a briefing "
                f"format; choose from {', '.join(FORMATS)}"
            )
    return tuple(dict.fromkeys(names))


def _from_environment(raw: object, origin: _Origin, convert: Callable[[str], object]) -> object:
    """Environment variables are always text: a number there is converted before checking,
    while in briefer.toml a quoted number stays a (wrong) string, so the error can say so."""
    if isinstance(raw, str) and not origin.in_file:
        try:
            return convert(raw.strip())
        except ValueError:
            return raw
    return raw


def _count(raw: object, origin: _Origin, key: str) -> int:
    example = str(getattr(InputLimits(), key, DEFAULT_SENTENCES if key == "sentences" else 60))
    value = _from_environment(raw, origin, int)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise origin.bad(key, raw, "a whole number of at least 1", example)
    return value


def _zero_or_more(raw: object, origin: _Origin, key: str) -> int:
    value = _from_environment(raw, origin, int)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        example = "10" if key == "minutes" else "5"
        raise origin.bad(key, raw, "a whole number of at least 0", example)
    return value


def _algorithm(raw: object, origin: _Origin, key: str) -> str:
    if not isinstance(raw, str) or raw.strip() not in ALGORITHMS:
        example = f'"{DEFAULT_ALGORITHM}"' if origin.in_file else DEFAULT_ALGORITHM
        raise origin.bad(key, raw, f"a sentence scorer ({', '.join(ALGORITHMS)})", example)
    return raw.strip()


def _undated(raw: object, origin: _Origin, key: str) -> str:
    if not isinstance(raw, str) or raw.strip().lower() not in UNDATED:
        example = f'"{UNDATED[0]}"' if origin.in_file else UNDATED[0]
        raise origin.bad(key, raw, f"one of {', '.join(UNDATED)}", example)
    return raw.strip().lower()


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _flag(raw: object, origin: _Origin, key: str) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and not origin.in_file:
        word = raw.strip().lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
    example = "true" if origin.in_file else "1"
    raise origin.bad(key, raw, "true or false", example)


_TEXT_EXAMPLES = {"smtp_host": "smtp.example.org", "smtp_from": "news@example.org"}


def _text(raw: object, origin: _Origin, key: str) -> str:
    if not isinstance(raw, str) or not raw.strip() or _CONTROL.search(raw):
        example = _TEXT_EXAMPLES.get(key, "briefer")
        example = f'"{example}"' if origin.in_file else example
        raise origin.bad(key, raw, "a one-line string", example)
    return raw.strip()


def _port(raw: object, origin: _Origin, key: str) -> int:
    value = _from_environment(raw, origin, int)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise origin.bad(key, raw, "a port number from 1 to 65535", "587")
    return value


def _seconds(raw: object, origin: _Origin, key: str) -> float:
    value = _from_environment(raw, origin, float)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 3600:
        raise origin.bad(key, raw, "a number of seconds above 0", "30")
    return float(value)


def _one_of(choices: Sequence[str], example: str) -> Callable[[object, _Origin, str], str]:
    """A parser for a setting that is one word of `choices` (any case); a bad value is
    shown `example` as the fix."""

    def parse(raw: object, origin: _Origin, key: str) -> str:
        word = raw.strip().lower() if isinstance(raw, str) else None
        if word is None or word not in choices:
            shown = f'"{example}"' if origin.in_file else example
            raise origin.bad(key, raw, f"one of {', '.join(choices)}", shown)
        return word

    return parse


_security = _one_of(SMTP_SECURITY, "starttls")
_mode = _one_of(EMAIL_MODES, "bcc")


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
        if not _ADDRESS.fullmatch(address):
            raise OptionsError(
                f"{where}: {_show(address)} is not an e-mail address; "
                "write addresses like ann@example.org, separated by commas"
            )
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OptionsError(f"{where} is empty; give one or more addresses like ann@example.org")
    return tuple(addresses)


def _email(raw: object, origin: _Origin, key: str) -> tuple[str, ...]:
    example = '["ann@example.org", "bo@example.org"]' if origin.in_file else "ann@example.org"
    items = _strings(raw, origin, key, ",", "a list of e-mail addresses", example)
    return parse_addresses(items, f"{origin.label}: {origin.name(key)}")


def _sender(raw: object, origin: _Origin, key: str) -> str:
    # "Briefings <news@example.org>" or a bare address; no line breaks (header injection).
    text = _text(raw, origin, key)
    match = re.fullmatch(r"(?:[^<>@]*<)?([^<>]+)>?", text)
    if match is None or not _ADDRESS.fullmatch(match.group(1).strip()):
        example = '"Briefings <news@example.org>"' if origin.in_file else "news@example.org"
        raise origin.bad(key, raw, "an e-mail address", example)
    return text


# ---- the SMTP and email settings --------------------------------------------------------------
# The one place that reads them: briefer.deliver.mail gets the records built here, and names the
# settings in its messages through `setting_name`.


def setting_name(key: str) -> str:
    """How a user sets `key`: `smtp_security (BRIEFER_SMTP_SECURITY)`; the password has only
    its environment variable."""
    if key == "smtp_password":
        return PASSWORD_ENV
    return f"{key} ({ENV_PREFIX}{key.upper()})"


def _web_address(raw: object, origin: _Origin, key: str, schemes: tuple[str, ...]) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    scheme, _, rest = text.partition(":")
    ok = (
        scheme.lower() in schemes and not _CONTROL.search(text) and not re.search(r"[\s<>\"]", text)
    )
    if ok and scheme.lower() in ("http", "https"):
        ok = bool(re.match(r"//[^/?#\s]+", rest))
    if ok and scheme.lower() == "mailto":
        ok = bool(_ADDRESS.fullmatch(rest.partition("?")[0]))
    if not ok:
        examples = {
            "public_url": "https://github.com/me/news/blob/main/briefings/",
            "unsubscribe": "mailto:news-unsubscribe@example.org",
        }
        example = f'"{examples[key]}"' if origin.in_file else examples[key]
        raise origin.bad(key, raw, f"a {' or '.join(s + ':' for s in schemes)} address", example)
    return text


def _public_url(raw: object, origin: _Origin, key: str) -> str:
    url = _web_address(raw, origin, key, ("https", "http"))
    # The folder the briefing files are in: a file name is joined to it.
    return url if url.endswith("/") else url + "/"


def _unsubscribe(raw: object, origin: _Origin, key: str) -> str:
    # http: is refused: mail programs only offer one-click unsubscribing over https (RFC 8058).
    return _web_address(raw, origin, key, ("mailto", "https"))


_SMTP_FIELDS = {
    "smtp_host": "host",
    "smtp_port": "port",
    "smtp_user": "user",
    "smtp_security": "security",
    "smtp_from": "sender",
    "smtp_timeout": "timeout",
}
_EMAIL_FIELDS = {"email_mode": "mode", "public_url": "public_url", "unsubscribe": "unsubscribe"}


def _mail_settings(
    values: dict[str, object], environ: Mapping[str, str]
) -> tuple[SmtpSettings, EmailSettings]:
    """The SMTP and email records from the parsed smtp_* and email keys (taken out of
    `values`), with the password from its environment variable."""
    smtp: dict[str, object] = {
        name: values.pop(key) for key, name in _SMTP_FIELDS.items() if key in values
    }
    security = str(smtp.get("security", DEFAULT_SMTP_SECURITY))
    smtp.setdefault("port", SMTP_PORTS[security])
    smtp.setdefault("timeout", SMTP_TIMEOUT)
    password = environ.get(PASSWORD_ENV, "")
    if _CONTROL.search(password):
        raise OptionsError(f"{PASSWORD_ENV} holds a line break or control character; fix it")
    email = {name: values.pop(key) for key, name in _EMAIL_FIELDS.items() if key in values}
    return (
        SmtpSettings(**smtp, password=password),  # type: ignore[arg-type]
        EmailSettings(**email),  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class Setting:
    key: str  # in briefer.toml; BRIEFER_<KEY> in the environment
    attr: str  # the MakeOptions field, or else the Config field
    flag: str  # the command-line flag; "" for settings only a file or variable can give
    parse: Callable[[object, _Origin, str], object]
    meaning: str

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.key.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("input", "inputs", "--input", _inputs, "files or folders of articles"),
    Setting("out", "out", "--out", _path, "folder the briefing files are written to"),
    Setting("themes", "themes", "--themes", _path, "the themes file"),
    Setting("format", "formats", "--format", _formats, "briefing formats: md, html, txt"),
    Setting(
        "sentences", "sentences", "--sentences", _count, "summary sentences per article, at most"
    ),
    Setting("words", "words", "--words", _count, "word budget per article summary"),
    Setting("algorithm", "algorithm", "--algorithm", _algorithm, "the sentence scorer"),
    Setting("explain", "explain", "--explain", _flag, "show why each story is under its theme"),
    Setting("templates", "templates", "--templates", _path, "folder of template overrides"),
    Setting("cache", "cache", "--cache", _flag, "keep the article store in .briefer/"),
    Setting("undated", "undated", "--undated", _undated, "undated articles: first-seen or skip"),
    Setting("minutes", "minutes", "--minutes", _zero_or_more, "reading time of the body; 0: any"),
    Setting("max_stories", "max_stories", "--max-stories", _count, "most stories told in full"),
    Setting("top", "top", "--top", _zero_or_more, "number of Top stories"),
    Setting("new_only", "new_only", "--new-only", _flag, "only what is new since the last"),
    # The input limits: one InputLimits field each (records.py says where each default is from).
    *(Setting(key, key, "--" + key.replace("_", "-"), _count, "input limit") for key in LIMIT_KEYS),
    Setting("email", "email", "--email", _email, "recipients of the briefing"),
    Setting("smtp_host", "smtp_host", "", _text, "SMTP server"),
    Setting("smtp_port", "smtp_port", "", _port, "SMTP port (default by smtp_security)"),
    Setting("smtp_user", "smtp_user", "", _text, "SMTP login; the password is never a key"),
    Setting("smtp_security", "smtp_security", "", _security, "starttls, ssl or none"),
    Setting("smtp_from", "smtp_from", "", _sender, "the From address"),
    Setting("smtp_timeout", "smtp_timeout", "", _seconds, "seconds to wait for the server"),
    Setting("email_mode", "email_mode", "", _mode, "each: a message per recipient; bcc: one"),
    Setting("public_url", "public_url", "", _public_url, "where the briefings are on the web"),
    Setting("unsubscribe", "unsubscribe", "", _unsubscribe, "mailto: or https: to unsubscribe"),
)
KEYS = tuple(setting.key for setting in SETTINGS)
ENV_VARS = (*(setting.env for setting in SETTINGS), PASSWORD_ENV, CONFIG_ENV)

# Values that belong to one run, not to a project's defaults.
_PER_RUN = {"since": "--since", "until": "--until", "config": "--config"}


def _looks_like_password(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in ("password", "passwd", "secret")) or lowered in (
        "pass",
        "smtp_pass",
        "token",
        "smtp_token",
    )


def _suggest(key: str) -> str:
    close = difflib.get_close_matches(key.lower().replace("-", "_"), KEYS, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else f"; valid keys: {', '.join(KEYS)}"


def _check_keys(data: Mapping[str, object], label: str) -> None:
    # Passwords first, anywhere in the file, so no other message can distract from it.
    stack: list[Mapping[str, object]] = [data]
    while stack:
        table = stack.pop()
        for key, value in table.items():
            if _looks_like_password(key):
                raise OptionsError(
                    f"{label}: {key!r} looks like a password, and passwords are never read from "
                    f"files; delete it and set the {PASSWORD_ENV} environment variable instead"
                )
            if isinstance(value, dict):
                stack.append(value)
    for key, value in data.items():
        if isinstance(value, dict):
            inner = next(iter(value), "")
            flat = f"{key}_{inner}" if f"{key}_{inner}" in KEYS else inner
            hint = f" (e.g. {flat} = ...)" if flat in KEYS else ""
            raise OptionsError(
                f"{label}: [{key}] is a table, but briefer.toml is flat; "
                f"write its settings at the top level{hint}"
            )
        if key in _PER_RUN:
            raise OptionsError(
                f"{label}: {key!r} cannot be set in {CONFIG_FILENAME}, it changes every run; "
                f"pass {_PER_RUN[key]} to briefer make instead"
            )
        if key not in KEYS:
            raise OptionsError(f"{label}: unknown key {key!r}{_suggest(key)}")


_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


def _read_toml(path: Path, label: str, named_by: str) -> dict[str, object]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise OptionsError(f"{label}: no such file; check the {named_by} path") from None
    except IsADirectoryError:
        raise OptionsError(f"{label}: is a folder; give the path of a briefer.toml file") from None
    except OSError as error:
        raise OptionsError(f"{label}: cannot read it: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8-sig")  # tolerate the byte-order mark some editors write
    except UnicodeDecodeError as error:
        raise OptionsError(
            f"{label}: not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        where = _TOML_WHERE.search(message)
        if where is None:
            raise OptionsError(f"{label}: not valid TOML: {message}; fix the file") from None
        problem = _TOML_WHERE.sub("", message)
        raise OptionsError(
            f"{label} line {where.group(1)}: not valid TOML: {problem} (column "
            f"{where.group(2)}); fix that line"
        ) from None


def _config_path(cwd: Path, environ: Mapping[str, str], path: Path | None) -> tuple[Path, str, str]:
    """The config file to read, its name for messages, and what named it ("--config" or
    BRIEFER_CONFIG; "" when it was only looked for in the working folder, so may be absent)."""
    if path is not None:
        return cwd / path.expanduser(), str(path), "--config"
    named = environ.get(CONFIG_ENV, "").strip()
    if named:
        return cwd / Path(named).expanduser(), named, CONFIG_ENV
    return cwd / CONFIG_FILENAME, CONFIG_FILENAME, ""


def _warn_unknown_variables(environ: Mapping[str, str]) -> None:
    known = set(ENV_VARS)
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX) or name in known:
            continue
        # Only near misses: other BRIEFER_* variables (a test switch, say) are not ours to judge.
        close = difflib.get_close_matches(name, ENV_VARS, n=1, cutoff=0.85)
        if close:
            log.warning(
                "%s is not a briefer setting and is ignored; did you mean %s?", name, close[0]
            )


_MAKE_FIELDS = frozenset(option.name for option in fields(MakeOptions))


def _set(
    values: dict[str, object],
    make: dict[str, object],
    setting: Setting,
    raw: object,
    origin: _Origin,
) -> None:
    parsed = setting.parse(raw, origin, setting.key)
    if setting.key == "input":
        # One setting, two fields: the files and folders, and the URLs to fetch.
        make["inputs"], make["urls"] = parsed  # type: ignore[misc]
    elif setting.attr in _MAKE_FIELDS:
        make[setting.attr] = parsed
    else:
        values[setting.attr] = parsed


def load_config(cwd: Path, environ: Mapping[str, str], path: Path | None = None) -> Config:
    """Shipped defaults, then `briefer.toml` in cwd (or `path`, or $BRIEFER_CONFIG), then the
    BRIEFER_* variables in environ. An empty variable counts as unset."""
    values: dict[str, object] = {}
    make: dict[str, object] = {}
    config_file, label, named_by = _config_path(cwd, environ, path)
    read_file: Path | None = None
    if named_by or config_file.is_file():
        data = _read_toml(config_file, label, named_by or CONFIG_FILENAME)
        _check_keys(data, label)
        origin = _Origin(label=label, base=config_file.parent, cwd=cwd, in_file=True)
        by_key = {setting.key: setting for setting in SETTINGS}
        for key, raw in data.items():
            _set(values, make, by_key[key], raw, origin)
        read_file = config_file
        log.debug("read settings from %s", config_file)

    env_origin = _Origin(label="environment", base=cwd, cwd=cwd, in_file=False)
    for setting in SETTINGS:
        raw = environ.get(setting.env, "")
        if raw.strip():
            _set(values, make, setting, raw, env_origin)
    smtp, email_settings = _mail_settings(values, environ)
    limits = {key: values.pop(key) for key in LIMIT_KEYS if key in values}
    make["limits"] = merge_limits(InputLimits(), limits)
    _warn_unknown_variables(environ)
    # Each parser returns its own field's type, which the SETTINGS table cannot express.
    return Config(
        make=MakeOptions(**make),  # type: ignore[arg-type]
        **values,  # type: ignore[arg-type]
        smtp=smtp,
        email_settings=email_settings,
        file=read_file,
    )


THEMES_FILENAME = "themes.toml"


def default_themes_path(inputs: Sequence[Path]) -> Path | None:
    """`themes.toml` beside the first input (inside it, for a folder), if there is one."""
    for path in inputs:
        folder = path if path.is_dir() else path.parent
        candidate = folder / THEMES_FILENAME
        if candidate.is_file():
            return candidate
    return None


def make_options(config: Config, flags: Mapping[str, object], today: dt.date) -> MakeOptions:
    """The one options record for a run: the flags laid over the layered settings.

    flags maps MakeOptions field names to what the command line (or a Python caller) gave;
    None or absent means "not given". Text is accepted where the command line gives text:
    dates as YYYY-MM-DD, formats as "md,html", inputs as paths or URLs.
    """
    given = {name: value for name, value in flags.items() if value is not None}
    unknown = sorted(set(given) - _MAKE_FIELDS - set(LIMIT_KEYS))
    if unknown:
        raise TypeError(f"make_options: unknown option {unknown[0]!r}")
    # Any: each value is checked below to be its field's type, which a dict cannot express.
    changes: dict[str, Any] = {key: value for key, value in given.items() if key not in LIMIT_KEYS}
    changes["limits"] = merge_limits(given.get("limits", config.make.limits), given)
    until = parse_date(_date_text(given["until"]), "--until") if "until" in given else today
    since = parse_date(_date_text(given["since"]), "--since") if "since" in given else None
    check_period(since, until)
    changes["since"], changes["until"] = since, until
    if "inputs" in given:
        changes["inputs"], changes["urls"] = split_inputs(_sequence(given["inputs"], "inputs"))
    if "formats" in given:
        formats = given["formats"]
        changes["formats"] = parse_formats(
            formats if isinstance(formats, str) else _sequence(formats, "formats")
        )
    for name in ("out", "themes", "templates"):
        if name in given:
            changes[name] = Path(str(given[name]))
    if "algorithm" in given:
        changes["algorithm"] = check_algorithm(str(given["algorithm"]))
    if "undated" in given:
        changes["undated"] = check_undated(str(given["undated"]))
    for name in ("sentences", "words", "minutes", "max_stories", "top"):
        if name in given and (isinstance(given[name], bool) or not isinstance(given[name], int)):
            flag = "--" + name.replace("_", "-")
            raise OptionsError(f"{flag} {given[name]!r} is not a whole number")
    for name in ("explain", "cache", "new_only"):
        if name in given and not isinstance(given[name], bool):
            flag = "--" + name.replace("_", "-")
            raise OptionsError(f"{flag} {given[name]!r} is not true or false")
    options = replace(config.make, **changes)
    check_length(options.sentences, options.words)
    check_rank(options.minutes, options.top, options.max_stories)
    if options.themes is None:
        options = replace(options, themes=default_themes_path(options.inputs))
    return options


def _date_text(value: object) -> str | dt.date:
    return value if isinstance(value, str | dt.date) else str(value)


def _sequence(value: object, name: str) -> list[str]:
    if isinstance(value, str | Path):
        return [str(value)]
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    raise TypeError(f"make_options: {name} must be a string or a list of strings")
