"""A deployed consumer: the ways to deploy it (cases), and deploying one on a fresh moto."""

from __future__ import annotations

import json
from dataclasses import dataclass

import boto3
import pytest
import requests

from tests.conftest import FAKE_ENV
from tests.e2e.distributor import Distributor, create_distributor
from tests.e2e.moto_glue import capture_invocations
from tests.e2e.receipts import (
    CENTRAL_BUS_ARN,
    OTHER_SOURCE,
    RECEIPT_SOURCE,
    EventTap,
    create_central_bus,
)
from tests.e2e.stack import Stack, deploy

EXISTING_OBJECT = "kept/own-object.txt"


@dataclass(frozen=True)
class Case:
    """One way a user deploys the template."""

    name: str
    target_bucket: str | None  # None: keep the default, so the stack creates its bucket
    fleet_visibility: bool = False  # DetailedMonitoring=true, receipts forwarded to a central bus

    def parameters(self, distributor: Distributor) -> dict[str, str]:
        """Default parameters, except the topic (see moto_glue) and what the case sets."""
        parameters = {"DistributionTopic": distributor.topic_arn}
        if self.target_bucket:
            parameters["TargetBucket"] = self.target_bucket
        if self.fleet_visibility:
            parameters |= {"DetailedMonitoring": "true", "ReceiptEventBusArn": CENTRAL_BUS_ARN}
        return parameters


# Each case deploys once per test module: the fleet options ride along with the existing bucket
# rather than costing a third deployment; both states of their conditions are still covered.
CASES = (
    Case("created-bucket", None),
    Case(
        "existing-bucket-monitored", "team-artifacts-existing-eu-central-1", fleet_visibility=True
    ),
)


@dataclass(frozen=True)
class Consumer:
    """A deployed consumer stack, in its account, with the distributor it consumes from."""

    case: Case
    account: str
    stack: Stack
    distributor: Distributor
    central_bus: EventTap | None  # the bus receipts are forwarded to, when the case has one


def create_existing_bucket(name: str, region: str) -> None:
    """A bucket the consumer already has, holding one object of its own."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_object(Bucket=name, Key=EXISTING_OBJECT, Body=b"mine")


def deploy_consumer(
    case: Case, template_body: str, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> Consumer:
    """Reset moto, create the distributor the defaults name, and deploy `case`'s stack."""
    requests.post(f"{endpoint}/moto-api/reset", timeout=10)
    for name, value in FAKE_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    invocations = capture_invocations(monkeypatch)
    account = boto3.client("sts").get_caller_identity()["Account"]
    template = json.loads(template_body)
    defaults = {name: p["Default"] for name, p in template["Parameters"].items()}
    distributor = create_distributor(defaults, account)
    if case.target_bucket:
        create_existing_bucket(case.target_bucket, FAKE_ENV["AWS_REGION"])
    # Before the stack: moto's forwarding fails every PutEvents on the default bus while the
    # target bus is missing. It also catches OTHER_SOURCE, so a rule forwarding too much shows.
    central_bus = (
        create_central_bus(sources=(RECEIPT_SOURCE, OTHER_SOURCE))
        if case.fleet_visibility
        else None
    )
    stack = deploy(
        f"consumer-{case.name}",
        template_body,
        case.parameters(distributor),
        invocations,
        endpoint=endpoint,
        after_custom_resource=distributor.serve_initial_sets,
    )
    return Consumer(case, account, stack, distributor, central_bus)
