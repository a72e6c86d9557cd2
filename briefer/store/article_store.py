"""The open article store (`Store`): what the pipeline's stages ask of it (briefer.cache asks
on their behalf), rows read with their checksums checked and written in short transactions.
The file and its schema are briefer.store.schema's; the rows' text forms briefer.store.codec's."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from briefer.errors import InputError
from briefer.records import (
    Article,
    Briefing,
    Grouped,
    InputLimits,
    Placement,
    StoredRows,
    StoryTerms,
    Summarized,
    Told,
)
from briefer.serialize import (
    briefing_from,
    compact,
    compact_plain,
    placement_data,
    placement_from,
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
    text_digest,
)
from briefer.store.codec import (
    FilesHead,
    articles_from,
    bare_articles,
    briefing_seen,
    briefing_value,
    files_head,
    files_value,
    grouping_from,
    grouping_value,
    parse_all,
    sound_row,
    split_files_value,
    texts_sound,
)
from briefer.store.schema import (
    RESULTS,
    StoreProblem,
    connect,
    describe,
    remove_database,
    transaction,
)

log = logging.getLogger(__name__)

_V = TypeVar("_V")  # what a table's rows are read as


class _Elided(NamedTuple):
    """A file whose articles Store.lookup gave without their texts: its row, its head (what
    their texts' places, digests and check are) and the file (read again if the row no
    longer gives them)."""

    key: str
    head: FilesHead
    path: Path


def _same_article(article: Article, read: Sequence[Article]) -> Article:
    """The article of a file read again that is `article` (by id and title)."""
    for candidate in read:
        if candidate.id == article.id and candidate.title == article.title:
            return candidate
    raise InputError(article.path, "changed while briefer read it", "run briefer again")


_BATCH = 500  # keys per SELECT ... IN (...), well under SQLite's variable limit
KEEP_GROUPINGS = 20  # each is one run's result; an old one is rarely wanted again
# A whole briefing (about 6 MB at 10,000 articles, measured) or the small record of the files
# a run wrote from one (Cache.written), one of each a run: five briefings cover the reruns
# that differ only in a ranking option or the earlier briefings; 40 would be 120 MB of store.
KEEP_BRIEFINGS = 10
# One set of rows per set of summary options (about 25 MB each at 10,000 articles): the
# default and one other cover switching back and forth.
KEEP_ROWS = 2
# newest rows kept
_KEPT = {"groupings": KEEP_GROUPINGS, "briefings": KEEP_BRIEFINGS, "rows": KEEP_ROWS}
# Rows a run keeps before writing them: held to the end of a 10,000-article run, the rows
# (texts and cleaned blocks as JSON) took ~330 MB (issue 13's profile); 500 are a few MB and a
# transaction of a few milliseconds.
_FLUSH_ROWS = 500


class Store:
    """An open article store. Lookups read at once; what a run learns is written by `save`,
    which `_add` calls every _FLUSH_ROWS rows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._pending: dict[str, dict[str, tuple[str, ...]]] = {
            t: {} for t in (*RESULTS, "seen") if t != "rows"
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
        # The files whose articles lookup gave without their texts, by the articles' path.
        self._elided: dict[str, _Elided] = {}
        self._limits = InputLimits()  # what lookup's files were read within
        self.files_reused = 0
        self.articles_reused = 0  # the articles of those files
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
                describe(problem),
            )
            return None
        except (StoreProblem, sqlite3.DatabaseError) as problem:
            store.close()
            log.warning("%s: %s; rebuilding the article store", path, describe(problem))
        try:
            remove_database(path)
            store._connect()
            return store
        except (StoreProblem, sqlite3.Error, OSError) as problem:
            store.close()
            log.warning(
                "%s: cannot rebuild the article store (%s); running without it",
                path,
                describe(problem),
            )
            return None

    def _connect(self) -> None:
        self._connection = connect(self.path, self._salt)

    def _transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return transaction(self._db())

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
        rows = self._rows(f"key, value, checksum{columns}", table, keys)
        if not rows:
            return {}
        sound = [row for row in rows if sound_row(row)]
        self.damaged += len(rows) - len(sound)
        if not parse:
            return {row[0]: (row[1], *row[3:]) for row in sound}
        values = parse_all([row[1] for row in sound])
        self.damaged += sum(value is None for value in values)  # not JSON, checksum sound
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

    def _add(
        self, table: str, key: str, value: str, *extra: str, checked: str | None = None
    ) -> None:
        """A row to write: its checksum that of value, or of the part of it `checked` (a files
        row's head, which carries its texts' own check)."""
        check = checksum(key, value if checked is None else checked)
        self._pending[table][key] = (value, check, *extra)
        if sum(len(rows) for name, rows in self._pending.items() if name != "seen") >= _FLUSH_ROWS:
            self.save(records=False)

    def _give_up(self, error: sqlite3.Error) -> None:
        # Damaged under our feet (or the disk is full): the briefing goes on without the store.
        log.warning(
            "%s: the article store failed (%s); running without it", self.path, describe(error)
        )
        self.close()

    # -- what the stages ask

    def lookup(
        self, paths: Sequence[Path], limits: InputLimits, texts: bool = True
    ) -> dict[Path, tuple[Article, ...]]:
        """The articles of every file whose stamp matches what was stored (ingest's cache)
        when read within the same limits. texts false: the articles of a row that allows it
        (codec.FilesHead.bare) come with their texts "", only the rows' heads read and
        checked (a rerun of the 10k bench week holds none of its 10,000 old texts: only the
        articles it summarizes again need theirs, `with_texts`); their summary keys from
        the digests the rows keep (elided_digest)."""
        wanted: dict[str, tuple[Path, str]] = {}
        cwd = self._cwd = os.getcwd()
        tail = f":{self._salt}{input_tag(limits)}"  # once, not once a file
        for path in paths:
            stamp = self.stamps.pop(path, None) or file_stamp(path)
            if stamp is not None:
                self._stamps[path] = stamp
                wanted[file_key(path, cwd)] = (path, f"{stamp}{tail}")
        # (key, head, texts or None: not read yet) of the rows whose stamps match
        rows: list[tuple[str, str, str | None]] = []
        heads = self._heads(list(wanted))
        for key, (head, stamp) in heads.items():
            if stamp == wanted[key][1]:
                rows.append((key, head, None))
        # A row whose head is not what its checksum covers: one written whole (before the
        # heads were checked alone), or damaged, which _read counts.
        others = [key for key in wanted if key not in heads]
        for key, (value, stamp) in self._read("files", others, ", stamp", parse=False).items():
            if stamp == wanted[key][1]:
                rows.append((key, *split_files_value(value)))
        parsed = parse_all([row[1] for row in rows])  # None: not JSON, not a files row
        read: list[tuple[str, FilesHead, str | None]] = []
        for (key, _, given), value in zip(rows, parsed, strict=True):
            try:
                read.append((key, files_head(value), given))
            except (KeyError, TypeError, ValueError):
                self.damaged += 1
        unread = {key for key, files, given in read if given is None and (texts or not files.bare)}
        bodies = self._bodies(sorted(unread))
        found: dict[Path, tuple[Article, ...]] = {}
        digests, elided = self._digests, self._elided
        for key, files, given in read:
            path = wanted[key][0]
            if given is None and key not in unread:  # bare: kept without their texts
                try:
                    articles = bare_articles(files)
                except (KeyError, TypeError, ValueError):
                    self.damaged += 1
                    continue
                found[path] = articles
                elided[articles[0].path] = _Elided(key, files, path)  # where to read them back
                continue
            body = bodies.get(key) if given is None else given
            if body is None:
                continue  # its texts are gone (damaged, counted): the file is read again
            try:
                articles, known = articles_from(files, body)
            except (KeyError, TypeError, ValueError):
                self.damaged += 1
                continue
            found[path] = articles
            for article, digest in zip(articles, known, strict=False):
                digests[article.title, article.text] = digest
        self.files_reused += len(found)
        self.articles_reused += sum(map(len, found.values()))
        self._limits = limits
        return found

    def _heads(self, keys: Sequence[str]) -> dict[str, tuple[str, str]]:
        """{key: (head, stamp)} of the files rows of keys whose heads are what their
        checksums cover (codec.files_value): the texts after them are not read."""
        # A text's length in SQLite counts its characters before the first NUL: the head's
        # (JSON holds none unescaped), which is all substr then returns.
        rows = self._rows("key, substr(value, 1, length(value)), checksum, stamp", "files", keys)
        return {row[0]: (row[1], row[3]) for row in rows or () if sound_row(row)}

    def _bodies(self, keys: Sequence[str]) -> dict[str, str]:
        """{key: the texts part} of the files rows of keys (checked by articles_from)."""
        rows = self._rows("key, value", "files", keys)
        if rows is None:
            return {}
        found = {key: split_files_value(value)[1] for key, value in rows if isinstance(value, str)}
        self.damaged += len(keys) - len(found)
        return found

    def _rows(self, select: str, table: str, keys: Sequence[str]) -> list[tuple[Any, ...]] | None:
        """`SELECT select FROM table` for the rows of keys, _BATCH keys a query; None when
        there is no store to read or SQLite failed (the store then given up)."""
        if self._connection is None or not keys:
            return None
        rows: list[tuple[Any, ...]] = []
        try:
            for start in range(0, len(keys), _BATCH):
                batch = keys[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                query = f"SELECT {select} FROM {table} WHERE key IN ({marks})"
                rows.extend(self._connection.execute(query, batch))
        except sqlite3.Error as error:
            self._give_up(error)
            return None
        return rows

    def _place(self, article: Article) -> tuple[_Elided, int] | None:
        """Where the text of an article that lookup gave without it is: its file and its
        place among the file's articles; None for any other article."""
        if article.text:
            return None
        where = self._elided.get(article.path)
        if where is None:
            return None
        place = where.head.place(article.id, article.title)
        return None if place is None else (where, place)

    def elided_digest(self, article: Article) -> str | None:
        """The text digest of an article that lookup gave without its text (None for any
        other): what its summary key needs of the text."""
        found = self._place(article)
        return None if found is None else found[0].head.digests[found[1]]

    def with_texts(self, articles: Sequence[Article]) -> list[Article]:
        """The articles, each that lookup gave without its text with its text read back
        from its file's row (checked against the check its head was read with); the others
        as they are. A row that no longer gives them (damaged, or replaced by another run
        since) is counted, and its file read again."""
        places = [self._place(article) for article in articles]
        keys = sorted({found[0].key for found in places if found is not None})
        if not keys:
            return list(articles)
        bodies = self._bodies(keys)
        result: list[Article] = []
        reread: dict[Path, list[Article]] = {}
        for article, found in zip(articles, places, strict=True):
            if found is None:
                result.append(article)
                continue
            where, place = found
            body = bodies.get(where.key)
            if body is not None and not texts_sound(body, where.head.texts_check):
                self.damaged += 1
                body = None
            if body is None:
                if where.path not in reread:
                    from briefer.ingest import read_file  # only when the store fails us

                    reread[where.path] = read_file(where.path, self._limits)
                    bodies.pop(where.key, None)
                text = _same_article(article, reread[where.path]).text
                # The id ignores the text's spacing, so a file only re-wrapped since is the
                # same article by id and title: the summary key was made from the old text's
                # digest and must not be given a summary of another text.
                if text_digest(article.title, text) != where.head.digests[place]:
                    raise InputError(
                        article.path, "changed while briefer read it", "run briefer again"
                    )
            else:
                start = sum(where.head.lengths[:place])
                text = body[start : start + where.head.lengths[place]]
            result.append(dataclasses.replace(article, text=text))
        return result

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
        """A file's articles (codec.files_value), under the stamp the file had before it was
        read (lookup's)."""
        stamp = self._stamps.get(path)
        if stamp is not None:
            digests = [text_digest(a.title, a.text) for a in articles]
            for article, digest in zip(articles, digests, strict=True):
                self._digests[article.title, article.text] = digest
            value, head = files_value(articles, digests)
            stamp = f"{stamp}:{self._salt}{input_tag(limits)}"
            key = file_key(path, self._cwd or os.getcwd())
            self._add("files", key, value, stamp, checked=head)

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
        try:
            return grouping_from(found[key][0], articles)
        except (KeyError, TypeError, ValueError):
            self.damaged += 1
            return None

    def add_grouping(self, key: str, grouped: Grouped) -> None:
        self._add("groupings", key, grouping_value(grouped))

    def briefing(self, key: str) -> tuple[Briefing, dict[str, dt.date]] | None:
        """The briefing stored under key and the first-seen days it placed undated articles
        by, if those are still the store's (they are a record that may be edited or lost)."""
        found = self._read("briefings", [key])
        if key not in found:
            return None
        try:
            value = found[key][0]
            seen = briefing_seen(value)
            if self.seen_days(list(seen)) != seen:
                return None
            return briefing_from(value["briefing"]), seen
        except (KeyError, TypeError, ValueError, AttributeError):
            self.damaged += 1
            return None

    def add_briefing(self, key: str, briefing: Briefing, seen: dict[str, dt.date]) -> None:
        self._add("briefings", key, briefing_value(briefing, seen))

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

    def theme_patterns(self, key: str) -> Any:
        """The patterns of a file of themes stored under key (theme_patterns.patterns_data's
        form, a row per file of themes and code, kept in the placements table beside the
        stories' placements, which depend on them); None when there are none."""
        return self._each("placements", [key], lambda value: value).get(key)

    def add_theme_patterns(self, key: str, value: object) -> None:
        self._add("placements", key, compact(value))

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

    def save(self, records: bool = True) -> None:
        """Write what this run added since the last save, in one transaction. Only the
        newest KEEP_GROUPINGS groupings and KEEP_BRIEFINGS briefings are kept. With records
        false, the first-seen days wait (a few bytes each): unlike the results, they record
        what a briefing showed, so only a run that writes its briefing keeps them; an undated
        article first seen by a run that failed is new to the next one, not dated to a day
        no briefing covered."""
        tables = [t for t, rows in self._pending.items() if rows and (records or t != "seen")]
        if self._connection is None or not tables:
            return
        try:
            self._write(tables)
        except sqlite3.Error as error:
            self._give_up(error)

    def _write(self, tables: Sequence[str]) -> None:
        with self._transaction() as connection:
            for table in tables:
                rows = self._pending[table]
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
        for table in tables:
            self._pending[table].clear()


def _trim(connection: sqlite3.Connection, table: str, kept: int) -> None:
    """Only the table's newest `kept` rows left."""
    connection.execute(
        f"DELETE FROM {table} WHERE rowid NOT IN "
        f"(SELECT rowid FROM {table} ORDER BY rowid DESC LIMIT ?)",
        (kept,),
    )
