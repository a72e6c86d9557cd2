"""When two reports may be one event: the days between them, or the weekdays they name.

A pair of reports with two dates keeps less of its similarity the more days lie between them
(none past WINDOW_DAYS); a pair without two dates is judged on its text, less a share when
both name weekdays but none in common, and less a share again when both state figures but
none in common. Used by the story graph (graph.py) on each block of pairs, in place; the
constants' figures are those of stories.py's tuning note unless given here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from briefer.sparse import sparse

if TYPE_CHECKING:
    from briefer.group.texts import Texts

# Reports further apart than this are different events: a principle (the README's "dated
# reports join within three days"); 2 or 4 give the same figures on both halves of the
# dated file (clusters_dev.jsonl, A 0.988 / B 0.974).
WINDOW_DAYS = 3
# How far apart two dated reports are still compared for their baselines (graph.py): a
# topic's background is what its reports share whatever their days, and a busy topic's come a
# few a day, so within the window alone an article has too few neighbours to show it. A
# month keeps the comparisons linear in a long run's days. Figures in neighbours.py (BACKGROUND)
# and docs/quality.md: 7 / 14 / 30 / 60 days / the whole run, busy topic half A 0.901 /
# 0.920 / 0.950 / 0.962 / 0.969, dated file half A 0.988 / 0.986 / 0.983 / 0.983 / 0.979.
BASELINE_DAYS = 30
# Each day between two reports takes this share off their similarity, kept from the
# previous round: on the dated file 0.15 gives A 0.988 / B 0.968, 0.35 the same as 0.25.
_DAY_DECAY = 0.25
# A weekday named in a report is the day of its event (news style names the weekday for
# anything within the past week), so two reports whose texts name weekdays but none in
# common are most likely different events: without two dates to go on, their similarity
# keeps 1 - _WEEKDAY_DECAY (a pair with two dates has the dates, better evidence, and is
# not touched). In half A of the undated file, of the pairs that clear the merge threshold
# and both name a weekday, 10% of the same-story ones name none in common and 51% of the
# different-story ones (half B: 12% and 65%). Chosen on half A (clusters_halves.py, half
# A / B / whole file): 0 0.914 / 0.932 / 0.891, 0.1 0.913 / 0.931 / 0.902, 0.15 0.915 /
# 0.933 / 0.903, 0.2 0.913 / 0.934 / 0.901, 0.25 (one day's _DAY_DECAY) 0.911 / 0.932 /
# 0.899, 0.35 0.911 / 0.930 / 0.901. It hardly moves a half and lifts the whole file,
# whose same-topic distractors are twice as many; on random subsets of the stories
# (clusters_halves.py --subsets, 4 seeds each) the mean gain grows with their number: a
# quarter 0.948 -> 0.948, a half 0.915 -> 0.921, three quarters 0.902 -> 0.909. Weekdays
# one to three days apart on the week's circle damped by 0.15 a day: 0.915 / 0.934 / 0.900;
# a shared weekday raising the pair by 0.05 or 0.1: 0.914 / 0.933 / 0.903, 0.904.
_WEEKDAY_DECAY = 0.15
# A figure a report states (a count, a sum, a share, a day of the war: a term written in
# digits) is a detail of its event, and reports of one event repeat their figures; two reports
# that both state figures and none in common are more likely different events of one topic
# (issue 10: undated, a busy topic's reports chain through the topic's names). Without two
# dates to go on, their similarity keeps 1 - _FIGURE_DECAY (on top of the weekdays'); a pair
# with two dates is judged by them. A year is left out: it says when, and every report of a
# year states it, and so is a term of zeros alone (the tail of "1,000", which the words split
# off: every thousands figure would share it). The share is the weekday damping's, the same kind
# of evidence; the grid around it on half A of each check (clusters_halves.py; half A / B /
# whole; 0 first, then 0.1 / 0.15 / 0.2 / 0.25): busy topic undated 0.768 / 0.774 / 0.751,
# 0.783 / 0.818 / 0.781, 0.780 / 0.838 / 0.789, 0.780 / 0.852 / 0.794, 0.788 / 0.858 / 0.798;
# undated file 0.914 / 0.930 / 0.901, 0.914 / 0.930 / 0.900, 0.914 / 0.930 / 0.902, 0.913 /
# 0.929 / 0.901, 0.913 / 0.929 / 0.900; dated file two thirds undated 0.953 / 0.913 / 0.907,
# 0.949 / 0.918 / 0.907, 0.949 / 0.914 / 0.908, 0.943 / 0.910 / 0.908, 0.943 / 0.908 / 0.906;
# wholly undated 0.946 / 0.895 / 0.889, 0.945 / 0.893 / 0.895, 0.944 / 0.896 / 0.896, 0.939 /
# 0.892 / 0.892, 0.939 / 0.892 / 0.888. 0.1 and 0.15 are within 0.003 of each other on every
# half A; the dated file, read with its dates, is untouched (0.983 / 0.974 / 0.972). At 0.15,
# years counted as figures: busy topic 0.788 / 0.850 / 0.810 but the undated file 0.910 /
# 0.928 / 0.898; zeros counted: the undated file 0.911 / 0.930 / 0.901.
_FIGURE_DECAY = 0.15
# Pairs whose figures are compared at a time (figures_apart): each pair's figures are keyed
# and sorted, about five arrays of 8 bytes a figure of each side. All of a graph's pairs at
# once (a share of a graph's blocks), the 30k bench week read without dates peaked 80 MB
# above the term rows there, and 1,500 near-copies of one report (1.1 million pairs, ~10
# figures each) 430 MB above; 2^16 pairs hold a few MB whatever the run. It bounds memory,
# not results (each pair's answer is its own), and a few numpy calls a block keep its cost.
_FIGURE_PAIRS = 2**16
_FIGURE = re.compile(r"[0-9][0-9,.]*")
_ZEROS = re.compile(r"0+")
# A year as news writes one: 1800-2099 covers every date a report gives (history and forecasts
# alike); a four-digit figure outside it is a count.
_YEAR = re.compile(r"(?:1[89]|20)[0-9][0-9]")


def day_factor(gap: int) -> float:
    """What a pair's similarity keeps when its reports are `gap` days apart."""
    if gap > WINDOW_DAYS:
        return 0.0
    return max(1.0 - _DAY_DECAY * gap, 0.0)


