"""Sending over SMTP: each recipient gets the briefing at most once.

Transient failures (a refused connection, a lost one, a 4xx reply) are retried with
exponential backoff, never 5xx replies, a failed login, a wrong security setting or a
connection that timed out (a wrong host or port would only time out again). A retry only
goes to the recipients the server has not yet accepted, and when the server goes silent
after receiving a message (so it may have been delivered) that message is not resent.

Before waiting for a server's greeting, the client checks that the port does not expect TLS
from the start (port 465 with security starttls, say): such a server never greets, and the
check fails at once with the setting to change instead of waiting out the timeout.

The password is never logged or printed: SmtpSettings hides it from repr, smtplib's debug
output (which would show the AUTH exchange) is never turned on, every server reply is
redacted (briefer.deliver.mail.replies), and it is never sent unencrypted to another machine.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import re
import select
import smtplib
import socket
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from briefer.config import setting_name
from briefer.deliver.mail.addresses import sender_parts
from briefer.deliver.mail.replies import (
    Failure,
    connection_failure,
    reply,
    reply_failure,
    where,
    wrong_security,
)
from briefer.errors import OptionsError, SendError
from briefer.records import SmtpSettings

log = logging.getLogger(__name__)

# In the order briefer prefers them; CRAM-MD5 only for servers that offer nothing else.
AUTH_MECHANISMS = ("PLAIN", "LOGIN", "CRAM-MD5")
# Seconds of silence after connecting before checking whether the port expects TLS from the
# start. SMTP servers greet at once (RFC 5321 4.3.1), so a second of silence is already
# unusual; a server that deliberately delays its greeting is only probed, never failed.
GREETING_GRACE = 1.0
# Seconds the probe may take; a probe that runs out of time decides nothing.
PROBE_TIMEOUT = 3.0


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
class Envelope:
    """One message as sent (its bytes) and the recipients it goes to."""

    payload: bytes
    recipients: tuple[str, ...]


@dataclass
class _Attempt:
    """What one connection achieved; each recipient moves from pending to one of the others,
    so none is ever sent the message twice."""

    delivered: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # permanently, with the reply
    retry: list[Envelope] = field(default_factory=list)  # transiently refused or never tried
    in_doubt: list[str] = field(default_factory=list)  # the server may have delivered
    failure: Failure | None = None

    def add(self, other: _Attempt) -> None:
        self.delivered += other.delivered
        self.refused.update(other.refused)
        self.retry += other.retry
        self.in_doubt += other.in_doubt
        self.failure = other.failure or self.failure


class _Problem(Exception):
    """A failure found while connecting that is not the network's (login, security)."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.what)
        self.failure = failure


