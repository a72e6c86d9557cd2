"""The article store: what a rerun reuses, when it must not, and that a damaged store file is
rebuilt rather than fatal. Runs the real pipeline and CLI on copies of the samples; the store's
counters (MakeResult.stats) say what each run did itself."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, run_cli

from briefer.cache import Cache, summary_key
from briefer.errors import InputError
from briefer.group.graph import PAIR_ARRAYS, StoryGraph
from briefer.group.rows import blob_arrays, rows_from_bytes, rows_parts, rows_to_bytes, write_rows
from briefer.group.texts import article_features
from briefer.ingest import read_file
from briefer.options import MakeOptions
from briefer.pipeline import MakeResult, make
from briefer.records import Article, Block, InputLimits, Sentence, Summarized
from briefer.stamps import checksum, text_digest
from briefer.store import SCHEMA_VERSION, Store, store_path
from briefer.store.schema import transaction

SAMPLES = REPO / "samples"
PERIOD = ("--since", "2021-01-01", "--until", "2024-12-31")
DEFAULTS = InputLimits()


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(SAMPLES, folder)
    return folder


def _options(folder: Path, out: Path, **changes: object) -> MakeOptions:
    values: dict[str, object] = {
        "inputs": (folder,),
        "out": out,
        "since": dt.date(2021, 1, 1),
        "until": dt.date(2024, 12, 31),
        "themes": folder / "themes.toml",
        "formats": ("md", "html", "txt"),
    }
    values.update(changes)
    return MakeOptions(**values)  # type: ignore[arg-type]


def _outputs(result: MakeResult) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in result.paths}


# ---- the store on its own ----------------------------------------------------------------------


def _remember_anew(path: Path, feed: Path, articles: tuple[Article, ...]) -> None:
    """A new store at path that finds nothing for feed, then keeps its articles."""
    store = Store.open(path)
    assert store is not None
    assert store.lookup([feed], DEFAULTS) == {}
    store.remember(feed, articles, DEFAULTS)
    store.save()
    store.close()


def test_first_seen_days_are_kept_only_by_a_save_of_the_records(tmp_path: Path) -> None:
    """A failed run saves its results (records false) but not the days it first saw undated
    articles: no briefing showed them, so the next run sees them as new."""
    path = tmp_path / ".briefer" / "store.sqlite3"
    store = Store.open(path)
    assert store is not None
    store.first_seen(["id1"], dt.date(2024, 12, 5))
    store.add_summary("k1", Summarized(blocks=(), sentences=(), algorithm="default"))
    store.save(records=False)
    store.close()
    again = Store.open(path)
    assert again is not None
    assert again.summaries(["k1"]) != {}
    assert again.seen_days(["id1"]) == {}
    again.first_seen(["id1"], dt.date(2024, 12, 6))
    again.save()
    again.close()
    last = Store.open(path)
    assert last is not None
    assert last.seen_days(["id1"]) == {"id1": dt.date(2024, 12, 6)}
    last.close()


class _InterruptedAtBegin:
    """A connection whose BEGIN is followed by a Ctrl-C, as when the signal arrives while
    BEGIN IMMEDIATE waits for another run's lock and is raised the moment it returns."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    @property
    def in_transaction(self) -> bool:
        return self.connection.in_transaction

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        cursor = self.connection.execute(sql, *args)
        if sql == "BEGIN IMMEDIATE":
            raise KeyboardInterrupt
        return cursor


def test_an_interrupt_right_after_begin_leaves_no_transaction_open(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "s.sqlite3", isolation_level=None)
    interrupted = _InterruptedAtBegin(connection)
    with pytest.raises(KeyboardInterrupt), transaction(interrupted):  # type: ignore[arg-type]
        pass
    assert not connection.in_transaction
    with transaction(connection):  # the next save can begin its own
        connection.execute("CREATE TABLE t (x)")
    connection.close()


