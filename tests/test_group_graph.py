"""The story graph's candidate pairs: two articles are compared only when they share a
head (a term weighing at least candidates._HEAD_WEIGHT in each, or an article's heaviest term),
and that depends on the two articles alone."""

from __future__ import annotations

import itertools

import numpy as np
from scipy import sparse

from briefer.group import candidates
from briefer.group import graph as graph_module
from briefer.group.days import WINDOW_DAYS
from briefer.group.graph import PAIR_ARRAYS, empty_graph, extend_graph, story_graph

NAMES = ["alpha", "beta", "common", "gamma"]


def _rows(*weights: dict[str, float]) -> sparse.csr_matrix:
    """Term vectors (L2-normalised) over NAMES."""
    matrix = np.zeros((len(weights), len(NAMES)))
    for row, given in enumerate(weights):
        for term, weight in given.items():
            matrix[row, NAMES.index(term)] = weight
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return sparse.csr_matrix(matrix, dtype=np.float32)


def test_a_pair_sharing_only_light_terms_is_never_compared() -> None:
    """`common` is light in both (well under the head weight), so the first two share no
    head and meet nowhere: not in each other's best lists; the third shares `alpha`, the
    first one's head, and is compared with it."""
    light = 0.3 * candidates._HEAD_WEIGHT
    terms = _rows(
        {"alpha": 1.0, "common": light},
        {"beta": 1.0, "common": light},
        {"alpha": 1.0, "gamma": 0.8},
    )
    graph = story_graph(terms, NAMES, [None, None, None], ["a", "b", "c"])
    assert float((terms[0] @ terms[1].T).toarray()[0, 0]) > 0.0  # alike, a little
    assert np.array_equal(graph.top[1], np.zeros(graph.top.shape[1]))
    assert graph.top[0, 0] > 0.7 and graph.top[2, 0] > 0.7
    assert graph.pairs().keys() == {(0, 2)}


def test_a_copy_is_paired_but_left_out_of_the_baselines() -> None:
    """Two reports as alike as a copy (graph._COPY_COSINE) are one report twice: they pair
    (marked as copies), but neither is the other's background; a third, alike but no copy,
    is in both best lists."""
    terms = _rows({"alpha": 1.0}, {"alpha": 1.0, "common": 0.05}, {"alpha": 1.0, "gamma": 0.8})
    graph = story_graph(terms, NAMES, [7, 8, 8], ["a", "b", "c"])
    assert graph.copy_pairs() == {(0, 1)}
    rows = graph_module._quantized(terms)
    cosine = float((rows[0] @ rows[2].T).toarray()[0, 0])
    assert cosine < graph_module._COPY_COSINE
    assert graph.top[0].tolist() == [cosine] + [0.0] * (graph.top.shape[1] - 1)
    assert graph.top[2, 0] >= cosine and graph.top[2, 1] > 0.0


def test_whether_a_pair_is_compared_does_not_depend_on_the_other_articles() -> None:
    """The same two articles alone, among others and added later: their best lists hold
    each other (or not) alike, and the extended graph is the one built cold."""
    light = 0.3 * candidates._HEAD_WEIGHT
    pair = _rows({"alpha": 1.0, "common": light}, {"beta": 1.0, "common": light})
    others = _rows({"common": 1.0}, {"gamma": 1.0, "alpha": 0.5}, {"beta": 0.7, "gamma": 1.0})
    alone = story_graph(pair, NAMES, [7, 7], ["a", "b"])
    together = sparse.vstack([pair, others], format="csr")
    keys = ["a", "b", "x", "y", "z"]
    cold = story_graph(together, NAMES, [7] * 5, keys)
    between = float((graph_module._quantized(pair)[0] @ graph_module._quantized(pair)[1].T)[0, 0])
    assert between > 0.0 and alone.top[0, 0] == 0.0
    met = dict(zip(cold.keys, cold.top.tolist(), strict=True))
    assert between not in met["a"] and between not in met["b"]
    extended = extend_graph(
        extend_graph(empty_graph(), others, NAMES, [7] * 3, keys[2:]), pair, NAMES, [7, 7], keys[:2]
    )
    for name in PAIR_ARRAYS:
        assert np.array_equal(getattr(extended, name), getattr(cold, name)), name


