"""Publisher: announces each new object of the distribution bucket on the distribution topic.

An EventBridge rule runs it for the bucket's `Object Created` events (as S3 sends them). For the
object's version it publishes the message contract (ARCHITECTURE.md): a presigned GET pinned to
that version, the key, the size, and the SHA-256 when S3 holds a full-object one, with the
message attributes `account` and `region` from the object's tags (absent: ALL). Anything that
stops the announcement raises, so Lambda retries the event and then keeps it in the dead-letter
queue; a version deleted before it could be announced is logged and skipped. One JSON log line
per event; the URL (a credential) is never logged. Standard library and boto3 only: Lambda
runs this file alone as index.py.
"""

import base64
import binascii
import json
import os
import re
from urllib.parse import unquote_plus

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

__all__ = ["ALL", "REGION", "Refused", "address", "sha256_hex"]

ALL = "ALL"
ACCOUNT = r"[0-9]{12}"
REGION = r"[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}"  # the consumer's DistributionRegion pattern
TOPIC_ARN = r"arn:[a-z-]+:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}"
BUCKET = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
URL_SECONDS = (900, 43200)  # the PresignedUrlSeconds parameter's bounds
AWS = Config(connect_timeout=5, read_timeout=10, retries={"mode": "standard"})
MISSING = ("404", "NoSuchKey", "NoSuchVersion")


class Refused(Exception):
    """The event, the configuration or an object's tags cannot be published; says how to fix."""


def settings() -> dict:
    """The function's configuration from its environment, each value checked."""
    env = os.environ
    found = {
        "bucket": env.get("DISTRIBUTION_BUCKET", ""),
        "topic": env.get("DISTRIBUTION_TOPIC", ""),
        "seconds": env.get("URL_SECONDS", ""),
        "region": env.get("AWS_REGION", ""),
    }
    checks = {"bucket": BUCKET, "topic": TOPIC_ARN, "seconds": r"[0-9]{1,6}", "region": REGION}
    for name, pattern in checks.items():
        if not re.fullmatch(pattern, found[name]):
            raise Refused(f"environment: {name} is {found[name]!r}, expected {pattern}")
    seconds = int(found["seconds"])
    if not URL_SECONDS[0] <= seconds <= URL_SECONDS[1]:
        raise Refused(f"environment: URL_SECONDS {seconds} is outside {URL_SECONDS}")
    return {**found, "seconds": seconds}


def created_object(event: dict, bucket: str) -> tuple[str, str | None]:
    """(key, version id) of an `Object Created` event for `bucket`; Refused for anything else."""
    detail = event.get("detail") if isinstance(event, dict) else None
    if event.get("source") != "aws.s3" or event.get("detail-type") != "Object Created":
        raise Refused("not an S3 'Object Created' event")
    if not isinstance(detail, dict) or (detail.get("bucket") or {}).get("name") != bucket:
        raise Refused(f"event is not for bucket {bucket}")
    obj = detail.get("object") or {}
    key, version = obj.get("key"), obj.get("version-id")
    if not isinstance(key, str) or not key:
        raise Refused("event names no object key")
    return key, version if isinstance(version, str) and version else None


def address(tag_set: list) -> tuple[str, str]:
    """(account, region) the object is addressed to, from its tags; absent tags mean ALL."""
    tags = {tag["Key"]: tag["Value"] for tag in tag_set}
    account, region = tags.get("account", ALL), tags.get("region", ALL)
    if account != ALL and not re.fullmatch(ACCOUNT, account):
        raise Refused(
            f"tag account={account!r} is neither ALL nor a 12-digit account id: "
            "correct the tag and upload the object again"
        )
    if region != ALL and not re.fullmatch(REGION, region):
        raise Refused(
            f"tag region={region!r} is neither ALL nor a region name such as eu-west-1: "
            "correct the tag and upload the object again"
        )
    return account, region


