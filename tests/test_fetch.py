"""Fetching feeds and pages from a real HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from conftest import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

import briefer
from briefer.errors import EXIT_USAGE, InputError, OptionsError
from briefer.ingest import read_file, read_inputs
from briefer.ingest.fetch import fetch_articles, fetch_into, stored_urls
from briefer.ingest.frontmatter import article_markdown, toml_string
from briefer.ingest.http import USER_AGENT, Response, canonical_url, get, open_client, retry_delay
from briefer.options import FetchSettings, is_url
from briefer.records import Article

WEB = Path(__file__).parent / "fixtures" / "web"
PLACEHOLDER = b"http://localhost.test"
SLOW_SECONDS = 1.0

# Tiny delays: the behaviour (how many attempts, what is reported) is what is tested.
FAST = FetchSettings(timeout=0.3, retries=2, backoff=0.01, max_retry_after=0.05, max_bytes=64_000)


# --------------------------------------------------------------------------- the server


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    # Responses given before the one above, one per request, for flaky endpoints.
    before: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    delay: float = 0.0
    trickle: float = 0.0  # seconds between single bytes of the body (a hostile server)
    raw: bytes = b""  # sent as is, one byte per `trickle` seconds, instead of a response
    length: bool = True  # send Content-Length (else the body ends when the connection closes)


class Site:
    """The routes served and every request seen, shared with the handler threads."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: Counter[str] = Counter()
        self.agents: list[str] = []
        self.lock = threading.Lock()
        self.base = ""

    def fixture(self, name: str) -> bytes:
        return (WEB / name).read_bytes().replace(PLACEHOLDER, self.base.encode())

    def url(self, path: str) -> str:
        return self.base + path


def make_handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with site.lock:
                site.seen[self.path] += 1
                site.agents.append(self.headers.get("User-Agent", ""))
                route = site.routes.get(self.path.split("?")[0]) or site.routes.get(self.path)
                early = route.before.pop(0) if route and route.before else None
            if route is None:
                self.reply(404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>")
                return
            if early is not None:
                status, headers = early
                self.reply(status, {"Content-Type": "text/html", **headers}, b"<p>busy</p>")
                return
            if route.delay:
                time.sleep(route.delay)
            if route.raw or route.trickle:
                self.trickle(route)
                return
            headers = {"Content-Type": route.content_type, **route.headers}
            self.reply(route.status, headers, route.body, length=route.length)

        def reply(
            self, status: int, headers: dict[str, str], body: bytes, *, length: bool = True
        ) -> None:
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if length:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout or a size limit): that is the test

        def trickle(self, route: Route) -> None:
            if route.raw:
                data = route.raw
            else:
                head = f"HTTP/1.1 200 OK\r\nContent-Type: {route.content_type}\r\n"
                data = (head + f"Content-Length: {len(route.body)}\r\n\r\n").encode()
                self.wfile.write(data)
                data = route.body
            try:
                for byte in data:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(route.trickle)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up: that is the test

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output quiet

    return Handler


@pytest.fixture(scope="module")
def server() -> Iterator[Site]:
    site = Site()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(site))
    httpd.daemon_threads = True
    site.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def site(server: Site) -> Site:
    """The module's server with this test's routes only and a clean request count."""
    server.routes = standard_routes(server)
    server.seen.clear()
    server.agents.clear()
    return server


def page(site: Site, name: str) -> Route:
    return Route(site.fixture(name))


