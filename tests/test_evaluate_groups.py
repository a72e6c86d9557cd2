"""Grouping measured: `eval clusters`, `eval themes`, the `themes` report, and the floors the
theme scorer must keep on the self-written development set."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefer.cli import app
from briefer.errors import OptionsError
from briefer.evaluation.groups import (
    evaluate_clusters,
    evaluate_themes,
    left_undated,
    parse_label_map,
)
from briefer.evaluation.metrics import adjusted_rand_index, normalized_mutual_info
from briefer.evaluation.themes_report import themes_report
from briefer.records import OTHER_THEME

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
DEV = FIXTURES / "themes_dev.jsonl"
SAMPLE_THEMES = REPO / "samples" / "themes.toml"
ALT_THEMES = FIXTURES / "themes_alt.toml"
ALT_NAMES = {
    "NATO membership": "Joining the alliance",
    "Weapons aid": "Arming Ukraine",
    "Peace talks": "Ending the war",
}

runner = CliRunner()


# --- metrics -------------------------------------------------------------------------------


def test_ari_and_nmi_on_known_values() -> None:
    # The worked examples in scikit-learn's documentation.
    assert adjusted_rand_index([0, 0, 1, 2], [0, 0, 1, 1]) == pytest.approx(0.5714285714)
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)
    assert normalized_mutual_info([0, 0, 1, 2], [0, 0, 1, 1]) == pytest.approx(0.8)
    assert normalized_mutual_info([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0)


def test_ari_and_nmi_ignore_label_names_and_handle_trivial_partitions() -> None:
    assert adjusted_rand_index(["x", "x", "y"], [5, 5, 9]) == 1.0
    assert normalized_mutual_info(["x", "x", "y"], [5, 5, 9]) == 1.0
    assert adjusted_rand_index([0, 1, 2], ["a", "b", "c"]) == 1.0  # all singletons, both
    assert adjusted_rand_index([0, 0, 0], ["a", "a", "a"]) == 1.0
    assert adjusted_rand_index([0, 1, 2, 3], ["a", "a", "a", "a"]) == 0.0
    assert normalized_mutual_info([0, 1, 2, 3], ["a", "a", "a", "a"]) == 0.0
    with pytest.raises(ValueError):
        adjusted_rand_index([0], [])


# --- eval clusters -------------------------------------------------------------------------

FLOOD_A = (
    "Flooding forces thousands from homes along the Marrow River",
    "Heavy rain sent the Marrow River over its banks on Tuesday, forcing about 4,000 residents "
    "of Eastfield and Linton from their homes. Governor Dana Whitlock declared a state of "
    "emergency for Harlan County.",
)
FLOOD_B = (
    "Governor declares emergency as Marrow River floods Eastfield",
    "Governor Dana Whitlock declared a state of emergency in Harlan County on Tuesday after "
    "the Marrow River flooded Eastfield and Linton, driving some 4,000 people from homes.",
)
BUDGET = (
    "City council approves budget with more money for buses",
    "The Bramford city council voted 7-2 on Tuesday to approve a budget that raises bus "
    "spending by 12 percent and freezes property taxes for a second year.",
)


def write_rows(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def cluster_rows() -> list[dict[str, object]]:
    return [
        {"id": "a", "title": FLOOD_A[0], "date": "2023-03-14", "text": FLOOD_A[1], "label": 1},
        {"id": "b", "title": BUDGET[0], "date": "2023-03-14", "text": BUDGET[1], "label": 2},
        {"id": "c", "title": FLOOD_B[0], "date": "2023-03-15", "text": FLOOD_B[1], "label": 1},
    ]


def test_evaluate_clusters_scores_a_labelled_file(tmp_path: Path) -> None:
    scores = evaluate_clusters(write_rows(tmp_path / "c.jsonl", cluster_rows()))
    assert (scores.n, scores.stories, scores.gold_stories) == (3, 2, 2)
    assert scores.bcubed_f1 == scores.ari == scores.nmi == 1.0


def test_undated_share_leaves_out_the_dates_that_kept_two_events_apart(tmp_path: Path) -> None:
    """One report twice, three weeks apart and labelled as two events: the dates keep them
    apart; with every date left out only the text is left, and it says one story."""
    rows = [
        {"id": "early", "title": FLOOD_A[0], "date": "2023-03-14", "text": FLOOD_A[1], "label": 1},
        {"id": "late", "title": FLOOD_A[0], "date": "2023-04-04", "text": FLOOD_A[1], "label": 2},
    ]
    path = write_rows(tmp_path / "c.jsonl", rows)
    assert evaluate_clusters(path).stories == evaluate_clusters(path, undated=0.0).stories == 2
    assert evaluate_clusters(path, undated=1.0).stories == 1
    table = runner.invoke(app, ["eval", "clusters", str(path), "--undated", "1"])
    assert table.exit_code == 0 and "0.500" in table.stdout  # B-cubed precision of one story
    bad = runner.invoke(app, ["eval", "clusters", str(path), "--undated", "1.5"])
    assert bad.exit_code == 2
    assert "--undated 1.5" in bad.stderr and "from 0 to 1" in bad.stderr


def test_the_rows_left_undated_depend_on_their_ids_alone() -> None:
    ids = [f"row-{k}" for k in range(2000)]
    third = [i for i in ids if left_undated(i, 1 / 3)]
    two_thirds = {i for i in ids if left_undated(i, 2 / 3)}
    assert 600 < len(third) < 730 and 1270 < len(two_thirds) < 1400
    assert set(third) <= two_thirds  # a larger share adds rows, it never swaps them
    assert third == [i for i in reversed(ids) if left_undated(i, 1 / 3)][::-1]
    assert not any(left_undated(i, 0.0) for i in ids) and all(left_undated(i, 1.0) for i in ids)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("not json", "not valid JSON"),
        ('["a list"]', "expected a JSON object"),
        ('{"id": "x", "title": "T", "date": "2023-03-14", "text": "t"}', "'label' is missing"),
        ('{"id": "x", "title": "", "date": "2023-03-14", "label": 1}', "'text' is missing"),
        ('{"id": "x", "title": "T", "date": "14/03/2023", "text": "t", "label": 1}', "YYYY-MM-DD"),
        ('{"id": "x", "title": "T", "text": "t", "label": 1}', "'date' is missing"),
        ('{"id": "a", "title": "T", "date": null, "text": "t", "label": 1}', "already used"),
    ],
)
def test_bad_cluster_rows_name_the_file_and_line(tmp_path: Path, row: str, problem: str) -> None:
    path = tmp_path / "bad.jsonl"
    first = json.dumps(cluster_rows()[0])
    path.write_text(f"{first}\n\n{row}\n", encoding="utf-8")
    with pytest.raises(OptionsError) as caught:
        evaluate_clusters(path)
    assert f"{path}:3" in str(caught.value)
    assert problem in str(caught.value)


def test_missing_or_empty_file(tmp_path: Path) -> None:
    with pytest.raises(OptionsError, match="no such file"):
        evaluate_clusters(tmp_path / "absent.jsonl")
    with pytest.raises(OptionsError, match="no rows"):
        evaluate_clusters(write_rows(tmp_path / "empty.jsonl", []))


def test_eval_clusters_command(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "c.jsonl", cluster_rows())
    result = runner.invoke(app, ["eval", "clusters", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("n", "bcubed_precision", "bcubed_recall", "bcubed_f1", "ari", "nmi"):
        assert key in data
    assert data["n"] == 3
    table = runner.invoke(app, ["eval", "clusters", str(path)])
    assert table.exit_code == 0
    assert "B3-F1" in table.stdout and "1.000" in table.stdout
    bad = runner.invoke(app, ["eval", "clusters", str(tmp_path / "absent.jsonl")])
    assert bad.exit_code == 2
    assert "absent.jsonl" in bad.stderr


def test_dev_clusters_figures(shared_dir: Path) -> None:
    scores = evaluate_clusters(shared_dir / "eval" / "clusters_dev.jsonl")
    assert scores.bcubed_f1 >= 0.93
    assert scores.ari >= 0.88
    assert scores.nmi >= 0.97


def test_dev_clusters_with_most_dates_left_out(shared_dir: Path) -> None:
    """The held-out situation (two thirds of the reports undated, among dated ones) and the
    dated file read wholly undated: stories the undated rules were not chosen on. Today's
    B-cubed F1 0.902 and 0.885, less about 0.015."""
    path = shared_dir / "eval" / "clusters_dev.jsonl"
    assert evaluate_clusters(path, undated=2 / 3).bcubed_f1 >= 0.885
    assert evaluate_clusters(path, undated=1.0).bcubed_f1 >= 0.87


# --- eval themes ---------------------------------------------------------------------------


# Today's figures (accuracy / macro-F1 0.852 / 0.843 with samples/themes.toml, 0.852 /
# 0.829 with the second wording), less about 0.01-0.03.
FLOOR_SAMPLE_ACC = 0.84
FLOOR_SAMPLE_F1 = 0.82
FLOOR_ALT_ACC = 0.83
FLOOR_ALT_F1 = 0.81


def test_theme_accuracy_floors_on_the_development_set() -> None:
    """The self-written NATO/Ukraine set: about half the items fit none of the themes.
    Floors sit a little under today's figures, so a regression shows."""
    sample = evaluate_themes(DEV, SAMPLE_THEMES)
    assert sample.n == 115
    assert sample.accuracy >= FLOOR_SAMPLE_ACC
    assert sample.macro_f1 >= FLOOR_SAMPLE_F1
    alt = evaluate_themes(DEV, ALT_THEMES, ALT_NAMES)
    assert alt.accuracy >= FLOOR_ALT_ACC
    assert alt.macro_f1 >= FLOOR_ALT_F1
    # Saying "none of these" well: most Other items stay out of the themes.
    other = sample.labels.index(OTHER_THEME)
    row = sample.confusion[other]
    assert row[other] / sum(row) >= 0.8


