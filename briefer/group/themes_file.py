"""Reading a themes file: [[theme]] tables with a name, a description and keywords."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

from briefer.errors import ThemesError
from briefer.records import OTHER_THEME, Theme
from briefer.words import content_words

log = logging.getLogger(__name__)

_THEME_KEYS = frozenset({"name", "description", "keywords"})


def load_themes(path: Path) -> tuple[Theme, ...]:
    """The [[theme]] tables of a TOML themes file, in file order.

    Each table has a `name` (required), a `description` and `keywords` (a list of words
    or phrases). Every problem raises ThemesError naming the file and the fix.
    """
    where = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ThemesError(f"{where}: no such themes file; check the path") from None
    except OSError as error:
        raise ThemesError(
            f"{where}: cannot read the themes file ({error.strerror}); check the path"
        ) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ThemesError(f"{where}: not UTF-8 text; save the themes file as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ThemesError(f"{where}: invalid TOML ({error}); fix the syntax") from None

    tables = data.get("theme")
    if not isinstance(tables, list) or not tables:
        raise ThemesError(
            f"{where}: no [[theme]] tables; add one [[theme]] table with a name per theme"
        )
    for key in sorted(set(data) - {"theme"}):
        log.warning("%s: ignoring top-level key %r; themes go in [[theme]] tables", where, key)

    themes: list[Theme] = []
    seen: dict[str, int] = {}
    for number, table in enumerate(tables, start=1):
        if not isinstance(table, dict):
            raise ThemesError(f"{where}: theme {number} is not a table; write it as [[theme]]")
        unknown = sorted(set(table) - _THEME_KEYS)
        if unknown:
            raise ThemesError(
                f"{where}: theme {number} has unknown key {unknown[0]!r}; "
                "use only name, description and keywords"
            )
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ThemesError(f"{where}: theme {number} has no 'name'; give every [[theme]] a name")
        name = name.strip()
        if name.casefold() == OTHER_THEME.casefold():
            raise ThemesError(
                f"{where}: theme {number} is named {OTHER_THEME!r}, which briefer keeps for "
                "stories that fit no theme; choose another name"
            )
        if name.casefold() in seen:
            raise ThemesError(
                f"{where}: theme {number} repeats the name {name!r} of theme "
                f"{seen[name.casefold()]}; give each theme its own name"
            )
        seen[name.casefold()] = number
        description = table.get("description", "")
        if not isinstance(description, str):
            raise ThemesError(
                f"{where}: theme {number} ({name!r}) has a 'description' that is not text; "
                'write it in quotes, like description = "..."'
            )
        keywords = table.get("keywords", [])
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise ThemesError(
                f"{where}: theme {number} ({name!r}) has 'keywords' that are not a list of "
                'text; write them like keywords = ["arms supplies", "tanks"]'
            )
        kept: list[str] = []
        for keyword in keywords:
            keyword = " ".join(keyword.split())
            if not content_words(keyword):  # not stemmed: nltk is not loaded to check
                log.warning(
                    "%s: theme %r: keyword %r has only common words and can never match",
                    where,
                    name,
                    keyword,
                )
            elif keyword.casefold() not in {k.casefold() for k in kept}:
                kept.append(keyword)
        themes.append(
            Theme(name=name, description=" ".join(description.split()), keywords=tuple(kept))
        )
    return tuple(themes)
