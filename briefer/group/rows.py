"""Each article's grouping rows (records.TermRows): its story-clustering vector, its
place-weighted mentions and its headline-and-lead words, over an alphabetical vocabulary.

Every value in a row depends on its own article only (stories.term_vectors weighs words by
a fixed background, never by the run), and the columns are in alphabetical order, so rows
made in one run can be joined with rows made in another (`join_rows`) and give exactly what
one run over all the articles gives: what lets a rerun read only its new articles."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import BinaryIO

import numpy as np

from briefer.group.days import weekday_masks
from briefer.group.graph import PAIR_ARRAYS, StoryGraph
from briefer.group.graph import _quantized as quantized  # the graph's own weights
from briefer.group.texts import REST_PART, Texts
from briefer.records import StoredRows, TermRows
from briefer.sparse import sparse

_PLACE_DECIMALS = 9  # see term_rows


def term_rows(texts: Texts, places: sparse.csr_matrix, vectors: sparse.csr_matrix) -> TermRows:
    """The rows of the articles of texts, from stories.story_matrices(texts)."""
    names = np.asarray(texts.stems, dtype=object)
    order = np.argsort(names, kind="stable")
    column = np.empty(len(order), dtype=np.int64)
    column[order] = np.arange(len(order))
    terms = tuple(names[order].tolist())
    # A topic is told by words, not figures: the headline-and-lead words topic labels read.
    figure = np.asarray([word[:1].isdigit() for word in texts.surface], dtype=bool)
    where = np.nonzero(
        (texts.part != REST_PART) & texts.content[texts.words] & ~figure[texts.words]
    )[0]
    used, form = np.unique(texts.words[where], return_inverse=True)
    # A term's place weights are summed in an order that follows the run's column numbers
    # (scipy sorts a row's entries by column, not stably), so the same article's sums can
    # differ in the last bits from run to run (989 of 124,180 on 1,500 bench articles read
    # among 120 or among all). They are sums of the place weights (multiples of 0.2, never
    # near half of 1e-9 off one): rounded to 9 decimals, every run has the same ones.
    rounded = sparse.csr_matrix(
        (np.round(places.data, _PLACE_DECIMALS), places.indices, places.indptr),
        shape=places.shape,
    )
    return TermRows(
        terms=terms,
        vectors=_columns(vectors, column, len(terms)),
        places=_columns(rounded, column, len(terms)),
        lead_start=np.searchsorted(texts.article[where], np.arange(texts.count + 1)),
        lead_term=column[texts.stem_of[texts.words[where]]].astype(np.int32),
        lead_form=form.reshape(-1).astype(np.int32),
        forms=tuple(texts.surface[i] for i in used.tolist()),
        weekdays=weekday_masks(texts),
    )


def _columns(matrix: sparse.csr_matrix, column: np.ndarray, width: int) -> sparse.csr_matrix:
    """matrix with its columns renumbered (a row never holds a column twice)."""
    shape = (matrix.shape[0], max(width, 1))
    if not len(column):
        return sparse.csr_matrix(shape, dtype=matrix.dtype)
    result = sparse.csr_matrix((matrix.data, column[matrix.indices], matrix.indptr), shape=shape)
    result.sort_indices()
    return result


def join_rows(parts: Sequence[TermRows], order: Sequence[tuple[int, int]]) -> TermRows:
    """One TermRows of the rows (part, row) in `order`, over the union of the vocabularies."""
    terms = _union([part.terms for part in parts])
    forms = _union([part.forms for part in parts])
    term_at = {term: k for k, term in enumerate(terms)}
    form_at = {form: k for k, form in enumerate(forms)}
    vectors, places, lead_term, lead_form, lengths = [], [], [], [], []
    for part in parts:
        column = np.fromiter(map(term_at.__getitem__, part.terms), np.int32, len(part.terms))
        spelling = np.fromiter(map(form_at.__getitem__, part.forms), np.int32, len(part.forms))
        vectors.append(_columns(part.vectors, column, len(terms)))
        places.append(_columns(part.places, column, len(terms)))
        lead_term.append(column[part.lead_term])
        lead_form.append(spelling[part.lead_form])
        lengths.append(np.diff(part.lead_start))
    offsets = np.cumsum([0, *(part.count for part in parts)])
    pairs = np.asarray(order, dtype=np.int64).reshape(-1, 2)
    rows = offsets[pairs[:, 0]] + pairs[:, 1]
    # Each chosen row's run of lead words, in the new order.
    all_lengths = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(all_lengths)])
    taken = all_lengths[rows]
    picks = np.repeat(starts[rows] - np.cumsum(np.concatenate([[0], taken[:-1]])), taken)
    picks = picks + np.arange(int(taken.sum()))
    return TermRows(
        terms=terms,
        vectors=sparse.csr_matrix(sparse.vstack(vectors, format="csr")[rows]),
        places=sparse.csr_matrix(sparse.vstack(places, format="csr")[rows]),
        lead_start=np.concatenate([[0], np.cumsum(taken)]).astype(np.int64),
        lead_term=np.concatenate(lead_term)[picks] if lead_term else np.zeros(0, np.int32),
        lead_form=np.concatenate(lead_form)[picks] if lead_form else np.zeros(0, np.int32),
        forms=forms,
        weekdays=np.concatenate([part.weekdays for part in parts]).astype(np.int64)[rows],
    )


def _union(vocabularies: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    """The sorted union of sorted vocabularies: the largest kept in order and the others'
    new words merged in (a rerun adds a few words to thousands: a sort of nearly sorted
    words, and a set of only the new ones)."""
    if not vocabularies:
        return ()
    largest = max(vocabularies, key=len)
    have = set(largest)
    new = {word for vocabulary in vocabularies for word in vocabulary if word not in have}
    return tuple(sorted([*largest, *new]))


# ---- as the article store keeps them ---------------------------------------------------------

_STRINGS = ("ids", "keys", "terms", "forms")  # joined by "\n", which none of them holds
# The blob: _MAGIC, the header's length (8 bytes, little-endian), the header (JSON: each
# array's name, dtype, shape and offset in the data), then the arrays' bytes, each at a
# multiple of _ALIGN. Read with np.frombuffer, with no zip to walk or CRC to check: reading the
# 10k bench store's 24.5 MB took 0.035 s with np.load and writing 0.04 s with np.savez.
_MAGIC = b"briefer rows 1\n"
_ALIGN = 8  # bytes: every dtype here is at most 8 wide
_KINDS = frozenset("biuf")  # bool, integers, floats: never objects


def rows_parts(value: StoredRows) -> tuple[int, list[memoryview]]:
    """The blob of value as its size and the parts to write in turn (views of the arrays,
    not copies): what write_rows writes, for a writer that must know the size first."""
    arrays = _arrays(value)
    entries, offset = [], 0
    for name, array in arrays.items():
        offset += -offset % _ALIGN
        entries.append([name, array.dtype.str, list(array.shape), offset])
        offset += array.nbytes
    header = json.dumps(entries, separators=(",", ":")).encode("ascii")
    parts = [memoryview(_MAGIC + len(header).to_bytes(8, "little") + header)]
    written = 0
    for array in arrays.values():
        if written % _ALIGN:
            parts.append(memoryview(bytes(-written % _ALIGN)))
            written += -written % _ALIGN
        if array.nbytes:  # (an empty view cannot be cast to bytes)
            parts.append(np.ascontiguousarray(array).data.cast("B"))
            written += array.nbytes
    return len(parts[0]) + offset, parts


def write_rows(value: StoredRows, file: BinaryIO) -> None:
    """The blob of value written to file part by part (never held whole)."""
    for part in rows_parts(value)[1]:
        file.write(part)


def rows_to_bytes(value: StoredRows) -> bytes:
    return b"".join(rows_parts(value)[1])  # one copy (a BytesIO grew by copies: 20 ms)


def _arrays(value: StoredRows) -> dict[str, np.ndarray]:
    rows = value.rows
    arrays: dict[str, np.ndarray] = {
        name: _text(strings)
        for name, strings in zip(
            _STRINGS, (value.ids, value.keys, rows.terms, rows.forms), strict=True
        )
    }
    for name, matrix in (("vectors", rows.vectors), ("places", rows.places)):
        arrays[f"{name}_data"] = matrix.data
        arrays[f"{name}_indices"] = _narrow(matrix.indices)
        arrays[f"{name}_indptr"] = matrix.indptr
        arrays[f"{name}_shape"] = np.asarray(matrix.shape, dtype=np.int64)
    steps = _place_steps(rows.places.data)
    if steps is not None:
        del arrays["places_data"]
        arrays["places_steps"] = steps
    arrays["lead_start"] = rows.lead_start
    arrays["lead_term"] = _narrow(rows.lead_term)
    arrays["lead_form"] = _narrow(rows.lead_form)
    arrays["weekdays"] = rows.weekdays
    if value.graph is not None:
        arrays.update(_graph_arrays(value.graph, value.ids, rows))
    components = json.dumps(value.components, separators=(",", ":"), sort_keys=True)
    arrays["components"] = np.frombuffer(components.encode("ascii"), dtype=np.uint8)
    return arrays


# Column numbers and spellings are kept in the narrowest unsigned integers that hold them (a
# vocabulary of under 65,536 words: 2 bytes instead of 4), and read back as the int32 the
# rows hold; place weights as whole steps of the smallest one when that gives back exactly
# the same floats (checked, not assumed). The 10k bench store's blob: 24.6 -> 13.0 MB, which
# every rerun reads, checks and writes again.
_NARROW = (np.uint8, np.uint16)
_PLACE_STEP = 0.2  # stories._TAIL_WEIGHT: every place weight, so every sum, is a multiple


def _narrow(array: np.ndarray) -> np.ndarray:
    """array in the narrowest of _NARROW that holds all its values (else as it is)."""
    if array.dtype.kind not in "iu" or (array.size and array.min() < 0):
        return array
    top = int(array.max()) if array.size else 0
    for dtype in _NARROW:
        if top <= np.iinfo(dtype).max:
            return array.astype(dtype)
    return array


def _widened(array: np.ndarray) -> np.ndarray:
    return array.astype(np.int32) if array.dtype in _NARROW else array


def _place_steps(data: np.ndarray) -> np.ndarray | None:
    """The place sums as whole _PLACE_STEPs, narrowed; None unless _from_steps gives every
    one back exactly."""
    steps = np.rint(data / _PLACE_STEP)
    if steps.size and not (steps.min() >= 0 and steps.max() <= np.iinfo(_NARROW[-1]).max):
        return None
    narrow = _narrow(steps.astype(np.int64))
    return narrow if np.array_equal(_from_steps(narrow), data) else None


def _from_steps(steps: np.ndarray) -> np.ndarray:
    """The place sums of whole steps (small non-negative integers): each step count's sum
    rounded as term_rows rounds, worked out once and looked up."""
    top = int(steps.max()) if steps.size else 0
    table: np.ndarray = np.round(np.arange(top + 1) * _PLACE_STEP, _PLACE_DECIMALS)
    return np.take(table, steps)


def blob_arrays(blob: bytes) -> dict[str, np.ndarray]:
    """The arrays of a blob rows_parts made; ValueError for any other bytes."""
    if not blob.startswith(_MAGIC):
        raise ValueError("not a rows blob")
    at = len(_MAGIC) + 8
    length = int.from_bytes(blob[len(_MAGIC) : at], "little")
    entries = json.loads(blob[at : at + length].decode("ascii"))
    # One writable copy that every array is a view of (the store's bytes are read-only).
    data = bytearray(memoryview(blob)[at + length :])
    arrays = {}
    for name, kind, shape, offset in entries:
        dtype = np.dtype(kind)
        count = int(np.prod(shape, dtype=np.int64))
        if dtype.kind not in _KINDS or offset < 0 or offset + count * dtype.itemsize > len(data):
            raise ValueError(f"a rows blob with a bad array {name!r}")
        array = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
        arrays[str(name)] = array.reshape(shape)
    return arrays


def rows_from_bytes(blob: bytes) -> StoredRows:
    """Raises ValueError or KeyError for a blob that is not rows_to_bytes's."""
    arrays = blob_arrays(blob)
    strings = [_strings(arrays[name]) for name in _STRINGS]
    if "places_steps" in arrays:
        arrays["places_data"] = _from_steps(arrays["places_steps"])
    matrices = [
        sparse.csr_matrix(
            (
                arrays[f"{name}_data"],
                _widened(arrays[f"{name}_indices"]),
                arrays[f"{name}_indptr"],
            ),
            shape=tuple(arrays[f"{name}_shape"].tolist()),
        )
        for name in ("vectors", "places")
    ]
    ids, keys, terms, forms = strings
    rows = TermRows(
        terms=terms,
        vectors=matrices[0],
        places=matrices[1],
        lead_start=arrays["lead_start"],
        lead_term=_widened(arrays["lead_term"]),
        lead_form=_widened(arrays["lead_form"]),
        forms=forms,
        weekdays=arrays["weekdays"],
    )
    if len(ids) != len(keys) or len(ids) != rows.count or rows.vectors.shape[0] != len(ids):
        raise ValueError("rows that do not match their articles")
    graph = _graph_from(arrays, rows) if "graph_keys" in arrays else None
    found = json.loads(arrays["components"].tobytes().decode("ascii"))
    if not isinstance(found, dict):
        raise ValueError("component stories that are not a mapping")
    components = {str(key): [int(story) for story in stories] for key, stories in found.items()}
    return StoredRows(ids, keys, rows, graph, components)


