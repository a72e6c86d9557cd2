"""Markdown and plain-text articles, with or without front matter."""

from __future__ import annotations

import re

from briefer.errors import InputError
from briefer.ingest.fields import make_article
from briefer.ingest.frontmatter import split_front_matter
from briefer.records import Article, InputLimits

_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.*?)(?:\s+#+)?\s*$")


def read_text(
    where: str, text: str, *, markdown: bool, limits: InputLimits, cleaned: bool = False
) -> Article:
    """The article of a Markdown or text file's text. cleaned: the text is decode's, which
    clean_text has been through: the body, a part of it, is kept without scanning it again."""
    found = split_front_matter(where, text)
    if found is not None:
        fields, body = found
        if not body.strip():
            raise InputError(
                where, "no article text", "add the article's text after the front matter"
            )
        return make_article(where, fields, body, path=where, limits=limits, cleaned=cleaned)

    # A bare file: its first non-empty line is the headline.
    lines = text.split("\n")
    first = next(number for number, line in enumerate(lines) if line.strip())
    headline = lines[first].strip()
    if markdown:
        heading = _MARKDOWN_HEADING.match(headline[: limits.max_field_chars + 10])
        if heading:
            headline = heading.group(1)
    body = "\n".join(lines[first + 1 :])
    if not body.strip():
        raise InputError(
            where, "no article text (only a headline line)", "add the text below the headline"
        )
    return make_article(
        where, {"title": headline}, body, path=where, limits=limits, cleaned=cleaned
    )
