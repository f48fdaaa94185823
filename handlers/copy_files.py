"""Copy function: copies each announced artifact from its presigned URL into TARGET_BUCKET.

Basic path only (see issue 3 for the verified, streaming version).
"""

import json
import os
import urllib.request

import boto3

# --- template rewriting (begin) ---
# --- template rewriting (end) ---


def handler(event, context):
    """Copy every record's artifact; report the ones that failed as batch item failures."""
    s3 = boto3.client("s3")
    failures = []
    for record in event["Records"]:
        try:
            body = json.loads(record["body"])
            with urllib.request.urlopen(body["ArtifactUrl"], timeout=60) as response:  # noqa: S310
                s3.upload_fileobj(response, os.environ["TARGET_BUCKET"], body["ArtifactKey"])
        except Exception as err:  # noqa: BLE001
            print(json.dumps({"outcome": "failed", "messageId": record.get("messageId"),
                              "reason": str(err)}))
            failures.append({"itemIdentifier": record.get("messageId")})
    return {"batchItemFailures": failures}