def _text(strings: Sequence[str]) -> np.ndarray:
    return np.frombuffer("\n".join(strings).encode("utf-8", "surrogatepass"), dtype=np.uint8)


def _strings(array: np.ndarray) -> tuple[str, ...]:
    if not array.size:
        return ()
    return tuple(array.tobytes().decode("utf-8", "surrogatepass").split("\n"))


def _graph_vectors(
    rows: TermRows,
    taken: np.ndarray,
    vocabulary: Sequence[str],
    renumber: np.ndarray | None = None,
) -> sparse.csr_matrix | None:
    """The story graph's vectors as extend_graph makes them from these rows: the rows
    `taken`, over `vocabulary`, weights quantized (graph.quantized); None when a term of
    theirs is not in vocabulary or a vocabulary word not among the rows' terms. renumber:
    _renumbering(rows, vocabulary), when already had."""
    if renumber is None:
        renumber = _renumbering(rows, vocabulary)
        if renumber is None:
            return None
    if taken.size and (taken.min() < 0 or taken.max() >= rows.count):
        return None
    chosen = rows.vectors[taken]
    indices = renumber[chosen.indices]
    if (indices < 0).any():
        return None
    vectors = quantized(
        sparse.csr_matrix(
            (chosen.data, indices.astype(chosen.indices.dtype), chosen.indptr),
            shape=(len(taken), max(len(vocabulary), 1)),
        )
    )
    vectors.sort_indices()
    return vectors


