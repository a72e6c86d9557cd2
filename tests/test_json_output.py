"""`--format json`: the briefing as data, with why each story sits under its theme."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import REPO
from typer.testing import CliRunner

from briefer.cli import app


def test_json_format_always_carries_the_theme_terms(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["make", "--since", "2024-12-01", "--until", "2024-12-05", "--input",
         str(REPO / "samples"), "--out", str(tmp_path), "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads((tmp_path / "2024-12-05.json").read_text(encoding="utf-8"))
    assert data["date"] == "2024-12-05" and data["since"] == "2024-12-01"
    stories = [story for section in data["sections"] for story in section["stories"]]
    assert len(stories) == 1
    (story,) = stories
    assert story["theme"] != "Other developments" and story["why"], "why is there without --explain"
    ids = {article["id"] for article in story["articles"]}
    assert len(ids) == 2
    assert all(bullet["article_id"] in ids for bullet in story["bullets"])
    assert data["coverage"]["read"] == 5 and data["coverage"]["merged"] == 1
