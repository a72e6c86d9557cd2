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
from dataclasses import dataclass, replace

from briefer.clean.captions import cut_photo_credits
from briefer.clean.rules import (
    NAME_PARTICLES,
    Rules,
    holds,
    load_rules,
    word_count,
    word_set,
    words_over,
)
from briefer.clean.spacing import looks_tokenized, normalize, repair, squash
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


_OPENERS = "\"'“‘«„([{"
_CLOSERS = "\"'”’»)]}"
_TERMINAL = ".!?…:"
# Words a line cannot end on when the sentence is complete: the next line carries on.
_CONNECTORS = word_set(
    "a an the of to in on at for with by from and or but nor that which who whom whose as "
    "than into onto about over under between among its his her their our your my is are was "
    "were be been has have had will would can could should may might must not"
)
_SENTENCE_INSIDE = re.compile(r"[^\W\d_]{2,}[.!?][\"”’)]*\s+[\"“‘(]*[^\W\d_]")
# Tokenized text spaces its closing quotes too: `he said . " cnn 's ...`.
_SENTENCE_END = re.compile(r"[.!?…](?:\s?[\"”’')\]])*\s+")
_INITIAL_BEFORE = re.compile(
    r"(?:^|\s)(?:[^\W\d_]|mr|mrs|ms|dr|st|jr|sr|gen|col|lt|sen|rep|gov)$", re.I
)
_WORD_RUN = re.compile(r"[^\W_]+")
_TITLE_SEPARATOR = re.compile(r"[|–—:-]")
# A bulleted list item at a line's head: its marker and the space after it. An item is a
# paragraph of its own, never the continuation of the line before (which a hard-wrapped text's
# line length would otherwise make it), and its marker is no word of its text. Numbered items
# keep their numbers (a figure may be meant).
_LIST_ITEM = re.compile(r"[-*•‣◦▪●–]\s+(?=\S)")
# A list flattened into one line: " * " before an item's first word, after a sentence's end or
# a colon ("... in Kharkiv. * Russia's defence ministry said ..."), or after a closing mark or a
# word in capitals (a heading: "FIGHTING * Russia's ...") before a letter. Elsewhere an asterisk
# in prose is no marker: "0.2 * 100", "a rating of 4 * Stars", "it was * Not * the time", "the
# score (20) * 5", "the levy on GDP * 2".
_FLAT_ITEM = re.compile(
    r"(?<=[.!?:…])\s\*\s+(?=[\"“‘'(]?[A-Z0-9])"
    r"|(?:(?<=[\"”’)\]])|(?<=[A-Z]{2}))\s\*\s+(?=[\"“‘'(]?[A-Z])"
)


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
    item: bool = False  # a list item (its marker dropped): never a sub-heading


def clean(article: Article) -> Document:
    """The article's body as blocks, with site furniture removed."""
    blocks, removed = clean_text(article.text, article.title)
    if removed:
        logger.debug("%s: removed %d furniture lines", article.path or article.id, len(removed))
    return Document(article=article, blocks=blocks, removed=removed)


def clean_text(text: str, title: str = "") -> tuple[tuple[Block, ...], tuple[str, ...]]:
    """Body paragraphs and sub-headings of raw article text, and the furniture lines dropped."""
    rules = load_rules()
    removed: list[tuple[int, str]] = []
    lines = cut_photo_credits(normalize(text).split("\n"), removed, rules.anywhere.matches)
    tokenized = looks_tokenized(text)
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


# ---------------------------------------------------------------- paragraphs


def _paragraphs(lines: list[str], rules: Rules, removed: list[tuple[int, str]]) -> list[_Para]:
    """Group lines into paragraphs; furniture lines are dropped before they can be joined."""
    squashed = [squash(line) for line in lines]
    wrap_width = _wrap_width(squashed)
    if any(" * " in line for line in squashed):
        squashed, indexes = _unflatten(squashed)
    else:
        indexes = list(range(len(squashed)))
    paras: list[_Para] = []
    open_para: _Para | None = None
    previous_line = ""
    for index, line in zip(indexes, squashed, strict=True):
        if not line:
            open_para = None
            continue
        marker = _LIST_ITEM.match(line)
        if marker is not None and _wraps_into(previous_line, line, open_para, wrap_width):
            marker = None  # a hard-wrapped sentence broken at a dash, not a list
        # Furniture is told by its words, a list marker or not ("• Share this article")
        bare = line if marker is None else line[marker.end() :]
        if rules.marker.matches(bare):
            paras.append(_Para(line, index, marker=True))
            open_para = None
            continue
        if rules.anywhere.matches(bare):
            removed.append((index, line))
            open_para = None
            continue
        if marker is not None:
            line = bare
            open_para = None  # an item opens a paragraph of its own
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
            open_para = _Para(line, index, judged=True, item=marker is not None)
            paras.append(open_para)
        previous_line = line
    return paras


