"""The built wheel carries the templates and data, so an installed briefer works anywhere."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO


def test_wheel_carries_templates_and_data(tmp_path: Path) -> None:
    # No build isolation: the test extras already hold setuptools, and CI may be offline.
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("briefer-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in ("briefing.md.j2", "briefing.html.j2", "briefing.txt.j2"):
        assert f"briefer/templates/{template}" in names
    for data in ("stopwords.txt", "abbreviations.txt"):
        assert f"briefer/data/{data}" in names
    assert "briefer/cli.py" in names
    assert not any(name.startswith(("tests/", "samples/")) for name in names)
