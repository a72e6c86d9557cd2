"""briefer: turn a pile of news articles into a dated, extractive briefing.

The Python API (see the README's "Python API"): `make` writes a briefing's files, `build`
returns the Briefing without writing, `themes` lists where each article is filed,
`summarize_text` summarizes a string, `fetch` saves feeds and pages as article files. They
are loaded on first use, so `import briefer` stays cheap (no numpy, no templates).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefer.api import build, fetch, make, summarize_text, themes

# The one copy of the version: pyproject.toml reads it from here (setuptools' attr, parsed
# without importing). A literal rather than importlib.metadata's lookup, which scans the
# installed distributions and cost ~0.09 s of every run, warm ones included.
__version__ = "0.1.0"

__all__ = ["__version__", "build", "fetch", "make", "summarize_text", "themes"]
_API = frozenset({"build", "fetch", "make", "summarize_text", "themes"})


def __getattr__(name: str) -> Any:
    # PEP 562: the API module (and what it imports) is loaded when first asked for.
    if name in _API:
        from briefer import api

        return getattr(api, name)
    raise AttributeError(f"module 'briefer' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _API)
