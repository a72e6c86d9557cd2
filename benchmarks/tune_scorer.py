"""Cross-validate the default scorer's weights on the CNN/DailyMail dev rows.

    .venv/bin/python benchmarks/tune_scorer.py

The 2,276 rows of cnndm_dev.jsonl and cnndm_dev_more.jsonl are split in halves by the sha256 of
their id (as bench_summaries.py splits them). Each tuned knob of ScorerWeights is varied alone
from the defaults over a small grid, and every variant is scored on both halves as ROUGE-1 (and
R2) over LEAD-3; a value is chosen on one half and reported on the other. A feature is kept only
if turning it off lowers ROUGE-1 on every part (each file's each half). The figures quoted in
briefer/summarize/scorer.py come from this script. Skips cleanly when ../shared/eval is absent.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Any

from bench_summaries import EVAL_DIR, SPLIT_SETS, half_of

from briefer.evaluation.summaries import article_sentences
from briefer.summarize import word_count
from briefer.summarize.scorer import DEFAULT_WEIGHTS, ScorerWeights, choose_default_many

# One knob at a time, the others at their defaults
GRIDS: dict[str, tuple[float, ...]] = {
    "target_words": (0.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0),
    "numbers": (0.0, 0.05, 0.1, 0.15, 0.2),
    "echo": (0.1, 0.15, 0.2, 0.25, 0.3, 0.4),
}
# turning a feature off, or moving an untuned knob, one at a time from the default
ABLATIONS: dict[str, dict[str, Any]] = {
    "no length target (n sentences)": {"target_words": 0.0},
    "no numbers preference": {"numbers": 0.0},
    "no fragment penalty": {"fragment_words": 0},
    "no question/furniture penalty": {"unfit_penalty": 0.0},
    "no redundancy check": {"redundancy": 1.01},
    "position scale 4": {"position_scale": 4.0},
    "position scale 6": {"position_scale": 6.0},
}


def main() -> int:
    missing = [name for name in SPLIT_SETS if not (EVAL_DIR / name).is_file()]
    if missing:
        print(f"skipped: {', '.join(missing)} not found in {EVAL_DIR}", file=sys.stderr)
        return 0
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    rows = []  # (part, sentences, reference)
    for name in SPLIT_SETS:
        for line in (EVAL_DIR / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                data = json.loads(line)
                part = f"{name.split('.')[0]} {half_of(str(data['id']))}"
                rows.append((part, article_sentences(data["article"]), data["reference"]))
    parts = sorted({part for part, _, _ in rows})
    # most variants choose the same sentences for most rows: score each choice once
    scored: dict[tuple[int, tuple[int, ...]], tuple[float, float]] = {}

    def rouge(number: int, indices: list[int]) -> tuple[float, float]:
        key = (number, tuple(indices))
        if key not in scored:
            _, sentences, reference = rows[number]
            result = scorer.score(reference, "\n".join(sentences[i] for i in indices))
            scored[key] = (result["rouge1"].fmeasure, result["rouge2"].fmeasure)
        return scored[key]

    def score(chosen: list[list[int]]) -> dict[str, tuple[float, float]]:
        totals: dict[str, list[float]] = {key: [0.0, 0.0, 0.0] for key in [*parts, "A", "B"]}
        for number, ((part, _, _), indices) in enumerate(zip(rows, chosen, strict=True)):
            r1, r2 = rouge(number, indices)
            for key in (part, part[-1]):
                totals[key][0] += r1
                totals[key][1] += r2
                totals[key][2] += 1
        return {key: (100 * r1 / n, 100 * r2 / n) for key, (r1, r2, n) in totals.items()}

    lead = score([list(range(min(3, len(sentences)))) for _, sentences, _ in rows])
    articles = [(sentences, "") for _, sentences, _ in rows]

    def report(label: str, weights: ScorerWeights) -> dict[str, float]:
        measured = score(choose_default_many(articles, 3, None, weights))
        margins = {key: measured[key][0] - lead[key][0] for key in measured}
        r2 = {key: measured[key][1] - lead[key][1] for key in ("A", "B")}
        print(
            f"{label:<32} R1 over lead: A {margins['A']:+.2f} B {margins['B']:+.2f}"
            f" | R2 A {r2['A']:+.2f} B {r2['B']:+.2f}"
            " | " + " ".join(f"{part} {margins[part]:+.2f}" for part in parts),
            flush=True,
        )
        return margins

    print(f"LEAD-3 R1: A {lead['A'][0]:.2f}, B {lead['B'][0]:.2f}")
    default = report("defaults", DEFAULT_WEIGHTS)

    def mean_words(chosen: list[list[int]]) -> float:
        counts = [
            sum(word_count(sentences[i]) for i in indices)
            for (_, sentences, _), indices in zip(rows, chosen, strict=True)
        ]
        return sum(counts) / len(counts)

    no_target = dataclasses.replace(DEFAULT_WEIGHTS, target_words=0.0)
    references = sum(word_count(reference) for _, _, reference in rows) / len(rows)
    print(
        f"words a summary: references {references:.1f}, "
        f"LEAD-3 {mean_words([list(range(min(3, len(s)))) for s, _ in articles]):.1f}, "
        f"defaults {mean_words(choose_default_many(articles, 3)):.1f}, "
        "without the length target "
        + f"{mean_words(choose_default_many(articles, 3, None, no_target)):.1f}"
    )
    for knob, values in GRIDS.items():
        print(f"\n{knob} (default {getattr(DEFAULT_WEIGHTS, knob)})")
        grid = {
            value: report(f"{knob} {value}", dataclasses.replace(DEFAULT_WEIGHTS, **{knob: value}))
            for value in values
        }
        for chosen_on, reported_on in (("A", "B"), ("B", "A")):
            best = max(values, key=lambda value: grid[value][chosen_on])
            print(
                f"{knob} chosen on half {chosen_on}: {best} (there {grid[best][chosen_on]:+.2f}); "
                f"on half {reported_on}: {grid[best][reported_on]:+.2f}"
            )
    print("\nablations")
    for label, change in ABLATIONS.items():
        margins = report(label, dataclasses.replace(DEFAULT_WEIGHTS, **change))
        lower = [part for part in parts if margins[part] < default[part]]
        print(f"  lower than the defaults on {len(lower)} of {len(parts)} parts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
