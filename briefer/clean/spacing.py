"""Text repairs of the clean stage that never change a word: line breaks, odd spaces and
invisible characters normalized, runs of spaces squashed, editorial cut marks removed, and the
spacing around punctuation mended (except in tokenized corpora, which space it on purpose)."""

from __future__ import annotations

import re

# One translation table: line breaks of every kind become "\n" (str.splitlines would
# split on all of them), invisible characters scrapers leave inside words are dropped
# (which rejoins the word), other spaces and control characters become plain spaces.
_LINE_BREAK_CHARS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_INVISIBLE_CHARS = (
    "\u00ad\u200b\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_ODD_SPACE_CHARS = "".join(
    chr(code)
    for code in [
        *range(0x00, 0x20),
        *range(0x7F, 0xA1),
        0x1680,
        *range(0x2000, 0x200B),
        0x202F,
        0x205F,
        0x3000,
    ]
    if chr(code) != "\n" and chr(code) not in _LINE_BREAK_CHARS
)
_NORMALIZE = {
    **dict.fromkeys(map(ord, _ODD_SPACE_CHARS), " "),
    **dict.fromkeys(map(ord, _LINE_BREAK_CHARS), "\n"),
    **dict.fromkeys(map(ord, _INVISIBLE_CHARS), None),
}
_NEEDS_NORMALIZE = re.compile(
    "[" + re.escape(_ODD_SPACE_CHARS + _LINE_BREAK_CHARS + _INVISIBLE_CHARS) + "]"
)
_SPACE_RUN = re.compile(r" {2,}")

# Editorial cut marks: "<...>", "[…]", "(...)" inside a paragraph.
_CUT_MARK = re.compile(r"[<\[(]\s*(?:(?:\.\s*){2,}|…\s*)[>\])]")
# Paragraphs are squashed to single spaces first; a leading literal space keeps these fast.
_SPACE_BEFORE_PUNCT = re.compile(r" (?<=[\w”’\")\]%] )([,.;:!?])(?=[ \"”’)\]]|$)")
_SPACE_BEFORE_PUNCT_TEST = re.compile(r" [,.;:!?]")
_REPEATED_TERMINAL = re.compile(r"([.!?])(?:\s+\.(?!\.))+")
_DOUBLE_PERIOD = re.compile(r"(?<=\w)\.\.(?!\.)")
_CURRENCY_SPACE = re.compile(r"([$€£¥₴₽])\s+(?=\d)")
_OPEN_BRACKET_SPACE = re.compile(r"([(\[])\s+(?=\S)")
_CLOSE_BRACKET_SPACE = re.compile(r" (?<=\S )([)\]])")
_OPEN_QUOTE_SPACE = re.compile(r"“\s+(?=[\w‘'])")
_CLOSE_QUOTE_SPACE = re.compile(r"(?<=[\w.,!?])\s+”(?=[\s.,;:!?)]|$)")
_LEADING_STRAY = re.compile(r"^[.,;:]+\s+(?=\S)")
# Tokenized corpora ("it 's one , he said .") put spaces before punctuation on purpose.
# Each pattern begins with the mark and then looks back at what precedes it: the engine jumps
# from mark to mark by a fast scan instead of trying a space (or a word character) at every
# position of the text, 6-8x faster on the bench corpus, where counting these was a fifth of
# the cleaning (issue 13). They count what "(?:^|\s)[,.;:!?](?=\s|$)" and
# "\w[,.;:!?](?=\s|$)" count (tests/test_clean.py): the character before a mark is never a
# mark, so taking it into a match or only looking at it finds the same marks.
SPACED_PUNCT = re.compile(r"[,.;:!?](?:(?<=\s.)|(?<=\A.))(?=\s|$)")
ATTACHED_PUNCT = re.compile(r"[,.;:!?](?<=\w.)(?=\s|$)")
# Both counts in one pass: a spaced mark leaves the group empty, an attached one gives it the
# word character before it (no character is both white space and a word character). On the
# 903 of 3,000 bench articles that reach it, 0.030 -> 0.018 s of CPU (issue 13).
_SPACED_OR_ATTACHED = re.compile(r"[,.;:!?](?:(?<=\s.)|(?<=\A.)|(?<=(\w).))(?=\s|$)")


def normalize(text: str) -> str:
    text = text.replace("\r\n", "\n")
    # str.translate is slow on non-ASCII text; most articles need no translation at all.
    return text.translate(_NORMALIZE) if _NEEDS_NORMALIZE.search(text) else text


def squash(line: str) -> str:
    if "  " in line:
        line = _SPACE_RUN.sub(" ", line)
    return line.strip()


def looks_tokenized(text: str) -> bool:
    # Counting plain substrings first keeps ordinary articles off the regex path.
    if text.count(" , ") + text.count(" . ") < 3:
        return False
    spaced, attached = punctuation_spacing(text)
    return spaced >= 3 and spaced > attached


def punctuation_spacing(text: str) -> tuple[int, int]:
    """How many marks SPACED_PUNCT and ATTACHED_PUNCT find in text, in one pass."""
    befores = _SPACED_OR_ATTACHED.findall(text)
    spaced = befores.count("")
    return spaced, len(befores) - spaced


def repair(text: str, tokenized: bool) -> str:
    """Remove cut marks and mend spacing around punctuation; words are never changed."""
    # Each repair is tried only when its cheap substring test says it can apply.
    if ".." in text or ". ." in text or "…" in text:
        text = _CUT_MARK.sub(" ", text)
    text = squash(text)
    if tokenized:
        return text
    if _SPACE_BEFORE_PUNCT_TEST.search(text):
        text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
        text = _REPEATED_TERMINAL.sub(r"\1", text)
    if ".." in text:
        text = _DOUBLE_PERIOD.sub(".", text)
    if any(sign in text for sign in "$€£¥₴₽"):
        text = _CURRENCY_SPACE.sub(r"\1", text)
    # A bracket is looked for alone first: a search for "( " or " )" stops at every space
    # (on the prose paragraphs of 3,000 bench articles, 0.019 -> 0.005 s of CPU).
    if ("(" in text or "[" in text) and ("( " in text or "[ " in text):
        text = _OPEN_BRACKET_SPACE.sub(r"\1", text)
    if (")" in text or "]" in text) and (" )" in text or " ]" in text):
        text = _CLOSE_BRACKET_SPACE.sub(r"\1", text)
    if "“ " in text or " ”" in text:
        text = _mend_quotes(text)
    if text[:1] in (".", ",", ";", ":"):
        text = _LEADING_STRAY.sub("", text)
    return text.strip()


def _mend_quotes(text: str) -> str:
    text = _OPEN_QUOTE_SPACE.sub("“", text)

    def close(match: re.Match[str]) -> str:
        before = text[: match.start()]
        # Only a quote that closes an open one is pulled back to its word.
        if before.count("“") > before.count("”"):
            return "”"
        return match.group(0)

    return _CLOSE_QUOTE_SPACE.sub(close, text)
