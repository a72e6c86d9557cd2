from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
import tomllib
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefer.errors import InputError
from briefer.ingest import ARTICLE_SUFFIXES, content_id, html_to_text, read_file, read_inputs
from briefer.ingest.fields import squeezed
from briefer.records import Skipped

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- text formats


def test_toml_front_matter_gives_fields_and_keeps_body_unchanged() -> None:
    [article] = read_file(FIXTURES / "toml_front.md")
    assert article.title == "Port strike ends after pay deal"
    assert article.date == dt.date(2024, 12, 3)
    assert article.source == "Harbour Herald"
    assert article.url == "https://harbour.example/news/strike-ends"
    assert article.text == (
        "Dock workers voted on Tuesday to accept a pay offer, ending a two-week strike.\n\n"
        "Shipping lines said normal service would resume by the weekend.\n"
    )
    assert article.path == str(FIXTURES / "toml_front.md")


def test_yaml_front_matter_gives_fields_and_keeps_body_unchanged() -> None:
    [article] = read_file(FIXTURES / "yaml_front.markdown")
    assert article.title == "Council approves new cycle lanes"
    assert article.date == dt.date(2024, 11, 28)
    assert article.source == "City Gazette"
    assert article.url == "https://gazette.example/cycle-lanes"
    assert article.text.startswith("\nThe council approved three new cycle lanes")
    assert article.text.endswith("start in the spring.\n")


def test_bare_text_takes_first_non_empty_line_as_headline() -> None:
    [article] = read_file(FIXTURES / "bare.txt")
    assert article.title == "Library reopens after flood repairs"
    assert article.date is None
    assert article.source == ""
    assert article.url == ""
    assert article.text == (
        "The central library reopened on Monday after six months of repairs.\n\n"
        "Visitors queued from early morning.\n"
    )


def test_bare_markdown_strips_heading_marker_from_headline() -> None:
    [article] = read_file(FIXTURES / "bare_heading.md")
    assert article.title == "Bakery wins regional prize"
    assert "#" not in article.text
    assert article.text.strip() == "A family bakery won the regional bread prize on Sunday."


def test_hash_is_kept_in_a_bare_txt_headline(tmp_path: Path) -> None:
    article = read_file(write(tmp_path / "a.txt", "# 1 story of the day\nBody text.\n"))[0]
    assert article.title == "# 1 story of the day"


def test_front_matter_with_empty_title_keeps_it_empty(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", '+++\ntitle = ""\n+++\nFirst line of the body.\nMore.\n')
    article = read_file(path)[0]
    assert article.title == ""
    assert article.text == "First line of the body.\nMore.\n"


def test_utf8_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    content = '+++\r\ntitle = "Bom"\r\ndate = 2024-01-02\r\n+++\r\nBody line.\r\n'
    path = write(tmp_path / "bom.md", b"\xef\xbb\xbf" + content.encode("utf-8"))
    article = read_file(path)[0]
    assert article.title == "Bom"
    assert article.date == dt.date(2024, 1, 2)
    assert article.text == "Body line.\n"


def test_yaml_front_matter_may_close_with_dots(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "---\ntitle: Dots\n...\nBody.\n")
    assert read_file(path)[0].title == "Dots"


def test_front_matter_keys_are_case_insensitive_and_others_ignored(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "---\nTitle: Upper\nDate: 2024-05-06\nauthor: X\n---\nBody.\n")
    article = read_file(path)[0]
    assert (article.title, article.date) == ("Upper", dt.date(2024, 5, 6))


def test_source_falls_back_to_the_url_host(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", '+++\nurl = "https://www.news.example/x"\n+++\nBody.\n')
    assert read_file(path)[0].source == "news.example"


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2024-12-03", dt.date(2024, 12, 3)),
        ("2024-12-03T10:00:00Z", dt.date(2024, 12, 3)),
        ("2024-12-03T23:30:00-05:00", dt.date(2024, 12, 4)),  # aware times are taken in UTC
        ("2024-12-03 08:15", dt.date(2024, 12, 3)),
        ("3 December 2024", dt.date(2024, 12, 3)),
        ("3 Dec 2024", dt.date(2024, 12, 3)),
        ("Dec 3, 2024", dt.date(2024, 12, 3)),
        ("Dec. 3, 2024", dt.date(2024, 12, 3)),
        ("December 3rd, 2024", dt.date(2024, 12, 3)),
        ("Tuesday, 3 December 2024", dt.date(2024, 12, 3)),
        ("Sept 9, 2024", dt.date(2024, 9, 9)),
        ("Tue, 03 Dec 2024 09:30:00 +0000", dt.date(2024, 12, 3)),
        ("2024/12/03", dt.date(2024, 12, 3)),
        ("", None),
    ],
)
def test_date_forms_in_records(tmp_path: Path, written: str, expected: dt.date | None) -> None:
    path = write(tmp_path / "a.json", f'{{"title": "T", "date": "{written}", "text": "Body."}}')
    assert read_file(path)[0].date == expected


