"""Group stage: fold reports of the same event into stories, and file stories under themes.

Stories come from a similarity graph over articles: tf-idf cosine of content terms (the
headline and lead count more than the tail, names count a little extra), damped by the
days between two reports, and measured against each article's own neighbourhood so a busy
topic does not glue its distinct events together. Average linkage over that sparse graph
then forms the stories without the chaining of single-link grouping.

Themes come from the user's themes file: each story is scored against each theme's name,
keywords and description, and filed under the best one, or under OTHER_THEME.

Every article's headline and first _MAX_CHARS of body are read once, into arrays of word
ids (_read_texts); clustering, theme scoring (sparse story x pattern products, a second
product for the feedback words) and topic labels all work from those arrays.
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
from itertools import chain, repeat
from pathlib import Path

import numpy as np
from scipy import sparse

from briefer.bullets import story_bullets
from briefer.errors import OptionsError, ThemesError
from briefer.records import (
    OTHER_THEME,
    Article,
    Document,
    Section,
    Story,
    Summary,
    Theme,
)
from briefer.words import content_terms, stem, stopwords

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


# --- reading the articles once -------------------------------------------------------------

# The word shape of briefer.words, kept here because grouping also needs each word as
# written: the forms quoted back to the reader, and where a phrase starts and ends.
_WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")
_LEAD_PARAGRAPHS = 2  # a story's lead, for topic labels: its first paragraphs

# Where a word stands in its article.
_TITLE_PART = 0
_LEAD_PART = 1  # the first _LEAD_PARAGRAPHS paragraphs
_REST_PART = 2


@dataclass(frozen=True)
class _Texts:
    """Every article's headline and first _MAX_CHARS of body, read once: word by word,
    article after article, as ids into tables of distinct words. Story clustering, theme
    scoring and topic labels all work from these arrays, so no text is read twice."""

    count: int  # articles
    surface: tuple[str, ...]  # distinct words as written
    words: np.ndarray  # surface id of every word
    article: np.ndarray  # the article of every word
    part: np.ndarray  # _TITLE_PART, _LEAD_PART or _REST_PART of every word
    content: np.ndarray  # by surface id: carries meaning (not a stopword)
    stem_of: np.ndarray  # by surface id: id in `stems` (-1 for no meaning)
    key_of: np.ndarray  # by surface id: id in `keys` (-1 for no meaning)
    stems: tuple[str, ...]  # distinct stems, and names and figures (story clustering)
    keys: dict[str, int]  # distinct theme keys (see _key)
    name_article: np.ndarray  # each name or figure's article
    name_stem: np.ndarray  # and its id in `stems`


def _read_texts(parts: Sequence[tuple[str, Sequence[str]]]) -> _Texts:
    """The words of each (headline, body paragraphs)."""
    stem_ids: dict[str, int] = {}
    word_lists: list[list[str]] = []
    part_sizes: list[tuple[int, int, int]] = []
    name_lists: list[list[str]] = []
    for title, paragraphs in parts:
        lead = "\n".join(paragraphs[:_LEAD_PARAGRAPHS])[:_MAX_CHARS]
        rest = "\n".join(paragraphs[_LEAD_PARAGRAPHS:])[: max(0, _MAX_CHARS - len(lead) - 1)]
        found = []
        sizes = []
        for text in (title, lead, rest):
            words = _WORD.findall(text)
            sizes.append(len(words))
            found.extend(words)
        word_lists.append(found)
        part_sizes.append((sizes[0], sizes[1], sizes[2]))
        name_lists.append(_NAME.findall(title + "\n" + lead + "\n" + rest))

    # Distinct words first, in C, then one lookup per word: far cheaper than growing the
    # table word by word.
    surface = tuple(dict.fromkeys(chain.from_iterable(word_lists)))
    ids = {word: index for index, word in enumerate(surface)}
    stop = stopwords()
    content = np.zeros(len(surface), dtype=bool)
    stem_of = np.full(len(surface), -1, dtype=np.int64)
    key_of = np.full(len(surface), -1, dtype=np.int64)
    keys: dict[str, int] = {}
    for index, word in enumerate(surface):
        lowered = word.lower()
        if _is_content(lowered, stop):
            content[index] = True
            stem_of[index] = stem_ids.setdefault(stem(lowered), len(stem_ids))
            key_of[index] = keys.setdefault(_key(lowered), len(keys))

    # A figure is its own term; a name is the stem of its word, like any other mention.
    name_term: dict[str, int] = {}
    for name in dict.fromkeys(chain.from_iterable(name_lists)):
        lowered = name.lower()
        if lowered[0].isdigit():
            name_term[name] = stem_ids.setdefault(lowered, len(stem_ids))
        elif lowered not in stop:
            name_term[name] = stem_ids.setdefault(stem(lowered), len(stem_ids))
    name_counts = [len(names) for names in name_lists]
    all_names = np.fromiter(
        map(name_term.get, chain.from_iterable(name_lists), repeat(-1)),
        dtype=np.int64,
        count=sum(name_counts),
    )
    owners = np.repeat(np.arange(len(parts), dtype=np.int64), name_counts)
    name_article = owners[all_names >= 0]
    name_stem = all_names[all_names >= 0]

    sizes_array = np.asarray(part_sizes, dtype=np.int64).reshape(-1, 3)
    lengths = sizes_array.sum(axis=1)
    flat = np.fromiter(
        map(ids.__getitem__, chain.from_iterable(word_lists)),
        dtype=np.int64,
        count=int(lengths.sum()),
    )
    part = np.repeat(
        np.tile(np.asarray([_TITLE_PART, _LEAD_PART, _REST_PART], dtype=np.int8), len(parts)),
        sizes_array.ravel(),
    )
    return _Texts(
        count=len(parts),
        surface=surface,
        words=flat,
        article=np.repeat(np.arange(len(parts), dtype=np.int64), lengths),
        part=part,
        content=content,
        stem_of=stem_of,
        key_of=key_of,
        stems=tuple(stem_ids),
        keys=keys,
        name_article=name_article,
        name_stem=name_stem,
    )


def _document_parts(document: Document) -> tuple[str, list[str]]:
    return document.article.title, [b.text for b in document.blocks if not b.is_heading]


def _body_ranks(article: np.ndarray, body: np.ndarray) -> np.ndarray:
    """Each body word's place among its article's body words (0 for a headline word)."""
    ranks = np.zeros(len(article), dtype=np.int64)
    where = np.nonzero(body)[0]
    owners = article[where]
    ranks[where] = np.arange(len(where)) - np.searchsorted(owners, owners, side="left")
    return ranks


def _cluster_matrix(texts: _Texts) -> sparse.csr_matrix:
    """Articles x terms: summed place weights of each article's content stems and names."""
    content = np.nonzero(texts.content[texts.words])[0]
    article = texts.article[content]
    body = texts.part[content] != _TITLE_PART
    ranks = _body_ranks(article, body)
    weights = np.where(
        body, np.where(ranks < _LEAD_TERMS, _LEAD_WEIGHT, _TAIL_WEIGHT), _TITLE_WEIGHT
    )
    rows = np.concatenate([article, texts.name_article])
    cols = np.concatenate([texts.stem_of[texts.words[content]], texts.name_stem])
    values = np.concatenate([weights, np.full(len(texts.name_article), _NAME_WEIGHT)])
    return sparse.csr_matrix((values, (rows, cols)), shape=(texts.count, max(len(texts.stems), 1)))


