"""The output folder as a repo keeps it: one file per date, index.md newest first, byte-stable
reruns, user templates through the CLI, and output that stays inert when article text is
hostile. Everything runs `briefer make` through CliRunner on real files in a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO
from typer.testing import CliRunner

from briefer.cli import app
from briefer.deliver.index import MARKER

SAMPLES = REPO / "samples"
FORMATS = "md,html,txt"

# Three briefings of the samples (articles dated 2021-12-16, 2022-01-07, 2022-04-06 and two on
# 2024-12-03): since, until, the period as the index spells it.
RUNS = (
    ("2021-12-01", "2022-01-31", "1 December 2021 – 31 January 2022"),
    ("2022-04-01", "2022-04-30", "1–30 April 2022"),
    ("", "2024-12-05", "up to 5 December 2024"),
)


def _make(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["make", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _make_for(since: str, until: str, *extra: str) -> tuple[int, str, str]:
    period = ("--since", since, "--until", until) if since else ("--until", until)
    return _make(*period, *extra)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(SAMPLES, tmp_path / "articles")
    (tmp_path / "briefer.toml").write_text(
        'input = "articles"\nout = "briefings"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _index_rows(index: str) -> list[list[str]]:
    rows = [line for line in index.splitlines() if line.startswith("| ")]
    assert rows[0] == "| Briefing | Period | Stories | Articles | Other formats |"
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[2:]]


# ---- the index ---------------------------------------------------------------------------------


def test_index_lists_three_briefings_newest_first_with_periods_and_counts(project: Path) -> None:
    for since, until, _ in RUNS:
        code, _, err = _make_for(since, until, "--format", FORMATS)
        assert code == 0, err
    out = project / "briefings"
    index = (out / "index.md").read_text(encoding="utf-8")
    assert index.startswith(MARKER + "\n# Briefings\n")
    rows = _index_rows(index)
    assert [row[0] for row in rows] == [
        "[5 December 2024](2024-12-05.md)",
        "[30 April 2022](2022-04-30.md)",
        "[31 January 2022](2022-01-31.md)",
    ]
    by_date = {until: period for _, until, period in RUNS}
    for row in rows:
        date = re.search(r"\((\S+)\.md\)", row[0])
        assert date is not None
        briefing = (out / f"{date.group(1)}.md").read_text(encoding="utf-8")
        assert row[1] == by_date[date.group(1)]
        assert int(row[2]) == briefing.count("\n### "), "stories, as the briefing shows them"
        assert f"- In the period: {row[3]}\n" in briefing
        assert row[4] == f"[html]({date.group(1)}.html), [txt]({date.group(1)}.txt)"
    assert rows[0][3] == "5" and rows[1][3] == "1" and rows[2][3] == "2"
    # One file per date and format, one record per date, and nothing else.
    assert sorted(_snapshot(out)) == sorted(
        [f"{until}.{fmt}" for _, until, _ in RUNS for fmt in ("md", "html", "txt")]
        + [f".index/{until}.json" for _, until, _ in RUNS]
        + ["index.md"]
    )
    record = json.loads((out / ".index" / "2022-01-31.json").read_text(encoding="utf-8"))
    # What it told, for the next briefing's new marks (briefer.rank): its two articles.
    assert len(record.pop("briefed")["articles"]) == 2
    # For `briefer send`'s subject: the themes and the heaviest story, as the briefing shows them.
    shown = (out / "2022-01-31.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", shown, re.M)
    top = record.pop("top")
    assert top and f"\n### {top}\n" in shown, "the heaviest story"
    assert record == {
        "articles": 2,
        "date": "2022-01-31",
        "since": "2021-12-01",
        "stories": int(rows[2][2]),
        "themes": len([h for h in headings if h not in ("Top stories", "Also reported")]),
        "title": "Briefing",
        "until": "2022-01-31",
        "version": 1,
    }


def test_reruns_on_the_same_inputs_change_no_byte(project: Path) -> None:
    for since, until, _ in RUNS:
        assert _make_for(since, until, "--format", FORMATS)[0] == 0
    first = _snapshot(project / "briefings")
    # Again, in another order: the index depends on what is in the folder, not on the order.
    for since, until, _ in reversed(RUNS):
        assert _make_for(since, until, "--format", FORMATS)[0] == 0
    assert _snapshot(project / "briefings") == first
    assert _make_for(*RUNS[1][:2], "--format", FORMATS)[0] == 0
    assert _snapshot(project / "briefings") == first


def test_a_briefing_without_a_record_is_listed_as_unknown(project: Path) -> None:
    out = project / "briefings"
    out.mkdir()
    (out / "2020-01-01.md").write_text("# A briefing made before records\n", encoding="utf-8")
    (out / "2020-13-40.md").write_text("not a date", encoding="utf-8")
    (out / "notes.md").write_text("mine", encoding="utf-8")
    code, _, err = _make_for(*RUNS[0][:2])
    assert code == 0, err
    rows = _index_rows((out / "index.md").read_text(encoding="utf-8"))
    assert rows == [
        ["[31 January 2022](2022-01-31.md)", RUNS[0][2], rows[0][2], "2", ""],
        ["[1 January 2020](2020-01-01.md)", "unknown", "?", "?", ""],
    ]


def test_a_broken_record_is_reported_and_listed_as_unknown(project: Path) -> None:
    assert _make_for(*RUNS[0][:2])[0] == 0
    (project / "briefings" / ".index" / "2022-01-31.json").write_text("{oops", encoding="utf-8")
    code, _, err = _make_for(*RUNS[1][:2])
    assert code == 0, err
    assert "2022-01-31.json" in err
    rows = _index_rows((project / "briefings" / "index.md").read_text(encoding="utf-8"))
    assert rows[1][:4] == ["[31 January 2022](2022-01-31.md)", "unknown", "?", "?"]


def test_an_index_briefer_did_not_write_is_left_alone(project: Path) -> None:
    out = project / "briefings"
    out.mkdir()
    (out / "index.md").write_text("# My own notes\n", encoding="utf-8")
    code, stdout, err = _make_for(*RUNS[0][:2])
    assert code == 0, err
    assert stdout.splitlines() == [str(Path("briefings/2022-01-31.md"))]
    assert "was not written by briefer" in err and "index.md" in err
    assert (out / "index.md").read_text(encoding="utf-8") == "# My own notes\n"
    assert (out / ".index" / "2022-01-31.json").is_file()


def test_a_folder_with_only_html_briefings_links_the_html(project: Path) -> None:
    assert _make_for(*RUNS[1][:2], "--format", "html")[0] == 0
    rows = _index_rows((project / "briefings" / "index.md").read_text(encoding="utf-8"))
    assert rows[0][0] == "[30 April 2022](2022-04-30.html)"


# ---- templates through the CLI -----------------------------------------------------------------


def test_user_templates_override_per_file_from_flag_or_briefer_toml(project: Path) -> None:
    code, _, err = _make_for(*RUNS[2][:2], "--format", FORMATS, "--out", "shipped")
    assert code == 0, err
    mine = project / "config" / "my-templates"
    mine.mkdir(parents=True)
    (mine / "briefing.txt.j2").write_text(
        "MY BRIEFING {{ briefing.date|long_date }}: {{ stories|length }} stories\n",
        encoding="utf-8",
    )
    (mine / "index.md.j2").write_text(
        "{% for entry in entries %}* {{ entry.date }} {{ entry.stories }}\n{% endfor %}",
        encoding="utf-8",
    )
    (project / "config" / "briefer.toml").write_text(
        'input = "../articles"\nout = "../mine"\ntemplates = "my-templates"\n', encoding="utf-8"
    )
    code, _, err = _make_for(*RUNS[2][:2], "--format", FORMATS, "--config", "config/briefer.toml")
    assert code == 0, err
    shipped, custom = project / "shipped", project / "mine"
    stories = (shipped / "2024-12-05.md").read_text(encoding="utf-8").count("\n### ")
    txt = (custom / "2024-12-05.txt").read_text(encoding="utf-8")
    assert txt == f"MY BRIEFING 5 December 2024: {stories} stories\n"
    for name in ("2024-12-05.md", "2024-12-05.html"):
        assert (custom / name).read_bytes() == (shipped / name).read_bytes(), "falls back"
    index = (custom / "index.md").read_text(encoding="utf-8")
    assert index == f"{MARKER}\n* 2024-12-05 {stories}\n"

    # The flag overrides the file's templates: with an empty folder, everything is shipped.
    (project / "empty").mkdir()
    code, _, err = _make_for(*RUNS[2][:2], "--format", "txt", "--templates", "empty")
    assert code == 0, err
    shipped_txt = (shipped / "2024-12-05.txt").read_bytes()
    assert (project / "briefings" / "2024-12-05.txt").read_bytes() == shipped_txt


@pytest.mark.parametrize(
    ("name", "text", "needle"),
    [
        ("briefing.html.j2", "<p>\n{{ briefing.headline }}\n", "briefing.html.j2 line 2"),
        ("briefing.md.j2", "# ok\n\n{% for x in %}\n", "briefing.md.j2 line 3"),
        ("index.md.j2", "{{ entries|nonexistent_filter }}\n", "index.md.j2"),
    ],
)
def test_a_template_that_fails_is_one_line_and_nothing_is_written(
    project: Path, name: str, text: str, needle: str
) -> None:
    assert _make_for(*RUNS[0][:2], "--format", FORMATS)[0] == 0
    before = _snapshot(project / "briefings")
    broken = project / "broken"
    broken.mkdir()
    (broken / name).write_text(text, encoding="utf-8")
    code, out, err = _make_for(*RUNS[1][:2], "--format", FORMATS, "--templates", "broken")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "failed to render" in lines[0], err
    assert _snapshot(project / "briefings") == before, "nothing written, not even the index"


# ---- hostile article text ----------------------------------------------------------------------

HOSTILE_TITLE = "[click](javascript:alert(1)) <img src=x onerror=alert(1)>"
HOSTILE = f"""+++
title = "{HOSTILE_TITLE}"
date = 2024-12-03
source = "<script>alert('src')</script> [Daily](javascript:alert(2))"
url = "javascript:alert(1)"
+++
Ministers met in Brussels on Tuesday to discuss <script>alert(1)</script> air defence for
Ukraine and agreed on new support.