@pytest.mark.parametrize("written", ["sometime", "03/12/2024", "December 2024", "2024-02-30"])
def test_unreadable_or_partial_dates_are_errors_never_guesses(tmp_path: Path, written: str) -> None:
    path = write(tmp_path / "a.md", f'+++\ndate = "{written}"\n+++\nBody.\n')
    with pytest.raises(InputError) as caught:
        read_file(path)
    message = str(caught.value)
    assert str(path) in message
    assert written in message
    assert "write it as YYYY-MM-DD" in message


def test_numeric_date_in_yaml_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        read_file(write(tmp_path / "a.md", "---\ndate: 2024\n---\nBody.\n"))


def test_toml_datetime_and_yaml_datetime_give_days(tmp_path: Path) -> None:
    toml = write(tmp_path / "a.md", "+++\ndate = 2024-12-03T10:00:00Z\n+++\nBody.\n")
    yaml = write(tmp_path / "b.md", "---\ndate: 2024-12-03 10:00:00\n---\nBody.\n")
    assert read_file(toml)[0].date == dt.date(2024, 12, 3)
    assert read_file(yaml)[0].date == dt.date(2024, 12, 3)


# --------------------------------------------------------------------------- web pages


def test_html_page_with_meta_date() -> None:
    [article] = read_file(FIXTURES / "page_dated.html")
    assert article.title == "Rates held as inflation lingers"
    assert article.date == dt.date(2024, 12, 3)
    assert article.source == "Daily Planet"
    assert article.url == "https://planet.example/news/rates-held"
    paragraphs = article.text.split("\n\n")
    assert paragraphs[-3].startswith("The central bank held interest rates on Tuesday")
    assert paragraphs[-1].endswith("the majority preferred to wait.")
    assert "Sport" not in article.text  # navigation is not main text


def test_html_page_without_a_stated_date_has_no_date() -> None:
    # The footer's copyright year is exactly what a date guesser would latch on to.
    [article] = read_file(FIXTURES / "page_undated.html")
    assert article.date is None
    assert article.title == "Volunteers restore the old mill"
    assert len(article.text.split("\n\n")) >= 3


def test_html_page_with_no_date_anywhere_is_never_today(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Quiet page</title></head><body><article>"
        + "".join(
            f"<p>Paragraph {word} of a page without any date in it at all.</p>" for word in "abc"
        )
        + "</article></body></html>"
    )
    article = read_file(write(tmp_path / "quiet.htm", page))[0]
    assert article.date is None


def test_html_fragment_too_short_for_extraction_still_gives_text(tmp_path: Path) -> None:
    path = write(tmp_path / "note.html", "<p>Short note.</p><p>Second <b>bold</b> line.</p>")
    article = read_file(path)[0]
    assert article.text == "Short note.\n\nSecond bold line."


def test_html_declaring_another_charset_is_decoded_with_it(tmp_path: Path) -> None:
    page = (
        '<html><head><meta charset="iso-8859-1"><title>Café</title></head>'
        "<body><p>Le café est ouvert.</p></body></html>"
    )
    article = read_file(write(tmp_path / "latin.html", page.encode("iso-8859-1")))[0]
    assert "café" in article.text


