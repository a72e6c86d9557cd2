"""One bad input never costs the briefing: each hostile input found by the robustness
campaign, placed beside a good file, gives a briefing of the good file, one line naming the
bad one, and exit code 1 (written, some inputs unreadable). Text that is never text
(control characters, byte-order marks, lone surrogates, invisible titles) is cleaned at the
door and never reaches an output."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_cli

sys.path.insert(0, str(REPO / "benchmarks"))
from bench_hostile_inputs import GOOD, GOOD_TITLE, TRIGGERS, write_case

from briefer.errors import InputError
from briefer.ingest import read_file, read_inputs
from briefer.ingest.frontmatter import parse_yaml
from briefer.records import InputLimits
from briefer.safe_text import SHOWN_CHARS, clean_line, clean_text, escape_controls, shown


def make(folder: Path, out: Path) -> tuple[int, str, str]:
    return run_cli(
        "make", "--input", str(folder), "--out", str(out),
        "--since", "2024-12-01", "--until", "2024-12-05", "--format", "md,txt,html",
    )  # fmt: skip


def outputs(out: Path) -> str:
    return "".join(path.read_text(encoding="utf-8") for path in sorted(out.glob("2024-12-05.*")))


@pytest.mark.parametrize("case", TRIGGERS, ids=list(TRIGGERS))
def test_a_bad_input_beside_a_good_one_is_one_line_and_the_good_one_is_briefed(
    case: str, tmp_path: Path
) -> None:
    name, content, needle = TRIGGERS[case]
    folder = tmp_path / "in"
    bad = write_case(folder, name, content)
    code, _out, err = make(folder, tmp_path / "out")
    assert code == 1
    lines = [line for line in err.splitlines() if str(bad) in line]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"briefer: skipped {bad}")
    assert needle in lines[0]
    assert len(lines[0]) < 700  # bounded: no value is echoed whole
    written = outputs(tmp_path / "out")
    assert GOOD_TITLE in written
    assert "Files that failed: 1" in written


def test_a_folder_nested_990_levels_is_walked(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    levels = [folder]
    for _level in range(990):  # one by one: os.makedirs recurses once per level
        levels.append(levels[-1] / "d")
        levels[-1].mkdir()
    try:
        (folder / "good.md").write_text(GOOD, encoding="utf-8")
        deep = levels[-1] / "deep.md"
        deep.write_text(GOOD.replace("Port strike", "Deep strike"), encoding="utf-8")
        result = read_inputs([folder])
        assert sorted(article.title for article in result.articles) == [
            "Deep strike ends after pay deal",
            GOOD_TITLE,
        ]
        assert result.failed == ()
    finally:
        # Bottom up, one level at a time: shutil.rmtree (pytest's clean-up) recurses.
        (levels[-1] / "deep.md").unlink(missing_ok=True)
        for level in reversed(levels[1:]):
            level.rmdir()


CLEANED = {
    "control characters in a title and text": (
        "ctrl.md",
        '+++\ntitle = "Bell \\u0007 and \\u001b[31mred"\ndate = 2024-12-03\n+++\n'
        "Text with \x1b[31mescape\x1b[0m and a bell\x07 in it.\n",
        "Bell and red",
    ),
    "a lone surrogate in a JSON title and text": (
        "surrogate.json",
        '{"title": "Surrogate \\ud800 title", "date": "2024-12-03", "text": "Text \\udc00."}',
        "Surrogate \ufffd title",
    ),
    "a BOM at the front of a JSONL title": (
        "bom.jsonl",
        json.dumps({"title": "\ufeffBOM title", "date": "2024-12-03", "text": "Some text."}),
        "BOM title",
    ),
    "two BOMs at the front of a file": (
        "twobom.md",
        '\ufeff\ufeff+++\ntitle = "Two marks"\ndate = 2024-12-03\n+++\nSome text.\n',
        "Two marks",
    ),
    "a control-character entity after a script in HTML": (
        "script.html",
        '<html><head><meta property="article:published_time" content="2024-12-03">'
        "<title>Script page</title></head><body><script></script>&#x1b;&#65535;"
        "<p>The port reopened on Tuesday after a strike.&#x1b;&#x7;</p>&#x1b;</body></html>",
        "Script page",
    ),
    "a title of zero-width characters": (
        "invisible.md",
        '+++\ntitle = "\u200b\u200d\ufeff"\ndate = 2024-12-03\n+++\nText under no title.\n',
        "",
    ),
}


@pytest.mark.parametrize("case", CLEANED, ids=list(CLEANED))
def test_text_that_is_never_text_is_cleaned_at_the_door(case: str, tmp_path: Path) -> None:
    name, content, title = CLEANED[case]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8", errors="surrogatepass")
    [article] = read_file(path)
    assert article.title == title
    assert article.date is not None  # dated: the two BOMs no longer hide the front matter
    for value in (article.title, article.source, article.url, article.text):
        assert not any(char in value for char in "\x1b\x07\ufeff\u200b")
        assert not any(0xD800 <= ord(char) <= 0xDFFF for char in value)
    assert "[31m" not in article.text


def test_esc_and_bel_never_reach_any_output(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, content, _title in CLEANED.values():
        (folder / name).write_text(content, encoding="utf-8", errors="surrogatepass")
    (folder / "\x1b[31mname.md").write_text(GOOD, encoding="utf-8")
    (folder / "bad\x07.json").write_text('{"title": "x"}', encoding="utf-8")
    code, out, err = make(folder, tmp_path / "out")
    assert code == 1
    written = outputs(tmp_path / "out")
    for text in (written, out, err):
        assert "\x1b" not in text and "\x07" not in text
        assert "\ufeff" not in text and "\u200b" not in text
    assert "bad\\x07.json" in err  # named, escaped


def test_yaml_aliases_are_refused_but_plain_yaml_reads() -> None:
    assert parse_yaml("x", "title: Plain\ntags: [a, b]\nnested: {k: 1}") == {
        "title": "Plain",
        "tags": ["a", "b"],
        "nested": {"k": 1},
    }
    for header in ("a: &x 1\nb: *x", "a: &x [1]\nb: [*x]", "base: &b {k: 1}\nother:\n  <<: *b"):
        with pytest.raises(InputError, match="not allowed"):
            parse_yaml("x", header)
    # The same results as PyYAML's safe loader wherever aliases are not used.
    header = "title: T\ndate: 2024-12-03\nn: 3\nf: 1.5\nflag: yes\nlist: [1, two]\n"
    assert parse_yaml("x", header) == yaml.safe_load(header)


def test_size_caps_are_configurable(tmp_path: Path) -> None:
    path = tmp_path / "article.md"
    path.write_text(GOOD, encoding="utf-8")
    small = InputLimits(max_file_bytes=100)
    result = read_inputs([path], limits=small)
    [failure] = result.failed
    assert failure.reason.startswith("is larger than the limit of 100 bytes")
    assert (
        read_inputs([path], limits=InputLimits(max_text_chars=50))
        .failed[0]
        .reason.startswith("article text is ")
    )
    assert (
        read_inputs([path], limits=InputLimits(max_field_chars=10))
        .failed[0]
        .reason.startswith("title is 31 characters long, over the limit of 10")
    )
    assert [article.title for article in read_inputs([path]).articles] == [GOOD_TITLE]


def test_the_markup_caps_leave_a_heavy_real_page_alone(tmp_path: Path) -> None:
    # 5,000 blocks of three attributes and a paragraph each: about 15,000 words of text.
    block = '<div class="story" id="b" data-x="y"><p>Dock workers voted to end it.</p></div>'
    page = write_page(tmp_path / "heavy.html", "<html><body>" + block * 5000 + "</body></html>")
    [article] = read_file(page)
    assert article.text.count("Dock workers voted") == 5000


def write_page(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_shown_values_are_bounded_and_escaped() -> None:
    assert shown("x" * 1000).startswith("'" + "x" * SHOWN_CHARS + "… (1,000 characters)")
    assert shown("\x1b[2J\x07") == "'\\x1b[2J\\x07'"
    assert shown(10**5000) == "an integer of about 5,000 digits"
    assert shown([[1]] * 10) == "a list of 10 items"
    assert escape_controls("a\tb\nc\ud800") == "a\\tb\\nc\\ud800"
    assert clean_line(" a\u202e\tb\n ") == "a b"
    assert clean_text("keep\ttab\nand line\x00\x0b\x7f\x9b") == "keep\ttab\nand line"
