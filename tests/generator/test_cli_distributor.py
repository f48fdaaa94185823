"""`python -m generator --stack distributor`: the distributor's template from the same CLI.

GIVEN the command line a user runs
WHEN they ask for the distributor (file, stdout, YAML, their own defaults)
THEN it writes the validated distributor template, and refuses bad defaults in one line.
"""

from __future__ import annotations

import json

from cfn_flip import to_json

from tests.generator.golden import emitted
from tests.generator.test_cli import run_cli, write_json


def test_distributor_is_written_to_the_named_file(tmp_path):
    output = tmp_path / "distributor.json"
    result = run_cli("--stack", "distributor", "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert json.loads(output.read_text()) == emitted("distributor")
    assert "handlers/distributor/publisher.py" in result.stdout
    assert "cfn-lint  no findings in any region" in result.stdout


def test_distributor_goes_to_stdout_as_yaml_with_the_summary_on_stderr():
    result = run_cli("--stack", "distributor", "--format", "yaml", "--output", "-")
    assert result.returncode == 0, result.stderr
    assert (
        json.loads(to_json(result.stdout))["Resources"].keys()
        == emitted("distributor")["Resources"].keys()
    )
    assert "wrote the template to stdout" in result.stderr


def test_distributor_defaults_are_baked_in_and_bad_ones_refused(tmp_path):
    good = write_json(
        tmp_path / "org.json", {"OrganizationId": "o-a1b2c3d4e5", "PresignedUrlSeconds": 7200}
    )
    output = tmp_path / "distributor.json"
    result = run_cli(
        "--stack", "distributor", "--parameter-defaults", str(good), "--output", str(output)
    )
    assert result.returncode == 0, result.stderr
    parameters = json.loads(output.read_text())["Parameters"]
    assert parameters["OrganizationId"]["Default"] == "o-a1b2c3d4e5"
    assert parameters["PresignedUrlSeconds"]["Default"] == 7200
    # A consumer's defaults file given to the distributor names parameters it does not have
    bad = write_json(tmp_path / "consumer.json", {"DistributionRegion": "eu-west-1"})
    result = run_cli("--stack", "distributor", "--parameter-defaults", str(bad), "--output", "-")
    assert result.returncode == 1
    assert result.stderr.startswith("error: unknown parameter 'DistributionRegion'")
    assert result.stdout == ""


def test_quiet_writes_the_template_and_prints_nothing(tmp_path):
    # How `tox -e build` builds the distributor, so `-- --output -` pipes the consumer alone
    output = tmp_path / "distributor.json"
    result = run_cli("--stack", "distributor", "--output", str(output), "--quiet")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert json.loads(output.read_text()) == emitted("distributor")
