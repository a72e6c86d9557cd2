"""Rank: how much each story weighs, which ones lead, and what fits in the reading time.

group -> **rank** -> render. A story's weight is read from evidence in the input only:

    weight = (log2(1 + outlets) + REPORTS_WEIGHT * (1 - outlets / reports)
              + THEME_WEIGHT * themed) * 0.5 ** (age / period)

- outlets: independent outlets that reported it. A syndicated copy (the grouper's "copy of")
  adds neither an outlet nor a report; each further outlet adds less than the one before
  (the log): the second outlet confirms a story, the tenth mostly repeats it.
- reports: its reports that are not copies. An outlet's follow-ups say the story lasts, but
  they are not independent confirmation: however many there are, they add less than a second
  outlet does (REPORTS_WEIGHT < log2(3) - log2(2)).
- themed: the user named the subject in the themes file; worth as much as one doubling of
  its outlets.
- age: days from its newest report to the end of the period, with a half-life of the period
  itself: the oldest story of the period keeps half its weight. A story with no dated report
  is somewhere in the period, but nobody says where: it gets the recency averaged over the
  period's days (about 0.76 of a week), not the oldest day's.

Stories that report one developing event on several days are first joined into a storyline
(briefer.rank.storylines). The weights then order the Top stories, the themes (by the summed
weight of their stories) and the stories within each theme, and the length budget
(`--minutes`) fills the body heaviest first; the rest is listed one line each under
"Also reported". Ties break on outlets, then the newest report, then the title, then the
article id, so reruns give the same briefing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import logging
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefer.records import (
    OTHER_THEME,
    Article,
    Briefed,
    Briefing,
    Bullet,
    Ranking,
    Section,
    Standing,
    Story,
    Update,
    outlet_key,
)

if TYPE_CHECKING:
    from briefer.rank.storylines import Terms

log = logging.getLogger(__name__)

# An adult reads non-fiction silently at about 238 words a minute (Brysbaert 2019, a
# meta-analysis of 190 studies); the "about 230" rounds it down for dense news.
WORDS_PER_MINUTE = 230
DEFAULT_MINUTES = 10  # the issue: a minister is briefed in ten minutes
DEFAULT_TOP = 5  # the issue: the briefing opens with five Top stories
# Follow-ups by the same outlets add at most this: less than a second outlet adds (0.585).
REPORTS_WEIGHT = 0.5
THEME_WEIGHT = 1.0  # being in a user theme is worth one doubling of the outlets (see above)
HIGHLIGHTS = 2  # bullets a Top story shows: the "one or two most informative"
UNKNOWN_OUTLET = "unknown source"  # articles without a source count as one outlet together

# Words a rendered line adds beyond its text, counted so the estimated body is what a reader
# sees (checked against the Markdown by benchmarks/bench_rank.py busy): a source line's number
# and date ("2. ... 3 December 2024"), a bullet's marker and source number ("- ... [2]"), a
# story's heading mark, "Sources:" and its "Reported by N independent outlets" line.
_SOURCE_LINE_WORDS = 5
_BULLET_WORDS = 2
_STORY_FRAME_WORDS = 8


# A period's articles come from a few hundred sources, each asked for again and again (~17,500
# times a 10k run's rank): their lines worked out once (records.outlet_key likewise).
@functools.lru_cache(maxsize=4096)
def outlet_name(source: str) -> str:
    return " ".join(source.split()) or UNKNOWN_OUTLET


def reports(story: Story) -> tuple[Article, ...]:
    """The story's reports that are not copies of another (syndication counts once)."""
    copied = {copy for copy, _ in story.copies}
    return tuple(article for article in story.articles if article.id not in copied)


def independent_outlets(story: Story) -> tuple[str, ...]:
    """The outlets of its original reports, in the order they first reported it."""
    seen: dict[str, str] = {}
    for article in reports(story):
        seen.setdefault(outlet_key(article.source), outlet_name(article.source))
    return tuple(seen.values())


def latest_date(story: Story) -> dt.date | None:
    dates = [article.date for article in story.articles if article.date is not None]
    return max(dates) if dates else None


def period_days(since: dt.date | None, until: dt.date, earliest: dt.date | None) -> int:
    """Days in the period (both ends included); without --since, from the earliest report."""
    start = since if since is not None else earliest
    if start is None or start > until:
        return 1
    return (until - start).days + 1


