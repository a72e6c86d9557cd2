"""Time the YAML front-matter reader on 10,000 headers of real articles: PyYAML's pure-Python
safe loader (what briefer used before) against briefer's loader (the C loader, refusing
aliases), and check both give the same fields.

    .venv/bin/python benchmarks/bench_frontmatter.py [--headers 10000] [--repeat 3]

Headers are built from the titles, dates and sources of ../shared/eval/themes_dev.jsonl (the
repo's samples when it is absent), cycled to the count, as `---` YAML blocks like those
`briefer fetch` users keep. Prints the best of the repeats for each loader.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import yaml

from briefer.ingest.frontmatter import parse_yaml

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "eval" / "themes_dev.jsonl"


def rows() -> list[dict[str, str]]:
    if DEV.is_file():
        with DEV.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
    found = []
    for path in sorted((REPO / "samples").glob("*.txt")):
        found.append({"title": path.read_text(encoding="utf-8").split("\n", 1)[0]})
    return found


def header(row: dict[str, str], number: int) -> str:
    fields = {
        "title": row.get("title") or "",
        "date": row.get("date") or "2024-12-03",
        "source": row.get("source") or "",
        "url": f"https://news.example/{number}",
        "tags": ["world", "politics"],
    }
    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)


def best(repeat: int, work: list[str], load: object) -> tuple[float, list[object]]:
    timings = []
    results: list[object] = []
    for _ in range(repeat):
        started = time.perf_counter()
        results = [load(text) for text in work]  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
    return min(timings), results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--headers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    source = rows()
    work = [header(source[number % len(source)], number) for number in range(args.headers)]
    print(f"{len(work):,} headers from {DEV if DEV.is_file() else 'samples'}")
    pure, expected = best(args.repeat, work, lambda text: yaml.load(text, Loader=yaml.SafeLoader))
    ours, got = best(args.repeat, work, lambda text: parse_yaml("bench", text))
    print(f"PyYAML SafeLoader (pure Python):        {pure:6.2f} s")
    print(f"briefer (CSafeLoader, no aliases):      {ours:6.2f} s  ({pure / ours:.1f}x faster)")
    same = expected == got
    print(f"same fields: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
