"""Reading the articles once for grouping: every headline and lead as arrays of word ids,
which story clustering, theme placement and topic labels all share."""

from __future__ import annotations

import dataclasses
import re
import sys
import zlib
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat
from typing import TypeVar

import numpy as np

from briefer.records import Document, TextFeatures
from briefer.words import measure, porter_step1, stem, stopwords, word_list

# Past this the text only adds background to story clustering and topic labels; the cap keeps
# 10,000 articles to seconds. Theme placement reads the body past it too, as the tail below.
_MAX_CHARS = 1500

# The theme reading's lead: the first THEME_LEAD_WORDS content words of the body, about two
# sentences (themes.py: a word there weighs as a headline word). Cross-validated on half A of
# themes_dev: 15 and 60 both gave 0.765, against 0.794 at 30.
THEME_LEAD_WORDS = 30
# How fast a body word's weight falls past the lead, for the whole article's reading: a word r
# content words past the lead weighs 2^-(r / BODY_HALF_LIFE) (the inverted pyramid: importance
# falling with position, never reaching 0). 66 gives the body past the lead the weight the
# 1,500-character reading gives it: on themes_dev that reading holds a median of 95 content words
# past the lead, each at 1, and sum over r of 2^-(r/h) = h / ln 2 = 95 at h = 66. So a whole
# article weighs what a report read to 1,500 characters does, and BM25's reference length and
# the chance model (themes.py) hold for both readings.
BODY_HALF_LIFE = 66.0

# A capitalised word that does not open a sentence (the lookbehinds rule out a sentence
# end, an opening quote or bracket, or a line start just before it), or a number with two
# or more digits. One regex pass, because this runs over every article. It opens with the
# first letter or digit itself, which lets the engine skip to the next capital or digit in
# compiled code (a pattern opening with an assertion is tried at every position); the
# lookbehinds then look past that character, at what stood before it, and the text's first
# character is no name ((?<=[\s\S]...): something before it). The same matches as the
# pattern opening with (?=[A-Z0-9]) and the lookbehinds at the word's start (compared on the
# 10k bench week's articles and 300,000 random strings), in two thirds of the time (0.069 ->
# 0.046 s over 3,000 of its articles).
_BEFORE_NAME = r"[.!?:;\"“”‘’(\[\n]"
_NAME = re.compile(
    rf"[A-Z0-9](?<!{_BEFORE_NAME}\s[A-Z0-9])(?<!{_BEFORE_NAME}[A-Z0-9])(?<=[\s\S][A-Z0-9])"
    r"(?<![^\W_][A-Z0-9])(?:(?<=[A-Z])[^\W_]*(?:['’.\-][^\W_]+)*|(?<=\d)[\d,.]*\d)"
)


# --- reading the articles once -------------------------------------------------------------

_LEAD_PARAGRAPHS = 2  # a story's lead, for topic labels: its first paragraphs

# Where a word stands in its article.
TITLE_PART = 0
LEAD_PART = 1  # the first _LEAD_PARAGRAPHS paragraphs
REST_PART = 2


@dataclass(frozen=True)
class Texts:
    """Every article's headline and first _MAX_CHARS of body, read once: word by word,
    article after article, as ids into tables of distinct words. Story clustering, theme
    scoring and topic labels all work from these arrays, so no text is read twice."""

    count: int  # articles
    surface: tuple[str, ...]  # distinct words as written
    words: np.ndarray  # surface id of every word (int32)
    article: np.ndarray  # the article of every word (int32)
    part: np.ndarray  # TITLE_PART, LEAD_PART or REST_PART of every word
    content: np.ndarray  # by surface id: carries meaning (not a stopword)
    stem_of: np.ndarray  # by surface id: id in `stems` (-1 for no meaning)
    stems: tuple[str, ...]  # distinct stems, and names and figures (story clustering)
    # Theme keys (theme_key) are worked out by theme placement alone, when it places
    # (themes.ThemeKeys), and let go after: made here, they and theme_key's cache (about 140
    # bytes a word: 28 MB when full, at 200,000 words) sat through the term matrices and the
    # story graph, where a cold run peaks.
    name_article: np.ndarray  # each name or figure's article
    name_stem: np.ndarray  # and its id in `stems`
    # The body past _MAX_CHARS, for theme placement alone (TextFeatures.tail): its content
    # words, article after article, in order; 4 bytes a word (issue 13's memory).
    tail_forms: tuple[str, ...] = ()  # distinct tail words as written
    # Every tail word (int32): its index in tail_forms, doubled, plus 1 when it follows one of
    # the COMPOUND_PREPOSITIONS (with no content word between).
    tail: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int32))
    # Where each article's tail words start in `tail`, and after the last, where they end.
    tail_bounds: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(1, np.int64))


