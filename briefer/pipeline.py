"""The whole pipeline in one place: ingest -> clean -> sentences -> summarize -> group -> render
-> deliver. Each stage lives in its own module; this one only wires them together, keeps count
of what was left out (so the coverage footer can say so), and reuses what the article store
(briefer/store.py) remembers from earlier runs, summarizing the rest on all cores."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING

from briefer.deliver import write_briefing
from briefer.ingest import read_file, read_inputs
from briefer.options import MakeOptions, check_algorithm
from briefer.records import Article, Briefing, Coverage, Document, Section, Skipped, Summary, Theme
from briefer.store import (
    Store,
    Summarized,
    dump_grouping,
    dump_themes,
    grouping_key,
    load_grouping,
    load_themes_fact,
    store_path,
    summary_key,
)

if TYPE_CHECKING:
    from briefer.records import Grouping

log = logging.getLogger(__name__)

# Below this many articles to summarize, starting worker processes costs more than it saves.
POOL_THRESHOLD = 200
CHUNK_SIZE = 200  # articles per task sent to a worker: big enough to keep pickling overhead low

# (articles summarized so far, articles to summarize); called after each chunk.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RunStats:
    """What a run did itself and what it took from the article store."""

    files_reused: int = 0  # input files whose articles came from the store, unparsed
    summarized: int = 0  # articles cleaned and summarized by this run
    summaries_reused: int = 0  # articles whose summary came from the store
    grouping_reused: bool = False  # stories and sections taken from the store whole
    workers: int = 0  # processes summarizing; 0 when this process did it alone


@dataclass(frozen=True)
class MakeResult:
    briefing: Briefing
    paths: tuple[Path, ...]
    stats: RunStats = RunStats()

    @property
    def failed(self) -> tuple[Skipped, ...]:
        return self.briefing.coverage.failed


def _in_period(article: Article, since: dt.date | None, until: dt.date) -> str:
    if article.date is None:
        return "undated"
    if since is not None and article.date < since:
        return "before"
    if article.date > until:
        return "after"
    return "in"


def summarize_article(
    document: Document, sentences: int, algorithm: str, words: int | None
) -> Summary:
    # Imported here, as everywhere in this module: the cleaner, splitter, scorers and grouping
    # pull in numpy, scipy and nltk (seconds of start-up), which a warm run never needs.
    from briefer.sentences import split_document
    from briefer.summarize import summarize

    return summarize(document, split_document(document), sentences, algorithm, words)


def summarize_chunk(
    articles: Sequence[Article], sentences: int, algorithm: str, words: int | None
) -> list[Summarized]:
    """Clean and summarize a run of articles (a pool worker's task), in order. The sentences
    are chosen for the whole run at once: the default scorer's arithmetic is batched, and
    choose_many gives each article what summarize gives it alone."""
    from briefer.clean import clean
    from briefer.sentences import split_document
    from briefer.summarize import choose_many

    documents = [clean(article) for article in articles]
    split = [
        sorted(split_document(document), key=lambda sentence: sentence.index)
        for document in documents
    ]
    texts = [
        ([sentence.text for sentence in ordered], document.article.title)
        for document, ordered in zip(documents, split, strict=True)
    ]
    chosen = choose_many(
        texts,
        n=sentences,
        algorithm=algorithm,
        words=words,
    )
    return [
        Summarized(document.blocks, tuple(ordered[i] for i in picked), algorithm)
        for document, ordered, picked in zip(documents, split, chosen, strict=True)
    ]


def _summarize_all(
    articles: Sequence[Article],
    options: MakeOptions,
    progress: Progress | None,
    pool_threshold: int,
) -> tuple[list[Summarized], int]:
    """Every article's Summarized, in input order, and the number of worker processes used."""
    total = len(articles)
    workers = 0 if total <= pool_threshold else os.cpu_count() or 1
    # Even chunks for a small run (one per worker), CHUNK_SIZE for a big one.
    size = min(CHUNK_SIZE, -(-total // workers)) if workers else CHUNK_SIZE
    chunks = [articles[start : start + size] for start in range(0, total, size)]
    args = (options.sentences, options.algorithm, options.words)
    results: list[Summarized] = []
    if progress is not None:
        progress(0, total)
    if workers:
        # Imported before the workers fork, so they share it rather than each importing it.
        import briefer.clean
        import briefer.sentences
        import briefer.summarize  # noqa: F401

        with ProcessPoolExecutor(max_workers=workers) as pool:
            # map keeps input order, so the briefing does not depend on which worker was first.
            done = pool.map(summarize_chunk, chunks, *(repeat(arg) for arg in args))
            for chunk_results in done:
                results.extend(chunk_results)
                if progress is not None:
                    progress(len(results), total)
    else:
        for chunk in chunks:
            results.extend(summarize_chunk(chunk, *args))
            if progress is not None:
                progress(len(results), total)
    return results, workers


def _load_themes(path: Path | None, store: Store | None) -> tuple[Theme, ...]:
    """The themes file, checked; from the store when these exact bytes were checked before."""
    if path is None:
        return ()
    name = None
    if store is not None:
        try:
            name = "themes:" + hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
        except OSError:
            name = None  # load_themes says what is wrong with the file
        remembered = store.fact(name) if name is not None else None
        if remembered is not None:
            return load_themes_fact(remembered)
    from briefer.group import load_themes

    themes = load_themes(path)
    if store is not None and name is not None:
        store.add_fact(name, dump_themes(themes))
    return themes


def _check_algorithm(algorithm: str, store: Store | None) -> None:
    name = f"algorithm:{algorithm}"
    if store is not None and store.fact(name) is not None:
        return
    check_algorithm(algorithm)
    if store is not None:
        store.add_fact(name, "ok")


def _remembered_grouping(
    store: Store | None, key: str, chosen: Sequence[Article]
) -> tuple[tuple[Section, ...], int, tuple[int, ...]] | None:
    """The grouping a run on exactly these articles, summaries and themes made, if stored."""
    remembered = store.grouping(key) if store is not None else None
    if remembered is None:
        return None
    by_id: dict[str, Article] = {}
    for article in chosen:
        by_id.setdefault(article.id, article)
    return load_grouping(remembered, by_id)


@dataclass(frozen=True)
class _Summaries:
    items: list[tuple[Document, Summary]]
    empty: tuple[int, ...]  # positions of articles with nothing left to summarize
    made: int
    reused: int
    workers: int


def _summaries(
    chosen: Sequence[Article],
    keys: Sequence[str],
    options: MakeOptions,
    store: Store | None,
    progress: Progress | None,
    pool_threshold: int | None,
) -> _Summaries:
    """Each article's document and summary, from the store or made now."""
    known = store.summaries(keys) if store is not None else {}
    reused = sum(1 for key in keys if key in known)
    todo: dict[str, Article] = {}  # one per key: a repeated article is summarized once
    for article, key in zip(chosen, keys, strict=True):
        if key not in known:
            todo.setdefault(key, article)
    if pool_threshold is None:
        pool_threshold = POOL_THRESHOLD if (os.cpu_count() or 1) > 1 else len(todo)
    clock = time.perf_counter()
    made, workers = _summarize_all(list(todo.values()), options, progress, pool_threshold)
    if todo:
        log.info(
            "summarized %d articles in %.1f s (%s); %d summaries reused",
            len(todo),
            time.perf_counter() - clock,
            f"{workers} processes" if workers else "one process",
            reused,
        )
    for key, summarized in zip(todo, made, strict=True):
        known[key] = summarized
        if store is not None:
            store.add_summary(key, summarized)
    items: list[tuple[Document, Summary]] = []
    empty: list[int] = []
    for position, (article, key) in enumerate(zip(chosen, keys, strict=True)):
        if known[key].sentences:
            items.append(known[key].attach(article))
        else:
            empty.append(position)
    return _Summaries(items, tuple(empty), len(todo), reused, workers)


def _save(store: Store) -> None:
    clock = time.perf_counter()
    store.save()
    log.debug("saved the article store in %.1f s", time.perf_counter() - clock)


def _build_with(
    options: MakeOptions,
    store: Store | None,
    progress: Progress | None,
    pool_threshold: int | None,
) -> tuple[Briefing, RunStats]:
    _check_algorithm(options.algorithm, store)
    # Themes first: a broken themes file should stop the run before any work is done.
    themes = _load_themes(options.themes, store)
    clock = time.perf_counter()
    ingested = read_inputs(options.inputs, options.urls, options.fetch, cache=store)
    log.info(
        "read %d articles in %.1f s (%d files unchanged since the last run)",
        len(ingested.articles),
        time.perf_counter() - clock,
        store.files_reused if store is not None else 0,
    )
    failed: list[Skipped] = list(ingested.failed)
    counts = {"in": 0, "before": 0, "after": 0, "undated": 0}
    chosen: list[Article] = []
    for article in ingested.articles:
        where = _in_period(article, options.since, options.until)
        counts[where] += 1
        if where != "in":
            log.debug("%s: left out (%s the period)", article.path, where)
            continue
        chosen.append(article)

    keys = [
        summary_key(article, options.sentences, options.words, options.algorithm)
        for article in chosen
    ]
    # The grouping key covers every article with its summary key, so a grouping stored under
    # it is exactly this run's: the summaries need not even be loaded.
    group_key = grouping_key(list(zip(chosen, keys, strict=True)), themes) if store else ""
    clock = time.perf_counter()
    remembered = _remembered_grouping(store, group_key, chosen)
    if remembered is not None:
        sections, merged, empty = remembered
        stats = RunStats(
            files_reused=store.files_reused if store is not None else 0,
            summaries_reused=len(chosen),
            grouping_reused=True,
        )
        log.info(
            "took the stories of %d articles from the store in %.1f s",
            len(chosen),
            time.perf_counter() - clock,
        )
    else:
        summaries = _summaries(chosen, keys, options, store, progress, pool_threshold)
        from briefer.group import group

        clock = time.perf_counter()
        grouping: Grouping = group(summaries.items, themes)
        sections, merged, empty = grouping.sections, grouping.merged, summaries.empty
        log.info("grouped %d articles in %.1f s", len(summaries.items), time.perf_counter() - clock)
        if store is not None:
            store.add_grouping(group_key, dump_grouping(sections, merged, empty))
        stats = RunStats(
            files_reused=store.files_reused if store is not None else 0,
            summarized=summaries.made,
            summaries_reused=summaries.reused,
            workers=summaries.workers,
        )
    for position in empty:
        # Nothing left to say once the furniture is gone: report it rather than show an
        # empty story.
        failed.append(Skipped(chosen[position].path, "no article text left after cleaning"))
        counts["in"] -= 1
    coverage = Coverage(
        read=len(ingested.articles),
        in_period=counts["in"],
        before_period=counts["before"],
        after_period=counts["after"],
        undated=counts["undated"],
        merged=merged,
        failed=tuple(failed),
        ignored=ingested.ignored,
        warnings=ingested.warnings,
    )
    log.info(
        "read %d articles, %d in the period, %d stories; summarized %d, reused %d%s",
        coverage.read,
        coverage.in_period,
        sum(len(section.stories) for section in sections),
        stats.summarized,
        stats.summaries_reused,
        ", grouping reused" if stats.grouping_reused else "",
    )
    briefing = Briefing(
        date=options.until,
        since=options.since,
        until=options.until,
        sections=sections,
        coverage=coverage,
    )
    from briefer.index import briefed_history
    from briefer.rank import rank

    briefing = rank(
        briefing,
        minutes=options.minutes,
        top=options.top,
        max_stories=options.max_stories,
        new_only=options.new_only,
        history=briefed_history(options.out, options.until),
    )
    return briefing, stats


def build_briefing(
    options: MakeOptions, progress: Progress | None = None, pool_threshold: int | None = None
) -> Briefing:
    """The briefing for options. pool_threshold: summarize in worker processes when more
    articles than this need it (None: POOL_THRESHOLD on a machine with several cores)."""
    store = Store.open(store_path(options.out)) if options.cache else None
    try:
        briefing = _build_with(options, store, progress, pool_threshold)[0]
        if store is not None:
            _save(store)
        return briefing
    finally:
        if store is not None:
            store.close()


def make(
    options: MakeOptions, progress: Progress | None = None, pool_threshold: int | None = None
) -> MakeResult:
    store = Store.open(store_path(options.out)) if options.cache else None
    try:
        briefing, stats = _build_with(options, store, progress, pool_threshold)
        with ThreadPoolExecutor(max_workers=1) as saver:
            # The store is written (by SQLite, which lets go of the GIL) while the briefing is
            # rendered: on a cold run of 10,000 articles that hides about a second.
            saved = saver.submit(_save, store) if store is not None else None
            paths = write_briefing(
                briefing,
                options.out,
                options.formats,
                options.templates,
                options.explain,
                index=True,
            )
            if saved is not None:
                saved.result()
    finally:
        if store is not None:
            store.close()
    return MakeResult(briefing=briefing, paths=tuple(paths), stats=stats)


def summarize_file(
    path: Path, sentences: int, algorithm: str, words: int | None = None
) -> list[tuple[Article, Summary]]:
    """Summaries of every article in one file (a feed or JSONL file may hold several)."""
    from briefer.clean import clean

    results = []
    for article in read_file(path):
        summary = summarize_article(clean(article), sentences, algorithm, words)
        results.append((article, summary))
    return results
