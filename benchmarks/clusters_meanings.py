"""Story clustering with a second opinion on meaning: the trial recorded in
briefer/group/stories.py's note (not in the package). Each report's headline and first 60
words are embedded with wordllama's static 256-dimensional vectors (the weights its wheel
ships, read offline), and the embedding takes SHARE of each pair's similarity: its columns,
times sqrt(SHARE), are appended to the term vectors, times sqrt(1 - SHARE), so a row product
is the mix of the two cosines and the graph, baselines and linkage are the package's own.

    pip install wordllama   # not a dependency of briefer
    python benchmarks/clusters_meanings.py ../shared/eval/clusters_dev_undated.jsonl \
        [--share 0.2] [--undated SHARE]

Prints half A, half B and the whole file (halves as clusters_halves.py cuts them) without
and with the embedding, and the CPU seconds of the story graph (graph.story_graph) both
ways. Skips cleanly when the file or wordllama is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from clusters_halves import half
from scipy import sparse

from briefer.evaluation.groups import left_undated
from briefer.evaluation.metrics import bcubed
from briefer.group import days as days_module
from briefer.group import graph, stories
from briefer.group.texts import read_texts

_LEAD_WORDS = 60  # the headline and about the first two paragraphs, as stories._LEAD_TERMS


def embeddings(model: Any, rows: list[dict[str, Any]]) -> np.ndarray:
    texts = [f"{r.get('title') or ''}. {' '.join(r['text'].split()[:_LEAD_WORDS])}" for r in rows]
    return np.asarray(model.embed(texts, norm=True), dtype=np.float64)


def clustered(
    rows: list[dict[str, Any]], extra: np.ndarray | None, share: float
) -> tuple[list[int], float]:
    """Each row's story, and the CPU seconds the story graph took."""
    texts = read_texts([(r.get("title") or "", [r["text"]]) for r in rows])
    terms = stories.term_vectors(texts).astype(np.float64)
    names = list(texts.stems)
    if extra is not None:
        terms = sparse.hstack(
            [terms * np.sqrt(1.0 - share), sparse.csr_matrix(extra * np.sqrt(share))],
            format="csr",
        )
        names += [f"\x00meaning{k:03d}" for k in range(extra.shape[1])]
    days = [_ordinal(r.get("date")) for r in rows]
    keys = [f"{k:06d}" for k in range(len(rows))]
    weekdays = days_module.weekday_masks(texts)
    start = time.process_time()
    built = graph.story_graph(terms, names, days, keys, weekdays)
    seconds = time.process_time() - start
    return [int(root) for root in stories.story_roots(built)], seconds


def _ordinal(day: str | None) -> int | None:
    from datetime import date

    return date.fromisoformat(day).toordinal() if day else None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=Path)
    parser.add_argument("--share", type=float, default=0.2)
    parser.add_argument("--undated", type=float, default=0.0, metavar="SHARE")
    args = parser.parse_args()
    if not args.rows.exists():
        print(f"{args.rows}: not found; skipped", file=sys.stderr)
        return 0
    try:
        import wordllama
    except ImportError:
        print("wordllama is not installed; skipped", file=sys.stderr)
        return 0
    model = wordllama.WordLlama.load(
        cache_dir=Path(wordllama.__file__).parent, disable_download=True
    )
    rows = [json.loads(line) for line in args.rows.read_text(encoding="utf-8").splitlines() if line]
    rows = [
        {**row, "date": None} if left_undated(str(row["id"]), args.undated) else row for row in rows
    ]
    for name in ("A", "B", "all"):
        part = [r for r in rows if name == "all" or half(str(r["label"])) == name]
        gold = [str(r["label"]) for r in part]
        extra = embeddings(model, part)
        figures = []
        for with_meaning in (False, True):
            predicted, seconds = clustered(part, extra if with_meaning else None, args.share)
            figures.append(f"{bcubed(predicted, gold)[2]:.3f} ({seconds:.2f} s)")
        print(f"{name} n {len(part)} B3-F1 without {figures[0]} with {figures[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
