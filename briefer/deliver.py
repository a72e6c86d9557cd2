"""Write the rendered briefing to the output folder, atomically, one file per format.

Every format is rendered before anything touches the disk, so a broken template writes
nothing. Each file is first written in full to a hidden temporary file in the output folder
and then renamed over the target, so a reader (or a crash) never sees a half-written briefing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from briefer.errors import DeliveryError, OptionsError
from briefer.index import index_files
from briefer.records import Briefing
from briefer.render import render_all

log = logging.getLogger(__name__)


def output_path(briefing: Briefing, out: Path, fmt: str) -> Path:
    return out / f"{briefing.date.isoformat()}.{fmt}"


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _unwritable(folder: Path, error: OSError) -> DeliveryError:
    return DeliveryError(
        f"cannot write the briefing to {folder}: {_reason(error)}; "
        "make it a folder you can write to, or choose another with --out"
    )


def _write_temp(target: Path, data: bytes) -> Path:
    """The data in full, on disk, in a new hidden file beside target; its path."""
    while True:
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            # "x" creates the file with the usual 0o666 & ~umask mode, unlike mkstemp's 0o600,
            # so the renamed briefing has the permissions any other new file would have.
            with open(temp, "xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except FileExistsError:
            continue  # another run's temporary file: pick a new name, never touch theirs
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
            raise
        return temp


def _sync_folder(folder: Path) -> None:
    # Makes the renames themselves durable; not every platform can open a folder.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


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
    With index, the briefing's record and `<out>/index.md` are rewritten too (briefer.index)."""
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
    if index:
        files += index_files(briefing, out, wanted, templates)
    folders = list(dict.fromkeys(path.parent for path, _ in files))
    try:
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _unwritable(out, error) from error

    targets = [path for path, _ in files]
    for target in targets:
        if target.is_dir():
            raise DeliveryError(
                f"cannot write {target}: a folder of that name is in the way; move it or "
                "choose another --out"
            )

    # All temporary files first, then the renames: a full disk or a write error half-way
    # leaves every existing briefing untouched.
    temps: list[Path] = []
    try:
        try:
            for target, data in files:
                temps.append(_write_temp(target, data))
        except OSError as error:
            raise _unwritable(out, error) from error
        written: list[Path] = []
        for temp, target in zip(temps, targets, strict=True):
            try:
                os.replace(temp, target)
            except OSError as error:
                raise DeliveryError(
                    f"cannot write {target}: {_reason(error)}; check the output folder "
                    f"{out} and try again"
                ) from error
            written.append(target)
            log.info("wrote %s", target)
    finally:
        for temp in temps:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
    for folder in folders:
        _sync_folder(folder)
    return written[: len(rendered)]  # the briefing itself; the index is bookkeeping


def write_file(target: Path, data: bytes) -> Path:
    """One file written the way the briefing is: in full to a hidden temporary file beside
    target, then renamed over it, so no reader ever sees it half-written. Used for the
    email's `--dry-run` copy."""
    if target.is_dir():
        raise DeliveryError(f"cannot write {target}: a folder of that name is in the way; move it")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = _write_temp(target, data)
    except OSError as error:
        raise _unwritable(target.parent, error) from error
    try:
        os.replace(temp, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise DeliveryError(
            f"cannot write {target}: {_reason(error)}; check the folder {target.parent}"
        ) from error
    _sync_folder(target.parent)
    log.info("wrote %s", target)
    return target