def test_html_to_text_keeps_block_structure() -> None:
    markup = (
        "<div>Line one<br>line two</div><ul><li>item a</li><li>item b</li></ul>"
        "<script>var x = 1;</script><p>Para with <b>bold</b> &amp; entity.</p>"
    )
    assert html_to_text(markup) == (
        "Line one\nline two\n\nitem a\n\nitem b\n\nPara with bold & entity."
    )


def test_html_with_nothing_visible_is_a_failure(tmp_path: Path) -> None:
    path = write(
        tmp_path / "empty.html", "<html><head><title>x</title></head><body> </body></html>"
    )
    with pytest.raises(InputError, match="no article text"):
        read_file(path)


# --------------------------------------------------------------------------- feeds


def test_rss_feed_entries_become_articles() -> None:
    articles = read_file(FIXTURES / "feed_rss.xml")
    assert [article.title for article in articles] == [
        "Bridge reopens to traffic",
        "Market moves to the square",
        "Undated notice",
    ]
    bridge, market, notice = articles
    assert bridge.date == dt.date(2024, 12, 3)
    assert bridge.source == "Valley Times"
    assert bridge.url == "https://valley.example/bridge"
    # content:encoded wins over the teaser, and its paragraphs are kept
    assert bridge.text == (
        "The river bridge reopened to traffic on Tuesday after repairs.\n\n"
        "Engineers said the work finished early."
    )
    assert market.text == (
        "The weekly market will move to the town square.\n\nStallholders welcomed the change."
    )
    assert notice.date is None
    assert {article.path for article in articles} == {str(FIXTURES / "feed_rss.xml")}


def test_atom_feed_entries_use_published_then_updated() -> None:
    snow, choir = read_file(FIXTURES / "feed_atom.atom")
    assert snow.title == "Snow closes mountain pass"
    assert snow.date == dt.date(2024, 12, 4)
    assert snow.source == "Hill Courier"
    assert snow.url == "https://hill.example/snow"
    assert snow.text == (
        "Heavy snow closed the mountain pass overnight.\n\nCrews expect to reopen it by noon."
    )
    assert choir.date == dt.date(2024, 11, 30)
    assert choir.text == "The school choir left for a week-long tour."


def test_an_unreadable_feed_date_is_read_without_feedparsers_deprecated_fallback(
    tmp_path: Path,
) -> None:
    """An entry whose pubDate feedparser cannot parse has published_parsed None and no
    updated field: asking for `updated_parsed` or `updated` would get the `published` ones
    back with feedparser's DeprecationWarning (its issue 310). The raw date is still said to
    be unreadable."""
    feed = tmp_path / "bad.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Port news</title><item>'
        "<title>Port reopens</title><link>https://port.example/a</link>"
        "<pubDate>Tue, 03 Dec 2024 99999999999999999999:00:00 GMT</pubDate>"
        "<description>The port reopened after the storm, officials said.</description>"
        "</item></channel></rss>",
        encoding="utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        with pytest.raises(InputError, match="cannot be read"):
            read_file(feed)


RSS_HEAD = '<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>'


def test_malformed_feed_still_yields_the_entries_it_can(tmp_path: Path) -> None:
    feed = (
        RSS_HEAD
        + "<item><title>Good one</title><description>Readable entry.</description></item>"
        + "<item><title>Cut off & <bad</title><description>Second"
    )
    path = write(tmp_path / "broken.rss", feed)
    result = read_inputs([path])
    assert [article.title for article in result.articles][:1] == ["Good one"]
    assert result.articles[0].text == "Readable entry."


