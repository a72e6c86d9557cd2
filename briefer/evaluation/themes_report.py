"""The `briefer themes` report: every article of a folder scored against a themes file, one
by one, so a user can see why each lands where it does and tune the file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefer.clean import clean
from briefer.group import ThemeFit, load_themes
from briefer.group.grouping import file_stories
from briefer.ingest import read_inputs
from briefer.options import themes_file
from briefer.records import (
    OTHER_THEME,
    Article,
    Document,
    FetchSettings,
    InputLimits,
    Skipped,
)
from briefer.tuning import tune_process


@dataclass(frozen=True)
class ArticleFit:
    """One article's placement, with its fit to every theme."""

    article: Article
    theme: str  # primary theme, or OTHER_THEME
    secondary: tuple[str, ...]
    fits: tuple[ThemeFit, ...]  # themes in file order, for its story
    why: tuple[str, ...] = ()  # the evidence that decided, as the briefing shows it

    @property
    def best(self) -> ThemeFit | None:
        """The theme it fits best, filed there or not: a near miss says what to add."""
        if not self.fits:
            return None
        return max(self.fits, key=lambda fit: fit.score)


@dataclass(frozen=True)
class ThemesReport:
    themes: tuple[str, ...]  # file order, then OTHER_THEME
    articles: tuple[ArticleFit, ...]  # in input order
    failed: tuple[Skipped, ...]
    outside: int = 0  # articles left out as undated or outside the period asked for

    def filed_under(self, theme: str) -> list[ArticleFit]:
        """The articles whose primary theme is `theme`, best fit first."""

        def key(fit: ArticleFit) -> tuple[float, str]:
            score = next((f.score for f in fit.fits if f.theme == theme), 0.0)
            if theme == OTHER_THEME:
                best = fit.best
                score = best.score if best is not None else 0.0
            return (-score, fit.article.title.casefold())

        return sorted((a for a in self.articles if a.theme == theme), key=key)


def themes_report(
    inputs: Sequence[Path],
    themes_path: Path | None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    urls: Sequence[str] = (),
    fetch: FetchSettings | None = None,
    limits: InputLimits | None = None,
    tune: bool = True,
) -> ThemesReport:
    """Every article of the inputs (files, folders, and feed or page URLs, read as `briefer
    make` reads them) with its story's placement (filed as a briefing files them) and its
    fit to every theme; with a period, only the articles dated in it (the others are counted
    as `outside`). themes_path None (none given, and no themes.toml beside the input):
    OptionsError, the one line `briefer themes` prints. tune false leaves the process as it
    is (briefer.tuning), as pipeline.make's does."""
    path = themes_file(themes_path)  # before anything is read or tuned
    if tune:
        tune_process()
    themes = load_themes(path)
    ingested = read_inputs(inputs, urls, fetch, limits=limits)
    failed = list(ingested.failed)
    documents: list[Document] = []
    outside = 0
    for article in ingested.articles:
        if (since is not None or until is not None) and (
            article.date is None
            or (since is not None and article.date < since)
            or (until is not None and article.date > until)
        ):
            outside += 1
            continue
        document = clean(article)
        if not document.blocks and not article.title.strip():
            failed.append(Skipped(article.path, "no article text left after cleaning"))
            continue
        documents.append(document)
    # Filed exactly as a briefing files them: each article with the story it joins.
    filed = file_stories(documents, themes, "all")
    articles = tuple(
        ArticleFit(
            document.article, placement.theme, placement.secondary, placement.fits, placement.why
        )
        for document, placement in zip(
            documents, (filed.placements[s] for s in filed.story_of.tolist()), strict=True
        )
    )
    return ThemesReport(
        themes=(*(theme.name for theme in themes), OTHER_THEME),
        articles=articles,
        failed=tuple(failed),
        outside=outside,
    )


def themes_report_data(report: ThemesReport) -> list[dict[str, Any]]:
    """The themes report as plain data for `briefer themes --json`."""
    return [
        {
            "path": fit.article.path,
            "title": fit.article.title,
            "theme": fit.theme,
            "secondary": list(fit.secondary),
            "why": list(fit.why),
            "scores": {
                f.theme: {
                    "score": round(f.score, 2),
                    "needed": round(f.needed, 2),
                    "eligible": f.eligible,
                    "terms": list(f.terms),
                }
                for f in fit.fits
            },
        }
        for fit in report.articles
    ]


def themes_report_text(report: ThemesReport) -> str:
    """The themes report as `briefer themes` prints it: each theme with its articles, best
    fit first, the score and the terms that placed each; under Other, each article's nearest
    theme and what it lacked."""
    lines: list[str] = []
    for number, theme in enumerate(report.themes):
        filed = report.filed_under(theme)
        if number:
            lines.append("")
        lines.append(f"{theme} ({len(filed)})")
        for fit in filed:
            title = fit.article.title or fit.article.path
            mine = next((f for f in fit.fits if f.theme == theme), None)
            if mine is not None and fit.theme == theme:
                terms = ", ".join(fit.why) or "-"  # a story of several: how they went
                also = f"; also {', '.join(fit.secondary)}" if fit.secondary else ""
                lines.append(f"  {mine.score:6.1f}  {title}  [{terms}{also}]")
            else:
                near = "; ".join(fit.why) if fit.why else "no theme terms"
                lines.append(f"       -  {title}  ({near})")
    return "\n".join(lines)
