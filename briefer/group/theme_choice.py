"""Which theme a story takes, from its readings against every theme (briefer.group.themes):
the themes it qualifies for ranked (a theme its headline names first, then the evidence in
the theme's own words), a story of several reports filed where most of them go, each placed
alone, and the words that say so in its explanation (the tally of its reports, an Other
story's shortfall)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from briefer.group.texts import TITLE_PART, Texts
from briefer.group.theme_mentions import Hits
from briefer.group.theme_patterns import _MIN_MENTIONS
from briefer.records import OTHER_THEME
from briefer.sparse import sparse


@dataclass(frozen=True)
class Reading:
    """One reading of every story against every theme (stories x themes, but gains)."""

    gains: sparse.csr_matrix  # stories x patterns: saturated mean term frequencies
    scores: np.ndarray  # BM25F evidence
    own: np.ndarray  # the part of it in the theme's own words (not near-synonyms)
    mentions: np.ndarray  # mentions of the theme's words in this reading
    qualified: np.ndarray  # names every proper name of the theme's name
    eligible: np.ndarray  # clears the null with enough mentions, and qualified


def shortfall(
    theme: str, reading: Reading, s: int, t: int, needed: float, qualifiers: Sequence[str]
) -> str:
    """Why the nearest theme did not take an Other story, in the terms that decided."""
    reasons = []
    if reading.scores[s, t] < needed:
        reasons.append(f"score {reading.scores[s, t]:.1f} of {needed:.1f} needed")
    if reading.mentions[s, t] < _MIN_MENTIONS:
        reasons.append(f"{reading.mentions[s, t]} mention of its words, {_MIN_MENTIONS} needed")
    if not reading.qualified[s, t]:
        reasons.append(f"never names {' or '.join(qualifiers)}")
    return f"nearest theme {theme}: " + ", ".join(reasons)


def headlined(
    texts: Texts, hits: Hits, outright: np.ndarray, story_of: np.ndarray, count: int
) -> np.ndarray:
    """Stories x themes: a report's headline says the theme's name or one of its keywords
    (`outright`: patterns x themes)."""
    read = hits.first >= 0  # a tail holds no headline
    head = np.zeros(len(hits.first), dtype=bool)
    head[read] = texts.part[hits.first[read]] == TITLE_PART
    said = sparse.csr_matrix(
        (np.ones(int(head.sum())), (story_of[hits.article[head]], hits.column[head])),
        shape=(count, outright.shape[0]),
    )
    return np.asarray(said @ outright).reshape(count, outright.shape[1]) > 0


def choose(front: Reading, whole: Reading, headlined: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's themes it qualifies for (either reading clearing the null), and its theme
    (-1 for Other): among those, one its headline names outright (headlined) before the
    others, then the most evidence in the theme's own words."""
    eligible = front.eligible | whole.eligible
    # The user's own words decide between the themes an article qualifies for; their
    # near-synonyms only help it qualify (clear the null). On themes_dev (high rows, front
    # reading), first wording the same either way; second wording half A 0.750 against 0.765
    # with all the evidence ranking, half B 0.792 against 0.778. Ranked by all the evidence,
    # both reports of Rutte's call for more weapons in the samples went to Peace talks (45.8
    # against 43.8: "negotiating" is a near-synonym of "negotiations"). Ranking by the ratio to
    # the null instead gave the same accuracy on half A (0.779) and lower macro-F1 with the
    # second wording (0.532 against 0.590); by the headline and lead's evidence alone (the
    # labels' "main subject"): half A 0.809 (second wording 0.735), half B the same; against
    # 0.824 (0.721) at the time. The whole article ranks, as it holds all the evidence.
    # Stop 23, ranked by all the evidence, by it less the null's mean, in null SDs above
    # the mean, or relative to what the theme needs: the first wording the same, the second
    # half B 0.764 (against 0.778). Stop 24 (with the third wording, themes_third.toml), by the
    # front reading's null SDs above the null's mean: half A the same for all three wordings,
    # half B one row up for the second and third (0.792, 0.639): a choice half B alone would
    # make, so not taken; by the front's score or own words, 0.735-0.750 / 0.764-0.778 (second).
    ranked = np.where(eligible, whole.own, -np.inf)
    # Stop 28: the headline says the subject (the inverted pyramid), and the name or a keyword
    # is the user naming it outright: between themes a report qualifies for, one its headline
    # names so comes first. High rows of themes_dev, half A / B, first, second and third
    # wording: 0.882 / 0.736, 0.750 / 0.778, 0.706 / 0.653 -> 0.882 / 0.736, 0.750 / 0.792,
    # 0.706 / 0.667 (all 200 rows 0.715, 0.690 -> 0.695, 0.620 -> 0.625): one report, "Joe
    # Biden Unveils New Western Sanctions On Russia", from the fighting theme (second wording)
    # and the diplomacy theme (third) to sanctions; no other placement of the 600 moved, the
    # self-written fixture and the samples the same. Any own word in the headline (a
    # description word too) instead: half A of the second wording 0.735.
    preferred = eligible & headlined
    ranked = np.where(preferred.any(axis=1)[:, None] & ~preferred, -np.inf, ranked)
    # Ties go to the first in the file.
    best = np.argmax(ranked, axis=1) if eligible.shape[1] else np.full(len(eligible), -1)
    best[~eligible.any(axis=1)] = -1
    return eligible, best


