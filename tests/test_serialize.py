"""serialize.compact_plain: the store's file and summary rows written by orjson are the very
characters json writes (compact), so the store and its checksums read them as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from briefer.ingest import read_inputs
from briefer.serialize import article_data, compact, compact_plain, summarized_data
from briefer.workers import summarize_chunk

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
