"""The story graph: which articles are alike enough to be one story, and how alike.

Two articles within the baselines' reach (days.BASELINE_DAYS) are compared when they share
a head, a term that weighs heavily in each (candidates.py): found through an inverted index of
the heads, so the pairs compared grow with the pairs that share heavy terms, not with the
square of the articles of a month. A candidate pair within the date window is compared by the
cosine of the term vectors (stories.term_vectors), damped by the days between them or the
weekdays they name (group/days.py), less a share of each article's baseline (neighbours.py: the
mean cosine of its nearest neighbours among its candidates, so a busy topic does not glue its
distinct events together). Whether a pair is a candidate, and its similarity, depend only on
the two articles, their days and their own nearest neighbours. The graph is kept (StoryGraph)
so that a later run extends it with its new articles instead of comparing everything again,
and every new pair has a new article in it. A baseline may fall as articles arrive (a lacking
neighbour counts as neighbours.PRIOR), but its lower bound cannot, so a pair that misses the
floor against the lower bounds is out for good, and one that reaches it is held
(StoryGraph.held_*) until it is judged again. The constants' figures are those of
stories.py's tuning note, unless given here."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields

import numpy as np

from briefer.group import candidates, neighbours
from briefer.group.candidates import Block
from briefer.group.days import beyond_reach, damped, figure_columns, figures_damped
from briefer.halves import Split, in_threads
from briefer.sparse import sparse

# Two reports whose terms are this alike are one report twice (copies.py's share of shared
# word runs, 0.85, read as a cosine): they do not count when a group's tightness is judged.
_COPY_COSINE = 0.85
# Adjusted similarities are rounded to this many decimals before they are compared (kept
# from the previous round, where float32 sums in another order differed in the last
# bits; the similarities are exact now, see _QUANTUM, and the rounding changes nothing
# measured).
_DECIMALS = 6
# Term weights are rounded to multiples of this before pairs are compared, so that every
# product of two weights (24 + 24 bits) and every sum of them (a cosine, at most 1: under
# 2^49 quanta) is exact in float64's 53 bits. A pair's similarity is then the same whatever
# order its terms are summed in, in any block, run or vocabulary: what lets a graph be
# extended and still equal the one built cold, bit for bit. 2^-24 is float32's own step
# just below 1, the precision the weights are made in.
_QUANTUM = 2.0**-24
# New articles are compared a block of rows at a time (candidates.py) with the articles of
# their date window, _CHUNK_COLUMNS of those at a time: a dense float64 array of 16 MB
# whatever the window holds (a few copies of it are alive at once), which bounds memory,
# not results.
_CHUNK_COLUMNS = 2**13
# Pairs to compare (rows x columns over the blocks) from which the blocks are compared in
# two threads. A pair costs about 44 ns (the 10k bench week: 39.6 million in 1.76 s on one
# core); a second thread and the merge of its best lists cost well under a millisecond. A
# million pairs (about 45 ms) keeps that overhead under 2%; a +50 rerun's one block of
# new rows (about 0.5 million) stays in one thread.
_PARALLEL_PAIRS = 1_000_000
# What a block costs beyond its pairs, in pairs, so that the halves are of equal cost: about
# 0.95 ms (its products' set-up, the best lists' merge) against 63 ns a pair (the 10k bench
# week's 700 blocks, CPU per block fitted in each half: 0.97 and 0.91 ms, 60 and 66 ns). Cut
# by pairs alone, the telling's worker took 552 small blocks in 0.93 s of CPU and this process
# 148 large ones in 0.54 s; cut so, 463 in 0.73-0.75 s and 237 in 0.70-0.71 s.
_BLOCK_COST_PAIRS = 15_000


@dataclass(frozen=True, eq=False)
class StoryGraph:
    """The story graph of a set of articles, kept so that new articles extend it exactly.

    Rows are the articles in order of their keys (article ids; equal keys keep the order
    they were given in). Each has its day ordinal (None: undated), its term vector over
    `vocabulary` (alphabetical; weights quantized, see _QUANTUM), its best list and baseline
    (neighbours.py) and the weekdays its text names (days.weekday_masks). The pairs kept
    are those whose adjusted similarity reaches neighbours.PAIR_FLOOR, ordered by (first, second)
    with first < second: their damped similarity before the baselines are taken off, the
    adjusted one, and whether the two are copies. The pairs held (held_*, in the same
    order) miss the floor but would reach it were every lacking neighbour zero: more
    articles may yet lower their baselines (neighbours.PRIOR).
    extend_graph(graph, ...) is equal, array for array, to story_graph of all the
    articles at once (tests/test_group.py checks it)."""

    keys: tuple[str, ...]
    days: tuple[int | None, ...]
    weekdays: np.ndarray  # int64 bit masks (0: none named)
    vocabulary: tuple[str, ...]
    vectors: sparse.csr_matrix  # rows x vocabulary, float64
    top: np.ndarray  # rows x neighbours.NEIGHBOURS, float64
    members: np.ndarray  # int64, the row of each value of top (-1: none)
    baselines: np.ndarray  # float64
    first: np.ndarray  # int64, by pair
    second: np.ndarray  # int64
    damped: np.ndarray  # float64
    similarity: np.ndarray  # float64: damped less the baselines' share, rounded
    copies: np.ndarray  # bool
    held_first: np.ndarray  # int64, by pair held
    held_second: np.ndarray  # int64
    held_damped: np.ndarray  # float64
    held_copies: np.ndarray  # bool

    def pairs(self) -> dict[tuple[int, int], float]:
        """{(first, second): adjusted similarity} of every pair kept."""
        return dict(
            zip(
                zip(self.first.tolist(), self.second.tolist(), strict=True),
                self.similarity.tolist(),
                strict=True,
            )
        )

    def copy_pairs(self) -> set[tuple[int, int]]:
        """The pairs kept that are copies of each other."""
        return set(
            zip(self.first[self.copies].tolist(), self.second[self.copies].tolist(), strict=True)
        )


# The StoryGraph's arrays of its best lists and pairs, in one order (the fields'): the store
# keeps them so (rows.py), and a graph equals another when these do (with its keys, days,
# weekdays and vectors).
_ROWS = ("keys", "days", "weekdays", "vocabulary", "vectors")
PAIR_ARRAYS = tuple(field.name for field in fields(StoryGraph) if field.name not in _ROWS)


def empty_graph() -> StoryGraph:
    """The graph of no articles, which extend_graph grows."""
    nothing = np.zeros(0, dtype=np.int64)
    return StoryGraph(
        keys=(),
        days=(),
        weekdays=nothing,
        vocabulary=(),
        vectors=sparse.csr_matrix((0, 0), dtype=np.float64),
        top=np.zeros((0, neighbours.NEIGHBOURS)),
        members=np.zeros((0, neighbours.NEIGHBOURS), dtype=np.int64),
        baselines=np.zeros(0),
        first=nothing,
        second=nothing,
        damped=np.zeros(0),
        similarity=np.zeros(0),
        copies=np.zeros(0, dtype=bool),
        held_first=nothing,
        held_second=nothing,
        held_damped=np.zeros(0),
        held_copies=np.zeros(0, dtype=bool),
    )


def story_graph(
    terms: sparse.csr_matrix,
    names: Sequence[str],
    days: Sequence[int | None],
    keys: Sequence[str],
    weekdays: Sequence[int] | np.ndarray | None = None,
    split: Split = in_threads,
) -> StoryGraph:
    """The story graph of articles given by their term_vectors rows, the terms their
    columns stand for (`names`), their day ordinals, their keys (article ids) and the
    weekdays their texts name (days.weekday_masks; None: none named).

    A pair's similarity depends on the two articles, their days (or weekdays) and their
    own nearest neighbours (the baselines), nothing else. Only pairs that share a head
    are compared (candidates._HEAD_WEIGHT), dated ones within their date window, so the
    cost grows with the pairs that share heavy terms rather than with the square of the
    articles."""
    return extend_graph(empty_graph(), terms, names, days, keys, weekdays, split)


def extend_graph(
    graph: StoryGraph,
    terms: sparse.csr_matrix,
    names: Sequence[str],
    days: Sequence[int | None],
    keys: Sequence[str],
    weekdays: Sequence[int] | np.ndarray | None = None,
    split: Split = in_threads,
) -> StoryGraph:
    """`graph` with more articles (as story_graph takes them), equal to the graph of all of
    them built at once. A new article can only raise the others' best lists, so a pair
    neither kept nor held before stays out; every new pair has a new article in it, and
    only the new articles are compared with the rest. An article already in the graph cannot be
    added again: to change one, remove it first (remove_from_graph)."""
    if not terms.shape[0] == len(days) == len(keys):
        raise ValueError(f"{terms.shape[0]} term rows for {len(days)} days and {len(keys)} keys")
    known = set(graph.keys)
    again = next((key for key in keys if key in known), None)
    if again is not None:
        raise ValueError(f"article {again!r} is in the story graph already; remove it first")
    terms = sparse.csr_matrix(terms)
    used = np.unique(terms.indices)
    new_names = [names[column] for column in used.tolist()]
    vocabulary = sorted(set(graph.vocabulary).union(new_names))
    column_of = {term: column for column, term in enumerate(vocabulary)}
    old_columns = np.asarray([column_of[term] for term in graph.vocabulary], dtype=np.int64)
    new_columns = np.zeros(terms.shape[1], dtype=np.int64)
    new_columns[used] = [column_of[term] for term in new_names]

    old = len(graph.keys)
    every_key = [*graph.keys, *keys]
    order = np.asarray(sorted(range(len(every_key)), key=every_key.__getitem__), dtype=np.int64)
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    # one copy of the rows at a time: the largest thing the graph holds
    stacked = _recolumn(_quantized(terms), new_columns, len(vocabulary))
    if old:
        earlier_rows = _recolumn(graph.vectors, old_columns, len(vocabulary))
        stacked = sparse.vstack([earlier_rows, stacked], format="csr")
        del earlier_rows
    vectors = sparse.csr_matrix(stacked[order])
    del stacked
    every_day = [*graph.days, *days]
    all_days = [every_day[index] for index in order.tolist()]
    named = np.zeros(len(keys), dtype=np.int64) if weekdays is None else np.asarray(weekdays)
    all_weekdays = np.concatenate([graph.weekdays, named.astype(np.int64)])[order]
    fresh = np.zeros(len(order), dtype=bool)
    fresh[position[old:]] = True

    top = np.zeros((len(order), neighbours.NEIGHBOURS))
    top[position[:old]] = graph.top
    members = np.full(top.shape, -1, dtype=np.int64)
    members[position[:old]] = np.where(graph.members >= 0, position[graph.members], -1)
    found = _compare(
        vectors, all_days, all_weekdays, fresh, (top, members), True, vocabulary, split
    )
    first, second, damped_sims, copies = _every_pair(graph)
    earlier = (position[first], position[second], damped_sims, copies)
    return _judged(
        tuple(every_key[index] for index in order.tolist()),
        all_days,
        all_weekdays,
        tuple(vocabulary),
        vectors,
        (top, members),
        [earlier, *found],
    )


def remove_from_graph(graph: StoryGraph, keys: Collection[str]) -> StoryGraph:
    """`graph` without these articles, equal to the graph of the others built at once. An
    article whose best similarities held a removed one is compared again with its window
    (its baseline may fall, and pairs it lost come back); the other articles' best lists
    and pairs among themselves do not change."""
    leaving = set(keys)
    gone = np.asarray([key in leaving for key in graph.keys], dtype=bool)
    if int(gone.sum()) != len(leaving):
        missing = sorted(leaving - set(graph.keys))
        raise ValueError(f"article {missing[0]!r} is not in the story graph")
    count = len(graph.keys)
    touched = np.zeros(count, dtype=bool)
    heads = candidates.heads(graph.vectors)
    for rows, row_days, columns, column_days in candidates.windows(graph.days, gone):
        block = graph.vectors[rows]
        for left in range(0, len(columns), _CHUNK_COLUMNS):
            part = columns[left : left + _CHUNK_COLUMNS]
            sims = (block @ graph.vectors[part].T).toarray()
            sims *= candidates.first_shared(heads, rows, part, 0, len(graph.vocabulary))
            beyond_reach(sims, row_days, column_days[left : left + _CHUNK_COLUMNS])
            sims[sims >= _COPY_COSINE] = 0.0  # never in a best list
            tenth = graph.top[part, -1]
            hit = ((sims > 0.0) & (sims >= tenth[None, :])).any(axis=0)
            touched[part[hit & ~gone[part]]] = True
    kept = np.nonzero(~gone)[0]
    position = np.full(count, -1, dtype=np.int64)
    position[kept] = np.arange(len(kept))
    rows = graph.vectors[kept]
    used = np.unique(rows.indices)
    vectors = sparse.csr_matrix(
        (rows.data, np.searchsorted(used, rows.indices), rows.indptr),
        shape=(len(kept), len(used)),
    )
    days = [graph.days[index] for index in kept.tolist()]
    weekdays = graph.weekdays[kept]
    fresh = touched[kept]
    top = graph.top[kept].copy()
    top[fresh] = 0.0
    members = graph.members[kept]
    members = np.where(members >= 0, position[np.maximum(members, 0)], -1)
    members[fresh] = -1
    vocabulary = tuple(graph.vocabulary[column] for column in used.tolist())
    lists = (top, members)
    found = _compare(
        vectors, days, weekdays, fresh, lists, into_earlier=False, vocabulary=vocabulary
    )
    first, second, damped_sims, copies = _every_pair(graph)
    stays = ~gone[first] & ~gone[second] & ~touched[first] & ~touched[second]
    earlier = (position[first[stays]], position[second[stays]], damped_sims[stays], copies[stays])
    keys_kept = tuple(graph.keys[index] for index in kept.tolist())
    return _judged(keys_kept, days, weekdays, vocabulary, vectors, lists, [earlier, *found])


Pairs = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # first, second, damped, copies


def _every_pair(graph: StoryGraph) -> Pairs:
    """The pairs kept and the pairs held, together."""
    return (
        np.concatenate([graph.first, graph.held_first]),
        np.concatenate([graph.second, graph.held_second]),
        np.concatenate([graph.damped, graph.held_damped]),
        np.concatenate([graph.copies, graph.held_copies]),
    )


def _compare(
    vectors: sparse.csr_matrix,
    days: Sequence[int | None],
    weekdays: np.ndarray,
    fresh: np.ndarray,
    lists: tuple[np.ndarray, np.ndarray],
    into_earlier: bool,
    vocabulary: Sequence[str],
    split: Split = in_threads,
) -> list[Pairs]:
    """Compare the fresh articles with the others of their window and among themselves,
    each pair once: merge what they meet into the best lists (`lists`: their values and
    the rows those are, neighbours.merge_into, of equal values the earlier row; in place; the
    others' too when `into_earlier`, else theirs are complete already) and return the
    pairs that may be kept. With many pairs to compare (_PARALLEL_PAIRS), the blocks are
    cut in two halves of about equal work, compared at the same time in two threads
    (halves.in_threads: the sparse products, sorts and comparisons that take nearly all
    of a block's time let go of the interpreter's lock). Each half fills best lists
    of its own, started at zero, merged into `top` at the end; the result is the one a
    single pass gives: a best list is the largest neighbours.NEIGHBOURS of the values met, in
    whatever order and lists they were met (extra zeros change nothing: every value is at
    least zero and `top` has neighbours.NEIGHBOURS of its own), and a pair held against lower best
    lists is judged in _judged against the final ones (holding is a bound: lower lists
    hold more pairs, never fewer)."""
    heads = candidates.in_block_order(candidates.heads(vectors), fresh)
    blocks = candidates.cheaper_blocks(days, fresh, heads)
    undated = np.asarray([day is None for day in days], dtype=bool)
    # Figures are evidence only where a pair lacks two dates: a run of dated reports alone
    # does not read them (a pass over the whole vocabulary).
    stated = figure_columns(vectors, vocabulary) if undated.any() else None
    plan = _Plan(vectors, heads, weekdays, fresh, into_earlier, stated, undated, len(blocks))
    weights = [len(block[0]) * len(block[2]) + _BLOCK_COST_PAIRS for block in blocks]
    found: list[Pairs] = []
    at_least = _PARALLEL_PAIRS + _BLOCK_COST_PAIRS * len(blocks)  # the pairs alone, as before
    halves = split(functools.partial(compare_share, plan), blocks, weights, at_least)
    top, members = lists
    for pairs, (values, rows) in halves:
        found.extend(pairs)
        met = values[:, 0] > 0.0  # the others' lists are all zeros: nothing to merge
        top[met], members[met] = neighbours.merged(top[met], members[met], values[met], rows[met])
    return found


@dataclass(frozen=True, eq=False)
class _Plan:
    """What every share of _compare's blocks reads (sent whole with a share compared in
    another process): the rows, their heads in block order, weekdays, which are fresh,
    whether the earlier rows' lists take the pairs too, the figures (None: none read) and
    which rows are undated; and how many blocks there are in all."""

    vectors: sparse.csr_matrix
    heads: np.ndarray
    weekdays: np.ndarray
    fresh: np.ndarray
    into_earlier: bool
    stated: sparse.csr_matrix | None
    undated: np.ndarray
    blocks: int


def compare_share(
    plan: _Plan, share: Sequence[Block]
) -> tuple[list[Pairs], tuple[np.ndarray, np.ndarray]]:
    """A share of _compare's blocks compared: the pairs that may be kept, and the best lists
    of what they met, started at zero (_compare merges them)."""
    # Half the blocks (two at work): half the columns at a time, so that the two hold
    # together what one holds.
    width = _CHUNK_COLUMNS // 2 if len(share) < plan.blocks else _CHUNK_COLUMNS
    top = np.zeros((plan.vectors.shape[0], neighbours.NEIGHBOURS))
    lists = (top, np.full(top.shape, -1, dtype=np.int64))
    found = [pairs for block in share for pairs in _compare_block(plan, lists, block, width)]
    if found and plan.stated is not None:  # the share's pairs at once: a few numpy calls
        joined = (np.concatenate(side) for side in zip(*found, strict=True))
        first, second, sims, copies = joined
        # A lower similarity can only drop a pair in _judged, never keep one a block
        # dropped, and each pair's value is the same whichever run meets it: cold,
        # extended and reduced graphs agree.
        damped_sims = figures_damped(sims, first, second, plan.stated, plan.undated)
        found = [(first, second, damped_sims, copies)]
    return found, lists


def _compare_block(
    plan: _Plan, lists: tuple[np.ndarray, np.ndarray], block: Block, width: int = _CHUNK_COLUMNS
) -> list[Pairs]:
    """One block of _compare (the rows with their columns, as candidates.candidate_blocks yields
    them), `width` columns at a time: its candidate pairs met (those whose first shared
    head is one the block stands for; every other product is set to zero, as if never
    met), merged into the best lists (`lists`, values and rows, in place) and those that may
    be kept returned."""
    rows, row_days, columns, column_days, first, end = block
    vectors, heads, weekdays, fresh = plan.vectors, plan.heads, plan.weekdays, plan.fresh
    top, members = lists
    found: list[Pairs] = []
    # The block's own rows are among its columns; each pair counts once, so a row meets
    # only those after itself: `later` is where each row meets the block's rows before it
    # and itself.
    slot = np.full(len(fresh), -1, dtype=np.int64)
    slot[columns] = np.arange(len(columns))
    earlier, later = np.tril_indices(len(rows))
    later = slot[rows][later]
    del slot
    matrix = vectors[rows]
    for left in range(0, len(columns), width):
        part = columns[left : left + width]
        sims = (matrix @ vectors[part].T).toarray()
        sims *= candidates.first_shared(heads, rows, part, first, end)
        copied = sims >= _COPY_COSINE
        inside = (later >= left) & (later < left + len(part))
        met = (earlier[inside], later[inside] - left)
        sims[met] = 0.0
        copied[met] = False
        # The best lists take the texts' similarity, undamped, over days.BASELINE_DAYS, a
        # copy left out (see neighbours.NEIGHBOURS); the pairs, damped, stay within the window.
        beyond_reach(sims, row_days, column_days[left : left + width])
        copy_sims = sims[copied]
        sims[copied] = 0.0
        neighbours.merge_into(top, members, rows, sims, part)
        if plan.into_earlier:
            neighbours.merge_into(top, members, part, sims.T, rows)
        else:
            into = np.nonzero(fresh[part])[0]
            neighbours.merge_into(top, members, part[into], sims[:, into].T, rows)
        sims[copied] = copy_sims
        damped(sims, row_days, column_days[left : left + width], weekdays, rows, part)
        found.append(neighbours.held(sims, copied, rows, part, top))
    return found


def _judged(
    keys: tuple[str, ...],
    days: Sequence[int | None],
    weekdays: np.ndarray,
    vocabulary: tuple[str, ...],
    vectors: sparse.csr_matrix,
    lists: tuple[np.ndarray, np.ndarray],
    found: Sequence[Pairs],
) -> StoryGraph:
    """The graph of these articles once every pair that may be kept has been found: each
    pair judged against the two baselines, and held when it would reach the floor against
    the two lower bounds (every lacking neighbour zero)."""
    top, members = lists
    baselines = neighbours.baselines(top, lacking=neighbours.PRIOR)
    lowest = neighbours.baselines(top)
    first, second, damped, copies = (np.concatenate(side) for side in zip(*found, strict=True))
    similarity = np.round(
        damped - neighbours.BASELINE_SHARE * (baselines[first] + baselines[second]) / 2, _DECIMALS
    )
    kept = similarity >= neighbours.PAIR_FLOOR
    # baselines >= lowest (neighbours.PRIOR >= 0): a kept pair would be held too
    held = ~kept & (
        np.round(
            damped - neighbours.BASELINE_SHARE * (lowest[first] + lowest[second]) / 2, _DECIMALS
        )
        >= neighbours.PAIR_FLOOR
    )
    keep = np.nonzero(kept)[0]
    keep = keep[np.lexsort((second[keep], first[keep]))]
    hold = np.nonzero(held)[0]
    hold = hold[np.lexsort((second[hold], first[hold]))]
    return StoryGraph(
        keys=keys,
        days=tuple(days),
        weekdays=weekdays,
        vocabulary=vocabulary,
        vectors=vectors,
        top=top,
        members=members,
        baselines=baselines,
        first=first[keep],
        second=second[keep],
        damped=damped[keep],
        similarity=similarity[keep],
        copies=copies[keep],
        held_first=first[hold],
        held_second=second[hold],
        held_damped=damped[hold],
        held_copies=copies[hold],
    )


def _quantized(terms: sparse.csr_matrix) -> sparse.csr_matrix:
    """The rows in float64, each weight rounded to a multiple of _QUANTUM."""
    data = np.rint(terms.data.astype(np.float64) / _QUANTUM) * _QUANTUM
    return sparse.csr_matrix((data, terms.indices, terms.indptr), shape=terms.shape)


def _recolumn(matrix: sparse.csr_matrix, columns: np.ndarray, width: int) -> sparse.csr_matrix:
    """The matrix with column c moved to columns[c], among `width`."""
    moved = sparse.csr_matrix(
        (matrix.data, columns[matrix.indices], matrix.indptr), shape=(matrix.shape[0], width)
    )
    moved.sort_indices()
    return moved
