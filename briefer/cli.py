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
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

from briefer import __version__
from briefer.errors import EXIT_NOT_SENT, EXIT_OK, EXIT_PARTIAL, BrieferError, OptionsError
from briefer.options import DEFAULT_ALGORITHM, DEFAULT_SENTENCES, MakeOptions, check_length

if TYPE_CHECKING:
    from briefer.config import Config
    from briefer.mail import EmailResult, Mailing
    from briefer.records import Briefing


def _plain_help_option(option: Any) -> Any:
    if option is not None:
        option.metavar = ""  # a flag takes no value: no `<bool>` beside --help
    return option


class _Command(TyperCommand):
    """A command whose help shows readable metavars (FILE, URL...) and no `<path>`-style types:
    typer writes the type beside every argument and beside --help, where a metavar (or, for
    a flag, nothing) already says what to give."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument) and param.metavar is not None:
                param.__class__ = _Argument

    def get_help_option(self, ctx: Any) -> Any:
        return _plain_help_option(super().get_help_option(ctx))


class _Group(TyperGroup):
    def get_help_option(self, ctx: Any) -> Any:
        return _plain_help_option(super().get_help_option(ctx))


class _Argument(TyperArgument):
    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def display_type(self, ctx: Any) -> str:
        return ""


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Turn a pile of news articles into a dated, extractive briefing.",
)


def _fail(error: BrieferError, code: int | None = None) -> typer.Exit:
    """One line on stderr and the error's documented exit code (or code, when given)."""
    typer.echo(f"briefer: error: {error}", err=True)
    return typer.Exit(error.exit_code if code is None else code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"briefer {__version__}")
        raise typer.Exit(EXIT_OK)


# ---- logging: only on the `briefer` logger hierarchy -------------------------------------------


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """Ours, so a second configuration (another -v, another CliRunner call) replaces it."""


def _configure_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logger = logging.getLogger("briefer")
    for handler in [h for h in logger.handlers if isinstance(h, _Handler)]:
        logger.removeHandler(handler)
    handler = _Handler(sys.stderr)  # the stderr of this call (CliRunner swaps it per call)
    handler.setFormatter(logging.Formatter("briefer: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    # trafilatura logs every unparseable page at ERROR, and Python's last-resort handler would
    # print it; ingest already reports each bad file once, as one line of ours.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL if verbose < 2 else logging.DEBUG)


def _verbosity(ctx: typer.Context, value: int) -> int:
    # -v before and after the subcommand add up: `briefer -v make -v` is -vv.
    total = int(ctx.meta.get("briefer.verbose", 0)) + value
    ctx.meta["briefer.verbose"] = total
    _configure_logging(total)
    return value


Verbose = Annotated[
    int,
    typer.Option(
        "--verbose",
        "-v",
        count=True,
        metavar="",
        callback=_verbosity,
        expose_value=False,
        show_default=False,
        help="-v for progress, -vv for detail.",
    ),
]
Config_ = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="Settings file (default: briefer.toml here, if there is one).",
    ),
]


@app.callback()
def main(
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            metavar="",
            callback=_verbosity,
            show_default=False,
            help="-v for progress, -vv for detail (also accepted after the command).",
        ),
    ] = 0,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, metavar="", help="Show the version."
        ),
    ] = False,
) -> None:
    """briefer reads articles (text, Markdown, HTML, JSON, feeds) and writes a briefing."""


def _settings(config_file: Path | None) -> Config:
    from briefer.config import load_config

    return load_config(Path.cwd(), os.environ, config_file)


def _options(config: Config, flags: dict[str, object]) -> MakeOptions:
    from briefer.config import make_options

    return make_options(config, flags, dt.date.today())