def article_features(title: str, paragraphs: Sequence[str]) -> TextFeatures:
    """One article's words for grouping (its headline, then the first _MAX_CHARS of its body
    paragraphs as lead and rest, and the body past them as the theme reading's tail): per
    article, so a worker can do it where it cleans."""
    whole_lead = "\n".join(paragraphs[:_LEAD_PARAGRAPHS])
    whole_rest = "\n".join(paragraphs[_LEAD_PARAGRAPHS:])
    lead = whole_lead[:_MAX_CHARS]
    rest = whole_rest[: max(0, _MAX_CHARS - len(lead) - 1)]
    found: list[str] = []
    sizes: list[int] = []
    for text in (title, lead, rest):
        words = word_list(text)
        sizes.append(len(words))
        found.extend(words)
    past = _past(whole_lead, len(lead)) + "\n" + _past(whole_rest, len(rest))
    tail = _tail(past, stopwords())
    local: dict[str, int] = {}
    # len(local) is taken before each setdefault: a new word gets the next index.
    ids = array("i", [local.setdefault(word, len(local)) for word in found])
    names = _NAME.findall(title + "\n" + lead + "\n" + rest)
    # Neither a word nor a name holds a line break (both are runs of word characters and
    # inner punctuation), so "\n" joins them losslessly.
    return TextFeatures(
        "\n".join(local), ids, (sizes[0], sizes[1], sizes[2]), "\n".join(names), tail
    )


def _past(text: str, cut: int) -> str:
    """text past the first `cut` characters, from the start of a word the cut fell inside: the
    word is read whole there (before the cut only its start was, as a word of no meaning)."""
    while 0 < cut < len(text) and text[cut - 1].isalnum() and text[cut].isalnum():
        cut -= 1
    return text[cut:]


# The prepositions that paraphrase a noun compound (Lauer 1995, "Designing Statistical
# Language Learners", ch. 5: of, for, in, at, on, from, with, about): "price cap" as "a cap
# on the price", "prisoner exchange" as "exchange of prisoners" (theme_mentions).
COMPOUND_PREPOSITIONS = frozenset({"of", "for", "in", "at", "on", "from", "with", "about"})


def _tail(text: str, stop: frozenset[str]) -> bytes:
    """The content words of the body past the first _MAX_CHARS, in order, packed (tail_words
    unpacks them): all theme placement reads there (its stopwords aside). Compressed, as the
    main process holds every article's from its reading to its grouping: on the 30,000-article
    bench week 823 bytes an article unpacked, 384 packed (zlib level 1; 6 and 9 no smaller)."""
    local: dict[str, int] = {}
    number = local.setdefault
    found: list[int] = []
    joined = 0
    # is_content written out (its call was a sixth of this loop's time): a stopword is not
    # content and may join; nor is a word of one character that is not a letter (never one
    # of COMPOUND_PREPOSITIONS).
    for word in word_list(text):
        lowered = word.lower()
        if lowered in stop:
            if lowered in COMPOUND_PREPOSITIONS:
                joined = 1
        elif len(lowered) > 1 or lowered.isalpha():
            found.append(number(word, len(local)) * 2 + joined)
            joined = 0
    if not found:
        return b""
    ids = array("i", found)
    forms = "\n".join(local).encode("utf-8", "surrogatepass")
    if sys.byteorder == "big":
        ids.byteswap()
    return zlib.compress(len(forms).to_bytes(4, "little") + forms + ids.tobytes(), 1)


def tail_words(tail: bytes) -> tuple[list[str], np.ndarray]:
    """An article's tail (TextFeatures.tail): its distinct content words as written, and each
    of its content words in order as an index into those, doubled, plus 1 when one of the
    COMPOUND_PREPOSITIONS stands between it and the content word before (int32)."""
    forms, words = _tail_bytes(tail)
    return [form.decode("utf-8", "surrogatepass") for form in forms], words


def _tail_bytes(tail: bytes) -> tuple[list[bytes], np.ndarray]:
    """tail_words with each distinct word as its UTF-8 bytes: texts_from decodes only the
    run's distinct tail words, once. Split as bytes, an article's words cost a fifth of
    what decoding and splitting them as text does (0.06 against 0.26-0.29 s over
    bench_grouping's 10,000 articles); a line break is never part of a longer character's
    bytes, and different words have different bytes, so the words and their numbering are
    the same."""
    if not tail:
        return [], np.zeros(0, dtype=np.int32)
    packed = zlib.decompress(tail)
    size = int.from_bytes(packed[:4], "little")
    forms = packed[4 : 4 + size].split(b"\n")
    return forms, np.frombuffer(packed[4 + size :], dtype="<i4").astype(np.int32)


def document_features(document: Document) -> TextFeatures:
    return article_features(*document_parts(document))


