"""The group stage: fold reports of one event into stories, file stories under themes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from briefer.errors import OptionsError
from briefer.group.graph import StoryGraph, extend_graph, remove_from_graph, story_graph
from briefer.group.rows import join_rows, term_rows
from briefer.group.stories import cluster_labels, story_labels, story_matrices
from briefer.group.telling import Share, reads_blocks, tell_stories
from briefer.group.texts import Texts, article_slices, document_features, texts_from
from briefer.group.themes import placements
from briefer.group.topics import by_topic, topic_labels
from briefer.halves import Split, in_threads
from briefer.heap import give_back
from briefer.records import (
    OTHER_THEME,
    Article,
    Document,
    Grouping,
    GroupingRows,
    KnownRows,
    Placement,
    Section,
    Story,
    Summary,
    TermRows,
    TextFeatures,
    Theme,
    Told,
)
from briefer.sparse import sparse

log = logging.getLogger(__name__)

# --- stories -----------------------------------------------------------------------------


def _article_key(article: Article) -> tuple[bool, date, str, str]:
    """Oldest first; undated reports after dated ones; ties by source, then id."""
    return (article.date is None, article.date or date.min, article.source, article.id)


@dataclass(frozen=True)
class Filed:
    """Documents folded into stories and the stories placed under themes: what the
    briefing and `briefer themes` both use, so they cannot disagree."""

    texts: Texts
    rows: TermRows  # each document's vectors and lead words (group.rows)
    story_of: np.ndarray  # each document's story, numbered by first document
    placements: list[Placement]  # by story


def _texts(documents: Sequence[Document], features: Sequence[TextFeatures | None]) -> Texts:
    """The documents' Texts, from their workers' features where given (read here if not)."""
    given = list(features) + [None] * (len(documents) - len(features))
    return texts_from(
        [
            found if found is not None else document_features(document)
            for document, found in zip(documents, given, strict=True)
        ]
    )


# Articles whose term matrices are made at once: their temporary arrays come to about 7 MB a
# thousand articles (the 30,000-article bench corpus's took 219 MB, the peak of the run), and
# each slice pays a pass over the run's distinct words (~0.05 s at 30,000). Every row depends
# on its own article alone (stories.story_matrices), so the slices stacked are the matrices.
_MATRIX_SLICE = 5_000


def _matrices(texts: Texts) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """stories.story_matrices(texts), made _MATRIX_SLICE articles at a time."""
    made = [story_matrices(part) for part in article_slices(texts, _MATRIX_SLICE)]
    if len(made) == 1:
        return made[0]
    places, vectors = zip(*made, strict=True)
    return (
        sparse.csr_matrix(sparse.vstack(places, format="csr")),
        sparse.csr_matrix(sparse.vstack(vectors, format="csr")),
    )


def _stories_of(documents: Sequence[Document], rows: TermRows) -> np.ndarray:
    """Each document's story, numbered by first document."""
    labels = cluster_labels(
        rows.vectors,
        [document.article.date for document in documents],
        [document.article.id for document in documents],
        rows.terms,
        weekdays=rows.weekdays,
        outlets={document.article.id: document.article.source for document in documents},
    )
    return np.asarray(labels, dtype=np.int64)


def _story_graph(
    articles: Sequence[Article], rows: TermRows, known: KnownRows | None, split: Split = in_threads
) -> StoryGraph:
    """The articles' story graph: the known one without the articles that left it or
    changed (their text or day), then with the articles it lacks (graph.remove_from_graph
    and extend_graph: each the same graph as built at once); built afresh when nothing is
    known. split: how the pairs to compare are cut in two and compared at the same time
    (halves.in_threads, or in_process)."""
    ids = [article.id for article in articles]
    days = [d.toordinal() if (d := article.date) else None for article in articles]
    graph = known.graph if known is not None else None
    if graph is None or known is None:
        return story_graph(rows.vectors, rows.terms, days, ids, rows.weekdays, split)
    day_of = dict(zip(ids, days, strict=True))
    leaving = [
        key
        for key, day in zip(graph.keys, graph.days, strict=True)
        if key not in known.row_of or key not in day_of or day_of[key] != day
    ]
    if leaving:
        graph = remove_from_graph(graph, leaving)
    held = set(graph.keys)
    new = [k for k, identity in enumerate(ids) if identity not in held]
    if not new:
        return graph
    return extend_graph(
        graph,
        rows.vectors[new],
        rows.terms,
        [days[k] for k in new],
        [ids[k] for k in new],
        rows.weekdays[new],
        split,
    )


