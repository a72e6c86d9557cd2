"""The command line: parse options, call one core function, map our errors to one line.

Results go to stdout; diagnostics and progress go to stderr.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from briefer import __version__
from briefer.errors import EXIT_OK, EXIT_PARTIAL, BrieferError, OptionsError
from briefer.options import (
    DEFAULT_ALGORITHM,
    DEFAULT_SENTENCES,
    MakeOptions,
    check_length,
)

if TYPE_CHECKING:
    from briefer.config import Config
    from briefer.mail import EmailResult, Mailing
    from briefer.records import Briefing

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
        list[str] | None,
        typer.Option(
            "--input", "-i", help="File, folder, feed URL or page URL of articles; repeatable."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder the briefing files are written to (default: briefings)."),
    ] = None,
    formats: Annotated[
        str | None,
        typer.Option("--format", help="Comma-separated: md,html,txt,json (default: md)."),
    ] = None,
    themes: Annotated[
        Path | None, typer.Option(help="Themes file (default: themes.toml beside the input).")
    ] = None,
    sentences: Annotated[
        int | None,
        typer.Option(help=f"Summary sentences per article (default: {DEFAULT_SENTENCES})."),
    ] = None,
    words: Annotated[int | None, typer.Option(help="Word budget per article summary.")] = None,
    algorithm: Annotated[
        str | None,
        typer.Option(
            help=f"Sentence scorer: default, lead, lexrank, lsa, ... (default: {DEFAULT_ALGORITHM})"
        ),
    ] = None,
    explain: Annotated[
        bool | None, typer.Option(help="Show the terms that placed each story under its theme.")
    ] = None,
    templates: Annotated[
        Path | None, typer.Option(help="Folder of templates overriding the shipped ones.")
    ] = None,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config", help="Settings file (default: briefer.toml here, if there is one)."
        ),
    ] = None,
    email: Annotated[
        str | None,
        typer.Option(help="Email the briefing to these addresses, comma-separated."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With --email: write <out>/<date>.eml, send nothing.")
    ] = False,
    cache: Annotated[
        bool | None,
        typer.Option(
            "--cache/--no-cache",
            help="Reuse and keep the article store, .briefer/ beside --out (default: on).",
        ),
    ] = None,
    undated: Annotated[
        str | None,
        typer.Option(
            metavar="first-seen|skip",
            help="Articles without a date: placed by the day first seen, or left out "
            "(default: first-seen).",
        ),
    ] = None,
) -> None:
    """Make the briefing for a period and write it to the output folder.

    Every option left out is taken from its BRIEFER_* environment variable, else from
    briefer.toml, else from the default shown.
    """
    from briefer.config import MakeFlags, load_config, make_options
    from briefer.pipeline import make as make_briefing

    flags = MakeFlags(
        since=since,
        until=until,
        inputs=tuple(inputs or ()),
        out=out,
        formats=formats,
        themes=themes,
        sentences=sentences,
        words=words,
        algorithm=algorithm,
        explain=explain,
        templates=templates,
        cache=cache,
        undated=undated,
    )
    try:
        config = load_config(Path.cwd(), os.environ, config_file)
        options = make_options(config, flags, dt.date.today())
        # Recipients and SMTP settings are checked before any work, the email sent after.
        mailing = _plan_mailing(config, email, dry_run)
        with _progress_bar("Summarizing") as progress:
            result = make_briefing(options, progress=progress)
    except BrieferError as error:
        raise _fail(error) from None
    for skipped in result.failed:
        typer.echo(f"briefer: skipped {skipped.path}: {skipped.reason}", err=True)
    for path in result.paths:
        typer.echo(str(path))
    if mailing is not None:
        _email_made(mailing, result.briefing, result.paths, options)
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


@app.command("fetch")
def fetch_command(
    urls: Annotated[list[str], typer.Argument(help="Feed or page URLs (http or https).")],
    into: Annotated[
        Path | None,
        typer.Option(help="Folder the articles are saved into (default: the first input folder)."),
    ] = None,
    pages: Annotated[
        bool, typer.Option(help="Fetch an entry's page when its feed gives only a summary.")
    ] = True,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a server.")] = 15.0,
    retries: Annotated[int, typer.Option(help="Retries after a 429, 5xx or timeout.")] = 3,
    config_file: Annotated[
        Path | None,
        typer.Option("--config", help="Settings file naming the input folder (briefer.toml)."),
    ] = None,
) -> None:
    """Fetch feeds and pages and save each new article as front-matter Markdown.

    A page already saved in the folder (same canonical URL) is neither fetched nor written
    again. A feed entry with only a short summary is saved with its page's full text.
    """
    from briefer.config import load_config
    from briefer.fetch import fetch_into
    from briefer.options import FetchSettings, is_url

    try:
        if into is None:
            configured = load_config(Path.cwd(), os.environ, config_file).inputs
            folders = [path for path in configured if path.is_dir() or not path.suffix]
            into = folders[0] if folders else Path("samples")
        not_urls = [url for url in urls if not is_url(url)]
        if not_urls:
            raise OptionsError(f"{not_urls[0]!r} is not an http or https URL; give a full URL")
        if timeout <= 0 or retries < 0:
            raise OptionsError("--timeout must be above 0 and --retries at least 0")
        settings = FetchSettings(timeout=timeout, retries=retries, entry_pages=pages)
        result = fetch_into(urls, into, settings)
    except BrieferError as error:
        raise _fail(error) from None
    for note in result.notes:
        typer.echo(f"briefer: warning: {note.path}: {note.reason}", err=True)
    for skipped in result.failed:
        typer.echo(f"briefer: failed {skipped.path}: {skipped.reason}", err=True)
    for path in result.saved:
        typer.echo(str(path))
    typer.echo(
        f"briefer: {len(result.saved)} saved, {len(result.already)} already stored, "
        f"{len(result.failed)} failed",
        err=True,
    )
    if result.failed:
        raise typer.Exit(EXIT_PARTIAL)


# ---- email: `make --email` and `send` ---------------------------------------------------------


def _plan_mailing(config: Config, flag: str | None, dry_run: bool) -> Mailing | None:
    from briefer.mail import plan_mailing

    # briefer.toml's smtp_* values (already overridden by BRIEFER_SMTP_*) as the base the
    # BRIEFER_SMTP_* variables are laid over; the password only ever comes from the latter.
    base = {
        "smtp_host": config.smtp_host,
        "smtp_port": config.smtp_port,
        "smtp_user": config.smtp_user,
        "smtp_security": config.smtp_security,
        "smtp_from": config.smtp_from,
        "smtp_timeout": config.smtp_timeout,
    }
    return plan_mailing(flag, config.email, os.environ, base, dry_run)


def _report_email(result: EmailResult, total: int | None) -> None:
    if result.eml is not None:
        typer.echo(str(result.eml))
    else:
        typer.echo(f"briefer: emailed the briefing to {', '.join(result.sent_to)}", err=True)
    if result.omitted and result.shown is not None:
        typer.echo(
            f"briefer: the email carries the first {result.shown} of {total} stories "
            f"({result.omitted} left out to stay under the HTML size mail programs show whole)",
            err=True,
        )


def _email_made(
    mailing: Mailing, briefing: Briefing, paths: Sequence[Path], options: MakeOptions
) -> None:
    """Email the briefing just written; on failure one line and exit 3, files kept."""
    from briefer.mail import email_briefing

    # The email names the full briefing when it has to leave stories out: the html if it was
    # written, else whichever format was.
    written = {path.suffix: path.name for path in paths}
    full_copy = written.get(".html") or written.get(".md") or written.get(".txt") or ""
    try:
        result = email_briefing(
            briefing,
            mailing.recipients,
            mailing.settings,
            options.out,
            full_copy=full_copy,
            templates=options.templates,
            explain=options.explain,
            dry_run=mailing.dry_run,
        )
    except BrieferError as error:
        raise _fail(error) from None
    _report_email(result, len(briefing.stories))


@app.command("send")
def send_command(
    file: Annotated[
        Path, typer.Argument(help="A briefing written by make: <date>.md, .html or .txt.")
    ],
    to: Annotated[str, typer.Option(help="Recipients, comma-separated.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Write <date>.eml beside FILE, send nothing.")
    ] = False,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config", help="Settings file (default: briefer.toml here, if there is one)."
        ),
    ] = None,
) -> None:
    """Email a briefing made earlier, from the <date>.html and <date>.txt beside FILE."""
    from briefer.config import load_config
    from briefer.mail import briefing_siblings, email_file

    try:
        briefing_siblings(file)  # the file's problems first: they say what to run
        config = load_config(Path.cwd(), os.environ, config_file)
        mailing = _plan_mailing(config, to, dry_run)
        assert mailing is not None  # --to is required and never empty once parsed
        result = email_file(file, mailing.recipients, mailing.settings, dry_run=dry_run)
    except BrieferError as error:
        raise _fail(error) from None
    _report_email(result, None)


@eval_app.command("clusters")
def eval_clusters(
    file: Annotated[Path, typer.Argument(help="JSONL rows with id, title, date, text, label.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Cluster labelled articles into stories: B-cubed precision/recall/F1, ARI and NMI."""
    import json
    from dataclasses import asdict

    from briefer.evaluate_groups import evaluate_clusters

    try:
        scores = evaluate_clusters(file)
    except BrieferError as error:
        raise _fail(error) from None
    if as_json:
        typer.echo(json.dumps(asdict(scores), indent=2))
        return
    typer.echo(
        f"{'n':>6} {'stories':>8} {'gold':>6} {'B3-P':>6} {'B3-R':>6} {'B3-F1':>6} "
        f"{'ARI':>6} {'NMI':>6}"
    )
    typer.echo(
        f"{scores.n:>6} {scores.stories:>8} {scores.gold_stories:>6} "
        f"{scores.bcubed_precision:>6.3f} {scores.bcubed_recall:>6.3f} {scores.bcubed_f1:>6.3f} "
        f"{scores.ari:>6.3f} {scores.nmi:>6.3f}"
    )


