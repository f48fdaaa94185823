"""Failures answer FAILED with a Reason that says what failed and how to fix it."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from tests.trigger.conftest import (
    CONSUMER_ACCOUNT,
    DISTRIBUTION_REGION,
    MACHINE,
    ROLE,
    answer,
)
from tests.trigger.servers import sfn_error, sts_error

DENIED = (
    f"User: arn:aws:sts::{CONSUMER_ACCOUNT}:assumed-role/consumer-TriggerRole/trigger "
    f"is not authorized to perform: sts:AssumeRole on resource: {ROLE}"
)


def failed(event: dict, reason: str) -> dict:
    """The FAILED answer CloudFormation must get for `event`."""
    return answer(event, "FAILED", reason)


@pytest.mark.parametrize("request_type", ["Create", "Update"])
def test_assume_role_denied_says_which_role_must_trust_which_account(
    initial_set_trigger, fake_aws, response_server, cfn_event, context, request_type
):
    # GIVEN a distributor role whose trust policy does not name this account
    sts = fake_aws("STS", sts_error("AccessDenied", DENIED))
    event = cfn_event(request_type)

    # WHEN the trigger runs
    initial_set_trigger.handler(event, context())

    # THEN it asked for the role with a session name naming the consumer account
    [call] = sts.requests
    form = parse_qs(call.body.decode())
    assert form["Action"] == ["AssumeRole"]
    assert form["RoleArn"] == [ROLE]
    assert form["RoleSessionName"] == [f"initial-set-{CONSUMER_ACCOUNT}"]
    # AND the answer says that the role must trust this account
    assert [put.json() for put in response_server.requests] == [
        failed(
            event,
            f"assuming role {ROLE} failed: AccessDenied: {DENIED}. Fix: role {ROLE} must trust "
            f"account {CONSUMER_ACCOUNT} (this function's role) and allow states:StartExecution "
            f"on {MACHINE}",
        )
    ]


def test_missing_state_machine_says_which_machine_in_which_region(
    initial_set_trigger, aws, response_server, cfn_event, context
):
    # GIVEN a distributor account without the state machine (moto)
    event = cfn_event("Create")

    # WHEN the trigger runs
    initial_set_trigger.handler(event, context())

    # THEN the answer names the machine and the region, and what to fix
    [answer] = response_server.answers
    prefix = f"starting execution {CONSUMER_ACCOUNT}-eu-central-1-{event['RequestId']} of {MACHINE}"
    hint = (
        f". Fix: state machine {MACHINE} does not exist in region {DISTRIBUTION_REGION}: "
        "fix InitialDistributionSetMachine or DistributionRegion"
    )
    assert answer["Reason"].startswith(f"{prefix} failed: StateMachineDoesNotExist: ")
    assert answer["Reason"].endswith(hint)
    assert answer == failed(event, answer["Reason"])


def test_throttling_fails_only_after_botocores_retries(
    initial_set_trigger, aws, fake_aws, response_server, cfn_event, context
):
    # GIVEN Step Functions throttles every call (botocore may try AWS_MAX_ATTEMPTS=2 times)
    sfn = fake_aws("SFN", sfn_error("ThrottlingException", "Rate exceeded"))
    event = cfn_event("Create")

    # WHEN the trigger runs
    initial_set_trigger.handler(event, context())

    # THEN botocore retried, with the exact input, before the trigger gave up
    assert len(sfn.requests) == 2
    for call in sfn.requests:
        assert call.headers["X-Amz-Target"] == "AWSStepFunctions.StartExecution"
        assert json.loads(call.json()["input"]) == {
            "AccountId": CONSUMER_ACCOUNT,
            "Region": "eu-central-1",
        }
    name = sfn.requests[0].json()["name"]
    assert response_server.answers == [
        failed(
            event,
            f"starting execution {name} of {MACHINE} failed: ThrottlingException: Rate exceeded. "
            "Fix: throttled even after retries: try again later",
        )
    ]


ORIGINS = {  # each configuration variable: the template value it comes from
    "INITIAL_DISTRIBUTION_ROLE": "InitialDistributionRole",
    "INITIAL_DISTRIBUTION_MACHINE": "InitialDistributionSetMachine",
    "DISTRIBUTION_REGION": "DistributionRegion",
    "CONSUMER_ACCOUNT_ID": "AWS::AccountId",
    "CONSUMER_REGION": "AWS::Region",
}


@pytest.mark.parametrize(
    ("variable", "value"),
    [(variable, None) for variable in ORIGINS]
    + [
        ("INITIAL_DISTRIBUTION_ROLE", "TriggerInitSetRole"),
        ("INITIAL_DISTRIBUTION_MACHINE", "InitSetRetrieverMachine"),
        ("INITIAL_DISTRIBUTION_MACHINE", f"{MACHINE}:live"),
        ("DISTRIBUTION_REGION", "Ireland"),
        ("CONSUMER_ACCOUNT_ID", "12345"),
    ],
)
def test_bad_configuration_names_the_variable_and_calls_nobody(
    initial_set_trigger,
    fake_aws,
    response_server,
    cfn_event,
    context,
    monkeypatch,
    variable,
    value,
):
    # GIVEN one configuration variable is missing (None), or has a value of the wrong form
    sts = fake_aws("STS")
    if value is None:
        monkeypatch.delenv(variable)
    else:
        monkeypatch.setenv(variable, value)
    event = cfn_event("Create")

    # WHEN the trigger runs
    initial_set_trigger.handler(event, context())

    # THEN the answer names the variable, its bad value and where it comes from; nothing was
    # called
    state = "missing" if value is None else f"invalid ({value!r})"
    assert response_server.answers == [
        failed(
            event,
            f"reading the configuration failed: environment variable {variable} is {state}: "
            f"it comes from {ORIGINS[variable]}",
        )
    ]
    assert sts.requests == []


def test_machine_in_another_region_than_distribution_region_fails_clearly(
    initial_set_trigger, fake_aws, response_server, cfn_event, context, monkeypatch
):
    # GIVEN DistributionRegion disagrees with the region in the state machine's ARN
    sts = fake_aws("STS")
    monkeypatch.setenv("DISTRIBUTION_REGION", "us-east-1")

    # WHEN the trigger runs
    initial_set_trigger.handler(cfn_event("Create"), context())

    # THEN the answer says which two settings disagree
    assert response_server.answers[0]["Reason"] == (
        "reading the configuration failed: INITIAL_DISTRIBUTION_MACHINE is not in "
        "DISTRIBUTION_REGION us-east-1"
    )
    assert sts.requests == []


def test_configuration_is_read_at_call_time(
    initial_set_trigger, distributor, response_server, cfn_event, context, monkeypatch
):
    # GIVEN a warm function that failed for a missing variable
    monkeypatch.delenv("CONSUMER_REGION")
    initial_set_trigger.handler(cfn_event("Create"), context())

    # WHEN the variable is set and the request comes again
    monkeypatch.setenv("CONSUMER_REGION", "eu-central-1")
    initial_set_trigger.handler(cfn_event("Create"), context())

    # THEN the same module object now succeeds
    assert [a["Status"] for a in response_server.answers] == ["FAILED", "SUCCESS"]


def test_unknown_request_type_fails(
    initial_set_trigger, fake_aws, response_server, cfn_event, context
):
    # GIVEN a request type CloudFormation does not send
    sts = fake_aws("STS")
    event = cfn_event("Replace")

    # WHEN the trigger runs
    initial_set_trigger.handler(event, context())

    # THEN it answers FAILED and calls nobody
    assert response_server.answers == [
        failed(event, "reading the request failed: unknown RequestType 'Replace'")
    ]
    assert sts.requests == []


def test_long_reason_is_cut_so_the_body_fits_in_4096_bytes(
    initial_set_trigger, fake_aws, response_server, cfn_event, context
):
    # GIVEN AWS answers with a very long message full of characters JSON must escape
    fake_aws("STS", sts_error("AccessDenied", 'denied "é" \\ ' * 800))
    event = cfn_event("Create")

    # WHEN the trigger runs
    initial_set_trigger.handler(event, context())

    # THEN the body fits CloudFormation's limit, only the Reason was cut, and says so
    [put] = response_server.requests
    assert 4000 < len(put.body) <= 4096
    answer = put.json()
    assert answer["Reason"].startswith(f"assuming role {ROLE} failed: AccessDenied: denied ")
    assert answer["Reason"].endswith("...")
    assert answer == failed(event, answer["Reason"])
