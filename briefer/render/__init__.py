"""Render a Briefing as Markdown, HTML or plain text through Jinja templates.

The shipped templates live in the top-level `templates/` folder (carried in the wheel as
`briefer/templates/`). A user folder given with `--templates` is searched first, file by file,
so overriding `briefing.txt.j2` alone still renders Markdown and HTML from the shipped files.
Rendering never looks at the clock or the locale: the same Briefing gives the same bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import re
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2

from briefer import serialize
from briefer.errors import OptionsError, RenderError
from briefer.files import shipped_templates_dir
from briefer.options import FORMATS
from briefer.rank import corroboration, why_ranked
from briefer.records import OTHER_THEME, Briefing, Bullet, Cut, Story
from briefer.render.view import as_sentence, build_view, fallback, one_line

log = logging.getLogger(__name__)

TEXT_WIDTH = 78

# English month names, spelled out here rather than taken from strftime("%B"), which follows
# the process locale and would make the output depend on the machine.
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# What could start markup inside a line. "(", ")" and "!" are left alone: with "[" and "]"
# escaped they cannot form a link or image, and escaping them would clutter the raw file.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
# At the start of a list item or heading these would open a nested list, a quote or a rule
# (after "- ", a bullet reading "--" would make "- --", a thematic break).
_MD_LINE_START = re.compile(r"^([-+=]+|\d+[.)])(?=\s|$)")
# "&amp;" would be shown as "&": escape only what looks like an entity, so "AT&T" stays readable.
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_URL_SAFE_CHARS = "/:?#[]@!$&*+,;=%-._~"  # "'", "(", ")" and "<>\"" break md and txt links


def template_name(fmt: str) -> str:
    return f"briefing.{fmt}.j2"


# ---- filters --------------------------------------------------------------------------------


def long_date(value: dt.date | None, first_seen: dt.date | None = None) -> str:
    """`3 December 2024`; "undated" for None, or "date unknown, first seen 5 Dec" for an
    undated article placed by the day briefer first saw it (`--undated first-seen`)."""
    if value is None and first_seen is not None:
        return f"date unknown, first seen {first_seen.day} {MONTHS[first_seen.month - 1][:3]}"
    if value is None:
        return "undated"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def period_text(since: dt.date | None, until: dt.date) -> str:
    """`1–3 December 2024`, `28 November – 3 December 2024`, or `up to 3 December 2024`."""
    if since is None:
        return f"up to {long_date(until)}"
    if since == until:
        return long_date(until)
    if (since.year, since.month) == (until.year, until.month):
        return f"{since.day}–{long_date(until)}"
    if since.year == until.year:
        return f"{since.day} {MONTHS[since.month - 1]} – {long_date(until)}"
    return f"{long_date(since)} – {long_date(until)}"


def md_escape(text: str) -> str:
    """Text that Markdown shows as written: no emphasis, links, HTML or headings from data."""
    line = one_line(text)
    line = _MD_SPECIAL.sub(r"\\\1", line)
    line = _MD_ENTITY.sub(r"\\&", line)
    return _MD_LINE_START.sub(lambda match: match.group(1)[:-1] + "\\" + match.group(1)[-1], line)


def md_code(text: str) -> str:
    """An inline code span holding text verbatim, for file paths."""
    line = one_line(text)
    longest = max((len(run) for run in re.findall(r"`+", line)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space from each side, so a path starting with a backtick survives.
    pad = " " if line.startswith("`") or line.endswith("`") else ""
    return f"{fence}{pad}{line}{pad}{fence}"


# Whitespace or a control character anywhere: one regex search, not a loop per character
# (this runs for every article of a 10,000-article briefing).
_URL_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f]")


def safe_url(url: str) -> str:
    """The URL if it is http(s) with a host, else "": no `javascript:` or `data:` links."""
    candidate = str(url).strip()
    if not candidate or _URL_UNSAFE.search(candidate):
        return ""
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return quote(candidate, safe=_URL_SAFE_CHARS)


def plural(number: int, singular: str, plural_form: str | None = None) -> str:
    """`1 story`, `2 stories`."""
    word = singular if number == 1 else (plural_form or singular + "s")
    return f"{number} {word}"


def wrap(
    text: str, initial: str = "", subsequent: str | None = None, width: int = TEXT_WIDTH
) -> str:
    """Text wrapped for the plain-text format; URLs and long words are never split."""
    lines = textwrap.wrap(
        one_line(text),
        width=width,
        initial_indent=initial,
        subsequent_indent=initial if subsequent is None else subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(lines) if lines else initial.rstrip()


def underline(text: str, char: str = "-", width: int = TEXT_WIDTH) -> str:
    """Text wrapped, with a rule of `char` as long as its longest line beneath it."""
    wrapped = wrap(text, width=width)
    longest = max(len(line) for line in wrapped.splitlines()) if wrapped else 1
    return f"{wrapped}\n{char * longest}"


FILTERS: dict[str, Callable[..., Any]] = {
    "long_date": long_date,
    "md_escape": md_escape,
    "md_code": md_code,
    "safe_url": safe_url,
    "fallback": fallback,
    # A bullet as a sentence (a standfirst without a full stop gets one), for the ranking's
    # macros; the view does the same for the stories' bullets.
    "sentence": as_sentence,
    "plural": plural,
    "wrap": wrap,
    "underline": underline,
}


def _environment(templates: Path | None) -> jinja2.Environment:
    """The Jinja environment for a templates folder (None: the shipped templates only), built
    once and reused: its loaders notice a template changed on disk."""
    if templates is not None and not templates.is_dir():
        raise OptionsError(
            f"--templates {templates} is not a folder; give a folder holding briefing.*.j2 files"
        )
    # Keyed by the absolute path: a relative folder names another one after a chdir.
    return _cached_environment(templates.resolve() if templates is not None else None)


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, in its own folder of the system's temporary
    directory (one per user, private): compiling the four templates a Markdown run renders
    took ~25 ms of every run. Jinja keys each by its name and checks its source, so an edited
    template is compiled again. A cache that cannot be read or written is passed over: the
    template is compiled as before, and renders the same."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError, ValueError, EOFError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _compiled_templates() -> jinja2.BytecodeCache | None:
    try:
        return _CompiledTemplates()
    except (OSError, RuntimeError):  # no private temporary folder to be had
        return None


@functools.lru_cache(maxsize=8)
def _cached_environment(templates: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        loaders.append(jinja2.FileSystemLoader(templates))
    loaders.append(jinja2.FileSystemLoader(shipped_templates_dir()))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        bytecode_cache=_compiled_templates(),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2", "htm.j2", "xml.j2"),
            disabled_extensions=(),
            default_for_string=False,
            default=False,
        ),
    )
    env.filters.update(FILTERS)
    env.globals.update(
        period_text=period_text,
        other_theme=OTHER_THEME,
        # For the ranking's macros (templates/rank.*.j2), which work on the records.
        source_number=source_number,
        corroboration=corroboration,
        why_ranked=why_ranked,
    )
    return env


def source_number(story: Story, bullet: Bullet) -> int:
    """1-based place of the bullet's article among the story's sources; 0 if not among them."""
    for number, article in enumerate(story.articles, start=1):
        if article.id == bullet.article_id:
            return number
    return 0


def _context(briefing: Briefing, fmt: str, explain: bool, cut: Cut | None = None) -> dict[str, Any]:
    period = period_text(briefing.since, briefing.until)
    view = build_view(briefing, period, explain, cut)
    return {
        "view": view,
        "ranking": briefing.ranking,
        # Ranked: the stories listed one line each under "Also reported", by theme.
        "also_sections": view.also_sections,
        # The records themselves, for templates of one's own written before the view (or
        # wanting more than it shows): the themes with stories, and the stories in order.
        "briefing": briefing,
        "sections": tuple(section for section in briefing.sections if section.stories),
        "stories": briefing.stories,
        "coverage": briefing.coverage,
        "explain": explain,
        "fmt": fmt,
        "period": period,
    }


def _template_line(tb: TracebackType | None) -> tuple[str, int] | None:
    """The innermost template frame of a traceback Jinja has rewritten: (file, line)."""
    found: tuple[str, int] | None = None
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _render_error(name: str, exc: BaseException) -> RenderError:
    where = name
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = f"{exc.filename or exc.name or name} line {exc.lineno}"
        check = "check the tag and brace syntax on that line"
        problem = exc.message or str(exc)
    elif isinstance(exc, jinja2.TemplateNotFound):
        check = "check the template's include/extends names against the shipped templates"
        problem = f"template not found: {exc.name}"
    else:
        located = _template_line(exc.__traceback__)
        if located is not None:
            where = f"{located[0]} line {located[1]}"
        if isinstance(exc, jinja2.UndefinedError):
            check = (
                "check the variable and attribute names against the shipped "
                f"{name} in {shipped_templates_dir()}"
            )
        else:
            check = "check the expressions and filters on that line"
        problem = str(exc) or type(exc).__name__
    return RenderError(f"template {where} failed to render: {one_line(problem)}; {check}")


def _render_with(
    env: jinja2.Environment,
    briefing: Briefing,
    fmt: str,
    explain: bool,
    cut: Cut | None = None,
) -> str:
    if fmt not in FORMATS:
        raise OptionsError(
            f"format {fmt!r} is not a briefing format; choose from {', '.join(FORMATS)}"
        )
    if fmt == "json":
        # Data, not layout: no template, so every field (the theme terms included) is there.
        return briefing_json(briefing)
    name = template_name(fmt)
    try:
        template = env.get_template(name)
        log.debug("rendering %s from %s", fmt, template.filename)
        return template.render(_context(briefing, fmt, explain, cut))
    except Exception as exc:  # any failure inside a template is the template's problem
        raise _render_error(name, exc) from exc


def briefing_json(briefing: Briefing) -> str:
    """The briefing as JSON (briefer.serialize's form, the store's too), links made safe."""
    return serialize.briefing_json(briefing, url=safe_url)


def render(
    briefing: Briefing,
    fmt: str,
    templates: Path | None = None,
    explain: bool = False,
    cut: Cut | None = None,
) -> str:
    """The briefing in one format ("md", "html" or "txt"), from the user's templates folder
    when it has that format's template, else from the shipped one. `cut`, for a shortened
    email, says what the whole briefing holds, so the email can name what it leaves out."""
    return _render_with(_environment(templates), briefing, fmt, explain, cut)


def render_all(
    briefing: Briefing, formats: Sequence[str], templates: Path | None = None, explain: bool = False
) -> list[tuple[str, str]]:
    """(format, text) for each format, in order; one Environment shared across them."""
    env = _environment(templates)
    return [(fmt, _render_with(env, briefing, fmt, explain)) for fmt in formats]


INDEX_TEMPLATE = "index.md.j2"


def render_index(entries: Sequence[Any], templates: Path | None = None) -> str:
    """The Markdown index of an output folder's briefings (IndexEntry records, newest first),
    from the user's index.md.j2 when the templates folder has one."""
    env = _environment(templates)
    try:
        template = env.get_template(INDEX_TEMPLATE)
        return template.render(entries=tuple(entries))
    except Exception as exc:  # any failure inside a template is the template's problem
        raise _render_error(INDEX_TEMPLATE, exc) from exc
