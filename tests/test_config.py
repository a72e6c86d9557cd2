"""Settings in layers: shipped defaults < briefer.toml < BRIEFER_* variables < flags.

load_config is tested on real files in a temporary folder; the layering through `briefer make`
is tested with CliRunner in a temporary working folder.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO
from typer.testing import CliRunner

from briefer.cli import app
from briefer.config import KEYS, SETTINGS, load_config
from briefer.config.values import parse_addresses
from briefer.errors import OptionsError
from briefer.records import Config, InputLimits

SAMPLES = REPO / "samples"
SECRET = "hunter2-do-not-print"


def _write(folder: Path, text: str, name: str = "briefer.toml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _error(cwd: Path, text: str, environ: dict[str, str] | None = None) -> str:
    _write(cwd, text)
    with pytest.raises(OptionsError) as caught:
        load_config(cwd, environ or {})
    message = str(caught.value)
    assert "\n" not in message
    return message


# ---- load_config: the file --------------------------------------------------------------------


def test_no_file_no_environment_gives_the_shipped_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path, {})
    assert config == Config()
    assert config.make.inputs == (Path("samples"),) and config.make.out == Path("briefings")
    assert (
        config.make.formats == ("md",)
        and config.make.sentences == 3
        and config.make.algorithm == "default"
    )
    assert config.email == () and config.smtp.security == "starttls"
    assert config.smtp.port == 587 and config.file is None


def test_every_key_is_read_from_briefer_toml(tmp_path: Path) -> None:
    _write(
        tmp_path,
        """
