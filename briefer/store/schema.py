"""The article store's file: where it lives, its tables, and opening it — a new file created,
an older one upgraded, one of other code's emptied, anything else refused (StoreProblem), which
`Store.open` reports and rebuilds."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

STORE_FOLDER = ".briefer"
STORE_FILENAME = "store.sqlite3"
# 2: rows in briefer.serialize's form with checksums; the facts table gone; first-seen days.
# 3: the briefings table. 4: the stories table. 5: the placements and rows tables. 6: the
# storylines table. 7: the rows table's value last (Store.add_rows). An older store from
# version 2 on gets the tables it lacks added, keeping its rows (a rows table of before 7 is
# made again: it holds one run's cache). 8: the summaries table with rowids (_SUMMARIES_TABLE;
# an older one is copied into one, keeping its rows).
SCHEMA_VERSION = 8
_ROWS_VALUE_LAST = 7  # the version from which the rows table has its value last
_SUMMARIES_ROWID = 8  # the version from which the summaries table has rowids
# PRAGMA application_id: "BRFR". Tells our file from any other SQLite database.
APPLICATION_ID = 0x42524652
BUSY_TIMEOUT = 30.0  # seconds a run waits for another run's write to finish

# With rowids, not WITHOUT ROWID: the rows (a few KB each) are then appended in the order
# they come, and only the small index of their keys (content hashes, in no order) takes
# inserts all over. WITHOUT ROWID kept the whole rows in a B-tree ordered by those keys, so
# each insert landed on a random leaf page: a cold 30,000-article run read 870k pages for
# 30,000 rows (30k/10k: 4.1x the reads for 3x the rows), against 87k with rowids (3.3x).
_SUMMARIES_TABLE = (
    "CREATE TABLE summaries (key TEXT PRIMARY KEY, value TEXT NOT NULL, checksum TEXT NOT NULL)"
)
_BRIEFINGS_TABLE = (
    "CREATE TABLE briefings (key TEXT PRIMARY KEY, value TEXT NOT NULL, checksum TEXT NOT NULL)"
)
_STORIES_TABLE = (
    "CREATE TABLE stories (key TEXT PRIMARY KEY, value TEXT NOT NULL, checksum TEXT NOT NULL) "
    "WITHOUT ROWID"
)
_PLACEMENTS_TABLE = (
    "CREATE TABLE placements (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
    "checksum TEXT NOT NULL) WITHOUT ROWID"
)
_STORYLINES_TABLE = (
    "CREATE TABLE storylines (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
    "checksum TEXT NOT NULL) WITHOUT ROWID"
)
# The value last: a row inserted with zeroblob(n) and then written in parts is held whole in
# memory by SQLite unless nothing of the record follows the zeroblob (Store.add_rows).
_ROWS_TABLE = (
    "CREATE TABLE rows (key TEXT PRIMARY KEY, checksum TEXT NOT NULL, value BLOB NOT NULL)"
)
_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE files (key TEXT PRIMARY KEY, stamp TEXT NOT NULL, value TEXT NOT NULL, "
    "checksum TEXT NOT NULL)",
    _SUMMARIES_TABLE,
    "CREATE TABLE groupings (key TEXT PRIMARY KEY, value TEXT NOT NULL, checksum TEXT NOT NULL)",
    "CREATE TABLE seen (key TEXT PRIMARY KEY, value TEXT NOT NULL, checksum TEXT NOT NULL) "
    "WITHOUT ROWID",
    _BRIEFINGS_TABLE,
    _STORIES_TABLE,
    _PLACEMENTS_TABLE,
    _ROWS_TABLE,
    _STORYLINES_TABLE,
)
_ADDED = {  # since version 2
    "briefings": _BRIEFINGS_TABLE,
    "stories": _STORIES_TABLE,
    "placements": _PLACEMENTS_TABLE,
    "rows": _ROWS_TABLE,
    "storylines": _STORYLINES_TABLE,
}
_TABLES = frozenset({"meta", "files", "summaries", "groupings", "seen", *_ADDED})
# What other code's results are: emptied when other code filled the store. The seen table
# (first-seen days) is a record, kept.
RESULTS = (
    "files",
    "summaries",
    "groupings",
    "briefings",
    "stories",
    "placements",
    "rows",
    "storylines",
)
_SALT_KEY = "code"  # the meta row naming the code that filled the store


# The page size of a new store (SQLite's default is 4096). A summaries row is ~5.5 KB and a
# files row ~3-7 KB on the 10k bench week, so at 4096 bytes most rows spill into overflow
# pages, each written (and checkpointed from the WAL) on its own.
PAGE_SIZE = 16384


def store_path(out: Path) -> Path:
    """`.briefer/store.sqlite3` beside the output folder."""
    return out.parent / STORE_FOLDER / STORE_FILENAME


class StoreProblem(Exception):
    """The file is not a usable store of ours; the message says why."""


def connect(path: Path, salt: str) -> sqlite3.Connection:
    """The store at path opened, made current (created, or upgraded from version 2 on) and
    emptied of results that code other than salt's worked out. StoreProblem if the file is
    not a store this code can use, sqlite3 errors as they come (the connection closed)."""
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        # Takes effect only in a database not yet written (a new store); one already made
        # keeps its own.
        connection.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        application = connection.execute("PRAGMA application_id").fetchone()[0]
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        tables = _tables(connection)
        if application == 0 and version == 0 and not tables:
            _create(connection)
        elif application != APPLICATION_ID:
            raise StoreProblem("not a briefer article store (another program's database)")
        elif version > SCHEMA_VERSION:
            raise StoreProblem(
                f"made by a newer briefer (store version {version}, this one reads "
                f"{SCHEMA_VERSION})"
            )
        elif version >= 2 and version < SCHEMA_VERSION and _TABLES - tables <= _ADDED.keys():
            _upgrade(connection)
        elif version < SCHEMA_VERSION or not _TABLES.issubset(tables):
            raise StoreProblem(f"an old or incomplete store (version {version})")
        # No syncing: a killed run (Ctrl-C, SIGKILL, a crash of briefer) leaves its writes with
        # the operating system, which finishes them, so the store stays sound (WAL frames are
        # checksummed: an unfinished transaction is ignored). Only a power cut or an operating
        # system crash mid-write could leave a corrupt file: the store is a cache, such a file
        # is reported and rebuilt, and every row is checksummed on read. NORMAL synced each
        # checkpoint of the ~31 MB a +50 run on the 10k bench store writes: save() took
        # 0.31-0.36 s wall with it, 0.15-0.21 s without (CPU 0.13-0.15 both; three runs each).
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = OFF")
        _forget_other_code(connection, path, salt)
    except BaseException:
        connection.close()
        raise
    return connection


@contextlib.contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction, taken at once (other runs wait up to BUSY_TIMEOUT for it)."""
    try:
        # Inside the try: a Ctrl-C that arrives as BEGIN returns (after waiting for another
        # run's lock) must still roll back, or the connection stays in a transaction and the
        # next save fails ("cannot start a transaction within a transaction").
        connection.execute("BEGIN IMMEDIATE")
        yield connection
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
        raise


