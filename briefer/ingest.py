"""Read article files and folders into Article records.

Formats are chosen by file extension: Markdown and plain text (with optional TOML or
YAML front matter), saved web pages, JSON and JSON Lines records, and RSS/Atom feeds.
Text is kept as found; removing site furniture is the clean stage's job.

A bad input never stops the run: read_inputs records it and carries on, so the
briefing can say what it left out.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import hashlib
import io
import json
import logging
import re
import time
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, Protocol
from urllib.parse import urlsplit

import feedparser
import lxml.etree  # type: ignore[import-untyped, unused-ignore]
import lxml.html  # type: ignore[import-untyped, unused-ignore]
import trafilatura
import yaml
from trafilatura.settings import Document as PageDocument

from briefer.errors import InputError
from briefer.options import FetchSettings
from briefer.records import Article, Skipped

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSON_SUFFIXES = frozenset({".json"})
JSONL_SUFFIXES = frozenset({".jsonl"})
FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom"})
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES | FEED_SUFFIXES
# Configuration (themes.toml and the like) may sit beside the articles it describes.
CONFIG_SUFFIXES = frozenset({".toml"})

_FORMATS_HINT = "give .md, .markdown, .txt, .html, .htm, .json, .jsonl, .xml, .rss or .atom files"
_DATE_FIX = "write it as YYYY-MM-DD"
_UTF8_BOM = codecs.BOM_UTF8
_ID_LENGTH = 16


@dataclass(frozen=True)
class Ingested:
    """Everything read from the inputs, and everything that could not be used."""

    articles: tuple[Article, ...]  # sorted paths, then position in file
    failed: tuple[Skipped, ...]  # inputs (or records in them) that could not be read
    ignored: tuple[Skipped, ...]  # files met while walking a folder that are not articles


@dataclass(frozen=True)
class _FileResult:
    """One file's articles, plus records inside it that failed on their own."""

    articles: tuple[Article, ...]
    failed: tuple[Skipped, ...] = ()


# --------------------------------------------------------------------------- public API


class FileCache(Protocol):
    """What read_inputs asks before parsing a file, and tells after (briefer/cache.py)."""

    def lookup(self, paths: Sequence[Path]) -> dict[Path, tuple[Article, ...]]: ...

    def remember(self, path: Path, articles: Sequence[Article]) -> None: ...


def read_inputs(
    paths: Sequence[Path],
    urls: Sequence[str] = (),
    fetch: FetchSettings | None = None,
    cache: FileCache | None = None,
) -> Ingested:
    """Read every file and folder given, then fetch every feed or page URL given (for this
    run only; nothing is stored). A bad input is recorded, never raised."""
    failed: list[Skipped] = []
    ignored: list[Skipped] = []
    found: list[Path] = []
    for given in paths:
        try:
            exists, is_dir = given.exists(), given.is_dir()
        except OSError as error:  # e.g. a parent folder that may not be searched
            failed.append(Skipped(str(given), _os_problem(error)))
            continue
        if not exists:
            failed.append(Skipped(str(given), "no such file or folder; check the --input path"))
        elif is_dir:
            _walk_folder(given, found, failed, ignored)
        else:
            found.append(given)

    articles: list[Article] = []
    unique = _unique_sorted(found)
    # Unchanged files come back parsed from the store; a file with a bad record is never kept.
    known = cache.lookup(unique) if cache is not None else {}
    for path in unique:
        if path in known:
            articles.extend(known[path])
            continue
        try:
            result = _read_any(path)
        except InputError as error:
            # Reported once, by the caller, from the `failed` list.
            logger.debug("%s", error)
            failed.append(Skipped(str(path), _reason(error)))
            continue
        articles.extend(result.articles)
        failed.extend(result.failed)
        if cache is not None and not result.failed:
            cache.remember(path, result.articles)
        logger.debug("%s: %d article(s)", path, len(result.articles))
    if urls:
        # Imported here: fetch reads what it fetches with this module's readers.
        from briefer.fetch import fetch_articles

        fetched = fetch_articles(urls, fetch or FetchSettings())
        articles.extend(fetched.articles)
        failed.extend(fetched.failed)
        for note in fetched.notes:
            logger.warning("%s: %s", note.path, note.reason)
    return Ingested(articles=tuple(articles), failed=tuple(failed), ignored=tuple(ignored))


