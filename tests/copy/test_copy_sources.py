"""Source allow-list (SSRF guard) and source failures: refused or failed, never stored."""

from __future__ import annotations

import threading

import pytest

from testkit.moto_server import free_port
from tests.copy.conftest import DISTRIBUTION, failed_ids
from tests.copy.source import BLOCK, Artifact

KEY = "builds/app.zip"
D = DISTRIBUTION

# Every form is checked by allowed_source alone (test_source_allow_list); these go through the
# handler: a namesake in another partition or region, and tricks, all refused the same way.
REFUSED = {
    "govcloud-namesake": f"https://{D}.s3.us-gov-west-1.amazonaws.com/app.zip",
    "china-namesake-path": f"https://s3.cn-northwest-1.amazonaws.com.cn/{D}/app.zip",
    "eusc-namesake-dualstack": f"https://{D}.s3.dualstack.eusc-de-east-1.amazonaws.eu/app.zip",
    "other-region-dash": f"https://s3-us-east-1.amazonaws.com/{D}/app.zip",
    "lookalike-suffix": f"https://{D}.s3.amazonaws.com.evil.example/app.zip",
    "http-scheme": f"http://{D}.s3.amazonaws.com/app.zip",
    "other-port": f"https://{D}.s3.amazonaws.com:8443/app.zip",
    "userinfo": f"https://user:password@{D}.s3.amazonaws.com/app.zip",
    "metadata-service": "http://169.254.169.254/latest/meta-data/",
    "empty": "",
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_urls_outside_the_distribution_bucket_are_refused(case, buckets, source, sqs_event, run):
    # GIVEN a message whose URL is not an S3 URL into the distribution bucket
    url = REFUSED[case]
    # WHEN it is handled
    response, logs = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": KEY}))
    # THEN it fails as "not allowed" (no connection error: nothing was contacted), nothing stored
    [entry] = logs.values()
    assert failed_ids(response) == {entry["messageId"]}
    assert "is not allowed" in entry["reason"]
    assert "password" not in entry["reason"]
    assert buckets.keys() == []


def endpoint_variants(endpoint: str) -> dict[str, str]:
    """URLs that look like the local S3 endpoint but are not, path style."""
    port = int(endpoint.rsplit(":", 1)[1])
    return {
        "other-bucket": f"{endpoint}/other-bucket/app.zip",
        "bucket-prefix": f"{endpoint}/{D}x/app.zip",
        "other-port": f"http://127.0.0.1:{port + 1}/{D}/app.zip",
        "other-scheme": f"https://127.0.0.1:{port}/{D}/app.zip",
        "other-host-name": f"http://localhost:{port}/{D}/app.zip",
        "virtual-hosted": f"http://{D}.127.0.0.1:{port}/app.zip",
        "userinfo": f"http://u:p@127.0.0.1:{port}/{D}/app.zip",
        "encoded-bucket": f"{endpoint}/{D}%2Fx/app.zip",
        "dot-dot": f"{endpoint}/{D}/../other/app.zip",
    }


@pytest.mark.parametrize("case", sorted(endpoint_variants("http://127.0.0.1:1")))
def test_local_endpoint_lookalikes_are_refused_without_a_request(
    case, buckets, source, sqs_event, run
):
    # GIVEN boto3's own S3 endpoint is allowed (path style, distribution bucket only)
    url = endpoint_variants(source.url)[case]
    source.add(D, "app.zip", Artifact(body=b"payload"))
    # WHEN a URL that differs in bucket, port, scheme, host or path is handled
    _, logs = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": KEY}))
    # THEN it is refused and the source never saw a GET
    [entry] = logs.values()
    assert "is not allowed" in entry["reason"]
    assert [r for r in source.requests if r.method == "GET"] == []
    assert buckets.keys() == []


def test_endpoint_from_aws_endpoint_url_s3_is_allowed_path_style(buckets, source, sqs_event, run):
    # GIVEN the source is the S3 endpoint boto3 uses (AWS_ENDPOINT_URL_S3)
    url = source.add(D, "app.zip", Artifact(body=b"payload"))
    # WHEN a path-style URL into the distribution bucket is handled THEN it is copied
    response, _ = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": KEY}))
    assert response == {"batchItemFailures": []}
    assert buckets.stored(KEY)["Body"] == b"payload"


ERRORS = {
    "denied-403": (403, b"<Error><Code>AccessDenied</Code><Message>Access Denied"),
    "missing-404": (404, b"<Error><Code>NoSuchKey</Code></Error>"),
    "server-500": (500, b"<Error><Code>InternalError</Code></Error>"),
    "slow-down-503": (503, b"<Error><Code>SlowDown</Code></Error>"),
    "redirect-301": (301, b"<Error><Code>PermanentRedirect</Code></Error>"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_http_errors_fail_the_record_and_store_nothing(case, buckets, source, sqs_event, run):
    # GIVEN a source that answers with an error (an S3 error document as body)
    status, body = ERRORS[case]
    artifact = Artifact(body=body, status=status, content_type="application/xml")
    artifact.extra_headers["Location"] = "http://169.254.169.254/"
    url = source.add(D, "app.zip", artifact)
    # WHEN the message is handled
    response, logs = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": KEY}))
    # THEN it fails with the status and S3 error code; the error page is not stored; no redirect
    [entry] = logs.values()
    assert failed_ids(response) == {entry["messageId"]}
    code = body.split(b"<Code>")[1].split(b"<")[0].decode()
    assert entry["reason"] == f"source answered HTTP {status} {code}"
    assert buckets.keys() == []
    assert len([r for r in source.requests if r.method == "GET"]) == 1


def test_missing_source_object_on_moto_fails(buckets, sqs_event, run):
    # GIVEN a presigned URL to a key that does not exist in the distribution bucket
    url = buckets.s3.generate_presigned_url(
        "get_object", Params={"Bucket": buckets.distribution, "Key": "gone.zip"}
    )
    # WHEN handled THEN it fails with 404 NoSuchKey
    _, logs = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": KEY}))
    assert [e["reason"] for e in logs.values()] == ["source answered HTTP 404 NoSuchKey"]


def test_connection_refused_fails_the_record(buckets, monkeypatch, sqs_event, run):
    # GIVEN boto3's S3 endpoint (and so the allowed source) is a port nobody listens on
    endpoint = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    # WHEN a message for it is handled THEN it fails with a connection error
    response, logs = run(sqs_event({"ArtifactUrl": f"{endpoint}/{D}/a.zip", "ArtifactKey": KEY}))
    [entry] = logs.values()
    assert failed_ids(response) == {entry["messageId"]}
    assert entry["reason"].startswith("ConnectionRefusedError")


@pytest.mark.parametrize("where", ["before-headers", "mid-body-small", "mid-body-large"])
def test_source_timeout_fails_the_record(
    where, copy_files, buckets, source, monkeypatch, sqs_event, run
):
    # GIVEN a source that stalls longer than the function's timeout (shortened for the test)
    monkeypatch.setattr(copy_files, "READ_TIMEOUT", 0.3)
    buckets.s3.put_object(Bucket=buckets.target, Key=KEY, Body=b"good")
    stall = threading.Event()
    artifact = Artifact(body=b"x" * BLOCK, repeat=10 if where.endswith("large") else 1)
    if where == "before-headers":
        artifact.gate = stall
    else:  # the status and headers arrive, then nothing
        artifact.hold_body = stall
    url = source.add(D, "app.zip", artifact)
    # WHEN handled THEN it fails as a timeout and the old artifact stays
    response, logs = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": KEY}))
    stall.set()
    [entry] = logs.values()
    assert failed_ids(response) == {entry["messageId"]}
    assert "timed out" in entry["reason"]
    assert buckets.stored(KEY)["Body"] == b"good"
    assert buckets.open_uploads() == []


def test_source_without_content_length_is_refused(buckets, source, sqs_event, run):
    # GIVEN a source that sends no Content-Length (the body ends when the connection closes)
    url = source.add(D, "app.zip", Artifact(body=b"unsized", content_length=-1))
    # WHEN handled THEN it fails: without a length the body cannot be verified
    response, logs = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": KEY}))
    [entry] = logs.values()
    assert failed_ids(response) == {entry["messageId"]}
    assert entry["reason"] == "source sent no Content-Length"
    assert buckets.keys() == []


@pytest.mark.parametrize("size", [100, 20 * 1024 * 1024], ids=["small", "large"])
def test_s3_error_fails_the_record(size, buckets, source, monkeypatch, sqs_event, run):
    # GIVEN a target bucket that does not exist
    monkeypatch.setenv("TARGET_BUCKET", "no-such-target-bucket")
    url = source.add(D, "app.zip", Artifact(body=b"x" * (size // 100), repeat=100))
    # WHEN handled THEN it fails with S3's error, and the other buckets are untouched
    response, logs = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": KEY}))
    [entry] = logs.values()
    assert failed_ids(response) == {entry["messageId"]}
    assert "NoSuchBucket" in entry["reason"]
    assert buckets.keys() == []
