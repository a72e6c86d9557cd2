"""The group stage on two cores (issue 13): work cut in halves, the second done in another
thread or in one of the run's worker processes (briefer.halves), gives what one gives."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import logging
import os
import random
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from conftest import REPO, modules_loaded_after, write_sample_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_group import GRAPH_ARTICLES, GRAPH_DAYS, GRAPH_POOL, _assert_same_graph, _graph_of

from briefer import pipeline
from briefer.group import candidates, telling
from briefer.group import graph as graph_module
from briefer.group.graph import extend_graph, remove_from_graph, story_graph
from briefer.group.telling import tell_stories
from briefer.halves import Split, in_process, in_threads, split_point, with_workers
from briefer.options import MakeOptions
from briefer.parallel import prepare_summarizing, summarize_chunk
from briefer.records import OTHER_THEME, Article, Document, Summary
from briefer.workers import Workers, in_workers

two_cores = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs a second core")


def _pids(items: Sequence[int]) -> list[tuple[int, int]]:
    return [(item, os.getpid()) for item in items]


def test_split_point_halves_the_weight() -> None:
    assert split_point([1, 1, 1, 1]) == 2
    assert split_point([5, 1, 1, 1]) == 1  # the heavy first item is a half on its own
    assert split_point([1, 1, 1, 5]) == 3
    assert split_point([]) == 0


def _threads(items: Sequence[int]) -> list[tuple[int, int]]:
    return [(item, threading.get_ident()) for item in items]


@two_cores
def test_in_threads_the_second_half_is_worked_out_in_another_thread() -> None:
    items = list(range(10))
    first, second = in_threads(_threads, items, [1.0] * 10, threshold=5)
    assert [item for item, _ in first + second] == items
    assert {ident for _, ident in first} == {threading.get_ident()}
    assert {ident for _, ident in second} != {threading.get_ident()}
    (alone,) = in_threads(_threads, items, [1.0] * 10, threshold=11)
    assert {ident for _, ident in alone} == {threading.get_ident()}

    def work(part: Sequence[int]) -> list[int]:
        if threading.get_ident() != here:
            raise ValueError(f"bad item {part[0]}")
        return list(part)

    here = threading.get_ident()
    with pytest.raises(ValueError, match="bad item 5"):
        in_threads(work, items, [1.0] * 10, threshold=0)


@two_cores
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(GRAPH_ARTICLES, st.lists(st.booleans(), min_size=24, max_size=24))
def test_the_story_graph_in_two_threads_equals_one(
    chosen: list[tuple[int, int | None]], later: list[bool]
) -> None:
    """Blocks of two rows (so that even a few articles make several blocks), compared in
    one thread and cut in halves across two: built cold, extended with later articles and
    with some removed, every array is the same."""
    first = [item for item, late in zip(chosen, later, strict=False) if not late]
    added = [item for item, late in zip(chosen, later, strict=False) if late]

    def built(threshold: int) -> list[graph_module.StoryGraph]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(candidates, "_GRAPH_ROWS", 2)
            patch.setattr(graph_module, "_PARALLEL_PAIRS", threshold)
            cold = story_graph(*_graph_of(chosen))
            graphs = [cold, remove_from_graph(cold, _graph_of(added)[3] if added else [])]
            if first and added:
                graphs.append(extend_graph(story_graph(*_graph_of(first)), *_graph_of(added)))
            return graphs

    for forked, alone in zip(built(0), built(10**12), strict=True):
        _assert_same_graph(forked, alone)


def _graphs(
    chosen: list[tuple[int, int | None]], later: list[bool], threshold: int, split: Split
) -> list[graph_module.StoryGraph]:
    """The graph of the chosen articles built cold, that graph less the `later` ones, and
    the graph of the others extended with them, blocks of two rows (so that even a few
    articles make several blocks), cut in halves from `threshold` pairs by `split`."""
    first = [item for item, late in zip(chosen, later, strict=False) if not late]
    added = [item for item, late in zip(chosen, later, strict=False) if late]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(candidates, "_GRAPH_ROWS", 2)
        patch.setattr(graph_module, "_PARALLEL_PAIRS", threshold)
        cold = story_graph(*_graph_of(chosen), split=split)
        graphs = [cold, remove_from_graph(cold, _graph_of(added)[3] if added else [])]
        if first and added:
            early = story_graph(*_graph_of(first), split=split)
            graphs.append(extend_graph(early, *_graph_of(added), split=split))
        return graphs


@two_cores
def test_the_story_graph_with_half_in_a_worker_process_equals_one_thread() -> None:
    """The same graphs, cold, reduced and extended, when the second half of the blocks is
    compared in a spawned worker (halves.in_process, as a run of up to
    pipeline._GRAPH_BESIDE articles does in the telling's worker)."""
    pool = Workers(start="spawn")
    pool.start(1)
    pool.warm(["briefer.group.graph"])
    shuffle = random.Random(13)
    try:
        for _ in range(6):
            chosen = shuffle.sample(
                [(k, day) for k in range(len(GRAPH_POOL)) for day in GRAPH_DAYS], 24
            )
            later = [shuffle.random() < 0.3 for _ in chosen]
            split = functools.partial(in_process, pool)
            for there, alone in zip(
                _graphs(chosen, later, 0, split),
                _graphs(chosen, later, 10**12, in_threads),
                strict=True,
            ):
                _assert_same_graph(there, alone)
            assert len(pool.idle) == 1  # kept for the telling
    finally:
        pool.close()


def _pid_of(items: Sequence[int]) -> list[tuple[int, int]]:
    if 3 in items and os.getpid() != _PARENT:
        os._exit(1)  # a worker dies on the half holding 3
    return [(item, os.getpid()) for item in items]


@two_cores
def test_in_process_works_out_the_second_half_in_a_worker_and_keeps_it() -> None:
    pool = Workers(start="spawn")
    pool.start(1)
    try:
        first, second = in_process(pool, _pids, list(range(10)), [1.0] * 10, threshold=5)
        assert [item for item, _ in first + second] == list(range(10))
        assert {pid for _, pid in first} == {os.getpid()}
        assert len({pid for _, pid in second}) == 1 and second[0][1] != os.getpid()
        assert len(pool.idle) == 1
        # Too little work: all of it here.
        (alone,) = in_process(pool, _pids, list(range(10)), [1.0] * 10, threshold=11)
        assert {pid for _, pid in alone} == {os.getpid()}
    finally:
        pool.close()
    # A worker that dies on its half (a forked one: it knows this process): that half is
    # worked out here.
    pool = _started_pool()
    try:
        found = in_process(pool, _pid_of, [5, 6, 3, 4], [1.0] * 4, threshold=0)
        assert found == [[(5, _PARENT), (6, _PARENT)], [(3, _PARENT), (4, _PARENT)]]
    finally:
        pool.close()
    # No worker at hand: in two threads of this process, none started.
    idle = Workers()
    first, second = in_process(idle, _pids, list(range(10)), [1.0] * 10, threshold=5)
    assert {pid for _, pid in first + second} == {os.getpid()} and not idle.idle


# ---- stories told beside one of the run's worker processes ------------------------------------

FIXTURES = Path(__file__).parent / "fixtures"
_PARENT = os.getpid()  # this test process (a worker is forked from it)


def _started_pool() -> Workers:
    """A pool whose workers are at hand, as a run's are once they have read its files."""
    pool = Workers(prepare=prepare_summarizing)
    pool.run([0, 1], [range(1), range(1, 2)], _where, _nowhere, [None, None], None, ("", ""))
    return pool


def _where(items: Sequence[int], started: Callable[[int], None]) -> list[tuple[int, int]]:
    return [(item, os.getpid()) for item in items]


def _nowhere(item: int, why: str) -> None:
    raise AssertionError(f"{item}: {why}")


def _dies_on_three(items: Sequence[int], started: Callable[[int], None]) -> list[int]:
    for number, item in enumerate(items):
        started(number)
        if item == 3 and os.getpid() != _PARENT:
            os._exit(1)  # the worker dies on this input
    return [item * 10 for item in items]


_TOUCHED: list[int] = []  # filled in this process only


def _fresh(items: Sequence[int], started: Callable[[int], None]) -> list[tuple[int, int, int]]:
    return [(item, os.getpid(), len(_TOUCHED)) for item in items]


@two_cores
def test_a_spawned_worker_works_out_the_second_half_holding_nothing_of_this_process() -> None:
    """A run's stories are told beside a fresh interpreter (spawn) started with its reading:
    it holds nothing of this process (a list filled here is empty there), where a forked
    worker would hold all of it (issue 13: ~96 MB at 30,000 articles)."""
    _TOUCHED.append(1)
    pool = Workers(start="spawn")
    pool.start(1)
    assert len(pool.idle) == 1
    found = with_workers(pool, _fresh, list(range(10)), [1.0] * 10, threshold=5)
    assert [item for item, _, _ in found] == list(range(10))
    assert {(pid, seen) for _, pid, seen in found[:5]} == {(os.getpid(), 1)}
    assert {seen for _, _, seen in found[5:]} == {0} and found[5][1] != os.getpid()
    assert not pool.idle and not pool.busy


def _imported(items: Sequence[str], started: Callable[[int], None]) -> list[bool]:
    return [name in sys.modules for name in items]


@two_cores
def test_a_warmed_worker_has_the_modules_before_its_first_task() -> None:
    """Workers.warm: the idle spawned worker imports modules while the run works on (a run
    warms the telling's once the files are read), and answers nothing for it, so its next
    task's answer is its own. (Modules this test file does not import: the worker imports
    the file to find the task's function.)"""
    pool = Workers(start="spawn")
    pool.start(1)
    names = ["email.mime.text", "xml.dom.minidom", "wave"]
    try:
        cold = in_workers(pool, names, _imported, lambda name, why: None, ("look", "looking"))
        assert cold == [False, False, False]
        pool.warm(names[:2])
        warmed = in_workers(pool, names, _imported, lambda name, why: None, ("look", "looking"))
        assert warmed == [True, True, False]
    finally:
        pool.close()


@two_cores
def test_with_workers_sends_the_second_half_to_a_worker_and_ends_the_pool() -> None:
    pool = _started_pool()
    assert len(pool.idle) == 2
    found = with_workers(pool, _where, list(range(10)), [1.0] * 10, threshold=5)
    assert [item for item, _ in found] == list(range(10))
    assert {pid for _, pid in found[:5]} == {os.getpid()}
    assert len({pid for _, pid in found[5:]}) == 1 and found[5][1] != os.getpid()
    assert not pool.idle and not pool.busy  # ended: the last stage that needs it
    # Too little work, or no worker at hand: all of it here, and no process started for it.
    for pool, threshold in ((_started_pool(), 11), (Workers(), 0)):
        found = with_workers(pool, _where, list(range(10)), [1.0] * 10, threshold=threshold)
        assert {pid for _, pid in found} == {os.getpid()}
        assert not pool.idle and not pool.busy


@two_cores
def test_with_workers_can_leave_its_worker_for_a_later_stage() -> None:
    pool = _started_pool()
    found = with_workers(pool, _where, list(range(10)), [1.0] * 10, threshold=5, end=False)
    there = {pid for _, pid in found[5:]}
    assert len(there) == 1 and os.getpid() not in there
    assert len(pool.idle) == 1 and not pool.busy  # kept, idle: the next stage's
    again = with_workers(pool, _where, list(range(10)), [1.0] * 10, threshold=5)
    assert {pid for _, pid in again[5:]} == there  # the same worker, then ended
    assert not pool.idle and not pool.busy


def test_split_point_counts_the_work_beside_the_first_part() -> None:
    assert split_point([1, 1, 1, 1], ahead=2) == 1  # 2 + 1 against 1 + 1 + 1
    assert split_point([1, 1, 1, 1], ahead=0) == split_point([1, 1, 1, 1])
    assert split_point([1, 1], ahead=5) == 0  # all of them second


@two_cores
def test_with_workers_does_the_work_beside_in_the_thread_of_the_first_part() -> None:
    done: list[int] = []

    def record() -> None:
        done.append(threading.get_ident())

    for ahead, here in ((2.0, 4), (50.0, 0)):  # 2 + 4 against 6; nothing here against 10
        done.clear()
        found = with_workers(
            _started_pool(), _where, list(range(10)), [1.0] * 10, 5, (record, ahead)
        )
        assert [item for item, _ in found] == list(range(10))
        assert [pid for _, pid in found[:here]] == [os.getpid()] * here
        assert len({pid for _, pid in found[here:]}) == 1 and found[here][1] != os.getpid()
        assert len(done) == 1 and done[0] != threading.get_ident()
    # Too little to share: done here, before the items.
    done.clear()
    found = with_workers(_started_pool(), _where, list(range(4)), [1.0] * 4, 5, (record, 1.0))
    assert {pid for _, pid in found} == {os.getpid()} and done == [threading.get_ident()]


@two_cores
def test_with_workers_works_out_here_what_its_worker_died_on() -> None:
    found = with_workers(_started_pool(), _dies_on_three, list(range(6)), [1.0] * 6, 0)
    assert found == [0, 10, 20, 30, 40, 50]


def _documents() -> list[tuple[Document, Summary]]:
    """Real dev reports, cleaned and summarized as a run does, and two re-posts (a copy
    under another headline, and one without a headline) so stories have copies."""
    rows = [json.loads(line) for line in (FIXTURES / "themes_dev.jsonl").open(encoding="utf-8")]
    articles = [
        Article(
            id=f"a{k}",
            title=row["title"],
            date=dt.date.fromisoformat(row["date"]),
            source=row["source"],
            url="",
            text=row["text"],
            path=f"{k}.md",
        )
        for k, row in enumerate(rows[:24])
    ]
    articles.append(dataclasses.replace(articles[0], id="copy", title="Re-posted", source="X"))
    articles.append(dataclasses.replace(articles[1], id="untitled", title=" ", source="Y"))
    done = summarize_chunk(articles, (3, None, "default"))
    return [value.attach(article) for article, value in zip(articles, done, strict=True)]


DOCUMENTS = _documents()


@two_cores
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 7), min_size=len(DOCUMENTS), max_size=len(DOCUMENTS)))
def test_stories_told_beside_a_worker_equal_those_told_here(numbers: list[int]) -> None:
    """Any grouping of the reports into stories: each story's headline, bullets and copies
    are the same whether half the stories are told in a worker process or all here."""
    stories: dict[int, list[Article]] = {}
    for (document, _), number in zip(DOCUMENTS, numbers, strict=True):
        stories.setdefault(number, []).append(document.article)
    reports = [tuple(articles) for _, articles in sorted(stories.items())]
    documents = {d.article.id: d for d, _ in DOCUMENTS}
    summaries = {s.article.id: s for _, s in DOCUMENTS}
    alone = tell_stories(reports, documents, summaries, 5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(telling, "_SHARED_COST", 0)
        pool = _started_pool()
        shared = tell_stories(
            reports, documents, summaries, 5, functools.partial(with_workers, pool)
        )
    assert shared == alone
    assert not pool.idle


def _articles_folder(tmp_path: Path) -> Path:
    """DOCUMENTS' articles as front-matter files in a folder, for whole runs."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for document, _ in DOCUMENTS:
        article = document.article
        (folder / f"{article.id}.md").write_text(
            f"---\ntitle: '{article.title}'\ndate: {article.date}\nsource: {article.source}\n"
            f"---\n\n{article.text}\n",
            encoding="utf-8",
        )
    return folder


@two_cores
def test_a_run_tells_stories_beside_a_worker_as_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _articles_folder(tmp_path)
    options = MakeOptions(
        inputs=(folder,), since=dt.date(2020, 1, 1), until=dt.date(2024, 12, 31), cache=False
    )
    serial = pipeline.make(dataclasses.replace(options, out=tmp_path / "serial"), None, 10**9)
    monkeypatch.setattr(telling, "_SHARED_COST", 0)
    monkeypatch.setattr(graph_module, "_PARALLEL_PAIRS", 0)  # half the graph there too,
    monkeypatch.setattr(candidates, "_GRAPH_ROWS", 2)  # in blocks enough to cut in two
    with caplog.at_level(logging.DEBUG, logger="briefer.halves"):
        pooled = pipeline.make(dataclasses.replace(options, out=tmp_path / "pooled"), None, 0)
    assert pooled.workers >= 1
    told = [r.getMessage() for r in caplog.records if "in a worker process" in r.getMessage()]
    assert len(told) == 2 and "as one input" in told[0]  # the graph's half, then the stories
    merged = [story for story in pooled.briefing.stories if story.copies]
    assert merged  # the re-post is found a copy, beside the worker as here
    assert pooled.briefing.stories == serial.briefing.stories
    assert [p.read_bytes() for p in pooled.paths] == [p.read_bytes() for p in serial.paths]


@two_cores
def test_a_run_shares_the_storylines_terms_with_the_telling_worker_as_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """With the store, the worker that told half the stories works out half the storylines'
    terms the store lacks (pipeline._shared_terms): the same briefing as one process."""
    folder = _articles_folder(tmp_path)
    options = MakeOptions(inputs=(folder,), since=dt.date(2020, 1, 1), until=dt.date(2024, 12, 31))
    serial = pipeline.make(dataclasses.replace(options, out=tmp_path / "serial" / "b"), None, 10**9)
    monkeypatch.setattr(telling, "_SHARED_COST", 0)
    monkeypatch.setattr(pipeline, "_TERMS_SHARED", 0)
    with caplog.at_level(logging.DEBUG, logger="briefer.halves"):
        pooled = pipeline.make(dataclasses.replace(options, out=tmp_path / "pooled" / "b"), None, 0)
    assert pooled.workers >= 1
    shared = [r.getMessage() for r in caplog.records if "in a worker process" in r.getMessage()]
    assert len(shared) == 2  # the stories, then the storylines' terms
    assert pooled.briefing.stories == serial.briefing.stories
    assert [p.read_bytes() for p in pooled.paths] == [p.read_bytes() for p in serial.paths]


def test_telling_loads_no_scipy() -> None:
    """A worker that tells stories imports briefer.group.telling on its first task: keeping
    scipy out of it keeps that worker about 27 MB smaller (10k bench week)."""
    assert modules_loaded_after("import briefer.group.telling", ["scipy"]) == []


@two_cores
def test_stories_placed_and_labelled_beside_the_telling_are_those_of_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every article read, the stories are placed and the Other ones' topics labelled
    by the thread that tells this process's share of the stories (grouping._Early): the
    same themes, reasons and topics as one process gives them."""
    # 200 articles: enough stories that some go under the themes and some Other ones share
    # a topic. Every sample is about one of the samples' themes: without the last of them
    # (Peace talks), its stories are Other.
    folder = write_sample_corpus(tmp_path / "articles", 200, sources=5)
    themes = (REPO / "samples" / "themes.toml").read_text(encoding="utf-8")
    (tmp_path / "themes.toml").write_text(themes[: themes.rindex("[[theme]]")], encoding="utf-8")
    options = MakeOptions(
        inputs=(folder,),
        since=dt.date(2024, 12, 1),
        until=dt.date(2024, 12, 10),
        themes=tmp_path / "themes.toml",
        cache=False,
    )
    serial = pipeline.make(dataclasses.replace(options, out=tmp_path / "serial"), None, 10**9)
    monkeypatch.setattr(telling, "_SHARED_COST", 0)
    pooled = pipeline.make(dataclasses.replace(options, out=tmp_path / "pooled"), None, 0)
    stories = pooled.briefing.stories
    assert {story.theme for story in stories} - {OTHER_THEME}  # some placed under a theme
    assert any(story.topic for story in stories)  # and some Other ones labelled
    assert stories == serial.briefing.stories
    assert [p.read_bytes() for p in pooled.paths] == [p.read_bytes() for p in serial.paths]