def read_file(path: Path) -> list[Article]:
    """Read one file into its articles (several for JSON, JSON Lines and feeds).

    Raises InputError when the file yields no article. In a multi-record file, records
    that fail on their own are logged and left out; read_inputs reports each of them.
    """
    result = _read_any(path)
    if not result.articles and result.failed:
        _raise_no_record(str(path), result.failed)
    for skipped in result.failed:
        logger.warning("%s: %s", skipped.path, skipped.reason)
    return list(result.articles)


def read_feed_data(where: str, data: bytes) -> tuple[list[Article], list[Skipped]]:
    """The articles of an RSS or Atom document held in memory (a fetched feed), and the
    entries that failed on their own. Raises InputError when no entry can be read."""
    _decode(where, data, honour_declared=True)  # reject non-text early, with our message
    result = _read_feed(where, data)
    if not result.articles:
        _raise_no_record(where, result.failed)
    return list(result.articles), list(result.failed)


def read_page_data(where: str, data: bytes) -> Article:
    """The article of a web page held in memory (a fetched page); InputError when none."""
    return _read_html(where, _decode(where, data, honour_declared=True))


def content_id(title: str, text: str) -> str:
    """A short stable id for an article's content, independent of where the file lives."""
    normalized = " ".join(unicodedata.normalize("NFC", f"{title}\n{text}").split())
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()[:_ID_LENGTH]


def _raise_no_record(where: str, failed: Sequence[Skipped]) -> NoReturn:
    first = failed[0]
    raise InputError(
        where, f"no readable record ({len(failed)} failed, first {first.path}: {first.reason})"
    )


# --------------------------------------------------------------------------- walking


def _walk_folder(
    folder: Path, found: list[Path], failed: list[Skipped], ignored: list[Skipped]
) -> None:
    seen_folders: set[Path] = set()

    def walk(current: Path) -> None:
        # Symlinked folders are followed, but a link back up the tree must not loop forever.
        resolved = current.resolve()
        if resolved in seen_folders:
            return
        seen_folders.add(resolved)
        try:
            entries = sorted(current.iterdir(), key=lambda entry: entry.name)
        except OSError as error:
            failed.append(Skipped(str(current), _os_problem(error)))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir, is_file = entry.is_dir(), entry.is_file()
            except OSError as error:
                failed.append(Skipped(str(entry), _os_problem(error)))
                continue
            if is_dir:
                walk(entry)
                continue
            suffix = entry.suffix.lower()
            if not is_file:
                ignored.append(Skipped(str(entry), "not a regular file"))
            elif suffix in ARTICLE_SUFFIXES:
                found.append(entry)
            elif suffix not in CONFIG_SUFFIXES:
                ignored.append(Skipped(str(entry), f"not an article format ({_describe(suffix)})"))

    walk(folder)


def _unique_sorted(paths: list[Path]) -> list[Path]:
    """Sorted, with a file reached twice (given and inside a given folder) read once."""
    unique: list[Path] = []
    seen: set[Path] = set()
    for path in sorted(paths, key=lambda item: item.parts):
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(path)
    return unique


def _describe(suffix: str) -> str:
    return suffix if suffix else "no extension"


# --------------------------------------------------------------------------- one file


