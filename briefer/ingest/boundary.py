"""The boundary around each input: whatever one file, entry or URL does, it becomes one
line naming it and the reason, and the rest of the batch goes on.

Expected problems are InputError, raised by the readers with a message that says what to
fix. Resource blow-ups a hostile input can cause anywhere in a parser (too deep, too big)
are turned into such a line too. Anything else is a bug in briefer or in a library: in
normal use it is still one line (with the traceback at debug level), but with
BRIEFER_RAISE_BUGS=1 (set by the test suite) it is raised, so tests never hide a bug.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import TypeVar

from briefer.errors import InputError
from briefer.records import Skipped
from briefer.safe_text import escape_controls, one_line, shorten

logger = logging.getLogger(__name__)

RAISE_BUGS_VARIABLE = "BRIEFER_RAISE_BUGS"

T = TypeVar("T")


def reason(error: InputError) -> str:
    """The line shown for an InputError (without its path): problem; fix. Bounded."""
    return printable(f"{error.problem}; {error.fix}" if error.fix else error.problem)


def printable(text: str) -> str:
    """A reason as printed: at most 500 characters, control characters escaped."""
    return escape_controls(shorten(text, 500))


def label(where: str) -> str:
    """An input's name as printed: a hostile file name cannot drive the terminal."""
    return escape_controls(shorten(where, 300))


def skipped(where: str, error: InputError) -> Skipped:
    return Skipped(label(where), reason(error))


def raise_bugs() -> bool:
    return os.environ.get(RAISE_BUGS_VARIABLE, "") not in ("", "0")


def guarded(where: str, read: Callable[[], T]) -> T | Skipped:
    """read(), or the line that reports why it failed for this input."""
    try:
        return read()
    except InputError as error:
        logger.debug("%s", error)
        return skipped(where, error)
    except RecursionError:
        return Skipped(label(where), "is nested too deeply to read; flatten it or remove it")
    except MemoryError:
        return Skipped(label(where), "needs too much memory to read; split it or remove it")
    except Exception as error:
        if raise_bugs():
            raise
        logger.debug("%s: unexpected error", where, exc_info=True)
        problem = one_line(f"{type(error).__name__}: {error}", 200)
        return Skipped(
            label(where),
            f"could not be read ({problem}); check the file, and report it if it looks fine",
        )
