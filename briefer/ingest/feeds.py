"""RSS and Atom feeds, from files or fetched: one article per entry.

A feed that parses only leniently (an XML error part-way) is read with a warning saying
how many of its entries were read; it is not a failed file. An entry that cannot be read
fails on its own.
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any, NoReturn

import feedparser

from briefer.errors import InputError
from briefer.ingest.boundary import reason
from briefer.ingest.dates import entry_date
from briefer.ingest.decode import decode
from briefer.ingest.fields import hostname, make_article, site_name
from briefer.ingest.html import check_markup, html_to_text
from briefer.records import Article, FileRead, InputLimits, Skipped
from briefer.safe_text import one_line

logger = logging.getLogger(__name__)


def read_feed_data(where: str, data: bytes, limits: InputLimits | None = None) -> FileRead:
    """The articles of an RSS or Atom document held in memory (a fetched feed), the entries
    that failed on their own and warnings. Raises InputError when no entry can be read."""
    result = read_feed(where, data, limits or InputLimits())
    if not result.articles:
        raise_no_record(where, result.failed)
    return result


def raise_no_record(where: str, failed: tuple[Skipped, ...] | list[Skipped]) -> NoReturn:
    if not failed:
        raise InputError(where, "no readable record", "check the file")
    first = failed[0]
    raise InputError(
        where, f"no readable record ({len(failed)} failed, first {first.path}: {first.reason})"
    )


def read_feed(where: str, data: bytes, limits: InputLimits) -> FileRead:
    text = decode(where, data, honour_declared=True)  # non-text is rejected with our message
    check_markup(where, text, limits, escaped=True)
    # A stream, never bytes or str: feedparser treats a string that names a file or URL
    # as something to open.
    stream = io.BytesIO(_BAD_CHARACTER_REFERENCE.sub(_replace_reference, data))
    try:
        parsed = feedparser.parse(stream, sanitize_html=True, resolve_relative_uris=False)
    except (ValueError, UnicodeError, LookupError) as error:
        raise InputError(
            where, f"is not a readable feed ({one_line(str(error), 200)})", "fix the feed's XML"
        ) from error
    entries = list(parsed.get("entries", []))
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not entries:
        if problem is not None:
            cause = one_line(str(problem)) or type(problem).__name__
            raise InputError(where, f"is not a readable feed ({cause})", "fix the feed's XML")
        raise InputError(where, "has no feed entries", "give an RSS or Atom feed with items")

    feed = parsed.get("feed", {})
    source = site_name(_plain(feed.get("title", ""), feed.get("title_detail"))) or hostname(
        str(feed.get("link", "") or "")
    )
    articles: list[Article] = []
    failed: list[Skipped] = []
    for number, entry in enumerate(entries, 1):
        label = f"{where}:{number}"
        try:
            articles.append(_entry_article(label, entry, source, path=where, limits=limits))
        except InputError as error:
            failed.append(Skipped(label, reason(error)))
    warnings: list[Skipped] = []
    if problem is not None:
        if isinstance(problem, feedparser.ThingsNobodyCaresAboutButMe):
            # A wrong encoding label or a missing namespace declaration: nothing is lost.
            logger.debug("%s: %s", where, problem)
        else:
            # feedparser fell back to its lenient parser: entries after the fault may be
            # missing or cut short, so the reader is told, though the entries count as read.
            cause = one_line(str(problem)) or type(problem).__name__
            warnings.append(
                Skipped(
                    where,
                    f"read with warnings ({len(articles)} of {len(entries)} entries): the feed "
                    f"is not well-formed XML ({cause}), so entries may be missing or cut "
                    "short; fix the feed's XML",
                )
            )
    return FileRead(tuple(articles), tuple(failed), tuple(warnings))


# A numeric character reference: feedparser's lenient parser encodes what it names, and a
# surrogate or a number past U+10FFFF cannot be encoded (it raises instead of reporting).
_BAD_CHARACTER_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,20}));")


def _replace_reference(match: re.Match[bytes]) -> bytes:
    hexadecimal, decimal = match.groups()
    code = int(hexadecimal, 16) if hexadecimal else int(decimal)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return b"&#xFFFD;"
    return match.group()


def _entry_article(
    label: str, entry: Any, source: str, *, path: str, limits: InputLimits
) -> Article:
    text = _entry_text(entry)
    if not text:
        raise InputError(label, "no article text", "give the entry content or a summary")
    fields = {
        "title": _plain(entry.get("title", ""), entry.get("title_detail")),
        "date": entry_date(label, entry),
        "source": source,
        "url": entry.get("link", "") or "",
    }
    return make_article(label, fields, text, path=path, limits=limits)


def _entry_text(entry: Any) -> str:
    contents = [item for item in entry.get("content") or [] if (item.get("value") or "").strip()]
    if contents:
        best = max(contents, key=lambda item: len(item.get("value") or ""))
        return _plain(best.get("value"), best)
    return _plain(entry.get("summary"), entry.get("summary_detail"))


def _plain(value: Any, detail: Any) -> str:
    """Text of a feed field, with HTML reduced to paragraphs."""
    if not value or not isinstance(value, str):
        return ""  # feedparser leaves a field it gave up on (say, an endless line) as None
    kind = detail.get("type", "") if detail else ""
    if kind == "text/plain":
        return value.strip()
    return html_to_text(value)
