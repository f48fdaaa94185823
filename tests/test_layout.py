"""Who may import whom: the benchmarks never import the tests; testkit/ imports neither."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"benchmarks": {"tests"}, "testkit": {"tests", "benchmarks"}}


def top_level_imports(path: Path) -> set[str]:
    """The top-level packages a module imports (absolute imports only)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize("package", FORBIDDEN)
def test_package_imports_nothing_it_must_not(package):
    modules = sorted((ROOT / package).rglob("*.py"))
    assert modules
    offending = {
        str(path.relative_to(ROOT)): sorted(top_level_imports(path) & FORBIDDEN[package])
        for path in modules
    }
    assert {path: names for path, names in offending.items() if names} == {}
