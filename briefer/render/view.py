"""The view of a Briefing that the templates render: everything worked out in Python (source
numbers, copies, topic labels, anchors, counts, what a shortened email leaves out), so the
templates only lay it out and escape it for their format, and never scan lists themselves.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from briefer.records import (
    OTHER_THEME,
    Briefing,
    Bullet,
    Coverage,
    Cut,
    Section,
    Skipped,
    Story,
)
from briefer.render.slugs import Slugger


def one_line(text: str) -> str:
    # A newline inside a title would end a Markdown heading or a list item early.
    return " ".join(str(text).split())


def fallback(text: str, default: str) -> str:
    """The text on one line, or the default when it is empty ("untitled", "unknown source")."""
    line = one_line(text)
    return line if line else default


# Ends a sentence: a full stop, "!", "?", an ellipsis or a colon, possibly inside closing
# quotes or brackets ("... said.”" or "(see below.)").
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")


def as_sentence(text: str) -> str:
    """The text as a sentence: a standfirst or heading-like line without a full stop gets
    one (in the rendering only; the JSON keeps the words verbatim)."""
    line = one_line(text)
    if not line or _SENTENCE_END.search(line):
        return line
    return line + "."


@dataclass(frozen=True)
class SourceView:
    number: int  # 1-based among the story's sources
    name: str  # the outlet, or "unknown source"
    url: str  # as given; templates pass it through safe_url
    date: object  # dt.date | None, formatted by the long_date filter
    first_seen: object  # dt.date | None: for an undated article, the day briefer first saw it
    title: str  # the article's own headline when it differs from the story's, else ""
    copy_of: int  # number of the source it copies; 0 when it is no copy


@dataclass(frozen=True)
class BulletView:
    record: Bullet  # for the ranking's macros
    text: str  # as a sentence
    source: int  # the source number to show after it; 0 for none (one source)


def in_body(story: Story) -> bool:
    """Told in full; a ranked briefing (briefer.rank) lists the others one line each under
    "Also reported"."""
    return story.standing is None or story.standing.in_body


@dataclass(frozen=True)
class StoryView:
    record: Story  # for the ranking's macros (templates/rank.*.j2)
    title: str
    label: str  # "Related: ..." or "Other stories" before it, under OTHER_THEME; else ""
    bullets: tuple[BulletView, ...]
    sources: tuple[SourceView, ...]
    several: bool  # more than one source: numbered
    why: tuple[str, ...]  # the terms that placed it under its theme
    also: tuple[str, ...]  # other themes it fits


@dataclass(frozen=True)
class SectionView:
    number: int  # 1-based, for the HTML anchors
    theme: str
    description: str
    anchor: str  # GitHub's anchor for the Markdown heading
    stories: tuple[StoryView, ...]
    total: int  # stories of this theme in the whole briefing


@dataclass(frozen=True)
class LeftOut:
    theme: str
    stories: int


@dataclass(frozen=True)
class BriefingView:
    title: str
    date: object  # dt.date
    period: str
    sections: tuple[SectionView, ...]  # the stories told in full, by theme
    stories: int  # stories shown
    first_title: str  # the first story's title, for the email's preheader; "" without stories
    theme_names: str  # the themes told in full, "Energy, Markets", for the preheader
    explain: bool
    coverage: Coverage
    # (label, number, the files it counts): the counts of articles, then of files (failed,
    # read with warnings, ignored) with the files
    coverage_counts: tuple[tuple[str, int, tuple[Skipped, ...]], ...]
    coverage_files: tuple[tuple[str, int, tuple[Skipped, ...]], ...]
    skipped: tuple[tuple[str, tuple[Skipped, ...]], ...]  # ("Files that failed", files), if any
    # Ranked: the themes with stories listed one line each under "Also reported" (records,
    # for the ranking's macros), the Markdown anchors of the story headings by their
    # Standing's anchor (for the links from Top stories), and the "Also reported" anchor.
    also_sections: tuple[Section, ...] = ()
    story_anchors: dict[str, str] = dataclasses.field(default_factory=dict)
    also_anchor: str = "also-reported"
    themes: int = 0  # themes with stories, told in full or under Also reported
    # Under the period, when most of its articles carry no date (undated_note)
    undated_note: str = ""
    # A shortened email: what it leaves out and where the whole briefing is.
    cut: bool = False
    total_stories: int = 0
    total_themes: int = 0
    omitted: int = 0
    left_out: tuple[LeftOut, ...] = ()
    full_copy: str = ""
    full_url: str = ""

    @property
    def coverage_rows(self) -> tuple[tuple[str, int, tuple[Skipped, ...]], ...]:
        return self.coverage_counts + self.coverage_files


def _topic_label(section: Section, index: int) -> str:
    if section.theme != OTHER_THEME:
        return ""
    topic = section.stories[index].topic
    before = section.stories[index - 1].topic if index > 0 else ""
    if topic == before:
        return ""
    return f"Related: {topic}" if topic else "Other stories"


def _story(section: Section, index: int) -> StoryView:
    story: Story = section.stories[index]
    title = fallback(story.title, "untitled")
    numbers = {article.id: number for number, article in enumerate(story.articles, start=1)}
    copies = dict(story.copies)
    several = len(story.articles) > 1
    sources = tuple(
        SourceView(
            number=number,
            name=fallback(article.source, "unknown source"),
            url=article.url,
            date=article.date,
            first_seen=article.first_seen,
            title=one_line(article.title) if one_line(article.title) not in ("", title) else "",
            copy_of=numbers.get(copies.get(article.id, ""), 0),
        )
        for number, article in enumerate(story.articles, start=1)
    )
    bullets = tuple(
        BulletView(
            bullet, as_sentence(bullet.text), numbers.get(bullet.article_id, 0) if several else 0
        )
        for bullet in story.bullets
    )
    return StoryView(
        record=story,
        title=title,
        label=_topic_label(section, index),
        bullets=bullets,
        sources=sources,
        several=several,
        why=tuple(one_line(term) for term in story.why),
        also=tuple(one_line(theme) for theme in story.secondary_themes),
    )


def undated_note(coverage: Coverage) -> str:
    """A line under the period when most of its articles carry no date (placed by the day
    briefer first saw them): the period then says when briefer read them, not when they were
    published, and the reader learns it at the top, not only in the footer. Most, not any: one
    undated feed entry among hundreds is the footer's to count."""
    placed, briefed = coverage.first_seen, coverage.in_period
    if not placed or placed * 2 <= briefed:
        return ""
    if briefed == 1:
        return (
            "The article in the period carries no date: it is placed by the day briefer first"
            " saw it."
        )
    which = f"All {briefed}" if placed == briefed else f"{placed} of the {briefed}"
    return (
        f"{which} articles in the period carry no date: each is placed by the day briefer first"
        " saw it."
    )


