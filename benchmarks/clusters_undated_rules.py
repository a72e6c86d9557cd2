"""Rules for pairs without two dates tried at stop 30 (issue 10: a busy topic's undated reports
joining different events) on top of the built ones, each measured on every check: none was
taken (figures in docs/quality.md, stop 30, and briefer/group/background.py).

    python benchmarks/clusters_undated_rules.py [--rule NAME=VALUE ...]

With no --rule it prints the built clustering and then each rule at the values of the stop-30
table. A rule changes the adjusted similarity (background.beyond_background's) of each pair the
story graph keeps without two dates, before the clustering:
- rivals L: a pair that reaches the merge threshold loses L x the smaller of its two reports'
  rivals: a report's rival is its best other pair whose other report is not paired with the
  pair's partner at all (an alternative match, not a third report of the same story);
- rank R: a pair whose reports are not both among each other's R nearest (the best lists)
  keeps half;
- gap L: loses L x how far each report's best other neighbour's cosine exceeds the pair's
  cosine (the mean of the two sides, none where it does not);
- cross L: loses L x the mean cosine of each report with the other's nearest neighbours (how
  close it is to the other's topic rather than to the other);
- months D: both texts name months (capitalised, May left out: a name and a verb too) and none
  in common: loses D x its damped similarity (the weekdays' rule for months);
- headline D: the two headlines share no content term: keeps 1 - D.
The rows' sources are not read: "built" is the clustering without the outlets' rule of stop 31
(background.SAME_OUTLET_SHARE), which the rules were measured before.
--set NAME=VALUE sets a grouping constant as clusters_halves.py does (e.g. TOPIC_DISCOUNT).
Prints for each check (clusters_background.checks: the busy topic undated against both
readings' events, the undated file, the dated file read two thirds and wholly undated, and
dated) B-cubed F1 (precision) of half A / half B / the whole.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date

import numpy as np
from clusters_background import EVAL, checks
from clusters_halves import _docs, half, set_constants
from scipy import sparse

from briefer.evaluation.metrics import bcubed
from briefer.group import background, stories
from briefer.group import days as days_module
from briefer.group import graph as graph_module
from briefer.group.graph import StoryGraph
from briefer.group.texts import TITLE_PART, Texts, read_texts

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# (rule, value) of the stop-30 table, in its order
TABLE = (
    ("rivals", 0.2),
    ("rivals", 0.5),
    ("rank", 3),
    ("gap", 0.2),
    ("cross", 0.1),
    ("months", 0.15),
    ("headline", 0.15),
)


class Context:
    """What a rule reads beside the graph: each row's headline terms and months named."""

    def __init__(self, texts: Texts, row_of_article: np.ndarray) -> None:
        count = len(row_of_article)
        self.headlines: list[set[int]] = [set() for _ in range(count)]
        stem = texts.stem_of[texts.words]
        title = texts.content[texts.words] & (texts.part == TITLE_PART) & (stem >= 0)
        for article, term in zip(texts.article[title].tolist(), stem[title].tolist(), strict=True):
            self.headlines[row_of_article[article]].add(term)
        bit = np.asarray(
            [1 << _MONTHS.index(w) if w in _MONTHS else 0 for w in texts.surface], dtype=np.int64
        )
        self.months = np.zeros(count, dtype=np.int64)
        named = np.nonzero(bit[texts.words])[0]
        np.bitwise_or.at(self.months, row_of_article[texts.article[named]], bit[texts.words[named]])


