"""Time and memory of the story graph and story clustering on a corpus of front-matter
articles (the bench_make corpora: a busy week of real dev text), cold and extended.

    .venv/bin/python benchmarks/bench_story_graph.py /tmp/perf-corpus/10000-7d [--added 50]
                                                     [--rounds 1]

Reads each file's title, date and body (paragraphs split on blank lines), makes the term
vectors (stories.story_matrices) and then prints the story graph built in one thread, in two,
and with half its pairs compared in a spawned worker process (`make`'s way up to
pipeline._GRAPH_BESIDE articles), --rounds times alternated: wall, and CPU of this process +
the worker's; then, in CPU seconds: the story graph built
cold, clustered into stories; the graph of all but --added articles extended with them
(checked equal to the cold graph, array for array), clustered again with the memo of
components the first clustering filled; and the cold graph with those articles removed
(checked equal to the graph built without them). Memory: the peak the graph's construction
allocated (tracemalloc), and its pairs. The labels' digest tells whether a change of code
changed any story. --undated SHARE reads that share of the articles without their dates
(chosen by a hash of each file's name, as `briefer eval clusters --undated`): undated
articles meet every article of the run, and their pairs are judged by the weekdays and
figures they name.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

import numpy as np
from scipy import sparse

from briefer.evaluation.groups import left_undated
from briefer.group import graph
from briefer.group.days import weekday_masks
from briefer.group.graph import (
    PAIR_ARRAYS,
    StoryGraph,
    extend_graph,
    remove_from_graph,
    story_graph,
)
from briefer.group.stories import story_labels, story_matrices
from briefer.group.texts import read_texts
from briefer.halves import Split, in_process, in_threads
from briefer.workers import Workers


def _read(path: Path) -> tuple[str, str | None, list[str]]:
    text = path.read_text(encoding="utf-8")
    _, header, body = text.split("+++", 2)
    title, day = "", None
    for line in header.splitlines():
        name, _, value = line.partition("=")
        if name.strip() == "title":
            title = value.strip().strip('"')
        elif name.strip() == "date":
            day = value.strip()
    return title, day, [p for p in body.split("\n\n") if p.strip()]


def _rows(
    articles: list[tuple[str, str | None, list[str]]],
) -> tuple[sparse.csr_matrix, list[str], np.ndarray]:
    texts = read_texts([(title, paragraphs) for title, _, paragraphs in articles])
    return story_matrices(texts)[1], list(texts.stems), weekday_masks(texts)


def _cpu_of(pid: int) -> float:
    """The CPU seconds a process of this machine has used (user and system, /proc)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _same(a: StoryGraph, b: StoryGraph) -> bool:
    arrays = PAIR_ARRAYS
    return (
        a.keys == b.keys
        and a.days == b.days
        and np.array_equal(a.weekdays, b.weekdays)
        and (a.vectors != b.vectors).nnz == 0
        and all(np.array_equal(getattr(a, name), getattr(b, name)) for name in arrays)
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--added", type=int, default=50)
    parser.add_argument("--undated", type=float, default=0.0, metavar="SHARE")
    parser.add_argument("--rounds", type=int, default=1, help="the three ways, alternated")
    args = parser.parse_args()
    paths = sorted(args.corpus.glob("*.md"))
    if not paths:
        print(f"{args.corpus}: no articles; skipped", file=sys.stderr)
        return 0
    articles = [_read(path) for path in paths]
    keys = [path.stem for path in paths]
    days = [
        date.fromisoformat(day).toordinal() if day and not left_undated(key, args.undated) else None
        for key, (_, day, _) in zip(keys, articles, strict=True)
    ]
    terms, names, weekdays = _rows(articles)

    # One thread, then two (graph._PARALLEL_PAIRS), then half the pairs in a spawned worker
    # (halves.in_process, as `make` does in the telling's worker), alternated --rounds
    # times in the same run: the ratio of their walls is what the second core brings on this
    # machine now. The worker's own CPU is read from /proc (it is not this process's).
    pool = Workers(start="spawn")
    pool.start(1)
    pool.warm(["briefer.group.graph"])
    worker = pool.idle[0][0].pid
    ways: dict[str, tuple[int, Split]] = {
        "one thread": (10**18, in_threads),
        "two threads": (graph._PARALLEL_PAIRS, in_threads),
        "half in a worker": (graph._PARALLEL_PAIRS, functools.partial(in_process, pool)),
    }
    walls: dict[str, list[tuple[float, float, float]]] = {label: [] for label in ways}
    for _ in range(args.rounds):
        for label, (threshold, split) in ways.items():
            saved, graph._PARALLEL_PAIRS = graph._PARALLEL_PAIRS, threshold
            there = _cpu_of(worker)
            started, cpu = time.perf_counter(), time.process_time()
            cold = story_graph(terms, names, days, keys, weekdays, split)
            walls[label].append(
                (time.perf_counter() - started, time.process_time() - cpu, _cpu_of(worker) - there)
            )
            graph._PARALLEL_PAIRS = saved
    pool.close()
    alone = min(wall for wall, _, _ in walls["one thread"])
    for label, runs in walls.items():
        best = min(wall for wall, _, _ in runs)
        print(
            f"graph built {label}: "
            + ", ".join(f"{w:.2f} s wall ({c:.2f} + {o:.2f} s cpu)" for w, c, o in runs)
            + f"; best wall {best:.2f} s, {best / alone:.2f} of one thread's"
        )
    tracemalloc.start()
    started = time.process_time()
    cold = story_graph(terms, names, days, keys, weekdays)
    graph_seconds = time.process_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    memo: dict[str, list[int]] = {}
    started = time.process_time()
    labels = story_labels(cold, keys, memo)
    cluster_seconds = time.process_time() - started
    digest = hashlib.sha256(repr(labels).encode()).hexdigest()[:12]
    print(
        f"{len(keys)} articles: graph {graph_seconds:.2f} s cpu (peak {peak / 2**20:.0f} MB, "
        f"{len(cold.first)} pairs), clustering {cluster_seconds:.2f} s cpu, "
        f"{len(set(labels))} stories, labels {digest}"
    )

    cut = len(keys) - args.added
    earlier = story_graph(*_rows(articles[:cut])[:2], days[:cut], keys[:cut], weekdays[:cut])
    added_terms, added_names, added_weekdays = _rows(articles[cut:])
    started = time.process_time()
    extended = extend_graph(
        earlier, added_terms, added_names, days[cut:], keys[cut:], added_weekdays
    )
    extend_seconds = time.process_time() - started
    started = time.process_time()
    again = story_labels(extended, keys, memo)
    recluster_seconds = time.process_time() - started
    print(
        f"+{args.added}: extend {extend_seconds:.2f} s cpu, equal to cold: "
        f"{_same(extended, cold)}; clustering with the memo {recluster_seconds:.2f} s cpu, "
        f"same stories: {again == labels}"
    )
    started = time.process_time()
    smaller = remove_from_graph(cold, keys[cut:])
    remove_seconds = time.process_time() - started
    print(
        f"-{args.added}: remove {remove_seconds:.2f} s cpu, equal to the graph built without "
        f"them: {_same(smaller, earlier)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