def _damp(sims: np.ndarray, row_days: np.ndarray | None, column_days: np.ndarray) -> None:
    """Scale each pair by its day factor, in place (undated rows and columns: by nothing).

    Rows and dated columns are sorted by day, so the factor is constant over the
    rectangle of each (row day, column day): one scalar product per rectangle instead of
    a factor matrix as large as the block."""
    if row_days is None:
        return
    column_runs = _runs(column_days)
    for day, top, bottom in _runs(row_days):
        for other, left, right in column_runs:
            factor = day_factor(abs(day - other))
            if factor != 1.0:
                sims[top:bottom, left:right] *= factor


def beyond_reach(sims: np.ndarray, row_days: np.ndarray | None, column_days: np.ndarray) -> None:
    """Set to zero, in place, the pairs of a block whose two dates are further apart than
    BASELINE_DAYS (a block's columns span its rows' reaches together, so its earliest row
    meets columns past its own); the others keep their similarity undamped."""
    if row_days is None:
        return
    column_runs = _runs(column_days)
    for day, top, bottom in _runs(row_days):
        for other, left, right in column_runs:
            if abs(day - other) > BASELINE_DAYS:
                sims[top:bottom, left:right] = 0.0


def damped(
    sims: np.ndarray,
    row_days: np.ndarray | None,
    column_days: np.ndarray,
    weekdays: np.ndarray,
    rows: np.ndarray,
    columns: np.ndarray,
) -> None:
    """A block's similarities damped by the days between its pairs, and those without two
    dates by the weekdays they name (in place). Dated rows meet the dated columns first
    (`column_days` are theirs): those pairs have two dates."""
    _damp(sims, row_days, column_days)
    apart = 0 if row_days is None else len(column_days)
    _weekday_damp(sims[:, apart:], weekdays[rows], weekdays[columns[apart:]])


def _weekday_damp(sims: np.ndarray, row_masks: np.ndarray, column_masks: np.ndarray) -> None:
    """Scale by 1 - _WEEKDAY_DECAY, in place, each pair whose reports both name weekdays
    and none in common (`sims` a view of the pairs without two dates)."""
    if not row_masks.any() or not column_masks.any():
        return
    apart = (row_masks[:, None] & column_masks[None, :]) == 0
    apart &= (row_masks != 0)[:, None] & (column_masks != 0)[None, :]
    sims[apart] *= 1.0 - _WEEKDAY_DECAY


