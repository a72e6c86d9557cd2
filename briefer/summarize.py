"""Choose the sentences that stand for an article.

Every algorithm ranks the article's sentences; one shared selection step then takes the best
ones within the sentence count and the optional word budget and returns them in document
order, so all algorithms obey the same contract.

The classic algorithms come from sumy, fed through our own tokenizer and stopwords: sumy's
default tokenizer needs nltk's downloaded punkt data, which briefer never uses.
"""

from __future__ import annotations

import bisect
import logging
import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from briefer.options import SUMY_ALGORITHMS, check_algorithm
from briefer.records import Document, Sentence, Summary
from briefer.words import stopwords, tokens

logger = logging.getLogger(__name__)


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
    check_algorithm(algorithm)
    if n < 1 or not sentences:
        return []
    if algorithm == "default":
        return choose_many([(sentences, title)], n=n, words=words)[0]
    ranking = _RANKERS[algorithm](list(sentences), title)
    return _take(ranking, _word_counter(sentences), n, words)


def _word_counter(sentences: Sequence[str]) -> Callable[[int], int]:
    return lambda index: word_count(sentences[index])


def _take(
    ranking: Sequence[int], length_of: Callable[[int], int], n: int, words: int | None
) -> list[int]:
    """The first n ranked indices that fit the word budget, in document order."""
    if words is None:
        return sorted(ranking[:n])
    chosen: list[int] = []
    used = 0
    for index in ranking[:n]:
        length = length_of(index)
        if chosen and used + length > words:
            break
        chosen.append(index)
        used += length
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
#
# The scorer must cost about what splitting costs, so it never makes a Python object per word.
# A batch of articles is joined into one UTF-8 buffer, mapped byte by byte to 6-bit letter codes
# with one `bytes.translate`, and cut into words with numpy. Each word becomes a 48-bit key, its
# first eight letters packed together (truncation doubles as a crude stemmer: "president",
# "presidents" and "presidential" agree). Prefixed with the article and suffixed with the
# sentence, one sort of those keys groups every (article, word) and every (sentence, word) at
# once; counts fall out of the run lengths. Python only visits the few best sentences of each
# article, to apply the checks that need the text (quotes, datelines, furniture) and to keep the
# chosen sentences from repeating each other.


@dataclass(frozen=True)
class ScorerWeights:
    """The default scorer's knobs, kept together so they can be tuned as one record."""

    position: float = 1.0
    position_scale: float = 5.0  # sentences; the lead prior halves after about this many
    centrality: float = 0.3
    title: float = 1.0  # the headline is the editor's own summary: its words count
    length: float = -0.1  # negative: of two otherwise equal sentences, prefer the shorter
    length_cap: int = 20  # words; beyond it length no longer counts
    fragment_words: int = 6  # shorter sentences are fragments: captions, datelines, asides
    runon_words: int = 60  # longer ones are run-ons, usually a splitter miss or a list
    fragment_penalty: float = 1.0
    junk_penalty: float = 1.0
    question_penalty: float = 0.5
    quote_penalty: float = 0.3
    caption_penalty: float = 0.5
    dangling_penalty: float = 0.15
    redundancy: float = 0.6  # overlap with a chosen sentence above which a candidate repeats it


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
_FIRST_WORD = re.compile(r"[\W_]*([^\W_]+)")
_LETTERS = re.compile(r"[^\W_]+")
# Openers that lean on the sentence before: out of context they dangle
_DANGLING_OPENERS = frozenset(
    {
        "but", "and", "however", "he", "she", "it", "they", "this", "these", "those", "his",
        "her", "their", "its", "also", "so", "or", "then", "meanwhile", "still", "yet",
        "instead", "him", "them", "we", "i", "you",
    }
)  # fmt: skip

UInt64Array = npt.NDArray[np.uint64]
IntArray = npt.NDArray[np.int64]

