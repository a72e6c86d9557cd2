"""A story's bullets: summary sentences taken in turns from its reports, each fact said once."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from briefer.records import Article, Bullet, Summary
from briefer.words import stem, stopwords, tokens

_REPEAT_SHARE = 0.7  # share of the shorter sentence's terms that makes it a repeat
_REPEAT_MIN_TERMS = 3  # shorter sentences are repeats only when identical


@lru_cache(maxsize=200_000)
def _content_stem(word: str) -> str | None:
    """The stem of a lower-cased word that carries meaning, else None."""
    # The same filter as briefer.words.content_terms.
    if word in stopwords() or (len(word) == 1 and not word.isalpha()):
        return None
    return stem(word)


def _sentence_terms(text: str) -> frozenset[str]:
    """The set of briefer.words.content_terms, found with one cached lookup a word."""
    return frozenset(term for term in map(_content_stem, tokens(text)) if term)


def _is_repeat(
    terms: frozenset[str], text: str, taken: Sequence[tuple[frozenset[str], str]]
) -> bool:
    for other_terms, other_text in taken:
        if " ".join(text.split()).casefold() == " ".join(other_text.split()).casefold():
            return True
        smaller = min(len(terms), len(other_terms))
        if smaller >= _REPEAT_MIN_TERMS and len(terms & other_terms) >= _REPEAT_SHARE * smaller:
            return True
    return False


def story_bullets(
    articles: Sequence[Article], summaries: dict[str, Summary], max_bullets: int
) -> tuple[Bullet, ...]:
    """Summary sentences taken in turns from each report, each fact said once.

    Turns let every report contribute before any gives a second sentence; a sentence
    whose terms mostly repeat one already taken is the same fact from another outlet.
    """
    queues = [list(summaries[article.id].sentences) for article in articles]
    positions = [0] * len(queues)
    taken: list[tuple[frozenset[str], str]] = []
    bullets: list[Bullet] = []
    while len(bullets) < max_bullets:
        progressed = False
        for index, article in enumerate(articles):
            if len(bullets) >= max_bullets:
                break
            queue = queues[index]
            while positions[index] < len(queue):
                sentence = queue[positions[index]]
                positions[index] += 1
                terms = _sentence_terms(sentence.text)
                if not tokens(sentence.text) or _is_repeat(terms, sentence.text, taken):
                    continue
                taken.append((terms, sentence.text))
                bullets.append(Bullet(text=sentence.text, article_id=article.id))
                progressed = True
                break
        if not progressed:
            break
    return tuple(bullets)
