"""The main process lets every article's text go once it is summarized (issue 13: ~81 MB of a
30,000-article run held through grouping): what the bullets read of the text (whether a
sentence leans on the one before it) is worked out where the text is, and the summary keys
are kept by the article without its text. The briefing is the same either way (the golden,
incremental and pool tests compare briefings byte for byte)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import REPO

from briefer.cache import Cache, summary_key
from briefer.ingest import read_file
from briefer.options import MakeOptions
from briefer.parallel import summarize_chunk
from briefer.pipeline import make
from briefer.records import Article, Summarized, Summary
from briefer.serialize import summarized_data, summarized_from
from briefer.summarize.bullets import leaning, story_bullets

SAMPLES = REPO / "samples"
EVAL = REPO.parent / "shared" / "eval"
LENGTH = (3, None, "default")


def _dev_articles(limit: int) -> list[Article]:
    """Real cased news articles with headlines (../shared/eval/themes_dev.jsonl)."""
    path = EVAL / "themes_dev.jsonl"
    if not path.is_file():
        pytest.skip("../shared/eval is not here")
    articles = []
    with path.open(encoding="utf-8") as rows:
        for number, line in enumerate(rows):
            if number == limit:
                break
            row = json.loads(line)
            articles.append(
                Article(str(number), row["title"], None, row["source"], "", row["text"], "")
            )
    return articles


def test_the_bullets_read_the_same_from_the_flags_as_from_the_text() -> None:
    """Bullets told from each summary's flags, with the articles' texts let go, equal those
    told from the texts, for each report alone and for reports told together, on real
    articles (several of whose summary sentences lean on the one before them)."""
    articles = _dev_articles(80)
    made = summarize_chunk(articles, LENGTH)
    flags = [flag for value in made for flag in value.leans or ()]
    assert any(flags) and not all(flags)
    with_text = {a.id: m.attach(a)[1] for a, m in zip(articles, made, strict=True)}
    bare = {a.id: dataclasses.replace(a, text="") for a in articles}
    without = {
        a.id: Summary(bare[a.id], m.sentences, m.algorithm, m.leans)
        for a, m in zip(articles, made, strict=True)
    }
    unflagged = {key: dataclasses.replace(value, leans=None) for key, value in with_text.items()}
    stories = [[a] for a in articles] + [articles[k : k + 3] for k in range(0, 78, 3)]
    for story in stories:
        told = story_bullets(story, unflagged, 5)
        assert story_bullets([bare[a.id] for a in story], without, 5) == told
        assert story_bullets(story, with_text, 5) == told


def test_leaning_is_worked_out_by_the_summarizing() -> None:
    articles = [a for path in sorted(SAMPLES.glob("*.txt")) for a in read_file(path)]
    for article, value in zip(articles, summarize_chunk(articles, LENGTH), strict=True):
        assert value.leans == leaning(article.text, value.sentences)


def test_the_flags_are_kept_in_the_store_rows() -> None:
    article = read_file(next(iter(sorted(SAMPLES.glob("*.txt")))))[0]
    (value,) = summarize_chunk([article], LENGTH)
    assert value.leans is not None
    assert summarized_from(json.loads(json.dumps(summarized_data(value)))) == value
    for leans in (None, ()):
        old = Summarized(value.blocks, value.sentences, value.algorithm, leans=leans)
        assert summarized_from(summarized_data(old)).leans == leans


def test_the_summary_keys_outlive_the_texts() -> None:
    """An article without its text keeps its text's summary key; one whose copy without
    text would equal another's (a re-post differing only in white space, in one file)
    keeps its text; a text let go is never summarized again (it would summarize "")."""
    cache = Cache(None)
    one = Article("a", "Title", dt.date(2024, 3, 1), "Wire", "", "Body one.\n\nMore.", "f.jsonl")
    twin = dataclasses.replace(one, text="Body one.\n\n\nMore.")
    other = dataclasses.replace(one, id="b", text="Another body.")
    kept = cache.without_texts([one, twin, other], LENGTH)
    assert kept[0] == one and kept[1] == twin  # would clash without their texts
    assert kept[2] == dataclasses.replace(other, text="")
    assert cache._summary_key(kept[2], LENGTH) == summary_key(other, *LENGTH)

    def work_out(todo: object) -> list[Summarized]:
        raise AssertionError("not reached")

    with pytest.raises(RuntimeError, match="let go"):
        cache.summaries([kept[2]], LENGTH, work_out)


def _options(out: Path) -> MakeOptions:
    return MakeOptions(
        inputs=(SAMPLES,),
        out=out,
        since=dt.date(2021, 1, 1),
        until=dt.date(2024, 12, 31),
        themes=SAMPLES / "themes.toml",
    )


def test_a_cold_run_lets_the_texts_go_and_writes_what_a_warm_one_does(tmp_path: Path) -> None:
    out = tmp_path / "briefings"
    cold = make(_options(out))
    stories = [s for section in cold.briefing.sections for s in section.stories]
    assert stories and all(not a.text for s in stories for a in s.articles)
    written = {path.name: path.read_bytes() for path in cold.paths}
    for path in cold.paths:
        path.unlink()
    warm = make(_options(out))  # the grouping from the store, with the texts read again
    assert warm.stats.grouping_reused
    assert {path.name: path.read_bytes() for path in warm.paths} == written
