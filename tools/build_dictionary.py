"""Build briefer/data/dictionary_lower.txt.gz and dictionary_acronyms.txt: how an English
dictionary writes each word.

    apt-get install wamerican wbritish wamerican-large wbritish-large   # SCOWL's lists
    python tools/build_dictionary.py

Theme placement (briefer/group/theme_names.py, qualifier_names) decides word by word
whether a word of a theme's name is a name (it then narrows the theme) when the name's own
capitals cannot say: a name in capitals ("PEACE TALKS"), or one whose every word is
capitalised ("Backing Zelensky", "Peace Talks"). A word the dictionary lists in lower case
("talks", "backing") is a common word; one it lists in capitals only ("NATO") is an acronym;
one it lists capitalised only ("Ukraine") or not at all ("Zelensky", "Kyiv") is a name.

The common words are those of the size-50 lists (the words of everyday English) in lower
case, and those of the size-70 lists ("-large") that the lists write only in lower case:
news words the smaller lists lack ("airstrikes", "ceasefires", "frontline", "warplanes",
"counteroffensive") are common words, not names, while a word the larger lists also write
capitalised ("nancy" and "Nancy", "german" and "German", "berlin" and "Berlin") stays a
name there. Of the 461 words themes_dev's texts write only capitalised (three times or more)
and the size-50 lists lack, this reads one as a common word ("crump"); of the 32 lower-case
words used five times or more that they lack, it takes in the ten real words
(counteroffensive, warplanes, airstrikes, frontline, hypersonic, breakaway, underway, ...),
leaving contraction fragments, URL parts and "cyberattack". The whole size-70 lower-case
list instead would read 23 of those names as common words ("Nancy", "German", "Geneva").

dictionary_lower.txt.gz holds the lower-case words (possessives and other apostrophe forms
left out: a theme's name is read without its possessive; gzipped, as the text is ~0.6 MB),
read once a process and only when a name's capitals say nothing; dictionary_acronyms.txt
the words written in capitals only (and never in lower case), lower-cased.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

# Both spellings: a British "Defence" missing from the American list would read as a name.
SOURCES = (Path("/usr/share/dict/american-english"), Path("/usr/share/dict/british-english"))
LARGE = (
    Path("/usr/share/dict/american-english-large"),
    Path("/usr/share/dict/british-english-large"),
)
DATA = Path(__file__).resolve().parent.parent / "briefer" / "data"
_LETTERS = re.compile(r"[^\W\d_]+")
HEADER = (
    "# {what}, as SCOWL's American or British English\n"
    "# lists (size 50, and 70 for words written only in lower case; Debian's wamerican,\n"
    "# wbritish, wamerican-large and wbritish-large 2020.12.07) write them.\n"
    "# Copyright 2000-2011 by Kevin Atkinson, and the copyrights in SCOWL_NOTICE.txt beside\n"
    "# this file (its whole copyright notice and permission notice, as Debian ships them).\n"
    "# Rebuilt by tools/build_dictionary.py.\n"
)


def _words(sources: tuple[Path, ...]) -> set[str]:
    return {
        word
        for source in sources
        for line in source.read_text(encoding="utf-8").splitlines()
        if _LETTERS.fullmatch(word := line.strip())
    }


def main() -> int:
    words = _words(SOURCES)
    large = _words(LARGE)
    only_lower = {
        w for w in large if w.islower() and w.capitalize() not in large and w.upper() not in large
    }
    lower = sorted({w for w in words if w.islower()} | only_lower)
    acronyms = sorted({w.lower() for w in words if len(w) > 1 and w.isupper()} - set(lower))
    text = HEADER.format(what="The words written in lower case") + "".join(f"{w}\n" for w in lower)
    (DATA / "dictionary_lower.txt.gz").write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    text = HEADER.format(what="The words written in capitals only, lower-cased") + "".join(
        f"{w}\n" for w in acronyms
    )
    (DATA / "dictionary_acronyms.txt").write_text(text, encoding="utf-8")
    print(f"{DATA}: {len(lower)} lower-case words, {len(acronyms)} acronyms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
