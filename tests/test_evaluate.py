from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from briefer.errors import OptionsError
from briefer.evaluation.summaries import SummaryScores, article_sentences, evaluate_summaries

LEAD = [
    "The city council approved a new budget for public parks on Tuesday.",
    "The budget gives the parks department twelve million dollars for playgrounds.",
    "Council members said the parks had been neglected for a decade.",
]
REST = [
    "Residents had asked for more money for years.",
    "The mayor is expected to sign the budget next week.",
]
ROWS = [
    {
        "id": "parks",
        "title": "Council approves parks budget",
        "article": " ".join(LEAD[:2]) + "\n\n" + " ".join([LEAD[2], *REST]),
        "reference": "\n".join(LEAD),
    },
    {
        "id": "storm",
        "article": "A storm closed the coast road on Monday. Ferries were cancelled. "
        "Power was cut to two thousand homes. Crews expect to restore it by Friday.",
        "reference": "storm closes coast road\nthousands of homes without power",
    },
]


def write_rows(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_scores_have_every_field_in_range(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "dev.jsonl", list(ROWS))

    results = evaluate_summaries(path, ["lead", "default", "textrank"])

    assert [result.algorithm for result in results] == ["lead", "default", "textrank"]
    for result in results:
        assert isinstance(result, SummaryScores)
        assert result.n == 2
        for value in (result.rouge1, result.rouge2, result.rougeLsum):
            assert 0.0 < value <= 100.0
        assert result.rouge2 <= result.rouge1
        assert result.articles_per_second > 0


def test_a_summary_equal_to_the_reference_scores_100(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "dev.jsonl", [ROWS[0]])

    (result,) = evaluate_summaries(path, ["lead"], sentences=3)

    assert result.rouge1 == pytest.approx(100.0)
    assert result.rouge2 == pytest.approx(100.0)
    assert result.rougeLsum == pytest.approx(100.0)


def test_fewer_sentences_score_lower_against_a_longer_reference(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "dev.jsonl", [ROWS[0]])

    (one,) = evaluate_summaries(path, ["lead"], sentences=1)
    (budgeted,) = evaluate_summaries(path, ["lead"], sentences=3, words=12)

    assert one.rouge1 < 100.0
    assert budgeted.rouge1 == pytest.approx(one.rouge1)


def test_limit_reads_only_the_first_rows(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "dev.jsonl", [ROWS[0], ROWS[1], ROWS[1]])

    (result,) = evaluate_summaries(path, ["lead"], limit=1)

    assert result.n == 1
    assert result.rouge1 == pytest.approx(100.0)


def test_article_paragraphs_split_on_blank_lines() -> None:
    assert article_sentences(ROWS[0]["article"]) == [*LEAD, *REST]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "not valid JSON"),
        ('["a list"]', "JSON object"),
        ('{"id": "x", "reference": "r"}', "'article'"),
        ('{"id": "x", "article": "a", "reference": 3}', "'reference'"),
        ('{"article": "a", "reference": "r", "title": 7}', "'title'"),
    ],
)
def test_a_bad_row_names_the_file_and_line(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / "dev.jsonl"
    path.write_text(json.dumps(ROWS[1]) + "\n\n" + line + "\n", encoding="utf-8")

    with pytest.raises(OptionsError) as raised:
        evaluate_summaries(path, ["lead"])

    assert f"{path}:3" in str(raised.value)
    assert problem in str(raised.value)


def test_unknown_algorithm_lists_the_valid_ones(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "dev.jsonl", list(ROWS))

    with pytest.raises(OptionsError, match="lexrank"):
        evaluate_summaries(path, ["lead", "magic"])


@pytest.mark.parametrize(("sentences", "words"), [(0, None), (3, 0)])
def test_impossible_summary_sizes_are_refused(
    tmp_path: Path, sentences: int, words: int | None
) -> None:
    path = write_rows(tmp_path / "dev.jsonl", list(ROWS))

    with pytest.raises(OptionsError, match="at least 1"):
        evaluate_summaries(path, ["lead"], sentences=sentences, words=words)


def test_missing_file_and_empty_file_are_options_errors(tmp_path: Path) -> None:
    with pytest.raises(OptionsError, match="no such file"):
        evaluate_summaries(tmp_path / "absent.jsonl", ["lead"])
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(OptionsError, match="no rows"):
        evaluate_summaries(empty, ["lead"])


def test_without_rouge_score_the_error_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_rows(tmp_path / "dev.jsonl", list(ROWS))
    # a None entry makes `import rouge_score` fail as if the package were not installed
    monkeypatch.setitem(sys.modules, "rouge_score", None)

    with pytest.raises(OptionsError, match=r"pip install 'briefer\[eval\]'"):
        evaluate_summaries(path, ["lead"])


def test_default_is_not_below_lead_on_cnn_dev(shared_dir: Path) -> None:
    path = shared_dir / "eval" / "cnndm_dev.jsonl"

    lead, default = evaluate_summaries(path, ["lead", "default"], limit=50)

    assert default.n == lead.n == 50
    assert default.rouge1 >= lead.rouge1
