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
    assert "3 before" in err and "--since/--until" in err
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
    (undated / "dated.md").write_text(
        (SAMPLES / sorted(p.name for p in SAMPLES.glob("*.txt"))[4]).read_text(encoding="utf-8"),
        encoding="utf-8",
    )
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
