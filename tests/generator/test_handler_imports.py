"""Handlers import only the standard library and boto3 with the packages it brings (botocore,
s3transfer): the Lambda runtime has nothing else, and nothing of the generator (ARCHITECTURE.md,
Invariants)."""

from __future__ import annotations

import ast
import sys

import pytest

from generator.consumer.template import HANDLER_MODULES, SIDE
from generator.inline import HANDLERS_DIR

BUNDLED = {"boto3", "botocore", "s3transfer"}  # what the Lambda Python runtime bundles


def imported(path) -> set[str]:
    """The top-level packages a module imports, wherever the import statement is."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: a relative import cannot work in index.py"
            names.add(node.module.partition(".")[0])
    return names


@pytest.mark.parametrize("name", HANDLER_MODULES)
def test_handlers_import_only_the_standard_library_and_boto3(name):
    names = imported(HANDLERS_DIR / SIDE / f"{name}.py")
    assert names - set(sys.stdlib_module_names) - BUNDLED == set()


def test_the_check_sees_a_foreign_import(tmp_path):
    module = tmp_path / "handler.py"
    module.write_text("import json\nfrom requests import get\ndef f():\n    import yaml\n")
    assert imported(module) - set(sys.stdlib_module_names) - BUNDLED == {"requests", "yaml"}
