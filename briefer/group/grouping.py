"""The group stage: fold reports of one event into stories, file stories under themes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import sparse

from briefer.errors import OptionsError
from briefer.group.copies import find_copies
from briefer.group.stories import cluster_labels, story_matrices, weekday_masks
from briefer.group.texts import Texts, document_features, texts_from
from briefer.group.themes import placements
from briefer.group.topics import by_topic, label_topics
from briefer.records import (
    OTHER_THEME,
    Article,
    Document,
    Grouping,
    Placement,
    Section,
    Story,
    Summary,
    TextFeatures,
    Theme,
    Told,
)
from briefer.summarize.bullets import story_bullets

log = logging.getLogger(__name__)

# --- stories -----------------------------------------------------------------------------

_TITLE_CHARS = 90  # a headline made from a sentence is cut near this length


def _article_key(article: Article) -> tuple[bool, date, str, str]:
    """Oldest first; undated reports after dated ones; ties by source, then id."""
    return (article.date is None, article.date or date.min, article.source, article.id)


def _shorten(text: str, limit: int = _TITLE_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:-–—") + "…"


def _story_title(
    articles: Sequence[Article], summaries: dict[str, Summary], documents: dict[str, Document]
) -> str:
    for article in articles:  # oldest first, so the earliest dated headline wins
        if article.title.strip():
            return " ".join(article.title.split())
    for article in articles:
        sentences = summaries[article.id].sentences
        if sentences and sentences[0].text.strip():
            return _shorten(sentences[0].text)
    for article in articles:
        for block in documents[article.id].blocks:
            if block.text.strip():
                return _shorten(block.text)
    return articles[0].source.strip() or "Untitled report"


@dataclass(frozen=True)
class Filed:
    """Documents folded into stories and the stories placed under themes: what the
    briefing and `briefer themes` both use, so they cannot disagree."""

    texts: Texts
    raw: sparse.csr_matrix  # articles x terms, for topic labels
    story_of: np.ndarray  # each document's story, numbered by first document
    placements: list[Placement]  # by story


def file_stories(
    documents: Sequence[Document],
    themes: Sequence[Theme],
    explain: str,
    features: Sequence[TextFeatures | None] = (),
) -> Filed:
    """Cluster the documents into stories and place each story under the themes. features:
    each document's words as its worker read them (None or left out: read here)."""
    given = list(features) + [None] * (len(documents) - len(features))
    texts = texts_from(
        [
            found if found is not None else document_features(document)
            for document, found in zip(documents, given, strict=True)
        ]
    )
    raw, terms = story_matrices(texts)
    labels = cluster_labels(
        terms,
        [document.article.date for document in documents],
        [document.article.id for document in documents],
        weekdays=weekday_masks(texts),
    )
    story_of = np.asarray(labels, dtype=np.int64)
    count = int(story_of.max()) + 1 if len(story_of) else 0
    return Filed(texts, raw, story_of, placements(texts, story_of, count, themes, explain))


MAX_BULLETS = 5  # a story's bullets, at most (issue 3: a story is read at a glance)

# Each story's reports, oldest first -> what each story says, in order.
TellStories = Callable[[Sequence[tuple[Article, ...]]], list[Told]]
# How the stories are told: teller(reports, max_bullets, tell) is tell(reports), or a memo
# of it (the article store's Cache.stories): each Told depends on its story's reports alone.
Teller = Callable[[Sequence[tuple[Article, ...]], int, TellStories], list[Told]]


def tell_story(
    articles: Sequence[Article],
    documents: dict[str, Document],
    summaries: dict[str, Summary],
    max_bullets: int,
) -> Told:
    """A story's headline, bullets and copies, from its reports (oldest first) alone."""
    title = _story_title(articles, summaries, documents)
    copies = find_copies([documents[a.id] for a in articles])
    copied = {copy for copy, _ in copies}
    quoted = [a for a in articles if a.id not in copied]
    return Told(title, story_bullets(quoted, summaries, max_bullets), copies)


def _tell_each(
    reports: Sequence[tuple[Article, ...]], max_bullets: int, tell: TellStories
) -> list[Told]:
    return tell(reports)


def group(
    items: Sequence[tuple[Document, Summary]],
    themes: Sequence[Theme],
    max_bullets: int = MAX_BULLETS,
    teller: Teller = _tell_each,
    features: Sequence[TextFeatures | None] = (),
) -> Grouping:
    """Fold reports of one event into a story each, and file the stories under themes.
    teller: how each story's Told is had (worked out here, or taken from a memo); features:
    each item's words for grouping, when a worker read them (texts.article_features)."""
    if max_bullets < 1:
        raise OptionsError(f"max bullets must be at least 1, not {max_bullets}")
    documents: dict[str, Document] = {}
    summaries: dict[str, Summary] = {}
    unique: list[Document] = []
    unique_features: list[TextFeatures | None] = []
    given = list(features) + [None] * (len(items) - len(features))
    for (document, summary), words in zip(items, given, strict=True):
        key = document.article.id
        if summary.article.id != key:
            raise ValueError(f"summary of {summary.article.id} paired with document {key}")
        if key in documents:  # the same article given twice: one report, not two
            log.debug("article %s given twice; using it once", key)
            continue
        documents[key] = document
        summaries[key] = summary
        unique.append(document)
        unique_features.append(words)

    stage = file_stories(unique, themes, "primary", unique_features)
    texts, raw, story_of, found = stage.texts, stage.raw, stage.story_of, stage.placements
    members: list[list[Article]] = [[] for _ in found]
    for position, number in enumerate(story_of.tolist()):
        members[number].append(unique[position].article)
    reports = [tuple(sorted(articles, key=_article_key)) for articles in members]

    def tell(todo: Sequence[tuple[Article, ...]]) -> list[Told]:
        return [tell_story(articles, documents, summaries, max_bullets) for articles in todo]

    told = teller(reports, max_bullets, tell)
    stories: list[Story] = []
    merged = 0
    for articles, placement, said in zip(reports, found, told, strict=True):
        merged += len(articles) - 1
        theme, secondary, why = placement.theme, placement.secondary, placement.why
        log.debug("story %r: %s %s because %s", said.title, theme, secondary, why)
        stories.append(
            Story(
                title=said.title,
                articles=articles,
                bullets=said.bullets,
                theme=theme,
                secondary_themes=secondary,
                why=why,
                copies=said.copies,
            )
        )
    if merged:
        log.info("%d articles folded into stories first reported by another article", merged)
    stories = label_topics(stories, texts, raw, story_of)

    sections: list[Section] = []
    named: set[str] = set()
    for name, description in [(t.name, t.description) for t in themes] + [(OTHER_THEME, "")]:
        if name in named:  # themes built by hand may repeat a name; a story is filed once
            continue
        named.add(name)
        filed = sorted((s for s in stories if s.theme == name), key=story_key)
        if name == OTHER_THEME:
            filed = by_topic(filed)
        if filed:
            sections.append(Section(theme=name, description=description, stories=tuple(filed)))
    return Grouping(sections=tuple(sections), merged=merged)


def story_key(story: Story) -> tuple[bool, int, str, str]:
    """Newest first (by the latest report), undated stories last, then by title."""
    dates = [a.date for a in story.articles if a.date is not None]
    newest = -max(dates).toordinal() if dates else 0
    return (not dates, newest, story.title.casefold(), story.articles[0].id)
