"""The command line: parse options, call one core function, map our errors to one line.

Results go to stdout; diagnostics and progress go to stderr. What every command shares is in
conventions.py; the `eval` commands are in evaluate.py.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from briefer import __version__
from briefer.cli.conventions import (
    Algorithm,
    Command,
    ConfigFile,
    Group,
    Inputs,
    Sentences,
    Since,
    ThemesFile,
    Until,
    Verbose,
    Words,
    fail,
    load_settings,
    options_from,
    progress_bar,
    verbosity,
)
from briefer.cli.evaluate import eval_app
from briefer.errors import EXIT_NOT_SENT, EXIT_OK, EXIT_PARTIAL, BrieferError, OptionsError
from briefer.tuning import ends_with_command

if TYPE_CHECKING:
    from briefer.records import Briefing, Config, EmailResult, Mailing, MakeOptions

app = typer.Typer(
    cls=Group,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Turn a pile of news articles into a dated, extractive briefing.",
)
app.add_typer(eval_app, name="eval")


def run() -> None:
    """The `briefer` command: the app, then the process ends at once (os._exit) with the
    command's exit code, its output flushed, rather than by the interpreter's finalization,
    which frees every object a run built, one by one, and collects them: after a +50 rerun on
    the 10k bench store 0.12-0.22 s of CPU and 0.18-0.49 s of wall (three runs, loaded
    machine) against 0.02 s and 0.04-0.06 s (issue 13). A command that leaves a worker
    process or another thread running ends as usual, as does an in-process caller of `app`
    (the tests' runner, the benchmarks), whose objects stay theirs."""
    ends_with_command()
    code: str | int | None = 0
    try:
        app(prog_name="briefer")
    except SystemExit as done:
        code = done.code
    if multiprocessing.active_children() or threading.active_count() > 1:
        sys.exit(code)
    if isinstance(code, str):
        print(code, file=sys.stderr)  # as sys.exit prints a message it is given
    status = code if isinstance(code, int) else 0 if code is None else 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to flush to
            stream.flush()
    os._exit(status)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"briefer {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main(
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            metavar="",
            callback=verbosity,
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


@app.command(cls=Command)
def make(
    since: Since = None,
    until: Until = None,
    inputs: Inputs = None,
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
    themes: ThemesFile = None,
    sentences: Sentences = None,
    words: Words = None,
    algorithm: Algorithm = None,
    explain: Annotated[
        bool | None,
        typer.Option(metavar="", help="Show the terms that placed each story under its theme."),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(metavar="PATH", help="Folder of templates overriding the shipped ones."),
    ] = None,
    config_file: ConfigFile = None,
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
            "--dry-run",
            metavar="",
            help="With --email: write the messages to OUT/DATE[.ADDRESS].eml, send nothing.",
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
    minutes: Annotated[
        int | None,
        typer.Option(
            metavar="N", help="Reading time of the body in minutes; 0: no limit (default: 10)."
        ),
    ] = None,
    max_stories: Annotated[
        int | None, typer.Option(metavar="N", help="At most this many stories told in full.")
    ] = None,
    top: Annotated[
        int | None, typer.Option(metavar="N", help="Top stories at the start (default: 5).")
    ] = None,
    new_only: Annotated[
        bool | None,
        typer.Option(
            "--new-only", metavar="", help="Only what earlier briefings in --out did not tell."
        ),
    ] = None,
    max_file_bytes: Annotated[
        int | None, typer.Option(metavar="N", help="Largest input file (default: 10 MB).")
    ] = None,
    max_text_chars: Annotated[
        int | None, typer.Option(metavar="N", help="Longest article text (default: 500,000).")
    ] = None,
    max_field_chars: Annotated[
        int | None,
        typer.Option(metavar="N", help="Longest title, source, URL or date (default: 2,000)."),
    ] = None,
    max_html_elements: Annotated[
        int | None, typer.Option(metavar="N", help="Most elements in a page (default: 30,000).")
    ] = None,
    max_html_attributes: Annotated[
        int | None,
        typer.Option(metavar="N", help="Most attributes in a page (default: 100,000)."),
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
        "minutes": minutes,
        "max_stories": max_stories,
        "top": top,
        "new_only": new_only,
        "max_file_bytes": max_file_bytes,
        "max_text_chars": max_text_chars,
        "max_field_chars": max_field_chars,
        "max_html_elements": max_html_elements,
        "max_html_attributes": max_html_attributes,
    }
    try:
        config = load_settings(config_file)
        options = options_from(config, flags)
        # Recipients and SMTP settings are checked before any work, the email sent after.
        mailing = _plan_mailing(config, email, dry_run)
        with progress_bar("Summarizing") as progress:
            result = make_briefing(options, progress=progress)
    except BrieferError as error:
        raise fail(error) from None
    for skipped in result.failed:
        typer.echo(f"briefer: skipped {skipped.path}: {skipped.reason}", err=True)
    for path in result.paths:
        typer.echo(str(path))
    if mailing is not None:
        _email_made(mailing, result.briefing, result.paths, options)
    if result.failed:
        raise typer.Exit(EXIT_PARTIAL)


@app.command("summarize", cls=Command)
def summarize_command(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="An article file (text, Markdown, HTML, JSON, feed)."),
    ],
    sentences: Sentences = None,
    words: Words = None,
    algorithm: Algorithm = None,
    config_file: ConfigFile = None,
    verbose: Verbose = 0,
) -> None:
    """Print one article's summary, one sentence per line.

    --sentences, --words and --algorithm left out are taken from the environment, else from
    briefer.toml, as for `briefer make`.
    """
    from briefer.pipeline import summarize_file

    flags: dict[str, object] = {"sentences": sentences, "words": words, "algorithm": algorithm}
    try:
        options = options_from(load_settings(config_file), flags)
        results = summarize_file(file, options.sentences, options.algorithm, options.words)
    except BrieferError as error:
        raise fail(error) from None
    for index, (article, summary) in enumerate(results):
        if len(results) > 1:
            if index:
                typer.echo("")
            typer.echo(f"# {article.title or article.path}")
        for sentence in summary.sentences:
            typer.echo(sentence.text)