The talks covered <img src=x onerror=alert(1)> ammunition deliveries and
[a link](javascript:alert(3)) before winter arrives in the region.

Officials said <b onmouseover=alert(4)>more systems</b> would arrive by the end of the month,
according to &#106;avascript: a statement.
"""
HEADING = """+++
title = "# x"
date = 2024-12-04
source = "Wire | *bold*"
url = "https://example.org/a?b=1&c=<x>"
+++
A second report on power grids said that prices rose sharply during the week as demand climbed.
"""


class _Markup(HTMLParser):
    """Every tag, attribute and text run of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _assert_inert(html: str) -> _Markup:
    markup = _Markup()
    markup.feed(html)
    markup.close()
    assert not {"script", "img", "b", "iframe"} & set(markup.tags), markup.tags
    assert not [name for name, _ in markup.attributes if name.startswith("on")]
    hrefs = [value for name, value in markup.attributes if name in ("href", "src")]
    local = re.compile(r"\d{4}-\d{2}-\d{2}\.(md|html|txt)")  # the index's links to briefings
    assert all(
        href.startswith(("https://", "http://", "#")) or local.fullmatch(href) for href in hrefs
    ), hrefs
    assert "<script" not in html and "<img" not in html
    return markup


def test_hostile_article_text_stays_text_in_every_format(project: Path) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    inbox = project / "hostile"
    inbox.mkdir()
    (inbox / "evil.md").write_text(HOSTILE, encoding="utf-8")
    (inbox / "heading.md").write_text(HEADING, encoding="utf-8")
    code, _, err = _make(
        "--input", "hostile", "--since", "2024-12-01", "--until", "2024-12-05",
        "--format", FORMATS, "--out", "out",
    )  # fmt: skip
    assert code == 0, err
    out = project / "out"

    markdown = (out / "2024-12-05.md").read_text(encoding="utf-8")
    parser = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    rendered = parser.render(markdown)
    seen = _assert_inert(rendered)
    text = "".join(seen.text)
    # The titles are shown as written, not turned into a link, an image or a heading.
    assert HOSTILE_TITLE in text
    assert "<h3># x</h3>" in rendered
    assert rendered.count("<h1>") == 1 and "<em>bold</em>" not in rendered
    assert rendered.count("<hr") == 1, "only the template's rule above the coverage footer"
    assert "Wire | *bold*" in text
    assert "https://example.org/a?b=1&amp;c=%3Cx%3E" in rendered  # the one real link, encoded

    html = (out / "2024-12-05.html").read_text(encoding="utf-8")
    seen = _assert_inert(html)
    text = "".join(seen.text)
    assert HOSTILE_TITLE in text
    assert "<script>alert(1)</script>" in text, "shown as text"
    assert "javascript:" not in "".join(value for _, value in seen.attributes)

    plain = (out / "2024-12-05.txt").read_text(encoding="utf-8")
    assert "<javascript:" not in plain and "<https://example.org/a?b=1&c=%3Cx%3E>" in plain

    index = parser.render((out / "index.md").read_text(encoding="utf-8"))
    _assert_inert(index)


