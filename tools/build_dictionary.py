"""Build briefer/data/dictionary_lower.txt.gz and dictionary_acronyms.txt: how an English
dictionary writes each word.

    apt-get install wamerican wbritish   # SCOWL's American and British English lists (size 50)
    python tools/build_dictionary.py

Theme placement (briefer/group/theme_names.py, qualifier_names) decides word by word
whether a word of a theme's name is a name (it then narrows the theme) when the name's own
capitals cannot say: a name in capitals ("PEACE TALKS"), or one whose every word is
capitalised ("Backing Zelensky", "Peace Talks"). A word the dictionary lists in lower case
("talks", "backing") is a common word; one it lists in capitals only ("NATO") is an acronym;
one it lists capitalised only ("Ukraine") or not at all ("Zelensky", "Kyiv") is a name.

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
DATA = Path(__file__).resolve().parent.parent / "briefer" / "data"
_LETTERS = re.compile(r"[^\W\d_]+")
HEADER = (
    "# {what}, as SCOWL's American or British English\n"
    "# list (size 50, Debian's wamerican and wbritish 2020.12.07) writes them.\n"
    "# Copyright 2000-2011 by Kevin Atkinson; permission to use, copy, modify, distribute and\n"
    "# sell these word lists for any purpose is granted without fee, provided that the\n"
    '# copyright notice appears in all copies (provided "as is" without warranty).\n'
    "# Rebuilt by tools/build_dictionary.py.\n"
)


def main() -> int:
    words = [
        line.strip()
        for source in SOURCES
        for line in source.read_text(encoding="utf-8").splitlines()
    ]
    words = [w for w in words if _LETTERS.fullmatch(w)]
    lower = sorted({w for w in words if w.islower()})
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
