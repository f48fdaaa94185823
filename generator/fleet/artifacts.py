"""Artifacts: the bucket's current objects under a prefix, with their ETags and addressing tags.

One ListObjectsV2 request per 1,000 objects and one GetObjectTagging request per object (S3 has
no listing with tags): 1,000 artifacts cost 1,001 requests, run on a few threads.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from generator.fleet.model import ALL, Artifact, bare_etag

TAGGING_THREADS = 8


def list_objects(s3, bucket: str, prefix: str) -> list[dict]:
    """Every current object under `prefix` (Key, ETag, LastModified), paginated."""
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [obj for page in pages for obj in page.get("Contents", [])]


def addressing(s3, bucket: str, key: str) -> tuple[str, str]:
    """The object's `account` and `region` tags, ALL where a tag is absent."""
    tags = s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]
    values = {tag["Key"]: tag["Value"] for tag in tags}
    return values.get("account", ALL), values.get("region", ALL)


def read_artifacts(s3, bucket: str, prefix: str) -> tuple[list[Artifact], datetime | None]:
    """The artifacts under `prefix`, and the oldest LastModified among them (None if none)."""
    objects = list_objects(s3, bucket, prefix)
    with ThreadPoolExecutor(TAGGING_THREADS) as pool:
        tagged = list(pool.map(lambda obj: addressing(s3, bucket, obj["Key"]), objects))
    artifacts = [
        Artifact(obj["Key"], bare_etag(obj["ETag"]), account, region)
        for obj, (account, region) in zip(objects, tagged, strict=True)
    ]
    oldest = min((obj["LastModified"] for obj in objects), default=None)
    return artifacts, oldest
