"""serialize.compact_plain and compact_floats: the store's file, summary and briefing rows
written by orjson are the very characters json writes (compact), so the store and its
checksums read them as before."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import briefer
from briefer.ingest import read_inputs
from briefer.parallel import summarize_chunk
from briefer.records import Article
from briefer.serialize import (
    article_data,
    briefing_data,
    briefing_floats,
    compact,
    compact_floats,
    compact_plain,
    summarized_data,
)
from briefer.store.codec import articles_from, bare_articles, files_head, files_value

ROOT = Path(__file__).resolve().parents[1]


def test_rows_of_the_fixtures_and_samples_are_written_as_json_writes_them() -> None:
    ingested = read_inputs([ROOT / "tests" / "fixtures", ROOT / "samples"])
    articles = list(ingested.articles)
    assert len(articles) > 20
    rows: list[Any] = [[article_data(article, text=True)] for article in articles]
    rows += [summarized_data(done) for done in summarize_chunk(articles, (3, None, "default"))]
    assert any("features" in row for row in rows if isinstance(row, dict))
    for row in rows:
        assert compact_plain(row) == compact(row)


# Strings with what JSON must escape (quotes, backslashes, control characters) and what it
# must not (non-ASCII letters, line and paragraph separators, DEL, emoji).
_TEXT = st.text(
    alphabet=st.sampled_from(list('ab "\\/\x00\x08\x0c\n\r\t\x1f\x7f\u2028\u2029é€😀\ufffd')),
    max_size=20,
)
_PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_PLAIN)
def test_plain_values_are_written_as_json_writes_them(value: Any) -> None:
    assert compact_plain(value) == compact(value)


def test_a_lone_surrogate_is_written_by_json() -> None:
    # A file name read with surrogateescape: orjson refuses it, json writes it.
    value = {"path": "articles/caf\udce9.md", "text": "body"}
    assert compact_plain(value) == compact(value)


# Floats of every kind: json writes those under 1e-4 in size as 1e-05 and NaN as NaN, which
# orjson does not (compact_floats leaves those to json).
_FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.floats(-1e-3, 1e-3)


@settings(max_examples=300, deadline=None)
@given(st.lists(_FLOATS, max_size=6), _PLAIN)
def test_values_with_floats_are_written_as_json_writes_them(
    floats: list[float], plain: Any
) -> None:
    value = {"floats": floats, "nested": [{"weight": x} for x in floats], "plain": plain}
    assert compact_floats(value, floats) == compact(value)


def _floats_in(value: Any) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [x for item in value.values() for x in _floats_in(item)]
    if isinstance(value, list):
        return [x for item in value for x in _floats_in(item)]
    return []


def test_every_float_of_a_ranked_briefing_is_among_its_briefing_floats() -> None:
    # compact_floats is exact only when it is told every float the value holds.
    briefing = briefer.build(ROOT / "samples", since="2024-12-01", until="2024-12-05")
    data = briefing_data(briefing)
    floats = list(briefing_floats(briefing))
    assert floats and sorted(_floats_in(data)) == sorted(floats)
    assert compact_floats(data, floats) == compact(data)


_DAY = st.none() | st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
_ARTICLE = st.builds(
    Article,
    id=_TEXT,
    title=_TEXT,
    date=_DAY,
    source=_TEXT,
    url=_TEXT,
    text=_TEXT,
    path=_TEXT,
    first_seen=_DAY,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_ARTICLE, min_size=1, max_size=4, unique_by=lambda a: (a.id, a.title)))
def test_a_bare_files_row_gives_the_articles_its_full_reading_gives(
    articles: list[Article],
) -> None:
    """The store's two readings of a files row kept without its texts (bare_articles, the
    rerun's, and articles_from) build the same articles, dates and first-seen days too."""
    digests = [f"d{k}" for k in range(len(articles))]
    _, head = files_value(articles, digests)
    parsed = files_head(json.loads(head))
    assert parsed.bare
    assert bare_articles(parsed) == articles_from(files_head(json.loads(head)), None)[0]
    assert bare_articles(parsed) == tuple(dataclasses.replace(a, text="") for a in articles)
