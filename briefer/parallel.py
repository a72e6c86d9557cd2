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
from briefer.ingest.files import ReadEach, read_each
from briefer.records import Article, FileRead, Skipped, Summarized
from briefer.workers import (
    POOL_THRESHOLD,
    Ahead,
    Length,
    Period,
    Workers,
    in_period,
    in_workers,
    summarize_chunk,
)

log = logging.getLogger(__name__)

ReadOne = Callable[[Path], FileRead | Skipped]


def read_files(
    read_one: ReadOne,
    paths: Sequence[Path],
    threshold: int | None = None,
    pool: Workers | None = None,
    ahead: Ahead | None = None,
    *,
    each: ReadEach | None = None,
) -> list[FileRead | Skipped]:
    """[read_one(path) for path in paths], in the pool's processes when there are more than
    threshold files (None: workers.POOL_THRESHOLD on a machine with several cores; below
    that, starting them costs more than it saves). Each file's result is what reading it in
    this process gives: read_one runs unchanged (it must pickle). With ahead, the workers
    also summarize each article of ahead.period they read, into ahead.ready (issue 13: one
    pass over each text). each(path, result) is called once for every path as its result
    comes in (in any order): this process does its part while the workers read the rest."""
    owned = pool is None
    pool = pool or Workers()
    if threshold is None:
        threshold = POOL_THRESHOLD if pool.count > 1 else len(paths)
    if len(paths) <= threshold:
        return read_each(read_one, paths, each=each)
    try:
        if ahead is None:
            return _read_in(pool, read_one, paths, each)
        return _read_and_summarize_in(pool, read_one, paths, ahead, each)
    finally:
        if owned:
            pool.close()


def _read_in(
    pool: Workers, read_one: ReadOne, paths: Sequence[Path], each: ReadEach | None
) -> list[FileRead | Skipped]:
    work = functools.partial(_read_task, read_one)
    told = None if each is None else lambda position, result: each(paths[position], result)
    return in_workers(pool, paths, work, _lost, ("read", "reading"), each=told)


def _read_and_summarize_in(
    pool: Workers, read_one: ReadOne, paths: Sequence[Path], ahead: Ahead, each: ReadEach | None
) -> list[FileRead | Skipped]:
    work = functools.partial(_read_and_summarize_task, read_one, ahead.length, ahead.period)
    verb = ("read", "reading")

    def told(position: int, found: _ReadAhead | None) -> None:
        if found is None:  # a stuck one is told once read again
            return
        result, summaries = found
        if each is not None:
            each(paths[position], result)
        if isinstance(result, FileRead):
            wanted = [article for article in result.articles if in_period(article, ahead.period)]
            for article, summarized in zip(wanted, summaries, strict=True):
                if not summarized.problem:
                    ahead.ready[(article.title, article.text)] = summarized
                    if ahead.each is not None and article.date is not None:
                        ahead.each(article, summarized)

    done: list[_ReadAhead | None] = in_workers(
        pool,
        paths,
        work,
        _lost_ahead,
        verb,
        progress=ahead.progress,
        meanwhile=ahead.meanwhile,
        each=told,
    )
    results: list[FileRead | Skipped | None] = []
    again: list[int] = []
    for position, found in enumerate(done):
        if found is None:  # stuck or killed: read once more on its own, summarized later
            again.append(position)
            results.append(None)
            continue
        results.append(found[0])  # its summaries are in ahead.ready (told)
    if again:
        # Reading alone tells a stuck reader (left out, as without ahead) from a stuck
        # article, which the summarizing then leaves out alone.
        redone = _read_in(pool, read_one, [paths[i] for i in again], each)
        for position, result in zip(again, redone, strict=True):
            results[position] = result
    return [result for result in results if result is not None]


# A file read by a worker, with the summaries of its articles in the period, in order.
_ReadAhead = tuple[FileRead | Skipped, tuple[Summarized, ...]]


def _read_and_summarize_task(
    read_one: ReadOne,
    length: Length,
    period: Period,
    paths: list[Path],
    started: Callable[[int], None],
) -> list[_ReadAhead]:
    """Each path read, then the period's articles of all of them summarized at once (the
    scorer's arithmetic is batched). started is told the path being read or summarized, and
    len(paths) while the sentences are chosen for all of them."""
    read: list[FileRead | Skipped] = []
    todo: list[Article] = []
    owner: list[int] = []  # the position of each article's file
    for position, path in enumerate(paths):
        started(position)
        result = read_one(path)
        read.append(result)
        if isinstance(result, FileRead):
            wanted = [article for article in result.articles if in_period(article, period)]
            todo.extend(wanted)
            owner.extend([position] * len(wanted))

    def article_started(at: int) -> None:
        started(owner[at] if at < len(owner) else len(paths))

    summaries = summarize_chunk(todo, length, article_started)
    mine: list[list[Summarized]] = [[] for _ in paths]
    for position, summarized in zip(owner, summaries, strict=True):
        mine[position].append(summarized)
    return [(result, tuple(done)) for result, done in zip(read, mine, strict=True)]


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


def _lost_ahead(path: Path, why: str) -> None:
    log.debug("%s: %s; reading it again on its own", path, why)
