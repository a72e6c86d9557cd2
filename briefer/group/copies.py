"""Near-copies within a story: syndicated or re-posted reports, listed but never quoted."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from briefer.records import Document
from briefer.words import WORD

_SHINGLE = 5  # words per shingle
_COPY_OVERLAP = 0.85  # share of the shorter text's shingles (Feedly hides copies past 85%)
_COPY_MIN_SHINGLES = 8  # shorter texts are copies only when their words are identical


def _shingles(document: Document) -> np.ndarray | tuple[str, ...]:
    """The distinct hashes of the body's runs of _SHINGLE words (the words themselves for a
    text too short to have enough). Hashes stand in for the runs: with 64 bits, two
    different runs in one story share a hash about never."""
    text = " ".join(block.text for block in document.blocks if not block.is_heading)
    words = WORD.findall(text.lower())
    if len(words) < _SHINGLE + _COPY_MIN_SHINGLES - 1:
        return tuple(words)
    hashes = np.fromiter(map(hash, words), dtype=np.int64, count=len(words)).view(np.uint64)
    runs = len(words) - _SHINGLE + 1
    combined = np.zeros(runs, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(_SHINGLE):
            combined = combined * np.uint64(1_000_003) + hashes[offset : offset + runs]
    unique: np.ndarray = np.unique(combined)
    return unique


def find_copies(documents: Sequence[Document]) -> tuple[tuple[str, str], ...]:
    """(copy id, original id) for each report whose body repeats an earlier one's.

    The headline is left out: a syndicated report often runs under the outlet's own
    headline. Reports are taken in the order given (oldest first), so the original is
    the first to carry the text. An inverted index from shingle to the originals that
    have it counts the shingles each earlier original shares with a report in one sorted
    lookup, touching only the originals that share one: no pairwise comparisons.
    """
    if len(documents) < 2:
        return ()
    copies: list[tuple[str, str]] = []
    # The inverted index, as two arrays: every shingle of every original with its owner.
    pool_hash = np.empty(0, dtype=np.uint64)
    pool_owner = np.empty(0, dtype=np.int64)
    sizes: dict[int, int] = {}  # original -> its distinct shingles
    short: dict[tuple[str, ...], int] = {}  # a short original's words -> the original
    for number, document in enumerate(documents):
        mine = _shingles(document)
        source: int | None = None
        if isinstance(mine, tuple):
            source = short.get(mine) if mine else None
            if source is None and mine:
                short[mine] = number
        else:
            owners = pool_owner[np.isin(pool_hash, mine, assume_unique=False)]
            shared = np.bincount(owners, minlength=number) if len(owners) else owners
            for original in np.nonzero(shared)[0].tolist():  # the earliest that qualifies
                if shared[original] >= _COPY_OVERLAP * min(len(mine), sizes[original]):
                    source = original
                    break
            if source is None:
                sizes[number] = len(mine)
                pool_hash = np.concatenate([pool_hash, mine])
                pool_owner = np.concatenate([pool_owner, np.full(len(mine), number)])
        if source is not None:
            copies.append((document.article.id, documents[source].article.id))
    return tuple(copies)
