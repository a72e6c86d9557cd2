"""Files and folders given as inputs: walking folders, choosing a reader by extension, and
reading each file inside the boundary (a bad file is one line, never the end of the run)."""

from __future__ import annotations

import functools
import logging
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from briefer.errors import InputError
from briefer.ingest.boundary import guarded, label, printable
from briefer.ingest.decode import FORMATS_HINT, decode, os_problem, read_bytes
from briefer.ingest.jsonrecords import read_json, read_jsonl
from briefer.ingest.text import read_text
from briefer.options import FetchSettings
from briefer.records import Article, FileRead, Ingested, InputLimits, Listed, Skipped

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSON_SUFFIXES = frozenset({".json"})
JSONL_SUFFIXES = frozenset({".jsonl"})
FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom"})
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES | FEED_SUFFIXES
# Configuration (themes.toml and the like) may sit beside the articles it describes.
CONFIG_SUFFIXES = frozenset({".toml"})


class FileCache(Protocol):
    """What read_inputs asks before parsing a file, and tells after (the article store)."""

    # limits: what the files were read within; a file read within other limits is read again.
    # texts false: articles may come with their texts "" (the store's, read back on demand).
    def lookup(
        self, paths: Sequence[Path], limits: InputLimits, texts: bool = True
    ) -> dict[Path, tuple[Article, ...]]: ...

    def remember(self, path: Path, articles: Sequence[Article], limits: InputLimits) -> None: ...


ReadOne = Callable[[Path], FileRead | Skipped]
ReadEach = Callable[[Path, FileRead | Skipped], None]


class ReadMany(Protocol):
    """How the files not in the store are read: read_many(read_one, paths, each=each) is
    [read_one(path) for path in paths], in order, and calls each(path, result) once for every
    path as its result comes in (in any order). The pipeline passes one that reads in worker
    processes (briefer.parallel.read_files)."""

    def __call__(
        self, read_one: ReadOne, paths: Sequence[Path], *, each: ReadEach | None = None
    ) -> Sequence[FileRead | Skipped]: ...


def read_inputs(
    paths: Sequence[Path],
    urls: Sequence[str] = (),
    fetch: FetchSettings | None = None,
    cache: FileCache | None = None,
    limits: InputLimits | None = None,
    read_many: ReadMany | None = None,
    listed: Listed | None = None,
    texts: bool = True,
) -> Ingested:
    """Read every file and folder given (listed: what list_inputs found for them, when the
    caller has it already), then fetch every feed or page URL given (for this run only;
    nothing is stored). A bad input is recorded, never raised. texts false: the articles
    the cache gives may come without their texts (FileCache.lookup)."""
    limits = limits or InputLimits()
    listed = listed or list_inputs(paths)
    failed = list(listed.failed)
    ignored = list(listed.ignored)
    warnings: list[Skipped] = []
    unique = list(listed.paths)
    articles: list[Article] = []
    # Unchanged files come back parsed from the store; a file with a bad record is never kept.
    known = cache.lookup(unique, limits, texts=texts) if cache is not None else {}
    todo = [path for path in unique if path not in known]
    read_one = functools.partial(_read_guarded, limits=limits)

    def keep(path: Path, result: FileRead | Skipped) -> None:
        # Stored as soon as it is read: with worker processes, while they read the rest.
        if (
            cache is not None
            and isinstance(result, FileRead)
            and not result.failed
            and not result.warnings
        ):
            cache.remember(path, result.articles, limits)

    fresh = (read_many or read_each)(read_one, todo, each=keep)
    results = dict(zip(todo, fresh, strict=True))
    for path in unique:
        if path in known:
            articles.extend(known[path])
            continue
        result = results[path]
        if isinstance(result, Skipped):
            failed.append(result)  # reported once, by the caller
            continue
        articles.extend(result.articles)
        failed.extend(result.failed)
        warnings.extend(result.warnings)
        logger.debug("%s: %d article(s)", path, len(result.articles))
    if urls:
        from briefer.ingest.fetch import fetch_articles  # httpx only when URLs are given

        fetched = fetch_articles(urls, fetch or FetchSettings(), limits=limits)
        articles.extend(fetched.articles)
        failed.extend(fetched.failed)
        warnings.extend(fetched.warnings)
        for note in fetched.notes:
            logger.warning("%s: %s", note.path, note.reason)
    for warning in warnings:  # counted as read, so said here rather than with the failures
        logger.warning("%s: %s", label(warning.path), warning.reason)
    return Ingested(
        articles=tuple(articles),
        failed=_printable(failed),
        ignored=_printable(ignored),
        warnings=_printable(warnings),
    )


