"""render and deliver: golden files for the three formats, escaping, overrides, atomic writes.

The golden files under tests/golden/ are compared byte for byte. After a deliberate change to
a template, rewrite them with

    BRIEFER_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_render.py

and read the diff before committing it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefer.deliver import write_briefing
from briefer.errors import DeliveryError, OptionsError, RenderError
from briefer.records import (
    OTHER_THEME,
    Article,
    Briefing,
    Bullet,
    Coverage,
    Section,
    Skipped,
    Story,
)
from briefer.render import (
    long_date,
    md_code,
    md_escape,
    period_text,
    render,
    safe_url,
    shipped_templates_dir,
)
from briefer.render.slugs import Slugger

SCRIPT = "<script>alert(1)</script>"


def _article(id: str, title: str, source: str, day: int, url: str, path: str = "") -> Article:
    return Article(
        id=id,
        title=title,
        date=dt.date(2024, 12, day),
        source=source,
        url=url,
        text="(body not shown in briefings)",
        path=path or f"inbox/{id}.txt",
    )


GRID_A = _article(
    "a1", "Grid operator warns of winter shortfall", "Reuters", 1, "https://example.com/grid"
)
GRID_B = _article(
    "a2",
    "Winter power crunch looms, says operator",
    "The Herald",
    2,
    "https://herald.example/news/grid-winter?id=7&ref=rss",
)
SOLAR = _article(
    "a3",
    f"Solar *stars*_and_ [brackets] {SCRIPT} report",
    "Sun Daily",
    2,
    "javascript:alert(1)",
)
UNTITLED = _article("a4", "", "", 3, "")
BONDS = _article("a5", "Bond yields edge higher", "Finance Wire", 3, "http://finance.example/b")
ZOO = _article("a6", "Zoo welcomes twin pandas", "City News", 1, "https://city.example/zoo")

BRIEFING = Briefing(
    date=dt.date(2024, 12, 3),
    since=dt.date(2024, 12, 1),
    until=dt.date(2024, 12, 3),
    sections=(
        Section(
            theme="Energy",
            description="Power, fuel and the grid.",
            stories=(
                Story(
                    title="Grid operator warns of winter shortfall",
                    articles=(GRID_A, GRID_B),
                    bullets=(
                        Bullet("The national grid operator said reserves would be thin.", "a1"),
                        Bullet("Wholesale prices rose 4% on the news.", "a2"),
                        Bullet("The operator asked large users to stand by.", "a1"),
                    ),
                    theme="Energy",
                    secondary_themes=("Markets",),
                    why=("grid", "power"),
                ),
                Story(
                    title=SOLAR.title,
                    articles=(SOLAR,),
                    bullets=(
                        Bullet(f"A new farm opened {SCRIPT} on Monday.", "a3"),
                        Bullet("It will power 10,000 homes.", "a3"),
                    ),
                    theme="Energy",
                    why=("solar",),
                ),
            ),
        ),
        Section(
            theme="Markets",
            description="",
            stories=(
                Story(
                    title="",
                    articles=(UNTITLED,),
                    bullets=(Bullet("Shares closed flat after a quiet session.", "a4"),),
                    theme="Markets",
                    why=("shares",),
                ),
                Story(
                    title=BONDS.title,
                    articles=(BONDS,),
                    bullets=(Bullet("Ten-year yields rose for a third day.", "a5"),),
                    theme="Markets",
                    why=("yields", "bond"),
                ),
            ),
        ),
        Section(
            theme=OTHER_THEME,
            description="",
            stories=(
                Story(
                    title=ZOO.title,
                    articles=(ZOO,),
                    bullets=(Bullet("The zoo's pandas arrived from Chengdu.", "a6"),),
                    theme=OTHER_THEME,
                ),
            ),
        ),
    ),
    coverage=Coverage(
        read=9,
        in_period=6,
        before_period=1,
        after_period=1,
        undated=1,
        merged=1,
        failed=(
            Skipped("inbox/broken.json", "not valid JSON (line 1, column 24)"),
            Skipped("inbox/empty.txt", "the file is empty"),
        ),
        ignored=(Skipped("inbox/photo.png", "not an article format"),),
    ),
)

GOLDEN = Path(__file__).parent / "golden"
FORMATS = ("md", "html", "txt")


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("BRIEFER_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.is_file(), f"{path} is missing: run with BRIEFER_UPDATE_GOLDEN=1 to create it"
    assert text.encode("utf-8") == path.read_bytes(), (
        f"{name} differs from the golden file; if the change is intended, rerun with "
        "BRIEFER_UPDATE_GOLDEN=1 and review the diff"
    )


# ---- golden files ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", (*FORMATS, "json"))
def test_render_matches_golden_file(fmt: str) -> None:
    _golden(f"briefing.{fmt}", render(BRIEFING, fmt))


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_is_deterministic(fmt: str) -> None:
    # An equal record built separately: nothing may depend on identity, order of sets or time.
    rebuilt = dataclasses.replace(BRIEFING, sections=tuple(BRIEFING.sections))
    first = render(BRIEFING, fmt, explain=True)
    assert render(rebuilt, fmt, explain=True) == first
    assert render(BRIEFING, fmt, explain=True) == first


def _readable(rendered: str, fmt: str) -> str:
    """What a reader sees, on one line: HTML's text without tags, wrapped lines joined."""
    if fmt == "html":
        tags = _Tags()
        tags.feed(rendered)
        rendered = "".join(tags.text)
    return " ".join(rendered.split())


