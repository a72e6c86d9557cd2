"""Stories: reports of one event folded together.

A similarity graph over articles: the cosine of their content terms (the headline and lead
count more than the tail, names and figures a little extra, each word weighted by its rarity
in English at large), damped by the days between two reports, and measured against each
article's own neighbourhood so a busy topic does not glue its distinct events together.
The graph (graph.py, kept so that a later run extends it) falls into connected components;
within each, average linkage (linkage.py) forms the stories, and two groups of several
reports join only when they agree with each other at least three quarters as well as within
themselves. Reports without two dates that name different weekdays count as less alike
(the weekday is the day their text gives), and so do those stating figures but none in
common (group/days.py) and those sharing what their neighbours hold (group/background.py).
A pair's similarity depends only on the two articles, their days (or weekdays) and their
nearest neighbours, and each component is
clustered on its own, in a fixed order, so a story does not depend on the order of the
input or on unrelated articles.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, MutableMapping, Sequence
from datetime import date
from itertools import chain

import numpy as np

from briefer.group.background import beyond_background, outlet_codes
from briefer.group.days import WINDOW_DAYS, weekday_masks
from briefer.group.graph import StoryGraph, story_graph
from briefer.group.linkage import (
    average_linkage,
    average_linkage_dense,
    components,
    pairs_digest,
)
from briefer.group.texts import TITLE_PART, Texts, body_ranks, read_texts
from briefer.group.top_terms import keep_top_terms
from briefer.sparse import sparse
from briefer.words import word_frequencies

# --- story clustering --------------------------------------------------------------------

# Chosen on half A of clusters_dev_undated.jsonl (benchmarks/clusters_halves.py; the
# figures of both halves are in docs/quality.md): _IDF_CAP, neighbours.BASELINE_SHARE,
# _MERGE_THRESHOLD and _COHESION, each the best of a small grid on half A (with the figures
# below, taken before days._WEEKDAY_DECAY, which was chosen last). neighbours.BACKGROUND comes
# from another file (themes_dev.jsonl, see below). Every figure in this note predates the
# baselines reaching a month (baselines over a month: dated file 0.982 -> 0.972, undated
# 0.903 -> 0.901, two thirds undated 0.904 -> 0.907). The rest are kept from the previous round
# and checked again with the values below (half A / B, chosen values 0.914 / 0.932; none
# was better on A by more than 0.002): neighbours.NEIGHBOURS 5 / 20 0.910 / 0.927, 0.903 / 0.921;
# _TITLE_WEIGHT 1 / 3 0.897 / 0.919, 0.915 / 0.923; _NAME_WEIGHT 0.5 / 2 0.915 / 0.931,
# 0.897 / 0.919; _LEAD_TERMS 30 / 100 0.916 / 0.931, 0.914 / 0.932; _MAX_TERMS 40 / 100
# 0.914 / 0.927, 0.914 / 0.932. A baseline from the median of the neighbours instead of
# their mean: 0.906 / 0.921. A headline embedding (wordllama, 256 dimensions) taking 0.2
# of each pair's similarity: half A +0.014, half B +0.002, the dated file -0.005, for a
# dependency that takes 1.4 s to load: not taken.
# Also tried on the undated file and not taken (half A / B / whole file, before the weekday
# damping: 0.914 / 0.932 / 0.891): a headline cosine taking 0.1 or 0.2 of the similarity
# 0.916 / 0.928 / 0.893, 0.917 / 0.924 / 0.889; a cosine of names and figures alone taking
# 0.1, 0.913 / 0.923 / 0.879, or gating the pair (x min(1, names / 0.1)) 0.908 / 0.930 /
# 0.887; pairs kept only between mutual 10 nearest neighbours 0.911 / 0.930 / 0.889; a share
# of shared nearest neighbours (10) in the similarity 0.881 / 0.907 / 0.866; a baseline
# skipping the closest one or two neighbours 0.912 / 0.922 / 0.889, 0.904 / 0.918 / 0.879;
# the similarity divided by the geometric mean of the baselines (less 0.8, threshold 0.15)
# 0.918 / 0.932 / 0.897; reports naming figures but none in common at 0.8 of their
# similarity 0.918 / 0.928 / 0.892; each report moved afterwards to the story it agrees with
# best 0.914 / 0.926 / 0.890; joins requiring three quarters of the crossing pairs in the
# graph 0.906 / 0.924 / 0.883.
# Checked on stories none of this was chosen on, the dated file read undated (`briefer eval
# clusters ../shared/eval/clusters_dev.jsonl --undated 1`: 0.885; two thirds undated, the
# held-out situation, 0.902): around the values chosen it is flat, and no value is better
# there and on half A (threshold 0.03 / 0.05 0.884 / 0.884; cohesion 0.5 / 1.0 0.880 /
# 0.894; weekday decay 0 / 0.25 0.885 / 0.886; neighbours 5 / 20 0.887 / 0.882; title
# weight 1 / 3 0.886 / 0.886; idf cap 4 / 6 0.891 / 0.884; name weight 0.5 / 2 0.887 /
# 0.885; lead terms 30 0.896 (half A 0.911); max terms 40 0.877; baseline share 0.7 / 0.9
# 0.883 / 0.888).
# Tried after the weekday damping and not taken (half A / B / whole undated file, dated
# file, dated file read undated; against 0.915 / 0.933 / 0.903, 0.982, 0.885):
# - a second opinion on meaning, the wordllama 0.4 static embedding (256 dimensions, its
#   wheel's weights) of the headline and first 60 words, taking 0.1 / 0.2 / 0.3 of each
#   pair's similarity: 0.911 / 0.935 / 0.905, 0.985, 0.889; 0.918 / 0.938 / 0.907, 0.982,
#   0.897; 0.917 / 0.941 / 0.907, 0.984, 0.898 (two thirds undated 0.902 -> 0.912 at 0.2;
#   +0.004 at every subset size; benchmarks/clusters_meanings.py). The one lead that gains
#   on the labelled files, the same when only pairs whose term cosine reaches 0.1 get it;
#   but it chains a busy topic (clusters_halves.py --busy: 144 -> 132 stories dated, 107
#   -> 97 undated at 0.2; meaning is shared by a topic more than words are), and as
#   256 more columns the graph's products take 6-7x the CPU (1,500 undated reports 0.08 ->
#   0.51 s), and it needs the vectors kept with the graph and the rows (if tried again: a
#   dense product per block, kept exact by the same quantum; loading takes 0.3-0.4 s of
#   CPU, embedding 10,000 texts 1.2-2.9 s). Cheaper forms lose it: its 64 / 32 leading
#   principal directions 0.910 / 0.939 / 0.902 and 0.907 / 0.938 / 0.900; dropping pairs
#   whose embedding cosine is under 0.35 0.912 / 0.929 / 0.900, 0.973; adding 0.1 x (its
#   cosine - 0.5) to every pair 0.915 / 0.932 / 0.903, 0.978; the headline alone at 0.2
#   0.918 / 0.936 / 0.902, 0.984, 0.896; the mean of the content words' own vectors (no
#   text tokenized at run time) 0.916 / 0.937 / 0.905, 0.999, 0.886. GloVe 6B 50d (place-
#   and idf-weighted mean of the words) at 0.1: 0.912 / 0.936 / 0.900, 0.995, 0.889. On
#   the 10,000-article bench week (/tmp/perf-corpus/10000-7d, a loaded machine) the graph
#   takes 1.85 s of CPU; the embedding's dense products over the same blocks 0.94 s more,
#   embedding the texts 2.9 s and loading the weights 0.3 s;
# - month names treated like weekdays (same-story pairs naming months but none in common
#   12%, different-story 47% on half A; B 7% / 74%), damped 0.1 / 0.15: 0.913 / 0.933 /
#   0.903 and 0.913 / 0.933 / 0.901: the pairs it touches are few and far from the threshold
#   (stop 30, capitalised and without May, on the busy topic too: background.py);
# - the larger of the two baselines instead of their mean (share 0.8) 0.908 / 0.928 /
#   0.896; the baseline as the neighbours' median 0.905 / 0.921 / 0.896, root mean square
#   0.916 / 0.932 / 0.903, third neighbour 0.906 / 0.932 / 0.895; each baseline without
#   the pair's other report (its eleventh neighbour in its place; share 0.6-0.8, threshold
#   0.04-0.08) at best 0.915 / 0.931 / 0.902, 0.979;
# - a shared term discounted by its share among the two reports' neighbours (0.5):
#   0.919 / 0.928;
# - every pair of a component at its adjusted similarity, negative ones too, instead of 0
#   under neighbours.PAIR_FLOOR: 0.912 / 0.934 / 0.900; a report joining a group only with a pair in
#   the graph to each member 0.908 / 0.925 / 0.895; only when its mean similarity to the
#   group is at least 0.5 / 0.6 of its best pair there 0.914 / 0.934 / 0.902, 0.907 /
#   0.922 / 0.894 (the same asked of every join: 0.913 / 0.934 / 0.902, 0.906 / 0.922 /
#   0.894); a quoted run of three words shared (9% of same-story pairs in the graph, 2-3%
#   of different-story ones, none of the pairs missed) has too little to give;
# - a report joining a group of three or more held to _COHESION: 0.919 / 0.939 / 0.910,
#   0.982, 0.890, but every labelled story has two or three reports, so the dev files
#   reward any rule that refuses a fourth; real events run to tens of reports.
#
# Where the undated mistakes are (benchmarks/clusters_halves.py FILE --kinds all; pairs of
# reports): in the undated file the labels join 241 pairs we split and split 258 we join. Of the
# 258, 220 are joined by a pair of their own over the threshold (113 of all 258 have a cosine of
# 0.4 or more): mostly different developments of one topic days apart (an FDA panel's advice and
# the first shots; a veto and the bill's passage; two weeks' jobless claims), sharing names (247
# of 258) and headline words (199). Of the 241, 71 clear the threshold and were lost in the
# linkage, 59 of them because one report had been taken by another story first (the dated file
# read two thirds / wholly undated: 31 of 74 and 39 of 83 split pairs): those follow the wrong
# joins. The rest are weak pairs: 52 with a cosine of 0.25 or more that the baselines put under
# the threshold, 99 at 0.1-0.25 and 19 under 0.1 (another angle on the story, often an opinion
# piece, rather than a paraphrase of the same report); 59 of the 241 have a report under 25
# content words. Read by hand, a sample of 14 split pairs held 4 of one event in other words and
# 10 of another angle on it (an opinion piece, a reaction), and a sample of 12 joined pairs 9
# developments of one topic and 3 a reader could call one story.
# Tried on that and not taken (half A / B / whole undated file; dated file; two thirds and
# wholly undated; --busy stories dated / undated; against 0.915 / 0.933 / 0.903; 0.982;
# 0.902, 0.885; 144 / 107):
# - near-synonyms folded (each content word to the commonest of itself and its
#   theme_neighbours list at 0.91, before weighting): 0.916 / 0.930 / 0.900; 0.982; 0.907,
#   0.889; 145 / 105; lower-case words only 0.917 / 0.933 / 0.900; 0.982; 0.906, 0.889; at
#   0.94 0.914 / 0.933 / 0.900; 0.982; 0.901, 0.884. Most of those lists are co-ordinate
#   words (weekdays, months, numbers, cities, teams; obama ~ bush ~ clinton, republicans ~
#   democrats), which are what tells two events apart, beside the few synonyms
#   (investigation ~ inquiry);
# - a headline against the other report's lead (idf-weighted cosine, the larger way round)
#   taking 0.1 / 0.2 of the similarity: 0.915 / 0.932 / 0.904; 0.982; 0.902, 0.887; 146 /
#   104 and 0.914 / 0.935 / 0.902; 0.981; 0.898, 0.884 (the mean of both ways: 0.913 /
#   0.931 / 0.901, 0.915 / 0.928 / 0.900); headline evidence as a second route, the pair's
#   similarity the larger of its cosine and 0.55 / 0.6 / 0.7 of the headlines' cosine:
#   0.915 / 0.934 / 0.902; 0.983; 0.903, 0.886 and 0.917 / 0.936 / 0.904; 0.983; 0.903,
#   0.888 (half A of the dated file read undated 0.950 -> 0.943) and 0.912 / 0.933 / 0.900.
#   Among the graph's pairs over the threshold the adjusted similarity tells same-story
#   pairs from others with an AUC of 0.900 (the raw cosine 0.753); a logistic fit on half A
#   adding the headline cosine, or the share of each headline found in the other text,
#   leaves half B at 0.907-0.908 against 0.907: the headline is in the vector already;
# - shared names and figures that wordfreq holds rarer than the idf cap, as extra evidence
#   (+0.05 x min(1, shared / 2)): 0.907 / 0.927 / 0.893; 0.985; 0.907, 0.884; 131 / 98 (it
#   chains the busy topic, whose reports share its names); figures alone (+0.05 for one):
#   0.910 / 0.930 / 0.897; 0.982; 0.908, 0.888; 142 / 104; figures weighed by wordfreq's own
#   rule for digits (a year is commoner than most numbers; here every figure is at the cap)
#   0.912 / 0.933 / 0.901; 0.982; 0.902, 0.884; 144 / 108;
# - idf to the power 0.5 / 1.5: 0.912 / 0.936 / 0.898 and 0.906 / 0.929 / 0.898 (dated
#   0.982, the undated readings within 0.003); mentions counted by square root 0.917 /
#   0.934 / 0.900; 0.982; 0.906, 0.890; once 0.892 / 0.908 / 0.872;
# - body words weighed by a half-life of their place (30 / 45 words) instead of lead and
#   tail: 0.902 / 0.925 / 0.896; 0.985; 0.912, 0.893; 135 / 96 and 0.905 / 0.934 / 0.898;
#   0.985; 0.907, 0.885; 139 / 98: better on the dated file, worse on the undated one, and
#   it chains the busy topic; half-life 30 with the threshold at 0.05 / 0.06 or the
#   baseline share at 0.9: half A 0.899 / 0.902 / 0.905, the whole file 0.894-0.896;
# - a short report's cosines shrunk (its squared norm + 250 under the root; the median is
#   about 1,500): 0.908 / 0.925 / 0.899; 0.976; 0.905, 0.882;
# - an undated report given the date of its closest dated report (cosine >= 0.5 / 0.4):
#   two thirds undated 0.899 / 0.898 against 0.902, a third undated 0.932 / 0.918 against
#   0.936 (a wrong date takes a true pair out of the window).
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

# The pair similarities, their date window and baselines are graph.py's (its constants
# were chosen with these, by the same note above).
# Average adjusted similarity needed to join two groups (half A / B: 0.02 0.911 / 0.925,
# 0.04 0.914 / 0.932, 0.06 0.907 / 0.927, 0.08 0.901 / 0.923).
_MERGE_THRESHOLD = 0.04
# Two groups of two or more reports join only when their mean similarity is at least this
# share of the looser group's own mean: two events of one topic are each tight and only
# loosely alike (half A / B: 0 0.867 / 0.877, 0.5 0.907 / 0.921, 0.75 0.914 / 0.932, 1.0
# 0.910 / 0.933). A report joining a group alone is not held to it (holding it to 0.5
# there: 0.878 / 0.904).
_COHESION = 0.75
_MAX_TERMS = 60  # each article's heaviest terms; more changed nothing on half A (see above)
# A component is clustered over a square array (linkage.average_linkage_dense: the same
# stories) from _DENSE_PAIRS pairs that are at least 2 / _DENSE_SHARE of its possible pairs:
# at most ~80 bytes a pair (10 a cell) against ~600 as dicts (1,500 near-copies of one
# report: 1.1 million pairs). Speed sets the floor: at 128 reports with half their pairs
# (4,064) both took 63-66 ms; with fewer or sparser pairs the dicts are faster.
_DENSE_PAIRS = 4096
_DENSE_SHARE = 8


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
    lower = [word.lower() for word in texts.surface]
    stems = [term.lower() for term in texts.stems]
    frequencies = word_frequencies()
    frequencies.prefetch(chain(lower, stems))
    surface_idf = _idfs(frequencies.get_many(lower, 0.0))
    name_idf = _idfs(frequencies.get_many(stems, 0.0))
    idf = np.concatenate([surface_idf[texts.words[content]], name_idf[texts.name_stem].reshape(-1)])
    return rows, cols, values, idf


def _idfs(frequencies: Sequence[float]) -> np.ndarray:
    """_background_idf of each frequency, worked out once for each distinct one: wordfreq's
    frequencies are whole centibels, a few hundred values among a run's ~10^5 words."""
    idf = {frequency: _background_idf(frequency) for frequency in set(frequencies)}
    return np.fromiter(map(idf.__getitem__, frequencies), dtype=np.float64, count=len(frequencies))


