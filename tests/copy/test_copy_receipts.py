"""Receipts: one event on the default bus for every record acknowledged, saying what the key holds.

Read back from moto's EventBridge through a rule into a queue (the `receipts` tap), as a platform
team's rule would see them (ARCHITECTURE.md, Receipts).
"""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.copy.conftest import DISTRIBUTION, TARGET, failed_ids
from tests.copy.source import BLOCK, Artifact
from tests.support.event_tap import RECEIPT_DETAIL_TYPE, RECEIPT_SOURCE

KEY = "releases/tool.tar.gz"
JANUARY = "Wed, 01 Jan 2025 00:00:00 GMT"
FEBRUARY = "Sat, 01 Feb 2025 00:00:00 GMT"
SIZES = pytest.mark.parametrize("repeat", [1, 10], ids=["small", "multipart"])


def details(receipts) -> list[dict]:
    """The detail of every receipt put since the last look; each must be a receipt."""
    events = receipts.events()
    assert {(e["source"], e["detail-type"]) for e in events} <= {
        (RECEIPT_SOURCE, RECEIPT_DETAIL_TYPE)
    }
    return [event["detail"] for event in events]


def message_for(source, artifact: Artifact, key: str = KEY, sha256: bool = True) -> dict:
    """A message announcing `artifact` at `key`, with its sha256 unless told otherwise."""
    message = {"ArtifactUrl": source.add(DISTRIBUTION, key, artifact), "ArtifactKey": key}
    if sha256:
        body = artifact.body * artifact.repeat
        message["ArtifactSha256"] = hashlib.sha256(body).hexdigest()
    return message


@SIZES
def test_a_copied_artifact_has_one_receipt_with_exactly_the_contract_fields(
    repeat, buckets, source, sqs_event, run, receipts
):
    # GIVEN an artifact announced with its sha256, and an unversioned target bucket
    artifact = Artifact(body=b"c" * BLOCK, repeat=repeat, etag='"build-7"')
    event = sqs_event(message_for(source, artifact))
    # WHEN it is copied
    response, _ = run(event)
    # THEN its one receipt says what the key holds now, and nothing else
    assert response == {"batchItemFailures": []}
    assert details(receipts) == [
        {
            "bucket": TARGET,
            "key": KEY,
            "size": artifact.size,
            "outcome": "copied",
            "sourceETag": '"build-7"',
            "versionId": None,
            "sha256": hashlib.sha256(artifact.body * repeat).hexdigest(),
            "messageId": event["Records"][0]["messageId"],
        }
    ]
    assert buckets.s3.head_object(Bucket=TARGET, Key=KEY)["ContentLength"] == artifact.size


def test_without_a_sha256_to_verify_the_receipt_has_none(buckets, source, sqs_event, run, receipts):
    # GIVEN an artifact announced without ArtifactSha256
    artifact = Artifact(body=b"no digest", etag='"e"')
    # WHEN it is copied THEN its receipt has no sha256 member at all
    response, _ = run(sqs_event(message_for(source, artifact, sha256=False)))
    assert response == {"batchItemFailures": []}
    [detail] = details(receipts)
    assert detail["outcome"] == "copied" and "sha256" not in detail


@SIZES
def test_in_a_versioned_bucket_the_receipt_names_the_version_written(
    repeat, buckets, source, sqs_event, run, receipts
):
    # GIVEN a versioned target bucket
    buckets.s3.put_bucket_versioning(Bucket=TARGET, VersioningConfiguration={"Status": "Enabled"})
    artifact = Artifact(body=b"v" * BLOCK, repeat=repeat, etag='"versioned"')
    message = message_for(source, artifact)
    # WHEN the artifact is copied, and the same message is delivered again
    run(sqs_event(message))
    run(sqs_event(message))
    # THEN both receipts name the version the key holds: the one the copy wrote
    held = buckets.s3.head_object(Bucket=TARGET, Key=KEY)["VersionId"]
    copied, duplicate = details(receipts)
    assert (copied["outcome"], copied["versionId"]) == ("copied", held)
    assert (duplicate["outcome"], duplicate["versionId"]) == ("duplicate", held)


