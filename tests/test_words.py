"""The word tokenizer's fast path gives exactly the words of the WORD regex."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from briefer.words import WORD, tokens, word_list

REPO = Path(__file__).resolve().parent.parent


def test_letters_and_digits_are_what_isalnum_accepts() -> None:
    # word_list's premise: a run of characters str.isalnum accepts is one WORD match, and
    # no character a word may hold is one str.split splits at.
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert re.findall(r"[^\W_]", every) == [c for c in every if c.isalnum()]
    splitters = [c for c in every if len(f"a{c}b".split()) == 2]
    assert splitters and not [c for c in splitters if WORD.fullmatch(f"a{c}b")]


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
    ]
    assert len(texts) > 100
    for text in texts:
        assert word_list(text) == WORD.findall(text)
        assert tokens(text) == [word.lower() for word in WORD.findall(text)]
    assert tokens("İzmir") == ["i̇zmir"]  # lower-cased after it is read: one word still