def _keep_top_terms(matrix: sparse.csr_matrix, limit: int) -> sparse.csr_matrix:
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


def _tfidf(raw: sparse.csr_matrix, limit: int = _MAX_TERMS) -> sparse.csr_matrix:
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
    matrix = _keep_top_terms(sparse.csr_matrix(matrix @ sparse.diags(idf)), limit)
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
    texts = _read_texts([(title, [text]) for title, text, _ in docs])
    return _cluster_matrix_labels(_cluster_matrix(texts), [day for _, _, day in docs])


def _cluster_matrix_labels(raw: sparse.csr_matrix, dates: Sequence[date | None]) -> list[int]:
    if raw.shape[0] == 0:
        return []
    vectors = _tfidf(raw)
    days = [day.toordinal() if day is not None else None for day in dates]
    pairs = _candidate_pairs(vectors, days)
    roots = _average_linkage(days, pairs, _MERGE_THRESHOLD)
    labels: dict[int, int] = {}
    return [labels.setdefault(r, len(labels)) for r in roots]


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


def _usual_form(counts: Counter[str]) -> str:
    """The commonest spelling, counting "Weapons" opening a sentence or a headline as
    "weapons" when the text also has it in lower case; "NATO" and "Kyiv" keep theirs."""
    merged: Counter[str] = Counter()
    for form, count in counts.items():
        lowered = form[:1].lower() + form[1:]
        merged[lowered if lowered in counts else form] += count
    # most_common keeps first-seen order on ties, so the choice is deterministic.
    return merged.most_common(1)[0][0]


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