def test_theme_confusion_table_adds_up() -> None:
    scores = evaluate_themes(DEV, SAMPLE_THEMES)
    assert scores.labels == ("NATO membership", "Weapons aid", "Peace talks", OTHER_THEME)
    assert sum(map(sum, scores.confusion)) == scores.n
    correct = sum(scores.confusion[k][k] for k in range(len(scores.labels)))
    assert correct / scores.n == pytest.approx(scores.accuracy)
    assert len(scores.mistakes) == scores.n - correct


def test_unknown_label_and_bad_label_map(tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "t.jsonl", [{"id": "1", "title": "T", "text": "Some text.", "label": "Sports"}]
    )
    with pytest.raises(OptionsError, match=r"t\.jsonl:1: label 'Sports'"):
        evaluate_themes(path, SAMPLE_THEMES)
    with pytest.raises(OptionsError, match="LABEL=THEME"):
        parse_label_map(["no equals sign"])
    assert parse_label_map([" a = b "]) == {"a": "b"}


def test_eval_themes_command() -> None:
    args = ["eval", "themes", str(DEV), "--themes", str(SAMPLE_THEMES)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"n", "accuracy", "macro_f1", "confusion", "labels"} <= set(data)
    table = runner.invoke(app, [*args, "--mistakes"])
    assert table.exit_code == 0
    assert "accuracy" in table.stdout and OTHER_THEME in table.stdout
    assert " -> " in table.stdout  # the misfiled articles
    mapped = runner.invoke(
        app,
        ["eval", "themes", str(DEV), "--themes", str(ALT_THEMES), "--json"]
        + [f"--map-label={old}={new}" for old, new in ALT_NAMES.items()],
    )
    assert mapped.exit_code == 0, mapped.output
    assert json.loads(mapped.stdout)["labels"][0] == "Joining the alliance"


