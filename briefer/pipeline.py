"""The pipeline, in the order data flows: ingest -> clean -> sentences -> summarize -> group
-> rank -> render -> deliver. Each stage lives in its own module; `build` calls them in turn. The
article store (briefer.store, through briefer.cache) wraps the stages whose results it can
remember; the workers (briefer.workers, briefer.parallel) read and summarize on every core."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import logging
from collections.abc import Callable, MutableSequence, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefer.cache import Cache, CacheStats, open_cache, run_key
from briefer.deliver.index import briefed_history
from briefer.errors import NothingToBrief
from briefer.halves import Split, in_process, in_threads, with_workers
from briefer.heap import keep_freed
from briefer.ingest import list_inputs, read_file, read_inputs
from briefer.options import MakeOptions, check_algorithm
from briefer.parallel import Ahead, Summarizer, read_files, summarize_chunk
from briefer.records import (
    Article,
    Briefed,
    Briefing,
    Coverage,
    Document,
    Grouped,
    Ingested,
    KnownRows,
    Listed,
    Skipped,
    Story,
    StoryTerms,
    Summarized,
    Summary,
    TextFeatures,
    Theme,
)
from briefer.tuning import ending_with_command, keep_to_the_end, tune_process, tuned_run
from briefer.workers import POOL_THRESHOLD, Progress, Workers, signals_interrupt

if TYPE_CHECKING:
    from briefer.group.grouping import Placer, Teller
    from briefer.group.telling import Share

log = logging.getLogger(__name__)

_TELLING = ("briefer.group.telling",)  # what the telling's worker imports (telling.py)
# Runs of up to this many articles compare half the story graph's pairs in the telling's
# worker (graph.compare_share, halves.in_process), idle until the stories are told, rather
# than in a second thread of this one, where the interpreter's lock holds the two threads
# back: on the 10k bench week (bench_make -v, alternated, load 4-9) the graph took 1.64-2.30
# s of this process's CPU in two threads, 0.67-1.71 s with half in the worker (its half
# ~0.7-0.9 s, bench_story_graph). The worker then holds scipy and its half's arrays: 10k
# tree at the story graph 351-352 -> 396-399 MB, through the telling 383 -> 402-404 MB (run
# peak 387-390 -> 402-404; target 500). A 30,000-article run's tree holds ~760 of its 800
# MB at the graph (docs/quality.md), with no room for them; halfway, 20,000, at ~560 + ~70.
_GRAPH_BESIDE = 20_000
_GRAPH = ("briefer.group.graph",)  # what that worker imports for it
# ...and for ranking, where it works out half the storylines' terms in a cold run of up to
# _GRAPH_BESIDE articles (kept idle from grouping to ranking: pipeline.rank).
_RANKING = ("briefer.rank.storylines",)

EMPTY = "no article text left after cleaning"


def build(
    options: MakeOptions,
    cache: Cache | None = None,
    summarize: Summarizer | None = None,
    tune: bool = True,
) -> Briefing:
    """The briefing for options. cache: the article store to use (default: the one beside
    options.out when options.cache); summarize: how to run the summarizing (default: on every
    core past workers.POOL_THRESHOLD articles). The process is tuned for the run
    (tuning.tuned_run) unless tune is false."""
    with tuned_run(tune), contextlib.ExitStack() as owned:
        if cache is None:
            cache = owned.enter_context(open_cache(options.out, options.cache))
        if summarize is None:
            summarize = owned.enter_context(contextlib.closing(Summarizer()))
        return _planned(options, cache, summarize, _plan(options, cache))


@dataclass(frozen=True)
class _Plan:
    """What a run knows before reading any file, and its run key (cache.run_key)."""

    themes: tuple[Theme, ...]
    listed: Listed
    history: tuple[Briefed, ...]
    key: str | None


def _plan(options: MakeOptions, cache: Cache) -> _Plan:
    check_algorithm(options.algorithm)
    themes = load_themes(options.themes)  # before any work: a bad themes file stops the run
    listed = list_inputs(options.inputs)
    history = briefed_history(options.out, options.until)
    stamps = cache.store.stamps if cache.store is not None else None
    return _Plan(themes, listed, history, run_key(listed, options, themes, history, stamps))


def _planned(options: MakeOptions, cache: Cache, summarize: Summarizer, plan: _Plan) -> Briefing:
    return cache.briefing(
        plan.key,
        len(plan.listed.paths),
        lambda: build_fresh(options, cache, summarize, plan.themes, plan.listed, plan.history),
    )


def build_fresh(
    options: MakeOptions,
    cache: Cache,
    summarize: Summarizer,
    themes: Sequence[Theme],
    listed: Listed,
    history: Sequence[Briefed],
) -> Briefing:
    """The briefing worked out stage by stage: read, placed in the period, summarized and
    grouped, counted, ranked. `_Working` runs the stages on the worker processes and takes
    each stage's results from the store where it has them."""
    with _Working(options, cache, summarize, themes) as working:
        ingested = read_inputs(
            options.inputs,
            options.urls,
            options.fetch,
            cache=cache.store,
            limits=options.limits,
            read_many=working.read_many,
            listed=listed,
            # The stored files' articles without their texts: only those summarized again
            # need them, and the cache reads those back (Cache.summaries).
            texts=False,
        )
        chosen, coverage = in_period(ingested.articles, options, cache)
        read_anew = len(ingested.articles) - (cache.store.articles_reused if cache.store else 0)
        # Only `chosen` holds the articles from here: their texts are let go once summarized.
        ingested = dataclasses.replace(ingested, articles=())
        with _heap(read_anew, cache):
            grouped = working.summarized_and_grouped(chosen)
            coverage = account(coverage, ingested, grouped, options)  # NothingToBrief if none
            briefing = Briefing(
                options.until, options.since, options.until, grouped.sections, coverage
            )
            return rank(
                briefing, options, history, cache, working.telling if working.keep else None
            )