input = ["articles", "more/feeds.xml", "https://example.org/feed.xml"]
out = "public/briefings"
themes = "themes.toml"
format = ["md", "HTML", "md"]
sentences = 2
words = 80
algorithm = "lead"
explain = true
templates = "my-templates"
email = ["ann@example.org", "bo@example.org", "ann@example.org"]
smtp_host = "smtp.example.org"
smtp_port = 2525
smtp_user = "briefer"
smtp_security = "SSL"
smtp_from = "Briefings <news@example.org>"
smtp_timeout = 12
email_mode = "bcc"
public_url = "https://example.org/briefings/"
unsubscribe = "mailto:leave@example.org"
cache = false
undated = "skip"
minutes = 7
max_stories = 12
top = 3
new_only = true
max_file_bytes = 1000
max_text_chars = 900
max_field_chars = 80
max_html_elements = 70
max_html_attributes = 60
""",
    )
    config = load_config(tmp_path, {})
    assert config.make.inputs == (Path("articles"), Path("more/feeds.xml"))
    assert config.make.urls == ("https://example.org/feed.xml",)
    assert config.make.out == Path("public/briefings")
    assert config.make.themes == Path("themes.toml")
    assert config.make.formats == ("md", "html")
    assert (config.make.sentences, config.make.words, config.make.algorithm) == (2, 80, "lead")
    assert config.make.explain is True
    assert config.make.templates == Path("my-templates")
    assert config.email == ("ann@example.org", "bo@example.org")
    assert (config.smtp.host, config.smtp.port, config.smtp.user) == (
        "smtp.example.org",
        2525,
        "briefer",
    )
    assert config.smtp.security == "ssl"
    assert config.smtp.sender == "Briefings <news@example.org>"
    assert config.smtp.timeout == 12.0
    assert config.make.cache is False
    assert config.make.undated == "skip"
    assert config.email_settings.mode == "bcc"
    assert config.email_settings.public_url == "https://example.org/briefings/"
    assert config.email_settings.unsubscribe == "mailto:leave@example.org"
    assert (config.make.minutes, config.make.max_stories) == (7, 12)
    assert (config.make.top, config.make.new_only) == (3, True)
    assert config.make.limits == InputLimits(1000, 900, 80, 70, 60)
    assert config.file == tmp_path / "briefer.toml"
    # Every documented key was exercised above.
    assert set(KEYS) == {setting.key for setting in SETTINGS}
    assert len(KEYS) == 30


def test_strings_work_where_lists_do(tmp_path: Path) -> None:
    _write(tmp_path, 'input = "articles"\nformat = "md, txt"\nemail = "a@x.org, b@y.org"\n')
    config = load_config(tmp_path, {})
    assert config.make.inputs == (Path("articles"),)
    _write(tmp_path, 'input = "https://example.org:8443/feed.xml"\n')
    assert load_config(tmp_path, {}).make.urls == ("https://example.org:8443/feed.xml",)
    _write(tmp_path, 'input = "a:b"\n')  # one path, however the platform separates them
    assert load_config(tmp_path, {}).make.inputs == (Path("a:b"),)
    _write(tmp_path, 'input = "articles"\nformat = "md, txt"\nemail = "a@x.org, b@y.org"\n')
    config = load_config(tmp_path, {})
    assert config.make.formats == ("md", "txt")
    assert config.email == ("a@x.org", "b@y.org")


def test_relative_paths_are_relative_to_the_files_folder(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    _write(outside, 'input = "articles"\nout = "../briefings"\ntemplates = "/abs/templates"\n')
    cwd = tmp_path / "work"
    cwd.mkdir()
    config = load_config(cwd, {}, outside / "briefer.toml")
    assert config.make.inputs == (outside / "articles",)
    assert (cwd / config.make.out).resolve() == (tmp_path / "briefings").resolve()
    assert config.make.templates == Path("/abs/templates")


def test_a_config_below_the_working_folder_gives_paths_relative_to_it(tmp_path: Path) -> None:
    _write(tmp_path / "conf", 'input = "articles"\nthemes = "../themes.toml"\n')
    config = load_config(tmp_path, {}, Path("conf/briefer.toml"))
    # Relative to the working folder, so a briefing's footer reads the same on every clone.
    assert config.make.inputs == (Path("conf/articles"),)
    assert config.make.themes is not None and not config.make.themes.is_absolute()
    assert (tmp_path / config.make.themes).resolve() == (tmp_path / "themes.toml").resolve()


def test_briefer_config_variable_names_the_file(tmp_path: Path) -> None:
    _write(tmp_path / "settings", "sentences = 5\n", "team.toml")
    _write(tmp_path, "sentences = 4\n")
    config = load_config(tmp_path, {"BRIEFER_CONFIG": "settings/team.toml"})
    assert config.make.sentences == 5
    # --config wins over the variable.
    assert (
        load_config(tmp_path, {"BRIEFER_CONFIG": "x.toml"}, Path("briefer.toml")).make.sentences
        == 4
    )


def test_a_named_config_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(OptionsError, match=r"nope\.toml: no such file"):
        load_config(tmp_path, {}, Path("nope.toml"))
    with pytest.raises(OptionsError, match=r"gone\.toml: no such file"):
        load_config(tmp_path, {"BRIEFER_CONFIG": "gone.toml"})
    with pytest.raises(OptionsError, match="check the BRIEFER_CONFIG path"):
        load_config(tmp_path, {"BRIEFER_CONFIG": "gone.toml"})
    (tmp_path / "folder").mkdir()
    with pytest.raises(OptionsError, match="is a folder"):
        load_config(tmp_path, {}, Path("folder"))


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("sentence", "sentences"),
        ("formats", "format"),
        ("inputs", "input"),
        ("smtp_hots", "smtp_host"),
        ("smtp-port", "smtp_port"),
        ("template", "templates"),
        ("emails", "email"),
    ],
)
def test_a_bad_key_names_it_and_suggests_the_closest(tmp_path: Path, typo: str, meant: str) -> None:
    message = _error(tmp_path, f"{typo} = 1\n")
    assert message == f"briefer.toml: unknown key {typo!r}; did you mean {meant!r}?"


def test_a_bad_key_with_nothing_close_lists_the_valid_ones(tmp_path: Path) -> None:
    message = _error(tmp_path, "colour = 'blue'\n")
    assert "unknown key 'colour'" in message
    assert "valid keys: input, out, themes, format" in message


@pytest.mark.parametrize(
    ("line", "needles"),
    [
        ('sentences = "three"', ("sentences", '"three"', "a string", "whole number")),
        ("sentences = 0", ("sentences", "0", "at least 1")),
        ("sentences = true", ("sentences", "true/false", "whole number")),
        ("words = 2.5", ("words", "2.5", "a decimal number")),
        ('explain = "yes"', ("explain", '"yes"', "true or false")),
        ("format = 3", ("format", "3", "a whole number", "briefing formats")),
        ('format = ["md", "pdf"]', ("format", "'pdf'", "md, html, txt")),
        ("input = [1, 2]", ("input", "[1, 2]", "a list")),
        ("out = 7", ("out", "7", "a path")),
        ('algorithm = "magic"', ("algorithm", '"magic"', "lexrank")),
        ("smtp_port = 70000", ("smtp_port", "70000", "1 to 65535")),
        ("smtp_timeout = -1", ("smtp_timeout", "-1", "seconds above 0")),
        ('smtp_security = "tls"', ("smtp_security", '"tls"', "starttls, ssl, none")),
        ('email = ["not-an-address"]', ("email", "not-an-address", "e-mail address")),
        ("until = 2024-12-05", ("until", "--until", "every run")),
        ('since = "2024-12-01"', ("since", "--since")),
    ],
)
def test_a_wrong_value_names_key_value_and_expected_type(
    tmp_path: Path, line: str, needles: tuple[str, ...]
) -> None:
    message = _error(tmp_path, line + "\n")
    assert message.startswith("briefer.toml")
    for needle in needles:
        assert needle in message, message


def test_invalid_toml_gives_the_line(tmp_path: Path) -> None:
    message = _error(tmp_path, 'out = "briefings"\n\nsentences = \n')
    assert message.startswith("briefer.toml line 3: not valid TOML")
    assert "fix that line" in message


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    (tmp_path / "briefer.toml").write_bytes('out = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(OptionsError, match=r"briefer\.toml: not UTF-8"):
        load_config(tmp_path, {})


def test_a_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    (tmp_path / "briefer.toml").write_bytes("\ufeffsentences = 2\n".encode())
    assert load_config(tmp_path, {}).make.sentences == 2


def test_the_layout_is_flat_and_a_table_says_so(tmp_path: Path) -> None:
    message = _error(tmp_path, '[make]\nout = "x"\n')
    assert "[make] is a table, but briefer.toml is flat" in message
    assert "out = ..." in message
    message = _error(tmp_path, '[smtp]\nhost = "smtp.example.org"\n')
    assert "smtp_host = ..." in message


@pytest.mark.parametrize(
    "text",
    [
        f'smtp_password = "{SECRET}"\n',
        f'password = "{SECRET}"\n',
        f'smtp_pass = "{SECRET}"\n',
        f'sentences = 2\n[smtp]\npassword = "{SECRET}"\n',
    ],
)
def test_a_password_in_the_file_is_refused_without_echoing_it(tmp_path: Path, text: str) -> None:
    message = _error(tmp_path, text)
    assert "BRIEFER_SMTP_PASSWORD" in message and "environment variable" in message
    assert SECRET not in message


def test_the_password_comes_only_from_the_environment_and_is_never_shown(tmp_path: Path) -> None:
    config = load_config(tmp_path, {"BRIEFER_SMTP_PASSWORD": SECRET})
    assert config.smtp.password == SECRET
    assert SECRET not in repr(config) and SECRET not in str(config)


# ---- load_config: the environment ---------------------------------------------------------------


def test_the_environment_overrides_the_file(tmp_path: Path) -> None:
    _write(
        tmp_path,
        'out = "from-file"\nsentences = 2\nformat = "md"\nexplain = true\nsmtp_port = 25\n'
        'email = "a@x.org"\nsmtp_security = "none"\n',
    )
    environ = {
        "BRIEFER_OUT": "from-env",
        "BRIEFER_SENTENCES": "4",
        "BRIEFER_FORMAT": "html,txt",
        "BRIEFER_EXPLAIN": "off",
        "BRIEFER_SMTP_PORT": "2525",
        "BRIEFER_EMAIL": "b@y.org,c@z.org",
        "BRIEFER_SMTP_SECURITY": "starttls",
        "BRIEFER_SMTP_HOST": "localhost.localdomain",
        "BRIEFER_SMTP_USER": "me",
        "BRIEFER_SMTP_FROM": "news@example.org",
        "BRIEFER_WORDS": "",  # empty counts as unset
    }
    config = load_config(tmp_path, environ)
    assert config.make.out == Path("from-env")
    assert config.make.sentences == 4
    assert config.make.formats == ("html", "txt")
    assert config.make.explain is False
    assert config.smtp.port == 2525 and config.smtp.security == "starttls"
    assert config.email == ("b@y.org", "c@z.org")
    assert (config.smtp.host, config.smtp.user) == ("localhost.localdomain", "me")
    assert config.smtp.sender == "news@example.org"
    assert config.make.words is None


def test_environment_paths_are_relative_to_the_working_folder(tmp_path: Path) -> None:
    _write(tmp_path / "conf", 'out = "x"\n')
    environ = {
        "BRIEFER_INPUT": os.pathsep.join(["a", "b/c", "https://example.org:8443/feed.xml", "d"]),
        "BRIEFER_THEMES": "t.toml",
        "BRIEFER_TEMPLATES": "tpl",
    }
    config = load_config(tmp_path, environ, Path("conf/briefer.toml"))
    assert config.make.out == Path("conf/x")
    assert config.make.inputs == (Path("a"), Path("b/c"), Path("d"))
    assert config.make.urls == ("https://example.org:8443/feed.xml",)
    assert (config.make.themes, config.make.templates) == (Path("t.toml"), Path("tpl"))


@pytest.mark.parametrize(
    ("name", "value", "needle"),
    [
        ("BRIEFER_SENTENCES", "three", "whole number"),
        ("BRIEFER_WORDS", "-5", "at least 1"),
        ("BRIEFER_EXPLAIN", "maybe", "true or false"),
        ("BRIEFER_FORMAT", "md,pdf", "'pdf'"),
        ("BRIEFER_ALGORITHM", "magic", "sentence scorer"),
        ("BRIEFER_SMTP_PORT", "99999", "1 to 65535"),
        ("BRIEFER_SMTP_SECURITY", "tls", "starttls, ssl, none"),
        ("BRIEFER_EMAIL", "a@x.org\nBcc: evil@y.org", "e-mail address"),
        ("BRIEFER_SMTP_FROM", "news@example.org\r\nBcc: evil@y.org", "one-line"),
    ],
)
def test_a_bad_variable_is_named(tmp_path: Path, name: str, value: str, needle: str) -> None:
    with pytest.raises(OptionsError) as caught:
        load_config(tmp_path, {name: value})
    message = str(caught.value)
    assert message.startswith("environment: ") and name in message and needle in message
    assert "\n" not in message


def test_a_near_miss_variable_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="briefer.config"):
        config = load_config(tmp_path, {"BRIEFER_SENTENCE": "1", "BRIEFER_UPDATE_GOLDEN": "1"})
    assert config.make.sentences == 3
    assert "BRIEFER_SENTENCE is not a briefer setting" in caplog.text
    assert "did you mean BRIEFER_SENTENCES?" in caplog.text
    assert "UPDATE_GOLDEN" not in caplog.text  # not ours, not close to ours: left alone


def test_addresses_refuse_anything_that_could_add_a_header_or_recipient() -> None:
    assert parse_addresses("a@x.org, b@y.org ,a@x.org", "--email") == ("a@x.org", "b@y.org")
    assert parse_addresses(["root@localhost"], "email") == ("root@localhost",)
    for bad in ("a@x.org b@y.org", "Ann <a@x.org>", "a@x.org\r\nBcc: e@y.org", "a@", "@x.org"):
        with pytest.raises(OptionsError, match="--email"):
            parse_addresses(bad, "--email")
    with pytest.raises(OptionsError, match="is empty"):
        parse_addresses(" , ", "--email")


def test_smtp_port_defaults_follow_the_security(tmp_path: Path) -> None:
    assert load_config(tmp_path, {"BRIEFER_SMTP_SECURITY": "ssl"}).smtp.port == 465
    assert load_config(tmp_path, {"BRIEFER_SMTP_SECURITY": "none"}).smtp.port == 25
    assert load_config(tmp_path, {"BRIEFER_SMTP_PORT": "2525"}).smtp.port == 2525


# ---- through briefer make ---------------------------------------------------------------------


def _make(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["make", *args], env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


PERIOD = ("--since", "2024-12-01", "--until", "2024-12-05")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding a copy of the samples as `articles/`."""
    shutil.copytree(SAMPLES, tmp_path / "articles")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_make_takes_every_option_from_briefer_toml(project: Path) -> None:
    _write(
        project,
        'input = "articles"\nout = "from-file"\nformat = ["md", "txt"]\nsentences = 1\n'
        "explain = true\n",
    )
    code, out, err = _make(*PERIOD)
    assert code == 0, err
    assert out.splitlines() == [
        str(Path("from-file/2024-12-05.md")),
        str(Path("from-file/2024-12-05.txt")),
    ]
    # The same briefing as the same settings given as flags (with an empty settings file),
    # byte for byte.
    (project / "empty.toml").write_text("", encoding="utf-8")
    code, _, err = _make(
        *PERIOD, "--input", "articles", "--out", "flags", "--format", "md,txt",
        "--sentences", "1", "--explain", "--config", "empty.toml",
    )  # fmt: skip
    assert code == 0, err
    for name in ("2024-12-05.md", "2024-12-05.txt"):
        assert (project / "from-file" / name).read_bytes() == (
            project / "flags" / name
        ).read_bytes()
    assert "Why here:" in (project / "from-file" / "2024-12-05.md").read_text(encoding="utf-8")


