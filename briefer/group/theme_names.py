"""Which words of a theme's name are names, and what else names them: the qualifiers that
narrow a theme ("NATO" in "NATO membership"), decided word by word whatever case the file
writes its names in, and a capital's country (capitals.txt). Read by theme_patterns (a
qualifier is no pattern word of its own) and themes (a story must name each qualifier).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib import resources

from briefer.group.texts import is_content, theme_key
from briefer.records import Theme
from briefer.words import WORD, dictionary_acronyms, dictionary_lower, stopwords


def proper_names(text: str) -> frozenset[str]:
    """Keys of the words written as names (capitalised inside a sentence, or acronyms):
    in a description they set the scene ("talks between Moscow and Kyiv") and say
    nothing of the subject, since every story of the briefing shares the scene. A word
    after a colon counts as opening a sentence: read as a name instead, the second
    wording's "...: Russian and Ukrainian forces" loses "Russian" as a theme word, and on
    themes_dev its half A fell 0.721 -> 0.706 and half B 0.750 -> 0.736 (the first
    wording's unchanged): war reports that cleared by it fell short."""
    found: set[str] = set()
    for match in WORD.finditer(text):
        word = match.group(0)
        before = text[: match.start()].rstrip()
        opens = not before or before[-1] in '.!?:;"“(['
        if (len(word) > 1 and word.isupper()) or (word[:1].isupper() and not opens):
            found.add(theme_key(word.lower()))
    return frozenset(found)


@cache
def _countries() -> dict[str, str]:
    """Each capital's country as written, by the capital's key (briefer/data/capitals.txt:
    GeoNames' countries and capitals whose both names are one word)."""
    found: dict[str, str] = {}
    text = resources.files("briefer.data").joinpath("capitals.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, capital = line.split("\t")
            found[theme_key(capital.lower())] = country
    return found


def other_names(qualifier: str) -> tuple[str, ...]:
    """The other names a qualifier (a key of qualifiers) is named by, as written: a capital
    in a theme's name names its state, as news writes "Moscow" for Russia's government
    ("Punishing Moscow economically" is about sanctions on Russia, whether or not a report
    says "Moscow"). The country is read as a name, so only where capitalised
    (themes._names): "turkey" does not name the Turkey of a theme on Ankara.

    High rows of themes_dev, half A / B (benchmarks/themes_halves.py), against 0.882 / 0.736,
    0.750 / 0.778, 0.691 / 0.639: the first two wordings (no capital in a name) row for row
    the same; the third ("Punishing Moscow economically", "Military support for Kyiv") 0.706
    / 0.653 (three sanctions reports in, a clean-energy report out; all 200 rows 0.605 ->
    0.620). Names and keywords alone (--terse): 0.647 / 0.625 -> 0.632 / 0.667, four
    sanctions reports in, two pieces that name Ukraine but never Kyiv (Trump's role in arming
    it, gold Other; a NATO explainer) now under the Kyiv theme. Nothing was tuned. The other
    way too (a report's "Kyiv" naming the "Ukraine" of "Arming Ukraine"): themes_dev the
    same, but the self-written fixture's second wording 0.852 -> 0.843: a troop build-up
    report headed "..., Kyiv warns" cleared Arming Ukraine on the war words every report
    shares, its name all that had kept it out. A report's capital is as often the city itself
    (missiles on Kyiv), so only the theme's is read so."""
    country = _countries().get(qualifier)
    return (country,) if country else ()


def also_names(qualifier: str) -> tuple[str, ...]:
    """other_names as keys."""
    return tuple(theme_key(name.lower()) for name in other_names(qualifier))


def qualifiers(theme: Theme, themes: Sequence[Theme]) -> tuple[str, ...]:
    """The proper names in a theme's name ("NATO" in "NATO membership", "Ukraine" in
    "Arming Ukraine"): they narrow the theme, so a story that never names them is about
    something else, however many of the theme's other words it shares (EU membership is
    not NATO membership). A report names one by its other name too (also_names). `themes`:
    the file the theme is one of (how it writes its names)."""
    return tuple(theme_key(name.lower()) for name in qualifier_names(theme, themes))


def qualifier_names(theme: Theme, themes: Sequence[Theme]) -> list[str]:
    """qualifiers as the theme's name writes them, decided word by word. Where the name
    itself writes a word past its first in lower case and has a capital ("Peace talks",
    "Punishing Moscow economically"), its capitals mark its names, and a word in capitals an
    acronym. Where they cannot say (a name in capitals, "PEACE TALKS"; one whose every word is
    capitalised, "Backing Zelensky", "Peace Talks"; one in lower case), a word past the first
    is a name when it is known to be one (_known_name: the file writes it as a name elsewhere,
    it is a country or capital, or an English dictionary does not list it in lower case), so
    "Talks" narrows nothing and "Zelensky" narrows its theme however the file is cased. A word
    the file or the dictionary writes only in capitals ("NATO") is an acronym wherever it
    stands and however written (the dictionary's, where the name's capitals say nothing:
    "NATO MEMBERSHIP" and "Nato Membership" name NATO as "NATO membership" does). The parts
    of a hyphenated name are names of their own ("Russia-Ukraine talks" names Ukraine: as one
    word it would be met only where a report writes "Russia-Ukraine"; its first part, opening
    the name, is read as any first word)."""
    stop = stopwords()
    written, acronyms = _known_names(themes)
    words = [
        (position > 0 or part > 0, word)
        for position, match in enumerate(WORD.finditer(theme.name))
        for part, word in enumerate(_unpossessed(match.group(0)).split("-"))
        if is_content(word.lower(), stop)
    ]
    shouted = not any(ch.islower() for ch in theme.name)
    # The name's capitals say which words are names: it has one, and writes a word past its
    # first in lower case (a name in lower case, or in title case, says nothing either way).
    cased = any(w[:1].islower() for inside, w in words if inside) and any(
        ch.isupper() for ch in theme.name
    )
    found: list[str] = []
    for inside, word in words:
        key = theme_key(word.lower())
        shaped = len(word) > 1 and word.isupper() and not shouted  # an acronym by its capitals
        known = not cased and word.lower() in dictionary_acronyms()
        named = inside and (word[:1].isupper() if cased else _known_name(word, key, written))
        if shaped or known or key in acronyms or named:
            found.append(word)
    return found


def _known_name(word: str, key: str, written: frozenset[str]) -> bool:
    """Whether a word is known to be a name when its capitals say nothing: the file writes it
    as one (written: _known_names), it is a country or capital (capitals.txt), or SCOWL's
    English dictionary (dictionary_lower) does not list it in lower case, as it lists every
    common word and its inflections ("talks", "arming", "airstrikes"): a name it lists
    capitalised ("Ukraine") or one newer or rarer than it ("Zelensky", "Kyiv"). A common word
    it lacks ("cyberattack", "demining") reads as a name too: it then narrows its theme to
    reports saying it."""
    if key in written or key in _places():
        return True
    return word.lower() not in dictionary_lower()


@cache
def _places() -> frozenset[str]:
    """Keys of the countries and capitals of capitals.txt."""
    countries = _countries()
    return frozenset(countries) | {theme_key(country.lower()) for country in countries.values()}


def _known_names(themes: Sequence[Theme]) -> tuple[frozenset[str], frozenset[str]]:
    """_file_names of the file, worked out once a file: every theme's qualifiers ask for
    them (three times a run), and a file of 300 themes took 3.8 s so (12 ms once)."""
    return _file_names(tuple(themes))


@lru_cache(maxsize=16)
def _file_names(themes: tuple[Theme, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """Keys of the words the file writes as names in its descriptions and keywords
    (proper_names: capitalised inside a sentence, or acronyms), and of those it writes as
    acronyms anywhere ("nato membership" names NATO when a keyword says "NATO bid"), which
    narrow a theme wherever they stand in its name, as an acronym does. A text in capitals
    says neither: every word of it would read as an acronym."""
    written: set[str] = set()
    acronyms: set[str] = set()
    for theme in themes:
        for text in (theme.description, *theme.keywords):
            if any(ch.islower() for ch in text):
                written |= proper_names(text)
        for text in (theme.name, theme.description, *theme.keywords):
            if any(ch.islower() for ch in text):
                acronyms |= {
                    theme_key(w.lower()) for w in WORD.findall(text) if len(w) > 1 and w.isupper()
                }
    return frozenset(written), frozenset(acronyms)


def name_key(word: str) -> str:
    """The key a word of a theme's name is a qualifier by (qualifiers), when it is one."""
    return theme_key(_unpossessed(word).lower())


def _unpossessed(word: str) -> str:
    """A name without its possessive ending: "NATO's" in a theme's name names NATO, and a
    report names it by "NATO" as for a name written plain (a qualifier is matched by its key,
    which kept the ending: "Joining NATO's ranks" took only reports that say "NATO's", and
    "Arms for Kyiv’s army" only those writing the curly apostrophe)."""
    return word[:-2] if word[-2:].lower() in ("'s", "’s") else word  # "NATO'S" too


def uncapped(text: str) -> str:
    """A text written in capitals as written in sentence case: each word that the dictionary
    writes in capitals only kept so ("NATO"), each other name capitalised (a country or
    capital, or a word the dictionary does not list in lower case: "Kyiv", "Russian"), every
    other word in lower case ("PEACE TALKS WITH KYIV" as "peace talks with Kyiv"). In
    capitals, "TALKS" would read as an acronym: a name that sets the scene in a description,
    a word without near-synonyms. A text in lower case is recased the same way ("military
    assistance to ukraine" as "military assistance to Ukraine": a name setting the scene,
    not a theme word; read as written, a themes file in lower case put a sample's NATO
    report under weapons aid on "ukraine"). A text with capitals and lower case letters is
    as written."""
    if any(ch.islower() for ch in text) and any(ch.isupper() for ch in text):
        return text
    return _LETTER_RUN.sub(lambda m: _recased(m.group(0)), text)


# A run of letters: the parts of "AIR-DEFENCE" and "NATO'S" are each words of the dictionary.
_LETTER_RUN = re.compile(r"[^\W\d_]+")


def _recased(word: str) -> str:
    """A word of a text in capitals or in lower case as sentence case writes it (uncapped)."""
    lower = word.lower()
    if len(word) > 1 and lower in dictionary_acronyms():
        return word.upper()
    if len(word) > 1 and (theme_key(lower) in _places() or lower not in dictionary_lower()):
        return word.capitalize()
    return lower
