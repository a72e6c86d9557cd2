"""The one JSON form of briefer's records: `--format json` writes it, and the article store keeps
its rows in it, so there is one schema to read and one place to change it.

Values are plain dicts, lists, strings and numbers (dates as YYYY-MM-DD). `*_data` turns a
record into such a value and `*_from` turns it back; `*_from` raises ValueError (or KeyError,
TypeError) for a value of another shape, which the store treats as an unreadable row.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import math
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

try:
    import orjson
except ModuleNotFoundError:  # an environment installed before orjson was a dependency
    orjson = None  # type: ignore[assignment]

from briefer.records import (
    Article,
    Block,
    Briefing,
    Bullet,
    Coverage,
    Placement,
    Ranking,
    Section,
    Sentence,
    Skipped,
    Standing,
    Story,
    StoryTerms,
    Summarized,
    TextFeatures,
    Told,
    Update,
)

Data = dict[str, Any]


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date_from(value: object) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"a date must be a string, not {type(value).__name__}")
    return dt.date.fromisoformat(value)


def _keep(url: str) -> str:
    return url


# ---- articles ------------------------------------------------------------------------------


def article_data(article: Article, text: bool = False, url: Callable[[str], str] = _keep) -> Data:
    """An article as shown (without its text unless asked: the briefing never prints it)."""
    data: Data = {
        "id": article.id,
        "title": article.title,
        "date": _date(article.date),
        "first_seen": _date(article.first_seen),
        "source": article.source,
        "url": url(article.url),
        "path": article.path,
    }
    if text:
        data["text"] = article.text
    return data


def article_from(data: Mapping[str, Any]) -> Article:
    return Article(
        id=str(data["id"]),
        title=str(data["title"]),
        date=_date_from(data["date"]),
        source=str(data["source"]),
        url=str(data["url"]),
        text=str(data["text"]),
        path=str(data["path"]),
        first_seen=_date_from(data.get("first_seen")),
    )


# ---- summaries (what the summarize stage works out for one article) ------------------------


def summarized_data(value: Summarized) -> Data:
    data: Data = {
        "algorithm": value.algorithm,
        "blocks": [{"text": b.text, "heading": b.is_heading} for b in value.blocks],
        "sentences": [
            {"text": s.text, "index": s.index, "block": s.block} for s in value.sentences
        ],
    }
    if value.features is not None:
        data["features"] = features_data(value.features)
    if value.leans is not None:
        data["leans"] = list(value.leans)
    return data


def summarized_from(data: Mapping[str, Any]) -> Summarized:
    features = data.get("features")
    return Summarized(
        blocks=tuple(Block(str(b["text"]), bool(b["heading"])) for b in data["blocks"]),
        sentences=tuple(
            Sentence(str(s["text"]), int(s["index"]), int(s["block"])) for s in data["sentences"]
        ),
        algorithm=str(data["algorithm"]),
        features=features_from(features) if features is not None else None,
        leans=None if (leans := data.get("leans")) is None else tuple(map(bool, leans)),
    )


def features_data(value: TextFeatures) -> Data:
    """An article's words for grouping. The word ids as base64 of 4-byte little-endian
    integers: a tenth of the JSON of a list of numbers, and decoded in C."""
    words = array("i", value.words)
    if sys.byteorder == "big":
        words.byteswap()
    return {
        "vocabulary": value.vocabulary,
        "words": base64.b64encode(words.tobytes()).decode("ascii"),
        "parts": list(value.parts),
        "names": value.names,
        "tail": base64.b64encode(value.tail).decode("ascii"),  # as texts._tail packed it
    }


def features_from(data: Mapping[str, Any]) -> TextFeatures:
    words = array("i")
    if words.itemsize != 4:  # a C int of another size: the stored ids cannot be read here
        raise ValueError("word ids are stored as 4-byte integers")
    words.frombytes(base64.b64decode(str(data["words"]), validate=True))
    if sys.byteorder == "big":
        words.byteswap()
    first, second, third = (int(size) for size in data["parts"])
    return TextFeatures(
        str(data["vocabulary"]),
        words,
        (first, second, third),
        str(data["names"]),
        base64.b64decode(str(data["tail"]), validate=True),
    )


# ---- what the rank stage set: a story's standing, the briefing's ranking ---------------------


def _bullets_data(bullets: Sequence[Bullet]) -> list[Data]:
    return [{"text": b.text, "article_id": b.article_id} for b in bullets]


def standing_data(standing: Standing) -> Data:
    return {
        "weight": standing.weight,
        "rank": standing.rank,
        "outlets": list(standing.outlets),
        "reports": standing.reports,
        "single_source": len(standing.outlets) <= 1,
        "latest": _date(standing.latest),
        "recency": standing.recency,
        "themed": standing.themed,
        "top": standing.top,
        "in_body": standing.in_body,
        "anchor": standing.anchor,
        "highlights": _bullets_data(standing.highlights),
        "updates": [
            {
                "date": _date(update.date),
                "title": update.title,
                "bullets": _bullets_data(update.bullets),
                "new": update.new,
            }
            for update in standing.updates
        ],
        "new": standing.new,
        "first_briefed": _date(standing.first_briefed),
        "continuing": standing.continuing,
        "new_bullets": list(standing.new_bullets),
    }


def ranking_data(ranking: Ranking) -> Data:
    return {
        "top": [story.standing.anchor for story in ranking.top if story.standing is not None],
        "stories": ranking.stories,
        "minutes": ranking.minutes,
        "budget_words": ranking.budget_words,
        "body_words": ranking.body_words,
        "also_reported": ranking.also,
        "outlets": [{"outlet": name, "articles": count} for name, count in ranking.outlets],
        "articles": ranking.articles,
        "dominant_outlet": ranking.dominant or None,
        "previous_briefing": _date(ranking.previous),
        "new_only": ranking.new_only,
        "hidden_as_briefed_before": ranking.hidden,
    }


# ---- what a story says (the group stage's per-story work, as the store keeps it) -------------


def told_data(value: Told) -> Data:
    return {
        "title": value.title,
        "bullets": _bullets_data(value.bullets),
        "copies": [list(pair) for pair in value.copies],
    }


def told_from(data: Mapping[str, Any]) -> Told:
    return Told(
        title=str(data["title"]),
        bullets=_bullets_from(data["bullets"]),
        copies=tuple((str(pair[0]), str(pair[1])) for pair in data["copies"]),
    )


def placement_data(value: Placement) -> Data:
    """Where a story is filed, as the briefing shows it (the fits to every theme are left
    out: only `briefer themes` shows them, and it does not use the store)."""
    return {"theme": value.theme, "secondary": list(value.secondary), "why": list(value.why)}


def placement_from(data: Mapping[str, Any]) -> Placement:
    return Placement(
        theme=str(data["theme"]),
        secondary=tuple(str(theme) for theme in data["secondary"]),
        why=tuple(str(term) for term in data["why"]),
        fits=(),
    )


def story_terms_data(value: StoryTerms) -> Data:
    # Words joined by line breaks (no word holds one) and counts apart: thousands of
    # stories are read back on a rerun, and one string per row splits fast.
    return {
        "names": "\n".join(sorted(value.names)),
        "terms": "\n".join(term for term, _ in value.terms),
        "counts": [count for _, count in value.terms],
    }


def story_terms_from(data: Mapping[str, Any]) -> StoryTerms:
    names, terms, counts = data["names"], data["terms"], data["counts"]
    words = terms.split("\n") if terms else []
    return StoryTerms(
        frozenset(names.split("\n") if names else ()),
        tuple(zip(words, counts, strict=True)),
    )


# ---- stories, sections and briefings ---------------------------------------------------------


def story_data(story: Story, url: Callable[[str], str] = _keep, ids_only: bool = False) -> Data:
    """ids_only: each article by its id alone (what story_from reads; the article store's
    groupings, whose articles are this run's records)."""
    articles = [{"id": a.id} if ids_only else article_data(a, url=url) for a in story.articles]
    return {
        "title": story.title,
        "theme": story.theme,
        "secondary_themes": list(story.secondary_themes),
        "why": list(story.why),
        "topic": story.topic,
        "articles": articles,
        "copies": [list(pair) for pair in story.copies],
        "bullets": _bullets_data(story.bullets),
        # Set by the rank stage (after the store keeps a grouping): briefing output only.
        **({"standing": standing_data(story.standing)} if story.standing is not None else {}),
    }


def story_from(data: Mapping[str, Any], articles: Mapping[str, Article]) -> Story:
    """The story, with its articles taken from `articles` by id (the stored form of an article
    leaves out its text); KeyError when one of them is not there."""
    return Story(
        title=str(data["title"]),
        articles=tuple(articles[str(a["id"])] for a in data["articles"]),
        bullets=tuple(Bullet(str(b["text"]), str(b["article_id"])) for b in data["bullets"]),
        theme=str(data["theme"]),
        secondary_themes=tuple(str(name) for name in data["secondary_themes"]),
        why=tuple(str(term) for term in data["why"]),
        copies=tuple((str(pair[0]), str(pair[1])) for pair in data["copies"]),
        topic=str(data["topic"]),
    )


def sections_data(
    sections: Sequence[Section], url: Callable[[str], str] = _keep, ids_only: bool = False
) -> list[Data]:
    return [
        {
            "theme": section.theme,
            "description": section.description,
            "stories": [story_data(story, url, ids_only) for story in section.stories],
        }
        for section in sections
    ]


def sections_from(data: Sequence[Any], articles: Mapping[str, Article]) -> tuple[Section, ...]:
    return tuple(
        Section(
            theme=str(section["theme"]),
            description=str(section["description"]),
            stories=tuple(story_from(story, articles) for story in section["stories"]),
        )
        for section in data
    )


def _skipped_data(items: Sequence[Skipped]) -> list[Data]:
    return [{"path": s.path, "reason": s.reason} for s in items]


def briefing_data(briefing: Briefing, url: Callable[[str], str] = _keep) -> Data:
    coverage = briefing.coverage
    return {
        "date": briefing.date.isoformat(),
        "since": _date(briefing.since),
        "until": briefing.until.isoformat(),
        "title": briefing.title,
        "sections": sections_data(briefing.sections, url),
        **({"ranking": ranking_data(briefing.ranking)} if briefing.ranking is not None else {}),
        "coverage": {
            "read": coverage.read,
            "in_period": coverage.in_period,
            "before_period": coverage.before_period,
            "after_period": coverage.after_period,
            "undated": coverage.undated,
            "first_seen": coverage.first_seen,
            "first_seen_outside": coverage.first_seen_outside,
            "merged": coverage.merged,
            "failed": _skipped_data(coverage.failed),
            "ignored": _skipped_data(coverage.ignored),
            "warnings": _skipped_data(coverage.warnings),
        },
    }


def briefing_json(briefing: Briefing, url: Callable[[str], str] = _keep) -> str:
    """The briefing as the `--format json` file: indented, one trailing newline. url is applied
    to every article's address (the renderer passes its safe_url)."""
    return json.dumps(briefing_data(briefing, url), ensure_ascii=False, indent=2) + "\n"


def compact(value: Any) -> str:
    """A value as one compact line of JSON: how the store keeps it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def compact_plain(value: Any) -> str:
    """compact(value), the same characters, for a value made only of strings, integers,
    booleans, None, lists and dicts with string keys (no floats: orjson writes 1e-07 as 1e-7
    and NaN as null), as the rows of files and summaries are: orjson writes them 3-4x
    faster than json (a 10,000-article cold run writes 20,000 such rows, about 0.7 s of the
    main process's CPU with json). What orjson refuses (a lone surrogate in a file name read
    with surrogateescape, an integer past 64 bits) is written by json."""
    if orjson is None:
        return compact(value)
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        return compact(value)


# The smallest size at which json and orjson write a float alike: json writes a smaller one as
# 1e-05, orjson as 0.00001 or 1e-5 (both the shortest digits that read back, Python's float
# repr; compared on 400,000 finite floats of every magnitude, the only differences were below
# it). NaN and the infinities are left to json, which orjson writes as null.
_PLAIN_FLOAT = 1e-4


def compact_floats(value: Any, floats: Iterable[float]) -> str:
    """compact(value), the same characters, for a value whose float values are all among
    `floats` (briefing_floats: a briefing's), written by orjson when every one of them is
    written alike by both (finite, 0 or at least _PLAIN_FLOAT in size): the 10k bench
    week's stored briefing (6.7 MB) in 0.016 s instead of json's 0.058 s."""
    if all(
        number == 0.0 or (abs(number) >= _PLAIN_FLOAT and math.isfinite(number))
        for number in floats
    ):
        return compact_plain(value)
    return compact(value)


def briefing_floats(briefing: Briefing) -> Iterator[float]:
    """Every float value of briefing_data(briefing): its stories' weights and recencies."""
    for section in briefing.sections:
        for story in section.stories:
            if story.standing is not None:
                yield story.standing.weight
                yield story.standing.recency


# ---- back from the JSON form: a whole briefing, as the store keeps a finished run ------------


def _shown_article_from(data: Mapping[str, Any]) -> Article:
    """An article as a briefing shows it: its text is not kept (no stage after rank reads it)."""
    return article_from({**data, "text": ""})


def _bullets_from(data: Sequence[Any]) -> tuple[Bullet, ...]:
    return tuple(Bullet(str(b["text"]), str(b["article_id"])) for b in data)


def standing_from(data: Mapping[str, Any]) -> Standing:
    return Standing(
        weight=float(data["weight"]),
        rank=int(data["rank"]),
        outlets=tuple(str(name) for name in data["outlets"]),
        reports=int(data["reports"]),
        latest=_date_from(data["latest"]),
        recency=float(data["recency"]),
        themed=bool(data["themed"]),
        top=bool(data["top"]),
        in_body=bool(data["in_body"]),
        anchor=str(data["anchor"]),
        highlights=_bullets_from(data["highlights"]),
        updates=tuple(
            Update(
                date=_date_from(update["date"]),
                title=str(update["title"]),
                bullets=_bullets_from(update["bullets"]),
                new=bool(update["new"]),
            )
            for update in data["updates"]
        ),
        new=bool(data["new"]),
        first_briefed=_date_from(data["first_briefed"]),
        continuing=bool(data["continuing"]),
        new_bullets=tuple(str(text) for text in data["new_bullets"]),
    )


def _skipped_from(data: Sequence[Any]) -> tuple[Skipped, ...]:
    return tuple(Skipped(str(s["path"]), str(s["reason"])) for s in data)


def briefing_from(data: Mapping[str, Any]) -> Briefing:
    """The briefing briefing_data gave, as rendering needs it: every field but the articles'
    texts, which briefing_data leaves out."""
    sections = []
    by_anchor: dict[str, Story] = {}
    for section in data["sections"]:
        stories = []
        for value in section["stories"]:
            articles = {str(a["id"]): _shown_article_from(a) for a in value["articles"]}
            story = story_from(value, articles)
            if "standing" in value:
                story = dataclasses.replace(story, standing=standing_from(value["standing"]))
                by_anchor[story.standing.anchor if story.standing else ""] = story
            stories.append(story)
        sections.append(Section(str(section["theme"]), str(section["description"]), tuple(stories)))
    ranking = None
    if "ranking" in data:
        value = data["ranking"]
        ranking = Ranking(
            top=tuple(by_anchor[str(anchor)] for anchor in value["top"]),
            stories=int(value["stories"]),
            minutes=int(value["minutes"]),
            budget_words=int(value["budget_words"]),
            body_words=int(value["body_words"]),
            also=int(value["also_reported"]),
            outlets=tuple((str(o["outlet"]), int(o["articles"])) for o in value["outlets"]),
            articles=int(value["articles"]),
            dominant=str(value["dominant_outlet"] or ""),
            previous=_date_from(value["previous_briefing"]),
            new_only=bool(value["new_only"]),
            hidden=int(value["hidden_as_briefed_before"]),
        )
    coverage = data["coverage"]
    return Briefing(
        date=dt.date.fromisoformat(str(data["date"])),
        since=_date_from(data["since"]),
        until=dt.date.fromisoformat(str(data["until"])),
        sections=tuple(sections),
        coverage=Coverage(
            read=int(coverage["read"]),
            in_period=int(coverage["in_period"]),
            before_period=int(coverage["before_period"]),
            after_period=int(coverage["after_period"]),
            undated=int(coverage["undated"]),
            first_seen=int(coverage.get("first_seen", 0)),
            first_seen_outside=int(coverage.get("first_seen_outside", 0)),
            merged=int(coverage["merged"]),
            failed=_skipped_from(coverage["failed"]),
            ignored=_skipped_from(coverage["ignored"]),
            warnings=_skipped_from(coverage["warnings"]),
        ),
        title=str(data["title"]),
        ranking=ranking,
    )
