"""The article store: an SQLite file that remembers what earlier runs worked out, so a rerun
only reads, cleans and summarizes the articles that are new or changed.

It lives in `.briefer/store.sqlite3` beside the output folder (`briefings/` -> `.briefer/`),
so one project's runs share it and it never shows up among the briefing files. It holds:

- files: the articles read from each input file, keyed by the file's path and stamped with
  its size, modification and change times and inode, so an unchanged file is not parsed again;
- summaries: each article's cleaned blocks and chosen sentences, keyed by a hash of its title
  and text and of the options that shape them (sentences, words, algorithm);
- groupings: the stories and sections made from one exact set of summarized articles and
  themes, so a rerun on the same inputs skips grouping altogether;
- facts: small things a warm run would otherwise import heavy modules to work out (the parsed
  themes file, algorithm names already checked).

Every key also carries a salt: the package version and a hash of briefer's own code and data
files, so a changed cleaner, scorer or furniture list never serves stale results.

The store is a cache, nothing more: a file that is corrupt, foreign or from a newer briefer is
reported in one warning and rebuilt, and a failure while using it turns it off for the run;
neither ever stops the briefing. Writes happen in one transaction at the end of a run; WAL mode
and a busy timeout let concurrent runs share the file safely.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import briefer
from briefer.records import (
    Article,
    Block,
    Bullet,
    Document,
    Section,
    Sentence,
    Story,
    Summary,
    Theme,
)

log = logging.getLogger(__name__)

STORE_FOLDER = ".briefer"
STORE_FILENAME = "store.sqlite3"
SCHEMA_VERSION = 1
# PRAGMA application_id: "BRFR". Tells our file from any other SQLite database.
APPLICATION_ID = 0x42524652
BUSY_TIMEOUT = 30.0  # seconds a run waits for another run's write to finish
_BATCH = 500  # keys per SELECT ... IN (...), well under SQLite's variable limit

_SCHEMA = (
    "CREATE TABLE files (key TEXT PRIMARY KEY, stamp TEXT NOT NULL, articles TEXT NOT NULL)",
    "CREATE TABLE summaries (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE groupings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE facts (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
)
_TABLES = frozenset({"files", "summaries", "groupings", "facts"})
_SALT_KEY = "code"  # the facts row naming the code that filled the store (other keys are hashes)


def store_path(out: Path) -> Path:
    """`.briefer/store.sqlite3` beside the output folder."""
    return out.parent / STORE_FOLDER / STORE_FILENAME


@lru_cache(maxsize=1)
def code_salt() -> str:
    """The version plus a hash of every module and data file of the package: any change to
    the code or data that produce cached results gives new keys."""
    digest = hashlib.blake2b(briefer.__version__.encode(), digest_size=16)
    package = Path(briefer.__file__).parent
    for path in sorted([*package.glob("*.py"), *(package / "data").glob("*")]):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _hash(*parts: str) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def summary_key(article: Article, sentences: int, words: int | None, algorithm: str) -> str:
    """What decides an article's cleaned blocks and chosen sentences: its title and text, the
    summary options and the code. Date, source, url and path do not, so a re-dated or moved
    copy of an article reuses the work."""
    return _hash(
        code_salt(), "summary", str(sentences), str(words), algorithm, article.title, article.text
    )


def grouping_key(items: Sequence[tuple[Article, str]], themes: Sequence[Theme]) -> str:
    """What decides the grouping: every article's record as shown (all fields but the text)
    with its summary key (which covers the text and the summary options), in order, and the
    themes."""
    digest = hashlib.blake2b(digest_size=16)
    head = json.dumps(
        [code_salt(), [[t.name, t.description, list(t.keywords)] for t in themes]],
        ensure_ascii=False,
    )
    digest.update(head.encode("utf-8", "surrogatepass"))
    for article, key in items:
        fields = (
            article.id,
            article.title,
            article.date.isoformat() if article.date else "",
            article.source,
            article.url,
            article.path,
            key,
        )
        digest.update("\x00".join(fields).encode("utf-8", "surrogatepass"))
        digest.update(b"\x01")
    return digest.hexdigest()


# ---- serialization: compact JSON arrays, positional -------------------------------------------


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _article_row(article: Article) -> list[Any]:
    date = article.date.isoformat() if article.date else None
    return [
        article.id,
        article.title,
        date,
        article.source,
        article.url,
        article.text,
        article.path,
    ]


def _article_from(row: list[Any]) -> Article:
    identity, title, date, source, url, text, path = row
    return Article(
        id=identity,
        title=title,
        date=dt.date.fromisoformat(date) if date else None,
        source=source,
        url=url,
        text=text,
        path=path,
    )


@dataclass(frozen=True)
class Summarized:
    """An article's cleaned blocks and chosen sentences, without the article itself: what the
    store keeps, and what a pool worker sends back."""

    blocks: tuple[Block, ...]
    sentences: tuple[Sentence, ...]
    algorithm: str

    def attach(self, article: Article) -> tuple[Document, Summary]:
        return (
            Document(article=article, blocks=self.blocks),
            Summary(article=article, sentences=self.sentences, algorithm=self.algorithm),
        )


def dump_summarized(value: Summarized) -> str:
    return _dump(
        [
            value.algorithm,
            [[b.text, 1] if b.is_heading else [b.text] for b in value.blocks],
            [[s.text, s.index, s.block] for s in value.sentences],
        ]
    )


def load_summarized(text: str) -> Summarized:
    return _summarized_from(json.loads(text))


def _load_many(texts: Sequence[str]) -> list[Any]:
    """Many JSON documents parsed at once, as one array."""
    return json.loads("[" + ",".join(texts) + "]") if texts else []


def _summarized_from(value: list[Any]) -> Summarized:
    algorithm, blocks, sentences = value
    return Summarized(
        blocks=tuple(Block(b[0], len(b) > 1) for b in blocks),
        sentences=tuple(Sentence(s[0], s[1], s[2]) for s in sentences),
        algorithm=algorithm,
    )


def dump_grouping(sections: Sequence[Section], merged: int, empty: Sequence[int]) -> str:
    """A run's grouping, and the positions (among the articles it was keyed on) of those that
    had nothing left to summarize, so a rerun can report them without loading summaries."""
    return _dump(
        [
            merged,
            list(empty),
            [
                [
                    section.theme,
                    section.description,
                    [
                        [
                            story.title,
                            [article.id for article in story.articles],
                            [[bullet.text, bullet.article_id] for bullet in story.bullets],
                            story.theme,
                            list(story.secondary_themes),
                            list(story.why),
                            [list(pair) for pair in story.copies],
                            story.topic,
                        ]
                        for story in section.stories
                    ],
                ]
                for section in sections
            ],
        ]
    )


def load_grouping(
    text: str, articles: dict[str, Article]
) -> tuple[tuple[Section, ...], int, tuple[int, ...]] | None:
    """The sections, merged count and empty positions, with each story's articles taken from
    this run's records; None when an article it names is not among them (the key makes that
    impossible, short of a hash collision)."""
    merged, empty, raw_sections = json.loads(text)
    sections: list[Section] = []
    try:
        for theme, description, raw_stories in raw_sections:
            stories = tuple(
                Story(
                    title=title,
                    articles=tuple(articles[identity] for identity in ids),
                    bullets=tuple(Bullet(text=b[0], article_id=b[1]) for b in bullets),
                    theme=story_theme,
                    secondary_themes=tuple(secondary),
                    why=tuple(why),
                    copies=tuple((pair[0], pair[1]) for pair in copies),
                    topic=topic,
                )
                for title, ids, bullets, story_theme, secondary, why, copies, topic in raw_stories
            )
            sections.append(Section(theme=theme, description=description, stories=stories))
    except KeyError:
        return None
    return tuple(sections), merged, tuple(empty)


def dump_themes(themes: Sequence[Theme]) -> str:
    return _dump([[t.name, t.description, list(t.keywords)] for t in themes])


def load_themes_fact(text: str) -> tuple[Theme, ...]:
    return tuple(
        Theme(name, description, tuple(keywords))
        for name, description, keywords in json.loads(text)
    )


# ---- the store ---------------------------------------------------------------------------------


def _file_stamp(path: Path) -> str | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    # ctime cannot be set back by tools that restore mtimes, so an edited file always differs.
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


def _file_key(path: Path, cwd: str) -> str:
    # The path as given is part of the key: it is what the articles' `path` field says. The
    # working folder tells apart two projects' `articles/a.md`.
    given = str(path)
    return f"{given}\x00{given}" if path.is_absolute() else f"{cwd}\x00{given}"


class StoreProblem(Exception):
    """The file is not a usable store of ours; the message says why."""


class Store:
    """An open article store. Lookups read at once; what a run learns is kept in memory and
    written in one transaction by `save`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._files: dict[str, tuple[str, str]] = {}
        self._summaries: dict[str, str] = {}
        self._groupings: dict[str, str] = {}
        self._facts: dict[str, str] = {}
        # Stamps taken before the files were read: a file edited while it is being read is
        # then read again next time, never stored under its new stamp with its old text.
        self._stamps: dict[Path, str] = {}
        self.files_reused = 0
        self._salt = code_salt()

    # -- opening

    @classmethod
    def open(cls, path: Path) -> Store | None:
        """The store at path, created if missing and rebuilt (with one warning) if it is not
        a usable store; None, with a warning, if it cannot be had at all (e.g. a read-only
        folder). Never raises for the store's own problems."""
        store = cls(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            ignore = path.parent / ".gitignore"
            if not ignore.exists():
                # A cache, not material for the repo.
                ignore.write_text("# briefer's article store: a cache\n*\n", encoding="utf-8")
        except OSError as error:
            log.warning(
                "%s: cannot create the article store (%s); running without it",
                path,
                error.strerror or error,
            )
            return None
        try:
            store._connect()
            return store
        except sqlite3.OperationalError as problem:
            # Locked past the busy timeout, or not writable: the file may well be fine.
            store.close()
            log.warning(
                "%s: cannot use the article store (%s); running without it",
                path,
                _describe(problem),
            )
            return None
        except (StoreProblem, sqlite3.DatabaseError) as problem:
            store.close()
            log.warning("%s: %s; rebuilding the article store", path, _describe(problem))
        try:
            _remove_database(path)
            store._connect()
            return store
        except (StoreProblem, sqlite3.Error, OSError) as problem:
            store.close()
            log.warning(
                "%s: cannot rebuild the article store (%s); running without it",
                path,
                _describe(problem),
            )
            return None

    def _connect(self) -> None:
        # Used by one thread at a time, but not always the one that opened it: make() saves
        # the store in a worker thread while the briefing is rendered.
        connection = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        self._connection = connection
        application = connection.execute("PRAGMA application_id").fetchone()[0]
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if application == 0 and version == 0 and not tables:
            self._create()
        elif application != APPLICATION_ID:
            raise StoreProblem("not a briefer article store (another program's database)")
        elif version > SCHEMA_VERSION:
            raise StoreProblem(
                f"made by a newer briefer (store version {version}, this one reads "
                f"{SCHEMA_VERSION})"
            )
        elif version < SCHEMA_VERSION or not _TABLES.issubset(tables):
            raise StoreProblem(f"an old or incomplete store (version {version})")
        # NORMAL is safe in WAL mode: a crash can lose the last run's additions, never corrupt.
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        self._forget_other_code()

    def _forget_other_code(self) -> None:
        """Empty the store when it was filled by other code (another version of briefer, or
        edited data files): none of its rows can ever match a key of this code again, and
        they would otherwise pile up with every upgrade."""
        connection = self._db()
        row = connection.execute("SELECT value FROM facts WHERE key = ?", (_SALT_KEY,)).fetchone()
        if row is not None and row[0] == self._salt:
            return
        connection.execute("BEGIN IMMEDIATE")
        try:
            row = connection.execute(
                "SELECT value FROM facts WHERE key = ?", (_SALT_KEY,)
            ).fetchone()
            if row is None or row[0] != self._salt:  # not done by a run we waited for
                if row is not None:
                    log.info("%s: made by other code; starting it afresh", self.path)
                for table in sorted(_TABLES):
                    connection.execute(f"DELETE FROM {table}")
                connection.execute(
                    "INSERT INTO facts (key, value) VALUES (?, ?)", (_SALT_KEY, self._salt)
                )
            connection.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise

    def _create(self) -> None:
        connection = self._db()
        connection.execute("BEGIN IMMEDIATE")
        try:
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if not tables:  # another run may have created it while we waited for the lock
                for statement in _SCHEMA:
                    connection.execute(statement)
                connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            raise StoreProblem("the store is closed")
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # -- reading

    def _select(self, table: str, keys: Sequence[str], columns: str) -> list[tuple[Any, ...]]:
        if self._connection is None:
            return []
        rows: list[tuple[Any, ...]] = []
        try:
            for start in range(0, len(keys), _BATCH):
                batch = keys[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                rows.extend(
                    self._connection.execute(
                        f"SELECT key, {columns} FROM {table} WHERE key IN ({marks})", batch
                    )
                )
        except sqlite3.Error as error:
            self._give_up(error)
            return []
        return rows

    def _give_up(self, error: sqlite3.Error) -> None:
        # Damaged under our feet (or the disk is full): the briefing goes on without the store.
        log.warning(
            "%s: the article store failed (%s); running without it", self.path, _describe(error)
        )
        self.close()

    @property
    def usable(self) -> bool:
        return self._connection is not None

    def lookup(self, paths: Sequence[Path]) -> dict[Path, tuple[Article, ...]]:
        """The articles of every file whose stamp matches what was stored (ingest's cache)."""
        wanted: dict[str, tuple[Path, str]] = {}
        cwd = os.getcwd()
        for path in paths:
            stamp = _file_stamp(path)
            if stamp is not None:
                self._stamps[path] = stamp
                wanted[_file_key(path, cwd)] = (path, f"{stamp}:{self._salt}")
        matched: list[tuple[Path, str]] = []
        for key, stamp, articles in self._select("files", list(wanted), "stamp, articles"):
            path, expected = wanted[key]
            if stamp == expected:
                matched.append((path, articles))
        # One parse for all the files: far cheaper than a json.loads call per file.
        parsed = _load_many([articles for _, articles in matched])
        found = {
            path: tuple(_article_from(row) for row in rows)
            for (path, _), rows in zip(matched, parsed, strict=True)
        }
        self.files_reused += len(found)
        return found

    def remember(self, path: Path, articles: Sequence[Article]) -> None:
        stamp = self._stamps.get(path)
        if stamp is not None:
            rows = _dump([_article_row(article) for article in articles])
            self._files[_file_key(path, os.getcwd())] = (f"{stamp}:{self._salt}", rows)

    def summaries(self, keys: Sequence[str]) -> dict[str, Summarized]:
        rows = self._select("summaries", sorted(set(keys)), "value")
        values = _load_many([value for _, value in rows])
        return {key: _summarized_from(value) for (key, _), value in zip(rows, values, strict=True)}

    def add_summary(self, key: str, value: Summarized) -> None:
        self._summaries[key] = dump_summarized(value)

    def grouping(self, key: str) -> str | None:
        rows = list(self._select("groupings", [key], "value"))
        return str(rows[0][1]) if rows else None

    def add_grouping(self, key: str, value: str) -> None:
        self._groupings[key] = value

    def fact(self, name: str) -> str | None:
        rows = list(self._select("facts", [_hash(self._salt, name)], "value"))
        return str(rows[0][1]) if rows else None

    def add_fact(self, name: str, value: str) -> None:
        self._facts[_hash(self._salt, name)] = value

    # -- writing

    def save(self, keep_groupings: int = 20) -> None:
        """Write what this run added, in one transaction. Only the newest few groupings are
        kept: each is one run's result, and an old one is rarely wanted again."""
        if not (self._files or self._summaries or self._groupings or self._facts):
            return
        if self._connection is None:
            return
        try:
            self._write(keep_groupings)
        except sqlite3.Error as error:
            self._give_up(error)

    def _write(self, keep_groupings: int) -> None:
        connection = self._db()
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.executemany(
                "INSERT OR REPLACE INTO files (key, stamp, articles) VALUES (?, ?, ?)",
                [(key, stamp, rows) for key, (stamp, rows) in self._files.items()],
            )
            connection.executemany(
                "INSERT OR REPLACE INTO summaries (key, value) VALUES (?, ?)",
                list(self._summaries.items()),
            )
            for key, value in self._groupings.items():
                connection.execute("DELETE FROM groupings WHERE key = ?", (key,))
                connection.execute("INSERT INTO groupings (key, value) VALUES (?, ?)", (key, value))
            connection.execute(
                "DELETE FROM groupings WHERE rowid NOT IN "
                "(SELECT rowid FROM groupings ORDER BY rowid DESC LIMIT ?)",
                (keep_groupings,),
            )
            connection.executemany(
                "INSERT OR REPLACE INTO facts (key, value) VALUES (?, ?)",
                list(self._facts.items()),
            )
            connection.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise
        # Copy the log into the database now (make() saves while rendering), not at close.
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        self._files.clear()
        self._summaries.clear()
        self._groupings.clear()
        self._facts.clear()


def _describe(problem: BaseException) -> str:
    if isinstance(problem, sqlite3.DatabaseError) and "not a database" in str(problem):
        return "not an SQLite database (corrupt or some other file)"
    if isinstance(problem, OSError):
        return str(problem.strerror or problem)
    return str(problem)


def _remove_database(path: Path) -> None:
    for name in (path.name, path.name + "-wal", path.name + "-shm", path.name + "-journal"):
        (path.parent / name).unlink(missing_ok=True)