def build_view(
    briefing: Briefing, period: str, explain: bool = False, cut: Cut | None = None
) -> BriefingView:
    """The view of `briefing` (for an email, the stories it carries, with `cut` saying what
    the whole briefing holds)."""
    # Themes without stories are left out: an empty heading says nothing.
    with_stories = [section for section in briefing.sections if section.stories]
    sections = [
        section
        for section in (
            dataclasses.replace(s, stories=tuple(filter(in_body, s.stories))) for s in with_stories
        )
        if section.stories
    ]
    also = tuple(
        section
        for section in (
            dataclasses.replace(s, stories=tuple(t for t in s.stories if not in_body(t)))
            for s in with_stories
        )
        if section.stories
    )
    totals = dict(cut.section_totals) if cut else {}
    slugger = Slugger()
    ranking = briefing.ranking
    if ranking is not None and ranking.top:
        slugger.slug("Top stories")  # the Markdown's heading above the themes
    story_anchors: dict[str, str] = {}
    views: list[SectionView] = []
    for number, section in enumerate(sections, start=1):
        anchor = slugger.slug(one_line(section.theme))
        stories = tuple(_story(section, index) for index in range(len(section.stories)))
        for story in stories:
            # GitHub numbers repeated slugs across the page: story headings count too.
            slug = slugger.slug(story.title)
            if story.record.standing is not None:
                story_anchors[story.record.standing.anchor] = slug
        views.append(
            SectionView(
                number=number,
                theme=one_line(section.theme),
                description=one_line(section.description),
                anchor=anchor,
                stories=stories,
                total=totals.get(section.theme, len(section.stories)),
            )
        )
    coverage = briefing.coverage
    warned = coverage.warnings  # inputs used although they were read with warnings
    shown = len(briefing.stories)  # told in full or listed under Also reported
    first = fallback(sections[0].stories[0].title, "untitled") if sections else ""
    view = BriefingView(
        undated_note=undated_note(coverage),
        title=fallback(briefing.title, "Briefing"),
        date=briefing.date,
        period=period,
        sections=tuple(views),
        stories=shown,
        first_title=first,
        theme_names=", ".join(view.theme for view in views),
        explain=explain,
        coverage=coverage,
        coverage_counts=(
            ("Articles read", coverage.read, ()),
            ("In the period", coverage.in_period, ()),
            # Of those, and only when there are some, like "Read with warnings": most feeds
            # date every entry.
            *(
                (
                    (
                        "In the period, undated (placed by the day first seen)",
                        coverage.first_seen,
                        (),
                    ),
                )
                if coverage.first_seen
                else ()
            ),
            ("Before the period", coverage.before_period, ()),
            ("After the period", coverage.after_period, ()),
            # Left out undated by --undated skip; beside undated articles placed by the day
            # first seen (the default), only when some were skipped, or "left out: 0" would
            # stand above those left out for their first-seen day.
            *(
                (("Undated, left out", coverage.undated, ()),)
                if coverage.undated or not (coverage.first_seen or coverage.first_seen_outside)
                else ()
            ),
            *(
                (
                    (
                        "Undated, left out (first seen outside the period)",
                        coverage.first_seen_outside,
                        (),
                    ),
                )
                if coverage.first_seen_outside
                else ()
            ),
            ("Merged into other stories", coverage.merged, ()),
        ),
        coverage_files=(
            ("Files that failed", len(coverage.failed), coverage.failed),
            # Only when there are some: most briefings read every feed cleanly.
            *((("Read with warnings", len(warned), warned),) if warned else ()),
            ("Files ignored", len(coverage.ignored), coverage.ignored),
        ),
        also_sections=also,
        story_anchors=story_anchors,
        also_anchor=slugger.slug("Also reported"),
        themes=len(with_stories),
        skipped=tuple(
            (heading, files)
            for heading, files in (
                ("Files that failed", coverage.failed),
                ("Read with warnings", warned),
                ("Files ignored", coverage.ignored),
            )
            if files
        ),
    )
    if cut is None or cut.total_stories == shown:
        return view
    carried = {section.theme for section in sections}
    return dataclasses.replace(
        view,
        cut=True,
        total_stories=cut.total_stories,
        total_themes=cut.total_themes,
        omitted=cut.total_stories - shown,
        left_out=tuple(
            LeftOut(one_line(theme), count)
            for theme, count in cut.section_totals
            if theme not in carried and count
        ),
        full_copy=cut.full_copy,
        full_url=cut.full_url,
    )
