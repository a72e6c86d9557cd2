"""What a story says (its headline, bullets and copies), from its reports alone: told in
this process, or half of the stories in one of the run's worker processes (a Tale holds all
that telling a story reads). Kept apart from the rest of grouping so a worker that tells
stories loads no more than the words, copies and bullets code (grouping pulls in scipy: about
27 MB more in the worker, measured on the 10k bench week)."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Collection, Sequence

from briefer.group.copies import find_copies
from briefer.halves import Beside
from briefer.records import Article, Document, Summary, Tale, Told
from briefer.summarize.bullets import story_bullets
from briefer.words import content_terms

_TITLE_CHARS = 90  # a headline made from a sentence is cut near this length


def _shorten(text: str, limit: int = _TITLE_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:-–—") + "…"


def story_title(
    articles: Sequence[Article],
    summaries: dict[str, Summary],
    documents: dict[str, Document],
    copied: Collection[str] = (),
) -> str:
    """The story's headline: headline_report's, else one made from a summary or the text."""
    report = headline_report(articles, summaries, copied)
    if report is not None:
        return " ".join(report.title.split())
    for article in articles:
        sentences = summaries[article.id].sentences
        if sentences and sentences[0].text.strip():
            return _shorten(sentences[0].text)
    for article in articles:
        for block in documents[article.id].blocks:
            if block.text.strip():
                return _shorten(block.text)
    return articles[0].source.strip() or "Untitled report"


def headline_report(
    articles: Sequence[Article], summaries: dict[str, Summary], copied: Collection[str] = ()
) -> Article | None:
    """The report whose headline the story shows: of those with a headline, the one that shares
    the most with the others (central_report), a copy (`copied`, by id) being its original
    again, not another report; the oldest copy's when only copies have headlines; None when
    no report has one."""
    voices = [article for article in articles if article.id not in copied]
    titled = [article for article in voices if article.title.strip()]
    if titled:
        return central_report(titled, voices, summaries)
    return next((article for article in articles if article.title.strip()), None)


def central_report(
    candidates: Sequence[Article], articles: Sequence[Article], summaries: dict[str, Summary]
) -> Article:
    """Of the candidates (some of the story's reports, oldest first), the one whose words (its
    headline's and its summary's content terms) the story's other reports hold most: each term
    counts once for every other report that holds it. When a story joins reports of different
    events, that is a report of the event most of them tell, not whichever came first; of
    two reports alone both share the same terms, and the oldest wins, as it does among any
    equals. A report with a longer summary holds more terms and may count for more: summaries
    are of one length but for articles too short to fill it."""
    if len(candidates) == 1:
        return candidates[0]
    held = {
        article.id: frozenset(
            content_terms(
                " ".join([article.title, *(s.text for s in summaries[article.id].sentences)])
            )
        )
        for article in articles
    }
    counts = Counter(term for terms in held.values() for term in terms)

    def shared(place: int) -> tuple[int, int]:
        # a term held by n reports is held by n - 1 others of each of them; ties go earlier
        return sum(counts[term] - 1 for term in held[candidates[place].id]), -place

    return candidates[max(range(len(candidates)), key=shared)]


# tell(tales, started) for some of the stories, started(i) called before the i-th: a
# module-level function (with its arguments bound), so it can be sent to another process.
TellTales = Callable[[list[Tale], Callable[[int], None]], list[Told]]
# share(tell, tales, weights, threshold, beside) is tell(tales), some of the stories perhaps
# told in another process at the same time when their weights reach threshold
# (briefer.halves.with_workers): what each story says depends on its Tale alone. beside:
# other work of this process and its weight in summary sentences (_cost), done meanwhile.
Share = Callable[[TellTales, Sequence[Tale], Sequence[float], float, Beside | None], list[Told]]
# What telling a story costs, to cut the stories into halves of equal work: its summary
# sentences (the bullets' work), and in a story of several reports their bodies' characters
# (the copies' fingerprints). cProfile of tell_stories over bench_grouping.py's 10,000
# articles: bullets 2.84 s for 19,992 sentences (142 us each), copies 2.47 s for 18.1 million
# characters (0.136 us each), so a sentence weighs as much as about 1,040 characters. Cut by
# reports instead, the half told here took 1.39-1.44 s against the worker's 1.05-1.24 s;
# cut by this cost, 1.03-1.11 s against 1.13-1.22 s (load 0.8).
_SENTENCE_CHARACTERS = 1_040
# The cost (in sentences) of telling before sharing is worth it: telling costs about 0.3 ms a
# report (3.0 s for the 10,000-article bench week, issue 13; three summary sentences each by
# default), and sending a Tale to the other process costs a few percent of telling it; below
# 1,000 reports' worth (0.3 s) the most to be saved is 0.15 s, and a rerun with 50 new
# articles tells about a hundred stories.
_SHARED_COST = 3_000.0


def _cost(tale: Tale) -> float:
    """What telling the story costs, in summary sentences (_SENTENCE_CHARACTERS)."""
    cost = float(sum(len(sentences) for sentences in tale.sentences))
    if len(tale.articles) > 1:
        body = sum(len(block.text) for blocks in tale.blocks for block in blocks)
        cost += body / _SENTENCE_CHARACTERS
    return cost


def tell_story(
    articles: Sequence[Article],
    documents: dict[str, Document],
    summaries: dict[str, Summary],
    max_bullets: int,
) -> Told:
    """A story's headline, bullets and copies, from its reports (oldest first) alone."""
    copies = find_copies([documents[a.id] for a in articles])
    copied = {copy for copy, _ in copies}
    title = story_title(articles, summaries, documents, copied)
    quoted = [a for a in articles if a.id not in copied]
    return Told(title, story_bullets(quoted, summaries, max_bullets), copies)


