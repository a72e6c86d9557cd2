"""The Python API: the README's example runs as written, and the functions behave as said."""

from __future__ import annotations

import ast
import datetime as dt
import gc
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, modules_loaded_after

import briefer
from briefer.errors import OptionsError
from briefer.records import OTHER_THEME

SAMPLES = REPO / "samples"


def readme_example() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, "the Python API section has one example"
    return str(blocks[0])


def test_the_readme_example_runs_as_written(tmp_path: Path) -> None:
    # In a folder laid out like a fresh clone: samples/ and nothing else.
    shutil.copytree(SAMPLES, tmp_path / "samples")
    done = subprocess.run(
        [sys.executable, "-c", readme_example()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == str(["briefings/2024-12-05.md", "briefings/2024-12-05.html"])
    assert lines[1] == "2 articles in the period"
    assert (tmp_path / "briefings" / "2024-12-05.html").is_file()
    summary = ast.literal_eval(lines[-1])  # the printed list of sentences
    assert len(summary) == 2
    assert all(sentence in readme_example().replace('"\n    "', "") for sentence in summary)


def test_import_briefer_loads_no_pipeline() -> None:
    heavy = ["numpy", "jinja2", "typer", "briefer.pipeline"]
    assert modules_loaded_after("import briefer", heavy) == []


def test_build_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    briefing = briefer.build(SAMPLES, since=dt.date(2024, 12, 1), until=dt.date(2024, 12, 5))
    assert briefing.date == dt.date(2024, 12, 5)
    assert briefing.coverage.in_period == 2 and len(briefing.stories) == 1
    assert list(tmp_path.iterdir()) == []


def test_make_returns_what_it_wrote(tmp_path: Path) -> None:
    result = briefer.make(
        [SAMPLES], since="2024-12-01", until="2024-12-05", out=tmp_path, formats=["txt"]
    )
    assert result.paths == (tmp_path / "2024-12-05.txt",)
    assert result.failed == () and result.briefing.coverage.read == 5


def test_options_are_checked_as_on_the_command_line() -> None:
    with pytest.raises(OptionsError, match="--algorithm 'magic' is not a sentence scorer"):
        briefer.build(SAMPLES, algorithm="magic")
    with pytest.raises(OptionsError, match="--since 2024-12-09 is after --until"):
        briefer.build(SAMPLES, since="2024-12-09", until="2024-12-01")
    with pytest.raises(OptionsError, match="--sentences"):
        briefer.summarize_text("One sentence here. And another one.", n=0)


def test_summarize_text_keeps_sentences_verbatim_and_in_order() -> None:
    text = (SAMPLES / "004_5c763be46a265a57.txt").read_text(encoding="utf-8")
    body = text.split("+++", 2)[-1]
    chosen = briefer.summarize_text(body, title="NATO", n=3)
    assert 1 <= len(chosen) <= 3
    flat = " ".join(body.split())
    positions = [flat.index(" ".join(sentence.split())) for sentence in chosen]
    assert positions == sorted(positions)


def test_every_options_field_is_a_keyword_and_nothing_else() -> None:
    briefing = briefer.build(SAMPLES, since="2024-12-01", until="2024-12-05", top=0, minutes=0)
    assert briefing.coverage.in_period == 2
    with pytest.raises(TypeError, match="unknown option 'sentence'"):
        briefer.build(SAMPLES, sentence=2)


@pytest.mark.parametrize("tune_process", [True, False])
def test_a_caller_may_keep_its_collector_and_environment_as_they_are(
    tune_process: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By default a run raises the collector's threshold, turns it off while it works and
    sets numpy's two settings (briefer.tuning); with tune_process=False a program embedding
    briefer keeps its own: the collector runs through the briefing at the program's
    threshold, and the environment is not touched."""
    settings = ("OPENBLAS_NUM_THREADS", "NUMPY_MADVISE_HUGEPAGE")
    for name in settings:
        # set first, so the teardown puts back what was there (unset too) after the run sets it
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    mine = (20, 7, 9)  # a program's own thresholds (low: many collections)
    working: list[tuple[int, int, int]] = []  # the thresholds of collections amid the work

    def seen(phase: str, info: dict[str, int]) -> None:
        frame = sys._getframe(1)
        while phase == "start" and frame is not None:
            if frame.f_code.co_name == "build_fresh":  # the pipeline's stages
                working.append(gc.get_threshold())
                return
            frame = frame.f_back

    before = gc.get_threshold()
    gc.set_threshold(*mine)
    gc.callbacks.append(seen)
    try:
        result = briefer.make(
            SAMPLES, since="2024-12-01", until="2024-12-05", out=tmp_path / "out", cache=False,
            tune_process=tune_process,
        )  # fmt: skip
        after = (gc.get_threshold(), gc.isenabled(), [name in os.environ for name in settings])
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*before)
    assert result.briefing.coverage.in_period == 2
    if tune_process:
        assert not working  # off while the briefing is made
        assert after == ((50_000, 7, 9), True, [True, True])
    else:
        assert working and set(working) == {mine}
        assert after == (mine, True, [False, False])


def test_themes_files_each_article_as_the_command_does(tmp_path: Path) -> None:
    """briefer.themes is `briefer themes` as a call: the themes.toml beside the input, every
    article listed without a period, only the period's with one, and no themes file an
    OptionsError, the command's line."""
    from briefer.evaluation.themes_report import themes_report

    every = briefer.themes(SAMPLES)
    by_path = {fit.article.path: fit.theme for fit in every.articles}
    listed = themes_report([SAMPLES], SAMPLES / "themes.toml")
    assert by_path == {fit.article.path: fit.theme for fit in listed.articles}
    assert len(by_path) == 5 and every.outside == 0
    assert every.themes[-1] == OTHER_THEME
    week = briefer.themes(SAMPLES, since="2024-12-01", until="2024-12-05")
    assert len(week.articles) == 2 and week.outside == 3
    assert {fit.theme for fit in week.articles} == {"Weapons aid"}
    shutil.copytree(SAMPLES, tmp_path / "plain")
    (tmp_path / "plain" / "themes.toml").unlink()
    with pytest.raises(OptionsError, match=r"no themes file given .* pass --themes FILE"):
        briefer.themes(tmp_path / "plain")
