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
import logging
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from briefer.config import values as parse
from briefer.config.values import ENV_PREFIX, Origin
from briefer.errors import OptionsError
from briefer.options import (
    LIMIT_KEYS,
    check_algorithm,
    check_length,
    check_period,
    check_rank,
    check_undated,
    merge_limits,
    parse_date,
    parse_formats,
    split_inputs,
)
from briefer.records import (
    SMTP_PORTS,
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

DEFAULT_SMTP_SECURITY = "starttls"


# ---- the SMTP and email settings --------------------------------------------------------------
# The one place that reads them: briefer.deliver.mail gets the records built here, and names the
# settings in its messages through `setting_name`.


def setting_name(key: str) -> str:
    """How a user sets `key`: `smtp_security (BRIEFER_SMTP_SECURITY)`; the password has only
    its environment variable."""
    if key == "smtp_password":
        return PASSWORD_ENV
    return f"{key} ({ENV_PREFIX}{key.upper()})"


def _web_address(raw: object, origin: Origin, key: str, schemes: tuple[str, ...]) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    scheme, _, rest = text.partition(":")
    ok = (
        scheme.lower() in schemes
        and not parse.CONTROL.search(text)
        and not re.search(r"[\s<>\"]", text)
    )
    if ok and scheme.lower() in ("http", "https"):
        ok = bool(re.match(r"//[^/?#\s]+", rest))
    if ok and scheme.lower() == "mailto":
        ok = bool(parse.ADDRESS.fullmatch(rest.partition("?")[0]))
    if not ok:
        examples = {
            "public_url": "https://github.com/me/news/blob/main/briefings/",
            "unsubscribe": "mailto:news-unsubscribe@example.org",
        }
        example = f'"{examples[key]}"' if origin.in_file else examples[key]
        raise origin.bad(key, raw, f"a {' or '.join(s + ':' for s in schemes)} address", example)
    return text


def _public_url(raw: object, origin: Origin, key: str) -> str:
    url = _web_address(raw, origin, key, ("https", "http"))
    # The folder the briefing files are in: a file name is joined to it.
    return url if url.endswith("/") else url + "/"


def _unsubscribe(raw: object, origin: Origin, key: str) -> str:
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
    if parse.CONTROL.search(password):
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
    parse: Callable[[object, Origin, str], object]
    meaning: str

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.key.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("input", "inputs", "--input", parse.inputs, "files or folders of articles"),
    Setting("out", "out", "--out", parse.path, "folder the briefing files are written to"),
    Setting("themes", "themes", "--themes", parse.path, "the themes file"),
    Setting("format", "formats", "--format", parse.formats, "briefing formats: md, html, txt"),
    Setting(
        "sentences",
        "sentences",
        "--sentences",
        parse.count,
        "summary sentences per article, at most",
    ),
    Setting("words", "words", "--words", parse.count, "word budget per article summary"),
    Setting("algorithm", "algorithm", "--algorithm", parse.algorithm, "the sentence scorer"),
    Setting(
        "explain", "explain", "--explain", parse.flag, "show why each story is under its theme"
    ),
    Setting("templates", "templates", "--templates", parse.path, "folder of template overrides"),
    Setting("cache", "cache", "--cache", parse.flag, "keep the article store in .briefer/"),
    Setting(
        "undated", "undated", "--undated", parse.undated, "undated articles: first-seen or skip"
    ),
    Setting(
        "minutes", "minutes", "--minutes", parse.zero_or_more, "reading time of the body; 0: any"
    ),
    Setting(
        "max_stories", "max_stories", "--max-stories", parse.count, "most stories told in full"
    ),
    Setting("top", "top", "--top", parse.zero_or_more, "number of Top stories"),
    Setting("new_only", "new_only", "--new-only", parse.flag, "only what is new since the last"),
    # The input limits: one InputLimits field each (records.py says where each default is from).
    *(
        Setting(key, key, "--" + key.replace("_", "-"), parse.count, "input limit")
        for key in LIMIT_KEYS
    ),
    Setting("email", "email", "--email", parse.email, "recipients of the briefing"),
    Setting("smtp_host", "smtp_host", "", parse.one_line, "SMTP server"),
    Setting("smtp_port", "smtp_port", "", parse.port, "SMTP port (default by smtp_security)"),
    Setting(
        "smtp_user", "smtp_user", "", parse.one_line, "SMTP login; the password is never a key"
    ),
    Setting("smtp_security", "smtp_security", "", parse.security, "starttls, ssl or none"),
    Setting("smtp_from", "smtp_from", "", parse.sender, "the From address"),
    Setting("smtp_timeout", "smtp_timeout", "", parse.seconds, "seconds to wait for the server"),
    Setting("email_mode", "email_mode", "", parse.mode, "each: a message per recipient; bcc: one"),
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
    origin: Origin,
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
        origin = Origin(label=label, base=config_file.parent, cwd=cwd, in_file=True)
        by_key = {setting.key: setting for setting in SETTINGS}
        for key, raw in data.items():
            _set(values, make, by_key[key], raw, origin)
        read_file = config_file
        log.debug("read settings from %s", config_file)

    env_origin = Origin(label="environment", base=cwd, cwd=cwd, in_file=False)
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