@functools.lru_cache(maxsize=64)
def undated_recency(days: int) -> float:
    """The recency of a story none of whose reports is dated: the mean of the recencies of the
    period's days (ages 0 .. days - 1), as if its newest report were equally likely on any.
    What is known is that it was read in the period (first seen in it), not when it appeared:
    counting it as the oldest day ranked every undated story below every dated one of equal
    evidence, which in a mixed folder pushes the undated half of the news to the bottom."""
    return math.fsum(0.5 ** (age / days) for age in range(days)) / days


@dataclass(frozen=True)
class Evidence:
    """What a story's weight is made of (rank's own working, shown by --explain)."""

    outlets: tuple[str, ...]
    reports: int
    latest: dt.date | None
    recency: float
    themed: bool
    weight: float


def evidence(story: Story, until: dt.date, days: int) -> Evidence:
    """The weight of a story (see the module's docstring) and what it is made of."""
    outlets = independent_outlets(story)
    count = max(1, len(outlets))
    reported = max(count, len(reports(story)))
    themed = story.theme != OTHER_THEME
    strength = (
        math.log2(1 + count)
        + REPORTS_WEIGHT * (1 - count / reported)
        + (THEME_WEIGHT if themed else 0.0)
    )
    latest = latest_date(story)
    if latest is not None:
        recency = 0.5 ** (min(max((until - latest).days, 0), days) / days)
    else:
        recency = undated_recency(days)
    # Rounded so that equal evidence gives equal weights whatever the float arithmetic's
    # order, and the tie breaks decide.
    weight = round(strength * recency, 6)
    return Evidence(outlets, reported, latest, round(recency, 6), themed, weight)


def order_key(story: Story, found: Evidence) -> tuple[float, int, int, str, str]:
    """Heaviest first; then more outlets, the newer, the title, the first report's id."""
    newest = found.latest.toordinal() if found.latest is not None else 0
    first = story.articles[0].id if story.articles else ""
    return (-found.weight, -len(found.outlets), -newest, story.title.casefold(), first)


def shows_top(stories: int, listed: int) -> bool:
    """Whether the Top stories list opens the briefing: only when the briefing has more
    stories than the list holds (else it repeats every story just above the story itself)."""
    return 0 < listed < stories


def lead_story(briefing: Briefing) -> Story | None:
    """The heaviest story (rank 1), Top stories list or not: what a subject line names."""
    return next((s for s in briefing.stories if s.standing and s.standing.rank == 1), None)


def highlights(
    bullets: Sequence[Bullet], title: str, count: int = HIGHLIGHTS
) -> tuple[Bullet, ...]:
    """The story's most informative bullets: first the one that says most of what its title
    says (the headline's claim, so a title is never shown over bullets on another matter),
    then those sharing the most content terms with its title and its other bullets (what the
    reports agree the story is about), in their order. A bullet that leans on the one before
    it (a pronoun, a connective, "The agency" named just before: the story's bullets put it
    right after its lead) is picked only together with that bullet, never shown alone."""
    if len(bullets) <= count:
        return tuple(bullets)
    # the stemmer: not needed to read a record
    from briefer.summarize.bullets import leans_on_previous
    from briefer.words import content_terms

    terms = [set(content_terms(bullet.text)) for bullet in bullets]
    heading = set(content_terms(title))
    scores = []
    for index, mine in enumerate(terms):
        others = heading.union(*(t for k, t in enumerate(terms) if k != index))
        scores.append((-len(mine & others), index))
    leans = [
        leans_on_previous(bullet.text, bullets[index - 1].text if index else "")
        for index, bullet in enumerate(bullets)
    ]
    agreed = [index for _, index in sorted(scores)]
    # the title's bullet first: most terms in common with the title, the agreed order breaking
    # ties (so a story whose bullets all say as much of its title keeps its order)
    place = {index: rank for rank, index in enumerate(agreed)}
    titled = min(
        (i for i in agreed if not leans[i]),
        key=lambda i: (-len(terms[i] & heading), place[i]),
        default=None,
    )
    ranked = agreed if titled is None else [titled, *(i for i in agreed if i != titled)]
    chosen: list[int] = []
    while len(chosen) < count:
        pick = next(
            (i for i in ranked if i not in chosen and (not leans[i] or i - 1 in chosen)), None
        )
        if pick is None:
            break
        chosen.append(pick)
    return tuple(bullets[index] for index in sorted(chosen))


def _words(text: str) -> int:
    return len(text.split())


def story_words(story: Story, updates: Sequence[Update] = ()) -> int:
    """About how many words the story takes in the body: title, bullets, source lines."""
    total = _words(story.title) + _STORY_FRAME_WORDS
    total += sum(_words(bullet.text) + _BULLET_WORDS for bullet in story.bullets)
    for article in story.articles:
        total += _words(outlet_name(article.source)) + _SOURCE_LINE_WORDS
        if article.title.strip() and article.title.strip() != story.title.strip():
            total += _words(article.title) + 1
    total += sum(_words(update.title) + _SOURCE_LINE_WORDS for update in updates)
    return total


