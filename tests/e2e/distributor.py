"""A simulated distributor: what the template's default parameters point at, on moto.

Its role, state machine and source bucket live in the distributor's own account (moto gives an
assumed role in another account that account's resources). Its topic is in the distributor's
region but, because moto's SNS delivers to SQS only within one account, in the consumer's account
(see moto_glue).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from hashlib import sha256

import boto3

from testkit.accounts import assumed_session

ALL = "ALL"
PRESIGNED_SECONDS = 3600
PASS_MACHINE = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})
INITIAL_SET = {"initial/base-image.tar": b"initial set artifact\n" * 64}


@dataclass(frozen=True)
class Published:
    """One message the distributor published, and what its artifact holds."""

    key: str
    content: bytes
    account: str
    region: str
    body: str


@dataclass
class Distributor:
    """The distributor's resources and everything it has published."""

    defaults: dict[str, str]
    topic_arn: str
    session: boto3.Session
    published: list[Published] = field(default_factory=list)
    served: set[str] = field(default_factory=set)

    @property
    def bucket(self) -> str:
        return self.defaults["DistributionBucket"]

    @property
    def region(self) -> str:
        return self.defaults["DistributionRegion"]

    @property
    def machine_arn(self) -> str:
        return self.defaults["InitialDistributionSetMachine"]

    def publish(self, key: str, content: bytes | None, account: str, region: str) -> Published:
        """Upload `content` (None: nothing, so the URL answers 404) and announce it."""
        return self.publish_many([(key, content, account, region)])[0]

    def publish_many(self, artifacts: list[tuple[str, bytes | None, str, str]]) -> list[Published]:
        """`publish` for each (key, content, account, region), announced 10 to a PublishBatch."""
        s3, sns = self.session.client("s3"), boto3.client("sns", region_name=self.region)
        published = []
        for key, content, account, region in artifacts:
            if content is not None:
                s3.put_object(Bucket=self.bucket, Key=key, Body=content)
            url = s3.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": key},
                ExpiresIn=PRESIGNED_SECONDS,
            )
            message = {"ArtifactUrl": url, "ArtifactKey": key}
            if content is not None:  # the contract's optional fields, which the copy verifies
                message |= {
                    "ArtifactSize": len(content),
                    "ArtifactSha256": sha256(content).hexdigest(),
                }
            published.append(Published(key, content or b"", account, region, json.dumps(message)))
        for start in range(0, len(published), 10):
            entries = [
                {
                    "Id": str(n),
                    "Message": p.body,
                    "MessageAttributes": {
                        "account": {"DataType": "String", "StringValue": p.account},
                        "region": {"DataType": "String", "StringValue": p.region},
                    },
                }
                for n, p in enumerate(published[start : start + 10])
            ]
            answer = sns.publish_batch(TopicArn=self.topic_arn, PublishBatchRequestEntries=entries)
            assert not answer.get("Failed"), answer["Failed"]
        self.published += published
        return published

    def executions(self) -> list[dict]:
        """Every execution of the initial-set machine, with its input parsed."""
        sfn = self.session.client("stepfunctions")
        listed = sfn.list_executions(stateMachineArn=self.machine_arn)["executions"]
        described = [sfn.describe_execution(executionArn=e["executionArn"]) for e in listed]
        return [{**d, "input": json.loads(d["input"])} for d in described]

    def serve_initial_sets(self) -> None:
        """What the state machine does: publish the initial set to each consumer that asked."""
        for execution in self.executions():
            if execution["executionArn"] in self.served:
                continue
            self.served.add(execution["executionArn"])
            target = execution["input"]
            for key, content in INITIAL_SET.items():
                self.publish(key, content, target["AccountId"], target["Region"])


def create_distributor(defaults: dict[str, str], consumer_account: str) -> Distributor:
    """Create the distributor the template's defaults name, trusting `consumer_account`."""
    region = defaults["DistributionRegion"]
    role_arn = defaults["InitialDistributionRole"]
    session = assumed_session(role_arn, region)
    session.client("iam").create_role(
        RoleName=role_arn.rsplit("/", 1)[1],
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Principal": {"AWS": f"arn:aws:iam::{consumer_account}:root"},
                    }
                ],
            }
        ),
    )
    session.client("s3").create_bucket(
        Bucket=defaults["DistributionBucket"],
        CreateBucketConfiguration={"LocationConstraint": region},
    )
    machine_arn = session.client("stepfunctions").create_state_machine(
        name=defaults["InitialDistributionSetMachine"].rsplit(":", 1)[1],
        definition=PASS_MACHINE,
        roleArn=role_arn,
    )["stateMachineArn"]
    assert machine_arn == defaults["InitialDistributionSetMachine"]
    topic_name = defaults["DistributionTopic"].rsplit(":", 1)[1]
    topic_arn = boto3.client("sns", region_name=region).create_topic(Name=topic_name)["TopicArn"]
    return Distributor(defaults=defaults, topic_arn=topic_arn, session=session)
