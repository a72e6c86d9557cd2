"""Each article's nearest neighbours and its baseline: what a pair of articles must exceed
to be one story.

An article's best list holds the NEIGHBOURS highest cosines it met among its candidates
(graph.py compares them), undamped, within days.BASELINE_DAYS, copies left out; its baseline
is their mean, a neighbour it lacks counted as PRIOR, floored at BACKGROUND. A pair's adjusted
similarity is its damped similarity less BASELINE_SHARE of the mean of the two baselines
(graph._judged). A list keeps which rows its values are (graph.members; of equal values the
earlier row), for what a pair shares beyond its neighbours (background.py). Best lists only
rise as articles arrive, so the baseline with every lacking neighbour counted as zero is a
lower bound whatever comes later: what lets a graph hold the pairs that may yet be kept
(held). The constants' figures are those of stories.py's tuning note, unless given here."""

from __future__ import annotations

import numpy as np

# An article's baseline is the mean similarity of its closest neighbours (a neighbour it
# lacks counted as PRIOR): on a busy topic every pair looks alike, and only similarity
# above that shared background says "same event". The neighbours' similarity is their
# texts' cosine, undamped (the days and weekdays are the pair's evidence, not the topic's),
# over days.BASELINE_DAYS rather than the date window, and a copy (graph._COPY_COSINE) is the
# report again, not its background, so it is left out (see BACKGROUND for the figures). A pair's
# adjusted similarity is its similarity less BASELINE_SHARE of the mean of the two baselines (half
# A / B: 0.7 0.911 / 0.923, 0.8 0.914 / 0.932, 0.9 0.909 / 0.927).
NEIGHBOURS = 10
BASELINE_SHARE = 0.8
# With few articles in a week the neighbourhood says little, and a topic's background
# would pass for an event: no baseline is below what two reports on one busy topic a few
# days apart share by topic alone, the median cosine of the 573 pairs of themes_dev.jsonl
# (real 2022 Russia/Ukraine articles) within three days of each other, 0.169. When it was
# chosen, those 200 distinct articles folded into 86 stories without it and 144 with it (the
# dated dev file 0.995 -> 0.982, the undated one unchanged, its baselines are higher). Since
# baselines reach a month and a lacking neighbour counts as PRIOR it rarely binds: at 0 the
# busy topic still forms 178 stories, its events' figures unchanged, the undated file 0.902
# (A 0.914 / B 0.932), the dated 0.974 (A 0.985 / B 0.977; stop 29, clusters_halves.py --set
# BACKGROUND=0). Kept: it also bounds the pairs a graph holds (held), which at 0
# would be every pair from a similarity of 0.02, a cost in memory and time not measured.
# Checked against events read by hand (benchmarks/themes_dev_events.toml, clusters_halves.py
# --events; every figure in docs/quality.md): the busy topic's B-cubed F1 dated half A / B
# 0.888 / 0.915 (undated 0.721 / 0.732) with baselines damped and within the window; a floor
# of 0.2 / 0.25 / 0.3 lifted it to 0.907 / 0.931, 0.956 / 0.963, 0.967 / 0.976 but put the
# undated file at 0.900 / 0.897 / 0.889 (0.903 then), so it stays. What the busy topic lacked
# was background (its reports come a few a day, so within the window an article's neighbours
# are few, and damped by their days): baselines undamped, over a month, copies left out, give
# 0.950 / 0.976 (undated 0.768 / 0.774); the dated file 0.982 -> 0.972 (A 0.988 -> 0.983, B
# 0.974), the undated 0.903 -> 0.901 (A 0.915 -> 0.914, B 0.933 -> 0.930), two thirds undated
# 0.904 -> 0.907 (A 0.949 -> 0.953, B 0.916 -> 0.913). Copies left out: a story retold many
# times over a week (the 10k bench week: variants of 1,100 dev reports, about 9 each) counts
# its own retellings as background otherwise, B-cubed against the reports they vary P / R
# 0.960 / 0.466 before, 0.996 / 0.297 with them, 0.986 / 0.457 without (left out from a
# cosine of 0.8 / 0.7: 0.979 / 0.475, 0.967 / 0.484, but the undated file 0.900 / 0.899).
BACKGROUND = 0.17
# A neighbour an article lacks is unknown, not unlike: in a run of a few articles on one
# busy topic the zeros that padded its best list put its baseline at the floor, and a pair
# of different events joined from a cosine of about 0.18, which half the topic's
# different-event pairs reach (benchmarks/clusters_small_runs.py). An article that met
# fewer than NEIGHBOURS candidates (articles sharing a head, within the baselines' reach,
# copies left out) counts each neighbour it lacks as this, the value a neighbour of a report
# on a busy topic has when its neighbourhood is full, whatever the run: the median baseline
# (the mean of the ten best) of half A of themes_dev.jsonl's reports read without their
# dates (94 reports, one busy topic; B 0.290). Every article of the undated clusters file
# meets ten, 451 of the dated file's 500 (its figures do not move). Counting only the
# articles within reach as neighbours met (the others sharing no head as zeros) helped runs
# of fewer than ten articles alone: a few reports of one topic among five others still
# joined 0.29 of their different-event pairs (0.11 this way; figures in docs/quality.md).
# The cost falls on small runs of general news (clusters_small_runs.py, each clusters file's
# events clustered alone, half A / B): one event alone is kept whole 0.80 / 0.80 of the time
# dated (0.94 / 0.89 counted as zero), the undated file 0.80 / 0.81 (0.94 / 0.93); runs of
# three events' F1 dated 0.947 / 0.936 (0.985 / 0.967). No value is better on both kinds, and
# the gain falls with the cost: 0 / BACKGROUND (0.17) / 0.2 / 0.25 / 0.288 join 0.33 / 0.32
# / 0.22 / 0.10 / 0.07 of the busy topic's undated 2-report pairs (half A) and keep 257 / 255
# / 250 / 227 / 218 of the undated file's 272 half-A events whole alone; 0.17 is no remedy
# (the floor under the baselines is 0.17 already, so it changes only articles that met some).
PRIOR = 0.288

