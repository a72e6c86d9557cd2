"""Saved and fetched web pages: the article's text, title, date and site name.

A page is measured before it is parsed: libxml2 takes time quadratic in the attributes of
one element (60,000 of them: half a minute), and extraction grows faster than linearly in
the elements, so a page over InputLimits' element or attribute caps is refused, not parsed.
"""

from __future__ import annotations

import re
from typing import Any

import lxml.etree  # type: ignore[import-untyped, unused-ignore]
import lxml.html  # type: ignore[import-untyped, unused-ignore]
import trafilatura
from trafilatura.settings import Document as PageDocument

from briefer.errors import InputError
from briefer.ingest.decode import decode
from briefer.ingest.fields import hostname, make_article, site_name
from briefer.records import Article, InputLimits

# Only dates stated in the page's markup or URL: htmldate's extensive search would turn
# a copyright line or a stray year into a date, and a guess is worse than no date.
_HTML_DATE_PARAMS = {"original_date": True, "extensive_search": False}
_START_TAG = re.compile(r"<[A-Za-z][^<>]*")
# libxml2 compares each attribute of an element with those before it: 60,000 on one element
# took 34 s. Real markup has tens; at 1,000 an element costs ~10 ms.
ELEMENT_ATTRIBUTES = 1_000
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def read_page_data(where: str, data: bytes, limits: InputLimits | None = None) -> Article:
    """The article of a web page held in memory (a fetched page); InputError when none."""
    return read_html(where, decode(where, data, honour_declared=True), limits or InputLimits())


def check_markup(where: str, markup: str, limits: InputLimits, *, escaped: bool = False) -> None:
    """InputError when the markup has more elements or attributes than the limits allow, or
    one element more than ELEMENT_ATTRIBUTES. One linear pass over the start tags; nothing
    is parsed. With escaped (a feed), HTML escaped inside its fields counts too: each
    field's HTML is parsed in turn."""
    attributes = 0
    start = markup.count("&lt;") if escaped else 0  # an upper bound on the escaped tags
    if start > limits.max_html_elements:
        raise InputError(
            where,
            f"has more than {limits.max_html_elements:,} HTML elements",
            "split it, or raise the max_html_elements setting (--max-html-elements)",
        )
    for elements, match in enumerate(_START_TAG.finditer(markup), start + 1):
        if elements > limits.max_html_elements:
            raise InputError(
                where,
                f"has more than {limits.max_html_elements:,} HTML elements",
                "split it, or raise the max_html_elements setting (--max-html-elements)",
            )
        tag = match.group()
        if " " not in tag and "\n" not in tag and "\t" not in tag:
            continue
        # Words in a start tag bound its attributes from above; cheap, and never fooled low.
        words = len(tag.split()) - 1
        if words > ELEMENT_ATTRIBUTES:
            raise InputError(
                where,
                f"has an HTML element with more than {ELEMENT_ATTRIBUTES:,} attributes",
                "fix the page",
            )
        attributes += words
        if attributes > limits.max_html_attributes:
            raise InputError(
                where,
                f"has more than {limits.max_html_attributes:,} HTML attributes",
                "split it, or raise the max_html_attributes setting (--max-html-attributes)",
            )


def read_html(where: str, text: str, limits: InputLimits) -> Article:
    markup = _XML_DECLARATION.sub("", text, count=1)  # lxml refuses decoded text declaring one
    check_markup(where, markup, limits)
    page: Any = None
    body = ""
    try:
        extracted = trafilatura.bare_extraction(
            markup,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params=dict(_HTML_DATE_PARAMS),
        )
    except (ValueError, lxml.etree.LxmlError):
        # libxml2 refuses some text (a control character entity inside a script, say) that
        # the plain reader below copes with.
        extracted = None
    if isinstance(extracted, PageDocument):
        page = extracted
        body = _paragraphs_from_extraction(page.body)
    if not body:
        # trafilatura gives up on short pages and fragments; their visible text still counts.
        body = html_to_text(markup)
        try:
            page = trafilatura.extract_metadata(markup, date_config=dict(_HTML_DATE_PARAMS))
        except (ValueError, lxml.etree.LxmlError):
            page = None
    if not body:
        raise InputError(where, "no article text", "check that the page holds the article's text")
    url = str(getattr(page, "url", None) or "")
    name = str(getattr(page, "sitename", None) or "")
    fields = {
        "title": str(getattr(page, "title", None) or ""),
        "date": getattr(page, "date", None),
        "source": site_name(name) or str(getattr(page, "hostname", None) or "") or hostname(url),
        "url": url,
    }
    return make_article(where, fields, body, path=where, limits=limits)


_EXTRACTION_BLOCKS = frozenset(
    {"p", "head", "list", "item", "quote", "code", "table", "row", "div", "graphic"}
)
_EXTRACTION_BREAKS = frozenset({"lb"})


def _paragraphs_from_extraction(body: Any) -> str:
    if body is None:
        return ""
    pieces: list[str] = []
    _collect_text(
        body, pieces, blocks=_EXTRACTION_BLOCKS, breaks=_EXTRACTION_BREAKS, skip=frozenset()
    )
    return _join_paragraphs(pieces)


_HTML_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
        "table", "tr", "ul",
    }
)  # fmt: skip
_HTML_BREAKS = frozenset({"br"})
_HTML_INVISIBLE = frozenset(
    {"head", "script", "style", "noscript", "template", "svg", "iframe", "object", "title"}
)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML document or fragment, one blank-line-separated block per
    paragraph, list item or heading."""
    if not markup.strip():
        return ""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    try:
        root = lxml.html.fromstring(markup.encode("utf-8", errors="replace"), parser=parser)
    except (lxml.etree.LxmlError, ValueError):
        return ""
    pieces: list[str] = []
    _collect_text(root, pieces, blocks=_HTML_BLOCKS, breaks=_HTML_BREAKS, skip=_HTML_INVISIBLE)
    return _join_paragraphs(pieces)


def _collect_text(
    root: Any,
    pieces: list[str],
    *,
    blocks: frozenset[str],
    breaks: frozenset[str],
    skip: frozenset[str],
) -> None:
    """Text and tails in document order, with block boundaries marked. Iterative (events
    of a walk), so a page nested 100,000 deep costs no recursion."""
    skipping = 0  # depth inside an invisible element
    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""  # comments: no str tag
        name = tag.lower()
        hidden = not tag or name in skip
        if event == "start":
            if hidden:
                skipping += 1
            elif not skipping:
                if name in blocks:
                    pieces.append("\n\n")
                if name in breaks:
                    pieces.append("\n")
                if element.text:
                    pieces.append(element.text)
            continue
        if hidden:
            skipping -= 1
        elif not skipping:
            if name in blocks:
                pieces.append("\n\n")
            elif name == "cell":
                pieces.append(" ")
        if not skipping and element.tail:
            pieces.append(element.tail)


def _join_paragraphs(pieces: list[str]) -> str:
    paragraphs: list[str] = []
    for chunk in re.split(r"\n[^\S\n]*\n", "".join(pieces)):
        lines = [" ".join(line.split()) for line in chunk.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)
