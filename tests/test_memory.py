"""What a big run holds (issue 13's memory target): the grouping rows written into the
article store in parts, never whole; the story graph checked against its rows a slice at a
time. The peak itself is measured by benchmarks/bench_make.py, not asserted here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO

from briefer.group import load_themes
from briefer.group.grouping import Grouping, PlaceStories, group_articles
from briefer.group.rows import _rebuilds, blob_arrays, rows_from_bytes, rows_to_bytes
from briefer.ingest import read_file
from briefer.options import MakeOptions
from briefer.parallel import summarize_chunk
from briefer.pipeline import make
from briefer.records import (
    Article,
    Block,
    Document,
    InputLimits,
    Placement,
    StoredRows,
    Summary,
    TextFeatures,
)
from briefer.stamps import blob_checksum
from briefer.store import SCHEMA_VERSION, Store, store_path

SAMPLES = REPO / "samples"


def _options(out: Path) -> MakeOptions:
    return MakeOptions(
        inputs=(SAMPLES,),
        out=out,
        since=dt.date(2021, 1, 1),
        until=dt.date(2024, 12, 31),
        themes=SAMPLES / "themes.toml",
    )


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, StoredRows]:
    """A store made by a run over the samples, and the grouping rows it kept."""
    out = tmp_path_factory.mktemp("memory") / "briefings"
    make(_options(out))
    connection = sqlite3.connect(store_path(out))
    ((blob,),) = connection.execute("SELECT value FROM rows").fetchall()
    connection.close()
    return store_path(out), rows_from_bytes(blob)


def test_rows_streamed_into_the_store_read_back_the_same(
    stored: tuple[Path, StoredRows], tmp_path: Path
) -> None:
    _, rows = stored
    assert rows.graph is not None and rows.rows.count > 1
    store = Store.open(tmp_path / "store.sqlite3")
    assert store is not None
    store.add_rows("key", rows)
    store.add_rows("key", rows)  # replaced, not added
    found = store.rows("key")
    store.close()
    assert found is not None
    again, before = blob_arrays(rows_to_bytes(found)), blob_arrays(rows_to_bytes(rows))
    assert again.keys() == before.keys()
    for name, array in again.items():
        assert array.dtype == before[name].dtype and np.array_equal(array, before[name]), name
    connection = sqlite3.connect(tmp_path / "store.sqlite3")
    ((blob, check),) = connection.execute("SELECT value, checksum FROM rows").fetchall()
    connection.close()
    assert blob == rows_to_bytes(rows) and check == blob_checksum("key", blob)


def test_a_store_of_version_6_gets_its_rows_table_made_again_with_the_value_last(
    stored: tuple[Path, StoredRows], tmp_path: Path
) -> None:
    _, rows = stored
    path = tmp_path / "store.sqlite3"
    store = Store.open(path)
    assert store is not None
    store.close()
    connection = sqlite3.connect(path)
    connection.execute("DROP TABLE rows")
    connection.execute(  # as version 6 made it
        "CREATE TABLE rows (key TEXT PRIMARY KEY, value BLOB NOT NULL, checksum TEXT NOT NULL)"
    )
    connection.execute("INSERT INTO rows VALUES ('old', x'00', 'x')")
    connection.execute("PRAGMA user_version = 6")
    connection.commit()
    connection.close()
    store = Store.open(path)
    assert store is not None
    store.add_rows("key", rows)
    assert store.rows("key") is not None and store.rows("old") is None
    store.close()
    connection = sqlite3.connect(path)
    columns = [row[1] for row in connection.execute("PRAGMA table_info(rows)")]
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    connection.close()
    assert columns == ["key", "checksum", "value"] and version == SCHEMA_VERSION


def test_the_graph_is_checked_against_its_rows_slice_by_slice(
    stored: tuple[Path, StoredRows],
) -> None:
    _, found = stored
    graph = found.graph
    assert graph is not None
    count = len(graph.keys)
    taken = np.asarray([found.ids.index(key) for key in graph.keys], dtype=np.int64)
    for step in (1, 2, count - 1, count):
        assert _rebuilds(found.rows, taken, graph, step)
    # One weight a quantum off, in the last row: found whatever the slices.
    vectors = graph.vectors.copy()
    vectors.data[-1] -= 2.0**-24
    changed = dataclasses.replace(graph, vectors=vectors)
    for step in (1, 2, count - 1, count):
        assert not _rebuilds(found.rows, taken, changed, step)


def _ours(texts: set[str]) -> list[Block]:
    gc.collect()
    return [o for o in gc.get_objects() if type(o) is Block and o.text in texts]


def test_the_cleaned_blocks_are_let_go_once_the_stories_are_told() -> None:
    """Grouping holds each report's cleaned blocks only until its story is told: theme
    placement and topic labels read the Texts made from the workers' words (~100 MB of a
    30,000-article run, issue 13). The briefing is the same (the golden and incremental tests)."""
    articles = [a for path in sorted(SAMPLES.glob("*.txt")) for a in read_file(path)]
    length = (3, None, "default")
    texts = {block.text for s in summarize_chunk(articles, length) for block in s.blocks}
    assert texts and not _ours(texts)

    def read(positions: Sequence[int]) -> list[tuple[Document, Summary, TextFeatures | None]]:
        chosen = [articles[k] for k in positions]  # made here: the test holds none of them
        made = summarize_chunk(chosen, length)
        return [(*m.attach(a), m.features) for a, m in zip(chosen, made, strict=True)]

    told: list[int] = []

    def placer(reports: Sequence[tuple[Article, ...]], place: PlaceStories) -> list[Placement]:
        told.append(len(_ours(texts)))  # the stories are told by now
        return place(reports)

    themes = load_themes(SAMPLES / "themes.toml")
    grouping: Grouping = group_articles(articles, read, themes, placer=placer)
    assert told == [0]
    assert len(grouping.sections) > 1


def test_a_rerun_with_few_new_articles_keeps_what_it_frees_for_the_run_only(
    tmp_path: Path,
) -> None:
    """A rerun that took files from the store and read no more new articles than a run
    summarizes in this process alone keeps what it frees while it runs (heap.keep_freed: no
    give_back between its stages); a cold run, one that reads many new articles (one big
    file holds as many as a folder of them), or one without a store gives it back as ever;
    and the keeping ends with the run, an error or not (a process that runs on is not left
    keeping). The store counts the articles of the files it gave."""
    from briefer import heap
    from briefer.cache import Cache
    from briefer.pipeline import _heap
    from briefer.workers import POOL_THRESHOLD

    store = Store.open(tmp_path / "store.sqlite3")
    assert store is not None
    try:
        cache = Cache(store)
        store.files_reused = 10_000
        with _heap(50, cache):
            assert heap._KEEPING
        assert not heap._KEEPING
        with pytest.raises(RuntimeError), _heap(50, cache):
            raise RuntimeError("the run failed")
        assert not heap._KEEPING
        with _heap(POOL_THRESHOLD, cache):
            assert heap._KEEPING, "as many as are summarized in this process"
        with _heap(POOL_THRESHOLD + 1, cache):
            assert not heap._KEEPING, "a big new file beside stored ones"
        store.files_reused = 0  # every file new: a cold run, however few its files
        with _heap(50, cache):
            assert not heap._KEEPING
        with _heap(50, Cache(None)):
            assert not heap._KEEPING
    finally:
        store.close()

    # One file of three articles, remembered and given back: three articles reused.
    records = tmp_path / "all.jsonl"
    records.write_text("{}\n", encoding="utf-8")
    articles = [
        Article(f"id{k}", f"T{k}", None, "src", "", f"Text {k}.", str(records)) for k in range(3)
    ]
    first = Store.open(tmp_path / "again.sqlite3")
    assert first is not None
    assert first.lookup([records], InputLimits()) == {}  # new: read, then remembered
    assert first.articles_reused == 0
    first.remember(records, articles, InputLimits())
    first.save()
    first.close()
    store = Store.open(tmp_path / "again.sqlite3")
    assert store is not None
    try:
        assert store.lookup([records], InputLimits()) == {records: tuple(articles)}
        assert (store.files_reused, store.articles_reused) == (1, 3)
    finally:
        store.close()
