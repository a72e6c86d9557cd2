"""Average linkage over a sparse similarity graph: the one merging rule behind stories
(stories.py) and the related-story labels of "Other developments" (topics.py).

Each item starts as its own group; the two groups with the highest mean pair similarity
merge while that mean reaches the threshold. The graph is a dict of pairs, so the cost
follows the pairs that exist rather than the square of the items; a graph holding most of
its possible pairs (many near-copies of one report) is merged over a square array instead,
the same groups in a tenth of the memory (average_linkage_dense). Also here: the graph's
connected components, which stories clusters one by one.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
from collections.abc import Collection, Sequence

import numpy as np


def average_linkage(
    days: Sequence[int | None],
    pairs: dict[tuple[int, int], float],
    threshold: float,
    cohesion: float = 0.0,
    copies: Collection[tuple[int, int]] = (),
    window: int | None = None,
) -> list[int]:
    """Merge the closest groups while their mean pairwise similarity reaches threshold;
    returns each item's group as the index of one of its items.

    A pair missing from the graph counts as zero, so one strong link cannot pull two big
    groups together the way single linkage would. Nor may a chain of close copies stretch
    a story past the date `window` (days; None for no limit): a merge whose dated items
    would span more days is refused. Two groups of several items each join only when they
    agree with each other at least `cohesion` times as well as the looser of them agrees
    within itself: two events of one busy topic are each tight, and only loosely like each
    other. A pair of `copies` says nothing of how tight a group is (a syndicated report is
    the same report), so it is left out of that mean.
    """
    links: list[dict[int, float]] = [{} for _ in range(len(days))]  # summed similarities
    for (i, j), sim in pairs.items():
        links[i][j] = sim
        links[j][i] = sim
    first = sorted([(-sim, i, j) for (i, j), sim in pairs.items() if sim >= threshold])
    return _merged(days, links, first, threshold, cohesion, pairs, copies, window)


def average_linkage_of(
    count: int, first: np.ndarray, second: np.ndarray, sims: np.ndarray, threshold: float
) -> list[int]:
    """average_linkage of `count` undated items over the pairs (first[k], second[k]) (first
    below second, each pair once) of similarity sims[k], with no window, cohesion or
    copies: the same groups as average_linkage of those pairs as a dict. Its lists are made
    from the arrays at once: the related-story labels' ~37,000 pairs on the 10k bench
    week's +50 rerun were a dict built for it, each then read back one by one."""
    sims = np.asarray(sims, dtype=np.float64)
    # Each item's links: both ends of every pair, grouped by item.
    ends = np.concatenate([first, second]).astype(np.int64)
    others = np.concatenate([second, first]).astype(np.int64)
    both = np.concatenate([sims, sims])
    order = np.argsort(ends, kind="stable")
    bounds = np.searchsorted(ends[order], np.arange(count + 1)).tolist()
    items, values = others[order].tolist(), both[order].tolist()
    links = [
        dict(zip(items[start:stop], values[start:stop], strict=True))
        for start, stop in itertools.pairwise(bounds)
    ]
    # The pairs that reach the threshold as sorted() orders their (-sim, i, j) tuples.
    strong = np.nonzero(sims >= threshold)[0]
    strong = strong[np.lexsort((second[strong], first[strong], -sims[strong]))]
    first_list = list(
        zip(
            (-sims[strong]).tolist(),
            first[strong].tolist(),
            second[strong].tolist(),
            strict=True,
        )
    )
    return _merged([None] * count, links, first_list, threshold)