def test_summaries_files_and_first_seen_days_survive_a_round_trip(tmp_path: Path) -> None:
    path = tmp_path / ".briefer" / "store.sqlite3"
    store = Store.open(path)
    assert store is not None
    blocks = (Block("Subhead", True), Block("First “quoted” para. Second one."))
    value = Summarized(
        blocks=blocks,
        sentences=(Sentence("Second one.", 1, 1),),
        algorithm="default",
        # the words grouping reads, kept so a rerun need not read the blocks again
        features=article_features("A “headline” of 2024", [b.text for b in blocks[1:]]),
    )
    article_file = tmp_path / "a.md"
    article_file.write_text("+++\ntitle = 'A'\n+++\nText.\n", encoding="utf-8")
    article = Article("id1", "A", dt.date(2024, 1, 2), "src", "https://x.org/a", "Text.\n", "a.md")
    assert store.lookup([article_file], DEFAULTS) == {}
    store.remember(article_file, [article], DEFAULTS)
    store.add_summary("k1", value)
    assert store.first_seen(["id9"], dt.date(2024, 12, 5)) == {"id9": dt.date(2024, 12, 5)}
    store.save()
    store.close()

    again = Store.open(path)
    assert again is not None
    assert again.summaries(["k1", "k2"]) == {"k1": value}
    assert again.lookup([article_file], DEFAULTS) == {article_file: (article,)}
    # Read within other limits (a lowered one might refuse it), the file is read again.
    assert again.lookup([article_file], InputLimits(max_file_bytes=10)) == {}
    # The first day seen stays the first: a later run does not move it.
    later = again.first_seen(["id9", "id8"], dt.date(2024, 12, 9))
    assert later == {"id9": dt.date(2024, 12, 5), "id8": dt.date(2024, 12, 9)}
    # A touched file is read again, even with the same bytes.
    article_file.write_text("+++\ntitle = 'A'\n+++\nText!\n", encoding="utf-8")
    assert again.lookup([article_file], DEFAULTS) == {}
    again.close()
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    connection.close()
    assert (path.parent / ".gitignore").read_text(encoding="utf-8").strip().endswith("*")


def test_a_file_of_several_articles_comes_back_whole_and_a_spoilt_row_is_read_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.sqlite3"
    feed = tmp_path / "feed.jsonl"
    feed.write_text("{}\n", encoding="utf-8")
    texts = ("First, with a NUL \x00 and “quotes”.\n\nSecond paragraph.", "", "Ünïcode ✓\n")
    articles = tuple(
        Article(f"id{n}", f"T{n}", None, "src", "", text, "feed.jsonl")
        for n, text in enumerate(texts)
    )
    _remember_anew(path, feed, articles)
    again = Store.open(path)
    assert again is not None
    assert again.lookup([feed], DEFAULTS) == {feed: articles}
    again.close()
    # Texts that are not the lengths the row gives, under a checksum that matches: damaged.
    connection = sqlite3.connect(path)
    key, value = connection.execute("SELECT key, value FROM files").fetchone()
    short = value[:-1]
    connection.execute(
        "UPDATE files SET value = ?, checksum = ? WHERE key = ?", (short, checksum(key, short), key)
    )
    connection.commit()
    connection.close()
    third = Store.open(path)
    assert third is not None
    assert third.lookup([feed], DEFAULTS) == {} and third.damaged == 1
    third.close()


