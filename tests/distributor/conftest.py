"""A distributor's bucket and topic on moto, a queue that hears the topic, and S3 events.

The handlers run in-process against the moto server (`aws` fixture), configured through the
environment their function gets from the template (DISTRIBUTION_BUCKET, DISTRIBUTION_TOPIC,
URL_SECONDS).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import boto3
import pytest

from testkit.lambda_context import LambdaContext

REGION = "eu-central-1"
BUCKET = "distribution-bucket-test"
URL_SECONDS = 3600


@dataclass
class Distribution:
    """The bucket, the topic and a raw-delivery queue subscribed to the topic (no filter)."""

    bucket: str
    topic_arn: str
    queue_url: str

    def put(self, key: str, body: bytes, tags: dict | None = None, checksum: bool = True) -> dict:
        """Upload an object (with a SHA-256 checksum unless told not to); PutObject's answer."""
        extra = {"ChecksumAlgorithm": "SHA256"} if checksum else {}
        if tags is not None:
            extra["Tagging"] = "&".join(f"{k}={v}" for k, v in tags.items())
        return boto3.client("s3").put_object(Bucket=self.bucket, Key=key, Body=body, **extra)

    def messages(self) -> list[dict]:
        """Every message published so far: body parsed, attributes as name -> value."""
        sqs, found = boto3.client("sqs"), []
        while batch := sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", []):
            for message in batch:
                attributes = {
                    name: value["StringValue"]
                    for name, value in message.get("MessageAttributes", {}).items()
                }
                found.append({"body": json.loads(message["Body"]), "attributes": attributes})
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return found


@pytest.fixture
def distribution(aws, monkeypatch) -> Distribution:
    """A versioned bucket and a topic on a fresh moto, and the functions' environment."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    topic_arn = boto3.client("sns").create_topic(Name="distribution")["TopicArn"]
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="heard")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    boto3.client("sns").subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn["Attributes"]["QueueArn"],
        Attributes={"RawMessageDelivery": "true"},
    )
    monkeypatch.setenv("DISTRIBUTION_BUCKET", BUCKET)
    monkeypatch.setenv("DISTRIBUTION_TOPIC", topic_arn)
    monkeypatch.setenv("URL_SECONDS", str(URL_SECONDS))
    return Distribution(BUCKET, topic_arn, queue_url)


def object_created(bucket: str, key: str, version: str | None, size: int = 1) -> dict:
    """The `Object Created` event S3 sends to EventBridge for one new object version."""
    obj = {"key": key, "size": size, "etag": "0123456789abcdef", "sequencer": "00"}
    if version:
        obj["version-id"] = version
    return {
        "version": "0",
        "id": "17793124-05d4-b198-2fde-7ededc63b103",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": "123456789012",
        "region": REGION,
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": obj,
            "reason": "PutObject",
        },
    }


def context(seconds: float = 60.0) -> LambdaContext:
    """A Lambda context with `seconds` left."""
    return LambdaContext(seconds, function_name="distributor-function")