def test_unreadable_feed_without_entries_fails_with_parser_reason(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.xml", '<?xml version="1.0"?><rss><channel><title>x</tit')
    with pytest.raises(InputError, match="is not a readable feed") as caught:
        read_file(path)
    assert str(path) in str(caught.value)


def test_xml_that_is_not_a_feed_fails(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no feed entries"):
        read_file(write(tmp_path / "note.xml", "<note><to>Tove</to></note>"))


def test_feed_entry_without_text_fails_alone(tmp_path: Path) -> None:
    feed = (
        RSS_HEAD
        + "<item><title>Empty</title></item>"
        + "<item><title>Full</title><description>Has text.</description></item>"
        + "</channel></rss>"
    )
    path = write(tmp_path / "feed.rss", feed)
    result = read_inputs([path])
    assert [article.title for article in result.articles] == ["Full"]
    assert [skipped.path for skipped in result.failed] == [f"{path}:1"]
    assert "no article text" in result.failed[0].reason


# --------------------------------------------------------------------------- JSON


def test_json_list_loads_good_records_and_reports_the_bad_one() -> None:
    path = FIXTURES / "records.json"
    result = read_inputs([path])
    assert [article.title for article in result.articles] == [
        "Ferry timetable changes",
        "Lighthouse keeper retires",
    ]
    ferry, keeper = result.articles
    assert ferry.date == dt.date(2024, 12, 1)
    assert ferry.source == "Coast Post"
    assert (
        ferry.text
        == "The ferry company published a winter timetable.\n\nSailings drop to two a day."
    )
    assert keeper.date == dt.date(2024, 12, 3)
    assert [skipped.path for skipped in result.failed] == [f"{path}:3"]
    assert "no article text" in result.failed[0].reason


def test_jsonl_reports_bad_lines_by_line_number() -> None:
    path = FIXTURES / "records.jsonl"
    result = read_inputs([path])
    assert [article.title for article in result.articles] == [
        "Orchard harvest up",
        "Tractor fair draws crowds",
    ]
    assert [article.date for article in result.articles] == [dt.date(2024, 12, 3)] * 2
    assert [skipped.path for skipped in result.failed] == [f"{path}:3", f"{path}:4"]
    assert "is not valid JSON" in result.failed[0].reason
    assert "no article text" in result.failed[1].reason
    # read_file keeps the good records too
    assert len(read_file(path)) == 2


def test_single_json_object_and_text_aliases(tmp_path: Path) -> None:
    path = write(tmp_path / "one.json", '{"title": "Solo", "article": "Body from a corpus dump."}')
    article = read_file(path)[0]
    assert (article.title, article.text, article.date) == ("Solo", "Body from a corpus dump.", None)


def test_json_record_with_bad_date_fails_alone(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.jsonl",
        '{"title": "A", "date": "soon", "text": "x"}\n{"title": "B", "text": "y"}\n',
    )
    result = read_inputs([path])
    assert [article.title for article in result.articles] == ["B"]
    assert result.failed[0].path == f"{path}:1"
    assert "'soon'" in result.failed[0].reason and "YYYY-MM-DD" in result.failed[0].reason


def test_json_file_where_every_record_fails_is_an_error_for_read_file(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", '[{"title": "no text"}, 5]')
    with pytest.raises(InputError, match="no readable record"):
        read_file(path)
    assert len(read_inputs([path]).failed) == 2


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"title": "x",\n "text": }', "line 2"),
        ('"just a string"', "object or a list of objects"),
        ("[]", "empty list"),
    ],
)
def test_bad_json_files(tmp_path: Path, content: str, needle: str) -> None:
    path = write(tmp_path / "bad.json", content)
    with pytest.raises(InputError) as caught:
        read_file(path)
    assert needle in str(caught.value)
    assert str(caught.value).startswith(str(path))


def test_json_title_must_be_text(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", '{"title": ["a", "b"], "text": "Body."}')
    with pytest.raises(InputError, match="title"):
        read_file(path)


# --------------------------------------------------------------------------- bad input


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder; check the --input path"):
        read_file(tmp_path / "gone.md")


@pytest.mark.parametrize("content", [b"", b"   \n\t\n", b"\xef\xbb\xbf  \n"])
@pytest.mark.parametrize("suffix", [".md", ".txt", ".html", ".json", ".jsonl", ".rss"])
def test_empty_files(tmp_path: Path, content: bytes, suffix: str) -> None:
    path = write(tmp_path / f"empty{suffix}", content)
    with pytest.raises(InputError, match="file is empty"):
        read_file(path)


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match="binary file"):
        read_file(path)


