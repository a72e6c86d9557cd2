"""Score the summary algorithms against reference summaries (the `eval summaries` command).

The input is JSON Lines, one article a row: {"id", "article", "reference"} and optionally
"title". Paragraphs in "article" are separated by blank lines; sentences of "reference" by
newlines. ROUGE comes from the optional rouge-score package, imported only when scoring.
"""

from __future__ import annotations

import gc
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefer.errors import OptionsError
from briefer.evaluation.rows import jsonl_objects
from briefer.options import check_algorithm
from briefer.sentences import split_text
from briefer.summarize import choose_many
from briefer.tuning import tune_process

logger = logging.getLogger(__name__)

ROUGE_TYPES = ("rouge1", "rouge2", "rougeLsum")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_WARM_UP = (
    'LONDON (Reuters) - A short "warm-up" article. By Tuesday it had two paragraphs.\n\n'
    "Was it read? The council (pictured) said so, and the U.S. agreed."
)


@dataclass(frozen=True)
class SummaryScores:
    """One algorithm's mean ROUGE F-measures (percent) over a file, and its speed."""

    algorithm: str
    n: int  # articles scored
    rouge1: float
    rouge2: float
    rougeLsum: float  # spelled as rouge-score spells it
    articles_per_second: float  # raw article text to chosen sentences, splitting included, in
    # CPU time


@dataclass(frozen=True)
class _Row:
    article: str
    reference: str
    title: str


def evaluate_summaries(
    path: Path,
    algorithms: Sequence[str],
    sentences: int = 3,
    words: int | None = None,
    limit: int | None = None,
) -> list[SummaryScores]:
    """Score each algorithm on the first `limit` rows of a JSONL file (all rows if None)."""
    tune_process()
    for name in algorithms:
        check_algorithm(name)
    if sentences < 1:
        raise OptionsError(f"sentences per summary must be at least 1, not {sentences}")
    if words is not None and words < 1:
        raise OptionsError(f"the word budget must be at least 1, not {words}")
    scorer = _rouge_scorer()
    rows = _read_rows(path, limit)
    results = []
    for algorithm in algorithms:
        summaries, seconds = _summarize_rows(rows, algorithm, sentences, words)
        totals = dict.fromkeys(ROUGE_TYPES, 0.0)
        for row, summary in zip(rows, summaries, strict=True):
            scores = scorer.score(row.reference, summary)
            for rouge_type in ROUGE_TYPES:
                totals[rouge_type] += scores[rouge_type].fmeasure
        count = len(rows)
        mean = {key: 100.0 * total / count if count else 0.0 for key, total in totals.items()}
        results.append(
            SummaryScores(
                algorithm=algorithm,
                n=count,
                rouge1=mean["rouge1"],
                rouge2=mean["rouge2"],
                rougeLsum=mean["rougeLsum"],
                articles_per_second=count / seconds if seconds > 0 else 0.0,
            )
        )
        logger.info(
            "%s: %d articles, %.1f articles/s", algorithm, count, results[-1].articles_per_second
        )
    return results


def article_sentences(article: str) -> list[str]:
    """The article's sentences: paragraphs split on blank lines, then into sentences."""
    return [
        sentence
        for paragraph in _PARAGRAPH_BREAK.split(article)
        if paragraph.strip()
        for sentence in split_text(paragraph.strip())
    ]


def _summarize_rows(
    rows: Sequence[_Row], algorithm: str, sentences: int, words: int | None
) -> tuple[list[str], float]:
    """Each row's summary, one sentence a line, and the seconds spent making them all."""
    # One-time set-up (data files, tables, sumy's summarizer objects) is paid before the clock
    # starts, alike for every algorithm, so that the figure is the cost per article.
    warm_up = article_sentences(_WARM_UP)
    choose_many([(warm_up, "Warm-up")], n=sentences, algorithm=algorithm, words=words)
    # As timeit does, the cyclic garbage collector is held off while the clock runs: its
    # passes over every live object would charge one algorithm for another's garbage.
    collecting = gc.isenabled()
    gc.disable()
    try:
        # CPU time, not wall time: on a shared machine a neighbour's load would otherwise
        # decide which algorithm looks faster
        start = time.process_time()
        # all rows in one call: the default scorer batches its arithmetic across articles
        split = [(article_sentences(row.article), row.title) for row in rows]
        chosen = choose_many(split, n=sentences, algorithm=algorithm, words=words)
        seconds = time.process_time() - start
    finally:
        if collecting:
            gc.enable()
    chosen_texts = [
        [texts[index] for index in indices]
        for (texts, _), indices in zip(split, chosen, strict=True)
    ]
    # joining is kept out of the timing: it belongs to scoring, not to summarizing
    return ["\n".join(texts) for texts in chosen_texts], seconds


def _read_rows(path: Path, limit: int | None) -> list[_Row]:
    return [
        _parse_row(where, data)
        for where, data in jsonl_objects(path, "article and reference", limit)
    ]


def _parse_row(where: str, data: dict[str, Any]) -> _Row:
    fields = {}
    for key in ("article", "reference"):
        value = data.get(key)
        if not isinstance(value, str):
            raise OptionsError(f"{where}: {key!r} is missing or not a string")
        fields[key] = value
    title = data.get("title", "")
    if not isinstance(title, str):
        raise OptionsError(f"{where}: 'title' is not a string")
    return _Row(article=fields["article"], reference=fields["reference"], title=title)


def _rouge_scorer() -> Any:
    try:
        from rouge_score import rouge_scorer
    except ImportError as error:
        raise OptionsError(
            "scoring summaries needs rouge-score; install the eval extra: "
            "pip install 'briefer[eval]'"
        ) from error
    return rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
