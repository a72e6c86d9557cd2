"""Email: settings, the message, the size limit, escaping, and sending to real local SMTP
servers (aiosmtpd on 127.0.0.1, with STARTTLS, TLS and AUTH), including every failure."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO, run_cli
from smtp_server import (
    HOST,
    Certificates,
    Recorder,
    closed_port,
    echoing_server,
    make_certificates,
    silent_port,
    smtp_server,
)

from briefer.config import load_config
from briefer.deliver.mail import (
    HTML_LIMIT,
    Envelope,
    Retry,
    compose,
    email_body,
    email_briefing,
    email_file,
    encoded_size,
    masthead,
    parse_recipients,
    send,
    top_stories,
)
from briefer.deliver.mail.message import wire_bytes
from briefer.errors import DeliveryError, OptionsError, SendError
from briefer.options import MakeOptions
from briefer.pipeline import build
from briefer.records import (
    Article,
    Briefing,
    Bullet,
    Coverage,
    EmailSettings,
    Mailing,
    Section,
    SmtpSettings,
    Story,
)

SAMPLES = REPO / "samples"
SINCE, UNTIL = dt.date(2021, 12, 1), dt.date(2024, 12, 5)
SENDER = "Briefings <news@example.org>"
ANN, BO = "ann@example.org", "bo@example.org"
LOGIN = ("ann", "correct horse battery staple")
FAST = Retry(attempts=3, delay=0.01, factor=2.0)
WHEN = dt.datetime(2024, 12, 5, 7, 30, tzinfo=dt.UTC)


# ---- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def samples_briefing() -> Briefing:
    options = MakeOptions(
        inputs=(SAMPLES,),
        out=Path("unused"),
        since=SINCE,
        until=UNTIL,
        themes=SAMPLES / "themes.toml",
        cache=False,  # no article store in the working tree
    )
    return build(options)


def counts(briefing: Briefing) -> str:
    """`4 stories in 2 themes`, counted here from the briefing's sections."""
    sections = [section for section in briefing.sections if section.stories]
    stories = sum(len(section.stories) for section in sections)
    return f"{stories} {'story' if stories == 1 else 'stories'} in {len(sections)} " + (
        "theme" if len(sections) == 1 else "themes"
    )


def samples_subject(briefing: Briefing, title: str = "Briefing") -> str:
    """The subject names the heaviest story (briefer.rank), cut to 60 characters, then counts."""
    lead = [s for s in briefing.stories if s.standing is not None and s.standing.rank == 1]
    top = lead[0].title if lead else ""
    top = top if len(top) <= 60 else top[:59] + "…"
    start = f"{title} 5 December 2024"
    return f"{start}: {top} ({counts(briefing)})" if top else f"{start}: {counts(briefing)}"


def settings(port: int, security: str = "none", **changes: object) -> SmtpSettings:
    base = SmtpSettings(host=HOST, port=port, security=security, sender=SENDER, timeout=5.0)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def mailing(
    port: int,
    security: str = "none",
    recipients: tuple[str, ...] = (ANN,),
    *,
    mode: str = "each",
    dry_run: bool = False,
    **changes: object,
) -> Mailing:
    return Mailing(recipients, settings(port, security, **changes), EmailSettings(mode), dry_run)


def envelopes(briefing: Briefing, recipients: tuple[str, ...]) -> list[Envelope]:
    """One message per recipient, as `briefer make --email` sends them."""
    body = email_body(briefing)
    return [
        Envelope(
            wire_bytes(compose(masthead(briefing), body.html, body.text, SENDER, to=(r,))),
            (r,),
        )
        for r in recipients
    ]


