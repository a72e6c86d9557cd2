"""Articles without a date are never silently dropped: placed by the day briefer first saw
them (`--undated first-seen`, the default) or left out with a warning (`--undated skip`); a
run with nothing to brief says why and exits 2 without writing a briefing."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from briefer.errors import EXIT_USAGE
from briefer.render import MONTHS
from briefer.stamps import checksum
from briefer.store import store_path

# Real publisher text from the samples, written out without any date (no front matter).
SAMPLES = REPO / "samples"


@pytest.fixture
def undated(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for path in sorted(SAMPLES.glob("*.txt"))[:3]:
        _, header, body = path.read_text(encoding="utf-8").split("+++", 2)
        title = next(line for line in header.splitlines() if line.startswith("title"))
        title = title.split("=", 1)[1].strip().strip('"')
        (folder / path.name).write_text(f"{title}\n\n{body.strip()}\n", encoding="utf-8")
    return folder


def _seen_today() -> str:
    today = dt.date.today()
    return f"date unknown, first seen {today.day} {MONTHS[today.month - 1][:3]}"


def test_undated_articles_are_briefed_by_the_day_first_seen(undated: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, err = run_cli("make", "-i", str(undated), "--out", str(out), "--format", "md,txt,json")
    assert code == 0, err
    today = dt.date.today()
    markdown = (out / f"{today}.md").read_text(encoding="utf-8")
    assert markdown.count(_seen_today()) == 3
    assert _seen_today() in (out / f"{today}.txt").read_text(encoding="utf-8")
    data = json.loads((out / f"{today}.json").read_text(encoding="utf-8"))
    articles = [a for s in data["sections"] for story in s["stories"] for a in story["articles"]]
    assert {(a["date"], a["first_seen"]) for a in articles} == {(None, today.isoformat())}
    assert data["coverage"]["in_period"] == 3 and data["coverage"]["undated"] == 0
    assert data["coverage"]["first_seen"] == 3 and data["coverage"]["first_seen_outside"] == 0


def test_a_briefing_of_undated_articles_says_so_at_the_top_and_in_the_footer(
    undated: Path, tmp_path: Path
) -> None:
    """The period of a briefing whose articles carry no date says when briefer read them,
    not when they were published: the reader is told under the period, and the footer counts
    them, rather than leaving 'In the period: 3' to read as three dated reports."""
    out = tmp_path / "out"
    code, _, err = run_cli(
        "make", "-i", str(undated), "--out", str(out), "--format", "md,txt,html",
        "--since", "2022-01-01",
    )  # fmt: skip
    assert code == 0, err
    today = dt.date.today()
    note = "All 3 articles in the period carry no date: each is placed by the day"
    markdown = (out / f"{today}.md").read_text(encoding="utf-8")
    lines = markdown.splitlines()
    assert lines[2].startswith("Period: 1 January 2022") and lines[4].startswith(f"*{note}")
    assert (
        "- In the period: 3\n- In the period, undated (placed by the day first seen): 3\n"
        in markdown
    )
    assert "first seen outside the period" not in markdown and "Undated, left out" not in markdown
    text = (out / f"{today}.txt").read_text(encoding="utf-8")
    assert (
        note.split(":")[0] in text
        and "In the period, undated (placed by the day first seen): 3" in text
    )
    html = (out / f"{today}.html").read_text(encoding="utf-8")
    assert (
        note.split(":")[0] in html
        and "In the period, undated (placed by the day first seen)" in html
    )


def _add_a_dated_sample(folder: Path) -> None:
    """The last sample article (dated 2024) beside the undated ones."""
    last = sorted(SAMPLES.glob("*.txt"))[-1]
    (folder / "dated.md").write_text(last.read_text(encoding="utf-8"), encoding="utf-8")


def test_undated_articles_first_seen_after_a_past_period_are_counted_as_such(
    undated: Path, tmp_path: Path
) -> None:
    """A briefing of a past period leaves out undated articles briefer first saw today, and
    says that they are undated: not 'After the period: 3', which reads as three reports
    published after it."""
    _add_a_dated_sample(undated)
    out = tmp_path / "out"
    past = ("make", "-i", str(undated), "--out", str(out), "--since", "2021-01-01")
    code, _, err = run_cli(*past, "--until", "2024-12-31")
    assert code == 0, err
    assert err.strip().splitlines() == [
        f"briefer: 3 undated articles left out: briefer first saw them on {dt.date.today()}, "
        "outside the period (an undated article is placed by that day)"
    ]
    again = run_cli(*past, "--until", "2024-12-31")
    assert again[0] == 0 and again[2] == err, "a rerun warns again: its briefing is made anew"
    markdown = (out / "2024-12-31.md").read_text(encoding="utf-8")
    assert "- After the period: 0\n" in markdown
    assert "- Undated, left out (first seen outside the period): 3\n" in markdown
    assert "- Undated, left out: 0" not in markdown, "not beside those left out by their day"
    assert "carry no date" not in markdown and "placed by the day first seen" not in markdown


def test_the_first_seen_day_is_kept_by_the_store(undated: Path, tmp_path: Path) -> None:
    """A later run places an article by the day it was first seen, not by its own day."""
    out = tmp_path / "out"
    today = ("--since", dt.date.today().isoformat())
    code, _, err = run_cli("make", "-i", str(undated), "--out", str(out), *today)
    assert code == 0, err
    # As if the first run had been five days ago.
    earlier = (dt.date.today() - dt.timedelta(days=5)).isoformat()
    connection = sqlite3.connect(store_path(out))
    keys = [row[0] for row in connection.execute("SELECT key FROM seen")]
    assert len(keys) == 3
    value = json.dumps(earlier)
    for key in keys:
        connection.execute(
            "UPDATE seen SET value = ?, checksum = ? WHERE key = ?",
            (value, checksum(key, value), key),
        )
    connection.commit()
    connection.close()
    code, _, err = run_cli("make", "-i", str(undated), "--out", str(out), *today)
    assert code == EXIT_USAGE, "all three now belong to an earlier period"
    # Not "3 before the period": they have no date, only the day briefer first saw them.
    assert "before" not in err
    assert "3 undated, first seen by briefer outside the period" in err
    assert "placed by the day briefer first saw it" in err and "--since/--until" in err
    assert f"first saw them on {earlier}, outside the period" in err, "the day to include"
    code, _, err = run_cli("make", "-i", str(undated), "--out", str(out), "--since", earlier)
    assert code == 0, err


def test_undated_skip_warns_and_exits_non_zero_when_nothing_is_left(
    undated: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, stdout, err = run_cli("make", "-i", str(undated), "--out", str(out), "--undated", "skip")
    assert code == EXIT_USAGE
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    assert "3 undated articles left out (--undated skip)" in lines[0]
    assert "no article to brief" in lines[1] and "--undated first-seen" in lines[1]
    assert stdout == "" and not out.exists(), "nothing is written"


def test_undated_skip_beside_dated_articles_is_one_warning(undated: Path, tmp_path: Path) -> None:
    _add_a_dated_sample(undated)
    out = tmp_path / "out"
    code, _, err = run_cli(
        "make", "-i", str(undated), "--out", str(out), "--undated", "skip",
        "--since", "2021-01-01", "--until", "2024-12-31",
    )  # fmt: skip
    assert code == 0, err
    assert err.strip().splitlines() == [
        "briefer: 3 undated articles left out (--undated skip); use --undated first-seen to "
        "place them by the day briefer first saw them"
    ]
    assert "Undated, left out: 3" in (out / "2024-12-31.md").read_text(encoding="utf-8")


def test_the_undated_setting_is_checked(tmp_path: Path) -> None:
    code, _, err = run_cli("make", "-i", str(tmp_path), "--undated", "guess")
    assert code == EXIT_USAGE and "--undated 'guess'" in err and "first-seen, skip" in err


def test_a_run_with_nothing_in_the_period_says_why(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, err = run_cli(
        "make", "-i", str(SAMPLES), "--out", str(out), "--since", "2030-01-01",
        "--until", "2030-01-31",
    )  # fmt: skip
    assert code == EXIT_USAGE
    (line,) = err.strip().splitlines()
    assert "no article to brief" in line and "5 before" in line and "--since/--until" in line
    assert not out.exists()


def test_the_note_under_the_period_is_for_a_briefing_of_mostly_undated_articles() -> None:
    from briefer.records import Coverage
    from briefer.render.view import undated_note

    assert undated_note(Coverage(read=300, in_period=300, first_seen=1)) == ""
    assert undated_note(Coverage(read=4, in_period=4, first_seen=2)) == "", "half is not most"
    assert undated_note(Coverage(read=3, in_period=3, first_seen=2)).startswith(
        "2 of the 3 articles in the period carry no date"
    )
    assert undated_note(Coverage(read=3, in_period=3)) == ""
    assert undated_note(Coverage(read=3, in_period=3, first_seen=3)).startswith(
        "All 3 articles in the period carry no date"
    )
    assert undated_note(Coverage(read=1, in_period=1, first_seen=1)).startswith(
        "The article in the period carries no date: it is placed"
    )
