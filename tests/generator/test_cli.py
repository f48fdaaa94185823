"""The command line as a user meets it: help, the written template, defaults files, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import generator
from generator.cli import main
from generator.consumer.template import build_template
from generator.render import render
from generator.validation import check_worst_case

ROOT = Path(__file__).resolve().parent.parent.parent
ORG_TOPIC = "arn:aws:sns:us-east-2:111122223333:artifacts"
ORG_DEFAULTS = {
    "DistributionTopic": ORG_TOPIC,
    "DistributionRegion": "us-east-2",
    "DistributionBucket": "my-artifacts-111122223333-us-east-2",
    "InitialDistributionRole": "arn:aws:iam::111122223333:role/TriggerInitSetRole",
    "InitialDistributionSetMachine": (
        "arn:aws:states:us-east-2:111122223333:stateMachine:InitialSet"
    ),
}


def run_cli(*args: str, hash_seed: str = "0") -> subprocess.CompletedProcess:
    """`python -m generator ARGS` in a fresh interpreter, as a user would run it."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_help_explains_every_option_with_an_example():
    result = run_cli("--help")
    assert result.returncode == 0
    for option in ("--output", "--format", "--parameter-defaults", "--version"):
        assert option in result.stdout
    assert "examples:" in result.stdout and "org-defaults.json" in result.stdout
    assert "--output -" in result.stdout


def test_version_prints_the_projects_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout == f"build-artifact-consumer {generator.__version__}\n"


def test_writes_a_validated_template_and_a_summary(tmp_path, capsys):
    output = tmp_path / "out" / "template.json"
    assert main(["--output", str(output)]) == 0
    template = json.loads(output.read_text())
    assert "CopyFunction" in template["Resources"]
    summary = capsys.readouterr().out
    assert f"wrote {output}" in summary
    assert "cfn-lint  no findings" in summary
    # The size as written, and with every default at its MaxLength, against the 51,200 bytes
    size = len(output.read_bytes())
    assert f"  size      {size:,} of 51,200 bytes (" in summary
    worst = check_worst_case(build_template())
    assert f"  worst     {worst:,} of 51,200 bytes (" in summary and worst > size
    assert "handlers/consumer/copy_files.py" in summary and "inlined" in summary


def test_yaml_output(tmp_path):
    output = tmp_path / "template.yaml"
    assert main(["--format", "yaml", "--output", str(output)]) == 0
    assert output.read_text().startswith("AWSTemplateFormatVersion: '2010-09-09'")


def test_build_is_byte_for_byte_deterministic(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert run_cli("--output", str(first), hash_seed="1").returncode == 0
    assert run_cli("--output", str(second), hash_seed="2").returncode == 0
    assert first.read_bytes() == second.read_bytes()


def test_parameter_defaults_are_baked_into_the_template(tmp_path):
    # GIVEN the README's example: an organisation's own distributor, in us-east-2
    defaults = write_json(tmp_path / "org.json", ORG_DEFAULTS)
    output = tmp_path / "template.json"
    # WHEN the template is built with them
    assert main(["--parameter-defaults", str(defaults), "--output", str(output)]) == 0
    # THEN they are its defaults, and the other parameters keep theirs
    params = json.loads(output.read_text())["Parameters"]
    for name, value in ORG_DEFAULTS.items():
        assert params[name]["Default"] == value
    assert params["TriggerVersion"]["Default"] == "1.0"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"DistributionTopc": ORG_TOPIC}, "unknown parameter 'DistributionTopc'"),
        ({"DistributionRegion": "Frankfurt"}, "default for DistributionRegion is 'Frankfurt'"),
        ({"TriggerVersion": 2}, "default for TriggerVersion must be a string"),
        (["DistributionTopic"], "must be a JSON object"),
        ("{not json", "is not valid JSON"),
        (
            {"DistributionTopic": ORG_TOPIC},
            "DistributionTopic is in us-east-2, but DistributionRegion is eu-west-1",
        ),
        (
            {
                "DistributionRegion": "us-east-2",
                "DistributionTopic": ORG_TOPIC,
                "InitialDistributionSetMachine": "arn:aws:states:eu-west-1:111122223333:"
                "stateMachine:InitialSet",
            },
            "InitialDistributionSetMachine is in eu-west-1, but DistributionRegion is us-east-2",
        ),
        (
            {"TargetBucket": "tts-cloud-artifacts-529985782713-eu-west-1"},
            "TargetBucket must not be the DistributionBucket",
        ),
        (
            # the case: topic and bucket of another distributor, role and machine kept
            {
                "DistributionTopic": "arn:aws:sns:eu-west-1:111122223333:artifacts",
                "DistributionBucket": "my-artifacts-111122223333-eu-west-1",
            },
            "the distributor's ARNs must name one account, but "
            "DistributionTopic is in 111122223333, "
            "InitialDistributionRole is in 529985782713, "
            "InitialDistributionSetMachine is in 529985782713",
        ),
        (
            {**ORG_DEFAULTS, "InitialDistributionRole": "arn:aws:iam::444455556666:role/Trigger"},
            "InitialDistributionRole is in 444455556666",
        ),
    ],
)
def test_bad_defaults_file_is_one_clear_line(tmp_path, content, message):
    path = tmp_path / "org.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    result = run_cli("--parameter-defaults", str(path), "--output", str(tmp_path / "t.json"))
    assert_one_error_line(result, message)
    assert not (tmp_path / "t.json").exists()


def assert_one_error_line(result: subprocess.CompletedProcess, message: str) -> None:
    """Exit 1 with exactly one line on stderr, `error: ...` containing `message`; no output."""
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_missing_defaults_file_is_a_clear_error(tmp_path, capsys):
    assert main(["--parameter-defaults", str(tmp_path / "nope.json")]) == 1
    assert "cannot read parameter defaults" in capsys.readouterr().err


def test_help_names_the_command_the_user_typed():
    assert run_cli("--help").stdout.startswith("usage: python -m generator ")


def test_long_baked_defaults_stay_within_the_worst_case(tmp_path):
    # GIVEN an organisation's defaults far longer than the built-in ones (a deep SSM path)
    path = "/" + "/".join(["platform-team-artifacts"] * 24)
    defaults = write_json(tmp_path / "org.json", {"BucketNameParameterName": path})
    output = tmp_path / "template.json"
    # WHEN the user builds with them
    result = run_cli("--parameter-defaults", str(defaults), "--output", str(output))
    # THEN it builds, no larger than the worst case the build checked (which they do not change)
    assert result.returncode == 0, result.stderr
    worst = check_worst_case(build_template())
    built_in = len("/build-artifact-consumer/bucket-name")
    assert len(render(build_template())) + len(path) - built_in == len(output.read_bytes()) <= worst
    assert f"  worst     {worst:,} of 51,200 bytes" in result.stdout


def test_a_default_longer_than_its_max_length_is_one_clear_error(tmp_path):
    # GIVEN a region name that matches the region grammar but is longer than any region can be
    region = "us-" + "a" * 47 + "-1"
    defaults = write_json(tmp_path / "org.json", {"DistributionRegion": region})
    # WHEN the user builds with it THEN the build stops, naming the parameter and its MaxLength
    result = run_cli("--parameter-defaults", str(defaults), "--output", str(tmp_path / "t.json"))
    assert_one_error_line(
        result, "default for DistributionRegion is 52 characters long, over its MaxLength 50"
    )
