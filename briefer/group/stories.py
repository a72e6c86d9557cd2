"""Stories: reports of one event folded together.

A similarity graph over articles: tf-idf cosine of content terms (the headline and lead count
more than the tail, names count a little extra), damped by the days between two reports, and
measured against each article's own neighbourhood so a busy topic does not glue its distinct
events together. Average linkage over that sparse graph then forms the stories without the
chaining of single-link grouping.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import sparse

from briefer.group.texts import TITLE_PART, Texts, body_ranks, read_texts

# --- story clustering --------------------------------------------------------------------

# Values kept from the previous round, then checked on half A of the dev files
# (benchmarks/clusters_halves.py; B-cubed F1, undated half A 0.888, dated half A 0.986 with
# the values below). Each alternative tried was no better there, so none was changed:
# _TITLE_WEIGHT 3: 0.890; _LEAD_TERMS 20 / 30 / 100: 0.887 / 0.894 / 0.888 (30 lost on the
# dated file, 0.983, and on undated half B, 0.906 against 0.908); _TAIL_WEIGHT 0.1 or 0.5,
# _MAX_TERMS 100, _PAIR_FLOOR 0.05: no change; _NAME_WEIGHT 2: 0.883; _NEIGHBOURS 5: 0.885;
# _BASELINE_SHARE 0.5 / 0.9: 0.876 / 0.881; _MERGE_THRESHOLD 0.06 / 0.08 / 0.12 / 0.15:
# 0.884 / 0.891 / 0.889 / 0.874; on the dated file _DAY_DECAY 0.1: 0.977, 0.4: 0.986,
# _WINDOW_DAYS 2 or 5: 0.986.
#
# Same-event reports share their who/what/where in the headline and first lines; the tail
# drifts into background that every article on the topic shares, so it counts for little.
_TITLE_WEIGHT = 2.0
_LEAD_TERMS = 60  # content words, about the first two paragraphs
_LEAD_WEIGHT = 1.0
_TAIL_WEIGHT = 0.2
_NAME_WEIGHT = 1.0  # extra weight for a capitalised word or a number: who and how many

_WINDOW_DAYS = 3  # reports further apart than this are different events
_DAY_DECAY = 0.25  # each day between two reports takes this share off their similarity
# An article's baseline is the mean similarity of its closest neighbours (padded with
# zeros when it has fewer): on a busy topic every pair looks alike, and only similarity
# above that shared background says "same event".
_NEIGHBOURS = 10
_BASELINE_SHARE = 0.7
_MERGE_THRESHOLD = 0.1  # average adjusted similarity needed to join two groups
_PAIR_FLOOR = 0.02  # adjusted similarities below this are treated as zero (keeps memory flat)
CHUNK_ROWS = 512  # rows per block product: bounds memory, not results
_MAX_TERMS = 60  # each article's heaviest terms; more changed nothing on half A (see above)


def cluster_matrix(texts: Texts) -> sparse.csr_matrix:
    """Articles x terms: summed place weights of each article's content stems and names."""
    content = np.nonzero(texts.content[texts.words])[0]
    article = texts.article[content]
    body = texts.part[content] != TITLE_PART
    ranks = body_ranks(article, body)
    weights = np.where(
        body, np.where(ranks < _LEAD_TERMS, _LEAD_WEIGHT, _TAIL_WEIGHT), _TITLE_WEIGHT
    )
    rows = np.concatenate([article, texts.name_article])
    cols = np.concatenate([texts.stem_of[texts.words[content]], texts.name_stem])
    values = np.concatenate([weights, np.full(len(texts.name_article), _NAME_WEIGHT)])
    return sparse.csr_matrix((values, (rows, cols)), shape=(texts.count, max(len(texts.stems), 1)))


def keep_top_terms(matrix: sparse.csr_matrix, limit: int) -> sparse.csr_matrix:
    """Each row's `limit` heaviest terms: the rest barely move a cosine but dominate the
    cost of the products."""
    lengths = np.diff(matrix.indptr)
    if lengths.size == 0 or lengths.max() <= limit:
        return matrix
    row_of = np.repeat(np.arange(matrix.shape[0]), lengths)
    # Only rows over the limit need sorting: heaviest first within each row, by one
    # stable sort on the row plus a fraction that falls as the weight grows (ties keep
    # column order).
    long = np.nonzero(lengths[row_of] > limit)[0]
    data = matrix.data[long]
    sort_key = row_of[long] + 0.5 * (1.0 - data / (float(data.max()) * 1.0000001))
    order = long[np.argsort(sort_key, kind="stable")]
    rank = np.arange(len(order)) - np.searchsorted(row_of[order], row_of[order], side="left")
    short = np.nonzero(lengths[row_of] <= limit)[0]
    keep = np.sort(np.concatenate([short, order[rank < limit]]))
    return sparse.csr_matrix(
        (matrix.data[keep], (row_of[keep], matrix.indices[keep])), shape=matrix.shape
    )


