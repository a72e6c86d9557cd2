"""Group stage: fold reports of the same event into stories, and file stories under themes.

Stories come from a similarity graph over articles: tf-idf cosine of content terms (the
headline and lead count more than the tail, names count a little extra), damped by the
days between two reports, and measured against each article's own neighbourhood so a busy
topic does not glue its distinct events together. Average linkage over that sparse graph
then forms the stories without the chaining of single-link grouping.

Themes come from the user's themes file: each story is scored against each theme's name,
keywords and description, and filed under the best one, or under OTHER_THEME.
"""

from __future__ import annotations

import heapq
import logging
import math
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

from briefer.errors import OptionsError, ThemesError
from briefer.records import (
    OTHER_THEME,
    Article,
    Bullet,
    Document,
    Section,
    Story,
    Summary,
    Theme,
)
from briefer.words import content_terms, stem, stopwords, tokens

log = logging.getLogger(__name__)

# --- story clustering --------------------------------------------------------------------

# Same-event reports share their who/what/where in the headline and first lines; the tail
# drifts into background that every article on the topic shares, so it counts for little.
_TITLE_WEIGHT = 2.0
_LEAD_TERMS = 60
_LEAD_WEIGHT = 1.0
_TAIL_WEIGHT = 0.2
_NAME_WEIGHT = 1.0  # extra weight for a capitalised word or a number: who and how many
# Past this the text only adds background; the cap keeps 10,000 articles to seconds.
_MAX_CHARS = 1500

_WINDOW_DAYS = 3  # reports further apart than this are different events
_DAY_DECAY = 0.25  # each day between two reports takes this share off their similarity
# An article's baseline is the mean similarity of its closest neighbours (padded with
# zeros when it has fewer): on a busy topic every pair looks alike, and only similarity
# above that shared background says "same event".
_NEIGHBOURS = 10
_BASELINE_SHARE = 0.7
_MERGE_THRESHOLD = 0.1  # average adjusted similarity needed to join two groups
_UNDATED_MIN = 0.8  # raw cosine an undated article needs: a copy, give or take furniture
_PAIR_FLOOR = 0.02  # adjusted similarities below this are treated as zero (keeps memory flat)
_CHUNK_ROWS = 512
_MAX_TERMS = 60


# A capitalised word that does not open a sentence (the lookbehinds rule out a sentence
# end, an opening quote or bracket, or a line start just before it), or a number with two
# or more digits. One regex pass, because this runs over every article; the lookahead
# first lets the engine skip most positions before trying the lookbehinds.
_NAME = re.compile(
    r"(?=[A-Z0-9])(?<![.!?:;\"“”‘’(\[\n]\s)(?<![.!?:;\"“”‘’(\[\n])(?<!^)(?<![^\W_])"
    r"(?:[A-Z][^\W_]*(?:['’.\-][^\W_]+)*|\d[\d,.]*\d)"
)


def _names(text: str) -> list[str]:
    """Names and figures: two outlets on one event name the same people and quote the same
    numbers, while two events on one topic mostly do not."""
    stop = stopwords()
    found: list[str] = []
    for match in _NAME.finditer(text):
        word = match.group(0).lower()
        if word[0].isdigit():
            found.append(word)
        elif word not in stop:
            found.append(stem(word))
    return found


def _term_weights(title: str, text: str) -> dict[str, float]:
    body = text[:_MAX_CHARS]
    terms = content_terms(body)
    weights: dict[str, float] = {}
    for part, weight in (
        (content_terms(title), _TITLE_WEIGHT),
        (terms[:_LEAD_TERMS], _LEAD_WEIGHT),
        (terms[_LEAD_TERMS:], _TAIL_WEIGHT),
        (_names(title + "\n" + body), _NAME_WEIGHT),
    ):
        for term, count in Counter(part).items():
            weights[term] = weights.get(term, 0.0) + weight * count
    return weights


def _keep_top_terms(matrix: sparse.csr_matrix, limit: int) -> sparse.csr_matrix:
    """Each row's `limit` heaviest terms: the rest barely move a cosine but dominate the
    cost of the products."""
    lengths = np.diff(matrix.indptr)
    if lengths.size == 0 or lengths.max() <= limit:
        return matrix
    row_of = np.repeat(np.arange(matrix.shape[0]), lengths)
    # Heaviest first within each row; lexsort is stable, so ties keep column order.
    order = np.lexsort((-matrix.data, row_of))
    rank = np.arange(matrix.nnz) - matrix.indptr[row_of[order]]
    keep = order[rank < limit]
    return sparse.csr_matrix(
        (matrix.data[keep], (row_of[keep], matrix.indices[keep])), shape=matrix.shape
    )


