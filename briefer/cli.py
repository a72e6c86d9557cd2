"""The command line: parse options, call one core function, map our errors to one line.

Results go to stdout; diagnostics and progress go to stderr.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from briefer import __version__
from briefer.errors import EXIT_OK, EXIT_PARTIAL, BrieferError
from briefer.options import (
    DEFAULT_ALGORITHM,
    DEFAULT_SENTENCES,
    MakeOptions,
    check_length,
    check_period,
    parse_date,
    parse_formats,
)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Turn a pile of news articles into a dated, extractive briefing.",
)


def _fail(error: BrieferError) -> typer.Exit:
    typer.echo(f"briefer: error: {error}", err=True)
    return typer.Exit(error.exit_code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"briefer {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main(
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="-v for progress, -vv for detail.")
    ] = 0,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """briefer reads articles (text, Markdown, HTML, JSON, feeds) and writes a briefing."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(stream=sys.stderr, level=level, format="briefer: %(message)s", force=True)
    # trafilatura logs every unparseable page at ERROR; ingest already reports each bad file once.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL if verbose < 2 else logging.DEBUG)


@app.command()
def make(
    since: Annotated[
        str | None, typer.Option(help="First day of the period, YYYY-MM-DD (inclusive).")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Last day of the period, YYYY-MM-DD; the briefing's date.")
    ] = None,
    inputs: Annotated[
        list[Path] | None,
        typer.Option("--input", "-i", help="File or folder of articles; repeatable."),
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder the briefing files are written to.")] = Path(
        "briefings"
    ),
    formats: Annotated[str, typer.Option("--format", help="Comma-separated: md,html,txt.")] = "md",
    themes: Annotated[
        Path | None, typer.Option(help="Themes file (default: themes.toml beside the input).")
    ] = None,
    sentences: Annotated[
        int, typer.Option(help="Summary sentences per article.")
    ] = DEFAULT_SENTENCES,
    words: Annotated[int | None, typer.Option(help="Word budget per article summary.")] = None,
    algorithm: Annotated[
        str, typer.Option(help="Sentence scorer: default, lead, lexrank, textrank, lsa, ...")
    ] = DEFAULT_ALGORITHM,
    explain: Annotated[
        bool, typer.Option(help="Show the terms that placed each story under its theme.")
    ] = False,
    templates: Annotated[
        Path | None, typer.Option(help="Folder of templates overriding the shipped ones.")
    ] = None,
) -> None:
    """Make the briefing for a period and write it to the output folder."""
    from briefer.pipeline import default_themes_path
    from briefer.pipeline import make as make_briefing

    try:
        until_date = parse_date(until, "--until") if until else dt.date.today()
        since_date = parse_date(since, "--since") if since else None
        check_period(since_date, until_date)
        check_length(sentences, words)
        input_paths = tuple(inputs) if inputs else (Path("samples"),)
        options = MakeOptions(
            inputs=input_paths,
            out=out,
            since=since_date,
            until=until_date,
            formats=parse_formats(formats),
            themes=themes if themes is not None else default_themes_path(input_paths),
            sentences=sentences,
            words=words,
            algorithm=algorithm,
            explain=explain,
            templates=templates,
        )
        result = make_briefing(options)
    except BrieferError as error:
        raise _fail(error) from None
    for skipped in result.failed:
        typer.echo(f"briefer: skipped {skipped.path}: {skipped.reason}", err=True)
    for path in result.paths:
        typer.echo(str(path))
    if result.failed:
        raise typer.Exit(EXIT_PARTIAL)


@app.command("summarize")
def summarize_command(
    file: Annotated[
        Path, typer.Argument(help="An article file (text, Markdown, HTML, JSON, feed).")
    ],
    sentences: Annotated[int, typer.Option(help="Summary sentences.")] = DEFAULT_SENTENCES,
    words: Annotated[int | None, typer.Option(help="Word budget.")] = None,
    algorithm: Annotated[str, typer.Option(help="Sentence scorer.")] = DEFAULT_ALGORITHM,
) -> None:
    """Print one article's summary, one sentence per line."""
    from briefer.pipeline import summarize_file

    try:
        check_length(sentences, words)
        results = summarize_file(file, sentences, algorithm, words)
    except BrieferError as error:
        raise _fail(error) from None
    for index, (article, summary) in enumerate(results):
        if len(results) > 1:
            if index:
                typer.echo("")
            typer.echo(f"# {article.title or article.path}")
        for sentence in summary.sentences:
            typer.echo(sentence.text)


eval_app = typer.Typer(
    no_args_is_help=True, help="Measure briefer on labelled data (needs the eval extra)."
)
app.add_typer(eval_app, name="eval")


@eval_app.command("summaries")
def eval_summaries(
    file: Annotated[Path, typer.Argument(help="JSONL rows with id, article, reference.")],
    algorithm: Annotated[
        str, typer.Option(help="A sentence scorer, or 'all' for every one of them.")
    ] = DEFAULT_ALGORITHM,
    sentences: Annotated[int, typer.Option(help="Summary sentences.")] = DEFAULT_SENTENCES,
    words: Annotated[int | None, typer.Option(help="Word budget.")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first K rows.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """ROUGE-1/2/Lsum and articles per second of the sentence scorers."""
    import json
    from dataclasses import asdict

    from briefer.evaluate import evaluate_summaries
    from briefer.pipeline import check_algorithm
    from briefer.summarize import ALGORITHMS

    try:
        check_length(sentences, words)
        if algorithm != "all":
            check_algorithm(algorithm)
        algorithms = ALGORITHMS if algorithm == "all" else (algorithm,)
        scores = evaluate_summaries(file, algorithms, sentences, words, limit)
    except BrieferError as error:
        raise _fail(error) from None
    if as_json:
        typer.echo(json.dumps([asdict(score) for score in scores], indent=2))
        return
    typer.echo(f"{'algorithm':<10} {'n':>5} {'R1':>6} {'R2':>6} {'RLsum':>6} {'art/s':>9}")
    for score in scores:
        typer.echo(
            f"{score.algorithm:<10} {score.n:>5} {score.rouge1:>6.2f} {score.rouge2:>6.2f} "
            f"{score.rougeLsum:>6.2f} {score.articles_per_second:>9.1f}"
        )
