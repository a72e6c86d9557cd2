"""The summarizing workers never outlive a run and never hold it up: SIGTERM and SIGHUP stop
a run as Ctrl-C does, workers die with their parent (even by SIGKILL), an input that takes
longer than its budget is reported and the rest briefed, and a killed run leaves a store the
next run uses. Real processes, real signals, a corpus big enough for the pool."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, modules_loaded_after, run_cli, write_sample_corpus

from briefer.ingest import read_inputs
from briefer.parallel import Summarizer, summarize_chunk
from briefer.workers import CHUNK_SIZE, POOL_THRESHOLD, Workers, in_workers

SAMPLES = REPO / "samples"
COUNT = 3 * POOL_THRESHOLD  # enough to take a few seconds in the pool on a loaded machine
PERIOD = ("--since", "2024-12-01", "--until", "2024-12-10")
WAIT = 120.0  # seconds a test waits for something that should take well under one

needs_cores = pytest.mark.skipif(
    (os.cpu_count() or 1) < 2, reason="the worker pool is only used with several cores"
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """COUNT articles made from the samples, no two the same text."""
    return write_sample_corpus(tmp_path_factory.mktemp("workers") / "articles", COUNT)


def _children(pid: int) -> set[int]:
    """The processes whose parent is pid (Linux /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry.name))
    return found


