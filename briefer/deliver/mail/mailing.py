"""What the CLI calls: plan a mailing before any work, then email a Briefing just made
(`briefer make --email`) or a briefing made earlier (`briefer send FILE`).

Recipients are served one message each by default, so nobody sees another's address and
reply-all reaches only the sender; with `email_mode = "bcc"` one message goes to all of
them, addressed to "undisclosed-recipients". A dry run writes what would be sent instead
of sending it: the one message to `<date>.eml`, or, when each of several recipients gets a
message of their own, each to `<date>.<address>.eml`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import ssl
from email.message import EmailMessage
from pathlib import Path

from briefer.deliver.index import record_path
from briefer.deliver.mail.addresses import ascii_address, parse_recipients
from briefer.deliver.mail.body import HTML_LIMIT, email_body
from briefer.deliver.mail.message import (
    POLICY,
    Masthead,
    compose,
    encoded_size,
    inline_css,
    masthead,
    wire_bytes,
)
from briefer.deliver.mail.smtp import Envelope, Retry, check_settings, send
from briefer.errors import DeliveryError, OptionsError
from briefer.files import write_files
from briefer.records import Briefing, Config, EmailResult, Mailing

log = logging.getLogger(__name__)

_BRIEFING_FILE = re.compile(r"(\d{4}-\d{2}-\d{2})\.(md|html|txt)")
# What of an address may go into a file name as it is: the characters every file system takes.
# Anything else an address may hold ("/", "|", "*", ...) becomes "_".
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9@._+-]")
# A file name is at most 255 bytes on common file systems; the date, a counter and ".eml" fit
# in what is left.
_ADDRESS_CHARS = 200


def plan_mailing(
    flag: str | None, config: Config, dry_run: bool = False, flag_name: str = "--email"
) -> Mailing | None:
    """The recipients from the flag (else from briefer.toml's `email`) with the settings;
    None when there is no one to email. Bad addresses or settings raise OptionsError here,
    so `briefer make` stops before it reads a single article."""
    if flag is not None:
        recipients = parse_recipients(flag, flag_name)
    else:
        recipients = tuple(dict.fromkeys(ascii_address(a, "email") for a in config.email))
    if not recipients:
        if dry_run:
            raise OptionsError(
                f"--dry-run writes the email to a .eml file instead of sending it; give "
                f"{flag_name} with the recipients too"
            )
        return None
    check_settings(config.smtp, dry_run)
    return Mailing(recipients, config.smtp, config.email_settings, dry_run)


def eml_paths(folder: Path, date: dt.date, mailing: Mailing) -> tuple[Path, ...]:
    """Where a dry run writes each message: `<date>.eml` when there is one message (Bcc mode,
    or a single recipient), else `<date>.<address>.eml` for each recipient, in order. Names
    never leave the folder and never differ only in case (which some file systems ignore)."""
    stem = date.isoformat()
    if mailing.email.mode == "bcc" or len(mailing.recipients) == 1:
        return (folder / f"{stem}.eml",)
    paths: list[Path] = []
    taken: set[str] = set()
    for recipient in mailing.recipients:
        label = _UNSAFE_IN_NAME.sub("_", recipient)[:_ADDRESS_CHARS]
        name, count = f"{stem}.{label}.eml", 1
        while name.casefold() in taken:
            count += 1
            name = f"{stem}.{label}-{count}.eml"
        taken.add(name.casefold())
        paths.append(folder / name)
    return tuple(paths)


def _messages(
    head: Masthead, html: str, text: str, mailing: Mailing, when: dt.datetime | None
) -> list[tuple[EmailMessage, tuple[str, ...]]]:
    """Each message to send, with the recipients it goes to (in recipient order)."""
    sender, settings = mailing.smtp.sender, mailing.email
    if settings.mode == "bcc":
        message = compose(
            head, html, text, sender, bcc=mailing.recipients, settings=settings, when=when
        )
        return [(message, mailing.recipients)]
    return [
        (
            compose(head, html, text, sender, to=(recipient,), settings=settings, when=when),
            (recipient,),
        )
        for recipient in mailing.recipients
    ]


def _deliver(
    head: Masthead,
    html: str,
    text: str,
    mailing: Mailing,
    folder: Path,
    date: dt.date,
    retry: Retry | None,
    context: ssl.SSLContext | None,
    when: dt.datetime | None,
) -> tuple[tuple[str, ...], tuple[Path, ...]]:
    """Send every message (the recipients reached), or, for a dry run, write each to its
    own file, all or none (the files written)."""
    messages = _messages(head, html, text, mailing, when)
    if mailing.dry_run:
        paths = eml_paths(folder, date, mailing)
        files = [
            (path, message.as_bytes(policy=POLICY))
            for path, (message, _) in zip(paths, messages, strict=True)
        ]
        return (), tuple(write_files(files, f"check the folder {folder}"))
    envelopes = [Envelope(wire_bytes(message), to) for message, to in messages]
    return send(envelopes, mailing.smtp, retry=retry, context=context), ()


def email_briefing(
    briefing: Briefing,
    mailing: Mailing,
    out: Path,
    *,
    full_copy: str = "",
    templates: Path | None = None,
    explain: bool = False,
    retry: Retry | None = None,
    context: ssl.SSLContext | None = None,
    when: dt.datetime | None = None,
) -> EmailResult:
    """Email a Briefing just made (or, for a dry run, write its messages to `out`, see
    eml_paths). full_copy is the path of the briefing file a shortened email points to."""
    check_settings(mailing.smtp, mailing.dry_run)
    body = email_body(briefing, templates, explain, full_copy, mailing.email.public_url)
    head = masthead(briefing, body.shown)
    sent, emls = _deliver(
        head, body.html, body.text, mailing, out, briefing.date, retry, context, when
    )
    total = len(briefing.stories)
    return EmailResult(sent, emls, len(body.shown.stories), total, body.html_bytes)


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


def recorded_masthead(folder: Path, date: dt.date) -> Masthead:
    """The masthead of a briefing made earlier, from the record `briefer make` keeps in the
    output folder (briefer.deliver.index); without one, the subject carries no counts."""
    path = record_path(folder, date)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Masthead("Briefing", date, None, None)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        log.warning("%s: cannot read it (%s); the subject carries no counts", path, error)
        return Masthead("Briefing", date, None, None)

    def count(key: str) -> int | None:
        value = record.get(key) if isinstance(record, dict) else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def text(key: str) -> str:
        value = record.get(key) if isinstance(record, dict) else None
        return " ".join(value.split()) if isinstance(value, str) else ""

    return Masthead(
        text("title") or "Briefing", date, count("stories"), count("themes"), top=text("top")
    )


def email_file(
    path: Path,
    mailing: Mailing,
    *,
    retry: Retry | None = None,
    context: ssl.SSLContext | None = None,
    when: dt.datetime | None = None,
    limit: int = HTML_LIMIT,
) -> EmailResult:
    """Email a briefing made earlier by `briefer make`: FILE is any of its `<date>.md`,
    `.html` or `.txt`; the email is made from the `.html` and `.txt` beside it, as written
    (so it cannot be shortened: an HTML file over the limit is refused)."""
    date, html_path, text_path = briefing_siblings(path)
    check_settings(mailing.smtp, mailing.dry_run)
    try:
        html = html_path.read_text(encoding="utf-8")
        text = text_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise OptionsError(f"cannot read the briefing beside {path}: {error}") from error
    inlined = inline_css(html)
    size = encoded_size(inlined)
    if size > limit:
        raise DeliveryError(
            f"{html_path} is {size // 1000} KB as sent (CSS inlined, quoted-printable), over "
            f"the {limit // 1000} KB mail programs show without clipping; email it as you make "
            "it (`briefer make ... --email`), which carries as many whole stories as fit"
        )
    head = recorded_masthead(path.parent, date)
    sent, emls = _deliver(head, inlined, text, mailing, path.parent, date, retry, context, when)
    stories = head.stories or 0
    return EmailResult(sent, emls, stories, stories, size)