def list_inputs(paths: Sequence[Path]) -> Listed:
    """The article files of the files and folders given, sorted, each once; nothing read."""
    failed: list[Skipped] = []
    ignored: list[Skipped] = []
    found: list[Path] = []
    resolved_files: dict[Path, str] = {}
    for given in paths:
        try:
            exists, is_dir = given.exists(), given.is_dir()
        except OSError as error:  # e.g. a parent folder that may not be searched
            failed.append(Skipped(label(str(given)), os_problem(error)))
            continue
        if not exists:
            failed.append(
                Skipped(label(str(given)), "no such file or folder; check the --input path")
            )
        elif is_dir:
            _walk_folder(given, found, failed, ignored, resolved_files)
        else:
            found.append(given)
    unique = _unique_sorted(found, failed, resolved_files)
    return Listed(tuple(unique), tuple(failed), tuple(ignored))


def _printable(lines: list[Skipped]) -> tuple[Skipped, ...]:
    """Every line as it may be printed: names and reasons bounded, control characters escaped
    (a record's label carries its file's name, whatever bytes that holds)."""
    return tuple(Skipped(label(line.path), printable(line.reason)) for line in lines)


def read_file(path: Path, limits: InputLimits | None = None) -> list[Article]:
    """Read one file into its articles (several for JSON, JSON Lines and feeds).

    Raises InputError when the file yields no article. In a multi-record file, records
    that fail on their own are logged and left out; read_inputs reports each of them.
    """
    result = guarded(str(path), lambda: _read_any(path, limits or InputLimits()))
    if isinstance(result, Skipped):
        raise InputError(result.path, result.reason)
    if not result.articles and result.failed:
        from briefer.ingest.feeds import raise_no_record

        raise_no_record(str(path), result.failed)
    for skipped in (*result.failed, *result.warnings):
        logger.warning("%s: %s", skipped.path, skipped.reason)
    return list(result.articles)


# --------------------------------------------------------------------------- walking


def _walk_folder(
    folder: Path,
    found: list[Path],
    failed: list[Skipped],
    ignored: list[Skipped],
    resolved_files: dict[Path, str],
) -> None:
    """Every article file under folder (and in resolved_files, each one that is not a link
    with its resolved path). Iterative, so a tree nested a thousand levels deep costs no
    recursion; symlinked folders are followed, but a link back up never loops. The folder is
    listed with os.scandir, whose entries know their type: no stat per file (a rerun of
    10,000 files spent 0.3 s here on two stats and a link check per file)."""
    seen_folders: set[Path] = set()
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            resolved = current.resolve()
            if resolved in seen_folders:
                continue
            seen_folders.add(resolved)
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop in resolve
            failed.append(Skipped(label(str(current)), _problem(error)))
            continue
        folders: list[Path] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = current / entry.name
            try:
                is_dir, is_file, is_link = entry.is_dir(), entry.is_file(), entry.is_symlink()
            except OSError as error:
                failed.append(Skipped(label(str(path)), os_problem(error)))
                continue
            if is_dir:
                folders.append(path)
                continue
            suffix = path.suffix.lower()
            if not is_file:
                ignored.append(Skipped(label(str(path)), "not a regular file"))
            elif suffix in ARTICLE_SUFFIXES:
                found.append(path)
                if not is_link:
                    # A string: a second Path per file would cost as much as the walk.
                    resolved_files[path] = os.path.join(resolved, entry.name)
            elif suffix not in CONFIG_SUFFIXES:
                ignored.append(
                    Skipped(label(str(path)), f"not an article format ({_describe(suffix)})")
                )
        pending.extend(reversed(folders))


