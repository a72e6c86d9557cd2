"""Static word vectors as a second theme score: the measurement behind the note in
briefer/group/themes.py (tried, not taken).

    python benchmarks/themes_vectors.py ../shared/eval/themes_dev.jsonl \
        ../shared/eval/themes_dev.toml [--alt benchmarks/themes_alt.toml]

Needs `wordllama` (pip install wordllama; not a dependency of briefer): its bundled 256-dim
token embedding, loaded offline. Each high row's title and first 1,500 characters are
embedded, and so is each theme (name, description, keywords); the cosine is read against a
per-theme null (300 texts of 250 words drawn at their English frequencies from wordfreq,
seed 0) as a z-score. For both wordings and both halves it prints: the theme score's own
z-score alone, and Stouffer's sum with the vectors' z-score, each placing a row under the
highest theme at 10 SD or more (the theme word and qualifier rules left out of both, so
they compare like with like); then the AUC of the best theme's value, themed rows against
Other rows; and how many of the rows 5-10 SD above the score's null would be placed
right or wrong if the vectors' nearest theme decided them.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

from briefer.clean import clean
from briefer.group import load_themes, place_themes
from briefer.group import theme_patterns as patterns_module
from briefer.records import OTHER_THEME

sys.path.insert(0, str(Path(__file__).resolve().parent))
from themes_halves import auc, half, parsed, row_article, wordings


def _unit(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def main() -> int:
    given = parsed()
    if given is None:
        return 0
    args, loaded = given
    try:
        import wordfreq
        import wordllama
    except ImportError:
        print("wordllama is not installed; skipped", file=sys.stderr)
        return 0
    model = wordllama.WordLlama.load(
        cache_dir=Path(wordllama.__file__).parent, disable_download=True
    )
    rows = [r for r in loaded if r.get("confidence") == "high"]
    documents = [clean(row_article(r)) for r in rows]
    texts = [d.article.title + "\n" + "\n".join(b.text for b in d.blocks)[:1500] for d in documents]
    vectors = _unit(model.embed(texts))
    english = list(wordfreq.get_frequency_dict("en", wordlist="best").items())[:30_000]
    weights = np.asarray([p for _, p in english])
    rng = np.random.default_rng(0)
    null_texts = [
        " ".join(rng.choice([w for w, _ in english], size=250, p=weights / weights.sum()))
        for _ in range(300)
    ]
    null_vectors = _unit(model.embed(null_texts))
    halves = np.asarray([half(str(r["id"])) for r in rows])

    for label, path, rename in wordings(args):
        themes = load_themes(path)
        names = np.asarray([t.name for t in themes])
        gold = np.asarray(
            [
                OTHER_THEME if r["label"] == "Other" else rename.get(r["label"], r["label"])
                for r in rows
            ]
        )
        placed = place_themes([[d] for d in documents], themes)
        scores = np.asarray([[f.score for f in p.fits] for p in placed])
        # The null's mean and SD, read off the threshold at 0 and 1 SD.
        saved = patterns_module._NULL_SIGMAS
        try:
            patterns_module._NULL_SIGMAS = 0.0
            mean = np.asarray(
                [patterns_module.null_threshold(patterns_module.theme_patterns(t)) for t in themes]
            )
            patterns_module._NULL_SIGMAS = 1.0
            sd = (
                np.asarray(
                    [
                        patterns_module.null_threshold(patterns_module.theme_patterns(t))
                        for t in themes
                    ]
                )
                - mean
            )
        finally:
            patterns_module._NULL_SIGMAS = saved
        z_score = (scores - mean) / np.maximum(sd, 1e-12)
        theme_vectors = _unit(
            model.embed([f"{t.name}. {t.description} {', '.join(t.keywords)}" for t in themes])
        )
        null_cosines = null_vectors @ theme_vectors.T
        z_vector = (vectors @ theme_vectors.T - null_cosines.mean(0)) / null_cosines.std(0)
        themed = gold != OTHER_THEME
        for rule, z in (("score", z_score), ("stouffer", (z_score + z_vector) / math.sqrt(2))):
            best = np.where(z.max(1) >= 10.0, names[z.argmax(1)], OTHER_THEME)
            figures = " ".join(
                f"{h} {np.mean(best[halves == h] == gold[halves == h]):.3f}" for h in ("A", "B")
            )
            print(f"{label:5} {rule:9} {figures} all {np.mean(best == gold):.3f}")
        # Rows 5-10 SD above the null: placed if the vectors' nearest theme agrees?
        top = z_score.argmax(1)
        band = (z_score.max(1) >= 5.0) & (z_score.max(1) < 10.0)
        agrees = band & (z_vector.argmax(1) == top)
        right = names[top] == gold
        print(
            f"{label:5} 5-10 SD: {band.sum()} rows, agreeing {(agrees & right).sum()} right, "
            f"{(agrees & ~right).sum()} wrong"
        )
        for name, value in (("score", z_score), ("vectors", vectors @ theme_vectors.T)):
            top = value.max(1)
            print(f"{label:5} AUC {name:8} {auc(top[themed], top[~themed]):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
