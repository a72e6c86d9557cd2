"""Fuzzing every input format: whatever the bytes, briefer never crashes.

Each bad item is reported (in `failed`, one line naming the file) and skipped; the rest of
the batch goes on through clean, sentences, summarize, group and render.

The default run is small and fast. A long campaign:

    BRIEFER_FUZZ_EXAMPLES=5000 .venv/bin/pytest tests/test_fuzz.py

(every test then tries that many examples; above 100, the huge-line and deep-nesting
inputs also grow to 200,000 characters and 20,000 levels).
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import feedparser
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from fuzz_inputs import campaign, check_article, make_input, read_one, seeds
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefer.errors import InputError, NothingToBrief
from briefer.ingest import ARTICLE_SUFFIXES, read_file, read_inputs
from briefer.options import MakeOptions
from briefer.pipeline import build
from briefer.records import Briefing
from briefer.render import render_all

EXAMPLES = int(os.environ.get("BRIEFER_FUZZ_EXAMPLES", "25"))
# feedparser's lenient parser takes ~0.5 s on a 200,000-character run of tags: the
# largest inputs are kept for long campaigns, so the default run stays fast.
LONG_CAMPAIGN = EXAMPLES > 100
HUGE_LINE = 200_000 if LONG_CAMPAIGN else 50_000
DEEPEST = 20_000 if LONG_CAMPAIGN else 5_000
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

FIXTURE_FILES = sorted(
    path
    for folder in ("tests/fixtures/ingest", "tests/fixtures/feeds", "tests/fixtures/web", "samples")
    for path in (REPO / folder).iterdir()
    if path.suffix.lower() in ARTICLE_SUFFIXES
)
SEEDS = [(path.suffix.lower(), path.read_bytes()) for path in FIXTURE_FILES]
SUFFIXES = sorted(ARTICLE_SUFFIXES)
PERIOD_END = dt.date(2024, 12, 31)


# --------------------------------------------------------------------------- strategies

# Text with everything that trips parsers: markup, entities, controls, odd spaces, marks.
NASTY = st.sampled_from(
    [
        "<", ">", "&", "&amp;", "&#0;", "&#xD800;", "&nbsp;", "]]>", "<![CDATA[", "<!--", "-->",
        "<?xml", "<p>", "</p>", "<br/>", "<script>", "</div>", "\x00", "\x0b", "\x1b", "\x7f",
        "\u200b", "\u2028", "\u2029", "\ufeff", "\u202e", "\u0301", "\ufffd", "+++", "---",
        "\r", "\r\n", "\n\n", "\t", '"', "'", "\\", "{", "}", "[", "]", "Mr.", "U.S.", "...",
        "e.g.", "1.5", "?!", "—", "“", "”", "😀", "ß", "İ", "ﬁ", "Ⅻ", "٣", "日本語", " ",
    ]
)  # fmt: skip
WORDS = st.sampled_from(
    ["the", "port", "strike", "ended", "on", "Tuesday", "after", "workers", "voted", "to",
     "accept", "a", "pay", "offer", "and", "ships", "returned", "while", "officials", "said",
     "prices", "rose", "sharply", "in", "December"]
)  # fmt: skip
SENTENCE = st.lists(WORDS, min_size=1, max_size=25).map(lambda words: " ".join(words) + ".")
MESSY_TEXT = st.lists(
    st.one_of(SENTENCE, NASTY, st.text(max_size=30), st.just("\n")), max_size=60
).map("".join)


def truncated(seed: tuple[str, bytes]) -> st.SearchStrategy[tuple[str, bytes]]:
    suffix, data = seed
    return st.integers(0, len(data)).map(lambda cut: (suffix, data[:cut]))


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """A real-shaped file with bytes deleted, repeated, replaced or inserted."""
    suffix, data = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["delete", "insert", "repeat", "replace"]))
        span = draw(st.integers(1, 64))
        if action == "delete":
            data = data[:at] + data[at + span :]
        elif action == "insert":
            piece = draw(st.binary(max_size=16) | NASTY.map(lambda text: text.encode()))
            data = data[:at] + piece + data[at:]
        elif action == "repeat":
            data = data[:at] + data[at : at + span] * draw(st.integers(2, 50)) + data[at:]
        else:
            data = data[:at] + draw(st.binary(min_size=span, max_size=span)) + data[at + span :]
    return suffix, data


@st.composite
def huge_line(draw: st.DrawFn) -> tuple[str, bytes]:
    """A real-shaped file with one enormous line: no spaces, or one endless sentence."""
    suffix, data = draw(st.sampled_from(SEEDS))
    size = draw(st.integers(10_000, HUGE_LINE))
    unit = draw(st.sampled_from(["x", "word ", "a,", "<b>", "&amp;", "日本"]))
    line = (unit * (size // len(unit) + 1))[:size].encode()
    at = draw(st.integers(0, len(data)))
    return suffix, data[:at] + line + data[at:]


@st.composite
def deeply_nested(draw: st.DrawFn) -> tuple[str, bytes]:
    depth = draw(st.integers(100, DEEPEST))
    kind = draw(st.sampled_from(["html", "feed", "json", "jsonl", "md"]))
    words = "Deep text inside many elements about the port strike. "
    if kind == "html":
        tag = draw(st.sampled_from(["div", "b", "p", "span", "blockquote", "li", "table"]))
        body = f"<{tag}>" * depth + words + f"</{tag}>" * draw(st.integers(0, depth))
        return ".html", f"<html><body>{body}</body></html>".encode()
    if kind == "feed":
        inner = "<div>" * depth + words + "</div>" * depth
        return ".rss", (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
            f"<title>Nested</title><pubDate>Tue, 03 Dec 2024 09:00:00 GMT</pubDate>"
            f"<description><![CDATA[{inner}]]></description><x>{'<y>' * depth}</x>"
            "</item></channel></rss>"
        ).encode()
    if kind in ("json", "jsonl"):
        nested = "[" * depth + "]" * depth
        record = '{"date": "2024-12-03", "text": "' + words + '", "extra": ' + nested + "}"
        return f".{kind}", record.encode()
    return ".md", ("> " * depth + words + "\n" + "- " * depth + "item\n").encode()


ENCODINGS = ["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "shift_jis",
             "koi8-r", "utf-8-sig", "utf-7", "cp037"]  # fmt: skip


@st.composite
def badly_encoded(draw: st.DrawFn) -> tuple[str, bytes]:
    """Real text in another encoding, declared rightly, wrongly or not at all."""
    suffix, data = draw(st.sampled_from(SEEDS))
    text = data.decode("utf-8", errors="replace") + draw(MESSY_TEXT)
    encoding = draw(st.sampled_from(ENCODINGS))
    encoded = text.encode(encoding, errors="replace")
    label = draw(st.sampled_from(["", encoding, "utf-8", "utf-99", "x-user-defined", "ebcdic"]))
    if label:
        encoded = f'<?xml version="1.0" encoding="{label}"?>\n'.encode() + encoded
    if draw(st.booleans()):
        encoded = codecs.BOM_UTF8 + encoded
    return suffix, encoded


EMPTY = st.tuples(
    st.sampled_from(SUFFIXES),
    st.sampled_from([b"", b" ", b"\n\n", b"\xef\xbb\xbf", b"\r\n\t ", b"\x00", b"\xff\xfe"]),
)
RANDOM = st.tuples(st.sampled_from(SUFFIXES), st.binary(max_size=3000))
SEEDED = st.sampled_from(SEEDS).flatmap(truncated)


def dated(body: str, suffix: str) -> bytes:
    """Messy text inside a well-formed dated container, so it reaches every later stage."""
    if suffix in (".md", ".markdown", ".txt"):
        return f'+++\ntitle = "Fuzzed"\ndate = 2024-12-03\n+++\n{body}'.encode()
    if suffix in (".html", ".htm"):
        return (
            '<html><head><meta property="article:published_time" content="2024-12-03">'
            f"<title>Fuzzed</title></head><body><article>{body}</article></body></html>"
        ).encode()
    if suffix in (".json", ".jsonl"):
        return json.dumps({"title": "Fuzzed", "date": "2024-12-03", "text": body}).encode()
    escaped = body.replace("]]>", "]]]]><![CDATA[>")
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>'
        "<item><title>Fuzzed</title><pubDate>Tue, 03 Dec 2024 09:00:00 GMT</pubDate>"
        f"<description><![CDATA[{escaped}]]></description></item></channel></rss>"
    ).encode("utf-8", errors="replace")


DATED_MESSY = st.builds(
    lambda suffix, body: (suffix, dated(body, suffix)), st.sampled_from(SUFFIXES), MESSY_TEXT
)
ANY_INPUT = st.one_of(
    RANDOM, SEEDED, mutated(), huge_line(), deeply_nested(), badly_encoded(), EMPTY, DATED_MESSY
)


# --------------------------------------------------------------------------- checks


def check_read_file(path: Path) -> None:
    try:
        articles = read_file(path)
    except InputError as error:
        message = str(error)
        assert message.startswith(str(path)), message
        assert "\n" not in message and "\r" not in message, message
    else:
        assert articles
        for article in articles:
            assert article.text.strip()
            assert article.path == str(path)


def write_all(folder: Path, files: list[tuple[str, bytes]]) -> list[Path]:
    paths = []
    for number, (suffix, data) in enumerate(files):
        path = folder / f"item{number:03d}{suffix}"
        path.write_bytes(data)
        paths.append(path)
    return paths


def check_accounted(paths: list[Path], reported: set[str], read: set[str]) -> None:
    """Every file either gave an article or is named in the failures: none vanished."""
    for path in paths:
        assert str(path) in read or str(path) in reported, f"{path} vanished"


def run_pipeline(folder: Path) -> Briefing:
    options = MakeOptions(inputs=(folder,), out=folder / "out", since=None, until=PERIOD_END)
    try:
        briefing = build(options)
    except NothingToBrief as nothing:  # nothing left to brief: every file still accounted for
        briefing = Briefing(PERIOD_END, None, PERIOD_END, (), nothing.coverage)
    # The templates must cope with whatever text got through, too.
    for fmt, text in render_all(briefing, ["md", "html", "txt"]):
        assert text.strip(), fmt
    return briefing


# --------------------------------------------------------------------------- tests


@FUZZ
@given(st.lists(ANY_INPUT, min_size=1, max_size=4))
def test_read_file_and_read_inputs_never_crash(files: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        paths = write_all(folder, files)
        for path in paths:
            check_read_file(path)
        result = read_inputs([folder])
        for skipped in result.failed:
            assert "\n" not in skipped.reason and "\r" not in skipped.reason, skipped
        reported = {skipped.path.rsplit(":", 1)[0] for skipped in result.failed}
        reported |= {skipped.path for skipped in result.failed}
        check_accounted(paths, reported, {article.path for article in result.articles})


def pipeline_test(strategy: st.SearchStrategy[tuple[str, bytes]]) -> Callable[..., None]:
    @FUZZ
    @given(st.lists(strategy, min_size=1, max_size=3), st.lists(DATED_MESSY, max_size=2))
    def run(files: list[tuple[str, bytes]], extra: list[tuple[str, bytes]]) -> None:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            paths = write_all(folder, files + extra)
            briefing = run_pipeline(folder)
            coverage = briefing.coverage
            reported = {skipped.path.rsplit(":", 1)[0] for skipped in coverage.failed}
            reported |= {skipped.path for skipped in coverage.failed}
            read = {article.path for story in briefing.stories for article in story.articles}
            # Read but left out (undated, out of period) still counts as read.
            assert coverage.read >= len(read)
            assert coverage.in_period + coverage.out_of_period + coverage.undated <= coverage.read
            ingested = read_inputs([folder])
            check_accounted(paths, reported, {article.path for article in ingested.articles})

    return run


test_pipeline_on_random_and_empty_files = pipeline_test(st.one_of(RANDOM, EMPTY))
test_pipeline_on_truncated_and_mutated_files = pipeline_test(st.one_of(SEEDED, mutated()))
test_pipeline_on_huge_lines_and_deep_nesting = pipeline_test(
    st.one_of(huge_line(), deeply_nested())
)
test_pipeline_on_bad_encodings = pipeline_test(badly_encoded())
test_pipeline_on_messy_text_in_dated_articles = pipeline_test(DATED_MESSY)


def test_malformed_feeds_in_the_fixture_folder_are_partly_read() -> None:
    result = read_inputs([REPO / "tests" / "fixtures" / "feeds"])
    broken = str(REPO / "tests" / "fixtures" / "feeds" / "valley-courier-broken.xml")
    assert {article.path for article in result.articles} >= {broken}
    assert any(
        skipped.path == broken and "not well-formed XML" in skipped.reason
        for skipped in result.warnings
    )
    assert broken not in {skipped.path for skipped in result.failed}


# --------------------------------------------------------------------------- mutation corpus

# benchmarks/fuzz_inputs.py runs this campaign large (100,000 inputs); here a few seconds' worth.
MUTATION_SEEDS = seeds()


def test_a_small_mutation_campaign_finds_no_crash_and_no_hang() -> None:
    report = campaign(count=4 * EXAMPLES, seed=20241203, budget=30.0)
    assert report.count == 4 * EXAMPLES
    assert report.crashes == [] and report.hangs == []


@FUZZ
@given(st.integers(0, 2**32))
def test_any_input_of_the_mutation_corpus_is_read_or_refused(number: int) -> None:
    suffix, data = make_input(7, number, MUTATION_SEEDS)
    with tempfile.TemporaryDirectory() as name:
        try:
            articles = read_one(Path(name), number, suffix, data)
        except InputError as error:
            assert "\n" not in str(error) and "\x1b" not in str(error)
            return
        for article in articles:
            assert check_article(article) is None


# --------------------------------------------------------------------------- found by fuzzing


def test_feed_field_feedparser_gives_up_on_is_empty_not_a_crash(tmp_path: Path) -> None:
    # An endless line breaking the summary's end tag: feedparser hands back summary=None.
    feed = (REPO / "tests" / "fixtures" / "feeds" / "harbourline-business.atom").read_bytes()
    at = feed.index(b"2028.</summary>") + len(b"2028.<")
    path = tmp_path / "long.atom"
    path.write_bytes(feed[:at] + b"x" * 10_000 + feed[at:])
    result = read_inputs([path])
    assert [article.title for article in result.articles] == [
        "Grain prices climb as dry autumn cuts harvest forecast",
        "Brightwater Energy shares fall after profit warning",
    ]
    assert [skipped.path for skipped in result.failed] == [f"{path}:1"]
    assert [skipped.path for skipped in result.warnings] == [str(path)]
    parsed = feedparser.parse(io.BytesIO(path.read_bytes()))
    assert parsed.entries[0].get("summary") is None  # the case this test is about


def test_a_character_reference_to_a_surrogate_in_a_feed_is_not_a_crash(tmp_path: Path) -> None:
    # feedparser's lenient parser raised UnicodeEncodeError on &#xD800; after an XML error.
    feed = (REPO / "tests" / "fixtures" / "feeds" / "harbourline-business.atom").read_bytes()
    path = tmp_path / "surrogate.atom"
    path.write_bytes(b'<?xml version="1.0"?>\n' + feed + b"\n&#xD800;&#1114112;")
    result = read_inputs([path])
    assert len(result.articles) == 3
    assert [skipped.path for skipped in result.warnings] == [str(path)]
