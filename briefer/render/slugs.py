"""The anchors GitHub gives Markdown headings, so a contents list links to the right place.

GitHub's rule is the one its `github-slugger` library implements: lower-case the heading,
drop every character of the Unicode general categories Other_Number, the punctuation
categories but connector punctuation ("_") and "-", the symbols, controls, format characters,
private-use and unassigned code points and the separators (except " "), but keep any
alphabetic character among them (the circled letters); then each space becomes "-". Marks
(the vowel signs of Devanagari or Thai, Arabic harakat, a decomposed "ü"'s diaeresis) and
letters of every script stay. A repeated slug gets "-1", "-2", ... in the order the headings appear.

Python's Unicode database is newer than the one the library was generated from (13.0), so a
letter assigned after Unicode 13 is kept here where GitHub might drop it.
"""

from __future__ import annotations

import unicodedata

# General categories whose characters are dropped from a slug.
_NUMBERS_PUNCTUATION_SYMBOLS = ("No", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "Sc", "Sk", "Sm", "So")
_OTHERS_SEPARATORS = ("Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp", "Zs")
_DROPPED = frozenset((*_NUMBERS_PUNCTUATION_SYMBOLS, *_OTHERS_SEPARATORS))
# Symbols (So) that Unicode also calls alphabetic, which the slug keeps: circled and
# squared Latin letters.
_ALPHABETIC_SYMBOLS = ((0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189))


def _kept(char: str) -> bool:
    if char in " -":
        return True
    if unicodedata.category(char) not in _DROPPED:
        return True
    point = ord(char)
    return any(low <= point <= high for low, high in _ALPHABETIC_SYMBOLS)


def slug(heading: str) -> str:
    """The slug of one heading, before numbering repeats."""
    return "".join(char for char in heading.lower() if _kept(char)).replace(" ", "-")


class Slugger:
    """Slugs for the headings of one page, in order, numbering repeats as GitHub does (a
    heading "echo 1" after two "echo" headings becomes "echo-1-1")."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def slug(self, heading: str) -> str:
        original = result = slug(heading)
        while result in self._seen:
            self._seen[original] += 1
            result = f"{original}-{self._seen[original]}"
        self._seen[result] = 0
        return result
