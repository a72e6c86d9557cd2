"""Score every summary algorithm on the dev sets in ../shared/eval and print a table.

    .venv/bin/python benchmarks/bench_summaries.py [--limit N] [--sentences N] [--words N]
    .venv/bin/python benchmarks/bench_summaries.py --pin-floors   # re-pin the quality gate

Each file is scored in a fresh process, as `briefer eval summaries FILE --algorithm all` scores
it, so the speeds are cold-process figures: raw article text to chosen sentences, splitting
included. The dev sets live beside the repo, never in it; without them the script says so and
exits without failing. `--pin-floors` measures the default scorer and writes its ROUGE, less a
margin, with each file's sha256 to tests/quality_floors.json, the floors of
tests/test_quality_gate.py.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EVAL_DIR = REPO.parent / "shared" / "eval"
DEV_SETS = ("cnndm_dev.jsonl", "bbc_dev.jsonl")
FLOORS = REPO / "tests" / "quality_floors.json"
FLOOR_MARGIN = 0.3  # ROUGE points below the measured figure: room for harmless changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="rows per file (default: all)")
    parser.add_argument("--sentences", type=int, default=3)
    parser.add_argument("--words", type=int, default=None, help="word budget per summary")
    parser.add_argument("--algorithm", default="all", help="one scorer, or all (the default)")
    parser.add_argument(
        "--pin-floors", action="store_true", help=f"write {FLOORS.relative_to(REPO)}"
    )
    args = parser.parse_args(argv)
    missing = [name for name in DEV_SETS if not (EVAL_DIR / name).is_file()]
    if missing:
        print(
            f"skipped: dev sets not found ({', '.join(missing)} in {EVAL_DIR}); "
            "this benchmark needs ../shared/eval beside the repo",
            file=sys.stderr,
        )
        return 0
    if args.pin_floors:
        return pin_floors()
    for name in DEV_SETS:
        results = run(EVAL_DIR / name, args.algorithm, args.sentences, args.words, args.limit)
        print(f"\n{name} ({results[0]['n']} articles, {args.sentences} sentences)")
        print(f"{'algorithm':<10} {'R1':>6} {'R2':>6} {'RLsum':>6} {'art/s':>8}")
        for scores in results:
            print(
                f"{scores['algorithm']:<10} {scores['rouge1']:6.2f} {scores['rouge2']:6.2f} "
                f"{scores['rougeLsum']:6.2f} {scores['articles_per_second']:8.1f}"
            )
        by_name = {scores["algorithm"]: scores for scores in results}
        if "default" in by_name and "lead" in by_name:
            print(comparison(by_name))
    return 0


def comparison(by_name: dict[str, dict[str, float]]) -> str:
    default, lead = by_name["default"], by_name["lead"]
    speed = default["articles_per_second"]
    line = (
        f"default - lead: R1 {default['rouge1'] - lead['rouge1']:+.2f}, "
        f"R2 {default['rouge2'] - lead['rouge2']:+.2f}, "
        f"RLsum {default['rougeLsum'] - lead['rougeLsum']:+.2f}; "
        f"speed {speed / lead['articles_per_second']:.2f} x lead"
    )
    sumy = [name for name in ("lexrank", "textrank", "lsa", "luhn", "sumbasic", "kl")
            if name in by_name]  # fmt: skip
    if sumy:
        best = max(sumy, key=lambda name: by_name[name]["rouge1"])
        line += f"; R1 {default['rouge1'] - by_name[best]['rouge1']:+.2f} over {best}"
    if "lexrank" in by_name:
        line += f"; {speed / by_name['lexrank']['articles_per_second']:.0f} x lexrank"
    return line


def run(
    path: Path, algorithm: str, sentences: int, words: int | None, limit: int | None
) -> list[dict[str, float]]:
    """`briefer eval summaries --json` in a fresh process: cold figures, as a user sees them."""
    command = [
        sys.executable, "-c", "from briefer.cli import app; app()", "eval", "summaries", str(path),
        "--algorithm", algorithm, "--sentences", str(sentences), "--json",
    ]  # fmt: skip
    if words is not None:
        command += ["--words", str(words)]
    if limit is not None:
        command += ["--limit", str(limit)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    results: list[dict[str, float]] = json.loads(done.stdout)
    return results


def pin_floors() -> int:
    floors: dict[str, object] = {
        "about": (
            "Floors of tests/test_quality_gate.py: the default scorer's ROUGE F (percent) on "
            f"each whole dev file, {FLOOR_MARGIN} below the figure measured when pinned. "
            "Re-pin with: .venv/bin/python benchmarks/bench_summaries.py --pin-floors"
        )
    }
    for name in DEV_SETS:
        path = EVAL_DIR / name
        (scores,) = run(path, "default", 3, None, None)
        floors[name] = {
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "rows": int(scores["n"]),
            **{
                key: round(scores[key] - FLOOR_MARGIN, 2)
                for key in ("rouge1", "rouge2", "rougeLsum")
            },
        }
        print(
            f"{name}: "
            + ", ".join(f"{key} {scores[key]:.2f}" for key in ("rouge1", "rouge2", "rougeLsum"))
        )
    FLOORS.write_text(json.dumps(floors, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {FLOORS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
