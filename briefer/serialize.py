"""The one JSON form of briefer's records: `--format json` writes it, and the article store keeps
its rows in it, so there is one schema to read and one place to change it.

Values are plain dicts, lists, strings and numbers (dates as YYYY-MM-DD). `*_data` turns a
record into such a value and `*_from` turns it back; `*_from` raises ValueError (or KeyError,
TypeError) for a value of another shape, which the store treats as an unreadable row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from briefer.records import (
    Article,
    Block,
    Briefing,
    Bullet,
    Ranking,
    Section,
    Sentence,
    Skipped,
    Standing,
    Story,
    Summarized,
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
    return {
        "algorithm": value.algorithm,
        "blocks": [{"text": b.text, "heading": b.is_heading} for b in value.blocks],
        "sentences": [
            {"text": s.text, "index": s.index, "block": s.block} for s in value.sentences
        ],
    }


def summarized_from(data: Mapping[str, Any]) -> Summarized:
    return Summarized(
        blocks=tuple(Block(str(b["text"]), bool(b["heading"])) for b in data["blocks"]),
        sentences=tuple(
            Sentence(str(s["text"]), int(s["index"]), int(s["block"])) for s in data["sentences"]
        ),
        algorithm=str(data["algorithm"]),
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


# ---- stories, sections and briefings ---------------------------------------------------------


def story_data(story: Story, url: Callable[[str], str] = _keep) -> Data:
    return {
        "title": story.title,
        "theme": story.theme,
        "secondary_themes": list(story.secondary_themes),
        "why": list(story.why),
        "topic": story.topic,
        "articles": [article_data(article, url=url) for article in story.articles],
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


def sections_data(sections: Sequence[Section], url: Callable[[str], str] = _keep) -> list[Data]:
    return [
        {
            "theme": section.theme,
            "description": section.description,
            "stories": [story_data(story, url) for story in section.stories],
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
