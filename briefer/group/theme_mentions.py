"""Where the articles mention a theme's words and phrases, and how they wrote them: the
mentions theme placement scores (themes.py) and the forms its explanations quote back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from briefer.group.texts import COMPOUND_PREPOSITIONS, Texts, usual_form

_WHY_LIMIT = 6  # terms quoted in an explanation
_FORM_SAMPLES = 5  # spellings looked at to quote the usual one


@dataclass(frozen=True)
class Positions:
    """The content words of every article in theme keys, with their place weights: those read
    in order (Texts.words), then those of the articles' tails (Texts.tail)."""

    word: np.ndarray  # index into Texts.words; -1 - its index into Texts.tail in a tail
    article: np.ndarray
    key: np.ndarray
    weight: np.ndarray  # the field weight of its place (themes.py: headline, lead, body)
    whole: np.ndarray  # its weight in the whole article's reading (themes.py)
    segment: np.ndarray  # a phrase never spans two of these (headline, body, tail)


@dataclass(frozen=True)
class Hits:
    """Where the articles mention each pattern: one record per mention."""

    article: np.ndarray
    column: np.ndarray  # the pattern's column
    weight: np.ndarray  # place weight of the mention (0 in a tail: the front does not read it)
    whole: np.ndarray  # its weight in the whole article's reading
    first: np.ndarray  # Positions.word of its first word
    last: np.ndarray  # and of its last


def find_hits(
    texts: Texts, keys: dict[str, int], positions: Positions, columns: Sequence[tuple[str, ...]]
) -> Hits:
    """Every mention of every pattern, each counted once, for the longest pattern that
    covers it: "property tax" is not also a mention of "tax"."""
    key = positions.key
    n = len(key)
    covered = np.zeros(n, dtype=bool)
    found: list[tuple[np.ndarray, np.ndarray, int]] = []  # (starts, ends, column)
    order = np.argsort(key, kind="stable")
    sorted_keys = key[order]
    phrases = sorted(
        (c for c in range(len(columns)) if len(columns[c]) > 1),
        key=lambda c: (-len(columns[c]), columns[c]),
    )
    for column in phrases:
        ids = [keys.get(s, -1) for s in columns[column]]
        if min(ids) < 0:
            continue
        matched = _phrase_mentions(ids, texts, positions, order, sorted_keys, covered)
        if not len(matched):
            continue
        covered[matched] = True
        found.append((matched.min(axis=1), matched.max(axis=1), column))
    column_of = np.full(len(keys) + 1, -1, dtype=np.int64)
    for column, stems in enumerate(columns):
        if len(stems) == 1 and stems[0] in keys:
            column_of[keys[stems[0]]] = column
    singles = np.nonzero(~covered & (column_of[key] >= 0))[0]
    found.append((singles, singles, -1))
    starts = np.concatenate([f[0] for f in found])
    ends = np.concatenate([f[1] for f in found])
    cols = np.concatenate(
        [np.full(len(f[0]), f[2]) if f[2] >= 0 else column_of[key[f[0]]] for f in found]
    )
    return Hits(
        article=positions.article[starts],
        column=cols.astype(np.int64),
        weight=positions.weight[starts],
        whole=positions.whole[starts],
        first=positions.word[starts],
        last=positions.word[ends],
    )


