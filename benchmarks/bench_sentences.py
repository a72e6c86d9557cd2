"""Speed and accuracy of briefer's sentence splitter against nltk's Punkt.

    python benchmarks/bench_sentences.py [--repeat N]

Punkt is built from default, untrained PunktParameters plus our abbreviation list: the trained
punkt models cannot be downloaded here. Speed is measured on the CNN/DailyMail and BBC dev sets in
../shared/eval. Accuracy is measured on the BBC set, whose reference summaries are sentences copied
verbatim from the articles: a reference sentence counts as found when a splitter returns exactly
it for its paragraph.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

from briefer.sentences import split_text

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval"
CORPORA = ("cnndm_dev.jsonl", "bbc_dev.jsonl")
Splitter = Callable[[str], list[str]]


def punkt_splitter() -> Splitter:
    text = (REPO / "briefer" / "data" / "abbreviations.txt").read_text(encoding="utf-8")
    parameters = PunktParameters()
    for line in text.splitlines():
        entry = line.split(" ")[0].strip()
        if entry.endswith(".") and not line.startswith("#"):
            # Punkt keys abbreviations lower-cased and without their final full stop.
            parameters.abbrev_types.add(entry[:-1].lower())
    tokenizer = PunktSentenceTokenizer(parameters)

    def split(paragraph: str) -> list[str]:
        return [sentence.strip() for sentence in tokenizer.tokenize(paragraph) if sentence.strip()]

    return split


def paragraphs(article: str) -> list[str]:
    return [part for part in re.split(r"\n\s*\n", article) if part.strip()]


def load(name: str) -> list[dict[str, str]]:
    with (EVAL / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def time_per_article(split: Splitter, articles: list[str], repeat: int) -> float:
    """Best of `repeat` passes, in seconds per article."""
    split_articles = [paragraphs(article) for article in articles]
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for parts in split_articles:
            for paragraph in parts:
                split(paragraph)
        best = min(best, time.perf_counter() - started)
    return best / len(articles)


def reference_recall(split: Splitter, rows: list[dict[str, str]]) -> tuple[int, int]:
    found = total = 0
    for row in rows:
        sentences = {sentence for part in paragraphs(row["article"]) for sentence in split(part)}
        for reference in row["reference"].splitlines():
            if reference.strip():
                total += 1
                found += reference.strip() in sentences
    return found, total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timing passes; the best counts")
    options = parser.parse_args()
    if not EVAL.is_dir():
        print(f"no dev data: {EVAL} is absent (it lives beside the repo as ../shared)")
        return 2

    ours: Splitter = split_text
    punkt = punkt_splitter()
    for name in CORPORA:
        rows = load(name)
        articles = [row["article"] for row in rows]
        ours_time = time_per_article(ours, articles, options.repeat)
        punkt_time = time_per_article(punkt, articles, options.repeat)
        ours_count = statistics.mean(
            len([s for p in paragraphs(a) for s in ours(p)]) for a in articles
        )
        punkt_count = statistics.mean(
            len([s for p in paragraphs(a) for s in punkt(p)]) for a in articles
        )
        mean_length = statistics.mean(map(len, articles))
        print(f"{name}: {len(articles)} articles, mean {mean_length:.0f} characters")
        for label, seconds, count in (
            ("briefer", ours_time, ours_count),
            ("punkt", punkt_time, punkt_count),
        ):
            print(
                f"  {label:8} {1 / seconds:8.0f} articles/s {seconds * 1000:7.3f} ms/article"
                f"  {count:5.1f} sentences/article"
            )
        print(f"  speed-up {punkt_time / ours_time:.1f}x")

    bbc = load("bbc_dev.jsonl")
    for label, split in (("briefer", ours), ("punkt", punkt)):
        found, total = reference_recall(split, bbc)
        print(
            f"bbc reference sentences found whole, {label:8}: {found}/{total} = {found / total:.4f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
