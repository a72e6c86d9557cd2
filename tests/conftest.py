from __future__ import annotations

import os
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
