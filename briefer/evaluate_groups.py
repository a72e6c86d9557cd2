"""Measure and inspect grouping: the `eval clusters`, `eval themes` and `themes` commands.

`eval clusters` and `eval themes` read JSON Lines of hand-labelled articles, one a row:
{"id", "title", "date", "text", "label"} ("source" is optional). For stories, equal labels
mean "the same event"; for themes, the label is a theme name, or "Other" (or the name
briefer uses, OTHER_THEME) for an article that fits none of them.

`themes_report` scores a folder of articles against a themes file, article by article, so a
user can see why each one lands where it does and tune the file.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from briefer.clean import clean
from briefer.errors import OptionsError
from briefer.evaluate import jsonl_objects
from briefer.group import ThemeFit, bcubed, cluster_stories, load_themes, place_themes
from briefer.ingest import read_inputs
from briefer.records import OTHER_THEME, Article, Document, Skipped

log = logging.getLogger(__name__)

OTHER_LABEL = "Other"  # what a labelled row may call OTHER_THEME


@dataclass(frozen=True)
class LabelledRow:
    id: str
    title: str
    date: date | None
    source: str
    text: str
    label: str
    where: str  # file:line, for messages


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


# --- reading labelled rows -----------------------------------------------------------------


def read_labelled(path: Path, need_date: bool = False) -> list[LabelledRow]:
    """Rows of a labelled JSONL file; a bad row raises OptionsError naming file:line."""
    rows: list[LabelledRow] = []
    seen: dict[str, str] = {}
    for where, data in jsonl_objects(path, "title, date, text and label"):
        row = _parse_row(data, where, need_date)
        if row.id in seen:
            raise OptionsError(
                f"{row.where}: id {row.id!r} was already used at {seen[row.id]}; "
                "give every row its own id"
            )
        seen[row.id] = row.where
        rows.append(row)
    return rows


def _parse_row(data: dict[str, Any], where: str, need_date: bool) -> LabelledRow:
    def text_field(key: str, required: bool) -> str:
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            problem = "is missing" if value is None else "is not a non-empty string"
            raise OptionsError(f"{where}: {key!r} {problem}; every row needs a {key}")
        return value

    label = data.get("label")
    if isinstance(label, int) and not isinstance(label, bool):
        label = str(label)  # story labels are often numbers
    if not isinstance(label, str) or not label.strip():
        raise OptionsError(f"{where}: 'label' is missing or empty; label every row")
    raw_id = data.get("id", where.rsplit(":", 1)[-1])
    if not isinstance(raw_id, str | int) or isinstance(raw_id, bool):
        raise OptionsError(f"{where}: 'id' is not a string; give the row a text id")
    raw_date = data.get("date")
    day: date | None = None
    if isinstance(raw_date, str) and raw_date.strip():
        try:
            day = date.fromisoformat(raw_date.strip()[:10])
        except ValueError:
            raise OptionsError(
                f"{where}: date {raw_date!r} is not YYYY-MM-DD; fix it or leave it empty"
            ) from None
    elif raw_date not in (None, ""):
        raise OptionsError(f"{where}: 'date' is not text; write it as \"YYYY-MM-DD\"")
    if need_date and "date" not in data:
        raise OptionsError(f"{where}: 'date' is missing; give a date or null when unknown")
    title = text_field("title", required=False)
    text = text_field("text", required=not title.strip())
    return LabelledRow(
        id=str(raw_id),
        title=title,
        date=day,
        source=text_field("source", required=False),
        text=text,
        label=label.strip(),
        where=where,
    )


# --- clustering metrics --------------------------------------------------------------------


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


def evaluate_clusters(path: Path) -> ClusterScores:
    """Cluster a labelled file into stories and score the result against its labels."""
    rows = read_labelled(path, need_date=True)
    pred = cluster_stories([(row.title, row.text, row.date) for row in rows])
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
    path: Path, themes_path: Path, label_map: Mapping[str, str] | None = None
) -> ThemeScores:
    """Place each labelled article under the themes (each article as its own story, all of
    them as one briefing) and score the primary theme against its label.

    `label_map` renames labels before scoring, so one labelled file can be scored against
    themes files that name the same categories differently.
    """
    themes = load_themes(themes_path)
    names = [theme.name for theme in themes]
    rows = read_labelled(path)
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


# --- the themes report ---------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleFit:
    """One article's placement, with its fit to every theme."""

    article: Article
    theme: str  # primary theme, or OTHER_THEME
    secondary: tuple[str, ...]
    fits: tuple[ThemeFit, ...]  # themes in file order

    @property
    def best(self) -> ThemeFit | None:
        """The theme it fits best, filed there or not: a near miss says what to add."""
        if not self.fits:
            return None
        return max(self.fits, key=lambda fit: fit.score)


@dataclass(frozen=True)
class ThemesReport:
    themes: tuple[str, ...]  # file order, then OTHER_THEME
    articles: tuple[ArticleFit, ...]  # in input order
    failed: tuple[Skipped, ...]
    outside: int = 0  # articles left out as undated or outside the period asked for

    def filed_under(self, theme: str) -> list[ArticleFit]:
        """The articles whose primary theme is `theme`, best fit first."""

        def key(fit: ArticleFit) -> tuple[float, str]:
            score = next((f.score for f in fit.fits if f.theme == theme), 0.0)
            if theme == OTHER_THEME:
                best = fit.best
                score = best.score if best is not None else 0.0
            return (-score, fit.article.title.casefold())

        return sorted((a for a in self.articles if a.theme == theme), key=key)


def themes_report(
    inputs: Sequence[Path],
    themes_path: Path,
    since: date | None = None,
    until: date | None = None,
) -> ThemesReport:
    """Every article of the inputs scored against every theme, each as its own story; with a
    period, only the articles dated in it (the others are counted as `outside`)."""
    themes = load_themes(themes_path)
    ingested = read_inputs(inputs)
    failed = list(ingested.failed)
    documents: list[Document] = []
    outside = 0
    for article in ingested.articles:
        if (since is not None or until is not None) and (
            article.date is None
            or (since is not None and article.date < since)
            or (until is not None and article.date > until)
        ):
            outside += 1
            continue
        document = clean(article)
        if not document.blocks and not article.title.strip():
            failed.append(Skipped(article.path, "no article text left after cleaning"))
            continue
        documents.append(document)
    placements = place_themes([[document] for document in documents], themes)
    articles = tuple(
        ArticleFit(document.article, placement.theme, placement.secondary, placement.fits)
        for document, placement in zip(documents, placements, strict=True)
    )
    return ThemesReport(
        themes=(*(theme.name for theme in themes), OTHER_THEME),
        articles=articles,
        failed=tuple(failed),
        outside=outside,
    )


def label_counts(rows: Sequence[LabelledRow]) -> Counter[str]:
    return Counter(row.label for row in rows)


def rounded(value: float, places: int = 4) -> float:
    return round(value, places) if math.isfinite(value) else value


def themes_report_data(report: ThemesReport) -> list[dict[str, Any]]:
    """The themes report as plain data for `briefer themes --json`."""
    return [
        {
            "path": fit.article.path,
            "title": fit.article.title,
            "theme": fit.theme,
            "secondary": list(fit.secondary),
            "scores": {
                f.theme: {
                    "score": round(f.score, 2),
                    "lead_score": round(f.lead_score, 2),
                    "eligible": f.eligible,
                    "terms": list(f.terms),
                }
                for f in fit.fits
            },
        }
        for fit in report.articles
    ]
