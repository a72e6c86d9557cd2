"""Theme placement: each story filed under the theme its text is about, or under Other.

A story is scored against each theme of the user's file, BM25-style (Robertson and Zaragoza
2009): the theme's name, keywords and description are the query (theme_patterns); the
story's headline, lead and body are its fields, the headline and lead weighing more (BM25F),
none of them a gate. A story's scores and terms are those of its mean report.

Each report is read twice, and a theme may place it on either reading:
- the front: the headline and lead (the first texts.THEME_LEAD_WORDS content words of the
  body) at field weight 3, the body to 1,500 characters at 1;
- the whole article: the headline and lead as before, every body word past the lead at
  2^-(r / texts.BODY_HALF_LIFE), r its place past the lead, to the article's end (the body
  past 1,500 characters is read by the workers into a compact tail, texts._tail).
Both weigh a typical report alike, so one reference length and one chance model serve both.

A theme places a story only on evidence that cannot be chance: its score must reach what an
unrelated report of the same length would score against that theme (a per-theme null model: the
theme's words drawn at their English frequencies), the theme's words must be mentioned at least
twice (one word repeated or two), so one keyword in an unrelated context ("killed off" in a
game review) does not decide, and it must name the proper names of the theme's name. Among the
themes a story qualifies for, one whose name or keyword a headline says comes first, then the
most evidence in the theme's own words over the whole article chooses. A story of several
reports goes where most of them go, each placed alone (theme_choice.vote): its theme is always
one of its reports' own. Everything that decided is kept in the placement, so the explanations
show exactly it: the reading that placed the story, its score, its terms, and for a story of
several reports how many of them went where.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

from briefer.group.texts import (
    BODY_HALF_LIFE,
    THEME_LEAD_WORDS,
    TITLE_PART,
    Texts,
    article_slices,
    body_ranks,
    document_parts,
    read_texts,
    theme_key,
)
from briefer.group.theme_choice import (
    Reading,
    choose,
    headlined,
    passed_over,
    shortfall,
    tally,
    vote,
)
from briefer.group.theme_mentions import Forms, Hits, Positions, find_hits
from briefer.group.theme_names import also_names, other_names, qualifier_names, qualifiers
from briefer.group.theme_patterns import (
    _BODY_FIELD,
    _HEADLINE_FIELD,
    _LEAD_FIELD,
    _MIN_MENTIONS,
    _REFERENCE_LENGTH,
    _Pattern,
    _saturation,
    null_threshold,
    themes_patterns,
)
from briefer.records import OTHER_THEME, Document, Placement, Theme, ThemeFit
from briefer.sparse import sparse

log = logging.getLogger(__name__)

# Whole article, this stop (benchmarks/themes_whole.py prints every variant; high rows of
# themes_dev, accuracy on half A, where choices are made / half B; first wording then second;
# the front alone, as shipped before: 0.853 / 0.750 and 0.750 / 0.792, all 200 rows 0.710 /
# 0.690, sample 000 in Other): either reading qualifying, the whole article's own words ranking
# (built): 0.882 / 0.736, 0.750 / 0.778; all 200 rows 0.715 / 0.690; all five samples under
# their subjects. No whole-article variant held on both halves B: the whole reading alone 0.882
# / 0.708, 0.750 / 0.764 (half-life 30: 0.809 / 0.681; 125: 0.779 / 0.736, the membership
# sample under Weapons aid); the whole reading against a null at the article's own length, 10 /
# 12 SD: 0.779 / 0.708, 0.824 / 0.708; either reading with the whole one against the larger of
# that null and the reference one, 12 SD: 0.853 / 0.736, 0.735 / 0.792; the body past the front
# as a field saturated apart, best on half A at 16 SD: 0.868 / 0.694; the whole article ranking
# only, the front alone qualifying: 0.853 / 0.750, 0.765 / 0.792 (000 stays in Other: the whole
# article never decides whether a story is themed). The rows either reading moves are Other
# rows with war vocabulary deep in the body against themed rows that name their subject late,
# about as many each way on half B.


@dataclass(frozen=True)
class ThemeKeys:
    """The theme key (texts.theme_key) of every distinct word of a Texts, numbered: worked out
    when placing, and let go after, as nothing else reads them."""

    ids: dict[str, int]  # by key
    of_surface: np.ndarray  # by Texts.surface id (-1 for a word of no meaning)
    of_tail: np.ndarray  # by Texts.tail_forms id

    @classmethod
    def of(cls, texts: Texts) -> ThemeKeys:
        # theme_key's own cache left out: it would keep the run's words for the rest of the
        # run (28 MB at its 200,000); here each distinct word is keyed once.
        key = theme_key.__wrapped__
        ids: dict[str, int] = {}
        of_surface = np.full(len(texts.surface), -1, dtype=np.int64)
        for index in np.nonzero(texts.content)[0].tolist():
            of_surface[index] = ids.setdefault(key(texts.surface[index].lower()), len(ids))
        of_tail = np.fromiter(
            [ids.setdefault(key(form.lower()), len(ids)) for form in texts.tail_forms],
            dtype=np.int64,
            count=len(texts.tail_forms),
        )
        return cls(ids, of_surface, of_tail)


def _positions(texts: Texts, keys: ThemeKeys) -> Positions:
    """Every content word's place and weights: those read in order, then the tails."""
    word = np.nonzero(texts.content[texts.words])[0]
    article = texts.article[word]
    body = texts.part[word] != TITLE_PART
    ranks = body_ranks(article, body)
    lead = np.where(ranks < THEME_LEAD_WORDS, _LEAD_FIELD, _BODY_FIELD)
    front = np.where(body, lead, _HEADLINE_FIELD)
    # A tail word's place among its article's body words: after those read in order.
    read = np.bincount(article[body], minlength=texts.count)
    tail = np.repeat(np.arange(texts.count, dtype=np.int32), np.diff(texts.tail_bounds))
    tail_ranks = read[tail] + body_ranks(tail, np.ones(len(tail), dtype=bool))
    ranks = np.concatenate([ranks, tail_ranks])
    body = np.concatenate([body, np.ones(len(tail), dtype=bool)])
    past = np.maximum(ranks - THEME_LEAD_WORDS, 0)
    whole = np.where(ranks < THEME_LEAD_WORDS, _LEAD_FIELD, 2.0 ** (-past / BODY_HALF_LIFE))
    whole = np.where(body, whole * np.where(past > 0, _BODY_FIELD, 1.0), _HEADLINE_FIELD)
    return Positions(
        word=np.concatenate([word, -1 - np.arange(len(tail))]),
        article=np.concatenate([article, tail]),
        key=np.concatenate([keys.of_surface[texts.words[word]], keys.of_tail[texts.tail >> 1]]),
        weight=np.concatenate([front, np.zeros(len(tail))]),
        whole=whole,
        segment=np.concatenate([article * 3 + body[: len(word)], tail.astype(np.int64) * 3 + 2]),
    )


