"""The ingest stage: article files, folders and URLs into Article records.

Formats are chosen by file extension: Markdown and plain text (with optional TOML or
YAML front matter), saved web pages, JSON and JSON Lines records, and RSS/Atom feeds;
URLs are fetched as feeds or pages. Text is kept as found, apart from what is never
text (control characters, byte-order marks, lone surrogates); removing site furniture
is the clean stage's job.

Every input is read inside a boundary (boundary.py) and within InputLimits: whatever one
file, entry or URL does, it becomes one line in `failed`, and the rest is read.

Modules, in the order an input meets them:
  files.py        files and folders: walking, choosing a reader, the boundary per file
  fetch.py        URLs: fetching feeds and pages (http.py: canonical URLs, GET, deadline)
  decode.py       bytes within the size limit to clean UTF-8 text
  frontmatter.py  the one reader and writer of +++ TOML and --- YAML headers
  text.py, html.py, feeds.py, jsonrecords.py   one reader per format
  fields.py       fields to an Article (names, types, sizes, clean one-line fields)
  dates.py        publication days, never guessed
  boundary.py     one line per bad input; bugs raised under the test suite
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from briefer.ingest.fields import content_id
from briefer.ingest.files import ARTICLE_SUFFIXES, FileCache, list_inputs, read_file, read_inputs

if TYPE_CHECKING:
    from briefer.ingest.feeds import read_feed_data
    from briefer.ingest.html import html_to_text, read_page_data

# Imported on first use (PEP 562): feedparser and trafilatura cost tenths of a second to
# import, and a run over Markdown files never needs them.
_LAZY = {
    "read_feed_data": "briefer.ingest.feeds",
    "html_to_text": "briefer.ingest.html",
    "read_page_data": "briefer.ingest.html",
}

__all__ = [
    "ARTICLE_SUFFIXES",
    "FileCache",
    "content_id",
    "html_to_text",
    "list_inputs",
    "read_feed_data",
    "read_file",
    "read_inputs",
    "read_page_data",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)
