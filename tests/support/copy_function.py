"""The copy function's world in moto: its environment, both buckets, and SQS records for it."""

from __future__ import annotations

import json
import uuid

import boto3

ACCOUNT = "123456789012"  # the consumer account, in each record's eventSourceARN


def copy_function_world(
    monkeypatch,
    endpoint: str,
    *,
    target: str,
    distribution: str,
    distribution_region: str,
    region: str,
):
    """GIVEN the copy function's environment and both buckets; returns an S3 client of moto."""
    monkeypatch.setenv("TARGET_BUCKET", target)
    monkeypatch.setenv("DISTRIBUTION_BUCKET", distribution)
    monkeypatch.setenv("DISTRIBUTION_REGION", distribution_region)
    monkeypatch.setenv("AWS_REGION", region)
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=region)
    for name in (target, distribution):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    return s3


def sqs_record(body, region: str, message_id: str | None = None) -> dict:
    """An SQS record as Lambda delivers it to the consumer's function; dict bodies become JSON."""
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": "AQEB" + uuid.uuid4().hex,
        "body": body if isinstance(body, str) else json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000"},
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{region}:{ACCOUNT}:consumer-queue",
        "awsRegion": region,
    }
