"""Which report's headline a story shows when it joins reports of different events.

    .venv/bin/python benchmarks/story_headlines.py

Each labelled clusters file of ../shared/eval (and the busy topic's 200 reports with the events
read by hand, benchmarks/themes_dev_events.toml) is clustered as `briefer eval clusters` does;
for every story whose reports tell different events, one of them told by more reports than any
other, it counts whether the headline shown is a report of that event: the oldest report's
(the rule before) or telling.headline_report's (the report sharing the most words with the
others, copies left out). Stories of one event, or of events told equally often, are counted
apart: either headline is as right. Skipped cleanly when ../shared is absent.
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

from briefer.clean import clean
from briefer.group import cluster_stories
from briefer.group.copies import find_copies
from briefer.group.grouping import _article_key
from briefer.group.telling import headline_report
from briefer.records import Article, Document, Summary
from briefer.sentences import split_document
from briefer.summarize import summarize

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval"
SENTENCES = 3  # the default summary length (briefer.options.DEFAULT_SENTENCES)


def headlines(rows: list[dict[str, str]], gold: list[str], dated: bool) -> str:
    articles = [
        Article(
            id=f"{k:05d}",
            title=row.get("title") or "",
            date=date.fromisoformat(row["date"]) if dated and row.get("date") else None,
            source=str(row.get("source") or ""),
            url="",
            text=row["text"],
            path="",
        )
        for k, row in enumerate(rows)
    ]
    summaries: dict[str, Summary] = {}
    documents: dict[str, Document] = {}
    for article in articles:
        document = documents[article.id] = clean(article)
        summaries[article.id] = summarize(document, split_document(document), SENTENCES)
    docs = [(a.title, a.text, a.date) for a in articles]
    stories: defaultdict[int, list[int]] = defaultdict(list)
    for k, label in enumerate(cluster_stories(docs)):
        stories[label].append(k)
    counts: Counter[str] = Counter()
    for members in stories.values():
        events = Counter(gold[k] for k in members)
        if len(members) < 2 or len(events) == 1:
            counts["one event"] += 1 if len(members) > 1 else 0
            continue
        most = events.most_common(2)
        if most[0][1] == most[1][1]:
            counts["tied"] += 1
            continue
        reports = sorted((articles[k] for k in members), key=_article_key)  # as they are told
        titled = [a for a in reports if a.title.strip()]
        copies = find_copies([documents[a.id] for a in reports])
        central = headline_report(reports, summaries, {copy for copy, _ in copies})
        assert central is not None
        counts["mixed"] += 1
        counts["oldest"] += gold[int(titled[0].id)] == most[0][0]
        counts["central"] += gold[int(central.id)] == most[0][0]
    return (
        f"stories of different events, one told most: {counts['mixed']}; headline of that "
        f"event: oldest {counts['oldest']}, central {counts['central']} (one event: "
        f"{counts['one event']}, events told equally: {counts['tied']})"
    )


def main() -> int:
    if not EVAL.is_dir():
        print(f"{EVAL}: not found; skipped", file=sys.stderr)
        return 0
    for name, dated in (("clusters_dev.jsonl", True), ("clusters_dev_undated.jsonl", False)):
        rows = [
            json.loads(line)
            for line in (EVAL / name).read_text(encoding="utf-8").split("\n")
            if line
        ]
        print(f"{name}: {headlines(rows, [str(r['label']) for r in rows], dated)}")
    rows = [
        json.loads(line)
        for line in (EVAL / "themes_dev.jsonl").read_text(encoding="utf-8").split("\n")
        if line
    ]
    event_of = {}
    events = tomllib.loads((REPO / "benchmarks" / "themes_dev_events.toml").read_text("utf-8"))
    for event in events["event"]:
        for key in event["ids"]:
            event_of[key] = str(event["ids"][0])
    gold = [event_of.get(str(r["id"]), str(r["id"])) for r in rows]
    for reading, dated in (("dated", True), ("undated", False)):
        print(f"themes_dev.jsonl busy topic, {reading}: {headlines(rows, gold, dated)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