@dataclass(frozen=True)
class _Positions:
    """The content words of every article in theme keys, with their place weights."""

    word: np.ndarray  # index into _Texts.words
    article: np.ndarray
    key: np.ndarray
    weight: np.ndarray  # _HEADLINE_ZONE, _LEAD_ZONE or _TAIL_ZONE
    segment: np.ndarray  # a phrase never spans two of these (headline, body)


def _positions(texts: _Texts) -> _Positions:
    word = np.nonzero(texts.content[texts.words])[0]
    article = texts.article[word]
    body = texts.part[word] != _TITLE_PART
    ranks = _body_ranks(article, body)
    weight = np.where(body, np.where(ranks < _LEAD_WORDS, _LEAD_ZONE, _TAIL_ZONE), _HEADLINE_ZONE)
    return _Positions(
        word=word,
        article=article,
        key=texts.key_of[texts.words[word]],
        weight=weight,
        segment=article * 2 + body,
    )


@dataclass(frozen=True)
class _Hits:
    """Where the articles mention each pattern: one record per mention."""

    article: np.ndarray
    column: np.ndarray  # the pattern's column
    weight: np.ndarray  # place weight of the mention
    first: np.ndarray  # index into _Texts.words of its first word
    last: np.ndarray  # and of its last


def _find_hits(texts: _Texts, positions: _Positions, columns: Sequence[tuple[str, ...]]) -> _Hits:
    """Every mention of every pattern, each counted once, for the longest pattern that
    covers it: "property tax" is not also a mention of "tax"."""
    key = positions.key
    n = len(key)
    covered = np.zeros(n, dtype=bool)
    found: list[tuple[np.ndarray, np.ndarray, int]] = []  # (starts, ends, column)
    order = np.argsort(key, kind="stable")
    sorted_keys = key[order]
    phrases = sorted(
        (c for c in range(len(columns)) if len(columns[c]) > 1),
        key=lambda c: (-len(columns[c]), columns[c]),
    )
    for column in phrases:
        stems = columns[column]
        ids = [texts.keys.get(s, -1) for s in stems]
        if min(ids) < 0:
            continue
        lo, hi = np.searchsorted(sorted_keys, [ids[0], ids[0] + 1])
        starts = order[lo:hi]
        starts = starts[starts + len(ids) <= n]
        for offset, wanted in enumerate(ids[1:], start=1):
            keep = (key[starts + offset] == wanted) & (
                positions.segment[starts + offset] == positions.segment[starts]
            )
            starts = starts[keep]
        if not len(starts):
            continue
        span = starts[:, None] + np.arange(len(ids))[None, :]
        starts = starts[~covered[span].any(axis=1)]
        covered[starts[:, None] + np.arange(len(ids))[None, :]] = True
        found.append((starts, starts + len(ids) - 1, column))
    column_of = np.full(len(texts.keys) + 1, -1, dtype=np.int64)
    for column, stems in enumerate(columns):
        if len(stems) == 1 and stems[0] in texts.keys:
            column_of[texts.keys[stems[0]]] = column
    singles = np.nonzero(~covered & (column_of[key] >= 0))[0]
    found.append((singles, singles, -1))
    starts = np.concatenate([f[0] for f in found])
    ends = np.concatenate([f[1] for f in found])
    cols = np.concatenate(
        [np.full(len(f[0]), f[2]) if f[2] >= 0 else column_of[key[f[0]]] for f in found]
    )
    return _Hits(
        article=positions.article[starts],
        column=cols.astype(np.int64),
        weight=positions.weight[starts],
        first=positions.word[starts],
        last=positions.word[ends],
    )


