"""briefer.sparse: scipy.sparse imported without its copy of numpy's namespace loading every
numpy submodule, and that copy still answering every name a plain import's copy answers."""

from __future__ import annotations

import json
import subprocess
import sys

_ANSWERS = """
import json, sys
{first}
import numpy
compat = sys.modules.get("scipy._lib.array_api_compat.numpy")
names = sorted(n for n in set(numpy.__all__) | set(dir(numpy)) if not n.startswith("__"))
print(json.dumps(None if compat is None else {{
    # the names it answers, and those it answers with numpy's own object (not a wrapper)
    "answered": [n for n in names if hasattr(compat, n)],
    "numpy's own": [n for n in names if getattr(compat, n, None) is getattr(numpy, n)],
}}))
"""


def _answers(first: str) -> object:
    code = _ANSWERS.format(first=first)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_scipys_numpy_copy_answers_every_name_it_answered() -> None:
    ours = _answers("from briefer.sparse import sparse")
    plain = _answers("from scipy import sparse")
    assert ours == plain


def test_the_trimmed_import_leaves_numpys_submodules_unloaded() -> None:
    code = (
        "import sys; from briefer.sparse import sparse; "
        "print(sparse.csr_matrix is not None, 'numpy.polynomial' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False"]
