"""Email the briefing: compose one multipart/alternative message and send it over SMTP.

The deliver stage's email side. `email_briefing` mails a Briefing just made (`briefer make
--email`); `email_file` mails one made before (`briefer send FILE`). Both build the message
with `compose` and either `send` it or, for a dry run, write it as `<date>.eml` beside the
briefing.

- The text/plain part is the txt template's output, the text/html part the html template's,
  with its CSS inlined by css-inline (mail programs drop <style> blocks, except @media rules,
  which are kept for phones).
- The HTML part stays under HTML_LIMIT bytes: Gmail clips a message whose HTML passes about
  102 KB. A longer briefing is re-rendered with only its first stories, whole and in order,
  and says how many were left out and which file holds the full briefing.
- Sending retries transient failures (no connection, a timeout, a 4xx reply) with exponential
  backoff, never 5xx replies or a failed login, and never sends the briefing twice to anyone:
  a retry only goes to the recipients the server has not yet accepted, and when the server
  goes silent after receiving the message (so it may have been delivered) nothing is resent.
- The SMTP password comes only from BRIEFER_SMTP_PASSWORD. It is never logged, printed or
  written: SmtpSettings hides it from repr, smtplib's debug output (which would show the
  AUTH exchange) is never turned on, and it is never sent over an unencrypted connection to
  another machine.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import email.policy
import email.utils
import ipaddress
import logging
import re
import smtplib
import socket
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import css_inline

from briefer.config import parse_addresses
from briefer.deliver import write_file
from briefer.errors import DeliveryError, OptionsError, RenderError, SendError
from briefer.records import Briefing
from briefer.render import long_date, plural, render

log = logging.getLogger(__name__)

# Bytes of (decoded) HTML. Gmail clips past about 102 KB; the rest is headroom.
HTML_LIMIT = 100_000

SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_TIMEOUT = 30.0

ENV_HOST = "BRIEFER_SMTP_HOST"
ENV_PORT = "BRIEFER_SMTP_PORT"
ENV_USER = "BRIEFER_SMTP_USER"
ENV_PASSWORD = "BRIEFER_SMTP_PASSWORD"
ENV_SECURITY = "BRIEFER_SMTP_SECURITY"
ENV_FROM = "BRIEFER_SMTP_FROM"
ENV_TIMEOUT = "BRIEFER_SMTP_TIMEOUT"

# The non-secret settings a caller (briefer.toml, through briefer.config) may pass as `base`
# to smtp_settings_from_env, by their briefer.toml key, and the environment variable that
# overrides each. There is deliberately no password key.
BASE_KEYS = {
    "smtp_host": ENV_HOST,
    "smtp_port": ENV_PORT,
    "smtp_user": ENV_USER,
    "smtp_security": ENV_SECURITY,
    "smtp_from": ENV_FROM,
    "smtp_timeout": ENV_TIMEOUT,
}

_POLICY = email.policy.SMTP  # CRLF line ends, headers RFC 2047-encoded: plain 7-bit SMTP
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# In the order briefer prefers them; CRAM-MD5 only for servers that offer nothing else.
_AUTH_MECHANISMS = ("PLAIN", "LOGIN", "CRAM-MD5")
_BRIEFING_FILE = re.compile(r"(\d{4}-\d{2}-\d{2})\.(md|html|txt)")


# ---- settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send. host may be "" for a dry run, which never connects."""

    host: str = ""
    port: int = DEFAULT_PORTS["starttls"]
    user: str = ""
    password: str = field(default="", repr=False)
    security: str = "starttls"
    sender: str = ""  # "Name <address>" or a bare address
    timeout: float = DEFAULT_TIMEOUT  # seconds, for the connection and each reply

    def __repr__(self) -> str:
        # Written by hand so the password cannot reach a log line or a traceback.
        hidden = "'***'" if self.password else "''"
        return (
            f"SmtpSettings(host={self.host!r}, port={self.port!r}, user={self.user!r}, "
            f"password={hidden}, security={self.security!r}, sender={self.sender!r}, "
            f"timeout={self.timeout!r})"
        )


def _one_line_setting(value: object, where: str) -> str:
    if not isinstance(value, str) or _CONTROL.search(value):
        raise OptionsError(f"{where} {value!r} must be one line of text; fix it")
    return value.strip()