def standard_routes(site: Site) -> dict[str, Route]:
    strike = "/news/2024/12/03/port-halden-strike-ends"
    return {
        "/feeds/world.rss": Route(site.fixture("world.rss"), content_type="application/rss+xml"),
        "/feeds/business.atom": Route(
            site.fixture("business.atom"), content_type="application/atom+xml; charset=utf-8"
        ),
        # Feeds are often served as text/xml or even text/html: the bytes decide.
        "/feeds/business-as-html": Route(site.fixture("business.atom"), content_type="text/html"),
        "/feeds/broken.rss": Route(site.fixture("broken.rss"), content_type="text/xml"),
        strike: page(site, "port-strike.html"),
        "/articles/rail-order": page(site, "rail-order.html"),
        "/articles/full-entry": page(site, "rail-order.html"),
        "/old/port-strike": Route(
            status=301, headers={"Location": f"{strike}?utm_source=twitter&utm_medium=social"}
        ),
        "/loop/a": Route(status=302, headers={"Location": "/loop/b"}),
        "/loop/b": Route(status=302, headers={"Location": "/loop/a"}),
        "/flaky-429": Route(site.fixture("rail-order.html"), before=[(429, {"Retry-After": "1"})]),
        "/flaky-500": Route(site.fixture("rail-order.html"), before=[(500, {}), (500, {})]),
        "/always-503": Route(status=503, body=b"<p>down</p>"),
        "/forbidden": Route(status=403, body=b"<p>no</p>"),
        "/huge": Route(b"<html><body>" + b"<p>word</p>" * 20_000 + b"</body></html>"),
        "/huge-unsized": Route(
            b"<html><body>" + b"<p>word</p>" * 20_000 + b"</body></html>", length=False
        ),
        "/slow": Route(site.fixture("rail-order.html"), delay=SLOW_SECONDS),
        # Each byte well within the read timeout, the whole far beyond any deadline.
        "/trickle": Route(site.fixture("rail-order.html"), trickle=0.05),
        "/trickle-headers": Route(raw=b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000, trickle=0.05),
        "/retry-after-forever": Route(
            status=503, body=b"<p>down</p>", headers={"Retry-After": "99999"}
        ),
        "/report.pdf": Route(
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", content_type="application/pdf"
        ),
        "/empty": Route(b""),
        "/latin1": Route(
            (
                "<html><head><title>Caf\u00e9 owners protest</title></head><body><article>"
                "<h1>Caf\u00e9 owners protest new terrace rules</h1>"
                "<p>Owners of caf\u00e9s in the old town protested on Monday against new rules "
                "that limit the size of terraces on narrow streets and squares.</p>"
                "<p>The council said the rules would keep pavements clear for pedestrians.</p>"
                "</article></body></html>"
            ).encode("iso-8859-1"),
            content_type="text/html; charset=ISO-8859-1",
        ),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def fetch(site: Site, *paths: str, settings: FetchSettings = FAST) -> tuple[list[Article], dict]:
    result = fetch_articles([site.url(path) for path in paths], settings)
    failures = {item.path.removeprefix(site.base): item.reason for item in result.failed}
    return list(result.articles), failures


def get_one(site: Site, path: str, settings: FetchSettings = FAST) -> Response:
    with open_client(settings) as client:
        return get(client, site.url(path), settings)


def fetch_error(site: Site, path: str, settings: FetchSettings = FAST) -> str:
    with pytest.raises(InputError) as caught:
        get_one(site, path, settings)
    assert caught.value.path == site.url(path)
    return str(caught.value)


# --------------------------------------------------------------------------- canonical URLs


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "HTTPS://WWW.Example.COM:443/a/b?utm_source=x&id=3#top",
            "https://www.example.com/a/b?id=3",
        ),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("https://ex.com/p?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ref=nav", "https://ex.com/p"),
        ("https://ex.com/p?page=2&utm_medium=feed&UTM_Campaign=y", "https://ex.com/p?page=2"),
        ("https://ex.com/p?b=2&a=1", "https://ex.com/p?b=2&a=1"),  # order kept: it may matter
        ("https://ex.com/search?q=a%20b&ref_src=twsrc", "https://ex.com/search?q=a+b"),
        ("  https://ex.com/p?  ", "https://ex.com/p"),
        ("https://user:pw@Ex.com/p", "https://user:pw@ex.com/p"),
        ("http://[::1]:8000/x", "http://[::1]:8000/x"),
        ("mailto:desk@example.com", "mailto:desk@example.com"),
        ("http://[::1/x", "http://[::1/x"),  # not a URL at all: returned as given
        ("HTTP://News.Example.COM./a", "http://news.example.com/a"),
        ("HTTP://./a", "HTTP://./a"),
        ("HTTP://0/ ?", "http://0/"),  # an empty query's "?" left off, and the space before it
    ],
)
def test_canonical_url(given: str, expected: str) -> None:
    assert canonical_url(given) == expected