@dataclass(frozen=True)
class _Stories:
    """Stories as sums of their articles: the sparse story x article membership, and the
    place-weighted length of each story's text."""

    members: sparse.csr_matrix  # stories x articles, ones
    story_of: np.ndarray  # by article
    reports: np.ndarray
    length: np.ndarray
    lead_length: np.ndarray


def _stories(story_of: np.ndarray, stories: int, positions: _Positions) -> _Stories:
    articles = len(story_of)
    members = sparse.csr_matrix(
        (np.ones(articles), (story_of, np.arange(articles))), shape=(stories, articles)
    )
    owner = story_of[positions.article]
    lead = positions.weight > _TAIL_ZONE
    return _Stories(
        members=members,
        story_of=story_of,
        reports=np.maximum(np.bincount(story_of, minlength=stories), 1).astype(np.float64),
        length=np.bincount(owner, weights=positions.weight, minlength=stories),
        lead_length=np.bincount(owner[lead], weights=positions.weight[lead], minlength=stories),
    )


# A word that comes with a theme's named subject in nearly every story that has it
# ("alliance" with "NATO") stands for the subject in a story that leaves the name out.
_STAND_IN_SHARE = 0.8
_STAND_IN_MIN_STORIES = 3


def _qualified(
    texts: _Texts, positions: _Positions, stories: _Stories, themes: Sequence[Theme]
) -> np.ndarray:
    """Stories x themes: the story names every proper name of the theme's name, itself or
    by a word that stands in for it across this briefing's stories."""
    count = stories.members.shape[0]
    qualified = np.ones((count, len(themes)), dtype=bool)
    if not any(_qualifiers(theme) for theme in themes):
        return qualified
    present = sparse.csr_matrix(
        (
            np.ones(len(positions.key)),
            (stories.story_of[positions.article], positions.key),
        ),
        shape=(count, max(len(texts.keys), 1)),
    )
    present.sum_duplicates()
    present.data = np.ones_like(present.data)
    transposed = sparse.csc_matrix(present)
    df = np.bincount(present.indices, minlength=present.shape[1])
    for t, theme in enumerate(themes):
        for qualifier in _qualifiers(theme):
            ident = texts.keys.get(qualifier, -1)
            if ident < 0:
                qualified[:, t] = False
                continue
            has = np.asarray(transposed[:, ident].toarray()).ravel() > 0
            both = np.asarray(present[has].sum(axis=0)).ravel()
            stand_ins = np.nonzero((df >= _STAND_IN_MIN_STORIES) & (both >= _STAND_IN_SHARE * df))[
                0
            ]
            # The theme's own words cannot vouch for its subject: that is what is in doubt.
            own = {texts.keys.get(s, -1) for p in _theme_patterns(theme) for s in p.stems}
            stand_ins = np.asarray([k for k in stand_ins.tolist() if k not in own], dtype=np.int64)
            log.debug(
                "theme %r: %s stands in for %r",
                theme.name,
                [list(texts.keys)[k] for k in stand_ins.tolist()],
                qualifier,
            )
            if len(stand_ins):
                has |= np.asarray(transposed[:, stand_ins].sum(axis=1)).ravel() > 0
            qualified[:, t] &= has
    return qualified


def _saturate(hits: sparse.csr_matrix, length: np.ndarray, reference: float) -> sparse.csr_matrix:
    """BM25's term-frequency curve on every entry: the first mentions count most, and the
    same count means less in a longer text."""
    result = sparse.csr_matrix(hits, copy=True)
    scale = _SATURATION * (1.0 - _LENGTH_SHARE + _LENGTH_SHARE * length / reference)
    row_scale = np.repeat(scale, np.diff(result.indptr))
    result.data = result.data * (_SATURATION + 1.0) / (result.data + row_scale)
    return result


