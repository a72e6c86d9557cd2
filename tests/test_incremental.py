"""Reruns over the article store write exactly what a run without it writes: a warm run (nothing
changed, the briefing served whole), a run after articles were added, changed and deleted
(only their work redone), and a run after one was killed part-way. Each is compared byte for
byte with a `--no-cache` run on the same inputs, through the real pipeline on files made from
the samples."""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import os
import re
import shutil
import signal
import sqlite3
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, run_cli, write_sample_corpus
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(REPO / "benchmarks"))  # make_corpus: articles from the dev data

from briefer.errors import RenderError
from briefer.group.rows import blob_arrays, join_rows, rows_from_bytes, rows_to_bytes, term_rows
from briefer.group.stories import story_matrices
from briefer.group.texts import read_texts
from briefer.options import MakeOptions
from briefer.pipeline import MakeResult, make
from briefer.records import StoredRows, TermRows
from briefer.serialize import briefing_data
from briefer.store import store_path
from briefer.workers import CHUNK_SIZE

SAMPLES = REPO / "samples"
EVAL = REPO.parent / "shared" / "eval"  # the development data (make_corpus builds from it)
COUNT = 60  # articles: enough for stories of several reports, Top stories and "Also reported"
FORMATS = ("md", "html", "txt", "json")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """COUNT articles from the samples (near-copies among them, over ten days, five outlets)
    and the samples' themes file."""
    folder = write_sample_corpus(tmp_path / "articles", COUNT, sources=5)
    shutil.copy(SAMPLES / "themes.toml", folder / "themes.toml")
    return folder


def _options(folder: Path, out: Path, cache: bool = True) -> MakeOptions:
    return MakeOptions(
        inputs=(folder,),
        out=out,
        since=dt.date(2024, 12, 1),
        until=dt.date(2024, 12, 10),
        themes=folder / "themes.toml",
        formats=FORMATS,
        cache=cache,
        minutes=2,  # a budget small enough that some stories go under "Also reported"
    )


def _briefing_files(result: MakeResult) -> dict[str, bytes]:
    """The dated briefing files (the index lists every run's, so it is left out)."""
    return {path.name: path.read_bytes() for path in result.paths if path.stem[:1].isdigit()}


def _cold(folder: Path, out: Path) -> dict[str, bytes]:
    """What a run without the store writes for the inputs as they are now."""
    shutil.rmtree(out, ignore_errors=True)
    return _briefing_files(make(_options(folder, out, cache=False), pool_threshold=10_000))


def _run(folder: Path, out: Path) -> MakeResult:
    return make(_options(folder, out), pool_threshold=10_000)


def _edit(path: Path, extra: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{extra}\n", encoding="utf-8")


def test_a_warm_run_is_served_whole_and_writes_what_a_cold_run_writes(
    corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "briefings"
    first = _run(corpus, out)
    assert not first.stats.briefing_reused and first.stats.summarized == COUNT
    warm = _run(corpus, out)
    assert warm.stats.briefing_reused and warm.stats.summarized == 0
    assert _briefing_files(warm) == _briefing_files(first) == _cold(corpus, tmp_path / "cold")


def _stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(out)): (path.stat().st_mtime_ns, path.stat().st_ino)
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }


def test_a_warm_run_leaves_files_still_as_written_alone_and_rewrites_any_that_changed(
    corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "briefings"
    first = _run(corpus, out)
    written = _briefing_files(first)
    before = _stamps(out)
    warm = _run(corpus, out)
    assert warm.stats.briefing_reused and warm.paths == first.paths
    assert _stamps(out) == before  # nothing rendered or written again
    # Loaded only when asked for, as the store keeps it (without the articles' texts).
    assert briefing_data(warm.briefing) == briefing_data(first.briefing)
    # A briefing file removed or edited by hand, another briefing added to the folder (the
    # index lists it): each is written again, as a run that renders writes it.
    (out / "2024-12-10.txt").unlink()
    (out / "2024-12-10.md").write_text("edited\n", encoding="utf-8")
    again = _run(corpus, out)
    assert again.stats.briefing_reused and _briefing_files(again) == written
    (out / "2024-11-30.md").write_text("an older briefing\n", encoding="utf-8")
    assert "2024-11-30" not in (out / "index.md").read_text(encoding="utf-8")
    _run(corpus, out)
    assert "2024-11-30" in (out / "index.md").read_text(encoding="utf-8")
    # A template of the user's, then edited: the files follow the template.
    templates = tmp_path / "templates"
    templates.mkdir()
    template = templates / "briefing.txt.j2"
    template.write_text("first {{ briefing.date }}\n", encoding="utf-8")
    options = dataclasses.replace(_options(corpus, out), templates=templates)
    assert make(options).paths[2].read_text(encoding="utf-8") == "first 2024-12-10\n"
    template.write_text("second {{ briefing.date }}\n", encoding="utf-8")
    assert make(options).paths[2].read_text(encoding="utf-8") == "second 2024-12-10\n"


def test_a_changed_period_or_option_is_not_served_from_the_stored_briefing(
    corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "briefings"
    _run(corpus, out)
    shorter = make(
        dataclasses.replace(_options(corpus, out), since=dt.date(2024, 12, 5)),
        pool_threshold=10_000,
    )
    assert not shorter.stats.briefing_reused
    assert shorter.briefing.coverage.before_period > 0
    fewer = make(dataclasses.replace(_options(corpus, out), top=2))
    assert not fewer.stats.briefing_reused


def test_adding_changing_and_deleting_articles_writes_what_a_cold_run_writes(
    corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "briefings"
    _run(corpus, out)
    files = sorted(corpus.glob("*.md"))
    # Added: new reports (copies of existing ones under new names and days, so they join
    # stories already made), and one of an event of its own.
    for number, source in enumerate(files[:3]):
        text = re.sub(r"date = \S+", "date = 2024-12-09", source.read_text(encoding="utf-8"))
        text = text.replace('"\ndate', ' later"\ndate', 1)  # a headline of its own
        (corpus / f"new-{number}.md").write_text(text, encoding="utf-8")
    (corpus / "new-alone.md").write_text(
        '+++\ntitle = "Harbour ferry timetable changes"\ndate = 2024-12-09\n+++\n\n'
        "The harbour ferry will run every twenty minutes from Monday, the operator said.\n\n"
        "Evening crossings move to the north pier while the south pier is repaired.\n",
        encoding="utf-8",
    )
    # Changed: a paragraph added to two reports.
    _edit(files[5], "The ministry later confirmed the figures in a written statement.")
    _edit(files[17], "Officials declined to say when the next round of talks would begin.")
    # Deleted: two reports, one of them the first report of its story.
    files[0].unlink()
    files[29].unlink()

    again = _run(corpus, out)
    assert not again.stats.briefing_reused
    assert again.stats.summarized == 4 + 2  # only the new and the changed articles
    assert _briefing_files(again) == _cold(corpus, tmp_path / "cold")

    # And once more, with nothing changed: served whole, the same bytes.
    warm = _run(corpus, out)
    assert warm.stats.briefing_reused
    assert _briefing_files(warm) == _briefing_files(again)


def test_a_rerun_with_other_summary_options_reads_the_stored_texts_back(
    corpus: Path, tmp_path: Path
) -> None:
    """A rerun takes the stored files' articles without their texts; with other summary
    options every article is summarized again from its text read back from the store (no
    file parsed again), and the briefing is what a cold run with those options writes."""
    out = tmp_path / "briefings"
    _run(corpus, out)
    shorter = dataclasses.replace(_options(corpus, out), sentences=2)
    again = make(shorter, pool_threshold=10_000)
    assert again.stats.files_reused == COUNT and again.stats.summarized == COUNT
    cold_out = tmp_path / "cold"
    cold = make(dataclasses.replace(shorter, out=cold_out, cache=False), pool_threshold=10_000)
    assert _briefing_files(again) == _briefing_files(cold)


def test_an_edited_first_seen_day_is_not_served_from_the_stored_briefing(
    corpus: Path, tmp_path: Path
) -> None:
    undated = corpus / "undated.md"
    undated.write_text(
        '+++\ntitle = "Library opening hours"\n+++\n\n'
        "The city library opens on Sundays from next month, the council said.\n",
        encoding="utf-8",
    )
    out = tmp_path / "briefings"
    options = dataclasses.replace(_options(corpus, out), until=dt.date.today())
    first = make(options, pool_threshold=10_000)
    assert make(options).stats.briefing_reused
    connection = sqlite3.connect(store_path(out))
    assert connection.execute("SELECT count(*) FROM seen").fetchone()[0] == 1
    connection.execute("DELETE FROM seen")  # as if forgotten: seen again today, placed again
    connection.commit()
    connection.close()
    again = make(options)
    assert not again.stats.briefing_reused
    assert _briefing_files(again) == _briefing_files(first)


@pytest.mark.skipif(not EVAL.is_dir(), reason="needs the development data in ../shared/eval")
def test_on_real_news_only_the_stories_new_articles_touch_are_told_again(tmp_path: Path) -> None:
    from make_corpus import build

    corpus = tmp_path / "articles"
    first, last = build(corpus, 240, days=3)
    extra = tmp_path / "extra"
    build(extra, 12, days=3, seed=1013)  # another seed: other rows, other texts
    out = tmp_path / "briefings"
    options = dataclasses.replace(
        _options(corpus, out), since=first, until=last, themes=corpus / "themes.toml"
    )
    cold = make(options, pool_threshold=10_000)
    for path in sorted(extra.glob("*.md")):
        shutil.copy(path, corpus / f"new-{path.name}")
    again = make(options, pool_threshold=10_000)
    assert again.stats.summarized == 12
    # A story's headline, bullets and copies are worked out again only when its reports
    # changed: the stories the 12 new reports joined or made, and the few whose
    # clustering they moved; not the others.
    assert 0 < again.stats.stories_told <= 2 * 12 < cold.stats.stories_told // 4
    # Every earlier article's grouping rows came from the store, and only the summaries of
    # the stories told or placed again were read back: not the other articles'.
    grouped = sum(len(story.articles) for story in cold.briefing.stories)
    assert again.stats.rows_reused == grouped
    assert cold.stats.summaries_read == 0 < again.stats.summaries_read <= grouped // 4
    shutil.rmtree(out.parent / "cold", ignore_errors=True)
    fresh = make(dataclasses.replace(options, out=tmp_path / "cold", cache=False))
    assert _briefing_files(again) == _briefing_files(fresh)


def test_undated_articles_left_out_are_warned_about_on_every_run(
    corpus: Path, tmp_path: Path
) -> None:
    (corpus / "undated.md").write_text(
        '+++\ntitle = "Library opening hours"\n+++\n\n'
        "The city library opens on Sundays from next month, the council said.\n",
        encoding="utf-8",
    )
    args = ("make", "-i", str(corpus), "--out", str(tmp_path / "briefings"), "--undated", "skip")
    for run in ("first", "second"):
        code, _, err = run_cli(*args, "--since", "2024-12-01", "--until", "2024-12-10")
        assert code == 0, err
        assert "1 undated article left out" in err, f"{run} run: {err}"


def _killed_run(folder: Path, out: Path, after: int) -> None:
    """make, killed (SIGKILL: no clean-up of any kind) once `after` articles are summarized."""

    def progress(done: int, total: int) -> None:
        if done >= after:
            os.kill(os.getpid(), signal.SIGKILL)

    make(_options(folder, out), progress=progress, pool_threshold=10_000)


@pytest.mark.parametrize("when", ["first run", "rerun"])
def test_a_killed_run_leaves_a_store_the_next_run_uses(
    corpus: Path, tmp_path: Path, when: str
) -> None:
    out = tmp_path / "briefings"
    if when == "rerun":  # killed while adding to a full store
        _run(corpus, out)
        for number, source in enumerate(sorted(corpus.glob("*.md"))[:12]):
            text = source.read_text(encoding="utf-8") + f"\nA later paragraph {number}.\n"
            (corpus / f"later-{number}.md").write_text(text, encoding="utf-8")
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_killed_run, args=(corpus, out, 6))
    child.start()
    child.join(120)
    assert child.exitcode == -signal.SIGKILL
    connection = sqlite3.connect(store_path(out))
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()

    after = _run(corpus, out)
    assert not after.stats.briefing_reused
    assert _briefing_files(after) == _cold(corpus, tmp_path / "cold")
    assert _run(corpus, out).stats.briefing_reused


@pytest.mark.parametrize("failure", ["a template error", "Ctrl-C once read"])
def test_a_failed_run_leaves_what_it_worked_out_for_the_next_run(
    corpus: Path, tmp_path: Path, failure: str, caplog: pytest.LogCaptureFixture
) -> None:
    # A run that fails at its very end (its template, once every article is summarized and
    # the briefing ranked) or part-way (Ctrl-C once the files are read, as the summarizing
    # starts): the rows it had not yet written (fewer than a flush's worth) are written on the
    # way out, as sound as a finished run's, so the next run does none of that work again.
    out = tmp_path / "briefings"
    if failure == "a template error":
        templates = tmp_path / "templates"
        templates.mkdir()
        (templates / "briefing.md.j2").write_text("{% if %}", encoding="utf-8")
        options = dataclasses.replace(_options(corpus, out), templates=templates)
        with pytest.raises(RenderError, match=r"briefing\.md\.j2"):
            make(options, pool_threshold=10_000)
    else:

        def progress(done: int, total: int) -> None:
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            make(_options(corpus, out), progress=progress, pool_threshold=10_000)
    caplog.clear()
    after = _run(corpus, out)
    assert after.stats.files_reused == COUNT
    if failure == "a template error":  # the ranked briefing itself was kept
        assert after.stats.briefing_reused and after.stats.summarized == 0
    assert not [record for record in caplog.records if record.levelname == "WARNING"]
    assert _briefing_files(after) == _cold(corpus, tmp_path / "cold")


def test_a_failed_run_does_not_date_the_undated_articles_it_saw(tmp_path: Path) -> None:
    """Undated articles take the day a briefing first showed them; a run that fails at its
    template showed nothing, so the next run (of a later day) still finds them new."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for number, town in enumerate(("Lviv", "Odesa", "Kharkiv")):
        (folder / f"{number}.txt").write_text(
            f"Volunteers reopen the library of {town}\n\n"
            f"Volunteers in {town} reopened the city library after repairs to its roof, "
            "which was damaged in the winter storms, and said lending would resume at once.\n\n"
            "The librarians thanked the donors who paid for the new shelves and the heating.\n",
            encoding="utf-8",
        )
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "briefing.md.j2").write_text("{% if %}", encoding="utf-8")
    today = dt.date.today()
    options = MakeOptions(inputs=(folder,), out=tmp_path / "out", since=today, until=today)
    with pytest.raises(RenderError):
        make(dataclasses.replace(options, templates=templates), pool_threshold=10_000)
    connection = sqlite3.connect(store_path(options.out))
    assert connection.execute("SELECT COUNT(*) FROM summaries").fetchone()[0] == 3
    assert connection.execute("SELECT COUNT(*) FROM seen").fetchone()[0] == 0
    connection.close()
    assert make(options, pool_threshold=10_000).stats.summarized == 0
    connection = sqlite3.connect(store_path(options.out))
    assert connection.execute("SELECT COUNT(*) FROM seen").fetchone()[0] == 3
    connection.close()


def test_a_run_stopped_while_summarizing_keeps_the_chunks_it_finished(tmp_path: Path) -> None:
    """Summarized in this process (a small run, or one core), chunk by chunk: a Ctrl-C after
    the first chunk leaves its summaries in the store, and the next run summarizes only the
    rest, writing what a run without the store writes."""
    total = CHUNK_SIZE + 40  # two chunks
    folder = write_sample_corpus(tmp_path / "articles", total, sources=5)
    shutil.copy(SAMPLES / "themes.toml", folder / "themes.toml")
    out = tmp_path / "briefings"

    def progress(done: int, total: int) -> None:
        if done >= CHUNK_SIZE:  # told once a chunk is summarized
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        make(_options(folder, out), progress=progress, pool_threshold=10_000)
    after = _run(folder, out)
    assert after.stats.files_reused == total
    assert (after.stats.summaries_reused, after.stats.summarized) == (
        CHUNK_SIZE,
        total - CHUNK_SIZE,
    )
    assert _briefing_files(after) == _cold(folder, tmp_path / "cold")


def _sample_parts() -> list[tuple[str, list[str]]]:
    """Each sample article as (headline, paragraphs): its first line, then the rest."""
    parts = []
    for path in sorted(SAMPLES.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        parts.append((title, [p for p in body.split("\n\n") if p.strip()]))
    return parts


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_rows_joined_from_runs_equal_the_rows_made_at_once(data: st.DataObject) -> None:
    # What a rerun does (grouping._rows): the stored rows of earlier articles and the rows of
    # the new ones joined in the articles' order must be the rows of one run over them all.
    pool = _sample_parts()
    chosen = data.draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=8))
    owner = data.draw(st.lists(st.integers(0, 2), min_size=len(chosen), max_size=len(chosen)))
    parts, order = [], []
    for number in range(3):
        mine = [k for k, part in enumerate(owner) if part == number]
        texts = read_texts([pool[chosen[k]] for k in mine])
        parts.append(term_rows(texts, *story_matrices(texts)))
    for k, number in enumerate(owner):
        order.append((number, owner[:k].count(number)))
    texts = read_texts([pool[index] for index in chosen])
    whole = term_rows(texts, *story_matrices(texts))
    joined = join_rows(parts, order)
    assert joined.terms == whole.terms
    # Spellings are numbered as each run met them: the same spelling at each lead word.
    assert [joined.forms[k] for k in joined.lead_form] == [whole.forms[k] for k in whole.lead_form]
    for name in ("vectors", "places"):
        a, b = getattr(joined, name), getattr(whole, name)
        assert a.shape == b.shape
        assert (a != b).nnz == 0
        assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    for name in ("lead_start", "lead_term", "weekdays"):
        assert np.array_equal(getattr(joined, name), getattr(whole, name)), name


def test_the_rows_blob_keeps_small_numbers_narrow_and_gives_back_the_same_rows() -> None:
    texts = read_texts(_sample_parts())
    rows = term_rows(texts, *story_matrices(texts))
    names = tuple(f"a{k}" for k in range(rows.count))
    stored = blob_arrays(rows_to_bytes(StoredRows(names, names, rows)))
    # Column numbers and spellings in 1 or 2 bytes, place sums as whole steps.
    for name in ("lead_term", "lead_form", "places_indices", "vectors_indices"):
        assert stored[name].dtype.itemsize <= 2, name
    assert "places_steps" in stored and "places_data" not in stored
    _same_rows(rows_from_bytes(rows_to_bytes(StoredRows(names, names, rows))).rows, rows)
    # Numbers too wide for 2 bytes, and a place sum off the steps, are kept as they are.
    places = rows.places.copy()
    places.data[0] += 0.05
    wide = dataclasses.replace(rows, places=places, lead_term=rows.lead_term + 70_000)
    stored = blob_arrays(rows_to_bytes(StoredRows(names, names, wide)))
    assert stored["lead_term"].dtype == np.int32 and "places_steps" not in stored
    _same_rows(rows_from_bytes(rows_to_bytes(StoredRows(names, names, wide))).rows, wide)


def _same_rows(found: TermRows, rows: TermRows) -> None:
    assert (found.terms, found.forms) == (rows.terms, rows.forms)
    for name in ("vectors", "places"):
        for part in ("data", "indices", "indptr"):
            mine, theirs = getattr(getattr(found, name), part), getattr(getattr(rows, name), part)
            assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs), (name, part)
    for name in ("lead_start", "lead_term", "lead_form", "weekdays"):
        mine, theirs = getattr(found, name), getattr(rows, name)
        assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs), name