@app.command(cls=_Command)
def make(
    since: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="First day of the period, YYYY-MM-DD (inclusive)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            metavar="DATE", help="Last day of the period, YYYY-MM-DD; the briefing's date."
        ),
    ] = None,
    inputs: Annotated[
        list[str] | None,
        typer.Option(
            "--input",
            "-i",
            metavar="PATH",
            help="File, folder, feed URL or page URL of articles; repeatable.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            metavar="PATH", help="Folder the briefing files are written to (default: briefings)."
        ),
    ] = None,
    formats: Annotated[
        str | None,
        typer.Option(
            "--format", metavar="FORMATS", help="Comma-separated: md,html,txt,json (default: md)."
        ),
    ] = None,
    themes: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Themes file (default: themes.toml beside the input)."),
    ] = None,
    sentences: Annotated[
        int | None,
        typer.Option(
            metavar="N", help=f"Summary sentences per article (default: {DEFAULT_SENTENCES})."
        ),
    ] = None,
    words: Annotated[
        int | None, typer.Option(metavar="N", help="Word budget per article summary.")
    ] = None,
    algorithm: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help=f"Sentence scorer: default, lead, lexrank, ... (default: {DEFAULT_ALGORITHM})",
        ),
    ] = None,
    explain: Annotated[
        bool | None,
        typer.Option(metavar="", help="Show the terms that placed each story under its theme."),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(metavar="PATH", help="Folder of templates overriding the shipped ones."),
    ] = None,
    config_file: Config_ = None,
    email: Annotated[
        str | None,
        typer.Option(
            "--email",
            "--to",
            metavar="ADDRESSES",
            help="Email the briefing to these addresses, comma-separated.",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", metavar="", help="With --email: write OUT/DATE.eml, send nothing."
        ),
    ] = False,
    cache: Annotated[
        bool | None,
        typer.Option(
            "--cache/--no-cache",
            metavar="",
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
    verbose: Verbose = 0,
) -> None:
    """Make the briefing for a period and write it to the output folder.

    Every option left out is taken from its BRIEFER_* environment variable, else from
    briefer.toml, else from the default shown.
    """
    from briefer.pipeline import make as make_briefing

    flags: dict[str, object] = {
        "since": since,
        "until": until,
        "inputs": inputs or None,
        "out": out,
        "formats": formats,
        "themes": themes,
        "sentences": sentences,
        "words": words,
        "algorithm": algorithm,
        "explain": explain,
        "templates": templates,
        "cache": cache,
        "undated": undated,
    }
    try:
        config = _settings(config_file)
        options = _options(config, flags)
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


@app.command("summarize", cls=_Command)
def summarize_command(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="An article file (text, Markdown, HTML, JSON, feed)."),
    ],
    sentences: Annotated[
        int | None,
        typer.Option(metavar="N", help=f"Summary sentences (default: {DEFAULT_SENTENCES})."),
    ] = None,
    words: Annotated[int | None, typer.Option(metavar="N", help="Word budget.")] = None,
    algorithm: Annotated[
        str | None,
        typer.Option(metavar="NAME", help=f"Sentence scorer (default: {DEFAULT_ALGORITHM})."),
    ] = None,
    config_file: Config_ = None,
    verbose: Verbose = 0,
) -> None:
    """Print one article's summary, one sentence per line.

    --sentences, --words and --algorithm left out are taken from the environment, else from
    briefer.toml, as for `briefer make`.
    """
    from briefer.pipeline import summarize_file

    flags: dict[str, object] = {"sentences": sentences, "words": words, "algorithm": algorithm}
    try:
        options = _options(_settings(config_file), flags)
        results = summarize_file(file, options.sentences, options.algorithm, options.words)
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
    cls=_Group,
    no_args_is_help=True,
    help="Measure briefer on labelled data (needs the eval extra).",
)
app.add_typer(eval_app, name="eval")


_Json = Annotated[bool, typer.Option("--json", metavar="", help="Print JSON instead of a table.")]


@eval_app.command("summaries", cls=_Command)
def eval_summaries(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="JSONL rows with id, article, reference.")
    ],
    algorithm: Annotated[
        str,
        typer.Option(metavar="NAME", help="A sentence scorer, or 'all' for every one of them."),
    ] = DEFAULT_ALGORITHM,
    sentences: Annotated[
        int, typer.Option(metavar="N", help="Summary sentences.")
    ] = DEFAULT_SENTENCES,
    words: Annotated[int | None, typer.Option(metavar="N", help="Word budget.")] = None,
    limit: Annotated[int | None, typer.Option(metavar="N", help="Only the first N rows.")] = None,
    as_json: _Json = False,
    verbose: Verbose = 0,
) -> None:
    """ROUGE-1/2/Lsum and articles per second of the sentence scorers.

    Reads no settings: a measurement is the same on every machine."""
    import json
    from dataclasses import asdict

    from briefer.evaluation.summaries import evaluate_summaries
    from briefer.options import ALGORITHMS, check_algorithm

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


@app.command("fetch", cls=_Command)
def fetch_command(
    urls: Annotated[
        list[str], typer.Argument(metavar="URL...", help="Feed or page URLs (http or https).")
    ],
    into: Annotated[
        Path | None,
        typer.Option(
            metavar="PATH",
            help="Folder the articles are saved into (default: the first input folder).",
        ),
    ] = None,
    pages: Annotated[
        bool,
        typer.Option(metavar="", help="Fetch an entry's page when its feed gives only a summary."),
    ] = True,
    timeout: Annotated[
        float, typer.Option(metavar="SECONDS", help="Seconds to wait for a server.")
    ] = 15.0,
    retries: Annotated[
        int, typer.Option(metavar="N", help="Retries after a 429, 5xx or timeout.")
    ] = 3,
    config_file: Config_ = None,
    verbose: Verbose = 0,
) -> None:
    """Fetch feeds and pages and save each new article as front-matter Markdown.

    A page already saved in the folder (same canonical URL) is neither fetched nor written
    again. A feed entry with only a short summary is saved with its page's full text.
    """
    from briefer.fetch import fetch_into
    from briefer.options import FetchSettings, is_url

    try:
        if into is None:
            configured = _settings(config_file).make.inputs
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