def _place_all(
    texts: _Texts,
    positions: _Positions,
    stories: _Stories,
    themes: Sequence[Theme],
    patterns: Sequence[Sequence[_Pattern]],
    qualified: np.ndarray,
    explain: str = "all",
) -> tuple[list[Placement], np.ndarray]:
    """The placement of every story, and the index of each story's primary theme (-1 for
    OTHER_THEME). `explain` says which fits get their terms: "all", "primary" (the only
    ones a briefing shows), or "none" (no placements, only the indices)."""
    count = stories.members.shape[0]
    columns = sorted({p.stems for theme_patterns in patterns for p in theme_patterns})
    column = {stems: c for c, stems in enumerate(columns)}
    hits = _find_hits(texts, positions, columns)
    story = stories.story_of[hits.article]
    shape = (count, max(len(columns), 1))
    per_story = sparse.csr_matrix((hits.weight, (story, hits.column)), shape=shape)
    lead = hits.weight > _TAIL_ZONE
    lead_story = sparse.csr_matrix(
        (hits.weight[lead], (story[lead], hits.column[lead])), shape=shape
    )
    # Per report, so a story told by three outlets scores like one typical report.
    per_report = sparse.diags(1.0 / stories.reports)
    gains = _saturate(
        sparse.csr_matrix(per_report @ per_story),
        stories.length / stories.reports,
        _REFERENCE_LENGTH,
    )
    lead_gains = _saturate(
        sparse.csr_matrix(per_report @ lead_story),
        stories.lead_length / stories.reports,
        _LEAD_REFERENCE,
    )

    # How much a theme word still counts, given how many stories mention it:
    # log2((N + 1) / df) over _SPREAD_BITS, at most 1; never below the factor of a word in
    # two stories, so that a small briefing keeps its words (a single story keeps all).
    df = np.bincount(per_story.indices, minlength=shape[1])
    bits = min(_SPREAD_BITS, math.log2(count + 1)) if count else 1.0
    spread = np.minimum(1.0, np.log2((count + 1) / np.maximum(df, 1)) / bits)
    weights = np.zeros((shape[1], len(themes)))
    strong = np.zeros((shape[1], len(themes)))
    for t, theme_patterns in enumerate(patterns):
        for pattern in theme_patterns:
            c = column[pattern.stems]
            fade = spread[c]
            if pattern.strong:  # the user's explicit choice: fades less
                fade = 1.0 - _KEYWORD_SPREAD_SHARE * (1.0 - fade)
            weights[c, t] = pattern.weight * fade
            strong[c, t] = 1.0 if pattern.strong else 0.0
    scores = np.asarray(gains @ weights).reshape(count, len(themes))
    lead_scores = np.asarray(lead_gains @ weights).reshape(count, len(themes))
    present = sparse.csr_matrix(per_story, copy=True)
    present.data = np.ones_like(present.data)
    is_strong = np.asarray(present @ strong).reshape(count, len(themes)) > 0
    distinct = np.asarray(present @ (weights > 0)).reshape(count, len(themes))

    # A story needs real evidence, not one description word said often: a keyword or the
    # theme's name, or at least two different words of the theme, in its headline and
    # lead, and every proper name of the theme's name somewhere.
    eligible = (
        (scores >= _THEME_MIN_SCORE)
        & (lead_scores >= LEAD_MIN_SCORE)
        & (is_strong | (distinct >= 2))
    )
    # A story that fits a theme in all but its named subject (EU membership, under "NATO
    # membership") is about that kind of thing for someone else. It is no evidence for a
    # lesser theme: "accession talks" are not peace talks.
    other_subject = np.where(eligible & ~qualified, scores, -np.inf).max(axis=1, initial=-np.inf)
    eligible &= qualified
    ranked_scores = np.where(eligible, scores, -np.inf)
    # Highest score first; ties go to the theme that comes first in the file.
    best = np.argmax(ranked_scores, axis=1) if themes else np.zeros(count, dtype=np.int64)
    best[~eligible.any(axis=1)] = -1
    if themes:
        best[ranked_scores.max(axis=1) < other_subject] = -1

    if explain == "none":
        return [], best
    forms = _Forms(texts, hits, story, shape[1])
    placements: list[Placement] = []
    for s in range(count):
        lo, hi = gains.indptr[s], gains.indptr[s + 1]
        story_columns = gains.indices[lo:hi]
        story_gains = gains.data[lo:hi]
        fits = []
        for t, theme in enumerate(themes):
            why: tuple[str, ...] = ()
            if scores[s, t] > 0.0 and (explain == "all" or t == best[s]):
                why = forms.why(s, story_columns, story_gains * weights[story_columns, t])
            fits.append(
                ThemeFit(
                    theme.name,
                    float(scores[s, t]),
                    why,
                    bool(eligible[s, t]),
                    float(lead_scores[s, t]),
                )
            )
        if best[s] < 0:
            placements.append(Placement(OTHER_THEME, (), (), tuple(fits)))
            continue
        top = float(scores[s, best[s]])
        order = sorted(
            (t for t in range(len(themes)) if eligible[s, t] and t != best[s]),
            key=lambda t: (-scores[s, t], t),
        )
        secondary = tuple(themes[t].name for t in order if scores[s, t] >= _SECONDARY_SHARE * top)
        placements.append(
            Placement(themes[best[s]].name, secondary, fits[best[s]].terms, tuple(fits))
        )
    return placements, best


