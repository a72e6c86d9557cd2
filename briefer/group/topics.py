"""Related stories under "Other developments", grouped and labelled by the words they share."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from scipy import sparse

from briefer.group.linkage import average_linkage
from briefer.group.stories import keep_top_terms
from briefer.group.texts import usual_form
from briefer.records import OTHER_THEME, Story, TermRows

# Related-story labels under Other are a reading aid with no labelled data to measure them
# on; these values are kept from the previous round, unmeasured.
_TOPIC_THRESHOLD = 0.12  # average cosine needed to join two groups of related stories
_TOPIC_PAIR_FLOOR = 0.05
_TOPIC_NEIGHBOURS = 20  # each story keeps only its closest candidates
# A topic shows in a story's heaviest few terms; the rest only slow the comparisons.
_TOPIC_MAX_TERMS = 20
_TOPIC_COMMON_SHARE = 0.05  # of the stories: a term in more says little about a topic...
_TOPIC_COMMON_MIN = 100  # ...once the briefing is big enough for that to matter
_TOPIC_TERMS = 3
_TOPIC_SHARE = 0.5  # a label word is in the headline or lead of at least this share
_CHUNK_ROWS = 512  # stories per block product: bounds memory, not results


def tfidf(raw: sparse.csr_matrix, limit: int) -> sparse.csr_matrix:
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


def _topic_pairs(vectors: sparse.csr_matrix) -> dict[tuple[int, int], float]:
    """Cosines of each story with its closest others, block by block."""
    pairs: dict[tuple[int, int], float] = {}
    n = vectors.shape[0]
    # In a big briefing a term in many stories adds a sliver to every cosine and makes
    # every product dense; leaving it out keeps the cost near linear.
    df = np.bincount(vectors.indices, minlength=vectors.shape[1])
    keep = (df <= max(_TOPIC_COMMON_MIN, _TOPIC_COMMON_SHARE * n)).astype(vectors.dtype)
    vectors = sparse.csr_matrix(vectors @ sparse.diags(keep))
    vectors.eliminate_zeros()
    transposed = sparse.csr_matrix(vectors.T)
    for start in range(0, n, _CHUNK_ROWS):
        rows = np.arange(start, min(start + _CHUNK_ROWS, n))
        sims = sparse.coo_matrix(vectors[rows] @ transposed)
        keep = (sims.data >= _TOPIC_PAIR_FLOOR) & (rows[sims.row] != sims.col)
        sims = sparse.csr_matrix(
            (sims.data[keep], (sims.row[keep], sims.col[keep])), shape=sims.shape
        )
        sims = sparse.coo_matrix(keep_top_terms(sims, _TOPIC_NEIGHBOURS))
        first = np.minimum(rows[sims.row], sims.col).tolist()
        second = np.maximum(rows[sims.row], sims.col).tolist()
        pairs.update(zip(zip(first, second, strict=True), sims.data.tolist(), strict=True))
    return pairs


def label_topics(stories: Sequence[Story], rows: TermRows, story_of: np.ndarray) -> list[Story]:
    """Group the related stories under OTHER_THEME and label each group by its words:
    the few that the group's headlines and leads share and the other stories lack. rows:
    every article's (group.rows), in the order story_of gives their stories; the columns are
    in alphabetical order, so ties go the same way whichever articles came in."""
    other = [index for index, story in enumerate(stories) if story.theme == OTHER_THEME]
    result = list(stories)
    if len(other) < 2:
        return result
    position = np.full(len(stories), -1, dtype=np.int64)
    position[other] = np.arange(len(other))
    owner = position[story_of]
    articles = np.nonzero(owner >= 0)[0]
    membership = sparse.csr_matrix(
        (np.ones(len(articles)), (owner[articles], articles)), shape=(len(other), rows.count)
    )
    vectors = tfidf(sparse.csr_matrix(membership @ rows.places), _TOPIC_MAX_TERMS)
    pairs = _topic_pairs(vectors)
    roots = average_linkage([None] * len(other), pairs, _TOPIC_THRESHOLD)
    groups: defaultdict[int, list[int]] = defaultdict(list)
    for place, root in enumerate(roots):
        groups[root].append(place)

    # Headline and lead words (figures say nothing of the topic), by term.
    word_article = np.repeat(np.arange(rows.count), np.diff(rows.lead_start))
    lead = np.nonzero(owner[word_article] >= 0)[0]
    lead_story = owner[word_article[lead]]
    lead_stem = rows.lead_term[lead]
    present = sparse.csr_matrix(
        (np.ones(len(lead)), (lead_story, lead_stem)), shape=(len(other), len(rows.terms))
    )
    present.sum_duplicates()
    present.data = np.ones_like(present.data)
    df = np.bincount(present.indices, minlength=present.shape[1])
    total = len(other)
    group_of = np.zeros(len(other), dtype=np.int64)
    for number, group_members in enumerate(groups.values()):
        group_of[group_members] = number
    lead_group = group_of[lead_story]
    by_group = np.argsort(lead_group, kind="stable")
    bounds = np.searchsorted(lead_group[by_group], np.arange(len(groups) + 1))
    # How many of each group's stories have each term, for all groups in one product (a
    # dense row per group over every term was most of the time here).
    in_group = sparse.csr_matrix(
        (np.ones(len(other)), (group_of, np.arange(len(other)))), shape=(len(groups), len(other))
    )
    having = sparse.csr_matrix(in_group @ present)
    having.sort_indices()
    for number, group_members in enumerate(groups.values()):
        # A group of all of them says nothing the heading does not.
        if len(group_members) < 2 or len(group_members) == len(other):
            continue
        lo, hi = having.indptr[number], having.indptr[number + 1]
        counts, terms = having.data[lo:hi], having.indices[lo:hi]
        least = max(2.0, _TOPIC_SHARE * len(group_members))
        frequent = counts >= least
        scored = [
            (
                count / len(group_members) * math.log((total + 1) / df[term]),
                rows.terms[term],
                term,
            )
            for term, count in zip(terms[frequent].tolist(), counts[frequent].tolist(), strict=True)
        ]
        chosen = sorted(scored, key=lambda s: (-s[0], s[1]))[:_TOPIC_TERMS]
        if not chosen:
            continue
        mine = by_group[bounds[number] : bounds[number + 1]]
        forms = []
        for _, _, term in chosen:
            where = lead[mine[lead_stem[mine] == term]]
            forms.append(usual_form(Counter(rows.forms[f] for f in rows.lead_form[where].tolist())))
        label = ", ".join(forms)
        for place in group_members:
            index = other[place]
            result[index] = replace(result[index], topic=label)
    return result


def by_topic(stories: Sequence[Story]) -> list[Story]:
    """Related stories together, groups ordered by their newest story, then the rest."""
    first: dict[str, int] = {}
    for position, story in enumerate(stories):  # already newest first
        if story.topic:
            first.setdefault(story.topic, position)
    order = sorted(
        range(len(stories)),
        key=lambda k: (not stories[k].topic, first.get(stories[k].topic, 0), k),
    )
    return [stories[k] for k in order]