# ---- what every format shows -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_shows_the_whole_briefing(fmt: str) -> None:
    text = _readable(render(BRIEFING, fmt), fmt)
    for needle in (
        "3 December 2024",
        "1–3 December 2024",
        "Energy",
        "Power, fuel and the grid.",
        "Other developments",
        "Bond yields edge higher",
        "Ten-year yields rose for a third day.",
        "Reuters",
        "The Herald",
        "Winter power crunch looms, says operator",  # the other source's own title
        "untitled",
        "unknown source",
        "(2 stories)",
        "(1 story)",
        "inbox/broken.json",
        "not valid JSON (line 1, column 24)",
        "inbox/photo.png",
        "not an article format",
        "Undated, left out",
    ):
        assert needle in text, f"{needle!r} missing from {fmt}"
    # Bullets of a two-source story are marked with their source's number.
    assert "reserves would be thin. [1]" in text
    assert "rose 4% on the news. [2]" in text
    # A single-source story's bullets are not.
    assert "It will power 10,000 homes. [" not in text
    assert "Why here" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_explain_adds_why_here_to_every_story(fmt: str) -> None:
    text = _readable(render(BRIEFING, fmt, explain=True), fmt)
    assert text.count("Why here:") == len(BRIEFING.stories)
    assert "grid, power; also fits Markets" in text
    assert "yields, bond" in text
    assert "no theme terms matched" in text  # the Other developments story


@pytest.mark.parametrize("fmt", FORMATS)
def test_open_ended_and_empty_briefing(fmt: str) -> None:
    empty = Briefing(
        date=dt.date(2025, 1, 2),
        since=None,
        until=dt.date(2025, 1, 2),
        sections=(Section(OTHER_THEME, "", ()),),
        coverage=Coverage(),
    )
    text = render(empty, fmt)
    assert "up to 2 January 2025" in text
    assert "No stories in this period." in text
    assert OTHER_THEME not in text, "a theme without stories gets no heading"


def test_markdown_structure() -> None:
    text = render(BRIEFING, "md")
    assert text.startswith("# Briefing — 3 December 2024\n\nPeriod: 1–3 December 2024\n")
    assert "- [Other developments](#other-developments) (1 story)\n" in text
    assert text.count("\n## ") == 3
    assert text.count("\n### ") == len(BRIEFING.stories)
    assert "\n---\n" in text
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_markdown_escapes_article_text() -> None:
    text = render(BRIEFING, "md")
    assert r"### Solar \*stars\*\_and\_ \[brackets\] \<script\>alert(1)\</script\> report" in text
    assert r"opened \<script\>alert(1)\</script\> on" in text
    assert "javascript:" not in text
    # The untitled article's story is still a story, under a readable heading.
    assert "\n### untitled\n" in text


def test_markdown_renders_to_safe_html() -> None:
    markdown_it = pytest.importorskip("markdown_it")
    parser = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    html = parser.render(render(BRIEFING, "md", explain=True))
    assert "<script" not in html
    assert "javascript:" not in html
    assert "<em>stars</em>" not in html
    assert "Solar *stars*_and_ [brackets] &lt;script&gt;alert(1)&lt;/script&gt; report" in html
    assert '<a href="#energy">Energy</a>' in html
    assert '<a href="https://example.com/grid">Reuters</a>' in html


