"""The small immutable records that flow through the pipeline.

ingest -> clean -> sentences -> summarize -> group -> render -> deliver

Each stage takes records from the previous one and returns new records; nothing
is mutated in place, so any stage can be tested on hand-built values. The records made once
per article or per sentence have __slots__: a big run holds hundreds of thousands of them,
and a per-instance __dict__ would add about 100 bytes to each.
"""

from __future__ import annotations

import datetime as dt
import functools
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy and scipy are imported by the stages that use them, not here
    import numpy as np
    from scipy.sparse import csr_matrix

    from briefer.group.graph import StoryGraph


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as read from disk, before any cleaning."""

    id: str  # stable: a hash of the content, independent of the file's path
    title: str  # may be "" when the source has no headline
    date: dt.date | None  # publication day; None when unknown (never guessed)
    source: str  # outlet or site name; "" when unknown
    url: str  # "" when unknown
    # Body text as found, furniture and all. "" in the articles a cold grouping reads once
    # they are summarized (Cache.without_texts: the main process lets the texts go, ~81 MB at
    # 30,000 articles, issue 13): every later stage reads the cleaned blocks and summaries.
    text: str
    path: str  # where it came from, for messages and the coverage footer
    # For an undated article placed by `--undated first-seen`: the day briefer first saw its
    # content (the article store remembers it by id); None for dated articles.
    first_seen: dt.date | None = None


# A run's articles come from a few hundred sources, each asked for again and again (~17,500
# times in a 10k run's rank, once per article in its grouping): worked out once each.
@functools.lru_cache(maxsize=4096)
def outlet_key(source: str) -> str:
    """The outlet an article's source names, for telling outlets apart (ranking counts them,
    the grouping reads two reports of one outlet): on one line, case-folded; "" for none."""
    return " ".join(source.split()).casefold()


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph of cleaned body text, or an in-body sub-heading."""

    text: str
    is_heading: bool = False


@dataclass(frozen=True, slots=True)
class Document:
    """An article after cleaning: body blocks with site furniture removed."""

    article: Article
    blocks: tuple[Block, ...]
    removed: tuple[str, ...] = ()  # furniture lines that were dropped, for -vv and tests


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a document, verbatim, with its place in the document."""

    text: str
    index: int  # position among the document's sentences (document order)
    block: int  # index of the Block it came from


@dataclass(frozen=True, slots=True)
class Summary:
    """The sentences chosen to stand for one article, in document order."""

    article: Article
    sentences: tuple[Sentence, ...]
    algorithm: str
    # By sentence: whether it leans on the sentence before it in its article (the bullets'
    # rule, summarize.bullets.leaning, read from the article's text where the text was);
    # None when not worked out: the bullets then read the article's text.
    leans: tuple[bool, ...] | None = None


@dataclass(frozen=True)
class Theme:
    """A user-defined category from the themes file."""

    name: str
    description: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Bullet:
    """A summary line of a story, attributed to the article it was taken from."""

    text: str
    article_id: str


@dataclass(frozen=True)
class Story:
    """One event, as reported by one or more articles."""

    title: str
    articles: tuple[Article, ...]  # every report merged into the story, oldest first
    bullets: tuple[Bullet, ...]  # verbatim summary sentences, each attributed
    theme: str  # primary theme name, or OTHER_THEME
    secondary_themes: tuple[str, ...] = ()
    why: tuple[str, ...] = ()  # the terms that placed the story under its theme
    # (copy id, original id) for each article that is a near-verbatim copy of an earlier
    # one of the story (syndication, re-posts): listed as a source, never quoted.
    copies: tuple[tuple[str, str], ...] = ()
    # Under OTHER_THEME: the label of the group of related stories this one belongs to
    # ("" when it is related to none).
    topic: str = ""
    standing: Standing | None = None  # set by rank: weight, outlets, marks (None before)


OTHER_THEME = "Other developments"


@dataclass(frozen=True)
class Section:
    """A theme of the briefing with its stories."""

    theme: str
    description: str
    stories: tuple[Story, ...]


@dataclass(frozen=True)
class Skipped:
    """An input that could not be used, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Coverage:
    """What the briefing read and what it left out: nothing is dropped silently."""

    read: int = 0  # articles read successfully
    in_period: int = 0
    before_period: int = 0
    after_period: int = 0
    undated: int = 0  # left out because no date could be established
    # Undated articles placed by the day briefer first saw them (--undated first-seen): those
    # of the period (counted in in_period too), and those whose first-seen day falls outside
    # it (left out, and not counted as before or after the period: they have no date).
    first_seen: int = 0
    first_seen_outside: int = 0
    merged: int = 0  # articles folded into a story reported by another article
    failed: tuple[Skipped, ...] = field(default_factory=tuple)  # inputs that could not be read
    # Inputs read, but not cleanly (e.g. a feed parsed leniently past an XML error).
    warnings: tuple[Skipped, ...] = field(default_factory=tuple)
    ignored: tuple[Skipped, ...] = field(
        default_factory=tuple
    )  # files in folders that are not articles

    @property
    def out_of_period(self) -> int:
        return self.before_period + self.after_period + self.first_seen_outside


