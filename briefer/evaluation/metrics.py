"""Clustering metrics: B-cubed, the adjusted Rand index and normalized mutual information."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np


def bcubed(pred: Sequence[object], gold: Sequence[object]) -> tuple[float, float, float]:
    """B-cubed (precision, recall, F1) of a predicted clustering against the gold one."""
    if len(pred) != len(gold):
        raise ValueError(f"bcubed: {len(pred)} predicted labels for {len(gold)} gold labels")
    if not pred:
        return 1.0, 1.0, 1.0
    by_pred: defaultdict[object, set[int]] = defaultdict(set)
    by_gold: defaultdict[object, set[int]] = defaultdict(set)
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        by_pred[p].add(i)
        by_gold[g].add(i)
    precision = recall = 0.0
    for p, g in zip(pred, gold, strict=True):
        shared = len(by_pred[p] & by_gold[g])
        precision += shared / len(by_pred[p])
        recall += shared / len(by_gold[g])
    precision /= len(pred)
    recall /= len(pred)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _contingency(pred: Sequence[object], gold: Sequence[object]) -> np.ndarray:
    pred_ids: dict[object, int] = {}
    gold_ids: dict[object, int] = {}
    p = np.asarray([pred_ids.setdefault(x, len(pred_ids)) for x in pred], dtype=np.int64)
    g = np.asarray([gold_ids.setdefault(x, len(gold_ids)) for x in gold], dtype=np.int64)
    table = np.zeros((len(gold_ids), len(pred_ids)), dtype=np.float64)
    np.add.at(table, (g, p), 1.0)
    return table


def _check_lengths(pred: Sequence[object], gold: Sequence[object]) -> None:
    if len(pred) != len(gold):
        raise ValueError(f"{len(pred)} predicted labels for {len(gold)} gold labels")


def adjusted_rand_index(pred: Sequence[object], gold: Sequence[object]) -> float:
    """Hubert and Arabie's adjusted Rand index: 1 for the same partition, about 0 by chance."""
    _check_lengths(pred, gold)
    n = len(pred)
    if n < 2:
        return 1.0
    table = _contingency(pred, gold)

    def pairs(counts: np.ndarray) -> float:
        return float((counts * (counts - 1) / 2).sum())

    index = pairs(table)
    gold_pairs = pairs(table.sum(axis=1))
    pred_pairs = pairs(table.sum(axis=0))
    expected = gold_pairs * pred_pairs / (n * (n - 1) / 2)
    best = (gold_pairs + pred_pairs) / 2
    if best == expected:  # both partitions trivial (all singletons or one group) and equal
        return 1.0
    return (index - expected) / (best - expected)


def normalized_mutual_info(pred: Sequence[object], gold: Sequence[object]) -> float:
    """Mutual information over the arithmetic mean of the two entropies (as scikit-learn)."""
    _check_lengths(pred, gold)
    n = len(pred)
    if n == 0:
        return 1.0
    table = _contingency(pred, gold) / n
    gold_p = table.sum(axis=1)
    pred_p = table.sum(axis=0)

    def entropy(p: np.ndarray) -> float:
        p = p[p > 0]
        return float(-(p * np.log(p)).sum())

    h_gold, h_pred = entropy(gold_p), entropy(pred_p)
    if h_gold == 0.0 and h_pred == 0.0:
        return 1.0
    rows, cols = np.nonzero(table)
    joint = table[rows, cols]
    mutual = float((joint * np.log(joint / (gold_p[rows] * pred_p[cols]))).sum())
    mean = (h_gold + h_pred) / 2
    return max(0.0, min(1.0, mutual / mean)) if mean > 0 else 0.0
