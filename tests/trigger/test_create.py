"""Create: the trigger starts the distributor's state machine as the distributor's role."""

from __future__ import annotations

import json
import re

from tests.trigger.conftest import (
    CONSUMER_ACCOUNT,
    CONSUMER_REGION,
    INITIAL_SET_INPUT,
    MACHINE,
    PRESIGNED_QUERY,
    STACK_ID,
    stable_id,
    started,
)

EXECUTION_PREFIX = MACHINE.replace(":stateMachine:", ":execution:")


def test_create_starts_the_initial_set_and_answers_success(
    initial_set_trigger, distributor, response_server, cfn_event, context
):
    # GIVEN the distributor's state machine and a Create request
    event = cfn_event("Create")

    # WHEN CloudFormation invokes the trigger
    initial_set_trigger.handler(event, context())

    # THEN one execution runs with exactly the consumer's account and region as input
    [execution] = distributor.executions()
    assert json.loads(execution["input"]) == INITIAL_SET_INPUT
    assert execution["input"] == json.dumps(INITIAL_SET_INPUT)
    # AND exactly one PUT answers SUCCESS with the execution's ARN
    [put] = response_server.requests
    assert put.method == "PUT"
    assert put.path.endswith(f"/{event['RequestId']}?{PRESIGNED_QUERY}")
    assert put.headers["Content-Type"] == ""
    assert put.json() == started(event, execution)


def test_execution_name_is_derived_from_the_request_and_valid(
    initial_set_trigger, distributor, response_server, cfn_event, context
):
    # GIVEN a request whose RequestId holds characters Step Functions refuses, and is too long
    event = cfn_event("Create", RequestId="req id/with:odd*chars é " * 8)

    # WHEN the trigger runs
    initial_set_trigger.handler(event, context())

    # THEN the execution name uses only safe characters, at most 80, and names the consumer
    [execution] = distributor.executions()
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,80}", execution["name"])
    assert execution["name"].startswith(f"{CONSUMER_ACCOUNT}-{CONSUMER_REGION}-req_id_with_odd")
    assert response_server.answers[0]["Status"] == "SUCCESS"


def test_repeated_delivery_while_running_starts_nothing_new(
    initial_set_trigger, distributor, response_server, cfn_event, context
):
    # GIVEN a Create request that already started an execution that still runs
    event = cfn_event("Create")
    initial_set_trigger.handler(event, context())

    # WHEN the same request is delivered again (a Lambda retry)
    initial_set_trigger.handler(event, context())

    # THEN there is still one execution, and both answers name it
    [execution] = distributor.executions()
    first, second = response_server.answers
    assert first == second
    assert second["Data"] == {"ExecutionArn": execution["executionArn"]}


def test_repeated_delivery_after_the_execution_finished_is_a_success(
    initial_set_trigger, distributor, response_server, cfn_event, context
):
    # GIVEN a Create request whose execution has finished
    event = cfn_event("Create")
    initial_set_trigger.handler(event, context())
    [execution] = distributor.executions()
    distributor.sfn.stop_execution(executionArn=execution["executionArn"])

    # WHEN the same request is delivered again (Step Functions answers ExecutionAlreadyExists)
    initial_set_trigger.handler(event, context())

    # THEN nothing new starts and the answer is SUCCESS with the ARN built from the name
    assert [e["executionArn"] for e in distributor.executions()] == [execution["executionArn"]]
    second = response_server.answers[1]
    assert second["Status"] == "SUCCESS"
    assert second["Data"] == {"ExecutionArn": f"{EXECUTION_PREFIX}:{execution['name']}"}
    assert second["Data"]["ExecutionArn"] == execution["executionArn"]


def test_physical_id_is_stable_for_the_stack_and_differs_between_stacks(
    initial_set_trigger, distributor, response_server, cfn_event, context
):
    # GIVEN two Create requests for the same stack and one for another stack
    other_stack = STACK_ID.replace("5b1e8f40", "77777777")
    events = [cfn_event("Create"), cfn_event("Create"), cfn_event("Create", StackId=other_stack)]

    # WHEN the trigger answers them
    for event in events:
        initial_set_trigger.handler(event, context())

    # THEN the same stack always gets the same PhysicalResourceId, another stack another one
    ids = [answer["PhysicalResourceId"] for answer in response_server.answers]
    assert ids == [stable_id(), stable_id(), stable_id(other_stack)]
    assert ids[0] != ids[2]
