"""briefer: turn a pile of news articles into a dated, extractive briefing."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("briefer")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