def test_canonical_url_resolves_relative_links_against_the_page() -> None:
    base = "https://news.example/world/2024/story?utm_source=rss"
    assert canonical_url("/world/other?ref=x", base) == "https://news.example/world/other"
    assert canonical_url("next#more", base) == "https://news.example/world/2024/next"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80) | st.from_regex(r"https?://[a-zA-Z0-9.:\[\]@-]{0,20}/[ -~]{0,30}"))
def test_canonical_url_never_raises_and_is_idempotent(text: str) -> None:
    once = canonical_url(text)
    assert canonical_url(once) == once
    assert is_url(once) == is_url(text)


def test_is_url() -> None:
    assert is_url("https://news.example/feed.xml")
    assert is_url("HTTP://news.example")
    assert not is_url("samples")
    assert not is_url("news.example/feed.xml")
    assert not is_url("ftp://news.example/feed.xml")
    assert not is_url("file:///tmp/feed.xml")
    assert not is_url("http://[::1")


# --------------------------------------------------------------------------- retry timing


def test_retry_delay_doubles_and_honours_retry_after_within_the_cap() -> None:
    settings_ = FetchSettings(backoff=0.5, max_retry_after=30)
    assert [retry_delay(attempt, None, settings_) for attempt in range(4)] == [0.5, 1, 2, 4]
    assert retry_delay(0, "7", settings_) == 7
    assert retry_delay(0, "3600", settings_) == 30
    assert retry_delay(0, "soon", settings_) == 0.5  # unreadable: plain backoff
    in_ten = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=10)
    http_date = in_ten.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 8 <= retry_delay(0, http_date, settings_) <= 10
    assert retry_delay(0, "Mon, 01 Jan 2001 00:00:00 GMT", settings_) == 0
    assert retry_delay(9, None, settings_) == 30


# --------------------------------------------------------------------------- HTTP behaviour


def test_user_agent_names_briefer_and_its_version(site: Site) -> None:
    get_one(site, "/articles/rail-order")
    assert site.agents == [USER_AGENT]
    assert USER_AGENT.startswith("briefer/") and "(+http" in USER_AGENT


def test_redirects_are_followed_and_the_canonical_link_wins(site: Site) -> None:
    [article], failures = fetch(site, "/old/port-strike")
    assert failures == {}
    assert article.url == site.url("/news/2024/12/03/port-halden-strike-ends")
    assert article.path == site.url("/old/port-strike")
    assert article.title == "Dock workers end two-week strike after pay deal at Port Halden"
    assert article.date == dt.date(2024, 12, 3)
    assert article.source == "The Meridian"
    assert "ending a two-week strike" in article.text
    # The page's furniture is not the article.
    for furniture in ("Subscribe", "Privacy policy", "Most read", "Skip to main content"):
        assert furniture not in article.text


def test_a_page_without_canonical_link_is_known_by_its_final_url(site: Site) -> None:
    [article], _ = fetch(site, "/articles/rail-order?utm_source=newsletter&id=4#comments")
    assert article.url == site.url("/articles/rail-order?id=4")
    assert article.source == "Harbourline"
    assert article.date == dt.date(2024, 12, 4)


def test_redirect_loop_is_reported_after_the_limit(site: Site) -> None:
    message = fetch_error(site, "/loop/a")
    assert "more than 5 redirects" in message
    assert site.seen["/loop/a"] + site.seen["/loop/b"] == 6


def test_429_waits_for_retry_after_within_the_cap_then_succeeds(site: Site) -> None:
    capped = FetchSettings(timeout=2, retries=2, backoff=0, max_retry_after=0.2)
    started = time.monotonic()
    response = get_one(site, "/flaky-429", capped)
    assert response.status == 200
    assert site.seen["/flaky-429"] == 2
    # Retry-After said 1 s; the cap allows 0.2 s, and backoff alone would wait 0 s.
    assert time.monotonic() - started >= 0.2


def test_500_twice_then_200_succeeds_on_the_third_attempt(site: Site) -> None:
    assert get_one(site, "/flaky-500").status == 200
    assert site.seen["/flaky-500"] == 3


def test_5xx_that_persists_fails_after_every_retry(site: Site) -> None:
    message = fetch_error(site, "/always-503")
    assert "HTTP 503 Service Unavailable (after 3 attempts)" in message
    assert site.seen["/always-503"] == 3


