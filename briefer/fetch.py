"""Fetch feeds and web pages over HTTP into Article records, and save them as files.

Part of the ingest stage: the bytes fetched go through the same feed and page readers
as files on disk. A URL that fails is reported with one line saying what failed (DNS,
refused connection, timeout, HTTP status, size, not a feed or page) and the others carry on.

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
import email.utils
import errno
import hashlib
import logging
import re
import socket
import ssl
import time
import tomllib
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import lxml.etree  # type: ignore[import-untyped, unused-ignore]
import lxml.html  # type: ignore[import-untyped, unused-ignore]
import yaml

from briefer import __version__
from briefer.errors import DeliveryError, InputError, OptionsError
from briefer.files import write_file
from briefer.ingest import content_id, read_feed_data, read_page_data
from briefer.options import FetchSettings, is_url
from briefer.records import Article, Skipped

logger = logging.getLogger(__name__)

PROJECT_URL = "https://pypi.org/project/briefer/"
USER_AGENT = f"briefer/{__version__} (+{PROJECT_URL})"

# An entry shorter than this is a teaser, not the article: its page is fetched.
SHORT_ENTRY_WORDS = 150

# Parameters that only say how a reader arrived; they never change what the page shows.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "li_fat_id", "igshid", "mc_cid", "mc_eid", "mkt_tok", "_ga",
        "_gl", "_hsenc", "_hsmi", "hsctatracking", "oly_anon_id", "oly_enc_id", "vero_id",
        "vero_conv", "wt_mc", "cmpid", "ocid", "ref", "ref_src", "ref_url", "referrer",
        "share", "smid", "sr_share", "spm", "at_medium", "at_campaign", "ito", "s_cid",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "hmb_", "at_custom")
_DEFAULT_PORTS = {"http": 80, "https": 443}

_FEED_ROOTS = frozenset({b"rss", b"feed", b"rdf:rdf", b"rdf"})
_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
_XML_TYPES = frozenset({"application/xml", "text/xml"})
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))
_CHUNK = 64 * 1024


# --------------------------------------------------------------------------- URLs


def canonical_url(url: str, base: str = "") -> str:
    """One spelling per page: scheme and host lower-cased, default port, fragment and
    tracking parameters dropped, an empty path as "/". Relative URLs are resolved
    against base. Anything that is not an http(s) URL comes back stripped, unchanged."""
    text = url.strip()
    try:
        parts = urlsplit(urljoin(base, text) if base else text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return text
    host = parts.hostname.lower().rstrip(".")  # "example.com." is example.com
    if not host:
        return text
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    if parts.username is not None:
        credentials = parts.username + (f":{parts.password}" if parts.password is not None else "")
        host = f"{credentials}@{host}"
    kept = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name)
    ]
    query = urlencode(kept, safe="/:@!$'()*,;") if kept else ""
    if not _query_changed(parts.query, kept):
        query = parts.query  # leave a clean query spelled as the site spells it
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def _query_changed(query: str, kept: list[tuple[str, str]]) -> bool:
    return len(kept) != len(parse_qsl(query, keep_blank_values=True))


# --------------------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class Response:
    """A complete 2xx response body, within the size limit."""

    url: str  # after redirects
    status: int
    content_type: str  # media type only, lower-cased; "" when not given
    charset: str  # from the Content-Type header; "" when not given
    content: bytes


def open_client(settings: FetchSettings) -> httpx.Client:
    """One connection pool for a run; close it (or use it as a context manager) when done."""
    return httpx.Client(
        follow_redirects=True,
        max_redirects=settings.max_redirects,
        timeout=httpx.Timeout(settings.timeout),
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
            "text/html;q=0.9, */*;q=0.5",
        },
    )


def retry_delay(attempt: int, retry_after: str | None, settings: FetchSettings) -> float:
    """Seconds to wait before retry number attempt (0 for the first retry).

    The server's Retry-After (seconds or an HTTP date) wins when given, within
    max_retry_after; otherwise backoff doubles with each attempt, within the same cap.
    """
    asked = _retry_after_seconds(retry_after) if retry_after else None
    delay = asked if asked is not None else settings.backoff * (2**attempt)
    return max(0.0, min(delay, settings.max_retry_after))


def _retry_after_seconds(value: str) -> float | None:
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return (when - dt.datetime.now(dt.UTC)).total_seconds()


class _Attempt(Exception):
    """One failed attempt: what to report, and whether trying again could help."""

    def __init__(self, problem: str, fix: str, *, retry: bool, retry_after: str | None = None):
        super().__init__(problem)
        self.problem = problem
        self.fix = fix
        self.retry = retry
        self.retry_after = retry_after


def get(
    client: httpx.Client,
    url: str,
    settings: FetchSettings,
    sleep: Callable[[float], None] = time.sleep,
) -> Response:
    """GET url, retrying 429, 5xx, timeouts and dropped connections with backoff.

    Raises InputError naming the URL and what failed. Other 4xx are never retried.
    """
    attempts = settings.retries + 1
    for attempt in range(attempts):
        try:
            return _get_once(client, url, settings)
        except _Attempt as failure:
            if not failure.retry or attempt + 1 == attempts:
                tried = f" (after {attempt + 1} attempts)" if attempt else ""
                raise InputError(url, failure.problem + tried, failure.fix) from None
            delay = retry_delay(attempt, failure.retry_after, settings)
            logger.info("%s: %s; retrying in %.1f s", url, failure.problem, delay)
            sleep(delay)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _get_once(client: httpx.Client, url: str, settings: FetchSettings) -> Response:
    try:
        with client.stream("GET", url) as response:
            status = response.status_code
            if status in _RETRY_STATUSES or status >= 400:
                raise _Attempt(
                    f"HTTP {status} {response.reason_phrase}".rstrip(),
                    _status_fix(status),
                    retry=status in _RETRY_STATUSES,
                    retry_after=response.headers.get("Retry-After"),
                )
            if not 200 <= status < 300:
                raise _Attempt(
                    f"HTTP {status} {response.reason_phrase}".rstrip(),
                    "give the URL of a feed or an article page",
                    retry=False,
                )
            content = _read_limited(response, settings.max_bytes)
            media, charset = _content_type(response.headers.get("Content-Type", ""))
            return Response(str(response.url), status, media, charset, content)
    except httpx.TooManyRedirects:
        raise _Attempt(
            f"more than {settings.max_redirects} redirects", "give the final URL", retry=False
        ) from None
    except httpx.TimeoutException:
        raise _Attempt(
            f"timed out after {settings.timeout:g} s",
            "try again later, or allow longer with --timeout",
            retry=True,
        ) from None
    except httpx.UnsupportedProtocol:
        raise _Attempt("not an http or https URL", "check the URL", retry=False) from None
    except httpx.InvalidURL as error:
        raise _Attempt(f"not a valid URL ({error})", "check the URL", retry=False) from None
    except httpx.DecodingError as error:
        raise _Attempt(
            f"response could not be decoded ({error})", "try again later", retry=False
        ) from None
    except httpx.ConnectError as error:
        raise _connect_failure(error) from None
    except httpx.TransportError as error:  # a dropped or garbled connection
        raise _Attempt(
            f"connection failed ({_first_line(error)})", "try again later", retry=True
        ) from None


def _status_fix(status: int) -> str:
    if status == 429 or status >= 500:
        return "the server is busy or failing; try again later"
    if status in (401, 403):
        return "the site refuses access; save the page from a browser instead"
    if status in (404, 410):
        return "check the URL"
    return "check the URL"


def _connect_failure(error: httpx.ConnectError) -> _Attempt:
    cause = _root_cause(error)
    if isinstance(cause, socket.gaierror):
        # A name that does not exist will not exist in a second either; a busy resolver may.
        temporary = cause.errno == socket.EAI_AGAIN
        return _Attempt("host name not found (DNS lookup failed)", "check the URL", retry=temporary)
    if isinstance(cause, ConnectionRefusedError) or (
        isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
    ):
        return _Attempt("connection refused", "check the URL, or try again later", retry=True)
    if isinstance(cause, ssl.SSLError):
        return _Attempt(
            f"TLS handshake failed ({_first_line(cause)})", "check the URL", retry=False
        )
    return _Attempt(
        f"could not connect ({_first_line(error)})", "check the URL, or try again later", retry=True
    )


def _root_cause(error: BaseException) -> BaseException:
    seen: set[int] = set()
    current = error
    while id(current) not in seen:
        seen.add(id(current))
        following = current.__cause__ or current.__context__
        if following is None:
            break
        current = following
    return current


def _first_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


def _read_limited(response: httpx.Response, limit: int) -> bytes:
    too_large = _Attempt(
        f"response is larger than {_size(limit)}", "give the URL of a single article", retry=False
    )
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    # Counted after decompression too, so a small gzip bomb cannot fill memory.
    for chunk in response.iter_bytes(_CHUNK):
        body.extend(chunk)
        if len(body) > limit:
            raise too_large
    return bytes(body)


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    if limit >= 1024:
        return f"{limit / 1024:g} KB"
    return f"{limit} bytes"


def _content_type(header: str) -> tuple[str, str]:
    media, _, parameters = header.partition(";")
    charset = ""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower()
    return media.strip().lower(), charset


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Fetched:
    """What a set of URLs gave, and what could not be had from them."""

    articles: tuple[Article, ...]  # url: canonical; path: the URL given (for messages)
    failed: tuple[Skipped, ...]  # URLs (or feed entries) that gave nothing usable
    notes: tuple[Skipped, ...] = ()  # kept with less than hoped, e.g. a summary for a page
    known: tuple[str, ...] = ()  # URLs given whose canonical form was in `stored`: not fetched


def fetch_articles(
    urls: Sequence[str],
    settings: FetchSettings,
    *,
    stored: Collection[str] = frozenset(),
    client: httpx.Client | None = None,
) -> Fetched:
    """Fetch each feed or page URL into articles; a failed URL is recorded, never raised.

    Pages whose canonical URL is in stored are not fetched: a page URL given is reported
    in `known`, and a feed entry keeps its summary rather than fetching its page.
    """
    if client is None:
        with open_client(settings) as own:
            return fetch_articles(urls, settings, stored=stored, client=own)
    run = _Run(client, settings, stored)
    for url in dict.fromkeys(text.strip() for text in urls):
        if canonical_url(url) in stored:
            run.known.append(url)
            continue
        try:
            run.read_url(url)
        except InputError as error:
            logger.debug("%s", error)
            run.failed.append(Skipped(url, _reason(error)))
    return Fetched(tuple(run.articles), tuple(run.failed), tuple(run.notes), tuple(run.known))


class _Run:
    """The state of one fetch: the client, and which canonical URLs it has already taken."""

    def __init__(self, client: httpx.Client, settings: FetchSettings, stored: Collection[str]):
        self.client = client
        self.settings = settings
        self.stored = stored
        self.articles: list[Article] = []
        self.failed: list[Skipped] = []
        self.notes: list[Skipped] = []
        self.known: list[str] = []
        self.taken: set[str] = set()

    def read_url(self, url: str) -> None:
        response = get(self.client, url, self.settings)
        kind = _kind(response)
        if kind == "feed":
            self.read_feed(url, response)
        elif kind == "page":
            self.add(_page_article(url, response))
        else:
            shown = response.content_type or "none given"
            raise InputError(
                url,
                f"is not a feed or a web page (content type {shown})",
                "give the URL of an RSS or Atom feed or of an article page",
            )

    def read_feed(self, url: str, response: Response) -> None:
        articles, failed = read_feed_data(url, response.content)
        self.failed.extend(failed)
        for article in articles:
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
        try:
            page = _page_article(entry.url, get(self.client, entry.url, self.settings))
        except InputError as error:
            self.notes.append(
                Skipped(entry.url, f"{_reason(error)}; kept the feed's summary instead")
            )
            return entry
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

    def add(self, article: Article) -> None:
        if article.url and article.url in self.taken:
            logger.info("%s: already read in this run (%s)", article.path, article.url)
            return
        if article.url:
            self.taken.add(article.url)
        self.articles.append(article)


def _reason(error: InputError) -> str:
    return f"{error.problem}; {error.fix}" if error.fix else error.problem


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


def _page_article(url: str, response: Response) -> Article:
    if not response.content.strip():
        raise InputError(url, "the server sent an empty page", "check the URL")
    data = _as_utf8(response)
    article = read_page_data(url, data)
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
        return data.decode(codec.name).encode("utf-8")
    except (LookupError, UnicodeDecodeError):
        return data  # let the page's own declaration, or the UTF-8 error, speak


def _canonical_link(data: bytes, base: str) -> str:
    """The page's own <link rel="canonical">, resolved and canonicalized; "" when absent."""
    try:
        root = lxml.html.fromstring(data)
    except (lxml.etree.ParserError, ValueError):
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