def smtp_settings_from_env(
    environ: Mapping[str, str], base: Mapping[str, object] | None = None
) -> SmtpSettings:
    """SMTP settings from the BRIEFER_SMTP_* variables in environ, laid over `base`.

    `base` holds non-secret defaults by their briefer.toml key (BASE_KEYS: smtp_host,
    smtp_port, smtp_user, smtp_security, smtp_from, smtp_timeout); None values are skipped.
    An empty variable counts as unset. The password is read from BRIEFER_SMTP_PASSWORD only:
    a password in `base` is an error. Nothing here connects or requires a host; `send`
    checks that it has what it needs.
    """
    values: dict[str, tuple[object, str]] = {}  # key -> (value, where it came from)
    for key, value in (base or {}).items():
        if "pass" in key.lower() or "secret" in key.lower():
            raise OptionsError(
                f"{key} is not read from settings files; set the {ENV_PASSWORD} environment "
                "variable instead"
            )
        if key not in BASE_KEYS:
            raise OptionsError(f"{key!r} is not an SMTP setting; use one of {', '.join(BASE_KEYS)}")
        if value is not None:
            values[key] = (value, key)
    for key, variable in BASE_KEYS.items():
        raw = environ.get(variable, "")
        if raw.strip():
            values[key] = (raw, variable)

    def text(key: str) -> str:
        if key not in values:
            return ""
        value, where = values[key]
        return _one_line_setting(value, where)

    security = text("smtp_security").lower() or "starttls"
    if security not in SECURITY:
        where = values["smtp_security"][1]
        raise OptionsError(
            f"{where} {security!r} is not one of {', '.join(SECURITY)}; use starttls (usually "
            "port 587), ssl (usually 465) or none"
        )
    port = DEFAULT_PORTS[security]
    if "smtp_port" in values:
        raw_port, where = values["smtp_port"]
        port = _number(raw_port, where, int, "a port number from 1 to 65535")
        if not 1 <= port <= 65535:
            raise OptionsError(f"{where} {raw_port!r} is not a port number from 1 to 65535")
    timeout = DEFAULT_TIMEOUT
    if "smtp_timeout" in values:
        raw_timeout, where = values["smtp_timeout"]
        timeout = _number(raw_timeout, where, float, "a number of seconds above 0")
        if not timeout > 0:
            raise OptionsError(f"{where} {raw_timeout!r} is not a number of seconds above 0")
    sender = text("smtp_from")
    if sender:
        _sender_parts(sender, values["smtp_from"][1])  # checked now, not at send time
    password = environ.get(ENV_PASSWORD, "")
    if _CONTROL.search(password):
        raise OptionsError(f"{ENV_PASSWORD} holds a line break or control character; fix it")
    return SmtpSettings(
        host=text("smtp_host"),
        port=port,
        user=text("smtp_user"),
        password=password,
        security=security,
        sender=sender,
        timeout=timeout,
    )


def _number(value: object, where: str, kind: type[int] | type[float], expected: str) -> Any:
    if isinstance(value, bool):
        raise OptionsError(f"{where} {value!r} is not {expected}")
    if isinstance(value, int | float) and not (kind is int and isinstance(value, float)):
        return kind(value)
    try:
        return kind(str(value).strip())
    except ValueError:
        raise OptionsError(f"{where} {value!r} is not {expected}") from None


def check_settings(settings: SmtpSettings, dry_run: bool = False) -> None:
    """OptionsError, before any work is done, when the settings cannot send (or, for a dry
    run, cannot even fill in the From header)."""
    if not settings.sender:
        raise OptionsError(
            f"no sender address for the email; set {ENV_FROM} (e.g. 'Briefings "
            "<news@example.org>') or smtp_from in briefer.toml"
        )
    if dry_run:
        return
    if not settings.host:
        raise OptionsError(
            f"no SMTP server to send through; set {ENV_HOST} (and {ENV_PORT}, {ENV_SECURITY}, "
            f"{ENV_USER}, {ENV_PASSWORD} as your provider says), or add --dry-run to write the "
            "message to a .eml file instead"
        )
    if settings.password and not settings.user:
        raise OptionsError(f"{ENV_PASSWORD} is set but {ENV_USER} is not; set the login name")


# ---- addresses --------------------------------------------------------------------------------


def parse_recipients(value: str, where: str = "--email") -> tuple[str, ...]:
    """`a@x.org,b@y.org` -> the addresses, in order, without repeats, ready for SMTP."""
    return tuple(
        dict.fromkeys(_ascii_address(item, where) for item in parse_addresses(value, where))
    )