@dataclass(frozen=True)
class Briefing:
    """A dated briefing, ready to render."""

    date: dt.date  # the briefing's date: the end of the period it covers
    since: dt.date | None
    until: dt.date
    sections: tuple[Section, ...]
    coverage: Coverage
    title: str = "Briefing"
    ranking: Ranking | None = None  # set by rank: top stories, budget, balance notes

    @property
    def stories(self) -> tuple[Story, ...]:
        return tuple(story for section in self.sections for story in section.stories)


# Records added by each stage live under its own heading below, so the data model stays in
# one file. Keep each area's records together under its heading.

# --- ingest and clean records ------------------------------------------------------------
# (records of ingest/ and clean)


@dataclass(frozen=True)
class InputLimits:
    """The most work one input may cost (README, "Bad and hostile inputs"). An input over a
    limit is reported as one line and left out; the rest of the batch is read. Each field is
    also a setting of the same name (briefer.toml, BRIEFER_*, `briefer make --max-...`)."""

    # A news article is rarely over 200 KB even as a saved page with its scripts; 10 MB
    # leaves room for a long feed while keeping one file's parse to a few seconds.
    max_file_bytes: int = 10 * 1024 * 1024
    # The longest article in the dev corpora (CNN/DailyMail, BBC) is about 12,000 words
    # (~80,000 characters); 500,000 leaves six times that.
    max_text_chars: int = 500_000
    # Titles, sources, URLs and dates: a real one is under 300 characters.
    max_field_chars: int = 2_000
    # Elements (start tags) of one HTML page or feed: a heavy saved news page has ~10,000.
    # Extraction costs ~0.1 ms an element (30,000 short paragraphs: 3.8 s, 99,000: 12 s on the
    # shared 2-core dev machine), so three times a heavy page keeps one to a few seconds.
    max_html_elements: int = 30_000
    # Attributes in one HTML page or feed: a heavy saved page has ~30,000; extraction costs
    # ~15 us an attribute (1,000 elements of 199 attributes: 3 s on the dev machine).
    max_html_attributes: int = 100_000


@dataclass(frozen=True)
class FileRead:
    """One input's articles, the records inside it that failed on their own, and warnings
    about it (read, but not cleanly)."""

    articles: tuple[Article, ...]
    failed: tuple[Skipped, ...] = ()
    warnings: tuple[Skipped, ...] = ()


@dataclass(frozen=True)
class Listed:
    """The article files the inputs name (folders walked), before any is read."""

    paths: tuple[Path, ...]  # sorted, each file once
    failed: tuple[Skipped, ...]  # inputs that are missing or could not be walked
    ignored: tuple[Skipped, ...]  # files met while walking a folder that are not articles


@dataclass(frozen=True)
class Ingested:
    """Everything read from the inputs, and everything that could not be used."""

    articles: tuple[Article, ...]  # sorted paths, then position in file; then URLs
    failed: tuple[Skipped, ...]  # inputs (or records in them) that could not be read
    ignored: tuple[Skipped, ...]  # files met while walking a folder that are not articles
    warnings: tuple[Skipped, ...] = ()  # inputs read with warnings (counted as read)


@dataclass(frozen=True)
class Fetched:
    """What a set of URLs gave, and what could not be had from them."""

    articles: tuple[Article, ...]  # url: canonical; path: the URL given (for messages)
    failed: tuple[Skipped, ...]  # URLs (or feed entries) that gave nothing usable
    notes: tuple[Skipped, ...] = ()  # kept with less than hoped, e.g. a summary for a page
    known: tuple[str, ...] = ()  # URLs given whose canonical form was in `stored`: not fetched
    warnings: tuple[Skipped, ...] = ()  # feeds read with warnings


