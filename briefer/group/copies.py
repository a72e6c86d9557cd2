"""Near-copies within a story: syndicated or re-posted reports, listed but never quoted."""

from __future__ import annotations

from collections.abc import Sequence

from briefer.records import Document
from briefer.words import word_list

_SHINGLE = 5  # words per shingle
_COPY_OVERLAP = 0.85  # share of the shorter text's shingles (Feedly hides copies past 85%)
_COPY_MIN_SHINGLES = 8  # shorter texts are copies only when their words are identical


def _fingerprints(documents: Sequence[Document]) -> list[frozenset[int] | tuple[str, ...]]:
    """Each body's distinct hashes of its runs of _SHINGLE words (the words themselves for
    a text too short to have enough). A run's hash is its tuple's, 64 bits: two different
    runs in one story share one about never. Tuples hashed in C cost less than the array
    steps that combined word hashes before."""
    fingerprints: list[frozenset[int] | tuple[str, ...]] = []
    for document in documents:
        text = " ".join(block.text for block in document.blocks if not block.is_heading)
        words = word_list(text.lower())
        if len(words) < _SHINGLE + _COPY_MIN_SHINGLES - 1:
            fingerprints.append(tuple(words))
        else:
            # A set, not a sorted array: a story's reports are few, and counting what two
            # of them share is then one intersection in C, with no index to grow or search.
            # The shifted lists differ in length: zip stops with the last whole run.
            runs = zip(*(words[offset:] for offset in range(_SHINGLE)), strict=False)
            fingerprints.append(frozenset(map(hash, runs)))
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