def _met(
    blocks: list[candidates.Block], heads: np.ndarray, days: list[int | None]
) -> set[tuple[int, int]]:
    """The pairs a plan's blocks compare: sharing, first, a head of the block's range, and
    within the date window when both are dated (the block's columns span its rows' window)."""
    met = set()
    for rows, _, columns, _, first, end in blocks:
        shared = candidates.first_shared(heads, rows, columns, first, end)
        for i, j in zip(*np.nonzero(shared), strict=True):
            a, b = int(rows[i]), int(columns[j])
            if a != b and _in_window(days[a], days[b]):
                met.add((min(a, b), max(a, b)))
    return met


def _in_window(first: int | None, second: int | None) -> bool:
    return first is None or second is None or abs(first - second) <= WINDOW_DAYS


def _layout(
    rng: np.random.Generator, count: int, stories: bool, spread: int
) -> tuple[sparse.csr_matrix, list[int | None]]:
    """Term vectors and days: reports of stories of five (three heavy terms of their own
    and light noise), or articles of random terms; days over `spread` days, a fifth undated."""
    width = 3 * count // 5 if stories else 60
    if stories:
        dense = 0.1 * (rng.random((count, width)) < 20 / width)
        for term in range(3):
            dense[np.arange(count), (np.arange(count) // 5 * 3 + term) % width] = 1.0
    else:
        dense = rng.random((count, width)) * (rng.random((count, width)) < 0.08)
        dense[np.arange(count), rng.integers(0, width, count)] += 0.5
    vectors = sparse.csr_matrix(dense / np.linalg.norm(dense, axis=1, keepdims=True))
    days = [None if rng.random() < 0.2 else int(rng.integers(0, spread)) for _ in range(count)]
    return vectors, days


def test_both_plans_of_candidate_blocks_meet_the_pairs_that_share_a_head() -> None:
    """Heads grouped _GROUP_ROWS new articles at a time, or all in one group: the same pairs,
    those sharing a head within the date window (one of them new), whatever the layout, dates
    and new articles; cheaper_blocks takes the plan with fewer products, and each plan is the
    cheaper one for some layout."""
    rng = np.random.default_rng(7)
    wins = []
    for stories, spread, fresh_share in itertools.product((True, False), (7, 1500), (1.0, 0.1)):
        vectors, days = _layout(rng, 600, stories, spread)
        fresh = rng.random(len(days)) < fresh_share
        heads = candidates.in_block_order(candidates.heads(vectors), fresh)
        share = np.zeros((len(days), len(days)), dtype=bool)
        for column in np.unique(heads[heads != candidates._NO_HEAD]):
            holders = np.nonzero((heads == column).any(axis=1))[0]
            share[np.ix_(holders, holders)] = True
        expected = {
            (a, b)
            for a, b in zip(*np.nonzero(np.triu(share, 1)), strict=True)
            if (fresh[a] or fresh[b]) and _in_window(days[a], days[b])
        }
        grouped = list(candidates.candidate_blocks(days, fresh, heads))
        single = list(candidates.candidate_blocks(days, fresh, heads, candidates._ONE_GROUP))
        assert _met(grouped, heads, days) == expected == _met(single, heads, days)
        products = [sum(len(b[0]) * len(b[2]) for b in plan) for plan in (grouped, single)]
        chosen = candidates.cheaper_blocks(days, fresh, heads)
        assert sum(len(b[0]) * len(b[2]) for b in chosen) == min(products)
        wins.append(products[0] <= products[1])
    assert True in wins and False in wins
