"""A distributor on moto as the fleet command sees it: a stack whose Outputs are the contract's
(ARCHITECTURE.md, Distributor template), consumers subscribed from other accounts and regions,
tagged artifacts, and receipts in the log group as EventBridge writes them.

moto gaps (5.2.1): its SNS stores a subscription in the account that calls Subscribe, so the
topic's owner subscribes each consumer's queue (on AWS the consumer stack does); Logs Insights'
query language: see testkit/insights.py.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

import boto3

from testkit.accounts import assumed_session

REGION = "eu-west-1"
STACK = "build-artifact-distributor"
STREAM = "receipts"
BATCH = 2_000  # events per PutLogEvents: within its 10,000 events and 1 MiB
OUTPUTS = {
    "DistributionTopic": {"Ref": "Topic"},
    "DistributionRegion": {"Ref": "AWS::Region"},
    "DistributionBucket": {"Ref": "Bucket"},
    "InitialDistributionRole": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/T"},
    "InitialDistributionSetMachine": {
        "Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:M"
    },
    "ReceiptEventBusArn": {"Fn::GetAtt": ["Bus", "Arn"]},
    "ReceiptLogGroup": {"Ref": "Receipts"},
}


def template(outputs: dict) -> str:
    """A stack with the distributor's topic, bucket, receipt bus and log group, and `outputs`."""
    resources = {
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "receipts"}},
        "Receipts": {"Type": "AWS::Logs::LogGroup"},
    }
    outputs = {name: {"Value": value} for name, value in outputs.items()}
    return json.dumps({"Resources": resources, "Outputs": outputs})


def session_in(account: str, region: str) -> boto3.Session:
    """Credentials in `account` (moto gives an assumed role that account's resources)."""
    return assumed_session(f"arn:aws:iam::{account}:role/fleet-test", region)


@dataclass
class Distributor:
    """The deployed stack's resources, with helpers that add what the tests need."""

    stack: str
    outputs: dict[str, str]
    session: boto3.Session = field(default_factory=lambda: boto3.Session(region_name=REGION))

    @property
    def bucket(self) -> str:
        return self.outputs["DistributionBucket"]

    def subscribe(self, account: str, region: str, name: str = "artifacts", queue=True) -> None:
        """A consumer: a queue in `account`/`region` (queue=False: its ARN only, which moto's
        Subscribe does not look up), subscribed to the topic."""
        arn = f"arn:aws:sqs:{region}:{account}:{name}"
        if queue:
            sqs = session_in(account, region).client("sqs")
            url = sqs.create_queue(QueueName=name)["QueueUrl"]
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
            assert attributes["Attributes"]["QueueArn"] == arn
        self.session.client("sns").subscribe(
            TopicArn=self.outputs["DistributionTopic"], Protocol="sqs", Endpoint=arn
        )

    def put(self, key: str, body: bytes, account: str | None = None, region: str | None = None):
        """An artifact, tagged with its addressee when given; returns its ETag (quoted)."""
        tags = "&".join(f"{k}={v}" for k, v in (("account", account), ("region", region)) if v)
        return self.session.client("s3").put_object(
            Bucket=self.bucket, Key=key, Body=body, Tagging=tags
        )["ETag"]

    def receipt(self, account: str, region: str, key: str, etag: str, **options) -> None:
        """One receipt event in the log group, as the distributor's rule writes it."""
        self.write([receipt_event(account, region, key, etag, **options)], options.get("age", 0))

    def write(self, events: list[dict], age: float = 0) -> None:
        """Events into the receipt log group, stamped `age` seconds ago, in batches."""
        logs = self.session.client("logs")
        group = self.outputs["ReceiptLogGroup"]
        streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
        if not streams:
            logs.create_log_stream(logGroupName=group, logStreamName=STREAM)
        stamp = int((time.time() - age) * 1000)
        for start in range(0, len(events), BATCH):
            batch = events[start : start + BATCH]
            logs.put_log_events(
                logGroupName=group,
                logStreamName=STREAM,
                logEvents=[{"timestamp": stamp, "message": json.dumps(e)} for e in batch],
            )


def receipt_event(
    account: str,
    region: str,
    key: str,
    etag: str,
    outcome: str = "copied",
    source: str = "build-artifact-consumer",
    **_ignored,
) -> dict:
    """The EventBridge event of a receipt (ARCHITECTURE.md, Receipts), as the log group holds it."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Artifact Stored",
        "source": source,
        "account": account,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": region,
        "resources": [],
        "detail": {
            "bucket": f"tts-cloud-artifacts-{account}-{region}",
            "key": key,
            "size": 1,
            "outcome": outcome,
            "sourceETag": etag,
            "versionId": None,
            "messageId": str(uuid.uuid4()),
        },
    }


def deploy(stack: str = STACK, outputs: dict | None = None) -> Distributor:
    """Create the stack (distributor account, REGION) and read its Outputs back."""
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(StackName=stack, TemplateBody=template(outputs or OUTPUTS))
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    values = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    return Distributor(stack, values)
