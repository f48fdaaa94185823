"""Templates among the artifacts are stored rewritten; everything else byte for byte."""

from __future__ import annotations

import hashlib

from tests.copy.conftest import DISTRIBUTION, TARGET

TEMPLATE = f"""AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Code:
        S3Bucket: {DISTRIBUTION}
        S3Key: functions/app.zip
  Nested:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://{DISTRIBUTION}.s3.eu-west-1.amazonaws.com/nested.yaml
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: {DISTRIBUTION}-logs
""".encode()


def test_template_is_stored_rewritten_after_verifying_the_source_bytes(buckets, sqs_event, run):
    # GIVEN a CloudFormation template naming the distribution bucket, with its sha256
    url = buckets.publish("stacks/app.yaml", TEMPLATE, content_type="application/x-yaml")
    message = {
        "ArtifactUrl": url,
        "ArtifactKey": "stacks/app.yaml",
        "ArtifactSize": len(TEMPLATE),
        "ArtifactSha256": hashlib.sha256(TEMPLATE).hexdigest(),
    }
    # WHEN the copy function handles it
    response, logs = run(sqs_event(message))
    # THEN the stored template names the target bucket and region; the rest is byte for byte
    assert response == {"batchItemFailures": []}
    stored = buckets.stored("stacks/app.yaml")
    expected = TEMPLATE.replace(
        f"S3Bucket: {DISTRIBUTION}".encode(), f"S3Bucket: {TARGET}".encode()
    ).replace(
        f"https://{DISTRIBUTION}.s3.eu-west-1.".encode(),
        f"https://{TARGET}.s3.eu-central-1.".encode(),
    )
    assert stored["Body"] == expected
    assert f"{DISTRIBUTION}-logs".encode() in stored["Body"]
    assert stored["ContentType"] == "application/x-yaml"
    assert [entry["outcome"] for entry in logs.values()] == ["copied"]


def test_binary_artifact_naming_the_bucket_is_stored_byte_for_byte(buckets, sqs_event, run):
    # GIVEN a binary (not a template) that happens to contain the bucket name
    body = b"PK\x03\x04" + f"Bucket: {DISTRIBUTION}\n".encode() * 3 + bytes(range(256))
    url = buckets.publish("functions/app.zip", body)
    # WHEN it is copied THEN it is stored unchanged
    response, _ = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": "functions/app.zip"}))
    assert response == {"batchItemFailures": []}
    assert buckets.stored("functions/app.zip")["Body"] == body


def test_template_over_the_rewrite_limit_is_streamed_unchanged(copy_files, buckets, sqs_event, run):
    # GIVEN a .yaml template larger than REWRITE_MAX_BYTES
    padding = b"# " + b"x" * 100 + b"\n"
    body = TEMPLATE + padding * (copy_files.REWRITE_MAX_BYTES // len(padding) + 1)
    url = buckets.publish("stacks/huge.yaml", body)
    # WHEN it is copied THEN it is stored byte for byte
    response, _ = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": "stacks/huge.yaml"}))
    assert response == {"batchItemFailures": []}
    assert buckets.stored("stacks/huge.yaml")["Body"] == body