def test_a_duplicate_has_a_receipt_for_the_object_held_without_sha256(
    buckets, source, sqs_event, run, receipts
):
    # GIVEN an artifact already copied from this source
    artifact = Artifact(body=b"twice delivered", etag='"same"')
    message = message_for(source, artifact)
    run(sqs_event(message))
    details(receipts)
    # WHEN SQS delivers the same message again
    event = sqs_event(message)
    response, logs = run(event)
    # THEN its receipt describes the held object; no download, so no sha256 was verified
    assert response == {"batchItemFailures": []}
    assert [entry["outcome"] for entry in logs.values()] == ["duplicate"]
    assert details(receipts) == [
        {
            "bucket": TARGET,
            "key": KEY,
            "size": artifact.size,
            "outcome": "duplicate",
            "sourceETag": '"same"',
            "versionId": None,
            "messageId": event["Records"][0]["messageId"],
        }
    ]


def test_a_stale_record_has_a_receipt_for_the_newer_object_the_key_holds(
    buckets, source, sqs_event, run, receipts
):
    # GIVEN the target holds the February build
    february = Artifact(body=b"february build", etag='"feb"', last_modified=FEBRUARY)
    run(sqs_event(message_for(source, february, key=KEY)))
    details(receipts)
    # WHEN a late message for the January build of the key arrives
    january = Artifact(body=b"jan", etag='"jan"', last_modified=JANUARY)
    url = source.add(DISTRIBUTION, "january", january)
    response, _ = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": KEY}))
    # THEN it is acknowledged with a receipt describing the February object, which stays
    assert response == {"batchItemFailures": []}
    [detail] = details(receipts)
    assert detail["outcome"] == "stale"
    assert (detail["size"], detail["sourceETag"]) == (february.size, '"feb"')
    assert "sha256" not in detail
    assert buckets.stored(KEY)["Body"] == b"february build"


def test_a_rewritten_template_has_the_size_of_the_bytes_stored(
    buckets, source, sqs_event, run, receipts
):
    # GIVEN a CloudFormation template naming the distribution bucket (a longer name is written)
    template = f"Resources:\n  Code:\n    S3Bucket: {DISTRIBUTION}\n".encode()
    artifact = Artifact(body=template, content_type="application/x-yaml")
    # WHEN it is copied
    response, _ = run(sqs_event(message_for(source, artifact, key="stacks/app.yaml")))
    # THEN the receipt's size is what the key holds, the rewritten template's
    assert response == {"batchItemFailures": []}
    [detail] = details(receipts)
    stored = buckets.stored("stacks/app.yaml")
    assert detail["size"] == stored["ContentLength"] == len(stored["Body"]) != len(template)


def test_failed_records_send_no_receipt_and_no_url_reaches_one(
    aws, buckets, source, sqs_event, run, receipts
):
    # GIVEN a batch of one good record (a real presigned URL) and four that fail
    good = buckets.publish("ok.zip", b"fine").replace(aws, source.url)
    denied = source.add(
        DISTRIBUTION, "gone", Artifact(body=b"<Code>AccessDenied</Code>", status=403)
    )
    short = source.add(DISTRIBUTION, "short", Artifact(body=b"0123456789", send=4))
    event = sqs_event(
        {"ArtifactUrl": good, "ArtifactKey": "ok.zip"},
        {"ArtifactUrl": denied, "ArtifactKey": "denied.zip"},
        {"ArtifactUrl": short, "ArtifactKey": "short.zip"},
        {"ArtifactUrl": "https://other.s3.amazonaws.com/x.zip?X-Amz-Signature=s3cr3t"},
        "not json",
    )
    # WHEN it is handled
    response, _ = run(event)
    # THEN only the good record has a receipt, and none holds any part of a URL
    ids = [record["messageId"] for record in event["Records"]]
    assert failed_ids(response) == set(ids[1:])
    found = receipts.events()
    assert [e["detail"]["messageId"] for e in found] == [ids[0]]
    text = json.dumps(found)
    for fragment in ("http", "X-Amz", "?", "s3cr3t", source.url.split("//")[1]):
        assert fragment not in text, fragment


def test_a_write_refused_because_it_had_applied_is_receipted_as_duplicate(
    buckets, source, sqs_event, run, receipts
):
    # GIVEN a PutObject that S3 applies but whose reply is lost, so its retry is refused (412)
    artifact = Artifact(body=b"new build", etag='"build-2"')
    message = message_for(source, artifact)
    source.lose_reply("PutObject", buckets.target, KEY)
    # WHEN the record is handled
    response, _ = run(sqs_event(message))
    # THEN the receipt describes the object the applied write left
    assert response == {"batchItemFailures": []}
    [detail] = details(receipts)
    assert (detail["outcome"], detail["size"], detail["sourceETag"]) == (
        "duplicate",
        artifact.size,
        '"build-2"',
    )
