"""Work split between this process and a forked copy of it, for a stage whose inputs are
already in memory: the copy sees them as they are (nothing is pickled for it), works out its
share and sends back only the results. Issue 13: the group stage ran on one core while the
other was idle; telling each story is independent of the others and pure Python (the
interpreter's lock rules out threads).

The copy shares the parent's memory page by page until either writes to one: the garbage
collector is kept off the shared objects while it runs (gc.freeze), as a collection would
touch every object's header and copy nearly every page. A copy never outlives the parent
(a parent-death signal, as for the summarizing workers), and an error in it is raised here.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
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


def halves(
    work: Callable[[Sequence[Item]], Part],
    items: Sequence[Item],
    weights: Sequence[float],
    threshold: float,
) -> list[Part]:
    """[work(items)], or, when the items' weights (their cost) add up to at least threshold
    and there is a second core, [work(first part), work(second part)] with the items cut
    where the weights are halved and the second part worked out in a forked copy of this
    process, at the same time (the caller states where its threshold comes from). work
    must depend on its items alone; the caller joins the parts."""
    if len(weights) != len(items):
        raise ValueError(f"{len(weights)} weights for {len(items)} items")
    cut = split_point(weights)
    if (
        sum(weights) < threshold
        or not 0 < cut < len(items)
        or (os.cpu_count() or 1) < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
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