def _renumbering(rows: TermRows, vocabulary: Sequence[str]) -> np.ndarray | None:
    """Each of the rows' terms' place in vocabulary (-1: not there), and one -1 more; None
    when a vocabulary word is not among the rows' terms."""
    # Each vocabulary word's column among the rows' terms, by a dict (a search of object
    # arrays took ~7 ms of each read and write of the 10k bench store's blob).
    at = {term: k for k, term in enumerate(rows.terms)}
    column = np.fromiter((at.get(word, -1) for word in vocabulary), np.int64, len(vocabulary))
    if (column < 0).any():
        return None
    renumber = np.full(len(rows.terms) + 1, -1, dtype=np.int64)
    renumber[column] = np.arange(len(vocabulary))
    return renumber


# Rows compared at a time when the graph's vectors are checked against the rows they were
# made from: compared all at once, the rebuilt copy and its temporaries (the rows taken, their
# columns in int64, the weights quantized) took ~170 MB at 30,000 articles, the run's peak
# (issue 13); 5,000 as grouping's term matrices (grouping._MATRIX_SLICE).
_CHECK_SLICE = 5_000


def _rebuilds(
    rows: TermRows, taken: np.ndarray, graph: StoryGraph, step: int = _CHECK_SLICE
) -> bool:
    """Whether the graph's vectors are _graph_vectors(rows, taken, its vocabulary), checked
    `step` rows at a time (each row depends on its own article alone)."""
    renumber = _renumbering(rows, graph.vocabulary)
    if renumber is None or not (taken >= 0).all():
        return False
    for start in range(0, max(len(taken), 1), step):
        part = slice(start, start + step)
        rebuilt = _graph_vectors(rows, taken[part], graph.vocabulary, renumber)
        if rebuilt is None or not _same(rebuilt, graph.vectors[part]):
            return False
    return True