def test_a_files_row_keeps_its_articles_text_digests_and_one_without_them_is_still_read(
    tmp_path: Path,
) -> None:
    """A files row holds each article's text digest, so a rerun's summary keys do not hash
    the texts again, and are the keys the texts give; a row written before the digests were
    kept (a head of two lists) still reads back whole, its keys worked out from the texts."""
    path = tmp_path / "store.sqlite3"
    feed = tmp_path / "feed.jsonl"
    feed.write_text("{}\n", encoding="utf-8")
    articles = tuple(
        Article(f"id{n}", f"T{n}", dt.date(2024, 1, 2), "src", "", text, "feed.jsonl")
        for n, text in enumerate(("First text.", "Second, “quoted”.\n\nAnd more."))
    )
    length = (3, None, "default")
    expected = [summary_key(article, *length) for article in articles]
    _remember_anew(path, feed, articles)
    connection = sqlite3.connect(path)
    key, value = connection.execute("SELECT key, value FROM files").fetchone()
    connection.close()
    head = json.loads(value.partition("\x00")[0])
    assert head[2] == [text_digest(a.title, a.text) for a in articles]
    for row in (value, json.dumps(head[:2]) + "\x00" + value.partition("\x00")[2]):
        connection = sqlite3.connect(path)
        connection.execute(
            "UPDATE files SET value = ?, checksum = ? WHERE key = ?", (row, checksum(key, row), key)
        )
        connection.commit()
        connection.close()
        again = Store.open(path)
        assert again is not None
        assert again.lookup([feed], DEFAULTS) == {feed: articles}
        assert again.damaged == 0
        cache = Cache(again)
        assert [cache._summary_key(article, length) for article in articles] == expected
        again.close()


def test_a_rerun_reads_the_files_rows_without_their_texts_and_reads_back_those_it_needs(
    tmp_path: Path,
) -> None:
    """lookup with texts false gives a stored file's articles with their texts "" (only the
    rows' heads read), their summary keys those of their texts; with_texts reads the texts
    back. A file of two articles with the same id and title keeps its texts (nothing else
    tells them apart), and a row whose texts are spoilt after the lookup is counted and its
    file read again."""
    path = tmp_path / "store.sqlite3"
    single = tmp_path / "a.md"
    single.write_text("+++\ntitle = 'A'\n+++\nText, with “quotes” ✓.\n", encoding="utf-8")
    (article,) = read_file(single)
    feed = tmp_path / "feed.jsonl"
    feed.write_text("{}\n", encoding="utf-8")
    alike = tuple(
        Article("id2", "T", None, "src", "", text, "feed.jsonl") for text in ("One.", "One. ")
    )
    store = Store.open(path)
    assert store is not None
    assert store.lookup([single, feed], DEFAULTS) == {}
    store.remember(single, [article], DEFAULTS)
    store.remember(feed, list(alike), DEFAULTS)
    store.save()
    store.close()

    length = (3, None, "default")
    again = Store.open(path)
    assert again is not None
    found = again.lookup([single, feed], DEFAULTS, texts=False)
    assert found == {single: (dataclasses.replace(article, text=""),), feed: alike}
    bare = found[single][0]
    assert Cache(again)._summary_key(bare, length) == summary_key(article, *length)
    # A replaced copy (an undated article given its first-seen day) is still known.
    dated = dataclasses.replace(bare, first_seen=dt.date(2024, 1, 3))
    assert again.with_texts([bare, dated, *alike]) == [
        article,
        dataclasses.replace(article, first_seen=dt.date(2024, 1, 3)),
        *alike,
    ]
    assert again.damaged == 0
    # The texts spoilt under the row's (head's) checksum: the file itself is read again.
    connection = sqlite3.connect(path)
    key, value = connection.execute(
        "SELECT key, value FROM files WHERE value NOT LIKE '%feed.jsonl%'"
    ).fetchone()
    connection.execute("UPDATE files SET value = ? WHERE key = ?", (value[:-2] + "!\n", key))
    connection.commit()
    connection.close()
    (read_again,) = again.with_texts([bare])
    assert read_again.text == "Text, with “quotes” ✓.\n" and again.damaged == 1
    # ...and if the file has changed too, the run stops with one line to say so: also when
    # it was only re-wrapped, which keeps its id (an id ignores spacing) but not its text.
    single.write_text("+++\ntitle = 'A'\n+++\nText, with\n“quotes” ✓.\n", encoding="utf-8")
    assert read_file(single)[0].id == article.id
    with pytest.raises(InputError, match="changed while briefer read it"):
        again.with_texts([bare])
    single.write_text("+++\ntitle = 'A'\n+++\nAnother text.\n", encoding="utf-8")
    with pytest.raises(InputError, match="changed while briefer read it"):
        again.with_texts([bare])
    again.close()