def _read_any(path: Path) -> _FileResult:
    where = str(path)
    try:
        exists, is_dir, is_file = path.exists(), path.is_dir(), path.is_file()
    except OSError as error:
        raise InputError(where, _os_problem(error)) from error
    if not exists:
        raise InputError(where, "no such file or folder", "check the --input path")
    if is_dir:
        raise InputError(where, "is a folder, not a file", "pass it to read_inputs to walk it")
    if not is_file:
        raise InputError(where, "is not a regular file", _FORMATS_HINT)
    suffix = path.suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        raise InputError(where, f"not an article format ({_describe(suffix)})", _FORMATS_HINT)

    data = _read_bytes(path)
    if suffix in FEED_SUFFIXES:
        _decode(where, data, honour_declared=True)  # reject non-text early, with our message
        return _read_feed(where, data)
    if suffix in HTML_SUFFIXES:
        return _FileResult((_read_html(where, _decode(where, data, honour_declared=True)),))
    text = _decode(where, data, honour_declared=False)
    if suffix in JSON_SUFFIXES:
        return _read_json(where, text)
    if suffix in JSONL_SUFFIXES:
        return _read_jsonl(where, text)
    return _FileResult((_read_text(where, text, markdown=suffix in MARKDOWN_SUFFIXES),))


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(str(path), _os_problem(error)) from error


def _os_problem(error: OSError) -> str:
    if isinstance(error, PermissionError):
        return "cannot be read (permission denied); check its permissions"
    return f"cannot be read ({error.strerror or error}); check the file"


def _decode(where: str, data: bytes, *, honour_declared: bool) -> str:
    """UTF-8 text (a BOM is fine) with newlines normalized, or an InputError saying why not.

    Web pages and feeds may declare another encoding in their markup; that declaration
    is evidence, so it is honoured. Bare text has no such evidence, so it must be UTF-8.
    """
    if not data.strip():
        raise InputError(where, "file is empty", "give it the article's text or remove it")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(where, "is UTF-16 text, not UTF-8", "re-save it as UTF-8")
    if b"\x00" in data:
        raise InputError(where, "is a binary file (it contains NUL bytes), not text", _FORMATS_HINT)
    skipped = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    try:
        text = data[skipped:].decode("utf-8")
    except UnicodeDecodeError as error:
        declared = _declared_encoding(data) if honour_declared else None
        text_or_none = _decode_declared(data, declared) if declared else None
        if text_or_none is None:
            offset = skipped + error.start
            raise InputError(
                where,
                f"is not UTF-8 text (invalid byte 0x{data[offset]:02x} at offset {offset})",
                "re-save it as UTF-8",
            ) from error
        text = text_or_none
    if not text.strip():
        raise InputError(where, "file is empty", "give it the article's text or remove it")
    return text.replace("\r\n", "\n").replace("\r", "\n")


