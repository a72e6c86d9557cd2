"""Undated pairs judged beyond their topic's background (group/background.py): a pair of
reports without two dates loses the share of its similarity that lies on terms its nearest
neighbours hold too, so different events of one busy topic do not join on the topic's names,
while two reports of one event, which share what their neighbours do not, keep theirs."""

from __future__ import annotations

import numpy as np
import pytest
from test_group_small_runs import AIR_DEFENCE, SHELLING, STRIKE, STRIKE_AGAIN, SWAP

from briefer.group import background, neighbours
from briefer.group.days import weekday_masks
from briefer.group.graph import StoryGraph, empty_graph, extend_graph, story_graph
from briefer.group.stories import term_vectors
from briefer.group.texts import read_texts

# More reports of the same war, each another event, so that every report has neighbours that
# share the war's names (Ukraine, Russia, Kyiv, the president, troops, missiles).
MORE = [
    (
        "Ukraine's president visits troops in the east",
        "Ukraine's president visited Ukrainian troops near Bakhmut, where Russian forces keep up "
        "their assault, and handed out medals to soldiers.",
    ),
    (
        "Russia says it repelled Ukrainian attack",
        "Russia's defence ministry said Russian troops repelled a Ukrainian attack in the Donetsk "
        "region; Ukrainian officials did not confirm the report.",
    ),
    (
        "Kyiv residents shelter from Russian drones",
        "Residents of Kyiv spent the night in shelters as Russian drones targeted the Ukrainian "
        "capital, the city's military administration said.",
    ),
    (
        "EU agrees new sanctions on Russia",
        "European Union ministers agreed a new package of sanctions on Russia over the war in "
        "Ukraine, targeting banks and Russian oil exports.",
    ),
    (
        "Ukraine's grain exports resume from Odesa",
        "Ships carrying Ukrainian grain left the port of Odesa after Russia's navy lifted its "
        "blockade, Ukraine's infrastructure minister said.",
    ),
    (
        "Russian strike hits apartment block in Dnipro",
        "A Russian missile strike hit an apartment block in Dnipro, killing residents, Ukraine's "
        "president said as rescuers searched the rubble.",
    ),
    (
        "Ukraine's army receives Western tanks",
        "Ukraine's army received the first Western tanks promised by its allies, Ukraine's "
        "defence minister said, as Russian troops prepared an offensive.",
    ),
    (
        "Russia's foreign minister warns NATO",
        "Russia's foreign minister warned NATO against sending more weapons to Ukraine, saying "
        "the Ukrainian war risked a wider conflict with Russia.",
    ),
]
WAR = [STRIKE, AIR_DEFENCE, SHELLING, SWAP, STRIKE_AGAIN, *MORE]


def _graph(reports: list[tuple[str, str]], day: int | None, first: int = 0) -> StoryGraph:
    texts = read_texts([(title, [text]) for title, text in reports])
    keys = [f"war-{first + k:02d}" for k in range(len(reports))]
    days = [day] * len(reports)
    return story_graph(term_vectors(texts), texts.stems, days, keys, weekday_masks(texts))


def _pairs(graph: StoryGraph, similarity: np.ndarray) -> dict[tuple[int, int], float]:
    return dict(
        zip(
            zip(graph.first.tolist(), graph.second.tolist(), strict=True),
            similarity.tolist(),
            strict=True,
        )
    )


def test_dated_pairs_keep_their_similarity() -> None:
    graph = _graph(WAR, 738000)
    assert len(graph.first) and background.beyond_background(graph) is graph.similarity


def test_undated_pairs_of_different_events_lose_what_the_topic_shares(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rows are in key order, the order of WAR: 0 and 4 are the two reports of one strike;
    0-3 are four different events. The strike's pair keeps nearly all of its similarity
    (0.397 -> 0.390); pairs of different events sharing the war's names lose a quarter to a
    half of theirs (0.041 -> 0.031, 0.039 -> 0.021)."""
    graph = _graph(WAR, None)
    after = _pairs(graph, background.beyond_background(graph))
    monkeypatch.setattr(background, "TOPIC_DISCOUNT", 0.0)
    monkeypatch.setattr(background, "UNDATED_SHARE", neighbours.BASELINE_SHARE)
    before = _pairs(graph, background.beyond_background(graph))
    assert after[(0, 4)] > 0.95 * before[(0, 4)]
    apart = [pair for pair in before if pair[1] <= 3]
    assert apart and all(after[pair] < 0.8 * before[pair] for pair in apart)


def test_a_graph_extended_report_by_report_is_judged_as_the_cold_one() -> None:
    """The rule reads the graph alone, so an extended graph, equal to the cold one, gives the
    same similarities, bit for bit."""
    graph = empty_graph()
    for count, report in enumerate(WAR, start=1):
        texts = read_texts([(report[0], [report[1]])])
        graph = extend_graph(
            graph,
            term_vectors(texts),
            texts.stems,
            [None],
            [f"war-{count - 1:02d}"],
            weekday_masks(texts),
        )
        cold = _graph(WAR[:count], None)
        assert np.array_equal(
            background.beyond_background(graph), background.beyond_background(cold)
        )


def test_a_best_list_keeps_its_members_whatever_order_they_were_met_in() -> None:
    """Ten of fourteen values tie at the tenth place: the list keeps the earliest rows among
    them, whether its values come at once, in another order or in two parts merged."""
    values = np.asarray([[0.9, 0.5, *([0.3] * 10), 0.2, 0.0]])
    rows = np.arange(values.shape[1], dtype=np.int64) + 100
    top, members = neighbours.best(values, rows)
    assert members.tolist() == [[100, 101, *range(102, 110)]]
    shuffled = np.random.default_rng(7).permutation(values.shape[1])
    again = neighbours.best(values[:, shuffled], rows[shuffled])
    assert np.array_equal(again[0], top) and np.array_equal(again[1], members)
    later = shuffled[:7], shuffled[7:]
    lists = (np.zeros((1, neighbours.NEIGHBOURS)), np.full((1, neighbours.NEIGHBOURS), -1))
    for part in later:
        neighbours.merge_into(*lists, np.asarray([0]), values[:, part], rows[part])
    assert np.array_equal(lists[0], top) and np.array_equal(lists[1], members)


def test_blocks_bound_memory_not_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pairs and rows judged a few at a time give the similarities of all at once, bit for
    bit: each pair's sums are its own."""
    graph = _graph(WAR, None)
    whole = background.beyond_background(graph)
    monkeypatch.setattr(background, "_BLOCK_PAIRS", 3)
    monkeypatch.setattr(background, "_BLOCK_ROWS", 2)
    assert len(graph.first) > 3 and np.array_equal(background.beyond_background(graph), whole)
