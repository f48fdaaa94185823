"""Exit status 2: whenever the fleet status cannot be told, one line on stderr, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
import requests

from testkit.fleet import OUTPUTS, REGION, deploy

REPO = Path(__file__).resolve().parents[2]
PREFIX = "error: cannot tell the fleet status: "


def assert_cannot_tell(run, *words: str) -> None:
    """Exit 2, nothing on stdout, one line on stderr naming `words`."""
    assert (run.status, run.out) == (2, "")
    assert run.err.startswith(PREFIX) and run.err.count("\n") == 1, run.err
    assert all(word in run.err for word in words), run.err


def test_unknown_stack(fleet):
    assert_cannot_tell(fleet(stack="no-such-stack"), "no-such-stack", "does not exist")


def test_stack_without_the_distributor_outputs(fleet):
    deploy("some-other-stack", {"DistributionTopic": OUTPUTS["DistributionTopic"]})
    run = fleet(stack="some-other-stack")
    assert_cannot_tell(run, "DistributionRegion, DistributionBucket, ReceiptLogGroup")


def test_topic_in_another_region_than_the_outputs_say(fleet):
    deploy("mixed-up", OUTPUTS | {"DistributionRegion": "us-east-1"})
    assert_cannot_tell(fleet(stack="mixed-up"), "DistributionRegion says us-east-1")


def test_log_group_that_does_not_exist(fleet):
    distributor = deploy("no-logs", OUTPUTS | {"ReceiptLogGroup": "no-such-group"})
    distributor.subscribe("111111111111", "eu-west-1")
    distributor.put("releases/a.zip", b"a")
    assert_cannot_tell(fleet(stack="no-logs"), "StartQuery", "ResourceNotFoundException")


def test_bucket_that_does_not_exist(fleet):
    distributor = deploy("no-bucket", OUTPUTS | {"DistributionBucket": "no-such-bucket-4711"})
    distributor.subscribe("111111111111", "eu-west-1")
    assert_cannot_tell(fleet(stack="no-bucket"), "ListObjectsV2", "NoSuchBucket")


def test_no_artifact_under_the_prefix_is_no_answer(fleet):
    distributor = deploy()
    distributor.subscribe("111111111111", "eu-west-1")
    distributor.put("releases/1.2/a.zip", b"a")
    assert_cannot_tell(fleet("--prefix", "releases/1.3/"), "no artifact under 'releases/1.3/'")


def test_a_topic_without_consumers_is_no_answer(fleet):
    deploy().put("releases/1.2/a.zip", b"a")
    assert_cannot_tell(fleet(), "has no SQS subscription")


@pytest.fixture
def enforced_iam(aws):
    """moto checks IAM permissions (of users it knows) until the test ends."""
    requests.post(f"{aws}/moto-api/reset-auth", data=b"0", timeout=10)
    yield
    requests.post(f"{aws}/moto-api/reset-auth", data=b"inf", timeout=10)


@pytest.fixture
def user_without_permissions(aws, monkeypatch):
    """Credentials of an IAM user that may do nothing, in the distributor's account."""
    iam = boto3.client("iam")
    iam.create_user(UserName="nobody")
    key = iam.create_access_key(UserName="nobody")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.delenv("AWS_SESSION_TOKEN")


def test_no_access(fleet, user_without_permissions, enforced_iam):
    assert_cannot_tell(fleet(), "DescribeStacks", "AccessDenied")


def run_module(*options: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`python -m generator fleet ...` in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "generator", "fleet", *options],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_no_credentials_in_a_process_of_its_own(aws):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    env |= {"AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": aws}
    done = run_module("--distributor-stack", "x", "--region", REGION, env=env)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"{PREFIX}NoCredentialsError: Unable to locate credentials\n"


def test_unknown_stack_in_a_process_of_its_own(aws):
    done = run_module("--distributor-stack", "gone", "--json", env=dict(os.environ))
    assert (done.returncode, done.stdout) == (2, "")
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert "Stack with id gone does not exist" in done.stderr