# Byte -> 6-bit letter code; 0 is not part of a word. Digits 1-10, letters 11-36 (case folded),
# the bytes of other UTF-8 letters 37-62, and 63 for the NUL that marks where a sentence starts.
# Two lead bytes open punctuation rather than letters: C2 (no-break space, « » £ °) and E2 (the
# General Punctuation block: ’ “ ” – — … •); they and their continuation bytes are not words.
_SEPARATOR = "\x00"
_SEPARATOR_CODE = 63
_CODES = bytes(
    _SEPARATOR_CODE
    if byte == 0
    else 1 + byte - 48
    if 48 <= byte <= 57
    else 11 + (byte | 0x20) - 97
    if 65 <= byte <= 90 or 97 <= byte <= 122
    else 37 + byte % 26
    if byte >= 0x80 and byte not in (0xC2, 0xE2)
    else 0
    for byte in range(256)
)
_KEY_LETTERS = 7  # a word's key is its first seven letter codes: 42 bits
# Keep the low 8k bits of a little-endian window: the first k letters of a word
_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(_KEY_LETTERS + 1)], dtype=np.uint64)
# Sort keys are word (42 bits) | part (22 bits): a part is a headline or a sentence of a batch
_PART_BITS = 22
_PART_SHIFT = np.uint64(_PART_BITS)
_PART_MASK = np.uint64((1 << _PART_BITS) - 1)
_BATCH_PARTS = 1 << 20  # parts per batch, well inside the 22 bits
_MAX_SENTENCES = _BATCH_PARTS - 1  # of one article; later ones are never chosen
# Text per batch: big enough to spread numpy's call overhead, small enough that the arrays
# stay in the processor's cache (measured: 120 kB beats both 30 kB and 1 MB)
_BATCH_CHARACTERS = 120_000
# log(1 + k) by table lookup, several times faster than computing it; beyond the table's end
# a word's recurrence no longer grows
_LOG1P_TOP = 255
_LOG1P = np.log1p(np.arange(_LOG1P_TOP + 1, dtype=np.float64))
# Word kinds in the lookup table
_STOPWORD = 1
_FURNITURE_WORD = 2
_OPENER = 4  # leans on the sentence before when it opens one (it may be a stopword too)
_BY = 8
# Characters that call for a look at the text
_TELLING = re.compile(r'[?("“«]')


@dataclass(frozen=True)
class _Batch:
    """Per-sentence numbers for a batch of articles, sentences numbered across the batch."""

    starts: IntArray  # each article's first sentence in the batch numbering
    scores: FloatArray
    words: IntArray  # words per sentence, as the scorer counts them
    furniture_words: npt.NDArray[np.bool_]  # whether a sentence holds a word of page furniture
    to_check: npt.NDArray[np.bool_]  # whether the text checks could find anything
    dangling_known: npt.NDArray[np.bool_]  # whether the scores already judge the first word
    distinct: IntArray  # distinct content words per sentence
    recurring: IntArray  # of those, the ones found elsewhere in the article
    keys: UInt64Array  # content-word keys of all sentences, in order
    key_starts: IntArray  # sentence i's keys are keys[key_starts[i]:key_starts[i + 1]]


class _Lists:
    """The per-sentence numbers of a batch as Python lists, for the sentence-by-sentence
    choice (indexing a list is several times faster than indexing an array)."""

    def __init__(self, batch: _Batch) -> None:
        self.batch = batch
        self.scores: list[float] = batch.scores.tolist()
        self.words: list[int] = batch.words.tolist()
        self.furniture_words: list[bool] = batch.furniture_words.tolist()
        self.to_check: list[bool] = batch.to_check.tolist()
        self.dangling_known: list[bool] = batch.dangling_known.tolist()
        self.distinct: list[int] = batch.distinct.tolist()
        self.recurring: list[int] = batch.recurring.tolist()
        self.key_starts: list[int] = batch.key_starts.tolist()

    def key_set(self, index: int) -> frozenset[int]:
        keys = self.batch.keys[self.key_starts[index] : self.key_starts[index + 1]]
        return frozenset(keys.tolist())


def choose_many(
    articles: Sequence[tuple[Sequence[str], str]],
    n: int = 3,
    algorithm: str = "default",
    words: int | None = None,
) -> list[list[int]]:
    """`choose` for many articles, each given as (sentences, title). The default scorer does its
    arithmetic for a whole batch at once, which is where its speed comes from."""
    check_algorithm(algorithm)
    if algorithm != "default":
        return [
            choose(sentences, title, n=n, algorithm=algorithm, words=words)
            for sentences, title in articles
        ]
    if n < 1:
        return [[] for _ in articles]
    chosen: list[list[int]] = []
    batch: list[tuple[Sequence[str], str]] = []
    parts = characters = 0
    for sentences, title in articles:
        sentences = sentences[:_MAX_SENTENCES]
        if batch and (parts + len(sentences) >= _BATCH_PARTS or characters >= _BATCH_CHARACTERS):
            chosen.extend(_choose_default(batch, n, words, DEFAULT_WEIGHTS))
            batch, parts, characters = [], 0, 0
        batch.append((sentences, title))
        parts += len(sentences) + 1
        characters += sum(map(len, sentences))
    if batch:
        chosen.extend(_choose_default(batch, n, words, DEFAULT_WEIGHTS))
    return chosen


