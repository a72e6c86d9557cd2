"""The pipeline's stages, memoized in the article store (briefer.store): the pipeline asks
`Cache` for a stage's result and hands it the function that works the result out; it never
decides what the briefing says. Here too are the keys: what decides each stage's result
(an article's summary, a grouping, a story, a whole run's briefing), each salted with the
code (`code_salt`), so a changed cleaner, scorer or furniture list never serves stale results.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import logging
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import astuple, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from briefer.deliver.index import RECORDS_DIR
from briefer.files import shipped_templates_dir
from briefer.records import (
    Article,
    Briefed,
    Briefing,
    Grouped,
    KnownRows,
    Listed,
    MakeOptions,
    Placement,
    StoredRows,
    Story,
    StoryTerms,
    Summarized,
    Theme,
    Told,
)
from briefer.serialize import compact
from briefer.stamps import (
    code_salt,
    file_key,
    file_stamp,
    hash_parts,
    parts_digest,
    text_digest,
)
from briefer.store import Store, store_path

_Item = TypeVar("_Item")  # what a stage works a value out of (an article, a story)
_Value = TypeVar("_Value")  # what it works out (a summary, what a story says)
# Summaries told ahead (Cache.summarized_ahead) stored together: one look in the store for
# the keys it holds already per this many, as many as one query asks for (store._BATCH).
_AHEAD_BATCH = 500

# ---- the keys: what decides each stage's result ---------------------------------------------

log = logging.getLogger(__name__)


def summary_key(
    article: Article,
    sentences: int,
    words: int | None,
    algorithm: str,
    digest: str | None = None,
) -> str:
    """What decides an article's cleaned blocks and chosen sentences: its title and text (by
    their stamps.text_digest: `digest` when had already), the summary options and the code.
    Date, source, url and path do not, so a re-dated or moved copy of an article reuses the
    work."""
    head = _summary_head(sentences, words, algorithm)
    if digest is None:
        digest = text_digest(article.title, article.text)
    return parts_digest(digest, start=head).hexdigest()


@lru_cache(maxsize=8)
def _summary_head(sentences: int, words: int | None, algorithm: str) -> hashlib.blake2b:
    """The hash state after a summary key's first parts, the same for every article of a
    run: each key copies it (the 10,000 keys of the 10k bench texts: 43-47 -> 37 ms of CPU)."""
    return parts_digest(code_salt(), "summary", str(sentences), str(words), algorithm)


def grouping_key(shown: Sequence[bytes], themes: Sequence[Theme]) -> str:
    """What decides the grouping: every article's record as shown (all fields but the text)
    with its summary key (which covers the text and the summary options), in order
    (Cache._shown), and the themes."""
    return _reports_key([code_salt(), _themes_data(themes)], shown)


def run_key(
    listed: Listed,
    options: MakeOptions,
    themes: Sequence[Theme],
    history: Sequence[Briefed],
    stamps: dict[Path, str] | None = None,
) -> str | None:
    """What decides a whole run's ranked briefing, known before any file is read: every
    input file with its stamp (as the files table trusts it), the walk's problems, the
    options that shape the briefing (not those that only render it), the themes, and the
    earlier briefings it is ranked against. None when a run cannot be keyed so: URLs are
    fetched afresh every run, and a file that cannot be stamped is read (and reported) again.

    Undated articles are placed by the day they were first seen: those days are not in the
    key (which undated articles there are is known only once the files are read) but stored
    with the briefing, which is served only while the store still gives the same days.
    stamps: filled with each file's stamp, for the store's lookup not to take them again."""
    if options.urls:
        return None
    digest = hashlib.blake2b(digest_size=16)
    settings = [
        code_salt(),
        str(options.since),
        str(options.until),
        options.undated,
        options.sentences,
        options.words,
        options.algorithm,
        options.minutes,
        options.max_stories,
        options.top,
        options.new_only,
        list(astuple(options.limits)),
        _themes_data(themes),
        [[s.path, s.reason] for s in (*listed.failed, *listed.ignored)],
        [[str(b.date), sorted(b.articles), sorted(b.bullets)] for b in history],
    ]
    digest.update(compact(settings).encode("utf-8", "surrogatepass"))
    cwd = os.getcwd()
    for path in listed.paths:
        stamp = file_stamp(path)
        if stamp is None:
            return None
        if stamps is not None:
            stamps[path] = stamp
        digest.update(f"\x01{file_key(path, cwd)}\x00{stamp}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def outputs_key(run: str, options: MakeOptions) -> str:
    """What decides the files `make` writes from the briefing of a run key, besides the other
    files in the output folder (folder_state): the formats, --explain, the templates (the
    shipped ones and the user's, by content) and the output folder."""
    digest = hashlib.blake2b(digest_size=16)
    formats = list(dict.fromkeys(options.formats))
    head = [code_salt(), "outputs", run, formats, options.explain, os.getcwd(), str(options.out)]
    digest.update(compact(head).encode("utf-8", "surrogatepass"))
    for folder in (shipped_templates_dir(), options.templates):
        digest.update(b"\x02")
        if folder is not None and folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    digest.update(
                        f"{path.relative_to(folder)}\x00".encode("utf-8", "surrogatepass")
                    )
                    digest.update(path.read_bytes())
                    digest.update(b"\x01")
    return digest.hexdigest()


def folder_state(out: Path) -> str | None:
    """Every file in the output folder and in its records folder (deliver.index: the index is
    made of them) with its stamp, hashed; None when the folder cannot be listed. Hidden files
    (another run's temporary files) are left out."""
    digest = hashlib.blake2b(digest_size=16)
    for folder in (out, out / RECORDS_DIR):
        try:
            names = sorted(entry.name for entry in os.scandir(folder))
        except OSError:
            return None
        for name in names:
            if not name.startswith("."):
                stamp = file_stamp(folder / name)
                digest.update(
                    f"{folder.name}/{name}\x00{stamp}\x01".encode("utf-8", "surrogatepass")
                )
    return digest.hexdigest()


def _themes_data(themes: Sequence[Theme]) -> list[list[object]]:
    """The themes as they enter a key: all of each theme that placing reads."""
    return [[t.name, t.description, list(t.keywords)] for t in themes]


def _reports_key(head: Sequence[object] | bytes, shown: Sequence[bytes]) -> str:
    """A hash of head and of reports as shown (Cache._shown), in order: a grouping's or a
    story's key. head may come encoded (_encoded), once for all of a run's stories."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(head if isinstance(head, bytes) else _encoded(head))
    for report in shown:
        digest.update(report)
        digest.update(b"\x01")
    return digest.hexdigest()


def _encoded(head: Sequence[object]) -> bytes:
    return compact(head).encode("utf-8", "surrogatepass")


# ---- the stages, memoized ---------------------------------------------------------------------


@dataclass(frozen=True)
class CacheStats:
    """What a run took from the article store rather than working out itself."""

    files_reused: int = 0  # input files whose articles came from the store, unparsed
    summarized: int = 0  # articles cleaned and summarized by this run
    summaries_reused: int = 0  # articles whose summary came from the store
    grouping_reused: bool = False  # stories and sections taken from the store whole
    briefing_reused: bool = False  # the whole ranked briefing taken from the store
    stories_told: int = 0  # stories whose headline, bullets and copies this run worked out
    summaries_read: int = 0  # summaries this run read from the store
    rows_reused: int = 0  # articles whose grouping rows came from the store (not read again)


class Cache:
    """The pipeline's stages, memoized in the article store; with no store (`--no-cache`, or
    one that cannot be had) each stage is simply worked out."""

    def __init__(self, store: Store | None) -> None:
        self.store = store
        self._summarized = 0
        self._summaries_reused = 0
        self._grouping_reused = False
        self._briefing_reused = False
        self._seen: dict[str, dt.date] = {}  # the first-seen days this run placed articles by
        # The first-seen days the briefing the store keeps for this run depends on; None while
        # the store keeps none (add_written then records nothing).
        self._stored_seen: dict[str, dt.date] | None = None
        self._stories_told = 0
        self._worked: set[str] = set()  # summary keys this run worked out
        self._summaries_read = 0
        self._rows_reused = 0
        # Worked out once per article and run: each hashes or encodes the article.
        self._summary_keys: dict[tuple[str, str, tuple[int, int | None, str]], str] = {}
        self._shown_memo: dict[tuple[Article, tuple[int, int | None, str]], bytes] = {}
        # The summary keys of articles whose texts were let go (without_texts), by the article
        # without its text.
        self._bare_keys: dict[tuple[Article, tuple[int, int | None, str]], str] = {}
        # Summaries worked out ahead of the summarizing's own lookups (the reading workers'),
        # or by it chunk by chunk, stored as they came in (summarized_ahead): neither looked
        # up nor stored again when the summarizing asks for them.
        self._stored_ahead: set[str] = set()
        self._ahead: list[tuple[str, Summarized]] = []  # told, not yet stored
        # The last stories' reports whose keys were made, and their reports as shown.
        self._last_shown: (
            tuple[tuple[tuple[Article, ...], ...], tuple[int, int | None, str], list[bytes]] | None
        ) = None

    @property
    def stats(self) -> CacheStats:
        return CacheStats(
            files_reused=self.store.files_reused if self.store is not None else 0,
            summarized=self._summarized,
            summaries_reused=self._summaries_reused,
            grouping_reused=self._grouping_reused,
            briefing_reused=self._briefing_reused,
            stories_told=self._stories_told,
            summaries_read=self._summaries_read,
            rows_reused=self._rows_reused,
        )

    def _summary_key(self, article: Article, length: tuple[int, int | None, str]) -> str:
        """summary_key, worked out once per article and run (it hashes the whole text)."""
        if not article.text:  # its text let go (without_texts) or never read (Store.lookup)
            key = self._bare_keys.get((article, length))
            if key is None and self.store is not None:
                digest = self.store.elided_digest(article)
                if digest is not None:
                    key = summary_key(article, *length, digest=digest)
                    self._bare_keys[article, length] = key
            if key is not None:
                return key
        memo = (article.title, article.text, length)
        key = self._summary_keys.get(memo)
        if key is None:
            # The store has the digest of an article it read or wrote the file of.
            digest = self.store.text_digest(article) if self.store is not None else None
            key = self._summary_keys[memo] = summary_key(article, *length, digest=digest)
        return key

    def without_texts(
        self, articles: Sequence[Article], length: tuple[int, int | None, str]
    ) -> list[Article]:
        """The articles with their texts let go (text ""), once summarized: every later
        stage reads their cleaned blocks and summaries, and their keys here are those of
        their texts (remembered by the article without its text). The main process then
        holds no article's text through grouping (~81 MB at 30,000 articles, issue 13). An
        article that would equal another's copy without text (the same fields, the text
        different only in white space: one file's re-post) keeps its text."""
        keys = [self._summary_key(article, length) for article in articles]
        bare = [dataclasses.replace(article, text="") for article in articles]
        found: dict[tuple[Article, tuple[int, int | None, str]], set[str]] = {}
        for article, key in zip(bare, keys, strict=True):
            found.setdefault((article, length), set()).add(key)
            if (earlier := self._bare_keys.get((article, length))) is not None:
                found[article, length].add(earlier)
        result = []
        for original, article, key in zip(articles, bare, keys, strict=True):
            if len(found[article, length]) > 1 or not original.text:
                result.append(original)
                continue
            self._bare_keys[article, length] = key
            # The memos held the text (and the article with it): kept by the bare article.
            self._summary_keys.pop((original.title, original.text, length), None)
            shown = self._shown_memo.pop((original, length), None)
            if shown is not None:
                self._shown_memo[article, length] = shown
            result.append(article)
        return result

    def _story_keys(
        self,
        reports: Sequence[tuple[Article, ...]],
        length: tuple[int, int | None, str],
        max_bullets: int,
        head: Sequence[object],
    ) -> list[str]:
        """Each story's key: its reports as shown, in order, with their summary keys (what
        tell_story and placements read, and nothing else), under `head`."""
        start = hashlib.blake2b(_encoded([code_salt(), *head, max_bullets]), digest_size=16)
        keys = []
        for shown in self._reports_shown(reports, length):
            digest = start.copy()  # as _reports_key: the head, then each report and a 1
            digest.update(shown)
            keys.append(digest.hexdigest())
        return keys

    def _reports_shown(
        self, reports: Sequence[tuple[Article, ...]], length: tuple[int, int | None, str]
    ) -> list[bytes]:
        """Each story's reports as shown (_shown), each followed by the byte 1, joined: what
        its keys hash after their head. Kept for the last reports asked about, which the
        stories' and the placements' keys both are (~0.05 s a list at 10,000 articles; the
        comparison finds the same report tuples by identity, at once)."""
        given = tuple(reports)
        last = self._last_shown
        if last is not None and last[0] == given and last[1] == length:
            return last[2]
        joined = [b"".join([self._shown(a, length) + b"\x01" for a in s]) for s in given]
        self._last_shown = (given, length, joined)
        return joined

    def _shown(self, article: Article, length: tuple[int, int | None, str]) -> bytes:
        """An article's record as shown with its summary key, encoded once per run."""
        memo = (article, length)
        found = self._shown_memo.get(memo)
        if found is None:
            # Every field but the text (as serialize.article_data shows an article), and the
            # summary key; a tuple's repr is unambiguous and a third of JSON's cost.
            a = article
            shown = (a.id, a.title, a.date, a.first_seen, a.source, a.url, a.path)
            data = (*shown, self._summary_key(article, length))
            found = self._shown_memo[memo] = repr(data).encode("utf-8", "surrogatepass")
        return found

    def briefing(self, key: str | None, files: int, work_out: Callable[[], Briefing]) -> Briefing:
        """The whole run's briefing: from the store under key (nothing else is read: the
        stats then count all `files` and every article in the period as reused), or by
        work_out and then stored, when it was made from every input without a problem (a
        failed or half-read input is read and reported again by the next run, and undated
        articles left out, by `--undated skip` or by the day first seen, are warned about
        again)."""
        if self.store is None or key is None:
            return work_out()
        remembered = self.store.briefing(key)
        if remembered is not None:
            self._briefing_reused = self._grouping_reused = True
            self.store.files_reused = files
            self._summaries_reused = remembered[0].coverage.in_period
            self._stored_seen = remembered[1]
            return remembered[0]
        briefing = work_out()
        coverage = briefing.coverage
        # Each of these is told on stderr by the run that finds it: such a run is made anew.
        if not (
            coverage.failed or coverage.warnings or coverage.undated or coverage.first_seen_outside
        ):
            self.store.add_briefing(key, briefing, self._seen)
            self._stored_seen = dict(self._seen)
        return briefing

    def written(self, key: str | None, options: MakeOptions, files: int) -> list[Path] | None:
        """The briefing files an earlier run under the same run key and output options wrote
        (add_written), when everything in the output folder is as that run left it (same
        names and stamps: the index lists the folder's briefings) and the first-seen days
        its briefing placed undated articles by are still the store's: writing again would
        give the same bytes. None otherwise. files: the input files, as briefing counts them."""
        if self.store is None or key is None:
            return None
        record = self.store.outputs(outputs_key(key, options))
        if record is None:
            return None
        try:
            if record["folder"] != folder_state(options.out):
                return None
            seen = {str(k): dt.date.fromisoformat(v) for k, v in record["seen"].items()}
            paths = [Path(path) for path in record["paths"]]
            in_period = int(record["in_period"])
        except (KeyError, TypeError, ValueError, AttributeError):
            self.store.damaged += 1
            return None
        if self.store.seen_days(list(seen)) != seen:
            return None
        self._briefing_reused = self._grouping_reused = True
        self.store.files_reused = files
        self._summaries_reused = in_period
        return paths

    def add_written(
        self, key: str | None, options: MakeOptions, briefing: Briefing, paths: Sequence[Path]
    ) -> None:
        """Remember the files this run wrote of a briefing the store keeps (briefing), for
        `written` to find next time."""
        if self.store is None or key is None or self._stored_seen is None:
            return
        state = folder_state(options.out)
        if state is not None:
            record = {
                "folder": state,
                "seen": {i: day.isoformat() for i, day in sorted(self._stored_seen.items())},
                "paths": [str(path) for path in paths],
                "in_period": briefing.coverage.in_period,
            }
            self.store.add_outputs(outputs_key(key, options), record)

    def first_seen(self, articles: Sequence[Article], today: dt.date) -> dict[str, dt.date]:
        ids = [article.id for article in articles]
        if self.store is None:
            return dict.fromkeys(ids, today)
        days = self.store.first_seen(ids, today)
        self._seen.update(days)  # what a stored briefing depends on
        return days

    def summarized_ahead(
        self, article: Article, value: Summarized, *, length: tuple[int, int | None, str]
    ) -> None:
        """A summary just worked out, by a reading worker (parallel.Ahead.each) or by the
        summarizing (parallel.Summarizer's each), stored now unless the store has it already:
        the row is then written while the rest are worked on, a run that fails part-way keeps
        it (save), and `summaries` neither looks it up nor stores it again. What is stored,
        and what the stats count, are as when it is stored by `summaries`."""
        if self.store is None or value.problem:
            return
        self._ahead.append((self._summary_key(article, length), value))
        if len(self._ahead) >= _AHEAD_BATCH:
            self._store_ahead()

    def save(self, records: bool = True) -> None:
        """Write what the run worked out and has not written yet: the summaries told ahead
        and not yet handed to the store, and the store's pending rows (Store.save; records
        false for a run that failed: its first-seen days are not kept)."""
        if self.store is not None:
            self._store_ahead()
            self.store.save(records)

    def _store_ahead(self) -> None:
        if self.store is None or not self._ahead:
            return
        # Let go of only once all are handed over: a Ctrl-C part-way leaves them to the
        # failure path's save, which hands over the rest (500 were lost so, checked).
        todo = self._ahead
        held = self.store.held("summaries", [key for key, _ in todo])
        for key, value in todo:
            if key not in held and key not in self._stored_ahead:
                self.store.add_summary(key, value)
                self._stored_ahead.add(key)
        self._ahead = []

    def summaries(
        self,
        articles: Sequence[Article],
        length: tuple[int, int | None, str],
        work_out: Callable[[Sequence[Article]], list[Summarized]],
    ) -> list[Summarized]:
        """Each article's Summarized, in order: from the store, or by work_out (called once,
        with each missing text once) and then stored (unless stored as it was worked out:
        summarized_ahead)."""
        self._store_ahead()
        keys = [self._summary_key(article, length) for article in articles]
        lookup = [key for key in keys if key not in self._stored_ahead]
        known = self.store.summaries(lookup) if self.store is not None else {}
        store = self.store
        if store is not None:  # the bullets would read a text the store did not give
            for article, key in zip(articles, keys, strict=True):
                value = known.get(key)
                if value is not None and value.leans is None and store.elided_digest(article):
                    del known[key]
        self._summaries_reused += sum(key in known for key in keys)
        self._summaries_read += len(known)

        def work_out_read(todo: Sequence[Article]) -> list[Summarized]:
            # A text let go (without_texts) is never summarized again: that would be "".
            # One the store's lookup left out (Store.lookup) is read back from the store.
            elided = [store is not None and store.elided_digest(a) is not None for a in todo]
            if any(
                not a.text and (a, length) in self._bare_keys and not held
                for a, held in zip(todo, elided, strict=True)
            ):
                raise RuntimeError("an article's text was let go before it was summarized")
            if store is not None and any(elided):
                todo = store.with_texts(todo)
            return work_out(todo)

        worked = _work_out_missing(known, keys, articles, work_out_read)
        self._store_ahead()  # those told as worked out (summarized_ahead): stored once
        for key, value in worked.items():
            if self.store is not None and not value.problem and key not in self._stored_ahead:
                self.store.add_summary(key, value)
        self._summarized += len(worked)
        self._worked.update(worked)
        return [known[key] for key in keys]

    def stories(
        self,
        reports: Sequence[tuple[Article, ...]],
        max_bullets: int,
        work_out: Callable[[Sequence[tuple[Article, ...]]], list[Told]],
        *,
        length: tuple[int, int | None, str],
    ) -> list[Told]:
        """What each story says, in order: from the store, or by work_out (called once, with
        the stories not there) and then stored. A story's key is its reports as shown, in
        order, with their summary keys: what tell_story reads, and nothing else."""
        if self.store is None:
            return work_out(reports)
        keys = self._story_keys(reports, length, max_bullets, ["story"])
        known = self.store.stories(keys)
        worked = _work_out_missing(known, keys, reports, work_out)
        for key, value in worked.items():
            self.store.add_story(key, value)
        self._stories_told = len(worked)
        return [known[key] for key in keys]

    def placements(
        self,
        reports: Sequence[tuple[Article, ...]],
        work_out: Callable[[Sequence[tuple[Article, ...]]], list[Placement]],
        *,
        themes: Sequence[Theme],
        length: tuple[int, int | None, str],
    ) -> list[Placement]:
        """Where each story is filed, in order: from the store, or by work_out (called once,
        with the stories not there) and then stored. A story is placed on its own words and
        the themes alone (group.themes.placements): its key is its reports as shown, with
        their summary keys, and the themes."""
        if self.store is None:
            return work_out(reports)
        head = ["placement", _themes_data(themes)]
        keys = self._story_keys(reports, length, 0, head)
        known = self.store.placements(keys)
        for key, value in _work_out_missing(known, keys, reports, work_out).items():
            self.store.add_placement(key, value)
        return [known[key] for key in keys]

    def _with_patterns(self, themes: Sequence[Theme], work_out: Callable[[], Grouped]) -> Grouped:
        """work_out(), placing the stories by the themes' patterns the store keeps (worked
        out once and kept when it has none): group.theme_patterns.given_patterns."""
        assert self.store is not None
        from briefer.group.theme_patterns import given_patterns  # numpy: only when grouping

        key = _patterns_key(themes)
        with given_patterns(themes, self.store.theme_patterns(key)) as given:
            grouped = work_out()
        if (data := given.data()) is not None:
            self.store.add_theme_patterns(key, data)
        return grouped

    def story_terms(
        self,
        stories: Sequence[Story],
        work_out: Callable[[Sequence[Story]], list[StoryTerms]],
    ) -> list[StoryTerms]:
        """What storylines read of each story, in order: from the store, or by work_out
        (called once, with the stories not there) and then stored. The key is the story's
        headlines and bullets (storylines.story_texts), all that story_terms reads."""
        from briefer.rank.storylines import story_texts

        if self.store is None:
            return work_out(stories)
        salt = code_salt()
        keys = [hash_parts(salt, "storyline", *story_texts(story)) for story in stories]
        known = self.store.story_terms(keys)
        for key, value in _work_out_missing(known, keys, stories, work_out).items():
            self.store.add_story_terms(key, value)
        return [known[key] for key in keys]

    def grouped(
        self,
        articles: Sequence[Article],
        length: tuple[int, int | None, str],
        themes: Sequence[Theme],
        work_out: Callable[[KnownRows | None], Grouped],
    ) -> Grouped:
        """The stories of exactly these articles, summaries and themes: from the store (their
        summaries then need not even be loaded), or by work_out and then stored. work_out is
        given the rows the store holds for these articles (as an earlier grouping read
        them), so it reads only the others; the rows of this grouping are then kept."""
        if self.store is None:
            return work_out(None)
        keys = [self._summary_key(article, length) for article in articles]
        self.store.forget_digests()  # every key of the run is had: no text held for them
        key = grouping_key([self._shown(article, length) for article in articles], themes)
        remembered = self.store.grouping(key, articles)
        if remembered is not None:
            self._grouping_reused = True
            self._summaries_reused = len(articles)
            return remembered
        rows_key = hash_parts(code_salt(), "rows", *map(str, length))
        known = _known_rows(self.store.rows(rows_key), articles, keys)
        self._rows_reused = len(known.row_of) if known is not None else 0
        if themes:
            grouped = self._with_patterns(themes, lambda: work_out(known))
        else:
            grouped = work_out(known)
        # The summaries not worked out came from the store, or were not even needed.
        self._summaries_reused = sum(key not in self._worked for key in keys)
        if grouped.final:
            self.store.add_grouping(key, grouped)
            if (kept := grouped.kept) is not None:
                key_of = {article.id: found for article, found in zip(articles, keys, strict=True)}
                stored = StoredRows(
                    kept.ids,
                    tuple(key_of[i] for i in kept.ids),
                    kept.rows,
                    kept.graph,
                    kept.components,
                )
                self.store.add_rows(rows_key, stored)
        # The rows and story graph are stored: not held through ranking (~100 MB at 30,000
        # articles, issue 13).
        return dataclasses.replace(grouped, kept=None)