@dataclass(frozen=True)
class FetchResult:
    saved: tuple[Path, ...]  # files written, in the order fetched
    already: tuple[tuple[str, Path], ...]  # (canonical URL, file holding it) not written again
    failed: tuple[Skipped, ...]
    notes: tuple[Skipped, ...]


def fetch_into(
    urls: Sequence[str],
    into: Path,
    settings: FetchSettings,
    *,
    now: dt.datetime | None = None,
    client: httpx.Client | None = None,
) -> FetchResult:
    """Fetch the URLs and save each new article into the folder `into` as Markdown."""
    if into.exists() and not into.is_dir():
        raise OptionsError(f"--into {into} is a file, not a folder; give a folder")
    stored = stored_urls(into) if into.is_dir() else {}
    fetched = fetch_articles(urls, settings, stored=stored, client=client)
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
    return FetchResult(tuple(saved), tuple(already.items()), fetched.failed, fetched.notes)


def stored_urls(folder: Path) -> dict[str, Path]:
    """Canonical URL -> file, for every front-matter Markdown or text file under folder."""
    found: dict[str, Path] = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in {".md", ".markdown", ".txt"} or not path.is_file():
            continue
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        url = _front_matter_url(path)
        if url:
            found.setdefault(canonical_url(url), path)
    return found


