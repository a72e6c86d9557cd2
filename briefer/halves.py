"""Work cut in two halves of about equal cost, worked out at the same time on two cores, for
a stage whose inputs are already in memory (issue 13: the group stage ran on one core while
the other was idle). in_threads runs the second half in another thread, for work done mostly
in compiled code that lets go of the interpreter's lock (the story graph's sparse products and
sorts): nothing is copied. The caller gets [work(first half), work(second half)] (or
[work(items)] when the work is too little to share), and joins them: work must depend on its
items alone.

Pure Python work (telling the stories) needs a second process. A forked copy of this process
was tried for it: on the 10k bench week it saved 0.3-1 s of a 16-18 s cold run, but a fork's
resident pages count in full in the process tree's memory (736 MB against 450 MB without it,
over the 500 MB target; 30 MB more even counted proportionally). with_workers instead sends
the second half, item by item with only what each item's work reads, to one of the run's
worker processes, forked when the run began and still holding little (about 70 MB each at
10k), while a thread of this process works out the first half.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from briefer.workers import Work, Workers, in_workers

log = logging.getLogger(__name__)

Item = TypeVar("Item")
# Other work of this process, done beside a share of the items (with_workers), and its
# weight, in the items' units.
Beside = tuple[Callable[[], None], float]
Part = TypeVar("Part")
# split(work, items, weights, threshold): [work(items)], or work of each of two halves of
# the items worked out at the same time (in_threads, in_process), to be joined by the caller.
Split = Callable[[Callable[[Sequence[Any]], Any], Sequence[Any], Sequence[float], float], list[Any]]


def split_point(weights: Sequence[float], ahead: float = 0.0) -> int:
    """Where to cut items of these weights into two parts of weights as near equal as may
    be, the first part's counted with `ahead` more (other work done beside it): the first
    such cut; 0 when fewer than two items leave nothing to cut, or when the other work
    weighs as much as the items' first part could (then all of them go second)."""
    total = sum(weights) + ahead
    best, cut, running = abs(total - 2 * ahead), 0, ahead
    for index, weight in enumerate(weights[:-1], start=1):
        running += weight
        if abs(total - 2 * running) < best:
            best, cut = abs(total - 2 * running), index
    return cut


def _cut(
    items: Sequence[Any], weights: Sequence[float], threshold: float, ahead: float = 0.0
) -> int | None:
    """Where to cut the items (split_point), or None when they are to be worked out at
    once: their weights (cost) add up to less than threshold, there is no second core, or
    there is nothing to cut and no other work (ahead) to do beside the second part."""
    if len(weights) != len(items):
        raise ValueError(f"{len(weights)} weights for {len(items)} items")
    cut = split_point(weights, ahead)
    whole = 0 < cut < len(items) or (ahead > 0 and cut == 0 and len(items) > 0)
    if sum(weights) < threshold or not whole or (os.cpu_count() or 1) < 2:
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


def in_process(
    pool: Workers,
    work: Callable[[Sequence[Item]], Part],
    items: Sequence[Item],
    weights: Sequence[float],
    threshold: float,
) -> list[Part]:
    """in_threads, the second half worked out in one of the pool's processes instead of a
    thread (work, the items and the result must pickle: a functools.partial of a module-level
    function), sent as one input, while a thread of this process works out the first: for
    work that holds the interpreter's lock for much of its time, which two threads share. In
    threads when the pool has no worker at hand (none is started here) or the worker fails
    (then the second half is worked out here after the first). The pool is kept for later
    stages."""
    cut = _cut(items, weights, threshold)
    if cut is None or not pool.idle:
        return in_threads(work, items, weights, threshold)
    here: list[Part] = []
    failed: list[BaseException] = []

    def first() -> None:
        try:
            here.append(work(items[:cut]))
        except BaseException as error:  # raised in the calling thread below
            failed.append(error)

    # This thread drives the worker (its pipes, budgets and signals belong to the main
    # thread), the other works out the first half.
    helper = threading.Thread(target=first, daemon=True)
    helper.start()
    try:
        second = [list(items[cut:])]
        there = in_workers(pool, second, functools.partial(_each, work), _none, _VERB)
    finally:
        helper.join()
    if failed:
        raise failed[0]
    if there[0] is None:
        return [here[0], work(items[cut:])]
    log.debug(
        "%d of %d items worked out in a worker process, as one input", len(items) - cut, len(items)
    )
    return [here[0], there[0]]


_VERB = ("work out", "working out")  # what a stuck worker is said to have been doing


def _each(
    work: Callable[[Any], Any], inputs: list[Any], started: Callable[[int], None]
) -> list[Any]:
    """work of each input, in order (a Work for in_workers)."""
    results = []
    for number, one in enumerate(inputs):
        started(number)
        results.append(work(one))
    started(len(inputs))
    return results


def _unmarked(at: int) -> None:
    """started(at) for work done in this process, where no input needs watching."""


def with_workers(
    pool: Workers,
    work: Work,
    items: Sequence[Any],
    weights: Sequence[float],
    threshold: float,
    beside: Beside | None = None,
    end: bool = True,
) -> list[Any]:
    """work(items, started), the second half worked out in one of the pool's processes
    (work, the items and the results must pickle) while a thread of this process works out
    the first, when the weights reach threshold and the pool has a worker at hand (none is
    started here: a fork now would copy this process's heap). The pool is ended once done
    (the last stage that needs it), unless end is false: it is then left idle for a later
    stage (and ended all the same if the work fails). An item the worker got stuck on
    (INPUT_BUDGET) or died on is worked out here after the others, so every item gets
    work's own result. beside: other work of this process, and its weight in the items'
    units, done by the same thread before the first half (which is that much lighter:
    split_point); done first in any case."""
    do, weight = beside if beside is not None else (None, 0.0)
    cut = _cut(items, weights, threshold, weight)
    if cut is None or not pool.idle:
        if end:
            pool.close()
        if do is not None:
            do()
        return work(list(items), _unmarked)
    pool.keep(1)  # one process beside this one: the second core (and no more memory)
    here: list[Any] = []
    failed: list[BaseException] = []

    def first() -> None:
        try:
            if do is not None:
                do()
            if cut:
                here.extend(work(list(items[:cut]), _unmarked))
        except BaseException as error:  # raised in the calling thread below
            failed.append(error)

    # This thread drives the worker (its pipes, budgets and signals belong to the main
    # thread); the other works out the first half, the two taking turns at the interpreter's
    # lock while the worker works apart.
    helper = threading.Thread(target=first, daemon=True)
    helper.start()
    try:
        there = in_workers(pool, items[cut:], work, _none, _VERB)
    except BaseException:
        pool.close()
        raise
    finally:
        if end:
            pool.close()
    helper.join()
    if failed:
        raise failed[0]
    for index, found in enumerate(there):
        if found is None:
            there[index] = work([items[cut + index]], _unmarked)[0]
    log.debug("%d of %d items worked out in a worker process", len(there), len(items))
    return here + there


def _none(item: Any, why: str) -> None:
    """What a worker got stuck on or died on stands as None, to be worked out here."""
    log.debug("worked out here after its worker failed (%s)", why)
