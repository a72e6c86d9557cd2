"""stories.components numbers connected components as scipy's connected_components does
(story_roots relies on its order), on random graphs, paths in random order and stars."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from briefer.group.stories import components


def _scipy(count: int, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    adjacency = sparse.coo_matrix(
        (np.ones(len(first), dtype=np.int8), (first, second)), shape=(count, count)
    )
    found: np.ndarray = connected_components(adjacency, directed=False)[1]
    return found


@st.composite
def _graphs(draw: st.DrawFn) -> tuple[int, np.ndarray, np.ndarray]:
    count = draw(st.integers(1, 60))
    node = st.integers(0, count - 1)
    edges = draw(st.lists(st.tuples(node, node), max_size=80))
    if draw(st.booleans()):  # a path through some nodes, in any order
        order = draw(st.permutations(range(count)))
        edges += list(pairwise(order))
    pairs = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    return count, pairs[:, 0], pairs[:, 1]


@settings(max_examples=300, deadline=None)
@given(_graphs())
def test_components_are_numbered_as_scipy_numbers_them(
    graph: tuple[int, np.ndarray, np.ndarray],
) -> None:
    count, first, second = graph
    assert np.array_equal(components(count, first, second), _scipy(count, first, second))


def test_a_long_path_in_random_order_and_a_star() -> None:
    rng = np.random.default_rng(13)
    order = rng.permutation(20_000)
    star = np.arange(1, 5_000)
    for count, first, second in (
        (20_000, order[:-1], order[1:]),
        (5_000, np.full(len(star), 4_999), star - 1),
    ):
        found = components(count, first, second)
        assert np.array_equal(found, _scipy(count, first, second))
        assert found.max() == 0
