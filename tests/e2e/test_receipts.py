"""Receipts on a deployed stack: the stack's own rule forwards receipts, and only receipts, to the
central bus, and exists only when the stack names one.

GIVEN a consumer deployed with ReceiptEventBusArn naming a bus in another account and region (and
 one deployed without it)
WHEN receipts, and another application's events, are put on the consumer account's default bus
 (as the copy function puts them, ARCHITECTURE.md)
THEN the stack's rule exists only with ReceiptEventBusArn, and exactly the receipts reach the
 central bus, their detail unchanged (the receipts the copy function puts: test_flow.py); what
 EventBridge cannot deliver after a day of retries goes to the stack's own dead-letter queue.
"""

from __future__ import annotations

import boto3
import pytest

from tests.e2e.consumer import Consumer
from tests.e2e.moto_glue import MOTO_GAP_WARNINGS
from tests.e2e.receipts import (
    CENTRAL_BUS_ARN,
    OTHER_SOURCE,
    RECEIPT_DETAIL_TYPE,
    RECEIPT_SOURCE,
    EventTap,
    put_receipt,
)

pytestmark = [pytest.mark.e2e, MOTO_GAP_WARNINGS]

# The detail of a receipt for a copied artifact, every field the contract names.
RECEIPT = {
    "bucket": "tts-cloud-artifacts-123456789012-eu-central-1",
    "key": "service-a/1.4.2/service-a.zip",
    "size": 73400320,
    "outcome": "copied",
    "sourceETag": '"9b2cf535f27731c974343645a3985328-9"',
    "versionId": "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
    "sha256": "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
    "messageId": "4f1c6bd0-2b9a-4d1e-9f0c-7a1de0b1c2d3",
}


def consumer_account(consumer: Consumer) -> boto3.Session:
    """boto3 as the consumer's own account, in its stack's region."""
    return boto3.Session(region_name=consumer.stack.region)


def central_bus(consumer: Consumer) -> EventTap:
    """The central bus's tap, emptied of what earlier tests of the module forwarded."""
    if consumer.central_bus is None:
        pytest.skip("deployed without ReceiptEventBusArn: nothing is forwarded")
    consumer.central_bus.events()
    return consumer.central_bus


def test_a_rule_forwards_receipts_exactly_when_the_stack_names_a_central_bus(consumer):
    # GIVEN a consumer deployed with ReceiptEventBusArn, or without it
    events = consumer_account(consumer).client("events")
    # WHEN the rules on its account's default bus are listed, with their targets
    targets = [
        target["Arn"]
        for rule in events.list_rules()["Rules"]
        for target in events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    ]
    # THEN one rule sends to the named central bus; without the parameter, nothing leaves
    assert targets == ([CENTRAL_BUS_ARN] if consumer.central_bus else [])


def test_a_receipt_reaches_the_central_bus_through_the_stacks_rule(consumer):
    central = central_bus(consumer)
    put_receipt(consumer_account(consumer), RECEIPT)
    (event,) = central.events()
    assert (event["source"], event["detail-type"]) == (RECEIPT_SOURCE, RECEIPT_DETAIL_TYPE)
    assert event["detail"] == RECEIPT
    # EventBridge keeps the sender's account and region in the envelope; moto leaves `account`
    # out and stamps the central bus's region (moto_glue), so neither is asserted here.


def test_only_receipts_are_forwarded(consumer):
    central = central_bus(consumer)
    put_receipt(consumer_account(consumer), {"note": "not a receipt"}, source=OTHER_SOURCE)
    put_receipt(consumer_account(consumer), {**RECEIPT, "outcome": "duplicate"})
    forwarded = central.events()
    assert [(e["source"], e["detail"]["outcome"]) for e in forwarded] == [
        (RECEIPT_SOURCE, "duplicate")
    ]


def test_receipts_eventbridge_cannot_deliver_wait_in_the_stacks_dead_letter_queue(consumer):
    # GIVEN a consumer deployed with ReceiptEventBusArn, or without it
    session = consumer_account(consumer)
    stack = consumer.stack
    if consumer.central_bus is None:
        # THEN without it, there is no dead-letter queue for receipts
        assert "ReceiptDeadLetterQueue" not in stack.resources()
        return
    # WHEN the forwarding rule's target is read back from EventBridge
    events = session.client("events")
    (rule,) = events.list_rules(NamePrefix=stack.physical_id("ReceiptForwardingRule"))["Rules"]
    (target,) = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    queue_url = stack.physical_id("ReceiptDeadLetterQueue")
    attributes = session.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["All"]
    )["Attributes"]
    # THEN it retries for a day and then sends to the stack's own encrypted queue. (moto's
    # CloudFormation creates neither the queue policy nor the alarm, and its EventBridge
    # dead-letters nothing: test_receipt_dead_letters.py checks those on the template.)
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
    assert target["DeadLetterConfig"] == {"Arn": attributes["QueueArn"]}
    assert attributes["SqsManagedSseEnabled"] == "true"
    assert attributes["MessageRetentionPeriod"] == str(14 * 24 * 3600)