def sha256_hex(head: dict) -> str | None:
    """The object's full-object SHA-256 as 64 hex digits; None for none or a composite one.

    A multipart upload's SHA-256 is a checksum of the parts' checksums (`<base64>-<parts>`, and
    ChecksumType COMPOSITE where botocore reports it; 1.34 does not): no use for verifying.
    """
    value = head.get("ChecksumSHA256")
    if not value or head.get("ChecksumType", "FULL_OBJECT") != "FULL_OBJECT" or "-" in value:
        return None
    try:
        digest = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return digest.hex() if len(digest) == 32 else None


def head(s3, bucket: str, key: str, version: str | None) -> tuple[str, dict] | None:
    """(key, HeadObject of that version with checksums); None when it no longer exists.

    The key is tried as the event gives it and, failing that, URL-decoded (S3's own
    notifications encode keys; a key that merely looks encoded is tried as given first).
    """
    for candidate in dict.fromkeys((key, unquote_plus(key))):
        params = {"Bucket": bucket, "Key": candidate, "ChecksumMode": "ENABLED"}
        if version:
            params["VersionId"] = version
        try:
            return candidate, s3.head_object(**params)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") not in MISSING:
                raise
    return None


def tags(s3, bucket: str, key: str, version: str | None) -> list:
    """The object's (version's) tag set."""
    params = {"Bucket": bucket, "Key": key, **({"VersionId": version} if version else {})}
    return s3.get_object_tagging(**params)["TagSet"]


def presigner(region: str):
    """An S3 client whose presigned URLs name the bucket's regional endpoint.

    botocore presigns for the global host, which answers a new bucket outside us-east-1 with a
    redirect that the consumer never follows. Pointed elsewhere (AWS_ENDPOINT_URL*, tests and
    local runs) it keeps that endpoint, path style.
    """
    overridden = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    endpoint = boto3.client("s3", region_name=region, config=AWS).meta.endpoint_url
    style = {"addressing_style": "path" if overridden else "virtual"}
    config = AWS.merge(Config(signature_version="s3v4", s3=style))
    return boto3.client("s3", region_name=region, endpoint_url=endpoint, config=config)


def message(url: str, key: str, described: dict) -> dict:
    """The contract's message body for one object version."""
    body = {"ArtifactUrl": url, "ArtifactKey": key, "ArtifactSize": described["ContentLength"]}
    digest = sha256_hex(described)
    return {**body, "ArtifactSha256": digest} if digest else body


def announce(config: dict, key: str, version: str | None, described: dict, to: tuple) -> str:
    """Presign the version's GET and publish its message to `to` (account, region)."""
    params = {"Bucket": config["bucket"], "Key": key, **({"VersionId": version} if version else {})}
    url = presigner(config["region"]).generate_presigned_url(
        "get_object", Params=params, ExpiresIn=config["seconds"]
    )
    attributes = {
        name: {"DataType": "String", "StringValue": value}
        for name, value in zip(("account", "region"), to, strict=True)
    }
    sns = boto3.client("sns", region_name=config["region"], config=AWS)
    return sns.publish(
        TopicArn=config["topic"],
        Message=json.dumps(message(url, key, described)),
        MessageAttributes=attributes,
    )["MessageId"]


def log(outcome: str, **fields) -> None:
    """One JSON log line."""
    print(json.dumps({"outcome": outcome, **fields}, default=str), flush=True)


def handler(event, context):
    """Announce the object version an `Object Created` event names; raise when it cannot."""
    key = None
    try:
        config = settings()
        key, version = created_object(event, config["bucket"])
        s3 = boto3.client("s3", region_name=config["region"], config=AWS)
        found = head(s3, config["bucket"], key, version)
        if found is None:
            log("skipped", key=key, versionId=version, reason="version no longer exists")
            return {"outcome": "skipped", "key": key}
        key, described = found
        version = version or described.get("VersionId")
        to = address(tags(s3, config["bucket"], key, version))
        message_id = announce(config, key, version, described, to)
    except Exception as err:
        log("failed", key=key, reason=f"{type(err).__name__}: {err}")
        raise
    log("published", key=key, versionId=version, account=to[0], region=to[1], messageId=message_id)
    return {"outcome": "published", "key": key, "account": to[0], "region": to[1]}
