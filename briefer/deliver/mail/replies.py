"""What an SMTP server said, made safe to print, and each kind of failure as one line saying
what failed and what to check.

A server's words are untrusted: a hostile or broken server can echo the login it was sent
(the password in clear, in base64, or inside the base64 of an AUTH PLAIN or LOGIN exchange)
or send terminal escape sequences. `server_text` redacts the password in every such form and
shows control characters escaped, and every reply reaches a message only through it.
"""

from __future__ import annotations

import base64
import binascii
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass

from briefer.config import setting_name
from briefer.records import SmtpSettings

REDACTED = "[password redacted]"
# A server's reply is cut to this many characters in a message: enough for any real reply
# (RFC 5321 caps a reply line at 512 octets), not enough to flood a terminal.
REPLY_CHARS = 300
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A run that could be base64 (RFC 4648, padded or not). Eight characters or more: shorter
# runs decode to at most 6 bytes, and a password shorter than that is matched in clear.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{8,}={0,2}")


@dataclass(frozen=True)
class Failure:
    what: str  # what failed, naming the server or the recipients
    check: str  # what to check or do next
    transient: bool  # worth trying again


def _decodings(run: str) -> list[bytes]:
    """The bytes a base64 run holds, read from each of the four places a base64 quantum
    can start (an echoed token may be cut or prefixed)."""
    found = []
    bare = run.rstrip("=")
    for skip in range(4):
        part = bare[skip:]
        part = part[: len(part) - len(part) % 4] if len(part) % 4 == 1 else part
        try:
            found.append(base64.b64decode(part + "=" * (-len(part) % 4), validate=True))
        except (binascii.Error, ValueError):
            continue
    return found


def redact(text: str, password: str) -> str:
    """text with the password removed, in clear and inside any base64 that holds it."""
    if not password:
        return text
    secret = password.encode("utf-8")

    def hide(match: re.Match[str]) -> str:
        run = match.group(0)
        return REDACTED if any(secret in data for data in _decodings(run)) else run

    text = text.replace(password, REDACTED)
    return _BASE64_RUN.sub(hide, text)


def server_text(text: bytes | str, settings: SmtpSettings) -> str:
    """What a server said, safe to print: one line, the password redacted, control
    characters shown escaped, at most REPLY_CHARS characters."""
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    words = redact(" ".join(words.split()), settings.password)
    words = _CONTROL.sub(lambda match: f"\\x{ord(match.group(0)):02x}", words)
    return words if len(words) <= REPLY_CHARS else words[: REPLY_CHARS - 3] + "..."


def reply(code: int, text: bytes | str, settings: SmtpSettings) -> str:
    return f"{code} {server_text(text, settings)}".strip()


def where(settings: SmtpSettings) -> str:
    return f"{settings.host}:{settings.port}"


def reply_failure(code: int, text: bytes | str, what: str, settings: SmtpSettings) -> Failure:
    said = reply(code, text, settings)
    if 400 <= code < 500:
        return Failure(
            f"{what} {said} (a temporary failure)",
            "try again later; the server's reply says why",
            transient=True,
        )
    return Failure(f"{what} {said}", "the server's reply says why", transient=False)


def wrong_security(settings: SmtpSettings, speaks_tls: bool) -> Failure:
    """The port speaks TLS from the start but security is starttls or none (speaks_tls), or
    the reverse."""
    name = setting_name("smtp_security")
    if speaks_tls:
        return Failure(
            f"{where(settings)} expects TLS from the start, but {name} is {settings.security!r}",
            f"set {name} to ssl (or {setting_name('smtp_port')} to the server's STARTTLS "
            "port, usually 587)",
            transient=False,
        )
    return Failure(
        f"{where(settings)} does not speak TLS from the start, but {name} is 'ssl'",
        f"set {name} to starttls (or {setting_name('smtp_port')} to the server's TLS port, "
        "usually 465)",
        transient=False,
    )


def connection_failure(error: Exception, settings: SmtpSettings, connecting: bool) -> Failure:
    """A failure to connect (connecting) or a lost connection, as one line saying what to
    check. A connection that times out is not worth retrying: the host or port is wrong, or
    a firewall drops the packets, and each try would wait the whole timeout again."""
    place = where(settings)
    hosts = f"{setting_name('smtp_host')} and {setting_name('smtp_port')}"
    security = setting_name("smtp_security")
    if isinstance(error, ssl.SSLCertVerificationError):
        reason = error.verify_message or error.reason or str(error)
        return Failure(
            f"TLS failure with {place}: its certificate is not trusted "
            f"({server_text(reason, settings)})",
            f"check that {setting_name('smtp_host')} is the name on the server's certificate; "
            "for a private certificate authority, point SSL_CERT_FILE at its certificate",
            transient=False,
        )
    if isinstance(error, ssl.SSLError):
        if error.reason == "WRONG_VERSION_NUMBER" and settings.security == "ssl":
            # The server answered the TLS greeting in plain text: a STARTTLS or plain port.
            return wrong_security(settings, speaks_tls=False)
        # OpenSSL's reason code (WRONG_VERSION_NUMBER) read as words: wrong version number.
        reason = error.reason.replace("_", " ").lower() if error.reason else str(error)
        return Failure(
            f"TLS failure with {place}: {server_text(reason, settings)}",
            f"check {security}: ssl for TLS from the start (usually port 465), starttls "
            "for an upgrade (usually port 587)",
            transient=False,
        )
    if isinstance(error, smtplib.SMTPServerDisconnected) and isinstance(
        error.__context__, TimeoutError
    ):
        # smtplib reports a reply that never came as a lost connection; it is a timeout.
        error = error.__context__
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return Failure(
            f"{place} closed the connection ({server_text(str(error), settings)})",
            f"check {security} matches the port (ssl on 465, starttls on 587) and try again later",
            transient=True,
        )
    if isinstance(error, smtplib.SMTPResponseException):  # e.g. 421 instead of a greeting
        return reply_failure(error.smtp_code, error.smtp_error, f"{place} answered", settings)
    if isinstance(error, ConnectionRefusedError):
        return Failure(
            f"connection to {place} refused",
            f"check {hosts}, and that the mail server is running",
            transient=True,
        )
    if isinstance(error, TimeoutError):
        return Failure(
            f"{place} did not answer within {settings.timeout:g} s",
            f"check {hosts}, the network, and {security} (ssl on 465, starttls on 587)",
            transient=not connecting,
        )
    if isinstance(error, socket.gaierror):
        return Failure(
            f"cannot find the mail server {settings.host!r} ({error.strerror or error})",
            f"check {setting_name('smtp_host')} and the network",
            transient=False,
        )
    if isinstance(error, OSError):
        return Failure(
            f"cannot reach {place}: {error.strerror or error}",
            f"check the network and {hosts}",
            transient=True,
        )
    return Failure(
        f"{place}: {server_text(str(error), settings)}",
        "the server's reply says why",
        transient=False,
    )
