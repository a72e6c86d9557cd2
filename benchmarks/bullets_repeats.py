"""The bullets another outlet's telling of a fact leaves out, for each value of the share of
terms that makes it a repeat (briefer.summarize.bullets._REPEAT_SHARE_ACROSS), by half.

    .venv/bin/python benchmarks/bullets_repeats.py [--values 0.6 0.55 0.5 0.45] [--half A]
                                                   [--quiet]

Stories are made as a run makes them: themes_dev.jsonl one briefing a week, clusters_dev.jsonl
one a week, clusters_dev_undated.jsonl in runs of 150 rows in file order (skipped cleanly when
../shared/eval is absent). A story falls in half A or B by a hash of its first report's id (the
smallest). For each value, against the value 0.7 (the share a repeat within one report takes),
it prints each story whose bullets change, every bullet marked "-" when left out and "+" when
taken in its place, then the counts: stories changed, bullets left out and taken, and the
outlets of several-report stories left without a bullet of their own (still among the story's
sources). Which of those left out were repeats is for a reader to say: the figures read so are
in docs/quality.md, stop 32.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import defaultdict
from pathlib import Path

import briefer.summarize.bullets as bullets
from briefer.ingest import read_file
from briefer.records import Article

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_bullets import EVAL_DIR, _stories

UNDATED_RUN = 150  # rows of the undated file made into one briefing (a busy day's worth)
BEFORE = 0.7  # the share before stop 32: the same as within one report

Told = list[tuple[str, str, int, list[tuple[str, str]]]]  # (run, title, reports, bullets)


def _runs() -> list[tuple[str, list[Article]]]:
    runs: list[tuple[str, list[Article]]] = []
    for name in ("themes_dev.jsonl", "clusters_dev.jsonl"):
        weeks: defaultdict[str, list[Article]] = defaultdict(list)
        for article in read_file(EVAL_DIR / name):
            if article.date is not None:
                year, week, _ = article.date.isocalendar()
                weeks[f"{name} {year}-W{week:02d}"].append(article)
        runs += [(week, weeks[week]) for week in sorted(weeks)]
    undated = read_file(EVAL_DIR / "clusters_dev_undated.jsonl")
    for start in range(0, len(undated), UNDATED_RUN):
        runs.append((f"clusters_dev_undated {start}", undated[start : start + UNDATED_RUN]))
    return runs


def _told(runs: list[tuple[str, list[Article]]], share: float) -> dict[str, Told]:
    """Each half's stories of several reports, as told with the share given."""
    bullets._REPEAT_SHARE_ACROSS = share
    halves: dict[str, Told] = {"A": [], "B": []}
    for name, articles in runs:
        for story in _stories(articles, EVAL_DIR / "themes_dev.toml"):
            if len(story.articles) < 2:
                continue
            first = min(article.id for article in story.articles)
            half = "A" if hashlib.sha1(first.encode()).digest()[0] % 2 == 0 else "B"
            told = [(bullet.article_id, bullet.text) for bullet in story.bullets]
            halves[half].append((name, story.title, len(story.articles), told))
    return halves


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--values", type=float, nargs="+", default=[0.6, 0.55, 0.5, 0.45])
    parser.add_argument("--half", choices=["A", "B"], help="only this half")
    parser.add_argument("--quiet", action="store_true", help="counts only")
    args = parser.parse_args(argv)
    if not (EVAL_DIR / "themes_dev.jsonl").is_file():
        print(f"note: {EVAL_DIR} not found; nothing to measure", file=sys.stderr)
        return 0
    runs = _runs()
    shipped = bullets._REPEAT_SHARE_ACROSS
    try:
        before = _told(runs, BEFORE)
        for value in args.values:
            after = _told(runs, value)
            for half in [args.half] if args.half else ["A", "B"]:
                _compare(value, half, before[half], after[half], args.quiet)
    finally:
        bullets._REPEAT_SHARE_ACROSS = shipped
    return 0


def _compare(value: float, half: str, before: Told, after: Told, quiet: bool) -> None:
    changed = left_out = taken = 0
    bare = {"before": 0, "after": 0}
    for (run, title, reports, old), (_, _, _, new) in zip(before, after, strict=True):
        bare["before"] += reports - len({article for article, _ in old})
        bare["after"] += reports - len({article for article, _ in new})
        if old == new:
            continue
        changed += 1
        gone = [text for article, text in old if (article, text) not in new]
        came = [text for article, text in new if (article, text) not in old]
        left_out += len(gone)
        taken += len(came)
        if not quiet:
            print(f"== {value} {half} | {run} | {title[:70]} | {reports} reports")
            for article, text in old:
                print(f" {'-' if text in gone else ' '} [{article[:16]}] {text[:240]}")
            for article, text in new:
                if text in came:
                    print(f" + [{article[:16]}] {text[:240]}")
    print(
        f"share {value} half {half}: {changed} stories changed, {left_out} bullets left out, "
        f"{taken} taken in their place; outlets without a bullet {bare['before']} -> "
        f"{bare['after']}"
    )


if __name__ == "__main__":
    sys.exit(main())