def _heap(read_anew: int, cache: Cache) -> contextlib.AbstractContextManager[None]:
    """How the rest of the run treats the memory it frees: a rerun that took files from the
    store and read no more new articles (read_anew: from files, feeds and pages alike) than a
    run summarizes in this process alone (workers.POOL_THRESHOLD) keeps it for its next
    allocations (heap.keep_freed); any other gives it back between its stages (heap.give_back:
    a big run's peak). Articles, not files: one file may hold a whole cold run's."""
    if cache.store is None or not cache.store.files_reused or read_anew > POOL_THRESHOLD:
        return contextlib.nullcontext()
    return keep_freed(ending_with_command())


class _Working:
    """How build_fresh's stages are worked out: the files read on every core when the
    summarizing would be (the same threshold), by the same worker processes, which summarize
    the period's articles as they read them; half the stories told in a process of its own;
    each stage's results taken from the store where it has them, and stored. Leaving it ends
    the workers it started."""

    def __init__(
        self, options: MakeOptions, cache: Cache, summarize: Summarizer, themes: Sequence[Theme]
    ) -> None:
        self.cache, self.summarize, self.themes = cache, summarize, themes
        self.length = (options.sentences, options.words, options.algorithm)
        period = (options.since, options.until, options.undated != "skip")
        # Each summary is handed to the store as it is worked out, by the reading's workers or
        # the summarizing: a run stopped part-way keeps what it finished (Cache.save).
        self.stored = functools.partial(cache.summarized_ahead, length=self.length)
        summarize.ahead = Ahead(self.length, period, summarize.progress, each=self.stored)
        self.read_many = functools.partial(
            read_files,
            threshold=summarize.pool_threshold,
            pool=summarize.pool,
            ahead=summarize.ahead,
        )
        # A fresh interpreter (spawn) tells half the stories, started with the reading's
        # workers while this process still holds little (a process started from a big one
        # shows its size for a moment), and idle until then, its modules imported with its
        # first task (idle ~21 MB, with them ~37): the reading's workers end with the
        # summarizing (issue 13: one kept through the story graph held ~96 MB at 30,000
        # articles). A run that reads in one process tells in one.
        self.telling = Workers(start="spawn")
        self.keep = False  # the telling's worker kept idle after grouping, for ranking
        self._prepare = summarize.pool.prepare
        summarize.pool.prepare = self._start_both

    def _start_both(self) -> None:
        if self._prepare is not None:
            self._prepare()
        self.telling.start(1)

    def __enter__(self) -> _Working:
        return self

    def __exit__(self, *exception: object) -> None:
        self.telling.close()
        self.summarize.pool.prepare = self._prepare

    def summarized_and_grouped(self, chosen: list[Article]) -> Grouped:
        """`group` of the chosen articles, or the store's grouping of exactly them."""
        # The telling's worker imports what it tells with now, while this process reads the
        # words for grouping and builds the story graph (the second core mostly idle), rather
        # than with its first stories, when the run waits on it (~0.25 s of CPU in a fresh
        # interpreter, briefer compiled from source).
        # Half the story graph is compared there too, in a cold grouping of up to
        # _GRAPH_BESIDE articles (a rerun extends the graph with a few rows, in one thread here).
        beside = len(chosen) <= _GRAPH_BESIDE
        # Kept idle for ranking only where ranking can use it: its stories' terms are the
        # store's (Cache.story_terms); without a store (--no-cache) ranking works alone.
        self.keep = beside and self.cache.store is not None
        self.telling.warm(_TELLING + _GRAPH + _RANKING if beside else _TELLING)
        split: Split = functools.partial(in_process, self.telling) if beside else in_threads
        work_out = functools.partial(self._group, chosen, split)
        return self.cache.grouped(chosen, self.length, self.themes, work_out)

    def _group(self, chosen: list[Article], split: Split, known: KnownRows | None) -> Grouped:
        cache, length, summarize = self.cache, self.length, self.summarize
        stored = self.stored
        summaries = functools.partial(
            cache.summaries, length=length, work_out=lambda todo: summarize(todo, length, stored)
        )
        teller = functools.partial(cache.stories, length=length)
        placer = functools.partial(cache.placements, themes=self.themes, length=length)
        share = functools.partial(with_workers, self.telling, end=not self.keep)
        let_go = functools.partial(cache.without_texts, length=length)
        try:
            return group(
                chosen, summaries, self.themes, teller, placer, known, share, let_go, split
            )
        finally:  # ended as soon as grouping is done unless ranking shares its work with it
            if not self.keep:
                self.telling.close()
            summarize.pool.close()


