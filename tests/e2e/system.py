"""The whole system on moto: the distributor template in one account, consumers in others.

The distributor stack is deployed from `python -m generator --stack distributor` in
DISTRIBUTOR_ACCOUNT; the consumer template is built from its outputs exactly as the README says
(`describe-stacks --query` -> `--parameter-defaults`) and deployed per account and region, the
shape a stack set gives. Each account acts with credentials moto's STS hands out for it.

Where moto stops (moto_glue): the publisher runs in-process on the `Object Created` events its
rule matched; the initial set is driven the way InitialDistributionSetMachine drives it: for each
execution the consumers' triggers started, the deployed InitialSetFunction is invoked with the
execution's input, then with its own output while that carries a ContinuationToken.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import jmespath
import pytest
import requests

from generator.distributor.template import DEFAULTS_QUERY
from tests.conftest import FAKE_ENV
from tests.e2e.lambda_runtime import DeployedFunction, QueuePoller, environment
from tests.e2e.moto_glue import (
    Invocation,
    capture_invocations,
    capture_rule_deliveries,
    deliver_across_accounts,
)
from tests.e2e.stack import Stack, deploy, wait_for

REPO = Path(__file__).resolve().parents[2]
DISTRIBUTOR_ACCOUNT, DISTRIBUTOR_REGION = "999988887777", "eu-west-1"
CONSUMERS = (
    ("111111111111", "eu-central-1"),
    ("111111111111", "us-east-2"),
    ("222222222222", "eu-central-1"),
    ("222222222222", "us-east-2"),
)
LATE_CONSUMER = ("333333333333", "ap-southeast-2")  # deployed after artifacts exist
CONSUMER_ACCOUNTS = sorted({account for account, _ in (*CONSUMERS, LATE_CONSUMER)})


def build(tmp: Path, *args: str) -> str:
    """`python -m generator ARGS --output FILE` as the README runs it; the template's text."""
    output = tmp / "template.json"
    done = subprocess.run(
        [sys.executable, "-m", "generator", *args, "--output", str(output)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return output.read_text(encoding="utf-8")


@dataclass
class System:
    """The deployed distributor, the consumers deployed so far, and what moto handed over."""

    endpoint: str
    tmp: Path
    invocations: queue.Queue[Invocation]  # custom resources' function runs
    deliveries: queue.Queue[Invocation]  # EventBridge rule -> Lambda target
    credentials: dict[str, dict[str, str]] = field(default_factory=dict)
    distributor: Stack | None = None
    consumer_template: str = ""
    consumers: dict[tuple[str, str], Stack] = field(default_factory=dict)
    pollers: dict[tuple[str, str], QueuePoller] = field(default_factory=dict)
    served: set[str] = field(default_factory=set)
    pages: list[int] = field(default_factory=list)  # function runs per initial-set execution

    @contextmanager
    def account(self, account: str, region: str) -> Iterator[None]:
        """boto3 (and functions run in-process) act as `account` in `region` in the block."""
        if account not in self.credentials:
            answer = boto3.client("sts").assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/e2e", RoleSessionName="e2e"
            )["Credentials"]
            self.credentials[account] = {
                "AWS_ACCESS_KEY_ID": answer["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": answer["SecretAccessKey"],
                "AWS_SESSION_TOKEN": answer["SessionToken"],
            }
        region_env = {"AWS_DEFAULT_REGION": region, "AWS_REGION": region}
        # boto3's default session keeps the credentials it first found: a fresh one per block.
        saved, boto3.DEFAULT_SESSION = boto3.DEFAULT_SESSION, None
        try:
            with environment({**self.credentials[account], **region_env}):
                yield
        finally:
            boto3.DEFAULT_SESSION = saved

    def distributor_account(self):
        return self.account(DISTRIBUTOR_ACCOUNT, DISTRIBUTOR_REGION)

    def deploy_distributor(self) -> Stack:
        """Deploy the distributor for CONSUMER_ACCOUNTS; switch its bucket's notifications on."""
        body = build(self.tmp, "--stack", "distributor")
        with self.distributor_account():
            parameters = {"ConsumerAccountIds": ",".join(CONSUMER_ACCOUNTS)}
            stack_id = boto3.client("cloudformation").create_stack(
                StackName="distributor",
                TemplateBody=body,
                Parameters=[
                    {"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()
                ],
                Capabilities=["CAPABILITY_IAM"],
            )["StackId"]
            self.distributor = Stack.load(stack_id, self.endpoint)
            wait_for(self.distributor, "CREATE_COMPLETE")
            # moto's CloudFormation applies neither EventBridgeConfiguration nor versioning
            # (moto_glue); the template's are tested in test_distributor_template.py.
            s3 = boto3.client("s3")
            s3.put_bucket_notification_configuration(
                Bucket=self.bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
            )
            s3.put_bucket_versioning(
                Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"}
            )
        return self.distributor

    @property
    def outputs(self) -> dict[str, str]:
        with self.distributor_account():
            return self.distributor.outputs()

    @property
    def bucket(self) -> str:
        return self.distributor.physical_id("DistributionBucket")

    def consumer_defaults(self) -> dict[str, str]:
        """The README's command: DescribeStacks through DEFAULTS_QUERY."""
        with self.distributor_account():
            described = boto3.client("cloudformation").describe_stacks(
                StackName=self.distributor.stack_id
            )
        return jmespath.search(DEFAULTS_QUERY, described)

    def build_consumer(self) -> str:
        """The consumer template with the distributor's outputs baked in as defaults."""
        defaults = self.tmp / "consumer-defaults.json"
        defaults.write_text(json.dumps(self.consumer_defaults()), encoding="utf-8")
        self.consumer_template = build(self.tmp, "--parameter-defaults", str(defaults))
        return self.consumer_template

    def deploy_consumer(self, account: str, region: str) -> Stack:
        """Deploy the consumer stack in `account` and `region` with its defaults."""
        with self.account(account, region):
            stack = deploy(
                "build-artifact-consumer",
                self.consumer_template,
                {},
                self.invocations,
                endpoint=self.endpoint,
                after_custom_resource=self.serve_initial_sets,
            )
            mapping = stack.of_type("AWS::Lambda::EventSourceMapping")[0]
            self.pollers[account, region] = QueuePoller.of_stack(stack, mapping)
        self.consumers[account, region] = stack
        return stack

    def function(self, logical_id: str) -> DeployedFunction:
        """A distributor function as deployed now (its configuration read afresh)."""
        with self.distributor_account():
            return DeployedFunction.of_stack(self.distributor, logical_id)

    def serve_initial_sets(self) -> None:
        """Run each new execution of the machine as it would run: the function in a loop."""
        function = self.function("InitialSetFunction")
        machine = self.outputs["InitialDistributionSetMachine"]
        with self.distributor_account():
            sfn = boto3.client("stepfunctions")
            for listed in sfn.list_executions(stateMachineArn=machine)["executions"]:
                if listed["executionArn"] in self.served:
                    continue
                self.served.add(listed["executionArn"])
                execution = sfn.describe_execution(executionArn=listed["executionArn"])
                self.pages.append(loop(function, json.loads(execution["input"])))

    def publish_pending(self) -> int:
        """Run the publisher on every event its rule matched so far; how many it ran."""
        function, runs = self.function("PublisherFunction"), 0
        with self.distributor_account():
            while not self.deliveries.empty():
                delivery = self.deliveries.get_nowait()
                assert delivery.function_arn == function.arn
                function.invoke(delivery.event)
                runs += 1
        return runs

    def drain(self) -> None:
        """Every consumer's queue fed to its copy function until empty, as Lambda would."""
        for (account, region), poller in self.pollers.items():
            with self.account(account, region):
                poller.drain(max_polls=400)

    def held(self, account: str, region: str) -> dict[str, bytes]:
        """What a consumer's target bucket holds, by key."""
        with self.account(account, region):
            bucket = self.consumers[account, region].outputs()["BucketName"]
            s3 = boto3.client("s3")
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            keys = [o["Key"] for page in pages for o in page.get("Contents", [])]
            return {k: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}

    def put(self, key: str, body: bytes, tags: dict[str, str] | None = None) -> None:
        """Upload an artifact into the distribution bucket, as the platform team does."""
        self.put_all([(key, body, tags)])

    def put_all(self, artifacts: list[tuple[str, bytes, dict[str, str] | None]]) -> None:
        """Upload (key, body, tags) artifacts with one client (making one takes a while)."""
        with self.distributor_account():
            s3 = boto3.client("s3")
            for key, body, tags in artifacts:
                extra = {"Tagging": "&".join(f"{k}={v}" for k, v in tags.items())} if tags else {}
                s3.put_object(
                    Bucket=self.bucket, Key=key, Body=body, ChecksumAlgorithm="SHA256", **extra
                )

    def receipts(self) -> list[dict]:
        """Every receipt event in the distributor's receipt log group."""
        with self.distributor_account():
            logs = boto3.client("logs")
            group = self.outputs["ReceiptLogGroup"]
            pages = logs.get_paginator("filter_log_events").paginate(logGroupName=group)
            return [json.loads(e["message"]) for page in pages for e in page["events"]]


@contextmanager
def launched(endpoint: str, tmp: Path) -> Iterator[System]:
    """A fresh moto with the glue of moto_glue and the distributor deployed, for the block."""
    requests.post(f"{endpoint}/moto-api/reset", timeout=10)
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name, value in {**FAKE_ENV, "AWS_ENDPOINT_URL": endpoint}.items():
            monkeypatch.setenv(name, value)
        deliver_across_accounts(monkeypatch)
        system = System(
            endpoint=endpoint,
            tmp=tmp,
            invocations=capture_invocations(monkeypatch),
            deliveries=capture_rule_deliveries(monkeypatch),
        )
        system.deploy_distributor()
        system.build_consumer()
        yield system


def loop(function: DeployedFunction, event: dict) -> int:
    """InitialDistributionSetMachine's loop: invoke, again with the output while it has a token."""
    for runs in range(1, 1000):
        event = function.invoke(event)
        if "ContinuationToken" not in event:
            return runs
    raise AssertionError("the initial set never ended")
