"""The article store: an SQLite file that remembers what earlier runs worked out, so a rerun
only reads, cleans and summarizes the articles that are new or changed. `Store` holds the
tables, rows, checksums and schema upgrades; briefer.cache wraps the pipeline's stages around
it (`Cache`) and says what each stage's key is.

It lives in `.briefer/store.sqlite3` beside the output folder (`briefings/` -> `.briefer/`),
so one project's runs share it and it never shows up among the briefing files. It holds:

- files: the articles read from each input file, keyed by the file's path and stamped with
  its size, modification and change times and inode, so an unchanged file is not parsed again;
- summaries: each article's cleaned blocks and chosen sentences, keyed by a hash of its title
  and text and of the options that shape them (sentences, words, algorithm);
- groupings: the stories and sections made from one exact set of summarized articles and
  themes, so a rerun on the same inputs skips grouping altogether;
- stories: what each story says (its headline, bullets and copies: records.Told), keyed by
  its reports as shown and their summary keys, so a rerun with a few new or changed articles
  works that out only for the stories they join or leave;
- placements: where each story is filed (records.Placement without the fits), keyed by its
  reports as shown, their summary keys and the themes: a story is placed on its own words;
- rows: the last grouping's rows (records.TermRows: each article's clustering vector,
  mentions and lead words) with the articles' ids and summary keys, one binary row per set
  of summary options (numpy arrays, not JSON: about 25 MB at 10,000 articles), so a rerun
  reads and vectorizes only the articles that are new;
- storylines: what storylines read of each story (records.StoryTerms: its names and
  content terms), keyed by its headlines and bullets, so ranking a rerun stems only the
  stories that changed;
- briefings: a whole run's ranked briefing, keyed by what decides it before any file is read
  (every input file's stamp, the options, the themes, the earlier briefings it is ranked
  against): a rerun with nothing changed loads only what the briefing shows (`run_key`);
- seen: the day briefer first saw each undated article (by content id), which places it
  under `--undated first-seen`. Unlike the rest it is a record, not a result: it is kept
  when briefer's code changes.

Rows are in briefer's one JSON form (briefer.serialize). Every key also carries a salt: the
package version and a hash of briefer's own code and data files, so a changed cleaner, scorer
or furniture list never serves stale results. Every row carries a checksum of its key and
value, checked on read: a row that does not match, or cannot be read, is counted, worked out
again and replaced, and the run ends with one warning; it never changes a briefing.

The store is a cache, nothing more: a file that is corrupt, foreign or from a newer briefer is
reported in one warning and rebuilt, and a failure while using it turns it off for the run;
neither ever stops the briefing. Rows are written as they are produced, in short transactions
of _FLUSH_ROWS rows (and the rest at the end of a run), so a big run never holds them all in
memory; every row is sound on its own, so a killed run leaves a store the next run uses as it
is, having lost only its unwritten additions. WAL mode and a busy timeout let concurrent runs
share the file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from briefer.records import (
    Article,
    Briefing,
    Grouped,
    InputLimits,
    Placement,
    Skipped,
    StoredRows,
    StoryTerms,
    Summarized,
    Told,
)
from briefer.serialize import (
    article_data,
    article_from,
    briefing_data,
    briefing_floats,
    briefing_from,
    compact,
    compact_floats,
    compact_plain,
    placement_data,
    placement_from,
    sections_data,
    sections_from,
    story_terms_data,
    story_terms_from,
    summarized_data,
    summarized_from,
    told_data,
    told_from,
)
from briefer.stamps import (
    BlobDigest,
    blob_sound,
    checksum,
    code_salt,
    file_key,
    file_stamp,
    input_tag,
    sound,
    text_digest,
)

log = logging.getLogger(__name__)

_V = TypeVar("_V")  # what a table's rows are read as


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
_BATCH = 500  # keys per SELECT ... IN (...), well under SQLite's variable limit
KEEP_GROUPINGS = 20  # each is one run's result; an old one is rarely wanted again
# A whole briefing (about 6 MB at 10,000 articles, measured) or the small record of the files
# a run wrote from one (Cache.written), one of each a run: five briefings cover the reruns
# that differ only in a ranking option or the earlier briefings; 40 would be 120 MB of store.
KEEP_BRIEFINGS = 10
# One set of rows per set of summary options (about 25 MB each at 10,000 articles): the
# default and one other cover switching back and forth.
KEEP_ROWS = 2
# Rows a run keeps before writing them: held to the end of a 10,000-article run, the rows
# (texts and cleaned blocks as JSON) took ~330 MB (issue 13's profile); 500 are a few MB and a
# transaction of a few milliseconds.
_FLUSH_ROWS = 500
# The page size of a new store (SQLite's default is 4096). A summaries row is ~5.5 KB and a
# files row ~3-7 KB on the 10k bench week, so at 4096 bytes most rows spill into overflow
# pages, each written (and checkpointed from the WAL) on its own.
PAGE_SIZE = 16384

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
# emptied when other code filled the store
_RESULTS = (
    "files",
    "summaries",
    "groupings",
    "briefings",
    "stories",
    "placements",
    "rows",
    "storylines",
)
# newest rows kept
_KEPT = {"groupings": KEEP_GROUPINGS, "briefings": KEEP_BRIEFINGS, "rows": KEEP_ROWS}
_SALT_KEY = "code"  # the meta row naming the code that filled the store


def store_path(out: Path) -> Path:
    """`.briefer/store.sqlite3` beside the output folder."""
    return out.parent / STORE_FOLDER / STORE_FILENAME


class StoreProblem(Exception):
    """The file is not a usable store of ours; the message says why."""


class Store:
    """An open article store. Lookups read at once; what a run learns is written by `save`,
    which `_add` calls every _FLUSH_ROWS rows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._pending: dict[str, dict[str, tuple[str, ...]]] = {
            t: {} for t in (*_RESULTS, "seen") if t != "rows"
        }
        # Stamps taken before the files were read: a file edited while it is being read is
        # then read again next time, never stored under its new stamp with its old text.
        self._stamps: dict[Path, str] = {}
        # The run key's stamps (cache.run_key), taken just before: lookup takes each once.
        self.stamps: dict[Path, str] = {}
        self._cwd: str | None = None  # what lookup keyed the files by (a syscall a file)
        # Each article's text_digest by its title and text, for the articles of the files
        # this run looked up or remembered, until asked for once (Cache's summary keys):
        # the rows keep them, so a rerun does not hash the texts again.
        self._digests: dict[tuple[str, str], str] = {}
        self.files_reused = 0
        self.damaged = 0  # rows whose checksum did not match or that could not be read
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
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        self._connection = connection
        # Takes effect only in a database not yet written (a new store); one already made
        # keeps its own.
        connection.execute(f"PRAGMA page_size = {PAGE_SIZE}")
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
        elif version >= 2 and version < SCHEMA_VERSION and _TABLES - tables <= _ADDED.keys():
            self._upgrade()
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
        self._forget_other_code()

    def _salt_matches(self) -> bool:
        row = self._db().execute("SELECT value FROM meta WHERE key = ?", (_SALT_KEY,)).fetchone()
        return row is not None and row[0] == self._salt

    def _forget_other_code(self) -> None:
        """Empty the results when they were worked out by other code (another version of
        briefer, or edited data files): none of their keys can ever match this code's again,
        and they would otherwise pile up with every upgrade. First-seen days are kept."""
        if self._salt_matches():
            return
        with self._transaction() as connection:
            if not self._salt_matches():  # not done by a run we waited for
                log.info("%s: made by other code; starting it afresh", self.path)
                for table in _RESULTS:
                    connection.execute(f"DELETE FROM {table}")
                connection.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    (_SALT_KEY, self._salt),
                )

    def _create(self) -> None:
        with self._transaction() as connection:
            tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not tables.fetchall():  # another run may have created it while we waited
                for statement in _SCHEMA:
                    connection.execute(statement)
                connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _upgrade(self) -> None:
        """A store of version 2 or later made current: the tables added since created; every
        row kept (first-seen days are a record, not a cache)."""
        with self._transaction() as connection:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                tables = {
                    row[0]
                    for row in connection.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table'"
                    )
                }
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

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        connection = self._db()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
            connection.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise

    def holds_files(self) -> bool:
        """Whether any input file's articles are stored (saved, not only pending)."""
        if self._connection is None:
            return False
        return self._connection.execute("SELECT 1 FROM files LIMIT 1").fetchone() is not None

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            raise StoreProblem("the store is closed")
        return self._connection

    def close(self) -> None:
        if self.damaged:
            log.warning(
                "%s: %d damaged entr%s in the article store (checksum mismatch or unreadable); "
                "worked out again and replaced",
                self.path,
                self.damaged,
                "y" if self.damaged == 1 else "ies",
            )
            self.damaged = 0
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # -- reading and writing rows

    def _read(
        self, table: str, keys: Sequence[str], columns: str = "", parse: bool = True
    ) -> dict[str, Any]:
        """{key: parsed value} for the rows of keys that are there and sound; a row whose
        checksum does not match or whose value cannot be parsed is counted and left out.
        parse False: the values as stored."""
        if self._connection is None or not keys:
            return {}
        rows: list[tuple[Any, ...]] = []
        try:
            for start in range(0, len(keys), _BATCH):
                batch = keys[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                rows.extend(
                    self._connection.execute(
                        f"SELECT key, value, checksum{columns} FROM {table} WHERE key IN ({marks})",
                        batch,
                    )
                )
        except sqlite3.Error as error:
            self._give_up(error)
            return {}
        sound = [row for row in rows if _sound(row)]
        self.damaged += len(rows) - len(sound)
        if not parse:
            return {row[0]: (row[1], *row[3:]) for row in sound}
        try:
            # One parse for all the rows: far cheaper than a json.loads call per row.
            values = json.loads("[" + ",".join(row[1] for row in sound) + "]")
        except ValueError:  # a row that is not JSON under a sound checksum: find it
            values = [_parse(row[1]) for row in sound]
            self.damaged += sum(value is None for value in values)
        return {
            row[0]: (value, *row[3:])
            for row, value in zip(sound, values, strict=True)
            if value is not None
        }

    def held(self, table: str, keys: Sequence[str]) -> set[str]:
        """Which of the keys the table has a row for (sound or not: nothing is read but
        the keys)."""
        if self._connection is None or not keys:
            return set()
        found: set[str] = set()
        try:
            for start in range(0, len(keys), _BATCH):
                batch = keys[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                query = f"SELECT key FROM {table} WHERE key IN ({marks})"
                found.update(row[0] for row in self._connection.execute(query, batch))
        except sqlite3.Error as error:
            self._give_up(error)
        return found

    def _add(self, table: str, key: str, value: str, *extra: str) -> None:
        self._pending[table][key] = (value, checksum(key, value), *extra)
        if sum(len(rows) for rows in self._pending.values()) >= _FLUSH_ROWS:
            self.save()

    def _give_up(self, error: sqlite3.Error) -> None:
        # Damaged under our feet (or the disk is full): the briefing goes on without the store.
        log.warning(
            "%s: the article store failed (%s); running without it", self.path, _describe(error)
        )
        self.close()

    # -- what the stages ask

    def lookup(self, paths: Sequence[Path], limits: InputLimits) -> dict[Path, tuple[Article, ...]]:
        """The articles of every file whose stamp matches what was stored (ingest's cache)
        when read within the same limits."""
        wanted: dict[str, tuple[Path, str]] = {}
        cwd = self._cwd = os.getcwd()
        tail = f":{self._salt}{input_tag(limits)}"  # once, not once a file
        for path in paths:
            stamp = self.stamps.pop(path, None) or file_stamp(path)
            if stamp is not None:
                self._stamps[path] = stamp
                wanted[file_key(path, cwd)] = (path, f"{stamp}{tail}")
        rows = self._read("files", list(wanted), ", stamp", parse=False)
        paths, heads, bodies = [], [], []
        for key, (value, stamp) in rows.items():
            path, expected = wanted[key]
            if stamp == expected:
                head, _, body = value.partition("\x00")
                paths.append(path)
                heads.append(head)
                bodies.append(body)
        try:  # one parse for all the rows' heads, as in _read
            parsed = json.loads("[" + ",".join(heads) + "]")
            if len(parsed) != len(heads):
                raise ValueError("a head of several values")
        except ValueError:
            parsed = [_parse(head) for head in heads]
        found: dict[Path, tuple[Article, ...]] = {}
        digests = self._digests
        for path, head, body in zip(paths, parsed, bodies, strict=True):
            try:
                articles, known = _articles_from(head, body)
            except (KeyError, TypeError, ValueError):
                self.damaged += 1
                continue
            found[path] = articles
            for article, digest in zip(articles, known, strict=False):
                digests[article.title, article.text] = digest
        self.files_reused += len(found)
        return found

    def text_digest(self, article: Article) -> str:
        """stamps.text_digest of the article, from its file's row when this run read or
        wrote that (once: it is then let go)."""
        found = self._digests.pop((article.title, article.text), None)
        return found if found is not None else text_digest(article.title, article.text)

    def forget_digests(self) -> None:
        """Let go of the digests not asked for (articles out of the period): they hold
        their texts."""
        self._digests.clear()

    def remember(self, path: Path, articles: Sequence[Article], limits: InputLimits) -> None:
        """A file's articles as a row: their fields but the text as JSON, then a NUL (which
        JSON never holds unescaped), then the texts one after the other, as they are: not
        decoding 10,000 texts from JSON in a rerun saved ~0.15 s of its 0.4 s lookup."""
        stamp = self._stamps.get(path)
        if stamp is not None:
            digests = [text_digest(a.title, a.text) for a in articles]
            for article, digest in zip(articles, digests, strict=True):
                self._digests[article.title, article.text] = digest
            lengths = [len(a.text) for a in articles]
            head = [[article_data(a) for a in articles], lengths, digests]
            value = compact_plain(head) + "\x00" + "".join(article.text for article in articles)
            stamp = f"{stamp}:{self._salt}{input_tag(limits)}"
            self._add("files", file_key(path, self._cwd or os.getcwd()), value, stamp)

    def _each(self, table: str, keys: Sequence[str], parse: Callable[[Any], _V]) -> dict[str, _V]:
        """{key: parse(value)} for the rows of keys that are there and sound; a value that
        parse cannot read is counted as damaged and left out."""
        found: dict[str, _V] = {}
        for key, (value,) in self._read(table, sorted(set(keys))).items():
            try:
                found[key] = parse(value)
            except (AttributeError, KeyError, TypeError, ValueError):
                self.damaged += 1
        return found

    def summaries(self, keys: Sequence[str]) -> dict[str, Summarized]:
        return self._each("summaries", keys, summarized_from)

    def add_summary(self, key: str, value: Summarized) -> None:
        self._add("summaries", key, compact_plain(summarized_data(value)))

    def grouping(self, key: str, articles: Sequence[Article]) -> Grouped | None:
        """The grouping stored under key, with each story's articles taken from this run's
        records; None when there is none (or it names an article not among them, which the
        key makes impossible short of a hash collision)."""
        found = self._read("groupings", [key])
        if key not in found:
            return None
        by_id: dict[str, Article] = {}
        for article in articles:
            by_id.setdefault(article.id, article)
        try:
            value = found[key][0]
            return Grouped(
                sections=sections_from(value["sections"], by_id),
                merged=int(value["merged"]),
                left_out=tuple(
                    Skipped(str(s["path"]), str(s["reason"])) for s in value["left_out"]
                ),
            )
        except (KeyError, TypeError, ValueError):
            self.damaged += 1
            return None

    def add_grouping(self, key: str, grouped: Grouped) -> None:
        value = {
            "merged": grouped.merged,
            "left_out": [{"path": s.path, "reason": s.reason} for s in grouped.left_out],
            # The articles by id: `grouping` takes them from the run's records.
            "sections": sections_data(grouped.sections, ids_only=True),
        }
        self._add("groupings", key, compact_plain(value))  # no floats before rank sets them

    def briefing(self, key: str) -> tuple[Briefing, dict[str, dt.date]] | None:
        """The briefing stored under key and the first-seen days it placed undated articles
        by, if those are still the store's (they are a record that may be edited or lost)."""
        found = self._read("briefings", [key])
        if key not in found:
            return None
        try:
            value = found[key][0]
            seen = {str(k): dt.date.fromisoformat(v) for k, v in value["seen"].items()}
            if self.seen_days(list(seen)) != seen:
                return None
            return briefing_from(value["briefing"]), seen
        except (KeyError, TypeError, ValueError, AttributeError):
            self.damaged += 1
            return None

    def add_briefing(self, key: str, briefing: Briefing, seen: dict[str, dt.date]) -> None:
        value = {
            "seen": {identity: day.isoformat() for identity, day in sorted(seen.items())},
            "briefing": briefing_data(briefing),
        }
        self._add("briefings", key, compact_floats(value, briefing_floats(briefing)))

    def outputs(self, key: str) -> Any:
        """The record of the files a run wrote (Cache.written), kept in the briefings table
        beside the briefings; None when there is none."""
        return self._each("briefings", [key], lambda value: value).get(key)

    def add_outputs(self, key: str, value: object) -> None:
        self._add("briefings", key, compact(value))

    def stories(self, keys: Sequence[str]) -> dict[str, Told]:
        return self._each("stories", keys, told_from)

    def add_story(self, key: str, value: Told) -> None:
        self._add("stories", key, compact(told_data(value)))

    def placements(self, keys: Sequence[str]) -> dict[str, Placement]:
        return self._each("placements", keys, placement_from)

    def add_placement(self, key: str, value: Placement) -> None:
        self._add("placements", key, compact(placement_data(value)))

    def story_terms(self, keys: Sequence[str]) -> dict[str, StoryTerms]:
        return self._each("storylines", keys, story_terms_from)

    def add_story_terms(self, key: str, value: StoryTerms) -> None:
        self._add("storylines", key, compact(story_terms_data(value)))

    def rows(self, key: str) -> StoredRows | None:
        """The rows stored under key; None when there are none or they do not check out."""
        if self._connection is None:
            return None
        try:
            row = self._connection.execute(
                "SELECT value, checksum FROM rows WHERE key = ?", (key,)
            ).fetchone()
        except sqlite3.Error as error:
            self._give_up(error)
            return None
        if row is None:
            return None
        value, check = row
        if not isinstance(value, bytes) or not blob_sound(key, value, str(check)):
            self.damaged += 1
            return None
        from briefer.group.rows import rows_from_bytes  # numpy: only when rows are wanted

        try:
            return rows_from_bytes(value)
        except (KeyError, TypeError, ValueError, OSError, EOFError):
            self.damaged += 1
            return None

    def add_rows(self, key: str, value: StoredRows) -> None:
        """Written at once, in a transaction of its own (one set of rows per run), and
        streamed into its row part by part (group.rows.rows_parts: views of the arrays):
        made whole, held until save and then bound (which copies it), the 30,000-article
        bench run's rows (118 MB) were held twice over at the run's peak (issue 13). The
        parts are hashed first, so the row is inserted once, checksum and all, with its value
        last: SQLite holds a zeroblob whole in memory when any of the record follows it, and
        an UPDATE reads the whole record back in (each +2x the blob, measured)."""
        if self._connection is None:
            return
        from briefer.group.rows import rows_parts  # numpy: only when rows are kept

        size, parts = rows_parts(value)
        digest = BlobDigest(key)
        for part in parts:
            digest.update(part)
        try:
            with self._transaction() as connection:
                connection.execute("DELETE FROM rows WHERE key = ?", (key,))  # newest last
                row = connection.execute(
                    "INSERT INTO rows (key, checksum, value) VALUES (?, ?, zeroblob(?))",
                    (key, digest.hexdigest(), size),
                ).lastrowid
                assert row is not None  # an INSERT's
                with connection.blobopen("rows", "value", row) as blob:
                    for part in parts:
                        blob.write(part)
                _trim(connection, "rows", KEEP_ROWS)
        except sqlite3.Error as error:
            self._give_up(error)

    def seen_days(self, ids: Sequence[str]) -> dict[str, dt.date]:
        return self._each("seen", ids, dt.date.fromisoformat)

    def first_seen(self, ids: Sequence[str], today: dt.date) -> dict[str, dt.date]:
        """The day each content id was first seen; today (and remembered) for new ones."""
        days = self.seen_days(ids)
        for identity in ids:
            if identity not in days:
                days[identity] = today
                self._add("seen", identity, compact(today.isoformat()))
        return days

    # -- writing

    def save(self) -> None:
        """Write what this run added since the last save, in one transaction. Only the
        newest KEEP_GROUPINGS groupings and KEEP_BRIEFINGS briefings are kept."""
        if self._connection is None or not any(self._pending.values()):
            return
        try:
            self._write()
        except sqlite3.Error as error:
            self._give_up(error)

    def _write(self) -> None:
        with self._transaction() as connection:
            for table, rows in self._pending.items():
                if table in _KEPT:
                    for key in rows:  # replaced rows move to the end: newest last
                        connection.execute(f"DELETE FROM {table} WHERE key = ?", (key,))
                names = "key, value, checksum" + (", stamp" if table == "files" else "")
                marks = ", ".join("?" * len(names.split(",")))
                connection.executemany(
                    f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({marks})",
                    [(key, *row) for key, row in rows.items()],
                )
            for table, kept in _KEPT.items():
                _trim(connection, table, kept)
        for rows in self._pending.values():
            rows.clear()


def _trim(connection: sqlite3.Connection, table: str, kept: int) -> None:
    """Only the table's newest `kept` rows left."""
    connection.execute(
        f"DELETE FROM {table} WHERE rowid NOT IN "
        f"(SELECT rowid FROM {table} ORDER BY rowid DESC LIMIT ?)",
        (kept,),
    )


def _sound(row: tuple[Any, ...]) -> bool:
    key, value, check = row[:3]
    return isinstance(value, str) and isinstance(check, str) and sound(key, value, check)


def _articles_from(head: Any, body: str) -> tuple[tuple[Article, ...], list[str]]:
    """The articles of a files row (Store.remember) and their text digests (none in a row
    written before they were kept); ValueError or TypeError if it is not one."""
    data, lengths, *rest = head
    digests = rest[0] if rest else []
    if len(rest) > 1 or not all(isinstance(digest, str) for digest in digests):
        raise ValueError("not a files row")
    if digests and len(digests) != len(data):
        raise ValueError("a digest for each article, or none")
    articles, start = [], 0
    for item, length in zip(data, lengths, strict=True):
        item["text"] = body[start : start + length]
        start += length
        articles.append(article_from(item))
    if start != len(body):
        raise ValueError("the texts are not the lengths given")
    return tuple(articles), digests


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _describe(problem: BaseException) -> str:
    if isinstance(problem, sqlite3.DatabaseError) and "not a database" in str(problem):
        return "not an SQLite database (corrupt or some other file)"
    if isinstance(problem, OSError):
        return str(problem.strerror or problem)
    return str(problem)


def _remove_database(path: Path) -> None:
    for name in (path.name, path.name + "-wal", path.name + "-shm", path.name + "-journal"):
        (path.parent / name).unlink(missing_ok=True)
