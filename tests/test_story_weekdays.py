"""Weekdays named in undated reports as evidence of their day (group/days.py, _WEEKDAY_DECAY)."""

from __future__ import annotations

from datetime import date

from briefer.group import cluster_stories
from briefer.group.days import weekday_masks
from briefer.group.grouping import file_stories
from briefer.group.texts import read_texts
from briefer.records import Article, Block, Document

FARES = (
    "Bramford council delays vote on bus fares",
    "The Bramford city council on {day} put off a vote on raising bus fares by 25 cents, "
    "saying it needed another month to study the effect on riders.",
)
# A council report on fares too: alike enough to join FARES on text alone when only two
# reports are in the run (a cosine of about 0.4 naming one weekday, the weekday a shared
# term; a neighbour each lacks counts as neighbours.PRIOR), not enough to outweigh naming
# another day.
PARKING = (
    "Council studies parking fees",
    "The council on {day} asked for a study of parking fees downtown and bus fares, a month "
    "after merchants complained.",
)


def reports(first: str, second: str, day: date | None = None) -> list[tuple[str, str, date | None]]:
    return [
        (FARES[0], FARES[1].format(day=first), day),
        (PARKING[0], PARKING[1].format(day=second), day),
    ]


def test_weekday_masks_read_each_article_alone() -> None:
    parts = [
        ("Vote set for TUESDAY", ["The council met on Monday and again on tuesday."]),
        ("No day named", ["The council met last week."]),
        ("Sunday service", ["Buses will run on Sunday."]),
    ]
    masks = weekday_masks(read_texts(parts)).tolist()
    assert masks == [0b11, 0, 0b1000000]
    assert weekday_masks(read_texts(parts[2:])).tolist() == [0b1000000]


def test_undated_reports_naming_different_weekdays_stay_apart() -> None:
    assert cluster_stories(reports("Monday", "Monday")) == [0, 0]
    assert cluster_stories(reports("Monday", "Thursday")) == [0, 1]


def test_dated_reports_go_by_their_dates_not_the_weekdays_they_name() -> None:
    assert cluster_stories(reports("Monday", "Thursday", date(2024, 3, 4))) == [0, 0]


def test_the_briefing_weighs_weekdays_as_eval_does() -> None:
    """file_stories (the briefing's grouping) passes the weekday evidence too."""
    documents = [
        Document(
            Article(id=f"a{k}", title=title, date=None, source="", url="", text=text, path=""),
            (Block(text),),
        )
        for k, (title, text, _) in enumerate(reports("Monday", "Thursday"))
    ]
    filed = file_stories(documents, (), "all")
    assert filed.story_of.tolist() == [0, 1]
