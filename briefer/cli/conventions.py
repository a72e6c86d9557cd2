"""What every command shares: help that shows readable metavars, -v/-vv after any command,
logging on the `briefer` logger only, one error line with its exit code, the settings, and
the progress bar on stderr."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import difflib
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

from briefer.errors import BrieferError
from briefer.options import DEFAULT_ALGORITHM, DEFAULT_SENTENCES

if TYPE_CHECKING:
    from briefer.records import Config, MakeOptions


def _plain_help_option(option: Any) -> Any:
    if option is not None:
        option.metavar = ""  # a flag takes no value: no `<bool>` beside --help
    return option


class Command(TyperCommand):
    """A command whose help shows readable metavars (FILE, URL...) and no `<path>`-style types:
    typer writes the type beside every argument and beside --help, where a metavar (or, for
    a flag, nothing) already says what to give."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument) and param.metavar is not None:
                param.__class__ = _Argument
                # typer before 0.29 (click's parameters) labels an argument by its type's
                # metavar (<path> when it has none): an empty one says nothing, as
                # display_type does from 0.29 on (typer's own parameters, with no click type).
                kind = getattr(param, "type", None)
                if kind is not None:
                    unlabelled = copy.copy(kind)
                    unlabelled.get_metavar = _no_metavar
                    setattr(param, "type", unlabelled)  # noqa: B010 (typer 0.29 types it out)

    def get_help_option(self, ctx: Any) -> Any:
        return _plain_help_option(super().get_help_option(ctx))


def _no_metavar(*args: Any, **kwargs: Any) -> str:
    return ""


class Group(TyperGroup):
    def get_help_option(self, ctx: Any) -> Any:
        return _plain_help_option(super().get_help_option(ctx))

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; a mistake on it (unknown option or command, a bad or missing
        value) is one `briefer: error:` line and exit code 2, as every other error is, instead
        of the parser's boxed usage message."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except _PARSER.ClickException as error:
            typer.echo(f"briefer: error: {_parser_message(error)}", err=True)
            sys.exit(error.exit_code)
        except typer.Abort:  # typer's own (typer._click has none): a prompt's end of input
            typer.echo("briefer: aborted", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


# The parser's exceptions: click's, or from typer 0.28 on the copy of click typer carries
# (typer._click); typer.BadParameter is one of them either way, so its module is the one.
_PARSER = sys.modules[
    next(
        kind for kind in typer.BadParameter.__mro__ if kind.__name__ == "ClickException"
    ).__module__
]


def _parser_message(error: Any) -> str:
    """The parser's complaint and where to look: "no such option: --bogus; see 'briefer make
    --help'". Click's own "Possible options" list offers any option that shares a few letters
    (--out and --verbose for --bogus), so only a near spelling is offered."""
    if isinstance(error, _PARSER.NoSuchOption):
        message = f"no such option: {error.option_name}"
        near = difflib.get_close_matches(error.option_name, error.possibilities or (), 1, 0.75)
        if near:
            message += f" (did you mean {near[0]}?)"
    else:
        message = error.format_message().strip().rstrip(".")
        message = message[:1].lower() + message[1:] if message[1:2].islower() else message
    context = getattr(error, "ctx", None)
    if isinstance(error, _PARSER.UsageError) and context is not None:
        # named `briefer` whatever the program was called as (python -m briefer, a test runner)
        command = " ".join(["briefer", *context.command_path.split()[1:]])
        message += f"; see '{command} --help'"
    return message.replace("\n", " ")


class _Argument(TyperArgument):
    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def display_type(self, ctx: Any) -> str:
        return ""


def fail(error: BrieferError, code: int | None = None) -> typer.Exit:
    """One line on stderr and the error's documented exit code (or code, when given)."""
    typer.echo(f"briefer: error: {error}", err=True)
    return typer.Exit(error.exit_code if code is None else code)


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


def verbosity(ctx: typer.Context, value: int) -> int:
    # -v before and after the subcommand add up: `briefer -v make -v` is -vv.
    total = int(ctx.meta.get("briefer.verbose", 0)) + value
    ctx.meta["briefer.verbose"] = total
    _configure_logging(total)
    return value


# Each command declares `verbose: Verbose = 0` so -v/-vv are accepted after its name too; the
# callback does the work and the value is never passed to the command (expose_value=False).
Verbose = Annotated[
    int,
    typer.Option(
        "--verbose",
        "-v",
        count=True,
        metavar="",
        callback=verbosity,
        expose_value=False,
        show_default=False,
        help="-v for progress, -vv for detail.",
    ),
]
ConfigFile = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="Settings file (default: briefer.toml here, if there is one).",
    ),
]
# Options that several commands share, declared once so their flag, metavar and help agree.
Inputs = Annotated[
    list[str] | None,
    typer.Option(
        "--input",
        "-i",
        metavar="PATH",
        help="File, folder, feed URL or page URL of articles; repeatable.",
    ),
]
Since = Annotated[
    str | None,
    typer.Option(metavar="DATE", help="First day of the period, YYYY-MM-DD (inclusive)."),
]
Until = Annotated[
    str | None,
    typer.Option(
        metavar="DATE", help="Last day of the period, YYYY-MM-DD (inclusive); the briefing's date."
    ),
]
ThemesFile = Annotated[
    Path | None,
    typer.Option(
        "--themes", metavar="FILE", help="Themes file (default: themes.toml beside the input)."
    ),
]
Sentences = Annotated[
    int | None,
    typer.Option(
        "--sentences",
        metavar="N",
        help=f"Summary sentences per article, at most (default: {DEFAULT_SENTENCES}).",
    ),
]
Words = Annotated[
    int | None,
    typer.Option("--words", metavar="N", help="Word budget per article summary."),
]
Algorithm = Annotated[
    str | None,
    typer.Option(
        "--algorithm",
        metavar="NAME",
        help=f"Sentence scorer: default, lead, lexrank, ... (default: {DEFAULT_ALGORITHM}).",
    ),
]


def load_settings(config_file: Path | None) -> Config:
    from briefer.config import load_config

    return load_config(Path.cwd(), os.environ, config_file)


def options_from(config: Config, flags: dict[str, object]) -> MakeOptions:
    from briefer.config import make_options

    return make_options(config, flags, dt.date.today())


# ---- progress ----------------------------------------------------------------------------------


@contextlib.contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None] | None]:
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