def _front_matter_url(path: Path) -> str:
    try:
        with path.open("r", encoding="utf-8-sig", errors="replace") as handle:
            fence = handle.readline().rstrip()
            if fence not in ("+++", "---"):
                return ""
            closers = ("+++",) if fence == "+++" else ("---", "...")
            lines: list[str] = []
            for line in handle:
                if line.rstrip() in closers:
                    break
                lines.append(line)
            else:
                return ""
    except OSError as error:
        logger.warning("%s: cannot be read to check its url (%s)", path, error.strerror)
        return ""
    header = "".join(lines)
    fields: Any
    try:
        fields = tomllib.loads(header) if fence == "+++" else yaml.safe_load(header)
    except (tomllib.TOMLDecodeError, yaml.YAMLError, ValueError):
        return ""  # ingest reports the broken front matter when the folder is read
    if not isinstance(fields, dict):
        return ""
    url = fields.get("url") or fields.get("link")
    return url.strip() if isinstance(url, str) else ""


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


def article_markdown(article: Article, fetched_at: dt.datetime) -> str:
    """The article as +++ TOML front matter and its text, as ingest reads it back."""
    lines = ["+++", f"title = {toml_string(article.title)}"]
    if article.date is not None:
        lines.append(f"date = {article.date.isoformat()}")
    if article.source:
        lines.append(f"source = {toml_string(article.source)}")
    if article.url:
        lines.append(f"url = {toml_string(article.url)}")
    stamp = fetched_at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    lines.append(f"fetched_at = {stamp}Z")
    lines.append("+++")
    return "\n".join(lines) + "\n" + article.text.strip("\n") + "\n"


def toml_string(value: str) -> str:
    """A TOML basic string holding value exactly."""
    pieces = ['"']
    for char in value:
        if char in '"\\':
            pieces.append("\\" + char)
        elif char == "\n":
            pieces.append("\\n")
        elif char == "\t":
            pieces.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F or 0xD800 <= ord(char) <= 0xDFFF:
            # Control characters must be escaped; lone surrogates cannot be written at all.
            pieces.append(f"\\u{ord(char):04X}" if ord(char) < 0xD800 else "\\uFFFD")
        else:
            pieces.append(char)
    pieces.append('"')
    return "".join(pieces)


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