def _names(
    texts: Texts,
    positions: Positions,
    keys: dict[str, int],
    story_of: np.ndarray,
    count: int,
    themes: Sequence[Theme],
) -> tuple[np.ndarray, np.ndarray]:
    """Stories x themes, for the front and the whole article: the story names every proper
    name of the theme's name, as written or by its other name (the whole article: anywhere
    in it)."""
    front = np.ones((count, len(themes)), dtype=bool)
    whole = np.ones((count, len(themes)), dtype=bool)
    in_front = positions.word >= 0
    for t, theme in enumerate(themes):
        for qualifier in qualifiers(theme, themes):
            where = np.zeros(len(positions.key), dtype=bool)
            if qualifier in keys:
                where = positions.key == keys[qualifier]
            other = [keys[name] for name in also_names(qualifier) if name in keys]
            if other:
                where |= _as_names(texts, positions, np.isin(positions.key, other))
            named = np.zeros(count, dtype=bool)
            named_front = np.zeros(count, dtype=bool)
            named[story_of[positions.article[where]]] = True
            named_front[story_of[positions.article[where & in_front]]] = True
            front[:, t] &= named_front
            whole[:, t] &= named
    return front, whole


def _as_names(texts: Texts, positions: Positions, where: np.ndarray) -> np.ndarray:
    """Of the places `where`, those whose word is written as a name (capitalised): each
    distinct spelling looked at once (a country's name is met thousands of times a week)."""
    places = np.nonzero(where)[0]
    word = positions.word[places]
    read = word >= 0  # read in order, else in a tail
    capitalised = np.zeros(len(places), dtype=bool)
    for forms, ids, part in (
        (texts.surface, texts.words[word[read]], read),
        (texts.tail_forms, texts.tail[-1 - word[~read]] >> 1, ~read),
    ):
        distinct, inverse = np.unique(ids, return_inverse=True)
        upper = [forms[i][:1].isupper() for i in distinct.tolist()]
        capitalised[part] = np.asarray(upper, dtype=bool)[inverse]
    named = np.zeros(len(where), dtype=bool)
    named[places[capitalised]] = True
    return named