# Adjusted similarities below this are treated as zero, which keeps the graph (and memory)
# small; kept from the previous round (half A / B: 0.01 0.914 / 0.932, the same as 0.02;
# 0.03 0.915 / 0.933).
PAIR_FLOOR = 0.02


def best(sims: np.ndarray, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's NEIGHBOURS largest values, descending, and the rows they are (`columns`:
    the row of each column of sims); of equal values the earlier row first, so a list does
    not depend on the order its values were met in. Padded with zeros and -1."""
    return _ordered(*_picked(sims, columns))


def _picked(sims: np.ndarray, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """best's values and rows, in no particular order (merged orders them)."""
    width = sims.shape[1]
    if width > NEIGHBOURS:
        cut = width - NEIGHBOURS
        order = np.argpartition(sims, (cut - 1, cut), axis=1)
        picked = order[:, cut:]
        # Where the value just below the ten equals the tenth, the selection chose among the
        # tied at will: those rows (rare: exact ties of a cosine) are sorted whole.
        tenth = np.take_along_axis(sims, order[:, cut : cut + 1], axis=1)[:, 0]
        below = np.take_along_axis(sims, order[:, cut - 1 : cut], axis=1)[:, 0]
        for row in np.flatnonzero((below == tenth) & (tenth > 0.0)).tolist():
            picked[row] = np.lexsort((columns, -sims[row]))[:NEIGHBOURS]
        values = np.take_along_axis(sims, picked, axis=1)
        members = columns[picked]
    else:
        values = sims
        members = np.broadcast_to(columns, sims.shape)
    top = np.zeros((sims.shape[0], NEIGHBOURS))
    rows = np.full((sims.shape[0], NEIGHBOURS), -1, dtype=np.int64)
    top[:, : values.shape[1]] = values
    rows[:, : values.shape[1]] = members
    return top, rows


