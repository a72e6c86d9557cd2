"""The run's work on every core, through the worker pool (briefer.workers.Workers): cleaning
and summarizing articles (`Summarizer`: in this process for a small run, in the workers for a
big one; both run `summarize_chunk` on the same chunks, so the briefing is byte for byte the
same), and reading the input files. The per-file work (read, decode, parse the front matter,
sanitize, content id) is independent from file to file, and on a 10,000-file run it took
longer in the main process than anything but the summarizing (issue 13); the workers that read
are the ones that then summarize. A file or article stuck in its worker fails alone, with a
line saying so, and no worker outlives the run."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from briefer.ingest.boundary import label
from briefer.ingest.files import ReadEach, read_each
from briefer.records import Article, FileRead, Skipped, Summarized
from briefer.workers import (
    CHUNK_SIZE,
    INPUT_BUDGET,
    POOL_THRESHOLD,
    Progress,
    Workers,
    in_workers,
    raise_if_signalled,
)

log = logging.getLogger(__name__)

# Modules the summarizing workers need, imported before they are forked so that they share
# them (numpy, scipy, the stemmer: seconds and tens of MB each when every worker imports its own);
# the grouping's per-article reading is done there too (briefer.group.texts).
_SUMMARIZING = (
    "briefer.clean",
    "briefer.sentences",
    "briefer.summarize",
    "briefer.summarize.bullets",
    "briefer.group.texts",
)
# Modules the stages after the summarizing need (scipy among them: about 0.25 s of CPU),
# imported by the run while its reading workers work, rather than after them.
_LATER_STAGES = ("briefer.group.grouping", "briefer.rank")
# (since, until, undated): the run's period (since None: no first day), and whether undated
# articles may be briefed in it (--undated first-seen).
Period = tuple[dt.date | None, dt.date, bool]
# (sentences, words, algorithm): what shapes a summary.
Length = tuple[int, int | None, str]
# Told an article's summary as soon as it is worked out (Summarizer, Ahead.each).
Told = Callable[[Article, Summarized], None]


def summarize_chunk(
    articles: Sequence[Article], length: Length, started: Callable[[int], None] | None = None
) -> list[Summarized]:
    """Clean and summarize a run of articles, in order; started(i) is called before the i-th
    is cleaned, and started(len(articles)) before the sentences are chosen for all of them at
    once: the default scorer's arithmetic is batched, and choose_many gives each article what
    it would give it alone."""
    # Imported here: the cleaner, splitter and scorers pull in numpy, scipy and the stemmer (seconds
    # of start-up), which a warm run never needs.
    from briefer.clean import clean
    from briefer.group.texts import document_features
    from briefer.sentences import split_document
    from briefer.summarize import choose_many
    from briefer.summarize.bullets import leaning

    sentences, words, algorithm = length
    documents = []
    split = []
    features = []
    for position, article in enumerate(articles):
        if started is not None:
            started(position)
        document = clean(article)
        documents.append(document)
        split.append(split_document(document))  # in document order (index 0, 1, ...)
        # The grouping's reading of the text, here where the text is: the main process then
        # never reads every article again (issue 13).
        features.append(document_features(document))
    if started is not None:
        started(len(articles))
    texts = [
        ([sentence.text for sentence in ordered], document.article.title)
        for document, ordered in zip(documents, split, strict=True)
    ]
    chosen = choose_many(texts, n=sentences, algorithm=algorithm, words=words)
    summarized = []
    for document, ordered, picked, found in zip(documents, split, chosen, features, strict=True):
        kept = tuple(ordered[i] for i in picked)
        # Read here, where the text is, so the main process can let the texts go (issue 13).
        leans = leaning(document.article.text, kept)
        summarized.append(Summarized(document.blocks, kept, algorithm, features=found, leans=leans))
    return summarized


def in_period(article: Article, period: Period) -> bool:
    """Whether the article may be briefed in the period (an undated one may, when placed by
    the day first seen): those the reading workers summarize at once."""
    since, until, undated = period
    if article.date is None:
        return undated
    return (since is None or since <= article.date) and article.date <= until


@dataclass
class Ahead:
    """Summaries worked out in the same pass as the reading (briefer.parallel.read_files):
    a worker that has just read a file cleans, splits, scores and reads for grouping each of
    its articles in the period, so no text crosses to a worker twice. They wait here, by
    title and text (what decides a summary), until the summarizing asks for them."""

    length: Length
    period: Period
    progress: Progress | None = None  # told (files read, files) as the pass goes
    ready: dict[tuple[str, str], Summarized] = field(default_factory=dict)
    # Told each dated article's summary (but one the worker failed on) as it comes in, while
    # the workers read the rest: the article store stores it then (Cache.summarized_ahead),
    # not after the reading, when this process is all the run waits on (issue 13). An
    # undated article waits: its first-seen day may leave it out of the period.
    each: Told | None = None
    # Imported here while the workers read: the run would otherwise only wait on them.
    meanwhile: Sequence[str] = _LATER_STAGES


@dataclass
class Summarizer:
    """Summarizes the articles a run needs: `summarizer(articles, length)`. pool_threshold:
    use worker processes when more articles than this need it (None: POOL_THRESHOLD on a
    machine with several cores); budget: seconds per input in a worker; ahead: summaries
    the reading workers already worked out (set by the pipeline before reading)."""

    progress: Progress | None = None
    pool_threshold: int | None = None
    budget: float = INPUT_BUDGET
    workers: int = 0  # processes this run summarized in; 0 when it did it alone
    # The run's worker processes: started on first need (reading the files, or summarizing)
    # and kept until the summarizing is done; `close` ends them sooner.
    pool: Workers = field(
        default_factory=lambda: Workers(preload=_SUMMARIZING, prepare=prepare_summarizing)
    )
    ahead: Ahead | None = None
    # Workers kept once the summarizing is done, for a later stage to share its work with
    # (the stories told: briefer.halves.with_workers, which ends them); 0: ended at once.
    keep: int = 0

    def close(self) -> None:
        self.pool.close()
        if self.ahead is not None:
            self.ahead.ready.clear()

    def __call__(
        self, articles: Sequence[Article], length: Length, each: Told | None = None
    ) -> list[Summarized]:
        """Each article's Summarized, in order. each(article, summarized) is told each one
        worked out here as soon as it is (after its chunk, in this process or a worker's),
        while the rest are still worked on: the article store keeps it then, and a run
        stopped part-way (Ctrl-C, an error) loses only the chunks still in hand."""
        taken: list[Summarized | None] = [None] * len(articles)
        if self.ahead is not None and self.ahead.length == length and self.ahead.ready:
            ready = self.ahead.ready
            taken = [ready.pop((article.title, article.text), None) for article in articles]
            self.workers = self.pool.count
        rest = [article for article, done in zip(articles, taken, strict=True) if done is None]
        try:
            worked = iter(self._summarize(rest, length, each))
        finally:
            self.pool.keep(self.keep)  # the last stage that needs them: their memory given back
        return [done if done is not None else next(worked) for done in taken]

    def _summarize(
        self, articles: Sequence[Article], length: Length, each: Told | None
    ) -> list[Summarized]:
        total = len(articles)
        if not total:
            return []
        cores = os.cpu_count() or 1
        threshold = self.pool_threshold
        if threshold is None:
            threshold = POOL_THRESHOLD if cores > 1 else total
        pooled = self.pool.count if total > threshold else 0
        self.workers = max(self.workers, pooled)
        # Even chunks for a small run (one per worker), CHUNK_SIZE for a big one.
        size = min(CHUNK_SIZE, -(-total // pooled)) if pooled else CHUNK_SIZE
        chunks = [range(start, min(start + size, total)) for start in range(0, total, size)]
        results: list[Summarized | None] = [None] * total
        clock = time.perf_counter()
        if self.progress is not None:
            self.progress(0, total)
        if pooled:
            self.pool.budget = self.budget
            self.pool.run(
                articles,
                chunks,
                functools.partial(_summarize_task, length),
                functools.partial(_summarize_lost, length),
                results,
                self.progress,
                ("summarize", "summarizing"),
                each=None if each is None else lambda at, value: each(articles[at], value),
            )
        else:
            for chunk in chunks:
                raise_if_signalled()
                done = summarize_chunk([articles[i] for i in chunk], length)
                for position, value in zip(chunk, done, strict=True):
                    results[position] = value
                    if each is not None:
                        each(articles[position], value)
                if self.progress is not None:
                    self.progress(chunk.stop, total)
        log.info(
            "summarized %d articles in %.1f s (%s)",
            total,
            time.perf_counter() - clock,
            f"{pooled} processes" if pooled else "one process",
        )
        return [value or Summarized((), (), length[2]) for value in results]


def prepare_summarizing() -> None:
    """What every summarizing worker would otherwise build for itself after the fork: the
    furniture rules (their regexes take about 0.15 s to compile), which this process needs
    anyway for the story bullets."""
    from briefer.clean.rules import prepare

    prepare()


def _summarize_task(
    length: Length, articles: list[Article], started: Callable[[int], None]
) -> list[Summarized]:
    return summarize_chunk(articles, length, started)


def _summarize_lost(length: Length, article: Article, why: str) -> Summarized:
    log.debug("%s: %s", article.path, why)
    return Summarized((), (), length[2], problem=f"{why}; left out")


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
