"""What the article store (briefer.store) and its keys (briefer.cache) hash: the code's salt,
keys made of parts, the checksums rows carry, and the stamps that tell an unchanged input
file from an edited one."""

from __future__ import annotations

import hashlib
import os
import zlib
from dataclasses import astuple
from functools import lru_cache
from pathlib import Path

import briefer
from briefer.records import InputLimits


@lru_cache(maxsize=1)
def code_salt() -> str:
    """The version plus a hash of every module and data file of the package: any change to
    the code or data that produce cached results gives new keys."""
    digest = hashlib.blake2b(briefer.__version__.encode(), digest_size=16)
    package = Path(briefer.__file__).parent
    for path in sorted([*package.rglob("*.py"), *(package / "data").glob("*")]):
        if path.is_file():
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def hash_parts(*parts: str) -> str:
    """A short hash of the parts, each ended so no two lists of parts run together."""
    return parts_digest(*parts).hexdigest()


def parts_digest(*parts: str, start: hashlib.blake2b | None = None) -> hashlib.blake2b:
    """The blake2b state hash_parts reaches after the parts (fed on from a copy of start's,
    when given): keys that share their first parts (every article's summary key) copy the
    state of those once instead of hashing them again."""
    digest = hashlib.blake2b(digest_size=16) if start is None else start.copy()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest


def text_digest(title: str, text: str) -> str:
    """What decides an article's summary (with the summary options: cache.summary_key): its
    title and text, hashed. The article store keeps it with each file's articles, so a
    rerun does not hash their texts again (~0.045 s of CPU for the 10,000 of the 10k bench
    week, ~20 MB)."""
    return hash_parts(title, text)


_BLAKE_DIGITS = 32  # a 16-byte blake2b in hex: the checks of rows written before


def checksum(key: str, value: str) -> str:
    """What a row must carry: a check of its key and value, so a flipped byte or a row moved
    under another key is noticed: the CRC-32 of "row", key and value (8 hex digits), which is
    made for catching damaged bytes. It is worked out for every row read (10,000 file rows in
    a rerun: 48 -> 26 ms against the 128-bit blake2b rows carried before, which `sound`
    still checks)."""
    crc = zlib.crc32(f"row\x00{key}\x00".encode("utf-8", "surrogatepass"))
    crc = zlib.crc32(value.encode("utf-8", "surrogatepass"), crc)
    return format(zlib.crc32(b"\x00", crc), "08x")


def sound(key: str, value: str, check: str) -> bool:
    """Whether a row's value and key are what its check was made from (checksum's, or the
    blake2b of "row", key and value that rows written before carry: 32 hex digits)."""
    if len(check) == _BLAKE_DIGITS:
        joined = f"row\x00{key}\x00{value}\x00".encode("utf-8", "surrogatepass")
        return check == hashlib.blake2b(joined, digest_size=16).hexdigest()
    return check == checksum(key, value)


def input_tag(limits: InputLimits) -> str:
    """The input limits in a file's stamp: a file read within other limits (one a lowered
    limit would refuse, say) is read again. Empty for the defaults, so stores stay valid."""
    if limits == InputLimits():
        return ""
    return ":" + ",".join(str(value) for value in astuple(limits))


def file_stamp(path: Path) -> str | None:
    """What tells an unchanged input file from an edited one; None if it cannot be read."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    # ctime cannot be set back by tools that restore mtimes, so an edited file always differs.
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


def file_key(path: Path, cwd: str) -> str:
    """An input file's row in the files table (and its part of a run key)."""
    # The path as given is part of the key: it is what the articles' `path` field says. The
    # working folder tells apart two projects' `articles/a.md`.
    given = str(path)
    return f"{given}\x00{given}" if path.is_absolute() else f"{cwd}\x00{given}"


def blob_checksum(key: str, value: bytes) -> str:
    """checksum for a binary value (the rows table)."""
    digest = BlobDigest(key)
    digest.update(value)
    return digest.hexdigest()


class BlobDigest:
    """blob_checksum taken in parts: update it with the value, part by part, and its
    hexdigest() is blob_checksum(key, value). CRC-32, as checksum (12.7 MB of the 10k bench
    store's rows: 3 ms against blake2b's 12, twice a rerun)."""

    def __init__(self, key: str) -> None:
        self._crc = zlib.crc32(key.encode("utf-8", "surrogatepass") + b"\x00")

    def update(self, part: bytes | memoryview) -> None:
        self._crc = zlib.crc32(part, self._crc)

    def hexdigest(self) -> str:
        return format(self._crc, "08x")


def blob_sound(key: str, value: bytes, check: str) -> bool:
    """Whether a rows value is what its check was made from (blob_checksum's, or the blake2b
    that rows written before carry)."""
    if len(check) == _BLAKE_DIGITS:
        digest = hashlib.blake2b(digest_size=16)
        digest.update(key.encode("utf-8", "surrogatepass") + b"\x00")
        digest.update(value)
        return check == digest.hexdigest()
    return check == blob_checksum(key, value)
