"""Front matter: the one reader and the one writer of the `+++` TOML and `---` YAML headers
of Markdown and text articles (fetch writes what ingest reads back).

YAML is read with PyYAML's C loader when it is installed (6x faster than the pure Python
one on 10,000 headers of real articles: benchmarks/bench_frontmatter.py), restricted so
that a header cannot cost more than its size: aliases and merge keys are refused, since a
few hundred bytes of nested aliases ("billion laughs") expand to gigabytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefer.errors import InputError
from briefer.records import Article
from briefer.safe_text import one_line

if TYPE_CHECKING:
    import yaml

_FENCES = {"+++": ("toml", ("+++",)), "---": ("yaml", ("---", "..."))}
_TOML_LINE = re.compile(r"at line (\d+)")


@functools.cache
def _loader() -> type[yaml.SafeLoader]:
    """The YAML loader, made (and PyYAML imported, ~11 ms) with the first YAML header: a run
    whose headers are all TOML never needs it."""
    import yaml

    base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _NoAliasLoader(base):  # type: ignore[valid-type, misc]
        """Safe loading without aliases or merge keys: every node is constructed at most
        once, so the result is never larger than the text."""

        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            if node in self.constructed_objects or node in self.recursive_objects:
                raise yaml.constructor.ConstructorError(
                    None, None, "aliases (*name) are not allowed", node.start_mark
                )
            return super().construct_object(node, deep)

        def flatten_mapping(self, node: yaml.MappingNode) -> None:
            for key, _value in node.value:
                if key.tag == "tag:yaml.org,2002:merge":
                    raise yaml.constructor.ConstructorError(
                        None, None, "merge keys (<<) are not allowed", key.start_mark
                    )
            super().flatten_mapping(node)

    return _NoAliasLoader


def split_front_matter(where: str, text: str) -> tuple[Mapping[str, Any], str] | None:
    """(fields, body) when text opens with a front-matter fence; None when it does not.
    InputError when the header is never closed or cannot be parsed."""
    first, _, rest = text.partition("\n")
    fence = first.rstrip()
    if fence not in _FENCES:
        return None
    language, closers = _FENCES[fence]
    lines = rest.split("\n")
    closing = next((n for n, line in enumerate(lines) if line.rstrip() in closers), None)
    if closing is None:
        raise InputError(
            where,
            f"front matter opened with {fence} on line 1 is never closed",
            f"end it with a {closers[0]} line",
        )
    header = "\n".join(lines[:closing])
    fields = parse_toml(where, header) if language == "toml" else parse_yaml(where, header)
    return fields, "\n".join(lines[closing + 1 :])


# One header line of the two kinds most headers are made of (every header of the benchmark
# corpus): `key = "text"` with no escape, and `key = YYYY-MM-DD`.
_PLAIN_LINE = re.compile(
    r"[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*"
    r'(?:"([^"\\\x00-\x08\x0a-\x1f\x7f]*)"|([0-9]{4})-([0-9]{2})-([0-9]{2}))[ \t]*'
)


def _plain_toml(header: str) -> dict[str, Any] | None:
    """The header's fields when every line is blank or a _PLAIN_LINE with a key of its own;
    None for anything else (an escape, a comment, a table, another type, a repeated key, an
    impossible date), which tomllib then reads. Its result is tomllib's for the lines it takes.
    tomllib is pure Python: on the 10,000 headers of the benchmark corpus it took 0.27 s of
    CPU, this 0.04 s (43 headers with an escape went on to tomllib)."""
    fields: dict[str, Any] = {}
    for line in header.split("\n"):
        match = _PLAIN_LINE.fullmatch(line)
        if match is None:
            if line.strip(" \t"):
                return None
            continue
        key, text, year = match.group(1, 2, 3)
        if key in fields:
            return None
        if year is None:
            fields[key] = text
            continue
        try:
            fields[key] = dt.date(int(year), int(match.group(4)), int(match.group(5)))
        except ValueError:
            return None
    return fields


def parse_toml(where: str, header: str) -> Mapping[str, Any]:
    plain = _plain_toml(header)
    if plain is not None:
        return plain
    try:
        return tomllib.loads(header)
    except tomllib.TOMLDecodeError as error:
        # The parser counts from the front matter's first line; the file has the fence above.
        message = _TOML_LINE.sub(lambda match: f"at line {int(match.group(1)) + 1}", str(error))
        raise InputError(
            where, f"front matter is not valid TOML ({one_line(message)})", "fix the +++ block"
        ) from error
    except RecursionError as error:
        raise InputError(where, "front matter is nested too deeply", "fix the +++ block") from error
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise InputError(
            where, f"front matter is not usable TOML ({one_line(str(error))})", "fix the +++ block"
        ) from error


def parse_yaml(where: str, header: str) -> Mapping[str, Any]:
    import yaml

    try:
        loaded = yaml.load(header, Loader=_loader())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        place = f" at line {mark.line + 2}, column {mark.column + 1}" if mark else ""
        problem = one_line(error.problem or error.context or "syntax error")
        raise InputError(
            where, f"front matter is not valid YAML ({problem}{place})", "fix the --- block"
        ) from error
    except (yaml.YAMLError, ValueError, OverflowError) as error:
        # PyYAML raises ValueError for impossible timestamps such as 2024-02-30 and for
        # integers of more than 4,300 digits.
        raise InputError(
            where, f"front matter is not valid YAML ({one_line(str(error))})", "fix the --- block"
        ) from error
    except RecursionError as error:
        raise InputError(where, "front matter is nested too deeply", "fix the --- block") from error
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise InputError(
            where, "front matter is not a set of key: value lines", "fix the --- block"
        )
    return loaded


def front_matter_url(path: Path) -> str:
    """The `url` (or `link`) of a front-matter file; "" when it has none or cannot be read
    (ingest reports a broken file when the folder is read)."""
    try:
        with path.open("r", encoding="utf-8-sig", errors="replace") as handle:
            fence = handle.readline().rstrip()
            if fence not in _FENCES:
                return ""
            closers = _FENCES[fence][1]
            lines = [fence]
            for line in handle:
                lines.append(line.rstrip("\n"))
                if line.rstrip() in closers:
                    break
            else:
                return ""
    except OSError:
        return ""
    try:
        found = split_front_matter(str(path), "\n".join(lines))
    except InputError:
        return ""
    if found is None:
        return ""
    fields = found[0]
    url = fields.get("url") or fields.get("link")
    return url.strip() if isinstance(url, str) else ""


# --------------------------------------------------------------------------- writing


def article_markdown(article: Article, fetched_at: dt.datetime) -> str:
    """The article as +++ TOML front matter and its text, as split_front_matter reads it."""
    lines = ["+++", f"title = {toml_string(article.title)}"]
    if article.date is not None:
        lines.append(f"date = {article.date.isoformat()}")
    if article.source:
        lines.append(f"source = {toml_string(article.source)}")
    if article.url:
        lines.append(f"url = {toml_string(article.url)}")
    stamp = fetched_at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    lines.append(f"fetched_at = {stamp}Z")
    lines.append("+++")
    return "\n".join(lines) + "\n" + article.text.strip("\n") + "\n"


def toml_string(value: str) -> str:
    """A TOML basic string holding value exactly."""
    pieces = ['"']
    for char in value:
        if char in '"\\':
            pieces.append("\\" + char)
        elif char == "\n":
            pieces.append("\\n")
        elif char == "\t":
            pieces.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F or 0xD800 <= ord(char) <= 0xDFFF:
            # Control characters must be escaped; lone surrogates cannot be written at all.
            pieces.append(f"\\u{ord(char):04X}" if ord(char) < 0xD800 else "\\uFFFD")
        else:
            pieces.append(char)
    pieces.append('"')
    return "".join(pieces)
