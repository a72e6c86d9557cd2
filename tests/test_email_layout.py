"""The HTML email's layout, measured in headless Chromium (Debian's `chromium`; the tests
skip without it): no horizontal overflow at phone (375 px) and desktop (600 px) widths, with
its <style> block and without it (as mail programs that drop it show it), in light and dark
mode; and the dark palette's contrast."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

from briefer.deliver.mail import HTML_LIMIT, email_body
from briefer.options import MakeOptions
from briefer.pipeline import build
from briefer.records import Article, Briefing, Bullet, Section, Skipped, Story

SAMPLES = REPO / "samples"
SHARED = REPO.parent / "shared" / "eval"
WIDTHS = (375, 600)
# Chromium will not make a window narrower than 500 px for --dump-dom, but an iframe can be
# any width, and the email's @media rules apply inside it. One page holds every frame to
# measure, so one Chromium run measures them all.
MEASURE = """<!DOCTYPE html><html><body style="margin:0">
{frames}
<script>
const results = [];
let pending = document.querySelectorAll("iframe").length;
document.querySelectorAll("iframe").forEach((frame, index) => {{
  frame.addEventListener("load", () => {{
    const doc = frame.contentDocument;
    const card = doc.querySelector(".card");
    results[index] = {{
      scroll: doc.documentElement.scrollWidth,
      client: doc.documentElement.clientWidth,
      dark: frame.contentWindow.matchMedia("(prefers-color-scheme: dark)").matches,
      card: card ? frame.contentWindow.getComputedStyle(card).backgroundColor : "",
    }};
    if (--pending === 0) document.body.setAttribute("data-result", JSON.stringify(results));
  }});
}});
</script></body></html>"""
FRAME = '<iframe src="{src}" style="display:block;width:{width}px;height:400px;border:0"></iframe>'
# A title of one 92-character word: the kind that pushed the email to 676 px.
LONG_WORD = "Supercalifragilistic" * 4 + "expialidocious"[:12]


@pytest.fixture(scope="module")
def browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no chromium installed (Debian: apt-get install chromium)")


def _with_long_words(briefing: Briefing) -> Briefing:
    article = Article(
        id="long",
        title=LONG_WORD,
        date=dt.date(2024, 12, 4),
        source="Wire" + "x" * 60,
        url="https://example.org/" + "a" * 120,
        text="",
        path="in/" + "deep/" * 30 + "file.md",
    )
    story = Story(LONG_WORD, (article,), (Bullet(LONG_WORD + " " + LONG_WORD, "long"),), "Long")
    sections = (*briefing.sections, Section(LONG_WORD, LONG_WORD, (story,)))
    coverage = dataclasses.replace(
        briefing.coverage, failed=(Skipped(article.path, "not valid JSON " + LONG_WORD),)
    )
    return dataclasses.replace(briefing, sections=sections, coverage=coverage)


def _samples() -> Briefing:
    options = MakeOptions(
        inputs=(SAMPLES,),
        out=Path("unused"),
        since=dt.date(2021, 12, 1),
        until=dt.date(2024, 12, 5),
        themes=SAMPLES / "themes.toml",
        cache=False,  # no article store in the working tree
    )
    return _with_long_words(build(options))


def _long_real() -> Briefing | None:
    """A month of real news (the dev clusters file), when ../shared is there."""
    path = SHARED / "clusters_dev.jsonl"
    if not path.is_file():
        return None
    options = MakeOptions(
        inputs=(path,),
        out=Path("unused"),
        since=dt.date(2000, 1, 1),
        until=dt.date(2030, 1, 1),
        themes=SHARED / "themes_dev.toml",
        cache=False,
    )
    return build(options)


def _measure(
    browser: str, work: Path, pages: list[tuple[str, int]], dark: bool
) -> list[dict[str, object]]:
    """For each (html, width): the page's scroll and client widths, whether it is in dark
    mode, and its card's background colour."""
    frames = []
    for index, (html, width) in enumerate(pages):
        page = work / f"email-{index}.html"
        page.write_text(html, encoding="utf-8")
        frames.append(FRAME.format(src=page.name, width=width))
    wrapper = work / "measure.html"
    wrapper.write_text(MEASURE.format(frames="\n".join(frames)), encoding="utf-8")
    command = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--hide-scrollbars",
        f"--user-data-dir={work / 'profile'}", "--allow-file-access-from-files",
        "--window-size=800,600", "--virtual-time-budget=5000", "--dump-dom", wrapper.as_uri(),
    ]  # fmt: skip
    if dark:
        command.insert(1, "--blink-settings=preferredColorScheme=0")
    # A loaded machine can make headless Chromium dump the page before the frames have
    # loaded (no result at all, not a layout): ask again, a few times, before failing.
    for _attempt in range(3):
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        match = re.search(r'data-result="([^"]*)"', result.stdout)
        if match is not None:
            break
    assert match is not None, result.stderr[-500:]
    found: list[dict[str, object]] = json.loads(match.group(1).replace("&quot;", '"'))
    return found