def _choose_default(
    articles: Sequence[tuple[Sequence[str], str]],
    n: int,
    words: int | None,
    weights: ScorerWeights,
) -> list[list[int]]:
    batch = _score_batch(articles, weights)
    # best first within each article: sort by article, then by falling score (a stable sort,
    # so ties keep document order)
    article_of = np.repeat(np.arange(len(articles)), [len(sentences) for sentences, _ in articles])
    order = np.lexsort((-batch.scores, article_of))
    lists, order_list = _Lists(batch), order.tolist()
    chosen: list[list[int]] = []
    starts = batch.starts.tolist()
    for number, (sentences, _) in enumerate(articles):
        start = starts[number]
        ranked = order_list[start : start + len(sentences)]
        ranking = _rank_article(sentences, ranked, start, lists, n, weights)
        if words is None:
            chosen.append(sorted(ranking))
        else:
            chosen.append(_take(ranking, _word_counter(sentences), n, words))
    return chosen


def _rank_article(
    sentences: Sequence[str],
    ranked: list[int],
    start: int,
    batch: _Lists,
    n: int,
    weights: ScorerWeights,
) -> list[int]:
    """The article's best sentences (local indices), best first, at least n of them when it
    has n. The text checks only ever lower a score, so they are applied lazily: a checked
    candidate is taken once no unchecked one could still beat it."""
    scores = batch.scores
    checked: list[tuple[float, int]] = []  # (-final score, index), kept sorted
    ranking: list[int] = []
    skipped: list[int] = []
    pointer = 0
    while len(ranking) < n:
        if pointer < len(ranked) and (not checked or -checked[0][0] < scores[ranked[pointer]]):
            index = ranked[pointer]
            pointer += 1
            penalty = 0.0
            text = sentences[index - start]
            if batch.to_check[index] or _TELLING.search(text):
                penalty = _content_penalty(
                    text,
                    batch.words[index],
                    batch.furniture_words[index],
                    weights,
                    judge_opener=not batch.dangling_known[index],
                )
            bisect.insort(checked, (penalty - scores[index], index))
            continue
        if not checked:
            break
        _, index = checked.pop(0)
        if (
            ranking
            and batch.recurring[index] > weights.redundancy**2 * batch.distinct[index]
            and any(_repeats(batch, index, other, weights.redundancy) for other in ranking)
        ):
            skipped.append(index)
            continue
        ranking.append(index)
    # an article of near-duplicates still deserves n sentences: refill with the skipped ones
    ranking.extend(skipped[: n - len(ranking)])
    return [index - start for index in ranking]


def _repeats(batch: _Lists, index: int, other: int, redundancy: float) -> bool:
    """Whether two sentences share so many content words that one repeats the other."""
    size = math.sqrt(batch.distinct[index] * batch.distinct[other])
    # Only words that recur in the article can be shared: most pairs are told apart by that
    # count alone, without building the sets of their words. (For the same reason a sentence
    # with at most redundancy² of its words recurring repeats nothing: callers test that.)
    if min(batch.recurring[index], batch.recurring[other]) <= redundancy * size:
        return False
    first, second = batch.key_set(index), batch.key_set(other)
    return len(first & second) > redundancy * size


