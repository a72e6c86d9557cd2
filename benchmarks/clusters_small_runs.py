"""Story clustering in small runs of one busy topic: how often two reports of different events
are joined when a run holds only a few articles.

    python benchmarks/clusters_small_runs.py [--events benchmarks/themes_dev_events.toml]

The rows are ../shared/eval/themes_dev.jsonl (200 real 2022 Russia/Ukraine reports, one busy
topic) and the events those read by hand (benchmarks/themes_dev_events.toml: groups of ids,
every other row an event of its own). For runs of 2, 3, 5, 10 and 30 articles it clusters
random draws of the rows (undated: their dates left out) and windows of consecutive rows by
date (dated), then all 200, and prints the share of the runs' pairs of reports that are joined
although they are different events. The labelled files cannot show this: every article there
has ten neighbours for its baseline (graph._NEIGHBOURS), where a small run has few and the
baseline's floor (graph._BACKGROUND) decides. Seeds are fixed, so the figures repeat.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tomllib
from pathlib import Path

from briefer.clean import clean
from briefer.group.grouping import file_stories
from briefer.records import Article, Document

REPO = Path(__file__).resolve().parent.parent
ROWS = REPO.parent / "shared" / "eval" / "themes_dev.jsonl"
SIZES = (2, 3, 5, 10, 30)
DRAWS = {2: 300, 3: 300, 5: 300, 10: 60, 30: 60}  # enough pairs that a share moves by < 1%


def _documents(rows: list[dict[str, str]], dated: bool) -> dict[str, Document]:
    def day(row: dict[str, str]) -> dt.date | None:
        return dt.date.fromisoformat(row["date"]) if dated and row.get("date") else None

    return {
        row["id"]: clean(
            Article(row["id"], row["title"], day(row), row["source"], "", row["text"], row["id"])
        )
        for row in rows
    }


def _wrong_share(
    runs: list[list[str]], documents: dict[str, Document], event: dict[str, int]
) -> float:
    wrong = pairs = 0
    for ids in runs:
        story_of = file_stories([documents[i] for i in ids], [], "none").story_of.tolist()
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                pairs += 1
                same = ids[a] in event and event.get(ids[a]) == event.get(ids[b])
                wrong += story_of[a] == story_of[b] and not same
    return wrong / pairs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--events", type=Path, default=REPO / "benchmarks" / "themes_dev_events.toml"
    )
    args = parser.parse_args()
    if not ROWS.is_file():
        print(f"skipped: {ROWS} is not there (the dev data sits beside the repo)")
        return 0
    rows = [json.loads(line) for line in ROWS.read_text(encoding="utf-8").splitlines() if line]
    event = {
        key: number
        for number, group in enumerate(tomllib.loads(args.events.read_text())["event"])
        for key in group["ids"]
    }
    ids = [row["id"] for row in rows]
    by_date = [row["id"] for row in sorted(rows, key=lambda row: (row["date"], row["id"]))]
    print("different events joined, as a share of the run's pairs of reports")
    print(f"{'articles':>9} {'undated':>9} {'dated':>9}")
    undated, dated = _documents(rows, False), _documents(rows, True)
    for size in (*SIZES, len(ids)):
        draw = random.Random(size)
        if size == len(ids):
            drawn, windows = [ids], [by_date]
        else:
            drawn = [draw.sample(ids, size) for _ in range(DRAWS[size])]
            starts = [draw.randrange(len(by_date) - size) for _ in range(DRAWS[size])]
            windows = [by_date[start : start + size] for start in starts]
        print(
            f"{size:>9} {_wrong_share(drawn, undated, event):>9.4f} "
            f"{_wrong_share(windows, dated, event):>9.4f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
