"""Consumers: the distribution topic's SQS subscriptions; a queue ARN names account and region."""

from __future__ import annotations

import re

from generator.fleet.model import Consumer

QUEUE_ARN = re.compile(r"arn:[a-z-]+:sqs:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):[^:]+")


def read_consumers(sns, topic_arn: str) -> list[Consumer]:
    """Every distinct (account, region) with an SQS subscription; other protocols are ignored."""
    found: set[Consumer] = set()
    pages = sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn)
    for page in pages:
        for subscription in page["Subscriptions"]:
            queue = QUEUE_ARN.fullmatch(subscription.get("Endpoint", ""))
            if subscription.get("Protocol") == "sqs" and queue:
                found.add(Consumer(queue["account"], queue["region"]))
    return sorted(found)
