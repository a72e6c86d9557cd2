"""A mutation fuzz campaign over every input format: real-shaped inputs (the test fixtures and
samples), mutated byte by byte and by structure, read one at a time the way briefer reads them.

    .venv/bin/python benchmarks/fuzz_inputs.py [--count 100000] [--seed 1] [--budget 10]
        [--save DIR]

Prints the count, crashes (an exception other than InputError, with the test-mode switch on
so nothing is hidden by the boundary, or a record that breaks an invariant: control
characters, a BOM or a lone surrogate in a field, an empty text), hangs (an input over
--budget seconds of CPU time, so a busy shared machine does not make hangs), the time and the
peak memory. Input number i is made from random seed
(seed, i) alone, so any finding is reproduced with `--seed S --only i`; with --save, the
bytes of each finding are written there too. tests/test_fuzz.py runs a few hundred inputs of
the same campaign on every test run; this script runs it large.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import random
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

os.environ["BRIEFER_RAISE_BUGS"] = "1"  # the boundary raises bugs instead of reporting them

from briefer.errors import InputError
from briefer.ingest import ARTICLE_SUFFIXES, read_feed_data, read_file, read_page_data
from briefer.records import Article

REPO = Path(__file__).resolve().parents[1]
SEED_FOLDERS = ("tests/fixtures/ingest", "tests/fixtures/feeds", "tests/fixtures/web", "samples")

# Pieces that trip parsers: markup, entities, controls, odd spaces, YAML and TOML syntax,
# dates out of the calendar, numbers past every limit, and the issue-15 triggers in small.
NASTY: tuple[bytes, ...] = tuple(
    piece.encode("utf-8", errors="surrogatepass")
    for piece in (
        "<", ">", "&", "&amp;", "&#0;", "&#xD800;", "&#x1b;", "&#1114112;", "&nbsp;", "]]>",
        "<![CDATA[", "<!--", "-->", "<?xml version='1.0'?>", "<p>", "</p>", "<script>",
        "<script></script>&#x1b;",
        "</div>", "<!DOCTYPE x [<!ENTITY a 'aaaa'>]>", "&a;", "\x00", "\x0b", "\x1b[31m", "\x07",
        "\x7f", "\u200b", "\u2028", "\ufeff", "\u202e", "\u0301", "\ufffd", "+++", "---", "...",
        "\r", "\r\n", "\n\n", "\t", '"', "'", "\\", "\\ud800", "\\u0000", "{", "}", "[" * 50,
        "]", "&x", "*x", "<<: *x", "!!python/object:os.system", "!!binary", "? ", ": ", "- ",
        "date = 9999-12-31T23:00:00-05:00", "date: 0001-01-01T01:00:00+05:00", "0000-00-00",
        "Tue, 03 Dec 2024 99999999999999999999:00:00 GMT", "9" * 5000, "1e999", "-0", "NaN",
        "title = ", "title: ", '"title": ', "<title>", "<pubDate>", "<published>",
        "2024-02-30", "\xa0", "日本語", "😀", "ß", "İ",
    )
)  # fmt: skip


def seeds() -> list[tuple[str, bytes]]:
    found = []
    for folder in SEED_FOLDERS:
        for path in sorted((REPO / folder).iterdir()):
            if path.suffix.lower() in ARTICLE_SUFFIXES:
                found.append((path.suffix.lower(), path.read_bytes()))
    return found


def _delete(rng: random.Random, data: bytes, _seeds: list[tuple[str, bytes]]) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + data[at + rng.randint(1, 64) :]


def _insert_bytes(rng: random.Random, data: bytes, _seeds: list[tuple[str, bytes]]) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.randbytes(rng.randint(1, 16)) + data[at:]


def _insert_nasty(rng: random.Random, data: bytes, _seeds: list[tuple[str, bytes]]) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice(NASTY) + data[at:]


def _repeat(rng: random.Random, data: bytes, _seeds: list[tuple[str, bytes]]) -> bytes:
    at = rng.randrange(len(data) + 1)
    span = data[at : at + rng.randint(1, 64)]
    return data[:at] + span * rng.choice((2, 10, 100, 1000)) + data[at:]


def _replace(rng: random.Random, data: bytes, _seeds: list[tuple[str, bytes]]) -> bytes:
    at = rng.randrange(len(data) + 1)
    span = rng.randint(1, 32)
    return data[:at] + rng.randbytes(span) + data[at + span :]


def _splice(rng: random.Random, data: bytes, all_seeds: list[tuple[str, bytes]]) -> bytes:
    other = rng.choice(all_seeds)[1]
    return data[: rng.randrange(len(data) + 1)] + other[rng.randrange(len(other) + 1) :]


def _truncate(rng: random.Random, data: bytes, _seeds: list[tuple[str, bytes]]) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _nest(rng: random.Random, data: bytes, _seeds: list[tuple[str, bytes]]) -> bytes:
    at = rng.randrange(len(data) + 1)
    opener, closer = rng.choice(((b"<div>", b"</div>"), (b"[", b"]"), (b"{", b"}"), (b"> ", b"")))
    depth = rng.choice((100, 1000, 5000))
    return data[:at] + opener * depth + closer * rng.choice((0, depth)) + data[at:]


def _reencode(rng: random.Random, data: bytes, _seeds: list[tuple[str, bytes]]) -> bytes:
    encoding = rng.choice(("latin-1", "utf-16", "utf-32", "cp1252", "shift_jis", "utf-7", "cp037"))
    return data.decode("utf-8", errors="replace").encode(encoding, errors="replace")


MUTATORS: tuple[Callable[[random.Random, bytes, list[tuple[str, bytes]]], bytes], ...] = (
    _delete, _insert_bytes, _insert_nasty, _insert_nasty, _repeat, _replace, _splice,
    _truncate, _nest, _reencode,
)  # fmt: skip


def make_input(seed: int, number: int, all_seeds: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    """Input `number` of the campaign `seed`: a seed file with 1-8 mutations."""
    rng = random.Random(f"{seed}:{number}")
    suffix, data = rng.choice(all_seeds)
    if rng.random() < 0.1:  # the same bytes under another format's name
        suffix = rng.choice(sorted(ARTICLE_SUFFIXES))
    for _ in range(rng.randint(1, 8)):
        data = rng.choice(MUTATORS)(rng, data, all_seeds)
    return suffix, data


class Hang(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise Hang


def check_article(article: Article) -> str | None:
    """What is wrong with an article that was read; None when nothing is."""
    if not article.text.strip():
        return "empty text"
    for name in ("title", "source", "url"):
        value = getattr(article, name)
        if any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in value):
            return f"control character in {name}"
    for name in ("title", "source", "url", "text"):
        value = getattr(article, name)
        if "\ufeff" in value or any(0xD800 <= ord(char) <= 0xDFFF for char in value):
            return f"BOM or lone surrogate in {name}"
    return None


@dataclass
class Report:
    count: int = 0
    articles: int = 0
    refused: int = 0
    crashes: list[tuple[int, str]] = field(default_factory=list)
    hangs: list[tuple[int, float]] = field(default_factory=list)
    slowest: tuple[float, int] = (0.0, -1)
    kinds: Counter[str] = field(default_factory=Counter)


def read_one(folder: Path, number: int, suffix: str, data: bytes) -> list[Article]:
    """Read the input as briefer would: from a file, and (every third) as fetched bytes."""
    if number % 3 == 0 and suffix in (".xml", ".rss", ".atom"):
        return list(read_feed_data("fuzz", data).articles)
    if number % 3 == 0 and suffix in (".html", ".htm"):
        return [read_page_data("fuzz", data)]
    path = folder / f"input{suffix}"
    path.write_bytes(data)
    return read_file(path)


def campaign(
    count: int,
    seed: int = 1,
    budget: float = 10.0,
    save: Path | None = None,
    only: int | None = None,
    progress: Callable[[Report], None] | None = None,
) -> Report:
    all_seeds = seeds()
    report = Report()
    # CPU time, not wall time: a process starved on a shared machine is not hanging.
    previous = signal.signal(signal.SIGPROF, _alarm)
    with tempfile.TemporaryDirectory() as name:  # warm up: first use imports the parsers
        for number, (suffix, data) in enumerate(all_seeds):
            with contextlib.suppress(InputError):
                read_one(Path(name), number, suffix, data)
    numbers: Iterator[int] = iter([only]) if only is not None else iter(range(count))
    try:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            for number in numbers:
                suffix, data = make_input(seed, number, all_seeds)
                report.count += 1
                report.kinds[suffix] += 1
                started = time.process_time()
                finding = None
                signal.setitimer(signal.ITIMER_PROF, budget)
                try:
                    articles = read_one(folder, number, suffix, data)
                except InputError:
                    report.refused += 1
                except Hang:
                    report.hangs.append((number, budget))
                    finding = "hang"
                except Exception:
                    finding = traceback.format_exc(limit=-3)
                    report.crashes.append((number, finding))
                else:
                    report.articles += len(articles)
                    for article in articles:
                        problem = check_article(article)
                        if problem is not None:
                            finding = problem
                            report.crashes.append((number, problem))
                            break
                finally:
                    signal.setitimer(signal.ITIMER_PROF, 0)
                elapsed = time.process_time() - started
                if elapsed > budget and finding is None:  # stuck in C code past the alarm
                    report.hangs.append((number, elapsed))
                    finding = "hang"
                report.slowest = max(report.slowest, (elapsed, number))
                if finding is not None and save is not None:
                    save.mkdir(parents=True, exist_ok=True)
                    (save / f"{seed}-{number}{suffix}").write_bytes(data)
                if progress is not None and report.count % 5000 == 0:
                    progress(report)
    finally:
        signal.signal(signal.SIGPROF, previous)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=10.0, help="CPU seconds before a hang")
    parser.add_argument("--save", type=Path, help="folder for the bytes of each finding")
    parser.add_argument("--only", type=int, help="run input number ONLY alone (reproduce)")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # the lines for refused inputs are not the point here
    started = time.monotonic()

    def progress(report: Report) -> None:
        print(
            f"  {report.count:,} inputs, {len(report.crashes)} crashes, {len(report.hangs)} "
            f"hangs, {time.monotonic() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )

    report = campaign(args.count, args.seed, args.budget, args.save, args.only, progress)
    elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kinds = ", ".join(f"{suffix} {number:,}" for suffix, number in sorted(report.kinds.items()))
    print(f"inputs:   {report.count:,} (seed {args.seed}; {kinds})")
    print(f"read:     {report.articles:,} articles; {report.refused:,} inputs refused (one line)")
    print(f"crashes:  {len(report.crashes)}")
    print(f"hangs:    {len(report.hangs)} (over {args.budget:g} s of CPU)")
    print(f"slowest:  {report.slowest[0]:.2f} s of CPU (input {report.slowest[1]})")
    print(f"time:     {elapsed:.0f} s ({report.count / max(elapsed, 1e-9):.0f} inputs/s)")
    print(f"peak RSS: {peak:.0f} MB")
    for number, problem in report.crashes[:20]:
        print(f"\ncrash: --seed {args.seed} --only {number}\n{problem}")
    for number, seconds in report.hangs[:20]:
        print(f"hang: --seed {args.seed} --only {number} ({seconds:.1f} s)")
    return 1 if report.crashes or report.hangs else 0


if __name__ == "__main__":
    sys.exit(main())
