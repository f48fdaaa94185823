"""The private bucket both templates keep artifacts in: retained, encrypted, versioned, closed."""

from __future__ import annotations

from typing import Any

from troposphere import s3


def private_bucket(title: str, noncurrent_days: int, **properties: Any) -> s3.Bucket:
    """A retained, SSE-S3, owner-enforced, versioned bucket with public access blocked.

    Replaced versions expire after `noncurrent_days`; unfinished multipart uploads after a day.
    `properties` adds what one side needs (name, condition, notifications, Metadata).
    """
    return s3.Bucket(
        title,
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
        BucketEncryption=s3.BucketEncryption(
            ServerSideEncryptionConfiguration=[
                s3.ServerSideEncryptionRule(
                    ServerSideEncryptionByDefault=s3.ServerSideEncryptionByDefault(
                        SSEAlgorithm="AES256"
                    )
                )
            ]
        ),
        PublicAccessBlockConfiguration=s3.PublicAccessBlockConfiguration(
            BlockPublicAcls=True,
            BlockPublicPolicy=True,
            IgnorePublicAcls=True,
            RestrictPublicBuckets=True,
        ),
        OwnershipControls=s3.OwnershipControls(
            Rules=[s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]
        ),
        VersioningConfiguration=s3.VersioningConfiguration(Status="Enabled"),
        LifecycleConfiguration=s3.LifecycleConfiguration(
            Rules=[
                s3.LifecycleRule(
                    Id="ExpireNoncurrentAndAbortIncompleteUploads",
                    Status="Enabled",
                    NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(
                        NoncurrentDays=noncurrent_days
                    ),
                    AbortIncompleteMultipartUpload=s3.AbortIncompleteMultipartUpload(
                        DaysAfterInitiation=1
                    ),
                )
            ]
        ),
        **properties,
    )
