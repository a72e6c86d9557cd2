"""Build a day-of-heavy-news corpus for `briefer make`: front-matter Markdown files in a folder,
plus a themes.toml, from the development data in ../shared/eval.

    .venv/bin/python benchmarks/make_corpus.py OUT_DIR [--articles 10000] [--days 30] [--seed 7]
                                               [--copies]

Every article starts from a row of cnndm_dev, bbc_dev or clusters_dev and is then varied so
that no two files carry the same text: its sentences are partly reordered, one may be dropped,
a few sentences borrowed from another row of the same kind are appended, and it gets a new
headline, one of 40 sources and a date spread over `--days` days ending on the last day
(printed, with the matching `--since`/`--until`). The corpus is the same for the same seed.
With --copies every article varies one and the same row (near-copies of one report).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO.parent / "shared" / "eval"
FILES = ("cnndm_dev.jsonl", "bbc_dev.jsonl", "clusters_dev.jsonl")
SOURCES = tuple(
    f"{name} {kind}"
    for name in ("Northern", "Daily", "Evening", "Metro", "Global", "Capital", "Coastal", "Union")
    for kind in ("Herald", "Times", "Post", "Wire", "Ledger")
)
FIRST_DAY = dt.date(2025, 3, 1)
THEMES = """\
# Themes for the benchmark corpus (built by benchmarks/make_corpus.py).

[[theme]]
name = "Economy and business"
description = "Markets, companies, jobs, prices, trade and central banks."
keywords = ["economy", "market", "shares", "profits", "inflation", "interest rates", "jobs"]

[[theme]]
name = "Politics and elections"
description = "Governments, parties, elections, votes, laws and courts."
keywords = ["election", "parliament", "government", "minister", "vote", "law", "court"]

[[theme]]
name = "Sport"
description = "Football, tennis, rugby, athletics and other sports."
keywords = ["football", "match", "tennis", "cup", "coach", "championship", "rugby"]

[[theme]]
name = "Technology"
description = "Computers, the internet, phones, software, games and online services."
keywords = ["technology", "software", "internet", "computer", "phone", "online", "digital"]

[[theme]]
name = "Arts and entertainment"
description = "Films, music, television, theatre, books and celebrities."
keywords = ["film", "music", "album", "television", "actor", "award", "festival"]
"""

# The row --copies varies: cnndm_dev's sixth, a 920-word sports report (any long row would
# do; a short one leaves its variants less alike, as its borrowed sentences weigh more).
COPIED_ROW = 5
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"“A-Z(])|(?<= [.!?]) (?=\S)")
_LEADS = ("", "", "", "Update: ", "Analysis: ", "Live: ", "Explainer: ", "Report: ")


def _rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for name in FILES:
        path = EVAL / name
        if not path.is_file():
            # as every reader of ../shared: skipped cleanly where the dev data is not
            print(f"make_corpus: {path} not found; skipped (the corpus is built from the dev data)",
                  file=sys.stderr)  # fmt: skip
            raise SystemExit(0)
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            text = record.get("article") or record.get("text") or ""
            title = record.get("title") or ""
            if not title:  # cnndm rows have none: the start of the first sentence stands in
                words = text.split()[:10]
                title = " ".join(words).strip(" .,") if words else "Untitled"
                title = title[:1].upper() + title[1:]
            if text.strip():
                rows.append({"kind": name.split("_")[0], "title": title, "text": text})
    return rows


def _paragraphs(text: str) -> list[list[str]]:
    return [
        [s for s in _SENTENCE.split(paragraph.strip()) if s.strip()]
        for paragraph in re.split(r"\n\s*\n", text)
        if paragraph.strip()
    ]


def _vary(row: dict[str, str], other: dict[str, str], rng: random.Random) -> tuple[str, str]:
    paragraphs = _paragraphs(row["text"])
    flat = [(p, s) for p, sentences in enumerate(paragraphs) for s in range(len(sentences))]
    # The first two sentences stay put, so each variant still reads like a news lead.
    movable = flat[2:]
    if len(movable) >= 3:
        for _ in range(rng.randint(1, 3)):
            (p1, s1), (p2, s2) = rng.sample(movable, 2)
            paragraphs[p1][s1], paragraphs[p2][s2] = paragraphs[p2][s2], paragraphs[p1][s1]
        if rng.random() < 0.5:
            p, s = rng.choice(movable)
            if len(paragraphs[p]) > 1:
                del paragraphs[p][s]
    borrowed = [s for sentences in _paragraphs(other["text"]) for s in sentences]
    if borrowed:
        start = rng.randrange(len(borrowed))
        paragraphs.append(borrowed[start : start + rng.randint(1, 4)])
    text = "\n\n".join(" ".join(sentences) for sentences in paragraphs if sentences)
    title = rng.choice(_LEADS) + row["title"]
    if rng.random() < 0.3:
        words = title.split()
        if len(words) > 4:
            cut = rng.randint(4, len(words))
            title = " ".join(words[:cut])
    return title, text


def _toml_string(value: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(value, ensure_ascii=False)


def build(
    out: Path, count: int, days: int = 30, seed: int = 7, copies: bool = False
) -> tuple[dt.date, dt.date]:
    """Write `count` articles and a themes.toml into out; return the corpus's first and last
    day. copies: every article varies the same row (one wire story run by every outlet with
    small changes, which pairs every report with every other), a CNN/DailyMail report of
    some length (COPIED_ROW)."""
    rng = random.Random(seed)
    rows = _rows()
    by_kind: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(row)
    out.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    for number in range(count):
        row = by_kind["cnndm"][COPIED_ROW] if copies else rows[number % len(rows)]
        while True:
            other = rng.choice(by_kind[row["kind"]])
            title, text = _vary(row, other, rng)
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            if digest not in seen:
                seen.add(digest)
                break
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(days))
        source = rng.choice(SOURCES)
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:50] or "article"
        url = f"https://{source.lower().replace(' ', '')}.example/{day.isoformat()}/{slug}"
        header = (
            f"+++\ntitle = {_toml_string(title)}\ndate = {day.isoformat()}\n"
            f"source = {_toml_string(source)}\nurl = {_toml_string(url)}\n+++\n\n"
        )
        name = f"{number:05d}-{slug}.md"
        (out / name).write_text(header + text + "\n", encoding="utf-8")
    (out / "themes.toml").write_text(THEMES, encoding="utf-8")
    return FIRST_DAY, FIRST_DAY + dt.timedelta(days=days - 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder the articles are written into")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--copies", action="store_true", help="every article varies one row")
    args = parser.parse_args(argv)
    first, last = build(args.out, args.articles, args.days, args.seed, args.copies)
    print(
        f"{args.articles} articles in {args.out}; "
        f"briefer make -i {args.out} --since {first} --until {last}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
