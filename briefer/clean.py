"""The clean stage: body paragraphs and sub-headings, with site furniture removed.

Scraped articles carry the page around the story: navigation, share buttons,
bylines, credits, disclaimers, author boxes and teasers for other articles. The
rules here judge a line by its shape (short, at the head or tail, made only of
names, not sentence-shaped) and by general families of wording kept in
``briefer/data/furniture.toml``. Nothing is invented: cleaning only drops text,
rejoins wrapped lines and repairs spacing.
"""

from __future__ import annotations

import itertools
import logging
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files

from briefer.records import Article, Block, Document
from briefer.words import stopwords

logger = logging.getLogger(__name__)

# Furniture met in the first few blocks (bylines, dates) is judged as head furniture.
HEAD_BLOCKS = 5
# An in-body sub-heading is a one-line, headline-like paragraph, never longer than a typical
# headline: the median title of the dated and undated story files is 11 words and 70-71
# characters (their 95th percentile 16 words and ~104 characters, where a line already reads
# as a sentence). A heading is never picked as a summary sentence, so a bound too generous
# would cost short unpunctuated sentences; no labelled sub-headings exist to tune it on.
HEADING_MAX_WORDS = 12
HEADING_MAX_CHARS = 100

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


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_OPENERS = "\"'“‘«„([{"
_CLOSERS = "\"'”’»)]}"
_TERMINAL = ".!?…:"
# Words a line cannot end on when the sentence is complete: the next line carries on.
_CONNECTORS = _word_set(
    "a an the of to in on at for with by from and or but nor that which who whom whose as "
    "than into onto about over under between among its his her their our your my is are was "
    "were be been has have had will would can could should may might must not"
)
_NAME_PARTICLES = _word_set(
    "de da del della der den di du dos das la le van von bin ibn al el ter ten y st"
)

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
_SPACED_PUNCT = re.compile(r"[,.;:!?](?:(?<=\s.)|(?<=\A.))(?=\s|$)")
_ATTACHED_PUNCT = re.compile(r"[,.;:!?](?<=\w.)(?=\s|$)")
# Both counts in one pass: a spaced mark leaves the group empty, an attached one gives it the
# word character before it (no character is both white space and a word character). On the
# 903 of 3,000 bench articles that reach it, 0.030 -> 0.018 s of CPU (issue 13).
_SPACED_OR_ATTACHED = re.compile(r"[,.;:!?](?:(?<=\s.)|(?<=\A.)|(?<=(\w).))(?=\s|$)")
_SENTENCE_INSIDE = re.compile(r"[^\W\d_]{2,}[.!?][\"”’)]*\s+[\"“‘(]*[^\W\d_]")
# Tokenized text spaces its closing quotes too: `he said . " cnn 's ...`.
_SENTENCE_END = re.compile(r"[.!?…](?:\s?[\"”’')\]])*\s+")
_INITIAL_BEFORE = re.compile(
    r"(?:^|\s)(?:[^\W\d_]|mr|mrs|ms|dr|st|jr|sr|gen|col|lt|sen|rep|gov)$", re.I
)
_WORD_RUN = re.compile(r"[^\W_]+")
_TITLE_SEPARATOR = re.compile(r"[|–—:-]")


def _upper_letters() -> str:
    letters = (chr(code) for code in range(0x0530) if chr(code).isupper())
    return "".join(re.escape(letter) for letter in letters)


_UPPER = _upper_letters()
_NAME_TOKEN = rf"(?:[{_UPPER}][\w'’-]*\.?)"
_NAME = (
    rf"(?-i:{_NAME_TOKEN}(?:\s+(?:{_NAME_TOKEN}|" + "|".join(sorted(_NAME_PARTICLES)) + r")){0,4})"
)


# Needles: substrings the lower-cased text must hold one of before a rule's regex is tried.
# Tested one by one with `in` (a fast substring search each), not as one regex of them all,
# which re tries alternative by alternative at every position: on the lines of 3,000 bench
# articles the family tests took half the time so (issue 13).
Needles = tuple[str, ...]
# A family's test of a line: its needles (None: it asks for none) and its regex's fullmatch,
# match or search, as its match kind says.
_Test = tuple[Needles | None, Callable[[str], "re.Match[str] | None"]]