def _ordered(top: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's values descending, of equal values the earlier row first, the first
    NEIGHBOURS kept; a zero (no neighbour) stands for none, its row -1."""
    rows = np.where(top > 0.0, rows, -1)
    order = np.argsort(-top, axis=1, kind="stable")
    ranked = np.take_along_axis(top, order, axis=1)
    # Equal values (rare: exact ties of a cosine) take the earlier row first: those rows are
    # ordered again by value and row.
    tied = np.flatnonzero(((ranked[:, 1:] == ranked[:, :-1]) & (ranked[:, 1:] > 0.0)).any(axis=1))
    if len(tied):
        order[tied] = np.lexsort((rows[tied], -top[tied]), axis=1)
    order = order[:, :NEIGHBOURS]
    return np.take_along_axis(top, order, axis=1), np.take_along_axis(rows, order, axis=1)


def merge_into(
    top: np.ndarray,
    members: np.ndarray,
    articles: np.ndarray,
    sims: np.ndarray,
    columns: np.ndarray,
) -> None:
    """The best lists of these articles (top, and the rows they are in `members`, in place)
    with their similarities (a row of sims each; `columns`: the row of each column) merged
    in. Only the articles with a similarity of at least their list's last are merged: the
    others' lists would come out as they are (equal values are the same float), and on the
    10k bench week most of a block's are such, their sort the graph's costliest step after
    the products."""
    highest = sims.max(axis=1, initial=0.0)
    gains = np.flatnonzero((highest >= top[articles, -1]) & (highest > 0.0))
    if len(gains):
        chosen = articles[gains]
        more, more_rows = _picked(sims[gains], columns)
        top[chosen], members[chosen] = merged(top[chosen], members[chosen], more, more_rows)


def merged(
    top: np.ndarray, members: np.ndarray, more: np.ndarray, more_members: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The best NEIGHBOURS of two such lists, row by row, descending (with their rows)."""
    return _ordered(
        np.concatenate([top, more], axis=1), np.concatenate([members, more_members], axis=1)
    )


def baselines(top: np.ndarray, lacking: float = 0.0) -> np.ndarray:
    """Each row's baseline: the mean of its best similarities (summed largest first, one
    column at a time, so the same values give the same float in every run), a neighbour it
    lacks (a zero in its list: a candidate always has a positive cosine, as the two share a
    head) counted as `lacking`, floored at BACKGROUND. Counted as zero, the lowest the
    baseline can be, whatever articles come later: best lists only rise."""
    total = np.zeros(top.shape[0])
    for column in range(NEIGHBOURS):
        met = top[:, column]
        total = total + np.where(met > 0.0, met, lacking)
    result: np.ndarray = np.maximum(total / NEIGHBOURS, BACKGROUND)
    return result


def held(
    sims: np.ndarray, copied: np.ndarray, rows: np.ndarray, columns: np.ndarray, top: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The pairs of a block (its rows against these columns; sims their damped similarities,
    copied whether they are copies) that may be kept once the baselines are known: (first,
    second, damped similarity, copies). Baselines only rise as more pairs are met, so the
    ones so far already rule out most pairs that reach `find`."""
    # Every pair kept has a similarity of at least `find`, as both baselines are at least
    # BACKGROUND. Less a margin, as the final test rounds (graph._DECIMALS): a pair a hair
    # under the bound may still be kept, and an extended graph must hold what a cold one does.
    share, background = BASELINE_SHARE, BACKGROUND
    find = PAIR_FLOOR + share * background - 1e-5
    r_idx, c_idx = np.nonzero(sims >= find)
    a, b = rows[r_idx], columns[c_idx]
    lowest = baselines(top[a]) + baselines(top[b])
    bound = find + share * (lowest - 2 * background) / 2
    kept = sims[r_idx, c_idx] >= bound
    r_idx, c_idx, a, b = r_idx[kept], c_idx[kept], a[kept], b[kept]
    return np.minimum(a, b), np.maximum(a, b), sims[r_idx, c_idx], copied[r_idx, c_idx]
