"""A cold `briefer make`'s wall-clock timeline: which process of the tree is busy when, and what
the main process is doing then (issue 13: where the cold run waits on one core).

    .venv/bin/python benchmarks/cold_timeline.py /tmp/perf-corpus/10000-7d [--bin 0.5]
                                                 [--plain] [--out DIR]

Runs `make` over the corpus folder (its first and last day as the period, as bench_make does)
into a fresh output folder (--out, else a temporary one: no store, so the run is cold), with
bench_make's stage functions timed in the main process (their start and end on the wall
clock); --plain runs the installed `briefer` command instead, with no stage timed (start-up as
a user has it). Meanwhile this process reads every process of the tree's CPU time from /proc
every 20 ms. It prints:
- each process: its role (main; reading worker, forked; spawned worker: the one that tells
  half the stories and compares half the story graph's pairs), when it was first and last
  seen, and its CPU seconds;
- for each --bin seconds of wall time, each process's CPU there in percent of one core and
  the main process's stages under way;
- the stages: first start, last end, summed wall and CPU, calls;
- the run cut at the main process's top stages: each span's wall seconds and each process's
  CPU seconds in it (a span where the main process alone spent CPU waited on one core, what
  overlap could still take).
On a machine shared with other work the percentages are shares of what the tree was given:
compare runs of the same sitting, and quote the load.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_make import _STAGES, BRIEFER, _period

_SAMPLE = 0.02  # seconds between two reads of /proc
_TICK = os.sysconf("SC_CLK_TCK")
# The main process's stages the run is cut at (bench_make's labels), in the order they run.
_PHASES = (
    "list input files",
    "run key (file stamps, options)",
    "ingest (read + parse + ids)",
    "group (all)",
    "group: texts for grouping",
    "group: term matrix",
    "group: term rows",
    "group: story graph (built, extended)",
    "group: story clustering",
    "group: stories told, incl. store",
    "rank",
    "render + write",
)


def _inner(events_path: Path, argv: list[str]) -> None:
    """Run the CLI with argv in this process, each of bench_make's stages timed on the wall
    clock; write [(label, start, end, cpu seconds)] as JSON to events_path."""
    events: list[tuple[str, float, float, float]] = []
    for module_name, attribute, label in _STAGES:
        module_path, _, owner_name = module_name.rpartition(".")
        if owner_name.lstrip("_")[:1].isupper():
            owner: Any = getattr(importlib.import_module(module_path), owner_name)
        else:
            owner = importlib.import_module(module_name)
        if not hasattr(owner, attribute):
            continue

        def timed(function: Callable[..., Any], label: str = label) -> Callable[..., Any]:
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                start, cpu = time.time(), time.process_time()
                try:
                    return function(*args, **kwargs)
                finally:
                    events.append((label.strip(), start, time.time(), time.process_time() - cpu))

            return wrapper

        setattr(owner, attribute, timed(getattr(owner, attribute)))
    from briefer.cli import app

    with contextlib.suppress(SystemExit):
        app(argv, prog_name="briefer")
    events_path.write_text(json.dumps(events), encoding="utf-8")


def _tree(root: int) -> list[int]:
    found, pending = [root], [root]
    while pending:
        pid = pending.pop()
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                    kids = [int(child) for child in children.read().split()]
                found += kids
                pending += kids
        except (OSError, ValueError):
            continue  # ended between two reads
    return found


def _cpu(pid: int) -> float | None:
    """The process's user and system CPU seconds so far (None: it has ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, IndexError, ValueError):
        return None


def _role(pid: int, root: int) -> str:
    if pid == root:
        return "main"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"
    if "resource_tracker" in command:
        return "resource tracker"
    return "spawned worker" if "multiprocessing.spawn" in command else "reading worker"


