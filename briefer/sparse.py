"""scipy.sparse, as every module of briefer imports it: without scipy's array-API layer
importing all of numpy's submodules at once.

Importing scipy.sparse imports scipy's copy of array_api_compat, whose `numpy` module copies
numpy's namespace: `from numpy import *` and a getattr of every name in dir(numpy), which
imports each submodule numpy loads only when first asked for (numpy.testing, f2py, ma,
polynomial, random, ...). briefer uses none of them through it: that was ~0.06 s of CPU in
every run that groups (scipy.sparse imported after briefer's own modules, 0.093 -> 0.035 s,
three runs each; the +50 rerun of the 10k bench week takes ~2.2 s in all). Here numpy's
not-yet-loaded submodules are left out of what that copy sees while scipy.sparse is first
imported, and the copy then hands them out on first use (its module __getattr__: numpy's own
attribute, the object the copy would have held), so it answers every name as before. Nothing
changes where scipy.sparse, or that copy, was imported already."""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING, Any

import numpy

_COMPAT = "scipy._lib.array_api_compat.numpy"  # the copy of numpy's namespace


def _compat_in_place() -> bool:
    """Whether scipy keeps its copy of numpy's namespace where _import looks for it. A scipy
    that moved it would make its copy while numpy's names are trimmed and never be handed
    the missing ones: then scipy.sparse is imported as it is, at the full cost."""
    import scipy

    return any(
        os.path.isfile(os.path.join(folder, *_COMPAT.split(".")[1:], "__init__.py"))
        for folder in scipy.__path__
    )


def _import() -> Any:
    # Another thread would see numpy's names trimmed while scipy.sparse is imported (an
    # application importing briefer from a worker thread): only a lone thread trims them.
    if (
        "scipy.sparse" in sys.modules
        or _COMPAT in sys.modules
        or threading.active_count() > 1
        or not _compat_in_place()
    ):
        from scipy import sparse as found

        return found
    names: dict[str, Any] = vars(numpy)
    everything, listing = numpy.__all__, names.get("__dir__")
    unloaded = (set(everything) | set(numpy.__dir__())) - names.keys()
    numpy.__all__ = [name for name in everything if name not in unloaded]
    if listing is not None:
        numpy.__dir__ = lambda: [n for n in listing() if n not in unloaded]  # type: ignore[method-assign]
    try:
        from scipy import sparse as found
    finally:
        numpy.__all__ = everything
        if listing is not None:
            numpy.__dir__ = listing  # type: ignore[method-assign]
    compat = sys.modules.get(_COMPAT)
    if compat is not None:
        # a __getattr__ the copy has of its own answers the rest, as it did
        earlier = getattr(compat, "__getattr__", None)

        def numpy_attribute(name: str) -> Any:
            if name in unloaded:
                return getattr(numpy, name)
            if earlier is not None:
                return earlier(name)
            raise AttributeError(f"module {_COMPAT!r} has no attribute {name!r}")

        compat.__getattr__ = numpy_attribute  # type: ignore[method-assign]
    return found


if TYPE_CHECKING:
    from scipy import sparse
else:
    sparse = _import()

__all__ = ["sparse"]
