"""Story clustering in small runs, of one busy topic and of general news: how often two reports
of different events are joined, and two of one event split, when a run holds only a few articles.

    python benchmarks/clusters_small_runs.py [--events benchmarks/themes_dev_events.toml]
        [--half A|B] [--set NAME=VALUE] [--file CLUSTERS_JSONL ...]
        [--busy-only | --general-only]

The rows are ../shared/eval/themes_dev.jsonl (200 real 2022 Russia/Ukraine reports, one busy
topic) and the events those read by hand (benchmarks/themes_dev_events.toml: groups of ids,
every other row an event of its own). For runs of 2, 3, 5, 10 and 30 articles it clusters
random draws of the rows (undated: their dates left out) and windows of consecutive rows by
date (dated), then all 200, and prints the share of the runs' pairs of reports that are joined
although they are different events. The labelled files cannot show this: every article there
has ten neighbours for its baseline (neighbours.NEIGHBOURS), where a small run has few and the
baseline's floor (neighbours.BACKGROUND) decides. Seeds are fixed, so the figures repeat.

A rule that refused every join would score 0 there, so it also prints the other side: same
events split, as a share of the same-event pairs of runs drawn to hold them (random draws of
the rows hold few: 21 pairs of the 19,900 are one event in the first reading). For each event
of two or more reports and each size, runs of that size holding the event: undated, as many of
its reports as fit plus random others; dated, windows of consecutive rows by date holding two
or more of them.

With --half A or B, the rows are one half of the events (split by clusters_halves.half of each
event's first id, as clusters_halves.py --events does): constants chosen on A, reported on B.
--set NAME=VALUE sets a grouping constant for the run (as clusters_halves.py --set).

Then small runs of general news, the other kind: for each labelled clusters file (--file,
by default ../shared/eval/clusters_dev.jsonl and clusters_dev_undated.jsonl; its events are
its labels, few on one topic) runs of 1, 2, 3, 5, 10 and 30 events with all their reports
(about three each), clustered alone: the runs' mean B-cubed F1, the share of their same-event
pairs split and of their different-event pairs joined. One event alone is every event of the
file once (how many are kept whole is printed too); larger runs are GENERAL_DRAWS random draws
of events. The dated file is read dated and with its dates left out. With --half, the events
of that half (clusters_halves.half of the label). --busy-only / --general-only print one kind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tomllib
from pathlib import Path

from clusters_halves import half, set_constants  # the same halves and --set

from briefer.clean import clean
from briefer.evaluation.metrics import bcubed
from briefer.group import cluster_stories
from briefer.group.grouping import file_stories
from briefer.records import Article, Document

REPO = Path(__file__).resolve().parent.parent
ROWS = REPO.parent / "shared" / "eval" / "themes_dev.jsonl"
SIZES = (2, 3, 5, 10, 30)
DRAWS = {2: 300, 3: 300, 5: 300, 10: 60, 30: 60}  # enough pairs that a share moves by < 1%
# Runs drawn for each event of two or more reports and each size (the same-event side): 11
# events of the first reading, 10 of the second, so about 100 runs of each size.
EVENT_DRAWS = 10
CLUSTERS = (
    REPO.parent / "shared" / "eval" / "clusters_dev.jsonl",
    REPO.parent / "shared" / "eval" / "clusters_dev_undated.jsonl",
)
EVENTS_PER_RUN = (1, 2, 3, 5, 10, 30)
# Random runs of each size of more than one event: 100 runs of 3 events hold about 400
# same-event pairs, so a split share moves by about 0.01 between seeds.
GENERAL_DRAWS = 100


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


def _general(path: Path, part: str | None) -> None:
    """Small runs of a labelled clusters file's events, each run clustered alone."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    if part is not None:
        rows = [row for row in rows if half(str(row["label"])) == part]
    events: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        events.setdefault(str(row["label"]), []).append(row)
    labels = sorted(events)
    readings = (True, False) if any(row.get("date") for row in rows) else (False,)
    for dated in readings:
        print(
            f"{path.name}{'' if dated else ' (dates left out)' if len(readings) > 1 else ''}:"
            f" {len(labels)} events, {len(rows)} reports{f' (half {part})' if part else ''}"
        )
        print(f"{'events':>9} {'runs':>5} {'F1':>6} {'split':>17} {'joined':>8} {'whole':>10}")
        for size in EVENTS_PER_RUN:
            if size > len(labels):
                continue
            draw = random.Random(size)
            runs = (
                [[label] for label in labels]
                if size == 1
                else [draw.sample(labels, size) for _ in range(GENERAL_DRAWS)]
            )
            scores, whole, split, same, joined, other = [], 0, 0, 0, 0, 0
            for run in runs:
                part_rows = [row for label in run for row in events[label]]
                docs = [
                    (
                        row.get("title") or "",
                        row["text"],
                        dt.date.fromisoformat(row["date"]) if dated and row.get("date") else None,
                    )
                    for row in part_rows
                ]
                gold = [str(row["label"]) for row in part_rows]
                story_of = cluster_stories(docs)
                scores.append(bcubed(story_of, gold)[2])
                whole += sum(
                    len({story_of[i] for i in range(len(gold)) if gold[i] == label}) == 1
                    for label in run
                )
                for a in range(len(gold)):
                    for b in range(a + 1, len(gold)):
                        together = story_of[a] == story_of[b]
                        if gold[a] == gold[b]:
                            same += 1
                            split += not together
                        else:
                            other += 1
                            joined += together
            held = sum(len(run) for run in runs)
            print(
                f"{size:>9} {len(runs):>5} {sum(scores) / len(scores):>6.3f}"
                f" {split / max(same, 1):>7.3f} ({split:>3}/{same:>4})"
                f" {joined / max(other, 1):>8.4f} {whole:>4}/{held:<5}",
                flush=True,
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--events", type=Path, default=REPO / "benchmarks" / "themes_dev_events.toml"
    )
    parser.add_argument("--half", choices=("A", "B"))
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--file", action="append", type=Path, metavar="CLUSTERS_JSONL")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--busy-only", action="store_true")
    kind.add_argument("--general-only", action="store_true")
    args = parser.parse_args()
    set_constants(args.set)
    if not args.general_only:
        _busy(args.events, args.half)
    if not args.busy_only:
        for path in args.file or CLUSTERS:
            if path.is_file():
                _general(path, args.half)
            else:
                print(f"skipped: {path} is not there (the dev data sits beside the repo)")
    return 0


def _busy(events_path: Path, part: str | None) -> None:
    """Small runs of one busy topic (themes_dev.jsonl)."""
    if not ROWS.is_file():
        print(f"skipped: {ROWS} is not there (the dev data sits beside the repo)")
        return
    rows = [json.loads(line) for line in ROWS.read_text(encoding="utf-8").splitlines() if line]
    groups = [list(group["ids"]) for group in tomllib.loads(events_path.read_text())["event"]]
    event = {key: number for number, group in enumerate(groups) for key in group}
    if part is not None:
        label = {key: group[0] for group in groups for key in group}
        rows = [row for row in rows if half(label.get(row["id"], row["id"])) == part]
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


if __name__ == "__main__":
    sys.exit(main())
