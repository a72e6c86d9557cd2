"""Word-level helpers shared by the scorer, the story bullets and the grouper: the one word
tokenizer, the stopwords, the stemmer and Porter's first step (theme keys)."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from importlib.resources import files
from importlib.util import find_spec
from itertools import chain, repeat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from Stemmer import Stemmer

# A word: letters or digits, with inner apostrophes, full stops and hyphens kept ("don't",
# "U.S", "air-defence"); punctuation around it is not part of it.
WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*", re.UNICODE)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = files("briefer.data").joinpath("stopwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def words(text: str) -> Iterator[re.Match[str]]:
    """Each word of text as a match, in order, for callers that need its position."""
    return WORD.finditer(text)


# Marks around a word ("said,", "(2,500", "“offer”."): never a letter or digit, so no WORD
# match starts among them, and a match ends before them (its inner marks must be followed by a
# letter or digit): WORD finds the same words in a run with them stripped from its ends.
_AROUND = "".join(chr(code) for code in range(33, 127) if not chr(code).isalnum())
_AROUND += "\u201c\u201d\u2018\u2019\u00ab\u00bb\u2026\u2013\u2014"  # “ ” ‘ ’ « » … – —


def word_list(text: str) -> list[str]:
    """WORD.findall(text), in a quarter less time on prose: a run between spaces made only
    of letters and digits is one word as it stands, and WORD runs only on the others (those
    with punctuation). Exact: WORD's letters and digits ([^\\W_]) are precisely the
    characters str.isalnum accepts, and no character of a word is one str.split splits at
    (both checked over every code point), so no word spans two runs. A run with marks only
    at its ends ("said," "“offer”.") is one word once they are stripped (_AROUND): a tenth
    less time again over the 10k bench week's bodies (0.180 -> 0.161 s for 3,000)."""
    found: list[str] = []
    findall = WORD.findall
    for run in text.split():
        if run.isalnum():
            found.append(run)
        else:
            run = run.strip(_AROUND)
            if run.isalnum():
                found.append(run)
            elif run:
                found += findall(run)
    return found


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; punctuation is dropped, inner apostrophes and hyphens kept."""
    if text.isascii():  # lower-casing ASCII turns letters into letters and nothing else
        return word_list(text.lower())
    # Elsewhere it may not: "İ" becomes "i" and a combining dot, which is not a letter.
    return [word.lower() for word in word_list(text)]


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer:
    # PyStemmer: the Snowball project's own C build of its English (Porter 2) stemmer, loaded
    # on first use. It replaced nltk's EnglishStemmer, whose import pulls in all of nltk and
    # scipy.stats (~0.7 s and ~70 MB in every process that stems). Snowball 2.2 (PyStemmer
    # 2.2) gives nltk's stem on all but 2 of the 128,743 distinct words of the bench corpora
    # (10k, 30k), ../shared/eval, the samples and the test fixtures: "sensationally" (nltk
    # "sensate", Snowball "sensat", as for "sensational") and "x-rated" (nltk "x-rat",
    # Snowball "x-rate", as for "rated"); Snowball 3 changed its English rules ("adding" is
    # "add" there, "ad" in both of these), hence the pin below 3 in pyproject.toml.
    from Stemmer import Stemmer

    return Stemmer("english")


# nltk's EnglishStemmer reads these as the ASCII apostrophe before stemming (Snowball's C
# stemmer does not): mapped here too, so a possessive written "Kyiv’s" stems as "Kyiv's".
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201b": "'"})


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball English stem of word, lower-cased; words of one or two letters as they
    are (as both Snowball and nltk leave them)."""
    word = word.lower()
    if len(word) <= 2:
        return word
    return str(_stemmer().stemWord(word.translate(_APOSTROPHES)))


# --- Porter's step 1 (theme keys) ---------------------------------------------------------
# Steps 1a-1c of Porter's stemmer (Porter 1980) exactly as nltk's PorterStemmer (its default
# NLTK_EXTENSIONS mode) does them, and the measure. Written out here because importing
# nltk.stem.porter runs nltk's package init (all of nltk and scipy.stats: ~0.7 s); the result
# equals nltk's on every distinct word of the bench corpora, ../shared/eval, the samples and
# the fixtures (tests/test_words.py checks the ones it can reach).

_VOWELS = frozenset("aeiou")