def _patterns_key(themes: Sequence[Theme]) -> str:
    """What decides a file of themes' patterns (group.theme_patterns): the themes and the code."""
    return hash_parts(code_salt(), "theme patterns", compact(_themes_data(themes)))


def _work_out_missing(
    known: dict[str, _Value],
    keys: Sequence[str],
    items: Sequence[_Item],
    work_out: Callable[[Sequence[_Item]], list[_Value]],
) -> dict[str, _Value]:
    """What work_out makes of the items whose keys are not in known (called once, with one
    item per missing key: a repeated item is worked out once), added to known and returned
    for the caller to store."""
    todo: dict[str, _Item] = {}
    for key, item in zip(keys, items, strict=True):
        if key not in known:
            todo.setdefault(key, item)
    worked = dict(zip(todo, work_out(list(todo.values())), strict=True))
    known.update(worked)
    return worked


def _known_rows(
    stored: StoredRows | None, articles: Sequence[Article], keys: Sequence[str]
) -> KnownRows | None:
    """The stored rows of the articles whose text (summary key) is still what it was."""
    if stored is None:
        return None
    wanted = {article.id: key for article, key in zip(articles, keys, strict=True)}
    row_of = {
        identity: row
        for row, (identity, key) in enumerate(zip(stored.ids, stored.keys, strict=True))
        if wanted.get(identity) == key
    }
    return KnownRows(stored.rows, row_of, stored.graph, stored.components) if row_of else None


@contextlib.contextmanager
def open_cache(out: Path, use: bool) -> Iterator[Cache]:
    """The cache for a run writing to out: the store beside it when use is true. What the run
    worked out is saved when the block ends, with an error or not (Cache.save)."""
    folder = store_path(out).parent
    created = use and not folder.exists()
    store = Store.open(store_path(out)) if use else None
    cache = Cache(store)
    try:
        yield cache
        cache.save()
    except BaseException:
        # What a failed run worked out is kept too: every row is a whole result under a key
        # of what decides it (a file's articles, a summary, a story told), as sound as when
        # the run ends well, so the run after the fix (or after Ctrl-C) reuses it. A run
        # that stops before it stored anything (a mistyped --input: nothing to brief) leaves
        # no store folder of its own making behind. Saving must not hide why the run failed:
        # what goes wrong in it (a full disk, a damaged store) is logged and the run's own error
        # raised; a second Ctrl-C still stops it.
        try:
            cache.save(records=False)
        except Exception as error:  # the run's own error is the one to raise
            log.warning("%s: what the failed run worked out was not kept (%s)", folder, error)
        if store is not None and created and not store.holds_files():
            store.close()
            store = None
            shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        if store is not None:
            store.close()