@app.command("fetch", cls=Command)
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
    config_file: ConfigFile = None,
    verbose: Verbose = 0,
) -> None:
    """Fetch feeds and pages and save each new article as front-matter Markdown.

    A page already saved in the folder (same canonical URL) is neither fetched nor written
    again. A feed entry with only a short summary is saved with its page's full text.
    """
    from briefer.api import fetch
    from briefer.options import fetch_folder

    try:
        configured = load_settings(config_file).make
        result = fetch(
            urls,
            into if into is not None else fetch_folder(configured.inputs),
            pages=pages,
            timeout=timeout,
            retries=retries,
            limits=configured.limits,
        )
    except BrieferError as error:
        raise fail(error) from None
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
    if flag is None and not config.email and not dry_run:
        return None  # no one to email (plan_mailing's answer) without importing the mail modules
    from briefer.deliver.mail import plan_mailing

    return plan_mailing(flag, config, dry_run, flag_name)


def _report_email(result: EmailResult) -> None:
    if result.emls:
        for path in result.emls:
            typer.echo(str(path))
    else:
        typer.echo(f"briefer: emailed the briefing to {', '.join(result.sent_to)}", err=True)
    if result.omitted:
        typer.echo(
            f"briefer: the email carries the first {result.shown} of {result.total} stories "
            f"({result.omitted} left out to stay under the HTML size mail programs show whole)",
            err=True,
        )


def _email_made(
    mailing: Mailing, briefing: Briefing, paths: Sequence[Path], options: MakeOptions
) -> None:
    """Email the briefing just written; on any failure one line and exit 3, files kept
    (a delivery, rendering or template problem alike: the briefing itself is written)."""
    from briefer.deliver.mail import email_briefing

    # The email points to the full briefing when it has to leave stories out: the Markdown
    # if it was written (what a repo's web view under public_url shows), else the html or txt.
    written = {path.suffix: str(path) for path in paths}
    full_copy = written.get(".md") or written.get(".html") or written.get(".txt") or ""
    try:
        result = email_briefing(
            briefing,
            mailing,
            options.out,
            full_copy=full_copy,
            templates=options.templates,
            explain=options.explain,
        )
    except BrieferError as error:
        raise fail(error, EXIT_NOT_SENT) from None
    _report_email(result)


@app.command("send", cls=Command)
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
        typer.Option(
            "--dry-run", metavar="", help="Write DATE[.ADDRESS].eml beside FILE, send nothing."
        ),
    ] = False,
    config_file: ConfigFile = None,
    verbose: Verbose = 0,
) -> None:
    """Email a briefing made earlier, from the DATE.html and DATE.txt beside FILE."""
    from briefer.deliver.mail import briefing_siblings, email_file

    try:
        briefing_siblings(file)  # the file's problems first: they say what to run
        mailing = _plan_mailing(load_settings(config_file), to, dry_run, "--to")
        if mailing is None:
            raise OptionsError(
                "no one to send it to; pass --to ADDRESSES or set email in briefer.toml"
            )
        result = email_file(file, mailing)
    except BrieferError as error:
        raise fail(error) from None
    _report_email(result)


@app.command("themes", cls=Command)
def themes_command(
    inputs: Inputs = None,
    themes: ThemesFile = None,
    since: Since = None,
    until: Until = None,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Print JSON instead of text.")
    ] = False,
    config_file: ConfigFile = None,
    verbose: Verbose = 0,
) -> None:
    """List each theme with its articles, their scores and the terms that matched.

    --input and --themes left out are taken from the environment, else from briefer.toml,
    as for `briefer make`; without --since and --until every article is listed.
    """
    import json

    from briefer.evaluation.themes_report import (
        themes_report,
        themes_report_data,
        themes_report_text,
    )

    flags: dict[str, object] = {"inputs": inputs or None, "themes": themes}
    flags.update(since=since, until=until)
    try:
        options = options_from(load_settings(config_file), flags)
        dated = since is not None or until is not None
        report = themes_report(
            options.inputs,
            options.themes,
            since=options.since,
            until=options.until if dated else None,
            urls=options.urls,
            fetch=options.fetch,
            limits=options.limits,
        )
    except BrieferError as error:
        raise fail(error) from None
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
        typer.echo(themes_report_text(report))
    if report.failed:
        raise typer.Exit(EXIT_PARTIAL)