def top_words(story: Story, shown: Sequence[Bullet], outlets: Sequence[str]) -> int:
    """About how many words its entry under Top stories takes."""
    names = sum(_words(name) for name in outlets)
    bullets = sum(_words(b.text) + _BULLET_WORDS for b in shown)
    return _words(story.title) + bullets + names + _STORY_FRAME_WORDS


def bullet_key(text: str) -> str:
    """What an earlier briefing's record keeps of a bullet: a short hash of its words."""
    words = " ".join(text.split()).casefold()
    return hashlib.blake2b(words.encode("utf-8"), digest_size=8).hexdigest()


def briefed_record(briefing: Briefing) -> dict[str, list[str]]:
    """What this briefing told, for the next one's new marks: its articles and bullets."""
    articles = sorted({a.id for story in briefing.stories for a in story.articles})
    bullets = sorted({bullet_key(b.text) for story in briefing.stories for b in story.bullets})
    return {"articles": articles, "bullets": bullets}


@dataclass(frozen=True)
class _Novelty:
    new: bool
    first_briefed: dt.date | None
    continuing: bool
    new_bullets: tuple[str, ...]


@dataclass(frozen=True)
class _Told:
    """What the earlier briefings told, all together: worked out once a run (once a story,
    with a week of daily briefings of 10,000 articles, it was 3.3 s of a rerun's rank)."""

    articles: frozenset[str]
    bullets: frozenset[str]


def _told(history: Sequence[Briefed]) -> _Told:
    return _Told(
        frozenset().union(*(record.articles for record in history)),
        frozenset().union(*(record.bullets for record in history)),
    )


def _novelty(story: Story, history: Sequence[Briefed], told: _Told) -> _Novelty:
    if not history:
        return _Novelty(False, None, False, ())
    ids = {article.id for article in story.articles}
    dates = [record.date for record in history if ids & record.articles]
    unseen = ids - told.articles
    fresh = tuple(b.text for b in story.bullets if bullet_key(b.text) not in told.bullets)
    return _Novelty(not dates, min(dates) if dates else None, bool(dates and unseen), fresh)


def _is_old(story: Story, told: _Told) -> bool:
    """Every report of the story was in an earlier briefing."""
    return all(article.id in told.articles for article in story.articles)


def _other_order(stories: Sequence[Story], found: dict[int, Evidence]) -> list[Story]:
    """Other developments by weight, keeping each group of related stories together (the
    grouper's topic labels): groups by their heaviest story, unrelated stories last."""
    groups: dict[str, list[Story]] = {}
    for story in sorted(stories, key=lambda s: order_key(s, found[id(s)])):
        groups.setdefault(story.topic, []).append(story)
    named = sorted(
        (topic for topic in groups if topic),
        key=lambda t: order_key(groups[t][0], found[id(groups[t][0])]),
    )
    return [story for topic in named + ([""] if "" in groups else []) for story in groups[topic]]


