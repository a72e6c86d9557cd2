"""Average linkage over a sparse similarity graph: the one merging rule behind stories
(stories.py) and the related-story labels of "Other developments" (topics.py).

Each item starts as its own group; the two groups with the highest mean pair similarity
merge while that mean reaches the threshold. The graph is a dict of pairs, so the cost
follows the pairs that exist rather than the square of the items.
"""

from __future__ import annotations

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