def _background_idf(frequency: float) -> float:
    """log10 of 1/p per billion words of English (wordfreq's p of the word), capped at
    _IDF_CAP."""
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


def story_roots(
    graph: StoryGraph,
    memo: MutableMapping[str, list[int]] | None = None,
    outlets: Mapping[str, str] | None = None,
) -> np.ndarray:
    """Each row's story, as the row of the story's first member. The graph falls into
    components joined by pairs that reach _MERGE_THRESHOLD: average linkage joins two
    groups only when their mean pair similarity reaches the threshold, which needs one
    pair that does, so no story crosses them, and each is clustered on its own
    (cluster_component) with its members in key order. A component's stories depend only
    on its members' days and the pairs among them, which component_key_of digests: `memo`,
    when given, maps those keys to cluster_component's results, read and filled here.
    outlets: each key's source (background.SAME_OUTLET_SHARE; None: none known)."""
    count = len(graph.keys)
    roots = np.arange(count, dtype=np.int64)
    similarity = beyond_background(graph, outlet_codes(graph.keys, outlets))
    strong = similarity >= _MERGE_THRESHOLD
    if not strong.any():
        return roots
    component = components(count, graph.first[strong], graph.second[strong])
    sizes = np.bincount(component)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    members_of = np.argsort(component, kind="stable")  # by component, rows in order
    place = np.empty(count, dtype=np.int64)  # each row's place among its component's rows
    place[members_of] = np.arange(count) - starts[component[members_of]]
    pair_component = component[graph.first]
    inside = np.nonzero(pair_component == component[graph.second])[0]
    inside = inside[np.argsort(pair_component[inside], kind="stable")]
    pair_starts = np.searchsorted(pair_component[inside], np.arange(len(sizes) + 1))
    for label in np.nonzero(sizes > 1)[0].tolist():
        members = members_of[starts[label] : starts[label + 1]]
        chosen = inside[pair_starts[label] : pair_starts[label + 1]]
        pairs = (place[graph.first[chosen]], place[graph.second[chosen]], similarity[chosen])
        copied = graph.copies[chosen]
        copies = (pairs[0][copied], pairs[1][copied])
        member_days = [graph.days[row] for row in members.tolist()]
        if memo is None:
            stories = _clustered(member_days, pairs, copies)
        else:
            key = component_key_of(member_days, pairs, copies)
            if key not in memo:
                memo[key] = _clustered(member_days, pairs, copies)
            stories = memo[key]
        roots[members] = members[np.asarray(stories, dtype=np.int64)]
    return roots


