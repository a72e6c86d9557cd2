"""Word-level helpers shared by the scorer, the story bullets and the grouper: the one word
tokenizer, the stopwords and the stemmer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nltk.stem.snowball import EnglishStemmer

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


def word_list(text: str) -> list[str]:
    """WORD.findall(text), in a quarter less time on prose: a run between spaces made only
    of letters and digits is one word as it stands, and WORD runs only on the others (those
    with punctuation). Exact: WORD's letters and digits ([^\\W_]) are precisely the
    characters str.isalnum accepts, and no character of a word is one str.split splits at
    (both checked over every code point), so no word spans two runs."""
    found: list[str] = []
    findall = WORD.findall
    for run in text.split():
        if run.isalnum():
            found.append(run)
        else:
            found += findall(run)
    return found


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; punctuation is dropped, inner apostrophes and hyphens kept."""
    if text.isascii():  # lower-casing ASCII turns letters into letters and nothing else
        return word_list(text.lower())
    # Elsewhere it may not: "İ" becomes "i" and a combining dot, which is not a letter.
    return [word.lower() for word in word_list(text)]


@lru_cache(maxsize=1)
def _stemmer() -> EnglishStemmer:
    # Imported on first use: nltk costs a noticeable part of a second to import, and only
    # the grouping and the story bullets stem. Pure code: it needs no downloaded data.
    from nltk.stem.snowball import EnglishStemmer

    return EnglishStemmer()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return str(_stemmer().stem(word))


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
