"""Theme placement variants measured and not taken: the figures behind the notes in
briefer/group/themes.py ("Tried and not taken, stop 20").

    python benchmarks/themes_tried.py ../shared/eval/themes_dev.jsonl \
        ../shared/eval/themes_dev.toml --alt benchmarks/themes_alt.toml

Each variant changes one thing of the placement read to 1,500 characters (the front reading
of themes.placements, as shipped alone before stop 22; rebuilt here from the same patterns,
mentions and null model; themes_whole.py checks its rebuild of the two readings shipped since
against themes.placements) and prints, for
the high rows of each wording, accuracy and macro-F1 on half A (even id hash, the half choices
were made on), half B and the whole file, the kinds of error, and the AUC of the best theme's
evidence (its score over what it needs) for themed rows against Other rows: how well it could
say "none of these" at any threshold.

- current: the front reading alone, as shipped before stop 22.
- lm LAMBDA Z: each theme a smoothed unigram language model (its words at their source weights,
  mixed with English at LAMBDA), an article's evidence its log-likelihood ratio against English
  (field-weighted), and a theme placing it at Z standard deviations above what an article of
  its length drawn from English reaches (the analytic null).
- spread W: the evidence as the share of windows of W content words holding a theme word, as a
  binomial z-score against the share the same windows drawn from English would hold (AUC only).
- tail F: the whole article read, content words past the first 125 (about the 1,500 characters
  read now) at field weight F.
- null at length S: the null model at each article's own length and field weights instead of
  the reference report's, at S standard deviations.
- context W A: a mention counts A of its weight unless another of the theme's words is within
  W content words (the theme's words read as each other's context).
- synonyms as one term: a near-synonym's mentions added to the mentions of the word it stands
  for (at half weight) and saturated together, as a query's synonym operator does, instead of
  counted as a term of their own; the null takes the groups in.
- thresholds fitted to the file: each theme's needed score scaled by the factor (0.5-2.0 in
  steps of 0.05, three rounds of coordinate ascent, ties to 1) that is best on all the rows; an
  upper bound, not a method: what no calibration of "Other" can pass with the present evidence.
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np
from scipy import sparse

from briefer.clean import clean
from briefer.group import load_themes
from briefer.group import texts as texts_module
from briefer.group import theme_patterns as P
from briefer.group import themes as T
from briefer.group.theme_mentions import Hits, Positions, find_hits
from briefer.group.theme_neighbours import near_synonyms
from briefer.records import OTHER_THEME, Document, Theme

sys.path.insert(0, str(Path(__file__).resolve().parent))
from themes_halves import auc, half, parsed, row_article, wordings

_WINDOW_WORDS = 125  # content words in the first 1,500 characters (themes_dev median 135)


@dataclass(frozen=True)
class Prepared:
    """The rows' mentions of a themes file's patterns, as themes.placements finds them."""

    themes: tuple[Theme, ...]
    patterns: list[tuple[P._Pattern, ...]]
    column: dict[tuple[str, ...], int]
    positions: Positions
    hits: Hits
    rank: np.ndarray  # each mention's place among its article's content words
    length: np.ndarray  # field-weighted content words of each article
    words: np.ndarray  # content words of each article
    qualified: np.ndarray  # rows x themes

    @property
    def count(self) -> int:
        return len(self.length)


# Each content word's factor on its field weight, from its place among its article's body
# words (0 for a headline word), its article and whether it is a body word.
Weigh = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def prepare(
    documents: Sequence[Document],
    themes: tuple[Theme, ...],
    tail: float = 1.0,
    weigh: Weigh | None = None,
) -> Prepared:
    texts = texts_module.read_texts([texts_module.document_parts(d) for d in documents])
    keys = T.ThemeKeys.of(texts)
    positions = T._positions(texts, keys)
    # The front reading: the words read in order (the tail's, the whole article's alone, left out).
    front = positions.word >= 0
    positions = Positions(*(getattr(positions, f.name)[front] for f in fields(Positions)))
    if tail != 1.0 or weigh is not None:
        body = texts.part[positions.word] != texts_module.TITLE_PART
        ranks = texts_module.body_ranks(positions.article, body)
        if weigh is None:
            factor = np.where(body & (ranks >= _WINDOW_WORDS), tail, 1.0)
        else:
            factor = weigh(ranks, positions.article, body)
        positions = replace(positions, weight=positions.weight * factor)
    patterns = P.themes_patterns(themes)
    columns = sorted({p.stems for theme_patterns in patterns for p in theme_patterns})
    hits = find_hits(texts, keys.ids, positions, columns)
    count = texts.count
    first = np.searchsorted(positions.article, np.arange(count))
    rank = np.searchsorted(positions.word, hits.first) - first[hits.article]
    return Prepared(
        themes=themes,
        patterns=patterns,
        column={stems: c for c, stems in enumerate(columns)},
        positions=positions,
        hits=hits,
        rank=rank,
        length=np.bincount(positions.article, weights=positions.weight, minlength=count),
        words=np.bincount(positions.article, minlength=count).astype(np.float64),
        qualified=T._names(texts, positions, keys.ids, np.arange(count), count, themes)[0],
    )


def _theme_columns(prep: Prepared, t: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights of theme t by column: all its patterns, and its own words only."""
    weights = np.zeros(max(len(prep.column), 1))
    own = np.zeros_like(weights)
    for pattern in prep.patterns[t]:
        weights[prep.column[pattern.stems]] = pattern.weight
        own[prep.column[pattern.stems]] = pattern.weight if pattern.own else 0.0
    return weights, own


