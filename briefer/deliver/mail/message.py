"""The email message: subject, headers and the two parts, and its size as sent.

The text/plain part is the txt template's output, the text/html part the html template's,
with its CSS inlined by css-inline (mail programs drop <style> blocks; the @media rules, for
phones and dark mode, are kept). Both parts are quoted-printable, and the HTML part's size is
measured as it travels, encoded, since that is what a mail program clips.
"""

from __future__ import annotations

import copy
import datetime as dt
import email.policy
import email.utils
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address, Group
from email.message import EmailMessage

import css_inline

from briefer.deliver.mail.addresses import ascii_address, sender_parts
from briefer.errors import OptionsError, RenderError
from briefer.rank import lead_story
from briefer.records import Briefing, EmailSettings
from briefer.render import long_date, plural

POLICY = email.policy.SMTP  # CRLF line ends, headers RFC 2047-encoded: plain 7-bit SMTP


@dataclass(frozen=True)
class Masthead:
    """What the subject line needs, from the Briefing (or, for `briefer send`, from the
    briefing's record in the output folder; counts None when there is none)."""

    title: str
    date: dt.date
    stories: int | None  # stories the email carries
    themes: int | None  # themes the email carries
    total_stories: int | None = None  # in the whole briefing, when the email is shortened
    total_themes: int | None = None
    top: str = ""  # the heaviest story's title (briefer.rank); "" when unknown


# A subject is cut near 60-70 characters by most mail programs: the top story gets what is
# left after the date and the counts.
_TOP_CHARS = 60


def top_title(briefing: Briefing) -> str:
    lead = lead_story(briefing)
    return " ".join(lead.title.split()) if lead is not None else ""


def masthead(briefing: Briefing, shown: Briefing | None = None) -> Masthead:
    """The masthead of `briefing`, or of the shortened `shown` cut from it."""

    def counts(which: Briefing) -> tuple[int, int]:
        sections = [section for section in which.sections if section.stories]
        return sum(len(section.stories) for section in sections), len(sections)

    stories, themes = counts(briefing)
    title = " ".join(briefing.title.split()) or "Briefing"
    head = Masthead(title, briefing.date, stories, themes, top=top_title(briefing))
    if shown is None or counts(shown)[0] == stories:
        return head
    carried, carried_themes = counts(shown)
    return Masthead(title, head.date, carried, carried_themes, stories, themes, top_title(shown))


def subject(head: Masthead) -> str:
    """`Briefing 3 December 2024: 4 stories in 2 themes`; shortened:
    `Briefing 3 December 2024: top 40 of 246 stories, 3 of 7 themes`."""
    start = f"{head.title} {long_date(head.date)}"
    if head.stories is None:
        return start
    if head.total_stories is not None:
        counts = (
            f"top {head.stories} of {plural(head.total_stories, 'story', 'stories')}, "
            f"{head.themes} of {plural(head.total_themes or 0, 'theme')}"
        )
    elif head.stories == 0:
        return f"{start}: no stories"
    else:
        counts = plural(head.stories, "story", "stories")
        if head.themes:
            counts += f" in {plural(head.themes, 'theme')}"
    if head.top:
        top = head.top if len(head.top) <= _TOP_CHARS else head.top[: _TOP_CHARS - 1] + "…"
        return f"{start}: {top} ({counts})"
    return f"{start}: {counts}"


_INLINER = css_inline.CSSInliner(
    keep_at_rules=True,  # @media rules cannot be inlined: kept for phones and dark mode
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


def _html_part(html: str) -> EmailMessage:
    part = EmailMessage(policy=POLICY)
    # Quoted-printable keeps the raw message (and the .eml of a dry run) readable.
    part.set_content(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return part


def encoded_size(html: str) -> int:
    """Bytes of the HTML part's body as it travels: quoted-printable, CRLF line ends."""
    raw = _html_part(html).as_bytes(policy=POLICY)
    return len(raw.partition(b"\r\n\r\n")[2])


def list_id(title: str, sender: str) -> str:
    """`Briefing <briefing.news.example.org>` (RFC 2919): the title as the list's name and,
    for filtering, its letters under the sender's domain."""
    label = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "briefing"
    return f"{title} <{label[:60].strip('-')}.{sender_parts(sender)[1].rpartition('@')[2]}>"


def compose(
    head: Masthead,
    html: str,
    text: str,
    sender: str,
    *,
    to: Sequence[str] = (),
    bcc: Sequence[str] = (),
    settings: EmailSettings | None = None,
    when: dt.datetime | None = None,
) -> EmailMessage:
    """The email: multipart/alternative with the text first and the HTML (CSS already
    inlined) last, as mail programs prefer; UTF-8 throughout. Addressed `to` the given
    recipients, or, with `bcc`, to nobody visible (the Bcc header is for the .eml of a dry
    run only: `wire_bytes` leaves it out of what is sent)."""
    settings = settings or EmailSettings()
    name, address = sender_parts(sender)
    shown = [ascii_address(recipient, "recipient") for recipient in to]
    hidden = [ascii_address(recipient, "recipient") for recipient in bcc]
    if not shown and not hidden:
        raise OptionsError("no recipients for the email; give addresses like ann@example.org")
    message = EmailMessage(policy=POLICY)
    message["Subject"] = subject(head)
    message["From"] = Address(display_name=name, addr_spec=address)
    if shown:
        message["To"] = tuple(Address(addr_spec=recipient) for recipient in shown)
    else:
        message["To"] = Group("undisclosed-recipients", ())
        message["Bcc"] = tuple(Address(addr_spec=recipient) for recipient in hidden)
    stamp = when if when is not None else dt.datetime.now(dt.UTC).astimezone()
    message["Date"] = email.utils.format_datetime(stamp)
    message["Message-ID"] = email.utils.make_msgid(domain=address.rpartition("@")[2])
    message["List-Id"] = list_id(head.title, sender)
    if settings.unsubscribe:
        message["List-Unsubscribe"] = f"<{settings.unsubscribe}>"
        if settings.unsubscribe.lower().startswith("https:"):
            # One-click unsubscribing (RFC 8058) is defined for an https address only.
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Asks vacation responders and the like not to answer a machine-made message (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


def wire_bytes(message: EmailMessage) -> bytes:
    """The message as sent: without its Bcc header, which would show every recipient."""
    if "Bcc" not in message:
        return message.as_bytes(policy=POLICY)
    sent = copy.deepcopy(message)
    del sent["Bcc"]
    return sent.as_bytes(policy=POLICY)
