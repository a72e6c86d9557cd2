"""Giving the memory a run has let go back to the system (issue 13: a big run's peak).

The C library's allocator keeps what the process frees (the texts, cleaned blocks and words
a stage is done with) in its heap, counted in the process's resident size, and hands it out
again only to allocations that fit its holes; glibc's malloc_trim returns every whole free
page of the heap to the system. Called where a stage has just let go of much (grouping, once
the articles' words are in its Texts and once the stories are told)."""

from __future__ import annotations

import ctypes
import functools
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim; None where the C library has none (macOS, musl, Windows)."""
    try:
        library = ctypes.CDLL(None)
    except (OSError, TypeError):  # no C library to load by None (Windows)
        return None
    found = getattr(library, "malloc_trim", None)
    if found is None:
        log.debug("no malloc_trim in the C library: freed memory stays in the heap")
        return None
    found.argtypes = [ctypes.c_size_t]
    found.restype = ctypes.c_int
    return found  # type: ignore[no-any-return]


def give_back() -> None:
    """Return the heap's free pages to the system (nothing where the C library cannot)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)  # 0: keep no free space at the top of the heap either
