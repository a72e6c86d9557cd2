"""The quality gate: the default scorer's ROUGE on the whole dev files must not fall below the
floors pinned in quality_floors.json. A floor belongs to one version of a file, so a file whose
hash has changed skips with a request to re-pin rather than judging against stale numbers."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from briefer.evaluation.summaries import evaluate_summaries

FLOORS_PATH = Path(__file__).with_name("quality_floors.json")
FLOORS: dict[str, Any] = json.loads(FLOORS_PATH.read_text(encoding="utf-8"))
DEV_SETS = sorted(name for name in FLOORS if name.endswith(".jsonl"))
REPIN = ".venv/bin/python benchmarks/bench_summaries.py --pin-floors"


def test_floors_cover_both_kinds_of_text() -> None:
    assert DEV_SETS == ["bbc_dev.jsonl", "cnndm_dev_more.jsonl"]
    for name in DEV_SETS:
        assert set(FLOORS[name]) == {"sha256", "rows", "rouge1", "rouge2", "rougeLsum"}


@pytest.mark.parametrize("name", DEV_SETS)
def test_default_scorer_stays_above_its_floors(shared_dir: Path, name: str) -> None:
    path = shared_dir / "eval" / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    pinned = FLOORS[name]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != pinned["sha256"]:
        pytest.skip(f"{path} has changed since its floors were pinned; re-pin them: {REPIN}")

    (scores,) = evaluate_summaries(path, ["default"])

    assert scores.n == pinned["rows"]
    measured = {"rouge1": scores.rouge1, "rouge2": scores.rouge2, "rougeLsum": scores.rougeLsum}
    below = {key: (value, pinned[key]) for key, value in measured.items() if value < pinned[key]}
    assert not below, f"{name}: below the pinned floors (measured, floor): {below}"