class _Tags(HTMLParser):
    """Checks that tags nest and close, and collects every href and tag name."""

    VOID = frozenset({"br", "meta", "img", "hr", "link", "input"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [value or "" for name, value in attrs if name == "href"]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_well_formed_email_safe_and_escaped() -> None:
    html = render(BRIEFING, "html", explain=True)
    tags = _Tags()
    tags.feed(html)
    tags.close()
    assert tags.errors == [] and tags.stack == []
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    # Fluid: full width, capped at 600 px, never a fixed width that would overflow a phone.
    assert 'class="card" width="100%"' in html and "max-width:600px" in html
    assert 'width="600"' not in html.replace(
        '<!--[if mso]><table role="presentation" width="600"', ""
    )
    assert '<meta name="color-scheme" content="light dark">' in html
    assert html.count(">Back to top</a>") == 3, "after each section"
    assert "script" not in tags.tags
    assert "<script" not in html
    assert all(href.startswith(("https://", "http://", "#section-", "#top")) for href in tags.hrefs)
    assert "https://example.com/grid" in tags.hrefs
    assert "javascript:" not in html
    text = "".join(tags.text)
    assert "Solar *stars*_and_ [brackets] <script>alert(1)</script> report" in text
    # The hidden preheader carries the first story's title.
    assert re.search(r'<div style="display:none;[^"]*">Grid operator warns', html)


def test_text_is_wrapped_and_links_are_bracketed() -> None:
    text = render(BRIEFING, "txt", explain=True)
    for line in text.splitlines():
        assert len(line) <= 78 or "<http" in line, line
    assert "<https://example.com/grid>" in text
    assert "<https://herald.example/news/grid-winter?id=7&ref=rss>" in text
    assert "javascript:" not in text
    assert "\nEnergy\n======\n" in text


# ---- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<b>x</b>",
        "vbscript:msgbox",
        "ftp://example.com/file",
        "http://",
        "//example.com/x",
        "example.com",
        "https://exa mple.com",
        "",
    ],
)
def test_safe_url_refuses_anything_but_http(url: str) -> None:
    assert safe_url(url) == ""