@dataclass(frozen=True)
class FetchResult:
    """What `briefer fetch` saved, found already saved, and could not get."""

    saved: tuple[Path, ...]  # files written, in the order fetched
    already: tuple[tuple[str, Path], ...]  # (canonical URL, file holding it) not written again
    failed: tuple[Skipped, ...]
    notes: tuple[Skipped, ...]


# --- summarize records -------------------------------------------------------------------
# (records of sentences, summarize and story bullets)


# --- group records -----------------------------------------------------------------------
# (records of group/: per-article text features, placements, fits, groupings)


@dataclass(frozen=True, slots=True)
class TextFeatures:
    """One article's words as grouping reads them (briefer.group.texts.article_features):
    worked out where the article is cleaned (a worker process), so the main process never
    re-reads the texts. Compact on purpose: one string per table and a machine-int array,
    not a Python object per word (10,000 articles hold about 2.5 million words)."""

    vocabulary: str  # the distinct words as written, in first-seen order, joined by "\n"
    words: array[int]  # ("i") every word of title, lead and rest, as an index into vocabulary
    parts: tuple[int, int, int]  # how many of those words are the title's, lead's and rest's
    names: str  # the names and figures (with repeats, in order), joined by "\n"
    # The body past the words above, for theme placement alone: its content words in order,
    # compressed (texts.tail_words reads them; b"" for none).
    tail: bytes = b""


@dataclass(frozen=True)
class ThemeFit:
    """How one story or article scores against one theme, and the terms behind the score."""

    theme: str
    score: float
    terms: tuple[str, ...]  # the theme's words and phrases found, weightiest first
    eligible: bool  # enough evidence to be filed here, if no other theme beats it
    needed: float = 0.0  # the score an unrelated report reaches by chance (the null)


@dataclass(frozen=True)
class Placement:
    """Where a story is filed: its primary theme (or OTHER_THEME), its secondary themes,
    the evidence that decided (the terms, or for OTHER_THEME the nearest theme and what
    it lacked), and its fit to every theme in file order."""

    theme: str
    secondary: tuple[str, ...]
    why: tuple[str, ...]
    fits: tuple[ThemeFit, ...]


@dataclass(frozen=True)
class Told:
    """What a story says, worked out from its reports alone (telling.tell_story): its
    headline, its bullets and which reports copy which. The article store keeps it per
    story, so a rerun works it out only for the stories whose reports changed."""

    title: str
    bullets: tuple[Bullet, ...]
    copies: tuple[tuple[str, str], ...]  # (copy id, original id)


@dataclass(frozen=True, slots=True)
class Tale:
    """Everything telling one story reads (telling.tell_tale): its reports, oldest first,
    and each one's summary sentences and cleaned blocks, so the story can be told in another
    process from this alone. A report's blocks are () where nothing reads them: a story of
    one report with a headline (its copies are none, and its title is that headline)."""

    articles: tuple[Article, ...]
    blocks: tuple[tuple[Block, ...], ...]  # by report
    sentences: tuple[tuple[Sentence, ...], ...]  # by report: its summary, in document order
    algorithm: str  # of the summaries (Summary.algorithm)
    leans: tuple[tuple[bool, ...] | None, ...] = ()  # by report: Summary.leans (() for none)


@dataclass(frozen=True)
class TermRows:
    """What grouping reads from each article, over one vocabulary in alphabetical order, so
    no value depends on which other articles came in or in what order: the rows the article
    store keeps between runs, so a rerun with a few new articles reads only those
    (briefer.group.rows). Row k is the run's k-th article."""

    terms: tuple[str, ...]  # stems, names and figures, sorted
    vectors: csr_matrix  # articles x terms: story-clustering vectors (stories.term_vectors)
    places: csr_matrix  # articles x terms: place-weighted mentions (topic labels)
    lead_start: np.ndarray  # per article + 1: where its headline-and-lead words begin
    lead_term: np.ndarray  # each such content word's term (figures left out), in text order
    lead_form: np.ndarray  # and its spelling, as an index into `forms`
    forms: tuple[str, ...]
    weekdays: np.ndarray  # per article: the weekdays its text names (days.weekday_masks)

    @property
    def count(self) -> int:
        return len(self.lead_start) - 1


@dataclass(frozen=True)
class StoredRows:
    """A grouping's rows as the article store keeps them: row k is the article ids[k], whose
    summary key (what decides its text, briefer.cache.summary_key) is keys[k]."""

    ids: tuple[str, ...]
    keys: tuple[str, ...]
    rows: TermRows
    graph: StoryGraph | None = None
    components: dict[str, list[int]] = field(default_factory=dict)  # KnownRows.components


