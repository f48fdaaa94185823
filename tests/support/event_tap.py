"""Seeing events on moto's EventBridge: a tap (a rule into an SQS queue) on any event bus.

moto delivers to rule targets while PutEvents runs, so whatever was put is in the tap's queue
when the call returns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import boto3

from generator.consumer.receipts import RECEIPT_SOURCE  # what the stack's forwarding rule matches

RECEIPT_DETAIL_TYPE = "Artifact Stored"


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