@pytest.mark.parametrize(("path", "status"), [("/missing", "404 Not Found"), ("/forbidden", "403")])
def test_other_4xx_fail_at_once_without_retry(site: Site, path: str, status: str) -> None:
    message = fetch_error(site, path)
    assert f"HTTP {status}" in message
    assert "attempts" not in message
    assert site.seen[path] == 1


@pytest.mark.parametrize("path", ["/huge", "/huge-unsized"])
def test_a_body_over_the_size_limit_is_an_error(site: Site, path: str) -> None:
    message = fetch_error(site, path)
    assert "response is larger than 64,000 bytes" in message
    assert site.seen[path] == 1


def test_a_slow_server_times_out_and_is_retried(site: Site) -> None:
    one_retry = FetchSettings(timeout=0.2, retries=1, backoff=0.01)
    message = fetch_error(site, "/slow", one_retry)
    assert "timed out after 0.2 s (after 2 attempts)" in message
    assert site.seen["/slow"] == 2


@pytest.mark.parametrize("path", ["/trickle", "/trickle-headers"])
def test_a_trickling_server_is_cut_off_at_the_deadline_per_url(site: Site, path: str) -> None:
    # Every read comes within the 0.3 s timeout; only the deadline for the URL can end it.
    bounded = FetchSettings(timeout=0.3, retries=2, backoff=0.01, deadline=1.0)
    message = fetch_error(site, path, bounded)
    assert "took longer than 1 s in all" in message
    assert site.seen[path] == 1  # not retried: the time is spent


def test_a_retry_after_beyond_the_deadline_is_not_waited_for(site: Site) -> None:
    message = fetch_error(site, "/retry-after-forever", FetchSettings(timeout=2, retries=3))
    assert "HTTP 503" in message and "no time left to retry within 16 s" in message
    assert "the server asks to wait '99999' s" in message
    assert site.seen["/retry-after-forever"] == 1


def test_trickling_and_stalling_urls_beside_a_good_one_through_the_cli(
    site: Site, tmp_path: Path
) -> None:
    code, _out, err = run_cli(
        "fetch", site.url("/trickle"), site.url("/retry-after-forever"),
        site.url("/articles/rail-order"), "--into", str(tmp_path),
        "--timeout", "0.5", "--retries", "1",
    )  # fmt: skip
    assert code == 1
    [saved] = tmp_path.glob("*.md")
    assert "Northway Rail orders 40 trains" in saved.read_text(encoding="utf-8")
    assert f"{site.url('/trickle')}: took longer than 2 s in all" in err
    assert f"{site.url('/retry-after-forever')}: HTTP 503" in err
    assert "no time left to retry within 2 s (the server asks to wait '99999' s)" in err


def test_connection_refused_is_named_and_retried() -> None:
    url = f"http://127.0.0.1:{free_port()}/feed.xml"
    result = fetch_articles([url], FAST)
    [failure] = result.failed
    assert failure.path == url
    assert failure.reason.startswith("connection refused (after 3 attempts)")


