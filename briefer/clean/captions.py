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
from briefer.words import stopwords

# A photo credit in parentheses: "(AP Photo/J. Scott Applewhite)", "(Photo: Getty Images)",
# "(Photo by Jane Doe/AFP)", "(Reuters Photo/...)", "(Photo: Éric Feferberg/AFP)": up to three
# words (the agency), "Photo" capitalised, then "/", ":" or "by" and the name, each word
# capitalised in any script (_credits; "(Photo: left)" is prose).
_CREDIT = re.compile(
    r"\((?P<agency>(?:[^\W\d_][\w.&-]*\s){0,3})Photos?\s*(?:/\s*|:\s*|by\s+)"
    r"(?P<name>[^\W\d_][^()]{0,79})\)"
)
# A credit after its caption with a label and no parentheses, as the Guardian's pages put it
# under a photo, flattened into the text: "... at the port of Sevastopol. Photograph: Maxar
# Technologies/Reuters Hennadiy Lahuta, the head of ..." (6 in themes_dev's Guardian rows).
# The label is one of the photo_line furniture family's that names nothing but a credit
# ("Image:" and "Video:" open prose too), capitalised, after a sentence's end or at the
# line's head, then ": " and a capitalised word.
_LABEL = re.compile(
    r"(?:(?<=[.!?…\"'”’)] )|^)(?:Photograph|Photo|Picture|Illustration)s?: (?=[^\W\d_])"
)
# The credit's names, "/" between them ("Loop Images/Universal Images Group/Getty Images"),
# each of capitalised words with perhaps a lower-case particle between two ("Ministry of
# Defence", "Anadolu Agency via Getty Images"), then the first word of the last name. Where
# the last name ends and the text's next sentence begins no mark says: see _last_name_end.
_WORD = r"[^\W\d_][\w.&'’-]*"
# Words of one name in a credit: the longest of themes_dev's run to three ("Universal Images
# Group", "Zuma Press Wire"); one more for a particle ("Ministry of Defence").
_CREDIT_NAME_WORDS = 4
_NAMES = re.compile(
    rf"(?P<names>(?:{_WORD}(?: {_WORD}){{0,{_CREDIT_NAME_WORDS - 1}}} ?/ ?)*)(?P<last>{_WORD})"
)
# The words photo agencies', wire services' and picture libraries' names are made of after
# their first ("Getty Images", "Universal Images Group", "Zuma Press Wire", "Alamy Stock Photo",
# "Anadolu Agency", "Rex Features", "PA Media", "AP Photo", "Mirrorpix Collection"): the common
# nouns of such names, not learnt from the dev credits.
_AGENCY_WORDS = frozenset(
    {
        "Images", "Image", "Group", "Press", "Wire", "Stock", "Photo", "Photos", "Photography",
        "Pictures", "Picture", "Agency", "Features", "News", "Service", "Services", "Media",
        "Collection", "Archive", "Archives", "Library",
    }
)  # fmt: skip
# A credit naming who distributed the photo after who took it: the rest of the first name's
# capitalised words (at most the name's own limit), " via ", and the distributor's first word.
_VIA = re.compile(
    rf"(?: {_WORD}){{0,{_CREDIT_NAME_WORDS - 1}}}? via [^\W\d_][\w&'’-]*"
    r"(?=[\s,.;:!?)]|$)"
)
_NEXT_WORD = re.compile(r" ([^\W\d_]+)(?=[\s,.;:!?)\"”]|$)")
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


def labelled_credits(line: str) -> list[tuple[int, int]]:
    """The (start, end) of each credit with a label in the line ("Photograph: Luke Harding/The
    Guardian", _LABEL). Its caption, the sentence before it, is left where it is: undated, it
    cannot be told from a sentence of the report by its shape (as caption_before keeps an
    undated sentence before a credit in parentheses)."""
    spans = []
    for label in _LABEL.finditer(line):
        names = _NAMES.match(line, label.end())
        if names is None or not _names_capitalised(names["names"], names["last"]):
            continue
        end = _last_name_end(line, names.start("last"), names.end())
        if end > names.end() or names["last"].lower() not in stopwords():
            spans.append((label.start(), end))  # a name, not "The" alone ("Photos: The war")
    return spans


