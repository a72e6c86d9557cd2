"""Reading the input files in worker processes gives what reading them in one process gives:
the same articles, failures and warnings, in the same order. Real files, real processes."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import sqlite3
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import REPO, write_sample_corpus

from briefer.ingest import read_inputs
from briefer.ingest.files import _read_guarded
from briefer.options import MakeOptions
from briefer.parallel import Ahead, Summarizer, in_period, read_files, summarize_chunk
from briefer.pipeline import make
from briefer.records import InputLimits
from briefer.store import store_path
from briefer.workers import Workers

SAMPLES = REPO / "samples"
COUNT = 60  # a few tasks per worker with the threshold at 0


@pytest.fixture()
def inputs(tmp_path: Path) -> Path:
    """COUNT articles made from the samples, plus files that fail or warn on their own."""
    folder = tmp_path / "articles"
    folder.mkdir()
    bases = []
    for path in sorted(SAMPLES.glob("*.txt")):
        _, header, body = path.read_text(encoding="utf-8").split("+++", 2)
        bases.append((tomllib.loads(header)["title"], body.strip()))
    for number in range(COUNT):
        title, body = bases[number % len(bases)]
        (folder / f"{number:03d}.md").write_text(
            f'+++\ntitle = "{title} ({number})"\ndate = 2024-12-0{number % 9 + 1}\n+++\n\n{body}\n',
            encoding="utf-8",
        )
    (folder / "010-broken.md").write_text('+++\ntitle = "unclosed\n+++\n\nText.\n')
    (folder / "020-binary.md").write_bytes(b"\xff\xfe\x00\x00" * 50)
    (folder / "030-empty.md").write_text("")
    (folder / "040-records.jsonl").write_text(
        '{"title": "One", "text": "A first record with text."}\nnot json\n', encoding="utf-8"
    )
    return folder


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the worker pool needs several cores")
def test_reading_in_workers_equals_reading_here(inputs: Path) -> None:
    here = read_inputs([inputs])
    pooled = read_inputs([inputs], read_many=functools.partial(read_files, threshold=0))
    assert len(here.articles) >= COUNT  # the fixture was read, not skipped
    assert here.failed  # and some of it failed, so failures are compared too
    assert pooled == here


def test_below_the_threshold_no_worker_is_started(inputs: Path) -> None:
    # Read in this process: the results are the very objects read_one returned.
    paths = sorted(inputs.glob("*.md"))[:3]
    seen: list[Path] = []

    def read_one(path: Path) -> object:
        seen.append(path)  # a worker's list would not be this one
        return path.name

    assert read_files(read_one, paths, threshold=len(paths)) == [p.name for p in paths]  # type: ignore[arg-type]
    assert seen == paths


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the worker pool needs several cores")
def test_the_reading_workers_summarize_the_period_once(inputs: Path) -> None:
    """With ahead, the workers that read a file also summarize its articles of the period,
    exactly as summarizing them afterwards would; the summarizer then hands those out
    without working them out again, and reading gives what it gives without ahead."""
    length = (3, None, "default")
    period = (dt.date(2024, 12, 2), dt.date(2024, 12, 5), False)  # undated ones left out
    told: list[tuple[int, int]] = []
    ahead = Ahead(length, period, lambda done, total: told.append((done, total)))
    pooled = read_inputs(
        [inputs], read_many=functools.partial(read_files, threshold=0, ahead=ahead)
    )
    here = read_inputs([inputs])
    assert pooled == here
    files = len([path for path in inputs.iterdir() if path.is_file()])
    assert told and told[-1] == (files, files)  # the pass's progress, file by file
    wanted = [article for article in here.articles if in_period(article, period)]
    assert 0 < len(wanted) < len(here.articles)
    assert any(article.date is None for article in here.articles)  # and those were not kept
    assert set(ahead.ready) == {(article.title, article.text) for article in wanted}
    expected = summarize_chunk(wanted, length)
    assert [ahead.ready[(article.title, article.text)] for article in wanted] == expected
    # No process is started for them again (a threshold no run reaches), and none is kept.
    summarizer = Summarizer(pool_threshold=10**9, ahead=ahead)
    assert summarizer(wanted, length) == expected
    assert not ahead.ready


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the worker pool needs several cores")
def test_a_file_stuck_while_read_ahead_is_reported_as_without_ahead(inputs: Path) -> None:
    """A worker stuck on a file while reading ahead is replaced; the file is read once more
    on its own (a stuck reader is then reported as without ahead; a stuck article would be
    left to the summarizing, which leaves it out alone)."""
    paths = sorted(inputs.glob("*.md"))[:4]
    read_one = functools.partial(_read_guarded, limits=InputLimits())
    ahead = Ahead((3, None, "default"), (None, dt.date(2024, 12, 31), True))
    slow = Workers(budget=1e-9)  # no file is read within a nanosecond
    told: list[Path] = []
    try:
        with_ahead = read_files(
            read_one, paths, threshold=0, pool=slow, ahead=ahead, each=lambda p, _: told.append(p)
        )
        without = read_files(read_one, paths, threshold=0, pool=slow)
    finally:
        slow.close()
    assert with_ahead == without
    assert sorted(told) == paths  # each told once, when read again on its own
    assert all("took longer than" in result.reason for result in without)  # type: ignore[union-attr]
    assert not ahead.ready


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the worker pool needs several cores")
def test_the_run_imports_its_later_stages_while_the_workers_read(inputs: Path) -> None:
    """This process would only wait on the workers: it imports what comes next meanwhile
    (a module nothing else here imports stands for the grouping stage)."""
    sys.modules.pop("colorsys", None)
    ahead = Ahead((3, None, "default"), (None, dt.date(2024, 12, 31), True), meanwhile=["colorsys"])
    pooled = read_inputs(
        [inputs], read_many=functools.partial(read_files, threshold=0, ahead=ahead)
    )
    assert pooled == read_inputs([inputs])
    assert "colorsys" in sys.modules


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the worker pool needs several cores")
@pytest.mark.parametrize("ahead", [False, True])
def test_each_file_is_told_once_as_it_is_read(inputs: Path, ahead: bool) -> None:
    """each(path, result) is called once for every path, with the result read_files returns
    for it (with ahead, a stuck file once it is read again)."""
    paths = sorted(path for path in inputs.iterdir() if path.is_file())
    read_one = functools.partial(_read_guarded, limits=InputLimits())
    told: list[tuple[Path, object]] = []
    pass_ahead = Ahead((3, None, "default"), (None, dt.date(2024, 12, 31), True)) if ahead else None
    results = read_files(
        read_one,
        paths,
        threshold=0,
        ahead=pass_ahead,
        each=lambda path, result: told.append((path, result)),
    )
    assert sorted(told, key=lambda item: item[0]) == list(zip(paths, results, strict=True))
    here: list[tuple[Path, object]] = []
    read_files(read_one, paths, threshold=len(paths), each=lambda p, r: here.append((p, r)))
    assert here == list(zip(paths, results, strict=True))  # in this process: in order


def _stored(out: Path, table: str) -> list[str]:
    """The values of a store table's rows, sorted (keys hold the code's salt)."""
    with contextlib.closing(sqlite3.connect(store_path(out))) as connection:
        return sorted(value for (value,) in connection.execute(f"SELECT value FROM {table}"))


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the worker pool needs several cores")
def test_summaries_stored_as_the_workers_read_are_what_one_process_stores(
    tmp_path: Path,
) -> None:
    """The reading workers' summaries are stored as they come in (Cache.summarized_ahead):
    the store then holds the summaries one process stores, no more, and the counts are the
    same; so are they in a rerun that reads again files whose texts it has summaries of."""
    folder = write_sample_corpus(tmp_path / "articles", 40, sources=3)
    (folder / "undated.md").write_text('+++\ntitle = "Undated"\n+++\n\nA report with no date.\n')

    def options(out: Path, themes: Path | None = None) -> MakeOptions:
        since, until = dt.date(2024, 12, 1), dt.date(2024, 12, 10)
        return MakeOptions(
            inputs=(folder,), out=out, since=since, until=until, formats=("md",), themes=themes
        )

    serial = make(options(tmp_path / "serial" / "out"), pool_threshold=10_000)
    pooled = make(options(tmp_path / "pooled" / "out"), pool_threshold=0)
    assert pooled.workers >= 1 and serial.workers == 0
    assert pooled.stats == serial.stats
    assert pooled.stats.summarized == serial.briefing.coverage.in_period > 0
    assert _stored(tmp_path / "pooled" / "out", "summaries") == _stored(
        tmp_path / "serial" / "out", "summaries"
    )
    # Touched files are read again, and their summaries are in the store already; with
    # themes, every story is placed again, which reads every summary.
    for path in sorted(folder.glob("*.md"))[:10]:
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 10))
    themes = SAMPLES / "themes.toml"
    serial_again = make(options(tmp_path / "serial" / "out", themes), pool_threshold=10_000)
    pooled_again = make(options(tmp_path / "pooled" / "out", themes), pool_threshold=0)
    assert pooled_again.stats.summaries_read > 0
    assert pooled_again.stats == serial_again.stats
    assert _stored(tmp_path / "pooled" / "out", "summaries") == _stored(
        tmp_path / "serial" / "out", "summaries"
    )
    assert pooled_again.paths[0].read_bytes() == serial_again.paths[0].read_bytes()
