"""Work cut in two halves of about equal cost, worked out at the same time on two cores, for
a stage whose inputs are already in memory (issue 13: the group stage ran on one core while
the other was idle). in_threads runs the second half in another thread, for work done mostly
in compiled code that lets go of the interpreter's lock (the story graph's sparse products and
sorts): nothing is copied. The caller gets [work(first half), work(second half)] (or
[work(items)] when the work is too little to share), and joins them: work must depend on its
items alone.

Pure Python work (telling the stories) would need a second process. A forked copy of this
process was tried for it: on the 10k bench week it saved 0.3-1 s of a 16-18 s cold run, but a
fork's resident pages count in full in the process tree's memory (736 MB against 450 MB without
it, over the 500 MB target; 30 MB more even counted proportionally), so the stories are told
in one process.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Part = TypeVar("Part")


def split_point(weights: Sequence[float]) -> int:
    """Where to cut items of these weights into two parts of weights as near equal as may
    be (the first such cut; 0 when fewer than two items leave nothing to cut)."""
    total = sum(weights)
    best, cut, running = total, 0, 0.0
    for index, weight in enumerate(weights[:-1], start=1):
        running += weight
        if abs(total - 2 * running) < best:
            best, cut = abs(total - 2 * running), index
    return cut


def _cut(items: Sequence[Any], weights: Sequence[float], threshold: float) -> int | None:
    """Where to cut the items, or None when they are to be worked out at once: their
    weights (cost) add up to less than threshold, or there is no second core."""
    if len(weights) != len(items):
        raise ValueError(f"{len(weights)} weights for {len(items)} items")
    cut = split_point(weights)
    if sum(weights) < threshold or not 0 < cut < len(items) or (os.cpu_count() or 1) < 2:
        return None
    return cut


def in_threads(
    work: Callable[[Sequence[Item]], Part],
    items: Sequence[Item],
    weights: Sequence[float],
    threshold: float,
) -> list[Part]:
    """[work(items)], or [work(first half), work(second half)] with the second half worked
    out in another thread at the same time, when the weights reach threshold."""
    cut = _cut(items, weights, threshold)
    if cut is None:
        return [work(items)]
    there: list[Part] = []
    failed: list[BaseException] = []

    def second() -> None:
        try:
            there.append(work(items[cut:]))
        except BaseException as error:  # raised in the calling thread below
            failed.append(error)

    helper = threading.Thread(target=second, daemon=True)
    helper.start()
    here = work(items[:cut])
    helper.join()
    if failed:
        raise failed[0]
    return [here, there[0]]