@dataclass
class KnownRows:
    """Rows an earlier run read (the article store's), and which article each row is. Not
    frozen: grouping lets go of the rows and the story graph once it has joined and extended
    them (let_go), while the callers that handed it this record, down from the store's
    lookup, still hold it: the 10k bench week's +50 rerun's peak 264 -> 242 MB, its page
    faults 66,700 -> 61,500 (five runs each, the freed pages taken again by later stages)."""

    rows: TermRows | None  # None once let go
    row_of: dict[str, int]  # article id -> row
    graph: StoryGraph | None = None  # the earlier grouping's story graph (group.graph)
    # The stories of each component of several articles, by stories.component_key_of.
    components: dict[str, list[int]] = field(default_factory=dict)

    def let_go(self) -> None:
        """Forget the rows and the story graph (what grouping has joined and extended)."""
        self.rows = None
        self.graph = None


@dataclass(frozen=True)
class GroupingRows:
    """What a grouping leaves for the article store to keep (KnownRows to the next run):
    each grouped article's rows, by its id, the story graph, and the stories of each
    component it clustered (by stories.component_key_of)."""

    ids: tuple[str, ...]
    rows: TermRows
    graph: StoryGraph
    components: dict[str, list[int]]


@dataclass(frozen=True)
class Grouping:
    """Stories filed under themes, and how many articles were folded into another's story."""

    sections: tuple[Section, ...]  # themes in file order, then OTHER_THEME if it has stories
    merged: int  # articles folded into a story whose first report is another article
    # For the store to keep (not part of the result).
    kept: GroupingRows | None = field(default=None, compare=False, repr=False)


# --- rank records ------------------------------------------------------------------------
# (records of rank: weights, top stories, storylines, budget)


@dataclass(frozen=True)
class StoryTerms:
    """What storylines read of a story (rank.storylines.story_terms): the proper names and
    the content terms of its headlines and bullets, worked out from those texts alone, so
    the article store can keep them per story."""

    names: frozenset[str]
    terms: tuple[tuple[str, int], ...]  # each term and its count, in order of first use


@dataclass(frozen=True)
class Update:
    """One dated step of a storyline: a story of its own before the storyline joined it."""

    date: dt.date | None  # its latest report's day
    title: str
    bullets: tuple[Bullet, ...]
    new: bool = False  # not in an earlier briefing


@dataclass(frozen=True)
class Standing:
    """Where a story ranks and why, and how it is shown (set by rank)."""

    weight: float
    rank: int  # 1-based place among all the briefing's stories, by weight
    outlets: tuple[str, ...]  # independent outlets, in the order they first reported it
    reports: int  # reports that are not copies of another
    latest: dt.date | None  # its newest report's day
    recency: float  # the factor its weight got for how recent it is (0.5 to 1)
    themed: bool  # filed under one of the user's themes
    top: bool = False  # one of the Top stories
    in_body: bool = True  # told in full; False: one line under "Also reported"
    anchor: str = ""  # a stable id for links from Top stories ("story-3")
    highlights: tuple[Bullet, ...] = ()  # its one or two most informative bullets
    updates: tuple[Update, ...] = ()  # a storyline's dated updates, newest first; () if none
    new: bool = False  # none of its reports was in an earlier briefing
    first_briefed: dt.date | None = None  # briefed before: when it was first briefed
    continuing: bool = False  # briefed before, and some of its reports were not
    new_bullets: tuple[str, ...] = ()  # texts of its bullets not in an earlier briefing


@dataclass(frozen=True)
class Briefed:
    """What an earlier briefing in the output folder told (from its .index record)."""

    date: dt.date
    articles: frozenset[str]  # ids of the articles of its stories
    bullets: frozenset[str]  # short hashes of its bullets (briefer.rank.bullet_key)


@dataclass(frozen=True)
class Ranking:
    """The briefing-wide results of rank: top stories, the length budget, balance notes."""

    top: tuple[Story, ...]  # the Top stories, heaviest first (each also in its section)
    stories: int  # stories ranked (storylines count once; --new-only's hidden ones not)
    minutes: int  # the reading-time budget (0: none)
    budget_words: int  # minutes * words a minute (0: none)
    body_words: int  # the estimated words of the body as chosen
    also: int  # stories listed under "Also reported"
    outlets: tuple[tuple[str, int], ...]  # (outlet, articles in the period), most first
    articles: int  # articles in the period, copies included
    dominant: str = ""  # an outlet with more than half of the articles, else ""
    previous: dt.date | None = None  # the earlier briefing compared against (new marks)
    new_only: bool = False
    hidden: int = 0  # stories left out by --new-only because they were briefed before


