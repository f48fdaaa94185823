"""Through the copy function: templates arrive rewritten, every other artifact byte for byte.

The distribution bucket and the target bucket live in moto; the handler downloads each presigned
URL (path style on the moto endpoint, which boto3 uses through AWS_ENDPOINT_URL) and stores it.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from tests.rewrite.names import SOURCE, SOURCE_REGION, TARGET, TARGET_REGION
from tests.support.copy_function import copy_function_world, sqs_record


def template(bucket: str, region: str) -> str:
    """A YAML template (CRLF line ends) naming `bucket` in `region`, and SOURCE-logs in a comment.

    As the distributor ships it: template(SOURCE, SOURCE_REGION); rewritten, the comment's name
    (another bucket) stays: template(TARGET, TARGET_REGION).
    """
    lines = [
        "AWSTemplateFormatVersion: '2010-09-09'",
        "Resources:",
        "  Function:",
        "    Type: AWS::Lambda::Function",
        "    Properties:",
        f"      Code: {{S3Bucket: {bucket}, S3Key: functions/app.zip}}  # from {SOURCE}-logs? no",
        "  Nested:",
        "    Type: AWS::CloudFormation::Stack",
        "    Properties:",
        f"      TemplateURL: https://{bucket}.s3.{region}.amazonaws.com/stacks/nested.yaml",
        "",
    ]
    return "\r\n".join(lines)


TEMPLATE = template(SOURCE, SOURCE_REGION)
EXPECTED = template(TARGET, TARGET_REGION)


@pytest.fixture
def s3(aws, monkeypatch):
    """GIVEN the copy function's environment, the distribution bucket and the target bucket."""
    return copy_function_world(
        monkeypatch,
        aws,
        target=TARGET,
        distribution=SOURCE,
        distribution_region=SOURCE_REGION,
        region=TARGET_REGION,
    )


def announce(s3, key: str, body: bytes) -> dict:
    """Publish an artifact in the distribution bucket; the SQS record that announces it."""
    s3.put_object(Bucket=SOURCE, Key=key, Body=body)
    url = s3.generate_presigned_url("get_object", Params={"Bucket": SOURCE, "Key": key})
    message = {"ArtifactUrl": url, "ArtifactKey": key, "ArtifactSize": len(body)}
    return sqs_record(message, TARGET_REGION)


def zipped_template() -> bytes:
    """A Lambda bundle that contains the template (and so the bucket name) uncompressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("template.yaml", TEMPLATE)
    return buffer.getvalue()


def test_templates_are_stored_rewritten_and_other_artifacts_unchanged(copy_files, s3):
    """GIVEN a YAML template, a zip containing it, and a JSON file that is no template
    WHEN the copy function handles their messages
    THEN the template names the target bucket and region, the others are stored as they were."""
    artifacts = {
        "stacks/app.yaml": TEMPLATE.encode(),
        "functions/bundle.zip": zipped_template(),
        "config/settings.json": json.dumps({"bucket": SOURCE}).encode(),
    }
    event = {"Records": [announce(s3, key, body) for key, body in artifacts.items()]}

    response = copy_files.handler(event, None)

    assert response == {"batchItemFailures": []}
    stored = {key: s3.get_object(Bucket=TARGET, Key=key)["Body"].read() for key in artifacts}
    assert stored["stacks/app.yaml"] == EXPECTED.encode()
    assert stored["functions/bundle.zip"] == artifacts["functions/bundle.zip"]
    assert stored["config/settings.json"] == artifacts["config/settings.json"]
