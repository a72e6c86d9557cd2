"""The built wheel carries the templates and data, so an installed briefer works anywhere."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO

# What a build reads: the project's metadata, its README (the long description), the package
# and the templates folder the wheel carries as briefer/templates.
SOURCES = ("pyproject.toml", "README.md", "briefer", "templates")


def test_wheel_carries_templates_and_data(tmp_path: Path) -> None:
    # Built from a copy: setuptools writes build/ and briefer.egg-info/ beside the sources,
    # and the tests leave the working tree as they found it.
    source = tmp_path / "source"
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(
                REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    dist = tmp_path / "dist"
    # No build isolation: the test extras already hold setuptools, and CI may be offline.
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        cwd=source,
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("briefer-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in ("briefing.md.j2", "briefing.html.j2", "briefing.txt.j2"):
        assert f"briefer/templates/{template}" in names
    for data in ("stopwords.txt", "abbreviations.txt", "glove_neighbours.npz", "GLOVE_NOTICE.txt"):
        assert f"briefer/data/{data}" in names
    # Every module of the package, so a subpackage missing from pyproject's list is caught.
    modules = {
        path.relative_to(REPO).as_posix()
        for path in (REPO / "briefer").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert modules <= names, sorted(modules - names)
    for template in ("rank.md.j2", "briefing_macros.j2", "index.md.j2"):
        assert f"briefer/templates/{template}" in names
    assert not any(name.startswith(("tests/", "samples/")) for name in names)
