"""Seeing receipts on moto's EventBridge: a tap (a rule into an SQS queue) on any event bus.

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
from dataclasses import dataclass

import boto3

RECEIPT_SOURCE = "build-artifact-consumer"  # ARCHITECTURE.md: Source of every receipt
RECEIPT_DETAIL_TYPE = "Artifact Stored"
OTHER_SOURCE = "team.other-application"  # some other application's events on the same bus
CENTRAL_ACCOUNT = "222233334444"
CENTRAL_REGION = "eu-west-1"
CENTRAL_BUS = "build-artifact-receipts"
CENTRAL_BUS_ARN = f"arn:aws:events:{CENTRAL_REGION}:{CENTRAL_ACCOUNT}:event-bus/{CENTRAL_BUS}"


@dataclass(frozen=True)
class EventTap:
    """An SQS queue that a rule on one event bus copies matching events into."""

    session: boto3.Session
    bus: str
    queue_url: str

    def events(self) -> list[dict]:
        """Every event caught since the last call, as EventBridge delivered it, oldest first."""
        sqs, caught = self.session.client("sqs"), []
        while messages := sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, VisibilityTimeout=30
        ).get("Messages", []):
            for message in messages:
                caught.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return caught


def tap(
    session: boto3.Session,
    bus: str = "default",
    name: str = "receipt-tap",
    sources: tuple[str, ...] = (RECEIPT_SOURCE,),
) -> EventTap:
    """Catch every event of `sources` put on `bus` (in `session`'s account and region)."""
    sqs, events = session.client("sqs"), session.client("events")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps({"source": list(sources)}))
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "tap", "Arn": arn}])
    return EventTap(session=session, bus=bus, queue_url=url)


def session_in(account: str, region: str) -> boto3.Session:
    """Credentials in another account: moto gives an assumed role its account's resources."""
    credentials = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/e2e", RoleSessionName="e2e-receipts"
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )


def create_central_bus(sources: tuple[str, ...] = (RECEIPT_SOURCE,)) -> EventTap:
    """The platform team's bus CENTRAL_BUS_ARN, with a tap catching every event of `sources`."""
    session = session_in(CENTRAL_ACCOUNT, CENTRAL_REGION)
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
