"""Happy path: artifacts copied whole, with their content type and source metadata."""

from __future__ import annotations

import hashlib
import os


def test_copies_artifact_with_content_type_and_source_metadata(buckets, sqs_event, run):
    # GIVEN an artifact in the distribution bucket, announced with its size and sha256
    body = os.urandom(300_000)
    url = buckets.publish("builds/app-1.2.3.zip", body, content_type="application/zip")
    event = sqs_event(
        {
            "ArtifactUrl": url,
            "ArtifactKey": "builds/app-1.2.3.zip",
            "ArtifactSize": len(body),
            "ArtifactSha256": hashlib.sha256(body).hexdigest(),
        }
    )
    # WHEN the copy function handles the message
    response, logs = run(event)
    # THEN it is acknowledged and stored byte for byte, with the source's content type and ETag
    assert response == {"batchItemFailures": []}
    stored = buckets.stored("builds/app-1.2.3.zip")
    source = buckets.s3.head_object(Bucket=buckets.distribution, Key="builds/app-1.2.3.zip")
    assert stored["Body"] == body
    assert stored["ContentType"] == "application/zip"
    assert stored["Metadata"]["source-etag"] == source["ETag"]
    [entry] = logs.values()
    assert entry["outcome"] == "copied" and entry["bytes"] == len(body)


def test_empty_artifact_is_copied(buckets, sqs_event, run):
    # GIVEN an empty artifact announced with size 0 and the sha256 of no bytes
    url = buckets.publish("empty.txt", b"", content_type="text/plain")
    message = {
        "ArtifactUrl": url,
        "ArtifactKey": "empty.txt",
        "ArtifactSize": 0,
        "ArtifactSha256": hashlib.sha256(b"").hexdigest(),
    }
    # WHEN handled THEN an empty object is stored
    response, _ = run(sqs_event(message))
    assert response == {"batchItemFailures": []}
    assert buckets.stored("empty.txt")["Body"] == b""