def test_dns_failure_is_named_and_not_retried() -> None:
    # A resolver that answers "no such name" at once, so no lookup ever leaves the machine.
    calls: list[str] = []

    def no_such_host(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        try:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        except socket.gaierror as cause:
            raise httpx.ConnectError("[Errno -2] Name or service not known") from cause

    client = httpx.Client(transport=httpx.MockTransport(no_such_host))
    result = fetch_articles(["https://no-such-host.invalid/feed"], FAST, client=client)
    assert [item.reason for item in result.failed] == [
        "host name not found (DNS lookup failed); check the URL"
    ]
    assert len(calls) == 1


def test_not_a_feed_or_page_and_empty_pages_fail(site: Site) -> None:
    articles, failures = fetch(site, "/report.pdf", "/empty")
    assert articles == []
    assert failures["/report.pdf"].startswith(
        "is not a feed or a web page (content type application/pdf)"
    )
    assert failures["/empty"].startswith("the server sent an empty page")


def test_charset_from_the_http_header_is_honoured(site: Site) -> None:
    [article], _ = fetch(site, "/latin1")
    assert article.title == "Café owners protest new terrace rules"
    assert "cafés in the old town" in article.text


# --------------------------------------------------------------------------- feeds


def test_rss_feed_fetches_pages_for_short_entries_only(site: Site) -> None:
    result = fetch_articles([site.url("/feeds/world.rss")], FAST)
    by_title = {article.title: article for article in result.articles}
    assert list(by_title) == [
        "Dock workers end two-week strike after pay deal at Port Halden",
        "Northway Rail orders 40 trains in £1.2bn deal",
        "Floods force thousands from homes along the lower Varna river",
        "Museum closes for renovation",
    ]
    strike = by_title["Dock workers end two-week strike after pay deal at Port Halden"]
    # A one-line teaser: the page's full text replaces it, under the page's canonical URL.
    assert "About 2,300 of the union's 2,900 members" in strike.text
    assert strike.url == site.url("/news/2024/12/03/port-halden-strike-ends")
    assert strike.source == "The Meridian – World"
    assert strike.date == dt.date(2024, 12, 3)
    assert strike.path == site.url("/feeds/world.rss")
    # A relative entry link is resolved against the feed's address.
    rail = by_title["Northway Rail orders 40 trains in £1.2bn deal"]
    assert rail.url == site.url("/articles/rail-order")
    assert "largest placed by a regional operator" in rail.text
    # Full content in the feed: its page is never requested.
    floods = by_title["Floods force thousands from homes along the lower Varna river"]
    assert "Volunteers filled sandbags" in floods.text
    assert site.seen["/articles/full-entry"] == 0
    # A teaser whose page is gone keeps the teaser, with a note; nothing fails.
    museum = by_title["Museum closes for renovation"]
    assert museum.text == (
        "The city museum will close for two years from January while its roof is replaced."
    )
    assert result.failed == ()
    assert [(note.path, note.reason.split(";")[0]) for note in result.notes] == [
        (site.url("/gone"), "HTTP 404 Not Found")
    ]


def test_entry_pages_can_be_switched_off(site: Site) -> None:
    no_pages = FetchSettings(timeout=1, retries=0, entry_pages=False)
    articles, _ = fetch(site, "/feeds/world.rss", settings=no_pages)
    assert len(articles) == 4
    assert sum(site.seen.values()) == 1
    assert articles[0].text.startswith("Container traffic is expected")
    # The entry's URL is still canonical.
    assert articles[0].url == site.url("/news/2024/12/03/port-halden-strike-ends")


@pytest.mark.parametrize("path", ["/feeds/business.atom", "/feeds/business-as-html"])
def test_atom_feed_with_full_content(site: Site, path: str) -> None:
    articles, failures = fetch(site, path)
    assert failures == {}
    assert [article.title for article in articles] == [
        "Grain prices climb as dry autumn cuts harvest forecast",
        "Brightwater Energy shares fall after profit warning",
    ]
    assert articles[0].url == site.url("/business/grain-prices?id=77")
    assert articles[0].date == dt.date(2024, 12, 3)
    assert sum(site.seen.values()) == 1  # the feed only


def test_malformed_feed_yields_what_it_can_and_is_read_with_warnings(site: Site) -> None:
    result = fetch_articles([site.url("/feeds/broken.rss")], FAST)
    assert result.articles[0].title == "Council approves budget for new cycle lanes"
    [warning] = result.warnings
    assert warning.path == site.url("/feeds/broken.rss")
    assert warning.reason.startswith("read with warnings (")
    assert "not well-formed XML" in warning.reason
    assert site.url("/feeds/broken.rss") not in {item.path for item in result.failed}


def test_a_page_reached_twice_in_one_run_is_read_once(site: Site) -> None:
    articles, _ = fetch(
        site, "/old/port-strike", "/feeds/world.rss", "/news/2024/12/03/port-halden-strike-ends"
    )
    urls = [article.url for article in articles]
    assert urls.count(site.url("/news/2024/12/03/port-halden-strike-ends")) == 1
    assert site.seen["/news/2024/12/03/port-halden-strike-ends"] == 1


def test_one_failed_url_does_not_stop_the_others(site: Site) -> None:
    articles, failures = fetch(site, "/missing", "/articles/rail-order", "/report.pdf")
    assert [article.title for article in articles] == [
        "Northway Rail orders 40 trains in £1.2bn deal"
    ]
    assert set(failures) == {"/missing", "/report.pdf"}


def test_read_inputs_takes_urls_beside_files(site: Site, tmp_path: Path) -> None:
    (tmp_path / "local.txt").write_text("Local headline\nLocal text.\n", encoding="utf-8")
    result = read_inputs([tmp_path], [site.url("/feeds/business.atom"), site.url("/gone")], FAST)
    assert [article.title for article in result.articles] == [
        "Local headline",
        "Grain prices climb as dry autumn cuts harvest forecast",
        "Brightwater Energy shares fall after profit warning",
    ]
    assert [(item.path, item.reason) for item in result.failed] == [
        (site.url("/gone"), "HTTP 404 Not Found; check the URL")
    ]


# --------------------------------------------------------------------------- saving


NOW = dt.datetime(2024, 12, 5, 7, 30, tzinfo=dt.UTC)


def test_fetch_into_saves_front_matter_markdown_that_ingest_reads_back(
    site: Site, tmp_path: Path
) -> None:
    result = fetch_into([site.url("/old/port-strike")], tmp_path, FAST, now=NOW)
    [path] = result.saved
    assert path.parent == tmp_path
    assert path.name.startswith("2024-12-03-dock-workers-end-two-week-strike-after-pay-deal-at")
    text = path.read_text(encoding="utf-8")
    header = tomllib.loads(text.split("+++\n")[1])
    assert header == {
        "title": "Dock workers end two-week strike after pay deal at Port Halden",
        "date": dt.date(2024, 12, 3),
        "source": "The Meridian",
        "url": site.url("/news/2024/12/03/port-halden-strike-ends"),
        "fetched_at": NOW,
    }
    [fetched] = fetch_articles([site.url("/old/port-strike")], FAST).articles
    [stored] = read_file(path)
    assert (stored.title, stored.date, stored.source, stored.url) == (
        fetched.title, fetched.date, fetched.source, fetched.url
    )  # fmt: skip
    assert stored.id == fetched.id
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_fetching_again_stores_nothing_twice_and_rewrites_nothing(
    site: Site, tmp_path: Path
) -> None:
    urls = [site.url("/feeds/world.rss"), site.url("/articles/rail-order")]
    first = fetch_into(urls, tmp_path, FAST, now=NOW)
    assert len(first.saved) == 4  # the rail page is also an entry of the feed: stored once
    contents = {path: path.read_bytes() for path in first.saved}
    site.seen.clear()

    later = NOW + dt.timedelta(days=1)
    again = fetch_into(
        [*urls, site.url("/news/2024/12/03/port-halden-strike-ends?utm_source=x")],
        tmp_path,
        FAST,
        now=later,
    )
    assert again.saved == ()
    assert len(again.already) == 4  # each URL once, however often it was met
    assert {path: path.read_bytes() for path in tmp_path.iterdir()} == contents
    # Pages already stored are not fetched again: only the feed itself is.
    assert dict(site.seen) == {"/feeds/world.rss": 1}


def test_stored_urls_reads_toml_and_yaml_front_matter(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        '+++\ntitle = "A"\nurl = "HTTPS://Ex.com/a?utm_source=x"\n+++\nText.\n', encoding="utf-8"
    )
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text(
        "---\ntitle: B\nlink: https://ex.com/b\n---\nText.\n", encoding="utf-8"
    )
    (tmp_path / "c.md").write_text("+++\nurl = broken\n+++\nText.\n", encoding="utf-8")
    (tmp_path / "d.md").write_text("No front matter\nhttps://ex.com/d\n", encoding="utf-8")
    assert stored_urls(tmp_path) == {
        "https://ex.com/a": tmp_path / "a.md",
        "https://ex.com/b": tmp_path / "sub" / "b.txt",
    }


def test_a_name_clash_with_another_url_keeps_both_files(site: Site, tmp_path: Path) -> None:
    first = fetch_into([site.url("/articles/rail-order")], tmp_path, FAST, now=NOW)
    [path] = first.saved
    original = path.read_text(encoding="utf-8")
    # Same title and date, same name, but a different URL in its front matter.
    path.write_text(original.replace("/articles/rail-order", "/elsewhere"), encoding="utf-8")
    second = fetch_into([site.url("/articles/rail-order")], tmp_path, FAST, now=NOW)
    [other] = second.saved
    assert other != path and other.name.endswith("-2.md")


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(max_size=60),
    source=st.text(max_size=30),
    url=st.text(max_size=40),
    text=st.text(min_size=1, max_size=200).filter(lambda value: value.strip()),
)
def test_article_markdown_round_trips_every_field(
    title: str, source: str, url: str, text: str
) -> None:
    article = Article(
        id="x", title=title, date=dt.date(2024, 1, 2), source=source, url=url, text=text, path="p"
    )
    markdown = article_markdown(article, NOW)
    header, _, body = markdown.removeprefix("+++\n").partition("\n+++\n")
    fields = tomllib.loads(header)
    assert fields["title"] == title
    assert fields.get("source", "") == source
    assert fields.get("url", "") == url
    assert fields["date"] == dt.date(2024, 1, 2)
    assert fields["fetched_at"] == NOW
    assert body == text.strip("\n") + "\n"


