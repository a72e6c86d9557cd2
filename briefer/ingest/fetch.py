"""The URL reader: feeds and web pages fetched over HTTP into Article records, and saved
as front-matter Markdown files by `briefer fetch`.

The bytes fetched go through the same feed and page readers as files on disk. A URL that
fails is reported with one line saying what failed (DNS, refused connection, timeout,
HTTP status, size, deadline, not a feed or page) and the others carry on.

A feed entry that carries only a short summary (under SHORT_ENTRY_WORDS words) is
followed to its page, whose full text replaces the summary when it is longer; the
entry's own title and date are kept, as the feed states them more reliably than a page.
If that page cannot be fetched, the summary is kept and a note says so.

Saved articles are front-matter Markdown, one file per canonical URL: a URL already
stored in the folder (in any file's `url` field) is neither fetched again nor rewritten.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import functools
import hashlib
import logging
import re
import unicodedata
from collections.abc import Collection, Sequence
from pathlib import Path

import httpx
import lxml.etree  # type: ignore[import-untyped, unused-ignore]
import lxml.html  # type: ignore[import-untyped, unused-ignore]

from briefer.errors import DeliveryError, InputError, OptionsError
from briefer.files import write_file
from briefer.ingest.boundary import guarded
from briefer.ingest.feeds import read_feed_data
from briefer.ingest.fields import content_id
from briefer.ingest.frontmatter import article_markdown, front_matter_url
from briefer.ingest.html import read_page_data
from briefer.ingest.http import Response, canonical_url, get, open_client
from briefer.options import FetchSettings, is_url
from briefer.records import Article, Fetched, FetchResult, InputLimits, Skipped
from briefer.safe_text import one_line

logger = logging.getLogger(__name__)

# An entry shorter than this is a teaser, not the article: its page is fetched.
SHORT_ENTRY_WORDS = 150

_FEED_ROOTS = frozenset({b"rss", b"feed", b"rdf:rdf", b"rdf"})
_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
_XML_TYPES = frozenset({"application/xml", "text/xml"})
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})


# --------------------------------------------------------------------------- reading


def fetch_articles(
    urls: Sequence[str],
    settings: FetchSettings,
    *,
    stored: Collection[str] = frozenset(),
    client: httpx.Client | None = None,
    limits: InputLimits | None = None,
) -> Fetched:
    """Fetch each feed or page URL into articles; a failed URL is recorded, never raised.

    Pages whose canonical URL is in stored are not fetched: a page URL given is reported
    in `known`, and a feed entry keeps its summary rather than fetching its page.
    """
    if client is None:
        with open_client(settings) as own:
            return fetch_articles(urls, settings, stored=stored, client=own, limits=limits)
    run = _Run(client, settings, stored, limits or InputLimits())
    for url in dict.fromkeys(text.strip() for text in urls):
        if canonical_url(url) in stored:
            run.known.append(url)
            continue
        outcome = guarded(url, functools.partial(run.read_url, url))
        if isinstance(outcome, Skipped):
            run.failed.append(outcome)
    return Fetched(
        tuple(run.articles),
        tuple(run.failed),
        tuple(run.notes),
        tuple(run.known),
        tuple(run.warnings),
    )


class _Run:
    """The state of one fetch: the client, and which canonical URLs it has already taken."""

    def __init__(
        self,
        client: httpx.Client,
        settings: FetchSettings,
        stored: Collection[str],
        limits: InputLimits,
    ):
        self.client = client
        self.settings = settings
        self.stored = stored
        self.limits = limits
        self.articles: list[Article] = []
        self.failed: list[Skipped] = []
        self.warnings: list[Skipped] = []
        self.notes: list[Skipped] = []
        self.known: list[str] = []
        self.taken: set[str] = set()

    def read_url(self, url: str) -> None:
        response = get(self.client, url, self.settings)
        kind = _kind(response)
        if kind == "feed":
            self.read_feed(url, response)
        elif kind == "page":
            self.add(_page_article(url, response, self.limits))
        else:
            given = one_line(response.content_type, 60) or "none given"
            raise InputError(
                url,
                f"is not a feed or a web page (content type {given})",
                "give the URL of an RSS or Atom feed or of an article page",
            )

    def read_feed(self, url: str, response: Response) -> None:
        result = read_feed_data(url, response.content, self.limits)
        self.failed.extend(result.failed)
        self.warnings.extend(result.warnings)
        for article in result.articles:
            link = canonical_url(article.url, response.url) if article.url else ""
            entry = dataclasses.replace(article, url=link if is_url(link) else "")
            self.add(self.with_page(entry))

    def with_page(self, entry: Article) -> Article:
        """The entry, with its page's full text when the feed gives only a teaser."""
        if (
            not self.settings.entry_pages
            or not entry.url
            or len(entry.text.split()) >= SHORT_ENTRY_WORDS
            or entry.url in self.stored
            or entry.url in self.taken
        ):
            return entry
        outcome = guarded(entry.url, functools.partial(self.page, entry.url))
        if isinstance(outcome, Skipped):
            self.notes.append(
                Skipped(outcome.path, f"{outcome.reason}; kept the feed's summary instead")
            )
            return entry
        page = outcome
        if len(page.text.split()) <= len(entry.text.split()):
            logger.debug("%s: page is no longer than the feed's summary; kept it", entry.url)
            return entry
        title = entry.title or page.title
        return dataclasses.replace(
            entry,
            id=content_id(title, page.text),
            title=title,
            date=entry.date or page.date,
            url=page.url,
            text=page.text,
        )

    def page(self, url: str) -> Article:
        return _page_article(url, get(self.client, url, self.settings), self.limits)

    def add(self, article: Article) -> None:
        if article.url and article.url in self.taken:
            logger.info("%s: already read in this run (%s)", article.path, article.url)
            return
        if article.url:
            self.taken.add(article.url)
        self.articles.append(article)


