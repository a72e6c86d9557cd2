"""Theme placement as a briefing makes it: the rows of a labelled file grouped into stories by
the briefing's own story clustering, each row scored by the theme of its story. This is how a
reader meets a placement (the briefing files stories, not articles), and it is where a story's
reports are combined: the figures behind vote in briefer/group/theme_choice.py.

    python benchmarks/themes_stories.py ../shared/eval/themes_dev.jsonl \
        ../shared/eval/themes_dev.toml --alt benchmarks/themes_alt.toml

All rows (high and low) are clustered together, with their dates, as one briefing would; the
accuracy is over the `high` rows, half A (even id hash, themes_halves.half) and half B, then
over all 200 rows, with the kinds of error (themed rows filed under Other, Other rows filed
under a theme, rows under the wrong theme). Each way of combining a story's reports:

- alone: each row placed on its own (what `briefer eval themes` scores; no combining);
- mean report (before stop 23): the story read as its mean report, one reading of all its
  reports' words, against the theme's null;
- mean of scores: each report scored alone, the story's evidence their mean;
- vote, ties to the theme: each report placed alone, the story where most go; a tie between
  Other and a theme goes to the theme, between themes to the story's own-word evidence;
- vote (shipped): the same, a tie between Other and a theme going to Other
  (theme_choice.vote; checked to equal the briefing's placements).

The samples' stories with samples/themes.toml close the output (the briefing's placement).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy import sparse

from briefer.clean import clean
from briefer.group import load_themes, place_themes
from briefer.group import theme_choice as C
from briefer.group import themes as T
from briefer.group.grouping import file_stories
from briefer.group.texts import document_parts, read_texts
from briefer.group.theme_patterns import _MIN_MENTIONS, null_threshold, themes_patterns
from briefer.ingest import read_inputs
from briefer.records import Document, Theme

sys.path.insert(0, str(Path(__file__).resolve().parent))
from themes_halves import half, parsed, row_article, wordings

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _document(row: dict[str, object]) -> Document:
    article = row_article(row)
    when = str(row.get("date") or "")
    dated = datetime.fromisoformat(when).replace(tzinfo=UTC) if when else None
    return clean(replace(article, date=dated))


def _readings(
    documents: Sequence[Document], story_of: np.ndarray, count: int, themes: Sequence[Theme]
) -> dict[str, np.ndarray]:
    """themes.placements' readings, per story (the mean report) and per report alone."""
    texts = read_texts([document_parts(d) for d in documents])
    patterns = themes_patterns(themes)
    needed = np.asarray([null_threshold(p) for p in patterns])
    columns = sorted({p.stems for ps in patterns for p in ps})
    read = T._mentions(texts, columns, themes)
    weights, own, outright = T.pattern_weights(patterns, columns)
    query = (weights, own, needed)
    hits = read.hits

    def story_level(of: np.ndarray, n: int) -> tuple[C.Reading, C.Reading]:
        front_named = np.zeros((n, len(themes)), dtype=bool)
        whole_named = np.zeros_like(front_named)
        np.logical_or.at(front_named, of, read.named_front)
        np.logical_or.at(whole_named, of, read.named_whole)
        front_length = np.bincount(of, weights=read.front_length, minlength=n)
        whole_length = np.bincount(of, weights=read.whole_length, minlength=n)
        return (
            T._read(hits, hits.weight, front_length, of, query, front_named),
            T._read(hits, hits.whole, whole_length, of, query, whole_named),
        )

    front, whole = story_level(story_of, count)
    story_eligible, story_best = C.choose(
        front, whole, C.headlined(texts, hits, outright, story_of, count)
    )
    alone = np.arange(len(documents))
    front_alone, whole_alone = story_level(alone, len(documents))
    alone_eligible, alone_best = C.choose(
        front_alone, whole_alone, C.headlined(texts, hits, outright, alone, len(documents))
    )
    # The mean report, among the themes one of the story's reports qualifies for (or is
    # placed under) alone.
    restricted = {}
    for name, allowed_alone in (
        ("qualifies", alone_eligible),
        ("placed", np.eye(len(themes) + 1, dtype=bool)[alone_best + 1][:, 1:]),
    ):
        allowed = np.zeros_like(story_eligible)
        np.logical_or.at(allowed, story_of, allowed_alone)
        ok = story_eligible & allowed
        best = np.argmax(np.where(ok, whole.own, -np.inf), axis=1)
        best[~ok.any(axis=1)] = -1
        restricted[name] = best
    # Mean of scores: each report's saturated gains, averaged over its story.
    reports = np.bincount(story_of, minlength=count).astype(np.float64)
    mean = sparse.csr_matrix(
        (1.0 / reports[story_of], (story_of, alone)), shape=(count, len(documents))
    )
    mean_eligible = np.zeros((count, len(themes)), dtype=bool)
    mean_own = np.zeros((count, len(themes)))
    for reading, named in ((front_alone, front.qualified), (whole_alone, whole.qualified)):
        gains = sparse.csr_matrix(mean @ reading.gains)
        scores = np.asarray(gains @ weights)
        present = sparse.csr_matrix(gains, copy=True)
        present.data = np.ones_like(present.data)
        words = np.asarray(present @ (weights > 0))
        mean_eligible |= (scores >= needed) & (words >= _MIN_MENTIONS) & named
        if reading is whole_alone:
            mean_own = np.asarray(gains @ own)
    mean_best = np.argmax(np.where(mean_eligible, mean_own, -np.inf), axis=1)
    mean_best[~mean_eligible.any(axis=1)] = -1
    return {
        "alone": alone_best,
        "story": story_best,
        "mean": mean_best,
        "own": whole.own,
        "qualifies": restricted["qualifies"],
        "placed": restricted["placed"],
    }