def _consonants(word: str) -> list[bool]:
    """Whether each letter is a consonant: not a vowel, and y only after a vowel (or first)."""
    flags: list[bool] = []
    for i, letter in enumerate(word):
        if letter in _VOWELS:
            flags.append(False)
        elif letter == "y":
            flags.append(True if i == 0 else not flags[i - 1])
        else:
            flags.append(True)
    return flags


def measure(stem: str) -> int:
    """Porter's m: how many vowel-consonant sequences stem has ([C](VC){m}[V])."""
    return "".join("c" if consonant else "v" for consonant in _consonants(stem)).count("vc")


def _has_vowel(stem: str) -> bool:
    return not all(_consonants(stem))


def _ends_cvc(word: str) -> bool:
    """Porter's *o: consonant, vowel, consonant (not w, x or y) at the end; nltk also
    counts a two-letter vowel-consonant word."""
    if len(word) >= 3:
        flags = _consonants(word)
        return flags[-3] and not flags[-2] and flags[-1] and word[-1] not in "wxy"
    if len(word) == 2:
        flags = _consonants(word)
        return not flags[0] and flags[1]
    return False


def _step1a(word: str) -> str:
    if word.endswith("ies") and len(word) == 4:  # nltk: "dies" -> "die", "flies" -> "fli"
        return word[:-3] + "ie"
    for suffix, replacement in (("sses", "ss"), ("ies", "i"), ("ss", "ss"), ("s", "")):
        if word.endswith(suffix):
            return word[: -len(suffix)] + replacement
    return word


def _step1b(word: str) -> str:
    if word.endswith("ied"):  # nltk: "died" -> "die", "spied" -> "spi"
        return word[:-3] + ("ie" if len(word) == 4 else "i")
    if word.endswith("eed"):
        return word[:-3] + "ee" if measure(word[:-3]) > 0 else word
    for suffix in ("ed", "ing"):
        if word.endswith(suffix) and _has_vowel(word[: -len(suffix)]):
            stem = word[: -len(suffix)]
            break
    else:
        return word
    for suffix, replacement in (("at", "ate"), ("bl", "ble"), ("iz", "ize")):
        if stem.endswith(suffix):
            return stem[: -len(suffix)] + replacement
    if len(stem) >= 2 and stem[-1] == stem[-2] and _consonants(stem)[-1]:  # a double consonant
        return stem if stem[-1] in "lsz" else stem[:-1]
    if measure(stem) == 1 and _ends_cvc(stem):
        return stem + "e"
    return stem


def _step1c(word: str) -> str:
    # nltk: y -> i after a consonant that is not the whole stem ("happy", not "sky", "enjoy").
    if word.endswith("y") and len(word) > 2 and _consonants(word[:-1])[-1]:
        return word[:-1] + "i"
    return word


def porter_step1(word: str) -> str:
    """Steps 1a, 1b and 1c of Porter's stemmer (plurals, -ed, -ing, final y) as nltk's
    PorterStemmer does them: "refugees" -> "refuge", "shelled" -> "shell", "happy" ->
    "happi". The caller decides about short words (Porter's stem() leaves two letters)."""
    return _step1c(_step1b(_step1a(word)))


def content_words(text: str) -> list[str]:
    """The lower-cased words that carry meaning: no stopwords, no bare numbers of one digit."""
    stop = stopwords()
    return [
        word
        for word in tokens(text)
        if word not in stop and not (len(word) == 1 and not word.isalpha())
    ]


def content_terms(text: str) -> list[str]:
    """Stems of content_words (the stemmer is loaded on first use: checking whether a text
    has any content words at all need not load it)."""
    return [stem(word) for word in content_words(text)]


# --- the background: how common each word is in English at large --------------------------


@lru_cache(maxsize=1)
def _english_buckets() -> list[list[str]] | None:
    """wordfreq's large English list as its data file holds it: the words of each centibel
    of frequency, the bucket at index i holding the words of frequency 10 ** (-i / 100)
    (wordfreq.read_cBpack: a gzipped msgpack list, a header and then the buckets;
    wordfreq.cB_to_freq). Read here straight from that file because importing wordfreq
    (langcodes, its tokenizers) and building its dictionary cost ~0.4 s of CPU in every run
    that groups new articles. None when the file is not where wordfreq 3 keeps it or its
    header is not the one read_cBpack expects."""
    spec = find_spec("wordfreq")
    origin = spec.origin if spec is not None else None
    path = Path(origin).parent / "data" / "large_en.msgpack.gz" if origin else None
    if path is None or not path.is_file():
        return None
    import msgpack

    # In one call (gzip.decompress), not through a gzip file: 21 -> 13 ms for its 2.6 MB.
    data = msgpack.unpackb(gzip.decompress(path.read_bytes()), raw=False)
    header = data[0] if isinstance(data, list) and data else None
    if isinstance(header, dict) and header.get("format") == "cB" and header.get("version") == 1:
        buckets: list[list[str]] = data[1:]
        return buckets
    return None