def read_texts(parts: Sequence[tuple[str, Sequence[str]]]) -> Texts:
    """The words of each (headline, body paragraphs)."""
    return texts_from([article_features(title, paragraphs) for title, paragraphs in parts])


def _split(joined: str) -> list[str]:
    return joined.split("\n") if joined else []


def texts_from(features: Sequence[TextFeatures]) -> Texts:
    """Texts assembled from each article's features, in order: the same tables and ids as
    reading the texts here (words are numbered by first appearance, article after article),
    with no text read again."""
    stem_ids: dict[str, int] = {}
    ids: _Numbering[str] = _Numbering()
    pieces: list[np.ndarray] = []
    for one in features:
        table = _numbers(_split(one.vocabulary), ids)
        pieces.append(table[np.frombuffer(one.words, dtype=np.intc)])
    surface = tuple(ids)
    name_lists = [_split(one.names) for one in features]
    part_sizes = [one.parts for one in features]
    count = len(features)

    stop = stopwords()
    content = np.zeros(len(surface), dtype=bool)
    stem_of = np.full(len(surface), -1, dtype=np.int64)
    for index, word in enumerate(surface):
        lowered = word.lower()
        if is_content(lowered, stop):
            content[index] = True
            stem_of[index] = stem_ids.setdefault(stem(lowered), len(stem_ids))

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
    owners = np.repeat(np.arange(count, dtype=np.int64), name_counts)
    name_article = owners[all_names >= 0]
    name_stem = all_names[all_names >= 0]

    tail_ids: _Numbering[bytes] = _Numbering()
    tail_pieces: list[np.ndarray] = []
    for one in features:
        forms, words = _tail_bytes(one.tail)
        table = _numbers(forms, tail_ids)
        tail_pieces.append(table[words >> 1] * 2 + (words & 1))
    tail_forms = tuple(form.decode("utf-8", "surrogatepass") for form in tail_ids)
    del tail_ids
    tail = np.concatenate(tail_pieces) if tail_pieces else np.zeros(0, dtype=np.int32)

    sizes_array = np.asarray(part_sizes, dtype=np.int64).reshape(-1, 3)
    lengths = sizes_array.sum(axis=1)
    # The two arrays with an entry per word are int32 (a run has far fewer than 2**31 words
    # and distinct words): 2.5 million words at 10,000 articles, 20 MB less than int64. The
    # pieces are int32 from the start: made int64 and then narrowed, the run's words were
    # held three times over at once (150 MB at 30,000 articles, against 60).
    flat = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)
    part = np.repeat(
        np.tile(np.asarray([TITLE_PART, LEAD_PART, REST_PART], dtype=np.int8), count),
        sizes_array.ravel(),
    )
    return Texts(
        count=count,
        surface=surface,
        words=flat,
        article=np.repeat(np.arange(count, dtype=np.int32), lengths),
        part=part,
        content=content,
        stem_of=stem_of,
        stems=tuple(stem_ids),
        name_article=name_article,
        name_stem=name_stem,
        tail_forms=tail_forms,
        tail=tail,
        tail_bounds=np.concatenate([[0], np.cumsum([len(p) for p in tail_pieces])]).astype(
            np.int64
        ),
    )


_Word = TypeVar("_Word", str, bytes)


class _Numbering(dict[_Word, int]):
    """Words numbered in the order first met: a word not met before is given the next
    number (len) when it is looked up."""

    def __missing__(self, word: _Word) -> int:
        number = self[word] = len(self)
        return number


def _numbers(distinct: Sequence[_Word], number: _Numbering[_Word]) -> np.ndarray:
    """The number of each of an article's distinct words in `number` (int32), the words new
    to it numbered on from its size, in order: what number.setdefault(word, len(number))
    gives word by word, in one pass of compiled code instead (texts_from runs this for every
    article: 1.9 million words at 10,000 articles, half its time when word by word). The
    words met before, nearly all of them in a long run, are found without a call into
    Python; a pass that added the new words first (dict.update) and a second that looked
    every word up took 0.31-0.63 s over bench_grouping's 10,000 articles' vocabularies,
    this one 0.24-0.45 s (alternated, load ~6)."""
    return np.fromiter(map(number.__getitem__, distinct), dtype=np.int32, count=len(distinct))