class _Forms:
    """The usual written form of each pattern in each story, looked up only for the
    terms that are quoted back."""

    def __init__(self, texts: _Texts, hits: _Hits, story: np.ndarray, columns: int) -> None:
        self.texts = texts
        self.hits = hits
        self.columns = columns
        code = story * columns + hits.column
        self.order = np.argsort(code, kind="stable")
        self.codes = code[self.order]

    def form(self, story: int, column: int) -> str:
        code = story * self.columns + column
        lo, hi = np.searchsorted(self.codes, [code, code + 1])
        counts: Counter[str] = Counter()
        words = self.texts.words
        surface = self.texts.surface
        # A few spellings are enough to quote the usual one back.
        for index in self.order[lo : min(hi, lo + _FORM_SAMPLES)].tolist():
            first, last = int(self.hits.first[index]), int(self.hits.last[index])
            counts[" ".join(surface[w] for w in words[first : last + 1].tolist())] += 1
        return _usual_form(counts)

    def why(self, story: int, columns: np.ndarray, gains: np.ndarray) -> tuple[str, ...]:
        """The weightiest terms first, ties in alphabetical order; each form once."""
        why: list[str] = []
        seen: set[str] = set()
        positive = gains > 0
        columns, gains = columns[positive], gains[positive]
        for value in sorted(set(gains.tolist()), reverse=True):
            tied = sorted(
                (self.form(story, int(c)) for c in columns[gains == value]), key=str.casefold
            )
            for form in tied:
                if form.casefold() not in seen:
                    seen.add(form.casefold())
                    why.append(form)
            if len(why) >= _WHY_LIMIT:
                break
        return tuple(why[:_WHY_LIMIT])


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
    texts: _Texts,
    positions: _Positions,
    stories: _Stories,
    best: np.ndarray,
    themes: Sequence[Theme],
    patterns: Sequence[Sequence[_Pattern]],
) -> list[tuple[_Pattern, ...]]:
    count = stories.members.shape[0]
    lead = positions.weight > _TAIL_ZONE
    present = sparse.csr_matrix(
        (
            np.ones(int(lead.sum())),
            (stories.story_of[positions.article[lead]], positions.key[lead]),
        ),
        shape=(count, max(len(texts.keys), 1)),
    )
    present.sum_duplicates()
    present.data = np.ones_like(present.data)
    df = np.bincount(present.indices, minlength=present.shape[1]).astype(np.float64)
    names = list(texts.keys)
    extended: list[tuple[_Pattern, ...]] = []
    for t, (theme, theme_patterns) in enumerate(zip(themes, patterns, strict=True)):
        own = np.nonzero(best == t)[0]
        if len(own) < _FEEDBACK_MIN_STORIES:
            extended.append(tuple(theme_patterns))
            continue
        inside = np.asarray(present[own].sum(axis=0)).ravel()
        # The theme's own words, and the names that set its scene, are no news.
        scene = set(_qualifiers(theme)) | _proper_names(theme.description)
        known = {p.stems for p in theme_patterns} | {(q,) for q in scene}
        least = max(2.0, _FEEDBACK_SHARE * len(own))
        candidates: list[tuple[float, str]] = []
        for ident in np.nonzero(inside >= least)[0].tolist():
            term = names[ident]
            if (term,) in known or not term[:1].isalpha():
                continue
            lift = (inside[ident] / len(own)) / (df[ident] / count)
            if lift >= _FEEDBACK_LIFT:
                candidates.append((float(inside[ident] * math.log(lift)), term))
        chosen = sorted(candidates, key=lambda c: (-c[0], c[1]))[:_FEEDBACK_TERMS]
        log.debug("theme %r: feedback words %s", theme.name, [t for _, t in chosen])
        extended.append(
            tuple(theme_patterns)
            + tuple(_Pattern((term,), _FEEDBACK_WEIGHT, False) for _, term in chosen)
        )
    return extended


