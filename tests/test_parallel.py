"""Reading the input files in worker processes gives what reading them in one process gives:
the same articles, failures and warnings, in the same order. Real files, real processes."""

from __future__ import annotations

import functools
import os
import tomllib
from pathlib import Path

import pytest
from conftest import REPO

from briefer.ingest import read_inputs
from briefer.parallel import read_files

SAMPLES = REPO / "samples"
COUNT = 60  # a few tasks per worker with the threshold at 0


@pytest.fixture()
def inputs(tmp_path: Path) -> Path:
    """COUNT articles made from the samples, plus files that fail or warn on their own."""
    folder = tmp_path / "articles"
    folder.mkdir()
    bases = []
    for path in sorted(SAMPLES.glob("*.txt")):
        _, header, body = path.read_text(encoding="utf-8").split("+++", 2)
        bases.append((tomllib.loads(header)["title"], body.strip()))
    for number in range(COUNT):
        title, body = bases[number % len(bases)]
        (folder / f"{number:03d}.md").write_text(
            f'+++\ntitle = "{title} ({number})"\ndate = 2024-12-0{number % 9 + 1}\n+++\n\n{body}\n',
            encoding="utf-8",
        )
    (folder / "010-broken.md").write_text('+++\ntitle = "unclosed\n+++\n\nText.\n')
    (folder / "020-binary.md").write_bytes(b"\xff\xfe\x00\x00" * 50)
    (folder / "030-empty.md").write_text("")
    (folder / "040-records.jsonl").write_text(
        '{"title": "One", "text": "A first record with text."}\nnot json\n', encoding="utf-8"
    )
    return folder


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the worker pool needs several cores")
def test_reading_in_workers_equals_reading_here(inputs: Path) -> None:
    here = read_inputs([inputs])
    pooled = read_inputs([inputs], read_many=functools.partial(read_files, threshold=0))
    assert len(here.articles) >= COUNT  # the fixture was read, not skipped
    assert here.failed  # and some of it failed, so failures are compared too
    assert pooled == here


def test_below_the_threshold_no_worker_is_started(inputs: Path) -> None:
    # Read in this process: the results are the very objects read_one returned.
    paths = sorted(inputs.glob("*.md"))[:3]
    seen: list[Path] = []

    def read_one(path: Path) -> object:
        seen.append(path)  # a worker's list would not be this one
        return path.name

    assert read_files(read_one, paths, threshold=len(paths)) == [p.name for p in paths]  # type: ignore[arg-type]
    assert seen == paths
