"""A theme word's near-synonyms in news usage, from static word vectors.

A theme file names its subject in the user's words ("ceasefire", "troops"); reports say the
same thing in others ("truce", "soldiers"). GloVe's 6B vectors (Pennington, Socher and
Manning 2014, Stanford; trained on Wikipedia and the Gigaword newswire; the 50-dimensional
set, public domain under PDDL 1.0) place words used in the same news contexts close
together. A word counts as a theme word's near-synonym only when the two are closer than
chance allows: about one in 15,000 random pairs of the vocabulary below are that close (see
SIMILAR). The vectors are not shipped, only what they give: each of the commonest words'
near-synonyms, closest first, with their cosines, in briefer/data/glove_neighbours.npz
(0.24 MB; tools/build_word_vectors.py makes it from the vectors with VOCABULARY and SIMILAR
below; its notice is briefer/data/GLOVE_NOTICE.txt). The table is read when a theme word's
near-synonyms are first needed in a process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import cache
from importlib import resources

import numpy as np

log = logging.getLogger(__name__)

# The commonest words of the vectors (GloVe's file is in frequency order): 50,000 words is
# the vocabulary of a well-read adult, and the rarer ones' vectors are noisier. A theme
# word outside it gets no near-synonyms (on themes_dev, 100,000 words placed the same rows).
# The shipped table holds exactly these words (tools/build_word_vectors.py reads this value,
# and SIMILAR's: changing either means rebuilding the table).
VOCABULARY = 50_000
# How close a near-synonym must be: a cosine that about 1 random pair in 15,000 of those
# words reaches (2 million pairs drawn with seed 0: 1 in 10,000 reach 0.887; the 99th and
# 99.9th percentiles are 0.47 and 0.66). Pairs of words sharing a theme key (inflections,
# "troop"/"troops") have a median of 0.70, so what clears it is closer than most
# inflections: "truce" for "ceasefire" (0.96), "soldiers" for "troops" (0.91). Chosen on
# half A of themes_dev (high rows; with the vectors at hand, before the table was cut to it),
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
# Stop 20 (the vectors at hand again): the words of the themed rows filed under Other that are
# 0.80-0.91 close to their theme's words are the war's common words (war, invasion, soldiers,
# killed, military, people), which 31-54 of the 67 Other rows hold too, so the cut is not what
# holds those rows back. Neighbours by hubness-corrected similarity (CSLS, Conneau et al. 2018,
# k 10) at the same chance level (1 random pair in 15,000: CSLS -0.008) are topical, not
# synonyms ("soldiers" for "civilians"): half A / B 0.838 / 0.708, second wording 0.647 / 0.722;
# stricter, CSLS 0.05: 0.853 / 0.764, second wording 0.676 / 0.736.


# The table in briefer/data: "words", the VOCABULARY words joined by newlines (UTF-8 bytes,
# so no pickle is needed to read them); word i's near-synonyms are the rows
# targets[starts[i]:starts[i + 1]], closest first, with their cosines.
_TABLE = "glove_neighbours.npz"


def near_synonyms(words: Iterable[str]) -> dict[str, tuple[tuple[str, float], ...]]:
    """Each word's (lower case) alphabetic words at least SIMILAR to it, closest first,
    with their cosines; none for a word outside the vocabulary."""
    vocabulary, row, starts, targets, cosines = _table()
    found: dict[str, tuple[tuple[str, float], ...]] = {}
    for word in words:
        at = row.get(word)
        if at is None:
            found[word] = ()
            continue
        span = slice(int(starts[at]), int(starts[at + 1]))
        found[word] = tuple(
            (vocabulary[i], float(c))
            for i, c in zip(targets[span].tolist(), cosines[span].tolist(), strict=True)
        )
    return found


@cache
def _table() -> tuple[list[str], dict[str, int], np.ndarray, np.ndarray, np.ndarray]:
    """The shipped vocabulary (frequency order), each word's row, and the lists."""
    with (
        resources.files("briefer.data").joinpath(_TABLE).open("rb") as file,
        np.load(file, allow_pickle=False) as table,
    ):
        vocabulary = bytes(table["words"]).decode("utf-8").split("\n")
        lists = (table["starts"], table["targets"], table["cosines"])
    log.debug("word vectors: near-synonyms of %d words read", len(vocabulary))
    return vocabulary, {w: i for i, w in enumerate(vocabulary)}, *lists
