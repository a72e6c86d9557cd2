"""The hostile inputs of issue 15, each beside a good article, through the real CLI: each must
give a briefing of the good file, one line naming the bad one and exit code 1, within 60 s and
2 GB. tests/test_ingest_limits.py runs the same cases (without timing them).

    .venv/bin/python benchmarks/bench_hostile_inputs.py

Prints, per case, the exit code, the wall time and the peak memory of the `briefer make`
process (ru_maxrss), and whether the good article was briefed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BRIEFER = str(Path(sys.executable).with_name("briefer"))
LIMIT_SECONDS = 60
LIMIT_MB = 2048

GOOD = (
    '+++\ntitle = "Port strike ends after pay deal"\ndate = 2024-12-03\n+++\n'
    "Dock workers ended their two-week strike on Tuesday after accepting a pay offer.\n\n"
    "Ships returned to the port of Halden on Wednesday morning.\n"
)
GOOD_TITLE = "Port strike ends after pay deal"
LAUGHS = (
    '---\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{name}: &{name} [{', '.join([f'*{before}'] * 9)}]\n"
        for before, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "title: *i\ndate: 2024-12-03\n---\nText of the article.\n"
)


def rss(pub_date: str) -> str:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><item>'
        f"<title>Entry</title><pubDate>{pub_date}</pubDate>"
        "<description>Some text of the entry about the port.</description></item>"
        "</channel></rss>"
    )


def json_record(**fields: object) -> str:
    return json.dumps({"text": "Some text of the record about the port.", **fields})


TRIGGERS = {
    "feed date 0000-00-00": ("bad.rss", rss("0000-00-00"), "date '0000-00-00' cannot be read"),
    "RFC 822 field out of range": (
        "bad.rss",
        rss("Tue, 03 Dec 2024 99999999999999999999:00:00 GMT"),
        "cannot be read",
    ),
    "RFC 822 zone out of range (JSON)": (
        "bad.json",
        json_record(title="T", date="Tue, 03 Dec 2024 09:00:00 +99999999999999999999"),
        "cannot be read",
    ),
    "ISO date past 9999 by its zone (YAML)": (
        "bad.md",
        "---\ntitle: T\ndate: 9999-12-31T23:00:00-05:00\n---\nText.\n",
        "date 9999-12-31 23:00:00-05:00 cannot be read",
    ),
    "ISO date past 9999 by its zone (TOML)": (
        "bad.md",
        '+++\ntitle = "T"\ndate = 9999-12-31T23:00:00-05:00\n+++\nText.\n',
        "cannot be read",
    ),
    "ISO date before year 1 by its zone (JSON)": (
        "bad.json",
        json_record(title="T", date="0001-01-01T01:00:00+05:00"),
        "date '0001-01-01T01:00:00+05:00' cannot be read",
    ),
    "lone surrogate in a YAML title": (
        "bad.md",
        '---\ntitle: "A \\ud800 title"\ndate: 2024-12-03\n---\nText.\n',
        "not valid YAML",
    ),
    "integer title over 4,300 digits (JSON)": (
        "bad.json",
        '{"title": ' + "9" * 5000 + ', "text": "Some text."}',
        "an integer of more than 4,300 digits",
    ),
    "integer title over 4,300 digits (YAML)": (
        "bad.md",
        "---\ntitle: " + "9" * 5000 + "\n---\nText.\n",
        "an integer of more than 4,300 digits",
    ),
    "integer title over 4,300 digits (TOML)": (
        "bad.md",
        "+++\ntitle = " + "9" * 5000 + "\n+++\nText.\n",
        "an integer of more than 4,300 digits",
    ),
    "5,000 nested [ in a TOML title": (
        "bad.md",
        "+++\ntitle = " + "[" * 5000 + "]" * 5000 + "\n+++\nText.\n",
        "nested too deeply",
    ),
    "5,000 nested [ in a YAML title": (
        "bad.md",
        "---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\nText.\n",
        "nesting depth",
    ),
    "YAML billion laughs": ("bad.md", LAUGHS, "aliases (*name) are not allowed"),
    "60,000 attributes on one element": (
        "bad.html",
        "<html><body><div "
        + " ".join(f'a{number}="x"' for number in range(60_000))
        + ">Text of the page.</div></body></html>",
        "an HTML element with more than 1,000 attributes",
    ),
    "300,000 short paragraphs": (
        "bad.html",
        "<html><body>" + "<p>ab cd.</p>" * 300_000 + "</body></html>",
        "more than 30,000 HTML elements",
    ),
    "300,000 short paragraphs escaped in a feed": (
        "bad.rss",
        rss("Tue, 03 Dec 2024 09:00:00 GMT").replace(
            "Some text of the entry about the port.", "&lt;p&gt;ab cd.&lt;/p&gt;" * 300_000
        ),
        "more than 30,000 HTML elements",
    ),
    "200,000 attributes in one page": (
        "bad.html",
        "<html><body>"
        + ("<div " + " ".join(f'a{number}="x"' for number in range(999)) + ">text</div>") * 200
        + "</body></html>",
        "more than 100,000 HTML attributes",
    ),
    "UTF-32 text": ("bad.md", None, "is UTF-32 text, not UTF-8"),
    "a 100,000-digit date": (
        "bad.json",
        json_record(title="T", date="1" * 100_000),
        "cannot be read",
    ),
}


def write_case(folder: Path, name: str, content: str | None) -> Path:
    folder.mkdir(parents=True)
    (folder / "good.md").write_text(GOOD, encoding="utf-8")
    bad = folder / name
    if content is None:
        bad.write_bytes('+++\ntitle = "T"\n+++\nText.\n'.encode("utf-32"))
    else:
        bad.write_text(content, encoding="utf-8")
    return bad


def main() -> int:
    failures = 0
    print(f"{'case':48} exit   time   peak  briefed")
    for case, (name, content, _needle) in TRIGGERS.items():
        with tempfile.TemporaryDirectory() as temp:
            folder = Path(temp) / "in"
            write_case(folder, name, content)
            out = Path(temp) / "out"
            started = time.monotonic()
            process = subprocess.Popen(
                [BRIEFER, "make", "--input", str(folder), "--out", str(out), "--since",
                 "2024-12-01", "--until", "2024-12-05", "--format", "md,txt,html"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            _pid, status, usage = os.wait4(process.pid, 0)
            elapsed = time.monotonic() - started
            code = os.waitstatus_to_exitcode(status)
            peak = usage.ru_maxrss / 1024
            briefing = out / "2024-12-05.md"
            briefed = briefing.is_file() and GOOD_TITLE in briefing.read_text(encoding="utf-8")
            good = code == 1 and briefed and elapsed < LIMIT_SECONDS and peak < LIMIT_MB
            failures += not good
            print(
                f"{case:48} {code:4} {elapsed:5.1f} s {peak:4.0f} MB  {'yes' if briefed else 'NO'}"
            )
    print(
        f"{len(TRIGGERS) - failures} of {len(TRIGGERS)} within {LIMIT_SECONDS} s and {LIMIT_MB} MB"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
