"""The command line end to end, through typer's CliRunner, on real files."""

from __future__ import annotations

import gc
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from conftest import REPO, run_cli
from smtp_server import HOST, Recorder, closed_port, smtp_server

from briefer import __version__
from briefer.cli import app
from briefer.errors import EXIT_NOT_SENT, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE

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


def test_a_text_given_twice_is_told_once_and_counted(tmp_path: Path) -> None:
    """Two files of one title and text (one text posted word for word by two sites) are one
    article to tell; the footer counts the other with the merged ones, so none goes uncounted."""
    folder = tmp_path / "in"
    folder.mkdir()
    body = (
        "Dock workers in Valmora ended their strike on Tuesday after a pay offer.\n\n"
        "Ships returned to the harbour on Wednesday morning.\n"
    )
    for name, source in (("a.md", "Valmora Post"), ("b.md", "Coast Wire")):
        (folder / name).write_text(
            f'+++\ntitle = "Valmora strike ends"\ndate = 2024-12-03\nsource = "{source}"\n'
            f"+++\n\n{body}",
            encoding="utf-8",
        )
    out = tmp_path / "out"
    code, _, err = run_cli("make", "-i", str(folder), "--out", str(out), "--until", "2024-12-05")
    assert code == 0, err
    markdown = (out / "2024-12-05.md").read_text(encoding="utf-8")
    assert markdown.count("\n### ") == 1
    assert "- In the period: 2" in markdown and "- Merged into other stories: 1" in markdown


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


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("make", "--bogus"), "no such option: --bogus; see 'briefer make --help'"),
        (
            ("make", "--sinse", "2024-12-01"),
            "no such option: --sinse (did you mean --since?); see 'briefer make --help'",
        ),
        (("make", "--sentences", "abc"), "invalid value for '--sentences': 'abc' is not a"),
        (("make", "--since"), "option '--since' requires an argument"),
        (("nosuch",), "no such command 'nosuch'"),
        (("summarize",), "missing argument 'FILE'; see 'briefer summarize --help'"),
    ],
)
def test_command_line_mistakes_are_one_line_and_exit_2(args: tuple[str, ...], line: str) -> None:
    # What the parser itself rejects reads like every other error: one line, exit code 2.
    code, out, err = run_cli(*args)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1, err
    assert err.startswith("briefer: error: ") and line in err


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


# ---- conventions shared by every command ------------------------------------------------------


def _commands() -> list[tuple[str, ...]]:
    """Every command and group of the command line, found by walking it (so a new command is
    checked without anyone listing it here)."""
    found: list[tuple[str, ...]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        found.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return found


COMMANDS = _commands()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "briefer")
def test_help_shows_readable_metavars(command: tuple[str, ...]) -> None:
    code, out, _ = run_cli(*command, "--help")
    assert code == 0
    # typer's own type labels (<str>, <list[str]>, <bool>, <path>, <int>...) never show.
    assert re.search(r"<[a-z][\w\[\], |]*>", out) is None, out


def test_make_help_names_what_each_option_takes() -> None:
    out = run_cli("make", "--help")[1]
    for option, metavar in (
        ("--since", "DATE"), ("--input", "PATH"), ("--sentences", "N"),
        ("--email,--to", "ADDRESSES"), ("--config", "FILE"),
    ):  # fmt: skip
        assert re.search(rf"{re.escape(option)}\s.*\b{metavar}\b", out), option


def test_verbose_is_accepted_after_the_command(tmp_path: Path) -> None:
    path = SAMPLES / "004_5c763be46a265a57.txt"
    quiet = run_cli("summarize", str(path))
    code, out, err = run_cli("summarize", "-vv", str(path))
    assert code == 0, err
    assert out == quiet[1]
    assert "briefer: " in err and quiet[2] == ""  # -vv: detail lines, on stderr only
    code, _, err = make_samples(tmp_path / "o", "-v")
    assert code == 0, err


def test_logging_is_configured_on_the_briefer_logger_only() -> None:
    root_handlers = list(logging.getLogger().handlers)
    code, _, _ = run_cli("-v", "summarize", str(SAMPLES / "004_5c763be46a265a57.txt"))
    assert code == 0
    assert logging.getLogger().handlers == root_handlers
    ours = logging.getLogger("briefer")
    assert ours.level == logging.INFO and ours.handlers
    assert logging.getLogger("httpx").level == logging.NOTSET  # third parties are left alone


def test_python_dash_m_briefer() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "briefer", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"briefer {__version__}"