def tfidf(raw: sparse.csr_matrix, limit: int = _MAX_TERMS) -> sparse.csr_matrix:
    """Rows L2-normalised, so a row product is a cosine; an empty row stays all zero."""
    n = raw.shape[0]
    matrix = sparse.csr_matrix(raw, dtype=np.float64, copy=True)
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    # Sublinear: the tenth mention says less than the second.
    raw_values = matrix.data
    matrix.data = np.where(raw_values >= 1.0, 1.0 + np.log(np.maximum(raw_values, 1.0)), raw_values)
    matrix.sort_indices()
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    matrix = keep_top_terms(sparse.csr_matrix(matrix @ sparse.diags(idf)), limit)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0.0] = 1.0
    # float32: plenty for cosines, and half the memory traffic in the block products.
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix, dtype=np.float32)


def _top_mean(sims: np.ndarray) -> np.ndarray:
    """Per row, the sum of its _NEIGHBOURS largest values over _NEIGHBOURS."""
    if sims.shape[1] > _NEIGHBOURS:
        sims = np.partition(sims, sims.shape[1] - _NEIGHBOURS, axis=1)[:, -_NEIGHBOURS:]
    result: np.ndarray = sims.sum(axis=1) / _NEIGHBOURS
    return result


def _day_factor(gap: int) -> np.float32:
    """What a pair's similarity keeps when its reports are `gap` days apart."""
    if gap > _WINDOW_DAYS:
        return np.float32(0.0)
    return np.float32(max(1.0 - _DAY_DECAY * gap, 0.0))


@dataclass(frozen=True)
class _Block:
    """Rows compared with columns. The rows' and the dated columns' days (both sorted;
    undated columns, after the dated ones, are not damped) say how much each pair keeps;
    `diagonal` is where the first row meets itself among the columns (-1: never)."""

    rows: np.ndarray
    columns: np.ndarray
    row_days: np.ndarray | None  # None: undated rows, damped by nothing
    column_days: np.ndarray
    diagonal: int


class _Windows:
    """Articles cut into row blocks, each with the columns it may pair with: a dated
    article with those dated within _WINDOW_DAYS and every undated one; an undated article
    with all. A missing date is no evidence either way: undated pairs are judged on their
    text alone, with no damping."""

    def __init__(self, days: Sequence[int | None]) -> None:
        dated = sorted((day, i) for i, day in enumerate(days) if day is not None)
        self.order = np.asarray([i for _, i in dated], dtype=np.int64)
        self.ordinals = np.asarray([day for day, _ in dated], dtype=np.int64)
        self.undated = np.asarray([i for i, day in enumerate(days) if day is None], dtype=np.int64)
        self.everything = np.concatenate([self.order, self.undated])

    def blocks(self) -> Iterable[_Block]:
        for start in range(0, len(self.order), CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, len(self.order))
            row_days = self.ordinals[start:stop]
            lo = int(np.searchsorted(self.ordinals, row_days[0] - _WINDOW_DAYS, side="left"))
            hi = int(np.searchsorted(self.ordinals, row_days[-1] + _WINDOW_DAYS, side="right"))
            columns = np.concatenate([self.order[lo:hi], self.undated])
            yield _Block(
                self.order[start:stop], columns, row_days, self.ordinals[lo:hi], start - lo
            )
        for start in range(0, len(self.undated), CHUNK_ROWS):
            rows = self.undated[start : start + CHUNK_ROWS]
            yield _Block(rows, self.everything, None, self.ordinals, len(self.order) + start)


def _damp(sims: np.ndarray, block: _Block) -> None:
    """Scale each pair by its day factor, and an article against itself to zero, in place.

    Rows and dated columns are sorted by day, so the factor is constant over the
    rectangle of each (row day, column day): one scalar product per rectangle instead of
    a factor matrix as large as the block (the same float32 products, so the same sims)."""
    if block.row_days is not None:
        row_bounds = _runs(block.row_days)
        column_bounds = _runs(block.column_days)
        for day, top, bottom in row_bounds:
            for other, left, right in column_bounds:
                factor = _day_factor(abs(day - other))
                if factor != 1.0:
                    sims[top:bottom, left:right] *= factor
    diagonal = np.arange(len(block.rows))
    sims[diagonal, block.diagonal + diagonal] = 0.0


def _runs(days: np.ndarray) -> list[tuple[int, int, int]]:
    """(day, first, end) of each run of equal days in a sorted array."""
    if len(days) == 0:
        return []
    starts = np.concatenate([[0], np.nonzero(np.diff(days))[0] + 1])
    ends = np.concatenate([starts[1:], [len(days)]])
    return list(zip(days[starts].tolist(), starts.tolist(), ends.tolist(), strict=True))


