"""Every real region the DistributionRegion parameter accepts, the trigger accepts too."""

from __future__ import annotations

import pytest

from tests.support.regions import partition_of, real_region_names
from tests.trigger.conftest import DISTRIBUTOR_ACCOUNT, MACHINE_NAME
from tests.trigger.servers import sfn_started, sts_credentials


@pytest.mark.parametrize("region", real_region_names())
def test_a_distributor_in_any_real_region_gets_its_start_execution(
    initial_set_trigger, fake_aws, response_server, cfn_event, context, monkeypatch, region
):
    # GIVEN a distributor whose state machine is in `region` (of any partition), and a consumer
    # in that region too
    partition = partition_of(region)
    machine = f"arn:{partition}:states:{region}:{DISTRIBUTOR_ACCOUNT}:stateMachine:{MACHINE_NAME}"
    monkeypatch.setenv("INITIAL_DISTRIBUTION_MACHINE", machine)
    monkeypatch.setenv("DISTRIBUTION_REGION", region)
    monkeypatch.setenv("CONSUMER_REGION", region)
    fake_aws("STS", sts_credentials("ASIAKEYID", "secret", "token"))
    sfn = fake_aws("SFN", sfn_started(f"{machine.replace('stateMachine', 'execution')}:x"))

    # WHEN the custom resource is created
    initial_set_trigger.handler(cfn_event("Create"), context())

    # THEN its configuration passes and StartExecution is signed for that region
    [call] = sfn.requests
    assert f"/{region}/states/aws4_request" in call.headers["Authorization"]
    assert [answer["Status"] for answer in response_server.answers] == ["SUCCESS"]