@dataclass(frozen=True)
class MakeResult:
    paths: tuple[Path, ...]
    stats: CacheStats
    workers: int  # processes the summarizing ran in; 0 when this one did it alone
    failed: tuple[Skipped, ...]  # inputs left out, as the briefing's coverage lists them
    # The briefing, when the run had it in hand; else how to have it (a run whose files were
    # all still as an earlier run wrote them never loads it: see `make`).
    made: Briefing | Callable[[], Briefing] = dataclasses.field(repr=False, compare=False)

    @functools.cached_property
    def briefing(self) -> Briefing:
        return self.made if isinstance(self.made, Briefing) else self.made()


def make(
    options: MakeOptions,
    progress: Progress | None = None,
    pool_threshold: int | None = None,
    tune: bool = True,
) -> MakeResult:
    """build, then write the briefing files and the index. SIGTERM and SIGHUP stop it as
    Ctrl-C does: workers stopped, no half-written file, what the run worked out stored. When
    the store says the files this run would write are all in the output folder as an earlier
    run with the same inputs and options wrote them (Cache.written), nothing is read,
    rendered or written, and the briefing is loaded only if the result's `briefing` is asked
    for. The process is tuned for the run (tuning.tuned_run) unless tune is false."""
    summarize = Summarizer(progress, pool_threshold)
    with (
        tuned_run(tune),
        signals_interrupt(),
        open_cache(options.out, options.cache) as cache,
        contextlib.closing(summarize),
    ):
        plan = _plan(options, cache)
        written = cache.written(plan.key, options, len(plan.listed.paths))
        if written is not None:
            load = functools.partial(build, options, tune=tune)
            return MakeResult(tuple(written), cache.stats, 0, (), load)
        briefing = _planned(options, cache, summarize, plan)
        from briefer.deliver import write_briefing  # rendering: Jinja, only for a run that writes

        paths = write_briefing(
            briefing, options.out, options.formats, options.templates, options.explain, index=True
        )
        cache.add_written(plan.key, options, briefing, paths)
    result = MakeResult(
        tuple(paths), cache.stats, summarize.workers, briefing.coverage.failed, briefing
    )
    keep_to_the_end(cache, summarize, result)
    return result


# ---- the stages' glue ---------------------------------------------------------------------------


def load_themes(path: Path | None) -> tuple[Theme, ...]:
    if path is None:
        return ()
    from briefer.group import load_themes as load

    return load(path)


