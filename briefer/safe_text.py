"""Text that is safe to print and safe to keep: one place for both rules.

- `shown(value)` is how a value from an input appears inside a message: shortened to a
  fixed length and with control and escape characters written as escapes, so a hostile
  file name, title or server reply cannot flood a terminal or drive it with ESC sequences.
- `clean_text` and `clean_line` are how text is kept at the door (ingest): control
  characters, byte-order marks and lone surrogates never reach a record.
"""

from __future__ import annotations

import re

# Long enough to recognise a title, a date or a URL in a message; short enough that a
# 100,000-digit value cannot turn one error line into a wall of text.
SHOWN_CHARS = 80

# C0 and C1 controls, DEL, and lone surrogates: nothing in an output should carry them.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# Characters that take no space: a title made only of them renders as an invisible heading.
# U+FEFF (byte-order mark / zero-width no-break space) is one of them, wherever it sits.
# Dropped everywhere: they carry no meaning in news text. The joiners U+200C and U+200D are
# kept inside text (Persian, Indic scripts and emoji need them), but a one-line field made
# only of them is empty.
_INVISIBLE = re.compile("[\u200b\u2060-\u2064\ufeff\u180e]")
_JOINERS = re.compile("[\u200c\u200d]")
# Kept in text: tab and newline carry layout. Everything else in C0/C1, and DEL, is dropped.
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
# Terminal escape sequences (ESC [ ... letter, ESC ] ... BEL or ESC \\): dropped whole, so no
# "[31m" is left behind when the ESC goes.
_ANSI_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]{0,200}(?:\x07|\x1b\\)?)")
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Any character clean_text changes (ESC, which starts an escape sequence, is a control).
_KEPT_OUT = re.compile(
    _TEXT_CONTROLS.pattern[:-1] + _SURROGATES.pattern[1:-1] + _INVISIBLE.pattern[1:]
)


def escape_controls(text: str) -> str:
    """text with each control character, DEL and lone surrogate written as an escape."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    if char == "\r":
        return "\\r"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    """text cut to at most limit characters, marked with an ellipsis and the full length."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """A value quoted for a message: shortened first (so nothing huge is ever formatted
    whole), then escaped. Strings are quoted; other values are shown by their type and
    their (shortened) text."""
    if isinstance(value, str):
        return "'" + escape_controls(shorten(value, limit)) + "'"
    if isinstance(value, int) and not isinstance(value, bool):
        # str() of a huge int is refused above 4,300 digits (and is slow below): count instead.
        digits = value.bit_length() * 0.30103
        if digits > limit:
            return f"an integer of about {int(digits):,} digits"
    if isinstance(value, (list, dict, tuple, set)):
        return f"a {type(value).__name__} of {len(value):,} items"
    try:
        text = str(value)
    except (ValueError, RecursionError, MemoryError):
        return f"a {type(value).__name__}"
    return escape_controls(shorten(text, limit))


def one_line(text: str, limit: int = 300) -> str:
    """A message from a library or a server as one bounded, printable line."""
    if "integer string conversion" in text:
        # Python's own advice (sys.set_int_max_str_digits) is no use to a reader.
        return "an integer of more than 4,300 digits"
    return escape_controls(shorten(" ".join(text[: limit * 4].split()), limit))


def clean_text(text: str) -> str:
    """Body text as kept: controls other than tab and newline dropped, byte-order marks and
    zero-width characters dropped, lone surrogates replaced by U+FFFD."""
    if _KEPT_OUT.search(text) is None:  # nearly every text: one scan instead of three
        return text
    text = _SURROGATES.sub("\ufffd", text)
    if "\x1b" in text:
        text = _ANSI_SEQUENCE.sub("", text)
    text = _TEXT_CONTROLS.sub("", text)
    return _INVISIBLE.sub("", text)


def clean_line(text: str) -> str:
    """A one-line field (title, source, URL): clean_text, bidirectional overrides dropped,
    every run of white space (newlines and tabs too) made one space, ends stripped. A value
    of only invisible characters becomes ""."""
    text = " ".join(_BIDI_CONTROLS.sub("", clean_text(text)).split())
    return text if _JOINERS.sub("", text).strip() else ""
