"""Who may import whom: the benchmarks never import the tests; testkit/ imports neither."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from testkit.handlers import emitted_template

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


# ARCHITECTURE.md, "Invariants": Lambda has only index.py and its runtime's boto3.
HANDLER_IMPORTS = set(sys.stdlib_module_names) | {"boto3", "botocore", "s3transfer"}


def foreign_imports(path: Path) -> list[str]:
    """What a handler module imports beyond the standard library and boto3: relative imports
    (nothing is beside index.py in Lambda) and any other top-level package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    relative = [
        "." * node.level + (node.module or "")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level
    ]
    return sorted(top_level_imports(path) - HANDLER_IMPORTS) + relative


def handler_modules() -> list[Path]:
    return sorted((ROOT / "handlers").rglob("*.py"))


@pytest.mark.parametrize("path", handler_modules(), ids=lambda path: path.stem)
def test_handlers_import_only_the_standard_library_and_boto3(path):
    assert foreign_imports(path) == []


def test_foreign_imports_names_a_package_and_a_relative_import(tmp_path):
    module = tmp_path / "handler.py"
    module.write_text("import json, yaml\nfrom . import sibling\nfrom botocore import config\n")
    assert foreign_imports(module) == ["yaml", "."]


# ARCHITECTURE.md, "Layout": a resource module's one entry point is `add_<concern>`; a builder
# another module shares is public too, and named here.
SHARED_BUILDERS = {"generator.consumer.messaging": {"queue_alarm"}}
TEMPLATES = ("consumer", "distributor")  # the packages that build a template (not fleet/)


def public_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    }


def resource_modules() -> list[Path]:
    """Every module of a template's package that adds resources (defines an add_ function)."""
    modules = sorted(
        path for side in TEMPLATES for path in (ROOT / "generator" / side).glob("*.py")
    )
    return [path for path in modules if any(n.startswith("add_") for n in public_functions(path))]


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


@pytest.mark.parametrize("path", resource_modules(), ids=module_name)
def test_resource_module_exposes_one_add_function_and_its_shared_builders(path):
    public = public_functions(path)
    adds = {name for name in public if name.startswith("add_")}
    assert len(adds) == 1
    assert public - adds == SHARED_BUILDERS.get(module_name(path), set())


def discarded_add_calls(path: Path) -> set[str]:
    """The add_ functions a module calls as a statement, reading nothing they return."""
    return {
        node.value.func.id
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id.startswith("add_")
    }


def returns_none(path: Path, name: str) -> bool:
    (function,) = [
        node
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef) and node.name == name
    ]
    return isinstance(function.returns, ast.Constant) and function.returns.value is None


@pytest.mark.parametrize("side", TEMPLATES)
def test_an_add_function_whose_result_nobody_reads_returns_nothing(side):
    # a template's build_template() calls the add_ functions of its own package
    modules = [path for path in resource_modules() if path.parent.name == side]
    adds = {name: path for path in modules for name in public_functions(path)}
    discarded = discarded_add_calls(ROOT / "generator" / side / "template.py")
    assert {name for name in discarded & set(adds) if not returns_none(adds[name], name)} == set()


def module_constants(path: Path) -> set[str]:
    """The strings a module's top-level assignments name: `QUEUE = "ArtifactQueue"`, the fields
    of `COPY_FUNCTION = FunctionIds(function="CopyFunction", ...)`, a table's keys and values."""
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            values = [node.value]
            if isinstance(node.value, ast.Call):
                values = [keyword.value for keyword in node.value.keywords]
            elif isinstance(node.value, ast.Dict):  # a table of ids: {"Kind": "LogicalId"}
                values = [*node.value.keys, *node.value.values]
            found |= {v.value for v in values if isinstance(v, ast.Constant)} - {None}
    return found


# Parameters are named once, in generator/consumer/parameters.py's SPECS table.
LOGICAL_ID_SECTIONS = ("Resources", "Outputs", "Rules", "Conditions")


@pytest.mark.parametrize("side", TEMPLATES)
def test_every_logical_id_is_a_module_constant(side):
    """So `grep -rn '"CopyFunctionRole"' generator` finds the one place a resource is made."""
    template = emitted_template(side)
    constants = set().union(*map(module_constants, (ROOT / "generator").rglob("*.py")))
    ids = {f"{section}.{name}" for section in LOGICAL_ID_SECTIONS for name in template[section]}
    assert {id for id in ids if id.split(".", 1)[1] not in constants} == set()