def bm25(
    prep: Prepared, multiplier: Callable[[int], np.ndarray] | None = None, b: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows x themes: score, own-word score and distinct theme words, as themes.placements
    (one report a story); `multiplier(t)` scales each mention's weight for theme t; `b`, the
    length normalization, when not themes._B."""
    n, k = prep.count, len(prep.themes)
    shape = (n, max(len(prep.column), 1))
    ratio = prep.length / P._REFERENCE_LENGTH
    scores, owns, distinct = np.zeros((n, k)), np.zeros((n, k)), np.zeros((n, k))
    for t in range(k):
        weights, own = _theme_columns(prep, t)
        factor = 1.0 if multiplier is None else multiplier(t)
        tf = sparse.csr_matrix(
            (prep.hits.weight * factor, (prep.hits.article, prep.hits.column)), shape=shape
        )
        tf.sum_duplicates()
        tf.eliminate_zeros()
        gains = tf.copy()
        ratios = np.repeat(ratio, np.diff(gains.indptr))
        if b is None:
            gains.data = P._saturation(gains.data, ratios)
        else:
            gains.data = gains.data * (P._K1 + 1) / (gains.data + P._K1 * (1 - b + b * ratios))
        scores[:, t] = gains @ weights
        owns[:, t] = gains @ own
        tf.data[:] = 1.0
        distinct[:, t] = tf @ (weights > 0)
    return scores, owns, distinct


def decide(
    prep: Prepared, scores: np.ndarray, owns: np.ndarray, distinct: np.ndarray, needed: np.ndarray
) -> list[str]:
    """themes.placements' rule: eligible when the score clears the null with two theme words
    and the theme's names; the eligible theme with the most own-word evidence."""
    eligible = (scores >= needed) & (distinct >= P._MIN_MENTIONS) & prep.qualified
    best = np.argmax(np.where(eligible, owns, -np.inf), axis=1)
    return [prep.themes[b].name if eligible[i].any() else OTHER_THEME for i, b in enumerate(best)]


def needed_of(prep: Prepared) -> np.ndarray:
    return np.asarray([P.null_threshold(p) for p in prep.patterns])


# --- the variants ----------------------------------------------------------------------------


def lm_evidence(prep: Prepared, mix: float) -> np.ndarray:
    """Rows x themes: the log-likelihood ratio's z-score against its English null."""
    z = np.zeros((prep.count, len(prep.themes)))
    squares = np.bincount(
        prep.positions.article, weights=prep.positions.weight**2, minlength=prep.count
    )
    for t, patterns in enumerate(prep.patterns):
        idf = np.asarray([P._idf(p.text) for p in patterns])
        source = np.asarray([p.weight for p in patterns]) / np.maximum(idf, 1e-9)
        english = 10.0**-idf
        gain = np.log1p(mix / (1 - mix) * (source / source.sum()) / english)
        mean = float((english * gain).sum())
        sd = math.sqrt(max(float((english * gain**2).sum()) - mean**2, 0.0))
        by_column = np.zeros(max(len(prep.column), 1))
        for pattern, value in zip(patterns, gain, strict=True):
            by_column[prep.column[pattern.stems]] = value
        ratio = np.bincount(
            prep.hits.article,
            weights=by_column[prep.hits.column] * prep.hits.weight,
            minlength=prep.count,
        )
        z[:, t] = (ratio - mean * prep.length) / (sd * np.sqrt(squares))
    return z


def spread_evidence(prep: Prepared, window: int) -> np.ndarray:
    """Rows x themes: windows holding a theme word, z against English."""
    z = np.zeros((prep.count, len(prep.themes)))
    windows = np.maximum(np.ceil(prep.words / window), 1.0)
    slot = prep.hits.article * 100_000 + prep.rank // window
    for t, patterns in enumerate(prep.patterns):
        weights, _ = _theme_columns(prep, t)
        chance = sum(10.0 ** (P._zipf(p.text) - 9.0) for p in patterns)
        q = 1.0 - math.exp(-window * chance)
        mine = np.unique(slot[weights[prep.hits.column] > 0])
        held = np.bincount(mine // 100_000, minlength=prep.count)
        z[:, t] = (held - windows * q) / np.sqrt(windows * q * (1 - q))
    return z


def null_at_length(prep: Prepared, sigmas: float) -> np.ndarray:
    """Rows x themes: the null model at each article's own length and mean field weight."""
    needed = np.zeros((prep.count, len(prep.themes)))
    cache: dict[tuple[int, int], np.ndarray] = {}
    for i in range(prep.count):
        key = (max(int(prep.words[i]), 1), max(round(prep.length[i]), 1))
        if key not in cache:
            cache[key] = _null_scaled(prep, key[0], float(key[1]), sigmas)
        needed[i] = cache[key]
    return needed


def _null_scaled(prep: Prepared, words: int, length: float, sigmas: float) -> np.ndarray:
    """themes.null_threshold for a report of `words` content words weighing `length`."""
    counts = np.arange(0, 40)
    log_factorial = np.cumsum(np.log(np.maximum(counts, 1)))
    field = length / words
    out = []
    for patterns in prep.patterns:
        mean = variance = 0.0
        for pattern in patterns:
            rate = words * 10.0 ** (P._zipf(pattern.text) - 9.0)
            pmf = np.exp(counts * math.log(rate) - rate - log_factorial)
            gain = pattern.weight * P._saturation(counts * field, length / P._REFERENCE_LENGTH)
            first = float((pmf * gain).sum())
            mean += first
            variance += float((pmf * gain**2).sum()) - first**2
        out.append(mean + sigmas * math.sqrt(max(variance, 0.0)))
    return np.asarray(out)


def context_multiplier(prep: Prepared, window: int, alone: float) -> Callable[[int], np.ndarray]:
    """A mention's factor for theme t: 1 with another of t's words within `window` content
    words, else `alone`."""
    article, rank, column = prep.hits.article, prep.rank, prep.hits.column

    def factor(t: int) -> np.ndarray:
        weights, _ = _theme_columns(prep, t)
        out = np.full(len(column), alone)
        by_article: dict[int, list[int]] = defaultdict(list)
        for h in np.nonzero(weights[column] > 0)[0].tolist():
            by_article[int(article[h])].append(h)
        for mentions in by_article.values():
            for h in mentions:
                if any(
                    column[g] != column[h] and abs(int(rank[g]) - int(rank[h])) <= window
                    for g in mentions
                ):
                    out[h] = 1.0
        return out

    return factor


def synonyms_as_one_term(prep: Prepared) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scores, own scores, distinct terms and needed with each near-synonym folded into the
    theme word it stands for (the heaviest such word)."""
    n, k = prep.count, len(prep.themes)
    scores, owns, distinct = np.zeros((n, k)), np.zeros((n, k)), np.zeros((n, k))
    needed = np.zeros(k)
    ratio = (prep.length / P._REFERENCE_LENGTH)[:, None]
    weights_words = P._REFERENCE_LENGTH / P._MEAN_FIELD
    for t, patterns in enumerate(prep.patterns):
        own = [p for p in patterns if p.own]
        found = near_synonyms(p.text.lower() for p in own if P._has_synonyms(p.stems, p.text))
        group_of = {prep.column[p.stems]: (g, 1.0) for g, p in enumerate(own)}
        members: list[list[tuple[P._Pattern, float]]] = [[(p, 1.0)] for p in own]
        for synonym in (p for p in patterns if not p.own):
            sources = [
                g
                for g, p in enumerate(own)
                if P._has_synonyms(p.stems, p.text)
                and any(
                    texts_module.theme_key(w) == synonym.stems[0] for w, _ in found[p.text.lower()]
                )
            ]
            g = max(sources, key=lambda s: own[s].weight)
            group_of[prep.column[synonym.stems]] = (g, P._SYNONYM_WEIGHT)
            members[g].append((synonym, P._SYNONYM_WEIGHT))
        column_group = np.full(max(len(prep.column), 1), -1)
        column_factor = np.zeros(len(column_group))
        for c, (g, f) in group_of.items():
            column_group[c], column_factor[c] = g, f
        mine = column_group[prep.hits.column] >= 0
        cols = prep.hits.column[mine]
        rows = prep.hits.article[mine]
        tf = sparse.csr_matrix(
            (prep.hits.weight[mine] * column_factor[cols], (rows, column_group[cols])),
            shape=(n, len(own)),
        ).toarray()
        own_tf = sparse.csr_matrix(
            (prep.hits.weight[mine] * (column_factor[cols] == 1.0), (rows, column_group[cols])),
            shape=(n, len(own)),
        ).toarray()
        weight = np.asarray([p.weight for p in own])
        scores[:, t] = np.where(tf > 0, P._saturation(tf, ratio), 0.0) @ weight
        owns[:, t] = np.where(own_tf > 0, P._saturation(own_tf, ratio), 0.0) @ weight
        distinct[:, t] = (tf > 0).sum(axis=1)
        mean = variance = 0.0
        size = 80  # half-mentions
        grid = np.arange(size) / 2.0
        for group, (p, _) in zip(members, ((m[0]) for m in members), strict=True):
            pmf = np.zeros(size)
            pmf[0] = 1.0
            for pattern, factor in group:
                rate = weights_words * 10.0 ** (P._zipf(pattern.text) - 9.0)
                step = round(factor * 2)
                mentions = np.arange(size // step)
                one = np.zeros(size)
                one[mentions * step] = np.exp(
                    mentions * math.log(rate) - rate - np.cumsum(np.log(np.maximum(mentions, 1)))
                )
                pmf = np.convolve(pmf, one)[:size]
            gain = p.weight * P._saturation(grid * P._MEAN_FIELD, 1.0)
            first = float((pmf * gain).sum())
            mean += first
            variance += float((pmf * gain**2).sum()) - first**2
        needed[t] = mean + P._NULL_SIGMAS * math.sqrt(max(variance, 0.0))
    return scores, owns, distinct, needed


def fitted_thresholds(
    prep: Prepared,
    scores: np.ndarray,
    owns: np.ndarray,
    distinct: np.ndarray,
    needed: np.ndarray,
    gold: list[str],
) -> np.ndarray:
    """Per theme, the factor on its needed score that places the most rows right."""
    grid = np.round(np.arange(0.5, 2.0001, 0.05), 2)
    factors = np.ones(len(prep.themes))

    def right(candidate: np.ndarray) -> int:
        placed = decide(prep, scores, owns, distinct, needed * candidate)
        return sum(p == g for p, g in zip(placed, gold, strict=True))

    for _ in range(3):
        for t in range(len(factors)):
            trial = factors.copy()

            def value(factor: float, t: int = t, trial: np.ndarray = trial) -> tuple[int, float]:
                trial[t] = factor
                return right(trial), -abs(factor - 1.0)

            factors[t] = max(grid.tolist(), key=value)
    return factors


# --- scoring ---------------------------------------------------------------------------------


def report(rows: list[dict[str, object]], gold: list[str], predicted: list[str]) -> str:
    parts = []
    for name in ("A", "B", "all"):
        pairs = [
            (g, p)
            for r, g, p in zip(rows, gold, predicted, strict=True)
            if name == "all" or half(str(r["id"])) == name
        ]
        labels = sorted({x for pair in pairs for x in pair})
        f1s = []
        for label in labels:
            tp = sum(1 for g, p in pairs if g == p == label)
            total = sum(g == label for g, _ in pairs) + sum(p == label for _, p in pairs)
            f1s.append(2 * tp / total if total else 0.0)
        accuracy = sum(g == p for g, p in pairs) / len(pairs)
        parts.append(f"{name} {accuracy:.3f}/{sum(f1s) / len(f1s):.3f}")
    to_other = sum(p == OTHER_THEME != g for g, p in zip(gold, predicted, strict=True))
    from_other = sum(g == OTHER_THEME != p for g, p in zip(gold, predicted, strict=True))
    wrong = sum(OTHER_THEME not in (g, p) and g != p for g, p in zip(gold, predicted, strict=True))
    return (
        " ".join(parts) + f" | themed->Other {to_other}, Other->themed {from_other}, wrong {wrong}"
    )


def separation(rows: list[dict[str, object]], gold: list[str], evidence: np.ndarray) -> str:
    best = evidence.max(axis=1)
    other = np.asarray([g == OTHER_THEME for g in gold])
    in_a = np.asarray([half(str(r["id"])) == "A" for r in rows])
    return "AUC " + " ".join(
        f"{name} {auc(best[~other & part], best[other & part]):.3f}"
        for name, part in (("A", in_a), ("B", ~in_a), ("all", np.ones_like(in_a)))
    )


def main() -> int:
    given = parsed()
    if given is None:
        return 0
    args, loaded = given
    rows = [r for r in loaded if r.get("confidence") == "high"]
    documents = [clean(row_article(r)) for r in rows]
    for label, path, rename in wordings(args):
        themes = load_themes(path)
        gold = [
            OTHER_THEME
            if str(r["label"]) == "Other"
            else rename.get(str(r["label"]), str(r["label"]))
            for r in rows
        ]
        prep = prepare(documents, themes)
        needed = needed_of(prep)
        scores, owns, distinct = bm25(prep)
        current = decide(prep, scores, owns, distinct, needed)

        def line(
            name: str,
            predicted: list[str],
            evidence: np.ndarray,
            label: str = label,
            gold: list[str] = gold,
        ) -> None:
            placed = report(rows, gold, predicted)
            print(f"{label:4} {name:26} {placed} | {separation(rows, gold, evidence)}")

        line("current", current, scores / needed)
        for mix in (0.03, 0.3):
            z = lm_evidence(prep, mix)
            for threshold in (15.0, 20.0, 25.0, 30.0):
                line(f"lm {mix} {threshold:.0f}", decide(prep, z, z, distinct, threshold), z)
        for window in (8, 15):
            z = spread_evidence(prep, window)
            print(f"{label:4} {f'spread {window}':26} {separation(rows, gold, z)}")
        for sigmas in (10.0, 12.0):
            at_length = null_at_length(prep, sigmas)
            line(
                f"null at length {sigmas:.0f}",
                decide(prep, scores, owns, distinct, at_length),
                scores / at_length,
            )
        for window, alone in ((20, 0.0), (20, 0.5), (40, 0.5)):
            s, o, d = bm25(prep, context_multiplier(prep, window, alone))
            line(f"context {window} {alone}", decide(prep, s, o, d, needed), s / needed)
        factors = fitted_thresholds(prep, scores, owns, distinct, needed, gold)
        fitted = decide(prep, scores, owns, distinct, needed * factors)
        line("thresholds fitted " + " ".join(f"{f:.2f}" for f in factors), fitted, scores / needed)
        s, o, d, folded = synonyms_as_one_term(prep)
        line("synonyms as one term", decide(prep, s, o, d, folded), s / folded)
        saved = texts_module._MAX_CHARS
        try:
            texts_module._MAX_CHARS = 10**7
            for tail in (0.0, 0.1, 0.25, 1.0):
                long = prepare(documents, themes, tail)
                s, o, d = bm25(long)
                line(f"tail {tail}", decide(long, s, o, d, needed), s / needed)
                if tail == 0.1:
                    z = spread_evidence(long, 15)
                    print(f"{label:4} {'spread 15, whole article':26} {separation(rows, gold, z)}")
        finally:
            texts_module._MAX_CHARS = saved
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