# Articles whose content words are laid out for placing at once: the layout's arrays come to
# about 110 bytes a word (both readings' weights, places, keys), ~25 KB an article of the
# 10,000-article bench week (body median 1,485 characters, 10% past 4,470), while what is kept
# of them, the mentions of theme words, is a few hundred bytes an article. Placed at once, the
# 10k bench week's cold run peaked at 577 MB against 455 (target 500, issue 13). Every row
# depends on its own article alone, so the slices joined are the whole.
_PLACING_SLICE = 1_000


@dataclass(frozen=True)
class _Mentions:
    """What placing reads of each article: its mentions of theme words, its weighted length
    in both readings, and whether it names each theme's names in each."""

    hits: Hits  # article: its index in texts; first / last: Positions.word over all texts
    front_length: np.ndarray
    whole_length: np.ndarray
    named_front: np.ndarray  # articles x themes
    named_whole: np.ndarray


def _mentions(
    texts: Texts, columns: Sequence[tuple[str, ...]], themes: Sequence[Theme]
) -> _Mentions:
    """The mentions of every article, _PLACING_SLICE articles at a time."""
    keys = ThemeKeys.of(texts)
    found: list[Hits] = []
    lengths: list[tuple[np.ndarray, np.ndarray]] = []
    names: list[tuple[np.ndarray, np.ndarray]] = []
    first = words = tails = 0
    for part in article_slices(texts, _PLACING_SLICE):
        positions = _positions(part, keys)
        hits = find_hits(part, keys.ids, positions, columns)
        # Numbered over all of texts: an article, a word read in order, a word of a tail.
        tail = hits.first < 0
        found.append(
            Hits(
                article=hits.article + first,
                column=hits.column,
                weight=hits.weight,
                whole=hits.whole,
                first=np.where(tail, hits.first - tails, hits.first + words),
                last=np.where(tail, hits.last - tails, hits.last + words),
            )
        )
        at = positions.article
        lengths.append(
            (
                np.bincount(at, weights=positions.weight, minlength=part.count),
                np.bincount(at, weights=positions.whole, minlength=part.count),
            )
        )
        names.append(_names(part, positions, keys.ids, np.arange(part.count), part.count, themes))
        first, words, tails = (
            first + part.count,
            words + len(part.words),
            tails + len(part.tail),
        )
    joined = Hits(*(np.concatenate([getattr(h, f.name) for h in found]) for f in fields(Hits)))
    # In reading order, article by article (the words read in order, then the tail's): a
    # story's mentions are summed, and its quoted spellings sampled, in the same order however
    # the articles were sliced or which others were placed with them.
    tail = joined.first < 0
    order = np.lexsort((np.where(tail, -1 - joined.first, joined.first), tail, joined.article))
    return _Mentions(
        Hits(*(getattr(joined, f.name)[order] for f in fields(Hits))),
        np.concatenate([front for front, _ in lengths]),
        np.concatenate([whole for _, whole in lengths]),
        np.concatenate([front for front, _ in names]),
        np.concatenate([whole for _, whole in names]),
    )