# --- the themes report ---------------------------------------------------------------------


def test_themes_report_on_the_samples() -> None:
    report = themes_report([REPO / "samples"], SAMPLE_THEMES)
    assert report.themes[-1] == OTHER_THEME
    assert len(report.articles) == 5
    weapons = report.filed_under("Weapons aid")
    assert weapons and all(fit.theme == "Weapons aid" for fit in weapons)
    fit = next(f for f in weapons[0].fits if f.theme == "Weapons aid")
    assert fit.eligible and fit.terms and fit.score > 0
    placed = sum(len(report.filed_under(theme)) for theme in report.themes)
    assert placed == len(report.articles)  # every article listed once


def test_themes_command_lists_each_theme_with_scores_and_terms(tmp_path: Path) -> None:
    result = runner.invoke(app, ["themes", "--input", str(REPO / "samples")])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for name in ("NATO membership", "Weapons aid", "Peace talks", OTHER_THEME):
        assert name in out
    assert "weapons" in out  # a matched term
    as_json = runner.invoke(app, ["themes", "--input", str(REPO / "samples"), "--json"])
    rows = json.loads(as_json.stdout)
    assert len(rows) == 5
    assert set(rows[0]["scores"]) == {"NATO membership", "Weapons aid", "Peace talks"}
    # A near miss under Other developments says which theme was nearest and what it lacked.
    (tmp_path / "a.txt").write_text(
        "Talks on the library budget\n\nThe council held talks on Monday about the library "
        "budget for next year.\n",
        encoding="utf-8",
    )
    near = runner.invoke(app, ["themes", "--input", str(tmp_path), "--themes", str(SAMPLE_THEMES)])
    assert near.exit_code == 0, near.output
    assert re.search(r"\(nearest theme NATO membership: score [\d.]+ of [\d.]+ needed", near.stdout)
    assert "never names NATO" in near.stdout


def test_themes_command_without_a_themes_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A headline\n\nSome text about nothing.\n", encoding="utf-8")
    result = runner.invoke(app, ["themes", "--input", str(tmp_path)])
    assert result.exit_code == 2
    assert "--themes" in result.stderr


def test_eval_themes_scores_only_the_rows_of_one_confidence(tmp_path: Path) -> None:
    rows = [
        {"id": "1", "title": "T", "text": "Weapons and ammunition.", "label": "Other"},
        {"id": "2", "title": "U", "text": "More text.", "label": "Other", "confidence": "high"},
    ]
    path = write_rows(tmp_path / "t.jsonl", rows)
    assert evaluate_themes(path, SAMPLE_THEMES).n == 2
    assert evaluate_themes(path, SAMPLE_THEMES, confidence="high").n == 1
    with pytest.raises(OptionsError, match="no rows with confidence 'medium'"):
        evaluate_themes(path, SAMPLE_THEMES, confidence="medium")
