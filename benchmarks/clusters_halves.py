"""Story clustering measured on two halves of a labelled clusters file (split by the parity
of a hash of each story's label, so a story never straddles the halves), for choosing a
constant on one half and reporting it on the other.

    python benchmarks/clusters_halves.py ../shared/eval/clusters_dev_undated.jsonl \
        [--set NAME=VALUE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import date
from pathlib import Path

from briefer.evaluation.metrics import bcubed
from briefer.group import cluster_stories
from briefer.group import stories as stories_module


def half(label: str) -> str:
    return "A" if hashlib.sha1(label.encode()).digest()[0] % 2 == 0 else "B"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=Path)
    parser.add_argument("--set", action="append", default=[])
    args = parser.parse_args()
    if not args.rows.exists():
        print(f"{args.rows}: not found; skipped", file=sys.stderr)
        return 0
    for pair in args.set:
        name, _, value = pair.partition("=")
        setattr(stories_module, name, type(getattr(stories_module, name))(float(value)))
    rows = [json.loads(line) for line in args.rows.read_text(encoding="utf-8").splitlines() if line]
    for name in ("A", "B"):
        part = [r for r in rows if half(str(r["label"])) == name]
        docs = [
            (
                r.get("title") or "",
                r["text"],
                date.fromisoformat(r["date"]) if r.get("date") else None,
            )
            for r in part
        ]
        p, r, f = bcubed(cluster_stories(docs), [str(r["label"]) for r in part])
        print(f"{name} n {len(part)} B3-P {p:.3f} B3-R {r:.3f} B3-F1 {f:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