def file_stories(
    documents: Sequence[Document],
    themes: Sequence[Theme],
    explain: str,
    features: Sequence[TextFeatures | None] = (),
) -> Filed:
    """Cluster the documents into stories and place each story under the themes. features:
    each document's words as its worker read them (None or left out: read here)."""
    texts = _texts(documents, features)
    rows = term_rows(texts, *_matrices(texts))
    story_of = _stories_of(documents, rows)
    count = int(story_of.max()) + 1 if len(story_of) else 0
    return Filed(texts, rows, story_of, placements(texts, story_of, count, themes, explain))


MAX_BULLETS = 5  # a story's bullets, at most (issue 3: a story is read at a glance)

# Each story's reports, oldest first -> what each story says, in order.
TellStories = Callable[[Sequence[tuple[Article, ...]]], list[Told]]
# How the stories are told: teller(reports, max_bullets, tell) is tell(reports), or a memo
# of it (the article store's Cache.stories): each Told depends on its story's reports alone.
Teller = Callable[[Sequence[tuple[Article, ...]], int, TellStories], list[Told]]


def tell_each(
    reports: Sequence[tuple[Article, ...]], max_bullets: int, tell: TellStories
) -> list[Told]:
    return tell(reports)


# Each story's reports -> where each story is filed, in order.
PlaceStories = Callable[[Sequence[tuple[Article, ...]]], list[Placement]]
# How the stories are placed: placer(reports, place) is place(reports), or a memo of it (the
# article store's Cache.placements): a story's placement depends on its reports and the
# themes alone (themes.placements), so the memo is keyed by both.
Placer = Callable[[Sequence[tuple[Article, ...]], PlaceStories], list[Placement]]


def place_each(reports: Sequence[tuple[Article, ...]], place: PlaceStories) -> list[Placement]:
    return place(reports)


class _Components(MutableMapping[str, list[int]]):
    """The stories of each component (stories.story_roots' memo), as an earlier grouping
    clustered them; `used` keeps those this grouping needed, for the store to keep."""

    def __init__(self, earlier: Mapping[str, list[int]]) -> None:
        self._earlier = earlier
        self.used: dict[str, list[int]] = {}

    def __getitem__(self, key: str) -> list[int]:
        if key not in self.used:
            self.used[key] = self._earlier[key]
        return self.used[key]

    def __setitem__(self, key: str, value: list[int]) -> None:
        self.used[key] = value

    def __delitem__(self, key: str) -> None:
        del self.used[key]

    def __contains__(self, key: object) -> bool:
        return key in self.used or key in self._earlier

    def __iter__(self) -> Iterator[str]:
        return iter(self.used)

    def __len__(self) -> int:
        return len(self.used)


# The documents, summaries and worker-read words (None: read here) of the articles at these
# positions: grouping asks only for the articles whose words or stories it must work out.
Read = Callable[[Sequence[int]], list[tuple[Document, Summary, TextFeatures | None]]]


class _Reader:
    """What grouping has read of each article, asked for once (Read)."""

    def __init__(self, read: Read) -> None:
        self._read = read
        self.documents: dict[str, Document] = {}
        self.summaries: dict[str, Summary] = {}
        self.features: dict[str, TextFeatures | None] = {}

    def fetch(self, articles: Sequence[tuple[int, Article]]) -> None:
        """Read the (position, article)s not read yet."""
        todo = {article.id: position for position, article in articles}
        missing = [position for key, position in todo.items() if key not in self.documents]
        for document, summary, words in self._read(missing):
            key = document.article.id
            if summary.article.id != key:
                raise ValueError(f"summary of {summary.article.id} paired with document {key}")
            self.documents[key] = document
            self.summaries[key] = summary
            self.features[key] = words

    def let_go(self, articles: Iterable[Article] | None = None) -> None:
        """Forget these articles' cleaned blocks (None: every document and summary read),
        and give the memory back: ~100 MB at 30,000 articles (issue 13). A later read of a
        document let go finds none (KeyError) or no blocks."""
        if articles is None:
            self.documents.clear()
            self.summaries.clear()
        else:
            for article in articles:
                if article.id in self.documents:
                    self.documents[article.id] = Document(article=article, blocks=())
        give_back()

    def texts(self, articles: Sequence[Article]) -> Texts:
        return _texts(
            [self.documents[a.id] for a in articles], [self.features[a.id] for a in articles]
        )


