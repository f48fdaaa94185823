"""Verification: a failed check aborts the upload, so the key keeps what it held before."""

from __future__ import annotations

import hashlib
import os

import pytest

from tests.copy.conftest import failed_ids
from tests.copy.source import BLOCK, Artifact

KEY = "releases/service.zip"
GOOD = b"the good artifact that is already there\n" * 100
BLOCK_DATA = os.urandom(BLOCK)
# small: one PutObject; large: a multipart upload of four parts, the last one short
SIZES = {"small": 1, "large": 20}


@pytest.fixture(params=sorted(SIZES))
def artifact(request) -> Artifact:
    """A scripted source artifact, small (one request) or large (multipart)."""
    return Artifact(body=BLOCK_DATA, repeat=SIZES[request.param])


@pytest.fixture
def good_target(buckets):
    """GIVEN the target already holds a good artifact under the key."""
    buckets.s3.put_object(Bucket=buckets.target, Key=KEY, Body=GOOD)


def sha256_of(artifact: Artifact) -> str:
    digest = hashlib.sha256()
    for _ in range(artifact.repeat):
        digest.update(artifact.body)
    return digest.hexdigest()


def assert_nothing_replaced(buckets, response, logs, reason: str) -> None:
    """THEN the message fails with the reason, the old artifact stays, no upload is left open."""
    [entry] = logs.values()
    assert failed_ids(response) == {entry["messageId"]}
    assert entry["outcome"] == "failed" and reason in entry["reason"]
    assert buckets.stored(KEY)["Body"] == GOOD
    assert buckets.open_uploads() == []


def test_truncated_download_never_replaces_good_artifact(
    buckets, source, good_target, artifact, sqs_event, run
):
    # GIVEN a source that closes the connection 1000 bytes before its Content-Length
    artifact.send = artifact.size - 1000
    url = source.add(buckets.distribution, "service.zip", artifact)
    # WHEN the message is handled
    response, logs = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": KEY}))
    # THEN nothing is replaced
    assert_nothing_replaced(buckets, response, logs, f"of {artifact.size} bytes")


def test_wrong_sha256_never_replaces_good_artifact(
    buckets, source, good_target, artifact, sqs_event, run
):
    # GIVEN a source whose bytes are not the ones the message's sha256 names
    url = source.add(buckets.distribution, "service.zip", artifact)
    wrong = hashlib.sha256(b"something else").hexdigest()
    message = {"ArtifactUrl": url, "ArtifactKey": KEY, "ArtifactSha256": wrong}
    # WHEN the message is handled
    response, logs = run(sqs_event(message))
    # THEN nothing is replaced
    assert_nothing_replaced(buckets, response, logs, "is not ArtifactSha256")


def test_matching_sha256_and_size_replace_the_artifact_keeping_content_type(
    buckets, source, good_target, artifact, sqs_event, run
):
    # GIVEN a source whose bytes match the message's size and sha256 (upper-case hex)
    artifact.content_type = "application/vnd.example.bundle"
    url = source.add(buckets.distribution, "service.zip", artifact)
    message = {
        "ArtifactUrl": url,
        "ArtifactKey": KEY,
        "ArtifactSize": artifact.size,
        "ArtifactSha256": sha256_of(artifact).upper(),
    }
    # WHEN the message is handled
    response, logs = run(sqs_event(message))
    # THEN the new artifact replaces the old one, whole
    assert response == {"batchItemFailures": []}
    stored = buckets.stored(KEY)
    assert len(stored["Body"]) == artifact.size
    assert hashlib.sha256(stored["Body"]).hexdigest() == sha256_of(artifact)
    assert stored["ContentType"] == "application/vnd.example.bundle"
    assert [entry["bytes"] for entry in logs.values()] == [artifact.size]


@pytest.mark.parametrize("delta", [-1, 1], ids=["body-longer-than-size", "body-shorter-than-size"])
def test_wrong_artifact_size_never_replaces_good_artifact(
    buckets, source, good_target, artifact, delta, sqs_event, run
):
    # GIVEN a message whose ArtifactSize differs from what the source delivers
    url = source.add(buckets.distribution, "service.zip", artifact)
    message = {"ArtifactUrl": url, "ArtifactKey": KEY, "ArtifactSize": artifact.size + delta}
    # WHEN the message is handled
    response, logs = run(sqs_event(message))
    # THEN nothing is replaced
    assert_nothing_replaced(buckets, response, logs, "differs from ArtifactSize")


def test_body_longer_than_content_length_stores_only_the_announced_bytes(
    buckets, source, sqs_event, run
):
    # GIVEN a source that sends more bytes than its Content-Length announces
    artifact = Artifact(body=b"0123456789" * 100, content_length=500)
    url = source.add(buckets.distribution, "service.zip", artifact)
    sha256 = hashlib.sha256(artifact.body[:500]).hexdigest()
    message = {"ArtifactUrl": url, "ArtifactKey": KEY, "ArtifactSha256": sha256}
    # WHEN the message is handled
    response, _ = run(sqs_event(message))
    # THEN exactly the announced (and verified) bytes are stored, not the surplus
    assert response == {"batchItemFailures": []}
    assert buckets.stored(KEY)["Body"] == artifact.body[:500]