@eval_app.command("themes")
def eval_themes(
    file: Annotated[Path, typer.Argument(help="JSONL rows with title, text and label.")],
    themes: Annotated[Path, typer.Option(help="The themes file to score against.")],
    map_label: Annotated[
        list[str] | None,
        typer.Option(help="Read label LABEL as theme THEME: 'LABEL=THEME'; repeatable."),
    ] = None,
    mistakes: Annotated[bool, typer.Option(help="List the misfiled articles too.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Accuracy and macro-F1 of the primary theme against labels ("Other" for none)."""
    import json
    from dataclasses import asdict

    from briefer.evaluate_groups import evaluate_themes, parse_label_map

    try:
        scores = evaluate_themes(file, themes, parse_label_map(map_label or []))
    except BrieferError as error:
        raise _fail(error) from None
    if as_json:
        data = asdict(scores)
        if not mistakes:
            del data["mistakes"]
        typer.echo(json.dumps(data, indent=2))
        return
    typer.echo(f"n {scores.n}  accuracy {scores.accuracy:.3f}  macro-F1 {scores.macro_f1:.3f}")
    width = max(len(label) for label in scores.labels)
    typer.echo("")
    typer.echo(
        f"{'label / filed under':<{width}}  "
        + "  ".join(f"{k + 1:>4}" for k in range(len(scores.labels)))
        + "    F1"
    )
    for k, (label, row) in enumerate(zip(scores.labels, scores.confusion, strict=True)):
        cells = "  ".join(f"{count:>4}" for count in row)
        typer.echo(f"{label:<{width}}  {cells}  {scores.per_label_f1[k]:.3f}  ({k + 1})")
    if mistakes:
        typer.echo("")
        for miss in scores.mistakes:
            why = f" ({', '.join(miss.why)})" if miss.why else ""
            typer.echo(f"{miss.label} -> {miss.predicted}: {miss.title or miss.id}{why}")


@app.command("themes")
def themes_command(
    inputs: Annotated[
        list[Path], typer.Option("--input", "-i", help="File or folder of articles; repeatable.")
    ],
    themes: Annotated[
        Path | None, typer.Option(help="Themes file (default: themes.toml beside the input).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """List each theme with its articles, their scores and the terms that matched."""
    import json

    from briefer.config import default_themes_path
    from briefer.errors import OptionsError
    from briefer.evaluate_groups import themes_report, themes_report_data
    from briefer.group import LEAD_MIN_SCORE

    try:
        themes_path = themes if themes is not None else default_themes_path(inputs)
        if themes_path is None:
            raise OptionsError(
                "no themes file given and no themes.toml beside the input; pass --themes FILE"
            )
        report = themes_report(inputs, themes_path)
    except BrieferError as error:
        raise _fail(error) from None
    for skipped in report.failed:
        typer.echo(f"briefer: skipped {skipped.path}: {skipped.reason}", err=True)
    if as_json:
        typer.echo(json.dumps(themes_report_data(report), indent=2))
    else:
        for number, theme in enumerate(report.themes):
            filed = report.filed_under(theme)
            if number:
                typer.echo("")
            typer.echo(f"{theme} ({len(filed)})")
            for fit in filed:
                title = fit.article.title or fit.article.path
                if fit.theme == theme and theme in {f.theme for f in fit.fits}:
                    mine = next(f for f in fit.fits if f.theme == theme)
                    terms = ", ".join(mine.terms) or "-"
                    also = f"; also {', '.join(fit.secondary)}" if fit.secondary else ""
                    typer.echo(f"  {mine.score:6.1f}  {title}  [{terms}{also}]")
                else:
                    best = fit.best
                    near = (
                        f"closest: {best.theme} {best.score:.1f}, headline and lead "
                        f"{best.lead_score:.1f} of {LEAD_MIN_SCORE:.1f} needed "
                        f"[{', '.join(best.terms)}]"
                        if best is not None and best.score > 0
                        else "no theme terms"
                    )
                    typer.echo(f"       -  {title}  ({near})")
    if report.failed:
        raise typer.Exit(EXIT_PARTIAL)


# ---- progress ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _progress_bar(description: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr for a long stage, or None (no bar) when stderr is not a
    terminal: logs and test output stay clean."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    # Refreshed by our own calls, not by rich's timer thread: the pipeline forks worker
    # processes, and forking while another thread holds a lock is asking for a deadlock.
    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        auto_refresh=False,
        transient=True,
    )
    task = bar.add_task(description, total=None, visible=False)
    minimum = 200  # a handful of articles is done before a bar could be read

    def update(done: int, total: int) -> None:
        if total < minimum:
            return
        bar.update(task, completed=done, total=total, visible=True)
        bar.refresh()

    with bar:
        yield update