# How a story's reports combine (stop 23; benchmarks/themes_stories.py: the rows of
# themes_dev, dated, grouped into stories by the briefing's own clustering, each row scored by
# its story's theme; 200 rows in 144 stories, 64 of the 140 high rows in stories of several
# reports). High rows, half A / B, first wording then second; each row alone (no combining,
# what `briefer eval themes` scores) 0.882 / 0.736, 0.750 / 0.778. The story read as its mean
# report (before): 0.750 / 0.667, 0.662 / 0.667 (all 200 rows 0.635, 0.590): a story of reports
# that are each Other took a theme (Other rows filed under a theme: 20 and 27, against 10 and
# 15 alone), as the mean report holds every report's theme words at once and BM25's saturation
# is concave: two reports scoring 11.1 and 12.8 of 14.8 needed read as one scoring 21.2. Each
# report's score alone, averaged: 0.765 / 0.694, 0.735 / 0.722, but it files the samples' two
# reports of Rutte's call for weapons under Peace talks. Each report placed alone, the story
# where most of them go: a tie between Other and a theme to the theme, 0.779 / 0.667, 0.706 /
# 0.708; to Other (built, the better on half A): 0.824 / 0.722, 0.750 / 0.736 (all 200 rows
# 0.675, 0.665; the rows in Other 57% and 43%, gold 45%). Restricting the mean report to the
# themes a report qualifies for (or is placed under) alone: 0.794 / 0.681, 0.662 / 0.694. In
# the briefing of the 10,000-article bench week 11 of 1,446 stories change section, 9 to Other
# (sentence-shuffled variants of one article near the bar, which the mean report cleared on all
# their words at once). Placing that week's stories took 0.45 s of CPU before and 0.46 after
# (median of 4, alternated; placements() alone, the machine shared). Since the story graph's
# baselines reach a month (graph.py) the file falls into 177 stories (26 high rows in stories of
# several): the shipped vote 0.853 / 0.750, 0.735 / 0.778 (all rows 0.705, 0.690); each row
# alone as above; the mean report 0.838 / 0.736, 0.721 / 0.736; the mean of scores 0.824 /
# 0.750, 0.735 / 0.764; ties to the theme 0.824 / 0.708, 0.735 / 0.764.
def vote(votes: np.ndarray, own: np.ndarray) -> np.ndarray:
    """A story's theme from its reports, each placed alone (votes: stories x (Other, themes)):
    where more of them go than anywhere else, Other included. Where Other ties with a theme
    the reports disagree on whether the story is about any theme: Other, as for a report whose
    evidence does not clear the null. Between tied themes, the story's own-word evidence
    (the ranking of choose, over the story's whole text)."""
    top = votes.max(axis=1)
    tied = votes[:, 1:] == top[:, None]
    best: np.ndarray = np.argmax(np.where(tied, own, -np.inf), axis=1)
    best[votes[:, 0] == top] = -1
    return best


def tally(votes: np.ndarray, t: int, names: Sequence[str], here: str) -> str:
    """How a story's reports went, each placed alone: "2 of 3 reports placed here alone (1
    under Other)"; for a theme chosen over another as many reports took, the tie's reason."""
    others = [
        f"{votes[u + 1]} under {name}" for u, name in enumerate(names) if u != t and votes[u + 1]
    ]
    if votes[0]:
        others.append(f"{votes[0]} under {OTHER_THEME}")
    tied = [name for u, name in enumerate(names) if u != t and votes[u + 1] == votes[t + 1]]
    if here == "here" and tied:
        others.append(f"ahead of {' and '.join(tied)} on the story's own words")
    detail = f" ({'; '.join(others)})" if others else ""
    return f"{votes[t + 1]} of {votes.sum()} reports placed {here} alone{detail}"


def passed_over(front: Reading, whole: Reading, best: np.ndarray) -> np.ndarray:
    """Each row's theme that its headline's preference (choose) put behind its theme: the one
    the evidence in the themes' own words alone would have chosen, where that is not `best`;
    else -1. The explanation says so: the headline decided."""
    eligible = front.eligible | whole.eligible
    if not eligible.shape[1]:
        return np.full(len(eligible), -1)
    plain = np.argmax(np.where(eligible, whole.own, -np.inf), axis=1)
    result: np.ndarray = np.where((best >= 0) & (plain != best), plain, -1)
    return result
