"""The furniture rules of the clean stage, compiled from ``briefer/data/furniture.toml``:
families of wording that mark a line as site furniture (anywhere, at the head, at the tail),
sentences tacked onto a last paragraph (credits, comment notices), and the social and
syndication residue a summary never quotes."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any


def word_set(words: str) -> frozenset[str]:
    """The words of a string of words separated by spaces, as a set."""
    return frozenset(words.split())


NAME_PARTICLES = word_set(
    "de da del della der den di du dos das la le van von bin ibn al el ter ten y st"
)


def _upper_letters() -> str:
    letters = (chr(code) for code in range(0x0530) if chr(code).isupper())
    return "".join(re.escape(letter) for letter in letters)


_UPPER = _upper_letters()
_NAME_TOKEN = rf"(?:[{_UPPER}][\w'’-]*\.?)"
_NAME = (
    rf"(?-i:{_NAME_TOKEN}(?:\s+(?:{_NAME_TOKEN}|" + "|".join(sorted(NAME_PARTICLES)) + r")){0,4})"
)


# Needles: substrings the lower-cased text must hold one of before a rule's regex is tried.
# Tested one by one with `in` (a fast substring search each), not as one regex of them all,
# which re tries alternative by alternative at every position: on the lines of 3,000 bench
# articles the family tests took half the time so (issue 13).
Needles = tuple[str, ...]
# A family's test of a line: its needles (None: it asks for none) and its regex's fullmatch,
# match or search, as its match kind says.
_Test = tuple[Needles | None, Callable[[str], "re.Match[str] | None"]]


def holds(lowered: str, needles: Needles) -> bool:
    for needle in needles:  # noqa: SIM110 (any() of a generator: a tenth slower here)
        if needle in lowered:
            return True
    return False


@dataclass(frozen=True)
class _Family:
    name: str
    where: str  # "anywhere", "edge" or "tail"
    max_words: int
    match: str  # "line", "start" or "find"
    regex: re.Pattern[str]
    needles: Needles | None = None  # the lower-cased text must contain one of them
    # A "find" family's patterns that open with "^", searched apart from the rest (regex):
    # in one expression with them, the others lose the engine's skip to the characters a
    # match may start with, and it tries every alternative at every position; alone, a
    # search anchored so is tried at the line's start only (disclaimer_edge over the lines
    # of the 10k bench week: 0.116 -> 0.044 s of CPU, the same matches).
    anchored: re.Pattern[str] | None = None

    def test(self) -> _Test:
        if self.match == "line":
            return self.needles, self.regex.fullmatch
        if self.match == "start":
            return self.needles, self.regex.match
        if self.anchored is not None:
            search, anchored = self.regex.search, self.anchored.search
            return self.needles, lambda text: search(text) or anchored(text)
        return self.needles, self.regex.search


@dataclass(frozen=True)
class _TailSentence:
    regex: re.Pattern[str]
    max_words: int
    needles: Needles | None


@dataclass(frozen=True)
class _FamilySet:
    """Families to try together, indexed by word count: long paragraphs skip most of them.
    Each count's families are held as their tests (_Test), those that ask for no needles
    first (all anchored at the line's start: most fail at its first word), so a line is
    judged without a method call or a string comparison per family."""

    by_word_count: tuple[tuple[_Test, ...], ...]

    @classmethod
    def of(cls, families: Iterable[_Family]) -> _FamilySet:
        chosen = sorted(families, key=lambda family: family.needles is not None)
        longest = max((family.max_words for family in chosen), default=0)
        return cls(
            tuple(
                tuple(family.test() for family in chosen if count <= family.max_words)
                for count in range(longest + 1)
            )
        )

    def matches(self, text: str) -> bool:
        if words_over(text, len(self.by_word_count) - 1):
            return False
        count = word_count(text)
        lowered = None
        for needles, test in self.by_word_count[count]:
            if needles is not None:
                if lowered is None:
                    lowered = text.lower()
                if not holds(lowered, needles):
                    continue
            if test(text) is not None:
                return True
        return False


@dataclass(frozen=True)
class _Residue:
    regex: re.Pattern[str]
    needles: Needles | None


@dataclass(frozen=True)
class Rules:
    anywhere: _FamilySet
    marker: _FamilySet  # "Read more", "Related": may take the teasers after them
    head: _FamilySet
    tail: _FamilySet
    tail_sentences: tuple[_TailSentence, ...]
    residue: tuple[_Residue, ...]


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    text = files("briefer.data").joinpath("furniture.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    families = tuple(_family(family) for family in data["family"])
    tails = tuple(
        _TailSentence(
            regex=re.compile(_expand(t["pattern"]), re.IGNORECASE),
            max_words=int(t["max_words"]),
            needles=_needles(t.get("needles", [])),
        )
        for t in data.get("tail_sentence", [])
    )
    return Rules(
        anywhere=_FamilySet.of(
            f for f in families if f.where == "anywhere" and f.name != "teaser_marker"
        ),
        marker=_FamilySet.of(f for f in families if f.name == "teaser_marker"),
        head=_FamilySet.of(f for f in families if f.where == "edge"),
        tail=_FamilySet.of(f for f in families if f.where in ("edge", "tail")),
        tail_sentences=tails,
        residue=tuple(
            _Residue(
                regex=re.compile(_expand(r["pattern"]), re.IGNORECASE),
                needles=_needles(r.get("needles", [])),
            )
            for r in data.get("residue", [])
        ),
    )


def prepare() -> None:
    """Compile the rules now (before worker processes are forked, so that they share them)."""
    load_rules()


def is_residue(sentence: str) -> bool:
    """Whether a sentence holds social or syndication residue (a handle, hashtag or link, a
    translation or contribution credit, a "see all our coverage" line): never a summary."""
    lowered = sentence.lower()
    return any(
        (rule.needles is None or holds(lowered, rule.needles))
        and rule.regex.search(sentence) is not None
        for rule in load_rules().residue
    )


def _family(family: dict[str, Any]) -> _Family:
    patterns = [str(pattern) for pattern in family["patterns"]]
    repeat = bool(family.get("repeat", False))
    anchored = None
    if family["match"] == "find" and not repeat:
        starts = [pattern for pattern in patterns if pattern.startswith("^")]
        if starts and len(starts) < len(patterns):
            anchored = _family_regex(starts, repeat)
            patterns = [pattern for pattern in patterns if not pattern.startswith("^")]
    return _Family(
        name=str(family["name"]),
        where=str(family["where"]),
        max_words=int(family["max_words"]),
        match=str(family["match"]),
        regex=_family_regex(patterns, repeat),
        needles=_needles(family.get("needles", [])),
        anchored=anchored,
    )


def _family_regex(patterns: list[str], repeat: bool) -> re.Pattern[str]:
    either = "|".join(f"(?:{_expand(pattern)})" for pattern in patterns)
    if repeat:
        either = f"(?:{either})(?:\\s*[|•·]?\\s*(?:{either}))*"
    return re.compile(either, re.IGNORECASE)


def _needles(needles: list[str]) -> Needles | None:
    if not needles:
        return None
    return tuple(str(needle) for needle in needles)


def _expand(pattern: str) -> str:
    return pattern.replace("{name}", _NAME)


def word_count(text: str) -> int:
    """Word count of squashed text (single spaces, no other whitespace)."""
    return text.count(" ") + 1 if text else 0


# Characters a word is given, its space included, before the whole text is counted: squashed
# English prose averages about six (words of 4.7 letters), so a prefix of eight a word holds
# more than the bound's words in nearly every long paragraph.
_CHARS_PER_WORD = 8


def words_over(text: str, bound: int) -> bool:
    """word_count(text) > bound, the spaces of a prefix counted first: the bounds asked are a
    few dozen words (the longest rule family's is 90), and a paragraph runs to thousands of
    characters (a tokenized article is often one), which word_count reads to the end (the
    10k bench week's cleaning: 0.02-0.05 s of its 1.2 s of CPU)."""
    prefix = _CHARS_PER_WORD * (bound + 1)
    if len(text) > prefix and text.count(" ", 0, prefix) >= bound:
        return True  # bound spaces already: more than bound words
    return word_count(text) > bound