def test_toml_string_escapes_what_toml_requires() -> None:
    value = 'a "quoted" \\ back\nslash\ttab \x00 \x7f é'
    assert tomllib.loads(f"v = {toml_string(value)}")["v"] == value


# --------------------------------------------------------------------------- command line


def test_fetch_command_saves_reports_and_sets_the_exit_code(site: Site, tmp_path: Path) -> None:
    code, out, err = run_cli(
        "fetch", site.url("/feeds/business.atom"), site.url("/missing"), "--into", str(tmp_path)
    )
    assert code == 1
    saved = [Path(line) for line in out.splitlines()]
    assert len(saved) == 2 and all(path.parent == tmp_path for path in saved)
    assert f"briefer: failed {site.url('/missing')}: HTTP 404 Not Found; check the URL" in err
    assert "2 saved, 0 already stored, 1 failed" in err

    code, out, err = run_cli("fetch", site.url("/feeds/business.atom"), "--into", str(tmp_path))
    assert (code, out) == (0, "")
    assert "0 saved, 2 already stored, 0 failed" in err


def test_fetch_command_saves_into_the_first_configured_input_folder(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "briefer.toml").write_text(
        'input = ["digest.jsonl", "news", "https://feeds.example/world.rss"]\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    for name in ("BRIEFER_CONFIG", "BRIEFER_INPUT"):
        monkeypatch.delenv(name, raising=False)
    code, out, err = run_cli("fetch", site.url("/articles/rail-order"))
    assert code == 0, err
    [saved] = [Path(line) for line in out.splitlines()]
    assert saved.parent.resolve() == (tmp_path / "news").resolve()


def test_fetch_command_reads_pages_within_the_configured_limits(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "briefer.toml").write_text("max_html_elements = 10\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BRIEFER_CONFIG", raising=False)
    url = site.url("/articles/rail-order")
    code, out, err = run_cli("fetch", url, "--into", "news")
    assert (code, out) == (1, "")
    assert f"briefer: failed {url}: has more than 10 HTML elements" in err
    assert "raise the max_html_elements setting (--max-html-elements)" in err
    monkeypatch.setenv("BRIEFER_MAX_HTML_ELEMENTS", "30000")  # the variable over the file
    code, out, err = run_cli("fetch", url, "--into", "news")
    assert code == 0 and len(out.splitlines()) == 1, err


def test_fetch_command_rejects_what_is_not_a_url(tmp_path: Path) -> None:
    code, _, err = run_cli("fetch", "samples/feed.xml", "--into", str(tmp_path))
    assert code == 2
    assert "'samples/feed.xml' is not an http or https URL" in err


@pytest.mark.parametrize(
    ("urls", "flags", "given"),
    [
        (["samples/feed.xml"], [], {}),
        (["https://news.example/feed.xml"], ["--timeout", "0"], {"timeout": 0}),
        (["https://news.example/feed.xml"], ["--retries", "-1"], {"retries": -1}),
    ],
)
def test_the_api_checks_fetch_options_as_the_command_line_does(
    urls: list[str], flags: list[str], given: dict[str, float], tmp_path: Path
) -> None:
    # The checks are the core's (options.fetch_settings): one message, either way in.
    code, _, err = run_cli("fetch", *urls, *flags, "--into", str(tmp_path))
    assert code == EXIT_USAGE
    with pytest.raises(OptionsError) as raised:
        briefer.fetch(urls, into=tmp_path, **given)
    assert err.strip() == f"briefer: error: {raised.value}"
    assert list(tmp_path.iterdir()) == []


def test_fetch_through_the_api_saves_as_the_command_does(site: Site, tmp_path: Path) -> None:
    result = briefer.fetch(site.url("/feeds/business.atom"), into=tmp_path)
    assert len(result.saved) == 2 and result.failed == ()
    code, out, err = run_cli("fetch", site.url("/feeds/business.atom"), "--into", str(tmp_path))
    assert (code, out) == (0, "")
    assert "0 saved, 2 already stored, 0 failed" in err


def test_make_takes_feed_and_page_urls_as_inputs(site: Site, tmp_path: Path) -> None:
    code, _, err = run_cli(
        "make", "--since", "2024-12-01", "--until", "2024-12-05",
        "--input", site.url("/feeds/business.atom"),
        "--input", site.url("/articles/rail-order"),
        "--input", site.url("/gone"),
        "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert code == 1, err
    assert f"skipped {site.url('/gone')}: HTTP 404 Not Found" in err
    briefing = (tmp_path / "out" / "2024-12-05.md").read_text(encoding="utf-8")
    assert "Grain prices climb" in briefing
    assert "Northway Rail orders 40 trains" in briefing
    assert "Articles read: 3" in briefing
    assert site.url("/gone") in briefing and "HTTP 404 Not Found" in briefing
    assert not list(tmp_path.glob("*.md"))  # fetched for the run, never stored


def test_themes_reads_feed_and_page_urls_as_make_does(site: Site, tmp_path: Path) -> None:
    # `briefer themes` takes the same --input values as `make`: a URL is fetched, not dropped.
    code, out, err = run_cli(
        "themes", "--themes", str(FEEDS / "themes.toml"),
        "--input", site.url("/feeds/business.atom"),
        "--input", site.url("/articles/rail-order"),
        "--input", site.url("/gone"),
    )  # fmt: skip
    assert code == 1, err
    assert f"skipped {site.url('/gone')}: HTTP 404 Not Found" in err
    assert "Grain prices climb" in out
    assert "Northway Rail orders 40 trains" in out


# --------------------------------------------------------------------------- a folder of feeds

FEEDS = Path(__file__).parent / "fixtures" / "feeds"


def test_make_on_a_folder_of_news_feeds_reports_the_malformed_one(tmp_path: Path) -> None:
    code, out, err = run_cli(
        "make", "--since", "2024-12-01", "--until", "2024-12-05", "--input", str(FEEDS),
        "--out", str(tmp_path), "--format", "md,txt",
    )  # fmt: skip
    assert code == 1  # written, but an input failed
    assert out.splitlines() == [str(tmp_path / "2024-12-05.md"), str(tmp_path / "2024-12-05.txt")]
    broken = str(FEEDS / "valley-courier-broken.xml")
    # Read leniently past an XML error: a warning with the count, not a failed file.
    assert f"{broken}: read with warnings (2 of 3 entries)" in err
    assert f"skipped {broken}: " not in err
    assert f"skipped {broken}:3: no article text" in err
    markdown = (tmp_path / "2024-12-05.md").read_text(encoding="utf-8")
    # RSS 2.0 with CDATA, Atom with html and xhtml content, RSS 1.0 (RDF) in ISO-8859-1 with
    # dc:date, and the two entries the malformed feed still gives.
    for title in (
        "Dock workers end two-week strike after pay deal at Port Halden",
        "Northway Rail orders 40 trains in £1.2bn deal",
        "Grain prices climb as dry autumn cuts harvest forecast",
        "Ferry service to Skarvø resumes after storm repairs",
        "New children's wing opens at Ålvik hospital",
        "Council approves budget for new cycle lanes",
        "Library reopens after flood repairs & new reading room",
    ):
        assert title in markdown, title
    assert "## Transport" in markdown and "## Weather and emergencies" in markdown
    assert "Articles read: 10" in markdown
    assert "Files that failed: 1" in markdown
    assert "Read with warnings: 1" in markdown
    assert "`" + broken + "`: read with warnings (2 of 3 entries): the feed is not" in markdown
    assert "<p>" not in markdown and "CDATA" not in markdown
    text = (tmp_path / "2024-12-05.txt").read_text(encoding="utf-8")
    assert "valley-courier-broken.xml" in text