def _ascii_address(address: str, where: str) -> str:
    # The message goes out as plain 7-bit SMTP (no SMTPUTF8), so a non-ASCII domain is sent
    # in its IDNA form, and a non-ASCII mailbox name cannot be sent at all.
    local, _, domain = address.rpartition("@")
    if not local or not domain:
        raise OptionsError(f"{where}: {address!r} is not an e-mail address like ann@example.org")
    if not local.isascii():
        raise OptionsError(
            f"{where}: {address!r} has a non-ASCII mailbox name, which needs SMTPUTF8; "
            "briefer sends plain SMTP, so give an ASCII address"
        )
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise OptionsError(f"{where}: {address!r} has a domain that is not valid") from None
    return f"{local}@{domain}"


def _sender_parts(sender: str, where: str = ENV_FROM) -> tuple[str, str]:
    """("Display Name", "address@ascii.domain") from "Name <address>" or a bare address."""
    match = re.fullmatch(r"\s*(?:(.*?)\s*<([^<>]+)>|([^<>\s]+))\s*", sender)
    if match is None:
        raise OptionsError(
            f"{where} {sender!r} is not a sender address; write it like news@example.org or "
            "'Briefings <news@example.org>'"
        )
    name = (match.group(1) or "").strip().strip('"').strip()
    address = (match.group(2) or match.group(3) or "").strip()
    parse_addresses(address, where)
    return name, _ascii_address(address, where)


# ---- the message ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Masthead:
    """What the subject line needs: known for a Briefing in memory, read back from the
    html file's meta tags for one made earlier (counts None when they are not there)."""

    title: str
    date: dt.date
    stories: int | None
    themes: int | None
    top: str = ""  # the heaviest story's title (briefer.rank); "" when unknown


# A subject is cut near 60-70 characters by most mail programs: the top story gets what is
# left after the date and the counts.
_TOP_CHARS = 60


def masthead(briefing: Briefing) -> Masthead:
    sections = [section for section in briefing.sections if section.stories]
    ranking = briefing.ranking
    return Masthead(
        title=" ".join(briefing.title.split()) or "Briefing",
        date=briefing.date,
        stories=sum(len(section.stories) for section in sections),
        themes=len(sections),
        top=" ".join(ranking.top[0].title.split()) if ranking and ranking.top else "",
    )


def subject(head: Masthead) -> str:
    """`Briefing 3 December 2024: 4 stories in 2 themes`."""
    start = f"{head.title} {long_date(head.date)}"
    if head.stories is None:
        return start
    if head.stories == 0:
        return f"{start}: no stories"
    counts = plural(head.stories, "story", "stories")
    if head.themes:
        counts += f" in {plural(head.themes, 'theme')}"
    if head.top:
        top = head.top if len(head.top) <= _TOP_CHARS else head.top[: _TOP_CHARS - 1] + "…"
        return f"{start}: {top} ({counts})"
    return f"{start}: {counts}"


_INLINER = css_inline.CSSInliner(
    keep_at_rules=True,  # @media rules cannot be inlined: keep them for phones
    load_remote_stylesheets=False,  # never fetch anything while composing
    keep_link_tags=False,
)


def inline_css(html: str) -> str:
    """The HTML with every <style> rule moved into style attributes (what mail programs
    honour), except @media rules, which stay in a <style> block."""
    try:
        return _INLINER.inline(html)
    except css_inline.InlineError as error:
        raise RenderError(
            f"cannot inline the email's CSS: {error}; check the <style> blocks of the html template"
        ) from error


def compose(
    briefing: Briefing | Masthead,
    html: str,
    text: str,
    sender: str,
    recipients: Sequence[str],
    *,
    when: dt.datetime | None = None,
) -> EmailMessage:
    """The email: multipart/alternative with the text first and the HTML (CSS inlined)
    last, as mail programs prefer; Subject, From, To, Date, Message-ID; UTF-8 throughout."""
    head = briefing if isinstance(briefing, Masthead) else masthead(briefing)
    name, address = _sender_parts(sender)
    to = [_ascii_address(recipient, "recipient") for recipient in recipients]
    if not to:
        raise OptionsError("no recipients for the email; give addresses like ann@example.org")
    message = EmailMessage(policy=_POLICY)
    message["Subject"] = subject(head)
    message["From"] = Address(display_name=name, addr_spec=address)
    message["To"] = tuple(Address(addr_spec=recipient) for recipient in to)
    stamp = when if when is not None else dt.datetime.now(dt.UTC).astimezone()
    message["Date"] = email.utils.format_datetime(stamp)
    message["Message-ID"] = email.utils.make_msgid(domain=address.rpartition("@")[2])
    # Asks vacation responders and the like not to answer a machine-made message (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    # Quoted-printable keeps the raw message (and the .eml of a dry run) readable.
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(
        inline_css(html), subtype="html", charset="utf-8", cte="quoted-printable"
    )
    return message