def _placements(
    texts: _Texts,
    story_of: np.ndarray,
    count: int,
    themes: Sequence[Theme],
    explain: str = "all",
) -> list[Placement]:
    positions = _positions(texts)
    stories = _stories(story_of, count, positions)
    patterns = [_theme_patterns(theme) for theme in themes]
    qualified = _qualified(texts, positions, stories, themes)
    if not themes:
        return _place_all(texts, positions, stories, themes, patterns, qualified, explain)[0]
    _, best = _place_all(texts, positions, stories, themes, patterns, qualified, "none")
    extended = _feedback_patterns(texts, positions, stories, best, themes, patterns)
    return _place_all(texts, positions, stories, themes, extended, qualified, explain)[0]


def place_themes(stories: Sequence[Sequence[Document]], themes: Sequence[Theme]) -> list[Placement]:
    """The placement of each story (the reports of one event) under the themes.

    How much a weak theme word counts depends on how many of the stories mention it, so
    the stories are placed together, as one briefing.
    """
    texts = _read_texts([_document_parts(d) for documents in stories for d in documents])
    story_of = np.repeat(np.arange(len(stories)), [len(documents) for documents in stories])
    return _placements(texts, story_of.astype(np.int64), len(stories), themes)


# --- stories -----------------------------------------------------------------------------

_TITLE_CHARS = 90  # a headline made from a sentence is cut near this length


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

    texts = _read_texts([_document_parts(document) for document in unique])
    raw = _cluster_matrix(texts)
    labels = _cluster_matrix_labels(raw, [document.article.date for document in unique])
    members: defaultdict[int, list[int]] = defaultdict(list)
    for position, label in enumerate(labels):
        members[label].append(position)
    story_of = np.zeros(len(unique), dtype=np.int64)
    reports: list[list[Article]] = []
    for number, label in enumerate(sorted(members)):
        story_of[members[label]] = number
        reports.append(sorted((unique[p].article for p in members[label]), key=_article_key))
    placements = _placements(texts, story_of, len(reports), themes, "primary")
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
                bullets=story_bullets(quoted, summaries, max_bullets),
                theme=theme,
                secondary_themes=secondary,
                why=why,
                copies=copies,
            )
        )
    if merged:
        log.info("%d articles folded into stories first reported by another article", merged)
    stories = _label_topics(stories, texts, raw, story_of)

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


