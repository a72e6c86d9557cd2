"""The article store's rows as text and back: the files row (its articles' fields as JSON, a
NUL, then their texts as they are), the groupings and briefings rows, and the checks every row
read passes (its checksum; one JSON parse for many rows). The other tables hold
briefer.serialize's forms as they are."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from briefer.records import Article, Briefing, Grouped, Skipped
from briefer.serialize import (
    _date_from,
    article_data,
    article_from,
    briefing_data,
    briefing_floats,
    compact_floats,
    compact_plain,
    sections_data,
    sections_from,
)
from briefer.stamps import checksum, sound


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


# What a files row's texts are checked under, within its head (files_value): not a row's key.
TEXTS_CHECK = "texts"


def files_value(articles: Sequence[Article], digests: Sequence[str]) -> tuple[str, str]:
    """A file's articles as a row, and the part of it the row's checksum covers: their
    fields but the text as JSON (the head), then a NUL (which JSON never holds unescaped),
    then the texts one after the other, as they are (not decoding 10,000 texts from JSON in
    a rerun saved ~0.15 s of its 0.4 s lookup). The head carries the texts' own check, so a
    rerun reads and checks the heads alone (Store.lookup) and the texts only of the articles
    it summarizes (Store.with_texts)."""
    texts = "".join(article.text for article in articles)
    lengths = [len(a.text) for a in articles]
    data = [article_data(a) for a in articles]
    head = compact_plain([data, lengths, list(digests), checksum(TEXTS_CHECK, texts)])
    return head + "\x00" + texts, head


def split_files_value(value: str) -> tuple[str, str]:
    """A files row's head (JSON, for parse_all) and its texts."""
    head, _, body = value.partition("\x00")
    return head, body


class FilesHead(NamedTuple):
    """A files row's head (files_value) read: its articles' fields, each text's length and
    digest, and the texts' check (None in a row written before it was kept)."""

    data: list[dict[str, Any]]
    lengths: list[int]
    digests: list[str]
    texts_check: str | None

    @property
    def bare(self) -> bool:
        """Whether its articles may be had without their texts (Store.lookup): each has its
        digest (what its summary key needs of its text), the texts can be checked when read
        back, and no two of them have the same id and title (what tells them apart without
        their texts: `place`, and a memo keyed by an article without its text)."""
        if self.texts_check is None or len(self.digests) != len(self.data):
            return False
        if len(self.data) == 1:
            return True
        return len({(item["id"], item["title"]) for item in self.data}) == len(self.data)

    def place(self, identity: str, title: str) -> int | None:
        """The place among its articles of the one with this id and title; None if none."""
        for place, item in enumerate(self.data):
            if item["id"] == identity and item["title"] == title:
                return place
        return None


def files_head(head: Any) -> FilesHead:
    """A files row's head, parsed (JSON); ValueError or TypeError if it is not one."""
    data, lengths, *rest = head
    digests = rest[0] if rest else []
    texts_check = rest[1] if len(rest) > 1 else None
    if len(rest) > 2 or not all(isinstance(digest, str) for digest in digests):
        raise ValueError("not a files row")
    if digests and len(digests) != len(data):
        raise ValueError("a digest for each article, or none")
    if len(lengths) != len(data):
        raise ValueError("a length for each article")
    if texts_check is not None and not isinstance(texts_check, str):
        raise ValueError("not a files row")
    return FilesHead(data, lengths, digests, texts_check)


def articles_from(head: Any, body: str | None) -> tuple[tuple[Article, ...], list[str]]:
    """The articles of a files row (files_value) and their text digests (none in a row
    written before they were kept); ValueError or TypeError if it is not one, or if its
    texts are not what its head says. body None: each article's text left "" (the head
    must then be `bare`)."""
    parsed = head if isinstance(head, FilesHead) else files_head(head)
    if body is None:
        if not parsed.bare:
            raise ValueError("a files row whose articles need their texts")
        texts = [""] * len(parsed.data)
    else:
        if not texts_sound(body, parsed.texts_check):
            raise ValueError("the texts are not those the row was written with")
        if sum(parsed.lengths) != len(body):
            raise ValueError("the texts are not the lengths given")
        texts = texts_of(body, parsed.lengths)
    articles = []
    for item, text in zip(parsed.data, texts, strict=True):
        item["text"] = text
        articles.append(article_from(item))
    return tuple(articles), parsed.digests


def bare_articles(head: FilesHead) -> tuple[Article, ...]:
    """articles_from(head, None)'s articles, for a head known to be `bare`: each text "",
    built straight from the head's fields (its items left as they are), each day read once
    per call (10,000 heads of the 10k bench week's files, one article each: 28 -> 14 ms).
    ValueError or TypeError where articles_from raises them."""
    days: dict[str, dt.date] = {}
    articles = []
    for item in head.data:
        given = item["date"]
        day = days.get(given) if isinstance(given, str) else None
        if day is None:
            day = _date_from(given)
            if day is not None:
                days[given] = day
        seen = item.get("first_seen")
        articles.append(
            Article(
                id=str(item["id"]),
                title=str(item["title"]),
                date=day,
                source=str(item["source"]),
                url=str(item["url"]),
                text="",
                path=str(item["path"]),
                first_seen=None if seen is None else _date_from(seen),
            )
        )
    return tuple(articles)


def texts_of(body: str, lengths: Sequence[int]) -> list[str]:
    """A files row's texts, cut from its body by their lengths."""
    texts, start = [], 0
    for length in lengths:
        texts.append(body[start : start + length])
        start += length
    return texts


def texts_sound(body: str, texts_check: str | None) -> bool:
    """Whether a files row's texts are those its head was written with (the head's check; a
    row written before the check was kept has none, and is taken as it is)."""
    return texts_check is None or checksum(TEXTS_CHECK, body) == texts_check


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