def _loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def speaks_tls(host: str, port: int, timeout: float) -> bool:
    """True when the port completes (or answers) a TLS handshake: TLS from the start. The
    probe only looks at the handshake; it sends nothing else and checks no certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=host),
        ):
            return True
    except ssl.SSLError as error:
        # A TLS alert (no shared cipher, say) still means the port speaks TLS; a plain-text
        # answer to the handshake (a greeting, a 500) reads as a wrong version number.
        return str(error.reason).startswith(("TLSV1_ALERT", "SSLV3_ALERT", "TLSV13_ALERT"))
    except OSError:
        return False


class _Client(smtplib.SMTP):
    """smtplib's client that checks, when the greeting is slow to come, whether the port
    expects TLS from the start (and then fails at once)."""

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock: socket.socket = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        readable, _, _ = select.select([sock], [], [], min(GREETING_GRACE, timeout))
        if not readable and speaks_tls(host, port, min(PROBE_TIMEOUT, timeout)):
            sock.close()
            raise _WrongPort()
        return sock


class _WrongPort(OSError):
    pass


def _open(settings: SmtpSettings, context: ssl.SSLContext | None) -> smtplib.SMTP:
    """A connection, encrypted as settings.security says and logged in when a user is set.

    Raises _Problem for failures that are not about the network."""
    tls = context if context is not None else ssl.create_default_context()
    smtp: smtplib.SMTP
    try:
        if settings.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=tls
            )
        else:
            smtp = _Client(settings.host, settings.port, timeout=settings.timeout)
    except _WrongPort:
        raise _Problem(wrong_security(settings, speaks_tls=True)) from None
    try:
        smtp.ehlo_or_helo_if_needed()
        if settings.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise _Problem(
                    Failure(
                        f"{where(settings)} does not offer STARTTLS",
                        f"set {setting_name('smtp_security')} to ssl if it expects TLS from "
                        "the start (usually port 465); briefer never falls back to sending "
                        "unencrypted",
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


def _login(smtp: smtplib.SMTP, settings: SmtpSettings) -> None:
    place = where(settings)
    security = setting_name("smtp_security")
    if settings.security == "none" and not _loopback(settings.host):
        raise _Problem(
            Failure(
                f"not sending the SMTP password unencrypted to {place}",
                f"set {security} to starttls or ssl",
                transient=False,
            )
        )
    offered = smtp.esmtp_features.get("auth", "").upper().split()
    mechanism = next((m for m in AUTH_MECHANISMS if m in offered), None)
    if mechanism is None:
        shown = reply(0, " ".join(offered), settings).removeprefix("0 ")
        raise _Problem(
            Failure(
                f"{place} offers no login method briefer knows "
                f"({shown or 'none'}; briefer speaks {', '.join(AUTH_MECHANISMS)})",
                f"unset {setting_name('smtp_user')} if the server needs no login, or set "
                f"{security} to starttls or ssl (many servers offer AUTH only over TLS)",
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
            raise _Problem(
                reply_failure(error.smtp_code, error.smtp_error, f"{place} login", settings)
            ) from None
        raise _Problem(
            Failure(
                f"{place} refused the login for user {settings.user!r} "
                f"({reply(error.smtp_code, error.smtp_error, settings)})",
                f"check {setting_name('smtp_user')} and {setting_name('smtp_password')}",
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
    smtp: smtplib.SMTP, envelope: Envelope, sender: str, settings: SmtpSettings
) -> _Attempt:
    """MAIL, RCPT for each recipient, DATA: written out rather than left to smtplib.sendmail
    so that a silence after the data has gone is known for what it is."""
    place = where(settings)
    result = _Attempt()
    code, text = smtp.mail(sender)
    if code != 250:
        failure = reply_failure(code, text, f"{place} refused the sender {sender}:", settings)
        if not failure.transient:
            failure = dataclasses.replace(
                failure,
                check=f"check {setting_name('smtp_from')} is an address this account may send from",
            )
        result.failure = failure
        result.retry.append(envelope)
        return result
    accepted: list[str] = []
    later: list[str] = []
    for recipient in envelope.recipients:
        code, text = smtp.rcpt(recipient)
        if code in (250, 251):
            accepted.append(recipient)
        elif 400 <= code < 500:  # e.g. 452 too many recipients, 450 mailbox busy
            later.append(recipient)
            result.failure = reply_failure(
                code, text, f"{place} put off recipient {recipient}:", settings
            )
        else:
            result.refused[recipient] = reply(code, text, settings)
    if later:
        result.retry.append(Envelope(envelope.payload, tuple(later)))
    if not accepted:
        smtp.rset()
        return result
    code, text = smtp.docmd("DATA")
    if code != 354:
        # Nobody has the message: all of them stay to try (when the failure is transient)
        # or to report (when it is not).
        result.retry.append(Envelope(envelope.payload, tuple(accepted)))
        result.failure = reply_failure(code, text, f"{place} refused the message:", settings)
        return result
    smtp.send(_dot_stuffed(envelope.payload))
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
    failure = reply_failure(code, text, f"{place} rejected the message:", settings)
    if not failure.transient:
        failure = dataclasses.replace(
            failure, check="the server's reply says why (size, content or policy)"
        )
    result.retry.append(Envelope(envelope.payload, tuple(accepted)))
    result.failure = failure
    return result


def _attempt(
    envelopes: Sequence[Envelope],
    sender: str,
    settings: SmtpSettings,
    context: ssl.SSLContext | None,
) -> _Attempt:
    """One connection, one transaction per envelope."""
    try:
        smtp = _open(settings, context)
    except _Problem as problem:
        return _Attempt(retry=list(envelopes), failure=problem.failure)
    except (OSError, smtplib.SMTPException) as error:
        failure = connection_failure(error, settings, connecting=True)
        return _Attempt(retry=list(envelopes), failure=failure)
    result = _Attempt()
    try:
        for index, envelope in enumerate(envelopes):
            try:
                outcome = _transaction(smtp, envelope, sender, settings)
            except (OSError, smtplib.SMTPException) as error:
                # Lost before this message's data went out: nobody has it yet.
                result.retry += envelopes[index:]
                result.failure = connection_failure(error, settings, connecting=False)
                break
            result.add(outcome)
            if outcome.failure is not None and not outcome.failure.transient:
                # A refused sender or message: the others would be refused the same way.
                result.retry += envelopes[index + 1 :]
                break
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()  # the messages' fate is already known; a rude goodbye changes nothing
    return result


def check_settings(settings: SmtpSettings, dry_run: bool = False) -> None:
    """OptionsError, before any work is done, when the settings cannot send (or, for a dry
    run, cannot even fill in the From header)."""
    if not settings.sender:
        raise OptionsError(
            f"no sender address for the email; set {setting_name('smtp_from')}, e.g. "
            "'Briefings <news@example.org>'"
        )
    sender_parts(settings.sender)  # an address the From header cannot carry stops it here
    if dry_run:
        return
    if not settings.host:
        raise OptionsError(
            f"no SMTP server to send through; set {setting_name('smtp_host')} (and "
            f"smtp_port, smtp_security, smtp_user and {setting_name('smtp_password')} as "
            "your provider says), or add --dry-run to write the message to a .eml file instead"
        )
    if settings.password and not settings.user:
        raise OptionsError(
            f"{setting_name('smtp_password')} is set but {setting_name('smtp_user')} is not; "
            "set the login name"
        )


def send(
    envelopes: Sequence[Envelope],
    settings: SmtpSettings,
    *,
    retry: Retry | None = None,
    context: ssl.SSLContext | None = None,
) -> tuple[str, ...]:
    """Send each envelope's message to its recipients, each at most once; the recipients
    reached.

    Transient failures are retried as `retry` says (default: 4 attempts, waits of 2, 4 and
    8 s), each time only to the recipients the server has not accepted. Raises SendError
    with one line (what failed, what to check, who got it and who did not) unless every
    recipient got the message. `context` verifies the server's certificate (default: the
    system's trusted authorities, honouring SSL_CERT_FILE).
    """
    check_settings(settings)
    policy = retry if retry is not None else Retry()
    _, sender = sender_parts(settings.sender)
    pending = [envelope for envelope in envelopes if envelope.recipients]
    if not pending:
        raise OptionsError("no recipients for the email; give addresses like ann@example.org")
    total = _Attempt()
    failure: Failure | None = None
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
        outcome = _attempt(pending, sender, settings, context)
        if outcome.delivered:
            log.info(
                "%s accepted the briefing for %s", where(settings), ", ".join(outcome.delivered)
            )
        pending = outcome.retry
        failure = outcome.failure
        outcome.retry = []
        total.add(outcome)
        if failure is not None and not failure.transient:
            break
    waiting = [recipient for envelope in pending for recipient in envelope.recipients]
    if not (waiting or total.refused or total.in_doubt):
        return tuple(total.delivered)
    raise SendError(
        _summary(
            settings, failure, total.refused, total.in_doubt, waiting, total.delivered, attempts
        )
    )


def _summary(
    settings: SmtpSettings,
    failure: Failure | None,
    refused: Mapping[str, str],
    in_doubt: Sequence[str],
    pending: Sequence[str],
    delivered: Sequence[str],
    attempts: int,
) -> str:
    """One line: every problem (what, then what to check), then who did get the briefing."""
    place = where(settings)
    problems: list[str] = []
    if pending and failure is not None:
        tried = f", after {attempts} attempts" if failure.transient and attempts > 1 else ""
        problems.append(f"{failure.what}{tried}; {failure.check}")
    elif pending:
        problems.append(f"{place} did not accept {', '.join(pending)}; try again later")
    if refused:
        replies = "; ".join(sorted(set(refused.values())))
        problems.append(
            f"{place} refused {', '.join(refused)} ({replies}); check the addresses given to "
            "--email or --to"
        )
    if in_doubt:
        problems.append(
            f"{place} stopped answering after receiving the message for "
            f"{', '.join(in_doubt)}, so it may have been delivered; ask before sending it again "
            "(briefer does not resend, to avoid duplicates)"
        )
    line = "the briefing was not emailed: " + "; also ".join(problems)
    if delivered:
        line += f" (it did reach {', '.join(delivered)})"
    return line
