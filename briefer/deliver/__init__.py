"""Write the rendered briefing to the output folder, atomically, one file per format.

Every format is rendered before anything touches the disk, so a broken template writes
nothing. Each file is written by briefer.files: in full to a hidden temporary file, then
renamed over the target, so a reader (or a crash) never sees a half-written briefing. The
index is rebuilt and written under a lock on its records folder, so runs at the same time
never lose an entry.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from briefer.deliver.index import RECORDS_DIR, index_files
from briefer.errors import DeliveryError, OptionsError
from briefer.files import locked, reason, write_files
from briefer.records import Briefing

log = logging.getLogger(__name__)

_FIX = "make it a folder you can write to, or choose another with --out"


def output_path(briefing: Briefing, out: Path, fmt: str) -> Path:
    return out / f"{briefing.date.isoformat()}.{fmt}"


def write_briefing(
    briefing: Briefing,
    out: Path,
    formats: Sequence[str],
    templates: Path | None = None,
    explain: bool = False,
    index: bool = False,
) -> list[Path]:
    """Write `<out>/<date>.<fmt>` for each format, creating out if needed; the paths written,
    in format order. A render error writes nothing; a write error leaves no partial file.
    With index, the briefing's record and `<out>/index.md` are rewritten too
    (briefer.deliver.index)."""
    from briefer.render import render_all  # Jinja: only for a run that writes

    wanted = list(dict.fromkeys(formats))  # a format named twice is written once
    if not wanted:
        raise OptionsError("no output format given; choose from md, html, txt")
    rendered = render_all(briefing, wanted, templates, explain)
    files = [(output_path(briefing, out, fmt), text.encode("utf-8")) for fmt, text in rendered]
    if out.exists() and not out.is_dir():
        raise DeliveryError(
            f"cannot write the briefing to {out}: it is a file, not a folder; "
            "choose another with --out"
        )
    if not index:
        return write_files(files, _FIX)
    try:
        (out / RECORDS_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DeliveryError(
            f"cannot write the briefing to {out}: {reason(error)}; {_FIX}"
        ) from error
    # The index lists the briefing files in the folder: read and rewritten by one run at a time.
    with locked(out / RECORDS_DIR):
        files += index_files(briefing, out, wanted, templates)
        written = write_files(files, _FIX)
    return written[: len(rendered)]  # the briefing itself; the index is bookkeeping
