"""Every error briefer raises on purpose. Each message says what to do next.

Exit codes (documented in the README's "Exit codes"; tests/test_cli.py has one test each):
  0  the briefing was written (and emailed, when asked) and every input was read
  1  the briefing was written, but some inputs failed (listed on stderr and in the footer);
     for `briefer fetch` and `briefer themes`, some URLs or files failed
  2  nothing was written: bad options, a bad themes, config or template file, an unreadable
     file for `summarize`, or no usable input at all (no empty briefing is ever written)
  3  the briefing was written (or, for `briefer send`, read) but could not be emailed, for
     any reason: the server, a recipient, the e-mail's rendering. This wins over 1.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_NOT_SENT = 3


class BrieferError(Exception):
    """Base class: a problem the user can fix. The CLI prints it as one line."""

    exit_code = EXIT_USAGE


class InputError(BrieferError):
    """An input file or folder that cannot be read as an article.

    Raised per file by ingest; the pipeline records it as skipped and carries on.
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
    """Every article was left out or failed: nothing is written (exit 2)."""


class RenderError(BrieferError):
    """A template failed to render."""


class DeliveryError(BrieferError):
    """The briefing could not be written or sent."""


class SendError(DeliveryError):
    """The email could not be sent (to some or all recipients); the briefing files stay."""

    exit_code = EXIT_NOT_SENT