def timeline(command: list[str], events_path: Path | None, width: float) -> None:
    started = time.time()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    samples: dict[int, list[tuple[float, float]]] = {}
    roles: dict[int, str] = {}
    while process.poll() is None:
        now = time.time() - started
        for pid in _tree(process.pid):
            # Read again while it runs: a spawned process shows its parent's command line
            # until it has started its own interpreter.
            if roles.get(pid, "reading worker") == "reading worker":
                roles[pid] = _role(pid, process.pid)
            cpu = _cpu(pid)
            if cpu is not None:
                samples.setdefault(pid, []).append((now, cpu))
        time.sleep(_SAMPLE)
    wall = time.time() - started
    if process.returncode:
        sys.exit(f"cold_timeline: the run failed ({process.returncode})")
    events: list[tuple[str, float, float, float]] = []
    if events_path is not None and events_path.is_file():
        events = [tuple(event) for event in json.loads(events_path.read_text(encoding="utf-8"))]
    shown = [pid for pid, seen in samples.items() if seen[-1][1] >= 0.05]
    count = int(wall / width) + 1
    busy: dict[int, list[float]] = {}
    for pid in shown:
        bins = [0.0] * count
        for (_, before), (at, after) in zip(samples[pid], samples[pid][1:], strict=False):
            bins[min(int(at / width), count - 1)] += after - before
        busy[pid] = [value / width for value in bins]  # cores
    print(f"wall {wall:.2f} s, load {os.getloadavg()[0]:.2f} at the end")
    for column, pid in enumerate(shown):
        seen = samples[pid]
        print(
            f"  [{column}] {roles[pid]:<15} seen {seen[0][0]:5.2f}-{seen[-1][0]:5.2f} s,"
            f" CPU {seen[-1][1]:5.2f} s"
        )
    print(f"\n  {'t (s)':>6} " + " ".join(f"[{k}]%" for k in range(len(shown))) + "  stages")
    for index in range(count):
        low, high = index * width, (index + 1) * width
        under_way = dict.fromkeys(
            label
            for label, start, end, _ in events
            if start - started < high and end - started > low
        )
        cells = " ".join(f"{100 * busy[pid][index]:4.0f}" for pid in shown)
        print(f"  {low:6.1f} {cells}  {' > '.join(under_way)}")
    if not events:  # --plain: no stage timed
        print(f"\n  tree CPU {sum(seen[-1][1] for seen in samples.values()):.2f} s")
        return
    print("\n  stages: first start, last end, summed wall, summed CPU (s), calls")
    summed: dict[str, list[float]] = {}
    for label, start, end, cpu in events:
        entry = summed.setdefault(label, [start, end, 0.0, 0.0, 0.0])
        entry[0], entry[1] = min(entry[0], start), max(entry[1], end)
        entry[2] += end - start
        entry[3] += cpu
        entry[4] += 1
    for label, (start, end, spent, cpu, calls) in sorted(summed.items(), key=lambda e: e[1][0]):
        print(
            f"  {start - started:6.2f} {end - started:6.2f} {spent:6.2f} {cpu:6.2f} {calls:5.0f}"
            f"  {label}"
        )
    # The run cut at the main process's top stages' edges: each span's wall time and each
    # process's CPU in it. CPU seconds hold on a shared machine where percentages do not: a
    # span where the main process spent about its wall time and the others nothing waited
    # on one core.
    edges = {0.0, wall}
    spans: list[tuple[float, float, str]] = []
    for label, start, end, _ in events:
        if label in _PHASES:
            edges.update((start - started, end - started))
            spans.append((start - started, end - started, label))
    cuts = sorted(edges)
    print("\n  the run by the main process's stages: wall, then each process's CPU (s)")
    print(
        f"  {'from':>6} {'to':>6} {'wall':>5} "
        + " ".join(f"{f'[{k}]':>5}" for k in range(len(shown)))
    )
    for low, high in itertools.pairwise(cuts):
        if high - low < 0.005:
            continue
        # The innermost stage under way (the shortest that holds the span).
        holding = [
            (end - start, label) for start, end, label in spans if start <= low <= high <= end
        ]
        name = min(holding)[1] if holding else "(between stages)"
        cells = " ".join(
            f"{_cpu_at(samples[pid], high) - _cpu_at(samples[pid], low):5.2f}" for pid in shown
        )
        print(f"  {low:6.2f} {high:6.2f} {high - low:5.2f} {cells}  {name}")
    print(f"  tree CPU {sum(seen[-1][1] for seen in samples.values()):.2f} s")


def _cpu_at(seen: list[tuple[float, float]], at: float) -> float:
    """A process's CPU seconds at wall time `at` (s from the start), from its samples: the
    last read at or before it (0 before it was first seen)."""
    spent = 0.0
    for when, cpu in seen:
        if when > at:
            break
        spent = cpu
    return spent


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--inner"]:
        _inner(Path(argv[1]), argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a folder of article files (bench_make's)")
    parser.add_argument("--bin", type=float, default=0.5, help="seconds of wall time a row")
    parser.add_argument("--plain", action="store_true", help="the installed command, untimed")
    parser.add_argument("--out", type=Path, help="the run's folder (no briefings/ in it yet)")
    args = parser.parse_args(argv)
    since, until = _period(args.corpus)
    with tempfile.TemporaryDirectory(prefix="briefer-timeline-") as temporary:
        folder = args.out or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        out = folder / "briefings"
        if out.exists():
            sys.exit(f"cold_timeline: {out} exists; a cold run needs a fresh folder")
        make = ["make", "-i", str(args.corpus), "--since", since, "--until", until]
        make += ["--out", str(out)]
        if args.plain:
            timeline([*BRIEFER, *make], None, args.bin)
        else:
            events = folder / "events.json"
            this = [sys.executable, str(Path(__file__).resolve()), "--inner", str(events)]
            timeline([*this, *make], events, args.bin)
    return 0


if __name__ == "__main__":
    sys.exit(main())
