"""Time `briefer make` on a busy week of 10,000 articles (30,000 with --sizes), against the
floor of simply reading and splitting the same files, and report peak memory.

    .venv/bin/python benchmarks/bench_make.py [--sizes 10000 [30000]] [--repeat 3] [-v]
                                              [--days 7] [--corpus DIR] [--undated] [--copies]

For each size it builds the corpus with benchmarks/make_corpus.py (in a temporary folder, or
in --corpus DIR/<size> when that folder does not hold it yet) from the dev data in
../shared/eval, and then, for each repeat, in this order:
- floor: one process reads every file and splits its body into sentences with briefer's own
  splitter (briefer.sentences.split_text), nothing else; the time of that work alone
  (interpreter start-up and imports excluded, so the floor is the lowest honest figure);
- cold: `briefer make` with no store; warm: the same command again over the store it left;
- +50: 50 new articles (same generator, another seed, dated inside the period) added to the
  corpus, then `briefer make` again; they are removed afterwards.
Each `make` runs the installed command as a subprocess (start-up is part of what a user
waits for). Peak memory is the most the whole process tree (briefer and its worker processes)
held at once, sampled from /proc every 20 ms. Ratios to the floor are taken within the same
repeat, as the machine may be shared and loaded; the summary shows medians over repeats.
-v adds one more cold run, and a warm and a +50 run over its store, with every stage timed (in
process, by wrapping the pipeline's stage functions) and prints where the time went, and, for
that cold run, the most the main process and the whole tree held while each stage ran (where
the peak is). That sampling runs in the timed process and its CPU is counted in the cold
column's stages; the warm and +50 runs are timed without it.
It says first and last whether briefer's own modules were loaded from cached bytecode or
compiled from source in every run (an editable install under PYTHONDONTWRITEBYTECODE=1 never
caches any; an installed briefer has its bytecode: ~0.1 s of a +50 run).
--undated runs the same corpus (and the same 50 new articles) with every `date` line taken
out, in its own folder (<size>-<days>d-undated): every article placed by the day first seen,
today, and the run's period the `--days` days up to today; the held-out news mostly carries
no date, and undated reports pair with every report of their topic. --copies builds every
article from one and the same row (make_corpus.py --copies, <size>-<days>d-copies): one
report run many times with small changes, whose story graph holds nearly every pair (the
dense case; 1,500 of them is a size to try). The targets are the dated week's; the other
corpora are read against them too.
Targets (issue 13, 2 cores): 10k cold <= 10 s and <= 5x floor, warm <= 1 s, +50 <= 2 s, peak
tree < 500 MB; 30k cold <= 3.3x the 10k cold and peak < 800 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import EVAL, FILES, build

# The installed command, as a user runs it: start-up time is part of what is measured.
BRIEFER = [str(Path(sys.executable).with_name("briefer"))]
NEW_ARTICLES = 50  # the incremental run's additions (issue 13)
NEW_SEED = 1013  # any seed but make_corpus's default: new texts, not copies of the corpus
# Issue 13's targets at 10,000 articles: seconds, ratio to the floor, MB.
TARGET_COLD, TARGET_COLD_RATIO, TARGET_WARM, TARGET_NEW, TARGET_MB = 10.0, 5.0, 1.0, 2.0, 500
TARGET_LINEAR, TARGET_BIG_MB = 3.3, 800  # 30k cold / 10k cold; 30k peak


@dataclass(frozen=True)
class Run:
    kind: str
    seconds: float
    tree_mb: float  # peak of the summed resident memory of the process and its children
    # Peak of the tree's proportional set size: a page shared by n processes (a forked
    # copy's, until either writes to it) counted 1/n in each, so once in all. The summed
    # resident memory counts it in every process that maps it.
    pss_mb: float = 0.0


def _tree_rss(root: int) -> tuple[int, int]:
    """Resident bytes of a process and all its descendants, right now, summed; and their
    proportional set size (0 where /proc has no smaps_rollup)."""
    total = proportional = 0
    pending = [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
                total += int(statm.read().split()[1]) * page
            rollup_path = f"/proc/{pid}/smaps_rollup"
            with contextlib.suppress(FileNotFoundError), open(rollup_path, "rb") as rollup:
                for line in rollup:
                    if line.startswith(b"Pss:"):
                        proportional += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (OSError, ValueError):
            continue  # the process ended between two reads
    return total, proportional


def _run(kind: str, command: list[str], cwd: Path) -> tuple[Run, str]:
    """Run command, sampling its tree's memory; its wall time, peak and standard output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        peak = peak_pss = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak, peak_pss
            while not done.is_set():
                resident, proportional = _tree_rss(process.pid)
                peak, peak_pss = max(peak, resident), max(peak_pss, proportional)
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        returncode = process.wait()
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        if returncode != 0:
            err.seek(0)
            message = err.read().decode(errors="replace")
            sys.exit(f"bench_make: {' '.join(command[:3])} failed ({returncode}):\n{message}")
        out.seek(0)
        run = Run(kind, seconds, peak / 2**20, peak_pss / 2**20)
        return run, out.read().decode(errors="replace")