def _unflatten(lines: list[str]) -> tuple[list[str], list[int]]:
    """The lines with a list flattened into one line cut into its items, each opening with its
    marker as a line of its own, and the index of the source line each came from."""
    cut: list[str] = []
    indexes: list[int] = []
    for index, line in enumerate(lines):
        start = 0
        for match in _FLAT_ITEM.finditer(line):
            cut.append(line[start : match.start()])
            indexes.append(index)
            start = match.start() + 1  # the item keeps its marker: _paragraphs drops it
        cut.append(line[start:])
        indexes.append(index)
    return cut, indexes


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


def _wraps_into(previous: str, line: str, open_para: _Para | None, wrap_width: int | None) -> bool:
    """Whether a line opening with a dash carries on a hard-wrapped sentence ("... had allowed
    for" / "- a claim that ..."): the words after the dash go on in lower case, the line before
    filled the width and ended mid-sentence, and was no list item itself. Otherwise the mark
    opens an item (an item's first word is a capital or a figure)."""
    if wrap_width is None or open_para is None or open_para.item:
        return False
    if line[:1] not in "-–" or not line[1:].lstrip()[:1].islower():
        return False
    core = previous.rstrip(_CLOSERS)
    return len(previous) >= 0.8 * wrap_width and bool(core) and core[-1] not in _TERMINAL


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
        text = repair(para.text, tokenized)
        if not _WORD_RUN.search(text):
            removed.append((para.line, para.text))
            continue
        kept.append(para if text == para.text else _Para(text, para.line, para.lines, para.marker))
    return kept


# ---------------------------------------------------------------- furniture


def _drop_anywhere(paras: list[_Para], rules: Rules, removed: list[tuple[int, str]]) -> list[_Para]:
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
    most = word_count(wanted) + _TITLE_TAIL_WORDS
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


def _drop_head(paras: list[_Para], rules: Rules, removed: list[tuple[int, str]]) -> list[_Para]:
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
        if words_over(para.text, 24) and para.text.rstrip(_CLOSERS)[-1:] in (".", "!", "?"):
            return min(position + 2, HEAD_BLOCKS)
    return HEAD_BLOCKS


def _drop_tail(paras: list[_Para], rules: Rules, removed: list[tuple[int, str]]) -> list[_Para]:
    """Teasers after a marker, then the trailing run of credits, bios and notes."""
    paras = _cut_teasers(paras, removed)
    end = len(paras)
    while end and (_is_name_list(paras[end - 1].text) or rules.tail.matches(paras[end - 1].text)):
        end -= 1
    removed.extend((para.line, para.text) for para in paras[end:])
    return paras[:end]


def _cut_teasers(paras: list[_Para], removed: list[tuple[int, str]]) -> list[_Para]:
    """A marker near the end takes the teasers after it; elsewhere only the marker goes."""
    if not any(para.marker for para in paras):
        # Nothing to cut (nearly every article): the finished paragraphs below are only read
        # at a marker, and finding them read every paragraph to its end (the 10k bench
        # week's cleaning, 10,000 articles: 1.31 -> 1.26 s of CPU).
        return paras
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
    return words_over(text, 59) and core[-1:] in (".", "!", "?")


def _is_name_list(text: str) -> bool:
    """Only people's names: "Jane Doe, John Roe", "Ann Lee and Bo Park"."""
    if words_over(text, 14) or any(char.isdigit() for char in text):
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
            if token.lower() in NAME_PARTICLES:
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
    paras: list[_Para], rules: Rules, removed: list[tuple[int, str]]
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


def _tail_sentence_start(text: str, rules: Rules) -> int | None:
    lowered = text.lower()
    for tail in rules.tail_sentences:
        if tail.needles is not None and not holds(lowered, tail.needles):
            continue
        match = tail.regex.search(text)
        if match is None:
            continue
        start = _sentence_start(text, match.start())
        if word_count(text[start:]) <= tail.max_words:
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
            and not para.item
            and position + 1 < len(paras)
            and _heading_shape(para.text)
        )
        blocks.append(Block(text=para.text, is_heading=heading))
    return tuple(blocks)


def _heading_shape(text: str) -> bool:
    """A short title-like line: few words, no closing period, not a sentence."""
    if len(text) > HEADING_MAX_CHARS or words_over(text, HEADING_MAX_WORDS):
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
