"""The whole pipeline in one place: ingest -> clean -> sentences -> summarize -> group -> render
-> deliver. Each stage lives in its own module; this one only wires them together and keeps
count of what was left out, so the coverage footer can say so."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefer.clean import clean
from briefer.deliver import write_briefing
from briefer.errors import OptionsError
from briefer.group import group, load_themes
from briefer.ingest import read_file, read_inputs
from briefer.options import MakeOptions
from briefer.records import Article, Briefing, Coverage, Document, Skipped, Summary
from briefer.sentences import split_document
from briefer.summarize import ALGORITHMS, summarize

log = logging.getLogger(__name__)

THEMES_FILENAME = "themes.toml"


@dataclass(frozen=True)
class MakeResult:
    briefing: Briefing
    paths: tuple[Path, ...]

    @property
    def failed(self) -> tuple[Skipped, ...]:
        return self.briefing.coverage.failed


def default_themes_path(inputs: Sequence[Path]) -> Path | None:
    """`themes.toml` beside the first input (inside it, for a folder), if there is one."""
    for path in inputs:
        folder = path if path.is_dir() else path.parent
        candidate = folder / THEMES_FILENAME
        if candidate.is_file():
            return candidate
    return None


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
    return summarize(document, split_document(document), sentences, algorithm, words)


def check_algorithm(algorithm: str) -> None:
    if algorithm not in ALGORITHMS:
        raise OptionsError(
            f"--algorithm {algorithm!r} is not a sentence scorer; "
            f"choose from {', '.join(ALGORITHMS)}"
        )


def build_briefing(options: MakeOptions) -> Briefing:
    check_algorithm(options.algorithm)
    # Themes first: a broken themes file should stop the run before any work is done.
    themes = load_themes(options.themes) if options.themes is not None else ()
    ingested = read_inputs(options.inputs, options.urls, options.fetch)
    failed: list[Skipped] = list(ingested.failed)
    counts = {"in": 0, "before": 0, "after": 0, "undated": 0}
    items: list[tuple[Document, Summary]] = []
    for article in ingested.articles:
        where = _in_period(article, options.since, options.until)
        counts[where] += 1
        if where != "in":
            log.debug("%s: left out (%s the period)", article.path, where)
            continue
        document = clean(article)
        summary = summarize_article(document, options.sentences, options.algorithm, options.words)
        if not summary.sentences:
            # Nothing left to say once the furniture is gone: report it rather than show an
            # empty story.
            failed.append(Skipped(article.path, "no article text left after cleaning"))
            counts["in"] -= 1
            continue
        items.append((document, summary))
    grouping = group(items, themes)
    coverage = Coverage(
        read=len(ingested.articles),
        in_period=counts["in"],
        before_period=counts["before"],
        after_period=counts["after"],
        undated=counts["undated"],
        merged=grouping.merged,
        failed=tuple(failed),
        ignored=ingested.ignored,
    )
    log.info(
        "read %d articles, %d in the period, %d stories",
        coverage.read,
        coverage.in_period,
        sum(len(section.stories) for section in grouping.sections),
    )
    return Briefing(
        date=options.until,
        since=options.since,
        until=options.until,
        sections=grouping.sections,
        coverage=coverage,
    )


def make(options: MakeOptions) -> MakeResult:
    briefing = build_briefing(options)
    paths = write_briefing(
        briefing, options.out, options.formats, options.templates, options.explain, index=True
    )
    return MakeResult(briefing=briefing, paths=tuple(paths))


def summarize_file(
    path: Path, sentences: int, algorithm: str, words: int | None = None
) -> list[tuple[Article, Summary]]:
    """Summaries of every article in one file (a feed or JSONL file may hold several)."""
    results = []
    for article in read_file(path):
        summary = summarize_article(clean(article), sentences, algorithm, words)
        results.append((article, summary))
    return results