# ---- the body, within the size limit ----------------------------------------------------------


def html_size(html: str) -> int:
    """Bytes of the HTML part as it travels (decoded, with SMTP's CRLF line ends): what a
    mail program measures before it clips."""
    # As the email package sends a text part: every line ended by CRLF, the last one too.
    return sum(len(line) + 2 for line in html.encode("utf-8").splitlines())


@dataclass(frozen=True)
class EmailBody:
    html: str  # CSS inlined
    text: str
    shown: int  # stories carried
    omitted: int  # stories left out to stay under the limit


def top_stories(briefing: Briefing, count: int) -> Briefing:
    """The briefing with only its first `count` stories, in reading order."""
    sections = []
    left = count
    for section in briefing.sections:
        kept = section.stories[: max(left, 0)]
        left -= len(kept)
        sections.append(dataclasses.replace(section, stories=kept))
    return dataclasses.replace(briefing, sections=tuple(sections))


def email_body(
    briefing: Briefing,
    templates: Path | None = None,
    explain: bool = False,
    full_copy: str = "",
    limit: int = HTML_LIMIT,
) -> EmailBody:
    """The HTML (CSS inlined) and text of the email. When the whole briefing's HTML passes
    `limit` bytes, the most stories that fit, whole and in order, re-rendered with a note of
    how many were left out and where the full briefing is (`full_copy`, a file name)."""
    total = len(briefing.stories)

    def html_for(count: int) -> str:
        extra = {"omitted": total - count, "full_copy": full_copy}
        return inline_css(render(top_stories(briefing, count), "html", templates, explain, extra))

    html = html_for(total)
    shown = total
    if html_size(html) > limit:
        # The largest count that fits; sizes grow with the count, so a binary search.
        low, high, best = 0, total - 1, None
        while low <= high:
            middle = (low + high) // 2
            candidate = html_for(middle)
            if html_size(candidate) <= limit:
                best, low = (middle, candidate), middle + 1
            else:
                high = middle - 1
        if best is None:
            raise DeliveryError(
                f"the email's HTML is over {limit // 1000} KB even without any story (its "
                "coverage footer lists "
                f"{len(briefing.coverage.failed) + len(briefing.coverage.ignored)} files); "
                "move the files that are not articles out of the input folders"
            )
        shown, html = best
        log.info("the email carries %d of %d stories, to stay under %d bytes", shown, total, limit)
    extra = {"omitted": total - shown, "full_copy": full_copy}
    text = render(top_stories(briefing, shown), "txt", templates, explain, extra)
    return EmailBody(html=html, text=text, shown=shown, omitted=total - shown)


# ---- sending ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retry:
    """How often to try, and how long to wait: delay, delay * factor, delay * factor², ..."""

    attempts: int = 4
    delay: float = 2.0
    factor: float = 2.0

    def wait(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return float(self.delay * self.factor ** (attempt - 1))


@dataclass(frozen=True)
class _Failure:
    what: str  # what failed, naming the server or the recipients
    check: str  # what to check or do next
    transient: bool  # worth trying again


@dataclass
class _Attempt:
    """What one connection achieved; the recipients move from `pending` to one of the
    others, so none is ever sent the message twice."""

    delivered: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # permanently, with the reply
    retry: list[str] = field(default_factory=list)  # transiently refused or never tried
    in_doubt: list[str] = field(default_factory=list)  # the server may have delivered
    failure: _Failure | None = None


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}".strip()


def _where(settings: SmtpSettings) -> str:
    return f"{settings.host}:{settings.port}"


