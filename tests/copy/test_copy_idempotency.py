"""Idempotent and order-safe: duplicates are acknowledged, older sources never overwrite."""

from __future__ import annotations

import json
import threading

import pytest

from tests.copy.conftest import DISTRIBUTION, failed_ids
from tests.copy.source import BLOCK, Artifact

KEY = "releases/tool.tar.gz"
JANUARY = "Wed, 01 Jan 2025 00:00:00 GMT"
FEBRUARY = "Sat, 01 Feb 2025 00:00:00 GMT"


def writes_to(source, bucket: str, key: str) -> list:
    """PUT/POST requests the function sent for the key (PutObject, multipart)."""
    path = f"/{bucket}/{key}"
    return [r for r in source.requests if r.method in ("PUT", "POST") and r.path.startswith(path)]


@pytest.mark.parametrize("repeat", [1, 10], ids=["small", "large"])
def test_duplicate_message_is_acknowledged_without_copying_again(
    repeat, buckets, source, sqs_event, run
):
    # GIVEN an artifact already copied from this source (same source ETag)
    artifact = Artifact(body=b"v1" * 524_288, repeat=repeat, etag='"etag-v1"')
    message = {"ArtifactUrl": source.add(DISTRIBUTION, "tool.tgz", artifact), "ArtifactKey": KEY}
    first, _ = run(sqs_event(message))
    assert first == {"batchItemFailures": []}
    writes = len(writes_to(source, buckets.target, KEY))
    stored = buckets.stored(KEY)
    # WHEN SQS delivers the same message again
    response, logs = run(sqs_event(message))
    # THEN it is acknowledged as a duplicate and nothing is written again
    assert response == {"batchItemFailures": []}
    assert [e["outcome"] for e in logs.values()] == ["duplicate"]
    assert len(writes_to(source, buckets.target, KEY)) == writes > 0
    assert buckets.stored(KEY)["LastModified"] == stored["LastModified"]
    assert stored["Metadata"] == {"source-etag": '"etag-v1"', "source-last-modified": JANUARY}


BUILDS = {
    "january": Artifact(body=b"january", etag='"jan"', last_modified=JANUARY),
    "february": Artifact(body=b"february", etag='"feb"', last_modified=FEBRUARY),
}


@pytest.mark.parametrize(
    ("held", "arriving", "outcome"),
    [("january", "february", "copied"), ("february", "january", "stale")],
    ids=["newer-replaces", "older-never-overwrites"],
)
def test_only_a_newer_source_replaces_the_artifact(
    held, arriving, outcome, buckets, source, sqs_event, run
):
    # GIVEN the target holds one build of the key
    url = source.add(DISTRIBUTION, held, BUILDS[held])
    run(sqs_event({"ArtifactUrl": url, "ArtifactKey": KEY}))
    # WHEN a message for another build of the same key arrives (a late one: the older build)
    url = source.add(DISTRIBUTION, arriving, BUILDS[arriving])
    response, logs = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": KEY}))
    # THEN it is acknowledged either way (retrying cannot help an older one), and the newer
    # build is what the key holds; the older one is logged as stale, naming the newer
    assert response == {"batchItemFailures": []}
    [entry] = logs.values()
    assert entry["outcome"] == outcome
    assert outcome == "copied" or FEBRUARY in entry["reason"]
    assert buckets.stored(KEY)["Body"] == b"february"


def start_copy_held_after_check(copy_files, buckets, source, event):
    """Run the handler in a thread; return it once the copy's check of the target (HeadObject)
    has been answered, so what the test writes next comes after the answer, not before it.
    """
    results: list = []
    worker = threading.Thread(target=lambda: results.append(copy_files.handler(event, None)))
    worker.start()
    assert source.wait_answered("HEAD", f"/{buckets.target}/{KEY}")
    return worker, results


