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
