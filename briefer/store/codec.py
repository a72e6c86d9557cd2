"""The article store's rows as text and back: the files row (its articles' fields as JSON, a
NUL, then their texts as they are), the groupings and briefings rows, and the checks every row
read passes (its checksum; one JSON parse for many rows). The other tables hold
briefer.serialize's forms as they are."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from briefer.records import Article, Briefing, Grouped, Skipped
from briefer.serialize import (
    article_data,
    article_from,
    briefing_data,
    briefing_floats,
    compact_floats,
    compact_plain,
    sections_data,
    sections_from,
)
from briefer.stamps import sound


def sound_row(row: tuple[Any, ...]) -> bool:
    """Whether a (key, value, checksum, ...) row is text whose checksum matches."""
    key, value, check = row[:3]
    return isinstance(value, str) and isinstance(check, str) and sound(key, value, check)


def parse_all(texts: Sequence[str]) -> list[Any]:
    """Each text's JSON value, None for one that is not JSON: one parse for all of them,
    far cheaper than a json.loads call per row, and one per text only when that fails."""
    try:
        values = json.loads("[" + ",".join(texts) + "]")
        if len(values) == len(texts):
            return values  # type: ignore[no-any-return]
    except ValueError:
        pass
    return [_parse(text) for text in texts]  # a text that is not one JSON value: find it


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def files_value(articles: Sequence[Article], digests: Sequence[str]) -> str:
    """A file's articles as a row: their fields but the text as JSON, then a NUL (which JSON
    never holds unescaped), then the texts one after the other, as they are: not decoding
    10,000 texts from JSON in a rerun saved ~0.15 s of its 0.4 s lookup."""
    lengths = [len(a.text) for a in articles]
    head = [[article_data(a) for a in articles], lengths, list(digests)]
    return compact_plain(head) + "\x00" + "".join(article.text for article in articles)


def split_files_value(value: str) -> tuple[str, str]:
    """A files row's head (JSON, for parse_all) and its texts."""
    head, _, body = value.partition("\x00")
    return head, body


def articles_from(head: Any, body: str) -> tuple[tuple[Article, ...], list[str]]:
    """The articles of a files row (files_value) and their text digests (none in a row
    written before they were kept); ValueError or TypeError if it is not one."""
    data, lengths, *rest = head
    digests = rest[0] if rest else []
    if len(rest) > 1 or not all(isinstance(digest, str) for digest in digests):
        raise ValueError("not a files row")
    if digests and len(digests) != len(data):
        raise ValueError("a digest for each article, or none")
    articles, start = [], 0
    for item, length in zip(data, lengths, strict=True):
        item["text"] = body[start : start + length]
        start += length
        articles.append(article_from(item))
    if start != len(body):
        raise ValueError("the texts are not the lengths given")
    return tuple(articles), digests


def grouping_value(grouped: Grouped) -> str:
    value = {
        "merged": grouped.merged,
        "left_out": [{"path": s.path, "reason": s.reason} for s in grouped.left_out],
        # The articles by id: grouping_from takes them from the run's records.
        "sections": sections_data(grouped.sections, ids_only=True),
    }
    return compact_plain(value)  # no floats before rank sets them


def grouping_from(value: Any, articles: Sequence[Article]) -> Grouped:
    """A groupings row's value, each story's articles taken from the run's records;
    KeyError, TypeError or ValueError if it is not one (or names an article not among
    them, which its key makes impossible short of a hash collision)."""
    by_id: dict[str, Article] = {}
    for article in articles:
        by_id.setdefault(article.id, article)
    return Grouped(
        sections=sections_from(value["sections"], by_id),
        merged=int(value["merged"]),
        left_out=tuple(Skipped(str(s["path"]), str(s["reason"])) for s in value["left_out"]),
    )


def briefing_value(briefing: Briefing, seen: dict[str, dt.date]) -> str:
    value = {
        "seen": {identity: day.isoformat() for identity, day in sorted(seen.items())},
        "briefing": briefing_data(briefing),
    }
    return compact_floats(value, briefing_floats(briefing))


def briefing_seen(value: Any) -> dict[str, dt.date]:
    """The first-seen days a briefings row's briefing placed undated articles by (read
    before the briefing, which is read only if they are still the store's: briefing_from);
    KeyError, TypeError, ValueError or AttributeError if it is not one."""
    return {str(k): dt.date.fromisoformat(v) for k, v in value["seen"].items()}
