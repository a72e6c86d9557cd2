"""From a path to text: reading within the size limit, and decoding to clean UTF-8 text."""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

from briefer.errors import InputError
from briefer.records import InputLimits
from briefer.safe_text import clean_text

FORMATS_HINT = "give .md, .markdown, .txt, .html, .htm, .json, .jsonl, .xml, .rss or .atom files"
_UTF8_BOM = codecs.BOM_UTF8
# Checked before UTF-16: a UTF-32-LE mark starts with the UTF-16-LE one.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def size_text(limit: int) -> str:
    # Exact: a configured limit of 7000 bytes reads as such, not as "6.83594 KB".
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024):,} MB"
    if limit >= 1024 and limit % 1024 == 0:
        return f"{limit // 1024:,} KB"
    return f"{limit:,} bytes"


def os_problem(error: OSError) -> str:
    if isinstance(error, PermissionError):
        return "cannot be read (permission denied); check its permissions"
    return f"cannot be read ({error.strerror or type(error).__name__}); check the file"


def read_bytes(path: Path, limits: InputLimits) -> bytes:
    """The file's bytes; InputError when it cannot be read or is over the size limit
    (checked while reading, so a file that grows or lies about its size is still bounded)."""
    where = str(path)
    try:
        # The descriptor read as it is: a buffered file object costs more to make than a
        # small file takes to read (10,000 files: ~0.05 s of CPU, issue 13).
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            data = _read_at_most(descriptor, limits.max_file_bytes + 1)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise InputError(where, os_problem(error)) from error
    if len(data) > limits.max_file_bytes:
        raise InputError(
            where,
            f"is larger than the limit of {size_text(limits.max_file_bytes)}",
            "split it, or raise the max_file_bytes setting (--max-file-bytes)",
        )
    return data


# A file is read in pieces of this size: read(n) sets aside n bytes before reading, and a
# configured limit may be far above any file (1 MB: a few hundred reads for a 10 MB file).
_PIECE = 1024 * 1024


def _read_at_most(descriptor: int, size: int) -> bytes:
    pieces: list[bytes] = []
    while size > 0:
        piece = os.read(descriptor, min(size, _PIECE))
        if not piece:
            break
        pieces.append(piece)
        size -= len(piece)
    return b"".join(pieces)


def decode(where: str, data: bytes, *, honour_declared: bool) -> str:
    """Clean UTF-8 text (byte-order marks are fine) with newlines normalized, or an
    InputError saying why not.

    Web pages and feeds may declare another encoding in their markup; that declaration
    is evidence, so it is honoured. Bare text has no such evidence, so it must be UTF-8.
    """
    if not data.strip():
        raise InputError(where, "file is empty", "give it the article's text or remove it")
    for mark, name in _WIDE_BOMS:
        if data.startswith(mark):
            raise InputError(where, f"is {name} text, not UTF-8", "re-save it as UTF-8")
    if b"\x00" in data:
        raise InputError(where, "is a binary file (it contains NUL bytes), not text", FORMATS_HINT)
    skipped = 0
    while data.startswith(_UTF8_BOM, skipped):  # an editor may add a second one
        skipped += len(_UTF8_BOM)
    try:
        text = data[skipped:].decode("utf-8")
    except UnicodeDecodeError as error:
        declared = declared_encoding(data) if honour_declared else None
        text_or_none = _decode_declared(data, declared) if declared else None
        if text_or_none is None:
            offset = skipped + error.start
            raise InputError(
                where,
                f"is not UTF-8 text (invalid byte 0x{data[offset]:02x} at offset {offset})",
                "re-save it as UTF-8",
            ) from error
        text = text_or_none
    text = clean_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise InputError(where, "file is empty", "give it the article's text or remove it")
    return text


_DECLARED_ENCODING = re.compile(
    rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})"""
    rb"""|<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""",
    re.IGNORECASE,
)


def declared_encoding(data: bytes) -> str | None:
    match = _DECLARED_ENCODING.search(data[:4096])
    if match is None:
        return None
    return (match.group(1) or match.group(2)).decode("ascii")


def _decode_declared(data: bytes, encoding: str) -> str | None:
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        return None
    if codec.name == "utf-8":
        return None  # it claims UTF-8 and is not: report the bad byte
    try:
        return data.decode(codec.name)
    except (UnicodeDecodeError, UnicodeError, ValueError, TypeError):
        # Some codecs (utf-7, idna, ...) raise their own errors on bad input.
        return None