def _holds(lowered: str, needles: Needles) -> bool:
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

    def test(self) -> _Test:
        if self.match == "line":
            return self.needles, self.regex.fullmatch
        if self.match == "start":
            return self.needles, self.regex.match
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
        count = _words(text)
        if count >= len(self.by_word_count):
            return False
        lowered = None
        for needles, test in self.by_word_count[count]:
            if needles is not None:
                if lowered is None:
                    lowered = text.lower()
                if not _holds(lowered, needles):
                    continue
            if test(text) is not None:
                return True
        return False


@dataclass(frozen=True)
class _Residue:
    regex: re.Pattern[str]
    needles: Needles | None


@dataclass(frozen=True)
class _Rules:
    anywhere: _FamilySet
    marker: _FamilySet  # "Read more", "Related": may take the teasers after them
    head: _FamilySet
    tail: _FamilySet
    tail_sentences: tuple[_TailSentence, ...]
    residue: tuple[_Residue, ...]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    text = files("briefer.data").joinpath("furniture.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    families = tuple(
        _Family(
            name=str(family["name"]),
            where=str(family["where"]),
            max_words=int(family["max_words"]),
            match=str(family["match"]),
            regex=_family_regex(family["patterns"], bool(family.get("repeat", False))),
            needles=_needles(family.get("needles", [])),
        )
        for family in data["family"]
    )
    tails = tuple(
        _TailSentence(
            regex=re.compile(_expand(t["pattern"]), re.IGNORECASE),
            max_words=int(t["max_words"]),
            needles=_needles(t.get("needles", [])),
        )
        for t in data.get("tail_sentence", [])
    )
    return _Rules(
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
    _rules()


def is_residue(sentence: str) -> bool:
    """Whether a sentence holds social or syndication residue (a handle, hashtag or link, a
    translation or contribution credit, a "see all our coverage" line): never a summary."""
    lowered = sentence.lower()
    return any(
        (rule.needles is None or _holds(lowered, rule.needles))
        and rule.regex.search(sentence) is not None
        for rule in _rules().residue
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


@dataclass(frozen=True)
class _Para:
    text: str
    line: int  # index of its first source line, to report removals in document order
    lines: int = 1  # how many source lines it was joined from
    marker: bool = False  # a "Read more" / "Related" marker line
    # Its text is one line the "anywhere" rules have passed (_paragraphs): _drop_anywhere
    # need not try them again (on the bench corpus, where a line is a paragraph, a tenth of
    # the cleaning). Any other text (joined, repaired, cut) is tried again.
    judged: bool = False


def clean(article: Article) -> Document:
    """The article's body as blocks, with site furniture removed."""
    blocks, removed = clean_text(article.text, article.title)
    if removed:
        logger.debug("%s: removed %d furniture lines", article.path or article.id, len(removed))
    return Document(article=article, blocks=blocks, removed=removed)


def clean_text(text: str, title: str = "") -> tuple[tuple[Block, ...], tuple[str, ...]]:
    """Body paragraphs and sub-headings of raw article text, and the furniture lines dropped."""
    rules = _rules()
    removed: list[tuple[int, str]] = []
    lines = _normalize(text).split("\n")
    tokenized = _looks_tokenized(text)
    paras = _paragraphs(lines, rules, removed)
    paras = _repair_all(paras, tokenized, removed)
    paras = _drop_anywhere(paras, rules, removed)
    paras = _drop_title(paras, title, removed)
    paras = _drop_head(paras, rules, removed)
    paras = _drop_tail(paras, rules, removed)
    paras = _strip_tail_sentences(paras, rules, removed)
    blocks = _blocks(paras, tokenized)
    removed.sort(key=lambda item: item[0])
    return blocks, tuple(line for _, line in removed)


def _normalize(text: str) -> str:
    text = text.replace("\r\n", "\n")
    # str.translate is slow on non-ASCII text; most articles need no translation at all.
    return text.translate(_NORMALIZE) if _NEEDS_NORMALIZE.search(text) else text


def _squash(line: str) -> str:
    if "  " in line:
        line = _SPACE_RUN.sub(" ", line)
    return line.strip()


def _looks_tokenized(text: str) -> bool:
    # Counting plain substrings first keeps ordinary articles off the regex path.
    if text.count(" , ") + text.count(" . ") < 3:
        return False
    spaced, attached = punctuation_spacing(text)
    return spaced >= 3 and spaced > attached


def punctuation_spacing(text: str) -> tuple[int, int]:
    """How many marks _SPACED_PUNCT and _ATTACHED_PUNCT find in text, in one pass."""
    befores = _SPACED_OR_ATTACHED.findall(text)
    spaced = befores.count("")
    return spaced, len(befores) - spaced


def _words(text: str) -> int:
    """Word count of squashed text (single spaces, no other whitespace)."""
    return text.count(" ") + 1 if text else 0


# ---------------------------------------------------------------- paragraphs


def _paragraphs(lines: list[str], rules: _Rules, removed: list[tuple[int, str]]) -> list[_Para]:
    """Group lines into paragraphs; furniture lines are dropped before they can be joined."""
    squashed = [_squash(line) for line in lines]
    wrap_width = _wrap_width(squashed)
    paras: list[_Para] = []
    open_para: _Para | None = None
    previous_line = ""
    for index, line in enumerate(squashed):
        if not line:
            open_para = None
            continue
        if rules.marker.matches(line):
            paras.append(_Para(line, index, marker=True))
            open_para = None
            continue
        if rules.anywhere.matches(line):
            removed.append((index, line))
            open_para = None
            continue
        if open_para is not None and _continues(previous_line, line, wrap_width):
            joined = replace(
                open_para,
                text=_join(open_para.text, line),
                lines=open_para.lines + 1,
                judged=False,
            )
            paras[-1] = joined
            open_para = joined
        else:
            open_para = _Para(line, index, judged=True)
            paras.append(open_para)
        previous_line = line
    return paras


def _wrap_width(lines: list[str]) -> int | None:
    """The column a hard-wrapped text was wrapped at, or None when lines are paragraphs."""
    lengths = sorted(len(line) for line in lines if line)
    if len(lengths) < 6:
        return None
    width = lengths[int(len(lengths) * 0.9) - 1]
    if not 40 <= width <= 100:
        return None
    full = sum(1 for length in lengths if length >= 0.8 * width)
    return width if full >= 0.5 * len(lengths) else None


def _continues(previous: str, line: str, wrap_width: int | None) -> bool:
    """Whether line carries on the paragraph whose last line, previous, ended mid-sentence."""
    if wrap_width is not None and len(previous) >= 0.8 * wrap_width:
        return True
    core = previous.rstrip(_CLOSERS)
    if not core or core[-1] in _TERMINAL:
        return False
    first = line.lstrip(_OPENERS)[:1]
    if first.islower():
        return True
    if core[-1] in ",;-–—(":
        return True
    last_word = core.rsplit(None, 1)[-1].lower()
    return last_word in _CONNECTORS


def _join(previous: str, line: str) -> str:
    # A word split by a hyphen at the line end keeps its hyphen: "well-" + "known".
    if len(previous) >= 2 and previous[-1] == "-" and previous[-2].isalpha() and line[:1].isalpha():
        return previous + line
    return previous + " " + line


# ---------------------------------------------------------------- repairs


def _repair_all(paras: list[_Para], tokenized: bool, removed: list[tuple[int, str]]) -> list[_Para]:
    kept: list[_Para] = []
    for para in paras:
        text = _repair(para.text, tokenized)
        if not _WORD_RUN.search(text):
            removed.append((para.line, para.text))
            continue
        kept.append(para if text == para.text else _Para(text, para.line, para.lines, para.marker))
    return kept


def _repair(text: str, tokenized: bool) -> str:
    """Remove cut marks and mend spacing around punctuation; words are never changed."""
    # Each repair is tried only when its cheap substring test says it can apply.
    if ".." in text or ". ." in text or "…" in text:
        text = _CUT_MARK.sub(" ", text)
    text = _squash(text)
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


# ---------------------------------------------------------------- furniture


def _drop_anywhere(
    paras: list[_Para], rules: _Rules, removed: list[tuple[int, str]]
) -> list[_Para]:
    """Joined and repaired paragraphs get the line rules again (a wrapped credit line, say)."""
    kept: list[_Para] = []
    for para in paras:
        if not para.marker and not para.judged and rules.anywhere.matches(para.text):
            removed.append((para.line, para.text))
        else:
            kept.append(para)
    return kept


def _normal_words(text: str) -> str:
    return " ".join(_WORD_RUN.findall(text.casefold()))


def _drop_title(paras: list[_Para], title: str, removed: list[tuple[int, str]]) -> list[_Para]:
    wanted = _normal_words(title)
    if not wanted:
        return paras
    kept: list[_Para] = []
    for position, para in enumerate(paras):
        if position < HEAD_BLOCKS and _repeats_title(para.text, wanted):
            removed.append((para.line, para.text))
        else:
            kept.append(para)
    return kept


# Words a title line may carry after the title: "Title | Site name", "Title - Site name".
# A site's name is one word to a few ("Reuters", "The New York Times"); the rule's value
# since it was first written, not measured.
_TITLE_TAIL_WORDS = 4


def _repeats_title(text: str, wanted: str) -> bool:
    # A paragraph with more words than that cannot repeat the title: its words are not
    # all read (the first paragraphs are often the whole lede, hundreds of words).
    most = _words(wanted) + _TITLE_TAIL_WORDS
    if text.isascii():
        # Case-folding ASCII is lower-casing, which keeps every character a letter, digit or
        # neither: the text's own first runs, lowered, are those of the folded text, without
        # folding a whole lede (the first paragraphs are often hundreds of words). Nearly
        # every paragraph differs from the title in its first word, and is settled by it.
        first = _WORD_RUN.search(text)
        if first is None or first.group().lower() != wanted.partition(" ")[0]:
            return False
        runs = [run.group().lower() for run in itertools.islice(_WORD_RUN.finditer(text), most + 1)]
    else:
        folded = _WORD_RUN.finditer(text.casefold())
        runs = [run.group() for run in itertools.islice(folded, most + 1)]
    if len(runs) > most:
        return False
    found = " ".join(runs)
    if found == wanted:
        return True
    if found.startswith(wanted + " "):
        return _TITLE_SEPARATOR.search(text) is not None
    return False


def _drop_head(paras: list[_Para], rules: _Rules, removed: list[tuple[int, str]]) -> list[_Para]:
    """Bylines, datelines and page notes among the first blocks."""
    limit = _head_limit(paras)
    kept: list[_Para] = []
    for position, para in enumerate(paras):
        if (
            position < limit
            and not para.marker
            and (_is_name_list(para.text) or rules.head.matches(para.text))
        ):
            removed.append((para.line, para.text))
        else:
            kept.append(para)
    return kept


def _head_limit(paras: list[_Para]) -> int:
    """How many blocks count as the head: page notes sit above the lede or just below it."""
    for position, para in enumerate(paras[:HEAD_BLOCKS]):
        if _words(para.text) >= 25 and para.text.rstrip(_CLOSERS)[-1:] in (".", "!", "?"):
            return min(position + 2, HEAD_BLOCKS)
    return HEAD_BLOCKS


def _drop_tail(paras: list[_Para], rules: _Rules, removed: list[tuple[int, str]]) -> list[_Para]:
    """Teasers after a marker, then the trailing run of credits, bios and notes."""
    paras = _cut_teasers(paras, removed)
    end = len(paras)
    while end and (_is_name_list(paras[end - 1].text) or rules.tail.matches(paras[end - 1].text)):
        end -= 1
    removed.extend((para.line, para.text) for para in paras[end:])
    return paras[:end]


def _cut_teasers(paras: list[_Para], removed: list[tuple[int, str]]) -> list[_Para]:
    """A marker near the end takes the teasers after it; elsewhere only the marker goes."""
    # body_after[i]: some finished body paragraph follows position i.
    body_after = [False] * len(paras)
    for position in range(len(paras) - 2, -1, -1):
        following = paras[position + 1].text
        body_after[position] = body_after[position + 1] or _is_finished_paragraph(following)
    total = sum(len(para.text) for para in paras)
    before = 0
    for position, para in enumerate(paras):
        after = total - before - len(para.text)
        if para.marker and not body_after[position] and after <= 0.35 * before:
            removed.extend((p.line, p.text) for p in paras[position:])
            return _unmark(paras[:position], removed)
        before += len(para.text)
    return _unmark(paras, removed)


def _unmark(paras: list[_Para], removed: list[tuple[int, str]]) -> list[_Para]:
    kept: list[_Para] = []
    for para in paras:
        if para.marker:
            removed.append((para.line, para.text))
        else:
            kept.append(para)
    return kept


def _is_finished_paragraph(text: str) -> bool:
    """A long paragraph that ends a sentence: body text rather than a teaser blurb."""
    core = text.rstrip(_CLOSERS)
    return _words(text) >= 60 and core[-1:] in (".", "!", "?")


def _is_name_list(text: str) -> bool:
    """Only people's names: "Jane Doe, John Roe", "Ann Lee and Bo Park"."""
    if _words(text) > 14 or any(char.isdigit() for char in text):
        return False
    parts = [part for part in re.split(r"\s*(?:,|&|\||\band\b)\s*", text.strip(" .")) if part]
    if not parts:
        return False
    sizes = [len(part.split()) for part in parts]
    if max(sizes) < 2 or max(sizes) > 4:
        return False
    stop = stopwords()
    for part in parts:
        for token in part.split():
            if token.lower() in _NAME_PARTICLES:
                continue
            bare = token.rstrip(".")
            if not bare or not bare[0].isupper():
                return False
            if not all(char.isalpha() or char in "'’-." for char in bare):
                return False
            if bare.lower() in stop:
                return False
    return True


def _strip_tail_sentences(
    paras: list[_Para], rules: _Rules, removed: list[tuple[int, str]]
) -> list[_Para]:
    """Credits and comment notices tacked onto the end of the last paragraph."""
    while paras:
        last = paras[-1]
        cut = _tail_sentence_start(last.text, rules)
        if cut is None:
            break
        removed.append((last.line, last.text[cut:]))
        rest = last.text[:cut].rstrip()
        # Several notes may be stacked ("... contributed. Comments are closed."): go again.
        shortened = replace(last, text=rest, judged=False)
        paras = [*paras[:-1], shortened] if _WORD_RUN.search(rest) else paras[:-1]
    return paras


def _tail_sentence_start(text: str, rules: _Rules) -> int | None:
    lowered = text.lower()
    for tail in rules.tail_sentences:
        if tail.needles is not None and not _holds(lowered, tail.needles):
            continue
        match = tail.regex.search(text)
        if match is None:
            continue
        start = _sentence_start(text, match.start())
        if _words(text[start:]) <= tail.max_words:
            return start
    return None


def _sentence_start(text: str, position: int) -> int:
    """Where the sentence holding position begins, not fooled by initials like "e." or "Mr."."""
    start = 0
    for boundary in _SENTENCE_END.finditer(text, 0, position + 1):
        if boundary.end() > position:
            break
        # Six characters outlast the longest abbreviation, so "^" only matches at the real start.
        if _INITIAL_BEFORE.search(text[max(0, boundary.start() - 6) : boundary.start()]):
            continue
        start = boundary.end()
    return start


# ---------------------------------------------------------------- blocks


def _blocks(paras: list[_Para], tokenized: bool) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for position, para in enumerate(paras):
        heading = (
            not tokenized
            and para.lines == 1
            and position + 1 < len(paras)
            and _heading_shape(para.text)
        )
        blocks.append(Block(text=para.text, is_heading=heading))
    return tuple(blocks)


def _heading_shape(text: str) -> bool:
    """A short title-like line: few words, no closing period, not a sentence."""
    if _words(text) > HEADING_MAX_WORDS or len(text) > HEADING_MAX_CHARS:
        return False
    core = text.rstrip(_CLOSERS)
    if not core or core[-1] in ".,;:…-–—":
        return False
    first = text.lstrip(_OPENERS)[:1]
    # A bullet ("- 300 troops", "• Kyiv") is a list item, not a heading.
    if not (first.isupper() or first.isdigit()):
        return False
    if not any(char.isalpha() for char in text):
        return False
    if _SENTENCE_INSIDE.search(text):
        return False
    last_word = core.rsplit(None, 1)[-1].lower()
    return last_word not in _CONNECTORS