def _merged(
    days: Sequence[int | None],
    links: list[dict[int, float]],
    first: list[tuple[float, int, int]],
    threshold: float,
    cohesion: float = 0.0,
    pairs: dict[tuple[int, int], float] | None = None,
    copies: Collection[tuple[int, int]] = (),
    window: int | None = None,
) -> list[int]:
    """average_linkage's merging, from each item's links (the summed similarity to each
    item it has a pair with) and the pairs that reach the threshold, sorted (`first`);
    pairs: the pairs as a dict (read only for the copies: each copy pair's similarity)."""
    n = len(days)
    size = [1] * n
    inner = [0.0] * n  # summed similarities within each group, copies left out
    distinct = [0] * n  # pairs within each group that are not copies
    members = [[k] for k in range(n)]
    copied = set(copies)
    parent = list(range(n))
    first_day = list(days)
    last_day = list(days)
    # The pairs that reach the threshold, closest first, and a heap of the means worked out
    # as groups merge: each step takes the smaller head of the two, as one heap of both
    # would (equal entries are the same tuple). Most entries name a group merged away by the
    # time they come up (31,688 of 36,493 in the topic labels of the 10k bench week's +50
    # run): passing one of the sorted pairs costs a step, popping it from a heap a sift.
    at, end = 0, len(first)
    heap: list[tuple[float, int, int]] = []
    # The topic labels' items are undated, with no cohesion or copies: their steps skip
    # what reads those (the same merges; the +50 rerun's labels 0.27 -> 0.23 s, with the
    # lists made from arrays, average_linkage_of).
    dated = any(day is not None for day in days)
    lookup = pairs if pairs is not None else {}
    heappush, heappop = heapq.heappush, heapq.heappop
    while True:
        if at < end and (not heap or first[at] <= heap[0]):
            negative, i, j = first[at]
            at += 1
        elif heap:
            negative, i, j = heappop(heap)
        else:
            break
        if parent[i] != i or parent[j] != j:
            continue
        mine, theirs = links[i], links[j]
        between = mine.get(j, 0.0)
        current = between / (size[i] * size[j])
        if current != -negative:  # stale entry: one of the groups has grown since
            continue
        if dated:
            ends = (first_day[i], last_day[i], first_day[j], last_day[j])
            span = [d for d in ends if d is not None]
            if window is not None and span and max(span) - min(span) > window:
                continue
        if cohesion and distinct[i] and distinct[j]:
            looser = min(inner[k] / distinct[k] for k in (i, j))
            if current < cohesion * looser:
                continue
        if dated and span:
            first_day[i], last_day[i] = min(span), max(span)
        parent[j] = i
        crossing = size[i] * size[j]
        if copied:
            for a in members[i]:
                for b in members[j]:
                    pair = (min(a, b), max(a, b))
                    if pair in copied:
                        between -= lookup.get(pair, 0.0)
                        crossing -= 1
        inner[i] += inner[j] + between
        distinct[i] += distinct[j] + crossing
        if copied:  # only the copies' correction above reads a group's members
            members[i].extend(members[j])
        for k, total in theirs.items():
            if k == i:
                continue
            other = links[k]
            del other[j]
            merged = mine.get(k, 0.0) + total
            mine[k] = merged
            other[i] = merged
        mine.pop(j, None)
        links[j] = {}
        size[i] = grown = size[i] + size[j]
        for k, total in mine.items():
            mean = total / (grown * size[k])
            if mean >= threshold:
                heappush(heap, (-mean, i, k) if i < k else (-mean, k, i))

    def root(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    return [root(i) for i in range(n)]


# Rows of the square array read at a time when groups look for their best partners again
# (average_linkage_dense): all of them at once would add two more squares at the start. 256
# rows of float64 are 3 MB at 1,500 reports (20 MB at 10,000): small beside the square,
# and few enough blocks that numpy's per-call cost stays out of sight. It bounds memory,
# not results (each row's best is its own).
_DENSE_ROWS = 256


def average_linkage_dense(
    days: Sequence[int | None],
    first: np.ndarray,
    second: np.ndarray,
    sims: np.ndarray,
    threshold: float,
    cohesion: float = 0.0,
    copies: tuple[np.ndarray, np.ndarray] | None = None,
    window: int | None = None,
) -> list[int]:
    """average_linkage of the pairs (first[k], second[k]) (first below second, each pair
    once) of similarity sims[k], and of the copy pairs (copies: their first and second
    items), with the groups' summed similarities in one square array rather than a dict per
    item: the same groups (every sum, mean and comparison the same floats, every merge and
    refusal in the same order), for a dense graph in a tenth of the memory. A pair takes
    ~600 bytes as dicts and tuples (1,500 near-copies of one report, 1.1 million pairs:
    ~600 MB); the arrays 10 bytes per pair of items, paired or not (the float64 sums and two
    boolean squares, refused and copied). Its worst case is cubic: when every group's best
    partner is the one growing (exactly tied similarities, or a hub near all the others),
    each merge looks at every row again (1,500 such items: ~13 s where the dicts take ~2 s,
    in a tenth of the memory); real near-copies merge in 0.6 s. The threshold must be
    positive (a missing pair, zero, then never reaches it, as in the dicts).

    average_linkage merges the pair of groups whose entry (-mean, i, j) (i < j) is the
    least among those its sorted pairs and heap hold that are still current; every pair
    of groups whose mean reaches the threshold has a current entry there, but for a pair
    refused (window, cohesion) since either group last grew, whose entry was taken. So
    here: each group's best partner (the highest mean among the pairs of it that reach
    the threshold and are not refused, the lowest item on ties) is kept, and the least
    entry is the best of those bests."""
    if threshold <= 0.0:
        raise ValueError(f"a dense linkage needs a positive threshold, not {threshold}")
    n = len(days)
    sums = np.zeros((n, n))
    sums[first, second] = sims
    sums[second, first] = sims
    size = np.ones(n, dtype=np.int64)
    alive = np.ones(n, dtype=bool)
    refused = np.zeros((n, n), dtype=bool)
    copied = np.zeros((n, n), dtype=bool)
    copy_keys = np.zeros(0, dtype=np.int64)
    copy_sims = np.zeros(0)
    if copies is not None and len(copies[0]):
        one, other = np.minimum(*copies), np.maximum(*copies)
        copied[one, other] = copied[other, one] = True
        # each copy pair's similarity, as the dicts' lookup gives it (0.0 when no pair)
        # sorted and each once (numpy 2.4's np.unique hashes: 0.7 s for 886,000 keys here,
        # a sort 0.05 s)
        copy_keys = np.sort(one * n + other)
        copy_keys = copy_keys[np.concatenate([[True], copy_keys[1:] != copy_keys[:-1]])]
        copy_sims = np.zeros(len(copy_keys))
        if len(first):
            keys = np.minimum(first, second) * n + np.maximum(first, second)
            order = np.argsort(keys)
            place = np.searchsorted(keys[order], copy_keys).clip(max=len(keys) - 1)
            hit = keys[order][place] == copy_keys
            copy_sims[hit] = np.asarray(sims, dtype=np.float64)[order][place][hit]
    any_copies = bool(copied.any())
    inner = [0.0] * n
    distinct = [0] * n
    members = [[k] for k in range(n)]
    parent = list(range(n))
    first_day, last_day = list(days), list(days)
    dated = any(day is not None for day in days)
    best_mean = np.full(n, -np.inf)
    best_item = np.full(n, -1, dtype=np.int64)

    def rebest(every: np.ndarray) -> None:
        """The rows' best partners worked out again (a lacking one: -inf, -1), _DENSE_ROWS
        rows at a time."""
        for start in range(0, len(every), _DENSE_ROWS):
            rows = every[start : start + _DENSE_ROWS]
            means = sums[rows] / (size[rows][:, None] * size[None, :])
            usable = alive[None, :] & ~refused[rows] & (means >= threshold)
            usable[np.arange(len(rows)), rows] = False
            means[~usable] = -np.inf
            chosen = np.argmax(means, axis=1)  # the first of the highest: the lowest item
            best_mean[rows] = means[np.arange(len(rows)), chosen]
            best_item[rows] = np.where(best_mean[rows] > -np.inf, chosen, -1)

    rebest(np.arange(n))
    while True:
        highest = best_mean.max(initial=-np.inf)
        if highest == -np.inf:
            break
        rows = np.nonzero(best_mean == highest)[0]
        low = np.minimum(rows, best_item[rows])
        high = np.maximum(rows, best_item[rows])
        pick = np.lexsort((high, low))[0]
        i, j = int(low[pick]), int(high[pick])
        between = float(sums[i, j])
        current = between / int(size[i] * size[j])
        refuse = False
        span: list[int] = []
        if dated:
            ends = (first_day[i], last_day[i], first_day[j], last_day[j])
            span = [d for d in ends if d is not None]
            refuse = window is not None and bool(span) and max(span) - min(span) > window
        if not refuse and cohesion and distinct[i] and distinct[j]:
            looser = min(inner[k] / distinct[k] for k in (i, j))
            refuse = current < cohesion * looser
        if refuse:
            refused[i, j] = refused[j, i] = True
            rebest(np.asarray([i, j]))
            continue
        if dated and span:
            first_day[i], last_day[i] = min(span), max(span)
        parent[j] = i
        crossing = int(size[i] * size[j])
        if any_copies:
            mine, theirs = np.asarray(members[i]), np.asarray(members[j])
            a, b = np.nonzero(copied[np.ix_(mine, theirs)])  # in the dicts' loop order
            if len(a):
                one, other = mine[a], theirs[b]
                keys = np.minimum(one, other) * n + np.maximum(one, other)
                for value in copy_sims[np.searchsorted(copy_keys, keys)].tolist():
                    between -= value
                crossing -= len(a)
        inner[i] += inner[j] + between
        distinct[i] += distinct[j] + crossing
        if any_copies:
            members[i].extend(members[j])
        merged = sums[i] + sums[j]
        sums[i] = merged
        sums[:, i] = merged
        sums[j] = 0.0
        sums[:, j] = 0.0
        size[i] += size[j]
        alive[j] = False
        refused[i] = False
        refused[:, i] = False
        best_mean[j], best_item[j] = -np.inf, -1
        # Every group's mean with i changed and j is gone: a group whose best was either
        # looks again; the others only compare their mean with i against their best.
        again = alive & ((best_item == i) | (best_item == j))
        again[i] = True
        rebest(np.nonzero(again)[0])
        means = sums[:, i] / (size * size[i])
        better = (
            alive
            & (means >= threshold)
            & ((means > best_mean) | ((means == best_mean) & (i < best_item)))
        )
        better &= ~again
        best_mean[better] = means[better]
        best_item[better] = i

    def root(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    return [root(k) for k in range(n)]


# Pairs written into pairs_digest's hash at a time: a bounded part of the text. A pair's
# repr is ~35 characters, so a part is ~0.6 MB, where the 1.1 million pairs of 1,500
# near-copies of one report made ~38 MB of text at once. The digest is the same whatever
# the part's size (the same characters go into the hash in the same order).
_DIGEST_PAIRS = 2**14


def pairs_digest(
    head: tuple[object, ...],
    first: np.ndarray,
    second: np.ndarray,
    sims: np.ndarray,
    copies: tuple[np.ndarray, np.ndarray],
) -> str:
    """The sha256 of repr(head + (sorted(pairs.items()), sorted(copied))), for the pairs
    {(first[k], second[k]): sims[k]} and the copy pairs (their first and second items):
    the text fed to the hash _DIGEST_PAIRS pairs at a time, not made whole (1.1 million
    pairs: ~40 MB of text, and a tuple and a float a pair to sort)."""
    digest = hashlib.sha256(repr(head)[:-1].encode())  # the tuple's text without its ")"
    order = np.lexsort((second, first))
    digest.update(b", [")
    for start in range(0, len(order), _DIGEST_PAIRS):
        part = order[start : start + _DIGEST_PAIRS]
        items = zip(first[part].tolist(), second[part].tolist(), sims[part].tolist(), strict=True)
        text = ", ".join(f"(({one}, {other}), {sim!r})" for one, other, sim in items)
        digest.update(((", " if start else "") + text).encode())
    order = np.lexsort((copies[1], copies[0]))
    copied = zip(copies[0][order].tolist(), copies[1][order].tolist(), strict=True)
    text = ", ".join(f"({one}, {other})" for one, other in copied)
    digest.update(("], [" + text + "])").encode())
    return digest.hexdigest()


def components(count: int, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Each of `count` rows' connected component over the pairs (first[k], second[k]),
    numbered in the order of each component's first row, as
    scipy.sparse.csgraph.connected_components numbers them. Worked out with numpy alone
    (each pair's larger root hooked under its smaller, then every row pointed at its root,
    until each pair's rows share one), so that a run does not import scipy.sparse.csgraph:
    it brings in scipy.sparse.linalg and scipy.linalg, ~0.13 s of CPU at every run's start
    (issue 13; `import scipy.sparse` alone ~0.30 s, with csgraph ~0.43 s)."""
    parent = np.arange(count, dtype=np.int64)
    first = np.asarray(first, dtype=np.int64)
    second = np.asarray(second, dtype=np.int64)
    while True:
        # Every row points below itself or at itself: following the pointers ends.
        while not np.array_equal(up := parent[parent], parent):
            parent = up
        ones, others = parent[first], parent[second]
        apart = ones != others
        if not apart.any():
            break
        ones, others = ones[apart], others[apart]
        np.minimum.at(parent, np.maximum(ones, others), np.minimum(ones, others))
    # A component's root is its first row: numbered in the order of the roots.
    return np.unique(parent, return_inverse=True)[1].astype(np.int64)