def test_utf16_file_is_named_as_such(tmp_path: Path) -> None:
    path = write(tmp_path / "wide.txt", "Headline\nBody.\n".encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16"):
        read_file(path)


def test_non_utf8_text_names_the_byte_and_offset(tmp_path: Path) -> None:
    path = write(tmp_path / "latin.txt", "Headline\nCafé au lait.\n".encode("latin-1"))
    with pytest.raises(InputError) as caught:
        read_file(path)
    assert str(caught.value) == (
        f"{path}: is not UTF-8 text (invalid byte 0xe9 at offset 12); re-save it as UTF-8"
    )


def test_bad_toml_front_matter_gives_the_file_line(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", '+++\ntitle = "ok"\ndate = = 2024\n+++\nBody.\n')
    with pytest.raises(InputError) as caught:
        read_file(path)
    message = str(caught.value)
    assert "not valid TOML" in message
    assert "line 3" in message  # the file's line, counting the opening +++


def test_bad_yaml_front_matter_gives_the_file_line(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "---\ntitle: ok\nsource: [unclosed\n---\nBody.\n")
    with pytest.raises(InputError) as caught:
        read_file(path)
    message = str(caught.value)
    assert "not valid YAML" in message
    assert "line " in message


@pytest.mark.parametrize(
    "header", ["---\ndate: 2024-02-30\n---\n", "---\n- just\n- a list\n---\n", "+++\nx = 1\n"]
)
def test_other_bad_front_matter(tmp_path: Path, header: str) -> None:
    with pytest.raises(InputError, match=r"front matter|YYYY-MM-DD"):
        read_file(write(tmp_path / "a.md", header + "Body.\n"))


def test_unclosed_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "+++\ntitle = 'x'\nBody without a closing fence.\n")
    with pytest.raises(InputError, match=r"never closed; end it with a \+\+\+ line"):
        read_file(path)


@pytest.mark.parametrize(
    "content",
    ['+++\ntitle = "Only front matter"\n+++\n', "---\ntitle: x\n---\n\n  \n", "# Headline only\n"],
)
def test_no_article_text(tmp_path: Path, content: str) -> None:
    with pytest.raises(InputError, match="no article text"):
        read_file(write(tmp_path / "a.md", content))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.md", "Headline\nBody.\n")
    path.chmod(0)
    try:
        with pytest.raises(InputError, match="permission denied"):
            read_file(path)
    finally:
        path.chmod(0o644)


def test_unsupported_extension_given_explicitly(tmp_path: Path) -> None:
    path = write(tmp_path / "photo.png", b"\x89PNG")
    with pytest.raises(InputError, match=r"not an article format \(\.png\)"):
        read_file(path)
    result = read_inputs([path])
    assert result.failed[0].path == str(path)
    assert result.ignored == ()


def test_folder_given_to_read_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        read_file(tmp_path)


# --------------------------------------------------------------------------- folders


def test_folder_walk_sorts_reads_ignores_and_fails(tmp_path: Path) -> None:
    root = tmp_path / "news"
    write(root / "b.md", "B headline\nB body.\n")
    write(root / "A.TXT", "A headline\nA body.\n")  # extensions are case-insensitive
    write(root / "sub" / "c.txt", "C headline\nC body.\n")
    write(root / "sub" / "broken.json", "{nope")
    write(root / "themes.toml", '[[theme]]\nname = "x"\n')
    write(root / "photo.png", b"\x89PNG")
    write(root / "README", "no extension")
    write(root / ".hidden.md", "Hidden\nNot read.\n")
    write(root / ".git" / "d.md", "Hidden folder\nNot read.\n")

    result = read_inputs([root])

    assert [article.title for article in result.articles] == [
        "A headline",
        "B headline",
        "C headline",
    ]
    assert [article.path for article in result.articles] == [
        str(root / "A.TXT"),
        str(root / "b.md"),
        str(root / "sub" / "c.txt"),
    ]
    assert [(skipped.path, skipped.reason) for skipped in result.ignored] == [
        (str(root / "README"), "not an article format (no extension)"),
        (str(root / "photo.png"), "not an article format (.png)"),
    ]
    assert [skipped.path for skipped in result.failed] == [str(root / "sub" / "broken.json")]
    assert "is not valid JSON" in result.failed[0].reason
    reported = {Path(s.path).name for s in result.failed + result.ignored}
    assert not reported & {"themes.toml", ".hidden.md", "d.md"}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_special_files_are_never_opened(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)  # opening it would block forever
    walked = read_inputs([tmp_path])
    assert walked.ignored == (Skipped(str(pipe), "not a regular file"),)
    given = read_inputs([pipe])
    assert "is not a regular file" in given.failed[0].reason


def test_symlink_loop_in_a_folder_ends(tmp_path: Path) -> None:
    write(tmp_path / "news" / "a.md", "Looped\nBody.\n")
    (tmp_path / "news" / "again").symlink_to(tmp_path / "news", target_is_directory=True)
    result = read_inputs([tmp_path / "news"])
    assert [article.title for article in result.articles] == ["Looped"]


def test_missing_input_is_recorded_not_raised(tmp_path: Path) -> None:
    good = write(tmp_path / "good.md", "Good\nBody.\n")
    result = read_inputs([tmp_path / "nowhere", good])
    assert [article.title for article in result.articles] == ["Good"]
    assert result.failed[0].path == str(tmp_path / "nowhere")
    assert result.failed[0].reason == "no such file or folder; check the --input path"


def test_order_is_by_path_whatever_the_input_order(tmp_path: Path) -> None:
    first = write(tmp_path / "a.md", "First\nBody one.\n")
    second = write(tmp_path / "b.md", "Second\nBody two.\n")
    forwards = read_inputs([first, second])
    backwards = read_inputs([second, first])
    assert forwards == backwards
    assert [article.title for article in forwards.articles] == ["First", "Second"]


def test_a_file_reached_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "Once\nBody.\n")
    result = read_inputs([path, tmp_path, path])
    assert [article.title for article in result.articles] == ["Once"]


