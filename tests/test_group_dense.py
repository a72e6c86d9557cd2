"""Dense story graphs: many near-copies of one report (a wire story run by every outlet with
small changes) pair every report with every other. They are clustered over a square array
(linkage.average_linkage_dense) rather than dicts of pairs: the same stories, which these
tests check against the dicts' merging, and the whole run of copies one story."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from test_group import BUDGET, DAY, FLOOD_A, THEMES, make_item, stories_of

from briefer.group import group
from briefer.group.days import WINDOW_DAYS
from briefer.group.linkage import average_linkage, average_linkage_dense
from briefer.group.stories import _COHESION, _MERGE_THRESHOLD, component_key_of

# Outlets that copy the report, each adding a line of its own.
_DESKS = ("Herald", "Tribune", "Courier", "Gazette", "Wire", "Post", "Ledger", "Times")
_PLACES = ("Eastfield", "Linton", "Harlan", "the capital", "the coast", "the valley")


def component_key(
    days: list[int | None],
    graph: dict[tuple[int, int], float],
    copies: list[tuple[int, int]],
) -> str:
    """The component key as it was first made (the digest of one repr made whole): the keys
    stores hold, which component_key_of must go on giving."""
    text = repr(
        (
            _MERGE_THRESHOLD,
            _COHESION,
            WINDOW_DAYS,
            tuple(days),
            sorted(graph.items()),
            sorted(copies),
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _near_copies(count: int, dated: bool) -> list[tuple[str, str, list[str]]]:
    """`count` copies of FLOOD_A, each with a credit line and a reworded headline of its own."""
    rng = random.Random(13)
    title, paragraphs = FLOOD_A
    copies = []
    for number in range(count):
        desk, place = rng.choice(_DESKS), rng.choice(_PLACES)
        credit = f"Reporting by the {desk} desk in {place}; editing number {number}."
        headline = title if number % 3 else f"{title}, officials say"
        copies.append((f"copy{number:03d}", headline, [*paragraphs, credit]))
    return copies


def test_many_near_copies_of_one_report_form_one_story_citing_them_all() -> None:
    """150 copies of one report (11,175 pairs, every one in the graph: the square array's
    case) are one story with all 150 among its articles, undated and dated over three days;
    a report of another event beside them stays its own story."""
    for dated in (False, True):
        copies = _near_copies(150, dated)
        items = [
            make_item(ident, title, paragraphs, DAY + timedelta(days=k % 3) if dated else None,
                      source=_DESKS[k % len(_DESKS)])
            for k, (ident, title, paragraphs) in enumerate(copies)
        ]  # fmt: skip
        items.append(make_item("budget", *BUDGET, DAY if dated else None, source="Herald"))
        stories = stories_of(group(items, THEMES))
        assert sorted(map(sorted, stories)) == sorted(
            [sorted(ident for ident, _, _ in copies), ["budget"]]
        ), dated


def test_the_chunked_paths_group_as_one_chunk_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parts that bound memory (rows of the square array, pairs of the digest, pairs
    whose figures are compared) made tiny, so every later part runs: the same stories, and
    the same component keys in the memo, as with the shipped sizes."""
    from briefer.group import days as days_module
    from briefer.group import linkage as linkage_module

    copies = _near_copies(150, False)
    items = [
        make_item(ident, title, paragraphs, None, source=_DESKS[k % len(_DESKS)])
        for k, (ident, title, paragraphs) in enumerate(copies)
    ]
    items.append(make_item("budget", *BUDGET, None, source="Herald"))
    shipped = group(items, THEMES)
    monkeypatch.setattr(linkage_module, "_DENSE_ROWS", 3)
    monkeypatch.setattr(linkage_module, "_DIGEST_PAIRS", 7)
    monkeypatch.setattr(days_module, "_FIGURE_PAIRS", 5)
    chunked = group(items, THEMES)
    assert stories_of(chunked) == stories_of(shipped)
    assert chunked.kept is not None and shipped.kept is not None
    assert chunked.kept.components == shipped.kept.components and shipped.kept.components
    # figures stated apart, pair by pair, on a random matrix of figures: some pairs share one
    rng = np.random.default_rng(32)
    figures = sparse.random(60, 12, density=0.15, format="csr", random_state=rng)
    first, second = rng.integers(0, 60, 400), rng.integers(0, 60, 400)
    apart = days_module.figures_apart(figures, first, second)
    monkeypatch.setattr(days_module, "_FIGURE_PAIRS", 2**16)
    whole = days_module.figures_apart(figures, first, second)
    assert apart.tolist() == whole.tolist() and apart.any() and not apart.all()


@settings(max_examples=150, deadline=None)
@given(
    count=st.integers(1, 24),
    seed=st.integers(0, 2**31),
    density=st.sampled_from([0.2, 0.6, 1.0]),
    # Few distinct values: ties between pairs, and means that equal the threshold.
    values=st.sampled_from([(0.04, 0.05, 0.1, 0.3, 0.5), (-0.01, 0.04, 0.2, 0.9)]),
    threshold=st.sampled_from([0.04, 0.1]),
    cohesion=st.sampled_from([0.0, 0.75]),
    window=st.sampled_from([None, 1, 3]),
)
def test_the_square_array_merges_as_the_dicts_do(
    count: int,
    seed: int,
    density: float,
    values: tuple[float, ...],
    threshold: float,
    cohesion: float,
    window: int | None,
) -> None:
    """average_linkage_dense gives average_linkage's groups, ties, copies (inside the graph
    and out), dated and undated items, the window and cohesion all alike; and the arrays'
    component key is the dicts'."""
    rng = random.Random(seed)
    pairs = {
        (i, j): rng.choice(values)
        for i in range(count)
        for j in range(i + 1, count)
        if rng.random() < density
    }
    copies = [pair for pair in pairs if rng.random() < 0.4]
    if count > 2 and rng.random() < 0.3:
        copies.append((0, count - 1))  # a copy the graph does not hold
    days = [rng.choice([None, 5, 6, 9]) for _ in range(count)]
    listed = list(pairs)
    rng.shuffle(listed)
    first = np.asarray([i for i, _ in listed], dtype=np.int64)
    second = np.asarray([j for _, j in listed], dtype=np.int64)
    sims = np.asarray([pairs[pair] for pair in listed], dtype=np.float64)
    copied = (
        np.asarray([i for i, _ in copies], dtype=np.int64),
        np.asarray([j for _, j in copies], dtype=np.int64),
    )
    expected = average_linkage(days, dict(pairs), threshold, cohesion, copies, window)
    got = average_linkage_dense(days, first, second, sims, threshold, cohesion, copied, window)
    assert got == expected
    unique = sorted(set(copies))
    as_arrays = (
        np.asarray([i for i, _ in unique], dtype=np.int64),
        np.asarray([j for _, j in unique], dtype=np.int64),
    )
    assert component_key_of(days, (first, second, sims), as_arrays) == component_key(
        days, pairs, unique
    )
