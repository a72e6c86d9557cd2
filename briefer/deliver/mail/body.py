"""The email's two parts, within the size mail programs show whole.

Gmail clips a message whose HTML part passes about 102 KB as it travels (encoded), so the
HTML part is kept under HTML_LIMIT bytes measured the same way: quoted-printable, CRLF line
ends. A longer briefing is re-rendered with only its first stories, whole and in order; its
subject, preheader and contents then say exactly what it carries (40 of 246 stories, 3 of 7
themes, 5 of 40 under a theme), name the themes it leaves out with their counts, and point
to the full briefing: a link under `public_url` when that is set, else the file's path.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

from briefer.deliver.mail.message import encoded_size, inline_css
from briefer.errors import DeliveryError
from briefer.records import Briefing, Cut
from briefer.render import render
from briefer.render.view import in_body

log = logging.getLogger(__name__)

# Bytes of the encoded HTML part. Gmail clips past about 102 KB (102,400 bytes); the rest is
# headroom for what a relay may add.
HTML_LIMIT = 100_000


@dataclass(frozen=True)
class EmailBody:
    html: str  # CSS inlined
    text: str
    shown: Briefing  # the stories the email carries (the whole briefing when it fits)
    html_bytes: int  # the HTML part as sent


def top_stories(briefing: Briefing, count: int) -> Briefing:
    """The briefing with only its first `count` stories in reading order: the stories told
    in full, theme by theme, then those a ranked briefing lists under "Also reported"."""
    order = [story for story in briefing.stories if in_body(story)]
    order += [story for story in briefing.stories if not in_body(story)]
    kept = {id(story) for story in order[: max(count, 0)]}
    sections = tuple(
        dataclasses.replace(section, stories=tuple(s for s in section.stories if id(s) in kept))
        for section in briefing.sections
    )
    ranking = briefing.ranking
    if ranking is not None:
        # Top stories link to stories in the body: only to those the email carries.
        ranking = dataclasses.replace(
            ranking,
            top=tuple(story for story in ranking.top if id(story) in kept),
            also=sum(1 for story in order[: max(count, 0)] if not in_body(story)),
        )
    return dataclasses.replace(briefing, sections=sections, ranking=ranking)


def cut_of(briefing: Briefing, full_copy: str, public_url: str = "") -> Cut:
    """What the whole briefing holds, for a shortened email to name what it leaves out.
    full_copy is the path of the full briefing as written; under public_url its file name is
    joined to that address."""
    sections = [section for section in briefing.sections if section.stories]
    name = Path(full_copy).name
    return Cut(
        total_stories=sum(len(section.stories) for section in sections),
        total_themes=len(sections),
        # Per theme, the stories told in full (the contents count those).
        section_totals=tuple(
            (section.theme, sum(1 for story in section.stories if in_body(story)))
            for section in sections
        ),
        full_copy=full_copy,
        full_url=public_url + name if public_url and name else "",
    )


def email_body(
    briefing: Briefing,
    templates: Path | None = None,
    explain: bool = False,
    full_copy: str = "",
    public_url: str = "",
    limit: int = HTML_LIMIT,
) -> EmailBody:
    """The HTML (CSS inlined) and text of the email. When the whole briefing's encoded HTML
    passes `limit` bytes, the most stories that fit, whole and in order."""
    total = len(briefing.stories)
    cut = cut_of(briefing, full_copy, public_url)

    def html_for(count: int) -> tuple[str, int]:
        html = inline_css(render(top_stories(briefing, count), "html", templates, explain, cut))
        return html, encoded_size(html)

    html, size = html_for(total)
    shown = total
    if size > limit:
        # The largest count that fits; sizes grow with the count, so a binary search.
        low, high, best = 0, total - 1, None
        while low <= high:
            middle = (low + high) // 2
            candidate, candidate_size = html_for(middle)
            if candidate_size <= limit:
                best, low = (middle, candidate, candidate_size), middle + 1
            else:
                high = middle - 1
        if best is None:
            raise DeliveryError(
                f"the email's HTML is over {limit // 1000} KB even without any story (its "
                "coverage footer lists "
                f"{len(briefing.coverage.failed) + len(briefing.coverage.ignored)} files); "
                "move the files that are not articles out of the input folders"
            )
        shown, html, size = best
        log.info("the email carries %d of %d stories, to stay under %d bytes", shown, total, limit)
    carried = top_stories(briefing, shown)
    text = render(carried, "txt", templates, explain, cut)
    return EmailBody(html=html, text=text, shown=carried, html_bytes=size)