def _workers_of(pid: int) -> set[int]:
    """pid's worker processes: its children but multiprocessing's resource tracker, which
    serves every run of the process (a test's) and ends with it."""
    found = set()
    for child in _children(pid):
        try:
            command = (Path("/proc") / str(child) / "cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in command:
            found.add(child)
    return found


def _alive(pid: int) -> bool:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _start_run(corpus: Path, out: Path) -> tuple[subprocess.Popen[bytes], set[int]]:
    """`briefer make` in a process of its own, once its workers are summarizing."""
    command = [sys.executable, "-c", "from briefer.cli import app; app()", "make"]
    run = subprocess.Popen(
        [*command, "-i", str(corpus), "--out", str(out), *PERIOD],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and run.poll() is None:
        workers = _children(run.pid)
        if len(workers) >= 2:
            return run, workers
        time.sleep(0.01)
    run.kill()
    run.wait()
    pytest.fail("the run never started its workers")


def _gone(pids: set[int]) -> bool:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if not any(_alive(pid) for pid in pids):
            return True
        time.sleep(0.05)
    return False


@needs_cores
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_or_sighup_while_summarizing_leaves_no_process_behind(
    corpus: Path, tmp_path: Path, number: signal.Signals
) -> None:
    out = tmp_path / "briefings"
    run, workers = _start_run(corpus, out)
    run.send_signal(number)
    _, err = run.communicate(timeout=WAIT)
    assert run.returncode == -number, err.decode()
    assert _gone(workers), "a worker outlived the run"
    assert not list(out.glob("*.md")) and not list(out.glob(".*.tmp")), "no briefing, no scrap"
    # The next run finds a store it can use, and briefs everything.
    code, _, err_text = run_cli("make", "-i", str(corpus), "--out", str(out), *PERIOD)
    assert code == 0 and err_text == "", err_text


@needs_cores
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_workers_die_with_a_killed_run_and_the_store_stays_usable(
    corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "briefings"
    # A first run fills the store, so the killed one is killed with a store in use.
    code, _, err = run_cli(
        "make", "-i", str(corpus), "--out", str(out), *PERIOD, "--sentences", "2"
    )
    assert code == 0, err
    run, workers = _start_run(corpus, out)
    run.kill()
    run.wait(timeout=WAIT)
    assert _gone(workers), "a worker outlived its parent"
    code, _, err = run_cli("make", "-i", str(corpus), "--out", str(out), *PERIOD)
    assert code == 0 and err == "", err
    assert (out / "2024-12-10.md").is_file()


@needs_cores
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_ctrl_c_while_the_workers_read_ahead_stops_the_run_cleanly(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real SIGINT reaches `briefer make` while its workers read (and summarize ahead) its
    COUNT files: sent when the run next waits on them once a first result is in, so with the
    pass part-way whatever the machine's speed (COUNT files are three tasks for two workers;
    the third is sent once one is done). The command exits 130 with no traceback, leaves no
    worker behind and no briefing or scrap file, and the next run uses what it read."""
    from multiprocessing.connection import wait

    import briefer.workers
    from briefer.options import MakeOptions
    from briefer.pipeline import make

    out = tmp_path / "briefings"
    stopped_with: list[set[int]] = []  # the run's workers when the signal was sent
    came_in: list[object] = []

    def wait_then_interrupted(connections: list[Any], timeout: float | None = None) -> list[Any]:
        # Where a run sits while its workers read, and so where a Ctrl-C finds it.
        if came_in and not stopped_with:
            stopped_with.append(_workers_of(os.getpid()))
            os.kill(os.getpid(), signal.SIGINT)
        ready = wait(connections, timeout)
        came_in.extend(ready)
        return ready

    monkeypatch.setattr(briefer.workers, "wait", wait_then_interrupted)
    code, _, err = run_cli("make", "-i", str(corpus), "--out", str(out), *PERIOD)
    monkeypatch.undo()
    assert code == 130 and err == "", err
    assert stopped_with and len(stopped_with[0]) >= 2, "not stopped while its workers read"
    assert _gone(stopped_with[0]), "a worker outlived the run"
    assert multiprocessing.active_children() == []
    assert not [path for path in out.rglob("*") if path.is_file()], "no briefing, no scrap"

    # The next run reads only what the stopped one had not, and writes what a run without
    # the store writes.
    options = MakeOptions(
        inputs=(corpus,), out=out, since=dt.date(2024, 12, 1), until=dt.date(2024, 12, 10)
    )
    after = make(options)
    assert after.stats.files_reused >= CHUNK_SIZE  # at least the task that came in
    assert after.stats.summaries_reused >= CHUNK_SIZE
    cold = make(dataclasses.replace(options, out=tmp_path / "cold", cache=False))
    assert [path.read_bytes() for path in after.paths if path.stem[:1].isdigit()] == [
        path.read_bytes() for path in cold.paths if path.stem[:1].isdigit()
    ]


@needs_cores
def test_files_read_ahead_before_a_ctrl_c_in_the_progress_bar_are_kept(
    corpus: Path, tmp_path: Path
) -> None:
    """The progress bar is told of a task's results as they come in, before the run hands
    them to the store: a Ctrl-C there (the first, here) still leaves them to the next run."""
    from briefer.options import MakeOptions
    from briefer.pipeline import make

    options = MakeOptions(
        inputs=(corpus,),
        out=tmp_path / "out",
        since=dt.date(2024, 12, 1),
        until=dt.date(2024, 12, 10),
    )

    def progress(done: int, total: int) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        make(options, progress=progress)
    assert multiprocessing.active_children() == []
    after = make(options)
    assert after.stats.files_reused >= CHUNK_SIZE
    assert after.stats.summaries_reused >= CHUNK_SIZE


def test_an_input_over_its_time_budget_is_reported_and_its_worker_replaced() -> None:
    articles = read_inputs([SAMPLES]).articles
    length = (3, None, "default")
    # No input can be cleaned within a budget of a nanosecond: each one's worker is killed
    # and replaced in turn, and each input comes back failed with the reason.
    summarizer = Summarizer(pool_threshold=0, budget=1e-9)
    results = summarizer(articles, length)
    assert summarizer.workers >= 1
    assert [value.problem for value in results] == [
        "took longer than 1e-09 s to summarize; left out"
    ] * len(articles)
    assert not any(value.sentences for value in results)
    assert multiprocessing.active_children() == []
    # With room to work, the pool gives what one process gives.
    pooled = Summarizer(pool_threshold=0)(articles, length)
    assert pooled == summarize_chunk(articles, length)


def _double_or_fail(items: list[int], started: Callable[[int], None]) -> list[int]:
    """A task for the pool: each item doubled; item 7 hangs its worker, item 11 kills it."""
    done = []
    for position, item in enumerate(items):
        started(position)
        if item == 7:
            time.sleep(WAIT)
        if item == 11:
            os._exit(1)
        done.append(2 * item)
    return done


@needs_cores
def test_tasks_waiting_in_a_stuck_or_dead_workers_pipe_are_worked_out_elsewhere() -> None:
    """A worker holds the task it works on and the next one: when it hangs (item 7) or dies
    (item 11), the next one is sent to another worker, and every other input is answered
    once, as in one process; the culprits alone come back lost, with the reason."""
    items = list(range(24))
    pool = Workers(budget=2.0)
    told: list[int] = []
    try:
        results = in_workers(
            pool,
            items,
            _double_or_fail,
            lambda item, why: f"{item}: {why}",
            ("double", "doubling"),
            chunk_size=1,  # many more tasks than workers: each holds two while it can
            each=lambda position, _: told.append(position),
        )
    finally:
        pool.close()
    expected: list[object] = [2 * item for item in items]
    expected[7] = "7: took longer than 2 s to double"
    expected[11] = "11: the process doubling it died"
    assert results == expected
    assert sorted(told) == items
    assert multiprocessing.active_children() == []


# ---- the grouping's reading, done in the workers ----------------------------------------------


def test_the_workers_read_each_text_for_grouping_as_grouping_would(tmp_path: Path) -> None:
    """Each summarized article carries its words for grouping, worked out where it was
    cleaned; assembled, they give the very tables grouping gets by reading the texts itself."""
    import numpy as np

    from briefer.clean import clean
    from briefer.group.texts import document_features, document_parts, read_texts, texts_from

    folder = write_sample_corpus(tmp_path / "articles", 30)
    articles = list(read_inputs([folder]).articles)
    done = summarize_chunk(articles, (3, None, "default"))
    features = [summarized.features for summarized in done]
    documents = [clean(article) for article in articles]
    assert features == [document_features(document) for document in documents]
    assert all(found is not None and len(found.words) > 10 for found in features)
    assembled = texts_from([found for found in features if found is not None])
    read = read_texts([document_parts(document) for document in documents])
    for name in read.__dataclass_fields__:
        mine, theirs = getattr(assembled, name), getattr(read, name)
        if isinstance(theirs, np.ndarray):
            assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs), name
        else:
            assert mine == theirs, name


def test_grouping_from_the_workers_features_equals_grouping_from_the_texts(
    tmp_path: Path,
) -> None:
    """A summary with its features (a fresh one) and one without (from the store) group alike."""
    import dataclasses

    from briefer.pipeline import group

    folder = write_sample_corpus(tmp_path / "articles", 40, sources=5)
    articles = list(read_inputs([folder]).articles)
    done = summarize_chunk(articles, (3, None, "default"))
    without = [dataclasses.replace(summarized, features=None) for summarized in done]
    assert all(summarized.features is not None for summarized in done)
    fresh = dict(zip(articles, done, strict=True))
    stored = dict(zip(articles, without, strict=True))
    assert group(articles, lambda some: [fresh[a] for a in some], ()) == group(
        articles, lambda some: [stored[a] for a in some], ()
    )


def test_checking_a_themes_file_does_not_import_the_stemmer(tmp_path: Path) -> None:
    """nltk (with scipy.stats) is most of a second and tens of MB: a run checks its themes
    file before its workers are forked, and they should not carry it."""
    script = (
        "from pathlib import Path\n"
        "from briefer.group import load_themes\n"
        f"themes = load_themes(Path({str(SAMPLES / 'themes.toml')!r}))\n"
        "assert themes, 'no theme read'\n"
    )
    assert modules_loaded_after(script, ["nltk"], cwd=tmp_path) == []


def _collecting(items: list[int], started: Callable[[int], None]) -> list[bool]:
    for position in range(len(items)):
        started(position)
    return [gc.isenabled() for _ in items]


@needs_cores
def test_a_forked_worker_collects_while_the_command_does_not() -> None:
    # briefer make turns the collector off in its own process (briefer.cli); the workers it
    # forks parse feeds and pages, which leave cycles, so they turn it back on.
    pool = Workers(budget=2.0)
    gc.disable()
    try:
        results = in_workers(
            pool,
            [1, 2, 3, 4],
            _collecting,
            lambda item, why: f"{item}: {why}",
            ("check", "checking"),
        )
    finally:
        gc.enable()
        pool.close()
    assert results == [True, True, True, True]


def test_workers_that_cannot_start_stop_the_run_with_one_line(tmp_path: Path) -> None:
    # A script fed on standard input (`python - < script.py`) cannot be read again by a
    # spawned interpreter, so every worker it starts ends at once. They used to be replaced
    # for ever (thousands of tracebacks, no end); now the run gives up after a few, saying why.
    script = (
        "from briefer.workers import Workers\n"
        "workers = Workers(start='spawn')\n"
        "try:\n"
        "    workers.run([1, 2], [range(0, 1), range(1, 2)], max, max, [None, None], None,"
        " ('read', 'reading'))\n"
        "except Exception as error:\n"
        "    print('gave up:', type(error).__name__, error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-"], input=script, capture_output=True, text=True, cwd=tmp_path,
        timeout=60,  # it ends in well under a second; before, it never did
    )  # fmt: skip

    assert done.returncode == 0, done.stderr[-2000:]
    assert "gave up: WorkersError briefer's worker processes end as they start" in done.stdout
    assert "run it from a file" in done.stdout
    # the three tries, and the workers started beside them (one a core) before it gave up:
    # a handful, where before there was no end
    assert done.stderr.count("FileNotFoundError") <= 3 + (os.cpu_count() or 1)
    assert not multiprocessing.active_children()
