"""Score every summary algorithm on the dev sets in ../shared/eval and print a table.

    .venv/bin/python benchmarks/bench_summaries.py [--limit N] [--sentences N] [--words N]

The dev sets live beside the repo, never in it; without them the script says so and exits.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from briefer.evaluate import evaluate_summaries
from briefer.summarize import ALGORITHMS

EVAL_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
DEV_SETS = ("cnndm_dev.jsonl", "bbc_dev.jsonl")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="rows per file (default: all)")
    parser.add_argument("--sentences", type=int, default=3)
    parser.add_argument("--words", type=int, default=None, help="word budget per summary")
    parser.add_argument(
        "--algorithms", default=",".join(ALGORITHMS), help="comma-separated (default: all)"
    )
    args = parser.parse_args(argv)
    missing = [name for name in DEV_SETS if not (EVAL_DIR / name).is_file()]
    if missing:
        print(
            f"dev sets not found: {', '.join(missing)} in {EVAL_DIR}; "
            "this benchmark needs ../shared/eval beside the repo",
            file=sys.stderr,
        )
        return 2
    algorithms = [name.strip() for name in args.algorithms.split(",") if name.strip()]
    for name in DEV_SETS:
        results = evaluate_summaries(
            EVAL_DIR / name, algorithms, args.sentences, args.words, args.limit
        )
        print(f"\n{name} ({results[0].n} articles, {args.sentences} sentences)")
        print(f"{'algorithm':<10} {'R1':>6} {'R2':>6} {'RLsum':>6} {'art/s':>8}")
        for scores in results:
            print(
                f"{scores.algorithm:<10} {scores.rouge1:6.2f} {scores.rouge2:6.2f} "
                f"{scores.rougeLsum:6.2f} {scores.articles_per_second:8.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
