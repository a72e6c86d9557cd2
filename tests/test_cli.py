"""The command line end to end, through typer's CliRunner, on real files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from briefer import __version__

SAMPLES = REPO / "samples"

# Lines of site furniture found in the raw sample files; none may reach a briefing.
FURNITURE = (
    "Skip to content",
    "Leave a Comment",
    "Check Also",
    "About Dianne",
    "Xbox",
    "writes about the West",
    "is a reporter for",
    "Translation Service",
    "human editor",
    "contributed report",
    "Reported by",
    "<...>",
    "Lara Jakes, Kim Barker",
)


def make_samples(out: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(
        "make", "--since", "2024-12-01", "--until", "2024-12-05",
        "--input", str(SAMPLES), "--out", str(out), *extra,
    )  # fmt: skip


def test_version() -> None:
    code, out, _ = run_cli("--version")
    assert code == 0
    assert __version__ in out


def test_make_on_samples_writes_one_merged_story(tmp_path: Path) -> None:
    code, out, err = make_samples(tmp_path, "--format", "md,html,txt")
    assert code == 0, err
    written = [Path(line) for line in out.splitlines()]
    assert [path.name for path in written] == ["2024-12-05.md", "2024-12-05.html", "2024-12-05.txt"]
    markdown = (tmp_path / "2024-12-05.md").read_text(encoding="utf-8")
    assert "InoSMI" in markdown and "Eunews" in markdown
    assert markdown.count("\n### ") == 1, "the two December reports are one story"
    assert "Other developments" not in markdown, "the story sits under a theme"
    for rendered in (tmp_path / name for name in ("2024-12-05.md", "2024-12-05.txt")):
        text = rendered.read_text(encoding="utf-8")
        for furniture in FURNITURE:
            assert furniture not in text, f"{furniture!r} leaked into {rendered.name}"
    html = (tmp_path / "2024-12-05.html").read_text(encoding="utf-8")
    assert "&lt;...&gt;" not in html and "Skip to content" not in html


def test_make_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert make_samples(first, "--format", "md,html,txt")[0] == 0
    assert make_samples(second, "--format", "md,html,txt")[0] == 0
    for name in ("2024-12-05.md", "2024-12-05.html", "2024-12-05.txt"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_make_defaults_read_samples_folder_and_its_themes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(SAMPLES, tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("make", "--since", "2024-12-01", "--until", "2024-12-31")
    assert code == 0, err
    assert out.strip() == str(Path("briefings") / "2024-12-31.md")
    markdown = (tmp_path / "briefings" / "2024-12-31.md").read_text(encoding="utf-8")
    assert "Other developments" not in markdown


def test_bad_inputs_are_reported_and_the_rest_processed(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES, inbox)
    (inbox / "empty.txt").write_text("")
    (inbox / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 20)
    (inbox / "latin1.txt").write_bytes("Caf\xe9 news\n\nA body line.".encode("latin-1"))
    (inbox / "baddate.md").write_text('+++\ntitle = "T"\ndate = "next Tuesday-ish"\n+++\nBody.\n')
    (inbox / "broken.json").write_text('{"title": "x", "text": ')
    out_dir = tmp_path / "out"
    code, _, err = run_cli(
        "make", "--since", "2024-12-01", "--until", "2024-12-05",
        "--input", str(inbox), "--input", str(tmp_path / "missing"), "--out", str(out_dir),
    )  # fmt: skip
    assert code == 1
    for name in ("empty.txt", "binary.txt", "latin1.txt", "baddate.md", "broken.json", "missing"):
        lines = [line for line in err.splitlines() if name in line]
        assert len(lines) == 1, f"expected one line naming {name} in:\n{err}"
    markdown = (out_dir / "2024-12-05.md").read_text(encoding="utf-8")
    assert "InoSMI" in markdown, "good articles are still briefed"
    for name in ("empty.txt", "binary.txt", "latin1.txt", "baddate.md", "broken.json"):
        assert name in markdown, f"{name} missing from the coverage footer"


def test_malformed_themes_file_stops_with_one_line(tmp_path: Path) -> None:
    themes = tmp_path / "themes.toml"
    themes.write_text("[[theme]\nname = 'x'\n")
    code, out, err = make_samples(tmp_path / "o", "--themes", str(themes))
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "themes.toml" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--since", "2024-13-01"), "--since"),
        (("--since", "2024-12-09", "--until", "2024-12-01"), "after"),
        (("--format", "pdf"), "pdf"),
        (("--sentences", "0"), "--sentences"),
        (("--algorithm", "magic"), "magic"),
    ],
)
def test_bad_options_exit_2_with_one_line(
    tmp_path: Path, args: tuple[str, ...], needle: str
) -> None:
    code, _, err = run_cli("make", "--input", str(SAMPLES), "--out", str(tmp_path), *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and needle in err


def test_summarize_prints_verbatim_sentences() -> None:
    path = SAMPLES / "004_5c763be46a265a57.txt"
    code, out, err = run_cli("summarize", str(path), "--sentences", "2")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert 1 <= len(lines) <= 2
    body = " ".join(path.read_text(encoding="utf-8").split())
    for line in lines:
        assert line in body


def test_summarize_missing_file_is_one_line(tmp_path: Path) -> None:
    code, _, err = run_cli("summarize", str(tmp_path / "nope.txt"))
    assert code == 2
    assert "nope.txt" in err and len(err.strip().splitlines()) == 1