@pytest.mark.parametrize(
    ("existing", "repeat"),
    [(False, 1), (True, 1), (False, 10)],
    ids=["key-absent-small", "key-present-small", "key-absent-large"],
)
def test_concurrent_write_between_check_and_put_is_not_overwritten(
    existing, repeat, copy_files, buckets, source, sqs_event, capsys
):
    # GIVEN a copy that has checked the target but not yet written it
    if existing:
        buckets.s3.put_object(Bucket=buckets.target, Key=KEY, Body=b"before")
    release = threading.Event()
    artifact = Artifact(body=b"s" * BLOCK, repeat=repeat, etag='"slow"', hold_body=release)
    event = sqs_event({"ArtifactUrl": source.add(DISTRIBUTION, "t", artifact), "ArtifactKey": KEY})
    worker, results = start_copy_held_after_check(copy_files, buckets, source, event)
    # WHEN another writer stores the key meanwhile
    buckets.s3.put_object(Bucket=buckets.target, Key=KEY, Body=b"concurrent writer")
    release.set()
    worker.join(timeout=30)
    # THEN the S3 conditional write refuses the stale copy; the message is retried later
    [entry] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert failed_ids(results[0]) == {entry["messageId"]}
    assert "PreconditionFailed" in entry["reason"]
    assert buckets.stored(KEY)["Body"] == b"concurrent writer"
    assert buckets.open_uploads() == []


@pytest.mark.parametrize("repeat", [1, 10], ids=["small", "large"])
@pytest.mark.parametrize(
    ("written_from", "outcome"),
    [
        ({"source-etag": '"other"'}, "failed"),
        ({"source-etag": '"slow"'}, "duplicate"),
        (
            {"source-etag": '"other"', "source-last-modified": "Thu, 02 Jan 2025 00:00:00 GMT"},
            "stale",
        ),
    ],
    ids=["another-source", "this-source", "a-newer-source"],
)
def test_refused_write_is_done_only_if_the_key_now_holds_this_source_or_a_newer_one(
    written_from, outcome, repeat, copy_files, buckets, source, sqs_event, capsys
):
    # GIVEN a copy of source "slow" that has checked the (absent) key but not yet written it
    release = threading.Event()
    artifact = Artifact(body=b"s" * BLOCK, repeat=repeat, etag='"slow"', hold_body=release)
    event = sqs_event({"ArtifactUrl": source.add(DISTRIBUTION, "t", artifact), "ArtifactKey": KEY})
    worker, results = start_copy_held_after_check(copy_files, buckets, source, event)
    # WHEN meanwhile another copy stores the key from another source, from this same one (the
    # same message, delivered twice, copied by another function instance), or from a newer one
    buckets.s3.put_object(Bucket=buckets.target, Key=KEY, Body=b"meanwhile", Metadata=written_from)
    release.set()
    worker.join(timeout=30)
    # THEN S3 refuses this copy's write, and the record is acknowledged only if the key holds
    # this source or a newer one (Artifact's Last-Modified is 1 January 2025); the copy stored
    # meanwhile stays either way
    [entry] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert entry["outcome"] == outcome
    if outcome == "failed":
        assert failed_ids(results[0]) == {entry["messageId"]}
        assert entry["reason"].startswith("PreconditionFailed: the key changed")
    else:
        assert results[0] == {"batchItemFailures": []}
        assert entry["reason"].startswith("write refused (412): ")
    assert buckets.stored(KEY)["Body"] == b"meanwhile"
    assert buckets.open_uploads() == []


def test_multipart_copy_over_an_existing_key_completes_only_if_it_is_unchanged(
    buckets, source, sqs_event, run
):
    # GIVEN the target holds an artifact, and a large (multipart) copy of a newer one arrives
    held = buckets.s3.put_object(Bucket=buckets.target, Key=KEY, Body=b"before")["ETag"]
    artifact = Artifact(body=b"n" * BLOCK, repeat=10, etag='"newer"')
    url = source.add(DISTRIBUTION, "t", artifact)
    # WHEN it is copied
    response, _ = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": KEY}))
    # THEN CompleteMultipartUpload carried If-Match with the ETag HeadObject saw, so S3 would
    # refuse it had the key changed meanwhile (moto 5.2 does not enforce If-Match there).
    assert response == {"batchItemFailures": []}
    [complete] = [
        r.headers
        for r in source.requests
        if r.method == "POST" and r.path.startswith(f"/{buckets.target}/{KEY}?uploadId=")
    ]
    assert complete.get("If-Match") == held
    assert "If-None-Match" not in complete
