"""The whole flow on a deployed stack: initial set, filtered delivery, copy, redrive, nothing lost.

GIVEN a consumer stack (created or existing bucket) and the simulated distributor
WHEN the distributor announces artifacts for every kind of address, plus one it never uploaded,
 and the copy function is fed from the queue like Lambda's event source mapping does
THEN what is addressed to the consumer is stored byte for byte (templates rewritten) or kept in
 the dead-letter queue, and nothing addressed elsewhere is stored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import boto3
import pytest

from tests.e2e.consumer import EXISTING_OBJECT, Consumer
from tests.e2e.distributor import ALL, INITIAL_SET, Published
from tests.e2e.lambda_runtime import QueuePoller
from tests.e2e.moto_glue import MOTO_GAP_WARNINGS
from tests.e2e.receipts import RECEIPT_DETAIL_TYPE, RECEIPT_SOURCE, tap
from tests.e2e.stack import Stack

pytestmark = [pytest.mark.e2e, MOTO_GAP_WARNINGS]

OTHER_ACCOUNT = "111122223333"
OTHER_REGION = "us-east-1"
TEMPLATE_KEY = "stacks/app.yaml"
LARGE = bytes(range(256)) * (9 * 4096)  # 9 MiB: above boto3's 8 MiB multipart threshold


def app_template(bucket: str, region: str, distribution_bucket: str) -> bytes:
    """A CloudFormation template that refers to `bucket` in every form the rewriting covers."""
    return f"""AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  CodeBucket:
    Type: String
    Default: {bucket}
Resources:
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Code:
        S3Bucket: {bucket}
        S3Key: app/function.zip
  AccessLogs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: {distribution_bucket}-logs
Outputs:
  Download:
    Value: https://{bucket}.s3.{region}.amazonaws.com/app/function.zip
  Location:
    Value: s3://{bucket}/app/function.zip
""".encode()


@dataclass
class Flow:
    """A consumer after the distributor's announcements went through the copy function."""

    consumer: Consumer
    poller: QueuePoller
    addressed: list[Published]
    elsewhere: list[Published]
    poison: Published
    receipts: list[dict]  # what a rule on the consumer's default bus caught during the drain
    forwarded: list[dict]  # what reached the central bus (cases with ReceiptEventBusArn)

    @property
    def stack(self) -> Stack:
        return self.consumer.stack

    @property
    def target_bucket(self) -> str:
        return self.stack.outputs()["BucketName"]

    def stored(self) -> dict[str, bytes]:
        """Every object the target bucket holds, by key, except the bucket's own (conftest)."""
        s3 = boto3.client("s3")
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=self.target_bucket)
        keys = [o["Key"] for page in pages for o in page.get("Contents", [])]
        return {
            key: s3.get_object(Bucket=self.target_bucket, Key=key)["Body"].read()
            for key in keys
            if key != EXISTING_OBJECT
        }

    def dead_letters(self) -> list[dict]:
        """Every message in the dead-letter queue, left there for the next look."""
        sqs, url = boto3.client("sqs"), self.stack.outputs()["DeadLetterQueueUrl"]
        return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get(
            "Messages", []
        )

    def expected(self, published: Published) -> bytes:
        """What the consumer must store for `published`: templates rewritten, the rest as is."""
        if published.key != TEMPLATE_KEY:
            return published.content
        return app_template(self.target_bucket, self.stack.region, self.consumer.distributor.bucket)


@pytest.fixture(scope="module")
def flow(consumer) -> Flow:
    """Announce one artifact per address, a template and a poison message; drain the queue."""
    stack, distributor, own_account = consumer.stack, consumer.distributor, consumer.account
    own_region, dist = stack.region, distributor.bucket

    def artifact(key: str, account: str, region: str) -> Published:
        content = f"{key} for {account}/{region}\n".encode() * 100
        return distributor.publish(key, content, account, region)

    addressed = [
        artifact("direct/own-account-own-region.bin", own_account, own_region),
        artifact("direct/all-accounts-all-regions.bin", ALL, ALL),
        artifact("direct/own-account-all-regions.bin", own_account, ALL),
        artifact("direct/all-accounts-own-region.bin", ALL, own_region),
        distributor.publish("large/multipart.bin", LARGE, own_account, own_region),
        distributor.publish(TEMPLATE_KEY, app_template(dist, distributor.region, dist), ALL, ALL),
        distributor.publish(
            "tools/names-the-bucket.bin", b"\x00" + dist.encode() + b"\xff", own_account, ALL
        ),
    ]
    elsewhere = [
        artifact("foreign/other-account.bin", OTHER_ACCOUNT, own_region),
        artifact("foreign/other-region.bin", own_account, OTHER_REGION),
        artifact("foreign/other-account-all-regions.bin", OTHER_ACCOUNT, ALL),
        artifact("foreign/all-accounts-other-region.bin", ALL, OTHER_REGION),
    ]
    poison = distributor.publish("broken/never-uploaded.bin", None, ALL, ALL)
    poller = QueuePoller.of_stack(stack, stack.of_type("AWS::Lambda::EventSourceMapping")[0])
    watcher = tap(boto3.Session(region_name=own_region), name="flow-receipts")
    if consumer.central_bus:
        consumer.central_bus.events()  # forget what other tests of the module forwarded
    poller.drain()
    initial = [p for p in distributor.published if p.key in INITIAL_SET]
    forwarded = consumer.central_bus.events() if consumer.central_bus else []
    receipts = watcher.events()
    return Flow(consumer, poller, initial + addressed, elsewhere, poison, receipts, forwarded)