def _rows(
    unique: Sequence[tuple[int, Article]], reader: _Reader, known: KnownRows | None
) -> tuple[TermRows, Texts | None]:
    """Every article's rows, in order: a known article's from `known`, the others read from
    their words; and the Texts of all articles when none was known (else None)."""
    fresh = [
        (position, article)
        for position, article in unique
        if known is None or article.id not in known.row_of
    ]
    reader.fetch(fresh)
    texts = reader.texts([article for _, article in fresh])
    if known is None or len(fresh) == len(unique):  # all in texts, which the placing reads
        reader.features.clear()
        give_back()  # the words read: ~70 MB at 30,000 articles, before the term matrices
    places, vectors = _matrices(texts)
    give_back()  # what the slices were stacked through, before the rows are made of them
    made = term_rows(texts, places, vectors)
    del places, vectors  # the rows hold their own, renumbered
    if known is None or len(fresh) == len(unique):
        return made, texts
    place = {article.id: row for row, (_, article) in enumerate(fresh)}
    order = [
        (1, place[article.id]) if article.id in place else (0, known.row_of[article.id])
        for _, article in unique
    ]
    if known.rows is None:
        raise ValueError("the known rows were let go before they were joined")
    return join_rows([known.rows, made], order), None


def group(
    items: Sequence[tuple[Document, Summary]],
    themes: Sequence[Theme],
    max_bullets: int = MAX_BULLETS,
    teller: Teller = tell_each,
    features: Sequence[TextFeatures | None] = (),
    placer: Placer = place_each,
    known: KnownRows | None = None,
    share: Share | None = None,
    split: Split = in_threads,
) -> Grouping:
    """Fold reports of one event into a story each, and file the stories under themes
    (group_articles, with every item at hand). features: each item's words for grouping,
    when a worker read them (texts.article_features)."""
    given = list(features) + [None] * (len(items) - len(features))

    def read(positions: Sequence[int]) -> list[tuple[Document, Summary, TextFeatures | None]]:
        return [(*items[k], given[k]) for k in positions]

    articles = [document.article for document, _ in items]
    return group_articles(
        articles, read, themes, max_bullets, teller, placer, known, share, split=split
    )


