"""The story graph's candidate pairs: two articles are compared only when they share a
head (a term weighing at least candidates._HEAD_WEIGHT in each, or an article's heaviest term),
and that depends on the two articles alone."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from briefer.group import candidates
from briefer.group import graph as graph_module
from briefer.group.graph import empty_graph, extend_graph, story_graph

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
    terms = _rows({"alpha": 1.0, "common": light}, {"beta": 1.0, "common": light}, {"alpha": 1.0})
    graph = story_graph(terms, NAMES, [None, None, None], ["a", "b", "c"])
    assert float((terms[0] @ terms[1].T).toarray()[0, 0]) > 0.0  # alike, a little
    assert np.array_equal(graph.top[1], np.zeros(graph.top.shape[1]))
    assert graph.top[0, 0] > 0.99 and graph.top[2, 0] > 0.99
    assert graph.pairs().keys() == {(0, 2)}


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
    for name in ("top", "baselines", "first", "second", "damped", "similarity", "copies"):
        assert np.array_equal(getattr(extended, name), getattr(cold, name)), name