def rank(
    briefing: Briefing,
    *,
    minutes: int = DEFAULT_MINUTES,
    top: int = DEFAULT_TOP,
    max_stories: int | None = None,
    new_only: bool = False,
    history: Sequence[Briefed] = (),
    terms: Terms | None = None,
) -> Briefing:
    """The briefing with storylines joined, themes and stories in order of weight, each story's
    Standing set, and the Ranking (Top stories, budget, balance) attached. history: what
    earlier briefings in the output folder told (for the new marks and --new-only); terms:
    how each story's StoryTerms are had (Cache.story_terms: from the article store)."""
    from briefer.rank.storylines import join_storylines

    history = tuple(record for record in history if record.date < briefing.date)
    descriptions = {section.theme: section.description for section in briefing.sections}
    theme_order = [section.theme for section in briefing.sections]
    joined = join_storylines(briefing.stories, terms=terms)
    if len(joined) < len(briefing.stories):
        log.info(
            "joined %d stories into %d storylines",
            sum(len(updates) for _, updates in joined),
            sum(1 for _, updates in joined if updates),
        )
    dates = [d for story, _ in joined if (d := _earliest(story)) is not None]
    days = period_days(briefing.since, briefing.until, min(dates) if dates else None)

    told = _told(history)
    hidden = 0
    kept: list[tuple[Story, tuple[Update, ...]]] = []
    for story, updates in joined:
        if new_only and history and _is_old(story, told):
            hidden += 1
            continue
        kept.append((story, updates))

    found = {id(story): evidence(story, briefing.until, days) for story, _ in kept}
    by_weight = sorted(kept, key=lambda pair: order_key(pair[0], found[id(pair[0])]))
    rank_of = {id(story): place for place, (story, _) in enumerate(by_weight, start=1)}
    cap = max_stories if max_stories is not None else len(by_weight)
    # The heaviest stories are told in full whatever the budget. Listed under Top stories
    # they are repeated above the stories themselves: worth it only when the list leads a
    # longer briefing, so a briefing whose stories all fit in the list has none.
    leading = {id(story) for story, _ in by_weight[: max(0, min(top, cap))]}
    top_ids = leading if shows_top(len(by_weight), len(leading)) else set()

    budget = minutes * WORDS_PER_MINUTE if minutes > 0 else 0
    shown: dict[int, tuple[Bullet, ...]] = {}
    spent = 0
    for story, updates in by_weight:
        if id(story) in top_ids:
            pick = highlights(updates[0].bullets if updates else story.bullets, story.title)
            shown[id(story)] = pick
            spent += top_words(story, pick, found[id(story)].outlets)
        if id(story) in leading:
            spent += story_words(story, updates)
    in_body = set(leading)
    opened: set[str] = set()

    def heading(theme: str) -> int:
        """Words of a section's heading, description and contents line, if not yet shown."""
        if theme in opened:
            return 0
        return 2 * _words(theme) + _words(descriptions.get(theme, "")) + _STORY_FRAME_WORDS

    for story, _ in by_weight:
        if id(story) in leading:
            spent += heading(story.theme)
            opened.add(story.theme)

    words_of: dict[int, int] = {}

    def fill(other_before: float) -> set[int]:
        """The stories told in full after the leading ones, heaviest first, until the budget
        or the cap is reached; a story of Other developments only when it ranks before
        other_before (0: never)."""
        body, seen, used = set(in_body), set(opened), spent
        for story, updates in by_weight:
            if id(story) in leading:
                continue
            if story.theme == OTHER_THEME and rank_of[id(story)] >= other_before:
                continue
            if id(story) not in words_of:  # each story counted once over both fills
                words_of[id(story)] = story_words(story, updates)
            cost = words_of[id(story)]
            cost += heading(story.theme) if story.theme not in seen else 0
            if len(body) >= cap or (budget and used + cost > budget):
                break  # strictly by weight: once a story does not fit, no lighter one jumps in
            body.add(id(story))
            seen.add(story.theme)
            used += cost
        return body

    # Other developments are headlines unless they outweigh themed stories (the theme term of
    # the weight already favours the reader's themes by one doubling of the outlets): an
    # Other story is told in full when it ranks before the lightest themed story the budget
    # tells without any of them (ties broken as the ranking breaks them: more outlets first).
    themed_body = fill(0)
    themed_ranks = [
        rank_of[id(s)] for s, _ in by_weight if id(s) in themed_body and s.theme != OTHER_THEME
    ]
    if themed_ranks:
        in_body = fill(max(themed_ranks))
    elif not any(story.theme != OTHER_THEME for story, _ in kept):
        in_body = fill(math.inf)  # no themes file, or nothing placed: weight alone
    else:
        in_body = themed_body

    standing: dict[int, Story] = {}
    for story, updates in kept:
        ev = found[id(story)]
        novelty = _novelty(story, history, told)
        marked = tuple(
            dataclasses.replace(u, new=bool(history) and _update_new(u, story, told.articles))
            for u in updates
        )
        standing[id(story)] = dataclasses.replace(
            story,
            standing=Standing(
                weight=ev.weight,
                rank=rank_of[id(story)],
                outlets=ev.outlets,
                reports=ev.reports,
                latest=ev.latest,
                recency=ev.recency,
                themed=ev.themed,
                top=id(story) in top_ids,
                in_body=id(story) in in_body,
                anchor=f"story-{rank_of[id(story)]}",
                highlights=shown.get(id(story), ()),
                updates=marked,
                new=novelty.new,
                first_briefed=novelty.first_briefed,
                continuing=novelty.continuing,
                new_bullets=novelty.new_bullets,
            ),
        )

    sections = _sections(kept, standing, found, theme_order, descriptions)
    ranked = tuple(standing[id(story)] for story, _ in by_weight)
    outlets = outlet_counts(briefing.stories)
    ranking = Ranking(
        top=tuple(story for story in ranked if story.standing and story.standing.top),
        stories=len(ranked),
        minutes=max(minutes, 0),
        budget_words=budget,
        body_words=spent,
        also=sum(1 for story in ranked if story.standing and not story.standing.in_body),
        outlets=outlets,
        articles=sum(len(story.articles) for story in briefing.stories),
        dominant=dominant_outlet(outlets),
        previous=max((record.date for record in history), default=None),
        new_only=new_only,
        hidden=hidden,
    )
    log.info(
        "ranked %d stories: %d in the body (about %d words), %d under Also reported%s",
        len(ranked),
        len(in_body),
        spent,
        ranking.also,
        f", {hidden} briefed before left out" if hidden else "",
    )
    return dataclasses.replace(briefing, sections=sections, ranking=ranking)