def _block_sims(vectors: sparse.csr_matrix, block: _Block) -> np.ndarray:
    sims: np.ndarray = (vectors[block.rows] @ vectors[block.columns].T).toarray()
    _damp(sims, block)
    return sims


def _candidate_pairs(
    vectors: sparse.csr_matrix, days: Sequence[int | None]
) -> dict[tuple[int, int], float]:
    """Baseline-adjusted, date-damped cosines of the pairs that may be one story.

    Dated articles are compared block by block within their date window, so the cost
    grows with the articles per window rather than with the square of the total.
    """
    n = vectors.shape[0]
    baselines = np.zeros(n)
    # One pass over the blocks finds the baselines and keeps every pair that could clear
    # the floor once the other article's baseline is known: the row's own baseline is
    # already a lower bound on what the pair must beat.
    found_i: list[np.ndarray] = []
    found_j: list[np.ndarray] = []
    found_sim: list[np.ndarray] = []
    for block in _Windows(days).blocks():
        rows, cols = block.rows, block.columns
        sims = _block_sims(vectors, block)
        baselines[rows] = _top_mean(sims)
        bound = _PAIR_FLOOR + _BASELINE_SHARE * baselines[rows] / 2
        r_idx, c_idx = np.nonzero((sims > 0.0) & (sims >= bound[:, None]))
        found_i.append(np.minimum(rows[r_idx], cols[c_idx]))
        found_j.append(np.maximum(rows[r_idx], cols[c_idx]))
        found_sim.append(sims[r_idx, c_idx])
    if not found_i:
        return {}
    first = np.concatenate(found_i)
    second = np.concatenate(found_j)
    adjusted = (
        np.concatenate(found_sim) - _BASELINE_SHARE * (baselines[first] + baselines[second]) / 2
    )
    keep = adjusted >= _PAIR_FLOOR
    # Each pair is found from both ends; the similarity is the same either way.
    return dict(
        zip(
            zip(first[keep].tolist(), second[keep].tolist(), strict=True),
            adjusted[keep].tolist(),
            strict=True,
        )
    )


def average_linkage(
    days: Sequence[int | None], pairs: dict[tuple[int, int], float], threshold: float
) -> list[int]:
    """Merge the closest groups while their mean pairwise similarity reaches threshold.

    A pair missing from the graph counts as zero, so one strong link cannot pull two big
    groups together the way single linkage would. Nor may a chain of close copies stretch
    a story past the date window: a merge whose reports would span more is refused.
    """
    n = len(days)
    size = [1] * n
    parent = list(range(n))
    first_day = list(days)
    last_day = list(days)
    links: list[dict[int, float]] = [{} for _ in range(n)]  # summed pair similarities
    for (i, j), sim in pairs.items():
        links[i][j] = sim
        links[j][i] = sim
    heap = [(-sim, i, j) for (i, j), sim in pairs.items() if sim >= threshold]
    heapq.heapify(heap)
    while heap:
        negative, i, j = heapq.heappop(heap)
        if parent[i] != i or parent[j] != j:
            continue
        current = links[i].get(j, 0.0) / (size[i] * size[j])
        if current != -negative:  # stale entry: one of the groups has grown since
            continue
        span = [d for d in (first_day[i], last_day[i], first_day[j], last_day[j]) if d is not None]
        if span and max(span) - min(span) > _WINDOW_DAYS:
            continue
        if span:
            first_day[i], last_day[i] = min(span), max(span)
        parent[j] = i
        for k, total in links[j].items():
            if k == i:
                continue
            del links[k][j]
            merged = links[i].get(k, 0.0) + total
            links[i][k] = merged
            links[k][i] = merged
        links[i].pop(j, None)
        links[j] = {}
        size[i] += size[j]
        for k, total in links[i].items():
            mean = total / (size[i] * size[k])
            if mean >= threshold:
                heapq.heappush(heap, (-mean, min(i, k), max(i, k)))

    def root(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    return [root(i) for i in range(n)]


def cluster_stories(docs: Sequence[tuple[str, str, date | None]]) -> list[int]:
    """Story label for each (title, text, date): equal labels mean the same event.

    Labels are 0, 1, 2, ... in order of each story's first item, so the result depends
    only on the input.
    """
    texts = read_texts([(title, [text]) for title, text, _ in docs])
    return cluster_labels(cluster_matrix(texts), [day for _, _, day in docs])


def cluster_labels(raw: sparse.csr_matrix, dates: Sequence[date | None]) -> list[int]:
    if raw.shape[0] == 0:
        return []
    vectors = tfidf(raw)
    days = [day.toordinal() if day is not None else None for day in dates]
    pairs = _candidate_pairs(vectors, days)
    roots = average_linkage(days, pairs, _MERGE_THRESHOLD)
    labels: dict[int, int] = {}
    return [labels.setdefault(r, len(labels)) for r in roots]
