"""Work cut in two halves of about equal cost, worked out at the same time on two cores, for
a stage whose inputs are already in memory (issue 13: the group stage ran on one core while
the other was idle). Two ways, by what the work spends its time on:
- in_threads: a second thread, for work done mostly in compiled code that lets go of the
  interpreter's lock (the story graph's sparse products and sorts): nothing is copied;
- in_fork: a forked copy of this process, for pure Python work (telling the stories): the
  copy sees the inputs as they are (nothing is pickled for it) and sends back only its
  results. It shares the parent's memory page by page until either writes to one: the
  garbage collector is kept off the shared objects while it runs (gc.freeze), as a
  collection would touch every object's header and copy nearly every page. A copy never
  outlives the parent (a parent-death signal, as for the summarizing workers), and an error
  in it is raised here.
Either way the caller gets [work(first half), work(second half)] (or [work(items)] when the
work is too little to share), and joins them: work must depend on its items alone.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from briefer.workers import _die_with_parent

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


def in_fork(
    work: Callable[[Sequence[Item]], Part],
    items: Sequence[Item],
    weights: Sequence[float],
    threshold: float,
) -> list[Part]:
    """[work(items)], or [work(first half), work(second half)] with the second half worked
    out in a forked copy of this process at the same time, when the weights reach
    threshold (and the system can fork)."""
    cut = _cut(items, weights, threshold)
    if cut is None or "fork" not in multiprocessing.get_all_start_methods():
        return [work(items)]
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    gc.freeze()  # until the copy is done: see the module's note
    try:
        process = context.Process(
            target=_copy, args=(work, items[cut:], sending, os.getpid()), daemon=True
        )
        process.start()
        sending.close()
        try:
            here = work(items[:cut])
            there = _received(receiving)
        finally:
            receiving.close()
            if process.is_alive():
                process.kill()
            process.join()
    finally:
        gc.unfreeze()
    if there is None:  # the copy died (killed from outside, out of memory): done here
        log.warning("a forked copy of this process died; its share was worked out here")
        return [here, work(items[cut:])]
    return [here, there[0]]


def _received(connection: Connection) -> tuple[Any] | None:
    """(the copy's result,), or None when it died before sending it."""
    try:
        kind, value = connection.recv()
    except (EOFError, OSError):
        return None
    if kind == "error":  # a bug in briefer, raised here as it would be in one process
        raise value
    return (value,)


def _copy(
    work: Callable[[Sequence[Any]], Any], items: Sequence[Any], out: Connection, parent: int
) -> None:
    """The forked copy: its share worked out and sent back."""
    _die_with_parent(parent)
    # Ctrl-C reaches the whole process group; the parent stops its copy itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    try:
        message: tuple[str, Any] = ("done", work(items))
    except Exception as error:
        message = ("error", error)
    out.send(message)
    out.close()