def in_period(
    articles: Sequence[Article], options: MakeOptions, cache: Cache
) -> tuple[list[Article], Coverage]:
    """The articles of the period, undated ones placed by the day briefer first saw them
    (`--undated first-seen`) or left out (`--undated skip`), and the counts of the rest."""
    undated = [article for article in articles if article.date is None]
    seen = cache.first_seen(undated, dt.date.today()) if options.undated != "skip" else {}
    chosen: list[Article] = []
    before = after = placed = 0
    outside: list[dt.date] = []  # the days undated articles left out were first seen
    for article in articles:
        day = article.date
        if day is None and article.id in seen:
            day = seen[article.id]
            article = dataclasses.replace(article, first_seen=day)
        if day is None:
            continue
        if (options.since is not None and day < options.since) or day > options.until:
            # An undated article is not before or after the period: only the day briefer
            # first saw it is, and the footer says so rather than give it a date.
            if article.date is None:
                outside.append(day)
            elif day > options.until:
                after += 1
            else:
                before += 1
        else:
            placed += article.date is None
            chosen.append(article)
    if undated and options.undated == "skip":
        log.warning(
            "%d undated article%s left out (--undated skip); use --undated first-seen to "
            "place them by the day briefer first saw them",
            len(undated),
            "" if len(undated) == 1 else "s",
        )
    if outside:
        first, last = min(outside), max(outside)
        log.warning(
            "%d undated article%s left out: briefer first saw %s %s, outside the period (an "
            "undated article is placed by that day)",
            len(outside),
            "" if len(outside) == 1 else "s",
            "it" if len(outside) == 1 else "them",
            f"on {first}" if first == last else f"from {first} to {last}",
        )
    counts = Coverage(
        read=len(articles),
        in_period=len(chosen),
        before_period=before,
        after_period=after,
        undated=len(undated) if options.undated == "skip" else 0,
        first_seen=placed,
        first_seen_outside=len(outside),
    )
    return chosen, counts


def group(
    articles: MutableSequence[Article],
    summaries: Callable[[Sequence[Article]], list[Summarized]],
    themes: Sequence[Theme],
    teller: Teller | None = None,
    placer: Placer | None = None,
    known: KnownRows | None = None,
    share: Share | None = None,
    let_go: Callable[[Sequence[Article]], list[Article]] | None = None,
    split: Split = in_threads,
) -> Grouped:
    """Stories and sections of the articles with something to say; the others left out.
    summaries: each article's Summarized, asked for only where needed (Cache.summaries: from
    the article store, or worked out); teller, placer: how what each story says and where it
    is filed are had (Cache.stories and Cache.placements); known: rows the store holds of
    articles an earlier grouping read (they had something to say), whose summaries are then
    loaded only for the stories that must be told or placed again; share: how the stories
    told may be shared with another process (telling.tell_stories); let_go: the articles
    without their texts (Cache.without_texts), which replace in `articles` those whose
    summaries were just had: no later stage reads a text (issue 13); split: how the story
    graph's pairs may be compared in two halves at once (halves.in_threads, in_process)."""
    from briefer.group.grouping import group_articles, place_each, tell_each

    todo = [
        k for k, article in enumerate(articles) if known is None or article.id not in known.row_of
    ]
    had = dict(zip(todo, summaries([articles[k] for k in todo]), strict=True))
    if let_go is not None:  # the bullets read what leans where the text was (Summary.leans)
        done = [k for k, summarized in had.items() if summarized.leans is not None]
        for k, bare in zip(done, let_go([articles[k] for k in done]), strict=True):
            articles[k] = bare
    left_out = [
        Skipped(articles[k].path, summarized.problem or EMPTY)
        for k, summarized in had.items()
        if not summarized.sentences
    ]
    kept = [k for k, article in enumerate(articles) if k not in had or had[k].sentences]
    final = all(not had[k].problem for k in todo)

    def read(positions: Sequence[int]) -> list[tuple[Document, Summary, TextFeatures | None]]:
        wanted = [kept[p] for p in positions]
        missing = [k for k in wanted if k not in had]
        had.update(zip(missing, summaries([articles[k] for k in missing]), strict=True))
        # Grouping keeps what it reads (and asks once): not held here as well, so it can let
        # the cleaned blocks go once the stories are told (~100 MB at 30,000 articles).
        given = [had.pop(k) for k in wanted]
        return [
            (*value.attach(articles[k]), value.features)
            for k, value in zip(wanted, given, strict=True)
        ]

    grouping = group_articles(
        [articles[k] for k in kept],
        read,
        themes,
        teller=teller or tell_each,
        placer=placer or place_each,
        known=known,
        share=share,
        split=split,
    )
    return Grouped(grouping.sections, grouping.merged, tuple(left_out), final, grouping.kept)