def test_a_file_reached_through_links_is_read_once(tmp_path: Path) -> None:
    # Through a link to the file, and through a link to its folder (which must be resolved
    # even though the file itself is no link).
    path = write(tmp_path / "news" / "a.md", "Once\nBody.\n")
    (tmp_path / "alias.md").symlink_to(path)
    (tmp_path / "mirror").symlink_to(tmp_path / "news", target_is_directory=True)
    result = read_inputs([tmp_path / "alias.md", tmp_path / "mirror" / "a.md", path])
    assert [article.title for article in result.articles] == ["Once"]


def test_ids_depend_on_content_not_location(tmp_path: Path) -> None:
    original = write(tmp_path / "one" / "story.md", "Same story\nSame body.\n")
    copy = tmp_path / "two" / "elsewhere.txt"
    copy.parent.mkdir()
    shutil.copy(original, copy)
    other = write(tmp_path / "three.md", "Same story\nDifferent body.\n")
    by_path = {article.path: article for article in read_inputs([original, copy, other]).articles}
    first, second, third = by_path[str(original)], by_path[str(copy)], by_path[str(other)]
    assert first.id == second.id == content_id("Same story", "Same body.\n")
    assert third.id != first.id
    assert len(first.id) == 16 and int(first.id, 16) >= 0
    assert read_inputs([original]).articles[0].id == first.id


# --------------------------------------------------------------------------- real samples