# A component's pairs as arrays: (first, second, similarity), first below second.
_Pairs = tuple[np.ndarray, np.ndarray, np.ndarray]


def _clustered(
    days: Sequence[int | None], pairs: _Pairs, copies: tuple[np.ndarray, np.ndarray]
) -> list[int]:
    """cluster_component of a component given as arrays; one dense enough
    (_DENSE_PAIRS) over a square array, the same stories (linkage.average_linkage_dense)."""
    first, second, sims = pairs
    if len(first) >= _DENSE_PAIRS and len(first) * _DENSE_SHARE >= len(days) ** 2:
        roots = average_linkage_dense(
            days, first, second, sims, _MERGE_THRESHOLD, _COHESION, copies, WINDOW_DAYS
        )
        assigned: dict[int, int] = {}
        return [assigned.setdefault(root, position) for position, root in enumerate(roots)]
    graph = dict(zip(zip(first.tolist(), second.tolist(), strict=True), sims.tolist(), strict=True))
    copied = list(zip(copies[0].tolist(), copies[1].tolist(), strict=True))
    return cluster_component(days, graph, copied)


def component_key_of(
    days: Sequence[int | None], pairs: _Pairs, copies: tuple[np.ndarray, np.ndarray]
) -> str:
    """A digest of everything cluster_component's result depends on (the component's days,
    pairs and copies, and the constants of the merging rule), for a memo of components across
    runs: the sha256 of the repr of (threshold, cohesion, window, days, the sorted pairs with
    their similarities, the sorted copies), fed to it a part at a time
    (linkage.pairs_digest) rather than made whole, so the keys stores already hold stay
    valid (tests/test_group_dense.py checks it against that repr made whole)."""
    head = (_MERGE_THRESHOLD, _COHESION, WINDOW_DAYS, tuple(days))
    return pairs_digest(head, *pairs, copies)


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
        days, dict(graph), _MERGE_THRESHOLD, _COHESION, copies, window=WINDOW_DAYS
    )
    first: dict[int, int] = {}
    return [first.setdefault(root, position) for position, root in enumerate(roots)]