@pytest.mark.parametrize("raw", ["--", "---", "- -", "+ x", "1) x", "2. x", "# x", "> x", "= x"])
def test_an_escaped_bullet_or_heading_is_one_line_of_text(raw: str) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    from briefer.render import md_escape

    parser = markdown_it.MarkdownIt("commonmark")
    assert (
        parser.render(f"- {md_escape(raw)}\n")
        == f"<ul>\n<li>{raw.replace('>', '&gt;')}</li>\n</ul>\n"
    )
    assert parser.render(f"### {md_escape(raw)}\n") == f"<h3>{raw.replace('>', '&gt;')}</h3>\n"


def _make_in_child(out: Path, until: str) -> None:
    from briefer.options import MakeOptions
    from briefer.pipeline import make

    options = MakeOptions(
        inputs=(SAMPLES,),
        out=out,
        since=None,
        until=dt.date.fromisoformat(until),
        themes=SAMPLES / "themes.toml",
        cache=False,
    )
    make(options, pool_threshold=10**9)


def test_runs_at_the_same_time_never_lose_an_index_entry(tmp_path: Path) -> None:
    """Each run rebuilds index.md from the folder under a lock file, so runs that finish
    together each see the others' briefings."""
    out = tmp_path / "briefings"
    dates = [f"2024-12-{day:02d}" for day in range(10, 18)]
    context = multiprocessing.get_context("fork")
    runs = [context.Process(target=_make_in_child, args=(out, date)) for date in dates]
    for run in runs:
        run.start()
    for run in runs:
        run.join(300)
        assert run.exitcode == 0
    index = (out / "index.md").read_text(encoding="utf-8")
    listed = re.findall(r"\]\((\d{4}-\d{2}-\d{2})\.md\)", index)
    assert listed == sorted(dates, reverse=True), index
    assert not list(out.glob(".*.tmp")) and not list((out / ".index").glob("*.tmp"))
