"""Update asks for the initial set again under the same id; Delete never calls the distributor."""

from __future__ import annotations

import json

import pytest

from tests.trigger.conftest import INITIAL_SET_INPUT, TRIGGER_ENV, answer, stable_id, started


def test_update_starts_a_new_execution_and_keeps_the_physical_id(
    initial_set_trigger, distributor, response_server, cfn_event, context
):
    # GIVEN a stack whose trigger was created
    initial_set_trigger.handler(cfn_event("Create"), context())

    # WHEN TriggerVersion changes (an Update, echoing an id an older version chose)
    update = cfn_event("Update", PhysicalResourceId="InitialSetTrigger")
    initial_set_trigger.handler(update, context())

    # THEN a second execution runs with the same input
    first, second = distributor.executions()
    assert first["executionArn"] != second["executionArn"]
    assert json.loads(second["input"]) == INITIAL_SET_INPUT
    # AND the answer keeps the event's PhysicalResourceId, so nothing is replaced
    assert response_server.answers[1]["PhysicalResourceId"] == "InitialSetTrigger"
    assert response_server.answers[1] == started(update, second)


def test_update_without_a_new_version_requests_nothing(
    initial_set_trigger, distributor, response_server, cfn_event, context
):
    # GIVEN a stack whose trigger was created
    initial_set_trigger.handler(cfn_event("Create"), context())

    # WHEN a template upgrade changes another property (ServiceTimeout) but not Version
    update = cfn_event(
        "Update",
        ResourceProperties={"ServiceToken": "arn", "ServiceTimeout": "420", "Version": "1.0"},
        OldResourceProperties={"ServiceToken": "arn", "ServiceTimeout": "300", "Version": "1.0"},
    )
    initial_set_trigger.handler(update, context())

    # THEN the distributor is not asked again, and the resource keeps its id
    assert len(distributor.executions()) == 1
    assert response_server.answers[1] == answer(
        update, "SUCCESS", "Version unchanged: initial set not requested again"
    )
    assert response_server.answers[1]["PhysicalResourceId"] == stable_id()


@pytest.mark.parametrize(
    "physical_id",
    [stable_id(), "build-artifact-consumer-InitialSetTrigger-1XJ4QK8Z3V5RT", "FAILED-create"],
    ids=["ours", "made-up-by-cloudformation", "sent-on-failure"],
)
def test_delete_succeeds_at_once_without_calling_the_distributor(
    initial_set_trigger, fake_aws, response_server, cfn_event, context, monkeypatch, physical_id
):
    # GIVEN a distributor that records every call, and a configuration that is even broken
    sts, sfn = fake_aws("STS"), fake_aws("SFN")
    for name in TRIGGER_ENV:
        monkeypatch.delenv(name)
    event = cfn_event("Delete", PhysicalResourceId=physical_id)

    # WHEN CloudFormation deletes the resource (possibly after its Create failed)
    initial_set_trigger.handler(event, context())

    # THEN the answer is SUCCESS, echoing the PhysicalResourceId, and nobody was called
    assert [put.json() for put in response_server.requests] == [answer(event, "SUCCESS")]
    assert response_server.answers[0]["PhysicalResourceId"] == physical_id
    assert sts.requests == sfn.requests == []


def test_delete_after_a_failed_create_succeeds(
    initial_set_trigger, aws, response_server, cfn_event, context
):
    # GIVEN a Create that failed (the state machine does not exist)
    initial_set_trigger.handler(cfn_event("Create"), context())
    failed = response_server.answers[0]
    assert failed["Status"] == "FAILED"

    # WHEN the rollback deletes the resource with the id the failed answer carried
    delete = cfn_event("Delete", PhysicalResourceId=failed["PhysicalResourceId"])
    initial_set_trigger.handler(delete, context())

    # THEN the Delete succeeds for that id
    answer = response_server.answers[1]
    assert (answer["Status"], answer["PhysicalResourceId"]) == ("SUCCESS", stable_id())