# --- pipeline and cache records ----------------------------------------------------------
# (records of pipeline and the article store)


@dataclass(frozen=True, slots=True)
class Summarized:
    """An article's cleaned blocks and chosen sentences, without the article itself: what a
    summarizing worker sends back and what the article store keeps."""

    blocks: tuple[Block, ...]
    sentences: tuple[Sentence, ...]
    algorithm: str
    # Why the article could not be summarized (its worker ran out of time, say); such a
    # result is reported in the coverage footer and never stored.
    problem: str = ""
    # Its words for grouping, worked out with the rest in the worker and kept with the rest
    # in the article store (None from a store row written before they were: grouping then
    # reads the blocks itself, with the same result).
    features: TextFeatures | None = None
    # Summary.leans of its sentences, worked out with the rest where the text is (None from a
    # store row written before they were: the bullets then read the article's text).
    leans: tuple[bool, ...] | None = None

    def attach(self, article: Article) -> tuple[Document, Summary]:
        return (
            Document(article=article, blocks=self.blocks),
            Summary(article, self.sentences, self.algorithm, self.leans),
        )


@dataclass(frozen=True)
class Grouped:
    """The summarize and group stages' result for one run's articles, as the store keeps it."""

    sections: tuple[Section, ...]
    merged: int  # articles folded into a story reported by another article
    left_out: tuple[Skipped, ...]  # articles with nothing to summarize, and why
    final: bool = True  # False when some were left out for a passing reason: not stored
    kept: GroupingRows | None = field(default=None, compare=False, repr=False)  # Grouping.kept


# --- delivery records --------------------------------------------------------------------
# (records of render, files, index and mail)

