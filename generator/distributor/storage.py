"""The distribution bucket: every artifact, addressed by its tags; its TLS-only policy.

Objects are addressed by their S3 tags `account` and `region` (absent means ALL); S3 announces
each new object to EventBridge, where the publisher's rule picks it up (publishing.py).
"""

from __future__ import annotations

from troposphere import Ref, Template, s3

from generator import policies
from generator.buckets import private_bucket
from generator.checkov import skips

BUCKET = "DistributionBucket"
BUCKET_POLICY = "DistributionBucketPolicy"
# Days a replaced version stays: announced URLs are pinned to a version, and a consumer that
# retries late still finds it (far beyond any URL's lifetime).
NONCURRENT_DAYS = 30
BUCKET_SKIPS = (
    ("CKV_AWS_18", "CloudTrail can log it"),
    ("CKV_AWS_145", "SSE-S3: presigned GETs need no key grant"),
)


def add_storage(template: Template) -> s3.Bucket:
    """Add the retained, versioned, private bucket (EventBridge notifications on) and policy."""
    bucket = template.add_resource(_bucket())
    template.add_resource(
        s3.BucketPolicy(
            BUCKET_POLICY,
            DeletionPolicy="Retain",
            UpdateReplacePolicy="Retain",
            Bucket=Ref(bucket),
            PolicyDocument=policies.policy(policies.deny_insecure_transport(Ref(bucket))),
        )
    )
    return bucket


def _bucket() -> s3.Bucket:
    return private_bucket(
        BUCKET,
        NONCURRENT_DAYS,
        NotificationConfiguration=s3.NotificationConfiguration(
            EventBridgeConfiguration=s3.EventBridgeConfiguration(EventBridgeEnabled=True)
        ),
        Metadata=skips(*BUCKET_SKIPS),
    )