def _phrase_mentions(
    ids: Sequence[int],
    texts: Texts,
    positions: Positions,
    order: np.ndarray,
    sorted_keys: np.ndarray,
    covered: np.ndarray,
) -> np.ndarray:
    """The mentions of a phrase of len(ids) words: rows of the content-word positions of its
    words, next to each other (stopwords between them aside) within one segment. In the
    phrase's order; or, for two words, turned around across one of the prepositions that
    paraphrase a compound (texts.COMPOUND_PREPOSITIONS): "a cap on the price" mentions
    "price cap", "exchange of prisoners" "prisoner exchange"; "keep the door open" is not
    the "open door" policy, nor "humanitarian aid, military equipment" "military aid". Each
    position serves one mention at most, the earliest first.

    On themes_dev (high rows, benchmarks/themes_halves.py; before: the phrase's order only)
    half A 0.809 -> 0.824 (the G7 report of "a cap on the price" under Sanctions), second
    wording 0.706 -> 0.706; half B unchanged, 0.694 and 0.750. Any order without the
    preposition gave the same on the first wording and 0.721 on half A of the second
    ("exporting grain" as "grain exports"), but on the 10,000 articles of
    benchmarks/bench_grouping.py it filed five unrelated stories (a court case, vaccine
    doses, a platform's ban) under NATO membership for "keep the door open". Other content
    words among the phrase's words (any order), chosen against on half A: one, as with
    none; two, second wording 0.706 ("security and froze military assistance" made a
    mention); three or four, 0.691."""
    segment, key = positions.segment, positions.key
    lo, hi = np.searchsorted(sorted_keys, [ids[0], ids[0] + 1])
    anchors = order[lo:hi]  # the first word's places, in reading order (a stable sort)
    anchors = anchors[~covered[anchors]]
    # In the phrase's order: word k at the anchor's place + k.
    ahead = anchors[anchors + len(ids) <= len(key)]
    rows = ahead[:, None] + np.arange(len(ids))[None, :]
    fits = (key[rows] == np.asarray(ids)[None, :]).all(axis=1)
    fits &= (segment[rows] == segment[rows[:, :1]]).all(axis=1) & ~covered[rows].any(axis=1)
    found = [rows[fits]]
    if len(ids) == 2:  # turned around: the second word just before the first
        back = anchors[anchors >= 1]
        back = back[(key[back - 1] == ids[1]) & (segment[back - 1] == segment[back])]
        back = back[~covered[back - 1]]
        turned = []
        for place in back.tolist():
            first, last = positions.word[place - 1], positions.word[place]
            if last < 0:  # in a tail, marked where it was read
                joined = bool(texts.tail[-1 - last] & 1)
            else:
                between = texts.words[first + 1 : last].tolist()
                joined = any(texts.surface[w].lower() in COMPOUND_PREPOSITIONS for w in between)
            if joined:
                turned.append((place, place - 1))
        found.append(np.asarray(turned, dtype=np.int64).reshape(-1, 2))
    matched = np.concatenate(found)
    matched = matched[np.argsort(matched.min(axis=1), kind="stable")]
    used: set[int] = set()
    chosen = []
    for index in range(len(matched)):
        row = matched[index].tolist()
        if used.isdisjoint(row):
            used.update(row)
            chosen.append(index)
    return matched[chosen]


class Forms:
    """The usual written form of each pattern in each story, looked up only for the
    terms that are quoted back."""

    def __init__(self, texts: Texts, hits: Hits, story: np.ndarray, columns: int) -> None:
        self.texts = texts
        self.hits = hits
        self.columns = columns
        code = story * columns + hits.column
        self.order = np.argsort(code, kind="stable")
        self.codes = code[self.order]

    def form(self, story: int, column: int) -> str:
        code = story * self.columns + column
        # Two scalar searches: a list of both cost twice as much (~27,000 calls a run).
        lo, hi = self.codes.searchsorted(code), self.codes.searchsorted(code + 1)
        forms: list[str] = []
        words = self.texts.words
        surface = self.texts.surface
        # A few spellings are enough to quote the usual one back.
        for index in self.order[lo : min(hi, lo + _FORM_SAMPLES)].tolist():
            first, last = int(self.hits.first[index]), int(self.hits.last[index])
            if first < 0:  # in a tail: its content words as written there
                tail = (self.texts.tail[-1 - first : -last] >> 1).tolist()
                forms.append(" ".join(self.texts.tail_forms[f] for f in tail))
            else:
                forms.append(" ".join(surface[w] for w in words[first : last + 1].tolist()))
        if forms and forms.count(forms[0]) == len(forms):
            # One spelling (most terms, in a story of one report): the usual one, as
            # usual_form gives it, without counting.
            return forms[0]
        return usual_form(Counter(forms))

    def why(self, story: int, columns: np.ndarray, gains: np.ndarray) -> tuple[str, ...]:
        """The weightiest terms first, ties in alphabetical order; each form once."""
        why: list[str] = []
        seen: set[str] = set()
        positive = gains > 0
        columns, gains = columns[positive], gains[positive]
        for value in sorted(set(gains.tolist()), reverse=True):
            tied = sorted(
                (self.form(story, int(c)) for c in columns[gains == value]), key=str.casefold
            )
            for form in tied:
                if form.casefold() not in seen:
                    seen.add(form.casefold())
                    why.append(form)
            if len(why) >= _WHY_LIMIT:
                break
        return tuple(why[:_WHY_LIMIT])
