"""The package's shape, read statically from its source: no import cycles, typer only in the
command line, and the SMTP settings read in one module."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "briefer"


def _module_names() -> dict[str, Path]:
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The nodes under `if TYPE_CHECKING:`: imports for annotations, never run."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside.update(id(sub) for sub in ast.walk(node))
    return inside


def _imported(path: Path, package: str) -> Iterator[str]:
    """Every module name an import statement in the file names, wherever it stands (a lazy
    import inside a function is still a dependency), except type-checking-only imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the importing module's package
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    modules = _module_names()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = {target for target in _imported(path, package) if target in modules}
        graph[name].discard(name)
    # The package's __init__ forwards the public API on first use (PEP 562 __getattr__):
    # that forwarding is the API's face, not a dependency of the modules it names.
    graph["briefer"] = set()
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    assert "briefer.cli" in graph and "briefer.records" in graph["briefer.pipeline"]
    assert cycles(graph) == []


def test_only_the_command_line_imports_typer() -> None:
    for name, path in _module_names().items():
        if name == "briefer.cli" or name.startswith("briefer.cli."):
            continue
        package = name.rpartition(".")[0]
        imported = {target.split(".")[0] for target in _imported(path, package)}
        assert not imported & {"typer", "click"}, f"{name} imports the command-line library"


def test_the_smtp_settings_are_read_in_one_module() -> None:
    readers = sorted(
        str(path.relative_to(REPO))
        for path in PACKAGE.rglob("*.py")
        if "BRIEFER_SMTP" in path.read_text(encoding="utf-8")
    )
    assert readers == ["briefer/config/__init__.py"], readers
