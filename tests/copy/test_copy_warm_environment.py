"""A warm Lambda environment keeps its S3 client between invocations, and follows its settings.

Building a client and opening its connections cost every invocation time (and, against S3, a TLS
handshake per connection); the environment keeps them. A changed setting or endpoint is used by
the next invocation, and a missing one is still a clear error.
"""

from __future__ import annotations

import pytest

from tests.copy.conftest import DISTRIBUTION, REGION
from tests.copy.source import Artifact, Source


def copy_one(source, run, sqs_event, key: str) -> dict:
    """Handle one event copying a small artifact to `key`; returns the response."""
    url = source.add(DISTRIBUTION, key, Artifact(body=key.encode()))
    response, _ = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": key}))
    return response


def ports_of(source, key: str, bucket: str) -> set[int]:
    """Client ports of the S3 requests (HeadObject, PutObject) for bucket/key."""
    path = f"/{bucket}/{key}"
    return {r.client_port for r in source.requests if r.path == path}


def test_a_warm_environment_reuses_its_s3_connections(buckets, source, sqs_event, run):
    # GIVEN an environment that has copied one artifact
    assert copy_one(source, run, sqs_event, "first.zip") == {"batchItemFailures": []}
    first = ports_of(source, "first.zip", buckets.target)
    # WHEN it is invoked again
    assert copy_one(source, run, sqs_event, "second.zip") == {"batchItemFailures": []}
    # THEN its S3 requests go over a connection the first invocation opened
    second = ports_of(source, "second.zip", buckets.target)
    assert first and second and second <= first
    assert buckets.stored("second.zip")["Body"] == b"second.zip"


def test_a_changed_target_bucket_is_used_by_the_next_invocation(
    buckets, source, sqs_event, run, monkeypatch
):
    # GIVEN an environment that has copied into the target bucket
    assert copy_one(source, run, sqs_event, "first.zip") == {"batchItemFailures": []}
    # WHEN TARGET_BUCKET changes before the next invocation
    other = "consumer-artifacts-moved"
    location = {"LocationConstraint": REGION}
    buckets.s3.create_bucket(Bucket=other, CreateBucketConfiguration=location)
    monkeypatch.setenv("TARGET_BUCKET", other)
    assert copy_one(source, run, sqs_event, "second.zip") == {"batchItemFailures": []}
    # THEN that invocation copies into the new bucket
    assert buckets.s3.get_object(Bucket=other, Key="second.zip")["Body"].read() == b"second.zip"
    assert buckets.keys() == ["first.zip"]


def test_a_changed_s3_endpoint_is_used_by_the_next_invocation(
    aws, buckets, source, sqs_event, run, monkeypatch
):
    # GIVEN an environment that has copied through one S3 endpoint
    assert copy_one(source, run, sqs_event, "first.zip") == {"batchItemFailures": []}
    # WHEN AWS_ENDPOINT_URL_S3 names another endpoint before the next invocation
    with Source(aws) as moved:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moved.url)
        assert copy_one(moved, run, sqs_event, "second.zip") == {"batchItemFailures": []}
    # THEN that invocation's S3 requests go to the new endpoint only
    assert ports_of(moved, "second.zip", buckets.target)
    assert not ports_of(source, "second.zip", buckets.target)
    assert buckets.stored("second.zip")["Body"] == b"second.zip"


@pytest.mark.parametrize("name", ["TARGET_BUCKET", "DISTRIBUTION_BUCKET", "AWS_REGION"])
def test_a_setting_removed_from_a_warm_environment_is_a_clear_error(
    name, copy_files, buckets, source, sqs_event, run, monkeypatch
):
    # GIVEN an environment that has copied one artifact
    assert copy_one(source, run, sqs_event, "first.zip") == {"batchItemFailures": []}
    # WHEN a variable it needs is gone at the next invocation THEN that invocation says which
    monkeypatch.delenv(name)
    with pytest.raises(RuntimeError, match=f"missing environment variables: {name}"):
        copy_files.handler(sqs_event({"ArtifactUrl": "x", "ArtifactKey": "y"}), None)