def _read(
    hits: Hits,
    weight: np.ndarray,
    length: np.ndarray,
    story_of: np.ndarray,
    patterns: tuple[np.ndarray, np.ndarray, np.ndarray],
    qualified: np.ndarray,
) -> Reading:
    """One reading's evidence: each mention at `weight`, each report `length` long."""
    weights, own, needed = patterns
    count = len(length)
    story = story_of[hits.article]
    shape = (count, weights.shape[0])
    per_story = sparse.csr_matrix((weight, (story, hits.column)), shape=shape)
    per_story.sum_duplicates()
    per_story.eliminate_zeros()  # the front reads no tail
    # A story reads as its mean report: three outlets telling it score like one report.
    reports = np.maximum(np.bincount(story_of, minlength=count), 1).astype(np.float64)
    gains = sparse.csr_matrix(sparse.diags(1.0 / reports) @ per_story)
    ratio = np.repeat(length / reports / _REFERENCE_LENGTH, np.diff(gains.indptr))
    gains.data = _saturation(gains.data, ratio)
    themes = weights.shape[1]
    scores = np.asarray(gains @ weights).reshape(count, themes)
    read = weight > 0  # the front reads no tail
    found = sparse.csr_matrix(
        (np.ones(int(read.sum())), (story[read], hits.column[read])), shape=shape
    )
    mentions = np.asarray(found @ (weights > 0)).reshape(count, themes).astype(np.int64)
    eligible = (scores >= needed) & (mentions >= _MIN_MENTIONS) & qualified & (needed > 0)
    own_scores = np.asarray(gains @ own).reshape(count, themes)
    return Reading(gains, scores, own_scores, mentions, qualified, eligible)


