"""The selection step every algorithm shares: the best ranked sentences within the sentence
count and the word budget, in document order."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from briefer.words import tokens


def word_count(text: str) -> int:
    """Words as the word budget counts them: punctuation is not a word."""
    return len(tokens(text))


def word_counter(sentences: Sequence[str]) -> Callable[[int], int]:
    return lambda index: word_count(sentences[index])


def take(
    ranking: Sequence[int], length_of: Callable[[int], int], n: int, words: int | None
) -> list[int]:
    """The first n ranked indices that fit the word budget, in document order."""
    if words is None:
        return sorted(ranking[:n])
    chosen: list[int] = []
    used = 0
    for index in ranking[:n]:
        length = length_of(index)
        if chosen and used + length > words:
            break
        chosen.append(index)
        used += length
    return sorted(chosen)