def _earliest(story: Story) -> dt.date | None:
    dates = [article.date for article in story.articles if article.date is not None]
    return min(dates) if dates else None


def _update_new(update: Update, story: Story, told: frozenset[str]) -> bool:
    """An update is new when one of its bullets' reports was not briefed before."""
    ids = {bullet.article_id for bullet in update.bullets}
    return bool(ids - told)


def _sections(
    kept: Sequence[tuple[Story, tuple[Update, ...]]],
    standing: dict[int, Story],
    found: dict[int, Evidence],
    theme_order: Sequence[str],
    descriptions: dict[str, str],
) -> tuple[Section, ...]:
    """Themes by the summed weight of their stories (Other developments last), stories by
    weight within each."""
    filed: dict[str, list[Story]] = {}
    for story, _ in kept:
        filed.setdefault(story.theme, []).append(story)
    totals = {theme: sum(found[id(s)].weight for s in stories) for theme, stories in filed.items()}
    place = {theme: index for index, theme in enumerate(theme_order)}
    themes = sorted(
        (theme for theme in filed if theme != OTHER_THEME),
        key=lambda theme: (-round(totals[theme], 6), place.get(theme, len(place)), theme),
    )
    if OTHER_THEME in filed:
        themes.append(OTHER_THEME)
    sections = []
    for theme in themes:
        stories = filed[theme]
        if theme == OTHER_THEME:
            ordered = _other_order(stories, found)
        else:
            ordered = sorted(stories, key=lambda s: order_key(s, found[id(s)]))
        sections.append(
            Section(
                theme=theme,
                description=descriptions.get(theme, ""),
                stories=tuple(standing[id(s)] for s in ordered),
            )
        )
    return tuple(sections)


def outlet_counts(stories: Iterable[Story]) -> tuple[tuple[str, int], ...]:
    """(outlet, articles) over every article of the period, copies included, most first."""
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    for story in stories:
        for article in story.articles:
            key = outlet_key(article.source)
            counts[key] += 1
            names.setdefault(key, outlet_name(article.source))
    return tuple(
        (names[key], count) for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def dominant_outlet(counts: Sequence[tuple[str, int]]) -> str:
    """The named outlet that supplied more than half of the period's articles (counts:
    outlet_counts of its stories), else ""."""
    total = sum(count for _, count in counts)
    for name, count in counts:
        if name != UNKNOWN_OUTLET and 2 * count > total:
            return name
    return ""


# ---- lines the templates show (the same words in every format) -------------------------------


def corroboration(story: Story) -> str:
    """`3 independent outlets, 5 reports`, or `Single source: Outlet`."""
    standing = story.standing
    if standing is None:
        return ""
    count = len(standing.outlets)
    if count <= 1:
        name = standing.outlets[0] if standing.outlets else UNKNOWN_OUTLET
        return f"Single source: {name}"
    reported = "" if standing.reports == count else f", {standing.reports} reports"
    return f"{count} independent outlets{reported}"


def why_ranked(story: Story, ranking: Ranking | None) -> str:
    """What --explain says about a story's place: the parts of its weight."""
    standing = story.standing
    if standing is None:
        return ""
    count = max(1, len(standing.outlets))
    parts = [f"{count} outlet{'s' if count != 1 else ''} ({math.log2(1 + count):.2f})"]
    if standing.reports > count:
        extra = REPORTS_WEIGHT * (1 - count / standing.reports)
        parts.append(f"{standing.reports} reports (+{extra:.2f})")
    if standing.themed:
        parts.append(f"in a theme (+{THEME_WEIGHT:.2f})")
    place = f"rank {standing.rank}" + (f" of {ranking.stories}" if ranking is not None else "")
    where = "in full" if standing.in_body else "under Also reported (over the length budget)"
    newest = standing.latest.isoformat() if standing.latest is not None else "undated"
    return (
        f"{place}, weight {standing.weight:.2f} = ({' + '.join(parts)}) "
        f"× recency {standing.recency:.2f} (newest report {newest}); "
        f"{where}"
    )