# ---- the floor: read and split, nothing else ----------------------------------------------


def floor(corpus: Path) -> None:
    """Read every article file of corpus and split its body's paragraphs into sentences;
    print the seconds that took (imports excluded) and the sentence count."""
    from briefer.sentences import split_text

    split_text("Warm the lexicon up. Then time.")  # its data files are read once, on first use
    started = time.perf_counter()
    count = 0
    for path in sorted(corpus.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        body = text.split("+++", 2)[-1]  # past the front matter
        for paragraph in body.split("\n\n"):
            if paragraph.strip():
                count += len(split_text(" ".join(paragraph.split())))
    print(json.dumps({"seconds": time.perf_counter() - started, "sentences": count}))


# ---- the stage breakdown: a cold run with the pipeline's stage functions timed ---------------

# (module, attribute, label): what is timed, outermost first. A stage nested in another (the
# grouping's parts) is counted in both.
_STAGES = (
    ("briefer.pipeline", "list_inputs", "list input files"),
    ("briefer.pipeline", "run_key", "run key (file stamps, options)"),
    ("briefer.store.Store", "briefing", "stored briefing read"),
    ("briefer.pipeline", "read_inputs", "ingest (read + parse + ids)"),
    ("briefer.pipeline", "in_period", "in period (first-seen)"),
    ("briefer.parallel.Summarizer", "__call__", "summarize (clean + split + score)"),
    ("briefer.cache.Cache", "summaries", "summaries incl. store lookups"),
    ("briefer.pipeline", "group", "group (all)"),
    ("briefer.group.grouping", "texts_from", "  group: texts for grouping"),
    ("briefer.group.grouping", "story_matrices", "  group: term matrix"),
    ("briefer.group.grouping", "term_rows", "  group: term rows"),
    ("briefer.group.grouping", "_story_graph", "  group: story graph (built, extended)"),
    ("briefer.group.grouping", "story_labels", "  group: story clustering"),
    ("briefer.group.grouping", "placements", "  group: themes"),
    # The stories are told half here, half in a worker process (telling.tell_stories):
    # these two are this process's half.
    ("briefer.group.telling", "find_copies", "  group: copy detection (here)"),
    ("briefer.group.telling", "story_bullets", "  group: story bullets (here)"),
    ("briefer.group.grouping", "topic_labels", "  group: topic labels"),
    ("briefer.cache.Cache", "stories", "  group: stories told, incl. store"),
    ("briefer.pipeline", "rank", "rank"),
    ("briefer.store.Store", "save", "store writes"),
    ("briefer.store.Store", "add_rows", "store: grouping rows"),
    ("briefer.cache.Cache", "written", "files still as written (check)"),
    ("briefer.deliver", "write_briefing", "render + write"),
)


def stages(argv: list[str], memory: bool = True) -> None:
    """Run the CLI with argv, each stage of _STAGES timed; print the times as JSON on the last
    line of standard output. memory: also sample what the process and its tree hold while
    each stage runs (a thread of this process reading /proc every 20 ms, whose own CPU is
    counted in the stages': on the 10k +50 rerun 0.6-1.2 s of system CPU, a quarter of the
    run's, so the runs whose memory is not shown leave it off)."""
    import importlib

    times: dict[str, float] = {}  # wall seconds
    spent: dict[str, float] = {}  # CPU seconds of this process (not its workers)
    # The most this process, and its tree, held while each stage ran (MB, sampled every 20
    # ms): where a run's peak is, and what each stage adds to what came before.
    peaks: dict[str, list[float]] = {}
    running: list[str] = []  # the stages under way, outermost first
    sampling = threading.Event()

    def sample() -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not sampling.wait(0.02):
            with open("/proc/self/statm", encoding="ascii") as statm:
                main = int(statm.read().split()[1]) * page / 2**20
            tree = _tree_rss(os.getpid())[0] / 2**20
            for label in list(running):
                peak = peaks.setdefault(label, [0.0, 0.0])
                peak[0], peak[1] = max(peak[0], main), max(peak[1], tree)

    if memory:
        threading.Thread(target=sample, daemon=True).start()
    started, cpu = time.perf_counter(), time.process_time()
    for module_name, attribute, label in _STAGES:
        module_path, _, owner_name = module_name.rpartition(".")
        if owner_name[:1].isupper():
            owner: Any = getattr(importlib.import_module(module_path), owner_name)
        else:
            owner = importlib.import_module(module_name)
        if not hasattr(owner, attribute):  # renamed by a later change: said, not faked
            print(f"bench_make: {module_name}.{attribute} not found; not timed", file=sys.stderr)
            continue

        def timed(function: Callable[..., Any], label: str = label) -> Callable[..., Any]:
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                clock, cpu = time.perf_counter(), time.process_time()
                running.append(label)
                try:
                    return function(*args, **kwargs)
                finally:
                    running.remove(label)
                    times[label] = times.get(label, 0.0) + time.perf_counter() - clock
                    spent[label] = spent.get(label, 0.0) + time.process_time() - cpu

            return wrapper

        setattr(owner, attribute, timed(getattr(owner, attribute)))
    from briefer.cli import app

    times["imports (cli, before the run)"] = time.perf_counter() - started
    spent["imports (cli, before the run)"] = time.process_time() - cpu

    try:
        app(argv, prog_name="briefer")
    except SystemExit as stop:
        if stop.code not in (0, None):
            raise
    times["total (in process)"] = time.perf_counter() - started
    spent["total (in process)"] = time.process_time() - cpu
    sampling.set()
    # The worker processes' CPU (counted once they have ended, which they do within the run).
    ended = os.times()
    workers = ended.children_user + ended.children_system
    print(json.dumps({"wall": times, "cpu": spent, "workers cpu": workers, "peaks": peaks}))


# ---- the benchmark ------------------------------------------------------------------------


def _period(corpus: Path) -> tuple[str, str]:
    """The corpus's first and last day, from its files."""
    days = set()
    for path in corpus.glob("*.md"):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("date = "):
                    days.add(line.split("=", 1)[1].strip())
                    break
    return min(days), max(days)


def _corpus(root: Path, size: int, days: int, copies: bool = False) -> Path:
    corpus = root / f"{size}-{days}d{'-copies' if copies else ''}"
    if not (corpus / "themes.toml").is_file():
        started = time.perf_counter()
        build(corpus, size, days=days, copies=copies)
        print(
            f"corpus: {size} articles over {days} days built in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
    return corpus


def _undated(corpus: Path) -> Path:
    """A copy of the corpus beside it with every `date` line taken out (made once)."""
    undated = corpus.with_name(f"{corpus.name}-undated")
    if not (undated / "themes.toml").is_file():  # written last: the copy is whole
        undated.mkdir(parents=True, exist_ok=True)
        for path in corpus.glob("*.md"):
            _copy_undated(path, undated / path.name)
        shutil.copyfile(corpus / "themes.toml", undated / "themes.toml")
    return undated


def _copy_undated(source: Path, target: Path) -> None:
    """source written to target without its front matter's `date` line."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    target.write_text("".join(x for x in lines if not x.startswith("date = ")), encoding="utf-8")


def _new_articles(work: Path, days: int, undated: bool = False) -> list[Path]:
    """NEW_ARTICLES articles unlike the corpus's, over the same days (undated: without dates)."""
    folder = work / "new"
    if not folder.is_dir():
        build(folder, NEW_ARTICLES, days=days, seed=NEW_SEED)
    if undated:
        bare = work / "new-undated"
        if not bare.is_dir():
            bare.mkdir()
            for path in folder.glob("*.md"):
                _copy_undated(path, bare / path.name)
        folder = bare
    return sorted(folder.glob("*.md"))


def bench_size(
    size: int,
    root: Path,
    work: Path,
    repeat: int,
    days: int,
    verbose: bool,
    undated: bool = False,
    copies: bool = False,
) -> dict[str, float]:
    corpus = _corpus(root, size, days, copies)
    since, until = _period(corpus)
    if undated:  # placed by the day first seen: today, the last day of the period
        corpus = _undated(corpus)
        today = dt.date.today()
        since, until = str(today - dt.timedelta(days=days - 1)), str(today)
    new = _new_articles(work, days, undated)
    python = [sys.executable, str(Path(__file__).resolve())]
    rows: list[dict[str, Run]] = []
    for number in range(repeat):
        floor_run, printed = _run("floor", [*python, "--floor", str(corpus)], work)
        runs = {
            "floor": dataclasses.replace(
                floor_run, seconds=json.loads(printed.splitlines()[-1])["seconds"]
            )
        }
        out = work / f"run{size}-{number}" / "briefings"
        shutil.rmtree(out.parent, ignore_errors=True)
        out.parent.mkdir(parents=True)
        make = [
            *BRIEFER,
            "make",
            "-i",
            str(corpus),
            "--since",
            since,
            "--until",
            until,
            "--out",
            str(out),
        ]
        runs["cold"] = _run("cold", make, work)[0]
        runs["warm"] = _run("warm", make, work)[0]
        added = [corpus / f"zz-new-{path.name}" for path in new]
        try:
            for source, target in zip(new, added, strict=True):
                shutil.copyfile(source, target)
            runs["+50"] = _run("+50", make, work)[0]
        finally:
            for path in added:
                path.unlink(missing_ok=True)
        shutil.rmtree(out.parent, ignore_errors=True)
        rows.append(runs)
        base = runs["floor"].seconds
        print(
            f"  {size} run {number + 1}: "
            + ", ".join(
                f"{kind} {run.seconds:.2f} s ({run.seconds / base:.1f}x, {run.tree_mb:.0f} MB,"
                f" PSS {run.pss_mb:.0f} MB)"
                for kind, run in runs.items()
            ),
            flush=True,
        )
    summary: dict[str, float] = {}
    print(
        f"\nbriefer make, {size} articles over {days} days ({corpus.name}), "
        f"{os.cpu_count()} cores, median of {repeat} (ratio to the floor of the same repeat):"
    )
    for kind in ("floor", "cold", "warm", "+50"):
        seconds = statistics.median(r[kind].seconds for r in rows)
        ratio = statistics.median(r[kind].seconds / r["floor"].seconds for r in rows)
        peak = statistics.median(r[kind].tree_mb for r in rows)
        pss = statistics.median(r[kind].pss_mb for r in rows)
        summary[kind] = seconds
        summary[f"{kind} MB"] = peak
        print(
            f"  {kind:<6} {seconds:7.2f} s  {ratio:5.1f}x floor  peak tree {peak:5.0f} MB"
            f"  (PSS {pss:5.0f} MB)"
        )
    summary["peak MB"] = max(
        run.tree_mb for r in rows for kind, run in r.items() if kind != "floor"
    )
    summary["cold ratio"] = statistics.median(r["cold"].seconds / r["floor"].seconds for r in rows)
    pss = max(run.pss_mb for r in rows for kind, run in r.items() if kind != "floor")
    print(
        f"  peak of the whole process tree over all runs: {summary['peak MB']:.0f} MB"
        f" (PSS {pss:.0f} MB: pages shared with a forked copy counted once)"
    )
    if verbose:
        out = work / f"stages{size}" / "briefings"
        shutil.rmtree(out.parent, ignore_errors=True)
        out.parent.mkdir(parents=True)
        make = ["make", "-i", str(corpus), "--since", since, "--until", until, "--out", str(out)]
        # One more cold run, then warm and +50 over its store, each with its stages timed.
        columns: dict[str, dict[str, float]] = {}
        walls: list[str] = []
        added = [corpus / f"zz-new-{path.name}" for path in new]
        try:
            for kind in ("cold", "warm", "+50"):
                if kind == "+50":
                    for source, target in zip(new, added, strict=True):
                        shutil.copyfile(source, target)
                # Memory is shown for the cold run only: the others' CPU without the sampler's.
                flag = "--stages" if kind == "cold" else "--stages-cpu"
                run, printed = _run("stages", [*python, flag, *make], work)
                columns[kind] = json.loads(printed.splitlines()[-1])
                walls.append(f"{kind} {run.seconds:.2f} s, {run.tree_mb:.0f} MB")
        finally:
            for path in added:
                path.unlink(missing_ok=True)
        print(
            f"  stages of one more cold, warm and +50 run ({'; '.join(walls)} wall), in seconds:"
            " wall and CPU of the main process (the machine may be shared: CPU is what a stage"
            " costs; the cold column's includes sampling its memory, the others' does not)"
        )
        kinds = ("cold", "warm", "+50")
        print(f"    {'':<38} " + "   ".join(f"{kind + ' wall':>9} {'cpu':>6}" for kind in kinds))
        labels = list(dict.fromkeys(label for times in columns.values() for label in times["wall"]))
        for label in labels:
            cells = []
            for kind in kinds:
                wall, cpu = columns[kind]["wall"].get(label), columns[kind]["cpu"].get(label)
                cells.append(
                    f"{'-':>9} {'-':>6}"
                    if wall is None or cpu is None
                    else f"{wall:9.2f} {cpu:6.2f}"
                )
            print(f"    {label:<38} " + "   ".join(cells))
        workers = "   ".join(f"{'':>9} {columns[kind]['workers cpu']:6.2f}" for kind in kinds)
        print(f"    {'worker processes (CPU, all of them)':<38} {workers}")
        peaks = columns["cold"]["peaks"]
        print(
            "  memory of that cold run: the most the main process and the whole tree held"
            " while each stage ran (MB; the tree's peak is the run's)"
        )
        print(f"    {'':<38} {'main':>9} {'tree':>6}")
        for label in labels:
            if label in peaks:
                print(f"    {label:<38} {peaks[label][0]:9.0f} {peaks[label][1]:6.0f}")
        shutil.rmtree(out.parent, ignore_errors=True)
    return summary


def bytecode_note() -> str:
    """Whether the runs measured load briefer's own modules from cached bytecode or compile
    them from source every time (~0.1 s of a +50 run): an installed briefer has its
    bytecode; an editable one under PYTHONDONTWRITEBYTECODE=1 never writes any."""
    import importlib.util

    import briefer

    sources = sorted(Path(briefer.__file__).parent.rglob("*.py"))
    cached = 0
    for source in sources:
        compiled = Path(importlib.util.cache_from_source(str(source)))
        if compiled.is_file() and compiled.stat().st_mtime >= source.stat().st_mtime:
            cached += 1
    unwritten = (
        " (PYTHONDONTWRITEBYTECODE is set)" if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""
    )
    if cached == len(sources):
        return f"briefer's {len(sources)} modules loaded from their cached bytecode"
    return (
        f"briefer's modules compiled from source in every run: {len(sources) - cached} of"
        f" {len(sources)} without cached bytecode{unwritten}"
    )


def _verdicts(results: dict[int, dict[str, float]]) -> None:
    print("\ntargets (issue 13):")

    def line(what: str, value: float, target: float, unit: str) -> None:
        verdict = "ok" if value <= target else "MISSED"
        print(f"  {what:<28} {value:8.2f} {unit:<3} (target {target:g}): {verdict}")

    if 10_000 in results:
        small = results[10_000]
        line("10k cold", small["cold"], TARGET_COLD, "s")
        line("10k cold / floor", small["cold ratio"], TARGET_COLD_RATIO, "x")
        line("10k warm", small["warm"], TARGET_WARM, "s")
        line("10k +50", small["+50"], TARGET_NEW, "s")
        line("10k peak tree", small["peak MB"], TARGET_MB, "MB")
        if 30_000 in results:
            big = results[30_000]
            line("30k cold / 10k cold", big["cold"] / small["cold"], TARGET_LINEAR, "x")
            line("30k peak tree", big["peak MB"], TARGET_BIG_MB, "MB")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--floor"]:
        floor(Path(argv[1]))
        return 0
    if argv[:1] in (["--stages"], ["--stages-cpu"]):
        stages(argv[1:], memory=argv[0] == "--stages")
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[10_000],
        help="corpus sizes (10000 30000 for the linearity check)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="repeats; medians are shown")
    parser.add_argument("--days", type=int, default=7, help="days the articles spread over")
    parser.add_argument("--corpus", type=Path, help="keep the corpora here (built if missing)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print a stage breakdown")
    parser.add_argument("--undated", action="store_true", help="every date line taken out")
    parser.add_argument("--copies", action="store_true", help="every article one row varied")
    args = parser.parse_args(argv)
    results: dict[int, dict[str, float]] = {}
    missing = [name for name in FILES if not (EVAL / name).is_file()]
    if missing:  # the corpus and the +50 articles are both made from the dev data
        print(f"bench_make: {EVAL / missing[0]} not found; skipped", file=sys.stderr)
        return 0
    print(bytecode_note(), flush=True)
    with tempfile.TemporaryDirectory(prefix="briefer-bench-") as temporary:
        work = Path(temporary)
        root = args.corpus.resolve() if args.corpus else work / "corpus"
        for size in args.sizes:
            results[size] = bench_size(
                size, root, work, args.repeat, args.days, args.verbose, args.undated, args.copies
            )
    _verdicts(results)
    print(f"  ({bytecode_note()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
