"""What the command line says about what it was given: short errors, format and extension,
partitions, unknown regions, and the built-in distributor defaults."""

from __future__ import annotations

import json

import pytest

from generator.cli import parse_args
from generator.consumer.defaults import ORIGINAL_ACCOUNT, build_warnings
from generator.quoting import QUOTE_LIMIT, quoted, shortened
from tests.generator.test_cli import ORG_DEFAULTS, assert_one_error_line, run_cli, write_json

TEN_MB = 10 * 1024 * 1024
# An error line: the message, the file's path and at most about 100 characters of the value.
SHORT_LINE = 500


def assert_short_error(result, message: str) -> None:
    assert_one_error_line(result, message)
    assert len(result.stderr) < SHORT_LINE, result.stderr[:SHORT_LINE]


def test_quoting_keeps_a_short_value_whole_and_cuts_a_long_one_saying_its_length():
    assert quoted("eu-west-1") == "'eu-west-1'" and shortened("build/t.json") == "build/t.json"
    long = "x" * 10_000
    assert quoted(long) == f"'{'x' * QUOTE_LIMIT}'... (10,000 characters)"
    assert shortened(long) == f"{'x' * QUOTE_LIMIT}... (10,000 characters)"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            {"DistributionBucket": "a" * TEN_MB},
            "is 10,485,760 characters long, over its MaxLength 63",
        ),
        (
            {"InitialDistributionRole": "a" * 550},  # within its MaxLength, not its pattern
            f"is '{'a' * QUOTE_LIMIT}'... (550 characters): must be",
        ),
        (
            {"X" * TEN_MB: "value"},
            "unknown parameter 'XXX" + "X" * (QUOTE_LIMIT - 3) + "'... (10,485,760 characters) in",
        ),
        ('{"DistributionBucket": ' + "9" * TEN_MB + "}", "holds a number too long to read"),
        (f'{{"{"K" * 5000}": "a", "{"K" * 5000}": "b"}}', "KKK... (5,000 characters) twice"),
    ],
    ids=["value", "value-within-its-maxlength", "name", "number", "name-twice"],
)
def test_a_10_mb_value_in_a_defaults_file_is_one_short_line(tmp_path, content, message):
    path = tmp_path / "org.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    result = run_cli("--parameter-defaults", str(path), "--output", str(tmp_path / "t.json"))
    assert_short_error(result, message)


def test_an_impossible_yaml_date_is_one_line_not_a_traceback(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text("TriggerVersion: 2024-13-45\n")
    result = run_cli("--parameter-defaults", str(path), "--output", str(tmp_path / "t.json"))
    assert_short_error(result, "quote it")


def test_a_long_output_path_is_quoted_short(tmp_path):
    output = tmp_path / ("n" * 5000) / "template.json"
    assert_short_error(run_cli("--output", str(output)), "cannot write ")


def test_long_command_line_values_are_quoted_short():
    result = run_cli("--format", "y" * 5000)
    assert result.returncode == 2 and "invalid choice: 'yyy" in result.stderr
    assert len(result.stderr) < SHORT_LINE
    result = run_cli("z" * 5000)
    assert result.returncode == 2 and "unrecognized arguments: zzz" in result.stderr
    assert len(result.stderr) < SHORT_LINE


@pytest.mark.parametrize(
    ("fmt", "output", "message"),
    [
        ("yaml", "template.json", "--format yaml would write YAML into "),
        ("yaml", "TEMPLATE.JSON", "name a .yaml or .yml file, or give --format json"),
        ("json", "template.yaml", "--format json would write JSON into "),
        ("json", "template.yml", "name a .json file, or give --format yaml"),
    ],
)
def test_a_format_the_extension_contradicts_is_refused(tmp_path, fmt, output, message):
    result = run_cli("--format", fmt, "--output", str(tmp_path / output))
    assert_short_error(result, message)
    assert not (tmp_path / output).exists()


def test_the_default_output_follows_the_format():
    assert parse_args([]).output == "build/template.json"
    assert parse_args(["--format", "yaml"]).output == "build/template.yaml"
    assert parse_args(["--format", "yaml", "--output", "t.template"]).output == "t.template"


def test_an_empty_output_path_says_so():
    assert_short_error(run_cli("--output", ""), "the output path is empty")


def test_arns_of_two_partitions_are_refused_in_one_line(tmp_path):
    china = {
        **ORG_DEFAULTS,
        "DistributionRegion": "cn-north-1",
        "DistributionTopic": "arn:aws-cn:sns:cn-north-1:111122223333:artifacts",
        "InitialDistributionSetMachine": (
            "arn:aws-cn:states:cn-north-1:111122223333:stateMachine:InitialSet"
        ),
    }  # the role stays arn:aws:...
    path = write_json(tmp_path / "org.json", china)
    result = run_cli("--parameter-defaults", str(path), "--output", str(tmp_path / "t.json"))
    assert_short_error(
        result, "the ARNs must all be in one partition, but DistributionTopic is in aws-cn, "
    )
    assert "InitialDistributionRole is in aws," in result.stderr


def test_a_region_botocore_does_not_know_is_a_warning_naming_it(tmp_path):
    # GIVEN a distributor in a region newer than this botocore (or misspelt)
    region = "xx-mars-1"
    org = {
        **ORG_DEFAULTS,
        "DistributionRegion": region,
        "DistributionTopic": f"arn:aws:sns:{region}:111122223333:artifacts",
        "InitialDistributionSetMachine": (
            f"arn:aws:states:{region}:111122223333:stateMachine:InitialSet"
        ),
    }
    path = write_json(tmp_path / "org.json", org)
    output = tmp_path / "t.json"
    # WHEN the template is built
    result = run_cli("--parameter-defaults", str(path), "--output", str(output))
    # THEN it is built, and stderr says, in one line, that botocore does not know the region
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        f"warning: DistributionRegion '{region}' is no region botocore knows; building anyway "
        "(regions are added over time), but check its spelling\n"
    )
    assert json.loads(output.read_text())["Parameters"]["DistributionRegion"]["Default"] == region


def test_the_built_in_distributor_is_a_warning_on_stderr(tmp_path):
    result = run_cli("--output", str(tmp_path / "t.json"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "warning: the distributor parameters default to the original organisation's distributor "
        f"(account {ORIGINAL_ACCOUNT}): before deploying, build with --parameter-defaults naming "
        "yours (README: Quick start)\n"
    )


def test_the_warning_names_the_distributor_defaults_a_file_left_as_they_were():
    assert build_warnings(ORG_DEFAULTS) == []
    (only_bucket,) = build_warnings({"DistributionBucket": "my-artifacts-111122223333"})
    assert only_bucket.startswith(
        "DistributionTopic, InitialDistributionRole, InitialDistributionSetMachine default to "
        f"the original organisation's distributor (account {ORIGINAL_ACCOUNT})"
    )
