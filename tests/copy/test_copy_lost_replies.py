"""A write that S3 applied but whose reply was lost: botocore retries it, S3 refuses the retry.

The copy's final write is conditional on what HeadObject saw, so the retry of an applied write
meets its own result and answers 412 PreconditionFailed. The copy then looks at the key again:
holding this source, the record is done (a duplicate); not one more round through SQS.
"""

from __future__ import annotations

import pytest

from tests.copy.conftest import DISTRIBUTION
from tests.copy.source import BLOCK, Artifact

KEY = "releases/app.zip"


def answers_to(source, method: str, bucket: str) -> list[int]:
    """Statuses moto gave the copy's `method` requests for KEY (PUT: PutObject, POST: Complete)."""
    path = f"/{bucket}/{KEY}"
    return [
        status
        for m, target, status in source.moto_answers
        if m == method and target.split("?")[0] == path and (method == "POST") == ("?" in target)
    ]


@pytest.mark.parametrize("held", [False, True], ids=["key-absent", "key-present"])
def test_put_applied_whose_reply_was_lost_is_acknowledged(held, buckets, source, sqs_event, run):
    # GIVEN a target key (absent, or holding an older build), and a PutObject that S3 applies
    # but whose reply never arrives
    if held:
        buckets.s3.put_object(Bucket=buckets.target, Key=KEY, Body=b"older build")
    url = source.add(DISTRIBUTION, "app.zip", Artifact(body=b"new build", etag='"build-2"'))
    lost = source.lose_reply("PutObject", buckets.target, KEY)
    # WHEN the record is handled
    response, logs = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": KEY}))
    # THEN botocore retried the write and moto refused the retry: the key was no longer what
    # HeadObject saw
    assert lost.lost == 1
    assert answers_to(source, "PUT", buckets.target) == [200, 412]
    # AND the record is acknowledged as a duplicate, the key holding this source whole
    assert response == {"batchItemFailures": []}
    [entry] = logs.values()
    assert entry["outcome"] == "duplicate"
    stored = buckets.stored(KEY)
    assert stored["Body"] == b"new build"
    assert stored["Metadata"]["source-etag"] == '"build-2"'


@pytest.mark.parametrize(
    ("retry_status", "outcome"),
    [(None, "copied"), (412, "duplicate")],
    ids=["retry-answered-by-moto", "retry-refused"],
)
def test_complete_applied_whose_reply_was_lost_is_acknowledged(
    retry_status, outcome, buckets, source, sqs_event, run
):
    # GIVEN a multipart copy whose CompleteMultipartUpload S3 applies but whose reply is lost;
    # the retry is answered by moto (which treats a repeated Complete as done) or refused with
    # 412, as a conditional write whose key now exists is
    artifact = Artifact(body=b"m" * BLOCK, repeat=10, etag='"big-build"')
    url = source.add(DISTRIBUTION, "big.zip", artifact)
    lost = source.lose_reply("CompleteMultipartUpload", buckets.target, KEY, retry_status)
    # WHEN the record is handled
    response, logs = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": KEY}))
    # THEN the Complete was sent again after its reply was lost
    assert lost.lost == 1
    assert lost.refused == (1 if retry_status else 0)
    # AND the record is acknowledged, the key holding the whole artifact, no upload left open
    assert response == {"batchItemFailures": []}
    [entry] = logs.values()
    assert entry["outcome"] == outcome
    stored = buckets.stored(KEY)
    assert stored["Body"] == b"m" * BLOCK * 10
    assert stored["Metadata"]["source-etag"] == '"big-build"'
    assert buckets.open_uploads() == []
