"""From the fields an input states to an Article: one place that names the fields, checks
their types and sizes, and cleans them at the door."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from itertools import repeat
from typing import Any
from urllib.parse import urlsplit

from briefer.errors import InputError
from briefer.ingest.dates import parse_date
from briefer.records import Article, InputLimits
from briefer.safe_text import clean_line, clean_text, shown

_ID_LENGTH = 16

FIELD_NAMES = {
    "title": ("title", "headline"),
    "date": ("date",),
    "source": ("source",),
    "url": ("url", "link"),
    # Common dumps of news corpora name the body "article", "body" or "content".
    "text": ("text", "body", "content", "article"),
}

# A site name is a name: of the 12 source names in the dev data (themes_dev, clusters_dev)
# 11 have one or two words and the longest has six. A longer value, or one ending
# like a sentence, is a tagline or a description ("... for the latest news from the UK and
# around the world."), and the host name stands in for it.
_SITE_NAME_WORDS = 6


def content_id(title: str, text: str) -> str:
    """A short stable id for an article's content, independent of where the file lives."""
    normalized = squeezed(unicodedata.normalize("NFC", f"{title}\n{text}"))
    data = normalized.encode("utf-8", errors="surrogatepass")
    return hashlib.sha256(data).hexdigest()[:_ID_LENGTH]


def squeezed(text: str) -> str:
    """ " ".join(text.split()): every run of white space one space, none at the ends. Where
    the only white space is spaces and line breaks (nearly every article), by replacing
    them: 0.087 -> 0.065 s of CPU on 4,000 bench articles, whose reading took 0.32 s (issue
    13). No white space but the space is printable (checked over every code point,
    tests/test_ingest.py), so a printable text has no other; anything else (tabs, no-break
    spaces, controls) is split as before. The lines are stripped and joined first: the runs
    of spaces are nearly all at line breaks (a paragraph's end), and a replace of "  " reads
    the whole text, stopping at every space (the 10k bench week's articles: 0.163 -> 0.111 s
    of CPU)."""
    if not text.replace("\n", " ").isprintable():
        return " ".join(text.split())
    flat = " ".join(filter(None, map(str.strip, text.split("\n"), repeat(" "))))
    while "  " in flat:
        flat = flat.replace("  ", " ")
    return flat


def field(fields: Mapping[Any, Any], name: str) -> Any:
    return _named(_lowered(fields), name)


def _lowered(fields: Mapping[Any, Any]) -> dict[str, Any]:
    """The fields by their names lower-cased (the first of two that differ only in case)."""
    lowered: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(key, str):
            lowered.setdefault(key.lower(), value)
    return lowered


def _named(lowered: Mapping[str, Any], name: str) -> Any:
    for alias in FIELD_NAMES[name]:
        if alias in lowered and lowered[alias] is not None:
            return lowered[alias]
    return None


def text_field(where: str, lowered: Mapping[str, Any], name: str, limits: InputLimits) -> str:
    """A one-line field (of the fields as _lowered gives them) as clean text; InputError when
    it is not text or is too long."""
    value = _named(lowered, name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError(where, f"{name} {shown(value)} is not text", f"write {name} as a string")
    if isinstance(value, int) and value.bit_length() > 64:
        raise InputError(where, f"{name} {shown(value)} is not text", f"write {name} as a string")
    text = value if isinstance(value, str) else str(value)
    if len(text) > limits.max_field_chars:
        raise InputError(
            where,
            f"{name} is {len(text):,} characters long, over the limit of "
            f"{limits.max_field_chars:,}",
            f"shorten the {name}, or raise the max_field_chars setting (--max-field-chars)",
        )
    return clean_line(text)


def body_text(where: str, text: str, limits: InputLimits, *, cleaned: bool = False) -> str:
    """The article's text as kept (clean_text), or InputError when empty or too long.
    cleaned: the text is part of what clean_text gave (decode's), so it holds nothing that
    clean_text changes and is kept as it is, without a second scan (issue 13)."""
    if len(text) > limits.max_text_chars:
        raise InputError(
            where,
            f"article text is {len(text):,} characters long, over the limit of "
            f"{limits.max_text_chars:,}",
            "split it, or raise the max_text_chars setting (--max-text-chars)",
        )
    kept = text if cleaned else clean_text(text)
    if not kept.strip():
        raise InputError(where, "no article text", "give the article's text")
    return kept


def make_article(
    where: str,
    fields: Mapping[Any, Any],
    text: str,
    *,
    path: str,
    limits: InputLimits,
    cleaned: bool = False,
) -> Article:
    """The article of these fields and body text (cleaned: as body_text's). Their names are
    lower-cased once, not once a field (four times a file, ~1% of reading it)."""
    lowered = _lowered(fields)
    title = text_field(where, lowered, "title", limits)
    url = text_field(where, lowered, "url", limits)
    source = text_field(where, lowered, "source", limits) or hostname(url)
    body = body_text(where, text, limits, cleaned=cleaned)
    return Article(
        id=content_id(title, body),
        title=title,
        date=parse_date(where, _named(lowered, "date")),
        source=source,
        url=url,
        text=body,
        path=path,
    )


def site_name(name: str) -> str:
    """name when it reads as a site's name; "" for a tagline or description."""
    text = clean_line(name)
    words = len(text.split())
    if words > _SITE_NAME_WORDS or (words > 2 and text.endswith((".", "!", "?"))):
        return ""
    return text


def hostname(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")
