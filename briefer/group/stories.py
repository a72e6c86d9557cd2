"""Stories: reports of one event folded together.

A similarity graph over articles: the cosine of their content terms (the headline and lead
count more than the tail, names and figures a little extra, each word weighted by its rarity
in English at large), damped by the days between two reports, and measured against each
article's own neighbourhood so a busy topic does not glue its distinct events together.
The graph falls into connected components; within each, average linkage (linkage.py) forms
the stories, and two groups of several reports join only when they agree with each other at
least three quarters as well as within themselves. Reports without two dates that name
different weekdays count as less alike: the weekday is the day their text gives. A pair's
similarity depends only on the two articles, their days (or weekdays) and their nearest
neighbours, and each component is clustered on its own, in a fixed order, so a story does
not depend on the order of the input or on unrelated articles.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from briefer.group.linkage import average_linkage
from briefer.group.texts import TITLE_PART, Texts, body_ranks, read_texts

# --- story clustering --------------------------------------------------------------------

# Chosen on half A of clusters_dev_undated.jsonl (benchmarks/clusters_halves.py; the
# figures of both halves are in the README's "Quality and speed"): _IDF_CAP, _BASELINE_SHARE,
# _MERGE_THRESHOLD and _COHESION, each the best of a small grid on half A (the figures
# given with them were taken before _WEEKDAY_DECAY, which was chosen last). _BACKGROUND comes
# from another file (themes_dev.jsonl, see below). The rest are kept from the previous round
# and checked again with the values below (half A / B, chosen values 0.914 / 0.932; none
# was better on A by more than 0.002): _NEIGHBOURS 5 / 20 0.910 / 0.927, 0.903 / 0.921;
# _TITLE_WEIGHT 1 / 3 0.897 / 0.919, 0.915 / 0.923; _NAME_WEIGHT 0.5 / 2 0.915 / 0.931,
# 0.897 / 0.919; _LEAD_TERMS 30 / 100 0.916 / 0.931, 0.914 / 0.932; _MAX_TERMS 40 / 100
# 0.914 / 0.927, 0.914 / 0.932. A baseline from the median of the neighbours instead of
# their mean: 0.906 / 0.921. A headline embedding (wordllama, 256 dimensions) taking 0.2
# of each pair's similarity: half A +0.014, half B +0.002, the dated file -0.005, for a
# dependency that takes 1.4 s to load: not taken.
#
# Same-event reports share their who/what/where in the headline and first lines; the tail
# drifts into background that every article on the topic shares, so it counts for little.
_TITLE_WEIGHT = 2.0
_LEAD_TERMS = 60  # content words, about the first two paragraphs
_LEAD_WEIGHT = 1.0  # the unit the other place weights are measured in
# Not measurable on the dev files: their reports are short (median 64 words undated, 91
# dated), so the tail hardly ever begins, and 0, 0.1, 0.3 or 1.0 give the same figures on
# both halves of the undated file. Kept as a principle for long articles.
_TAIL_WEIGHT = 0.2
_NAME_WEIGHT = 1.0  # extra weight for a capitalised word or a number: who and how many
# A word's weight is the information in one mention of it in English at large (wordfreq,
# 9 - Zipf = log10 of 1/p per billion words), a fixed background, so an article's vector
# never depends on the other articles of the run. Past a point rarity stops telling: a
# report's names, places and figures are all rare, and a misspelling is rarest of all, so
# every word rarer than once in 10^(9 - _IDF_CAP) words weighs the same, and a word
# wordfreq lacks weighs that much too (half A / B: cap 4 0.908 / 0.930, 5 0.914 / 0.932,
# 6 0.909 / 0.924).
_IDF_CAP = 5.0

# Reports further apart than this are different events: a principle (the README's "dated
# reports join within three days"); 2 or 4 give the same figures on both halves of the
# dated file (clusters_dev.jsonl, A 0.988 / B 0.974).
_WINDOW_DAYS = 3
# Each day between two reports takes this share off their similarity, kept from the
# previous round: on the dated file 0.15 gives A 0.988 / B 0.968, 0.35 the same as 0.25.
_DAY_DECAY = 0.25
# An article's baseline is the mean similarity of its closest neighbours (padded with
# zeros when it has fewer): on a busy topic every pair looks alike, and only similarity
# above that shared background says "same event". A pair's adjusted similarity is its
# similarity less _BASELINE_SHARE of the mean of the two baselines (half A / B: 0.7
# 0.911 / 0.923, 0.8 0.914 / 0.932, 0.9 0.909 / 0.927).
_NEIGHBOURS = 10
_BASELINE_SHARE = 0.8
# With few articles in a week the neighbourhood says little, and a topic's background
# would pass for an event: no baseline is below what two reports on one busy topic a few
# days apart share by topic alone, the median cosine of the 573 pairs of themes_dev.jsonl
# (real 2022 Russia/Ukraine articles) within three days of each other, 0.169. Without it
# those 200 distinct articles fold into 86 stories; with it 144 (the dated dev file 0.995
# -> 0.982, the undated one unchanged, its baselines are higher).
_BACKGROUND = 0.17
# Average adjusted similarity needed to join two groups (half A / B: 0.02 0.911 / 0.925,
# 0.04 0.914 / 0.932, 0.06 0.907 / 0.927, 0.08 0.901 / 0.923).
_MERGE_THRESHOLD = 0.04
# Two groups of two or more reports join only when their mean similarity is at least this
# share of the looser group's own mean: two events of one topic are each tight and only
# loosely alike (half A / B: 0 0.867 / 0.877, 0.5 0.907 / 0.921, 0.75 0.914 / 0.932, 1.0
# 0.910 / 0.933). A report joining a group alone is not held to it (holding it to 0.5
# there: 0.878 / 0.904).
_COHESION = 0.75
# Two reports whose terms are this alike are one report twice (copies.py's share of shared
# word runs, 0.85, read as a cosine): they do not count when a group's tightness is judged.
_COPY_COSINE = 0.85
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
# whose same-topic distractors from other weeks are twice as many.
_WEEKDAY_DECAY = 0.15
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Adjusted similarities below this are treated as zero, which keeps the graph (and memory)
# small; kept from the previous round (half A / B: 0.01 0.914 / 0.932, the same as 0.02;
# 0.03 0.915 / 0.933).
_PAIR_FLOOR = 0.02
CHUNK_ROWS = 512  # rows per block product: bounds memory, not results
_MAX_TERMS = 60  # each article's heaviest terms; more changed nothing on half A (see above)
# Pair similarities are rounded to this many decimals before they are compared: float32
# sums in another order (another run, another block) differ in the last bits, and a
# story must not change with them.
_DECIMALS = 6


def _occurrences(texts: Texts) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(article, stem id, place weight, idf) of every content word and every name."""
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
    # A word by its own spelling; a name or figure by its term (the stem of its word).
    surface_idf = np.asarray([background_idf(word) for word in texts.surface])
    name_idf = np.asarray([background_idf(term) for term in texts.stems])
    idf = np.concatenate([surface_idf[texts.words[content]], name_idf[texts.name_stem].reshape(-1)])
    return rows, cols, values, idf


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    import wordfreq  # its data loads once, in 0.1 s

    return dict(wordfreq.get_frequency_dict("en", wordlist="best"))


