"""Fixtures for the initial-set trigger: CloudFormation events, a Lambda context, the distributor.

The distributor lives in moto (server mode) in its own account and region; faults moto cannot
produce come from `fake_aws`, a local endpoint that boto3 reaches through the standard
per-service `AWS_ENDPOINT_URL_<SERVICE>` variables.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable

import boto3
import pytest

from testkit.lambda_context import LambdaContext
from tests.support.response_url import ResponseServer
from tests.trigger.servers import FakeAws

DISTRIBUTOR_ACCOUNT = "111122223333"
DISTRIBUTION_REGION = "eu-west-1"
CONSUMER_ACCOUNT = "123456789012"
CONSUMER_REGION = "eu-central-1"
ROLE = f"arn:aws:iam::{DISTRIBUTOR_ACCOUNT}:role/TriggerInitSetRole"
MACHINE_NAME = "InitSetRetrieverMachine-i1BYUlZbD1Si"
MACHINE = f"arn:aws:states:{DISTRIBUTION_REGION}:{DISTRIBUTOR_ACCOUNT}:stateMachine:{MACHINE_NAME}"
STACK_ID = (
    f"arn:aws:cloudformation:{CONSUMER_REGION}:{CONSUMER_ACCOUNT}:stack/"
    "build-artifact-consumer/5b1e8f40-a0c1-11ef-9d2b-0a1b2c3d4e5f"
)
# The presigned query string CloudFormation adds: it must never reach a log line.
PRESIGNED_TOKEN, PRESIGNED_SIGNATURE = "PRESIGNEDTOKEN", "PRESIGNEDSIGNATURE"  # never logged
PRESIGNED_QUERY = f"X-Amz-Security-Token={PRESIGNED_TOKEN}&X-Amz-Signature={PRESIGNED_SIGNATURE}"
PUT_ATTEMPTS = 4  # the handler's bound on its answer's PUTs
TRIGGER_ENV = {
    "INITIAL_DISTRIBUTION_ROLE": ROLE,
    "INITIAL_DISTRIBUTION_MACHINE": MACHINE,
    "DISTRIBUTION_REGION": DISTRIBUTION_REGION,
    "CONSUMER_ACCOUNT_ID": CONSUMER_ACCOUNT,
    "CONSUMER_REGION": CONSUMER_REGION,
}
FUNCTION_NAME = "consumer-InitialSetTriggerFunction"
INITIAL_SET_INPUT = {"AccountId": CONSUMER_ACCOUNT, "Region": CONSUMER_REGION}


def stable_id(stack_id: str = STACK_ID, logical_id: str = "InitialSetTrigger") -> str:
    """The PhysicalResourceId the trigger gives a stack's resource on Create."""
    return f"{logical_id}-{uuid.uuid5(uuid.NAMESPACE_URL, stack_id)}"


def answer(event: dict, status: str, reason: str = "", data: dict | None = None) -> dict:
    """The response document CloudFormation must get for `event`: its ids echoed, or the stable
    PhysicalResourceId where the event has none (a Create).
    """
    return {
        "Status": status,
        "Reason": reason,
        "PhysicalResourceId": event.get("PhysicalResourceId", stable_id()),
        "StackId": STACK_ID,
        "RequestId": event["RequestId"],
        "LogicalResourceId": "InitialSetTrigger",
        "Data": data or {},
    }


def started(event: dict, execution: dict) -> dict:
    """The SUCCESS answer for `event` that started `execution` (as Step Functions describes it)."""
    arn = execution["executionArn"]
    return answer(event, "SUCCESS", f"initial set requested: {arn}", {"ExecutionArn": arn})


@pytest.fixture(autouse=True)
def trigger_env(monkeypatch):
    """The trigger's configuration as the template sets it; few botocore attempts."""
    for name, value in TRIGGER_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    for service in ("STS", "SFN"):
        monkeypatch.delenv(f"AWS_ENDPOINT_URL_{service}", raising=False)


@pytest.fixture
def response_server():
    """CloudFormation's end of ResponseURL, capturing each PUT."""
    with ResponseServer() as server:
        yield server


@pytest.fixture
def cfn_event(response_server) -> Callable[..., dict]:
    """Factory of custom resource requests as CloudFormation sends them; fields override."""

    def make(request_type: str = "Create", **fields) -> dict:
        request_id = str(uuid.uuid4())
        event = {
            "RequestType": request_type,
            "ServiceToken": f"arn:aws:lambda:{CONSUMER_REGION}:{CONSUMER_ACCOUNT}:function:trigger",
            "ResponseURL": f"{response_server.url}/cloudformation-custom-resource-response-"
            f"eucentral1/{request_id}?{PRESIGNED_QUERY}",
            "StackId": STACK_ID,
            "RequestId": request_id,
            "LogicalResourceId": "InitialSetTrigger",
            "ResourceType": "Custom::InitialSetTrigger",
            "ResourceProperties": {"ServiceToken": "arn", "Version": "2.0"},
        }
        if request_type != "Create":
            event["PhysicalResourceId"] = stable_id()
        if request_type == "Update":
            event["OldResourceProperties"] = {"ServiceToken": "arn", "Version": "1.0"}
        event.update(fields)
        return event

    return make


@pytest.fixture
def context() -> Callable[[float], LambdaContext]:
    """Factory of Lambda contexts with `seconds` left (the template's 60 s by default)."""
    return lambda seconds=60: LambdaContext(seconds, function_name=FUNCTION_NAME)


class Distributor:
    """The distributor's state machine in moto, seen with the distributor's own credentials."""

    def __init__(self) -> None:
        creds = boto3.client("sts").assume_role(RoleArn=ROLE, RoleSessionName="distributor")[
            "Credentials"
        ]
        self.sfn = boto3.client(
            "stepfunctions",
            region_name=DISTRIBUTION_REGION,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )

    def create_machine(self) -> str:
        definition = {"StartAt": "Send", "States": {"Send": {"Type": "Pass", "End": True}}}
        return self.sfn.create_state_machine(
            name=MACHINE_NAME,
            definition=json.dumps(definition),
            roleArn=f"arn:aws:iam::{DISTRIBUTOR_ACCOUNT}:role/InitSetRetrieverRole",
        )["stateMachineArn"]

    def executions(self) -> list[dict]:
        """Every execution of the machine, with its input, oldest first."""
        listed = self.sfn.list_executions(stateMachineArn=MACHINE)["executions"]
        described = [self.sfn.describe_execution(executionArn=e["executionArn"]) for e in listed]
        return sorted(described, key=lambda e: e["startDate"])


@pytest.fixture
def distributor(aws) -> Distributor:
    """The distributor account with its initial-set state machine (moto, eu-west-1)."""
    found = Distributor()
    assert found.create_machine() == MACHINE
    return found


@pytest.fixture
def fake_aws(monkeypatch) -> Callable[..., FakeAws]:
    """Factory: a local endpoint for `service` (STS or SFN) with scripted answers."""
    started = []

    def make(service: str, *replies, **options) -> FakeAws:
        endpoint = FakeAws(replies=list(replies), **options)
        started.append(endpoint)
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", endpoint.url)
        return endpoint

    yield make
    for endpoint in started:
        endpoint.close()


@pytest.fixture(autouse=True)
def late_workers_finish_within_their_test():
    """Wait (bounded) for trigger threads a test leaves running after the handler returned.

    A worker outlives its handler when the distributor hangs, a sender when the ResponseURL does;
    their late log lines belong to the test that started them, not to the next one.
    """
    yield
    for thread in threading.enumerate():
        if thread.name.startswith("initial-set-trigger"):  # workers and answer senders
            thread.join(30)
