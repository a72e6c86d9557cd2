"""The one way briefer writes a file: in full to a hidden temporary file beside the target,
then renamed over it, so a reader (or a crash) never sees a half-written file. Used for the
briefings and the index (briefer.deliver), the email's `--dry-run` copy and fetched articles.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path

from briefer.errors import DeliveryError

log = logging.getLogger(__name__)


def shipped_templates_dir() -> Path:
    """Where the shipped templates are: inside the package when installed from a wheel,
    else the repo's top-level templates/ folder (source tree or editable install). Here rather
    than in briefer.render so that a run can key its outputs without importing Jinja."""
    package = Path(__file__).resolve().parent  # briefer/
    packaged = package / "templates"
    if packaged.is_dir():
        return packaged
    return package.parent / "templates"


def reason(error: OSError) -> str:
    return error.strerror or str(error)


def _write_temp(target: Path, data: bytes) -> Path:
    """The data in full, on disk, in a new hidden file beside target; its path."""
    while True:
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            # "x" creates the file with the usual 0o666 & ~umask mode, unlike mkstemp's 0o600,
            # so the renamed file has the permissions any other new file would have.
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


def write_files(files: Sequence[tuple[Path, bytes]], fix: str) -> list[Path]:
    """Write every (path, data), creating folders as needed: all the temporary files first,
    then the renames, so a full disk or a write error half-way leaves every existing file
    untouched. fix ends the error message ("choose another --out"). The paths written."""
    targets = [path for path, _ in files]
    for target in targets:
        if target.is_dir():
            raise DeliveryError(
                f"cannot write {target}: a folder of that name is in the way; move it or {fix}"
            )
    folders = list(dict.fromkeys(path.parent for path in targets))
    temps: list[Path] = []
    try:
        try:
            for folder in folders:
                folder.mkdir(parents=True, exist_ok=True)
            for target, data in files:
                temps.append(_write_temp(target, data))
        except OSError as error:
            where = error.filename or (folders[0] if folders else "")
            raise DeliveryError(f"cannot write to {where}: {reason(error)}; {fix}") from error
        written: list[Path] = []
        for temp, target in zip(temps, targets, strict=True):
            try:
                os.replace(temp, target)
            except OSError as error:
                raise DeliveryError(
                    f"cannot write {target}: {reason(error)}; check the folder {target.parent}"
                ) from error
            written.append(target)
            log.info("wrote %s", target)
    finally:
        for temp in temps:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
    for folder in folders:
        _sync_folder(folder)
    return written


def write_file(target: Path, data: bytes) -> Path:
    """One file, written atomically; its path."""
    return write_files([(target, data)], f"check the folder {target.parent}")[0]


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on folder for the block: runs that read the folder and rewrite
    a file in it take turns. The folder itself is the lock, so nothing is left behind. Where
    no lock can be had, the block runs unlocked: writing will fail there anyway, and say why."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