def background_idf(word: str) -> float:
    """log10 of 1/p per billion words of English (wordfreq), capped at _IDF_CAP."""
    frequency = _frequencies().get(word.lower(), 0.0)
    if frequency <= 0.0:
        return _IDF_CAP
    return min(-math.log10(frequency), _IDF_CAP)


def term_vectors(texts: Texts) -> sparse.csr_matrix:
    """Each article's terms, weighted by place, mentions (sublinear) and background idf,
    its _MAX_TERMS heaviest kept and L2-normalised (float32): a row depends on its own
    article only, so a row product is a cosine that no other article changes."""
    return story_matrices(texts)[1]


def story_matrices(texts: Texts) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """cluster_matrix and term_vectors from one pass over the words."""
    rows, cols, values, idf = _occurrences(texts)
    shape = (texts.count, max(len(texts.stems), 1))
    # Place weights in the real part, place weights times idf in the imaginary part: one
    # conversion sums both per (article, term).
    both = sparse.csr_matrix((values + 1j * (values * idf), (rows, cols)), shape=shape)
    both.sum_duplicates()
    both.sort_indices()
    places = sparse.csr_matrix((both.data.real, both.indices, both.indptr), shape=shape)
    # A term's idf is the place-weighted mean over its mentions' spellings ("elected" and
    # "election" share a stem, not a frequency). Sublinear: the tenth mention says less
    # than the second.
    mean_idf = both.data.imag / places.data
    tf = np.where(places.data >= 1.0, 1.0 + np.log(np.maximum(places.data, 1.0)), places.data)
    weighted = sparse.csr_matrix((tf * mean_idf, places.indices, places.indptr), shape=shape)
    matrix = _heaviest(weighted, _MAX_TERMS, texts.stems)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0.0] = 1.0
    return places, sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix, dtype=np.float32)


