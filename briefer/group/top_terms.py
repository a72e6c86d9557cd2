"""Each row's heaviest entries of a sparse matrix (keep_top_terms): what story vectors and
the related-story labels keep of their terms, and the labels of each story's neighbours."""

from __future__ import annotations

import numpy as np

from briefer.sparse import sparse


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
    if np.isfinite(sort_key).all():
        # Only the entries that may be among their row's first are sorted (the same
        # order of those: a subsequence of the same keys, sorted stably).
        chosen = _candidates(sort_key, row_of[long], limit)
        long, sort_key = long[chosen], sort_key[chosen]
    order = long[np.argsort(sort_key, kind="stable")]
    rank = np.arange(len(order)) - np.searchsorted(row_of[order], row_of[order], side="left")
    short = np.nonzero(lengths[row_of] <= limit)[0]
    keep = np.sort(np.concatenate([short, order[rank < limit]]))
    return sparse.csr_matrix(
        (matrix.data[keep], (row_of[keep], matrix.indices[keep])), shape=matrix.shape
    )


def _candidates(keys: np.ndarray, rows: np.ndarray, limit: int) -> np.ndarray:
    """Where the entries are (in order) whose key is at most their row's limit-th smallest:
    every entry of a row's `limit` first in a stable sort by key is among them (any other
    has a key above at least `limit` of them), and about `limit` a row are. keys: finite,
    grouped by row (rows ascending), every row holding more than limit. Each row's limit-th
    smallest key is found by np.partition, over the rows of about one length at a time laid
    out as a matrix (padded with infinity to a power of two: at most twice their entries).
    keep_top_terms of the 10k bench week's related-story terms (312,000 entries of 3,000
    rows kept to 20; 61,000 of them sorted): 27-28 -> 20 ms, the same entries kept (and on
    3,000 random matrices, with ties and without)."""
    starts = np.flatnonzero(np.diff(rows, prepend=-1))
    lengths = np.diff(np.append(starts, len(keys)))
    widths = np.left_shift(1, np.frexp(lengths - 1)[1])  # the power of two at or above
    cutoffs = np.empty(len(starts))
    for width in np.unique(widths).tolist():
        group = np.flatnonzero(widths == width)
        column = np.arange(width)
        at = starts[group][:, None] + column
        laid = np.where(
            column < lengths[group][:, None], keys[np.minimum(at, len(keys) - 1)], np.inf
        )
        cutoffs[group] = np.partition(laid, limit - 1, axis=1)[:, limit - 1]
    row = np.repeat(np.arange(len(starts)), lengths)
    return np.flatnonzero(keys <= cutoffs[row])
