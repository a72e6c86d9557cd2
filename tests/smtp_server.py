"""Real SMTP servers on 127.0.0.1 for the mail tests.

- `smtp_server`: aiosmtpd in a thread, optionally with STARTTLS or TLS from the start, and
  AUTH; its `Recorder` handler keeps every message it accepted and can be scripted to put off
  (4xx) or refuse (5xx) recipients and messages, or to go silent after receiving one.
- `silent_port`: a socket that accepts connections but never says a word (for timeouts).
- `closed_port`: a port nobody listens on (for refused connections).
- `echoing_server`: a hostile server that echoes the login it was sent, with escape codes.
- `make_certificates`: a throwaway certificate authority and a server certificate for
  127.0.0.1 and localhost, made with `cryptography`, or the openssl command without it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import datetime as dt
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Certificates:
    ca: Path  # what clients trust
    cert: Path  # the server's certificate, signed by ca
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca))


def make_certificates(folder: Path) -> Certificates:
    try:
        import cryptography  # noqa: F401
    except ImportError:
        return _openssl_certificates(folder)
    return _cryptography_certificates(folder)


def _cryptography_certificates(folder: Path) -> Certificates:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    valid = (now - dt.timedelta(days=1), now + dt.timedelta(days=2))
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "briefer test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = Certificates(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    paths.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


def _openssl_certificates(folder: Path) -> Certificates:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("neither the cryptography package nor the openssl command is available")
    cert, key = folder / "server.pem", folder / "server.key"
    # Self-signed: the server certificate is its own authority.
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", str(key), "-out",
         str(cert), "-addext", f"subjectAltName=DNS:localhost,IP:{HOST}"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return Certificates(cert, cert, key)


@dataclass(frozen=True)
class Received:
    """One message the server accepted, as it arrived."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Recorder:
    """aiosmtpd handler. `rcpt_replies[address]` and `data_replies` are scripts of replies,
    used up one per command ("250 ..." accepts); once a script is empty, all is accepted.
    A data reply of "silence" records the message and then says nothing for `silence` s."""

    rcpt_replies: dict[str, list[str]] = field(default_factory=dict)
    data_replies: list[str] = field(default_factory=list)
    silence: float = 2.0
    received: list[Received] = field(default_factory=list)
    data_commands: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        script = self.rcpt_replies.get(address)
        reply = script.pop(0) if script else "250 OK"
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return reply

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_commands += 1
        reply = self.data_replies.pop(0) if self.data_replies else "250 Message accepted"
        arrived = Received(envelope.mail_from, tuple(envelope.rcpt_tos), envelope.original_content)
        if reply == "silence":
            self.received.append(arrived)
            await asyncio.sleep(self.silence)
            return "250 Message accepted, too late"
        if reply.startswith("250"):
            self.received.append(arrived)
        return reply

    def copies_for(self, address: str) -> int:
        return sum(address in message.rcpt_tos for message in self.received)


class _Controller(Controller):  # type: ignore[misc]
    def _trigger_server(self) -> None:
        # Asked for port 0, the server took a free port: connect to that one.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class Server:
    port: int
    recorder: Recorder
    auth_attempts: list[str]


@contextlib.contextmanager
def smtp_server(
    recorder: Recorder | None = None,
    *,
    certificates: Certificates | None = None,
    starttls: bool = False,
    implicit_tls: bool = False,
    login: tuple[str, str] | None = None,
) -> Iterator[Server]:
    """A real SMTP server on 127.0.0.1 for the length of the with block."""
    handler = recorder if recorder is not None else Recorder()
    attempts: list[str] = []
    kwargs: dict[str, Any] = {"hostname": HOST, "port": 0, "server_hostname": "localhost"}
    if starttls or implicit_tls:
        assert certificates is not None
        tls = certificates.server_context()
        if implicit_tls:
            kwargs["ssl_context"] = tls
        else:
            kwargs["tls_context"] = tls
            kwargs["require_starttls"] = True
    if login is not None:

        def authenticator(
            server: Any, session: Any, envelope: Any, mechanism: str, data: Any
        ) -> AuthResult:
            assert isinstance(data, LoginPassword)
            attempts.append(data.login.decode())
            ok = (data.login.decode(), data.password.decode()) == login
            return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

        # aiosmtpd counts only STARTTLS as TLS for AUTH; with TLS from the start it is TLS too.
        kwargs.update(
            authenticator=authenticator, auth_required=True, auth_require_tls=not implicit_tls
        )
    controller = _Controller(handler, **kwargs)
    controller.start()
    try:
        yield Server(controller.port, handler, attempts)
    finally:
        controller.stop()


@contextlib.contextmanager
def silent_port() -> Iterator[int]:
    """A port whose connections are accepted (by the kernel) and never answered."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind((HOST, 0))
        listener.listen(8)
        yield listener.getsockname()[1]
    finally:
        listener.close()


def closed_port() -> int:
    """A port nobody listens on (free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
    return port


@contextlib.contextmanager
def echoing_server(mechanism: str) -> Iterator[int]:
    """A hostile SMTP server on 127.0.0.1 that offers AUTH `mechanism` (PLAIN or LOGIN) and
    refuses the login with a reply echoing everything the client sent, in base64 and decoded,
    with terminal escape sequences and a bell mixed in. Yields its port."""
    listener = socket.create_server((HOST, 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def refusal(heard: list[str]) -> bytes:
        decoded = []
        for line in heard:
            for token in line.split():
                with contextlib.suppress(ValueError, binascii.Error):
                    decoded.append(
                        base64.b64decode(token, validate=True).decode("utf-8", "replace")
                    )
        return (
            f"535-5.7.8 you sent: {' | '.join(heard)}\r\n"
            f"535 5.7.8 which says: {' | '.join(decoded)} \x1b]0;pwned\x07\x1b[2J\r\n"
        ).encode()

    def conversation(conn: socket.socket) -> None:
        conn.settimeout(5)
        reader = conn.makefile("rb")
        conn.sendall(b"220 hostile.example ESMTP\r\n")
        heard: list[str] = []
        for raw in reader:
            line = raw.decode("utf-8", "replace").strip()
            verb = line.split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                conn.sendall(f"250-hostile.example\r\n250 AUTH {mechanism}\r\n".encode())
            elif verb == "QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            elif verb == "AUTH" and mechanism == "LOGIN":
                heard.append(line)
                conn.sendall(b"334 UGFzc3dvcmQ6\r\n")  # "Password:"
            elif verb == "AUTH" or heard:
                heard.append(line)
                conn.sendall(refusal(heard))
                heard = []
            else:
                conn.sendall(b"250 OK\r\n")

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn, contextlib.suppress(OSError):
                conversation(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