def test_repo_samples(repo_samples: Path) -> None:
    result = read_inputs([repo_samples])
    assert len(result.articles) == 5
    assert result.failed == ()
    assert result.ignored == ()  # themes.toml, if present, is configuration
    by_file = {Path(article.path).name: article for article in result.articles}
    nato = by_file["000_6d5eb077569dc409.txt"]
    assert (
        nato.title == "NATO countries see different paths as war in Ukraine enters uncertain phase"
    )
    assert nato.date == dt.date(2022, 4, 6)
    assert nato.source == "goadnews.com"
    assert nato.text.startswith("Skip to content\n")  # furniture is the clean stage's job
    headless = by_file["004_5c763be46a265a57.txt"]
    assert headless.title == ""
    assert headless.date == dt.date(2024, 12, 3)
    assert headless.text.startswith("Brussels – Less discussion")
    assert len({article.id for article in result.articles}) == 5


def test_repo_samples_match_the_shared_catalog(repo_samples: Path, shared_dir: Path) -> None:
    catalog = tomllib.loads((shared_dir / "samples" / "catalog.toml").read_text(encoding="utf-8"))
    by_file = {Path(article.path).name: article for article in read_inputs([repo_samples]).articles}
    for entry in catalog["article"]:
        article = by_file[entry["file"]]
        assert (article.title, article.date, article.source) == (
            entry["title"],
            entry["date"],
            entry["source"],
        )


# --------------------------------------------------------------------------- invariants

PREFIXES = [
    b"",
    b"\xef\xbb\xbf",
    b"+++\n",
    b"---\n",
    b"---\ndate: ",
    b"Headline\n",
    b"<html><body><p>",
    b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>',
    b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="html">',
    b"{",
    b'[{"text": "x", "date": ',
    b'{"title": "t", "text": "',
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    suffix=st.sampled_from(sorted(ARTICLE_SUFFIXES)),
    prefix=st.sampled_from(PREFIXES),
    payload=st.binary(max_size=200) | st.text(max_size=200).map(lambda text: text.encode()),
)
def test_random_content_only_ever_raises_input_error(
    suffix: str, prefix: bytes, payload: bytes
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(prefix + payload)
        try:
            articles = read_file(path)
        except InputError as error:
            assert str(error).startswith(str(path))
            assert "\n" not in str(error)
        else:
            assert articles
            for article in articles:
                assert article.text.strip()
                assert article.path == str(path)
        result = read_inputs([path, Path(folder)])
        assert len(result.articles) + len(result.failed) >= 1


# --------------------------------------------------------------------------- honest coverage

FRAGMENTS = [
    "<p>Dock workers ended their strike on Tuesday after a pay deal, officials said.</p>"
    "<p>Ships returned to port.</p>",
    '<div class="story-body"><p>The council approved the budget for cycle lanes.</p></div>',
    "Floods forced thousands from their homes.<br>Rescue teams worked through the night.",
    "<figure><img src='x.jpg'><figcaption>Photo: Agency</figcaption></figure>"
    "<p>The central bank held rates as inflation lingered.</p>",
    "<section><h2>Background</h2><p>The ferry service resumed after repairs.</p></section>",
    "<span>One line of text in a span that is the whole fragment about the vote.</span>",
    "<!-- c --><p>Prices rose sharply in December.</p><script>var x = 1;</script>",
    "<ul><li>One point about the harbour.</li><li>Another about the strike.</li></ul>",
    "<table><tr><td>Votes counted in the district on Sunday.</td></tr></table>",
    "<article><p>Short.</p></article>",
]


def test_a_folder_of_undated_html_fragments_is_read_not_failed(tmp_path: Path) -> None:
    for number in range(50):
        fragment = FRAGMENTS[number % len(FRAGMENTS)].replace(".", f" ({number}).", 1)
        (tmp_path / f"fragment{number:02d}.html").write_text(fragment, encoding="utf-8")
    result = read_inputs([tmp_path])
    assert result.failed == ()
    assert len(result.articles) == 50
    assert all(article.text for article in result.articles)
    assert {article.date for article in result.articles} == {None}  # never guessed


def test_a_feed_tagline_is_never_the_source_name(tmp_path: Path) -> None:
    tagline = "Visit Example News for the latest news from the UK and around the world."
    feed = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{tagline}</title>'
        "<link>https://www.example-news.test/</link><item><title>Entry</title>"
        "<pubDate>Tue, 03 Dec 2024 09:00:00 GMT</pubDate>"
        "<description>Text of the entry.</description></item></channel></rss>"
    )
    path = write(tmp_path / "tagline.rss", feed)
    [article] = read_file(path)
    assert article.source == "example-news.test"
    named = write(tmp_path / "named.rss", feed.replace(tagline, "Example News"))
    assert read_file(named)[0].source == "Example News"