def pattern_weights(
    patterns: Sequence[Sequence[_Pattern]], columns: Sequence[tuple[str, ...]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The themes' patterns as three (column x theme) matrices, a column for each of
    `columns` (patterns' stems): each pattern's weight, its weight when it is the theme's own
    word (0 for a near-synonym), and 1 where it is an outright mention (the name or a
    keyword)."""
    column = {stems: c for c, stems in enumerate(columns)}
    weights = np.zeros((max(len(columns), 1), len(patterns)))
    own = np.zeros_like(weights)
    outright = np.zeros_like(weights)
    for t, theme_patterns_ in enumerate(patterns):
        for pattern in theme_patterns_:
            weights[column[pattern.stems], t] = pattern.weight
            own[column[pattern.stems], t] = pattern.weight if pattern.own else 0.0
            outright[column[pattern.stems], t] = 1.0 if pattern.outright else 0.0
    return weights, own, outright


def placements(
    texts: Texts,
    story_of: np.ndarray,
    count: int,
    themes: Sequence[Theme],
    explain: str = "all",
) -> list[Placement]:
    """The placement of every story. `explain` says which fits get their terms: "all", or
    "primary" (the chosen theme, or the nearest one for an Other story: all a briefing
    shows)."""
    patterns = themes_patterns(themes)
    needed = np.asarray([null_threshold(p) for p in patterns], dtype=np.float64)
    columns = sorted({p.stems for theme_patterns_ in patterns for p in theme_patterns_})
    read = _mentions(texts, columns, themes)
    hits = read.hits
    weights, own, outright = pattern_weights(patterns, columns)
    front_length = np.bincount(story_of, weights=read.front_length, minlength=count)
    whole_length = np.bincount(story_of, weights=read.whole_length, minlength=count)
    # A story names a theme's names when one of its reports does.
    named_front = np.zeros((count, len(themes)), dtype=bool)
    named_whole = np.zeros_like(named_front)
    np.logical_or.at(named_front, story_of, read.named_front)
    np.logical_or.at(named_whole, story_of, read.named_whole)
    query = (weights, own, needed)
    front = _read(hits, hits.weight, front_length, story_of, query, named_front)
    whole = _read(hits, hits.whole, whole_length, story_of, query, named_whole)
    eligible, best = choose(front, whole, headlined(texts, hits, outright, story_of, count))
    over = passed_over(front, whole, best)  # where the headline decided (a story of one report)
    # Each theme's reading shown: the whole article's when it qualifies (it holds every word of
    # the front), else the front's when that does, else the one scoring higher.
    shows_whole = whole.eligible | (~front.eligible & (whole.scores >= front.scores))
    scores = np.where(shows_whole, whole.scores, front.scores)
    relative = scores / np.where(needed > 0, needed, np.inf)
    reports = np.bincount(story_of, minlength=count)
    votes = np.zeros((count, len(themes) + 1), dtype=np.int64)  # Other, then each theme
    if themes and (reports > 1).any():
        # Each report placed alone; a story of several goes where most of them go (vote).
        alone = np.arange(len(story_of))
        eligible_alone, best_alone = choose(
            _read(hits, hits.weight, read.front_length, alone, query, read.named_front),
            _read(hits, hits.whole, read.whole_length, alone, query, read.named_whole),
            headlined(texts, hits, outright, alone, len(alone)),
        )
        np.add.at(votes, (story_of, best_alone + 1), 1)
        eligible = np.zeros_like(eligible)
        np.logical_or.at(eligible, story_of, eligible_alone)
        best = vote(votes, whole.own)
    else:
        votes[np.arange(count), best + 1] = 1
    # An Other story's nearest theme: the one most of its reports took, then the one its
    # evidence comes closest to clearing.
    taken = votes[:, 1:]
    nearest = (
        np.argmax(np.where(taken == taken.max(axis=1)[:, None], relative, -np.inf), axis=1)
        if themes
        else np.zeros(count, dtype=np.int64)
    )

    forms = Forms(texts, hits, story_of[hits.article], weights.shape[0])
    names = [theme.name for theme in themes]
    # The names an Other story's explanation says it lacks, once a theme: qualifier_names
    # reads the whole file's casing, and the 10k bench week has ~7,000 Other stories.
    lacking = [
        [" nor ".join((w, *other_names(theme_key(w.lower())))) for w in qualifier_names(t, themes)]
        for t in themes
    ]
    result: list[Placement] = []
    for s in range(count):
        shown = best[s] if best[s] >= 0 else nearest[s]
        fits = []
        for t, theme in enumerate(themes):
            reading = whole if shows_whole[s, t] else front
            terms: tuple[str, ...] = ()
            if scores[s, t] > 0.0 and (explain == "all" or t == shown):
                lo, hi = reading.gains.indptr[s], reading.gains.indptr[s + 1]
                story_columns = reading.gains.indices[lo:hi]
                gains = reading.gains.data[lo:hi] * weights[story_columns, t]
                terms = forms.why(s, story_columns, gains)
            fits.append(
                ThemeFit(
                    theme.name, float(scores[s, t]), terms, bool(eligible[s, t]), float(needed[t])
                )
            )
        if best[s] < 0:
            why: tuple[str, ...] = ()
            if themes and scores[s, shown] > 0.0:
                theme = themes[shown]
                named = lacking[shown]
                reading = whole if shows_whole[s, shown] else front
                lacked = (
                    f"nearest theme {theme.name}: {tally(votes[s], shown, names, 'there')}"
                    if reports[s] > 1
                    else shortfall(theme.name, reading, s, shown, float(needed[shown]), named)
                )
                why = (lacked, *fits[shown].terms)
            result.append(Placement(OTHER_THEME, (), why, tuple(fits)))
            continue
        order = sorted(
            (t for t in range(len(themes)) if eligible[s, t] and t != best[s]),
            key=lambda t: (-relative[s, t], t),
        )
        # A secondary theme is one whose evidence clears its own null too (in one report).
        secondary = tuple(themes[t].name for t in order)
        why = fits[best[s]].terms
        if reports[s] > 1:  # what decided: its reports, each placed alone
            why = (tally(votes[s], best[s], names, "here"), *why)
        elif over[s] >= 0:  # its headline names this theme, ahead of more evidence elsewhere
            why = (f"its headline names this theme (ahead of {names[over[s]]})", *why)
        result.append(Placement(themes[best[s]].name, secondary, why, tuple(fits)))
    return result


def place_themes(stories: Sequence[Sequence[Document]], themes: Sequence[Theme]) -> list[Placement]:
    """The placement of each story (the reports of one event) under the themes. Each story
    is placed on its own text alone: the other stories given change nothing."""
    texts = read_texts([document_parts(d) for documents in stories for d in documents])
    story_of = np.repeat(np.arange(len(stories)), [len(documents) for documents in stories])
    return placements(texts, story_of.astype(np.int64), len(stories), themes)
