"""The target bucket: created and retained, or an existing one; its policy and SSM parameter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import Equals, If, Or, Ref, Sub, Template, s3, ssm

from generator import policies
from generator.buckets import private_bucket
from generator.checkov import skips
from generator.consumer.parameters import NO_VALUE

CREATE_NEW_BUCKET = "CreateNewBucket"
BUCKET = "ArtifactBucket"
BUCKET_POLICY = "ArtifactBucketPolicy"
BUCKET_NAME_PARAMETER = "BucketNameParameter"
BUCKET_SKIPS = (("CKV_AWS_18", "CloudTrail can log it"),)


@dataclass(frozen=True)
class Storage:
    """What other modules need: the one expression that names the target bucket."""

    bucket_name: Any


def add_storage(template: Template, params: dict, after: list[str]) -> Storage:
    """Add the condition, the retained bucket with its TLS-only policy, and the SSM parameter.

    The bucket is created `after` the named resources: it is retained even when a failed create
    rolls back, so whatever is likely to fail (the cross-account subscription) goes first.
    """
    target = params["TargetBucket"]
    template.add_condition(
        CREATE_NEW_BUCKET, Or(Equals(Ref(target), NO_VALUE), Equals(Ref(target), ""))
    )
    bucket = template.add_resource(_bucket(after))
    name = If(CREATE_NEW_BUCKET, Ref(bucket), Ref(target))
    template.add_resource(_bucket_policy(bucket))
    template.add_resource(_bucket_name_parameter(params, name))
    return Storage(bucket_name=name)


def _bucket_policy(bucket: s3.Bucket) -> s3.BucketPolicy:
    return s3.BucketPolicy(
        BUCKET_POLICY,
        Condition=CREATE_NEW_BUCKET,
        # The retained bucket stays TLS-only after the stack is gone.
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
        Bucket=Ref(bucket),
        PolicyDocument=policies.policy(policies.deny_insecure_transport(Ref(bucket))),
    )


def _bucket_name_parameter(params: dict, name: Any) -> ssm.Parameter:
    return ssm.Parameter(
        BUCKET_NAME_PARAMETER,
        Name=Ref(params["BucketNameParameterName"]),
        Type="String",
        Value=name,
        Description="Name of the bucket that build-artifact-consumer copies artifacts into",
    )


def _bucket(after: list[str]) -> s3.Bucket:
    return private_bucket(
        BUCKET,
        30,  # days a replaced artifact is kept
        DependsOn=after,
        Condition=CREATE_NEW_BUCKET,
        BucketName=Sub("tts-cloud-artifacts-${AWS::AccountId}-${AWS::Region}"),
        Metadata=skips(*BUCKET_SKIPS),
    )
