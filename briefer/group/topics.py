"""Related stories under "Other developments", grouped and labelled by the words they share."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

from briefer.group.linkage import average_linkage_of
from briefer.group.texts import usual_form
from briefer.group.top_terms import keep_top_terms
from briefer.records import OTHER_THEME, Story, TermRows
from briefer.sparse import sparse

# Related-story labels under Other are a reading aid with no labelled data to measure them
# on; these values are kept from the previous round, unmeasured.
_TOPIC_THRESHOLD = 0.12  # average cosine needed to join two groups of related stories
_TOPIC_PAIR_FLOOR = 0.05  # a pair below this cosine is not a candidate at all (unmeasured)
_TOPIC_NEIGHBOURS = 20  # each story keeps only its closest candidates
# A topic shows in a story's heaviest few terms; the rest only slow the comparisons.
_TOPIC_MAX_TERMS = 20
_TOPIC_COMMON_SHARE = 0.05  # of the stories: a term in more says little about a topic...
_TOPIC_COMMON_MIN = 100  # ...once the briefing is big enough for that to matter
_TOPIC_TERMS = 3  # words in a label: a short noun phrase's length (unmeasured)
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


def _topic_pairs(vectors: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cosines of each story with its closest others, block by block: each pair (first
    below second, once) and its cosine. A pair two stories both keep is found from either:
    its product is one sum over their shared terms in column order, the same either way."""
    n = vectors.shape[0]
    # In a big briefing a term in many stories adds a sliver to every cosine and makes
    # every product dense; leaving it out keeps the cost near linear.
    df = np.bincount(vectors.indices, minlength=vectors.shape[1])
    keep = (df <= max(_TOPIC_COMMON_MIN, _TOPIC_COMMON_SHARE * n)).astype(vectors.dtype)
    vectors = sparse.csr_matrix(vectors @ sparse.diags(keep))
    vectors.eliminate_zeros()
    transposed = sparse.csr_matrix(vectors.T)
    firsts, seconds, cosines = [], [], []
    for start in range(0, n, _CHUNK_ROWS):
        rows = np.arange(start, min(start + _CHUNK_ROWS, n))
        sims = sparse.coo_matrix(vectors[rows] @ transposed)
        keep = (sims.data >= _TOPIC_PAIR_FLOOR) & (rows[sims.row] != sims.col)
        sims = sparse.csr_matrix(
            (sims.data[keep], (sims.row[keep], sims.col[keep])), shape=sims.shape
        )
        sims = sparse.coo_matrix(keep_top_terms(sims, _TOPIC_NEIGHBOURS))
        firsts.append(np.minimum(rows[sims.row], sims.col))
        seconds.append(np.maximum(rows[sims.row], sims.col))
        cosines.append(sims.data)
    if not firsts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float64)
    first = np.concatenate(firsts).astype(np.int64)
    second = np.concatenate(seconds).astype(np.int64)
    found = np.concatenate(cosines)
    # Each pair once: its last finding, as a dict updated block by block kept it (the
    # cosine is the same from either story, but last is what that dict said).
    last = len(first) - 1 - np.unique((first * n + second)[::-1], return_index=True)[1]
    return first[last], second[last], found[last].astype(np.float64)


def topic_labels(themes: Sequence[str], rows: TermRows, story_of: np.ndarray) -> list[str]:
    """Each story's related-story label ("" for none), the stories given by their themes:
    the related stories under OTHER_THEME grouped, and each group labelled by its words,
    the few that the group's headlines and leads share and the other stories lack. rows:
    every article's (group.rows), in the order story_of gives their stories; the columns are
    in alphabetical order, so ties go the same way whichever articles came in. Labels, not
    stories: the grouping makes each story once, with its label (a copy of each of ~3,000
    stories made to set it took ~0.02 s of the 10k bench week's +50 rerun)."""
    other = [index for index, theme in enumerate(themes) if theme == OTHER_THEME]
    result = [""] * len(themes)
    if len(other) < 2:
        return result
    position = np.full(len(themes), -1, dtype=np.int64)
    position[other] = np.arange(len(other))
    owner = position[story_of]
    articles = np.nonzero(owner >= 0)[0]
    membership = sparse.csr_matrix(
        (np.ones(len(articles)), (owner[articles], articles)), shape=(len(other), rows.count)
    )
    vectors = tfidf(sparse.csr_matrix(membership @ rows.places), _TOPIC_MAX_TERMS)
    roots = average_linkage_of(len(other), *_topic_pairs(vectors), _TOPIC_THRESHOLD)
    groups: defaultdict[int, list[int]] = defaultdict(list)
    for place, root in enumerate(roots):
        groups[root].append(place)

    labels = _labels(list(groups.values()), rows, membership)
    for group_members, label in zip(groups.values(), labels, strict=True):
        for place in group_members:
            result[other[place]] = label
    return result