def _score_batch(articles: Sequence[tuple[Sequence[str], str]], weights: ScorerWeights) -> _Batch:
    """Every sentence's score before the text checks, with the words it is made of."""
    # Each article is its headline then its sentences: parts, each opened by a NUL.
    parts: list[str] = []
    article_parts: list[int] = []
    for sentences, title in articles:
        parts.append(title)
        parts.extend(sentences)
        article_parts.append(len(sentences) + 1)
    part_count = len(parts)
    text = _join(parts)
    raw = text.encode("utf-8")
    codes = np.frombuffer(bytearray(raw.translate(_CODES) + bytes(8)), dtype=np.uint8)
    is_ascii = text.isascii()
    if not is_ascii:
        _clear_punctuation(codes, np.frombuffer(raw, dtype=np.uint8))

    # words, with the NULs among them: every word's part is the count of NULs before it
    starts, lengths = _word_spans(codes)
    is_separator = codes[starts] == _SEPARATOR_CODE
    part_of = np.cumsum(is_separator) - 1
    keys = _word_keys(codes, starts, lengths)
    part_words = np.bincount(part_of, minlength=part_count) - 1  # less the NUL
    kinds = _word_kinds(keys)
    content = (lengths > 1) & (kinds & _STOPWORD == 0) & ~is_separator
    # indexing with positions is several times faster than with a boolean mask
    content_at = np.flatnonzero(content)
    content_keys = keys[content_at]
    content_part = part_of[content_at]
    part_content = np.bincount(content_part, minlength=part_count)
    furniture = (
        np.bincount(part_of[np.flatnonzero(kinds == _FURNITURE_WORD)], minlength=part_count) > 0
    )
    # what the text checks look for: a telling byte, a telling first word, a furniture word
    first_word = np.flatnonzero(is_separator) + 1
    first_kind = kinds[np.minimum(first_word, len(kinds) - 1)]
    first_at = np.minimum(first_word, len(kinds) - 1)
    first_kind[(first_word >= len(kinds)) | is_separator[first_at]] = 0
    # A dangling opener is judged here when the word is certain: in ASCII text the first run
    # of letters is the first word as the text check sees it, and a key of at most seven
    # letters is the whole word. The other cases are left to the text check.
    opener_first = first_kind & _OPENER > 0
    opener_known = ~(opener_first & (lengths[first_at] > _KEY_LETTERS))
    if not is_ascii:
        for part in np.flatnonzero(opener_first & opener_known).tolist():
            opener_known[part] = parts[part].isascii()
    dangling = opener_first & opener_known
    to_check = (first_kind & _BY > 0) | furniture | (opener_first & ~opener_known)

    counts = np.array(article_parts, dtype=np.int64)
    part_article = np.repeat(np.arange(len(articles), dtype=np.int64), counts)
    article_first = np.cumsum(counts) - counts
    part_number = np.arange(part_count, dtype=np.int64) - article_first[part_article] - 1
    is_title = part_number < 0
    recurrence, recurring, distinct, title_hits, title_size = _word_overlaps(
        content_keys, content_part, part_article, is_title, len(articles)
    )

    is_sentence = ~is_title
    sentence_words = part_words[is_sentence]
    sentence_content = part_content[is_sentence]
    position = 1.0 / (1.0 + part_number[is_sentence] / weights.position_scale)
    centrality = recurrence[is_sentence] / np.maximum(sentence_content, 1)
    headline = title_hits[is_sentence] / np.maximum(title_size[part_article[is_sentence]], 1)
    length_share = np.minimum(sentence_words, weights.length_cap) / weights.length_cap
    fragment = np.clip((weights.fragment_words - sentence_words) / weights.fragment_words, 0, 1)
    runon = np.clip((sentence_words - weights.runon_words) / weights.runon_words, 0, 1)
    scores = (
        weights.position * position
        + weights.centrality * centrality
        + weights.title * headline
        + weights.length * length_share
        - weights.fragment_penalty * (fragment + runon)
        - weights.dangling_penalty * dangling[is_sentence]
    )
    # the content words of each sentence, for the redundancy check
    key_ends = np.cumsum(part_content)
    sentence_key_starts = (key_ends - part_content)[is_sentence]
    return _Batch(
        starts=article_first - np.arange(len(articles)),
        scores=scores,
        words=sentence_words,
        furniture_words=furniture[is_sentence],
        to_check=to_check[is_sentence],
        dangling_known=opener_known[is_sentence],
        distinct=distinct[is_sentence],
        recurring=recurring[is_sentence],
        keys=content_keys,
        key_starts=np.append(sentence_key_starts, key_ends[-1]),
    )


def _join(parts: list[str]) -> str:
    glue = f" {_SEPARATOR} "
    text = glue + glue.join(parts) + " "
    if text.count(_SEPARATOR) != len(parts):  # a NUL in the text itself: blank it out
        text = glue + glue.join(part.replace(_SEPARATOR, " ") for part in parts) + " "
    return text


def _clear_punctuation(codes: npt.NDArray[np.uint8], raw: npt.NDArray[np.uint8]) -> None:
    """Blank the continuation bytes of characters whose lead byte (C2 or E2) opens
    punctuation."""
    leads = np.flatnonzero((raw | 0x20) == 0xE2)  # C2 or E2, and no other byte
    codes[leads + 1] = 0
    codes[leads[raw[leads] == 0xE2] + 2] = 0


