"""Time: the trigger answers before the function's time runs out, and answers once."""

from __future__ import annotations

import threading
import time

import pytest

from tests.trigger.conftest import (
    CONSUMER_ACCOUNT,
    CONSUMER_REGION,
    MACHINE,
    ROLE,
    answer,
)
from tests.trigger.logs import WAIT, log_lines, wait_for_log
from tests.trigger.servers import sfn_started, sts_credentials


def test_hanging_distributor_gets_failed_timed_out_and_only_one_answer(
    initial_set_trigger, aws, fake_aws, response_server, cfn_event, context, capsys
):
    # GIVEN Step Functions holds StartExecution until CloudFormation has an answer, then
    # succeeds (the normal path then races the timer's answer)
    fake_aws("SFN", sfn_started(f"{MACHINE}:late"), hold_until=response_server.arrived)
    event = cfn_event("Create")

    # WHEN the function has 3 seconds left (time enough for AssumeRole on moto)
    initial_set_trigger.handler(event, context(3))

    # THEN exactly one PUT says FAILED, timed out while starting the execution
    name = f"{CONSUMER_ACCOUNT}-{CONSUMER_REGION}-{event['RequestId']}"
    assert [put.json() for put in response_server.requests] == [
        answer(
            event,
            "FAILED",
            f"timed out while starting execution {name} of {MACHINE}: try again later",
        )
    ]
    # AND the late SUCCESS of the worker (still running after the handler returned) was
    # dropped, and logged as such
    dropped = wait_for_log(capsys, "answer already sent")
    assert [line["dropped"] for line in dropped] == ["SUCCESS"]
    assert len(response_server.requests) == 1


def test_distributor_hanging_beyond_the_function_still_lets_the_handler_return(
    initial_set_trigger, aws, fake_aws, response_server, cfn_event, context, capsys
):
    # GIVEN Step Functions holds StartExecution until the test lets go, after the handler is done
    release = threading.Event()
    fake_aws("SFN", sfn_started(f"{MACHINE}:late"), hold_until=release)

    # WHEN the function has 2 seconds left
    try:
        initial_set_trigger.handler(cfn_event("Create"), context(2))
        # THEN the handler returned normally (Lambda would retry a function killed by its
        # timeout, and the retry would answer a second time) while the call still hangs
        still_hanging = not release.is_set()
    finally:
        release.set()
    assert still_hanging
    [put] = response_server.requests
    assert put.json()["Reason"].startswith("timed out while starting execution")
    # AND once the call returns, the worker's late answer is dropped: still one PUT
    assert [line["dropped"] for line in wait_for_log(capsys, "answer already sent")] == ["SUCCESS"]
    assert len(response_server.requests) == 1


def test_hanging_sts_gets_failed_timed_out_while_assuming_the_role(
    initial_set_trigger, fake_aws, response_server, cfn_event, context
):
    # GIVEN STS holds AssumeRole until CloudFormation has an answer, then drops the connection
    fake_aws("STS", hold_until=response_server.arrived)

    # WHEN the function has 2 seconds left
    initial_set_trigger.handler(cfn_event("Create"), context(2))

    # THEN exactly one PUT says which step timed out
    [put] = response_server.requests
    assert put.json()["Status"] == "FAILED"
    assert put.json()["Reason"] == f"timed out while assuming role {ROLE}: try again later"


def test_short_function_still_succeeds_and_answers_once(
    initial_set_trigger, distributor, response_server, cfn_event, context, capsys
):
    # GIVEN a function with only 2.5 seconds (a fixed 10 s margin would fire at once)
    lambda_context = context(2.5)

    # WHEN the distributor answers at once
    initial_set_trigger.handler(cfn_event("Create"), lambda_context)

    # THEN the answer is SUCCESS, and even after the deadline passed, nothing else was sent
    assert response_server.answers[0]["Status"] == "SUCCESS"
    time.sleep(lambda_context.get_remaining_time_in_millis() / 1000 + 0.1)
    assert len(response_server.requests) == 1
    assert "answer already sent" not in [line["message"] for line in log_lines(capsys)]


@pytest.mark.parametrize("seconds", [0.2, 0])
def test_no_time_left_still_answers_once(
    initial_set_trigger, fake_aws, response_server, cfn_event, context, capsys, seconds
):
    # GIVEN a function whose time is (almost) up and an STS that hangs until it was answered
    fake_aws("STS", hold_until=response_server.arrived)

    # WHEN the trigger starts
    initial_set_trigger.handler(cfn_event("Create"), context(seconds))

    # THEN the handler gives up at once, and the one answer, a timeout, still goes out (it may
    # arrive after the handler returned: there was no time left to wait for it)
    assert wait_for_log(capsys, "answer sent", WAIT)
    [put] = response_server.requests
    assert put.json()["Reason"].startswith("timed out while ")


def test_no_execution_starts_after_the_timeout_answer(
    initial_set_trigger, fake_aws, response_server, cfn_event, context, capsys
):
    # GIVEN STS answers AssumeRole only after CloudFormation was told FAILED (timed out), and
    # Step Functions would start any execution asked for
    fake_aws("STS", sts_credentials("AKIA", "secret", "token"), hold_until=response_server.arrived)
    sfn = fake_aws("SFN", sfn_started(f"{MACHINE}:late"))

    # WHEN the function has 2 seconds left
    initial_set_trigger.handler(cfn_event("Create"), context(2))

    # THEN the one answer is the timeout, and the late worker starts nothing: the stack is
    # rolling back, so an initial set would go to a subscription being deleted
    [put] = response_server.requests
    assert put.json()["Reason"] == f"timed out while assuming role {ROLE}: try again later"
    assert [line["dropped"] for line in wait_for_log(capsys, "answer already sent")] == ["FAILED"]
    assert sfn.requests == []
