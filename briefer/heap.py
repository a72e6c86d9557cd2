"""Giving the memory a run has let go back to the system (issue 13: a big run's peak).

The C library's allocator keeps what the process frees (the texts, cleaned blocks and words
a stage is done with) in its heap, counted in the process's resident size, and hands it out
again only to allocations that fit its holes; glibc's malloc_trim returns every whole free
page of the heap to the system. Called where a stage has just let go of much (grouping, once
the articles' words are in its Texts and once the stories are told)."""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library the process runs on; None where there is none to load (Windows)."""
    try:
        return ctypes.CDLL(None)
    except (OSError, TypeError):  # no C library to load by None (Windows)
        return None


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim; None where the C library has none (macOS, musl, Windows)."""
    found = getattr(_libc(), "malloc_trim", None)
    if found is None:
        log.debug("no malloc_trim in the C library: freed memory stays in the heap")
        return None
    found.argtypes = [ctypes.c_size_t]
    found.restype = ctypes.c_int
    return found  # type: ignore[no-any-return]


# Whether the run under way keeps what it frees for its own next allocations (keep_freed).
_KEEPING = False


def give_back() -> None:
    """Return the heap's free pages to the system (nothing where the C library cannot, nor
    while a run keeps them: keep_freed)."""
    if _KEEPING:
        return
    trim = _malloc_trim()
    if trim is not None:
        trim(0)  # 0: keep no free space at the top of the heap either


@functools.cache
def _mallopt() -> Callable[[int, int], int] | None:
    """glibc's mallopt; None where the C library has none."""
    found = getattr(_libc(), "mallopt", None)
    if found is None:
        return None
    found.argtypes = [ctypes.c_int, ctypes.c_int]
    found.restype = ctypes.c_int
    return found  # type: ignore[no-any-return]


# mallopt's parameters (glibc's malloc.h) and the values keep_freed sets: the heap never
# trimmed while the process lives, grown 64 MB at a time, and every block of up to 32 MB
# (glibc's largest mmap threshold on 64 bits, DEFAULT_MMAP_THRESHOLD_MAX) taken from it
# rather than mapped apart and unmapped when freed (then the next one faults in afresh).
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
_HELD = ((_M_TRIM_THRESHOLD, 1 << 30), (_M_TOP_PAD, 64 << 20), (_M_MMAP_THRESHOLD, 32 << 20))


@contextlib.contextmanager
def keep_freed(for_good: bool) -> Iterator[None]:
    """What the run frees kept for its own next allocations while the block runs: a rerun
    over the store's rows with few new articles, whose peak is the store's (272 MB on the
    10k bench week's +50 rerun) and far from any limit, and whose every stage frees and then
    allocates again arrays the size of the whole week (the rows joined, the story graph,
    the topic labels' products). Each page the system hands back in is faulted in and
    zeroed again, ~4 us of system CPU a page on the bench machine: that rerun took ~95,000
    page faults and 0.35-0.40 s of system CPU. for_good: the process ends with the run
    (tuning.ends_with_command), so the allocator is also told to keep its heap and to
    serve blocks of up to 32 MB from it (mallopt, for the rest of the process: never in a
    process that runs on). On that rerun (8 pairs alternated with it off, load 4-6):
    page faults 94,700 -> 68,900, system CPU 0.390 -> 0.321 s, CPU 2.366 -> 2.307 s
    (0.957x), the process's peak 272.6 -> 266.2 MB; the same briefing."""
    global _KEEPING
    _KEEPING = True
    mallopt = _mallopt()
    if for_good and mallopt is not None:
        for parameter, value in _HELD:
            mallopt(parameter, value)
    try:
        yield
    finally:
        _KEEPING = False