def _word_spans(codes: npt.NDArray[np.uint8]) -> tuple[IntArray, IntArray]:
    """Start and length of every run of word bytes (the buffer begins and ends with non-word
    bytes)."""
    in_word = codes.astype(np.bool_)
    edges = np.flatnonzero(in_word[1:] != in_word[:-1]) + 1
    starts = edges[0::2]
    return starts, edges[1::2] - starts


def _word_keys(codes: npt.NDArray[np.uint8], starts: IntArray, lengths: IntArray) -> UInt64Array:
    """Each word's first seven letter codes, six bits each, packed into 42 bits."""
    # every byte offset seen as the start of a little-endian 8-byte window (the buffer ends
    # with 8 zero bytes of padding)
    windows = np.ndarray(shape=(len(codes) - 7,), dtype="<u8", buffer=codes, strides=(1,))
    packed = windows[starts] & _MASKS[np.minimum(lengths, _KEY_LETTERS)]
    # squeeze the six used bits of each byte together: 8x8 -> 4x12 -> 2x24 -> 48 bits
    packed = (packed & np.uint64(0x00FF00FF00FF00FF)) | (
        (packed & np.uint64(0xFF00FF00FF00FF00)) >> np.uint64(2)
    )
    packed = (packed & np.uint64(0x0000FFFF0000FFFF)) | (
        (packed & np.uint64(0xFFFF0000FFFF0000)) >> np.uint64(4)
    )
    return (packed & np.uint64(0x00000000FFFFFFFF)) | (
        (packed & np.uint64(0xFFFFFFFF00000000)) >> np.uint64(8)
    )


def _keys_of_words(text: str) -> UInt64Array:
    codes = np.frombuffer(
        bytearray(f" {text} ".encode().translate(_CODES) + bytes(8)), dtype=np.uint8
    )
    starts, lengths = _word_spans(codes)
    return np.unique(_word_keys(codes, starts, lengths))


# Slots in the word table: 2**16, some eighty times its words, so that a multiplier that puts
# no two in one slot turns up within a few dozen tries, and the table (512 kB) stays in cache
_TABLE_BITS = 16
_KIND_SHIFT = np.uint64(48)
_KEY_MASK = np.uint64((1 << 48) - 1)


@lru_cache(maxsize=1)
def _word_table() -> tuple[np.uint64, UInt64Array]:
    """A hash table of the words that need telling apart: the stopwords with their pieces
    ("don't" -> "don", "t") and the words of page furniture. Its multiplier puts no two of
    them in one slot, so a lookup is a few array operations (a binary search per word costs
    several times more)."""
    kinds_of: dict[int, int] = {}
    for words, kind in (
        (stopwords(), _STOPWORD),
        (_FURNITURE_HINTS, _FURNITURE_WORD),
        (_DANGLING_OPENERS, _OPENER),
        (("by",), _BY),
    ):
        for key in _keys_of_words(" ".join(sorted(words))).tolist():
            kinds_of[key] = kinds_of.get(key, 0) | kind
    keys = np.array(list(kinds_of), dtype=np.uint64)
    kinds = np.array(list(kinds_of.values()), dtype=np.uint8)
    shift = np.uint64(64 - _TABLE_BITS)
    multiplier = 0x9E3779B97F4A7C15  # 2**64 / golden ratio, odd
    while True:
        slots = (keys * np.uint64(multiplier)) >> shift
        if len(np.unique(slots)) == len(keys):
            break
        multiplier = (multiplier + 0xC6A4A7935BD1E996) % 2**64  # even step: stays odd
    # an entry is the key with its kinds above it; 0 is no word's key
    table = np.zeros(1 << _TABLE_BITS, dtype=np.uint64)
    table[slots] = keys | (kinds.astype(np.uint64) << _KIND_SHIFT)
    return np.uint64(multiplier), table


def _word_kinds(keys: UInt64Array) -> npt.NDArray[np.uint8]:
    """The kinds (_STOPWORD, _FURNITURE_WORD, ...) of each key, 0 for an ordinary word."""
    multiplier, table = _word_table()
    entries = table[(keys * multiplier) >> np.uint64(64 - _TABLE_BITS)]
    # a mask of all ones where the slot holds this very key (cheaper than assigning through a
    # boolean index)
    found = ((entries & _KEY_MASK) == keys).view(np.uint8) * np.uint8(0xFF)
    kinds: npt.NDArray[np.uint8] = (entries >> _KIND_SHIFT).astype(np.uint8) & found
    return kinds