def _votes(story_of: np.ndarray, count: int, alone: np.ndarray, themes: int) -> np.ndarray:
    votes = np.zeros((count, themes + 1), dtype=np.int64)
    np.add.at(votes, (story_of, alone + 1), 1)
    return votes


def _to_theme(votes: np.ndarray, own: np.ndarray) -> np.ndarray:
    """As theme_choice.vote, but a tie between Other and a theme goes to the theme."""
    themed = votes[:, 1:]
    top = themed.max(axis=1)
    best: np.ndarray = np.argmax(np.where(themed == top[:, None], own, -np.inf), axis=1)
    best[(top == 0) | (votes[:, 0] > top)] = -1
    return best


def _line(
    name: str, predicted: np.ndarray, gold: np.ndarray, high: np.ndarray, halves: np.ndarray
) -> str:
    parts = []
    for part in ("A", "B"):
        rows = high & (halves == part)
        parts.append(f"{part} {np.mean(predicted[rows] == gold[rows]):.3f}")
    h = high
    kinds = (
        int(((gold[h] >= 0) & (predicted[h] < 0)).sum()),
        int(((gold[h] < 0) & (predicted[h] >= 0)).sum()),
        int(((gold[h] >= 0) & (predicted[h] >= 0) & (predicted[h] != gold[h])).sum()),
    )
    return (
        f"{name:32} high {np.mean(predicted[h] == gold[h]):.3f} ({', '.join(parts)}); all rows"
        f" {np.mean(predicted == gold):.3f}; themed->Other {kinds[0]}, Other->themed {kinds[1]},"
        f" wrong theme {kinds[2]}; rows in Other {np.mean(predicted < 0):.2f}"
    )


def main() -> int:
    given = parsed()
    if given is None:
        return 0
    args, rows = given
    documents = [_document(row) for row in rows]
    high = np.asarray([row.get("confidence") == "high" for row in rows])
    halves = np.asarray([half(str(row["id"])) for row in rows])
    for label, path, rename in wordings(args):
        themes = load_themes(path)
        names = [theme.name for theme in themes]
        gold = np.asarray(
            [
                -1 if r["label"] == "Other" else names.index(rename.get(r["label"], r["label"]))
                for r in rows
            ]
        )
        filed = file_stories(documents, themes, "all")
        story_of, count = filed.story_of, len(filed.placements)
        shipped = np.asarray(
            [names.index(p.theme) if p.theme in names else -1 for p in filed.placements]
        )
        read = _readings(documents, story_of, count, themes)
        votes = _votes(story_of, count, read["alone"], len(themes))
        vote = C.vote(votes, read["own"])
        assert (vote == shipped).all(), "the vote is not the briefing's placement"
        several = int((np.bincount(story_of)[story_of] > 1)[high].sum())
        print(
            f"{label}: {len(rows)} rows in {count} stories; {several} of {int(high.sum())} high"
            " rows in stories of several reports"
        )
        for name, predicted in (
            ("alone", read["alone"]),
            ("mean report (before)", read["story"][story_of]),
            ("mean of scores", read["mean"][story_of]),
            ("mean report, a report qualifies", read["qualifies"][story_of]),
            ("mean report, a report placed", read["placed"][story_of]),
            ("vote, ties to the theme", _to_theme(votes, read["own"])[story_of]),
            ("vote (shipped)", vote[story_of]),
        ):
            print("  " + _line(name, predicted, gold, high, halves))
    articles = sorted(read_inputs([SAMPLES]).articles, key=lambda a: a.path)
    filed = file_stories([clean(a) for a in articles], load_themes(SAMPLES / "themes.toml"), "all")
    placed = [filed.placements[s].theme for s in filed.story_of.tolist()]
    print(
        "samples: "
        + ", ".join(f"{Path(a.path).name[:3]} {p}" for a, p in zip(articles, placed, strict=True))
    )
    alone = place_themes([[clean(a)] for a in articles], load_themes(SAMPLES / "themes.toml"))
    print(
        "samples alone: "
        + ", ".join(
            f"{Path(a.path).name[:3]} {p.theme}" for a, p in zip(articles, alone, strict=True)
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
