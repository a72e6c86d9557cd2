"""How a run sets up the process it runs in: numpy's BLAS threads and large pages, and the
cyclic garbage collector. The core's entry points apply it (pipeline.make, build and
summarize_file, the themes report, the evaluations), so the command line and the Python API
run alike. A setting of the user's own (the environment variables) wins, and a program
embedding briefer may keep its process as it is (pipeline.make and build's `tune`, the API's
`tune_process=False`)."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator

# A run builds a large, long-lived heap (10,000 stored articles, their rows, stories): with the
# default threshold (700 allocations) the cyclic collector ran ~960 times in a +50 run on the
# 10k bench store and spent 0.38-0.48 s there, most of it re-scanning that heap. Thresholds
# tried on that run (seconds in the collector, collections, peak RSS): 10,000: 0.15-0.19 s,
# 57; 20,000: 0.12 s, 26; 50,000: 0.10-0.15 s, 8, 355 MB as with the default; 100,000:
# 0.07 s, 3, 361-363 MB; 200,000: 0.06 s, 1, 378-380 MB (cyclic garbage held longer). A cold
# 10k run: 0.92 -> 0.31 s in the collector, the same peak (431 MB) and briefing. Spawned
# workers take this process's threshold (workers.Workers).
GC_THRESHOLD = 50_000


def tune_process() -> None:
    """The process set up for a run, for the rest of its life: numpy reads its two settings
    once, when first imported (so this comes before), and the collector's threshold is what
    the run's spawned workers take too."""
    # numpy's OpenBLAS starts a thread per core when numpy is imported, and they spin:
    # briefer's matrices are scipy.sparse ones (no BLAS), so the threads only burn CPU: a +50
    # run on the 10k bench store took 2.58 -> 2.41 s of user CPU with one thread (three runs
    # each, same outputs).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # numpy asks the kernel for 2 MB pages (madvise) for every array of 4 MB or more, and each
    # fault on one then zeroes all 2 MB: grouping's large temporaries made that most of the
    # main process's system time (perf: clear_page, from numpy's casts and copies). Off,
    # alternated cold runs, main-process system CPU: 10k 0.67-0.71 -> 0.57-0.61 s (three
    # each), 30k 2.11-2.79 -> 1.63-1.67 s (two each); user CPU and briefings the same.
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    gc.set_threshold(GC_THRESHOLD)


# Whether this process ends as soon as its command returns (cli.run), never freeing what the
# run built.
_ENDS_WITH_COMMAND = False


def ends_with_command() -> None:
    """Say that this process ends as soon as its command returns (cli.run: the installed
    command and `python -m briefer`), for tuned_run to leave what the run built to the end."""
    global _ENDS_WITH_COMMAND
    _ENDS_WITH_COMMAND = True


def ending_with_command() -> bool:
    """Whether this process ends as soon as its command returns (ends_with_command)."""
    return _ENDS_WITH_COMMAND


# What runs built, held until the process ends (keep_to_the_end).
_KEPT: list[object] = []


def keep_to_the_end(*objects: object) -> None:
    """Hold these objects until the process ends, when it ends as soon as its command returns
    (ends_with_command; otherwise nothing is held): what a run built (the store's records of
    its 10,000 files, the cache's keys, the briefing) is then never freed one object at a
    time as the command returns, work the process's end (cli.run: os._exit) does not do.
    After a +50 rerun on the 10k bench store, from the store's close to the process's end:
    0.020-0.024 s of CPU (three runs) with them freed."""
    if _ENDS_WITH_COMMAND:
        _KEPT.extend(objects)


@contextlib.contextmanager
def tuned_run(tune: bool = True) -> Iterator[None]:
    """tune_process, and the cyclic collector off while the briefing is made, on again after
    (if it was on), the run failing or not; with tune false, nothing: the process is left as
    it is (a program embedding briefer that keeps its own collector settings, the API's
    tune_process=False). What a run builds is long-lived and, but for a few hundred objects,
    free of cycles, so each collection only scanned it again. Counted by
    gc.callbacks (collections, objects found unreachable, seconds): a cold 10k bench run 37,
    703, 0.19 s; a cold 30k run 58, 703, 0.75 s (peak RSS of the main process 735 MB with it,
    738 without); a +50 run on the 10k store 35, 738, 0.076 s. Worker processes collect as
    ever (workers._worker: parsing feeds and pages leaves cycles, ~18 objects a file)."""
    if not tune:
        yield
        return
    tune_process()
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            if _ENDS_WITH_COMMAND:
                # The run's objects stay until the process ends: moved out of the collector's
                # reach (gc.freeze, at once), or the next allocation would scan every one of
                # them (all young while it was off): 0.04-0.07 s after a +50 rerun.
                gc.freeze()
            gc.enable()