def article_slices(texts: Texts, size: int) -> Iterator[Texts]:
    """texts cut into runs of `size` articles, in order, each numbered from 0 and over the
    same tables (surface words, stems, keys): a computation whose every row depends on its
    own article alone gives, slice after slice, the rows it gives over all of texts, from
    temporary arrays a slice long."""
    if texts.count <= size:
        yield texts
        return
    bounds = np.arange(0, texts.count + size, size).clip(max=texts.count)
    words = np.searchsorted(texts.article, bounds)
    names = np.searchsorted(texts.name_article, bounds)
    for k in range(len(bounds) - 1):
        first, last, (start, stop), (name_start, name_stop) = (
            int(bounds[k]),
            int(bounds[k + 1]),
            words[k : k + 2].tolist(),
            names[k : k + 2].tolist(),
        )
        tail_bounds = texts.tail_bounds[first : last + 1]
        yield dataclasses.replace(
            texts,
            count=int(bounds[k + 1]) - first,
            words=texts.words[start:stop],
            article=texts.article[start:stop] - first,
            part=texts.part[start:stop],
            name_article=texts.name_article[name_start:name_stop] - first,
            name_stem=texts.name_stem[name_start:name_stop],
            tail=texts.tail[tail_bounds[0] : tail_bounds[-1]],
            tail_bounds=tail_bounds - tail_bounds[0],
        )


def document_parts(document: Document) -> tuple[str, list[str]]:
    return document.article.title, [b.text for b in document.blocks if not b.is_heading]


def body_ranks(article: np.ndarray, body: np.ndarray) -> np.ndarray:
    """Each body word's place among its article's body words (0 for a headline word)."""
    ranks = np.zeros(len(article), dtype=np.int64)
    where = np.nonzero(body)[0]
    owners = article[where]
    ranks[where] = np.arange(len(where)) - np.searchsorted(owners, owners, side="left")
    return ranks


@lru_cache(maxsize=200_000)
def theme_key(word: str) -> str:
    """The form a theme word is matched by: the word without its inflection. Step 1 of
    Porter's stemmer (Porter 1980: plurals, -ed, -ing, final y; nltk's implementation),
    then the final e of a longer word (step 5a for measure > 1), so "refugees" meets
    "refugee", "shelled" "shelling", "advances" "advanced" and "embargoes" "embargo". The
    full stemmers' later steps strip derivational endings and join words a theme does not
    mean: Snowball made "important" an "import", "firmly" a "firm", "assistant" an
    "assistance" and "accession" an "access" (before, an "-ion" mark patched the last).
    Step 5a's rule for short words (measure 1) is left out: it joins "aide" to "aid",
    "plane" to "plan", "hope" to "hop".

    On themes_dev (high rows, benchmarks/themes_halves.py) against Snowball: half A
    0.794 -> 0.809, half B 0.694 -> 0.694; second wording half A 0.691 -> 0.706, half B
    0.736 -> 0.750; the self-written tests/fixtures/themes_dev.jsonl 0.852 -> 0.852, second
    wording 0.826 -> 0.852 (the same without the final-e rule; with step 5a's short-word
    rule too, half A 0.794: a presidential "aide" read as weapons "aid"). Plurals alone
    (step 1a) gave half A 0.824 but second wording half B 0.722 and fixture 0.843 / 0.809.
    A dictionary lemmatizer (simplemma 2.0) was tried earlier: one or two rows either way,
    within noise, for a new dependency.

    Tried and not taken, stop 24 (high rows, half A / B, the first, second and third wording,
    benchmarks/themes_third.toml; against 0.882 / 0.736, 0.750 / 0.778, 0.691 / 0.625): a
    possessive keyed as its word ("Russia's" as "Russia", so "NATO's" names NATO; the theme
    file's "war's" at the frequency of "war"): the first two wordings the same row for row,
    the third 0.706 / 0.639 (all 200 rows 0.600 -> 0.615), but the self-written fixture's
    second wording 0.852 -> 0.826: three strike reports that write only "Ukraine's" now named
    Ukraine and cleared "Arming Ukraine" on "missile" and "Western" (8.3-10.8 of 8.3 needed),
    as many rows lost as won. Keyed so but with the theme word's frequency as written
    (wordfreq has "war's" at Zipf 3.05, so "war" weighed as a rare word): third 0.721 /
    0.667, an artefact. A hyphenated word keyed by its last part, the head of an English
    compound ("counter-offensive" as "offensive"), with the possessive: second wording 0.750
    / 0.764, third 0.691 / 0.639; with the hyphen dropped instead: as the possessive alone."""
    if len(word) <= 2:  # as Porter's own stem() does
        return word
    key = porter_step1(word)
    if key.endswith("e") and measure(key[:-1]) > 1:
        key = key[:-1]
    return key


def is_content(word: str, stop: frozenset[str]) -> bool:
    # The same filter as briefer.words.content_terms.
    return word not in stop and not (len(word) == 1 and not word.isalpha())


def usual_form(counts: Counter[str]) -> str:
    """The commonest spelling, counting "Weapons" opening a sentence or a headline as
    "weapons" when the text also has it in lower case; "NATO" and "Kyiv" keep theirs."""
    merged: Counter[str] = Counter()
    for form, count in counts.items():
        lowered = form[:1].lower() + form[1:]
        merged[lowered if lowered in counts else form] += count
    # most_common keeps first-seen order on ties, so the choice is deterministic.
    return merged.most_common(1)[0][0]