def test_a_page_site_name_is_used_unless_it_is_a_tagline(tmp_path: Path) -> None:
    page = (
        '<html><head><meta property="og:site_name" content="{name}">'
        '<meta property="og:url" content="https://www.example-news.test/a/1">'
        "<title>Headline</title></head><body><article><p>{text}</p></article></body></html>"
    )
    text = "The port reopened on Tuesday after a two-week strike by dock workers. " * 5
    named = write(tmp_path / "named.html", page.format(name="Example News", text=text))
    assert read_file(named)[0].source == "Example News"
    tagline = "Your source for the latest news from the UK and around the world, every day."
    tagged = write(tmp_path / "tagged.html", page.format(name=tagline, text=text))
    assert read_file(tagged)[0].source in ("example-news.test", "www.example-news.test")


# ---- the plain-header reader: tomllib's result, without tomllib, where it applies ----------------


@pytest.mark.parametrize(
    "header",
    [
        "",
        "\n \t\n",
        'title = "Plain"\ndate = 2024-12-03\nsource = "Wire"',
        'title="No spaces"\n\tdate\t=\t2024-02-29\t',
        'title = "Tabs\tand # hashes and ’quotes’ and émigrés"',
        'title = "Escaped \\"quote\\""',  # an escape: tomllib's
        'title = "A"\ntitle = "B"',  # a repeated key: tomllib's error
        "date = 2024-02-30",  # an impossible date: tomllib's error
        "date = 2024-02-03 10:00:00",  # a date and time
        'title = "A" # a comment',
        "[table]\nkey = 1",
        "draft = true",
        'title = "A"\r\ndate = 2024-01-01\r',
        '"quoted key" = "x"',
        "title = 'literal'",
    ],
)
def test_a_plain_header_reads_as_tomllib_reads_it(header: str) -> None:
    from briefer.ingest.frontmatter import _plain_toml, parse_toml

    try:
        expected: object = tomllib.loads(header)
    except tomllib.TOMLDecodeError:
        expected = InputError
    plain = _plain_toml(header)
    assert plain is None or plain == expected
    try:
        got: object = parse_toml("a.md", header)
    except InputError:
        got = InputError
    assert got == expected


def test_every_sample_header_is_read_without_tomllib(repo_samples: Path) -> None:
    """The samples' headers are all plain: the fast reader takes them, with tomllib's result."""
    from briefer.ingest.frontmatter import _plain_toml

    paths = sorted(repo_samples.glob("*.txt"))
    assert paths
    for path in paths:
        header = path.read_text(encoding="utf-8").split("+++", 2)[1].strip("\n")
        assert _plain_toml(header) == tomllib.loads(header), path


def test_no_white_space_but_the_space_is_printable() -> None:
    # What squeezed relies on to take its fast road.
    assert [
        code
        for code in range(sys.maxunicode + 1)
        if chr(code).isspace() and chr(code) != " " and chr(code).isprintable()
    ] == []


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n\t\r\u00a0\u2028\x1c\x00\u00adé")), max_size=30))
def test_squeezed_is_splitting_and_joining(text: str) -> None:
    assert squeezed(text) == " ".join(text.split())


@pytest.mark.parametrize("text", ["", " ", "\n\n", "  a  b\n\nc  ", "a\u00a0b", "a\tb", "x"])
def test_squeezed_is_splitting_and_joining_on_edge_cases(text: str) -> None:
    assert squeezed(text) == " ".join(text.split())