def _problem(error: OSError | RuntimeError) -> str:
    if isinstance(error, OSError):
        return os_problem(error)
    return "cannot be walked (a symbolic link loop); remove the link"


def _unique_sorted(
    paths: list[Path], failed: list[Skipped], resolved_files: dict[Path, str]
) -> list[Path]:
    """Sorted, with a file reached twice (given and inside a given folder) read once.
    resolved_files: files whose resolved path the walk already knows."""
    unique: list[Path] = []
    seen: set[str] = set()
    folders: dict[Path, Path] = {}  # each folder resolved once, not once per file in it
    for path in sorted(paths, key=lambda item: item.parts):
        try:
            resolved = resolved_files.get(path) or str(_resolve(path, folders))
        except (OSError, RuntimeError) as error:
            failed.append(Skipped(label(str(path)), _problem(error)))
            continue
        if resolved not in seen:
            seen.add(resolved)
            unique.append(path)
    return unique


def _resolve(path: Path, folders: dict[Path, Path]) -> Path:
    """path.resolve(): a file that is not itself a link resolves to its resolved folder plus
    its name, which saves resolving every folder above it again for each file."""
    if path.name in ("", ".", "..") or path.is_symlink():
        return path.resolve()
    folder = folders.get(path.parent)
    if folder is None:
        folder = folders[path.parent] = path.parent.resolve()
    return folder / path.name


def _describe(suffix: str) -> str:
    return label(suffix) if suffix else "no extension"


# --------------------------------------------------------------------------- one file


def read_each(
    read_one: ReadOne, paths: Sequence[Path], *, each: ReadEach | None = None
) -> list[FileRead | Skipped]:
    done = []
    for path in paths:
        result = read_one(path)
        if each is not None:
            each(path, result)
        done.append(result)
    return done


def _read_guarded(path: Path, limits: InputLimits) -> FileRead | Skipped:
    return guarded(str(path), functools.partial(_read_any, path, limits))


def _kind(path: Path) -> tuple[bool, bool, bool]:
    """(path.exists(), path.is_dir(), path.is_file()) from one stat rather than three: the
    other two cost the reading of 10,000 files ~0.06 s of CPU (issue 13). When the stat
    fails, pathlib's own calls say (which errors mean "not there" is theirs to say)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return path.exists(), path.is_dir(), path.is_file()
    return True, stat.S_ISDIR(mode), stat.S_ISREG(mode)


def _read_any(path: Path, limits: InputLimits) -> FileRead:
    where = str(path)
    try:
        exists, is_dir, is_file = _kind(path)
    except OSError as error:
        raise InputError(where, os_problem(error)) from error
    if not exists:
        raise InputError(where, "no such file or folder", "check the --input path")
    if is_dir:
        raise InputError(where, "is a folder, not a file", "pass it to read_inputs to walk it")
    if not is_file:
        raise InputError(where, "is not a regular file", FORMATS_HINT)
    suffix = path.suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        raise InputError(where, f"not an article format ({_describe(suffix)})", FORMATS_HINT)

    data = read_bytes(path, limits)
    # The feed and page readers are imported when a feed or page is read: feedparser and
    # trafilatura take a few tenths of a second to import, which a run of Markdown files (or
    # one served from the article store) never needs.
    if suffix in FEED_SUFFIXES:
        from briefer.ingest.feeds import read_feed

        return read_feed(where, data, limits)
    if suffix in HTML_SUFFIXES:
        from briefer.ingest.html import read_html

        text = decode(where, data, honour_declared=True)
        return FileRead((read_html(where, text, limits),))
    text = decode(where, data, honour_declared=False)
    if suffix in JSON_SUFFIXES:
        return read_json(where, text, limits)
    if suffix in JSONL_SUFFIXES:
        return read_jsonl(where, text, limits)
    markdown = suffix in MARKDOWN_SUFFIXES
    return FileRead((read_text(where, text, markdown=markdown, limits=limits, cleaned=True),))
