"""Story clustering measured on two halves of a labelled clusters file (split by the parity
of a hash of each story's label, so a story never straddles the halves), for choosing a
constant on one half and reporting it on the other; the whole file last (it has more
same-topic distractors than either half).

    python benchmarks/clusters_halves.py ../shared/eval/clusters_dev_undated.jsonl \
        [--set NAME=VALUE]

With --busy, the rows are distinct articles of one busy topic (themes_dev.jsonl): it prints
how many stories they fold into (dated, and with their dates left out) and the median cosine
of the pairs within the date window, where the floor under the baselines
(neighbours.BACKGROUND) comes from.

With --events FILE, the rows are those of a busy topic (themes_dev.jsonl) and FILE says which
of them are one event (benchmarks/themes_dev_events.toml, or a second reader's
themes_dev_events_second.toml: groups of ids; every other row is an event of its own): it
scores the clustering against those events, B-cubed, dated and with the dates left out, on the
halves split by the same hash of each event's label (its first id) and on the whole file. A
check of the opposite case to the labelled files, which hold few same-topic distractors: here
nearly every pair within the window is one.

With --subsets, it scores random subsets of the stories instead (a quarter, a half and
three quarters of them, four seeds each, then all): how a figure moves with the number of
same-topic distractors.

With --undated SHARE, that share of the rows (chosen by a hash of their id, as `briefer eval
clusters --undated`) is read without its date: the dated file read as mostly or wholly
undated, a check of the undated rules on stories they were not chosen on.

With --mistakes A, B or all, it prints that part's wrongly merged stories (with --events:
those of the rows read undated) (a predicted story
holding reports of several labelled ones) and wrongly split ones, headline by headline.

With --kinds A, B or all, it sorts that part's mistakes by kind, pair by pair: each pair of
reports the labels join and the clustering splits, by how alike the two are (a pair that
clears the merge threshold and was lost in the linkage, its other report taken by another
story or kept apart by the cohesion rule; one the baselines took under the threshold; one
with little or no vocabulary in common), and each pair the clustering joins and the labels
split (joined by a pair of its own, or only through the rest of the story), with how many of
them involve a short report or share headline words.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from briefer.evaluation.groups import left_undated
from briefer.evaluation.metrics import bcubed
from briefer.group import background as background_module
from briefer.group import candidates as candidates_module
from briefer.group import cluster_stories
from briefer.group import days as days_module
from briefer.group import graph as graph_module
from briefer.group import neighbours as neighbours_module
from briefer.group import stories as stories_module
from briefer.group.texts import read_texts
from briefer.words import content_words


def set_constants(pairs: list[str]) -> None:
    """--set NAME=VALUE: a grouping constant set for the run, in every module that has it
    (a constant imported by two modules is set in both); a name no module has is an error,
    not a run of the unchanged code."""
    modules = (
        stories_module,
        graph_module,
        neighbours_module,
        candidates_module,
        days_module,
        background_module,
    )
    for pair in pairs:
        name, _, value = pair.partition("=")
        holders = [module for module in modules if hasattr(module, name)]
        if not holders:
            raise SystemExit(f"--set {pair}: no grouping module has a constant {name!r}")
        for module in holders:
            setattr(module, name, type(getattr(module, name))(float(value)))


def half(label: str) -> str:
    return "A" if hashlib.sha1(label.encode()).digest()[0] % 2 == 0 else "B"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=Path)
    parser.add_argument("--set", action="append", default=[])
    parser.add_argument("--busy", action="store_true")
    parser.add_argument("--events", type=Path, metavar="FILE")
    parser.add_argument("--mistakes", choices=("A", "B", "all"))
    parser.add_argument("--kinds", choices=("A", "B", "all"))
    parser.add_argument("--subsets", action="store_true")
    parser.add_argument("--undated", type=float, default=0.0, metavar="SHARE")
    args = parser.parse_args()
    if not args.rows.exists():
        print(f"{args.rows}: not found; skipped", file=sys.stderr)
        return 0
    set_constants(args.set)
    rows = [json.loads(line) for line in args.rows.read_text(encoding="utf-8").splitlines() if line]
    rows = [
        {**row, "date": None} if left_undated(str(row["id"]), args.undated) else row for row in rows
    ]
    if args.busy:
        busy(rows)
        return 0
    if args.events is not None:
        events(rows, args.events, args.mistakes, args.kinds)
        return 0
    if args.subsets:
        subsets(rows)
        return 0
    for name in ("A", "B", "all"):
        part = [r for r in rows if name == "all" or half(str(r["label"])) == name]
        docs = _docs(part)
        predicted = cluster_stories(docs)
        gold = [str(r["label"]) for r in part]
        p, r, f = bcubed(predicted, gold)
        print(f"{name} n {len(part)} B3-P {p:.3f} B3-R {r:.3f} B3-F1 {f:.3f}")
        if name == args.mistakes:
            mistakes(predicted, gold, [title for title, _, _ in docs])
        if name == args.kinds:
            kinds(docs, predicted, gold)
    return 0


def mistakes(predicted: list[int], gold: list[str], titles: list[str]) -> None:
    """Each predicted story with reports of several labelled stories, then each labelled
    story whose reports went to several predicted ones: headlines, with the other side's
    story beside each."""
    by_predicted: dict[int, list[int]] = {}
    by_gold: dict[str, list[int]] = {}
    for index, (story, label) in enumerate(zip(predicted, gold, strict=True)):
        by_predicted.setdefault(story, []).append(index)
        by_gold.setdefault(label, []).append(index)
    merged = [rows for rows in by_predicted.values() if len({gold[k] for k in rows}) > 1]
    split = [rows for rows in by_gold.values() if len({predicted[k] for k in rows}) > 1]
    for heading, groups, other in (
        ("merged", merged, [f"gold {label}" for label in gold]),
        ("split", split, [f"story {story}" for story in predicted]),
    ):
        print(f"--- wrongly {heading}: {len(groups)}")
        for rows in groups:
            print()
            for k in rows:
                print(f"  [{other[k]}] {titles[k][:100]}")


# A report this short (content words of its headline and text) says little to compare: the
# median report of the undated file has about 40.
_SHORT = 25


def judged_pairs(
    docs: list[tuple[str, str, date | None]],
) -> tuple[Any, Any, list[int], dict[tuple[int, int], float]]:
    """(texts, term vectors, each doc's row in the story graph, {(row, row): the adjusted
    similarity the clustering reads}) of docs: the graph built as cluster_stories builds it,
    undated pairs judged beyond their background."""
    texts = read_texts([(title, [text]) for title, text, _ in docs])
    terms = stories_module.term_vectors(texts).tocsr()
    keys = [f"{title}\x00{text}\x00{day}" for title, text, day in docs]
    days = [day.toordinal() if day is not None else None for _, _, day in docs]
    graph = graph_module.story_graph(
        terms, texts.stems, days, keys, days_module.weekday_masks(texts)
    )
    row = {key: index for index, key in reversed(list(enumerate(graph.keys)))}
    judged = background_module.beyond_background(graph)
    pairs = dict(
        zip(
            zip(graph.first.tolist(), graph.second.tolist(), strict=True),
            judged.tolist(),
            strict=True,
        )
    )
    return texts, terms, [row[key] for key in keys], pairs


def kinds(docs: list[tuple[str, str, date | None]], predicted: list[int], gold: list[str]) -> None:
    """The part's mistaken pairs of reports, counted by kind (see the module's docstring)."""
    texts, terms, at, pairs = judged_pairs(docs)
    cosines = (terms @ terms.T).toarray()
    story_of: dict[int, set[str]] = {}
    for story, label in zip(predicted, gold, strict=True):
        story_of.setdefault(story, set()).add(label)
    pure = [len(story_of[story]) == 1 for story in predicted]
    lengths = [len(content_words(f"{title} {text}")) for title, text, _ in docs]
    heads = [set(content_words(title)) for title, _, _ in docs]
    names: list[set[int]] = [set() for _ in docs]
    for article, term in zip(texts.name_article.tolist(), texts.name_stem.tolist(), strict=True):
        names[article].add(term)
    threshold = stories_module._MERGE_THRESHOLD
    split: dict[str, int] = {}
    merged: dict[str, int] = {}
    for i in range(len(docs)):
        for j in range(i + 1, len(docs)):
            same, together = gold[i] == gold[j], predicted[i] == predicted[j]
            if same == together:
                continue
            adjusted = pairs.get((min(at[i], at[j]), max(at[i], at[j])), 0.0)
            counts = split if same else merged
            if same and adjusted >= threshold:
                how = (
                    "kept apart by cohesion or the averages"
                    if pure[i] and pure[j]
                    else "a report taken by another story"
                )
                kind = f"a pair over the merge threshold, lost in the linkage: {how}"
            elif same:
                cosine = float(cosines[i, j])
                kind = (
                    "cosine >= 0.25, under the threshold once the baselines are taken off"
                    if cosine >= 0.25
                    else "cosine 0.1-0.25: some vocabulary in common"
                    if cosine >= 0.1
                    else "cosine < 0.1: other vocabulary (another angle, opinion, paraphrase)"
                )
            else:
                kind = (
                    "joined by a pair over the merge threshold"
                    if adjusted >= threshold
                    else "joined only through the rest of the story"
                )
            counts["all"] = counts.get("all", 0) + 1
            counts[kind] = counts.get(kind, 0) + 1
            if min(lengths[i], lengths[j]) < _SHORT:
                counts[f"(of all: a report under {_SHORT} content words)"] = (
                    counts.get(f"(of all: a report under {_SHORT} content words)", 0) + 1
                )
            for flag, holds in (
                ("(of all: headlines share a content word)", bool(heads[i] & heads[j])),
                ("(of all: share a name or figure)", bool(names[i] & names[j])),
            ):
                counts[flag] = counts.get(flag, 0) + holds
    for heading, counts in (("labels join, we split", split), ("we join, labels split", merged)):
        print(f"--- pairs {heading}: {counts.pop('all', 0)}")
        for kind, count in sorted(counts.items(), key=lambda item: (item[0][0] == "(", -item[1])):
            print(f"  {count:5d}  {kind}")


def _docs(rows: list[dict[str, str]]) -> list[tuple[str, str, date | None]]:
    return [
        (r.get("title") or "", r["text"], date.fromisoformat(r["date"]) if r.get("date") else None)
        for r in rows
    ]


def subsets(rows: list[dict[str, str]]) -> None:
    labels = sorted({str(r["label"]) for r in rows})
    for share in (0.25, 0.5, 0.75, 1.0):
        scores = []
        for seed in range(4 if share < 1.0 else 1):
            chosen = set(random.Random(seed).sample(labels, int(len(labels) * share)))
            part = [r for r in rows if str(r["label"]) in chosen]
            gold = [str(r["label"]) for r in part]
            scores.append(bcubed(cluster_stories(_docs(part)), gold)[2])
        shown = " ".join(f"{score:.3f}" for score in scores)
        print(f"share {share:.2f} B3-F1 {shown} mean {sum(scores) / len(scores):.3f}")


def events(
    rows: list[dict[str, str]], path: Path, wrong: str | None = None, by_kind: str | None = None
) -> None:
    """The clustering of a busy topic's rows scored against the events labelled in `path`;
    `wrong` / `by_kind` (A, B or all): that part's mistakes, read undated (the reading
    issue 10 is about), as --mistakes / --kinds print them."""
    event_of: dict[str, str] = {}
    for event in tomllib.loads(path.read_text(encoding="utf-8"))["event"]:
        for key in event["ids"]:
            event_of[key] = str(event["ids"][0])
    known = {str(r["id"]) for r in rows}
    missing = sorted(set(event_of) - known)
    if missing:
        raise SystemExit(f"{path}: ids not in the rows: {', '.join(missing[:5])}")
    labels = [event_of.get(str(r["id"]), str(r["id"])) for r in rows]
    for name in ("A", "B", "all"):
        chosen = [k for k, label in enumerate(labels) if name == "all" or half(label) == name]
        docs = _docs([rows[k] for k in chosen])
        gold = [labels[k] for k in chosen]
        # their outlets, as a briefing reads them (background.SAME_OUTLET_SHARE)
        sources = [str(rows[k].get("source") or "") for k in chosen]
        shown = []
        for reading, part in (("dated", docs), ("undated", [(t, x, None) for t, x, _ in docs])):
            predicted = cluster_stories(part, sources)
            p, r, f = bcubed(predicted, gold)
            shown.append(
                f"{reading} B3-P {p:.3f} B3-R {r:.3f} B3-F1 {f:.3f} stories {len(set(predicted))}"
            )
        print(f"{name} n {len(chosen)} events {len(set(gold))} | " + " | ".join(shown))
        undated = [(title, text, None) for title, text, _ in docs]
        if name == wrong:
            mistakes(cluster_stories(undated, sources), gold, [title for title, _, _ in docs])
        if name == by_kind:
            kinds(undated, cluster_stories(undated, sources), gold)


def busy(rows: list[dict[str, str]]) -> None:
    dated = [r for r in rows if r.get("date")]  # the window needs a date on every row
    docs = [(r.get("title") or "", r["text"], date.fromisoformat(r["date"])) for r in dated]
    stories = len(set(cluster_stories(docs)))
    undated = len(set(cluster_stories([(title, text, None) for title, text, _ in docs])))
    terms = stories_module.term_vectors(read_texts([(title, [text]) for title, text, _ in docs]))
    cosines = (terms @ terms.T).toarray()
    days = np.asarray([day.toordinal() for _, _, day in docs])
    first, second = np.triu_indices(len(docs), 1)
    near = np.abs(days[first] - days[second]) <= days_module.WINDOW_DAYS
    median = float(np.median(cosines[first[near], second[near]]))
    print(f"articles {len(docs)} stories {stories} (without their dates {undated})")
    print(f"pairs within the window {int(near.sum())} median cosine {median:.3f}")


if __name__ == "__main__":
    raise SystemExit(main())