def test_every_field_of_an_article_but_its_text_keys_its_stories() -> None:
    """Cache._shown, what story, placement and grouping keys hash an article by, changes with
    every field of the article (the text through its summary key)."""
    article = Article("id", "Title", dt.date(2024, 1, 1), "S", "u", "Body text.", "a.md")
    length = (3, None, "default")
    shown = Cache(None)._shown(article, length)
    for field in dataclasses.fields(Article):
        value = getattr(article, field.name)
        other = dt.date(2024, 1, 2) if field.name in ("date", "first_seen") else f"{value}x"
        changed = dataclasses.replace(article, **{field.name: other})
        assert Cache(None)._shown(changed, length) != shown, field.name


def test_a_store_filled_by_other_code_is_emptied(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    store = Store.open(path)
    assert store is not None
    value = Summarized((Block("One."),), (Sentence("One.", 0, 0),), "lead")
    store.add_summary("one", value)
    store.save()
    store.close()
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT count(*) FROM summaries").fetchone()[0] == 1
    connection.execute("UPDATE meta SET value = 'older briefer' WHERE key = 'code'")
    connection.commit()
    connection.close()
    again = Store.open(path)
    assert again is not None
    assert again.summaries(["one"]) == {}
    again.close()
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT count(*) FROM summaries").fetchone()[0] == 0
    connection.close()


def test_two_stores_open_on_one_file_both_save(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    first, second = Store.open(path), Store.open(path)
    assert first is not None and second is not None
    one = Summarized((Block("One."),), (Sentence("One.", 0, 0),), "lead")
    two = Summarized((Block("Two."),), (Sentence("Two.", 0, 0),), "lead")
    first.add_summary("one", one)
    second.add_summary("two", two)
    first.save()
    second.save()
    assert first.summaries(["one", "two"]) == {"one": one, "two": two}
    first.close()
    second.close()


def test_the_summary_key_follows_text_title_and_options_only() -> None:
    article = Article("id", "Title", dt.date(2024, 1, 1), "S", "u", "Body text.", "a.md")
    key = summary_key(article, 3, None, "default")
    moved = Article("id", "Title", dt.date(2024, 2, 2), "T", "v", "Body text.", "b.md")
    assert summary_key(moved, 3, None, "default") == key
    edited = Article("id", "Title", dt.date(2024, 1, 1), "S", "u", "Body text!", "a.md")
    retitled = Article("id", "Other", dt.date(2024, 1, 1), "S", "u", "Body text.", "a.md")
    assert summary_key(edited, 3, None, "default") != key
    assert summary_key(retitled, 3, None, "default") != key
    assert summary_key(article, 2, None, "default") != key
    assert summary_key(article, 3, 40, "default") != key
    assert summary_key(article, 3, None, "lead") != key


# ---- reruns ------------------------------------------------------------------------------------


def test_a_rerun_summarizes_only_new_or_changed_articles(articles: Path, tmp_path: Path) -> None:
    options = _options(articles, tmp_path / "briefings")
    cold = make(options)
    count = cold.briefing.coverage.read
    assert count == 5 and store_path(options.out).is_file()
    assert (cold.stats.summarized, cold.stats.summaries_reused) == (5, 0)
    assert not cold.stats.grouping_reused

    warm = make(options)
    assert (warm.stats.summarized, warm.stats.summaries_reused) == (0, 5)
    assert warm.stats.files_reused == 5 and warm.stats.grouping_reused
    assert _outputs(warm) == _outputs(cold), "warm and cold runs write the same bytes"

    changed = sorted(articles.glob("*.txt"))[0]
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\nA new closing paragraph was added later.\n",
        encoding="utf-8",
    )
    shutil.copy(sorted(articles.glob("*.txt"))[1], articles / "copy_of_second.txt")
    rerun = make(options)
    # The edited file is summarized again; the copy has the same text as a stored article.
    assert (rerun.stats.summarized, rerun.stats.summaries_reused) == (1, 5)
    assert rerun.stats.files_reused == 4 and not rerun.stats.grouping_reused


def test_an_article_of_furniture_only_is_reported_on_warm_runs_too(
    articles: Path, tmp_path: Path
) -> None:
    (articles / "empty.md").write_text(
        "+++\ntitle = 'Nothing here'\ndate = 2024-12-03\n+++\n\nAdvertisement\n\n"
        "Share this article\n",
        encoding="utf-8",
    )
    options = _options(articles, tmp_path / "briefings")
    cold = make(options)
    warm = make(options)
    assert warm.stats.grouping_reused
    reason = "no article text left after cleaning"
    assert [(s.path.endswith("empty.md"), s.reason) for s in cold.failed] == [(True, reason)]
    assert warm.failed == cold.failed
    assert warm.briefing.coverage == cold.briefing.coverage
    assert cold.briefing.coverage.in_period == 5


def test_different_options_are_not_served_from_the_store(articles: Path, tmp_path: Path) -> None:
    out = tmp_path / "briefings"
    three = _outputs(make(_options(articles, out, formats=("txt",))))
    one = make(_options(articles, out, formats=("txt",), sentences=1))
    assert one.stats.summarized == 5 and one.stats.summaries_reused == 0
    # One sentence per article: a story has at most one bullet per report.
    for story in one.briefing.stories:
        assert len(story.bullets) <= len(story.articles)
    assert _outputs(one) != three
    # Both are now stored: going back to three sentences is a warm run again.
    back = make(_options(articles, out, formats=("txt",)))
    assert back.stats.summarized == 0 and back.stats.grouping_reused
    assert _outputs(back) == three


def test_the_pool_writes_what_one_process_writes(articles: Path, tmp_path: Path) -> None:
    serial = make(_options(articles, tmp_path / "serial", cache=False), pool_threshold=10**9)
    pooled = make(_options(articles, tmp_path / "pooled", cache=False), pool_threshold=0)
    assert serial.workers == 0 and pooled.workers >= 1
    assert _outputs(pooled) == _outputs(serial)


# ---- the command line --------------------------------------------------------------------------


def test_no_cache_leaves_no_store(articles: Path, tmp_path: Path) -> None:
    out = tmp_path / "briefings"
    code, _, err = run_cli("make", "-i", str(articles), "--out", str(out), "--no-cache", *PERIOD)
    assert code == 0, err
    assert (out / "2024-12-31.md").is_file()
    assert not (tmp_path / ".briefer").exists()


def test_cache_false_in_briefer_toml_leaves_no_store(
    articles: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "briefer.toml").write_text(
        'input = "articles"\nout = "briefings"\ncache = false\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("make", *PERIOD)
    assert code == 0, err
    assert (tmp_path / "briefings" / "2024-12-31.md").is_file()
    assert not (tmp_path / ".briefer").exists()
    code, _, err = run_cli("make", "--cache", *PERIOD)  # the flag wins over the file
    assert code == 0, err
    assert (tmp_path / ".briefer" / "store.sqlite3").is_file()


def _garbage(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 40)


def _foreign(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE customers (name TEXT)")
    connection.execute("INSERT INTO customers VALUES ('Ann')")
    connection.commit()
    connection.close()


def _newer(path: Path) -> None:
    store = Store.open(path)
    assert store is not None
    store.close()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()


@pytest.mark.parametrize(
    ("version", "tables"),
    [
        (2, ("briefings", "stories", "placements", "rows", "storylines")),
        (4, ("placements", "rows", "storylines")),
        (5, ("storylines",)),
        (7, ()),
    ],
)
def test_an_older_store_is_upgraded_in_place_keeping_its_rows(
    articles: Path, tmp_path: Path, version: int, tables: tuple[str, ...]
) -> None:
    out = tmp_path / "briefings"
    cold = make(_options(articles, out))
    path = store_path(out)
    connection = sqlite3.connect(path)
    for table in tables:  # as that version made it
        connection.execute(f"DROP TABLE {table}")
    # Before version 8 the summaries were kept WITHOUT ROWID.
    connection.execute("ALTER TABLE summaries RENAME TO summaries_8")
    connection.execute(
        "CREATE TABLE summaries (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
        "checksum TEXT NOT NULL) WITHOUT ROWID"
    )
    connection.execute("INSERT INTO summaries SELECT key, value, checksum FROM summaries_8")
    connection.execute("DROP TABLE summaries_8")
    connection.execute(f"PRAGMA user_version = {version}")
    connection.commit()
    connection.close()
    code, _, err = run_cli("make", "-i", str(articles), "--out", str(out), *PERIOD)
    assert code == 0 and err == "", err  # no "rebuilding" warning
    upgraded = make(_options(articles, out))
    assert upgraded.stats.briefing_reused
    assert _outputs(upgraded) == _outputs(cold)
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert connection.execute("SELECT count(*) FROM summaries").fetchone()[0] == 5
    made = "SELECT sql FROM sqlite_master WHERE name = 'summaries'"
    assert "WITHOUT ROWID" not in connection.execute(made).fetchone()[0]
    connection.close()


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        (_garbage, "not an SQLite database"),
        (_foreign, "another program's database"),
        (_newer, "newer briefer"),
    ],
)
def test_a_bad_store_is_reported_once_and_rebuilt(
    articles: Path, tmp_path: Path, spoil: object, words: str
) -> None:
    path = tmp_path / ".briefer" / "store.sqlite3"
    path.parent.mkdir()
    assert callable(spoil)
    spoil(path)
    out = tmp_path / "briefings"
    code, _, err = run_cli("make", "-i", str(articles), "--out", str(out), *PERIOD)
    assert code == 0, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert words in lines[0] and str(path) in lines[0] and "rebuilding" in lines[0]
    assert (out / "2024-12-31.md").is_file()
    # Rebuilt: the next run reuses it, without a word.
    result = make(_options(articles, out, formats=("md",)))
    assert result.stats.summaries_reused == 5
    code, _, err = run_cli("make", "-i", str(articles), "--out", str(out), *PERIOD)
    assert code == 0 and err == ""


def test_a_store_that_cannot_be_made_is_skipped_with_one_warning(
    articles: Path, tmp_path: Path
) -> None:
    (tmp_path / ".briefer").write_text("a file where the store's folder would go\n")
    out = tmp_path / "briefings"
    code, _, err = run_cli("make", "-i", str(articles), "--out", str(out), *PERIOD)
    assert code == 0, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "running without it" in lines[0], err
    assert (out / "2024-12-31.md").is_file()


# ---- a store that cannot lie -------------------------------------------------------------------


def _flip_one_byte(value: str) -> str:
    """The same row with one character changed inside a sentence or a title."""
    position = value.index("NATO")
    return value[:position] + "NAT0" + value[position + 4 :]


def _tamper(path: Path, table: str, spoil: str) -> None:
    connection = sqlite3.connect(path)
    key, value = connection.execute(
        f"SELECT key, value FROM {table} WHERE value LIKE '%NATO%' LIMIT 1"
    ).fetchone()
    if spoil == "byte":  # the checksum left as it was
        connection.execute(
            f"UPDATE {table} SET value = ? WHERE key = ?", (_flip_one_byte(value), key)
        )
    else:  # not JSON at all, under a checksum that matches it
        broken = value[: len(value) // 2]
        connection.execute(
            f"UPDATE {table} SET value = ?, checksum = ? WHERE key = ?",
            (broken, checksum(key, broken), key),
        )
    # So the damaged table is read, not a whole result stored above it: the stories and the
    # grouping's rows above the summaries (with the rows, a rerun reads no stored summary
    # of a story it need not tell again), and the briefing above everything.
    if table == "summaries":
        connection.execute("DELETE FROM groupings")
        connection.execute("DELETE FROM rows")
    if table != "briefings":
        connection.execute("DELETE FROM briefings")
    else:  # the record of the files written, which would leave the briefing unread
        connection.execute("DELETE FROM briefings WHERE value NOT LIKE '%NATO%'")
    connection.commit()
    connection.close()


def _cold_run(articles: Path, tmp_path: Path) -> tuple[tuple[str, ...], Path, dict[str, bytes]]:
    """A first run of the articles: its arguments, output folder and briefing files."""
    out = tmp_path / "briefings"
    args = ("make", "-i", str(articles), "--out", str(out), "--format", "md,json", *PERIOD)
    code, _, err = run_cli(*args)
    assert code == 0, err
    return args, out, {path.name: path.read_bytes() for path in out.glob("2024-12-31.*")}


def _one_warning_then_clean(args: tuple[str, ...], out: Path, cold: dict[str, bytes]) -> None:
    """A run over a damaged store: one warning line and the cold briefing; the damaged
    entry is replaced, so the next run finds nothing wrong and writes the same."""
    code, _, err = run_cli(*args)
    assert code == 0, err
    (line,) = err.strip().splitlines()
    assert "1 damaged entry" in line and "worked out again" in line, line
    assert {path.name: path.read_bytes() for path in out.glob("2024-12-31.*")} == cold
    code, _, err = run_cli(*args)
    assert code == 0 and err == ""
    assert {path.name: path.read_bytes() for path in out.glob("2024-12-31.*")} == cold


def test_damaged_grouping_rows_are_one_warning_and_never_change_the_briefing(
    articles: Path, tmp_path: Path
) -> None:
    args, out, cold = _cold_run(articles, tmp_path)
    connection = sqlite3.connect(store_path(out))
    ((key, value),) = connection.execute("SELECT key, value FROM rows").fetchall()
    middle = len(value) // 2
    spoiled = value[:middle] + bytes([value[middle] ^ 0xFF]) + value[middle + 1 :]
    connection.execute("UPDATE rows SET value = ? WHERE key = ?", (spoiled, key))
    # So the rows are read: no grouping or briefing stored above them.
    connection.execute("DELETE FROM groupings")
    connection.execute("DELETE FROM briefings")
    connection.commit()
    connection.close()
    _one_warning_then_clean(args, out, cold)


@pytest.mark.parametrize("table", ["files", "summaries", "groupings", "briefings"])
@pytest.mark.parametrize("spoil", ["byte", "json"])
def test_a_damaged_row_is_one_warning_and_never_changes_the_briefing(
    articles: Path, tmp_path: Path, table: str, spoil: str
) -> None:
    args, out, cold = _cold_run(articles, tmp_path)
    _tamper(store_path(out), table, spoil)
    _one_warning_then_clean(args, out, cold)


def test_a_themes_file_warning_prints_on_every_run(articles: Path, tmp_path: Path) -> None:
    """Nothing about the themes file is cached: a warm run warns as the cold one did."""
    themes = articles / "themes.toml"
    themes.write_text("mood = 'calm'\n" + themes.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "briefings"
    for run in ("cold", "warm"):
        code, _, err = run_cli("make", "-i", str(articles), "--out", str(out), *PERIOD)
        assert code == 0, err
        assert err.count("ignoring top-level key 'mood'") == 1, f"{run} run: {err}"
    assert make(_options(articles, out)).stats.grouping_reused


def _same_graph(a: StoryGraph, b: StoryGraph) -> None:
    assert (a.keys, a.days, a.vocabulary) == (b.keys, b.days, b.vocabulary)
    pairs = [(getattr(a, name), getattr(b, name)) for name in _ARRAYS]
    pairs += [(getattr(a.vectors, name), getattr(b.vectors, name)) for name in _SPARSE]
    for mine, theirs in pairs:
        assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs)
    assert a.vectors.shape == b.vectors.shape


_ARRAYS = ("weekdays", *PAIR_ARRAYS)
_SPARSE = ("data", "indices", "indptr")


def test_the_story_graph_is_stored_by_its_rows_and_read_back_the_same(
    articles: Path, tmp_path: Path
) -> None:
    out = tmp_path / "briefings"
    code, _, err = run_cli("make", "-i", str(articles), "--out", str(out), *PERIOD)
    assert code == 0, err
    connection = sqlite3.connect(store_path(out))
    ((blob,),) = connection.execute("SELECT value FROM rows").fetchall()
    connection.close()
    stored = blob_arrays(blob)
    # The graph's vectors are the rows' (quantized): kept as row numbers, not again.
    assert "graph_rows" in stored and "graph_data" not in stored
    found = rows_from_bytes(blob)
    graph = found.graph
    assert graph is not None and graph.vectors.nnz > 0
    again = rows_from_bytes(rows_to_bytes(found)).graph
    assert again is not None
    _same_graph(again, graph)
    # A graph whose vectors are not the rows' (one weight a quantum off) is kept whole, its
    # weights in float32, which holds every multiple of 2**-24 up to 1 exactly.
    vectors = graph.vectors.copy()
    vectors.data[0] -= 2.0**-24
    changed = dataclasses.replace(graph, vectors=vectors)
    blob = rows_to_bytes(dataclasses.replace(found, graph=changed))
    stored = blob_arrays(blob)
    assert "graph_rows" not in stored and stored["graph_data"].dtype == np.float32
    again = rows_from_bytes(blob).graph
    assert again is not None
    _same_graph(again, changed)


def test_the_rows_blob_is_written_in_parts_of_the_size_given_and_other_bytes_are_refused(
    articles: Path, tmp_path: Path
) -> None:
    out = tmp_path / "briefings"
    code, _, err = run_cli("make", "-i", str(articles), "--out", str(out), *PERIOD)
    assert code == 0, err
    connection = sqlite3.connect(store_path(out))
    ((blob,),) = connection.execute("SELECT value FROM rows").fetchall()
    connection.close()
    found = rows_from_bytes(blob)
    size, _ = rows_parts(found)
    with (tmp_path / "rows.bin").open("wb") as file:
        write_rows(found, file)
    assert (tmp_path / "rows.bin").read_bytes() == rows_to_bytes(found) == blob
    assert size == len(blob)
    header_end = blob.index(b"]]") + 2  # the header: each array's name, dtype, shape, offset
    assert b'"<i8"' in blob[:header_end]
    for bad in (
        blob[: len(blob) // 2],  # cut short
        b"PK" + blob[2:],  # another format
        blob[:header_end].replace(b'"<i8"', b'"|O"', 1) + blob[header_end:],  # objects
    ):
        with pytest.raises(ValueError):
            rows_from_bytes(bad)


def test_first_seen_days_checked_the_older_way_are_still_read(tmp_path: Path) -> None:
    # Rows now carry a CRC-32 (stamps.checksum); a row of an older briefer its blake2b.
    path, day = tmp_path / "store.sqlite3", dt.date(2024, 12, 3)
    store = Store.open(path)
    assert store is not None
    store.first_seen(["a1"], day)
    store.save()
    store.close()
    connection = sqlite3.connect(path)
    ((key, value, check),) = connection.execute("SELECT key, value, checksum FROM seen")
    assert check == checksum(key, value) and len(check) == 8
    older = f"row\x00{key}\x00{value}\x00".encode()
    blake = hashlib.blake2b(older, digest_size=16).hexdigest()
    for written, kept in ((blake, True), (blake[:-1] + ("1" if blake[-1] == "0" else "0"), False)):
        connection.execute("UPDATE seen SET checksum = ?", (written,))
        connection.commit()
        store = Store.open(path)
        assert store is not None
        assert store.seen_days(["a1"]) == ({"a1": day} if kept else {})
        store.close()
    connection.close()


def test_a_new_store_is_made_quietly_and_one_made_by_other_code_is_emptied_with_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from briefer.store.schema import connect

    path = tmp_path / "store.sqlite3"
    with caplog.at_level("INFO", logger="briefer.store.schema"):
        connect(path, "salt-1").close()
        assert "other code" not in caplog.text  # nothing was there to forget
        connect(path, "salt-1").close()
        assert "other code" not in caplog.text
        connect(path, "salt-2").close()
    assert caplog.text.count("made by other code; starting it afresh") == 1
