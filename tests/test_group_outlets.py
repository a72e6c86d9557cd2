"""Undated reports of one outlet (background.SAME_OUTLET_SHARE): an outlet seldom files two
reports of one event, so a pair of its undated reports keeps less of its similarity, and two
of its pieces on one busy topic (a series of daily updates, say) stay apart where two outlets'
reports of the same pair of texts would join. Dated pairs, and reports without a source, are
judged as before."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import run_cli
from test_group_background import WAR, _graph

from briefer.group import background, cluster_stories

# Two of one outlet's daily updates on the war, each another day's news, sharing the
# briefing's words ("The Pentagon said", "Russian", "Western weapons", "Ukraine").
STRIKE_UPDATE = (
    "Pentagon says Russian jets struck near Lviv",
    "The Pentagon said on Monday that Russian jets struck a military base near Lviv, close to "
    "the Polish border, and that the base was not used to move Western weapons into Ukraine.",
)
DRONE_UPDATE = (
    "Pentagon says Ukraine uses drones against Russian convoys",
    "The Pentagon said on Saturday that Ukrainian forces are using drones to great effect "
    "against Russian convoys north of Kyiv, and that Western weapons keep reaching Ukraine.",
)
UPDATES = [STRIKE_UPDATE, DRONE_UPDATE]


def _docs() -> list[tuple[str, str, None]]:
    return [(title, text, None) for title, text in [*UPDATES, *WAR]]


def _others() -> list[str]:
    return [f"Outlet {k}" for k in range(len(WAR))]


def test_one_outlets_undated_updates_of_a_busy_topic_stay_apart() -> None:
    joined = cluster_stories(_docs(), ["ABC News", "CBS News", *_others()])
    assert joined[0] == joined[1], "two outlets: the pair is strong enough to join"
    assert cluster_stories(_docs())[:2] == joined[:2], "no sources: as two outlets"
    apart = cluster_stories(_docs(), ["ABC News", " abc  news", *_others()])
    assert apart[0] != apart[1], "one outlet (its name's case and spacing aside)"
    unnamed = cluster_stories(_docs(), ["", "", *_others()])
    assert unnamed[0] == unnamed[1], "reports without a source are of no outlet"


def test_only_undated_pairs_of_one_outlet_keep_less() -> None:
    graph = _graph(WAR, None)
    keys = graph.keys
    before = background.beyond_background(graph)
    # rows 0-3 of one outlet, the rest of one each, row 12 of none
    outlets = {key: ("Wire" if row <= 3 else f"Outlet {row}") for row, key in enumerate(keys)}
    outlets[keys[12]] = ""
    after = background.beyond_background(graph, background.outlet_codes(keys, outlets))
    same = (graph.first <= 3) & (graph.second <= 3)
    assert same.any() and (~same).any()
    share = 4 / (len(keys) - 1)  # the outlet's share of the reports of a known outlet
    keep = 1 - (1 - background.SAME_OUTLET_SHARE) * (1 - share)
    assert np.allclose(after[same], before[same] * keep, atol=1e-6)
    assert np.array_equal(after[~same], before[~same])
    dated = _graph(WAR, 738000)
    codes = background.outlet_codes(dated.keys, dict.fromkeys(dated.keys, "Wire"))
    assert np.array_equal(background.beyond_background(dated, codes), dated.similarity)


def test_an_outlet_that_files_the_whole_run_says_nothing_of_a_pair() -> None:
    """One site's pages, or an aggregator's name on every entry: judged as without sources."""
    graph = _graph(WAR, None)
    codes = background.outlet_codes(graph.keys, dict.fromkeys(graph.keys, "News Aggregator"))
    assert np.array_equal(
        background.beyond_background(graph, codes), background.beyond_background(graph)
    )
    docs = _docs()
    assert cluster_stories(docs, ["Site"] * len(docs)) == cluster_stories(docs)


def test_outlet_codes_read_sources_as_rank_counts_outlets() -> None:
    codes = background.outlet_codes(
        ["a", "b", "c", "d", "e"], {"a": "BBC News", "b": "bbc  NEWS", "c": "Reuters", "d": ""}
    )
    assert codes is not None
    assert codes[0] == codes[1] != codes[2] and codes[3] == codes[4] == 0
    assert background.outlet_codes(["a"], None) is None


@pytest.mark.parametrize("outlet", ["ABC News", "CBS News"])
def test_a_briefing_keeps_one_outlets_undated_updates_apart(tmp_path: Path, outlet: str) -> None:
    """Through `briefer make`: the briefing groups its articles with their sources."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    sources = ["ABC News", outlet, *_others()]
    for number, ((title, text), source) in enumerate(zip([*UPDATES, *WAR], sources, strict=True)):
        (inbox / f"{number:02d}.md").write_text(
            f'+++\ntitle = "{title}"\nsource = "{source}"\n+++\n\n{text}\n', encoding="utf-8"
        )
    out = tmp_path / "out"
    code, _, err = run_cli("make", "-i", str(inbox), "--out", str(out), "--format", "json")
    assert code == 0, err
    data = json.loads((out / f"{dt.date.today()}.json").read_text(encoding="utf-8"))
    stories = [
        {article["title"] for article in story["articles"]}
        for section in data["sections"]
        for story in section["stories"]
    ]
    together = any({STRIKE_UPDATE[0], DRONE_UPDATE[0]} <= titles for titles in stories)
    assert together == (outlet != "ABC News")
