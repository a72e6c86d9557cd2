"""A theme word's near-synonyms in news usage, from static word vectors.

A theme file names its subject in the user's words ("ceasefire", "troops"); reports say the
same thing in others ("truce", "soldiers"). GloVe's 6B vectors (Pennington, Socher and
Manning 2014, Stanford; trained on Wikipedia and the Gigaword newswire; the 50-dimensional
set, public domain under PDDL 1.0) place words used in the same news contexts close
together. The package ships the commonest words' vectors as briefer/data/glove_6b_50d.npz
(tools/build_word_vectors.py makes it; its notice is briefer/data/GLOVE_NOTICE.txt). A word
counts as a theme word's near-synonym only when the two are closer than chance allows:
about one in 15,000 random pairs of the vocabulary below are that close (see SIMILAR). The
vectors are loaded only when a theme word's near-synonyms are first needed in a process,
and let go once they are found.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from importlib import resources

import numpy as np

log = logging.getLogger(__name__)

# The commonest words of the vectors (GloVe's file is in frequency order): 50,000 words is
# the vocabulary of a well-read adult, and the rarer ones' vectors are noisier. A theme
# word outside it gets no near-synonyms (on themes_dev, 100,000 words placed the same rows).
# The shipped table holds exactly these words (tools/build_word_vectors.py reads this value).
VOCABULARY = 50_000
# How close a near-synonym must be: a cosine that about 1 random pair in 15,000 of those
# words reaches (2 million pairs drawn with seed 0: 1 in 10,000 reach 0.887; the 99th and
# 99.9th percentiles are 0.47 and 0.66). Pairs of words sharing a theme key (inflections,
# "troop"/"troops") have a median of 0.70, so what clears it is closer than most
# inflections: "truce" for "ceasefire" (0.96), "soldiers" for "troops" (0.91). Chosen on
# half A of themes_dev (high rows; `benchmarks/themes_halves.py --set SIMILAR=...`),
# accuracy with the first / second wording, half B in brackets: none 0.824 / 0.706 (0.694
# / 0.750); 0.85 0.824 / 0.721 (0.722 / 0.736); 0.875 0.853 / 0.721 (0.722 / 0.778); 0.887
# 0.853 / 0.706 (0.736 / 0.764); 0.9 0.853 / 0.735 (0.750 / 0.778); 0.91 0.853 / 0.750
# (0.750 / 0.792); 0.92 0.824 / 0.750 (0.736 / 0.792); 0.93 0.824 / 0.735 (0.708 / 0.764);
# 0.95 0.824 / 0.706 (0.708 / 0.750). Single rows move it: 0.875-0.92 is one plateau, and
# 0.91 its best point on half A. Looser, weighted by the cosine instead of
# _SYNONYM_WEIGHT and with all the evidence ranking the themes: 0.67 0.676 / 0.544 (0.653
# / 0.528), 0.75 0.765 / 0.647 (0.639 / 0.639): the Other rows, news of the same war, gain
# more than the themed ones.
SIMILAR = 0.91

# Tried with near-synonyms and not taken (half A, first / second wording, against 0.853 / 0.750;
# half B 0.750 / 0.792): looser neighbours (0.75-0.85) kept only when as close to the theme's own
# words' mean vector as the median (or lower quartile) of those words: 0.794-0.838 / 0.676-0.721;
# phrase keywords with one word swapped for a near-synonym ('military assistance' for 'military
# aid'): the same rows; the null margin re-swept (themes._NULL_SIGMAS 8 / 9 / 11 / 12): 0.794 /
# 0.647, 0.824 / 0.691, 0.794 / 0.750, 0.809 / 0.721, so 10 stays.


# The table in briefer/data: "words", the VOCABULARY words joined by newlines (UTF-8 bytes,
# so no pickle is needed to read them), and "vectors", their float32 GloVe vectors.
_TABLE = "glove_6b_50d.npz"

# Each word's near-synonyms, once found: the vectors are loaded only for words not seen
# before in this process, and let go straight after (they would hold ~20 MB).
_FOUND: dict[str, tuple[tuple[str, float], ...]] = {}


def near_synonyms(words: Iterable[str]) -> dict[str, tuple[tuple[str, float], ...]]:
    """Each word's (lower case) alphabetic words at least SIMILAR to it, closest first,
    with their cosines; none for a word outside the vocabulary."""
    asked = list(words)
    todo = sorted({w for w in asked if w not in _FOUND})
    if todo:
        _FOUND.update(_search(todo))
    return {w: _FOUND[w] for w in asked}


def _table() -> tuple[list[str], np.ndarray]:
    """The shipped vocabulary (frequency order) and its vectors, unit length, as float64.

    Stored as float32, GloVe's own precision: at float16 the near-synonym sets of 37 of the
    50,000 words change (e.g. "clippers", "mavericks", numbers) and the order of one of the
    theme files' words ("might"), so the table keeps all of it at 9.4 MB instead of 4.8."""
    with (
        resources.files("briefer.data").joinpath(_TABLE).open("rb") as file,
        np.load(file, allow_pickle=False) as table,
    ):
        vocabulary = bytes(table["words"]).decode("utf-8").split("\n")
        matrix = np.asarray(table["vectors"], dtype=np.float64)
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    return vocabulary, matrix


def _search(words: Sequence[str]) -> dict[str, tuple[tuple[str, float], ...]]:
    vocabulary, matrix = _table()
    row = {w: i for i, w in enumerate(vocabulary)}
    found: dict[str, tuple[tuple[str, float], ...]] = {}
    for word in words:
        at = row.get(word)
        if at is None:
            found[word] = ()
            continue
        cosines = matrix @ matrix[at]
        close = np.nonzero(cosines >= SIMILAR)[0]
        close = close[np.argsort(-cosines[close], kind="stable")]
        found[word] = tuple(
            (vocabulary[i], float(cosines[i]))
            for i in close.tolist()
            if i != at and vocabulary[i].isalpha()
        )
    log.debug("word vectors: near-synonyms of %d words", len(words))
    return found
