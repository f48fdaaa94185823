"""Bad input: every bad record is reported with a clear reason; the others are still copied."""

from __future__ import annotations

import json

import pytest

from tests.copy.conftest import failed_ids, sqs_record

KEY = "builds/app.zip"


@pytest.fixture
def good_url(buckets) -> str:
    return buckets.publish("app.zip", b"PK\x03\x04 artifact")


BAD_BODIES = {
    "not-json": ("{not json", "body is not JSON"),
    "empty": ("", "body is not JSON"),
    "json-array": ("[1, 2]", "body is not a JSON object"),
    "json-string": ('"ArtifactUrl"', "body is not a JSON object"),
    "no-url": ({"ArtifactKey": KEY}, "ArtifactUrl is missing or not a string"),
    "no-key": ({"ArtifactUrl": "{url}"}, "ArtifactKey is missing or not a string"),
    "url-not-string": ({"ArtifactUrl": ["{url}"], "ArtifactKey": KEY}, "ArtifactUrl is missing"),
    "key-not-string": ({"ArtifactUrl": "{url}", "ArtifactKey": 7}, "ArtifactKey is missing"),
    "size-string": (
        {"ArtifactUrl": "{url}", "ArtifactKey": KEY, "ArtifactSize": "16"},
        "ArtifactSize",
    ),
    "size-bool": (
        {"ArtifactUrl": "{url}", "ArtifactKey": KEY, "ArtifactSize": True},
        "ArtifactSize",
    ),
    "size-negative": (
        {"ArtifactUrl": "{url}", "ArtifactKey": KEY, "ArtifactSize": -1},
        "ArtifactSize",
    ),
    "size-float": (
        {"ArtifactUrl": "{url}", "ArtifactKey": KEY, "ArtifactSize": 16.0},
        "ArtifactSize",
    ),
    "sha-short": (
        {"ArtifactUrl": "{url}", "ArtifactKey": KEY, "ArtifactSha256": "abc"},
        "ArtifactSha256",
    ),
    "sha-number": (
        {"ArtifactUrl": "{url}", "ArtifactKey": KEY, "ArtifactSha256": 1},
        "ArtifactSha256",
    ),
}


def with_url(body, url: str):
    """The body with "{url}" replaced by a real presigned URL."""
    if isinstance(body, str):
        return body
    return json.loads(json.dumps(body).replace("{url}", url))


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bad_body_fails_alone_with_clear_reason(case, buckets, good_url, run):
    # GIVEN a batch with one bad record next to a good one
    body, reason = BAD_BODIES[case]
    bad, good = (
        sqs_record(with_url(body, good_url)),
        sqs_record({"ArtifactUrl": good_url, "ArtifactKey": KEY}),
    )
    # WHEN the batch is handled
    response, logs = run({"Records": [bad, good]})
    # THEN only the bad record fails, with a reason that says what is wrong
    assert failed_ids(response) == {bad["messageId"]}
    assert logs[bad["messageId"]]["outcome"] == "failed"
    assert reason in logs[bad["messageId"]]["reason"]
    assert buckets.keys() == [KEY]


BAD_KEYS = {
    "empty": "",
    "leading-slash": "/etc/passwd",
    "dot-dot": "builds/../../other",
    "dot-segment": "builds/./app.zip",
    "only-dots": "..",
    "newline": "builds/app\n.zip",
    "nul": "builds/\x00app.zip",
    "c1-control": "builds/\x85app.zip",
    "delete-char": "builds/\x7fapp.zip",
    "too-long": "k" * 1025,
    "too-long-utf8": "é" * 513,  # 1026 bytes
    "lone-surrogate": "builds/\ud800.zip",
}


@pytest.mark.parametrize("case", sorted(BAD_KEYS))
def test_unsafe_key_is_refused_before_any_write(case, buckets, good_url, sqs_event, run):
    # GIVEN a message whose ArtifactKey is not a safe S3 key
    event = sqs_event({"ArtifactUrl": good_url, "ArtifactKey": BAD_KEYS[case]})
    # WHEN it is handled
    response, logs = run(event)
    # THEN it fails, nothing is written
    [entry] = logs.values()
    assert failed_ids(response) == {entry["messageId"]}
    assert "is not a safe S3 key" in entry["reason"]
    assert buckets.keys() == []


@pytest.mark.parametrize(
    "key", ["builds/ünïcödé/アーティファクト.zip", "k" * 1024, "é" * 512, "a/.hidden/..x/b"]
)
def test_safe_keys_including_unicode_are_copied(key, buckets, good_url, sqs_event, run):
    # GIVEN a safe key: unicode, exactly 1024 UTF-8 bytes, or with dots inside segments
    # WHEN the message is handled
    response, _ = run(sqs_event({"ArtifactUrl": good_url, "ArtifactKey": key}))
    # THEN the artifact is stored under exactly that key
    assert response == {"batchItemFailures": []}
    assert buckets.keys() == [key]


@pytest.mark.parametrize(
    "event",
    [
        None,
        [],
        {},
        {"Records": "x"},
        {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": "{}"}}]},
        {"Records": [{"eventSource": "aws:s3", "s3": {}}]},
        {"Records": [{"eventSource": "aws:sqs", "body": "{}"}]},  # no messageId
    ],
    ids=["none", "list", "empty", "records-not-list", "sns", "s3", "no-message-id"],
)
def test_event_that_is_not_sqs_is_a_clear_error(event, copy_files, buckets):
    # GIVEN an event that is not from SQS WHEN it is handled THEN the invocation fails loudly
    with pytest.raises(ValueError, match="not an SQS event"):
        copy_files.handler(event, None)


def test_missing_environment_is_a_clear_error(copy_files, buckets, monkeypatch, sqs_event):
    # GIVEN a function without TARGET_BUCKET WHEN invoked THEN it says what is missing
    monkeypatch.delenv("TARGET_BUCKET")
    with pytest.raises(RuntimeError, match="TARGET_BUCKET"):
        copy_files.handler(sqs_event({"ArtifactUrl": "x", "ArtifactKey": "y"}), None)


def test_empty_batch_reports_no_failures(copy_files, buckets):
    assert copy_files.handler({"Records": []}, None) == {"batchItemFailures": []}