def test_every_artifact_addressed_to_the_consumer_is_stored_or_dead_lettered(flow):
    stored = flow.stored()
    dead = {m["Body"] for m in flow.dead_letters()}
    for published in [*flow.addressed, flow.poison]:
        kept = stored.get(published.key) == flow.expected(published) or published.body in dead
        assert kept, f"{published.key} ({published.account}/{published.region}) was lost"


def test_good_artifacts_are_stored_byte_for_byte_and_nothing_else(flow):
    stored = flow.stored()
    expected = {p.key: flow.expected(p) for p in flow.addressed}
    assert sorted(stored) == sorted(expected)
    for key, content in expected.items():
        assert stored[key] == content, key


def test_nothing_addressed_to_another_account_or_region_reaches_the_consumer(flow):
    stored = flow.stored()
    assert [p.key for p in flow.elsewhere if p.key in stored] == []
    assert [p.key for p in flow.elsewhere if p.body in flow.poller.bodies] == []


def test_poison_message_ends_in_dead_letter_queue_after_max_receive_count(flow):
    redrive = flow.stack.template["Resources"]["ArtifactQueue"]["Properties"]["RedrivePolicy"]
    dead = flow.dead_letters()
    assert [m["Body"] for m in dead] == [flow.poison.body]
    assert flow.poller.deliveries[dead[0]["MessageId"]] == redrive["maxReceiveCount"]
    assert flow.poison.key not in flow.stored()
    assert flow.poller.errors == []  # failures were reported per message, never raised


def test_cloudformation_template_is_stored_rewritten_to_the_target_bucket(flow):
    """Issue 3, item 7: bucket values, https URLs (with the consumer's region), s3:// URIs."""
    stored = flow.stored()[TEMPLATE_KEY].decode()
    target, dist = flow.target_bucket, flow.consumer.distributor.bucket
    assert f"S3Bucket: {target}\n" in stored
    assert f"https://{target}.s3.{flow.stack.region}.amazonaws.com/app/function.zip" in stored
    assert f"s3://{target}/app/function.zip" in stored
    assert f"BucketName: {dist}-logs\n" in stored  # merely contains the name: left alone
    assert stored == app_template(target, flow.stack.region, dist).decode()


def test_initial_set_is_requested_once_with_the_consumer_identity_and_stored(flow):
    executions = flow.consumer.distributor.executions()
    assert [e["input"] for e in executions] == [
        {"AccountId": flow.consumer.account, "Region": flow.stack.region}
    ]
    stored = flow.stored()
    assert all(stored.get(key) == content for key, content in INITIAL_SET.items())


def test_every_stored_artifact_has_a_receipt_on_the_default_bus_and_nothing_else_has(flow):
    # The copy function's receipts reach a rule's target on the consumer account's default bus:
    # one per stored artifact (a message redelivered may add a duplicate), none for the poison
    # message or for what was addressed elsewhere
    stored = flow.stored()
    by_key = {}
    for event in flow.receipts:
        assert (event["source"], event["detail-type"]) == (RECEIPT_SOURCE, RECEIPT_DETAIL_TYPE)
        by_key.setdefault(event["detail"]["key"], []).append(event["detail"])
    assert sorted(by_key) == sorted(stored)
    for published in flow.addressed:
        detail = by_key[published.key][0]
        assert detail["bucket"] == flow.target_bucket
        assert detail["outcome"] == "copied"
        assert detail["size"] == len(stored[published.key])
        head = boto3.client("s3").head_object(Bucket=flow.target_bucket, Key=published.key)
        assert detail["versionId"] == head.get("VersionId")
        assert detail["sha256"] == hashlib.sha256(published.content).hexdigest()
        assert "http" not in json.dumps(detail)


def test_receipts_reach_the_central_bus_when_forwarded(flow):
    # With ReceiptEventBusArn, the stack's rule forwards every receipt, detail unchanged
    if flow.consumer.central_bus is None:
        pytest.skip("deployed without ReceiptEventBusArn: nothing is forwarded")
    assert sorted(json.dumps(e["detail"], sort_keys=True) for e in flow.forwarded) == sorted(
        json.dumps(e["detail"], sort_keys=True) for e in flow.receipts
    )
