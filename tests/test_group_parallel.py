"""The group stage on two cores (issue 13): work cut in halves, the second done in another
thread (briefer.halves), gives what one thread gives."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_group import GRAPH_ARTICLES, _assert_same_graph, _graph_of

from briefer.group import graph as graph_module
from briefer.group.graph import extend_graph, remove_from_graph, story_graph
from briefer.halves import in_threads, split_point

two_cores = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs a second core")


def _pids(items: Sequence[int]) -> list[tuple[int, int]]:
    return [(item, os.getpid()) for item in items]


def test_split_point_halves_the_weight() -> None:
    assert split_point([1, 1, 1, 1]) == 2
    assert split_point([5, 1, 1, 1]) == 1  # the heavy first item is a half on its own
    assert split_point([1, 1, 1, 5]) == 3
    assert split_point([]) == 0


def _threads(items: Sequence[int]) -> list[tuple[int, int]]:
    return [(item, threading.get_ident()) for item in items]


@two_cores
def test_in_threads_the_second_half_is_worked_out_in_another_thread() -> None:
    items = list(range(10))
    first, second = in_threads(_threads, items, [1.0] * 10, threshold=5)
    assert [item for item, _ in first + second] == items
    assert {ident for _, ident in first} == {threading.get_ident()}
    assert {ident for _, ident in second} != {threading.get_ident()}
    (alone,) = in_threads(_threads, items, [1.0] * 10, threshold=11)
    assert {ident for _, ident in alone} == {threading.get_ident()}

    def work(part: Sequence[int]) -> list[int]:
        if threading.get_ident() != here:
            raise ValueError(f"bad item {part[0]}")
        return list(part)

    here = threading.get_ident()
    with pytest.raises(ValueError, match="bad item 5"):
        in_threads(work, items, [1.0] * 10, threshold=0)


@two_cores
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(GRAPH_ARTICLES, st.lists(st.booleans(), min_size=24, max_size=24))
def test_the_story_graph_in_two_threads_equals_one(
    chosen: list[tuple[int, int | None]], later: list[bool]
) -> None:
    """Blocks of two rows (so that even a few articles make several blocks), compared in
    one thread and cut in halves across two: built cold, extended with later articles and
    with some removed, every array is the same."""
    first = [item for item, late in zip(chosen, later, strict=False) if not late]
    added = [item for item, late in zip(chosen, later, strict=False) if late]

    def built(threshold: int) -> list[graph_module.StoryGraph]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(graph_module, "_GRAPH_ROWS", 2)
            patch.setattr(graph_module, "_PARALLEL_PAIRS", threshold)
            cold = story_graph(*_graph_of(chosen))
            graphs = [cold, remove_from_graph(cold, _graph_of(added)[3] if added else [])]
            if first and added:
                graphs.append(extend_graph(story_graph(*_graph_of(first)), *_graph_of(added)))
            return graphs

    for forked, alone in zip(built(0), built(10**12), strict=True):
        _assert_same_graph(forked, alone)