def figure_terms(vocabulary: Sequence[str]) -> np.ndarray:
    """The columns of a vocabulary that are figures (terms written in digits), years left
    out: a bool per term."""
    return np.asarray(
        [
            term[:1].isdigit()
            and _FIGURE.fullmatch(term) is not None
            and not _YEAR.fullmatch(term)
            and not _ZEROS.fullmatch(term)
            for term in vocabulary
        ],
        dtype=bool,
    )


def figure_columns(vectors: sparse.csr_matrix, vocabulary: Sequence[str]) -> sparse.csr_matrix:
    """Each row's figure terms (figure_terms), read from its term vector: the figures
    among its heaviest terms, which a name or number nearly always is."""
    columns = np.nonzero(figure_terms(vocabulary))[0]
    return sparse.csr_matrix(vectors[:, columns])


def figures_apart(figures: sparse.csr_matrix, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """For each pair (first[k], second[k]) of rows of `figures` (each article's figure
    terms, nonzero where stated): whether both state figures and none in common. Worked out
    on the index arrays (each pair's figures keyed by pair and column, and the keys both
    sides hold): a block's few pairs cost a few numpy calls, not a sparse product."""
    stated = np.diff(figures.indptr) > 0
    both = np.nonzero(stated[first] & stated[second])[0]
    apart = np.zeros(len(first), dtype=bool)
    width = figures.shape[1]
    for start in range(0, len(both), _FIGURE_PAIRS):
        chosen = both[start : start + _FIGURE_PAIRS]
        shared = np.intersect1d(
            _keyed(figures, first[chosen], width), _keyed(figures, second[chosen], width)
        )
        apart[chosen] = True
        apart[chosen[shared // width]] = False
    return apart


def figures_damped(
    sims: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    figures: sparse.csr_matrix,
    undated: np.ndarray,
) -> np.ndarray:
    """The pairs' similarities (a copy when any changes): those without two dates whose
    reports both state figures (rows of `figures`) and none in common keep
    1 - _FIGURE_DECAY of theirs."""
    loose = np.nonzero(undated[first] | undated[second])[0]
    if len(loose) == 0:
        return sims
    apart = loose[figures_apart(figures, first[loose], second[loose])]
    sims = sims.copy()
    sims[apart] *= 1.0 - _FIGURE_DECAY
    return sims


def _keyed(figures: sparse.csr_matrix, rows: np.ndarray, width: int) -> np.ndarray:
    """Each figure of each of these rows as k * width + its column (k: the row's place in
    `rows`)."""
    starts = figures.indptr[rows].astype(np.int64)
    lengths = figures.indptr[rows + 1].astype(np.int64) - starts
    owner = np.repeat(np.arange(len(rows), dtype=np.int64), lengths)
    within = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(
        np.cumsum(lengths) - lengths, lengths
    )
    columns = figures.indices[np.repeat(starts, lengths) + within].astype(np.int64)
    keys: np.ndarray = owner * width + columns
    return keys


def _runs(days: np.ndarray) -> list[tuple[int, int, int]]:
    """(day, first, end) of each run of equal days in a sorted array."""
    if len(days) == 0:
        return []
    starts = np.concatenate([[0], np.nonzero(np.diff(days))[0] + 1])
    ends = np.concatenate([starts[1:], [len(days)]])
    return list(zip(days[starts].tolist(), starts.tolist(), ends.tolist(), strict=True))


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def weekday_masks(texts: Texts) -> np.ndarray:
    """Each article's weekdays named in its headline or text (as read for grouping): bit k
    for _WEEKDAYS[k] (_WEEKDAY_DECAY weighs them). Per article, so a mask never
    depends on the other articles."""
    bits = np.asarray(
        [
            1 << _WEEKDAYS.index(word.lower()) if word.lower() in _WEEKDAYS else 0
            for word in texts.surface
        ],
        dtype=np.int8,  # seven bits: taken per word of the run (48 MB as int64 at 30k)
    )
    masks = np.zeros(texts.count, dtype=np.int64)
    named = np.nonzero(bits[texts.words])[0]
    np.bitwise_or.at(masks, texts.article[named], bits[texts.words[named]])
    return masks
