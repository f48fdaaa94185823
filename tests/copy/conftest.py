"""Fixtures for the copy function: environment, buckets, SQS events, artifact sources."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import boto3
import pytest

from tests.copy.source import Source, source_endpoint

TARGET = "consumer-artifacts"
DISTRIBUTION = "distributor-artifacts"
DISTRIBUTION_REGION = "eu-west-1"
REGION = "eu-central-1"


@dataclass
class Buckets:
    """The moto S3 client the tests check with, and the two bucket names."""

    s3: object
    target: str = TARGET
    distribution: str = DISTRIBUTION

    def publish(self, key: str, body: bytes, content_type: str = "application/zip") -> str:
        """Put an artifact into the distribution bucket; returns its presigned GET URL."""
        self.s3.put_object(Bucket=self.distribution, Key=key, Body=body, ContentType=content_type)
        return self.s3.generate_presigned_url(
            "get_object", Params={"Bucket": self.distribution, "Key": key}, ExpiresIn=300
        )

    def stored(self, key: str) -> dict:
        """GetObject of the target key, body read."""
        answer = self.s3.get_object(Bucket=self.target, Key=key)
        return {**answer, "Body": answer["Body"].read()}

    def keys(self) -> list[str]:
        """Every key in the target bucket."""
        answer = self.s3.list_objects_v2(Bucket=self.target)
        return [item["Key"] for item in answer.get("Contents", [])]

    def open_uploads(self) -> list:
        """Multipart uploads of the target bucket that were neither completed nor aborted."""
        return self.s3.list_multipart_uploads(Bucket=self.target).get("Uploads", [])


@pytest.fixture
def buckets(aws, monkeypatch) -> Buckets:
    """GIVEN the copy function's environment and both buckets, in a fresh moto."""
    monkeypatch.setenv("TARGET_BUCKET", TARGET)
    monkeypatch.setenv("DISTRIBUTION_BUCKET", DISTRIBUTION)
    monkeypatch.setenv("DISTRIBUTION_REGION", DISTRIBUTION_REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    s3 = boto3.client("s3", endpoint_url=aws, region_name=REGION)
    for name in (TARGET, DISTRIBUTION):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return Buckets(s3=s3)


@pytest.fixture
def source(buckets, aws, monkeypatch) -> Source:
    """GIVEN a scriptable source that is boto3's S3 endpoint, forwarding all else to moto."""
    with source_endpoint(aws) as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint.endpoint)
        yield endpoint


def sqs_record(body, message_id: str | None = None) -> dict:
    """An SQS record as Lambda delivers it; dict bodies are JSON-encoded."""
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": "AQEB" + uuid.uuid4().hex,
        "body": body if isinstance(body, str) else json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000"},
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:consumer-queue",
        "awsRegion": REGION,
    }


@pytest.fixture
def sqs_event():
    """Factory: an SQS event with one record per body (dict or raw string)."""

    def make(*bodies) -> dict:
        return {"Records": [sqs_record(body) for body in bodies]}

    return make


@pytest.fixture
def run(copy_files, capsys):
    """Invoke the handler; returns (response, log entries by messageId)."""

    def invoke(event: dict):
        response = copy_files.handler(event, None)
        lines = capsys.readouterr().out.splitlines()
        logs = [json.loads(line) for line in lines if line.startswith("{")]
        return response, {entry["messageId"]: entry for entry in logs}

    return invoke


def failed_ids(response: dict) -> set[str]:
    """The messageIds a partial batch response reports as failed."""
    return {failure["itemIdentifier"] for failure in response["batchItemFailures"]}
