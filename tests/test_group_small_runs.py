"""Small runs of one busy topic: an article with fewer than ten others within reach counts
each neighbour it lacks as unknown (neighbours.PRIOR), not as zero, so a few reports of one war
are not joined by the topic they share; and since baselines may then fall as articles
arrive, a graph extended (or reduced) article by article still equals the one built cold."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from briefer.group import cluster_stories
from briefer.group.days import weekday_masks
from briefer.group.graph import (
    PAIR_ARRAYS,
    StoryGraph,
    empty_graph,
    extend_graph,
    remove_from_graph,
    story_graph,
)
from briefer.group.stories import term_vectors
from briefer.group.texts import read_texts

# Hand-written reports of one war: four different events (a strike on a power station, a
# plea for air defence, shelling near Kherson, a prisoner swap) sharing the topic's names,
# a second report of the strike in other words, and a report on another topic.
STRIKE = (
    "Russian missiles hit Kyiv power station",
    "Russian missiles struck a power station in Kyiv overnight, leaving much of the Ukrainian "
    "capital without electricity. Engineers worked through the night to restore the grid.",
)
AIR_DEFENCE = (
    "Ukraine asks allies for more air defence",
    "Ukraine's president asked allies at a summit in Brussels for more air defence systems to "
    "shield Ukrainian cities from Russian missiles.",
)
SHELLING = (
    "Russian troops shell villages near Kherson",
    "Russian troops shelled villages near Kherson, and residents fled across the Dnipro river "
    "as Ukrainian forces held their positions in the south.",
)
SWAP = (
    "Ukraine and Russia swap prisoners",
    "Ukraine and Russia exchanged prisoners in a swap brokered by Turkey; the freed Ukrainian "
    "soldiers crossed the border at a checkpoint in the north.",
)
STRIKE_AGAIN = (
    "Blackout in Kyiv after strike on power plant",
    "A Russian missile strike on a Kyiv power plant cut electricity to much of the city "
    "overnight, the mayor said, and repair crews had restored part of the grid by morning.",
)
CUP_FINAL = (
    "Harbour club wins the cup final",
    "Harbour club beat the league leaders in the cup final, the winning goal coming from a "
    "late header by the captain in front of a sold-out stadium.",
)
REPORTS = [STRIKE, AIR_DEFENCE, SHELLING, SWAP, STRIKE_AGAIN, CUP_FINAL]


def _undated(*reports: tuple[str, str]) -> list[tuple[str, str, None]]:
    return [(title, text, None) for title, text in reports]


def test_a_small_undated_run_of_one_topic_keeps_its_events_apart() -> None:
    """Four reports of different events of one war, undated: alone, each article's baseline
    was the floor (its missing neighbours counted as zeros) and three of them joined on the
    war's names (cosines of about 0.23); counted as unknown, they stay apart. Two reports of
    one strike still join, alone or among the others."""
    assert cluster_stories(_undated(STRIKE, AIR_DEFENCE, SHELLING, SWAP)) == [0, 1, 2, 3]
    assert cluster_stories(_undated(AIR_DEFENCE, SHELLING, SWAP)) == [0, 1, 2]
    assert cluster_stories(_undated(STRIKE, STRIKE_AGAIN)) == [0, 0]
    assert cluster_stories(_undated(STRIKE, AIR_DEFENCE, SHELLING, STRIKE_AGAIN)) == [0, 1, 2, 0]


def _graph_of(
    indices: list[int], day: int | None
) -> tuple[sparse.csr_matrix, Sequence[str], list[int | None], list[str], np.ndarray]:
    """story_graph's arguments for these reports, read alone, all on one day (or undated)."""
    texts = read_texts([(REPORTS[k][0], [REPORTS[k][1]]) for k in indices])
    keys = [f"report-{k}" for k in indices]
    return term_vectors(texts), texts.stems, [day] * len(indices), keys, weekday_masks(texts)


def _assert_same(got: StoryGraph, cold: StoryGraph) -> None:
    assert got.keys == cold.keys and got.days == cold.days and got.vocabulary == cold.vocabulary
    assert (got.vectors != cold.vectors).nnz == 0
    for field in ("weekdays", *PAIR_ARRAYS):
        assert np.array_equal(getattr(got, field), getattr(cold, field)), field


def test_a_small_run_extended_one_article_at_a_time_equals_the_cold_graph() -> None:
    """Reports added one by one (undated, and dated on one day): each step's graph equals
    the cold graph of the same reports, array for array, though baselines fall as known
    neighbours replace unknown ones, and a pair held under the floor is kept later; removed
    one by one again, each step equals the cold graph too."""
    for day in (None, 738000):
        graph = empty_graph()
        held_then_kept = False
        first_baselines = []
        for count in range(1, len(REPORTS) + 1):
            before = graph
            graph = extend_graph(graph, *_graph_of([count - 1], day))
            _assert_same(graph, story_graph(*_graph_of(list(range(count)), day)))
            first_baselines.append(float(graph.baselines[0]))
            if count > 1:
                kept = set(graph.pairs())
                earlier = (before.held_first.tolist(), before.held_second.tolist())
                held = set(zip(*earlier, strict=True))
                held_then_kept |= bool(held & kept)
        assert held_then_kept
        assert (np.diff(first_baselines) < 0).any()
        for count in range(len(REPORTS) - 1, 0, -1):
            graph = remove_from_graph(graph, [f"report-{count}"])
            _assert_same(graph, story_graph(*_graph_of(list(range(count)), day)))