def group_articles(
    articles: Sequence[Article],
    read: Read,
    themes: Sequence[Theme],
    max_bullets: int = MAX_BULLETS,
    teller: Teller = tell_each,
    placer: Placer = place_each,
    known: KnownRows | None = None,
    share: Share | None = None,
    split: Split = in_threads,
) -> Grouping:
    """Fold reports of one event into a story each, and file the stories under themes.
    read: each article's document, summary and words, asked for only where needed;
    teller, placer: how each story's Told and Placement are had (worked out here, or taken
    from a memo); known: rows of articles an earlier run read (the article store's), so
    only the others are read here (its rows and graph let go once joined and extended:
    KnownRows.let_go); share: how the stories to tell may be shared with other
    processes (tell_stories); split: how the story graph's pairs may be compared in two
    halves at the same time (_story_graph). The result is the same either way."""
    if max_bullets < 1:
        raise OptionsError(f"max bullets must be at least 1, not {max_bullets}")
    unique: list[tuple[int, Article]] = []
    seen: set[str] = set()
    for position, article in enumerate(articles):
        if article.id in seen:  # the same article given twice: one report, not two
            log.debug("article %s given twice; using it once", article.id)
            continue
        seen.add(article.id)
        unique.append((position, article))
    reader = _Reader(read)
    rows, texts = _rows(unique, reader, known)
    give_back()  # what the term matrices were made through
    ids = [article.id for _, article in unique]
    graph = _story_graph([article for _, article in unique], rows, known, split)
    give_back()  # what the graph's blocks of pairs were compared through
    components = _Components(known.components if known is not None else {})
    if known is not None:  # joined and extended: their arrays freed for what comes next
        known.let_go()
    outlets = {article.id: article.source for _, article in unique}
    story_of = np.asarray(story_labels(graph, ids, components, outlets), dtype=np.int64)
    count = int(story_of.max()) + 1 if len(story_of) else 0
    members: list[list[tuple[int, Article]]] = [[] for _ in range(count)]
    for entry, number in zip(unique, story_of.tolist(), strict=True):
        members[number].append(entry)
    reports = [tuple(sorted((a for _, a in entries), key=_article_key)) for entries in members]
    position_of = dict(zip(ids, (position for position, _ in unique), strict=True))
    index = {identity: k for k, identity in enumerate(ids)}  # an article's place in `unique`

    def fetch(todo: Sequence[tuple[Article, ...]]) -> list[Article]:
        """The stories' articles in the run's order, read."""
        chosen = sorted((position_of[a.id], a) for articles in todo for a in articles)
        reader.fetch(chosen)
        return [article for _, article in chosen]

    # Every article read: every story is placed at once, and the Other stories' topics
    # labelled, while the stories are told (when they are shared with a worker, by the
    # thread that tells this process's part, which is that much lighter); the texts are let
    # go once placed (~100 MB at 30,000 articles with the theme reading's tails, issue 13).
    all_read = texts is not None
    unplaced = [texts] if texts is not None else []  # the Texts, until every story is placed
    del texts
    early: _Early | None = None

    def place_all() -> None:
        nonlocal early
        if early is None:
            every = placements(unplaced.pop(), story_of, count, themes, "primary")
            give_back()  # the texts, and what placing them went through
            early = _Early(every, _topics(every, rows, story_of))

    beside = (place_all, _PLACING_WEIGHT * len(unique)) if all_read else None

    def tell(todo: Sequence[tuple[Article, ...]]) -> list[Told]:
        fetch(todo)
        return tell_stories(todo, reader.documents, reader.summaries, max_bullets, share, beside)

    def place(todo: Sequence[tuple[Article, ...]]) -> list[Placement]:
        if all_read:  # every story placed at once (beside the telling, unless all were known)
            place_all()
            assert early is not None
            return [early.placements[story_of[index[articles[0].id]]] for articles in todo]
        # The stories' articles in the run's order: a story is placed on its own words
        # alone, read in the same order as when all are placed at once.
        chosen = fetch(todo)
        number = {a.id: k for k, articles in enumerate(todo) for a in articles}
        filed = np.asarray([number[a.id] for a in chosen], dtype=np.int64)
        return placements(reader.texts(chosen), filed, len(todo), themes, "primary")

    if all_read:  # placed from texts: blocks the telling does not read let go first
        reader.let_go(story[0] for story in reports if not reads_blocks(story))
    told = teller(reports, max_bullets, tell)
    if all_read:  # every story is placed from texts: no report is read again
        reader.let_go()
    found = placer(reports, place)
    themes_found = [placement.theme for placement in found]
    if early is not None and [p.theme for p in early.placements] == themes_found:
        topics = early.topics
    else:
        topics = topic_labels(themes_found, rows, story_of)
    stories: list[Story] = []
    # An article whose title and text another has too (their content id: the same file given
    # twice, or one text posted word for word by two sites) is told once, as its twin; the
    # coverage footer counts it with the articles folded into another's story, so none goes
    # uncounted.
    merged = len(articles) - len(unique)
    if merged:
        log.info("%d articles repeat another's title and text: each told once", merged)
    for story_articles, placement, said, topic in zip(reports, found, told, topics, strict=True):
        merged += len(story_articles) - 1
        theme, secondary, why = placement.theme, placement.secondary, placement.why
        log.debug("story %r: %s %s because %s", said.title, theme, secondary, why)
        stories.append(
            Story(
                title=said.title,
                articles=story_articles,
                bullets=said.bullets,
                theme=theme,
                secondary_themes=secondary,
                why=why,
                copies=said.copies,
                topic=topic,
            )
        )
    if merged:
        log.info("%d articles folded into stories first reported by another article", merged)

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
    kept = GroupingRows(tuple(ids), rows, graph, components.used)
    return Grouping(sections=tuple(sections), merged=merged, kept=kept)


# What placing every story and labelling the topics cost beside the telling (group_articles),
# in the telling's units (summary sentences, telling._cost), per article. On the 10k bench
# week they once took 0.27 + 0.24 s against 1.05 s for 22,245 units of telling (1.08 an
# article); the theme reading has grown since: measured again (thread CPU, load ~5), placing
# and labelling 0.90-1.22 s against 0.93-1.20 s for 14,744-17,241 units of this process's
# telling, 1.5-1.9 units an article. This process also drives the worker (sends the tales,
# takes the stories back), so its side needs a little less: cold runs alternated at load ~5,
# which side ended last and by how much: at 1.0 this process, 0.67 and 0.87 s after the
# worker; at 1.5 the worker, 0.16 and 0.41 s after this process; 1.3 is between.
_PLACING_WEIGHT = 1.3


@dataclass(frozen=True)
class _Early:
    """Every story's placement and topic label, worked out while the stories were told."""

    placements: list[Placement]
    topics: list[str]  # by story ("" for none)


def _topics(placed: Sequence[Placement], rows: TermRows, story_of: np.ndarray) -> list[str]:
    """Each story's topic label (topic_labels) when it is placed so, before it is told: the
    labels read only where the stories are filed."""
    return topic_labels([placement.theme for placement in placed], rows, story_of)


def story_key(story: Story) -> tuple[bool, int, str, str]:
    """Newest first (by the latest report), undated stories last, then by title."""
    dates = [a.date for a in story.articles if a.date is not None]
    newest = -max(dates).toordinal() if dates else 0
    return (not dates, newest, story.title.casefold(), story.articles[0].id)