def _heaviest(matrix: sparse.csr_matrix, limit: int, names: Sequence[str]) -> sparse.csr_matrix:
    """Each row's `limit` heaviest terms, ties broken by the term itself (not by its id,
    which depends on the run), so what a row keeps depends on its own article only: the
    columns are put in alphabetical order, where keep_top_terms keeps column order on ties."""
    alphabetical = np.empty(len(names), dtype=np.int64)
    alphabetical[np.argsort(np.asarray(names, dtype=object), kind="stable")] = np.arange(len(names))
    ordered = sparse.csr_matrix(
        (matrix.data, alphabetical[matrix.indices], matrix.indptr), shape=matrix.shape
    )
    ordered.sort_indices()
    kept = keep_top_terms(ordered, limit)
    back = np.argsort(alphabetical)
    result = sparse.csr_matrix((kept.data, back[kept.indices], kept.indptr), shape=matrix.shape)
    result.sort_indices()
    return result


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


def weekday_masks(texts: Texts) -> np.ndarray:
    """Each article's weekdays named in its headline or text (as read for grouping): bit k
    for _WEEKDAYS[k]. Per article, so a mask never depends on the other articles."""
    bits = np.asarray(
        [
            1 << _WEEKDAYS.index(word.lower()) if word.lower() in _WEEKDAYS else 0
            for word in texts.surface
        ],
        dtype=np.int64,
    )
    masks = np.zeros(texts.count, dtype=np.int64)
    named = np.nonzero(bits[texts.words])[0]
    np.bitwise_or.at(masks, texts.article[named], bits[texts.words[named]])
    return masks


def _weekday_damp(sims: np.ndarray, block: _Block, weekdays: np.ndarray | None) -> None:
    """Scale the pairs of the block that lack two dates by 1 - _WEEKDAY_DECAY where both
    reports name weekdays and none in common, in place."""
    if weekdays is None:
        return
    # Dated rows meet dated columns first: those pairs have their days.
    start = 0 if block.row_days is None else len(block.column_days)
    row_masks = weekdays[block.rows]
    column_masks = weekdays[block.columns[start:]]
    if not row_masks.any() or not column_masks.any():
        return
    apart = (row_masks[:, None] & column_masks[None, :]) == 0
    apart &= (row_masks != 0)[:, None]
    apart &= (column_masks != 0)[None, :]
    part = sims[:, start:]
    part[apart] *= np.float32(1.0 - _WEEKDAY_DECAY)


def story_graph(
    terms: sparse.csr_matrix,
    days: Sequence[int | None],
    weekdays: np.ndarray | None = None,
) -> tuple[dict[tuple[int, int], float], set[tuple[int, int]]]:
    """Baseline-adjusted, date-damped similarities of the pairs that may be one story,
    (first, second) with first < second, each at least _PAIR_FLOOR; and the pairs among
    them that are copies of each other (cosine at least _COPY_COSINE before damping).
    `weekdays` (weekday_masks; None: not used) damps the pairs without two dates whose
    texts name different weekdays.

    A pair's similarity depends on the two articles, their days (or weekdays) and their
    own nearest neighbours (the baselines), nothing else. Dated articles are compared block by block
    within their date window, so the cost grows with the articles per window rather than
    with the square of the total.
    """
    n = terms.shape[0]
    baselines = np.zeros(n)
    # One pass over the blocks finds the baselines and keeps every pair that could clear
    # the floor once the other article's baseline is known: the row's own baseline is
    # already a lower bound on what the pair must beat.
    found_i: list[np.ndarray] = []
    found_j: list[np.ndarray] = []
    found_sim: list[np.ndarray] = []
    copies: set[tuple[int, int]] = set()
    for block in _Windows(days).blocks():
        rows, cols = block.rows, block.columns
        sims = (terms[rows] @ terms[cols].T).toarray()
        r_idx, c_idx = np.nonzero(sims >= _COPY_COSINE)
        copies.update(
            (min(a, b), max(a, b))
            for a, b in zip(rows[r_idx].tolist(), cols[c_idx].tolist(), strict=True)
            if a != b
        )
        _damp(sims, block)
        _weekday_damp(sims, block, weekdays)
        baselines[rows] = np.maximum(_top_mean(sims), _BACKGROUND)
        bound = _PAIR_FLOOR + _BASELINE_SHARE * baselines[rows] / 2
        r_idx, c_idx = np.nonzero((sims > 0.0) & (sims >= bound[:, None]))
        found_i.append(np.minimum(rows[r_idx], cols[c_idx]))
        found_j.append(np.maximum(rows[r_idx], cols[c_idx]))
        found_sim.append(sims[r_idx, c_idx])
    if not found_i:
        return {}, set()
    first = np.concatenate(found_i)
    second = np.concatenate(found_j)
    adjusted = np.round(
        np.concatenate(found_sim) - _BASELINE_SHARE * (baselines[first] + baselines[second]) / 2,
        _DECIMALS,
    )
    keep = adjusted >= _PAIR_FLOOR
    # Each pair is found from both ends; the similarity is the same either way.
    graph = dict(
        zip(
            zip(first[keep].tolist(), second[keep].tolist(), strict=True),
            adjusted[keep].tolist(),
            strict=True,
        )
    )
    return graph, {pair for pair in copies if pair in graph}


