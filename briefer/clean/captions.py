"""Photo captions and credits left inline in a flattened text.

Wire copy republished as one long paragraph carries its photos between its sentences: the
caption, then the credit in parentheses ("... in Washington, Wednesday, Aug. 3, 2022. (AP
Photo/J. Scott Applewhite) It's a milestone for ..."). Read as prose, the credit glues itself
to the next sentence ("(AP Photo/J." and "Scott Applewhite) It's a milestone ...", split at
the initial) and the caption reads as a sentence of the report: a real briefing of themes_dev
told "Senate Minority Leader Mitch McConnell, R-Ky., discusses NATO expansion and other issues
during an Associated Press interview in his office ..., Wednesday, Aug. 3, 2022." as a bullet
(4 of themes_dev's 5 AP reports, all via dailymail.co.uk, carry 26 such credits). A credit on a
line of its own is the furniture rules' (photo_line); this takes the ones inside a line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from briefer.clean.spacing import squash

# A photo credit in parentheses: "(AP Photo/J. Scott Applewhite)", "(Photo: Getty Images)",
# "(Photo by Jane Doe/AFP)", "(Reuters Photo/...)", "(Photo: Éric Feferberg/AFP)": up to three
# words (the agency), "Photo" capitalised, then "/", ":" or "by" and the name, each word
# capitalised in any script (_credits; "(Photo: left)" is prose).
_CREDIT = re.compile(
    r"\((?P<agency>(?:[^\W\d_][\w.&-]*\s){0,3})Photos?\s*(?:/\s*|:\s*|by\s+)"
    r"(?P<name>[^\W\d_][^()]{0,79})\)"
)
_MONTH = (
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]{0,6}\.?"  # "Aug.", "August"
)
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
# How a caption ends: the weekday and date the photo was taken and a full stop, AP's "...,
# Wednesday, Aug. 3, 2022." or "... on Wednesday, Aug 10, 2022.", perhaps with the place after
# it ("Sunday, Aug. 7, 2022, in Washington."): all 26 inline captions of the dev files end so.
# A report's sentence right before a credit seldom does ("The law takes effect on Jan. 1, 2023."
# names no weekday), and a date that runs on into the sentence ("on Aug. 3, 2022 (AP Photo/...)
# and it passed") is no caption's end: only such a sentence is taken for a caption.
_DATE = rf"(?:\b{_MONTH} \d{{1,2}},? \d{{4}}|\b\d{{1,2}} {_MONTH},? \d{{4}})"
_PLACE_AFTER = r"(?:, in [A-Z][\w.-]*(?: [A-Z][\w.-]*){0,3})?"
_CAPTION_END = re.compile(rf"\b{_WEEKDAY},? {_DATE}{_PLACE_AFTER}\.\)?$")
_HAS_DATE = re.compile(_DATE)
# Of the text before a credit, the characters split into sentences to find its caption: two
# captions' worth (the longest of themes_dev's run to ~250 characters).
_TAIL = 1200
# Sentences of a story caption that may follow a photo's dated caption (AP's: one or two, the
# same under every photo; see caption_before).
_STORY_CAPTION = 2
# Words a story caption's sentence has at least: the dev files' run 19 to 60; a sentence said
# twice by chance is a short one ("It passed.").
_STORY_SENTENCE_WORDS = 10


def cut_photo_credits(
    lines: list[str], removed: list[tuple[int, str]], furniture: Callable[[str], bool]
) -> list[str]:
    """The lines with each inline photo credit taken out, and the caption just before it
    (caption_before); what is taken goes to `removed` with its line's index. A line without
    a credit is kept as it is (a cheap test first: most have none), and so is a caption line:
    one that ends on its credit and is furniture as a whole (the rules drop it, caption and
    all, dated or not). One whose report goes on after a credit is cut here, or the rules
    would drop the report's sentences with the caption."""
    kept: list[str] = []
    for index, line in enumerate(lines):
        credits = _credits(line) if "Photo" in line else []
        if not credits or (not line[credits[-1].end() :].strip() and furniture(squash(line))):
            kept.append(line)
            continue
        pieces: list[str] = []
        last = 0
        for credit in credits:
            before = line[last : credit.start()].rstrip()
            caption = caption_before(before, line)
            if caption:
                removed.append((index, caption))
                before = before[: len(before) - len(caption)].rstrip()
            removed.append((index, credit.group()))
            pieces.append(before)
            last = credit.end()
        pieces.append(line[last:])
        kept.append(" ".join(piece.strip() for piece in pieces if piece.strip()))
    return kept


def _credits(line: str) -> list[re.Match[str]]:
    """The photo credits of a line: _CREDIT's matches whose words are capitalised."""
    return [
        credit
        for credit in _CREDIT.finditer(line)
        if all(word[0].isupper() for word in (*credit["agency"].split(), credit["name"]))
    ]


def caption_before(text: str, line: str) -> str:
    """The caption at the end of text (which a photo credit follows; `line` is the whole line
    it is part of), or "": the last sentence when it ends on a date (_CAPTION_END), or a
    sentence so ending with at most _STORY_CAPTION after it that the line repeats word for
    word. AP captions a photo so: the photo's own caption, then one for the whole story, the
    same sentence or two under every photo ("... in Malacky, Slovakia, Saturday, Aug. 27, 2022.
    Poland and Czech Republic signed an agreement ... That protection is meant to last ...").
    A sentence of the report before a credit is said once: it and all before it are kept."""
    tail = text[-_TAIL:]
    if not tail or _HAS_DATE.search(tail) is None:
        return ""
    from briefer.sentences import split_text  # the sentence splitter's abbreviations ("Aug.")

    sentences = split_text(tail)
    if not sentences or not tail.endswith(sentences[-1]):
        return ""
    end = len(tail)
    for sentence in reversed(sentences[-1 - _STORY_CAPTION :]):
        start = tail.rfind(sentence, 0, end)
        if start < 0:
            return ""
        if _CAPTION_END.search(sentence):
            return tail[start:]
        if len(sentence.split()) < _STORY_SENTENCE_WORDS or line.count(sentence) < 2:
            return ""
        end = start
    return ""
