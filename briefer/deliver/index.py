"""The output folder as a repo reads it: `index.md` listing every briefing, newest first.

Each run writes, beside its briefing files, a small JSON record of that briefing (date,
period, story and article counts) in `<out>/.index/<date>.json`. The index is rebuilt from
those records and the briefing files actually in the folder, so it never re-reads a rendered
briefing (whose template the user may have changed) and a rerun on the same inputs writes the
same bytes: the records hold no times and are written with sorted keys. One record per date,
rather than one shared file, means a run only ever replaces its own record.

An `index.md` briefer did not write (it lacks the marker line) is left alone, so `--out .` or
`--out docs` never overwrites someone's own index page.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefer.options import FORMATS
from briefer.records import Briefed, Briefing

log = logging.getLogger(__name__)

INDEX_NAME = "index.md"
RECORDS_DIR = ".index"
RECORD_VERSION = 1
MARKER = (
    "<!-- Written by briefer make and rewritten on every run; "
    "edits here are lost: override index.md.j2 instead. -->"
)
_BRIEFING_FILE = re.compile(r"(\d{4}-\d{2}-\d{2})\.(" + "|".join(FORMATS) + r")")


@dataclass(frozen=True)
class IndexEntry:
    """One briefing as the index lists it. known is False for a briefing without a readable
    record (made by an older briefer, say): its period and counts are then unknown."""

    date: dt.date
    files: tuple[str, ...]  # its files in the folder, in FORMATS order (md first)
    known: bool = False
    since: dt.date | None = None
    until: dt.date | None = None
    stories: int = 0
    articles: int = 0
    title: str = "Briefing"


def record_path(out: Path, date: dt.date) -> Path:
    return out / RECORDS_DIR / f"{date.isoformat()}.json"


def record_bytes(briefing: Briefing) -> bytes:
    # Imported here, like render_index below: a warm run reads the history (briefed_history)
    # without ranking or rendering anything.
    from briefer.rank import briefed_record, lead_story

    record = {
        "version": RECORD_VERSION,
        "date": briefing.date.isoformat(),
        "since": briefing.since.isoformat() if briefing.since else None,
        "until": briefing.until.isoformat(),
        "stories": len(briefing.stories),
        # For the subject of `briefer send`: themes, and the top story (briefer.rank).
        "themes": sum(1 for section in briefing.sections if section.stories),
        "top": lead.title if (lead := lead_story(briefing)) is not None else "",
        "articles": briefing.coverage.in_period,
        "title": briefing.title,
        # What it told, so the next briefing can mark what is new (briefer.rank).
        "briefed": briefed_record(briefing),
    }
    return (json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _entry_from_record(path: Path, date: dt.date, files: tuple[str, ...]) -> IndexEntry:
    unknown = IndexEntry(date=date, files=files)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return unknown
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        log.warning("%s: cannot read it (%s); its period is shown as unknown", path, error)
        return unknown
    try:
        since = record["since"]
        stories, articles = record["stories"], record["articles"]
        if not (isinstance(stories, int) and isinstance(articles, int)):
            raise TypeError("counts are not numbers")
        return IndexEntry(
            date=date,
            files=files,
            known=True,
            since=dt.date.fromisoformat(since) if since is not None else None,
            until=dt.date.fromisoformat(record["until"]),
            stories=stories,
            articles=articles,
            title=str(record.get("title") or "Briefing"),
        )
    except (KeyError, TypeError, ValueError) as error:
        log.warning(
            "%s: not a briefing record (%s); its period is shown as unknown until "
            "briefer make --until %s is run again",
            path,
            error,
            date.isoformat(),
        )
        return unknown


def briefed_history(out: Path, before: dt.date) -> tuple[Briefed, ...]:
    """What each earlier briefing in out told (by its record), oldest first; records without
    that part (an older briefer) or unreadable ones are passed over."""
    folder = out / RECORDS_DIR
    if not folder.is_dir():
        return ()
    history = []
    for path in sorted(folder.glob("*.json")):
        try:
            date = dt.date.fromisoformat(path.stem)
            if date >= before:
                continue
            told = json.loads(path.read_text(encoding="utf-8"))["briefed"]
            history.append(Briefed(date, frozenset(told["articles"]), frozenset(told["bullets"])))
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
            log.debug("%s: no earlier briefing's contents in it (%s)", path, error)
    return tuple(history)


def index_entries(out: Path, briefing: Briefing, formats: Sequence[str]) -> list[IndexEntry]:
    """Every briefing in out once this run's files are written, newest first."""
    files: dict[dt.date, set[str]] = {briefing.date: set(formats)}
    if out.is_dir():
        for path in out.iterdir():
            match = _BRIEFING_FILE.fullmatch(path.name)
            if match is None or not path.is_file():
                continue
            try:
                date = dt.date.fromisoformat(match.group(1))
            except ValueError:
                continue  # 2024-13-45.md: not a briefing of ours
            files.setdefault(date, set()).add(match.group(2))
    entries: list[IndexEntry] = []
    for date in sorted(files, reverse=True):
        names = tuple(f"{date.isoformat()}.{fmt}" for fmt in FORMATS if fmt in files[date])
        if date == briefing.date:
            entries.append(
                IndexEntry(
                    date=date,
                    files=names,
                    known=True,
                    since=briefing.since,
                    until=briefing.until,
                    stories=len(briefing.stories),
                    articles=briefing.coverage.in_period,
                    title=briefing.title,
                )
            )
        else:
            entries.append(_entry_from_record(record_path(out, date), date, names))
    return entries


def may_write_index(out: Path) -> bool:
    """False when out holds an index.md that briefer did not write."""
    path = out / INDEX_NAME
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            first = handle.readline().rstrip("\n")
    except FileNotFoundError:
        return True
    except OSError:
        first = ""
    if first == MARKER:
        return True
    log.warning(
        "%s was not written by briefer, so it is left alone and not updated; "
        "move it away to get an index of the briefings",
        path,
    )
    return False


def index_files(
    briefing: Briefing, out: Path, formats: Sequence[str], templates: Path | None = None
) -> list[tuple[Path, bytes]]:
    """(path, bytes) of this briefing's record and, unless someone else's index.md is in the
    way, the rebuilt index: rendered now, so a broken index template stops the run before
    anything is written."""
    from briefer.render import render_index

    files = [(record_path(out, briefing.date), record_bytes(briefing))]
    if may_write_index(out):
        text = render_index(index_entries(out, briefing, formats), templates)
        files.append((out / INDEX_NAME, f"{MARKER}\n{text}".encode()))
    return files
