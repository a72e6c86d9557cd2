"""How long grouping takes for a big pile of articles: story clustering, then the whole
group stage (clustering, theme placement, copies, related-story labels).

    .venv/bin/python benchmarks/bench_grouping.py [--articles 10000] [--repeat 3] [--parts]

The articles are built from the development data: tests/fixtures/themes_dev.jsonl, plus
../shared/eval/clusters_dev.jsonl when it is there. Each one is a base report under a
shifted date and another source, with its sentences partly reordered and a tail of
sentences borrowed from other reports, so most of them are about as long as a real
article (400-700 words); one in ten is a verbatim re-post of another. Prints the best of
the repeats, as the machine is shared.

It prints the whole group stage in one process (group(items, themes), the story graph in two
threads) and as `make` runs it on two cores (the articles' words made beforehand, as the reading
workers make them, and half the stories told in a worker process).

--parts adds the wall and CPU time of each part of the group stage, run one after the other
with the functions group() uses, the stemming caches emptied first as in a fresh `briefer
make` process: the words of each article (done by the reading workers in `make`), the Texts
tables, the term matrix, the story graph (two threads) and its clustering, theme placement,
headlines, copies and bullets (in one process), the same stories told as `make` tells them
(half in one of the run's worker processes, briefer.halves.with_workers: this process's CPU
and the wall time) and topic labels.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import re
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from briefer.group import cluster_stories, group, load_themes
from briefer.group.copies import find_copies
from briefer.group.grouping import _article_key, _story_graph
from briefer.group.rows import term_rows
from briefer.group.stories import story_labels, story_matrices
from briefer.group.telling import story_title, tell_stories
from briefer.group.texts import document_features, texts_from, theme_key
from briefer.group.themes import placements
from briefer.group.topics import topic_labels
from briefer.halves import with_workers
from briefer.parallel import prepare_summarizing
from briefer.records import Article, Block, Document, Sentence, Story, Summary, Theme
from briefer.summarize import bullets
from briefer.summarize.bullets import story_bullets
from briefer.words import stem
from briefer.workers import Workers

REPO = Path(__file__).resolve().parent.parent
SOURCES = [f"Outlet {k}" for k in range(40)]
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")


def _rows() -> list[dict[str, str]]:
    paths = [REPO / "tests" / "fixtures" / "themes_dev.jsonl"]
    shared = REPO.parent / "shared" / "eval" / "clusters_dev.jsonl"
    if shared.is_file():
        paths.append(shared)
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def build(count: int, seed: int = 7) -> list[tuple[Document, Summary]]:
    rng = random.Random(seed)
    rows = _rows()
    pool = [s for row in rows for s in _SENTENCE.split(row["text"]) if len(s) > 40]
    start = date(2021, 1, 1)
    items: list[tuple[Document, Summary]] = []
    for k in range(count):
        if items and rng.random() < 0.1:  # a re-post of an earlier article
            document, _ = items[rng.randrange(len(items))]
            title = document.article.title + " (re-post)"
            paragraphs = [block.text for block in document.blocks]
            day = document.article.date
        else:
            row = rows[rng.randrange(len(rows))]
            sentences = _SENTENCE.split(row["text"])
            head, rest = sentences[:2], sentences[2:]
            rng.shuffle(rest)
            tail = rng.sample(pool, rng.randint(14, 26))
            paragraphs = [" ".join(head), " ".join(rest)] + [
                " ".join(tail[i : i + 3]) for i in range(0, len(tail), 3)
            ]
            title = row["title"]
            day = start + timedelta(days=rng.randrange(4 * 365))
        article = Article(
            id=f"a{k}",
            title=title,
            date=day,
            source=rng.choice(SOURCES),
            url="",
            text="\n\n".join(paragraphs),
            path=f"bench/{k}.txt",
        )
        document = Document(article=article, blocks=tuple(Block(p) for p in paragraphs))
        first = _SENTENCE.split(paragraphs[0])[:3]
        summary = Summary(
            article=article,
            sentences=tuple(Sentence(text=t, index=i, block=0) for i, t in enumerate(first)),
            algorithm="lead",
        )
        items.append((document, summary))
    return items


def parts(
    items: list[tuple[Document, Summary]], themes: Sequence[Theme]
) -> dict[str, tuple[float, float]]:
    """(wall, CPU of this process) seconds of each part of the group stage, in the order
    group() runs them. The story graph runs in two threads (both counted as this process's
    CPU) and half of the stories told in a worker process (its CPU not counted): wall is what
    the run waits for."""
    for cache in (stem, theme_key, bullets._content_stem):
        cache.cache_clear()
    documents = {d.article.id: d for d, _ in items}
    summaries = {s.article.id: s for _, s in items}
    unique = list(documents.values())
    times: dict[str, tuple[float, float]] = {}
    clock = (time.perf_counter(), time.process_time())

    def lap(label: str) -> None:
        nonlocal clock
        now = (time.perf_counter(), time.process_time())
        times[label] = (now[0] - clock[0], now[1] - clock[1])
        clock = now

    features = [document_features(document) for document in unique]
    lap("article words (workers, in make)")
    texts = texts_from(features)
    lap("texts_from")
    rows = term_rows(texts, *story_matrices(texts))
    lap("term matrix + rows")
    graph = _story_graph([d.article for d in unique], rows, None)
    story_of = np.asarray(story_labels(graph, [d.article.id for d in unique]), dtype=np.int64)
    lap("story graph + clustering")
    found = placements(texts, story_of, int(story_of.max()) + 1, themes, "primary")
    lap("theme placement")
    members: list[list[Article]] = [[] for _ in found]
    for position, number in enumerate(story_of.tolist()):
        members[number].append(unique[position].article)
    reports = [tuple(sorted(articles, key=_article_key)) for articles in members]
    titles = [story_title(articles, summaries, documents) for articles in reports]
    copies = [find_copies([documents[a.id] for a in articles]) for articles in reports]
    lap("headlines + copies (one process)")
    told = []
    for articles, pairs in zip(reports, copies, strict=True):
        copied = {copy for copy, _ in pairs}
        quoted = [a for a in articles if a.id not in copied]
        told.append(story_bullets(quoted, summaries, 5))
    lap("bullets (one process)")
    # As the first telling found the bullets' cache (the stems of the texts are warm in
    # both, as in `make`, where the Texts are made before the stories are told). The worker
    # is started outside the lap: in `make` it is the one that read the files.
    bullets._content_stem.cache_clear()
    pool = Workers(prepare=prepare_summarizing)
    pool.run([0], [range(1)], _ready, _ready, [None], None, ("start", "starting"))
    clock = (time.perf_counter(), time.process_time())
    tell_stories(reports, documents, summaries, 5, functools.partial(with_workers, pool))
    lap("stories told, as make does")
    stories = [
        Story(title=title, articles=articles, bullets=said, theme=placement.theme, copies=pairs)
        for title, articles, said, placement, pairs in zip(
            titles, reports, told, found, copies, strict=True
        )
    ]
    topic_labels([story.theme for story in stories], rows, story_of)
    lap("topic labels")
    return times


def as_make_runs_it(
    items: list[tuple[Document, Summary]], themes: Sequence[Theme]
) -> tuple[float, float, float]:
    """(wall, CPU of this process, CPU of the words) of the group stage as `make` runs it on
    two cores: each article's words made beforehand (in `make`, by the reading workers as
    they read each file, so not in the stage), the story graph's pairs in two threads and
    half the stories told in a worker process started before (in `make`, while reading).
    The grouping is the same as group(items, themes) gives (tests check it)."""
    for cache in (stem, theme_key, bullets._content_stem):
        cache.cache_clear()
    cpu = time.process_time()
    features = [document_features(document) for document, _ in items]
    words = time.process_time() - cpu
    pool = Workers(prepare=prepare_summarizing)
    pool.run([0], [range(1)], _ready, _ready, [None], None, ("start", "starting"))
    started, cpu = time.perf_counter(), time.process_time()
    group(items, themes, features=features, share=functools.partial(with_workers, pool))
    return time.perf_counter() - started, time.process_time() - cpu, words


def _ready(*_: object) -> list[None]:
    return [None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--parts", action="store_true", help="CPU time of each part, too")
    args = parser.parse_args()
    items = build(args.articles)
    themes = load_themes(REPO / "samples" / "themes.toml")
    docs = [
        (d.article.title, "\n".join(b.text for b in d.blocks), d.article.date) for d, _ in items
    ]
    words = sum(len(d.article.text.split()) for d, _ in items) / len(items)
    print(f"articles: {len(items)}  mean words: {words:.0f}")
    cluster_times, group_times, group_cpu = [], [], []
    made: list[tuple[float, float, float]] = []
    stories = 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        labels = cluster_stories(docs)
        cluster_times.append(time.perf_counter() - started)
        started, cpu = time.perf_counter(), time.process_time()
        grouping = group(items, themes)
        group_times.append(time.perf_counter() - started)
        group_cpu.append(time.process_time() - cpu)
        stories = len(set(labels))
        made.append(as_make_runs_it(items, themes))
    filed = {section.theme: len(section.stories) for section in grouping.sections}
    print(f"stories: {stories}  copies folded: {grouping.merged}  by theme: {filed}")
    print(f"cluster_stories: best {min(cluster_times):.2f} s of {args.repeat}")
    print(
        f"group (all of it): best {min(group_times):.2f} s of {args.repeat}"
        f"  (cpu {min(group_cpu):.2f} s: wall time above it is other work on the machine)"
    )
    wall, cpu, words = min(made)
    print(
        f"group stage as make runs it (two cores): best {wall:.2f} s of {args.repeat}"
        f"  (cpu of this process {cpu:.2f} s; the articles' words, {words:.2f} s of cpu, made"
        " beforehand as make's reading workers make them)"
    )
    if args.parts:
        best: dict[str, tuple[float, float]] = {}
        for _ in range(args.repeat):
            for label, (wall, cpu) in parts(items, themes).items():
                old_wall, old_cpu = best.get(label, (wall, cpu))
                best[label] = (min(old_wall, wall), min(old_cpu, cpu))
        print(
            f"parts (best of {args.repeat}, wall and CPU of this process; the caches of stems"
            " emptied each time):"
        )
        for label, (wall, cpu) in best.items():
            print(f"  {label:<34} {wall:6.2f} s wall {cpu:6.2f} s cpu")


if __name__ == "__main__":
    main()
