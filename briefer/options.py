"""The one options object, built at the boundary (CLI or caller) and passed down."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

FORMATS = ("md", "html", "txt")
DEFAULT_SENTENCES = 3
DEFAULT_ALGORITHM = "default"


@dataclass(frozen=True)
class MakeOptions:
    inputs: tuple[Path, ...]
    out: Path
    since: dt.date | None
    until: dt.date
    formats: tuple[str, ...] = ("md",)
    themes: Path | None = None  # None: no themes file, everything under "Other developments"
    sentences: int = DEFAULT_SENTENCES
    words: int | None = None  # optional word budget per article summary
    algorithm: str = DEFAULT_ALGORITHM
    explain: bool = False
    templates: Path | None = None  # a folder of user templates overriding the shipped ones