def _names_capitalised(names: str, last: str) -> bool:
    """Whether every name opens and ends with a capital and has nothing but capitalised
    words and particles (stopwords) between."""
    if not last[0].isupper():
        return False
    for name in filter(None, (part.strip() for part in names.split("/"))):
        words = name.split()
        if not (words[0][0].isupper() and words[-1][0].isupper()):
            return False
        if any(not word[0].isupper() and word not in stopwords() for word in words[1:-1]):
            return False
    return True


def _last_name_end(line: str, start: int, end: int) -> int:
    """Where the credit's last name ends, its first word ending at `end`: it takes the words
    after that first one that agencies' and publications' names are made of (_AGENCY_WORDS:
    "Getty Images", "Universal Images Group", "Alamy Stock Photo"), the name after "The"
    ("The Guardian") and everything up to one after "via" ("Sean Gallup via Getty Images"),
    and stops at any other
    word: that opens the next sentence. A closed list, as the words that open a report's
    sentence are any ("Police said ...", "President Biden said ...", "Hennadiy Lahuta, the
    head of ..."): a credit's word left in the text costs less than a report's word cut. A
    full stop right after the name is the credit's ("... Reuters. Police said ..."). An
    agency's word followed by a lower-case one opens the sentence instead ("Media reports
    said ...", "News of the closure ...")."""
    words = 1
    after_article = line[start:end].lower() in stopwords()
    distributor = _VIA.match(line, end)
    if distributor is not None:  # "Sean Gallup via Getty Images": up to the distributor's name
        end, after_article = distributor.end(), False
    while words < _CREDIT_NAME_WORDS:
        following = _NEXT_WORD.match(line, end)
        if following is None:
            break
        word = following[1]
        if not word[0].isupper():
            break
        if not after_article:
            if word not in _AGENCY_WORDS:
                break
            after = _NEXT_WORD.match(line, following.end())
            if after is not None and after[1][0].islower():
                break
        after_article = False
        end = following.end()
        words += 1
    if line.startswith(". ", end) or (line.endswith(".") and end == len(line) - 1):
        end += 1
    return end


def cut_photo_credits(
    lines: list[str], removed: list[tuple[int, str]], furniture: Callable[[str], bool]
) -> list[str]:
    """The lines with each inline photo credit taken out, and the caption just before it
    (caption_before) or a labelled one (labelled_credits); what is taken goes to `removed`
    with its line's index. A line without a credit is kept as it is (a cheap test first: most
    have none), and so is a caption line: one that ends on its credit and is furniture as a
    whole (the rules drop it, caption and all, dated or not). One whose report goes on after
    a credit is cut here, or the rules would drop the report's sentences with the caption."""
    kept: list[str] = []
    for index, line in enumerate(lines):
        # (start, end, whether a dated caption before it goes with it)
        credits = [(c.start(), c.end(), True) for c in _credits(line)] if "Photo" in line else []
        if ": " in line and ("Photo" in line or "Picture" in line or "Illustration" in line):
            credits = sorted([*credits, *((*span, False) for span in labelled_credits(line))])
        if not credits or (not line[credits[-1][1] :].strip() and furniture(squash(line))):
            kept.append(line)
            continue
        pieces: list[str] = []
        last = 0
        for start, end, dated_caption in credits:
            before = line[last:start].rstrip()
            caption = caption_before(before, line) if dated_caption else ""
            if caption:
                removed.append((index, caption))
                before = before[: len(before) - len(caption)].rstrip()
            removed.append((index, line[start:end]))
            pieces.append(before)
            last = end
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
