"""JSON and JSON Lines files: one article per object; a bad record fails on its own."""

from __future__ import annotations

import json
from typing import Any

from briefer.errors import InputError
from briefer.ingest.boundary import reason
from briefer.ingest.fields import field, make_article
from briefer.records import Article, FileRead, InputLimits, Skipped
from briefer.safe_text import one_line


def read_json(where: str, text: str, limits: InputLimits) -> FileRead:
    loaded = _loads(where, text, "fix the JSON syntax", with_line=True)
    if isinstance(loaded, dict):
        return FileRead((_record_article(where, loaded, path=where, limits=limits),))
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
            articles.append(_record_article(label, record, path=where, limits=limits))
        except InputError as error:
            failed.append(Skipped(label, reason(error)))
    return FileRead(tuple(articles), tuple(failed))


def read_jsonl(where: str, text: str, limits: InputLimits) -> FileRead:
    articles: list[Article] = []
    failed: list[Skipped] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        label = f"{where}:{number}"
        try:
            record = _loads(label, line, "fix the line", with_line=False)
            articles.append(_record_article(label, record, path=where, limits=limits))
        except InputError as error:
            failed.append(Skipped(label, reason(error)))
    return FileRead(tuple(articles), tuple(failed))


def _loads(where: str, text: str, fix: str, *, with_line: bool) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        place = f"column {error.colno}"
        if with_line:
            place = f"line {error.lineno}, {place}"
        raise InputError(where, f"is not valid JSON: {error.msg} ({place})", fix) from error
    except RecursionError as error:
        raise InputError(where, "is not usable JSON (nested too deeply)", "flatten it") from error
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise InputError(where, f"is not usable JSON ({one_line(str(error))})", fix) from error


def _record_article(label: str, record: Any, *, path: str, limits: InputLimits) -> Article:
    if not isinstance(record, dict):
        raise InputError(label, "record is not a JSON object", "give one object per article")
    text = field(record, "text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(label, "no article text", 'give the record a non-empty "text" field')
    return make_article(label, record, text, path=path, limits=limits)
