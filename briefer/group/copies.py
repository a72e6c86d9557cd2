"""Near-copies within a story: syndicated or re-posted reports, listed but never quoted."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np

from briefer.records import Document
from briefer.words import word_list

_SHINGLE = 5  # words per shingle
_COPY_OVERLAP = 0.85  # share of the shorter text's shingles (Feedly hides copies past 85%)
_COPY_MIN_SHINGLES = 8  # shorter texts are copies only when their words are identical


def _fingerprints(documents: Sequence[Document]) -> list[frozenset[int] | tuple[str, ...]]:
    """Each body's distinct hashes of its runs of _SHINGLE words (the words themselves for
    a text too short to have enough). Hashes stand in for the runs: with 64 bits, two
    different runs in one story share a hash about never.

    The story's bodies are hashed in one pass over all their words (per body, the array
    steps would cost more than the hashing); runs that straddle two bodies are never used."""
    word_lists = [
        word_list(" ".join(b.text for b in document.blocks if not b.is_heading).lower())
        for document in documents
    ]
    flat = list(chain.from_iterable(word_lists))
    hashes = np.fromiter(map(hash, flat), dtype=np.int64, count=len(flat)).view(np.uint64)
    runs = max(len(flat) - _SHINGLE + 1, 0)
    combined = np.zeros(runs, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(_SHINGLE):
            combined = combined * np.uint64(1_000_003) + hashes[offset : offset + runs]
    fingerprints: list[frozenset[int] | tuple[str, ...]] = []
    start = 0
    for words in word_lists:
        if len(words) < _SHINGLE + _COPY_MIN_SHINGLES - 1:
            fingerprints.append(tuple(words))
        else:
            # A set, not a sorted array: a story's reports are few, and counting what two
            # of them share is then one intersection in C, with no index to grow or search.
            fingerprints.append(
                frozenset(combined[start : start + len(words) - _SHINGLE + 1].tolist())
            )
        start += len(words)
    return fingerprints


def find_copies(documents: Sequence[Document]) -> tuple[tuple[str, str], ...]:
    """(copy id, original id) for each report whose body repeats an earlier one's.

    The headline is left out: a syndicated report often runs under the outlet's own
    headline. Reports are taken in the order given (oldest first), so the original is
    the first to carry the text: each report is checked against the originals before it,
    earliest first, by the shingles they share.
    """
    if len(documents) < 2:
        return ()
    copies: list[tuple[str, str]] = []
    fingerprints = _fingerprints(documents)
    originals: list[tuple[int, frozenset[int]]] = []  # earliest first
    short: dict[tuple[str, ...], int] = {}  # a short original's words -> the original
    for number, (document, mine) in enumerate(zip(documents, fingerprints, strict=True)):
        source: int | None = None
        if isinstance(mine, tuple):
            source = short.get(mine) if mine else None
            if source is None and mine:
                short[mine] = number
        else:
            for original, theirs in originals:
                shared = len(mine & theirs)
                if shared and shared >= _COPY_OVERLAP * min(len(mine), len(theirs)):
                    source = original
                    break
            if source is None:
                originals.append((number, mine))
        if source is not None:
            copies.append((document.article.id, documents[source].article.id))
    return tuple(copies)