_DECLARED_ENCODING = re.compile(
    rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)"""
    rb"""|<meta[^>]*?charset\s*=\s*["']?([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)


def _declared_encoding(data: bytes) -> str | None:
    match = _DECLARED_ENCODING.search(data[:4096])
    if match is None:
        return None
    return (match.group(1) or match.group(2)).decode("ascii")


def _decode_declared(data: bytes, encoding: str) -> str | None:
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        return None
    if codec.name == "utf-8":
        return None  # it claims UTF-8 and is not: report the bad byte
    try:
        return data.decode(codec.name)
    except UnicodeDecodeError:
        return None


def _reason(error: InputError) -> str:
    return f"{error.problem}; {error.fix}" if error.fix else error.problem


# --------------------------------------------------------------------------- text and Markdown


_FRONT_MATTER_FENCES = {"+++": ("toml", ("+++",)), "---": ("yaml", ("---", "..."))}
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.*?)(?:\s+#+)?\s*$")


def _read_text(where: str, text: str, *, markdown: bool) -> Article:
    lines = text.split("\n")
    fence = lines[0].rstrip()
    if fence in _FRONT_MATTER_FENCES:
        language, closers = _FRONT_MATTER_FENCES[fence]
        closing = next(
            (number for number in range(1, len(lines)) if lines[number].rstrip() in closers),
            None,
        )
        if closing is None:
            raise InputError(
                where,
                f"front matter opened with {fence} on line 1 is never closed",
                f"end it with a {closers[0]} line",
            )
        header = "\n".join(lines[1:closing])
        fields = _parse_toml(where, header) if language == "toml" else _parse_yaml(where, header)
        body = "\n".join(lines[closing + 1 :])
        if not body.strip():
            raise InputError(
                where, "no article text", "add the article's text after the front matter"
            )
        return _make_article(where, fields, body, path=where)

    # A bare file: its first non-empty line is the headline.
    first = next(number for number, line in enumerate(lines) if line.strip())
    headline = lines[first].strip()
    if markdown:
        heading = _MARKDOWN_HEADING.match(headline)
        if heading:
            headline = heading.group(1)
    body = "\n".join(lines[first + 1 :])
    if not body.strip():
        raise InputError(
            where, "no article text (only a headline line)", "add the text below the headline"
        )
    return _make_article(where, {"title": headline}, body, path=where)


_TOML_LINE = re.compile(r"at line (\d+)")


def _parse_toml(where: str, header: str) -> Mapping[str, Any]:
    try:
        return tomllib.loads(header)
    except tomllib.TOMLDecodeError as error:
        # The parser counts from the front matter's first line; the file has the fence above.
        message = _TOML_LINE.sub(lambda match: f"at line {int(match.group(1)) + 1}", str(error))
        raise InputError(
            where, f"front matter is not valid TOML ({message})", "fix the +++ block"
        ) from error


def _parse_yaml(where: str, header: str) -> Mapping[str, Any]:
    try:
        loaded = yaml.safe_load(header)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        place = f" at line {mark.line + 2}, column {mark.column + 1}" if mark else ""
        problem = error.problem or error.context or "syntax error"
        raise InputError(
            where, f"front matter is not valid YAML ({problem}{place})", "fix the --- block"
        ) from error
    except (yaml.YAMLError, ValueError) as error:
        # PyYAML raises ValueError for impossible timestamps such as 2024-02-30.
        message = " ".join(str(error).split())
        raise InputError(
            where, f"front matter is not valid YAML ({message})", "fix the --- block"
        ) from error
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise InputError(
            where, "front matter is not a set of key: value lines", "fix the --- block"
        )
    return loaded


# --------------------------------------------------------------------------- records


_FIELD_NAMES = {
    "title": ("title", "headline"),
    "date": ("date",),
    "source": ("source",),
    "url": ("url", "link"),
    # Common dumps of news corpora name the body "article", "body" or "content".
    "text": ("text", "body", "content", "article"),
}


def _field(fields: Mapping[Any, Any], name: str) -> Any:
    lowered = {str(key).lower(): value for key, value in fields.items()}
    for alias in _FIELD_NAMES[name]:
        if alias in lowered and lowered[alias] is not None:
            return lowered[alias]
    return None


def _text_field(where: str, fields: Mapping[Any, Any], name: str) -> str:
    value = _field(fields, name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError(where, f"{name} {value!r} is not text", f"write {name} as a string")
    return str(value)


def _make_article(where: str, fields: Mapping[Any, Any], text: str, *, path: str) -> Article:
    title = " ".join(_text_field(where, fields, "title").split())
    url = _text_field(where, fields, "url").strip()
    source = _text_field(where, fields, "source").strip() or _hostname(url)
    return Article(
        id=content_id(title, text),
        title=title,
        date=_parse_date(where, _field(fields, "date")),
        source=source,
        url=url,
        text=text,
        path=path,
    )


def _hostname(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _read_json(where: str, text: str) -> _FileResult:
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            where,
            f"is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})",
            "fix the JSON syntax",
        ) from error
    except RecursionError as error:
        raise InputError(where, "is not usable JSON (nested too deeply)", "flatten it") from error
    if isinstance(loaded, dict):
        return _FileResult((_record_article(where, loaded, path=where),))
    if not isinstance(loaded, list):
        raise InputError(
            where, "JSON must be an object or a list of objects", "give one object per article"
        )
    if not loaded:
        raise InputError(where, "is an empty list", "give one JSON object per article")
    articles: list[Article] = []
    failed: list[Skipped] = []
    for number, record in enumerate(loaded, 1):
        label = f"{where}:{number}"
        try:
            articles.append(_record_article(label, record, path=where))
        except InputError as error:
            failed.append(Skipped(label, _reason(error)))
    return _FileResult(tuple(articles), tuple(failed))


def _read_jsonl(where: str, text: str) -> _FileResult:
    articles: list[Article] = []
    failed: list[Skipped] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        label = f"{where}:{number}"
        try:
            articles.append(_record_article(label, _json_line(label, line), path=where))
        except InputError as error:
            failed.append(Skipped(label, _reason(error)))
    return _FileResult(tuple(articles), tuple(failed))


def _json_line(label: str, line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(
            label, f"is not valid JSON: {error.msg} (column {error.colno})", "fix the line"
        ) from error
    except RecursionError as error:
        raise InputError(label, "is not usable JSON (nested too deeply)", "flatten it") from error


def _record_article(label: str, record: Any, *, path: str) -> Article:
    if not isinstance(record, dict):
        raise InputError(label, "record is not a JSON object", "give one object per article")
    text = _field(record, "text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(label, "no article text", 'give the record a non-empty "text" field')
    return _make_article(label, record, text, path=path)


# --------------------------------------------------------------------------- dates


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


def _parse_date(where: str, value: Any) -> dt.date | None:
    """A publication day from a front-matter or record value; None only when absent.

    Aware times are taken in UTC. Nothing is ever filled in from today's date.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _utc_day(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        parsed = _parse_date_text(value)
        if parsed is not None:
            return parsed
    raise InputError(where, f"date {str(value)!r} cannot be read", _DATE_FIX)


def _utc_day(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return moment.astimezone(dt.UTC).date()
    return moment.date()


def _parse_date_text(value: str) -> dt.date | None:
    text = " ".join(value.split())
    try:
        return _utc_day(dt.datetime.fromisoformat(text))
    except ValueError:
        pass
    try:
        return _utc_day(email.utils.parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
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


# --------------------------------------------------------------------------- web pages


# Only dates stated in the page's markup or URL: htmldate's extensive search would turn
# a copyright line or a stray year into a date, and a guess is worse than no date.
_HTML_DATE_PARAMS = {"original_date": True, "extensive_search": False}


def _read_html(where: str, text: str) -> Article:
    markup = _without_encoding_declaration(text)
    extracted = trafilatura.bare_extraction(
        markup,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params=dict(_HTML_DATE_PARAMS),
    )
    page = extracted if isinstance(extracted, PageDocument) else None
    body = _paragraphs_from_extraction(page.body) if page is not None else ""
    if page is None or not body:
        # trafilatura gives up on short pages and fragments; their visible text still counts.
        body = html_to_text(markup)
        page = trafilatura.extract_metadata(markup, date_config=dict(_HTML_DATE_PARAMS))
    if not body:
        raise InputError(where, "no article text", "check that the page holds the article's text")
    fields = {
        "title": page.title or "",
        "date": page.date,
        "source": page.sitename or page.hostname or "",
        "url": page.url or "",
    }
    return _make_article(where, fields, body, path=where)


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _without_encoding_declaration(text: str) -> str:
    # lxml refuses already-decoded text that still declares a byte encoding.
    return _XML_DECLARATION.sub("", text, count=1)


_EXTRACTION_BLOCKS = frozenset(
    {"p", "head", "list", "item", "quote", "code", "table", "row", "div", "graphic"}
)
_EXTRACTION_BREAKS = frozenset({"lb"})


def _paragraphs_from_extraction(body: Any) -> str:
    if body is None:
        return ""
    pieces: list[str] = []
    _collect_text(
        body, pieces, blocks=_EXTRACTION_BLOCKS, breaks=_EXTRACTION_BREAKS, skip=frozenset()
    )
    return _join_paragraphs(pieces)


_HTML_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
        "table", "tr", "ul",
    }
)  # fmt: skip
_HTML_BREAKS = frozenset({"br"})
_HTML_INVISIBLE = frozenset(
    {"head", "script", "style", "noscript", "template", "svg", "iframe", "object", "title"}
)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML document or fragment, one blank-line-separated block per
    paragraph, list item or heading."""
    if not markup.strip():
        return ""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    try:
        root = lxml.html.fromstring(markup.encode("utf-8"), parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return ""
    pieces: list[str] = []
    _collect_text(root, pieces, blocks=_HTML_BLOCKS, breaks=_HTML_BREAKS, skip=_HTML_INVISIBLE)
    return _join_paragraphs(pieces)


def _collect_text(
    element: Any,
    pieces: list[str],
    *,
    blocks: frozenset[str],
    breaks: frozenset[str],
    skip: frozenset[str],
) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""  # comments have no str tag
    if tag and tag.lower() not in skip:
        name = tag.lower()
        if name in blocks:
            pieces.append("\n\n")
        if name in breaks:
            pieces.append("\n")
        if element.text:
            pieces.append(element.text)
        for child in element:
            _collect_text(child, pieces, blocks=blocks, breaks=breaks, skip=skip)
        if name in blocks:
            pieces.append("\n\n")
        elif name == "cell":
            pieces.append(" ")
    if element.tail:
        pieces.append(element.tail)


def _join_paragraphs(pieces: list[str]) -> str:
    paragraphs: list[str] = []
    for chunk in re.split(r"\n[^\S\n]*\n", "".join(pieces)):
        lines = [" ".join(line.split()) for line in chunk.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


# --------------------------------------------------------------------------- feeds


def _read_feed(where: str, data: bytes) -> _FileResult:
    # A stream, never bytes or str: feedparser treats a string that names a file or URL
    # as something to open.
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    entries = list(parsed.get("entries", []))
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not entries:
        if problem is not None:
            reason = " ".join(str(problem).split()) or type(problem).__name__
            raise InputError(where, f"is not a readable feed ({reason})", "fix the feed's XML")
        raise InputError(where, "has no feed entries", "give an RSS or Atom feed with items")

    feed = parsed.get("feed", {})
    source = _plain(feed.get("title", ""), feed.get("title_detail"))
    articles: list[Article] = []
    failed: list[Skipped] = []
    if problem is not None:
        if isinstance(problem, feedparser.ThingsNobodyCaresAboutButMe):
            # A wrong encoding label or a missing namespace declaration: nothing is lost.
            logger.debug("%s: %s", where, problem)
        else:
            # feedparser fell back to its lenient parser: entries after the fault may be
            # missing or cut short, so the file is reported even though some were read.
            reason = " ".join(str(problem).split()) or type(problem).__name__
            failed.append(
                Skipped(
                    where,
                    f"feed is not well-formed XML ({reason}); {len(entries)} entries read "
                    "leniently, others may be missing; fix the feed's XML",
                )
            )
    for number, entry in enumerate(entries, 1):
        label = f"{where}:{number}"
        try:
            articles.append(_entry_article(label, entry, source, path=where))
        except InputError as error:
            failed.append(Skipped(label, _reason(error)))
    return _FileResult(tuple(articles), tuple(failed))


def _entry_article(label: str, entry: Any, source: str, *, path: str) -> Article:
    text = _entry_text(entry)
    if not text:
        raise InputError(label, "no article text", "give the entry content or a summary")
    fields = {
        "title": _plain(entry.get("title", ""), entry.get("title_detail")),
        "date": _entry_date(label, entry),
        "source": source,
        "url": entry.get("link", "") or "",
    }
    return _make_article(label, fields, text, path=path)


def _entry_text(entry: Any) -> str:
    contents = [item for item in entry.get("content") or [] if (item.get("value") or "").strip()]
    if contents:
        best = max(contents, key=lambda item: len(item.get("value") or ""))
        return _plain(best.get("value"), best)
    return _plain(entry.get("summary"), entry.get("summary_detail"))


def _plain(value: str | None, detail: Any) -> str:
    """Text of a feed field, with HTML reduced to paragraphs."""
    if not value:
        return ""  # feedparser leaves a field it gave up on (say, an endless line) as None
    kind = detail.get("type", "") if detail else ""
    if kind == "text/plain":
        return value.strip()
    return html_to_text(value)


def _entry_date(label: str, entry: Any) -> dt.date | None:
    # feedparser has already read the common forms into UTC time tuples.
    for key in ("published", "updated", "created"):
        moment: time.struct_time | None = entry.get(f"{key}_parsed")
        if moment is not None:
            return dt.date(moment.tm_year, moment.tm_mon, moment.tm_mday)
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if raw:
            return _parse_date(label, raw)
    return None
