"""Choose the sentences that stand for an article.

Every algorithm ranks the article's sentences; one shared selection step then takes the best
ones within the sentence count and the optional word budget and returns them in document
order, so all algorithms obey the same contract.

The classic algorithms come from sumy, fed through our own tokenizer and stopwords: sumy's
default tokenizer needs nltk's downloaded punkt data, which briefer never uses.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import sparse

from briefer.errors import OptionsError
from briefer.records import Document, Sentence, Summary
from briefer.words import stem, stopwords, tokens

logger = logging.getLogger(__name__)

SUMY_ALGORITHMS: tuple[str, ...] = ("lexrank", "textrank", "lsa", "luhn", "sumbasic", "kl")
ALGORITHMS: tuple[str, ...] = ("default", "lead", *SUMY_ALGORITHMS)

FloatArray = npt.NDArray[np.float64]


def word_count(text: str) -> int:
    """Words as the word budget counts them: punctuation is not a word."""
    return len(tokens(text))


def summarize(
    document: Document,
    sentences: Sequence[Sentence],
    n: int = 3,
    algorithm: str = "default",
    words: int | None = None,
) -> Summary:
    """The document's summary: at most n of the given sentences, verbatim, in document order."""
    ordered = sorted(sentences, key=lambda sentence: sentence.index)
    chosen = choose(
        [sentence.text for sentence in ordered],
        title=document.article.title,
        n=n,
        algorithm=algorithm,
        words=words,
    )
    return Summary(
        article=document.article,
        sentences=tuple(ordered[position] for position in chosen),
        algorithm=algorithm,
    )


def choose(
    sentences: Sequence[str],
    title: str = "",
    n: int = 3,
    algorithm: str = "default",
    words: int | None = None,
) -> list[int]:
    """Indices (ascending) of the sentences chosen to summarize an article.

    At most n sentences; with a word budget, selection stops at the first ranked sentence that
    would exceed it, except that a non-empty article always yields at least one sentence.
    """
    if algorithm not in ALGORITHMS:
        raise OptionsError(
            f"unknown summary algorithm {algorithm!r}; choose one of: {', '.join(ALGORITHMS)}"
        )
    if n < 1 or not sentences:
        return []
    if algorithm == "default":
        return _choose_default(list(sentences), title, n, words)
    ranking = _RANKERS[algorithm](list(sentences), title)
    if words is None:
        return sorted(ranking[:n])
    return _take(ranking, [word_count(text) for text in sentences], n, words)


def _take(ranking: Sequence[int], lengths: Sequence[int], n: int, words: int | None) -> list[int]:
    """The first n ranked indices that fit the word budget, in document order."""
    chosen: list[int] = []
    used = 0
    for index in ranking[:n]:
        if words is not None and chosen and used + lengths[index] > words:
            break
        chosen.append(index)
        used += lengths[index]
    return sorted(chosen)


# --- lead and the sumy algorithms -------------------------------------------------------------


def _rank_lead(sentences: list[str], title: str) -> list[int]:
    return list(range(len(sentences)))


class _Tokenizer:
    """sumy's tokenizer interface, answered by briefer's own word splitter (no nltk data)."""

    language = "english"

    def to_words(self, text: str) -> tuple[str, ...]:
        return tuple(tokens(text))

    def to_sentences(self, text: str) -> tuple[str, ...]:
        # sumy only asks this of parsers, and we hand it sentences already split
        return (text,)


def _sumy_ranker(name: str) -> Callable[[list[str], str], list[int]]:
    def rank(sentences: list[str], title: str) -> list[int]:
        return _rank_with_sumy(name, sentences)

    return rank


def _make_sumy_summarizer(name: str) -> Any:
    # Imported here so that `briefer make` with the default scorer never pays for sumy
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.kl import KLSummarizer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.sum_basic import SumBasicSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    classes: dict[str, Any] = {
        "lexrank": LexRankSummarizer,
        "textrank": TextRankSummarizer,
        "lsa": LsaSummarizer,
        "luhn": LuhnSummarizer,
        "sumbasic": SumBasicSummarizer,
        "kl": KLSummarizer,
    }
    summarizer = classes[name](Stemmer("english"))
    summarizer.stop_words = stopwords()
    return summarizer


_summarizers: dict[str, Any] = {}


