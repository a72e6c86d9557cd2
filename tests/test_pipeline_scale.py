"""A few hundred articles through the real pipeline: the worker pool (taken by default past
POOL_THRESHOLD articles) writes exactly what a single process writes, and two runs sharing one
article store at the same time both finish and leave it whole. Timings are not asserted here;
benchmarks/bench_make.py measures them."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest
from conftest import REPO, write_sample_corpus

from briefer.options import MakeOptions
from briefer.pipeline import make
from briefer.store import store_path
from briefer.workers import POOL_THRESHOLD

SAMPLES = REPO / "samples"
COUNT = POOL_THRESHOLD + 40


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """COUNT articles made from the samples, no two the same text, from seven outlets."""
    folder = tmp_path_factory.mktemp("scale") / "articles"
    return write_sample_corpus(folder, COUNT, sources=7)


def _options(folder: Path, out: Path, cache: bool) -> MakeOptions:
    return MakeOptions(
        inputs=(folder,),
        out=out,
        since=dt.date(2024, 12, 1),
        until=dt.date(2024, 12, 10),
        formats=("md", "txt"),
        cache=cache,
    )


def test_the_default_pool_writes_what_one_process_writes(corpus: Path, tmp_path: Path) -> None:
    pooled = make(_options(corpus, tmp_path / "pooled", cache=False))
    serial = make(_options(corpus, tmp_path / "serial", cache=False), pool_threshold=COUNT)
    assert pooled.briefing.coverage.in_period == COUNT
    assert serial.workers == 0
    assert pooled.workers == ((os.cpu_count() or 1) if (os.cpu_count() or 1) > 1 else 0)
    for pooled_path, serial_path in zip(pooled.paths, serial.paths, strict=True):
        assert pooled_path.read_bytes() == serial_path.read_bytes()
    assert not store_path(tmp_path / "pooled").exists()


def _make_in_child(folder: Path, out: Path) -> None:
    make(_options(folder, out, cache=True), pool_threshold=COUNT)


def test_two_runs_at_once_share_the_store(corpus: Path, tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    runs = [
        context.Process(target=_make_in_child, args=(corpus, tmp_path / name))
        for name in ("one", "two")
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join(120)
        assert run.exitcode == 0
    path = store_path(tmp_path / "one")
    assert path == store_path(tmp_path / "two")
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()
    warm = make(_options(corpus, tmp_path / "three", cache=True))
    assert warm.stats.summarized == 0 and warm.stats.summaries_reused == COUNT
    assert warm.stats.grouping_reused
    assert (tmp_path / "three" / "2024-12-10.md").read_bytes() == (
        tmp_path / "one" / "2024-12-10.md"
    ).read_bytes()


def test_the_benchmark_times_stages_that_exist() -> None:
    """bench_make -v times the pipeline by wrapping its stage functions by name: a renamed
    stage would silently drop out of its breakdown."""
    import importlib
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        bench = importlib.import_module("bench_make")
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    for module_name, attribute, label in bench._STAGES:
        module_path, _, owner = module_name.rpartition(".")
        if owner[:1].isupper():
            found = getattr(importlib.import_module(module_path), owner)
        else:
            found = importlib.import_module(module_name)
        assert hasattr(found, attribute), f"{label}: {module_name}.{attribute} is gone"


@pytest.mark.parametrize("size", [1, 7, 50, 10_000])
def test_term_matrices_made_in_slices_are_the_matrices_made_at_once(
    corpus: Path, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big run makes its grouping's term matrices a slice of articles at a time (bounded
    temporary memory): stacked, they hold the very values, columns and rows of one pass."""
    import numpy as np

    from briefer.group import grouping
    from briefer.group.stories import story_matrices
    from briefer.group.texts import article_slices, read_texts
    from briefer.ingest import read_inputs

    articles = read_inputs([corpus]).articles
    texts = read_texts([(article.title, article.text.split("\n\n")) for article in articles])
    assert texts.count == COUNT and len(texts.name_article)  # names are sliced too
    slices = list(article_slices(texts, size))
    assert [part.count for part in slices] == [
        min(size, COUNT - start) for start in range(0, COUNT, size)
    ]
    monkeypatch.setattr(grouping, "_MATRIX_SLICE", size)
    for whole, sliced in zip(story_matrices(texts), grouping._matrices(texts), strict=True):
        assert whole.shape == sliced.shape and whole.dtype == sliced.dtype
        for name in ("indptr", "indices", "data"):
            assert np.array_equal(getattr(whole, name), getattr(sliced, name)), name
