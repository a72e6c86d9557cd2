"""The story graph: which articles are alike enough to be one story, and how alike.

Two articles within the baselines' reach (days.BASELINE_DAYS) are compared when they share
a head, a term that weighs heavily in each (candidates.py): found through an inverted index of
the heads, so the pairs compared grow with the pairs that share heavy terms, not with the
square of the articles of a month. A candidate pair within the date window is compared by the
cosine of the term vectors (stories.term_vectors), damped by the days between them or the
weekdays they name (group/days.py), less a share of each article's baseline: the mean cosine
of its nearest neighbours among its candidates, undamped and copies left out (so a busy topic
does not glue its distinct events together). Whether a pair is a candidate, and its similarity,
depend only on the two articles, their days and their own nearest neighbours. The graph is kept
(StoryGraph) so that a later run extends it with its new articles instead of comparing everything
again, and every new pair has a new article in it. A neighbour an article lacks (fewer than
_NEIGHBOURS candidates met within reach) counts as _PRIOR, so its baseline may fall as articles
arrive; but the baseline with a lacking neighbour counted as zero can only rise, so a pair
that misses the floor against those lower bounds is out for good, and one that reaches it is
held (StoryGraph.held_*) until it is judged again. The constants' figures are those of
stories.py's tuning note, unless given here."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from briefer.group import candidates
from briefer.group.candidates import Block
from briefer.group.days import beyond_reach, damped, figure_terms, figures_damped
from briefer.halves import Split, in_threads

# An article's baseline is the mean similarity of its closest neighbours (padded with
# zeros when it has fewer): on a busy topic every pair looks alike, and only similarity
# above that shared background says "same event". The neighbours' similarity is their
# texts' cosine, undamped (the days and weekdays are the pair's evidence, not the topic's),
# over days.BASELINE_DAYS rather than the date window, and a copy (_COPY_COSINE) is the
# report again, not its background, so it is left out (see _BACKGROUND for the figures). A pair's
# adjusted similarity is its similarity less _BASELINE_SHARE of the mean of the two baselines (half
# A / B: 0.7 0.911 / 0.923, 0.8 0.914 / 0.932, 0.9 0.909 / 0.927).
_NEIGHBOURS = 10
_BASELINE_SHARE = 0.8
# With few articles in a week the neighbourhood says little, and a topic's background
# would pass for an event: no baseline is below what two reports on one busy topic a few
# days apart share by topic alone, the median cosine of the 573 pairs of themes_dev.jsonl
# (real 2022 Russia/Ukraine articles) within three days of each other, 0.169. Without it
# those 200 distinct articles fold into 86 stories; with it 144 (the dated dev file 0.995
# -> 0.982, the undated one unchanged, its baselines are higher).
# Checked against events read by hand (benchmarks/themes_dev_events.toml, clusters_halves.py
# --events; every figure in docs/quality.md): the busy topic's B-cubed F1 dated half A / B
# 0.888 / 0.915 (undated 0.721 / 0.732) with baselines damped and within the window; a floor
# of 0.2 / 0.25 / 0.3 lifted it to 0.907 / 0.931, 0.956 / 0.963, 0.967 / 0.976 but put the
# undated file at 0.900 / 0.897 / 0.889 (0.903 then), so it stays. What the busy topic lacked
# was background (its reports come a few a day, so within the window an article's neighbours
# are few, and damped by their days): baselines undamped, over a month, copies left out, give
# 0.950 / 0.976 (undated 0.768 / 0.774); the dated file 0.982 -> 0.972 (A 0.988 -> 0.983, B
# 0.974), the undated 0.903 -> 0.901 (A 0.915 -> 0.914, B 0.933 -> 0.930), two thirds undated
# 0.904 -> 0.907 (A 0.949 -> 0.953, B 0.916 -> 0.913). Copies left out: a story retold many
# times over a week (the 10k bench week: variants of 1,100 dev reports, about 9 each) counts
# its own retellings as background otherwise, B-cubed against the reports they vary P / R
# 0.960 / 0.466 before, 0.996 / 0.297 with them, 0.986 / 0.457 without (left out from a
# cosine of 0.8 / 0.7: 0.979 / 0.475, 0.967 / 0.484, but the undated file 0.900 / 0.899).
_BACKGROUND = 0.17
# A neighbour an article lacks is unknown, not unlike: in a run of a few articles on one
# busy topic the zeros that padded its best list put its baseline at the floor, and a pair
# of different events joined from a cosine of about 0.18, which half the topic's
# different-event pairs reach (benchmarks/clusters_small_runs.py). An article that met
# fewer than _NEIGHBOURS candidates (articles sharing a head, within the baselines' reach,
# copies left out) counts each neighbour it lacks as this, the value a neighbour of a report
# on a busy topic has when its neighbourhood is full, whatever the run: the median baseline
# (the mean of the ten best) of half A of themes_dev.jsonl's reports read without their
# dates (94 reports, one busy topic; B 0.290). Every article of the undated clusters file
# meets ten, 451 of the dated file's 500 (its figures do not move). Counting only the
# articles within reach as neighbours met (the others sharing no head as zeros) helped runs
# of fewer than ten articles alone: a few reports of one topic among five others still
# joined 0.29 of their different-event pairs (0.11 this way; figures in docs/quality.md).
# The cost falls on small runs of general news (clusters_small_runs.py, each clusters file's
# events clustered alone, half A / B): one event alone is kept whole 0.80 / 0.80 of the time
# dated (0.94 / 0.89 counted as zero), the undated file 0.80 / 0.81 (0.94 / 0.93); runs of
# three events' F1 dated 0.947 / 0.936 (0.985 / 0.967). No value is better on both kinds, and
# the gain falls with the cost: 0 / _BACKGROUND (0.17) / 0.2 / 0.25 / 0.288 join 0.33 / 0.32
# / 0.22 / 0.10 / 0.07 of the busy topic's undated 2-report pairs (half A) and keep 257 / 255
# / 250 / 227 / 218 of the undated file's 272 half-A events whole alone; 0.17 is no remedy
# (the floor under the baselines is 0.17 already, so it changes only articles that met some).
_PRIOR = 0.288
# Two reports whose terms are this alike are one report twice (copies.py's share of shared
# word runs, 0.85, read as a cosine): they do not count when a group's tightness is judged.
_COPY_COSINE = 0.85
# Adjusted similarities below this are treated as zero, which keeps the graph (and memory)
# small; kept from the previous round (half A / B: 0.01 0.914 / 0.932, the same as 0.02;
# 0.03 0.915 / 0.933).
_PAIR_FLOOR = 0.02
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
# Every pair kept has a similarity of at least _FIND, as both baselines are at least
# _BACKGROUND: the pairs that reach it are held until the baselines are known. Less a
# margin, as the final test rounds to _DECIMALS: a pair a hair under the bound may still
# be kept, and an extended graph must hold what a cold one does.
_FIND = _PAIR_FLOOR + _BASELINE_SHARE * _BACKGROUND - 1e-5
# Pairs to compare (rows x columns over the blocks) from which the blocks are compared in
# two threads. A pair costs about 44 ns (the 10k bench week: 39.6 million in 1.76 s on one
# core); a second thread and the merge of its best lists cost well under a millisecond. A
# million pairs (about 45 ms) keeps that overhead under 2%; a +50 rerun's one block of
# new rows (about 0.5 million) stays in one thread.
_PARALLEL_PAIRS = 1_000_000


@dataclass(frozen=True, eq=False)
class StoryGraph:
    """The story graph of a set of articles, kept so that new articles extend it exactly.

    Rows are the articles in order of their keys (article ids; equal keys keep the order
    they were given in). Each has its day ordinal (None: undated), its term vector over
    `vocabulary` (alphabetical; weights quantized, see _QUANTUM), its _NEIGHBOURS best
    undamped cosines among its candidates within days.BASELINE_DAYS, copies left out
    (descending, padded with zeros; see candidates._HEAD_WEIGHT), its baseline (the mean
    of its best list, a neighbour it lacks counted as _PRIOR, floored at _BACKGROUND) and
    the weekdays its text names (stories.weekday_masks). The pairs kept are those whose
    adjusted similarity reaches _PAIR_FLOOR, ordered by (first, second) with first <
    second: their damped similarity before the baselines are taken off, the adjusted one,
    and whether the two are copies. The pairs held (held_*, in the same order) are those
    that miss the floor but would reach it were every lacking neighbour zero: more
    articles may yet lower their baselines (_PRIOR).
    extend_graph(graph, ...) is equal, array for array, to story_graph of all the
    articles at once (tests/test_group.py checks it)."""

    keys: tuple[str, ...]
    days: tuple[int | None, ...]
    weekdays: np.ndarray  # int64 bit masks (0: none named)
    vocabulary: tuple[str, ...]
    vectors: sparse.csr_matrix  # rows x vocabulary, float64
    top: np.ndarray  # rows x _NEIGHBOURS, float64
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


# The StoryGraph's arrays of its best lists and pairs, in one order: the store keeps them
# so (rows.py), and a graph equals another when these do (with its keys, days, weekdays
# and vectors).
PAIR_ARRAYS = (
    "top",
    "baselines",
    "first",
    "second",
    "damped",
    "similarity",
    "copies",
    "held_first",
    "held_second",
    "held_damped",
    "held_copies",
)


def empty_graph() -> StoryGraph:
    """The graph of no articles, which extend_graph grows."""
    nothing = np.zeros(0, dtype=np.int64)
    return StoryGraph(
        keys=(),
        days=(),
        weekdays=nothing,
        vocabulary=(),
        vectors=sparse.csr_matrix((0, 0), dtype=np.float64),
        top=np.zeros((0, _NEIGHBOURS)),
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
    weekdays their texts name (stories.weekday_masks; None: none named).

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

    top = np.zeros((len(order), _NEIGHBOURS))
    top[position[:old]] = graph.top
    found = _compare(vectors, all_days, all_weekdays, fresh, top, True, vocabulary, split)
    first, second, damped_sims, copies = _every_pair(graph)
    earlier = (position[first], position[second], damped_sims, copies)
    return _judged(
        tuple(every_key[index] for index in order.tolist()),
        all_days,
        all_weekdays,
        tuple(vocabulary),
        vectors,
        top,
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
    vocabulary = tuple(graph.vocabulary[column] for column in used.tolist())
    found = _compare(vectors, days, weekdays, fresh, top, into_earlier=False, vocabulary=vocabulary)
    first, second, damped_sims, copies = _every_pair(graph)
    stays = ~gone[first] & ~gone[second] & ~touched[first] & ~touched[second]
    earlier = (position[first[stays]], position[second[stays]], damped_sims[stays], copies[stays])
    keys_kept = tuple(graph.keys[index] for index in kept.tolist())
    return _judged(keys_kept, days, weekdays, vocabulary, vectors, top, [earlier, *found])


Pairs = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # first, second, damped, copies


def _every_pair(graph: StoryGraph) -> Pairs:
    """The pairs kept and the pairs held, together."""
    return (
        np.concatenate([graph.first, graph.held_first]),
        np.concatenate([graph.second, graph.held_second]),
        np.concatenate([graph.damped, graph.held_damped]),
        np.concatenate([graph.copies, graph.held_copies]),
    )


# A block of rows with the columns they meet: (rows, their days or None, columns, the dated


def _compare(
    vectors: sparse.csr_matrix,
    days: Sequence[int | None],
    weekdays: np.ndarray,
    fresh: np.ndarray,
    top: np.ndarray,
    into_earlier: bool,
    vocabulary: Sequence[str],
    split: Split = in_threads,
) -> list[Pairs]:
    """Compare the fresh articles with the others of their window and among themselves,
    each pair once: merge what they meet into the best lists (`top`, in place; the
    others' too when `into_earlier`, else theirs are complete already) and return the
    pairs that may be kept. With many pairs to compare (_PARALLEL_PAIRS), the blocks are
    cut in two halves of about equal work, compared at the same time in two threads
    (halves.in_threads: the sparse products, sorts and comparisons that take nearly all
    of a block's time let go of the interpreter's lock). Each half fills best lists
    of its own, started at zero, merged into `top` at the end; the result is the one a
    single pass gives: a best list is the largest _NEIGHBOURS of the values met, in
    whatever order and lists they were met (extra zeros change nothing: every value is at
    least zero and `top` has _NEIGHBOURS of its own), and a pair held against lower best
    lists is judged in _judged against the final ones (holding is a bound: lower lists
    hold more pairs, never fewer)."""
    heads = candidates.in_block_order(candidates.heads(vectors), fresh)
    blocks = candidates.cheaper_blocks(days, fresh, heads)
    undated = np.asarray([day is None for day in days], dtype=bool)
    # Figures are evidence only where a pair lacks two dates: a run of dated reports alone
    # does not read them (a pass over the whole vocabulary).
    stated = _figures(vectors, vocabulary) if undated.any() else None
    plan = _Plan(vectors, heads, weekdays, fresh, into_earlier, stated, undated, len(blocks))
    weights = [len(block[0]) * len(block[2]) for block in blocks]
    found: list[Pairs] = []
    halves = split(functools.partial(compare_share, plan), blocks, weights, _PARALLEL_PAIRS)
    for pairs, lists in halves:
        found.extend(pairs)
        met = lists[:, 0] > 0.0  # the others' lists are all zeros: nothing to merge
        top[met] = _merged(top[met], lists[met])
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


def compare_share(plan: _Plan, share: Sequence[Block]) -> tuple[list[Pairs], np.ndarray]:
    """A share of _compare's blocks compared: the pairs that may be kept, and the best lists
    of what they met, started at zero (_compare merges them)."""
    # Half the blocks (two at work): half the columns at a time, so that the two hold
    # together what one holds.
    width = _CHUNK_COLUMNS // 2 if len(share) < plan.blocks else _CHUNK_COLUMNS
    lists = np.zeros((plan.vectors.shape[0], _NEIGHBOURS))
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
    plan: _Plan, top: np.ndarray, block: Block, width: int = _CHUNK_COLUMNS
) -> list[Pairs]:
    """One block of _compare (the rows with their columns, as candidates.candidate_blocks yields
    them), `width` columns at a time: its candidate pairs met (those whose first shared
    head is one the block stands for; every other product is set to zero, as if never
    met), merged into `top` (in place) and those that may be kept returned."""
    rows, row_days, columns, column_days, first, end = block
    vectors, heads, weekdays, fresh = plan.vectors, plan.heads, plan.weekdays, plan.fresh
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
        # copy left out (see _NEIGHBOURS); the pairs, damped, stay within the window.
        beyond_reach(sims, row_days, column_days[left : left + width])
        copy_sims = sims[copied]
        sims[copied] = 0.0
        _merge_into(top, rows, sims)
        if plan.into_earlier:
            _merge_into(top, part, sims.T)
        else:
            into = np.nonzero(fresh[part])[0]
            _merge_into(top, part[into], sims[:, into].T)
        sims[copied] = copy_sims
        damped(sims, row_days, column_days[left : left + width], weekdays, rows, part)
        found.append(_held(sims, copied, rows, part, top))
    return found


def _figures(vectors: sparse.csr_matrix, vocabulary: Sequence[str]) -> sparse.csr_matrix:
    """Each row's figure terms (days.figure_terms), read from its term vector: the figures
    among its heaviest terms, which a name or number nearly always is."""
    columns = np.nonzero(figure_terms(vocabulary))[0]
    return sparse.csr_matrix(vectors[:, columns])


def _judged(
    keys: tuple[str, ...],
    days: Sequence[int | None],
    weekdays: np.ndarray,
    vocabulary: tuple[str, ...],
    vectors: sparse.csr_matrix,
    top: np.ndarray,
    found: Sequence[Pairs],
) -> StoryGraph:
    """The graph of these articles once every pair that may be kept has been found: each
    pair judged against the two baselines, and held when it would reach the floor against
    the two lower bounds (every lacking neighbour zero)."""
    baselines = _baselines(top, lacking=_PRIOR)
    lowest = _baselines(top)
    first, second, damped, copies = (np.concatenate(side) for side in zip(*found, strict=True))
    similarity = np.round(
        damped - _BASELINE_SHARE * (baselines[first] + baselines[second]) / 2, _DECIMALS
    )
    kept = similarity >= _PAIR_FLOOR
    # baselines >= lowest (_PRIOR >= 0): a kept pair would be held too
    held = ~kept & (
        np.round(damped - _BASELINE_SHARE * (lowest[first] + lowest[second]) / 2, _DECIMALS)
        >= _PAIR_FLOOR
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


def _best(sims: np.ndarray) -> np.ndarray:
    """Each row's _NEIGHBOURS largest values, descending, padded with zeros."""
    width = sims.shape[1]
    if width > _NEIGHBOURS:
        sims = np.partition(sims, width - _NEIGHBOURS, axis=1)[:, width - _NEIGHBOURS :]
    best = np.zeros((sims.shape[0], _NEIGHBOURS))
    best[:, : sims.shape[1]] = -np.sort(-sims, axis=1)
    return best


def _held(
    sims: np.ndarray, copied: np.ndarray, rows: np.ndarray, columns: np.ndarray, top: np.ndarray
) -> Pairs:
    """The pairs of a block that may be kept once the baselines are known: (first,
    second, damped similarity, copies). Baselines only rise as more pairs are met, so the
    ones so far already rule out most pairs that reach _FIND."""
    r_idx, c_idx = np.nonzero(sims >= _FIND)
    a, b = rows[r_idx], columns[c_idx]
    bound = (
        _FIND + _BASELINE_SHARE * (_baselines(top[a]) + _baselines(top[b]) - 2 * _BACKGROUND) / 2
    )
    held = sims[r_idx, c_idx] >= bound
    r_idx, c_idx, a, b = r_idx[held], c_idx[held], a[held], b[held]
    return np.minimum(a, b), np.maximum(a, b), sims[r_idx, c_idx], copied[r_idx, c_idx]


def _merge_into(top: np.ndarray, articles: np.ndarray, sims: np.ndarray) -> None:
    """The best lists of these articles (top, in place) with their similarities (a row of
    sims each) merged in. Only the articles with a similarity above their list's last are
    merged: the others' lists would come out as they are (equal values are the same float),
    and on the 10k bench week most of a block's are such, their sort the graph's costliest
    step after the products."""
    gains = np.flatnonzero(sims.max(axis=1, initial=0.0) > top[articles, -1])
    if len(gains):
        chosen = articles[gains]
        top[chosen] = _merged(top[chosen], _best(sims[gains]))


def _merged(top: np.ndarray, more: np.ndarray) -> np.ndarray:
    """The best _NEIGHBOURS of two such lists, row by row, descending."""
    both = np.concatenate([top, more], axis=1)
    result: np.ndarray = -np.sort(-both, axis=1)[:, :_NEIGHBOURS]
    return result


def _baselines(top: np.ndarray, lacking: float = 0.0) -> np.ndarray:
    """Each row's baseline: the mean of its best similarities (summed largest first, one
    column at a time, so the same values give the same float in every run), a neighbour it
    lacks (a zero in its list: a candidate always has a positive cosine, as the two share a
    head) counted as `lacking`, floored at _BACKGROUND. Counted as zero, the lowest the
    baseline can be, whatever articles come later: best lists only rise."""
    total = np.zeros(top.shape[0])
    for column in range(_NEIGHBOURS):
        met = top[:, column]
        total = total + np.where(met > 0.0, met, lacking)
    result: np.ndarray = np.maximum(total / _NEIGHBOURS, _BACKGROUND)
    return result
