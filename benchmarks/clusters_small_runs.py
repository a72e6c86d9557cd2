"""Story clustering in small runs of one busy topic: how often two reports of different events
are joined when a run holds only a few articles.

    python benchmarks/clusters_small_runs.py [--events benchmarks/themes_dev_events.toml]
        [--half A|B] [--set NAME=VALUE]

The rows are ../shared/eval/themes_dev.jsonl (200 real 2022 Russia/Ukraine reports, one busy
topic) and the events those read by hand (benchmarks/themes_dev_events.toml: groups of ids,
every other row an event of its own). For runs of 2, 3, 5, 10 and 30 articles it clusters
random draws of the rows (undated: their dates left out) and windows of consecutive rows by
date (dated), then all 200, and prints the share of the runs' pairs of reports that are joined
although they are different events. The labelled files cannot show this: every article there
has ten neighbours for its baseline (graph._NEIGHBOURS), where a small run has few and the
baseline's floor (graph._BACKGROUND) decides. Seeds are fixed, so the figures repeat.

A rule that refused every join would score 0 there, so it also prints the other side: same
events split, as a share of the same-event pairs of runs drawn to hold them (random draws of
the rows hold few: 21 pairs of the 19,900 are one event in the first reading). For each event
of two or more reports and each size, runs of that size holding the event: undated, as many of
its reports as fit plus random others; dated, windows of consecutive rows by date holding two
or more of them.

With --half A or B, the rows are one half of the events (split by clusters_halves.half of each
event's first id, as clusters_halves.py --events does): constants chosen on A, reported on B.
--set NAME=VALUE sets a grouping constant for the run (as clusters_halves.py --set).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import sys
import tomllib
from pathlib import Path

from briefer.clean import clean
from briefer.evaluation.metrics import bcubed
from briefer.group import candidates as candidates_module
from briefer.group import days as days_module
from briefer.group import graph as graph_module
from briefer.group import stories as stories_module
from briefer.group.grouping import file_stories
from briefer.records import Article, Document

REPO = Path(__file__).resolve().parent.parent
ROWS = REPO.parent / "shared" / "eval" / "themes_dev.jsonl"
SIZES = (2, 3, 5, 10, 30)
DRAWS = {2: 300, 3: 300, 5: 300, 10: 60, 30: 60}  # enough pairs that a share moves by < 1%
# Runs drawn for each event of two or more reports and each size (the same-event side): 11
# events of the first reading, 10 of the second, so about 100 runs of each size.
EVENT_DRAWS = 10


def half(label: str) -> str:
    """clusters_halves.half: A or B by a hash of the label."""
    return "A" if hashlib.sha1(label.encode()).digest()[0] % 2 == 0 else "B"


def _documents(rows: list[dict[str, str]], dated: bool) -> dict[str, Document]:
    def day(row: dict[str, str]) -> dt.date | None:
        return dt.date.fromisoformat(row["date"]) if dated and row.get("date") else None

    return {
        row["id"]: clean(
            Article(row["id"], row["title"], day(row), row["source"], "", row["text"], row["id"])
        )
        for row in rows
    }


def _shares(
    runs: list[list[str]], documents: dict[str, Document], event: dict[str, int]
) -> tuple[float, float, int, float]:
    """Of the runs' pairs: different events joined (a share of the pairs), same events split
    (a share of the same-event pairs), how many same-event pairs there were, and the runs'
    mean B-cubed F1 against the events (both kinds of mistake in one figure)."""
    wrong = pairs = split = same_pairs = 0
    scores = []
    for ids in runs:
        story_of = file_stories([documents[i] for i in ids], [], "none").story_of.tolist()
        gold = [str(event.get(key, key)) for key in ids]
        scores.append(bcubed([int(story) for story in story_of], gold)[2])
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                pairs += 1
                same = ids[a] in event and event.get(ids[a]) == event.get(ids[b])
                together = story_of[a] == story_of[b]
                wrong += together and not same
                same_pairs += same
                split += same and not together
    return wrong / pairs, split / max(same_pairs, 1), same_pairs, sum(scores) / len(scores)


def _event_runs(
    groups: list[list[str]], ids: list[str], by_date: list[str], size: int
) -> tuple[list[list[str]], list[list[str]]]:
    """Runs of `size` rows holding two or more reports of one event: undated (random others
    beside as many of the event's reports as fit) and dated (windows by date)."""
    draw = random.Random(1000 + size)
    undated: list[list[str]] = []
    dated: list[list[str]] = []
    for group in groups:
        others = [key for key in ids if key not in group]
        inside = set(group)
        starts = [
            start
            for start in range(len(by_date) - size + 1)
            if len(inside.intersection(by_date[start : start + size])) >= 2
        ]
        for _ in range(EVENT_DRAWS):
            chosen = draw.sample(group, min(size, len(group)))
            undated.append(chosen + draw.sample(others, size - len(chosen)))
            if starts:
                start = draw.choice(starts)
                dated.append(by_date[start : start + size])
    return undated, dated


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--events", type=Path, default=REPO / "benchmarks" / "themes_dev_events.toml"
    )
    parser.add_argument("--half", choices=("A", "B"))
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    if not ROWS.is_file():
        print(f"skipped: {ROWS} is not there (the dev data sits beside the repo)")
        return 0
    for pair in args.set:
        name, _, value = pair.partition("=")
        for module in (stories_module, graph_module, candidates_module, days_module):
            if hasattr(module, name):
                setattr(module, name, type(getattr(module, name))(float(value)))
    rows = [json.loads(line) for line in ROWS.read_text(encoding="utf-8").splitlines() if line]
    groups = [list(group["ids"]) for group in tomllib.loads(args.events.read_text())["event"]]
    event = {key: number for number, group in enumerate(groups) for key in group}
    if args.half is not None:
        label = {key: group[0] for group in groups for key in group}
        rows = [row for row in rows if half(label.get(row["id"], row["id"])) == args.half]
        kept = {row["id"] for row in rows}
        groups = [group for group in groups if group[0] in kept]
    ids = [row["id"] for row in rows]
    by_date = [row["id"] for row in sorted(rows, key=lambda row: (row["date"], row["id"]))]
    print(
        "joined: different events joined, as a share of the runs' pairs of reports;"
        " split: same events split, as a share of the same-event pairs of runs holding an"
        " event (how many such pairs in brackets); F1: the mean B-cubed F1 of those runs"
    )
    print(
        f"{'articles':>9} {'undated':>8} {'F1':>6} {'split':>14} {'F1':>6}"
        f" {'dated':>8} {'F1':>6} {'split':>14} {'F1':>6}"
    )
    undated, dated = _documents(rows, False), _documents(rows, True)
    for size in (*SIZES, len(ids)):
        draw = random.Random(size)
        if size == len(ids):
            drawn, windows = [ids], [by_date]
            held, held_windows = drawn, windows
        else:
            drawn = [draw.sample(ids, size) for _ in range(DRAWS[size])]
            starts = [draw.randrange(len(by_date) - size) for _ in range(DRAWS[size])]
            windows = [by_date[start : start + size] for start in starts]
            held, held_windows = _event_runs(groups, ids, by_date, size)
        shown = []
        for runs, with_event, documents in ((drawn, held, undated), (windows, held_windows, dated)):
            joined, _, _, score = _shares(runs, documents, event)
            _, split, count, held_score = _shares(with_event, documents, event)
            shown.append(
                f"{joined:>8.4f} {score:>6.3f} {split:>8.3f} ({count:>4}) {held_score:>6.3f}"
            )
        print(f"{size:>9} {shown[0]} {shown[1]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