def _same(a: sparse.csr_matrix, b: sparse.csr_matrix) -> bool:
    return a.shape == b.shape and all(
        x.dtype == y.dtype and np.array_equal(x, y)
        for x, y in ((a.data, b.data), (a.indices, b.indices), (a.indptr, b.indptr))
    )


def _graph_arrays(graph: StoryGraph, ids: Sequence[str], rows: TermRows) -> dict[str, np.ndarray]:
    days = np.asarray([day if day is not None else 0 for day in graph.days], dtype=np.int64)
    arrays = {
        "graph_keys": _text(graph.keys),
        "graph_vocabulary": _text(graph.vocabulary),
        "graph_days": days,
        "graph_dated": np.asarray([day is not None for day in graph.days], dtype=bool),
        "graph_weekdays": graph.weekdays,
    }
    # The graph's vectors are the articles' rows, quantized, over the graph's vocabulary:
    # kept as where each is among the rows when they rebuild exactly from them (checked,
    # not assumed; otherwise kept whole, in float32). The 10k bench store's blob: 31.4 ->
    # 24.5 MB.
    position = {key: row for row, key in enumerate(ids)}
    taken = np.asarray([position.get(key, -1) for key in graph.keys], dtype=np.int64)
    if _rebuilds(rows, taken, graph):
        arrays["graph_rows"] = taken
    else:
        data = graph.vectors.data
        # Weights are multiples of 2**-24 of at most 1 (graph._QUANTUM), which float32 holds
        # exactly: half the bytes, and read back to the same float64 values.
        narrow = data.astype(np.float32)
        exact = np.array_equal(narrow.astype(data.dtype), data)
        arrays["graph_data"] = narrow if exact and data.dtype == np.float64 else data
        arrays["graph_indices"] = graph.vectors.indices
        arrays["graph_indptr"] = graph.vectors.indptr
        arrays["graph_shape"] = np.asarray(graph.vectors.shape, dtype=np.int64)
    arrays.update({f"graph_{name}": getattr(graph, name) for name in PAIR_ARRAYS})
    return arrays