def _rank_with_sumy(name: str, sentences: list[str]) -> list[int]:
    """sumy's full ranking of the sentences, best first, as indices into `sentences`."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph
    from sumy.models.dom import Sentence as SumySentence

    summarizer = _summarizers.get(name)
    if summarizer is None:
        summarizer = _summarizers[name] = _make_sumy_summarizer(name)
    tokenizer = _Tokenizer()
    # One paragraph: sumy's algorithms here ignore paragraph structure, and sumy numbers
    # sentences across paragraphs anyway, so this keeps its order equal to our indices.
    model = ObjectDocumentModel([Paragraph([SumySentence(text, tokenizer) for text in sentences])])
    ranked: list[int] = []

    def capture_ranking(infos: list[Any]) -> list[Any]:
        # sumy hands the count callable every sentence sorted best first (a stable sort, so
        # ties keep document order); each carries its position, which maps back to our index
        # even when two sentences have the same text.
        ranked.extend(int(info.order) for info in infos)
        return infos

    with warnings.catch_warnings():
        # LSA warns when an article has fewer distinct words than sentences; that is harmless
        warnings.simplefilter("ignore")
        summarizer(model, capture_ranking)
    if len(ranked) != len(sentences):
        # sumy returns nothing for an article without a single content word: fall back to lead
        logger.debug("%s gave no ranking for %d sentences; using lead", name, len(sentences))
        return list(range(len(sentences)))
    return ranked


_RANKERS: dict[str, Callable[[list[str], str], list[int]]] = {
    "lead": _rank_lead,
    **{name: _sumy_ranker(name) for name in SUMY_ALGORITHMS},
}


# --- the default scorer -----------------------------------------------------------------------


@dataclass(frozen=True)
class ScorerWeights:
    """The default scorer's knobs, kept together so they can be tuned as one record."""

    position: float = 1.0
    position_scale: float = 5.0  # sentences; the lead prior halves after about this many
    centrality: float = 1.5
    title: float = 0.5
    length: float = -0.2  # negative: of two otherwise equal sentences, prefer the shorter
    length_cap: int = 40  # words; beyond it length no longer counts (run-ons are penalized)
    fragment_words: int = 6  # shorter sentences are fragments: captions, datelines, asides
    runon_words: int = 60  # longer ones are run-ons, usually a splitter miss or a list
    fragment_penalty: float = 1.0
    junk_penalty: float = 1.0
    question_penalty: float = 0.5
    quote_penalty: float = 0.3
    caption_penalty: float = 0.5
    dangling_penalty: float = 0.15
    redundancy: float = 0.5  # cosine to a chosen sentence above which a candidate repeats it


DEFAULT_WEIGHTS = ScorerWeights()

# A sentence that, without its dateline, is too short to say anything: "LONDON (Reuters) -"
_DATELINE = re.compile(
    r"^\W*(?:[A-Za-z][\w.'’-]*[ ,]+){0,4}\(\s*[A-Za-z][\w.]*(?: [\w.]+){0,2}\s*\)\s*(?:--|—|–|-|:)"
)
# Page furniture that survives cleaning: bylines, timestamps, credits, calls to action.
# Matched on lower-cased text, and only for sentences holding one of the hint words, since
# the unanchored pattern is far slower than a set test and furniture is rare.
_FURNITURE_HINTS = frozenset(
    {
        "published", "updated", "photo", "photos", "picture", "pictures", "image", "images",
        "video", "graphic", "getty", "click", "scroll", "read", "follow", "sign", "rights",
        "copyright",
    }
)  # fmt: skip
_FURNITURE = re.compile(
    r"\b(?:published|updated)\s*:|\b(?:photo|picture|image|video|graphic)s?\s*"
    r"(?::|credit|courtesy|copyright)|\bgetty images\b|\bclick here\b|\bscroll down\b|"
    r"\bread more\s*:|\bfollow (?:us|@)|\bsign up\b|\ball rights reserved\b|\bcopyright\b"
)
# "By Jane Roe and John Doe", "by . daily mail reporter .": a byline is not a sentence, so one
# that ends like a sentence is prose ("By Tuesday the park will open.")
_BYLINE = re.compile(
    r"\W*by\s*(?:\.\s|[\w.'’-]+(?:[\s,]+[\w.'’-]+){0,6}\s*$(?<![.!?\s]))", re.IGNORECASE
)
# Photo captions that leak into the body point at the picture: "Smith (left) meets Jones"
_CAPTION = re.compile(
    r"\(\s*(?:pictured|left|right|above|below|centre|center|top|bottom)\b[^()]{0,40}\)",
    re.IGNORECASE,
)
_QUOTE_MARKS = re.compile(r"[\"“”«»]")
# Openers that lean on the sentence before: out of context they dangle
_DANGLING_OPENERS = frozenset(
    {
        "but", "and", "however", "he", "she", "it", "they", "this", "these", "those", "his",
        "her", "their", "its", "also", "so", "or", "then", "meanwhile", "still", "yet",
        "instead", "him", "them", "we", "i", "you",
    }
)  # fmt: skip