def test_safe_url_keeps_http_and_encodes_what_breaks_links() -> None:
    assert safe_url("https://example.com/a?b=1&c=%20") == "https://example.com/a?b=1&c=%20"
    assert safe_url(" HTTP://Example.com/x ") == "HTTP://Example.com/x"
    assert safe_url("https://en.example.org/wiki/A_(b)") == "https://en.example.org/wiki/A_%28b%29"
    assert safe_url('https://x.example/"><') == "https://x.example/%22%3E%3C"


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("*stars*_and_ [brackets]", "\\*stars\\*\\_and\\_ \\[brackets\\]"),
        ("<b>hi</b> `code` # | ~", "\\<b\\>hi\\</b\\> \\`code\\` \\# \\| \\~"),
        ("- not a list", "\\- not a list"),
        ("1. not a list", "1\\. not a list"),
        ("AT&T &amp; co", "AT&T \\&amp; co"),
        ("two\nlines   here", "two lines here"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_md_escape(raw: str, escaped: str) -> None:
    assert md_escape(raw) == escaped


def test_md_code_survives_backticks() -> None:
    assert md_code("inbox/a_b.txt") == "`inbox/a_b.txt`"
    assert md_code("odd`name") == "``odd`name``"
    assert md_code("`edge") == "`` `edge ``"


def test_dates_are_spelled_out_without_the_locale() -> None:
    assert long_date(dt.date(2024, 12, 3)) == "3 December 2024"
    assert long_date(None) == "undated"
    until = dt.date(2024, 12, 3)
    assert period_text(None, until) == "up to 3 December 2024"
    assert period_text(until, until) == "3 December 2024"
    assert period_text(dt.date(2024, 11, 28), until) == "28 November – 3 December 2024"
    assert period_text(dt.date(2023, 12, 30), until) == "30 December 2023 – 3 December 2024"


def test_md_anchors_follow_github_numbering() -> None:
    story = dataclasses.replace(BRIEFING.sections[0].stories[1], title="Markets")
    sections = (
        Section("Energy & Power", "", (story,)),
        Section("Markets", "", (story,)),
    )
    rendered = render(dataclasses.replace(BRIEFING, sections=sections), "md")
    # The story heading "Markets" comes first and takes "markets": GitHub numbers repeats
    # across the whole page.
    assert "- [Energy & Power](#energy--power)" in rendered
    assert "- [Markets](#markets-1)" in rendered


# Headings and the anchors GitHub gives them, as github-slugger 2.0.0 (the library GitHub's
# own slugs are checked against) computes them, in this order on one page.
GITHUB_SLUGS = [
    ("नई दिल्ली में बैठक", "नई-दिल्ली-में-बैठक"),  # Devanagari: vowel signs and virama kept
    ("ข่าววันนี้ การเมือง", "ข่าววันนี้-การเมือง"),  # Thai: tone marks kept
    ("مُحَمَّد يَزُور", "مُحَمَّد-يَزُور"),  # Arabic with harakat
    ("Zu\u0308rich talks", "zu\u0308rich-talks"),  # decomposed Latin: the mark stays
    ("Zürich talks", "zürich-talks"),
    ("🎉 Party time!", "-party-time"),  # emoji dropped, its space kept
    ("Energy", "energy"),
    ("Energy", "energy-1"),
    ("Energy 1", "energy-1-1"),
    ("Ⓐ circled", "ⓐ-circled"),  # a symbol that is alphabetic is kept
    ("Kyiv: 3½ hours — “quotes”", "kyiv-3-hours--quotes"),
    ("snake_case and __proto__", "snake_case-and-__proto__"),
]


def test_anchors_match_github_for_any_script() -> None:
    slugger = Slugger()
    assert [slugger.slug(heading) for heading, _ in GITHUB_SLUGS] == [
        slug for _, slug in GITHUB_SLUGS
    ]


def test_contents_links_reach_non_latin_and_repeated_headings() -> None:
    story = dataclasses.replace(BRIEFING.sections[0].stories[0], title="नई दिल्ली")
    sections = (
        Section("नई दिल्ली", "", (story,)),
        Section("Zu\u0308rich", "", (story,)),
        Section("Zu\u0308rich!", "", (dataclasses.replace(story, title="Other"),)),
    )
    rendered = render(dataclasses.replace(BRIEFING, sections=sections), "md")
    assert "(#नई-दिल्ली)" in rendered
    assert "(#zu\u0308rich)" in rendered and "(#zu\u0308rich-1)" in rendered


def test_a_standfirst_without_a_full_stop_is_printed_as_a_sentence() -> None:
    story = dataclasses.replace(
        BRIEFING.sections[0].stories[0],
        bullets=(
            Bullet("Ministers agree a winter plan for the grid", "a1"),
            Bullet("Prices rose “sharply.”", "a1"),
            Bullet("Will the plan hold?", "a1"),
        ),
    )
    briefing = dataclasses.replace(BRIEFING, sections=(Section("Energy", "", (story,)),))
    for fmt in ("md", "html", "txt"):
        shown = " ".join(render(briefing, fmt).split())
        assert "Ministers agree a winter plan for the grid." in shown, fmt
        assert "Prices rose “sharply.”." not in shown and "hold?." not in shown, fmt
    data = json.loads(render(briefing, "json"))
    bullets = [b["text"] for b in data["sections"][0]["stories"][0]["bullets"]]
    assert bullets[0] == "Ministers agree a winter plan for the grid", "verbatim in json"


# ---- templates -------------------------------------------------------------------------------


def test_shipped_templates_are_found() -> None:
    folder = shipped_templates_dir()
    for fmt in FORMATS:
        assert (folder / f"briefing.{fmt}.j2").is_file()


def test_user_template_overrides_one_format_and_the_rest_fall_back(tmp_path: Path) -> None:
    (tmp_path / "briefing.txt.j2").write_text(
        "MY BRIEFING {{ briefing.date|long_date }} {{ sections|length }}\n", encoding="utf-8"
    )
    assert render(BRIEFING, "txt", templates=tmp_path) == "MY BRIEFING 3 December 2024 3\n"
    assert render(BRIEFING, "md", templates=tmp_path) == render(BRIEFING, "md")


def test_broken_user_template_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "briefing.md.j2").write_text("# ok\n\n{% for x in %}\n", encoding="utf-8")
    with pytest.raises(RenderError) as syntax:
        render(BRIEFING, "md", templates=tmp_path)
    message = str(syntax.value)
    assert str(tmp_path / "briefing.md.j2") in message and "line 3" in message
    assert "\n" not in message

    (tmp_path / "briefing.md.j2").write_text("# ok\n{{ briefing.headline }}\n", encoding="utf-8")
    with pytest.raises(RenderError) as undefined:
        render(BRIEFING, "md", templates=tmp_path)
    message = str(undefined.value)
    assert "briefing.md.j2 line 2" in message and "headline" in message


