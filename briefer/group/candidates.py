"""Candidate pairs of the story graph: which articles are compared at all.

Two articles are compared only when they share a head, a term that weighs heavily in
each (_HEAD_WEIGHT), and, when both are dated, their days are within the baselines' reach
(group/days.py BASELINE_DAYS; graph.py keeps as pairs only those within WINDOW_DAYS). The pairs are
found through an inverted index of the heads (each head's posting: the articles that hold it), cut
into blocks of rows with the columns they meet; a pair sharing several heads is met once, in the
block of the first one. Whether a pair is a candidate depends only on the two articles (weights
come from a fixed background, stories.term_vectors), so a graph extended with new articles meets
exactly the pairs the graph built cold meets. How the pairs are compared and judged is
graph.py's."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from briefer.group.days import BASELINE_DAYS
from briefer.sparse import sparse

# New articles are compared _GRAPH_ROWS at a time with the articles of their reach
# (graph.py compares them a bounded number of columns at a time): bounds memory, not results.
_GRAPH_ROWS = 256
# Two articles are compared only when they share a head, a term weighing at least
# _HEAD_WEIGHT in each (an article with none that heavy: its heaviest term). Weights come
# from the fixed background (stories.term_vectors), so whether a pair is a candidate
# depends on the two articles alone, and a graph extended by new articles is the one built
# cold. A pair alike enough to be kept shares heavy terms: the head of a report of ~60
# terms (weights L2-normalised, so about 1/sqrt(60) = 0.13 each on average) is the part of
# its vector that gives most of a cosine. Chosen on half A of clusters_dev_undated.jsonl
# (clusters_halves.py --set _HEAD_WEIGHT=...; every pair compared: half A / B 0.915 /
# 0.933, dated file 0.982) as the heaviest weight that keeps half A where comparing every
# pair puts it: 0.15 and 0.17 0.915 (half B 0.933, dated 0.982, the same as every pair),
# 0.2 0.913 (B 0.928, dated 0.975), 0.25 0.876 (B 0.884, dated 0.894). A fixed number of
# heads per article instead (its 5 / 8 / 10 / 15 heaviest terms): half A 0.902 / 0.913 /
# 0.915 / 0.915, B 0.917 / 0.930 / 0.931 / 0.933, dated 0.973 / 0.977 / 0.977 / 0.982 (a
# short report, the dev files' kind, has more heavy terms than a long one, and needs them).
_HEAD_WEIGHT = 0.17
_NO_HEAD = np.iinfo(np.int64).max  # padding of the rows with fewer heads than the most
# Heads whose postings hold few new articles are compared together, consecutive heads until
# their postings hold this many new articles: fewer, larger blocks (each costs a few numpy calls)
# against products of articles that share none of the block's heads, masked afterwards.
# Speed only: which pairs are met does not depend on it. Graph CPU on the 10k bench week
# (heads then the 5 heaviest terms, load ~10): 32 1.16 s, 64 0.87, 128 0.81, 256 0.92; at
# 30k (head weight 0.17) 64 6.84 s, 128 6.64. With the heads in_block_order (two threads,
# load ~2): 10k 64 1.57 s, 128 1.36-1.38, 256 1.31-1.33, 512 1.49-1.52; 30k 128 5.11-5.42,
# 256 5.02-5.39, 512 5.50: within noise of each other, so 128 is kept.
_GROUP_ROWS = 128
_ONE_GROUP = np.iinfo(np.int64).max  # a group size no postings reach: every head in one block

# A block of rows with the columns they meet: (rows, their days or None, columns, the dated
# columns' days), as windows yields them.
Window = tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]
# A Window with the heads it stands for: of its pairs, those whose first shared head
# (heads, by column) is one of columns [first, end) of the vocabulary.
Block = tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray, int, int]


def windows(days: Sequence[int | None], fresh: np.ndarray) -> Iterable[Window]:
    """The new articles cut into row blocks, each with the columns it may pair with: a
    dated article with those dated within BASELINE_DAYS and every undated one; an undated
    article with all. A missing date is no evidence either way: undated pairs are judged
    on their text alone, with no damping. Pairs are met once: the articles are put in one
    order (dated by day, then undated), and a block's columns are the earlier articles
    in its window and the new ones from its own first row on. Yields (rows, their days or
    None when undated, columns, the dated columns' days); rows and dated columns are
    sorted by day, and the undated columns come after the dated ones."""
    dated = sorted((day, index) for index, day in enumerate(days) if day is not None)
    order = np.asarray([index for _, index in dated], dtype=np.int64)
    ordinals = np.asarray([day for day, _ in dated], dtype=np.int64)
    undated = np.asarray([index for index, day in enumerate(days) if day is None], dtype=np.int64)
    new_dated = np.nonzero(fresh[order])[0]
    for start in range(0, len(new_dated), _GRAPH_ROWS):
        chosen = new_dated[start : start + _GRAPH_ROWS]
        row_days = ordinals[chosen]
        lo = int(np.searchsorted(ordinals, row_days[0] - BASELINE_DAYS, side="left"))
        hi = int(np.searchsorted(ordinals, row_days[-1] + BASELINE_DAYS, side="right"))
        span = np.arange(lo, hi)
        span = span[(span >= chosen[0]) | ~fresh[order[span]]]
        yield order[chosen], row_days, np.concatenate([order[span], undated]), ordinals[span]
    earlier = ~fresh[order]
    new_undated = np.nonzero(fresh[undated])[0]
    for start in range(0, len(new_undated), _GRAPH_ROWS):
        chosen = new_undated[start : start + _GRAPH_ROWS]
        span = np.arange(len(undated))
        span = span[(span >= chosen[0]) | ~fresh[undated]]
        columns = np.concatenate([order[earlier], undated[span]])
        yield undated[chosen], None, columns, ordinals[earlier]


def heads(vectors: sparse.csr_matrix) -> np.ndarray:
    """Each row's heads, its terms weighing at least _HEAD_WEIGHT, as columns of `vectors`
    in ascending order (padded with _NO_HEAD); with none that heavy, its heaviest one
    (ties to the earlier column, the term first in alphabetical order). A row's heads
    depend on its own article alone, whatever the vocabulary around it."""
    count = vectors.shape[0]
    lengths = np.diff(vectors.indptr)
    row_of = np.repeat(np.arange(count), lengths)
    heavy = vectors.data >= _HEAD_WEIGHT
    if vectors.nnz:
        # each row's heaviest term, the first of its columns on ties (a row's columns are
        # ascending): a head already when it reaches _HEAD_WEIGHT
        filled = lengths > 0
        largest = np.zeros(count)
        largest[filled] = np.maximum.reduceat(vectors.data, vectors.indptr[:-1][filled])
        at_max = np.flatnonzero(vectors.data == largest[row_of])
        first = np.ones(len(at_max), dtype=bool)
        first[1:] = row_of[at_max[1:]] != row_of[at_max[:-1]]
        heavy[at_max[first]] = True
    per_row = np.bincount(row_of[heavy], minlength=count)
    width = max(int(per_row.max()) if count else 0, 1)
    heads = np.full((count, width), _NO_HEAD, dtype=np.int64)
    entry = np.nonzero(heavy)[0]
    place = np.arange(len(entry)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    heads[row_of[entry], place] = vectors.indices[entry]
    heads.sort(axis=1)
    return heads


def first_shared(
    heads: np.ndarray, rows: np.ndarray, columns: np.ndarray, first: int, end: int
) -> np.ndarray:
    """For each (row, column): whether the two share a head, and the first one (by column)
    they share is in [first, end). One product: a shared head in the range counts 1, one
    before it -(the most heads a row has + 1), so the sum is positive only when none is
    before it."""
    left = _head_matrix(heads[rows], first, end, 1)
    right = _head_matrix(heads[columns], first, end, -(heads.shape[1] + 1))
    shared: np.ndarray = (left @ right.T).toarray() > 0
    return shared


def _head_matrix(heads: np.ndarray, first: int, end: int, before: int) -> sparse.csr_matrix:
    """The heads before `end` as a matrix over the columns [0, end): a head in [first, end)
    counts 1, one before `first` counts `before`. Made in CSR form at once (a row's heads are
    ascending and end with the padding, so those before `end` are a prefix of the row): the
    graph makes two for each block of pairs, and building them through COO was a sixth of its
    time on the 10k bench week."""
    within = heads < end
    column = heads[within]
    values = np.where(column < first, before, 1).astype(np.int64)
    indptr = np.zeros(len(heads) + 1, dtype=np.int64)
    np.cumsum(within.sum(axis=1), out=indptr[1:])
    return sparse.csr_matrix((values, column, indptr), shape=(len(heads), end))


def in_block_order(heads: np.ndarray, fresh: np.ndarray) -> np.ndarray:
    """The heads renumbered (padding kept) so that heads held by the same articles come
    together: the heads that can pair a new article with another (held by two articles or
    more, one of them new) by the first article that holds each, then by column; the others
    after them. candidate_blocks cuts consecutive heads into blocks, and a pair is met in the
    block of the first head it shares in this order, so any order meets every pair once
    (speed only, as _GROUP_ROWS). In column order (alphabetical) the ~9 heads that a story's
    reports share fell into as many blocks, each comparing those reports again with the
    block's other articles."""
    row, place = np.nonzero(heads != _NO_HEAD)
    column = heads[row, place]
    if len(column) == 0:
        return heads
    width = int(column.max()) + 1
    held = np.bincount(column, minlength=width)
    new_held = np.bincount(column[fresh[row]], minlength=width)
    useful = (held >= 2) & (new_held >= 1)
    first_holder = np.full(width, len(fresh), dtype=np.int64)
    np.minimum.at(first_holder, column, row)
    key = np.where(useful, first_holder, len(fresh) + 1)
    order = np.lexsort((np.arange(width), key))
    rank = np.empty(width, dtype=np.int64)
    rank[order] = np.arange(width)
    renumbered = np.full_like(heads, _NO_HEAD)
    renumbered[row, place] = rank[column]
    renumbered.sort(axis=1)
    return renumbered


def cheaper_blocks(days: Sequence[int | None], fresh: np.ndarray, heads: np.ndarray) -> list[Block]:
    """The candidate blocks of the plan that compares fewer pairs of articles: heads grouped
    _GROUP_ROWS new articles at a time, or all heads in one group. Both meet the same pairs
    (a pair is met in the block of the first head it shares), so the choice is speed only.
    Grouping wins when the articles share one date window (a busy week): the 10k bench week
    compares 51M products grouped against 162M in one group (graph 1.22 against 1.89 s CPU);
    with dates spread over years the windows already keep the columns few and an article
    sits in a block of each of its heads' groups: bench_grouping's 10,000 articles over four
    years compare 23M products grouped against 5.6M in one group (story clustering 12.9
    against 4.9 s)."""
    single = sum(
        len(rows) * len(columns)
        for rows, _, columns, *_ in candidate_blocks(days, fresh, heads, _ONE_GROUP)
    )
    grouped = list(candidate_blocks(days, fresh, heads))
    if sum(len(block[0]) * len(block[2]) for block in grouped) <= single:
        return grouped
    del grouped
    return list(candidate_blocks(days, fresh, heads, _ONE_GROUP))


def candidate_blocks(
    days: Sequence[int | None],
    fresh: np.ndarray,
    heads: np.ndarray,
    group_rows: int = _GROUP_ROWS,
) -> Iterable[Block]:
    """The new articles' candidate pairs in blocks: the articles that hold one head (a
    posting), or several consecutive heads whose postings together hold about `group_rows`
    new articles, cut by windows into rows and the columns of their windows; each block stands
    for its heads, so that a pair sharing several heads is met once, in the block of the
    first. Only postings with a new article in them and another article beside it count."""
    row, place = np.nonzero(heads != _NO_HEAD)
    column = heads[row, place]
    if len(column) == 0:
        return
    width = int(column.max()) + 1
    held = np.bincount(column, minlength=width)
    new_held = np.bincount(column[fresh[row]], minlength=width)
    useful = (held >= 2) & (new_held >= 1)
    chosen = useful[column]
    row, column = row[chosen], column[chosen]
    order = np.lexsort((row, column))
    row, column = row[order], column[order]
    if len(column) == 0:
        return
    terms, starts, sizes = np.unique(column, return_index=True, return_counts=True)
    # Consecutive heads share a group until their postings hold _GROUP_ROWS new articles
    # (the blocks' rows: all of them in a graph built cold, a few when one is extended)
    news = new_held[terms]
    group = (np.cumsum(news) - news) // group_rows
    cuts = np.concatenate([[0], np.nonzero(np.diff(group))[0] + 1, [len(terms)]])
    for low, high in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
        entries = slice(int(starts[low]), int(starts[high - 1] + sizes[high - 1]))
        members = np.unique(row[entries])
        member_days = [days[member] for member in members.tolist()]
        for rows, row_days, columns, column_days in windows(member_days, fresh[members]):
            yield (
                members[rows],
                row_days,
                members[columns],
                column_days,
                int(terms[low]),
                int(terms[high - 1]) + 1,
            )