@dataclass(frozen=True)
class _Features:
    lengths: npt.NDArray[np.int64]
    vectors: UnitRows  # sentence x term, tf-idf rows scaled to unit length
    centrality: FloatArray
    title: FloatArray
    penalty: FloatArray


def _choose_default(
    sentences: list[str],
    title: str,
    n: int,
    words: int | None,
    weights: ScorerWeights = DEFAULT_WEIGHTS,
) -> list[int]:
    features = _features(sentences, title, weights)
    scores = _scores(features, weights)
    ranking = _diverse_ranking(scores, features.vectors, n, weights.redundancy)
    return _take(ranking, features.lengths.tolist(), n, words)


class _TermIds(dict[str, int]):
    """Word -> id of its stem, shared by all articles; -1 for a word that carries no meaning.

    Mapping tokens through one dict at C speed (`map(ids.__getitem__, words)`) keeps Python
    out of the per-token loop, the scorer's hot spot; unseen words are stemmed on first sight.
    """

    LIMIT = 500_000  # words; past it the table starts again rather than grow without end

    def __init__(self) -> None:
        super().__init__()
        self._stem_ids: dict[str, int] = {}
        # misses are rare after warm-up, so a lock on them costs nothing and keeps two
        # threads from handing out the same id for different stems
        self._lock = threading.Lock()

    def __missing__(self, word: str) -> int:
        with self._lock:
            if word in self:
                return self[word]
            if word in stopwords() or (len(word) == 1 and not word.isalpha()):
                term = -1
            else:
                term = self._stem_ids.setdefault(stem(word), len(self._stem_ids))
            self[word] = term
            return term

    def trim(self) -> None:
        """Start afresh once full: called before an article, as clearing mid-article would
        mix two numberings in one matrix."""
        if len(self) >= self.LIMIT:
            with self._lock:
                self.clear()
                self._stem_ids.clear()


_term_ids = _TermIds()


def _features(sentences: list[str], title: str, weights: ScorerWeights) -> _Features:
    _term_ids.trim()
    count = len(sentences)
    words_of = [tokens(text) for text in sentences]
    lengths = np.fromiter(map(len, words_of), dtype=np.int64, count=count)
    penalty = np.fromiter(
        (
            _content_penalty(text, words, weights)
            for text, words in zip(sentences, words_of, strict=True)
        ),
        dtype=np.float64,
        count=count,
    )
    all_ids = np.fromiter(
        map(_term_ids.__getitem__, chain.from_iterable(words_of)),
        dtype=np.int64,
        count=int(lengths.sum()),
    )
    all_rows = np.repeat(np.arange(count, dtype=np.int64), lengths)
    meaningful = all_ids >= 0
    vocabulary, local_ids = np.unique(all_ids[meaningful], return_inverse=True)
    size = max(len(vocabulary), 1)

    # The sentence x term matrix as coordinate arrays: unique (row, term) codes with counts.
    codes, tf = np.unique(all_rows[meaningful] * size + local_ids, return_counts=True)
    rows, terms = np.divmod(codes, size)
    document_frequency = np.bincount(terms, minlength=size)
    idf = np.log((count + 1.0) / (document_frequency + 1.0)) + 1.0
    values = (1.0 + np.log(tf)) * idf[terms]
    norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=count))
    values /= norms[rows]
    vectors = _unit_rows(rows, terms, values, count, size)

    # Similarity to the centroid of the *other* sentences, so a sentence is not rewarded for
    # agreeing with itself; with unit rows, x·(C - x) = x·C - 1 and |C - x|² = |C|² - 2x·C + 1.
    total = np.bincount(terms, weights=values, minlength=size)
    dot_total = np.bincount(rows, weights=values * total[terms], minlength=count)
    self_dot = (norms > 0).astype(np.float64)
    rest_norm = np.sqrt(np.maximum(total @ total - 2.0 * dot_total + self_dot, 1e-12))
    centrality = np.where(norms > 0, (dot_total - self_dot) / rest_norm, 0.0)

    title_overlap = np.zeros(count)
    title_ids = np.unique(np.array([_term_ids[word] for word in tokens(title)], dtype=np.int64))
    title_ids = title_ids[title_ids >= 0]
    if title_ids.size and vocabulary.size:
        in_title = np.isin(vocabulary, title_ids).astype(np.float64)
        title_overlap = np.bincount(rows, weights=in_title[terms], minlength=count) / title_ids.size

    fragment = np.clip((weights.fragment_words - lengths) / weights.fragment_words, 0, 1)
    runon = np.clip((lengths - weights.runon_words) / weights.runon_words, 0, 1)
    penalty += weights.fragment_penalty * (fragment + runon)
    return _Features(lengths, vectors, centrality, title_overlap, penalty)