def _loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _connection_failure(error: Exception, settings: SmtpSettings) -> _Failure:
    """A failure to connect, or a lost connection, as one line saying what to check."""
    where = _where(settings)
    hosts = f"{ENV_HOST} and {ENV_PORT}"
    if isinstance(error, ssl.SSLCertVerificationError):
        reason = error.verify_message or error.reason or str(error)
        return _Failure(
            f"TLS failure with {where}: its certificate is not trusted ({reason})",
            f"check that {ENV_HOST} is the name on the server's certificate; for a private "
            "certificate authority, point SSL_CERT_FILE at its certificate",
            transient=False,
        )
    if isinstance(error, ssl.SSLError):
        # OpenSSL's reason code (WRONG_VERSION_NUMBER) read as words: wrong version number.
        reason = error.reason.replace("_", " ").lower() if error.reason else str(error)
        return _Failure(
            f"TLS failure with {where}: {reason}",
            f"check {ENV_SECURITY}: ssl for TLS from the start (usually port 465), starttls "
            "for an upgrade (usually port 587)",
            transient=False,
        )
    if isinstance(error, smtplib.SMTPServerDisconnected) and isinstance(
        error.__context__, TimeoutError
    ):
        # smtplib reports a reply that never came as a lost connection; it is a timeout.
        error = error.__context__
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return _Failure(
            f"{where} closed the connection ({error})",
            f"check {ENV_SECURITY} matches the port (ssl on 465, starttls on 587) and try "
            "again later",
            transient=True,
        )
    if isinstance(error, smtplib.SMTPResponseException):  # e.g. 421 instead of a greeting
        return _reply_failure(error.smtp_code, error.smtp_error, f"{where} answered")
    if isinstance(error, ConnectionRefusedError):
        return _Failure(
            f"connection to {where} refused",
            f"check {hosts}, and that the mail server is running",
            transient=True,
        )
    if isinstance(error, TimeoutError):
        return _Failure(
            f"{where} did not answer within {settings.timeout:g} s",
            f"check {hosts}, and {ENV_SECURITY} (ssl on 465, starttls on 587)",
            transient=True,
        )
    if isinstance(error, socket.gaierror):
        return _Failure(
            f"cannot find the mail server {settings.host!r} ({error.strerror or error})",
            f"check {ENV_HOST} and the network",
            transient=False,
        )
    if isinstance(error, OSError):
        return _Failure(
            f"cannot reach {where}: {error.strerror or error}",
            f"check the network and {hosts}",
            transient=True,
        )
    return _Failure(f"{where}: {error}", "the server's reply says why", transient=False)


def _reply_failure(code: int, text: bytes | str, what: str) -> _Failure:
    reply = _reply(code, text)
    if 400 <= code < 500:
        return _Failure(
            f"{what} {reply} (a temporary failure)",
            "try again later; the server's reply says why",
            transient=True,
        )
    return _Failure(f"{what} {reply}", "the server's reply says why", transient=False)


def _open(settings: SmtpSettings, context: ssl.SSLContext | None) -> smtplib.SMTP:
    """A connection, encrypted as settings.security says and logged in when a user is set.

    Raises _LoginProblem for failures that are not about the network."""
    tls = context if context is not None else ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=tls)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        smtp.ehlo_or_helo_if_needed()
        if settings.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise _LoginProblem(
                    _Failure(
                        f"{_where(settings)} does not offer STARTTLS",
                        f"set {ENV_SECURITY}=ssl if it expects TLS from the start (usually "
                        "port 465); briefer never falls back to sending unencrypted",
                        transient=False,
                    )
                )
            smtp.starttls(context=tls)
            smtp.ehlo()
        if settings.user:
            _login(smtp, settings)
    except BaseException:
        smtp.close()
        raise
    return smtp


class _LoginProblem(Exception):
    def __init__(self, failure: _Failure) -> None:
        super().__init__(failure.what)
        self.failure = failure


def _login(smtp: smtplib.SMTP, settings: SmtpSettings) -> None:
    where = _where(settings)
    if settings.security == "none" and not _loopback(settings.host):
        raise _LoginProblem(
            _Failure(
                f"not sending the SMTP password unencrypted to {where}",
                f"set {ENV_SECURITY} to starttls or ssl",
                transient=False,
            )
        )
    offered = smtp.esmtp_features.get("auth", "").upper().split()
    mechanism = next((m for m in _AUTH_MECHANISMS if m in offered), None)
    if mechanism is None:
        raise _LoginProblem(
            _Failure(
                f"{where} offers no login method briefer knows "
                f"({', '.join(offered) or 'none'}; briefer speaks {', '.join(_AUTH_MECHANISMS)})",
                f"unset {ENV_USER} if the server needs no login, or use {ENV_SECURITY}=starttls "
                "or ssl (many servers offer AUTH only over TLS)",
                transient=False,
            )
        )
    # One mechanism, not smtplib.login's try-them-all: a wrong password then gives the
    # server's own answer, not whatever the last mechanism tried happened to say.
    smtp.user, smtp.password = settings.user, settings.password
    handler = getattr(smtp, "auth_" + mechanism.lower().replace("-", "_"))
    try:
        smtp.auth(mechanism, handler)
    except smtplib.SMTPAuthenticationError as error:
        if 400 <= error.smtp_code < 500:
            raise _LoginProblem(
                _reply_failure(error.smtp_code, error.smtp_error, f"{where} login")
            ) from None
        raise _LoginProblem(
            _Failure(
                f"{where} refused the login for user {settings.user!r} "
                f"({_reply(error.smtp_code, error.smtp_error)})",
                f"check {ENV_USER} and {ENV_PASSWORD}",
                transient=False,
            )
        ) from None