def test_environment_overrides_the_file_and_flags_override_both(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(project, 'input = "articles"\nout = "from-file"\nformat = "md"\nexplain = true\n')
    monkeypatch.setenv("BRIEFER_OUT", "from-env")
    monkeypatch.setenv("BRIEFER_FORMAT", "txt")
    code, out, err = _make(*PERIOD)
    assert code == 0, err
    assert out.splitlines() == [str(Path("from-env/2024-12-05.txt"))]
    assert "Why here:" in (project / "from-env" / "2024-12-05.txt").read_text(encoding="utf-8")

    code, out, err = _make(*PERIOD, "--out", "from-flag", "--format", "md", "--no-explain")
    assert code == 0, err
    assert out.splitlines() == [str(Path("from-flag/2024-12-05.md"))]
    assert "Why here:" not in (project / "from-flag" / "2024-12-05.md").read_text(encoding="utf-8")
    assert not (project / "from-file").exists()


def test_a_config_elsewhere_reads_paths_from_its_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = tmp_path / "team"
    shutil.copytree(SAMPLES, team / "inbox")
    _write(team, 'input = "inbox"\nout = "briefings"\n')
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    code, out, err = _make(*PERIOD, "--config", str(team / "briefer.toml"))
    assert code == 0, err
    assert Path(out.strip()) == team / "briefings" / "2024-12-05.md"
    # themes.toml beside the configured input was found, as it is beside a flag's input.
    assert "Other developments" not in Path(out.strip()).read_text(encoding="utf-8")


def test_make_names_a_bad_key_and_writes_nothing(project: Path) -> None:
    _write(project, 'input = "articles"\nout = "out"\nsentence = 2\n')
    code, out, err = _make(*PERIOD)
    assert code == 2 and out == ""
    assert (
        err.strip()
        == "briefer: error: briefer.toml: unknown key 'sentence'; did you mean 'sentences'?"
    )
    assert not (project / "out").exists()


def test_make_refuses_a_password_in_briefer_toml(project: Path) -> None:
    _write(project, f'input = "articles"\nout = "out"\nsmtp_password = "{SECRET}"\n')
    code, out, err = _make(*PERIOD)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "BRIEFER_SMTP_PASSWORD" in err and SECRET not in err
    assert not (project / "out").exists()


def test_a_bad_variable_stops_make_with_one_line(project: Path) -> None:
    code, _, err = _make(*PERIOD, "--input", "articles", env={"BRIEFER_SENTENCES": "lots"})
    assert code == 2
    assert err.strip().splitlines() == [
        'briefer: error: environment: BRIEFER_SENTENCES = "lots" is not a whole number of at '
        "least 1; set BRIEFER_SENTENCES=3"
    ]


def test_make_with_a_missing_config_file_says_so(project: Path) -> None:
    code, out, err = _make(*PERIOD, "--config", "nope.toml")
    assert code == 2 and out == ""
    assert err.strip() == "briefer: error: nope.toml: no such file; check the --config path"


# ---- the input limits: keys, variables and flags like every other setting ---------------------

WIDE = ("--since", "2021-01-01", "--until", "2024-12-31")  # every sample is in it


def _sizes(project: Path) -> dict[str, int]:
    return {path.name: path.stat().st_size for path in (project / "articles").glob("*.txt")}


def test_a_lowered_file_cap_in_briefer_toml_fails_larger_files_and_briefs_the_rest(
    project: Path,
) -> None:
    sizes = _sizes(project)
    cap = sorted(sizes.values())[len(sizes) // 2]  # the median sample: about half are over it
    over = sorted(name for name, size in sizes.items() if size > cap)
    assert 0 < len(over) < len(sizes)
    _write(project, f'input = "articles"\nout = "out"\nmax_file_bytes = {cap}\n')
    code, out, err = _make(*WIDE)
    assert code == 1, err  # written, some inputs unreadable
    assert out.splitlines() == [str(Path("out/2024-12-31.md"))]
    assert err.strip().splitlines() == [
        f"briefer: skipped {Path('articles') / name}: is larger than the limit of {cap:,} "
        "bytes; split it, or raise the max_file_bytes setting (--max-file-bytes)"
        for name in over
    ]
    briefing = (project / "out" / "2024-12-31.md").read_text(encoding="utf-8")
    assert f"Files that failed: {len(over)}" in briefing
    # The variable overrides the file, and the flag overrides both: the same store is used,
    # and files it holds from a run within other limits are read (and judged) again.
    code, _, err = _make(*WIDE, env={"BRIEFER_MAX_FILE_BYTES": str(max(sizes.values()))})
    assert (code, err) == (0, "")
    code, _, err = _make(*WIDE, "--max-file-bytes", str(cap))
    assert code == 1 and len(err.strip().splitlines()) == len(over)


def test_the_other_limits_are_settings_too(project: Path) -> None:
    # A 20-character field cap fails the samples with longer titles; the variable lifts it.
    _write(project, 'input = "articles"\nout = "out"\nmax_field_chars = 20\n')
    code, _, err = _make(*WIDE)
    lines = err.strip().splitlines()
    assert code == 1 and lines
    assert all(
        "over the limit of 20; shorten the title, or raise the max_field_chars setting "
        "(--max-field-chars)" in line
        for line in lines
    ), lines
    code, _, err = _make(*WIDE, env={"BRIEFER_MAX_FIELD_CHARS": "2000"})
    assert (code, err) == (0, "")


@pytest.mark.parametrize(
    ("setting", "env", "args", "line"),
    [
        (
            "max_file_bytes = 0",
            {},
            (),
            "briefer.toml: max_file_bytes = 0 (a whole number) is not a whole number of at "
            "least 1; write max_file_bytes = 10485760",
        ),
        (
            'max_text_chars = "1e6"',
            {},
            (),
            'briefer.toml: max_text_chars = "1e6" (a string) is not a whole number of at '
            "least 1; write max_text_chars = 500000",
        ),
        (
            "",
            {"BRIEFER_MAX_HTML_ELEMENTS": "-5"},
            (),
            'environment: BRIEFER_MAX_HTML_ELEMENTS = "-5" is not a whole number of at least '
            "1; set BRIEFER_MAX_HTML_ELEMENTS=30000",
        ),
        (
            "",
            {},
            ("--max-html-attributes", "0"),
            "--max-html-attributes 0 must be a whole number of at least 1",
        ),
    ],
)
def test_a_bad_limit_is_refused_with_one_line_and_exit_2(
    project: Path, setting: str, env: dict[str, str], args: tuple[str, ...], line: str
) -> None:
    _write(project, f'input = "articles"\nout = "out"\n{setting}\n')
    code, out, err = _make(*WIDE, *args, env=env)
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [f"briefer: error: {line}"]
    assert not (project / "out").exists()


# ---- make_options: the flags over the settings, into the one options record -------------------


def test_make_options_lays_flags_over_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from briefer.config import make_options
    from briefer.records import MakeOptions

    shutil.copytree(SAMPLES, tmp_path / "articles")
    monkeypatch.chdir(tmp_path)  # relative paths are relative to the working folder
    _write(tmp_path, 'input = "articles"\nsentences = 2\nformat = ["md", "txt"]\n')
    config = load_config(tmp_path, {"BRIEFER_WORDS": "50"})
    today = dt.date(2024, 12, 5)
    options = make_options(config, {"sentences": 4, "since": "2024-12-01", "out": None}, today)
    assert isinstance(options, MakeOptions)
    assert (options.sentences, options.words, options.formats) == (4, 50, ("md", "txt"))
    assert (options.since, options.until) == (dt.date(2024, 12, 1), today)
    assert options.inputs == (Path("articles"),)
    # themes.toml beside the first input, found relative to the working folder
    assert options.themes == Path("articles") / "themes.toml"
    flagged = make_options(config, {"inputs": ["x", "https://example.org/feed"]}, today)
    assert (flagged.inputs, flagged.urls, flagged.themes) == (
        (Path("x"),),
        ("https://example.org/feed",),
        None,
    )
    with pytest.raises(OptionsError, match="--algorithm 'magic' is not a sentence scorer"):
        make_options(config, {"algorithm": "magic"}, today)
    with pytest.raises(TypeError, match="unknown option"):
        make_options(config, {"sentence": 2}, today)
    # The input limits: one by one (as the flags give them) or whole, over the settings'.
    limited = load_config(tmp_path, {"BRIEFER_MAX_TEXT_CHARS": "900"})
    options = make_options(limited, {"max_file_bytes": 5000}, today)
    assert options.limits == InputLimits(max_file_bytes=5000, max_text_chars=900)
    whole = make_options(limited, {"limits": InputLimits(max_field_chars=99)}, today)
    assert whole.limits == InputLimits(max_field_chars=99)
    with pytest.raises(OptionsError, match="--max-text-chars True must be a whole number"):
        make_options(config, {"max_text_chars": True}, today)
