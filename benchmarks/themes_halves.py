"""Theme placement measured on two halves of a labelled file, for choosing a constant on one
half and reporting it on the other.

    python benchmarks/themes_halves.py ../shared/eval/themes_dev.jsonl \
        ../shared/eval/themes_dev.toml [--alt benchmarks/themes_alt.toml] \
        [--third benchmarks/themes_third.toml] [--set NAME=VALUE] [--all-rows] [--terse] \
        [--case title|lower|upper]

Rows are split by the parity of a hash of their id (half A: even, half B: odd), so the split
depends on nothing but the ids. Only `high`-confidence rows are scored (the file's README
says to judge by them). --set overrides a constant of the theme modules (set_constant) for a
sweep (the near-synonyms' cut is baked into their shipped table: see
tools/build_word_vectors.py); benchmarks/themes_audit.py sweeps each of them. --terse reads
each themes file with its descriptions left out: the same subjects as a user who writes only
names and keywords would give them, a check that placement does not need a description (the
held-out data comes with another user's file).
--case rewrites each file's theme names in title case ("Peace Talks"), lower case, or (upper)
the whole file, descriptions and keywords too, in capitals: a file files the same however it
is cased.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from briefer.clean import clean
from briefer.group import load_themes, place_themes
from briefer.group import texts as texts_module
from briefer.group import theme_choice as choice_module
from briefer.group import theme_mentions as mentions_module
from briefer.group import theme_patterns as patterns_module
from briefer.group import themes as themes_module
from briefer.records import OTHER_THEME, Article, Theme

ALT_NAMES = {  # the second wording's names for the same six subjects
    "NATO membership": "Joining the alliance",
    "Weapons aid": "Arming Ukraine",
    "Peace talks": "Negotiations and diplomacy",
    "Sanctions": "Economic pressure on Russia",
    "Battlefield": "Fighting and front lines",
    "Humanitarian": "Civilians and refugees",
}
LABELS = (
    "NATO membership",
    "Weapons aid",
    "Peace talks",
    "Sanctions",
    "Battlefield",
    "Humanitarian",
)
THIRD_NAMES = {  # the third wording's (benchmarks/themes_third.toml), written before any row
    "NATO membership": "Alliance enlargement",
    "Weapons aid": "Military support for Kyiv",
    "Peace talks": "Diplomacy to end the war",
    "Sanctions": "Punishing Moscow economically",
    "Battlefield": "War on the ground",
    "Humanitarian": "Civilian suffering",
}


def themes_parser() -> argparse.ArgumentParser:
    """The arguments every themes benchmark takes: the labelled rows, their themes file and
    our second wording (--alt)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=Path)
    parser.add_argument("themes", type=Path)
    parser.add_argument("--alt", type=Path)
    parser.add_argument("--third", type=Path)
    return parser


def wordings(args: argparse.Namespace) -> list[tuple[str, Path, dict[str, str]]]:
    """The themes files given, each with its names for the dev labels: the dev file's own
    ("file"), our second wording ("alt") and our third ("third")."""
    return (
        [("file", args.themes, {})]
        + ([("alt", args.alt, ALT_NAMES)] if args.alt else [])
        + ([("third", args.third, THIRD_NAMES)] if args.third else [])
    )


def read_rows(path: Path) -> list[dict[str, Any]] | None:
    """The labelled rows of a JSON-lines file; None (said on stderr) when it is absent, as
    ../shared is on a user's machine: the benchmark then skips."""
    if not path.exists():
        print(f"{path}: not found; skipped", file=sys.stderr)
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line]


def parsed(
    parser: argparse.ArgumentParser | None = None,
) -> tuple[argparse.Namespace, list[dict[str, Any]]] | None:
    """The arguments (of themes_parser, or of a parser built on it) and the labelled rows they
    name; None when the rows are absent (said by read_rows): the benchmark then skips."""
    args = (parser or themes_parser()).parse_args()
    rows = read_rows(args.rows)
    return None if rows is None else (args, rows)


# Every module that holds a placement constant, as its own name or imported by name.
CONSTANT_MODULES = (texts_module, patterns_module, themes_module, choice_module, mentions_module)


def set_constant(name: str, value: float) -> dict[Any, Any]:
    """Set a placement constant wherever a theme module holds it (a constant imported by name
    is a copy: setting it in one module alone left the others at the shipped value), with the
    null's mean field weight worked out again; returns what restore_constants takes."""
    holders = [m for m in CONSTANT_MODULES if hasattr(m, name)]
    if not holders:
        raise SystemExit(f"--set: no theme module has {name}")
    saved = {(m, name): getattr(m, name) for m in holders}
    for module in holders:
        setattr(module, name, type(getattr(module, name))(value))
    patterns_module._MEAN_FIELD = patterns_module._mean_field()
    return saved


