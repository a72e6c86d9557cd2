"""The Python API, as `import briefer` offers it: make a briefing, build one without writing
it, list where each article is filed under the themes, summarize a piece of text, or fetch
feeds and pages into a folder.

    import briefer

    result = briefer.make("samples", since="2024-12-01", until="2024-12-05", out="briefings")
    print(result.paths, result.briefing.coverage.read)

The functions take their options as keyword arguments, checked as the command line checks
them (same messages, as OptionsError); an option left out takes the shipped default.
Unlike the command line they read neither briefer.toml nor BRIEFER_* variables: a program's
behaviour should not change with the folder it runs in. Each call builds one MakeOptions
and hands it to the pipeline; nothing here knows how the pipeline works.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from briefer.options import DEFAULT_ALGORITHM, DEFAULT_SENTENCES, check_algorithm, check_length
from briefer.records import Article, Briefing, MakeOptions

if TYPE_CHECKING:
    from briefer.evaluation.themes_report import ThemesReport
    from briefer.pipeline import MakeResult
    from briefer.records import FetchResult, InputLimits

Inputs = str | Path | Sequence[str | Path]


def options(inputs: Inputs | None = None, **given: object) -> MakeOptions:
    """The MakeOptions for these arguments over the shipped defaults. The keywords are
    MakeOptions' fields (since, until, out, formats, themes, sentences, ...), given as the
    command line gives them or as their own types; `until` defaults to today, `themes` to the
    themes.toml beside the first input (if there is one)."""
    from briefer.config import make_options
    from briefer.records import Config

    if inputs is not None:
        given["inputs"] = [inputs] if isinstance(inputs, str | Path) else list(inputs)
    return make_options(Config(), given, dt.date.today())


def make(inputs: Inputs | None = None, *, tune_process: bool = True, **given: object) -> MakeResult:
    """Make the briefing and write its files into `out` (default: briefings/), as
    `briefer make` does. Returns what was written (`.paths`), the Briefing (`.briefing`, with
    its coverage) and the inputs that failed (`.failed`). tune_process=False leaves the
    calling process's collector and environment as they are (briefer.tuning)."""
    from briefer.pipeline import make as run

    return run(options(inputs, **given), tune=tune_process)


def build(inputs: Inputs | None = None, *, tune_process: bool = True, **given: object) -> Briefing:
    """The Briefing for the inputs, without writing anything (no files, no article store).
    tune_process: as for `make`."""
    from briefer.pipeline import build as run_build

    return run_build(options(inputs, **{**given, "cache": False}), tune=tune_process)


def themes(
    inputs: Inputs | None = None, *, tune_process: bool = True, **given: object
) -> ThemesReport:
    """Every article of the inputs with the theme its story is filed under (as `make` files
    it), its fit to every theme and the evidence that decided, as `briefer themes` lists
    them. Without `since` and `until` every article is listed; with either, only those dated
    in the period (the rest counted in `.outside`). `themes` defaults to the themes.toml
    beside the first input; none there and none given: OptionsError. tune_process: as for
    `make`."""
    from briefer.evaluation.themes_report import themes_report

    dated = given.get("since") is not None or given.get("until") is not None
    chosen = options(inputs, **given)
    return themes_report(
        chosen.inputs,
        chosen.themes,
        since=chosen.since if dated else None,
        until=chosen.until if dated else None,
        urls=chosen.urls,
        fetch=chosen.fetch,
        limits=chosen.limits,
        tune=tune_process,
    )


def summarize_text(
    text: str,
    *,
    title: str = "",
    n: int = DEFAULT_SENTENCES,
    words: int | None = None,
    algorithm: str = DEFAULT_ALGORITHM,
) -> list[str]:
    """The sentences chosen to summarize `text` (at most n, within `words` if given),
    verbatim and in the text's order, after the same cleaning an article file gets."""
    from briefer.clean import clean
    from briefer.sentences import split_document
    from briefer.summarize import summarize

    check_length(n, words)
    check_algorithm(algorithm)
    article = Article(id="text", title=title, date=None, source="", url="", text=text, path="")
    document = clean(article)
    summary = summarize(document, split_document(document), n, algorithm, words)
    return [sentence.text for sentence in summary.sentences]


def fetch(
    urls: str | Sequence[str],
    into: str | Path | None = None,
    *,
    pages: bool = True,
    timeout: float = 15.0,
    retries: int = 3,
    limits: InputLimits | None = None,
) -> FetchResult:
    """Fetch feeds and pages and save each new article into the folder `into` (default: the
    first default input folder, samples/) as front-matter Markdown, as `briefer fetch` does,
    with the same checks and messages (OptionsError). pages: fetch an entry's page when its
    feed gives only a summary; timeout: seconds to wait for a server; retries: after a 429,
    5xx or timeout. Returns what was saved (`.saved`), found already saved (`.already`) and
    could not be had (`.failed`)."""
    from briefer.ingest.fetch import fetch_into
    from briefer.options import DEFAULT_INPUTS, fetch_folder, fetch_settings

    wanted = [urls] if isinstance(urls, str) else list(urls)
    settings = fetch_settings(wanted, timeout, retries, pages)
    folder = Path(into) if into is not None else fetch_folder(DEFAULT_INPUTS)
    return fetch_into(wanted, folder, settings, limits=limits)