def _dot_stuffed(payload: bytes) -> bytes:
    # SMTP ends the data at a line holding a single "."; a line of the message starting with
    # "." is sent with one more (RFC 5321 4.5.2).
    body = re.sub(rb"(?m)^\.", b"..", payload)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


def _transaction(
    smtp: smtplib.SMTP, payload: bytes, sender: str, pending: list[str], settings: SmtpSettings
) -> _Attempt:
    """MAIL, RCPT for each pending recipient, DATA: written out rather than left to
    smtplib.sendmail so that a silence after the data has gone is known for what it is."""
    where = _where(settings)
    result = _Attempt()
    code, text = smtp.mail(sender)
    if code != 250:
        failure = _reply_failure(code, text, f"{where} refused the sender {sender}:")
        if not failure.transient:
            failure = dataclasses.replace(
                failure, check=f"check {ENV_FROM} is an address this account may send from"
            )
        result.failure = failure
        result.retry = list(pending)
        return result
    accepted: list[str] = []
    for recipient in pending:
        code, text = smtp.rcpt(recipient)
        if code in (250, 251):
            accepted.append(recipient)
        elif 400 <= code < 500:  # e.g. 452 too many recipients, 450 mailbox busy
            result.retry.append(recipient)
            result.failure = _reply_failure(code, text, f"{where} put off recipient {recipient}:")
        else:
            result.refused[recipient] = _reply(code, text)
    if not accepted:
        smtp.rset()
        return result
    code, text = smtp.docmd("DATA")
    if code != 354:
        # Nobody has the message: all of them stay to try (when the failure is transient)
        # or to report (when it is not).
        result.retry.extend(accepted)
        result.failure = _reply_failure(code, text, f"{where} refused the message:")
        return result
    smtp.send(_dot_stuffed(payload))
    try:
        code, text = smtp.getreply()
    except (smtplib.SMTPServerDisconnected, OSError):
        # The whole message went out: the server may well have delivered it. Sending it
        # again could deliver it twice, so these recipients are reported, never retried.
        result.in_doubt = accepted
        return result
    if code == 250:
        result.delivered = accepted
        return result
    failure = _reply_failure(code, text, f"{where} rejected the message:")
    if not failure.transient:
        failure = dataclasses.replace(
            failure, check="the server's reply says why (size, content or policy)"
        )
    result.retry.extend(accepted)
    result.failure = failure
    return result


def _attempt(
    payload: bytes,
    sender: str,
    pending: list[str],
    settings: SmtpSettings,
    context: ssl.SSLContext | None,
) -> _Attempt:
    try:
        smtp = _open(settings, context)
    except _LoginProblem as problem:
        return _Attempt(retry=list(pending), failure=problem.failure)
    except (OSError, smtplib.SMTPException) as error:
        return _Attempt(retry=list(pending), failure=_connection_failure(error, settings))
    try:
        try:
            return _transaction(smtp, payload, sender, pending, settings)
        except (OSError, smtplib.SMTPException) as error:
            # Lost before the data went out: nobody has the message yet, all may be retried.
            return _Attempt(retry=list(pending), failure=_connection_failure(error, settings))
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()  # the message's fate is already known; a rude goodbye changes nothing


