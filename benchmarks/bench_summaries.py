"""Score every summary algorithm on the dev sets in ../shared/eval and print a table.

    .venv/bin/python benchmarks/bench_summaries.py [--limit N] [--sentences N] [--words N]
    .venv/bin/python benchmarks/bench_summaries.py --algorithm default,lead   # the targets
    .venv/bin/python benchmarks/bench_summaries.py --pin-floors   # re-pin the quality gate

Each file is scored whole and, for the CNN/DailyMail files, in two halves split by the sha256
of the row id (the halves the default scorer was cross-validated on), each with the margin
over LEAD-3 and the speed against lead in the same run. Each file or half is scored in a fresh
process (see _RUN), as `briefer eval summaries` scores it. The dev sets live beside the repo,
never in it; without them the script says so and exits without failing. `--pin-floors`
measures the default scorer and writes its ROUGE, less a margin, with each file's sha256 to
tests/quality_floors.json, the floors of tests/test_quality_gate.py.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EVAL_DIR = REPO.parent / "shared" / "eval"
DEV_SETS = ("cnndm_dev.jsonl", "cnndm_dev_more.jsonl", "bbc_dev.jsonl")
SPLIT_SETS = ("cnndm_dev.jsonl", "cnndm_dev_more.jsonl")  # the cross-validation halves
FLOOR_SETS = ("cnndm_dev_more.jsonl", "bbc_dev.jsonl")  # the larger CNN/DailyMail file
FLOORS = REPO / "tests" / "quality_floors.json"
FLOOR_MARGIN = 0.3  # ROUGE points below the measured figure: room for harmless changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="rows per file (default: all)")
    parser.add_argument("--sentences", type=int, default=3)
    parser.add_argument("--words", type=int, default=None, help="word budget per summary")
    parser.add_argument(
        "--algorithm", default="all", help="one scorer, several comma-separated, or all (default)"
    )
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
    # the CNN/DailyMail halves pooled over both files: the targets are set on these
    pooled: dict[str, list[dict[str, float]]] = {"A": [], "B": []}
    with tempfile.TemporaryDirectory() as scratch:
        for name in DEV_SETS:
            parts = [(name, EVAL_DIR / name)]
            if name in SPLIT_SETS:
                parts += halves(EVAL_DIR / name, Path(scratch))
            for label, path in parts:
                results = run(path, args.algorithm, args.sentences, args.words, args.limit)
                print(f"\n{label} ({results[0]['n']} articles, {args.sentences} sentences)")
                print(f"{'algorithm':<10} {'R1':>6} {'R2':>6} {'RLsum':>6} {'art/s':>8}")
                for scores in results:
                    print(
                        f"{scores['algorithm']:<10} {scores['rouge1']:6.2f} "
                        f"{scores['rouge2']:6.2f} {scores['rougeLsum']:6.2f} "
                        f"{scores['articles_per_second']:8.1f}"
                    )
                by_name = {scores["algorithm"]: scores for scores in results}
                if "default" in by_name and "lead" in by_name:
                    print(comparison(by_name))
                    if label.endswith(("half A", "half B")):
                        pooled[label[-1]].extend([by_name["default"], by_name["lead"]])
    for half, scores in pooled.items():
        if scores:
            print(f"\nCNN/DailyMail half {half}, both files: {pool_line(scores)}")
    return 0


def pool_line(scores: list[dict[str, float]]) -> str:
    """Default minus lead over several files' (default, lead) pairs, weighted by rows (a mean
    of per-row scores pools exactly so)."""
    pairs = list(zip(scores[0::2], scores[1::2], strict=True))
    rows = sum(default["n"] for default, _ in pairs)
    margins = {
        key: sum(default["n"] * (default[key] - lead[key]) for default, lead in pairs) / rows
        for key in ("rouge1", "rouge2", "rougeLsum")
    }
    return (
        f"{rows:.0f} articles, default - lead: R1 {margins['rouge1']:+.2f}, "
        f"R2 {margins['rouge2']:+.2f}, RLsum {margins['rougeLsum']:+.2f}"
    )


def half_of(row_id: str) -> str:
    """A or B, by a fixed hash of the row id: the halves the scorer was cross-validated on."""
    return "A" if int(hashlib.sha256(row_id.encode()).hexdigest(), 16) % 2 == 0 else "B"


def halves(path: Path, scratch: Path) -> list[tuple[str, Path]]:
    """The file's two halves, written as JSONL files in `scratch`."""
    lines: dict[str, list[str]] = {"A": [], "B": []}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            lines[half_of(str(json.loads(line)["id"]))].append(line)
    parts = []
    for half, rows in lines.items():
        target = scratch / f"{path.stem}.{half}.jsonl"
        target.write_text("\n".join(rows) + "\n", encoding="utf-8")
        parts.append((f"{path.name} half {half}", target))
    return parts


def comparison(by_name: dict[str, dict[str, float]]) -> str:
    default, lead = by_name["default"], by_name["lead"]
    speed = default["articles_per_second"]
    line = (
        f"default - lead: R1 {default['rouge1'] - lead['rouge1']:+.2f}, "
        f"R2 {default['rouge2'] - lead['rouge2']:+.2f}, "
        f"RLsum {default['rougeLsum'] - lead['rougeLsum']:+.2f}; "
        f"speed {speed / lead['articles_per_second']:.2f} x lead (same run)"
    )
    sumy = [name for name in ("lexrank", "textrank", "lsa", "luhn", "sumbasic", "kl")
            if name in by_name]  # fmt: skip
    if sumy:
        best = max(sumy, key=lambda name: by_name[name]["rouge1"])
        line += f"; R1 {default['rouge1'] - by_name[best]['rouge1']:+.2f} over {best}"
    if "lexrank" in by_name:
        line += f"; {speed / by_name['lexrank']['articles_per_second']:.0f} x lexrank"
    return line


# In a fresh process: score the algorithms once each, then time them again in turns and keep
# each one's best time (as timeit does), so that a neighbour's load on a shared machine does
# not decide the speed ratio. The speeds are cold-process figures: raw article text to chosen
# sentences, splitting included.
_RUN = """
import dataclasses, json, sys
from pathlib import Path
from briefer.evaluation.summaries import evaluate_summaries
path, names, sentences, words, limit, repeats = json.loads(sys.argv[1])
first = evaluate_summaries(Path(path), names, sentences, words, limit)
scores = [dataclasses.asdict(s) for s in first]
for _ in range(repeats - 1):
    for s in scores:
        (again,) = evaluate_summaries(Path(path), [s["algorithm"]], sentences, words, limit)
        s["articles_per_second"] = max(s["articles_per_second"], again.articles_per_second)
print(json.dumps(scores))
"""
TIMING_REPEATS = 3  # runs per algorithm for its speed; the best counts (timeit's practice)


def run(
    path: Path, algorithm: str, sentences: int, words: int | None, limit: int | None
) -> list[dict[str, float]]:
    """Each algorithm's scores and speed on a file, all in one fresh process. `algorithm` is
    one name, several comma-separated ("default,lead"), or all."""
    from briefer.options import ALGORITHMS

    names = list(ALGORITHMS) if algorithm == "all" else algorithm.split(",")
    repeats = TIMING_REPEATS if len(names) <= 2 else 1  # all eight: too slow to repeat
    arguments = json.dumps([str(path), names, sentences, words, limit, repeats])
    done = subprocess.run(
        [sys.executable, "-c", _RUN, arguments], check=True, capture_output=True, text=True
    )
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
    for name in FLOOR_SETS:
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
