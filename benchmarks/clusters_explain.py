"""Why reports are one story: the story holding each given row, pair by pair.

    python benchmarks/clusters_explain.py ../shared/eval/themes_dev.jsonl r2n-5137d2623468 \
        [--since 2022-02-22 --until 2022-02-28] [--undated]

The rows (a clusters or themes file: id, title, text, date) within --since / --until are
clustered as a briefing of that period would be (stories.cluster_stories); --undated reads them
without their dates, as a briefing of files without dates does. For the story of each given id
it prints its reports (with the date the row holds, even when read undated) and each pair of
them: the term cosine, the adjusted similarity the clustering reads (damped by days or
weekdays, less the baselines, undated pairs beyond their background; blank when the graph
keeps no such pair: the two are joined only through the rest of the story), the days between
their dates, and the terms that carry most of their cosine. The merge threshold is printed
first. A diagnosis aid for issue 10's reports of different events joined (docs/quality.md,
stop 30); it scores nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np
from clusters_halves import judged_pairs  # the graph and its judged pairs, as the clustering's

from briefer.group import cluster_stories
from briefer.group import stories as stories_module

# How many shared terms a pair shows: the few that carry most of its cosine.
_SHOWN_TERMS = 8


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=Path)
    parser.add_argument("ids", nargs="+")
    parser.add_argument("--since", type=date.fromisoformat)
    parser.add_argument("--until", type=date.fromisoformat)
    parser.add_argument("--undated", action="store_true")
    args = parser.parse_args()
    if not args.rows.exists():
        print(f"{args.rows}: not found; skipped", file=sys.stderr)
        return 0
    rows = [json.loads(line) for line in args.rows.read_text(encoding="utf-8").splitlines() if line]
    days = [date.fromisoformat(r["date"]) if r.get("date") else None for r in rows]
    chosen = [
        k
        for k, day in enumerate(days)
        if (args.since is None or (day is not None and day >= args.since))
        and (args.until is None or (day is not None and day <= args.until))
    ]
    rows = [rows[k] for k in chosen]
    days = [days[k] for k in chosen]
    read = [None if args.undated else day for day in days]
    docs = [(r.get("title") or "", r["text"], day) for r, day in zip(rows, read, strict=True)]
    ids = [str(r["id"]) for r in rows]
    missing = [key for key in args.ids if key not in ids]
    if missing:
        raise SystemExit(f"not in the rows of the period: {', '.join(missing)}")
    predicted = cluster_stories(docs)
    texts, terms, at, adjusted = judged_pairs(docs)
    print(
        f"{len(docs)} rows, {'undated' if args.undated else 'dated'}; "
        f"merge threshold {stories_module._MERGE_THRESHOLD}"
    )
    for story in dict.fromkeys(predicted[ids.index(key)] for key in args.ids):
        members = [k for k, one in enumerate(predicted) if one == story]
        print(f"\nstory of {len(members)} reports")
        for k in members:
            print(f"  {ids[k]}  {days[k] or 'undated'}  {docs[k][0][:90]}")
        for n, i in enumerate(members):
            for j in members[n + 1 :]:
                product = terms[i].multiply(terms[j]).tocoo()
                order = np.argsort(-product.data)[:_SHOWN_TERMS]
                shared = " ".join(texts.stems[int(product.col[o])] for o in order)
                pair = adjusted.get((min(at[i], at[j]), max(at[i], at[j])))
                gap = abs((days[i] - days[j]).days) if days[i] and days[j] else None
                print(
                    f"  {ids[i]} ~ {ids[j]}: cosine {float(product.sum()):.3f}, adjusted "
                    f"{'-' if pair is None else f'{pair:.4f}'}, "
                    f"{'?' if gap is None else gap} days apart; {shared}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