def _labels(
    groups: Sequence[Sequence[int]], rows: TermRows, membership: sparse.csr_matrix
) -> list[str]:
    """Each group's label ("" for none): the few words that at least _TOPIC_SHARE of its
    stories have in their headlines and leads (figures say nothing of the topic), the rarer
    among all the stories the better, each in its usual spelling. membership: the stories
    (rows) by their articles (columns)."""
    total = membership.shape[0]
    # Each story's headline-and-lead terms: its articles' lead words, summed by term.
    lead_words = sparse.csr_matrix(
        (np.ones(len(rows.lead_term)), rows.lead_term, rows.lead_start),
        shape=(rows.count, len(rows.terms)),
    )
    present = sparse.csr_matrix(membership @ lead_words)
    present.data = np.ones_like(present.data)
    df = np.bincount(present.indices, minlength=present.shape[1])
    group_of = np.zeros(total, dtype=np.int64)
    for number, group_members in enumerate(groups):
        group_of[group_members] = number
    # How many of each group's stories have each term, for all groups in one product (a
    # dense row per group over every term was most of the time here).
    in_group = sparse.csr_matrix(
        (np.ones(total), (group_of, np.arange(total))), shape=(len(groups), total)
    )
    having = sparse.csr_matrix(in_group @ present)
    sizes = np.asarray([len(group_members) for group_members in groups], dtype=np.int64)
    group_row = np.repeat(np.arange(len(groups)), np.diff(having.indptr))
    # A group of all of them says nothing the heading does not.
    frequent = (having.data >= np.maximum(2.0, _TOPIC_SHARE * sizes[group_row])) & (
        (sizes[group_row] >= 2) & (sizes[group_row] < total)
    )
    counts, terms, owners = having.data[frequent], having.indices[frequent], group_row[frequent]
    # count / size * log((total + 1) / df), each operation as Python does it on floats (the
    # log by math.log, once per document frequency): the same scores, the same ties.
    logs = np.zeros(int(df.max(initial=0)) + 1)
    for value in np.unique(df[terms]).tolist():
        logs[value] = math.log((total + 1) / value)
    scores = counts / sizes[owners] * logs[df[terms]]
    chosen = _by_group(owners, terms, scores)
    chosen += [[] for _ in range(len(groups) - len(chosen))]
    forms = _lead_forms(chosen, rows, membership, group_of)
    return [", ".join(forms[number]) for number in range(len(groups))]


def _by_group(owners: np.ndarray, terms: np.ndarray, scores: np.ndarray) -> list[list[int]]:
    """Each group's _TOPIC_TERMS best terms (groups numbered 0 to the highest owner): highest
    score first, ties alphabetical (the columns are in alphabetical order)."""
    order = np.lexsort((terms, -scores, owners))
    owners, terms = owners[order], terms[order]
    first = np.searchsorted(owners, owners, side="left")
    keep = np.arange(len(owners)) - first < _TOPIC_TERMS
    chosen: list[list[int]] = [[] for _ in range(int(owners.max(initial=-1)) + 1)]
    for number, term in zip(owners[keep].tolist(), terms[keep].tolist(), strict=True):
        chosen[number].append(term)
    return chosen


def _lead_forms(
    chosen: Sequence[Sequence[int]],
    rows: TermRows,
    membership: sparse.csr_matrix,
    group_of: np.ndarray,
) -> list[list[str]]:
    """For each group, the usual spelling of each of its chosen terms in its stories'
    headlines and leads (texts.usual_form, over the spellings in the order the articles
    have them)."""
    width = len(rows.terms)
    wanted = np.zeros(width, dtype=bool)
    keys = [number * width + term for number, terms in enumerate(chosen) for term in terms]
    wanted[[term for terms in chosen for term in terms]] = True
    # Each article's group (-1: not among these stories).
    article_group = np.full(rows.count, -1, dtype=np.int64)
    story, article = membership.nonzero()
    article_group[article] = group_of[story]
    at = np.nonzero(wanted[rows.lead_term])[0]  # lead words of a chosen term (any group's)
    word_article = np.searchsorted(rows.lead_start, at, side="right") - 1
    word_group = article_group[word_article]
    word_key = word_group * width + rows.lead_term[at]
    hit = (word_group >= 0) & np.isin(word_key, np.asarray(keys, dtype=np.int64))
    at, word_key = at[hit], word_key[hit]
    order = np.argsort(word_key, kind="stable")  # by key, each key's words in text order
    sorted_keys = word_key[order]
    spelling = rows.lead_form[at[order]].tolist()
    bounds = np.searchsorted(sorted_keys, np.asarray(keys, dtype=np.int64)).tolist()
    ends = np.searchsorted(sorted_keys, np.asarray(keys, dtype=np.int64), side="right").tolist()
    found: dict[int, str] = {}
    for key, lo, hi in zip(keys, bounds, ends, strict=True):
        found[key] = usual_form(Counter(rows.forms[f] for f in spelling[lo:hi]))
    return [[found[number * width + term] for term in terms] for number, terms in enumerate(chosen)]


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
