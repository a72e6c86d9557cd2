from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from briefer.cli import app

# Two shared cores make timings noisy, so no per-example deadline anywhere; in CI the examples
# are derandomized so a red run can be reproduced exactly.
settings.register_profile("briefer", deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("briefer")

# A bad input is one reported line in normal use; under the tests an unexpected exception
# inside an input's boundary is raised instead, so a bug is never hidden
# (briefer/ingest/boundary.py).
os.environ["BRIEFER_RAISE_BUGS"] = "1"

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def modules_loaded_after(code: str, names: Sequence[str], cwd: Path | None = None) -> list[str]:
    """Which modules among names (each with everything below it) a fresh interpreter has
    imported once it has run code: what a run's first steps pull in, unseen by a test process
    that has imported everything already."""
    probe = (
        f"{code}\nimport json, sys\nnames = {json.dumps(list(names))}\n"
        "print(json.dumps(sorted(m for m in sys.modules"
        " if any(m == n or m.startswith(n + '.') for n in names))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=cwd
    )
    found: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the repo (CI has it, users don't): skip cleanly when absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repo")
    return SHARED


@pytest.fixture
def repo_samples() -> Path:
    return REPO / "samples"


@pytest.fixture(autouse=True)
def _no_briefer_settings_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    """A BRIEFER_OUT or BRIEFER_FORMAT in the developer's shell must not change what the tests
    see; tests that want a setting set it themselves with monkeypatch.setenv."""
    from briefer.config import ENV_VARS

    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def run_cli(*args: str) -> tuple[int, str, str]:
    """briefer's command line through CliRunner: (exit code, stdout, stderr). A bug (any
    exception other than a deliberate exit) is raised, not hidden in the result."""
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def write_sample_corpus(folder: Path, count: int, *, sources: int = 0) -> Path:
    """`count` articles made from the samples in `folder`: paragraphs rotated, titles
    numbered, dates over ten days, so no two are the same text; with `sources`, each names
    one of that many outlets."""
    folder.mkdir(parents=True, exist_ok=True)
    bases = []
    for path in sorted((REPO / "samples").glob("*.txt")):
        _, header, body = path.read_text(encoding="utf-8").split("+++", 2)
        paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
        bases.append((tomllib.loads(header)["title"], paragraphs))
    for number in range(count):
        title, paragraphs = bases[number % len(bases)]
        turn = number // len(bases) % len(paragraphs)
        text = "\n\n".join(paragraphs[turn:] + paragraphs[:turn])
        day = dt.date(2024, 12, 1) + dt.timedelta(days=number % 10)
        source = f'source = "Outlet {number % sources}"\n' if sources else ""
        (folder / f"{number:04d}.md").write_text(
            f'+++\ntitle = "{title} ({number})"\ndate = {day}\n{source}+++\n\n{text}\n',
            encoding="utf-8",
        )
    return folder