SMTP_SECURITY = ("starttls", "ssl", "none")
# The port each kind of security is usually served on, for when smtp_port is not set.
SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
# Seconds to wait for the connection and for each reply: long enough for a busy provider,
# short enough that a wrong host or port fails within a minute (connections are not retried
# after a timeout).
SMTP_TIMEOUT = 30.0
# "each": one message per recipient, each seeing only their own address; "bcc": one message,
# the recipients in its envelope only (none is shown to the others).
EMAIL_MODES = ("each", "bcc")


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send, built once (by briefer.config) from briefer.toml and the
    environment. host may be "" for a dry run, which never connects."""

    host: str = ""
    port: int = SMTP_PORTS["starttls"]
    user: str = ""
    password: str = field(default="", repr=False)
    security: str = "starttls"
    sender: str = ""  # "Name <address>" or a bare address
    timeout: float = SMTP_TIMEOUT

    def __repr__(self) -> str:
        # Written by hand so the password cannot reach a log line or a traceback.
        hidden = "'***'" if self.password else "''"
        return (
            f"SmtpSettings(host={self.host!r}, port={self.port!r}, user={self.user!r}, "
            f"password={hidden}, security={self.security!r}, sender={self.sender!r}, "
            f"timeout={self.timeout!r})"
        )


@dataclass(frozen=True)
class EmailSettings:
    """How the email is addressed and what it points to (briefer.toml's email_mode,
    public_url and unsubscribe)."""

    mode: str = "each"  # one of EMAIL_MODES
    public_url: str = ""  # where the Markdown briefings can be read, ending in "/"; "": nowhere
    unsubscribe: str = ""  # a mailto: or https: address for List-Unsubscribe; "": none


@dataclass(frozen=True)
class Cut:
    """What a shortened email leaves out of its briefing, for the templates to say."""

    total_stories: int  # in the full briefing
    total_themes: int
    section_totals: tuple[tuple[str, int], ...]  # (theme, stories in the full briefing)
    full_copy: str  # where the full briefing is: a file name, or a URL when it is public
    full_url: str = ""  # the URL of the full briefing; "" when it is not public


@dataclass(frozen=True)
class EmailResult:
    """What `briefer make --email` and `briefer send` did."""

    sent_to: tuple[str, ...]  # empty for a dry run
    emls: tuple[Path, ...]  # the message files of a dry run, one per message; else empty
    shown: int  # stories carried
    total: int  # stories in the briefing
    html_bytes: int  # the HTML part as sent (quoted-printable)

    @property
    def omitted(self) -> int:
        return self.total - self.shown


@dataclass(frozen=True)
class Mailing:
    """Who gets the briefing and how, settled (and checked) before any work is done."""

    recipients: tuple[str, ...]
    smtp: SmtpSettings
    email: EmailSettings
    dry_run: bool


# --- options records ---------------------------------------------------------------------
# (settings records built by config at the boundary)

# The shipped defaults of `briefer make`: the bottom layer under briefer.toml, BRIEFER_*
# variables and flags (briefer/config/). Chosen for a first run in a fresh clone: the
# samples folder in, Markdown out, and three sentences per article: the length the summary
# evaluation (`briefer eval summaries`) and the quality floors in tests/ are measured at.
DEFAULT_INPUTS = (Path("samples"),)
DEFAULT_OUT = Path("briefings")
DEFAULT_FORMATS = ("md",)
DEFAULT_SENTENCES = 3
DEFAULT_ALGORITHM = "default"


@dataclass(frozen=True)
class FetchSettings:
    """How feeds and pages are fetched over HTTP (briefer/ingest/fetch.py)."""

    timeout: float = 15.0  # seconds allowed to connect, and between bytes of the response
    retries: int = 3  # further attempts after a 429, a 5xx, a timeout or a dropped connection
    backoff: float = 1.0  # seconds before the first retry; doubled for each one after it
    max_retry_after: float = 60.0  # a server's Retry-After is honoured up to this many seconds
    # Seconds one URL may take in all (every attempt, read and wait). None: twice the timeout
    # for each attempt (120 s by default): room for every attempt to wait out its timeout, so
    # a timeout is reported as one, while `--timeout 5 --retries 0` still ends in 10 s for a
    # server that trickles a byte a second or asks to retry after a day.
    deadline: float | None = None
    max_bytes: int = 5 * 1024 * 1024  # a larger response is an error for that URL
    max_redirects: int = 5
    entry_pages: bool = True  # fetch an entry's page when its feed gives only a short summary

    def url_deadline(self) -> float:
        return self.deadline if self.deadline is not None else 2 * self.timeout * (self.retries + 1)


@dataclass(frozen=True)
class MakeOptions:
    """Everything one briefing run needs: the one options record, built once at the boundary
    (config.make_options for the command line, briefer.make/build for Python callers) from
    shipped defaults < briefer.toml < environment < flags, then passed down unchanged."""

    inputs: tuple[Path, ...] = DEFAULT_INPUTS
    out: Path = DEFAULT_OUT
    since: dt.date | None = None  # None: no lower bound
    until: dt.date = field(default_factory=dt.date.today)  # the briefing's date
    formats: tuple[str, ...] = DEFAULT_FORMATS
    themes: Path | None = None  # None: no themes file, everything under "Other developments"
    sentences: int = DEFAULT_SENTENCES
    words: int | None = None  # optional word budget per article summary
    algorithm: str = DEFAULT_ALGORITHM
    explain: bool = False
    templates: Path | None = None  # a folder of user templates overriding the shipped ones
    urls: tuple[str, ...] = ()  # feed and page URLs, fetched for this run only (never stored)
    fetch: FetchSettings = FetchSettings()
    cache: bool = True  # keep and reuse the article store, .briefer/ beside `out`
    undated: str = "first-seen"  # or "skip": what to do with an undated article (UNDATED)
    # rank (briefer/rank): reading-time budget of the body (0: none), most stories told in
    # full, Top stories, and only what earlier briefings in `out` did not tell.
    minutes: int = 10
    max_stories: int | None = None
    top: int = 5
    new_only: bool = False
    limits: InputLimits = InputLimits()  # the most work one input may cost (ingest/)


@dataclass(frozen=True)
class Config:
    """The settings for one run before flags: shipped defaults < briefer.toml < environment,
    as config.load_config reads them. Relative paths are relative to its working folder."""

    # The run's options as far as the settings give them. `since` and `until` change every
    # run and are never settings (make_options sets them); `themes` None means "not set":
    # make_options then looks for themes.toml beside the first input.
    make: MakeOptions = field(default_factory=MakeOptions)
    email: tuple[str, ...] = ()  # recipients; empty: the briefing is not e-mailed
    # The smtp_* keys and the password, in the one SMTP settings record (whose repr hides
    # the password), and the email_mode, public_url and unsubscribe keys.
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    email_settings: EmailSettings = field(default_factory=EmailSettings)
    file: Path | None = None  # the briefer.toml that was read, if any