def send(
    message: EmailMessage,
    settings: SmtpSettings,
    recipients: Sequence[str],
    *,
    retry: Retry | None = None,
    context: ssl.SSLContext | None = None,
) -> tuple[str, ...]:
    """Send the message to each recipient at most once; the recipients it reached.

    Transient failures are retried as `retry` says (default: 4 attempts, waits of 2, 4 and
    8 s), each time only to the recipients the server has not accepted. Raises SendError
    with one line (what failed, what to check, who got it and who did not) unless every
    recipient got the message. `context` verifies the server's certificate (default: the
    system's trusted authorities, honouring SSL_CERT_FILE).
    """
    check_settings(settings)
    policy = retry if retry is not None else Retry()
    _, sender = _sender_parts(settings.sender)
    pending = list(dict.fromkeys(_ascii_address(r, "recipient") for r in recipients))
    if not pending:
        raise OptionsError("no recipients for the email; give addresses like ann@example.org")
    payload = message.as_bytes(policy=_POLICY)
    delivered: list[str] = []
    refused: dict[str, str] = {}
    in_doubt: list[str] = []
    failure: _Failure | None = None
    attempts = 0
    while pending and attempts < max(policy.attempts, 1):
        if attempts:
            wait = policy.wait(attempts)
            log.warning(
                "sending failed (%s); trying again in %g s (attempt %d of %d)",
                failure.what if failure else "some recipients were put off",
                wait,
                attempts + 1,
                policy.attempts,
            )
            time.sleep(wait)
        attempts += 1
        outcome = _attempt(payload, sender, pending, settings, context)
        delivered += outcome.delivered
        refused.update(outcome.refused)
        in_doubt += outcome.in_doubt
        pending = outcome.retry
        if outcome.delivered:
            log.info("%s accepted the briefing for %s", _where(settings), ", ".join(delivered))
        failure = outcome.failure
        if failure is not None and not failure.transient:
            break
    if not (pending or refused or in_doubt):
        return tuple(delivered)
    raise SendError(_summary(settings, failure, refused, in_doubt, pending, delivered, attempts))


def _summary(
    settings: SmtpSettings,
    failure: _Failure | None,
    refused: Mapping[str, str],
    in_doubt: Sequence[str],
    pending: Sequence[str],
    delivered: Sequence[str],
    attempts: int,
) -> str:
    """One line: every problem (what, then what to check), then who did get the briefing."""
    where = _where(settings)
    problems: list[str] = []
    if pending and failure is not None:
        tried = f", after {attempts} attempts" if failure.transient and attempts > 1 else ""
        problems.append(f"{failure.what}{tried}; {failure.check}")
    elif pending:
        problems.append(f"{where} did not accept {', '.join(pending)}; try again later")
    if refused:
        replies = "; ".join(sorted(set(refused.values())))
        problems.append(
            f"{where} refused {', '.join(refused)} ({replies}); check the addresses given to "
            "--email or --to"
        )
    if in_doubt:
        problems.append(
            f"{where} stopped answering after receiving the message for "
            f"{', '.join(in_doubt)}, so it may have been delivered; ask before sending it again "
            "(briefer does not resend, to avoid duplicates)"
        )
    line = "the briefing was not emailed: " + "; also ".join(problems)
    if delivered:
        line += f" (it did reach {', '.join(delivered)})"
    return line


# ---- what the CLI calls -----------------------------------------------------------------------


@dataclass(frozen=True)
class EmailResult:
    sent_to: tuple[str, ...]  # empty for a dry run
    eml: Path | None  # the message file of a dry run
    shown: int | None  # stories carried; None when sent from files
    omitted: int  # stories left out for size
    html_bytes: int


def eml_path(folder: Path, date: dt.date) -> Path:
    return folder / f"{date.isoformat()}.eml"


def _deliver(
    message: EmailMessage,
    settings: SmtpSettings,
    recipients: Sequence[str],
    eml: Path,
    dry_run: bool,
    retry: Retry | None,
    context: ssl.SSLContext | None,
) -> tuple[tuple[str, ...], Path | None]:
    if dry_run:
        written = write_file(eml, message.as_bytes(policy=_POLICY))
        return (), written
    return send(message, settings, recipients, retry=retry, context=context), None


def email_briefing(
    briefing: Briefing,
    recipients: Sequence[str],
    settings: SmtpSettings,
    out: Path,
    *,
    full_copy: str = "",
    templates: Path | None = None,
    explain: bool = False,
    dry_run: bool = False,
    retry: Retry | None = None,
    context: ssl.SSLContext | None = None,
    when: dt.datetime | None = None,
) -> EmailResult:
    """Email a Briefing just made (or, for a dry run, write `<out>/<date>.eml`)."""
    check_settings(settings, dry_run)
    body = email_body(briefing, templates, explain, full_copy)
    message = compose(briefing, body.html, body.text, settings.sender, recipients, when=when)
    sent, eml = _deliver(
        message,
        settings,
        recipients,
        eml_path(out, briefing.date),
        dry_run,
        retry,
        context,
    )
    return EmailResult(sent, eml, body.shown, body.omitted, html_size(body.html))


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            found = dict(attrs)
            name, content = found.get("name"), found.get("content")
            if name and content is not None:
                self.meta.setdefault(name.lower(), content)