@lru_cache(maxsize=1)
def english_frequencies() -> dict[str, float]:
    """Each English word's frequency (a probability), exactly what wordfreq's
    get_frequency_dict("en", wordlist="best") gives (for English "best" is wordfreq's large
    list: _english_buckets), read from its data file when it can be (~0.15 s), else from
    wordfreq. A run looks words up through word_frequencies, which does not build this."""
    buckets = _english_buckets()
    if buckets is not None:
        frequency = (repeat(10 ** (-index / 100), len(b)) for index, b in enumerate(buckets))
        return dict(zip(chain.from_iterable(buckets), chain.from_iterable(frequency), strict=True))
    import wordfreq

    return dict(wordfreq.get_frequency_dict("en", wordlist="best"))


class Frequencies:
    """english_frequencies, looked up for the words asked for only: building that whole
    dictionary (321,180 words) took 0.09-0.10 s of CPU in every run that groups new articles,
    and finding a set of words in the buckets takes ~0.01 s, however many words the set
    holds (each bucket is intersected with it). Ask for a run's words at once (`prefetch`);
    `get` of a word not asked for yet looks it up alone (correct, but a pass of its own)."""

    def __init__(self, buckets: list[list[str]] | None) -> None:
        self._buckets = buckets
        self._table = english_frequencies() if buckets is None else None
        self._found: dict[str, float] = {}
        self._asked: set[str] = set()

    def prefetch(self, words: Iterable[str]) -> None:
        """Look these words up now, in one pass over the buckets."""
        if self._buckets is None:
            return
        todo = set(words).difference(self._asked)
        if not todo:
            return
        found = self._found
        for index, bucket in enumerate(self._buckets):
            hits = todo.intersection(bucket)
            if hits:
                # A word in two buckets gets the later one's, as the dictionary (built in
                # bucket order) does.
                frequency = 10 ** (-index / 100)
                for word in hits:
                    found[word] = frequency
        # Only now: a thread asking meanwhile (placing beside the telling) looks its words
        # up itself rather than find them asked and not yet found.
        self._asked.update(todo)

    def get_many(self, words: Sequence[str], default: float) -> list[float]:
        """[get(word, default) for word in words], in one pass of compiled code once the
        words are looked up (a run's ~80,000 distinct words and stems)."""
        if self._table is not None:
            return list(map(self._table.get, words, repeat(default)))
        self.prefetch(words)
        return list(map(self._found.get, words, repeat(default)))

    def get(self, word: str, default: float) -> float:
        """The word's frequency, default for a word not in the list."""
        if self._table is not None:
            return self._table.get(word, default)
        if word not in self._asked:
            self.prefetch((word,))
        return self._found.get(word, default)


@lru_cache(maxsize=1)
def word_frequencies() -> Frequencies:
    """The process's one Frequencies (what it has looked up is kept for the next asker)."""
    return Frequencies(_english_buckets())


@lru_cache(maxsize=1)
def dictionary_lower() -> frozenset[str]:
    """The words an English dictionary writes in lower case: every common word and its
    inflections ("talks", "arming"), and no name ("ukraine" and "zelensky" are not there).
    briefer/data/dictionary_lower.txt.gz, SCOWL's lists as tools/build_dictionary.py reads
    them: 117,878 words, ~50 ms to read, so read only where a theme's name or a text in
    capitals or in lower case does not say by its capitals which of its words are names."""
    data = files("briefer.data").joinpath("dictionary_lower.txt.gz").read_bytes()
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def dictionary_acronyms() -> frozenset[str]:
    """The words the same dictionary writes in capitals only, lower-cased ("nato", "un");
    briefer/data/dictionary_acronyms.txt."""
    text = files("briefer.data").joinpath("dictionary_acronyms.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))