def tale_of(
    articles: tuple[Article, ...], documents: dict[str, Document], summaries: dict[str, Summary]
) -> Tale:
    """What tell_story reads of the story's reports (oldest first), and nothing more: a lone
    report's blocks are read only for a headline when it has none (story_title), and copies
    are looked for only among two or more reports (find_copies)."""
    lone = not reads_blocks(articles)
    return Tale(
        articles,
        tuple(() if lone else documents[a.id].blocks for a in articles),
        tuple(summaries[a.id].sentences for a in articles),
        summaries[articles[0].id].algorithm,
        tuple(summaries[a.id].leans for a in articles),
    )


def reads_blocks(articles: Sequence[Article]) -> bool:
    """Whether telling the story of these reports reads their cleaned blocks: not for a lone
    report with a headline (no copies, and the headline is its own)."""
    return len(articles) > 1 or not articles[0].title.strip()


def tell_tale(tale: Tale, max_bullets: int) -> Told:
    """tell_story of the story a Tale holds."""
    documents = {
        a.id: Document(article=a, blocks=blocks)
        for a, blocks in zip(tale.articles, tale.blocks, strict=True)
    }
    leans = tale.leans or (None,) * len(tale.articles)
    summaries = {
        a.id: Summary(a, sentences, tale.algorithm, flags)
        for a, sentences, flags in zip(tale.articles, tale.sentences, leans, strict=True)
    }
    return tell_story(tale.articles, documents, summaries, max_bullets)


def tell_tales(
    max_bullets: int, tales: Sequence[Tale], started: Callable[[int], None] | None = None
) -> list[Told]:
    """tell_tale of each Tale, in order (TellTales, with max_bullets bound)."""
    told = []
    for number, tale in enumerate(tales):
        if started is not None:
            started(number)
        told.append(tell_tale(tale, max_bullets))
    if started is not None:
        started(len(tales))
    return told


def tell_stories(
    reports: Sequence[tuple[Article, ...]],
    documents: dict[str, Document],
    summaries: dict[str, Summary],
    max_bullets: int,
    share: Share | None = None,
    beside: Beside | None = None,
) -> list[Told]:
    """tell_story of each story, in order: here, or shared with other processes (share).
    beside: other work, and its weight in summary sentences, done here meanwhile (before
    the stories when they are not shared)."""
    tales = [tale_of(articles, documents, summaries) for articles in reports]
    tell = functools.partial(tell_tales, max_bullets)
    if share is None:
        if beside is not None:
            beside[0]()
        return tell(tales)
    return share(tell, tales, [_cost(tale) for tale in tales], _SHARED_COST, beside)