def _graph_from(arrays: dict[str, np.ndarray], rows: TermRows) -> StoryGraph:
    keys = _strings(arrays["graph_keys"])
    vocabulary = _strings(arrays["graph_vocabulary"])
    dated = arrays["graph_dated"].tolist()
    days = tuple(
        day if known else None
        for day, known in zip(arrays["graph_days"].tolist(), dated, strict=True)
    )
    if "graph_rows" in arrays:
        vectors = _graph_vectors(rows, arrays["graph_rows"].astype(np.int64), vocabulary)
        if vectors is None:
            raise ValueError("a story graph whose rows are not among the articles' rows")
    else:
        vectors = sparse.csr_matrix(
            (
                arrays["graph_data"].astype(np.float64),
                arrays["graph_indices"],
                arrays["graph_indptr"],
            ),
            shape=tuple(arrays["graph_shape"].tolist()),
        )
    if len(keys) != len(days) or vectors.shape[0] != len(keys):
        raise ValueError("a story graph that does not match its articles")
    if any(f"graph_{name}" not in arrays for name in PAIR_ARRAYS):
        raise ValueError("a story graph of an earlier layout")
    return StoryGraph(
        keys=keys,
        days=days,
        weekdays=arrays["graph_weekdays"],
        vocabulary=vocabulary,
        vectors=vectors,
        **{name: arrays[f"graph_{name}"] for name in PAIR_ARRAYS},
    )
