"""Fixtures for the copy function: environment, buckets, SQS events, artifact sources."""

from __future__ import annotations

import json
from contextlib import ExitStack
from dataclasses import dataclass

import boto3
import pytest

from tests.copy.source import Source
from tests.support.copy_function import copy_function_world
from tests.support.copy_function import sqs_record as support_sqs_record
from tests.support.event_tap import tap
from tests.support.events_endpoint import EventsEndpoint, Script

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
    s3 = copy_function_world(
        monkeypatch,
        aws,
        target=TARGET,
        distribution=DISTRIBUTION,
        distribution_region=DISTRIBUTION_REGION,
        region=REGION,
    )
    return Buckets(s3=s3)


@pytest.fixture
def source(buckets, aws, monkeypatch) -> Source:
    """GIVEN a scriptable source that is boto3's S3 endpoint, forwarding all else to moto."""
    with Source(aws) as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint.url)
        yield endpoint


def sqs_record(body, message_id: str | None = None) -> dict:
    """An SQS record for the consumer in REGION; dict bodies are JSON-encoded."""
    return support_sqs_record(body, REGION, message_id)


@pytest.fixture
def sqs_event():
    """Factory: an SQS event with one record per body (dict or raw string)."""

    def make(*bodies) -> dict:
        return {"Records": [sqs_record(body) for body in bodies]}

    return make


@pytest.fixture
def run(copy_files, capsys):
    """Invoke the handler; returns (response, log entries by messageId).

    The per-record lines only: a metrics document (EMIT_METRICS=true) names no messageId.
    """

    def invoke(event: dict):
        response = copy_files.handler(event, None)
        lines = capsys.readouterr().out.splitlines()
        logs = [json.loads(line) for line in lines if line.startswith("{")]
        return response, {entry["messageId"]: entry for entry in logs if "messageId" in entry}

    return invoke


@pytest.fixture
def receipts(aws):
    """GIVEN a tap on moto's default event bus, where the copy function puts its receipts."""
    return tap(boto3.Session())


def failed_ids(response: dict) -> set[str]:
    """The messageIds a partial batch response reports as failed."""
    return {failure["itemIdentifier"] for failure in response["batchItemFailures"]}


@pytest.fixture
def eventbridge(monkeypatch):
    """Factory: GIVEN a local EventBridge that answers PutEvents as `script` says."""
    with ExitStack() as stack:

        def start(script: Script) -> EventsEndpoint:
            endpoint = stack.enter_context(EventsEndpoint(script))
            monkeypatch.setenv("AWS_ENDPOINT_URL_EVENTBRIDGE", endpoint.url)
            return endpoint

        yield start