def _shingles(document: Document) -> np.ndarray | tuple[str, ...]:
    """The distinct hashes of the body's runs of _SHINGLE words (the words themselves for a
    text too short to have enough). Hashes stand in for the runs: with 64 bits, two
    different runs in one story share a hash about never."""
    text = " ".join(block.text for block in document.blocks if not block.is_heading)
    words = _WORD.findall(text.lower())
    if len(words) < _SHINGLE + _COPY_MIN_SHINGLES - 1:
        return tuple(words)
    hashes = np.fromiter(map(hash, words), dtype=np.int64, count=len(words)).view(np.uint64)
    runs = len(words) - _SHINGLE + 1
    combined = np.zeros(runs, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(_SHINGLE):
            combined = combined * np.uint64(1_000_003) + hashes[offset : offset + runs]
    unique: np.ndarray = np.unique(combined)
    return unique


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
                same = (
                    isinstance(mine, tuple)
                    and isinstance(theirs, tuple)
                    and bool(mine)
                    and mine == theirs
                )
            else:
                smaller = min(len(mine), len(theirs))
                shared = len(np.intersect1d(mine, theirs, assume_unique=True))
                same = shared >= _COPY_OVERLAP * smaller
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
# A topic shows in a story's heaviest few terms; the rest only slow the comparisons.
_TOPIC_MAX_TERMS = 20
_TOPIC_COMMON_SHARE = 0.05  # of the stories: a term in more says little about a topic...
_TOPIC_COMMON_MIN = 100  # ...once the briefing is big enough for that to matter
_TOPIC_TERMS = 3
_TOPIC_SHARE = 0.5  # a label word is in the headline or lead of at least this share


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
        sims = sparse.coo_matrix(_keep_top_terms(sims, _TOPIC_NEIGHBOURS))
        first = np.minimum(rows[sims.row], sims.col).tolist()
        second = np.maximum(rows[sims.row], sims.col).tolist()
        pairs.update(zip(zip(first, second, strict=True), sims.data.tolist(), strict=True))
    return pairs


def _label_topics(
    stories: Sequence[Story], texts: _Texts, raw: sparse.csr_matrix, story_of: np.ndarray
) -> list[Story]:
    """Group the related stories under OTHER_THEME and label each group by its words:
    the few that the group's headlines and leads share and the other stories lack."""
    other = [index for index, story in enumerate(stories) if story.theme == OTHER_THEME]
    result = list(stories)
    if len(other) < 2:
        return result
    position = np.full(len(stories), -1, dtype=np.int64)
    position[other] = np.arange(len(other))
    owner = position[story_of]
    articles = np.nonzero(owner >= 0)[0]
    membership = sparse.csr_matrix(
        (np.ones(len(articles)), (owner[articles], articles)), shape=(len(other), texts.count)
    )
    vectors = _tfidf(sparse.csr_matrix(membership @ raw), _TOPIC_MAX_TERMS)
    pairs = _topic_pairs(vectors)
    roots = _average_linkage([None] * len(other), pairs, _TOPIC_THRESHOLD)
    groups: defaultdict[int, list[int]] = defaultdict(list)
    for place, root in enumerate(roots):
        groups[root].append(place)

    # Headline and lead words, by stem; figures say nothing of the topic.
    figure = np.asarray([word[:1].isdigit() for word in texts.surface], dtype=bool)
    lead = np.nonzero(
        (texts.part != _REST_PART)
        & texts.content[texts.words]
        & ~figure[texts.words]
        & (owner[texts.article] >= 0)
    )[0]
    lead_story = owner[texts.article[lead]]
    lead_stem = texts.stem_of[texts.words[lead]]
    present = sparse.csr_matrix(
        (np.ones(len(lead)), (lead_story, lead_stem)), shape=(len(other), len(texts.stems))
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
    for number, group_members in enumerate(groups.values()):
        # A group of all of them says nothing the heading does not.
        if len(group_members) < 2 or len(group_members) == len(other):
            continue
        counts = np.asarray(present[group_members].sum(axis=0)).ravel()
        least = max(2.0, _TOPIC_SHARE * len(group_members))
        scored = [
            (
                float(counts[term]) / len(group_members) * math.log((total + 1) / df[term]),
                texts.stems[term],
                term,
            )
            for term in np.nonzero(counts >= least)[0].tolist()
        ]
        chosen = sorted(scored, key=lambda s: (-s[0], s[1]))[:_TOPIC_TERMS]
        if not chosen:
            continue
        mine = by_group[bounds[number] : bounds[number + 1]]
        forms = []
        for _, _, term in chosen:
            where = lead[mine[lead_stem[mine] == term]]
            forms.append(
                _usual_form(Counter(texts.surface[w] for w in texts.words[where].tolist()))
            )
        label = ", ".join(forms)
        for place in group_members:
            index = other[place]
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