def _plan_mailing(
    config: Config, flag: str | None, dry_run: bool, flag_name: str = "--email"
) -> Mailing | None:
    from briefer.mail import plan_mailing

    # briefer.toml's smtp_* values (already overridden by the environment) as the base the
    # mailer lays the environment over; the password only ever comes from the environment.
    base = {
        "smtp_host": config.smtp_host,
        "smtp_port": config.smtp_port,
        "smtp_user": config.smtp_user,
        "smtp_security": config.smtp_security,
        "smtp_from": config.smtp_from,
        "smtp_timeout": config.smtp_timeout,
    }
    return plan_mailing(flag, config.email, os.environ, base, dry_run, flag_name)


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
    """Email the briefing just written; on any failure one line and exit 3, files kept
    (a delivery, rendering or template problem alike: the briefing itself is written)."""
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
        raise _fail(error, EXIT_NOT_SENT) from None
    _report_email(result, len(briefing.stories))


@app.command("send", cls=_Command)
def send_command(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="A briefing written by make: DATE.md, DATE.html or DATE.txt."
        ),
    ],
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            "--email",
            metavar="ADDRESSES",
            help="Recipients, comma-separated (default: email in briefer.toml).",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", metavar="", help="Write DATE.eml beside FILE, send nothing."),
    ] = False,
    config_file: Config_ = None,
    verbose: Verbose = 0,
) -> None:
    """Email a briefing made earlier, from the DATE.html and DATE.txt beside FILE."""
    from briefer.mail import briefing_siblings, email_file

    try:
        briefing_siblings(file)  # the file's problems first: they say what to run
        mailing = _plan_mailing(_settings(config_file), to, dry_run, "--to")
        if mailing is None:
            raise OptionsError(
                "no one to send it to; pass --to ADDRESSES or set email in briefer.toml"
            )
        result = email_file(file, mailing.recipients, mailing.settings, dry_run=dry_run)
    except BrieferError as error:
        raise _fail(error) from None
    _report_email(result, None)


@eval_app.command("clusters", cls=_Command)
def eval_clusters(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="JSONL rows with id, title, date, text, label."),
    ],
    as_json: _Json = False,
    verbose: Verbose = 0,
) -> None:
    """Cluster labelled articles into stories: B-cubed precision/recall/F1, ARI and NMI."""
    import json
    from dataclasses import asdict

    from briefer.evaluation.groups import evaluate_clusters

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


@eval_app.command("themes", cls=_Command)
def eval_themes(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="JSONL rows with title, text and label.")
    ],
    themes: Annotated[Path, typer.Option(metavar="FILE", help="The themes file to score against.")],
    map_label: Annotated[
        list[str] | None,
        typer.Option(
            metavar="LABEL=THEME",
            help="Read label LABEL as theme THEME; repeatable.",
        ),
    ] = None,
    mistakes: Annotated[
        bool, typer.Option(metavar="", help="List the misfiled articles too.")
    ] = False,
    as_json: _Json = False,
    verbose: Verbose = 0,
) -> None:
    """Accuracy and macro-F1 of the primary theme against labels ("Other" for none)."""
    import json
    from dataclasses import asdict

    from briefer.evaluation.groups import evaluate_themes, parse_label_map

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


@app.command("themes", cls=_Command)
def themes_command(
    inputs: Annotated[
        list[str] | None,
        typer.Option(
            "--input",
            "-i",
            metavar="PATH",
            help="File or folder of articles; repeatable (default: input in briefer.toml).",
        ),
    ] = None,
    themes: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Themes file (default: themes.toml beside the input)."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="Only articles from this day on, YYYY-MM-DD."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="Only articles up to this day, YYYY-MM-DD."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Print JSON instead of text.")
    ] = False,
    config_file: Config_ = None,
    verbose: Verbose = 0,
) -> None:
    """List each theme with its articles, their scores and the terms that matched.

    --input and --themes left out are taken from the environment, else from briefer.toml,
    as for `briefer make`; without --since and --until every article is listed.
    """
    import json

    from briefer.evaluation.themes_report import themes_report, themes_report_data

    flags: dict[str, object] = {"inputs": inputs or None, "themes": themes}
    flags.update(since=since, until=until)
    try:
        options = _options(_settings(config_file), flags)
        if options.themes is None:
            raise OptionsError(
                "no themes file given and no themes.toml beside the input; pass --themes FILE"
            )
        dated = since is not None or until is not None
        report = themes_report(
            options.inputs,
            options.themes,
            since=options.since,
            until=options.until if dated else None,
        )
    except BrieferError as error:
        raise _fail(error) from None
    if report.outside:
        typer.echo(
            f"briefer: {report.outside} articles outside the period (or undated) left out",
            err=True,
        )
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
                    near = "; ".join(fit.why) if fit.why else "no theme terms"
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
