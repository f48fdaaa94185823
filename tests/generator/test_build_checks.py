"""The checks the build runs: cfn-lint, the size limit, and the inlined code being current."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.consumer.template import HANDLER_MODULES, build_template
from generator.inline import InlineError, inline_handler, public_names
from generator.render import render
from generator.validation import (
    LINT_INCLUDE_CHECKS,
    LINT_REGIONS,
    TEMPLATE_BODY_LIMIT,
    ValidationError,
    lint_findings,
    validate,
)
from testkit.handlers import FUNCTIONS, inlined_code, load_handler
from tests.generator.golden import GOLDEN, UPDATE

ROOT = Path(__file__).resolve().parent.parent.parent
CFN_LINT = Path(sys.executable).parent / "cfn-lint"


@pytest.fixture(scope="module")
def emitted() -> str:
    return render(build_template())


def test_emitted_template_has_no_lint_findings_and_fits(emitted):
    validate(emitted)  # the same call the build makes
    assert lint_findings(emitted) == []
    assert len(emitted.encode()) <= TEMPLATE_BODY_LIMIT


def test_yaml_rendering_is_lint_clean_too():
    validate(render(build_template(), "yaml"))


def test_validation_rejects_a_lint_error(emitted):
    broken = json.loads(emitted)
    # No longer than the number it replaces, so the size check cannot fire before cfn-lint's.
    broken["Resources"]["ArtifactQueue"]["Properties"]["VisibilityTimeout"] = "x"
    with pytest.raises(ValidationError, match=r"(?s)reported 1 finding.*VisibilityTimeout"):
        validate(compact(broken))


def compact(template: dict) -> str:
    """JSON as the build writes it."""
    return json.dumps(template, separators=(",", ":"))


def without_queue_deletion_policy(emitted: str) -> str:
    """The emitted template with one informational finding: I3011 on ArtifactQueue."""
    broken = json.loads(emitted)
    del broken["Resources"]["ArtifactQueue"]["DeletionPolicy"]
    return compact(broken)


def test_validation_runs_the_informational_rules(emitted):
    with pytest.raises(ValidationError, match=r"(?s)reported 1 finding.*I3011.*ArtifactQueue"):
        validate(without_queue_deletion_policy(emitted))


def test_a_users_cfnlintrc_cannot_weaken_the_build(emitted, tmp_path, monkeypatch):
    # GIVEN a ~/.cfnlintrc and a ./.cfnlintrc that ignore every rule and lint one region
    weak = "ignore_checks: [E, W, I]\nregions: [us-east-1]\n"
    (tmp_path / "home").mkdir()
    for folder in (tmp_path, tmp_path / "home"):
        (folder / ".cfnlintrc").write_text(weak)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    # WHEN the build validates a template with a finding THEN it still sees it
    with pytest.raises(ValidationError, match="I3011"):
        validate(without_queue_deletion_policy(emitted))


def test_cfnlintrc_configures_what_the_build_checks():
    config = yaml.safe_load((ROOT / ".cfnlintrc").read_text(encoding="utf-8"))
    assert config == {"regions": list(LINT_REGIONS), "include_checks": list(LINT_INCLUDE_CHECKS)}


def test_cfn_lint_by_hand_in_the_repository_reports_informational_findings(emitted, tmp_path):
    # GIVEN a template with only an informational finding
    path = tmp_path / "template.json"
    path.write_text(without_queue_deletion_policy(emitted))
    # WHEN a user runs `cfn-lint template.json` from the repository root THEN it is reported
    result = subprocess.run(
        [str(CFN_LINT), str(path)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert "I3011" in result.stdout and result.returncode != 0


def test_validation_rejects_a_template_over_the_limit(emitted):
    padded = json.loads(emitted)
    padded["Description"] = "x" * 1024
    padded["Metadata"]["Padding"] = "x" * TEMPLATE_BODY_LIMIT
    # WHEN the build validates a template over the limit THEN it names its size and the limit
    with pytest.raises(ValidationError) as refused:
        validate(json.dumps(padded))
    size = len(json.dumps(padded).encode())
    assert f"template is {size:,} bytes" in str(refused.value)
    assert "over CloudFormation's 51,200-byte TemplateBody limit" in str(refused.value)


def test_any_rendering_may_use_the_whole_template_body_limit():
    # No budget below CloudFormation's limit: YAML, always larger than JSON, may fill it.
    yaml = render(build_template(), "yaml")
    validate(yaml + "#" * (TEMPLATE_BODY_LIMIT - len(yaml.encode())))
    with pytest.raises(ValidationError, match="over CloudFormation's 51,200-byte"):
        validate(yaml + "#" * (TEMPLATE_BODY_LIMIT - len(yaml.encode()) + 1))


@pytest.mark.parametrize("name", HANDLER_MODULES)
def test_golden_template_ships_the_minified_current_source(name):
    current = inline_handler(name, "consumer")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    shipped = golden["Resources"][FUNCTIONS[name]]["Properties"]["Code"]["ZipFile"]
    assert shipped == current.code, f"{current.path} changed: run `{UPDATE}`"
    assert current.inlined_bytes < current.source_bytes


@pytest.mark.parametrize("name", HANDLER_MODULES)
def test_inlined_code_compiles_and_exposes_handler(name):
    tree = ast.parse(inlined_code(name))
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert "handler" in functions
    compile(tree, "index.py", "exec")
    assert FUNCTIONS[name] in build_template().resources


def test_handler_without_entry_point_is_refused(tmp_path):
    (tmp_path / "consumer").mkdir()
    (tmp_path / "consumer" / "copy_files.py").write_text(
        "def main(event, context):\n    return 1\n"
    )
    with pytest.raises(InlineError, match="no top-level `handler`"):
        inline_handler("copy_files", "consumer", tmp_path)


def test_handler_that_does_not_compile_is_refused(tmp_path):
    (tmp_path / "consumer").mkdir()
    (tmp_path / "consumer" / "copy_files.py").write_text(
        "def handler(event, context)\n    return 1\n"
    )
    with pytest.raises(InlineError, match="does not compile"):
        inline_handler("copy_files", "consumer", tmp_path)


def test_missing_handler_module_is_refused(tmp_path):
    with pytest.raises(InlineError, match="cannot read handler"):
        inline_handler("copy_files", "consumer", tmp_path)


@pytest.mark.parametrize("name", HANDLER_MODULES)
def test_inlined_module_keeps_handler_and_its_public_names(name):
    module = load_handler(name, "inlined")
    source = load_handler(name, "source")
    for public in getattr(source, "__all__", ["handler"]):
        assert hasattr(module, public), f"inlined {name} lost {public}"
    assert callable(module.handler)


def test_public_names_are_handler_and_dunder_all():
    source = (
        "__all__ = ['helper', 'LIMIT']\nLIMIT = 1\ndef helper(): pass\ndef handler(e, c): pass\n"
    )
    assert public_names(source) == ["LIMIT", "handler", "helper"]


def test_a_constant_the_template_reads_from_a_handler_must_exist():
    code = inline_handler("copy_files", "consumer")
    assert code.constant("BATCH_SIZE") == 10
    with pytest.raises(InlineError, match="assigns no literal constant NO_SUCH_NAME"):
        code.constant("NO_SUCH_NAME")