def _kind(response: Response) -> str | None:
    root = _root_element(response.content)
    if root in _FEED_ROOTS:
        return "feed"
    if root == b"html":
        return "page"
    if response.content_type in _FEED_TYPES | _XML_TYPES:
        return "feed"
    if response.content_type in _PAGE_TYPES:
        return "page"
    return None


_PROLOGUE = re.compile(rb"<\?.*?\?>|<!--.*?-->|<![^>]*>", re.DOTALL)
_FIRST_ELEMENT = re.compile(rb"<([A-Za-z][A-Za-z0-9_.:-]*)")


def _root_element(content: bytes) -> bytes:
    head = _PROLOGUE.sub(b"", content[:8192])
    match = _FIRST_ELEMENT.search(head)
    return match.group(1).lower() if match else b""


def _page_article(url: str, response: Response, limits: InputLimits) -> Article:
    if not response.content.strip():
        raise InputError(url, "the server sent an empty page", "check the URL")
    data = _as_utf8(response)
    article = read_page_data(url, data, limits)  # checks the markup's size first
    canonical = _canonical_link(data, response.url) or canonical_url(response.url)
    return dataclasses.replace(article, url=canonical)


def _as_utf8(response: Response) -> bytes:
    """The page's bytes as UTF-8 when the HTTP header names another encoding they are in."""
    data = response.content
    if not response.charset:
        return data
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    try:
        codec = codecs.lookup(response.charset)
        return data.decode(codec.name).encode("utf-8", errors="replace")
    except (LookupError, UnicodeError, ValueError, TypeError):
        return data  # let the page's own declaration, or the UTF-8 error, speak


def _canonical_link(data: bytes, base: str) -> str:
    """The page's own <link rel="canonical">, resolved and canonicalized; "" when absent."""
    try:
        root = lxml.html.fromstring(data)
    except (lxml.etree.LxmlError, ValueError):
        return ""
    for link in root.iter("link"):
        rel = str(link.get("rel") or "").lower().split()
        href = str(link.get("href") or "").strip()
        if "canonical" in rel and href:
            found = canonical_url(href, base)
            if is_url(found):
                return found
    return ""


# --------------------------------------------------------------------------- saving


def fetch_into(
    urls: Sequence[str],
    into: Path,
    settings: FetchSettings,
    *,
    now: dt.datetime | None = None,
    client: httpx.Client | None = None,
    limits: InputLimits | None = None,
) -> FetchResult:
    """Fetch the URLs and save each new article into the folder `into` as Markdown."""
    if into.exists() and not into.is_dir():
        raise OptionsError(f"--into {into} is a file, not a folder; give a folder")
    stored = stored_urls(into) if into.is_dir() else {}
    fetched = fetch_articles(urls, settings, stored=stored, client=client, limits=limits)
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    saved: list[Path] = []
    already = {canonical_url(url): stored[canonical_url(url)] for url in fetched.known}
    for article in fetched.articles:
        holder = stored.get(article.url) if article.url else None
        if holder is not None:
            already[article.url] = holder
            continue
        path = save_article(article, into, moment)
        saved.append(path)
        if article.url:
            stored[article.url] = path
    # A feed read with warnings is still saved; the warning is shown with the notes.
    notes = fetched.notes + fetched.warnings
    return FetchResult(tuple(saved), tuple(already.items()), fetched.failed, notes)


def stored_urls(folder: Path) -> dict[str, Path]:
    """Canonical URL -> file, for every front-matter Markdown or text file under folder."""
    found: dict[str, Path] = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in {".md", ".markdown", ".txt"} or not path.is_file():
            continue
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        url = front_matter_url(path)
        if url:
            found.setdefault(canonical_url(url), path)
    return found


def article_filename(article: Article) -> str:
    """`<date>-<slug>-<hash>.md`: sorted by day, readable, and unique per canonical URL."""
    day = article.date.isoformat() if article.date else "undated"
    key = article.url or article.id
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    return f"{day}-{_slug(article.title)}-{digest}.md"


def _slug(title: str, limit: int = 60) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] or slug[:limit]
    return slug or "article"


def save_article(article: Article, folder: Path, fetched_at: dt.datetime) -> Path:
    """Write the article into folder under a new name (never over another file); its path."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DeliveryError(
            f"cannot create {folder}: {error.strerror or error}; choose another --into"
        ) from error
    name = article_filename(article)
    target = folder / name
    number = 1
    while target.exists():  # another article's file under the same name: keep both
        number += 1
        target = folder / f"{Path(name).stem}-{number}.md"
    write_file(target, article_markdown(article, fetched_at).encode("utf-8"))
    logger.info("saved %s as %s", article.url or article.path, target)
    return target