def test_help_into_a_closed_pipe_is_no_traceback() -> None:
    # `briefer make --help | head -1`: the reader goes away mid-help; the parser ends the
    # command (exit 1), which must not trip over its own error handling.
    done = subprocess.run(
        f"{sys.executable} -m briefer make --help | head -c 1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr


def test_the_command_ends_at_once_with_its_output_and_exit_code(tmp_path: Path) -> None:
    """`python -m briefer` (as the installed command) ends its process as soon as the command
    returns (cli.run): what it printed is all there, the files are those an in-process run
    writes, its store is kept (a second run finds its files as written), and a usage error
    still exits 2 with its one line."""
    command = [sys.executable, "-m", "briefer", "make", "--since", "2024-12-01", "--until"]
    command += ["2024-12-05", "--input", str(SAMPLES), "--format", "md,json", "--out"]
    done = subprocess.run(
        [*command, str(tmp_path / "own"), "-v"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "briefer: wrote" in done.stderr  # -v's lines are flushed too
    written = [Path(line) for line in done.stdout.splitlines()]
    assert [path.suffix for path in written] == [".md", ".json"]
    code, out, err = make_samples(tmp_path / "here", "--format", "md,json")
    assert code == 0, err
    for path, here in zip(written, (Path(line) for line in out.splitlines()), strict=True):
        assert path.read_bytes() == here.read_bytes()
    again = subprocess.run(
        [*command, str(tmp_path / "own"), "-v"], capture_output=True, text=True, check=False
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout == done.stdout and "briefer: wrote" not in again.stderr
    wrong = subprocess.run(
        [sys.executable, "-m", "briefer", "make", "--sinse", "2024-12-01"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("briefer: error: no such option: --sinse")


# A fresh process, as a user's: numpy's settings must be in place when numpy is imported, so
# the probe notes them then; a run through the command line and one through the Python API
# alike (briefer.tuning, applied by the pipeline).
_TUNING_PROBE = """
import gc, os, sys
SETTINGS = ("OPENBLAS_NUM_THREADS", "NUMPY_MADVISE_HUGEPAGE")
noted = []
class Spy:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy" and not noted:
            noted.extend(os.environ.get(k) for k in SETTINGS)
sys.meta_path.insert(0, Spy())
import briefer, briefer.cli
before = "numpy" in sys.modules or gc.get_threshold()[0] == 50000
if sys.argv[1] == "api":
    briefer.build(sys.argv[2], since="2021-12-01", until="2024-12-05")
else:
    briefer.cli.app(["make", "-i", sys.argv[2], "--since", "2021-12-01", "--until", "2024-12-05",
                     "--out", sys.argv[3]], standalone_mode=False)
print(before, "numpy" in sys.modules, *noted, gc.get_threshold()[0], gc.isenabled())
"""


@pytest.mark.parametrize("way", ["api", "cli"])
@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("3", "3")])
def test_a_run_has_one_blas_thread_and_a_lazier_collector_unless_told(
    way: str, given: str | None, expected: str, tmp_path: Path
) -> None:
    settings = ("OPENBLAS_NUM_THREADS", "NUMPY_MADVISE_HUGEPAGE")
    env = {k: v for k, v in os.environ.items() if k not in settings}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = env["NUMPY_MADVISE_HUGEPAGE"] = given
    done = subprocess.run(
        [sys.executable, "-c", _TUNING_PROBE, way, str(REPO / "samples"), str(tmp_path / "b")],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    huge = "0" if given is None else given  # numpy's 2 MB pages off unless told
    # Nothing set by importing briefer or its command line; numpy imported by the run, after
    # the settings; the collector's threshold raised, and the collector on after the run.
    noted = done.stdout.splitlines()[-1].split()  # after the paths `make` prints
    assert noted == ["False", "True", expected, huge, "50000", "True"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with the samples as articles/ and a briefer.toml naming them."""
    shutil.copytree(SAMPLES, tmp_path / "articles")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "briefer.toml").write_text(
        'input = "articles"\nout = "out"\nsentences = 1\n', encoding="utf-8"
    )
    return tmp_path


def test_summarize_reads_briefer_toml(project: Path) -> None:
    path = "articles/004_5c763be46a265a57.txt"
    code, out, err = run_cli("summarize", path)
    assert code == 0, err
    assert len(out.strip().splitlines()) == 1  # sentences = 1 from briefer.toml
    assert len(run_cli("summarize", path, "--sentences", "2")[1].strip().splitlines()) == 2


def test_themes_reads_briefer_toml_and_takes_a_period(project: Path) -> None:
    code, out, err = run_cli("themes", "--json")  # input and themes.toml from briefer.toml
    assert code == 0, err
    every = json.loads(out)
    assert len(every) == 5
    code, out, err = run_cli("themes", "--json", "--since", "2024-12-01", "--until", "2024-12-05")
    assert code == 0, err
    assert len(json.loads(out)) == 2
    assert "3 articles outside the period" in err


def test_themes_without_a_themes_file_is_the_same_one_line_from_python_and_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No --themes and no themes.toml beside the input: the report's own check (the options
    layer), which the command line only prints, before anything is read."""
    from briefer.api import options
    from briefer.errors import OptionsError
    from briefer.evaluation.themes_report import themes_report

    monkeypatch.chdir(tmp_path)  # no briefer.toml
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(next(SAMPLES.glob("*.txt")), folder)
    given = options(folder)
    assert given.themes is None
    with pytest.raises(OptionsError) as raised:
        themes_report(given.inputs, given.themes)
    code, out, err = run_cli("themes", "-i", str(folder))
    assert (code, out) == (EXIT_USAGE, "")
    assert err == f"briefer: error: {raised.value}\n"
    assert "pass --themes FILE" in err


@pytest.fixture
def smtp_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFER_SMTP_HOST", HOST)
    monkeypatch.setenv("BRIEFER_SMTP_SECURITY", "none")
    monkeypatch.setenv("BRIEFER_SMTP_FROM", "news@example.org")


@pytest.mark.usefixtures("smtp_env")
def test_make_takes_to_as_well_as_email(tmp_path: Path) -> None:
    for flag in ("--to", "--email"):
        out = tmp_path / flag.strip("-")
        code, printed, err = make_samples(out, flag, "ann@example.org", "--dry-run")
        assert code == 0, err
        assert (out / "2024-12-05.eml").is_file(), printed


# ---- exit codes: one test each, as documented in errors.py and the README ---------------------


def test_exit_0_when_everything_was_read_and_written(tmp_path: Path) -> None:
    code, out, err = make_samples(tmp_path)
    assert (code, err) == (EXIT_OK, "")
    assert [Path(line) for line in out.splitlines()] == [tmp_path / "2024-12-05.md"]


def test_exit_1_when_some_inputs_failed(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES, inbox)
    (inbox / "broken.json").write_text("{not json", encoding="utf-8")
    code, _, err = run_cli(
        "make", "--since", "2024-12-01", "--until", "2024-12-05",
        "--input", str(inbox), "--out", str(tmp_path / "o"),
    )  # fmt: skip
    assert code == EXIT_PARTIAL
    [line] = err.strip().splitlines()
    assert line.startswith(f"briefer: skipped {inbox / 'broken.json'}: ")
    assert (tmp_path / "o" / "2024-12-05.md").is_file()


def test_exit_2_for_a_bad_option_and_nothing_is_written(tmp_path: Path) -> None:
    code, out, err = make_samples(tmp_path / "o", "--words", "0")
    assert (code, out) == (EXIT_USAGE, "")
    assert err.strip() == "briefer: error: --words 0 must be at least 1"
    assert not (tmp_path / "o").exists()


def test_exit_2_when_no_input_is_usable_and_no_empty_briefing(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "broken.json").write_text("{not json", encoding="utf-8")
    (inbox / "empty.txt").write_text("", encoding="utf-8")
    code, out, err = run_cli(
        "make", "--since", "2024-12-01", "--until", "2024-12-05",
        "--input", str(inbox), "--out", str(tmp_path / "o"),
    )  # fmt: skip
    assert (code, out) == (EXIT_USAGE, "")
    *skipped, last = err.strip().splitlines()
    assert len(skipped) == 2 and all(line.startswith("briefer: skipped ") for line in skipped)
    assert last.startswith("briefer: error: no article to brief")
    assert not list((tmp_path / "o").glob("2024-12-05.*"))
    assert not (tmp_path / ".briefer").exists()  # nor an article store holding nothing


def test_a_failed_run_keeps_a_store_made_before(tmp_path: Path) -> None:
    # Only a store folder the failed run made itself, holding nothing, goes with it.
    period = ("--since", "2021-12-01", "--until", "2024-12-05", "--input", str(SAMPLES))
    code, _, err = run_cli("make", *period, "--out", str(tmp_path / "o"))
    assert code == EXIT_OK, err
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "briefing.md.j2").write_text("{% if %}", encoding="utf-8")
    code, _, err = run_cli(
        "make", *period, "--out", str(tmp_path / "o"), "--templates", str(templates), "--top", "1"
    )
    assert code == EXIT_USAGE and "briefing.md.j2" in err
    assert (tmp_path / ".briefer" / "store.sqlite3").is_file()


@pytest.mark.usefixtures("smtp_env")
def test_exit_3_when_the_server_refuses_the_recipient(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder(rcpt_replies={"ann@example.org": ["550 5.1.1 No such user"]})
    with smtp_server(recorder) as server:
        monkeypatch.setenv("BRIEFER_SMTP_PORT", str(server.port))
        code, out, err = make_samples(tmp_path, "--to", "ann@example.org")
    assert code == EXIT_NOT_SENT
    assert out.splitlines() == [str(tmp_path / "2024-12-05.md")]  # written, and kept
    assert (tmp_path / "2024-12-05.md").is_file() and not server.recorder.received
    assert "ann@example.org" in err.strip().splitlines()[-1]


@pytest.mark.usefixtures("smtp_env")
def test_exit_3_when_no_server_listens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The mailer retries a refused connection with its back-off (a few seconds in all).
    port = closed_port()
    monkeypatch.setenv("BRIEFER_SMTP_PORT", str(port))
    code, out, err = make_samples(tmp_path, "--email", "ann@example.org")
    assert code == EXIT_NOT_SENT
    assert out.splitlines() == [str(tmp_path / "2024-12-05.md")]
    last = err.strip().splitlines()[-1]
    assert last.startswith("briefer: error: ") and f"{HOST}:{port}" in last


@pytest.mark.usefixtures("smtp_env")
def test_exit_3_when_the_email_cannot_be_rendered(tmp_path: Path) -> None:
    # The Markdown briefing is written from the shipped template; the e-mail's HTML comes from
    # the user's broken override, after the files are written.
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "briefing.html.j2").write_text("{{ no_such_function() }}", encoding="utf-8")
    out_dir = tmp_path / "o"
    code, out, err = make_samples(
        out_dir, "--templates", str(templates), "--to", "ann@example.org", "--dry-run"
    )
    assert code == EXIT_NOT_SENT
    assert out.splitlines() == [str(out_dir / "2024-12-05.md")]
    assert len(err.strip().splitlines()) == 1 and err.startswith("briefer: error: ")
    assert not (out_dir / "2024-12-05.eml").exists()


@pytest.mark.usefixtures("smtp_env")
def test_send_takes_its_recipients_from_briefer_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = make_samples(tmp_path / "out", "--format", "md,html,txt")
    assert code == 0, err
    monkeypatch.chdir(tmp_path)
    briefing = str(tmp_path / "out" / "2024-12-05.md")
    code, out, err = run_cli("send", briefing)
    assert (code, out) == (EXIT_USAGE, "")
    assert err.strip() == (
        "briefer: error: no one to send it to; pass --to ADDRESSES or set email in briefer.toml"
    )
    (tmp_path / "briefer.toml").write_text('email = "ann@example.org"\n', encoding="utf-8")
    code, out, err = run_cli("send", briefing, "--dry-run")
    assert code == 0, err
    assert out.strip() == str(tmp_path / "out" / "2024-12-05.eml")


def test_make_turns_the_collector_back_on(tmp_path: Path) -> None:
    # Off while the briefing is made (briefer.cli make), on again for whatever the calling
    # process does next, the run failing or not.
    code, _, _ = run_cli("make", "-i", str(REPO / "samples"), "--out", str(tmp_path / "b"))
    assert code == EXIT_OK and gc.isenabled()
    code, _, _ = run_cli("make", "-i", str(tmp_path / "missing"), "--out", str(tmp_path / "c"))
    assert code != EXIT_OK and gc.isenabled()


def test_the_readmes_top_stories_example_is_what_briefer_writes(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("```markdown\n*New since the briefing of 7 January 2022")
    example = readme[start:].split("\n", 1)[1].split("\n```", 1)[0].splitlines()
    out = tmp_path / "briefings"
    for until, extra in (("2022-01-07", ()), ("2024-12-05", ("--top", "2"))):
        code, _, err = run_cli(
            "make", "--input", str(SAMPLES), "--out", str(out),
            "--since", "2021-12-01", "--until", until, *extra,
        )  # fmt: skip
        assert code == EXIT_OK, err
    written = (out / "2024-12-05.md").read_text(encoding="utf-8").splitlines()
    top = written[written.index(example[0]) : written.index("**Contents**")]
    while top and not top[-1]:
        top.pop()
    assert len(top) == len(example)
    for shown, real in zip(example, top, strict=True):
        # a bullet shortened in the README ends with " …" and is the start of the real one
        assert real.startswith(shown.removesuffix(" …")) if shown.endswith(" …") else real == shown
