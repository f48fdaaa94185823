"""Receipts on a deployed stack: the default bus can be watched, and the stack's own rule forwards
receipts, and only receipts, to the central bus.

GIVEN a consumer deployed with ReceiptEventBusArn naming a bus in another account and region (and
 one deployed without it)
WHEN receipts, and another application's events, are put on the consumer account's default bus
 (as the copy function puts them, ARCHITECTURE.md)
THEN a tap on the default bus sees each receipt, and exactly the receipts reach the central bus,
 their detail unchanged.
"""

from __future__ import annotations

import boto3
import pytest

from tests.e2e.consumer import Consumer
from tests.e2e.moto_glue import MOTO_GAP_WARNINGS
from tests.e2e.receipts import (
    OTHER_SOURCE,
    RECEIPT_DETAIL_TYPE,
    RECEIPT_SOURCE,
    EventTap,
    put_receipt,
    tap,
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


def test_a_receipt_on_the_default_bus_is_seen_by_a_tap_in_the_consumer_account(consumer):
    # The same tap lets the flow check the receipts the copy function puts.
    watcher = tap(consumer_account(consumer), name="consumer-receipts")
    put_receipt(consumer_account(consumer), RECEIPT)
    (event,) = watcher.events()
    assert (event["source"], event["detail-type"]) == (RECEIPT_SOURCE, RECEIPT_DETAIL_TYPE)
    assert event["detail"] == RECEIPT
    assert event["region"] == consumer.stack.region  # moto leaves `account` out (moto_glue)
    assert watcher.events() == []  # each event is seen once


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
