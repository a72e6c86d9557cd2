"""Reading the input files on every core: the per-file work (read, decode, parse the front
matter, sanitize, content id) is independent from file to file, and on a 10,000-file run it
took longer in the main process than anything but the summarizing (issue 13). The workers are
the run's (briefer.workers.Workers), the ones that then summarize: a file stuck in its reader
fails alone, with a line saying so, and no worker outlives the run."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from briefer.ingest.boundary import label
from briefer.records import FileRead, Skipped
from briefer.workers import POOL_THRESHOLD, Workers, in_workers

log = logging.getLogger(__name__)

ReadOne = Callable[[Path], FileRead | Skipped]


def read_files(
    read_one: ReadOne,
    paths: Sequence[Path],
    threshold: int | None = None,
    pool: Workers | None = None,
) -> list[FileRead | Skipped]:
    """[read_one(path) for path in paths], in the pool's processes when there are more than
    threshold files (None: workers.POOL_THRESHOLD on a machine with several cores; below
    that, starting them costs more than it saves). Each file's result is what reading it in
    this process gives: read_one runs unchanged (it must pickle)."""
    owned = pool is None
    pool = pool or Workers()
    if threshold is None:
        threshold = POOL_THRESHOLD if pool.count > 1 else len(paths)
    if len(paths) <= threshold:
        return [read_one(path) for path in paths]
    try:
        return in_workers(
            pool, paths, functools.partial(_read_task, read_one), _lost, ("read", "reading")
        )
    finally:
        if owned:
            pool.close()


def _read_task(
    read_one: ReadOne, paths: list[Path], started: Callable[[int], None]
) -> list[FileRead | Skipped]:
    done = []
    for position, path in enumerate(paths):
        started(position)
        done.append(read_one(path))
    return done


def _lost(path: Path, why: str) -> Skipped:
    log.debug("%s: %s", path, why)
    return Skipped(label(str(path)), f"{why}; left out")