def restore_constants(saved: dict[Any, Any]) -> None:
    for (module, name), value in saved.items():
        setattr(module, name, value)
    patterns_module._MEAN_FIELD = patterns_module._mean_field()


def half(row_id: str) -> str:
    return "A" if hashlib.sha1(row_id.encode()).digest()[0] % 2 == 0 else "B"


def row_article(row: dict[str, object]) -> Article:
    """A labelled row as the article briefer would read (undated: placement never reads dates)."""
    return Article(
        id=str(row["id"]),
        title=str(row.get("title") or ""),
        date=None,
        source=str(row.get("source") or ""),
        url="",
        text=str(row["text"]),
        path=str(row["id"]),
    )


def auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Chance a positive outscores a negative (ties count half): the Mann-Whitney AUC."""
    wins = (positive[:, None] > negative[None, :]).mean()
    ties = (positive[:, None] == negative[None, :]).mean()
    return float(wins + 0.5 * ties)


CASES = {"title": str.title, "lower": str.lower, "upper": str.upper}


def recased(theme: Theme, case: str) -> Theme:
    """A theme as a file in another case writes it (--case): its name, and in capitals its
    description and keywords too."""
    style = CASES[case]
    if case != "upper":
        return replace(theme, name=style(theme.name))
    keywords = tuple(style(k) for k in theme.keywords)
    return replace(
        theme, name=style(theme.name), description=style(theme.description), keywords=keywords
    )


def score(
    rows: list[dict[str, object]],
    themes_path: Path,
    rename: dict[str, str],
    terse: bool = False,
    case: str = "",
) -> dict[str, str]:
    """Each part's line: its rows, accuracy and macro-F1 (measure)."""
    return {
        name: f"n {n} acc {accuracy:.3f} macroF1 {f1:.3f}"
        for name, (n, accuracy, f1) in measure(rows, themes_path, rename, terse, case).items()
    }


def measure(
    rows: list[dict[str, object]],
    themes_path: Path,
    rename: dict[str, str],
    terse: bool = False,
    case: str = "",
) -> dict[str, tuple[int, float, float]]:
    """Half A, half B and all the rows: how many, accuracy and macro-F1."""
    themes = load_themes(themes_path)
    if terse:
        themes = tuple(replace(theme, description="") for theme in themes)
    if case:
        themes = tuple(recased(theme, case) for theme in themes)
        rename = {label: CASES[case](name) for label, name in rename.items()} | {
            label: CASES[case](label) for label in LABELS if label not in rename
        }
    docs = [[clean(row_article(row))] for row in rows]
    placed = place_themes(docs, themes)
    lines: dict[str, tuple[int, float, float]] = {}
    for name in ("A", "B", "all"):
        picked = [
            (rename.get(str(r["label"]), str(r["label"])), p.theme)
            for r, p in zip(rows, placed, strict=True)
            if name == "all" or half(str(r["id"])) == name
        ]
        gold = [OTHER_THEME if g == "Other" else g for g, _ in picked]
        pred = [p for _, p in picked]
        labels = sorted(set(gold) | set(pred))
        f1s = []
        for label in labels:
            tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == label)
            denominator = gold.count(label) + pred.count(label)
            f1s.append(2 * tp / denominator if denominator else 0.0)
        accuracy = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold)
        lines[name] = (len(gold), accuracy, sum(f1s) / len(f1s))
    return lines


def main() -> int:
    parser = themes_parser()
    parser.add_argument("--set", action="append", default=[])
    parser.add_argument("--all-rows", action="store_true", help="score low rows too")
    parser.add_argument("--terse", action="store_true", help="leave the descriptions out")
    parser.add_argument("--case", choices=sorted(CASES), default="", help="recase each file")
    given = parsed(parser)
    if given is None:
        return 0
    args, loaded = given
    for pair in args.set:
        name, _, value = pair.partition("=")
        set_constant(name, float(value))
    rows = loaded
    if not args.all_rows:
        rows = [r for r in rows if r.get("confidence") == "high"]
    for label, path, rename in wordings(args):
        for part, line in score(rows, path, rename, args.terse, args.case).items():
            print(f"{label:5} {part:4} {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
