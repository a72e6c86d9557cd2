"""Every error briefer raises on purpose. Each message says what to do next.

Exit codes (documented in the README):
  0  the briefing was written and every input was read
  1  the briefing was written, but some inputs failed (listed on stderr and in the footer)
  2  nothing was written: bad options, a bad themes or config file, no usable input, or
     worker processes that cannot start
  3  the briefing was written (or, for `briefer send`, read) but could not be emailed
  130  stopped by Ctrl-C (typer's own mapping): nothing half-written, the store keeps what
       the run worked out
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefer.records import Coverage

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_NOT_SENT = 3


class BrieferError(Exception):
    """Base class: a problem the user can fix. The CLI prints it as one line."""

    exit_code = EXIT_USAGE


class InputError(BrieferError):
    """An input file or folder that cannot be read as an article.

    Raised per file by ingest; the pipeline records it as skipped and carries on. Raised
    from the store to stop the run when a file changed while briefer read it (its text can be
    had neither from the store's row nor from the file as it was first read).
    """

    def __init__(self, path: str, problem: str, fix: str = "") -> None:
        self.path = path
        self.problem = problem
        self.fix = fix
        message = f"{path}: {problem}"
        if fix:
            message += f"; {fix}"
        super().__init__(message)


class ThemesError(BrieferError):
    """The themes file is missing, malformed or incomplete."""


class OptionsError(BrieferError):
    """A command-line option or configuration value is not acceptable."""


class NothingToBrief(BrieferError):
    """Every article was left out or failed: nothing is written (exit 2). coverage says
    what was read and left out, for callers that account for every input."""

    def __init__(self, message: str, coverage: Coverage) -> None:
        super().__init__(message)
        self.coverage = coverage


class RenderError(BrieferError):
    """A template failed to render."""


class DeliveryError(BrieferError):
    """The briefing could not be written or sent."""


class WorkersError(BrieferError):
    """briefer's worker processes end as they start, again and again: nothing is written."""


class SendError(DeliveryError):
    """The email could not be sent (to some or all recipients); the briefing files stay."""

    exit_code = EXIT_NOT_SENT
