"""The function's timeout and the custom resource's ServiceTimeout fit together."""

from __future__ import annotations

import pytest

from generator import build_template

LAMBDA_ASYNC_RETRY_PAUSES = 60 + 120  # seconds before Lambda's 1st and 2nd retry
CLOUDFORMATION_MAX_SERVICE_TIMEOUT = 3600


@pytest.fixture(scope="module")
def resources() -> dict:
    return build_template().to_dict()["Resources"]


def test_service_timeout_outlasts_three_runs_of_the_function(resources):
    # GIVEN the emitted template
    function = resources["InitialSetTriggerFunction"]["Properties"]
    trigger = resources["InitialSetTrigger"]["Properties"]

    # THEN CloudFormation waits for the first run and Lambda's two retries of an async event
    assert trigger["ServiceToken"] == {"Fn::GetAtt": ["InitialSetTriggerFunction", "Arn"]}
    assert (
        3 * function["Timeout"] + LAMBDA_ASYNC_RETRY_PAUSES
        < int(trigger["ServiceTimeout"])
        <= CLOUDFORMATION_MAX_SERVICE_TIMEOUT
    )


def test_function_has_time_for_the_timer_margin_and_the_answer(resources):
    # GIVEN the function's timeout; the handler's timer answers at most 10 s before the end
    timeout = resources["InitialSetTriggerFunction"]["Properties"]["Timeout"]

    # THEN the calls get most of the time and the answer gets its margin
    assert 30 <= timeout <= 300