def _tfidf(weight_rows: Sequence[dict[str, float]]) -> sparse.csr_matrix:
    """Rows L2-normalised, so a row product is a cosine; an empty row stays all zero."""
    vocabulary: dict[str, int] = {}
    indices: list[int] = []
    values: list[float] = []
    indptr = [0]
    for weights in weight_rows:
        indices.extend(vocabulary.setdefault(term, len(vocabulary)) for term in weights)
        values.extend(weights.values())
        indptr.append(len(indices))
    n = len(weight_rows)
    raw = np.asarray(values, dtype=np.float64)
    # Sublinear: the tenth mention says less than the second.
    tf = np.where(raw >= 1.0, 1.0 + np.log(np.maximum(raw, 1.0)), raw)
    matrix = sparse.csr_matrix(
        (tf, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(n, max(len(vocabulary), 1)),
    )
    matrix.sort_indices()
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    matrix = _keep_top_terms(sparse.csr_matrix(matrix @ sparse.diags(idf)), _MAX_TERMS)
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


class _Windows:
    """Dated articles in date order, cut into row blocks, each with its window of columns."""

    def __init__(self, days: Sequence[int | None]) -> None:
        dated = sorted((day, i) for i, day in enumerate(days) if day is not None)
        self.order = np.asarray([i for _, i in dated], dtype=np.int64)
        self.ordinals = np.asarray([day for day, _ in dated], dtype=np.int64)

    def blocks(self) -> Iterable[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """(rows, columns, date factor, column-comes-later mask) for each block of rows.

        The factor is zero for an article against itself and beyond the window; the mask
        marks each pair in one block only.
        """
        for start in range(0, len(self.order), _CHUNK_ROWS):
            stop = min(start + _CHUNK_ROWS, len(self.order))
            row_days = self.ordinals[start:stop]
            lo = int(np.searchsorted(self.ordinals, row_days[0] - _WINDOW_DAYS, side="left"))
            hi = int(np.searchsorted(self.ordinals, row_days[-1] + _WINDOW_DAYS, side="right"))
            gaps = np.abs(row_days[:, None] - self.ordinals[lo:hi][None, :])
            factor = np.clip(1.0 - _DAY_DECAY * gaps, 0.0, None).astype(np.float32)
            factor[gaps > _WINDOW_DAYS] = 0.0
            diagonal = np.arange(stop - start)
            factor[diagonal, start - lo + diagonal] = 0.0
            later = np.arange(lo, hi)[None, :] > np.arange(start, stop)[:, None]
            yield self.order[start:stop], self.order[lo:hi], factor, later


def _block_sims(
    vectors: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray, factor: np.ndarray
) -> np.ndarray:
    sims: np.ndarray = (vectors[rows] @ vectors[cols].T).toarray()
    sims *= factor
    return sims


def _candidate_pairs(
    vectors: sparse.csr_matrix, days: Sequence[int | None]
) -> dict[tuple[int, int], float]:
    """Baseline-adjusted, date-damped cosines of the pairs that may be one story.

    Dated articles are compared block by block within their date window, so the cost
    grows with the articles per window rather than with the square of the total.
    """
    n = vectors.shape[0]
    windows = _Windows(days)
    baselines = np.zeros(n)

    # An undated article may be a copy of anything, but a date gives it no support: only
    # a near-duplicate counts. These pairs are few, so they are kept as they are.
    undated_pairs: dict[tuple[int, int], float] = {}
    undated = np.asarray([i for i, day in enumerate(days) if day is None], dtype=np.int64)
    for start in range(0, len(undated), _CHUNK_ROWS):
        rows = undated[start : start + _CHUNK_ROWS]
        sims = (vectors[rows] @ vectors.T).toarray()
        sims[np.arange(len(rows)), rows] = 0.0
        for r, j in zip(*np.nonzero(sims >= _UNDATED_MIN), strict=True):
            i = int(rows[r])
            undated_pairs[(min(i, int(j)), max(i, int(j)))] = float(sims[r, j])
    extra: defaultdict[int, list[float]] = defaultdict(list)
    for (i, j), sim in undated_pairs.items():
        extra[i].append(sim)
        extra[j].append(sim)

    extra_rows = np.asarray(sorted(extra), dtype=np.int64)

    # One pass over the blocks finds the baselines and keeps every pair that could clear
    # the floor once the other article's baseline is known: the row's own baseline is
    # already a lower bound on what the pair must beat.
    found_i: list[np.ndarray] = []
    found_j: list[np.ndarray] = []
    found_sim: list[np.ndarray] = []
    for rows, cols, factor, later in windows.blocks():
        sims = _block_sims(vectors, rows, cols, factor)
        baselines[rows] = _top_mean(sims)
        for r in np.nonzero(np.isin(rows, extra_rows))[0]:
            both = np.concatenate([sims[r], extra[int(rows[r])]])
            baselines[rows[r]] = _top_mean(both[None, :])[0]
        bound = _PAIR_FLOOR + _BASELINE_SHARE * baselines[rows] / 2
        keep = (sims > 0.0) & (sims >= bound[:, None]) & later
        r_idx, c_idx = np.nonzero(keep)
        found_i.append(np.minimum(rows[r_idx], cols[c_idx]))
        found_j.append(np.maximum(rows[r_idx], cols[c_idx]))
        found_sim.append(sims[r_idx, c_idx])
    for i in undated.tolist():
        if i in extra:
            baselines[i] = _top_mean(np.asarray([extra[i]]))[0]
    for (i, j), sim in sorted(undated_pairs.items()):
        found_i.append(np.asarray([i]))
        found_j.append(np.asarray([j]))
        found_sim.append(np.asarray([sim]))

    if not found_i:
        return {}
    first = np.concatenate(found_i)
    second = np.concatenate(found_j)
    adjusted = (
        np.concatenate(found_sim) - _BASELINE_SHARE * (baselines[first] + baselines[second]) / 2
    )
    keep = adjusted >= _PAIR_FLOOR
    return dict(
        zip(
            zip(first[keep].tolist(), second[keep].tolist(), strict=True),
            adjusted[keep].tolist(),
            strict=True,
        )
    )


def _average_linkage(
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
    weights = [_term_weights(title, text) for title, text, _ in docs]
    return _cluster_weights(weights, [day for _, _, day in docs])


def _cluster_weights(
    weights: Sequence[dict[str, float]], dates: Sequence[date | None]
) -> list[int]:
    if not weights:
        return []
    vectors = _tfidf(weights)
    days = [day.toordinal() if day is not None else None for day in dates]
    pairs = _candidate_pairs(vectors, days)
    roots = _average_linkage(days, pairs, _MERGE_THRESHOLD)
    labels: dict[int, int] = {}
    return [labels.setdefault(r, len(labels)) for r in roots]


def bcubed(pred: Sequence[object], gold: Sequence[object]) -> tuple[float, float, float]:
    """B-cubed (precision, recall, F1) of a predicted clustering against the gold one."""
    if len(pred) != len(gold):
        raise ValueError(f"bcubed: {len(pred)} predicted labels for {len(gold)} gold labels")
    if not pred:
        return 1.0, 1.0, 1.0
    by_pred: defaultdict[object, set[int]] = defaultdict(set)
    by_gold: defaultdict[object, set[int]] = defaultdict(set)
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        by_pred[p].add(i)
        by_gold[g].add(i)
    precision = recall = 0.0
    for p, g in zip(pred, gold, strict=True):
        shared = len(by_pred[p] & by_gold[g])
        precision += shared / len(by_pred[p])
        recall += shared / len(by_gold[g])
    precision /= len(pred)
    recall /= len(pred)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# --- themes file -------------------------------------------------------------------------

_THEME_KEYS = frozenset({"name", "description", "keywords"})


def load_themes(path: Path) -> tuple[Theme, ...]:
    """The [[theme]] tables of a TOML themes file, in file order.

    Each table has a `name` (required), a `description` and `keywords` (a list of words
    or phrases). Every problem raises ThemesError naming the file and the fix.
    """
    where = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ThemesError(f"{where}: no such themes file; check the path") from None
    except OSError as error:
        raise ThemesError(
            f"{where}: cannot read the themes file ({error.strerror}); check the path"
        ) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ThemesError(f"{where}: not UTF-8 text; save the themes file as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ThemesError(f"{where}: invalid TOML ({error}); fix the syntax") from None

    tables = data.get("theme")
    if not isinstance(tables, list) or not tables:
        raise ThemesError(
            f"{where}: no [[theme]] tables; add one [[theme]] table with a name per theme"
        )
    for key in sorted(set(data) - {"theme"}):
        log.warning("%s: ignoring top-level key %r; themes go in [[theme]] tables", where, key)

    themes: list[Theme] = []
    seen: dict[str, int] = {}
    for number, table in enumerate(tables, start=1):
        if not isinstance(table, dict):
            raise ThemesError(f"{where}: theme {number} is not a table; write it as [[theme]]")
        unknown = sorted(set(table) - _THEME_KEYS)
        if unknown:
            raise ThemesError(
                f"{where}: theme {number} has unknown key {unknown[0]!r}; "
                "use only name, description and keywords"
            )
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ThemesError(f"{where}: theme {number} has no 'name'; give every [[theme]] a name")
        name = name.strip()
        if name.casefold() == OTHER_THEME.casefold():
            raise ThemesError(
                f"{where}: theme {number} is named {OTHER_THEME!r}, which briefer keeps for "
                "stories that fit no theme; choose another name"
            )
        if name.casefold() in seen:
            raise ThemesError(
                f"{where}: theme {number} repeats the name {name!r} of theme "
                f"{seen[name.casefold()]}; give each theme its own name"
            )
        seen[name.casefold()] = number
        description = table.get("description", "")
        if not isinstance(description, str):
            raise ThemesError(
                f"{where}: theme {number} ({name!r}) has a 'description' that is not text; "
                'write it in quotes, like description = "..."'
            )
        keywords = table.get("keywords", [])
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise ThemesError(
                f"{where}: theme {number} ({name!r}) has 'keywords' that are not a list of "
                'text; write them like keywords = ["arms supplies", "tanks"]'
            )
        kept: list[str] = []
        for keyword in keywords:
            keyword = " ".join(keyword.split())
            if not content_terms(keyword):
                log.warning(
                    "%s: theme %r: keyword %r has only common words and can never match",
                    where,
                    name,
                    keyword,
                )
            elif keyword.casefold() not in {k.casefold() for k in kept}:
                kept.append(keyword)
        themes.append(
            Theme(name=name, description=" ".join(description.split()), keywords=tuple(kept))
        )
    return tuple(themes)


# --- theme scoring -----------------------------------------------------------------------

# What a match is worth, by where the theme says it: a keyword is the user naming the
# theme's subject outright; a description word is context.
_PHRASE_WEIGHT = 3.0  # a keyword, or the theme name as a whole
_NAME_TERM_WEIGHT = 1.5  # one word of a multi-word theme name
_WORD_WEIGHT = 1.0  # one word of the description
# What a match is worth, by where the story says it. The lead is the first sentences,
# counted in content words so that it does not depend on how a site breaks paragraphs.
_HEADLINE_ZONE = 3.0
_LEAD_ZONE = 2.0
_LEAD_WORDS = 30  # about the first two sentences
_TAIL_ZONE = 1.0
# Mentions saturate as in BM25, against the zone-weighted length of a typical report
# (about 600 words), so a long article does not win by length alone.
_SATURATION = 1.2
_LENGTH_SHARE = 0.75
_REFERENCE_LENGTH = 400.0
_LEAD_REFERENCE = 100.0  # a headline and a lead of _LEAD_WORDS, so weighted
# A story's main subject is in its headline and lead; a theme named only further down
# ("... and Kyiv renewed its call for air defence") is mentioned in passing. A story is
# filed under a theme only when its headline and lead alone reach LEAD_MIN_SCORE and
# the whole story reaches _THEME_MIN_SCORE.
_THEME_MIN_SCORE = 3.0
LEAD_MIN_SCORE = 5.0
# A word found in many stories of the briefing tells them apart poorly ("Ukraine" in a
# briefing on Ukraine): words in up to 1/2**_SPREAD_BITS of the stories keep full weight,
# commoner ones fade towards zero. Keywords fade too, but only half as fast.
_SPREAD_BITS = 2.0
_KEYWORD_SPREAD_SHARE = 0.5
_SECONDARY_SHARE = 0.6  # a secondary theme scores at least this share of the best
_WHY_LIMIT = 6
_FORM_SAMPLES = 5


@dataclass(frozen=True)
class _Pattern:
    stems: tuple[str, ...]
    weight: float
    strong: bool  # a keyword or the theme name: enough on its own to place a story


# The word shape of briefer.words, kept here because scoring needs each word's place in
# the text to quote it back.
_WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")


def _key(word: str) -> str:
    """The stem a theme word is matched by. Snowball strips "-ion" ("accession" becomes
    "access"), which makes a process noun match an unrelated everyday word; a noun in
    "-ion" keeps a mark of it, so "accession" and "accessions" match each other only."""
    stemmed = stem(word)
    if (word.endswith("ion") or word.endswith("ions")) and not stemmed.endswith("ion"):
        return stemmed + "~ion"
    return stemmed


def _is_content(word: str, stop: frozenset[str]) -> bool:
    # The same filter as briefer.words.content_terms.
    return word not in stop and not (len(word) == 1 and not word.isalpha())


def _stems(text: str) -> tuple[str, ...]:
    stop = stopwords()
    return tuple(
        _key(word)
        for word in (m.group(0).lower() for m in _WORD.finditer(text))
        if _is_content(word, stop)
    )


def _theme_patterns(theme: Theme) -> tuple[_Pattern, ...]:
    """A theme's words and phrases, each with the weight of its strongest mention."""
    best: dict[tuple[str, ...], _Pattern] = {}

    def add(stems: tuple[str, ...], weight: float, strong: bool) -> None:
        if not stems:
            return
        old = best.get(stems)
        if old is None or weight > old.weight:
            best[stems] = _Pattern(stems, weight, strong or (old is not None and old.strong))

    # A proper name in the theme's name only narrows it (see _qualifiers): alone, "NATO"
    # says nothing about NATO membership in a briefing about NATO.
    narrow = set(_qualifiers(theme))
    name = _stems(theme.name)
    add(name, _PHRASE_WEIGHT, True)
    if len(name) > 1:
        for term in name:
            if term not in narrow:
                add((term,), _NAME_TERM_WEIGHT, False)
    for keyword in theme.keywords:
        # Only as a whole: "open door" says nothing when "open" and "door" come apart.
        add(_stems(keyword), _PHRASE_WEIGHT, True)
    for term in _stems(theme.description):
        if term not in narrow and term not in _proper_names(theme.description):
            add((term,), _WORD_WEIGHT, False)
    return tuple(sorted(best.values(), key=lambda p: (-p.weight, p.stems)))


@dataclass(frozen=True)
class _Zone:
    """A stretch of story text: its content stems, where each came from, and the weight
    of each by its place (headline, lead, tail)."""

    text: str
    stems: tuple[str, ...]
    places: tuple[int, ...]  # each stem's place among all the words of the text
    weights: tuple[float, ...]

    def surface(self, start: int, length: int, spans: Sequence[tuple[int, int]]) -> str:
        """The text of a match as written, small words between its terms and all, given
        the spans of the text's words (found only for a zone with a match)."""
        first, last = spans[self.places[start]], spans[self.places[start + length - 1]]
        return " ".join(self.text[first[0] : last[1]].split())


@lru_cache(maxsize=200_000)
def _word_key(word: str) -> str | None:
    """The key of a lower-cased word, or None for a word that carries no meaning."""
    return _key(word) if _is_content(word, stopwords()) else None


def _zone(text: str, weight: float, lead_left: int = 0) -> _Zone:
    """The text's stems, the first `lead_left` of them weighted as lead."""
    keys = [_word_key(word.lower()) for word in _WORD.findall(text)]
    places = tuple(place for place, key in enumerate(keys) if key is not None)
    stems = tuple(key for key in keys if key is not None)
    weights = tuple(_LEAD_ZONE if k < lead_left else weight for k in range(len(stems)))
    return _Zone(text, stems, places, weights)


def _story_zones(documents: Sequence[Document]) -> list[_Zone]:
    """Headline, lead and the rest of every report, weighted by place."""
    zones: list[_Zone] = []
    for document in documents:
        if document.article.title.strip():
            zones.append(_zone(document.article.title, _HEADLINE_ZONE))
        lead_left = _LEAD_WORDS
        for block in document.blocks:
            if block.is_heading:
                zones.append(_zone(block.text, _TAIL_ZONE))
                continue
            zone = _zone(block.text, _TAIL_ZONE, lead_left)
            lead_left = max(0, lead_left - len(zone.stems))
            zones.append(zone)
    return zones


@dataclass(frozen=True)
class _Mentions:
    """Where a story mentions the themes' words and phrases."""

    hits: dict[tuple[str, ...], float]  # pattern stems -> place-weighted count
    lead_hits: dict[tuple[str, ...], float]  # the same, headlines and leads only
    forms: dict[tuple[str, ...], str]  # pattern stems -> its commonest form in the story
    length: float  # place-weighted count of the story's content terms
    lead_length: float  # the same, headlines and leads only
    lead_terms: frozenset[str]  # every stem of the headlines and leads
    terms: frozenset[str]  # every stem of the story
    reports: int


def _mentions(zones: Sequence[_Zone], reports: int, wanted: Iterable[tuple[str, ...]]) -> _Mentions:
    # Longest first, so each mention counts once, for the longest pattern that covers it:
    # "property tax" is not also a mention of "tax".
    by_first: defaultdict[str, list[tuple[str, ...]]] = defaultdict(list)
    for stems in sorted(set(wanted), key=lambda p: (-len(p), p)):
        by_first[stems[0]].append(stems)
    hits: defaultdict[tuple[str, ...], float] = defaultdict(float)
    lead_hits: defaultdict[tuple[str, ...], float] = defaultdict(float)
    forms: defaultdict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for zone in zones:
        spans: list[tuple[int, int]] = []
        covered = 0  # stems before this index belong to a match already counted
        for k in [k for k, first in enumerate(zone.stems) if first in by_first]:
            for stems in by_first[zone.stems[k]]:
                end = k + len(stems)
                if end > covered and zone.stems[k:end] == stems:
                    hits[stems] += zone.weights[k]
                    if zone.weights[k] > _TAIL_ZONE:
                        lead_hits[stems] += zone.weights[k]
                    # A few spellings are enough to quote the usual one back.
                    if sum(forms[stems].values()) < _FORM_SAMPLES:
                        spans = spans or [m.span() for m in _WORD.finditer(zone.text)]
                        forms[stems][zone.surface(k, len(stems), spans)] += 1
                    covered = end
                    break
    return _Mentions(
        hits=dict(hits),
        lead_hits=dict(lead_hits),
        forms={stems: _usual_form(counts) for stems, counts in forms.items()},
        length=sum(sum(zone.weights) for zone in zones),
        lead_length=sum(w for zone in zones for w in zone.weights if w > _TAIL_ZONE),
        lead_terms=frozenset(
            stem
            for zone in zones
            for stem, weight in zip(zone.stems, zone.weights, strict=True)
            if weight > _TAIL_ZONE
        ),
        terms=frozenset(stem for zone in zones for stem in zone.stems),
        reports=max(reports, 1),
    )


def _usual_form(counts: Counter[str]) -> str:
    """The commonest spelling, counting "Weapons" opening a sentence or a headline as
    "weapons" when the text also has it in lower case; "NATO" and "Kyiv" keep theirs."""
    merged: Counter[str] = Counter()
    for form, count in counts.items():
        lowered = form[:1].lower() + form[1:]
        merged[lowered if lowered in counts else form] += count
    # most_common keeps first-seen order on ties, so the choice is deterministic.
    return merged.most_common(1)[0][0]


def _spread_factors(mentions: Sequence[_Mentions]) -> dict[tuple[str, ...], float]:
    """How much a theme word still counts, given how many stories mention it.

    log2((N + 1) / df) over _SPREAD_BITS, at most 1; never below the factor of a word in
    two stories, so that a small briefing keeps its words (a single story keeps all).
    """
    stories = len(mentions)
    counts: Counter[tuple[str, ...]] = Counter()
    for story in mentions:
        counts.update(story.hits.keys())
    bits = min(_SPREAD_BITS, math.log2(stories + 1)) if stories else 1.0
    return {stems: min(1.0, math.log2((stories + 1) / df) / bits) for stems, df in counts.items()}


@dataclass(frozen=True)
class _Fit:
    """How well a story fits one theme."""

    score: float
    lead_score: float  # from the headlines and leads alone
    strong: bool  # a keyword or the theme name matched
    distinct: int  # patterns that matched
    why: tuple[str, ...]


def _saturated(hits: float, length: float, reference: float = _REFERENCE_LENGTH) -> float:
    """BM25's term-frequency curve: the first mentions count most, and the same count
    means less in a longer text."""
    scale = _SATURATION * (1.0 - _LENGTH_SHARE + _LENGTH_SHARE * length / reference)
    return hits * (_SATURATION + 1.0) / (hits + scale)


def _fit(
    patterns: Sequence[_Pattern], story: _Mentions, spread: dict[tuple[str, ...], float]
) -> _Fit:
    total = lead_total = 0.0
    strong = False
    reasons: list[tuple[float, str]] = []
    length = story.length / story.reports
    for pattern in patterns:
        hits = story.hits.get(pattern.stems, 0.0)
        if not hits:
            continue
        fade = spread.get(pattern.stems, 1.0)
        if pattern.strong:  # the user's explicit choice: fades less
            fade = 1.0 - _KEYWORD_SPREAD_SHARE * (1.0 - fade)
        # Per report, so a story told by three outlets scores like one typical report.
        weight = pattern.weight * fade
        gain = weight * _saturated(hits / story.reports, length)
        if gain <= 0.0:
            continue
        lead_hits = story.lead_hits.get(pattern.stems, 0.0)
        lead_total += weight * _saturated(
            lead_hits / story.reports, story.lead_length / story.reports, _LEAD_REFERENCE
        )
        total += gain
        strong = strong or pattern.strong
        reasons.append((gain, story.forms[pattern.stems]))
    why: list[str] = []
    for _, form in sorted(reasons, key=lambda r: (-r[0], r[1].casefold())):
        if form.casefold() not in {w.casefold() for w in why}:
            why.append(form)
    return _Fit(total, lead_total, strong, len(reasons), tuple(why[:_WHY_LIMIT]))


@dataclass(frozen=True)
class ThemeFit:
    """How one story or article scores against one theme, and the terms behind the score."""

    theme: str
    score: float
    terms: tuple[str, ...]
    eligible: bool  # enough evidence to be filed here, if no other theme beats it
    lead_score: float = 0.0  # from headlines and leads alone: must reach LEAD_MIN_SCORE


@dataclass(frozen=True)
class Placement:
    """Where a story is filed: its primary theme (or OTHER_THEME), its secondary themes,
    the terms that placed it, and its fit to every theme in file order."""

    theme: str
    secondary: tuple[str, ...]
    why: tuple[str, ...]
    fits: tuple[ThemeFit, ...]


def _proper_names(text: str) -> frozenset[str]:
    """Keys of the words written as names (capitalised inside a sentence, or acronyms):
    in a description they set the scene ("talks between Moscow and Kyiv") and say
    nothing of the subject, since every story of the briefing shares the scene."""
    found: set[str] = set()
    for match in _WORD.finditer(text):
        word = match.group(0)
        before = text[: match.start()].rstrip()
        opens = not before or before[-1] in '.!?:;"“(['
        if (len(word) > 1 and word.isupper()) or (word[:1].isupper() and not opens):
            found.add(_key(word.lower()))
    return frozenset(found)


def _qualifiers(theme: Theme) -> tuple[str, ...]:
    """The proper names in a theme's name ("NATO" in "NATO membership", "Ukraine" in
    "Arming Ukraine"): they narrow the theme, so a story that never names them is about
    something else, however many of the theme's other words it shares (EU membership is
    not NATO membership)."""
    stop = stopwords()
    found: list[str] = []
    for position, match in enumerate(_WORD.finditer(theme.name)):
        word = match.group(0)
        acronym = len(word) > 1 and word.isupper()
        named = position > 0 and word[:1].isupper()
        if (acronym or named) and _is_content(word.lower(), stop):
            found.append(_key(word.lower()))
    return tuple(found)


def _place(
    story: _Mentions,
    themes: Sequence[Theme],
    patterns: Sequence[Sequence[_Pattern]],
    spread: dict[tuple[str, ...], float],
) -> Placement:
    fits = [_fit(p, story, spread) for p in patterns]
    # A story needs real evidence, not one description word said often: a keyword or the
    # theme's name, or at least two different words of the theme, in its headline and
    # lead, and every proper name of the theme's name somewhere.
    eligible = [
        fit.score >= _THEME_MIN_SCORE
        and fit.lead_score >= LEAD_MIN_SCORE
        and (fit.strong or fit.distinct >= 2)
        and all(q in story.terms for q in _qualifiers(theme))
        for theme, fit in zip(themes, fits, strict=True)
    ]
    report = tuple(
        ThemeFit(theme.name, fit.score, fit.why, ok, fit.lead_score)
        for theme, fit, ok in zip(themes, fits, eligible, strict=True)
    )
    ranked = sorted(
        ((fit.score, -index) for index, fit in enumerate(fits) if eligible[index]), reverse=True
    )
    if not ranked:
        return Placement(OTHER_THEME, (), (), report)
    best = -ranked[0][1]
    best_score = fits[best].score
    secondary = tuple(
        themes[-negative].name
        for _, negative in ranked[1:]
        if fits[-negative].score >= _SECONDARY_SHARE * best_score
    )
    return Placement(themes[best].name, secondary, fits[best].why, report)


# Feedback: the stories a theme's own words place confidently say how the briefing's
# sources write about it ("F-16", "howitzers" for a theme worded "weapons"); the words
# their headlines and leads share, and other stories rarely use, join the theme as
# description words. Rocchio's relevance feedback, with the placement as the judge.
_FEEDBACK_MIN_STORIES = 3
_FEEDBACK_SHARE = 0.25  # of the theme's stories that must use a word
_FEEDBACK_LIFT = 3.0  # how much commoner the word must be there than in the briefing
_FEEDBACK_TERMS = 10
_FEEDBACK_WEIGHT = 1.0


def _feedback_patterns(
    mentions: Sequence[_Mentions],
    placements: Sequence[Placement],
    themes: Sequence[Theme],
    patterns: Sequence[Sequence[_Pattern]],
) -> list[tuple[_Pattern, ...]]:
    stories = len(mentions)
    df: Counter[str] = Counter()
    for story in mentions:
        df.update(story.lead_terms)
    extended: list[tuple[_Pattern, ...]] = []
    for theme, theme_patterns in zip(themes, patterns, strict=True):
        own = [m for m, p in zip(mentions, placements, strict=True) if p.theme == theme.name]
        if len(own) < _FEEDBACK_MIN_STORIES:
            extended.append(tuple(theme_patterns))
            continue
        inside: Counter[str] = Counter()
        for story in own:
            inside.update(story.lead_terms)
        known = {p.stems for p in theme_patterns} | {(q,) for q in _qualifiers(theme)}
        candidates: list[tuple[float, str]] = []
        for term, count in inside.items():
            if (
                (term,) in known
                or not term[:1].isalpha()
                or count < max(2.0, _FEEDBACK_SHARE * len(own))
            ):
                continue
            lift = (count / len(own)) / (df[term] / stories)
            if lift >= _FEEDBACK_LIFT:
                candidates.append((count * math.log(lift), term))
        chosen = sorted(candidates, key=lambda c: (-c[0], c[1]))[:_FEEDBACK_TERMS]
        log.debug("theme %r: feedback words %s", theme.name, [t for _, t in chosen])
        extended.append(
            tuple(theme_patterns)
            + tuple(_Pattern((term,), _FEEDBACK_WEIGHT, False) for _, term in chosen)
        )
    return extended


def place_themes(stories: Sequence[Sequence[Document]], themes: Sequence[Theme]) -> list[Placement]:
    """The placement of each story (the reports of one event) under the themes.

    How much a weak theme word counts depends on how many of the stories mention it, so
    the stories are placed together, as one briefing.
    """
    patterns = [_theme_patterns(theme) for theme in themes]
    wanted = [pattern.stems for theme_patterns in patterns for pattern in theme_patterns]
    zones = [_story_zones(documents) for documents in stories]
    counts = [len(documents) for documents in stories]
    mentions = [_mentions(z, n, wanted) for z, n in zip(zones, counts, strict=True)]
    spread = _spread_factors(mentions)
    placements = [_place(story, themes, patterns, spread) for story in mentions]
    if not themes:
        return placements
    extended = _feedback_patterns(mentions, placements, themes, patterns)
    if extended == patterns:
        return placements
    wanted = [pattern.stems for theme_patterns in extended for pattern in theme_patterns]
    mentions = [_mentions(z, n, wanted) for z, n in zip(zones, counts, strict=True)]
    spread = _spread_factors(mentions)
    return [_place(story, themes, extended, spread) for story in mentions]


# --- stories -----------------------------------------------------------------------------

_TITLE_CHARS = 90  # a headline made from a sentence is cut near this length
_REPEAT_SHARE = 0.7  # share of the shorter sentence's terms that makes it a repeat
_REPEAT_MIN_TERMS = 3  # shorter sentences are repeats only when identical


@dataclass(frozen=True)
class Grouping:
    """Stories filed under themes, and how many articles were folded into another's story."""

    sections: tuple[Section, ...]  # themes in file order, then OTHER_THEME if it has stories
    merged: int  # articles folded into a story whose first report is another article


def _article_key(article: Article) -> tuple[bool, date, str, str]:
    """Oldest first; undated reports after dated ones; ties by source, then id."""
    return (article.date is None, article.date or date.min, article.source, article.id)


def _shorten(text: str, limit: int = _TITLE_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:-–—") + "…"


def _story_title(
    articles: Sequence[Article], summaries: dict[str, Summary], documents: dict[str, Document]
) -> str:
    for article in articles:  # oldest first, so the earliest dated headline wins
        if article.title.strip():
            return " ".join(article.title.split())
    for article in articles:
        sentences = summaries[article.id].sentences
        if sentences and sentences[0].text.strip():
            return _shorten(sentences[0].text)
    for article in articles:
        for block in documents[article.id].blocks:
            if block.text.strip():
                return _shorten(block.text)
    return articles[0].source.strip() or "Untitled report"


def _is_repeat(
    terms: frozenset[str], text: str, taken: Sequence[tuple[frozenset[str], str]]
) -> bool:
    for other_terms, other_text in taken:
        if " ".join(text.split()).casefold() == " ".join(other_text.split()).casefold():
            return True
        smaller = min(len(terms), len(other_terms))
        if smaller >= _REPEAT_MIN_TERMS and len(terms & other_terms) >= _REPEAT_SHARE * smaller:
            return True
    return False


def _bullets(
    articles: Sequence[Article], summaries: dict[str, Summary], max_bullets: int
) -> tuple[Bullet, ...]:
    """Summary sentences taken in turns from each report, each fact said once.

    Turns let every report contribute before any gives a second sentence; a sentence
    whose terms mostly repeat one already taken is the same fact from another outlet.
    """
    queues = [list(summaries[article.id].sentences) for article in articles]
    positions = [0] * len(queues)
    taken: list[tuple[frozenset[str], str]] = []
    bullets: list[Bullet] = []
    while len(bullets) < max_bullets:
        progressed = False
        for index, article in enumerate(articles):
            if len(bullets) >= max_bullets:
                break
            queue = queues[index]
            while positions[index] < len(queue):
                sentence = queue[positions[index]]
                positions[index] += 1
                terms = frozenset(content_terms(sentence.text))
                if not _WORD.search(sentence.text) or _is_repeat(terms, sentence.text, taken):
                    continue
                taken.append((terms, sentence.text))
                bullets.append(Bullet(text=sentence.text, article_id=article.id))
                progressed = True
                break
        if not progressed:
            break
    return tuple(bullets)


def group(
    items: Sequence[tuple[Document, Summary]], themes: Sequence[Theme], max_bullets: int = 5
) -> Grouping:
    """Fold reports of one event into a story each, and file the stories under themes."""
    if max_bullets < 1:
        raise OptionsError(f"max bullets must be at least 1, not {max_bullets}")
    documents: dict[str, Document] = {}
    summaries: dict[str, Summary] = {}
    unique: list[Document] = []
    for document, summary in items:
        key = document.article.id
        if summary.article.id != key:
            raise ValueError(f"summary of {summary.article.id} paired with document {key}")
        if key in documents:  # the same article given twice: one report, not two
            log.debug("article %s given twice; using it once", key)
            continue
        documents[key] = document
        summaries[key] = summary
        unique.append(document)

    weights = {
        document.article.id: _term_weights(
            document.article.title,
            "\n".join(block.text for block in document.blocks if not block.is_heading),
        )
        for document in unique
    }
    labels = _cluster_weights(
        [weights[document.article.id] for document in unique],
        [document.article.date for document in unique],
    )
    members: defaultdict[int, list[Article]] = defaultdict(list)
    for document, label in zip(unique, labels, strict=True):
        members[label].append(document.article)

    reports = [sorted(members[label], key=_article_key) for label in sorted(members)]
    placements = place_themes([[documents[a.id] for a in articles] for articles in reports], themes)
    stories: list[Story] = []
    merged = 0
    for articles, placement in zip(reports, placements, strict=True):
        merged += len(articles) - 1
        theme, secondary, why = placement.theme, placement.secondary, placement.why
        title = _story_title(articles, summaries, documents)
        copies = find_copies([documents[a.id] for a in articles])
        copied = {copy for copy, _ in copies}
        quoted = [a for a in articles if a.id not in copied]
        log.debug("story %r: %s %s because %s", title, theme, secondary, why)
        stories.append(
            Story(
                title=title,
                articles=tuple(articles),
                bullets=_bullets(quoted, summaries, max_bullets),
                theme=theme,
                secondary_themes=secondary,
                why=why,
                copies=copies,
            )
        )
    if merged:
        log.info("%d articles folded into stories first reported by another article", merged)
    stories = _label_topics(stories, documents, weights)

    sections: list[Section] = []
    named: set[str] = set()
    for name, description in [(t.name, t.description) for t in themes] + [(OTHER_THEME, "")]:
        if name in named:  # themes built by hand may repeat a name; a story is filed once
            continue
        named.add(name)
        filed = sorted((s for s in stories if s.theme == name), key=_story_key)
        if name == OTHER_THEME:
            filed = _by_topic(filed)
        if filed:
            sections.append(Section(theme=name, description=description, stories=tuple(filed)))
    return Grouping(sections=tuple(sections), merged=merged)


def _story_key(story: Story) -> tuple[bool, int, str, str]:
    """Newest first (by the latest report), undated stories last, then by title."""
    dates = [a.date for a in story.articles if a.date is not None]
    newest = -max(dates).toordinal() if dates else 0
    return (not dates, newest, story.title.casefold(), story.articles[0].id)


# --- copies --------------------------------------------------------------------------------

_SHINGLE = 5  # words per shingle
_COPY_OVERLAP = 0.85  # share of the shorter text's shingles (Feedly hides copies past 85%)
_COPY_MIN_SHINGLES = 8  # shorter texts are copies only when their words are identical


def _shingles(document: Document) -> frozenset[tuple[str, ...]] | tuple[str, ...]:
    words = tokens(" ".join(block.text for block in document.blocks if not block.is_heading))
    if len(words) < _SHINGLE + _COPY_MIN_SHINGLES - 1:
        return tuple(words)
    return frozenset(tuple(words[k : k + _SHINGLE]) for k in range(len(words) - _SHINGLE + 1))


def find_copies(documents: Sequence[Document]) -> tuple[tuple[str, str], ...]:
    """(copy id, original id) for each report whose body repeats an earlier one's.

    The headline is left out: a syndicated report often runs under the outlet's own
    headline. Reports are taken in the order given (oldest first), so the original is
    the first to carry the text.
    """
    if len(documents) < 2:
        return ()
    shingles = [_shingles(document) for document in documents]
    copies: list[tuple[str, str]] = []
    originals: list[int] = []
    for index, mine in enumerate(shingles):
        source = None
        for earlier in originals:
            theirs = shingles[earlier]
            if isinstance(mine, tuple) or isinstance(theirs, tuple):
                same = bool(mine) and mine == theirs
            else:
                smaller = min(len(mine), len(theirs))
                same = len(mine & theirs) >= _COPY_OVERLAP * smaller
            if same:
                source = earlier
                break
        if source is None:
            originals.append(index)
        else:
            copies.append((documents[index].article.id, documents[source].article.id))
    return tuple(copies)


# --- related stories under "Other developments" ----------------------------------------------

_TOPIC_THRESHOLD = 0.12  # average cosine needed to join two groups of related stories
_TOPIC_PAIR_FLOOR = 0.05
_TOPIC_NEIGHBOURS = 20  # each story keeps only its closest candidates
_TOPIC_TERMS = 3
_TOPIC_SHARE = 0.5  # a label word is in the headline or lead of at least this share


def _story_weights(story: Story, weights: dict[str, dict[str, float]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for article in story.articles:
        for term, weight in weights[article.id].items():
            total[term] = total.get(term, 0.0) + weight
    return total


def _topic_pairs(vectors: sparse.csr_matrix) -> dict[tuple[int, int], float]:
    """Cosines of each story with its closest others, block by block."""
    pairs: dict[tuple[int, int], float] = {}
    n = vectors.shape[0]
    for start in range(0, n, _CHUNK_ROWS):
        rows = np.arange(start, min(start + _CHUNK_ROWS, n))
        sims = (vectors[rows] @ vectors.T).toarray()
        sims[np.arange(len(rows)), rows] = 0.0
        if n > _TOPIC_NEIGHBOURS:
            cut = np.partition(sims, n - _TOPIC_NEIGHBOURS, axis=1)[:, n - _TOPIC_NEIGHBOURS]
            sims[sims < cut[:, None]] = 0.0
        for r, j in zip(*np.nonzero(sims >= _TOPIC_PAIR_FLOOR), strict=True):
            i = int(rows[r])
            pairs[(min(i, int(j)), max(i, int(j)))] = float(sims[r, j])
    return pairs


def _label(
    members: Sequence[int], leads: Sequence[dict[str, Counter[str]]], df: Counter[str]
) -> str:
    """The few words the group's headlines and leads share and the other stories lack."""
    total = len(leads)
    counts: Counter[str] = Counter()
    for index in members:
        counts.update(leads[index].keys())
    scored = []
    for term, count in counts.items():
        if count < max(2, _TOPIC_SHARE * len(members)):
            continue
        scored.append((count / len(members) * math.log((total + 1) / df[term]), term))
    chosen = [term for _, term in sorted(scored, key=lambda s: (-s[0], s[1]))[:_TOPIC_TERMS]]
    forms: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for index in members:
        for term in chosen:
            forms[term].update(leads[index].get(term, Counter()))
    return ", ".join(_usual_form(forms[term]) for term in chosen)


def _lead_words(story: Story, documents: dict[str, Document]) -> dict[str, Counter[str]]:
    """Stem -> the spellings it has in the story's headlines and first paragraphs."""
    stop = stopwords()
    forms: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for article in story.articles:
        document = documents[article.id]
        paragraphs = [block.text for block in document.blocks if not block.is_heading][:2]
        for match in _WORD.finditer(" ".join([article.title, *paragraphs])):
            word = match.group(0)
            lowered = word.lower()
            if _is_content(lowered, stop) and not lowered[:1].isdigit():
                forms[stem(lowered)][word] += 1
    return dict(forms)


def _label_topics(
    stories: Sequence[Story],
    documents: dict[str, Document],
    weights: dict[str, dict[str, float]],
) -> list[Story]:
    """Group the related stories under OTHER_THEME and label each group by its words."""
    other = [index for index, story in enumerate(stories) if story.theme == OTHER_THEME]
    result = list(stories)
    if len(other) < 2:
        return result
    vectors = _tfidf([_story_weights(stories[index], weights) for index in other])
    pairs = _topic_pairs(vectors)
    roots = _average_linkage([None] * len(other), pairs, _TOPIC_THRESHOLD)
    groups: defaultdict[int, list[int]] = defaultdict(list)
    for position, root in enumerate(roots):
        groups[root].append(position)
    leads = [_lead_words(stories[index], documents) for index in other]
    df: Counter[str] = Counter()
    for words in leads:
        df.update(words.keys())
    for members in groups.values():
        # A group of all of them says nothing the heading does not.
        if len(members) < 2 or len(members) == len(other):
            continue
        label = _label(members, leads, df)
        if not label:
            continue
        for position in members:
            index = other[position]
            result[index] = replace(result[index], topic=label)
    return result


def _by_topic(stories: Sequence[Story]) -> list[Story]:
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