def parse(data: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def parts(message: EmailMessage) -> tuple[str, str]:
    html = message.get_body(preferencelist=("html",))
    text = message.get_body(preferencelist=("plain",))
    assert html is not None and text is not None
    return html.get_content(), text.get_content()


class Markup(HTMLParser):
    """Every tag, attribute and piece of text of an HTML document."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((name, value or "") for name, value in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def hrefs(self) -> list[str]:
        return [value for name, value in self.attrs if name == "href"]


# ---- settings ---------------------------------------------------------------------------------


def test_settings_lay_the_environment_over_the_file_and_hide_the_password(
    tmp_path: Path,
) -> None:
    (tmp_path / "briefer.toml").write_text(
        f'smtp_host = "base.example.org"\nsmtp_port = 2525\nsmtp_from = "{SENDER}"\n',
        encoding="utf-8",
    )
    environ = {
        "BRIEFER_SMTP_HOST": "mail.example.org",
        "BRIEFER_SMTP_USER": "ann",
        "BRIEFER_SMTP_PASSWORD": "s3cret-Pa55",
        "BRIEFER_SMTP_SECURITY": "SSL",
        "BRIEFER_SMTP_TIMEOUT": "",  # empty counts as unset
    }
    found = load_config(tmp_path, environ).smtp
    assert (found.host, found.port, found.user, found.security) == (
        "mail.example.org",
        2525,
        "ann",
        "ssl",
    )
    assert found.sender == SENDER and found.password == "s3cret-Pa55" and found.timeout == 30
    for shown in (repr(found), str(found), f"{found}", repr([found])):
        assert "s3cret-Pa55" not in shown
        assert "password='***'" in shown


def test_default_port_follows_security(tmp_path: Path) -> None:
    ports = {
        security: load_config(tmp_path, {"BRIEFER_SMTP_SECURITY": security}).smtp.port
        for security in ("starttls", "ssl", "none")
    }
    assert ports == {"starttls": 587, "ssl": 465, "none": 25}


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"BRIEFER_SMTP_SECURITY": "tls"}, "BRIEFER_SMTP_SECURITY"),
        ({"BRIEFER_SMTP_PORT": "smtp"}, "BRIEFER_SMTP_PORT"),
        ({"BRIEFER_SMTP_PORT": "70000"}, "BRIEFER_SMTP_PORT"),
        ({"BRIEFER_SMTP_TIMEOUT": "-1"}, "BRIEFER_SMTP_TIMEOUT"),
        ({"BRIEFER_SMTP_FROM": "not an address"}, "BRIEFER_SMTP_FROM"),
        ({"BRIEFER_EMAIL_MODE": "cc"}, "BRIEFER_EMAIL_MODE"),
        ({"BRIEFER_PUBLIC_URL": "ftp://x.org/"}, "BRIEFER_PUBLIC_URL"),
        ({"BRIEFER_UNSUBSCRIBE": "http://x.org/u"}, "BRIEFER_UNSUBSCRIBE"),
        ({"BRIEFER_SMTP_PASSWORD": "two\nlines"}, "BRIEFER_SMTP_PASSWORD"),
    ],
)
def test_bad_settings_name_the_setting(tmp_path: Path, environ: dict[str, str], named: str) -> None:
    with pytest.raises(OptionsError, match=named):
        load_config(tmp_path, environ)


def test_email_settings_from_briefer_toml(tmp_path: Path) -> None:
    (tmp_path / "briefer.toml").write_text(
        'email_mode = "BCC"\npublic_url = "https://example.org/news/briefings"\n'
        'unsubscribe = "mailto:leave@example.org"\n',
        encoding="utf-8",
    )
    assert load_config(tmp_path, {}).email_settings == EmailSettings(
        "bcc", "https://example.org/news/briefings/", "mailto:leave@example.org"
    )


def test_recipients_are_checked_deduplicated_and_made_ascii() -> None:
    assert parse_recipients(f"{ANN}, {BO},{ANN}, jo@bücher.de, ann@Example.ORG") == (
        ANN,
        BO,
        "jo@xn--bcher-kva.de",
    ), "a domain's case does not make another recipient"
    for bad in ("ann", "ann@example.org\r\nBcc: eve@example.org", "Ann <ann@example.org>"):
        with pytest.raises(OptionsError, match="--email"):
            parse_recipients(bad)
    with pytest.raises(OptionsError, match="SMTPUTF8"):
        parse_recipients("zoë@example.org")
    # Refused by RFC 5322 (and by the email package that builds the headers): said at once.
    for bad in (".ann@example.org", "a..b@example.org", "a\\b@example.org", "a:b@example.org"):
        with pytest.raises(OptionsError, match="not an e-mail address a mail server accepts"):
            parse_recipients(bad)


# ---- the message ------------------------------------------------------------------------------


def test_compose_builds_text_then_inlined_html_with_utf8_headers(
    samples_briefing: Briefing,
) -> None:
    body = email_body(samples_briefing, full_copy="2024-12-05.md")
    briefing = dataclasses.replace(samples_briefing, title="Überblick")
    unsubscribe = EmailSettings(unsubscribe="https://example.org/leave?list=news")
    message = compose(
        masthead(briefing),
        body.html,
        body.text,
        "Brïefings Désk <news@exämple.org>",
        to=[ANN],
        settings=unsubscribe,
        when=WHEN,
    )
    raw = message.as_bytes()
    assert raw.isascii(), "plain 7-bit SMTP: every header and part encoded"
    received = parse(raw)
    assert received["Subject"] == samples_subject(briefing, "Überblick")
    assert "=?utf-8?" in raw.split(b"\r\n\r\n")[0].decode()
    assert received["From"].addresses[0].display_name == "Brïefings Désk"
    assert received["From"].addresses[0].addr_spec == "news@xn--exmple-cua.org"
    assert [a.addr_spec for a in received["To"].addresses] == [ANN]
    assert received["Date"].datetime == WHEN
    assert re.fullmatch(r"<[^<>@]+@xn--exmple-cua\.org>", received["Message-ID"])
    assert received["List-Id"] == "Überblick <berblick.xn--exmple-cua.org>"
    assert received["List-Unsubscribe"] == "<https://example.org/leave?list=news>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in received.iter_parts()]
    assert kinds == ["text/plain", "text/html"], "the richest alternative last"
    for part in received.iter_parts():
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
    html, text = parts(received)
    assert text.startswith("=" * 78) and briefing.stories[-1].title in text
    # Inlined: the only stylesheet left holds the @media rules (wide screens, dark mode).
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(styles) == 1 and styles[0].strip().startswith("@media")
    assert "prefers-color-scheme: dark" in styles[0]
    assert 'style="' in html


def test_a_mailto_unsubscribe_has_no_one_click_header(samples_briefing: Briefing) -> None:
    body = email_body(samples_briefing)
    message = compose(
        masthead(samples_briefing),
        body.html,
        body.text,
        SENDER,
        to=[ANN],
        settings=EmailSettings(unsubscribe="mailto:leave@example.org"),
    )
    assert message["List-Unsubscribe"] == "<mailto:leave@example.org>"
    assert "List-Unsubscribe-Post" not in message
    assert message["List-Id"] == "Briefing <briefing.example.org>"


def test_preheader_and_subject_describe_the_briefing(samples_briefing: Briefing) -> None:
    body = email_body(samples_briefing)
    preheader = re.search(r'<div style="display:\s*none[^"]*">([^<]*)</div>', body.html)
    assert preheader is not None
    first = samples_briefing.stories[0].title
    themes = ", ".join(s.theme for s in samples_briefing.sections if s.stories)
    stories = len(samples_briefing.stories)
    assert preheader.group(1).startswith(f"{first} — {stories} stories in {themes}")
    assert "briefer-" not in body.html, "no hidden meta tags: the counts come from the Briefing"
    message = compose(masthead(samples_briefing), body.html, body.text, SENDER, to=[ANN])
    assert message["Subject"] == samples_subject(samples_briefing)


def _big_briefing(stories: int) -> Briefing:
    """Many stories with long bullets, each titled by its number, in four themes."""
    sentence = "The committee heard evidence from officials about the budget. " * 6
    made = []
    for number in range(stories):
        article = Article(
            id=f"a{number}",
            title=f"Story number {number:03d}",
            date=dt.date(2024, 12, 3),
            source="Wire",
            url=f"https://example.org/{number}",
            text="",
            path=f"in/{number}.md",
        )
        bullets = tuple(Bullet(f"{sentence} ({number}.{i})", article.id) for i in range(3))
        made.append(Story(f"Story number {number:03d}", (article,), bullets, "Budget"))
    quarter = stories // 4
    sections = (
        Section("Budget", "Money matters.", tuple(made[:quarter])),
        Section("Taxes", "", tuple(made[quarter : 2 * quarter])),
        Section("Spending", "", tuple(made[2 * quarter : 3 * quarter])),
        Section("Debt", "", tuple(made[3 * quarter :])),
    )
    return Briefing(UNTIL, SINCE, UNTIL, sections, Coverage(read=stories, in_period=stories))


def test_a_long_briefing_says_exactly_what_it_carries_and_what_it_leaves_out() -> None:
    briefing = _big_briefing(160)
    body = email_body(briefing, full_copy="briefings/2024-12-05.md")
    shown = len(body.shown.stories)
    assert body.html_bytes == encoded_size(body.html) <= HTML_LIMIT
    assert 40 < shown < 80, "the test wants the cut inside the second theme"
    # As many as fit: one more story would not.
    one_more = email_body(top_stories(briefing, shown + 1), limit=10**9)
    assert one_more.html_bytes > HTML_LIMIT
    titles = re.findall(r"Story number (\d{3})</h3>", body.html)
    assert titles == [f"{n:03d}" for n in range(shown)], "whole stories, in order"
    markup = " ".join("".join(Markup(body.html).text).split())
    text = " ".join(body.text.split())
    for seen in (markup, text):
        assert f"This email carries the first {shown} of 160 stories, from 2 of 4 themes" in seen
        assert f"{160 - shown} more were left out" in seen
        assert "Themes left out: Spending (40 stories), Debt (40 stories)." in seen
        # The contents count what the email carries, against the theme's whole.
        assert "Budget (40 stories)" in seen
        assert f"Taxes ({shown - 40} of 40 stories)" in seen
        assert "The full briefing is in the file briefings/2024-12-05.md" in seen
    assert f"Story number {shown:03d}" not in body.text
    preheader = re.search(r'<div style="display:\s*none[^"]*">([^<]*)</div>', body.html)
    assert preheader is not None
    assert preheader.group(1).startswith(f"The first {shown} of 160 stories, from 2 of 4 themes")
    message = compose(masthead(briefing, body.shown), body.html, body.text, SENDER, to=[ANN])
    assert message["Subject"] == (
        f"Briefing 5 December 2024: top {shown} of 160 stories, 2 of 4 themes"
    )


def test_a_shortened_email_links_to_the_full_briefing_under_public_url() -> None:
    briefing = _big_briefing(160)
    public = "https://github.com/me/news/blob/main/briefings/"
    body = email_body(briefing, full_copy="briefings/2024-12-05.md", public_url=public)
    assert f'href="{public}2024-12-05.md"' in body.html
    assert f"<{public}2024-12-05.md>" in body.text
    assert "in the file" not in body.html


def test_a_short_briefing_is_carried_whole(samples_briefing: Briefing) -> None:
    body = email_body(samples_briefing, full_copy="2024-12-05.md")
    assert body.shown == samples_briefing
    for shown in (body.html, body.text):
        assert "This email carries" not in shown and "show in full" not in shown


# ---- sending: the good paths ------------------------------------------------------------------


def test_starttls_with_login_delivers_the_samples_briefing(
    samples_briefing: Briefing, certificates: Certificates, tmp_path: Path
) -> None:
    with smtp_server(certificates=certificates, starttls=True, login=LOGIN) as server:
        result = email_briefing(
            samples_briefing,
            mailing(server.port, "starttls", (ANN, BO), user=LOGIN[0], password=LOGIN[1]),
            tmp_path,
            full_copy="2024-12-05.md",
            context=certificates.client_context(),
            retry=FAST,
        )
    assert result.sent_to == (ANN, BO) and result.emls == ()
    assert server.auth_attempts == ["ann"], "one connection for all the messages"
    # One message per recipient: each sees only their own address.
    assert [arrived.rcpt_tos for arrived in server.recorder.received] == [(ANN,), (BO,)]
    for arrived, recipient in zip(server.recorder.received, (ANN, BO), strict=True):
        assert arrived.mail_from == "news@example.org"
        message = arrived.message()
        assert [a.addr_spec for a in message["To"].addresses] == [recipient]
        assert "Cc" not in message and "Bcc" not in message
        assert message["Subject"] == samples_subject(samples_briefing)
        assert message["List-Id"] == "Briefing <briefing.example.org>"
        assert str(message["From"]) == SENDER and message["Message-ID"].endswith("@example.org>")
        html, text = parts(message)
        for story in samples_briefing.stories:
            assert story.title in text
            assert story.title in "".join(Markup(html).text)
    # The size as sent: the quoted-printable body of the HTML part, as it arrived.
    raw = server.recorder.received[0].data
    html_part = raw[raw.index(b"Content-Type: text/html") :]
    body = html_part.split(b"\r\n\r\n", 1)[1].split(b"\r\n--", 1)[0]
    assert len(body) == result.html_bytes < HTML_LIMIT
    assert not list(tmp_path.iterdir()), "sending writes nothing"


def test_bcc_mode_sends_one_message_that_shows_no_recipient(
    samples_briefing: Briefing, tmp_path: Path
) -> None:
    with smtp_server() as server:
        result = email_briefing(
            samples_briefing, mailing(server.port, recipients=(ANN, BO), mode="bcc"), tmp_path
        )
    assert result.sent_to == (ANN, BO)
    [arrived] = server.recorder.received
    assert arrived.rcpt_tos == (ANN, BO)
    message = arrived.message()
    assert "Bcc" not in message and ANN.encode() not in arrived.data
    assert str(message["To"]) == "undisclosed-recipients:;"


# aiosmtpd warns of AUTH without STARTTLS, not counting TLS from the start as TLS.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_tls_from_the_start_delivers(
    samples_briefing: Briefing, certificates: Certificates, tmp_path: Path
) -> None:
    with smtp_server(certificates=certificates, implicit_tls=True, login=LOGIN) as server:
        result = email_briefing(
            samples_briefing,
            mailing(server.port, "ssl", user=LOGIN[0], password=LOGIN[1]),
            tmp_path,
            context=certificates.client_context(),
            retry=FAST,
        )
    assert result.sent_to == (ANN,) and len(server.recorder.received) == 1


def test_article_markup_reaches_the_email_as_text_never_as_markup(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "evil.md").write_text(
        "---\n"
        "title: \"Ministers meet <script>alert('t')</script> <img src=x onerror=alert('t')>\"\n"
        "date: 2024-12-03\n"
        "source: \"<b onmouseover=alert('s')>Evil Wire</b>\"\n"
        "url: \"javascript:alert('u')\"\n"
        "---\n"
        "Ministers met in Brussels on Tuesday to discuss weapons aid <script>alert('b')"
        "</script> for the coming winter months.\n\n"
        "The delegates agreed that <img src=x onerror=alert('b2')> ammunition deliveries "
        "must be increased before the end of the year.\n\n"
        "Officials said the talks would continue next week in Warsaw, where the ministers "
        "will review progress on the deliveries.\n",
        encoding="utf-8",
    )
    (inbox / "quote.md").write_text(
        "---\n"
        "title: Grid operator warns of a hard winter\n"
        "date: 2024-12-04\n"
        "source: Wire\n"
        "url: 'https://example.org/a?b=1&c=\"><script>alert(9)</script>'\n"
        "---\n"
        "The grid operator warned on Wednesday that the coming winter would be hard for "
        "households across the region.\n",
        encoding="utf-8",
    )
    options = MakeOptions(inputs=(inbox,), out=tmp_path / "out", since=SINCE, until=UNTIL)
    briefing = build(options)
    with smtp_server() as server:
        email_briefing(briefing, mailing(server.port), tmp_path / "out", retry=FAST)
    html, text = parts(server.recorder.received[0].message())
    markup = Markup(html)
    assert "script" not in markup.tags and "img" not in markup.tags and "b" not in markup.tags
    assert not [name for name, _ in markup.attrs if name.startswith("on")]
    assert markup.hrefs, "the http(s) link is kept"
    for href in markup.hrefs:
        assert href.startswith(("https://", "http://", "#")), href
        assert "<" not in href and '"' not in href
    shown = "".join(markup.text)
    assert "Ministers meet <script>alert('t')</script> <img src=x onerror=alert('t')>" in shown
    assert "<b onmouseover=alert('s')>Evil Wire</b>" in shown
    assert "javascript:" not in html
    assert "<script>alert('b')</script>" in shown
    assert "Ministers meet <script>alert('t')</script>" in text
    assert "javascript:" not in text


# ---- sending: retries, and never twice --------------------------------------------------------


def test_a_4xx_reply_is_retried_and_the_message_delivered_once(samples_briefing: Briefing) -> None:
    recorder = Recorder(data_replies=["451 4.3.0 Try again later"])
    with smtp_server(recorder) as server:
        sent = send(envelopes(samples_briefing, (ANN, BO)), settings(server.port), retry=FAST)
    assert sent == (BO, ANN), "bo's message went through at once, ann's on the retry"
    assert recorder.data_commands == 3
    assert [r.rcpt_tos for r in recorder.received] == [(BO,), (ANN,)]


def test_a_retry_after_partial_acceptance_goes_only_to_the_rest(
    samples_briefing: Briefing,
) -> None:
    # One message for both (Bcc mode): the server takes ann, puts bo off ("too many
    # recipients"), and delivers to ann; the retry goes to bo alone.
    recorder = Recorder(rcpt_replies={BO: ["452 4.5.3 Too many recipients"]})
    [envelope] = envelopes(samples_briefing, (ANN,))
    with smtp_server(recorder) as server:
        sent = send([Envelope(envelope.payload, (ANN, BO))], settings(server.port), retry=FAST)
    assert sent == (ANN, BO)
    assert [r.rcpt_tos for r in recorder.received] == [(ANN,), (BO,)]
    assert recorder.copies_for(ANN) == recorder.copies_for(BO) == 1


def test_a_lost_connection_resends_to_nobody_who_has_it(samples_briefing: Briefing) -> None:
    # ann's message is delivered, then the server drops the connection on bo's: the retry
    # carries bo's message only.
    recorder = Recorder(data_replies=["250 OK", "421 4.4.2 Closing connection"])
    with smtp_server(recorder) as server:
        sent = send(envelopes(samples_briefing, (ANN, BO)), settings(server.port), retry=FAST)
    assert sent == (ANN, BO)
    assert recorder.copies_for(ANN) == recorder.copies_for(BO) == 1


def test_silence_after_the_data_is_never_followed_by_a_resend(
    samples_briefing: Briefing,
) -> None:
    recorder = Recorder(data_replies=["silence"], silence=3.0)
    with smtp_server(recorder) as server, pytest.raises(SendError) as caught:
        send(envelopes(samples_briefing, (ANN,)), settings(server.port, timeout=0.5), retry=FAST)
    assert recorder.data_commands == 1 and recorder.copies_for(ANN) == 1
    assert "may have been delivered" in str(caught.value) and ANN in str(caught.value)


# ---- failures: one line each, what failed and what to check -----------------------------------


def _send_samples(
    briefing: Briefing,
    smtp: SmtpSettings,
    context: object = None,
    recipients: tuple[str, ...] = (ANN,),
) -> str:
    with pytest.raises(SendError) as caught:
        send(envelopes(briefing, recipients), smtp, retry=FAST, context=context)  # type: ignore[arg-type]
    line = str(caught.value)
    assert "\n" not in line
    assert caught.value.exit_code == 3
    return line


def test_connection_refused(samples_briefing: Briefing) -> None:
    port = closed_port()
    line = _send_samples(samples_briefing, settings(port))
    assert f"connection to {HOST}:{port} refused, after 3 attempts" in line
    assert "check smtp_host (BRIEFER_SMTP_HOST) and smtp_port (BRIEFER_SMTP_PORT)" in line


def test_timeout_with_a_server_that_never_answers(samples_briefing: Briefing) -> None:
    with silent_port() as port:
        line = _send_samples(samples_briefing, settings(port, timeout=0.3))
    # A connection that times out is not retried: it would only time out again.
    assert f"{HOST}:{port} did not answer within 0.3 s;" in line and "attempts" not in line
    assert "BRIEFER_SMTP_SECURITY" in line


def test_tls_failure_with_an_untrusted_certificate(
    samples_briefing: Briefing, certificates: Certificates
) -> None:
    with smtp_server(certificates=certificates, starttls=True) as server:
        # The system's authorities: they never signed the test certificate.
        line = _send_samples(samples_briefing, settings(server.port, "starttls"))
    assert f"TLS failure with {HOST}:{server.port}: its certificate is not trusted" in line
    assert "SSL_CERT_FILE" in line and "after" not in line, "not retried"
    assert server.recorder.data_commands == 0


def test_tls_failure_when_security_does_not_match_the_port(
    samples_briefing: Briefing, certificates: Certificates
) -> None:
    with smtp_server() as server:  # plain SMTP, but the client expects TLS from the start
        line = _send_samples(
            samples_briefing, settings(server.port, "ssl"), certificates.client_context()
        )
    assert f"{HOST}:{server.port} does not speak TLS from the start" in line
    assert "set smtp_security (BRIEFER_SMTP_SECURITY) to starttls" in line


def test_starttls_is_never_skipped(samples_briefing: Briefing) -> None:
    with smtp_server() as server:  # offers no STARTTLS
        line = _send_samples(samples_briefing, settings(server.port, "starttls"))
    assert "does not offer STARTTLS" in line and server.recorder.data_commands == 0


def test_bad_password_is_not_retried_nor_shown(
    samples_briefing: Briefing, certificates: Certificates, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "Tr0ub4dor&3-wrong"
    with smtp_server(certificates=certificates, starttls=True, login=LOGIN) as server:
        line = _send_samples(
            samples_briefing,
            settings(server.port, "starttls", user="ann", password=wrong),
            certificates.client_context(),
        )
    assert f"{HOST}:{server.port} refused the login for user 'ann' (535" in line
    assert "check smtp_user (BRIEFER_SMTP_USER) and BRIEFER_SMTP_PASSWORD" in line
    assert server.auth_attempts == ["ann"], "a failed login is not retried"
    assert wrong not in line and wrong not in caplog.text


def test_a_refused_recipient_is_named_and_the_others_still_served(
    samples_briefing: Briefing,
) -> None:
    nobody = "nobody@example.org"
    recorder = Recorder(rcpt_replies={nobody: ["550 5.1.1 No such user"]})
    with smtp_server(recorder) as server:
        line = _send_samples(samples_briefing, settings(server.port), recipients=(ANN, nobody))
    assert f"refused {nobody} (550 5.1.1 No such user)" in line
    assert "check the addresses" in line and f"(it did reach {ANN})" in line
    assert [r.rcpt_tos for r in recorder.received] == [(ANN,)]


def test_a_4xx_reply_that_persists_gives_up_after_the_retries(
    samples_briefing: Briefing,
) -> None:
    recorder = Recorder(data_replies=["421 4.3.2 System not accepting messages"] * 5)
    with smtp_server(recorder) as server:
        line = _send_samples(samples_briefing, settings(server.port))
    assert "421 4.3.2 System not accepting messages (a temporary failure), after 3" in line
    assert recorder.data_commands == 3 and not recorder.received


def test_a_5xx_reply_is_not_retried(samples_briefing: Briefing) -> None:
    recorder = Recorder(data_replies=["554 5.7.1 Message rejected as spam"])
    with smtp_server(recorder) as server:
        line = _send_samples(samples_briefing, settings(server.port))
    assert "rejected the message: 554 5.7.1 Message rejected as spam" in line
    assert recorder.data_commands == 1 and not recorder.received


def test_nothing_is_sent_without_a_host_or_a_sender(samples_briefing: Briefing) -> None:
    sending = envelopes(samples_briefing, (ANN,))
    with pytest.raises(OptionsError, match="BRIEFER_SMTP_HOST"):
        send(sending, SmtpSettings(sender=SENDER))
    with pytest.raises(OptionsError, match="BRIEFER_SMTP_FROM"):
        send(sending, SmtpSettings(host=HOST))


# ---- the command line -------------------------------------------------------------------------


@pytest.fixture
def smtp_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """A clean environment (no briefer.toml, no BRIEFER_* from the caller)."""
    import os

    for name in list(os.environ):
        if name.startswith("BRIEFER_") or name == "SSL_CERT_FILE":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFER_SMTP_FROM", SENDER)
    yield


def make(out: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(
        "make", "--since", SINCE.isoformat(), "--until", UNTIL.isoformat(),
        "--input", str(SAMPLES), "--out", str(out), "--format", "md,html,txt", *extra,
    )  # fmt: skip


BRIEFING_FILES = ["2024-12-05.html", "2024-12-05.md", "2024-12-05.txt"]


def briefing_files(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith("2024-12-05"))


@pytest.mark.usefixtures("smtp_env")
def test_make_email_over_starttls_and_login(
    monkeypatch: pytest.MonkeyPatch,
    certificates: Certificates,
    tmp_path: Path,
    samples_briefing: Briefing,
) -> None:
    with smtp_server(certificates=certificates, starttls=True, login=LOGIN) as server:
        monkeypatch.setenv("BRIEFER_SMTP_HOST", HOST)
        monkeypatch.setenv("BRIEFER_SMTP_PORT", str(server.port))
        monkeypatch.setenv("BRIEFER_SMTP_USER", LOGIN[0])
        monkeypatch.setenv("BRIEFER_SMTP_PASSWORD", LOGIN[1])
        monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))  # how a private CA is trusted
        code, out, err = make(tmp_path / "out", "--email", f"{ANN},{BO}")
    assert code == 0, err
    assert out.split() == [
        str(tmp_path / "out" / name)
        for name in ("2024-12-05.md", "2024-12-05.html", "2024-12-05.txt")
    ]
    assert f"emailed the briefing to {ANN}, {BO}" in err
    assert LOGIN[1] not in out + err
    assert [arrived.rcpt_tos for arrived in server.recorder.received] == [(ANN,), (BO,)]
    for arrived in server.recorder.received:
        assert arrived.message()["Subject"] == samples_subject(samples_briefing)


@pytest.mark.usefixtures("smtp_env")
def test_make_keeps_the_briefing_when_sending_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    recorder = Recorder(data_replies=["554 5.7.1 Message rejected as spam"])
    with smtp_server(recorder) as server:
        monkeypatch.setenv("BRIEFER_SMTP_HOST", HOST)
        monkeypatch.setenv("BRIEFER_SMTP_PORT", str(server.port))
        monkeypatch.setenv("BRIEFER_SMTP_SECURITY", "none")
        code, out, err = make(tmp_path / "out", "--email", ANN)
    assert code == 3
    assert len(out.split()) == 3, "the paths written are still reported"
    assert briefing_files(tmp_path / "out") == BRIEFING_FILES
    [line] = err.strip().splitlines()
    assert line.startswith("briefer: error: the briefing was not emailed: ")
    assert "554 5.7.1 Message rejected as spam" in line


@pytest.mark.usefixtures("smtp_env")
def test_make_keeps_the_briefing_when_the_certificate_is_untrusted(
    monkeypatch: pytest.MonkeyPatch, certificates: Certificates, tmp_path: Path
) -> None:
    with smtp_server(certificates=certificates, starttls=True) as server:
        monkeypatch.setenv("BRIEFER_SMTP_HOST", HOST)
        monkeypatch.setenv("BRIEFER_SMTP_PORT", str(server.port))
        code, _, err = make(tmp_path / "out", "--email", ANN)
    assert code == 3 and "its certificate is not trusted" in err
    assert briefing_files(tmp_path / "out") == BRIEFING_FILES


@pytest.mark.usefixtures("smtp_env")
def test_make_checks_the_settings_before_any_work(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, out, err = make(tmp_path / "out", "--email", ANN)  # no BRIEFER_SMTP_HOST
    assert code == 2 and out == "" and "BRIEFER_SMTP_HOST" in err and "--dry-run" in err
    assert not (tmp_path / "out").exists()
    code, _, err = make(tmp_path / "out", "--email", "ann@example.org,not-an-address")
    assert code == 2 and "not-an-address" in err
    code, _, err = make(tmp_path / "out", "--dry-run")
    assert code == 2 and "--email" in err
    # An address the headers cannot carry: one line before any work, not a traceback after.
    code, out, err = make(tmp_path / "out", "--email", "a..b@example.org", "--dry-run")
    assert (code, out) == (2, "") and len(err.strip().splitlines()) == 1
    assert "a..b@example.org" in err and not (tmp_path / "out").exists()
    monkeypatch.setenv("BRIEFER_SMTP_FROM", ".news@example.org")
    code, out, err = make(tmp_path / "out", "--email", ANN, "--dry-run")
    assert (code, out) == (2, "") and "BRIEFER_SMTP_FROM" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.usefixtures("smtp_env")
def test_make_dry_run_writes_the_message_beside_the_briefing(
    tmp_path: Path, samples_briefing: Briefing
) -> None:
    code, out, err = make(tmp_path / "out", "--email", ANN, "--dry-run")
    assert code == 0, err
    eml = tmp_path / "out" / "2024-12-05.eml"
    assert out.split()[-1] == str(eml)
    message = parse(eml.read_bytes())
    assert message["To"] == ANN and message["Subject"] == samples_subject(samples_briefing)
    html, text = parts(message)
    theme = samples_briefing.sections[0].theme
    assert theme in html and theme in text
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]


@pytest.mark.usefixtures("smtp_env")
def test_a_dry_run_writes_every_recipients_message_each_in_its_own_file(
    tmp_path: Path, samples_briefing: Briefing
) -> None:
    code, out, err = make(tmp_path / "out", "--email", f"{ANN},{BO}", "--dry-run")
    assert code == 0, err
    folder = tmp_path / "out"
    emls = [folder / f"2024-12-05.{ANN}.eml", folder / f"2024-12-05.{BO}.eml"]
    assert out.split()[-2:] == [str(path) for path in emls], "stdout lists every file"
    assert sorted(p.name for p in folder.iterdir() if p.suffix == ".eml") == [p.name for p in emls]
    messages = [parse(path.read_bytes()) for path in emls]
    assert [message["To"] for message in messages] == [ANN, BO]
    assert messages[0]["Message-ID"] != messages[1]["Message-ID"]
    for message in messages:
        assert message["Subject"] == samples_subject(samples_briefing) and "Bcc" not in message
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.usefixtures("smtp_env")
def test_a_dry_run_in_bcc_mode_writes_the_one_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BRIEFER_EMAIL_MODE", "bcc")
    code, out, err = make(tmp_path / "out", "--email", f"{ANN},{BO}", "--dry-run")
    assert code == 0, err
    eml = tmp_path / "out" / "2024-12-05.eml"
    assert out.split()[-1] == str(eml)
    assert [p.name for p in (tmp_path / "out").iterdir() if p.suffix == ".eml"] == [eml.name]
    assert parse(eml.read_bytes())["Bcc"] == f"{ANN}, {BO}"


def test_dry_run_file_names_stay_in_the_folder_and_apart(
    tmp_path: Path, samples_briefing: Briefing
) -> None:
    # Addresses may hold characters a file name cannot ("/"), two may come out the same once
    # those are replaced, and two may differ only in case, which some file systems ignore.
    recipients = ("x/y@example.org", "x_y@example.org", "Ann@example.org", "ann@example.org")
    dry_run = Mailing(recipients, SmtpSettings(sender=SENDER), EmailSettings(), dry_run=True)
    folder = tmp_path / "out"
    result = email_briefing(samples_briefing, dry_run, folder, when=WHEN)
    assert result.sent_to == () and len(result.emls) == len(recipients)
    assert all(path.parent == folder for path in result.emls)
    assert len({path.name.casefold() for path in result.emls}) == len(recipients)
    assert sorted(tmp_path.rglob("*.eml")) == sorted(result.emls), "nothing outside the folder"
    assert [parse(path.read_bytes())["To"] for path in result.emls] == list(recipients)


@pytest.mark.usefixtures("smtp_env")
def test_send_emails_a_briefing_made_earlier(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, samples_briefing: Briefing
) -> None:
    assert make(tmp_path / "out")[0] == 0
    with smtp_server() as server:
        monkeypatch.setenv("BRIEFER_SMTP_HOST", HOST)
        monkeypatch.setenv("BRIEFER_SMTP_PORT", str(server.port))
        monkeypatch.setenv("BRIEFER_SMTP_SECURITY", "none")
        code, out, err = run_cli("send", str(tmp_path / "out" / "2024-12-05.md"), "--to", BO)
    assert code == 0, err
    assert out == "" and f"emailed the briefing to {BO}" in err
    [arrived] = server.recorder.received
    message = arrived.message()
    assert message["Subject"] == samples_subject(samples_briefing)
    html, text = parts(message)
    assert text.replace("\r\n", "\n") == (tmp_path / "out" / "2024-12-05.txt").read_text(
        encoding="utf-8"
    )
    assert samples_briefing.stories[-1].title in "".join(Markup(html).text)


@pytest.mark.usefixtures("smtp_env")
def test_send_explains_what_to_run_when_the_html_or_text_is_missing(tmp_path: Path) -> None:
    code, _, _ = run_cli(
        "make", "--since", SINCE.isoformat(), "--until", UNTIL.isoformat(),
        "--input", str(SAMPLES), "--out", str(tmp_path / "out"), "--format", "md",
    )  # fmt: skip
    assert code == 0
    code, out, err = run_cli("send", str(tmp_path / "out" / "2024-12-05.md"), "--to", ANN)
    assert code == 2 and out == "", "no SMTP settings either, but the files are said first"
    [line] = err.strip().splitlines()
    assert "2024-12-05.html and 2024-12-05.txt are not beside it" in line
    assert "--format md,html,txt" in line
    code, _, err = run_cli("send", str(tmp_path / "notes.md"), "--to", ANN)
    assert code == 2 and "not a briefing file" in err


@pytest.mark.usefixtures("smtp_env")
def test_send_dry_run_writes_the_eml_beside_the_file(tmp_path: Path) -> None:
    assert make(tmp_path / "out")[0] == 0
    code, out, err = run_cli(
        "send", str(tmp_path / "out" / "2024-12-05.html"), "--to", ANN, "--dry-run"
    )
    assert code == 0, err
    assert out.strip() == str(tmp_path / "out" / "2024-12-05.eml")
    code, out, err = run_cli(
        "send", str(tmp_path / "out" / "2024-12-05.html"), "--to", f"{ANN},{BO}", "--dry-run"
    )
    assert code == 0, err
    assert out.split() == [str(tmp_path / "out" / f"2024-12-05.{who}.eml") for who in (ANN, BO)]


def test_send_refuses_an_html_file_over_the_limit(tmp_path: Path) -> None:
    html = "<html><body>" + "<p>word</p>" * 20_000 + "</body></html>"
    (tmp_path / "2024-12-05.html").write_text(html, encoding="utf-8")
    (tmp_path / "2024-12-05.txt").write_text("text", encoding="utf-8")
    dry_run = Mailing((ANN,), SmtpSettings(sender=SENDER), EmailSettings(), dry_run=True)
    with pytest.raises(DeliveryError, match=r"briefer make \.\.\. --email"):
        email_file(tmp_path / "2024-12-05.html", dry_run)
    assert not (tmp_path / "2024-12-05.eml").exists()


# ---- hostile servers and wrong settings -------------------------------------------------------


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_server_echoing_the_login_never_gets_the_password_printed(
    samples_briefing: Briefing, mechanism: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    password = "Tr0ub4dor&3-secret"
    with echoing_server(mechanism) as port:
        line = _send_samples(samples_briefing, settings(port, user="ann", password=password))
    assert "refused the login for user 'ann' (535" in line and "you sent: AUTH" in line
    assert "[password redacted]" in line
    encodings = {
        password,
        base64.b64encode(password.encode()).decode(),
        base64.b64encode(f"\0ann\0{password}".encode()).decode(),
    }
    for shown in (line, caplog.text):
        for secret in encodings:
            assert secret not in shown
        assert "\x1b" not in shown and "\x07" not in shown
    assert "\\x1b]0;pwned\\x07\\x1b[2J" in line, "control characters shown escaped"


def test_starttls_against_a_tls_port_fails_at_once_naming_the_setting(
    certificates: Certificates, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    environ = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFER_")}
    (tmp_path / "out").mkdir()
    for name in ("2024-12-05.html", "2024-12-05.txt"):
        (tmp_path / "out" / name).write_text("<p>Briefing</p>", encoding="utf-8")
    with smtp_server(certificates=certificates, implicit_tls=True) as server:
        environ.update(
            BRIEFER_SMTP_HOST=HOST,
            BRIEFER_SMTP_PORT=str(server.port),
            BRIEFER_SMTP_SECURITY="starttls",
            BRIEFER_SMTP_FROM=SENDER,
        )
        # The bound: the whole command, start to finish, within 5 s (it used to
        # take four tries of 30 s).
        done = subprocess.run(
            [sys.executable, "-c", "from briefer.cli import app; app()", "send",
             str(tmp_path / "out" / "2024-12-05.html"), "--to", ANN],
            cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=5, check=False,
        )  # fmt: skip
    assert done.returncode == 3, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert f"{HOST}:{server.port} expects TLS from the start" in line
    assert "set smtp_security (BRIEFER_SMTP_SECURITY) to ssl" in line
    assert "attempts" not in line and server.recorder.data_commands == 0


def test_a_shortened_email_arrives_whole_under_the_cap_and_names_what_it_leaves_out(
    tmp_path: Path,
) -> None:
    briefing = _big_briefing(160)
    with smtp_server() as server:
        result = email_briefing(
            briefing,
            mailing(server.port, mode="bcc", recipients=(ANN, BO)),
            tmp_path,
            full_copy="briefings/2024-12-05.md",
        )
    shown = result.shown
    assert result.total == 160 and 40 < shown < 80 and result.omitted == 160 - shown
    [arrived] = server.recorder.received
    message = arrived.message()
    assert message["Subject"] == (
        f"Briefing 5 December 2024: top {shown} of 160 stories, 2 of 4 themes"
    )
    # The HTML part as it travelled (quoted-printable), under the cap.
    raw = arrived.data
    html_part = raw[raw.index(b"Content-Type: text/html") :]
    sent = html_part.split(b"\r\n\r\n", 1)[1].split(b"\r\n--", 1)[0]
    assert len(sent) == result.html_bytes <= HTML_LIMIT
    html, text = parts(message)
    for seen in (" ".join("".join(Markup(html).text).split()), " ".join(text.split())):
        assert f"first {shown} of 160 stories, from 2 of 4 themes" in seen
        assert "Themes left out: Spending (40 stories), Debt (40 stories)." in seen
        assert f"Taxes ({shown - 40} of 40 stories)" in seen
