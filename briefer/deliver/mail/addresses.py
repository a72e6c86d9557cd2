"""E-mail addresses as the SMTP envelope and headers need them: checked, without repeats, and
ASCII (the message goes out as plain 7-bit SMTP, without SMTPUTF8)."""

from __future__ import annotations

import re
from email.errors import HeaderParseError
from email.headerregistry import Address

from briefer.config import setting_name
from briefer.config.values import parse_addresses
from briefer.errors import OptionsError


def parse_recipients(value: str, where: str = "--email") -> tuple[str, ...]:
    """`a@x.org,b@y.org` -> the addresses, in order, without repeats, ready for SMTP."""
    return tuple(
        dict.fromkeys(ascii_address(item, where) for item in parse_addresses(value, where))
    )


def ascii_address(address: str, where: str) -> str:
    """The address with its domain in lower-case IDNA form; a non-ASCII mailbox name, or an
    address the message's headers cannot carry, is refused."""
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
    # A domain is case-insensitive (RFC 5321 2.4), so ann@Example.org is ann@example.org and
    # gets one message; the mailbox name may not be, so it is kept as given.
    ready = f"{local}@{domain.lower()}"
    # The headers are built by the email package, which refuses what RFC 5322 does not allow
    # (a dot at either end of the mailbox name or two in a row, "\\" or ":" outside quotes):
    # checked here, so such an address stops the run before any work, not after it.
    try:
        Address(addr_spec=ready)
    except (ValueError, HeaderParseError) as error:
        raise OptionsError(
            f"{where}: {address!r} is not an e-mail address a mail server accepts ({error}); "
            "write it like ann@example.org"
        ) from None
    return ready


def sender_parts(sender: str) -> tuple[str, str]:
    """("Display Name", "address@ascii.domain") from "Name <address>" or a bare address."""
    where = setting_name("smtp_from")
    match = re.fullmatch(r"\s*(?:(.*?)\s*<([^<>]+)>|([^<>\s]+))\s*", sender)
    if match is None:
        raise OptionsError(
            f"{where} {sender!r} is not a sender address; write it like news@example.org or "
            "'Briefings <news@example.org>'"
        )
    name = (match.group(1) or "").strip().strip('"').strip()
    address = (match.group(2) or match.group(3) or "").strip()
    parse_addresses(address, where)
    return name, ascii_address(address, where)