def story_labels(
    graph: StoryGraph,
    keys: Sequence[str],
    memo: MutableMapping[str, list[int]] | None = None,
    outlets: Mapping[str, str] | None = None,
) -> list[int]:
    """Story label for each of the graph's articles, given by their keys in any order
    (an article given twice is taken twice as often as the graph holds it): labels are
    numbered 0, 1, 2, ... by each story's first article in that order. outlets: each key's
    source, as story_roots reads it."""
    roots = story_roots(graph, memo, outlets)
    rows: dict[str, list[int]] = {}
    for row, key in enumerate(graph.keys):
        rows.setdefault(key, []).append(row)
    taken: dict[str, int] = {}
    labels: dict[int, int] = {}
    result = []
    for key in keys:
        seen = taken.get(key, 0)
        taken[key] = seen + 1
        result.append(labels.setdefault(int(roots[rows[key][seen]]), len(labels)))
    return result


def cluster_stories(
    docs: Sequence[tuple[str, str, date | None]], sources: Sequence[str] | None = None
) -> list[int]:
    """Story label for each (title, text, date), of these sources if given (story_roots):
    equal labels mean the same event.

    Labels are 0, 1, 2, ... in order of each story's first item, so the result depends
    only on the input; the items of a component are clustered in the order of their
    content, so the order they come in changes no story.
    """
    texts = read_texts([(title, [text]) for title, text, _ in docs])
    keys = [f"{title}\x00{text}\x00{day}" for title, text, day in docs]
    days = [day for _, _, day in docs]
    return cluster_labels(
        term_vectors(texts), days, keys, texts.stems, weekdays=weekday_masks(texts),
        outlets=None if sources is None else dict(zip(keys, sources, strict=True)),
    )  # fmt: skip


def cluster_labels(
    terms: sparse.csr_matrix,
    dates: Sequence[date | None],
    keys: Sequence[str],
    names: Sequence[str] | None = None,
    memo: MutableMapping[str, list[int]] | None = None,
    weekdays: np.ndarray | None = None,
    outlets: Mapping[str, str] | None = None,
) -> list[int]:
    """Story label for each article from its term_vectors row (`names`: the terms of its
    columns; column numbers when left out), the weekdays its text names (days.weekday_masks;
    None: none) and its source (`outlets` by key; None: none known): the story graph, cut
    into components, each clustered on its own with its members ordered by `keys` (article
    ids). Labels are numbered by each story's first article."""
    if terms.shape[0] == 0:
        return []
    days = [day.toordinal() if day is not None else None for day in dates]
    if names is None:
        names = [str(column) for column in range(terms.shape[1])]
    return story_labels(story_graph(terms, names, days, keys, weekdays), keys, memo, outlets)
