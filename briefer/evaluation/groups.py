"""Grouping measured against labelled files: the `eval clusters` and `eval themes` commands."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from briefer.clean import clean
from briefer.errors import OptionsError
from briefer.evaluation.metrics import adjusted_rand_index, bcubed, normalized_mutual_info
from briefer.evaluation.rows import OTHER_LABEL, LabelledRow, read_labelled
from briefer.group import cluster_stories, load_themes, place_themes
from briefer.records import OTHER_THEME, Article, Document
from briefer.tuning import tune_process


@dataclass(frozen=True)
class ClusterScores:
    n: int
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    ari: float
    nmi: float
    stories: int  # predicted
    gold_stories: int


@dataclass(frozen=True)
class ThemeMistake:
    id: str
    title: str
    label: str
    predicted: str
    why: tuple[str, ...]


@dataclass(frozen=True)
class ThemeScores:
    n: int
    accuracy: float
    macro_f1: float
    labels: tuple[str, ...]  # the order of the confusion table's rows and columns
    confusion: tuple[tuple[int, ...], ...]  # [gold][predicted] counts
    per_label_f1: tuple[float, ...]
    mistakes: tuple[ThemeMistake, ...]


def evaluate_clusters(path: Path, undated: float = 0.0) -> ClusterScores:
    """Cluster a labelled file into stories and score the result against its labels.

    `undated` (0 to 1) is the share of rows whose dates are left out, chosen by a hash of
    their id (the same rows in every run, whatever their order): real inputs mix dated and
    undated reports, and a held-out set where two thirds carried no date scored far below
    its dated part, so a dated file can be read that way too."""
    tune_process()
    if not 0.0 <= undated <= 1.0:
        raise OptionsError(f"--undated {undated}: give a share of the rows from 0 to 1")
    rows = [
        replace(row, date=None) if left_undated(row.id, undated) else row
        for row in read_labelled(path, need_date=True)
    ]
    # with their outlets, as a briefing groups them (a file without sources: none known)
    pred = cluster_stories(
        [(row.title, row.text, row.date) for row in rows], [row.source for row in rows]
    )
    gold = [row.label for row in rows]
    precision, recall, f1 = bcubed(pred, gold)
    return ClusterScores(
        n=len(rows),
        bcubed_precision=precision,
        bcubed_recall=recall,
        bcubed_f1=f1,
        ari=adjusted_rand_index(pred, gold),
        nmi=normalized_mutual_info(pred, gold),
        stories=len(set(pred)),
        gold_stories=len(set(gold)),
    )


def left_undated(row_id: str, share: float) -> bool:
    """Whether a row is among the `share` whose dates are left out: a hash of its id read
    as a fraction, so the choice depends on the row alone."""
    digest = hashlib.sha256(row_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") < share * 2**64


# --- themes --------------------------------------------------------------------------------


def _row_document(row: LabelledRow) -> Document:
    article = Article(
        id=row.id,
        title=row.title,
        date=row.date,
        source=row.source,
        url="",
        text=row.text,
        path=row.where,
    )
    return clean(article)


def parse_label_map(pairs: Sequence[str]) -> dict[str, str]:
    """`LABEL=THEME` pairs (from --map-label) as a dict; a malformed pair is an OptionsError."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        label, sep, theme = pair.partition("=")
        if not sep or not label.strip() or not theme.strip():
            raise OptionsError(
                f"--map-label {pair!r} is not LABEL=THEME; write it like "
                '"Weapons aid=Arming Ukraine"'
            )
        mapping[label.strip()] = theme.strip()
    return mapping


def evaluate_themes(
    path: Path,
    themes_path: Path,
    label_map: Mapping[str, str] | None = None,
    confidence: str | None = None,
) -> ThemeScores:
    """Place each labelled article under the themes (each article as its own story, all of
    them as one briefing) and score the primary theme against its label.

    `label_map` renames labels before scoring, so one labelled file can be scored against
    themes files that name the same categories differently.
    """
    tune_process()
    themes = load_themes(themes_path)
    names = [theme.name for theme in themes]
    rows = read_labelled(path)
    if confidence is not None:
        rows = [row for row in rows if row.confidence == confidence]
        if not rows:
            raise OptionsError(f"{path}: no rows with confidence {confidence!r}")
    renames = dict(label_map or {})
    by_fold = {name.casefold(): name for name in [*names, OTHER_THEME]}
    by_fold[OTHER_LABEL.casefold()] = OTHER_THEME
    gold: list[str] = []
    for row in rows:
        label = renames.get(row.label, row.label)
        known = by_fold.get(label.casefold())
        if known is None:
            raise OptionsError(
                f"{row.where}: label {row.label!r} is not a theme of {themes_path} nor "
                f"{OTHER_LABEL!r}; use one of: {', '.join([*names, OTHER_LABEL])}"
            )
        gold.append(known)
    placements = place_themes([[_row_document(row)] for row in rows], themes)
    pred = [placement.theme for placement in placements]
    labels = (*names, OTHER_THEME)
    index = {label: k for k, label in enumerate(labels)}
    confusion = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for g, p in zip(gold, pred, strict=True):
        confusion[index[g], index[p]] += 1
    correct = int(np.trace(confusion))
    f1s: list[float] = []
    for k in range(len(labels)):
        true_positive = float(confusion[k, k])
        predicted = float(confusion[:, k].sum())
        actual = float(confusion[k, :].sum())
        denominator = predicted + actual
        f1s.append(2 * true_positive / denominator if denominator else 0.0)
    present = [k for k in range(len(labels)) if confusion[k, :].sum() or confusion[:, k].sum()]
    macro = sum(f1s[k] for k in present) / len(present) if present else 0.0
    mistakes = tuple(
        ThemeMistake(row.id, row.title, g, p, placement.why)
        for row, g, p, placement in zip(rows, gold, pred, placements, strict=True)
        if g != p
    )
    return ThemeScores(
        n=len(rows),
        accuracy=correct / len(rows),
        macro_f1=macro,
        labels=labels,
        confusion=tuple(tuple(int(x) for x in row) for row in confusion),
        per_label_f1=tuple(f1s),
        mistakes=mistakes,
    )