def story_components(count: int, graph: Mapping[tuple[int, int], float]) -> list[list[int]]:
    """The articles joined by pairs that reach _MERGE_THRESHOLD, each group in index order,
    groups by their first index. Average linkage joins two groups only when their mean
    pair similarity reaches the threshold, which needs one pair that does: no story
    crosses these components, so each is clustered on its own (cluster_component)."""
    strong = [(i, j) for (i, j), sim in graph.items() if sim >= _MERGE_THRESHOLD]
    if not strong:
        return [[k] for k in range(count)]
    first, second = (np.asarray(side, dtype=np.int64) for side in zip(*strong, strict=True))
    adjacency = sparse.coo_matrix(
        (np.ones(len(first), dtype=np.int8), (first, second)), shape=(count, count)
    )
    _, labels = connected_components(adjacency, directed=False)
    members: dict[int, list[int]] = {}
    for index, label in enumerate(labels.tolist()):
        members.setdefault(label, []).append(index)
    return list(members.values())


def cluster_component(
    days: Sequence[int | None],
    graph: Mapping[tuple[int, int], float],
    copies: Collection[tuple[int, int]] = (),
) -> list[int]:
    """The stories of one component: `days` of its members, in article-id order, and the
    graph and copy pairs among them by those positions (i < j). Returns each member's
    story as the position of its story's first member, so the result depends only on the
    members' features and their order, never on the rest of the run."""
    roots = average_linkage(
        days, dict(graph), _MERGE_THRESHOLD, _COHESION, copies, window=_WINDOW_DAYS
    )
    first: dict[int, int] = {}
    return [first.setdefault(root, position) for position, root in enumerate(roots)]


def cluster_stories(docs: Sequence[tuple[str, str, date | None]]) -> list[int]:
    """Story label for each (title, text, date): equal labels mean the same event.

    Labels are 0, 1, 2, ... in order of each story's first item, so the result depends
    only on the input; the items of a component are clustered in the order of their
    content, so the order they come in changes no story.
    """
    texts = read_texts([(title, [text]) for title, text, _ in docs])
    keys = [f"{title}\x00{text}\x00{day}" for title, text, day in docs]
    days = [day for _, _, day in docs]
    return cluster_labels(term_vectors(texts), days, keys, weekday_masks(texts))


def cluster_labels(
    terms: sparse.csr_matrix,
    dates: Sequence[date | None],
    keys: Sequence[str],
    weekdays: np.ndarray | None = None,
) -> list[int]:
    """Story label for each article from its term_vectors row (and weekday_masks): the
    story graph, cut into components, each clustered on its own (cluster_component) with
    its members ordered by `keys` (article ids). Labels are numbered by each story's first
    article."""
    count = terms.shape[0]
    if count == 0:
        return []
    days = [day.toordinal() if day is not None else None for day in dates]
    graph, copies = story_graph(terms, days, weekdays)
    neighbours: dict[int, list[tuple[int, float]]] = {}
    for (i, j), sim in graph.items():
        neighbours.setdefault(i, []).append((j, sim))
    root = list(range(count))
    for members in story_components(count, graph):
        if len(members) == 1:
            continue
        members.sort(key=lambda index: (keys[index], index))
        position = {index: place for place, index in enumerate(members)}
        local: dict[tuple[int, int], float] = {}
        local_copies: list[tuple[int, int]] = []
        for index in members:
            for other, sim in neighbours.get(index, ()):
                if other in position:
                    a, b = sorted((position[index], position[other]))
                    local[(a, b)] = sim
                    if (min(index, other), max(index, other)) in copies:
                        local_copies.append((a, b))
        stories = cluster_component([days[index] for index in members], local, local_copies)
        for index, story in zip(members, stories, strict=True):
            root[index] = members[story]
    labels: dict[int, int] = {}
    return [labels.setdefault(story, len(labels)) for story in root]