def _ranks(graph: StoryGraph, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Where y stands in x's best list (neighbours.NEIGHBOURS when it is not there)."""
    hit = graph.members[x] == y[:, None]
    return np.where(hit.any(axis=1), hit.argmax(axis=1), graph.members.shape[1])


def _best_other(graph: StoryGraph, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x's best neighbour's cosine, y left out."""
    return np.where(graph.members[x] == y[:, None], 0.0, graph.top[x]).max(axis=1)


def _rivals(graph: StoryGraph, sims: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x's best similarity among its pairs whose other report y has no pair with (nor is y)."""
    n = len(graph.keys)
    ends = np.concatenate([graph.first, graph.second]), np.concatenate([graph.second, graph.first])
    near = sparse.csr_matrix((np.maximum(np.concatenate([sims, sims]), 0.0), ends), shape=(n, n))
    linked = sparse.csr_matrix(
        (
            np.ones(len(ends[0]) + n),
            (np.concatenate([ends[0], np.arange(n)]), np.concatenate([ends[1], np.arange(n)])),
        ),
        shape=(n, n),
    )
    mine = near[x]
    rest = mine - mine.multiply(linked[y])
    return np.asarray(rest.max(axis=1).todense()).ravel()


def _neighbour_cosine(graph: StoryGraph, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The mean cosine of x with y's best list's members (x itself left out)."""
    members = graph.members[y]
    present = (members >= 0) & (members != x[:, None])
    rows = np.repeat(np.arange(len(y)), present.sum(axis=1))
    near = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, members[present])), shape=(len(y), len(graph.keys))
    )
    sums = sparse.csr_matrix(near @ graph.vectors)
    total = np.asarray(graph.vectors[x].multiply(sums).sum(axis=1)).ravel()
    return total / np.maximum(present.sum(axis=1), 1)


Rule = Callable[[StoryGraph, np.ndarray, np.ndarray, Context, float], np.ndarray]


def _apply(name: str) -> Rule:
    def rule(
        graph: StoryGraph, sims: np.ndarray, loose: np.ndarray, context: Context, value: float
    ) -> np.ndarray:
        a, b = graph.first[loose], graph.second[loose]
        mine = sims[loose]
        if name == "rivals":
            over = mine >= stories._MERGE_THRESHOLD
            rival = np.minimum(_rivals(graph, sims, a, b), _rivals(graph, sims, b, a))
            return np.where(over, mine - value * rival, mine)
        if name == "rank":
            apart = np.maximum(_ranks(graph, a, b), _ranks(graph, b, a)) >= value
            return np.where(apart, mine * 0.5, mine)
        cosine = np.asarray(graph.vectors[a].multiply(graph.vectors[b]).sum(axis=1)).ravel()
        if name == "gap":
            over_a = np.maximum(_best_other(graph, a, b) - cosine, 0.0)
            over_b = np.maximum(_best_other(graph, b, a) - cosine, 0.0)
            return mine - value * (over_a + over_b) / 2
        if name == "cross":
            near = (_neighbour_cosine(graph, a, b) + _neighbour_cosine(graph, b, a)) / 2
            return mine - value * near
        if name == "months":
            ma, mb = context.months[a], context.months[b]
            apart = (ma != 0) & (mb != 0) & ((ma & mb) == 0)
            return np.where(apart, mine - value * graph.damped[loose], mine)
        if name == "headline":
            bare = np.asarray(
                [
                    not context.headlines[i] & context.headlines[j]
                    for i, j in zip(a.tolist(), b.tolist(), strict=True)
                ]
            )
            return np.where(bare, mine * (1.0 - value), mine)
        raise SystemExit(f"unknown rule {name!r}")

    return rule


def labels(docs: list[tuple[str, str, date | None]], rules: list[tuple[str, float]]) -> list[int]:
    texts = read_texts([(title, [text]) for title, text, _ in docs])
    keys = [f"{title}\x00{text}\x00{day}\x00{n}" for n, (title, text, day) in enumerate(docs)]
    days = [day.toordinal() if day is not None else None for _, _, day in docs]
    graph = graph_module.story_graph(
        stories.term_vectors(texts), texts.stems, days, keys, days_module.weekday_masks(texts)
    )
    place = {key: row for row, key in enumerate(graph.keys)}
    context = Context(texts, np.asarray([place[key] for key in keys], dtype=np.int64))
    sims = background.beyond_background(graph)
    undated = np.asarray([day is None for day in graph.days], dtype=bool)
    loose = np.nonzero(undated[graph.first] | undated[graph.second])[0]
    for name, value in rules:
        if len(loose):
            sims = sims.copy()
            sims[loose] = _apply(name)(graph, sims, loose, context, value)
    built = stories.beyond_background
    stories.beyond_background = lambda *_: np.round(sims, 6)  # type: ignore[assignment]
    try:
        return stories.story_labels(graph, keys)
    finally:
        stories.beyond_background = built


def run(rules: list[tuple[str, float]]) -> None:
    print(" + ".join(f"{name} {value}" for name, value in rules) or "built")
    for name, rows, gold in checks():
        shown = []
        for part in ("A", "B", "all"):
            chosen = [k for k, label in enumerate(gold) if part == "all" or half(label) == part]
            predicted = labels(_docs([rows[k] for k in chosen]), rules)
            p, _, f = bcubed(predicted, [gold[k] for k in chosen])
            shown.append(f"{f:.3f} ({p:.3f})")
        print(f"  {name}: " + " / ".join(shown), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rule", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--set", action="append", default=[])
    args = parser.parse_args()
    if not (EVAL / "themes_dev.jsonl").exists():
        print(f"{EVAL}: no dev files; skipped", file=sys.stderr)
        return 0
    set_constants(args.set)
    chosen = [(rule.partition("=")[0], float(rule.partition("=")[2])) for rule in args.rule]
    for rules in [chosen] if chosen else [[], *([one] for one in TABLE)]:
        run(rules)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