def account(
    coverage: Coverage, ingested: Ingested, grouped: Grouped, options: MakeOptions
) -> Coverage:
    """The coverage footer's counts, with what ingest and the summarizing left out; raises
    NothingToBrief (one line: why, and what to do) when no article is left to brief."""
    coverage = dataclasses.replace(
        coverage,
        in_period=coverage.in_period - len(grouped.left_out),
        merged=grouped.merged,
        failed=(*ingested.failed, *grouped.left_out),
        ignored=ingested.ignored,
        warnings=ingested.warnings,
    )
    if not coverage.in_period:
        for skipped in coverage.failed:
            log.warning("skipped %s: %s", skipped.path, skipped.reason)
        raise NothingToBrief(nothing_to_brief(coverage, options), coverage)
    log.info("%d articles read, %d in the period", coverage.read, coverage.in_period)
    return coverage


def rank(
    briefing: Briefing,
    options: MakeOptions,
    history: Sequence[Briefed],
    cache: Cache,
    pool: Workers | None = None,
) -> Briefing:
    """Top stories, storylines and the reading-time budget (briefer.rank), against the
    briefings already in options.out (history); what storylines read of each story is
    remembered in the store (Cache.story_terms). pool: a worker idle after grouping (the
    telling's, in a cold run), which works out half the stories' terms the store does not
    have, and is then ended."""
    from briefer.rank import rank as rank_stories

    terms = None
    if cache.store is not None:
        terms = cache.story_terms if pool is None else functools.partial(_shared_terms, cache, pool)
    return rank_stories(
        briefing,
        minutes=options.minutes,
        top=options.top,
        max_stories=options.max_stories,
        new_only=options.new_only,
        history=history,
        terms=terms,
    )


# The storylines' terms worth sharing with a worker, in characters of what they read (story_
# texts): about 0.1 s of terms. The 3,120 stories of the 10k bench week read 1.72 million
# characters and take 0.32-0.34 s (captured and timed in one process, load ~4), in rank,
# after the reading's workers have ended and with the second core idle; a worker's share
# costs its pipe's round trips besides.
_TERMS_SHARED = 500_000.0


def _shared_terms(
    cache: Cache,
    pool: Workers,
    stories: Sequence[Story],
    work_out: Callable[[Sequence[Story]], list[StoryTerms]],
) -> list[StoryTerms]:
    """Cache.story_terms, the terms the store does not have worked out half here and half
    in the pool's idle worker (storylines.terms_of: the same terms as work_out's)."""
    from briefer.rank.storylines import story_texts, terms_of

    def shared(todo: Sequence[Story]) -> list[StoryTerms]:
        texts = [story_texts(story) for story in todo]
        weights = [float(sum(map(len, story))) for story in texts]
        found: list[StoryTerms] = with_workers(pool, terms_of, texts, weights, _TERMS_SHARED)
        return found

    return cache.story_terms(stories, shared)


def nothing_to_brief(coverage: Coverage, options: MakeOptions) -> str:
    """One line: why no article made it into the briefing, and what to do."""
    period = f"{options.since.isoformat() if options.since else '...'} to {options.until}"
    parts = [f"{coverage.read} read"]
    if coverage.before_period or coverage.after_period:
        parts.append(
            f"{coverage.before_period} before and {coverage.after_period} after the period {period}"
        )
    if coverage.first_seen_outside:
        parts.append(
            f"{coverage.first_seen_outside} undated, first seen by briefer outside the period"
            + ("" if coverage.before_period or coverage.after_period else f" {period}")
        )
    if coverage.undated:
        parts.append(f"{coverage.undated} undated (--undated skip)")
    if coverage.failed:
        parts.append(f"{len(coverage.failed)} failed or empty")
    if not coverage.read and not coverage.failed:
        fix = "check the --input paths"
    elif coverage.before_period or coverage.after_period:
        fix = "check --since/--until"
    elif coverage.first_seen_outside:
        # They have no date to check: only a period holding the day they were first seen
        # (today, for articles new to briefer) can brief them.
        fix = (
            "an undated article is placed by the day briefer first saw it: "
            "include that day (the warning above gives it) in --since/--until"
        )
    elif coverage.undated:
        fix = "use --undated first-seen"
    else:
        fix = "fix the inputs listed above"
    return f"no article to brief ({'; '.join(parts)}); {fix}"


def summarize_file(
    path: Path, sentences: int, algorithm: str, words: int | None = None
) -> list[tuple[Article, Summary]]:
    """Summaries of every article in one file (a feed or JSONL file may hold several)."""
    tune_process()
    check_algorithm(algorithm)
    articles = read_file(path)
    done = summarize_chunk(articles, (sentences, words, algorithm))
    return [
        (article, value.attach(article)[1]) for article, value in zip(articles, done, strict=True)
    ]