_DENSE_LIMIT = 4_000_000  # cells; a typical article's matrix has a few thousand

UnitRows: TypeAlias = "FloatArray | sparse.csr_matrix"


def _unit_rows(
    rows: npt.NDArray[np.int64],
    terms: npt.NDArray[np.int64],
    values: FloatArray,
    count: int,
    size: int,
) -> UnitRows:
    """The sentence x term matrix: dense while small, where scipy's set-up costs more than
    the arithmetic, sparse for a long document."""
    if count * size <= _DENSE_LIMIT:
        dense = np.zeros((count, size))
        dense[rows, terms] = values
        return dense
    return sparse.csr_matrix((values, (rows, terms)), shape=(count, size))


def _similarities(vectors: UnitRows, index: int) -> FloatArray:
    """Cosine of every sentence with one of them. Row by row rather than the whole
    sentence x sentence product: selection needs only n rows, and a small matrix product
    would wake every BLAS thread for microseconds of work."""
    if isinstance(vectors, np.ndarray):
        return np.asarray(vectors @ vectors[index], dtype=np.float64)
    return np.asarray((vectors @ vectors[index].T).todense(), dtype=np.float64).ravel()


def _content_penalty(text: str, words: list[str], weights: ScorerWeights) -> float:
    penalty = 0.0
    if text.rstrip(" \"'”’)]").endswith("?"):
        penalty += weights.question_penalty
    if _is_furniture(text, words, weights.fragment_words):
        penalty += weights.junk_penalty
    if ('"' in text or "“" in text or "«" in text) and _mostly_quoted(text, len(words)):
        penalty += weights.quote_penalty
    if "(" in text and _CAPTION.search(text):
        penalty += weights.caption_penalty
    if words and words[0] in _DANGLING_OPENERS:
        penalty += weights.dangling_penalty
    return penalty


def _is_furniture(text: str, words: list[str], fragment_words: int) -> bool:
    dateline = _DATELINE.match(text) if "(" in text else None
    if dateline and len(words) - len(tokens(dateline.group(0))) < fragment_words:
        return True
    if words and words[0] == "by" and _BYLINE.match(text):
        return True
    return not _FURNITURE_HINTS.isdisjoint(words) and bool(_FURNITURE.search(text.lower()))


def _mostly_quoted(text: str, length: int) -> bool:
    """A quote with no attribution of its own, or a quote cut open by the sentence split."""
    marks = list(_QUOTE_MARKS.finditer(text))
    if len(marks) % 2 == 1:
        return True
    inside = sum(
        len(tokens(text[opening.end() : closing.start()]))
        for opening, closing in zip(marks[::2], marks[1::2], strict=True)
    )
    return inside >= 0.8 * length


def _scores(features: _Features, weights: ScorerWeights) -> FloatArray:
    count = len(features.lengths)
    position = 1.0 / (1.0 + np.arange(count) / weights.position_scale)
    length_share = np.minimum(features.lengths, weights.length_cap) / weights.length_cap
    return (
        weights.position * position
        + weights.centrality * features.centrality
        + weights.title * features.title
        + weights.length * length_share
        - features.penalty
    )


def _diverse_ranking(scores: FloatArray, vectors: UnitRows, n: int, redundancy: float) -> list[int]:
    """Best first, skipping any candidate that repeats a sentence already ranked above it."""
    order = np.argsort(-scores, kind="stable").tolist()
    ranking: list[int] = []
    closest = np.zeros(len(order))  # each sentence's highest similarity to a ranked one
    for index in order:
        if len(ranking) >= n:
            break
        if closest[index] > redundancy:
            continue
        ranking.append(index)
        np.maximum(closest, _similarities(vectors, index), out=closest)
    if len(ranking) < n:
        # an article of near-duplicates still deserves n sentences: refill by score
        taken = set(ranking)
        ranking.extend(index for index in order if index not in taken)
    return ranking
