"""HTTP for the URL reader: one spelling per URL, and GET with retries inside a total
deadline per URL.

Every wait is bounded: httpx's timeout bounds each connect and each read, and a watchdog
bounds the whole URL (all attempts, reads and waits): when it fires it shuts the socket,
so a server trickling one byte a second cannot hold a run. A Retry-After longer than
FetchSettings.max_retry_after, or one that would pass the deadline, is not waited for.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import errno
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx

from briefer import __version__
from briefer.errors import InputError
from briefer.ingest.decode import size_text
from briefer.options import FetchSettings
from briefer.safe_text import one_line, shown

logger = logging.getLogger(__name__)

PROJECT_URL = "https://pypi.org/project/briefer/"
USER_AGENT = f"briefer/{__version__} (+{PROJECT_URL})"

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
_RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))


# --------------------------------------------------------------------------- URLs


def canonical_url(url: str, base: str = "") -> str:
    """One spelling per page: scheme and host lower-cased, default port, fragment and
    tracking parameters dropped, an empty path as "/". Relative URLs are resolved
    against base. Anything that is not an http(s) URL comes back stripped, unchanged."""
    text = url.strip()
    try:
        parts = urlsplit(urljoin(base, text) if base else text)
        if "#" in text:  # without its fragment it may end in a space ("http://a/ #"): strip it
            parts = urlsplit(urlunsplit((*parts[:4], "")).strip())
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
    # Without an empty query's "?" ("http://a/ ?") it may end in a space too: stripped, as a
    # second reading would strip it, so that a canonical URL is its own canonical URL.
    return urlunsplit((scheme, host, parts.path or "/", query, "")).rstrip()


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
    """One client for a run; close it (or use it as a context manager) when done.

    Connections are not kept alive between requests: each request's socket is then known
    to its deadline's watchdog (see _Deadline), which a pooled connection would not be.
    """
    return httpx.Client(
        follow_redirects=True,
        max_redirects=settings.max_redirects,
        timeout=httpx.Timeout(settings.timeout),
        limits=httpx.Limits(max_keepalive_connections=0),
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
        return float(text) if len(text) < 12 else float("inf")
    if len(text) > 64:  # an HTTP date is 29 characters
        return None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    try:
        return (when - dt.datetime.now(dt.UTC)).total_seconds()
    except OverflowError:
        return None


class _Attempt(Exception):
    """One failed attempt: what to report, and whether trying again could help."""

    def __init__(self, problem: str, fix: str, *, retry: bool, retry_after: str | None = None):
        super().__init__(problem)
        self.problem = problem
        self.fix = fix
        self.retry = retry
        self.retry_after = retry_after


class _Deadline:
    """The time one URL may take in all. While an attempt runs, a watchdog timer shuts the
    attempt's sockets when the time is up, so a blocked read returns at once."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def left(self) -> float:
        return self.ends - time.monotonic()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace hook: remember each new connection's socket."""
        if event.endswith(("connect_tcp.complete", "start_tls.complete")):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                with self._lock:
                    self._sockets.append(sock)
                    if self.expired:
                        self._shut(sock)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)

    def failure(self) -> _Attempt:
        return _Attempt(
            f"took longer than {self.seconds:g} s in all",
            "try again later, or allow longer with FetchSettings.deadline",
            retry=False,
        )


def get(
    client: httpx.Client,
    url: str,
    settings: FetchSettings,
    sleep: Callable[[float], None] = time.sleep,
) -> Response:
    """GET url, retrying 429, 5xx, timeouts and dropped connections with backoff, all within
    settings.url_deadline() seconds.

    Raises InputError naming the URL and what failed. Other 4xx are never retried.
    """
    deadline = _Deadline(settings.url_deadline())
    attempts = settings.retries + 1
    for attempt in range(attempts):
        try:
            return _get_within(client, url, settings, deadline)
        except _Attempt as failure:
            if not failure.retry or attempt + 1 == attempts:
                tried = f" (after {attempt + 1} attempts)" if attempt else ""
                raise InputError(url, failure.problem + tried, failure.fix) from None
            delay = retry_delay(attempt, failure.retry_after, settings)
            if delay >= deadline.left():
                asked = (
                    f" (the server asks to wait {shown(failure.retry_after, 30)} s)"
                    if (failure.retry_after)
                    else ""
                )
                raise InputError(
                    url,
                    f"{failure.problem}; no time left to retry within {deadline.seconds:g} s"
                    + asked,
                    failure.fix,
                ) from None
            logger.info("%s: %s; retrying in %.1f s", url, failure.problem, delay)
            sleep(delay)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _get_within(
    client: httpx.Client, url: str, settings: FetchSettings, deadline: _Deadline
) -> Response:
    left = deadline.left()
    if left <= 0:
        raise deadline.failure()
    watchdog = threading.Timer(left, deadline.expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        return _get_once(client, url, settings, deadline)
    except _Attempt:
        if deadline.expired:
            raise deadline.failure() from None
        raise
    finally:
        watchdog.cancel()


def _get_once(
    client: httpx.Client, url: str, settings: FetchSettings, deadline: _Deadline
) -> Response:
    try:
        with client.stream("GET", url, extensions={"trace": deadline.trace}) as response:
            status = response.status_code
            if status in _RETRY_STATUSES or status >= 400:
                raise _Attempt(
                    f"HTTP {status} {one_line(response.reason_phrase, 100)}".rstrip(),
                    _status_fix(status),
                    retry=status in _RETRY_STATUSES,
                    retry_after=response.headers.get("Retry-After"),
                )
            if not 200 <= status < 300:
                raise _Attempt(
                    f"HTTP {status} {one_line(response.reason_phrase, 100)}".rstrip(),
                    "give the URL of a feed or an article page",
                    retry=False,
                )
            content = _read_limited(response, settings.max_bytes, deadline)
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
        raise _Attempt(
            f"not a valid URL ({_first_line(error)})", "check the URL", retry=False
        ) from None
    except httpx.DecodingError as error:
        raise _Attempt(
            f"response could not be decoded ({_first_line(error)})", "try again later", retry=False
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
    return one_line(str(error), 200) or type(error).__name__


def _read_limited(response: httpx.Response, limit: int, deadline: _Deadline) -> bytes:
    too_large = _Attempt(
        f"response is larger than {size_text(limit)}",
        "give the URL of a single article",
        retry=False,
    )
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    # Counted after decompression too, so a small gzip bomb cannot fill memory.
    # Each piece as it arrives (no buffering to a chunk size), so the deadline is checked
    # between reads even when a server trickles.
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if len(body) > limit:
            raise too_large
        if deadline.left() <= 0:
            raise deadline.failure()
    return bytes(body)


def _content_type(header: str) -> tuple[str, str]:
    media, _, parameters = header.partition(";")
    charset = ""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower()
    return media.strip().lower(), charset
