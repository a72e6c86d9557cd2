"""Ranking on real development data (../shared/eval; each part skips when it is absent).

    .venv/bin/python benchmarks/bench_rank.py order       # weight against outlets (clusters)
    .venv/bin/python benchmarks/bench_rank.py storylines  # linking's B-cubed precision cost
    .venv/bin/python benchmarks/bench_rank.py busy [--out DIR]  # a busy week's body length

order: the labelled clusters file's rows are grouped into stories as `briefer make` does
(each row is one outlet's report; a row's `source`, when given, names its outlet) and ranked;
for every story, its weight is set against the number of outlets of the gold story most of
its reports belong to. Spearman's rho and Kendall's tau-b say how well the weight orders the
stories by how widely they were reported; "newest first" (the order before ranking) is shown
for comparison.

storylines: the gold stories are split in two halves by a hash of their label. On the first,
the linking similarity is chosen: the middle of the lowest run of grid values that cost the
same B-cubed precision, at most one wrong join (PRECISION_COST); both halves report B-cubed
precision and recall before and after linking at that value and at the shipped
LINK_SIMILARITY.

busy: themes_dev.jsonl's 200 articles and bbc_dev.jsonl's 300, re-dated into one week in
their own order, briefed with themes_dev.toml and the default options. Prints the body's word
count (Markdown, from the title to "Also reported") and writes the briefing to --out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from scipy.stats import kendalltau, spearmanr

from briefer.evaluation.metrics import bcubed
from briefer.evaluation.rows import LabelledRow, read_labelled
from briefer.group import group
from briefer.parallel import summarize_chunk
from briefer.pipeline import make
from briefer.rank import evidence, period_days
from briefer.rank.storylines import LINK_SIMILARITY, link
from briefer.records import Article, Document, MakeOptions, Story, Summary

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval"
CLUSTERS = SHARED / "clusters_dev.jsonl"
# The most B-cubed precision linking may cost on the tuning half: one wrong join of two
# three-report stories among its 250 reports costs 0.012.
PRECISION_COST = 0.0125


def storyline_labels(stories: Sequence[Story], threshold: float = LINK_SIMILARITY) -> list[int]:
    """For each story, the number of its storyline, to set against the gold labels."""
    label = [0] * len(stories)
    for number, members in enumerate(link(stories, threshold)):
        for index in members:
            label[index] = number
    return label


def _need(path: Path) -> bool:
    if not path.is_file():
        print(f"{path} is not there; skipped")
        return False
    return True


def _articles(rows: Sequence[LabelledRow]) -> list[Article]:
    return [
        Article(
            id=row.id,
            title=row.title,
            date=row.date,
            source=row.source or row.id,  # each row is one outlet's report
            url="",
            text=row.text,
            path=row.where,
        )
        for row in rows
    ]


def _stories(articles: Sequence[Article]) -> list[Story]:
    made = summarize_chunk(articles, (3, None, "default"))  # (sentences, words, algorithm)
    items: list[tuple[Document, Summary]] = [
        summarized.attach(article)
        for article, summarized in zip(articles, made, strict=True)
        if summarized.sentences
    ]
    grouping = group(items, ())
    return [story for section in grouping.sections for story in section.stories]


def order() -> None:
    if not _need(CLUSTERS):
        return
    rows = read_labelled(CLUSTERS, need_date=True)
    gold = {row.id: row.label for row in rows}
    outlets = Counter(row.label for row in rows)  # rows of a gold story: its outlets
    stories = _stories(_articles(rows))
    dates = [a.date for s in stories for a in s.articles if a.date is not None]
    until = max(dates)
    days = period_days(None, until, min(dates))
    weights, gold_outlets, newest, evidence_only = [], [], [], []
    for story in stories:
        found = evidence(story, until, days)
        label = Counter(gold[a.id] for a in story.articles).most_common(1)[0][0]
        weights.append(found.weight)
        evidence_only.append(found.weight / found.recency)
        gold_outlets.append(outlets[label])
        newest.append(found.latest.toordinal() if found.latest else 0)
    print(f"{len(rows)} rows, {len(outlets)} gold stories, {len(stories)} stories made")
    print(f"gold outlets per story: {dict(sorted(Counter(gold_outlets).items()))}")
    for name, values in (
        ("weight", weights),
        ("weight without recency", evidence_only),
        ("newest first (before)", newest),
    ):
        rho = spearmanr(values, gold_outlets).statistic
        tau = kendalltau(values, gold_outlets).statistic
        print(f"{name:>22}: Spearman rho {rho:.3f}, Kendall tau-b {tau:.3f}")


def _half(label: str) -> int:
    return hashlib.blake2b(label.encode("utf-8"), digest_size=4).digest()[0] % 2


def storylines() -> None:
    if not _need(CLUSTERS):
        return
    from briefer.rank.storylines import LINK_SIMILARITY

    rows = read_labelled(CLUSTERS, need_date=True)
    halves = []
    for half in (0, 1):
        part = [row for row in rows if _half(row.label) == half]
        stories = _stories(_articles(part))
        gold = {row.id: row.label for row in part}
        halves.append((stories, gold))

    def scores(half: int, threshold: float | None) -> tuple[float, float, int]:
        stories, gold = halves[half]
        lines = (
            storyline_labels(stories, threshold)
            if threshold is not None
            else list(range(len(stories)))
        )
        pred = [lines[k] for k, s in enumerate(stories) for _ in s.articles]
        truth = [gold[a.id] for s in stories for a in s.articles]
        precision, recall, _ = bcubed(pred, truth)
        return precision, recall, len(stories) - len(set(lines))

    base = scores(0, None)[0]
    grid = [round(0.10 + 0.05 * k, 2) for k in range(15)]
    for threshold in grid:
        print(
            f"  {threshold:.2f}: precision cost {base - scores(0, threshold)[0]:.4f} "
            f"(tuning), {scores(1, None)[0] - scores(1, threshold)[0]:.4f} (held-out)"
        )
    costs = [round(base - scores(0, t)[0], 4) for t in grid]
    # The lowest run of grid values with the same cost, at most PRECISION_COST: its middle is
    # the choice least sensitive to the exact value.
    start = next(k for k, cost in enumerate(costs) if cost <= PRECISION_COST)
    end = start
    while end + 1 < len(grid) and costs[end + 1] == costs[start]:
        end += 1
    chosen = grid[(start + end) // 2]
    print(
        f"tuning half: lowest run costing <= {PRECISION_COST}: {grid[start]}-{grid[end]} "
        f"(cost {costs[start]}); its middle: {chosen}"
    )
    for threshold in dict.fromkeys((chosen, LINK_SIMILARITY)):
        for half, name in ((0, "tuning half"), (1, "held-out half")):
            before = scores(half, None)
            after = scores(half, threshold)
            print(
                f"  {name} at {threshold}: B-cubed precision {before[0]:.4f} -> {after[0]:.4f}, "
                f"recall {before[1]:.4f} -> {after[1]:.4f}, {after[2]} stories joined"
            )


def _busy_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    themes = [
        json.loads(line)
        for line in (SHARED / "themes_dev.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    themes.sort(key=lambda row: (row["date"], row["id"]))
    bbc = [
        json.loads(line)
        for line in (SHARED / "bbc_dev.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    start = dt.date(2022, 6, 6)  # a Monday; any week would do
    for part in (themes, bbc):
        for k, row in enumerate(part):
            day = start + dt.timedelta(days=k * 7 // len(part))  # their own order, spread
            rows.append(
                {
                    "id": row["id"],
                    "title": row.get("title") or "",
                    "date": day.isoformat(),
                    "source": row.get("source") or "",
                    "text": row.get("text") or row.get("article") or "",
                }
            )
    return rows


def body_words(markdown: str) -> int:
    """Words of the body: from the title to "Also reported" (or the coverage footer)."""
    end = len(markdown)
    for marker in ("\n## Also reported", "\n---\n"):
        found = markdown.find(marker)
        if found != -1:
            end = min(end, found)
    return len(re.findall(r"\S+", markdown[:end]))


def busy(out: Path | None) -> None:
    if not (_need(SHARED / "themes_dev.jsonl") and _need(SHARED / "bbc_dev.jsonl")):
        return
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "articles"
        folder.mkdir()
        rows = _busy_rows()
        with (folder / "week.jsonl").open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        target = out if out is not None else Path(temp) / "briefings"
        options = MakeOptions(
            inputs=(folder,),
            out=target,
            since=dt.date(2022, 6, 6),
            until=dt.date(2022, 6, 12),
            themes=SHARED / "themes_dev.toml",
            formats=("md",),
            cache=False,
        )
        result = make(options)
        text = result.paths[0].read_text(encoding="utf-8")
    ranking = result.briefing.ranking
    assert ranking is not None
    tail = text.split("## Also reported", 1)[-1].split("\n---\n")[0]
    also = sum(1 for line in tail.splitlines() if line.startswith("- "))
    whole = len(text.split())
    print(
        f"{len(rows)} articles, {ranking.stories} stories; body {body_words(text)} words "
        f"(budget {ranking.budget_words}); {ranking.also} stories under Also reported "
        f"({also} one-line entries); whole briefing {whole} words"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("order", "storylines", "busy"))
    parser.add_argument("--out", type=Path, help="busy: keep the briefing in this folder")
    args = parser.parse_args(argv)
    if args.what == "order":
        order()
    elif args.what == "storylines":
        storylines()
    else:
        busy(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
