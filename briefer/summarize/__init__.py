"""Choose the sentences that stand for an article.

Every algorithm ranks the article's sentences; one shared selection step then takes the best
ones within the sentence count and the optional word budget and returns them in document
order, so all algorithms obey the same contract: at most n sentences. With no word budget the
default scorer aims at a length of its own instead (ScorerWeights.target_words per requested
sentence), so it takes fewer when its best sentences are long. The default scorer lives in
`scorer`, lead and the classic algorithms (through sumy) in `classic`.
"""

from __future__ import annotations

from collections.abc import Sequence

from briefer.options import check_algorithm
from briefer.records import Document, Sentence, Summary
from briefer.summarize.classic import RANKERS
from briefer.summarize.scorer import choose_default_many
from briefer.summarize.select import take, word_count, word_counter

__all__ = ["choose", "choose_many", "summarize", "word_count"]


def summarize(
    document: Document,
    sentences: Sequence[Sentence],
    n: int = 3,
    algorithm: str = "default",
    words: int | None = None,
) -> Summary:
    """The document's summary: at most n of the given sentences, verbatim, in document order."""
    ordered = sorted(sentences, key=lambda sentence: sentence.index)
    chosen = choose(
        [sentence.text for sentence in ordered],
        title=document.article.title,
        n=n,
        algorithm=algorithm,
        words=words,
    )
    return Summary(
        article=document.article,
        sentences=tuple(ordered[position] for position in chosen),
        algorithm=algorithm,
    )


def choose(
    sentences: Sequence[str],
    title: str = "",
    n: int = 3,
    algorithm: str = "default",
    words: int | None = None,
) -> list[int]:
    """Indices (ascending) of the sentences chosen to summarize an article.

    At most n sentences; with a word budget, selection stops at the first ranked sentence that
    would exceed it, except that a non-empty article always yields at least one sentence.
    Without one, the default scorer stops once another sentence would take the summary
    further from its length target (fewer than n when its best sentences are long).
    """
    check_algorithm(algorithm)
    if n < 1 or not sentences:
        return []
    if algorithm == "default":
        return choose_default_many([(sentences, title)], n=n, words=words)[0]
    ranking = RANKERS[algorithm](list(sentences), title)
    return take(ranking, word_counter(sentences), n, words)


def choose_many(
    articles: Sequence[tuple[Sequence[str], str]],
    n: int = 3,
    algorithm: str = "default",
    words: int | None = None,
) -> list[list[int]]:
    """`choose` for many articles, each given as (sentences, title). The default scorer does its
    arithmetic for a whole batch at once, which is where its speed comes from."""
    check_algorithm(algorithm)
    if algorithm != "default":
        return [
            choose(sentences, title, n=n, algorithm=algorithm, words=words)
            for sentences, title in articles
        ]
    if n < 1:
        return [[] for _ in articles]
    return choose_default_many(articles, n=n, words=words)
