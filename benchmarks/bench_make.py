"""Time `briefer make` on a 10,000-article day, cold (fresh store) and warm (a rerun), and
report peak memory.

    .venv/bin/python benchmarks/bench_make.py [--articles 10000] [--repeat 2] [--corpus DIR]

Builds the corpus with benchmarks/make_corpus.py (in a temporary folder, or in --corpus DIR
when that folder does not hold it yet), then runs the real CLI as a subprocess: for each
repeat, one cold run with no store and one warm run over the store the cold run left. Peak
memory is the most the whole process tree (briefer and its worker processes) held at once,
sampled from /proc every 20 ms, and the largest single process as the kernel counted it
(ru_maxrss). Prints the best of the repeats, as the machine may be shared, and every run.
Targets (issue 6): cold <= 30 s, warm <= 3 s, peak < 1 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import build

# The installed command, as a user runs it: start-up time is part of what is measured.
BRIEFER = [str(Path(sys.executable).with_name("briefer"))]
TARGETS = {"cold": 30.0, "warm": 3.0}
MEMORY_TARGET_MB = 1024


@dataclass(frozen=True)
class Run:
    kind: str
    seconds: float
    tree_mb: float  # peak of the summed resident memory of briefer and its children
    largest_mb: float  # ru_maxrss of the largest process among them


def _tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants, right now."""
    total = 0
    pending = [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
                total += int(statm.read().split()[1]) * page
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (OSError, ValueError):
            continue  # the process ended between two reads
    return total


def _run(kind: str, args: list[str], cwd: Path) -> Run:
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [*BRIEFER, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=err
        )
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(process.pid))
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # wait4 gives this run's own rusage: ru_maxrss of the largest process in its tree.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            message = err.read().decode(errors="replace")
            sys.exit(f"bench_make: briefer make failed ({process.returncode}):\n{message}")
    return Run(kind, seconds, peak / 2**20, usage.ru_maxrss / 1024)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=2, help="cold+warm pairs; best is shown")
    parser.add_argument("--corpus", type=Path, help="keep the corpus here (built if missing)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="briefer-bench-") as temporary:
        work = Path(temporary)
        corpus = args.corpus.resolve() if args.corpus else work / "corpus"
        first: dt.date | None = None
        last: dt.date | None = None
        if not (corpus / "themes.toml").is_file():
            started = time.perf_counter()
            first, last = build(corpus, args.articles)
            print(
                f"corpus: {args.articles} articles built in {time.perf_counter() - started:.1f} s"
            )
        since, until = _period(corpus, first, last)
        make = ["make", "-i", str(corpus), "--since", since, "--until", until, "--out"]
        runs: list[Run] = []
        for number in range(args.repeat):
            out = work / f"run{number}" / "briefings"
            shutil.rmtree(out.parent, ignore_errors=True)
            out.parent.mkdir(parents=True)
            runs.append(_run("cold", [*make, str(out)], work))
            runs.append(_run("warm", [*make, str(out)], work))
            for run in runs[-2:]:
                print(
                    f"  run {number + 1} {run.kind}: {run.seconds:6.2f} s, "
                    f"peak {run.tree_mb:6.0f} MB (largest process {run.largest_mb:.0f} MB)"
                )
    print(f"briefer make, {args.articles} articles, {os.cpu_count()} cores, best of {args.repeat}:")
    for kind in ("cold", "warm"):
        best = min(run.seconds for run in runs if run.kind == kind)
        verdict = "ok" if best <= TARGETS[kind] else "OVER"
        print(f"  {kind:<5} {best:6.2f} s   (target <= {TARGETS[kind]:.0f} s: {verdict})")
    peak = max(run.tree_mb for run in runs)
    verdict = "ok" if peak < MEMORY_TARGET_MB else "OVER"
    print(
        f"  peak  {peak:6.0f} MB  (whole process tree; target < {MEMORY_TARGET_MB} MB: {verdict})"
    )
    return 0


def _period(corpus: Path, first: dt.date | None, last: dt.date | None) -> tuple[str, str]:
    """The corpus's first and last day, from its files when it was built earlier."""
    if first is not None and last is not None:
        return str(first), str(last)
    days = set()
    for path in corpus.glob("*.md"):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("date = "):
                    days.add(line.split("=", 1)[1].strip())
                    break
    return min(days), max(days)


if __name__ == "__main__":
    sys.exit(main())
