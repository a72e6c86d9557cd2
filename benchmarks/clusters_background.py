"""Undated pairs judged on what they share beyond their topic's background (issue 10, a busy
topic's undated reports chaining), measured outside the clustering: the grid behind
briefer/group/background.py's constants (this script turns that rule off and applies its own).

    python benchmarks/clusters_background.py [--discount G] [--undated-share S]
        [--partner-kept] [--scaled] [--headline-damp H] [--grid]

Each article's background is what its nearest neighbours hold: for each of its terms, the
share of its neighbours.NEIGHBOURS most similar other articles of the run (by the cosine of
their term vectors, copies left out) that hold the term too. A pair without two dates keeps
of its damped similarity 1 - G x (the share of its cosine on terms its two neighbourhoods
hold, the mean of the two shares, term by term): a pair that shares only what every report
of the topic shares loses up to G of it. As that takes the topic off twice (the baselines
take it off as a whole already), such a pair's baselines count S instead of
neighbours.BASELINE_SHARE. Dated pairs are not touched. The neighbours are the run's ten most
similar articles with the pair's partner left out and the eleventh taken in its place, or
with --partner-kept the ten less the partner (nine when it is among them): what best lists
that kept their members' identities could give exactly. --scaled changes the share in
proportion to how full the two best lists are (a run of a few articles keeps the rule of
dated pairs); --headline-damp H: an undated pair whose headlines share no content term keeps
1 - H of its damped similarity besides.

It is applied after the story graph is built (the pairs the graph keeps with its own rule,
their similarities then lowered or raised), the neighbours searched among all the run's rows;
background.py takes them from the graph's best lists (candidates sharing a head), which moves
the whole busy file a little (0.852 here, 0.849 built); docs/quality.md (stop 29) has the
figures and the cost. Prints, half A / half B / whole (the halves of clusters_halves.py): the
busy topic (themes_dev.jsonl, undated, against both readings' events), the undated clusters
file, the dated file read two thirds and wholly undated, and the dated file (dated pairs: the
same as without the rule).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tomllib
from datetime import date
from pathlib import Path

import numpy as np
from clusters_halves import _docs, half  # the same halves and rows
from scipy import sparse

from briefer.evaluation.groups import left_undated
from briefer.evaluation.metrics import bcubed
from briefer.group import background, neighbours, stories
from briefer.group import days as days_module
from briefer.group import graph as graph_module
from briefer.group.texts import TITLE_PART, read_texts

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
HERE = Path(__file__).resolve().parent


def background_graph(
    graph: graph_module.StoryGraph,
    discount: float,
    share: float,
    partner_kept: bool,
    headlines: list[set[int]] | None = None,
    headline_damp: float = 0.0,
    scaled: bool = False,
) -> graph_module.StoryGraph:
    """`graph` with each pair without two dates judged beyond its background (see above);
    with `headlines` (each row's headline terms), such a pair whose headlines share no term
    keeps 1 - `headline_damp` of its damped similarity besides."""
    if discount == 0.0 and share == neighbours.BASELINE_SHARE and headline_damp == 0.0:
        return graph
    vectors = sparse.csr_matrix(graph.vectors)
    cosines = (vectors @ vectors.T).toarray()
    np.fill_diagonal(cosines, 0.0)
    cosines[cosines >= graph_module._COPY_COSINE] = 0.0  # a copy is the report, not its topic
    count = neighbours.NEIGHBOURS
    order = np.argsort(-cosines, axis=1, kind="stable")[:, : count + 1]
    held = (vectors > 0).astype(np.float64).tocsr()
    undated = np.asarray([day is None for day in graph.days])
    sims = graph.similarity.copy()
    for k, (a, b) in enumerate(zip(graph.first.tolist(), graph.second.tolist(), strict=True)):
        if not (undated[a] or undated[b]):
            continue
        mean = np.zeros(vectors.shape[1])
        for one, other in ((a, b), (b, a)):
            near = [x for x in order[one] if cosines[one, x] > 0.0]
            near = (
                [x for x in near[:count] if x != other]
                if partner_kept
                else ([x for x in near if x != other][:count])
            )
            if near:
                mean += np.asarray(held[near].sum(axis=0)).ravel() / count / 2
        product = vectors[a].multiply(vectors[b]).toarray().ravel()
        cosine = float(product.sum())
        topic = float((product * mean).sum()) / cosine if cosine > 0.0 else 0.0
        baseline = (graph.baselines[a] + graph.baselines[b]) / 2
        # met: the share of the two best lists that is filled (1: every neighbour met)
        met = float((graph.top[[a, b]] > 0.0).mean()) if scaled else 1.0
        sims[k] += (neighbours.BASELINE_SHARE - share) * baseline * met
        sims[k] -= discount * topic * graph.damped[k]
        if headlines is not None and not headlines[a] & headlines[b]:
            sims[k] -= headline_damp * graph.damped[k]
    return dataclasses.replace(graph, similarity=np.round(sims, 6))


def labels(
    docs: list[tuple[str, str, date | None]],
    discount: float,
    share: float,
    partner_kept: bool,
    headline_damp: float = 0.0,
    scaled: bool = False,
) -> list[int]:
    texts = read_texts([(title, [text]) for title, text, _ in docs])
    terms = stories.term_vectors(texts)
    keys = [f"{title}\x00{text}\x00{day}\x00{n}" for n, (title, text, day) in enumerate(docs)]
    days = [day.toordinal() if day is not None else None for _, _, day in docs]
    graph = graph_module.story_graph(
        terms, texts.stems, days, keys, days_module.weekday_masks(texts)
    )
    row = {key: place for place, key in enumerate(graph.keys)}
    headlines: list[set[int]] = [set() for _ in docs]
    title = texts.part == TITLE_PART
    stem = texts.stem_of[texts.words]
    meaning = texts.content[texts.words] & title & (stem >= 0)
    for article, term in zip(texts.article[meaning].tolist(), stem[meaning].tolist(), strict=True):
        headlines[row[keys[article]]].add(term)
    graph = background_graph(graph, discount, share, partner_kept, headlines, headline_damp, scaled)
    return stories.story_labels(graph, keys)


def checks() -> list[tuple[str, list[dict[str, str]], list[str]]]:
    """(name, rows, labels) of each check, rows already read as the check reads them."""
    busy = [json.loads(line) for line in (EVAL / "themes_dev.jsonl").open() if line.strip()]
    busy = [{**row, "date": None} for row in busy]
    found = []
    for reading in ("themes_dev_events.toml", "themes_dev_events_second.toml"):
        event_of: dict[str, str] = {}
        for event in tomllib.loads((HERE / reading).read_text(encoding="utf-8"))["event"]:
            for key in event["ids"]:
                event_of[key] = str(event["ids"][0])
        found.append(
            (f"busy undated ({reading})", busy, [event_of.get(r["id"], r["id"]) for r in busy])
        )
    undated = [json.loads(line) for line in (EVAL / "clusters_dev_undated.jsonl").open() if line]
    found.append(("undated file", undated, [str(r["label"]) for r in undated]))
    dated = [json.loads(line) for line in (EVAL / "clusters_dev.jsonl").open() if line]
    for share, name in ((0.667, "dated file, 2/3 undated"), (1.0, "dated file, undated")):
        rows = [
            {**row, "date": None} if left_undated(str(row["id"]), share) else row for row in dated
        ]
        found.append((name, rows, [str(r["label"]) for r in rows]))
    found.append(("dated file", dated, [str(r["label"]) for r in dated]))
    return found


def run(
    discount: float,
    share: float,
    partner_kept: bool,
    headline_damp: float = 0.0,
    scaled: bool = False,
) -> None:
    for name, rows, gold in checks():
        shown = []
        for part in ("A", "B", "all"):
            chosen = [k for k, label in enumerate(gold) if part == "all" or half(label) == part]
            docs = _docs([rows[k] for k in chosen])
            predicted = labels(docs, discount, share, partner_kept, headline_damp, scaled)
            p, r, f = bcubed(predicted, [gold[k] for k in chosen])
            shown.append(f"{f:.3f} (P {p:.3f} R {r:.3f})")
        print(f"  {name}: " + " / ".join(shown))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--discount", type=float, default=0.0)
    parser.add_argument("--undated-share", type=float, default=neighbours.BASELINE_SHARE)
    parser.add_argument("--partner-kept", action="store_true")
    parser.add_argument("--headline-damp", type=float, default=0.0)
    parser.add_argument("--scaled", action="store_true")
    parser.add_argument("--grid", action="store_true")
    args = parser.parse_args()
    background.TOPIC_DISCOUNT = 0.0  # the built rule off: this script applies its own
    background.UNDATED_SHARE = neighbours.BASELINE_SHARE
    if not (EVAL / "themes_dev.jsonl").exists():
        print(f"{EVAL}: no dev files; skipped", file=sys.stderr)
        return 0
    settings = (
        [(g, s) for g in (0.0, 0.3, 0.4, 0.5, 0.6) for s in (0.6, 0.7, 0.8)]
        if args.grid
        else [(args.discount, args.undated_share)]
    )
    for discount, share in settings:
        kept = " partner kept" if args.partner_kept else ""
        damp = f" headline damp {args.headline_damp}" if args.headline_damp else ""
        scaled = " scaled by the neighbours met" if args.scaled else ""
        print(f"discount {discount} undated share {share}{kept}{damp}{scaled}")
        run(discount, share, args.partner_kept, args.headline_damp, args.scaled)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
