"""Email the briefing: one multipart/alternative message per recipient (or one with Bcc),
sent over SMTP. The deliver stage's email side.

- addresses: recipients and the sender, checked and made ASCII for plain SMTP
- body: the email's HTML and text, shortened to fit the size mail programs show whole
- message: subject, headers (List-Id, List-Unsubscribe), the parts and their size as sent
- smtp: sending, with retries that never send anyone a second copy
- replies: what a server said, with the password redacted, and failures as one line
- mailing: what the CLI calls (plan_mailing, email_briefing, email_file)

The SMTP settings come from briefer.config, which alone reads them (briefer.toml and the
SMTP environment variables), as one SmtpSettings record.
"""

from briefer.deliver.mail.addresses import parse_recipients
from briefer.deliver.mail.body import HTML_LIMIT, EmailBody, email_body, top_stories
from briefer.deliver.mail.mailing import (
    briefing_siblings,
    email_briefing,
    email_file,
    plan_mailing,
    recorded_masthead,
)
from briefer.deliver.mail.message import Masthead, compose, encoded_size, masthead, subject
from briefer.deliver.mail.smtp import Envelope, Retry, send

__all__ = [
    "HTML_LIMIT",
    "EmailBody",
    "Envelope",
    "Masthead",
    "Retry",
    "briefing_siblings",
    "compose",
    "email_body",
    "email_briefing",
    "email_file",
    "encoded_size",
    "masthead",
    "parse_recipients",
    "plan_mailing",
    "recorded_masthead",
    "send",
    "subject",
    "top_stories",
]
