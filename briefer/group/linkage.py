"""Average linkage over a sparse similarity graph: the one merging rule behind stories
(stories.py) and the related-story labels of "Other developments" (topics.py).

Each item starts as its own group; the two groups with the highest mean pair similarity
merge while that mean reaches the threshold. The graph is a dict of pairs, so the cost
follows the pairs that exist rather than the square of the items.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Sequence


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
    n = len(days)
    size = [1] * n
    inner = [0.0] * n  # summed similarities within each group, copies left out
    distinct = [0] * n  # pairs within each group that are not copies
    members = [[k] for k in range(n)]
    copied = set(copies)
    parent = list(range(n))
    first_day = list(days)
    last_day = list(days)
    links: list[dict[int, float]] = [{} for _ in range(n)]  # summed pair similarities
    for (i, j), sim in pairs.items():
        links[i][j] = sim
        links[j][i] = sim
    # The pairs that reach the threshold, closest first, and a heap of the means worked out
    # as groups merge: each step takes the smaller head of the two, as one heap of both
    # would (equal entries are the same tuple). Most entries name a group merged away by the
    # time they come up (31,688 of 36,493 in the topic labels of the 10k bench week's +50
    # run): passing one of the sorted pairs costs a step, popping it from a heap a sift.
    first = sorted([(-sim, i, j) for (i, j), sim in pairs.items() if sim >= threshold])
    at, end = 0, len(first)
    heap: list[tuple[float, int, int]] = []
    while True:
        if at < end and (not heap or first[at] <= heap[0]):
            negative, i, j = first[at]
            at += 1
        elif heap:
            negative, i, j = heapq.heappop(heap)
        else:
            break
        if parent[i] != i or parent[j] != j:
            continue
        current = links[i].get(j, 0.0) / (size[i] * size[j])
        if current != -negative:  # stale entry: one of the groups has grown since
            continue
        span = [d for d in (first_day[i], last_day[i], first_day[j], last_day[j]) if d is not None]
        if window is not None and span and max(span) - min(span) > window:
            continue
        if cohesion and distinct[i] and distinct[j]:
            looser = min(inner[k] / distinct[k] for k in (i, j))
            if current < cohesion * looser:
                continue
        if span:
            first_day[i], last_day[i] = min(span), max(span)
        parent[j] = i
        between = links[i].get(j, 0.0)
        crossing = size[i] * size[j]
        if copied:
            for a in members[i]:
                for b in members[j]:
                    pair = (min(a, b), max(a, b))
                    if pair in copied:
                        between -= pairs.get(pair, 0.0)
                        crossing -= 1
        inner[i] += inner[j] + between
        distinct[i] += distinct[j] + crossing
        if copied:  # only the copies' correction above reads a group's members
            members[i].extend(members[j])
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