def masthead_from_html(html: str, date: dt.date) -> Masthead:
    """The masthead an html briefing was made with (its briefer-* meta tags), or what the
    file name tells when a user's template leaves the tags out."""
    parser = _Meta()
    parser.feed(html)
    meta = parser.meta

    def count(name: str) -> int | None:
        value = meta.get(name, "").strip()
        return int(value) if value.isdigit() else None

    with contextlib.suppress(ValueError):  # no tag, or not a date: the file name's date
        date = dt.date.fromisoformat(meta.get("briefer-date", "").strip())
    title = " ".join(meta.get("briefer-title", "").split()) or "Briefing"
    top = " ".join(meta.get("briefer-top", "").split())
    return Masthead(title, date, count("briefer-stories"), count("briefer-themes"), top)


def briefing_siblings(path: Path) -> tuple[dt.date, Path, Path]:
    """For FILE, any of a briefing's `<date>.md`, `.html` or `.txt`: its date and the `.html`
    and `.txt` beside it that the email is made from. OptionsError, saying what to run,
    when FILE is not a briefing or the two are not there."""
    match = _BRIEFING_FILE.fullmatch(path.name)
    if match is None:
        raise OptionsError(
            f"{path} is not a briefing file; give a <date>.md, .html or .txt written by "
            "briefer make"
        )
    try:
        date = dt.date.fromisoformat(match.group(1))
    except ValueError:
        raise OptionsError(f"{path}: {match.group(1)} is not a date") from None
    if not path.is_file():
        raise OptionsError(f"{path}: no such file; give a briefing written by briefer make")
    html_path = path.with_name(f"{match.group(1)}.html")
    text_path = path.with_name(f"{match.group(1)}.txt")
    missing = [p.name for p in (html_path, text_path) if not p.is_file()]
    if missing:
        raise OptionsError(
            f"cannot email {path}: {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not beside it, and the email is made "
            f"from both; write them with `briefer make --until {date.isoformat()} --format "
            "md,html,txt` (with the same --input and --since), or email as you make it with "
            "`briefer make ... --email`"
        )
    return date, html_path, text_path


def email_file(
    path: Path,
    recipients: Sequence[str],
    settings: SmtpSettings,
    *,
    dry_run: bool = False,
    retry: Retry | None = None,
    context: ssl.SSLContext | None = None,
    when: dt.datetime | None = None,
    limit: int = HTML_LIMIT,
) -> EmailResult:
    """Email a briefing made earlier by `briefer make`: FILE is any of its `<date>.md`,
    `.html` or `.txt`; the email is made from the `.html` and `.txt` beside it, as written
    (so it cannot be shortened: an HTML file over the limit is refused)."""
    date, html_path, text_path = briefing_siblings(path)
    check_settings(settings, dry_run)
    try:
        html = html_path.read_text(encoding="utf-8")
        text = text_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise OptionsError(f"cannot read the briefing beside {path}: {error}") from error
    inlined = inline_css(html)
    size = html_size(inlined)
    if size > limit:
        raise DeliveryError(
            f"{html_path} is {size // 1000} KB with its CSS inlined, over the "
            f"{limit // 1000} KB mail programs show without clipping; email it as you make "
            "it (`briefer make ... --email`), which carries as many whole stories as fit"
        )
    message = compose(
        masthead_from_html(html, date), inlined, text, settings.sender, recipients, when=when
    )
    sent, eml = _deliver(
        message, settings, recipients, eml_path(path.parent, date), dry_run, retry, context
    )
    return EmailResult(sent, eml, None, 0, size)


@dataclass(frozen=True)
class Mailing:
    """Who gets the briefing and how, settled (and checked) before any work is done."""

    recipients: tuple[str, ...]
    settings: SmtpSettings
    dry_run: bool


def plan_mailing(
    flag: str | None,
    configured: Sequence[str],
    environ: Mapping[str, str],
    base: Mapping[str, object] | None = None,
    dry_run: bool = False,
    flag_name: str = "--email",
) -> Mailing | None:
    """The recipients from the flag (else from briefer.toml's `email`) and the SMTP settings;
    None when there is no one to email. Bad addresses or settings raise OptionsError here,
    so `briefer make` stops before it reads a single article."""
    if flag is not None:
        recipients = parse_recipients(flag, flag_name)
    else:
        recipients = tuple(dict.fromkeys(_ascii_address(a, "email") for a in configured))
    if not recipients:
        if dry_run:
            raise OptionsError(
                f"--dry-run writes the email to a .eml file instead of sending it; give "
                f"{flag_name} with the recipients too"
            )
        return None
    settings = smtp_settings_from_env(environ, base)
    check_settings(settings, dry_run)
    return Mailing(recipients, settings, dry_run)
