"""Screenshots of the HTML email, as a mail program shows it, for docs/.

    .venv/bin/python tools/email_screenshots.py [--out docs] [--keep-html PATH]

Makes a long real briefing (a month of news from the dev data, ../shared/eval, when it is
there; else the samples' briefing), composes the email exactly as `briefer make --email`
does, takes the text/html part back out of the message, and has headless Chromium (Debian's
`chromium` package; `apt-get install chromium`) draw the whole of it at 600 px (a desktop
mail program's reading pane) and 375 px (a phone), and at 375 px in dark mode. Writes
docs/email-600.png, docs/email-375.png and docs/email-375-dark.png and prints their sizes
and the HTML part's size as sent. To keep them small the PNGs go through pngquant
(a 256-colour palette; text stays sharp) and optipng when those are installed (Debian
packages of the same names). Not needed by the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from briefer.deliver.mail import compose, email_body, masthead  # noqa: E402
from briefer.options import MakeOptions  # noqa: E402
from briefer.pipeline import build  # noqa: E402

# (width, dark mode, file name)
SHOTS = (
    (600, False, "email-600.png"),
    (375, False, "email-375.png"),
    (375, True, "email-375-dark.png"),
)
SHARED = REPO.parent / "shared" / "eval"
DARK = "--blink-settings=preferredColorScheme=0"  # prefers-color-scheme: dark
# The screenshots show the top of the email (title, contents, the note on what a shortened
# email leaves out, the first stories): the whole of a long one is tens of thousands of
# pixels tall. Its width is checked in full by tests/test_email_layout.py.
MAX_HEIGHT = 3000
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)
# The page's height at a width, read through an iframe of that width: Chromium will not make
# a window narrower than 500 px for --dump-dom, but an iframe can be (and the email's
# @media rule for phones applies inside it).
MEASURE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="page" src="{src}" style="width:{width}px;height:100px;border:0"></iframe>
<script>
document.getElementById("page").addEventListener("load", () => document.body.setAttribute(
  "data-height", document.getElementById("page").contentDocument.documentElement.scrollHeight));
</script></body></html>"""


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("no chromium: install Debian's package with `apt-get install chromium` (as root)")


def run_chromium(browser: str, profile: Path, *args: str) -> str:
    command = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        sys.exit(f"chromium failed ({result.returncode}): {result.stderr.strip()[-500:]}")
    return result.stdout


def email_html() -> tuple[str, int]:
    """The text/html part of the email, as a recipient's mail program gets it, and its size
    as sent (quoted-printable)."""
    if (SHARED / "clusters_dev.jsonl").is_file():
        options = MakeOptions(
            inputs=(SHARED / "clusters_dev.jsonl",),
            out=REPO / "briefings",
            since=dt.date(2000, 1, 1),
            until=dt.date(2030, 1, 1),
            themes=SHARED / "themes_dev.toml",
            cache=False,
        )
    else:
        options = MakeOptions(
            inputs=(REPO / "samples",),
            out=REPO / "briefings",
            since=dt.date(2021, 12, 1),
            until=dt.date(2024, 12, 5),
            themes=REPO / "samples" / "themes.toml",
        )
    briefing = build(options)
    body = email_body(briefing, full_copy=f"briefings/{briefing.date.isoformat()}.md")
    message = compose(
        masthead(briefing, body.shown),
        body.html,
        body.text,
        "Briefings <news@example.org>",
        to=["ann@example.org"],
    )
    received = BytesParser(policy=policy.default).parsebytes(message.as_bytes())
    assert isinstance(received, EmailMessage)
    part = received.get_body(preferencelist=("html",))
    assert part is not None
    html: str = part.get_content()
    print(f"{received['Subject']}")
    return html, body.html_bytes


def page_height(browser: str, work: Path, page: Path, width: int, dark: bool) -> int:
    wrapper = work / f"measure-{width}.html"
    wrapper.write_text(MEASURE.format(src=page.name, width=width), encoding="utf-8")
    dom = run_chromium(
        browser,
        work / f"profile-measure-{width}-{dark}",
        *((DARK,) if dark else ()),
        "--allow-file-access-from-files",  # the wrapper reads the page's height
        "--window-size=800,800",
        "--virtual-time-budget=2000",
        "--dump-dom",
        wrapper.as_uri(),
    )
    match = re.search(r'data-height="(\d+)"', dom)
    if match is None:
        sys.exit("could not measure the page's height")
    return int(match.group(1))


def shrink(png: Path) -> None:
    pngquant, optipng = shutil.which("pngquant"), shutil.which("optipng")
    if pngquant:
        subprocess.run(
            [pngquant, "--quality", "60-85", "--speed", "1", "--strip", "--force",
             "--output", str(png), str(png)],
            check=True, timeout=300,
        )  # fmt: skip
    if optipng:
        subprocess.run([optipng, "-quiet", "-o2", str(png)], check=True, timeout=300)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs")
    parser.add_argument("--keep-html", type=Path, help="also save the HTML part here")
    args = parser.parse_args()
    browser = chromium()
    html, sent_bytes = email_html()
    if args.keep_html:
        args.keep_html.write_text(html, encoding="utf-8")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="briefer-shots-") as temp:
        work = Path(temp)
        page = work / "email.html"
        page.write_text(html, encoding="utf-8")
        for width, dark, name in SHOTS:
            height = min(page_height(browser, work, page, width, dark), MAX_HEIGHT)
            target = args.out / name
            run_chromium(
                browser,
                work / f"profile-{width}-{dark}",
                *((DARK,) if dark else ()),
                f"--window-size={width},{height}",
                f"--screenshot={target}",
                page.as_uri(),
            )
            shrink(target)
            print(f"{target}: {width}x{height} px, {target.stat().st_size / 1024:.0f} KB")
    print(f"HTML part: {len(html.encode('utf-8'))} bytes decoded, {sent_bytes} bytes as sent")


if __name__ == "__main__":
    main()