def _without_style(html: str) -> str:
    return re.sub(r"<style>.*?</style>", "", html, flags=re.S)


# A limit that makes the month's email a shortened one, so its note (what it carries, the
# themes it leaves out, where the rest is) is laid out too.
SHORT_LIMIT = 30_000


@pytest.mark.parametrize("which", ["samples", "long real briefing", "shortened"])
def test_the_email_never_overflows_sideways(browser: str, tmp_path: Path, which: str) -> None:
    briefing = _samples() if which == "samples" else _long_real()
    if briefing is None:
        pytest.skip("the dev data (../shared/eval) is not here")
    limit = SHORT_LIMIT if which == "shortened" else HTML_LIMIT
    body = email_body(briefing, full_copy="briefings/2024-12-05.md", limit=limit)
    assert (len(body.shown.stories) < len(briefing.stories)) == (which == "shortened")
    html = body.html
    variants = (("with style", html), ("without style", _without_style(html)))
    cases = [(variant, page, width) for variant, page in variants for width in WIDTHS]
    for dark in (False, True):
        measured = _measure(browser, tmp_path, [(page, width) for _, page, width in cases], dark)
        for (variant, _, width), found in zip(cases, measured, strict=True):
            where = f"{which}, {variant}, {width} px, {'dark' if dark else 'light'}"
            assert found["client"] == width, where
            assert found["scroll"] == width, f"{where}: {found['scroll']} px wide"
            if variant == "with style":
                assert found["dark"] == dark, where
                # The dark palette applies: the card turns dark grey (#1f2937).
                expected = "rgb(31, 41, 55)" if dark else "rgb(255, 255, 255)"
                assert found["card"] == expected, where


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_both_palettes_keep_text_readable() -> None:
    template = (REPO / "templates" / "briefing.html.j2").read_text(encoding="utf-8")
    template += (REPO / "templates" / "rank.html.j2").read_text(encoding="utf-8")
    dark = template[template.index("prefers-color-scheme: dark") :]

    def rule(selector: str, prop: str) -> str:
        match = re.search(rf"\.{selector} {{[^}}]*?(?<![-\w]){prop}: (#[0-9a-f]{{6}})", dark)
        assert match is not None, selector
        return match.group(1)

    card = rule("card", "background-color")
    for selector in ("content", "heading", "muted", "link", "new"):
        assert contrast(rule(selector, "color"), card) >= 4.5, selector
    assert contrast(rule("note", "color"), rule("note", "background-color")) >= 4.5
    # The light palette, as the template writes it inline.
    for text, ground in (("#1f2937", "#ffffff"), ("#6b7280", "#ffffff"), ("#1d4ed8", "#ffffff"),
                         ("#111827", "#ffffff"), ("#1f2937", "#fef3c7"),
                         ("#047857", "#ffffff")):  # fmt: skip
        assert text in template and ground in template
        assert contrast(text, ground) >= 4.5, (text, ground)