def _word_overlaps(
    keys: UInt64Array,
    part_of: IntArray,
    part_article: IntArray,
    is_title: npt.NDArray[np.bool_],
    article_count: int,
) -> tuple[FloatArray, IntArray, IntArray, FloatArray, IntArray]:
    """For every part: how much its words recur in the rest of its article's body (the sum over
    its distinct words of log(1 + occurrences elsewhere)), how many of its distinct words do
    recur, how many distinct words it has, and how many of them are in the headline; and for
    every article, the headline's distinct words."""
    part_count = len(part_article)
    if not len(keys):
        nothing = np.zeros(part_count, np.int64)
        return (
            np.zeros(part_count),
            nothing,
            nothing,
            np.zeros(part_count),
            np.zeros(article_count, np.int64),
        )
    # One sort groups equal words; within a word, parts (and so articles) come in order.
    ordered = np.sort((keys << _PART_SHIFT) | part_of.astype(np.uint64))
    # runs of equal keys are one (word, part) each; tf is the run's length
    firsts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    term_frequency = np.diff(np.append(firsts, len(ordered)))
    distinct = ordered[firsts]
    parts = (distinct & _PART_MASK).astype(np.int64)
    words = distinct >> _PART_SHIFT
    articles = part_article[parts]
    in_title = is_title[parts]
    # runs of equal (word, article) among those
    group_firsts = np.flatnonzero(
        np.concatenate(([True], (words[1:] != words[:-1]) | (articles[1:] != articles[:-1])))
    )
    group_sizes = np.diff(np.append(group_firsts, len(distinct)))
    body_frequency = np.where(in_title, 0, term_frequency)
    in_body = np.repeat(np.add.reduceat(body_frequency, group_firsts), group_sizes)
    # an article's headline is its first part, so it comes first in its group
    headline_word = np.repeat(in_title[group_firsts], group_sizes)
    elsewhere = np.where(in_title, 0, in_body - body_frequency)
    centrality = np.asarray(
        np.bincount(parts, weights=_LOG1P[np.minimum(elsewhere, _LOG1P_TOP)], minlength=part_count),
        dtype=np.float64,
    )
    recurring: IntArray = np.bincount(parts[np.flatnonzero(elsewhere)], minlength=part_count)
    distinct_words: IntArray = np.bincount(parts, minlength=part_count)
    title_hits = np.asarray(
        np.bincount(parts, weights=headline_word & ~in_title, minlength=part_count),
        dtype=np.float64,
    )
    title_size: IntArray = np.bincount(articles[np.flatnonzero(in_title)], minlength=article_count)
    return centrality, recurring, distinct_words, title_hits, title_size


def _content_penalty(
    text: str,
    words: int,
    furniture_word: bool,
    weights: ScorerWeights,
    judge_opener: bool = True,
) -> float:
    """What the text itself says against a sentence: a question, furniture, a bare quote, a
    photo caption, an opener that leans on the sentence before (unless the score has judged
    that already)."""
    penalty = 0.0
    if text.rstrip(" \"'”’)]").endswith("?"):
        penalty += weights.question_penalty
    lowered = text.lower()
    if _is_furniture(text, lowered, furniture_word, words, weights.fragment_words):
        penalty += weights.junk_penalty
    if ('"' in text or "“" in text or "«" in text) and _mostly_quoted(text, words):
        penalty += weights.quote_penalty
    if "(" in text and _CAPTION.search(text):
        penalty += weights.caption_penalty
    first = _FIRST_WORD.match(lowered) if judge_opener else None
    if first and first.group(1) in _DANGLING_OPENERS:
        penalty += weights.dangling_penalty
    return penalty


def _is_furniture(
    text: str, lowered: str, furniture_word: bool, words: int, fragment_words: int
) -> bool:
    dateline = _DATELINE.match(text) if "(" in text else None
    if dateline and words - _word_total(dateline.group(0)) < fragment_words:
        return True
    if lowered.lstrip(" \"'“(").startswith("by") and _BYLINE.match(text):
        return True
    return furniture_word and bool(_FURNITURE.search(lowered))


def _word_total(text: str) -> int:
    """Words as the scorer counts them: runs of letters and digits."""
    return len(_LETTERS.findall(text))


def _mostly_quoted(text: str, length: int) -> bool:
    """A quote with no attribution of its own, or a quote cut open by the sentence split."""
    marks = list(_QUOTE_MARKS.finditer(text))
    if len(marks) % 2 == 1:
        return True
    inside = sum(
        _word_total(text[opening.end() : closing.start()])
        for opening, closing in zip(marks[::2], marks[1::2], strict=True)
    )
    return inside >= 0.8 * length
