"""The group stage: reports of one event folded into stories (stories), near-copies found
(copies), stories filed under the user's themes (themes, themes_file), and the related
stories under "Other developments" labelled (topics); grouping wires them together."""

from briefer.group.copies import find_copies
from briefer.group.grouping import group
from briefer.group.stories import cluster_stories
from briefer.group.themes import place_themes
from briefer.group.themes_file import load_themes
from briefer.records import Grouping, Placement, ThemeFit

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