def test_unknown_format_and_missing_templates_folder(tmp_path: Path) -> None:
    with pytest.raises(OptionsError, match="pdf"):
        render(BRIEFING, "pdf")
    with pytest.raises(OptionsError, match="nope"):
        render(BRIEFING, "md", templates=tmp_path / "nope")


# ---- deliver -----------------------------------------------------------------------------------


def test_write_briefing_writes_each_format_atomically(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    paths = write_briefing(BRIEFING, out, ["md", "html", "txt"], explain=True)
    assert paths == [out / "2024-12-03.md", out / "2024-12-03.html", out / "2024-12-03.txt"]
    for path, fmt in zip(paths, FORMATS, strict=True):
        assert path.read_bytes() == render(BRIEFING, fmt, explain=True).encode("utf-8")
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)


def test_write_briefing_replaces_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "2024-12-03.md").write_text("an older briefing that was much longer " * 500)
    (path,) = write_briefing(BRIEFING, tmp_path, ["md"])
    assert path.read_text(encoding="utf-8") == render(BRIEFING, "md")
    assert [p.name for p in tmp_path.iterdir()] == ["2024-12-03.md"]


def test_a_render_error_in_a_later_format_writes_nothing(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "briefing.html.j2").write_text("{{ nothing_here }}\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "2024-12-03.md").write_text("yesterday's run", encoding="utf-8")
    with pytest.raises(RenderError, match=r"briefing\.html\.j2"):
        write_briefing(BRIEFING, out, ["md", "html"], templates=templates)
    assert [p.name for p in out.iterdir()] == ["2024-12-03.md"]
    assert (out / "2024-12-03.md").read_text(encoding="utf-8") == "yesterday's run"


def test_out_that_is_a_file_is_a_delivery_error(tmp_path: Path) -> None:
    out = tmp_path / "briefings"
    out.write_text("not a folder", encoding="utf-8")
    with pytest.raises(DeliveryError) as error:
        write_briefing(BRIEFING, out, ["md"])
    assert str(out) in str(error.value)
    with pytest.raises(DeliveryError, match="briefings"):
        write_briefing(BRIEFING, out / "sub", ["md"])
    assert out.read_text(encoding="utf-8") == "not a folder"


def test_a_folder_in_the_way_of_a_target_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "2024-12-03.html").mkdir()
    with pytest.raises(DeliveryError, match=r"2024-12-03\.html"):
        write_briefing(BRIEFING, tmp_path, ["md", "html"])
    assert [p.name for p in tmp_path.iterdir()] == ["2024-12-03.html"]


def test_a_full_disk_leaves_no_temporary_or_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "2024-12-03.md").write_text("yesterday's run", encoding="utf-8")
    real_fsync = os.fsync
    calls: list[int] = []

    def fsync_fails_the_second_time(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_fails_the_second_time)
    with pytest.raises(DeliveryError) as error:
        write_briefing(BRIEFING, tmp_path, ["md", "html", "txt"])
    assert str(tmp_path) in str(error.value)
    assert [p.name for p in tmp_path.iterdir()] == ["2024-12-03.md"]
    assert (tmp_path / "2024-12-03.md").read_text(encoding="utf-8") == "yesterday's run"


def test_a_failed_rename_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace

    def replace_fails_for_html(src: str | Path, dst: str | Path) -> None:
        if str(dst).endswith(".html"):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_fails_for_html)
    with pytest.raises(DeliveryError, match=r"2024-12-03\.html"):
        write_briefing(BRIEFING, tmp_path, ["md", "html", "txt"])
    # The file renamed before the failure is complete; no temporary file is left behind.
    assert [p.name for p in tmp_path.iterdir()] == ["2024-12-03.md"]
    assert (tmp_path / "2024-12-03.md").read_text(encoding="utf-8") == render(BRIEFING, "md")
