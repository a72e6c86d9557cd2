"""A generalization audit of theme placement's constants: each swept alone over a grid around
its shipped value, the others as shipped, and scored on both halves of a labelled file with
every wording given.

    python benchmarks/themes_audit.py ../shared/eval/themes_dev.jsonl \
        ../shared/eval/themes_dev.toml --alt benchmarks/themes_alt.toml \
        --third benchmarks/themes_third.toml [--only NAME]

The constants were chosen on half A (themes_halves.py: rows split by a hash of their id), so
half A peaks at the shipped values by construction; what the audit asks is where half B,
never tuned on, would put each one, and by how much. For every value it prints each
wording's accuracy on half A / half B and their sums over the wordings; `A*` and `B*` mark
the best sums (ties all marked). Nothing here is tuned: a constant is moved only on half A's
evidence (see docs/quality.md for the last audit's figures).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from themes_halves import (
    measure,
    parsed,
    restore_constants,
    set_constant,
    themes_parser,
    wordings,
)

# Each constant (or pair moved together), its shipped value first, then the grid.
GRID: dict[str, tuple[tuple[str, ...], float, tuple[float, ...]]] = {
    "_NULL_SIGMAS": (("_NULL_SIGMAS",), 10.0, (7, 8, 9, 10, 11, 12, 14)),
    "_DESCRIPTION_WEIGHT": (("_DESCRIPTION_WEIGHT",), 0.5, (0.25, 0.35, 0.5, 0.65, 0.75, 1.0)),
    "_SYNONYM_WEIGHT": (("_SYNONYM_WEIGHT",), 0.5, (0.0, 0.25, 0.5, 0.75, 1.0)),
    "_K1": (("_K1",), 1.2, (0.6, 0.9, 1.2, 1.5, 2.0)),
    "_B": (("_B",), 0.75, (0.3, 0.5, 0.75, 0.9, 1.0)),
    "_REFERENCE_LENGTH": (("_REFERENCE_LENGTH",), 400.0, (210, 250, 300, 400, 500, 600)),
    "_MIN_ZIPF": (("_MIN_ZIPF",), 3.0, (2.0, 2.5, 3.0, 3.5, 4.0)),
    "_MIN_MENTIONS": (("_MIN_MENTIONS",), 2, (1, 2, 3, 4)),
    "THEME_LEAD_WORDS": (("THEME_LEAD_WORDS",), 30, (15, 20, 30, 40, 60)),
    "BODY_HALF_LIFE": (("BODY_HALF_LIFE",), 66.0, (30, 45, 66, 90, 125)),
    "headline and lead field": (
        ("_HEADLINE_FIELD", "_LEAD_FIELD"),
        3.0,
        (1.5, 2.0, 2.5, 3.0, 4.0, 5.0),
    ),
}


def main() -> int:
    parser = themes_parser()
    parser.add_argument("--only", action="append", default=[], help="audit these alone")
    given = parsed(parser)
    if given is None:
        return 0
    args, loaded = given
    rows = [r for r in loaded if r.get("confidence") == "high"]
    named = wordings(args)
    for label, (names, shipped, grid) in GRID.items():
        if args.only and label not in args.only:
            continue
        print(f"{label} (shipped {shipped:g})")
        lines = []
        for value in grid:
            saved: dict[object, object] = {}
            for name in names:
                saved |= set_constant(name, float(value))
            try:
                parts = [measure(rows, path, rename) for _, path, rename in named]
            finally:
                restore_constants(saved)
            a = sum(p["A"][1] for p in parts)
            b = sum(p["B"][1] for p in parts)
            each = "  ".join(
                f"{w} {p['A'][1]:.3f}/{p['B'][1]:.3f}"
                for (w, _, _), p in zip(named, parts, strict=True)
            )
            lines.append((value, each, a, b))
        best_a = max(a for _, _, a, _ in lines)
        best_b = max(b for _, _, _, b in lines)
        for value, each, a, b in lines:
            marks = ("A*" if a == best_a else "  ") + ("B*" if b == best_b else "  ")
            print(f"  {value:>6g}  {each}  sum A {a:.3f} B {b:.3f} {marks}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
