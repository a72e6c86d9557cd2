"""The word tokenizer's fast path gives exactly the words of the WORD regex; the stemmer and
Porter's first step give exactly what nltk's did, the English frequencies what wordfreq gives."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from briefer.words import _AROUND, WORD, measure, porter_step1, stem, tokens, word_list

REPO = Path(__file__).resolve().parent.parent


def test_letters_and_digits_are_what_isalnum_accepts() -> None:
    # word_list's premise: a run of characters str.isalnum accepts is one WORD match, and
    # no character a word may hold is one str.split splits at.
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert re.findall(r"[^\W_]", every) == [c for c in every if c.isalnum()]
    splitters = [c for c in every if len(f"a{c}b".split()) == 2]
    assert splitters and not [c for c in splitters if WORD.fullmatch(f"a{c}b")]
    # and the marks it strips from a run's ends are never part of a word's letters or digits
    assert _AROUND and not re.findall(r"[^\W_]", _AROUND)


def test_word_list_matches_the_regex_on_real_and_awkward_text() -> None:
    texts = [path.read_text(encoding="utf-8") for path in sorted((REPO / "samples").glob("*.txt"))]
    fixture = REPO / "tests" / "fixtures" / "themes_dev.jsonl"
    texts += [json.loads(line)["text"] for line in fixture.read_text("utf-8").splitlines()]
    texts += [
        "U.S.-led talks -- and Kyiv's “offer” (2,500 troops) ended_early at 3.30pm.",
        "İstanbul\u00a0ve\tİzmir’de…\u2003naïve co-op's 'quoted' __init__ x_y ½ ٣٤ 第二",
        "",
        "   ",
        "--- ... '' ’’ --a-- .b. c'-d",
        "(said), “offer”. U.S. 'a-b'- -x- «Kyiv’s»… —no— ((2,500)) a.-b .'-",
    ]
    assert len(texts) > 100
    for text in texts:
        assert word_list(text) == WORD.findall(text)
        assert tokens(text) == [word.lower() for word in WORD.findall(text)]
    assert tokens("İzmir") == ["i̇zmir"]  # lower-cased after it is read: one word still


def _real_words() -> list[str]:
    """Every distinct lower-cased word (and space-separated run) of the samples and the
    themes fixture: real text, with curly apostrophes, names and figures."""
    texts = [path.read_text(encoding="utf-8") for path in sorted((REPO / "samples").glob("*.txt"))]
    fixture = REPO / "tests" / "fixtures" / "themes_dev.jsonl"
    texts += [json.loads(line)["text"] for line in fixture.read_text("utf-8").splitlines()]
    found: set[str] = set()
    for text in texts:
        found.update(tokens(text))
        found.update(text.lower().split())
    return sorted(found)


def test_stems_are_nltks_english_stems_on_real_words() -> None:
    # The stemmer moved from nltk's EnglishStemmer to Snowball's own C build (PyStemmer);
    # it must give the stems nltk gave. Two words of the dev data are known to differ
    # (briefer.words._stemmer); none of these may.
    from nltk.stem.snowball import EnglishStemmer

    nltk_stemmer = EnglishStemmer()
    words = _real_words()
    assert len(words) > 3000 and any("’" in word for word in words)
    assert [stem(word) for word in words] == [nltk_stemmer.stem(word) for word in words]
    # Capitals, curly apostrophes of every kind, and the short words both leave alone.
    awkward = ["Kyiv’s", "‘Tis", "‛quoted", "NATO's", "İzmir", "ab", "A", "’s", "''", "yyy"]
    assert [stem(word) for word in awkward] == [nltk_stemmer.stem(word) for word in awkward]


def _nltk_step1(word: str) -> tuple[str, int]:
    from nltk.stem.porter import PorterStemmer

    porter = PorterStemmer()
    return str(porter._step1c(porter._step1b(porter._step1a(word)))), porter._measure(word)


def test_porter_step1_is_nltks_on_real_words() -> None:
    words = _real_words()
    assert [(porter_step1(word), measure(word)) for word in words] == [
        _nltk_step1(word) for word in words
    ]


@given(st.text(alphabet="aeiouybcdlstzgnmrwx'-", max_size=12))
def test_porter_step1_is_nltks_on_any_word(word: str) -> None:
    # Every rule's edge: y after y, double consonants, -ied/-ies of four letters, cvc ends.
    assert (porter_step1(word), measure(word)) == _nltk_step1(word)


def test_english_frequencies_are_wordfreqs() -> None:
    # Read straight from wordfreq's data file: the same words, frequencies and order as
    # wordfreq's own dictionary.
    import wordfreq

    from briefer.words import english_frequencies

    expected = wordfreq.get_frequency_dict("en", wordlist="best")
    found = english_frequencies()
    assert len(found) > 100_000
    assert list(found.items()) == list(expected.items())


def test_word_frequencies_are_english_frequencies() -> None:
    # Looked up for the words asked for, in one pass over wordfreq's buckets or word by
    # word: every frequency as the whole dictionary has it, the later bucket's for a word
    # listed twice, the default for a word not listed.
    from briefer.words import Frequencies, _english_buckets, english_frequencies

    table = english_frequencies()
    buckets = _english_buckets()
    assert buckets is not None
    seen: set[str] = set()
    twice = []
    for bucket in buckets:
        for word in bucket:
            if word in seen:
                twice.append(word)
            seen.add(word)
    words = [*list(table)[::97], *twice[:50], "zzqxv-not-a-word", ""]
    for frequencies in (Frequencies(buckets), Frequencies(None)):
        frequencies.prefetch(words[: len(words) // 2])
        assert [frequencies.get(word, -1.0) for word in words] == [
            table.get(word, -1.0) for word in words
        ]
    for frequencies in (Frequencies(buckets), Frequencies(None)):
        frequencies.prefetch(words[: len(words) // 3])
        assert frequencies.get_many(words, -1.0) == [table.get(word, -1.0) for word in words]
