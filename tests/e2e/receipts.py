"""Seeing receipts on moto's EventBridge, through the taps of tests/support/event_tap.py.

Two places matter:
- the consumer account's default bus, where the copy function puts one receipt per stored
  artifact: `tap(boto3.Session(region_name=stack.region))` before the flow, `.events()` after;
- a central bus in another account and region, which the stack's forwarding rule feeds when it is
  deployed with ReceiptEventBusArn: `create_central_bus()` makes it, with a tap of its own.

moto delivers to rule targets while PutEvents runs, so whatever was put is in the tap's queue
when the call returns. Its bus-to-bus delivery stamps the event with the receiving bus's account
and region, where EventBridge keeps the sender's (see moto_glue).
"""

from __future__ import annotations

import json

import boto3

from testkit.accounts import assumed_session
from tests.support.event_tap import RECEIPT_DETAIL_TYPE, RECEIPT_SOURCE, EventTap, tap

OTHER_SOURCE = "team.other-application"  # some other application's events on the same bus
CENTRAL_ACCOUNT = "222233334444"
CENTRAL_REGION = "eu-west-1"
CENTRAL_BUS = "build-artifact-receipts"
CENTRAL_BUS_ARN = f"arn:aws:events:{CENTRAL_REGION}:{CENTRAL_ACCOUNT}:event-bus/{CENTRAL_BUS}"


def create_central_bus(sources: tuple[str, ...] = (RECEIPT_SOURCE,)) -> EventTap:
    """The platform team's bus CENTRAL_BUS_ARN, with a tap catching every event of `sources`."""
    session = assumed_session(f"arn:aws:iam::{CENTRAL_ACCOUNT}:role/e2e", CENTRAL_REGION)
    session.client("events").create_event_bus(Name=CENTRAL_BUS)
    return tap(session, CENTRAL_BUS, "central-receipts", sources)


def put_receipt(session: boto3.Session, detail: dict, source: str = RECEIPT_SOURCE) -> None:
    """Put one event shaped like a receipt on `session`'s default bus; it must be accepted."""
    answer = session.client("events").put_events(
        Entries=[
            {"Source": source, "DetailType": RECEIPT_DETAIL_TYPE, "Detail": json.dumps(detail)}
        ]
    )
    assert answer["FailedEntryCount"] == 0, answer["Entries"]