def _tables(connection: sqlite3.Connection) -> set[str]:
    query = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return {row[0] for row in connection.execute(query)}


def _salt(connection: sqlite3.Connection) -> str | None:
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (_SALT_KEY,)).fetchone()
    return None if row is None else str(row[0])


def _salt_matches(connection: sqlite3.Connection, salt: str) -> bool:
    return _salt(connection) == salt


def _forget_other_code(connection: sqlite3.Connection, path: Path, salt: str) -> None:
    """Empty the results when they were worked out by other code (another version of
    briefer, or edited data files): none of their keys can ever match this code's again,
    and they would otherwise pile up with every upgrade. First-seen days are kept."""
    if _salt_matches(connection, salt):
        return
    with transaction(connection):
        if not _salt_matches(connection, salt):  # not done by a run we waited for
            # A store just created has no salt yet and nothing to forget: say nothing then.
            if _salt(connection) is not None:
                log.info("%s: made by other code; starting it afresh", path)
            for table in RESULTS:
                connection.execute(f"DELETE FROM {table}")
            connection.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (_SALT_KEY, salt)
            )


def _create(connection: sqlite3.Connection) -> None:
    with transaction(connection):
        if not _tables(connection):  # another run may have created it while we waited
            for statement in _SCHEMA:
                connection.execute(statement)
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _upgrade(connection: sqlite3.Connection) -> None:
    """A store of version 2 or later made current: the tables added since created; every
    row kept (first-seen days are a record, not a cache)."""
    with transaction(connection):
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version < SCHEMA_VERSION:
            tables = _tables(connection)
            if version < _ROWS_VALUE_LAST and "rows" in tables:
                connection.execute("DROP TABLE rows")
                tables.discard("rows")
            if version < _SUMMARIES_ROWID:  # copied: a summary is costly to work out
                connection.execute("ALTER TABLE summaries RENAME TO summaries_before")
                connection.execute(_SUMMARIES_TABLE)
                connection.execute(
                    "INSERT INTO summaries (key, value, checksum) "
                    "SELECT key, value, checksum FROM summaries_before"
                )
                connection.execute("DROP TABLE summaries_before")
            for name, statement in _ADDED.items():
                if name not in tables:
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def describe(problem: BaseException) -> str:
    """A store's problem in a few words, for a warning."""
    if isinstance(problem, sqlite3.DatabaseError) and "not a database" in str(problem):
        return "not an SQLite database (corrupt or some other file)"
    if isinstance(problem, OSError):
        return str(problem.strerror or problem)
    return str(problem)


def remove_database(path: Path) -> None:
    """The store's file and SQLite's files beside it, gone."""
    for name in (path.name, path.name + "-wal", path.name + "-shm", path.name + "-journal"):
        (path.parent / name).unlink(missing_ok=True)
