"""Word-level helpers shared by the scorer and the grouper: tokens, stopwords, stems."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

from nltk.stem.snowball import EnglishStemmer  # pure code: needs no downloaded data

_WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*", re.UNICODE)
_stemmer = EnglishStemmer()


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = files("briefer.data").joinpath("stopwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; punctuation is dropped, inner apostrophes and hyphens kept."""
    return [match.group(0).lower() for match in _WORD.finditer(text)]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return str(_stemmer.stem(word))


def content_terms(text: str) -> list[str]:
    """Stems of the words that carry meaning: no stopwords, no bare numbers of one digit."""
    stop = stopwords()
    return [
        stem(word)
        for word in tokens(text)
        if word not in stop and not (len(word) == 1 and not word.isalpha())
    ]
