"""The group stage: reports of one event folded into stories (stories, over the story graph
of graph), near-copies found (copies), stories filed under the user's themes (themes, over
the mentions found by theme_mentions; themes_file), and the related stories under "Other
developments" labelled (topics); stories and topics share average linkage (linkage);
grouping wires them together.

The names below are imported on first use (PEP 562): reading a themes file must not load
numpy and scipy, which a rerun served from the article store never needs."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefer.group.copies import find_copies
    from briefer.group.grouping import group
    from briefer.group.stories import cluster_stories
    from briefer.group.themes import place_themes
    from briefer.group.themes_file import load_themes
    from briefer.records import Grouping, Placement, ThemeFit

_WHERE = {
    "Grouping": "briefer.records",
    "Placement": "briefer.records",
    "ThemeFit": "briefer.records",
    "cluster_stories": "briefer.group.stories",
    "find_copies": "briefer.group.copies",
    "group": "briefer.group.grouping",
    "load_themes": "briefer.group.themes_file",
    "place_themes": "briefer.group.themes",
}

__all__ = [
    "Grouping",
    "Placement",
    "ThemeFit",
    "cluster_stories",
    "find_copies",
    "group",
    "load_themes",
    "place_themes",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
