"""Initial set: publishes every current object addressed to one consumer, a page per run.

InitialDistributionSetMachine loops over this function (ARCHITECTURE.md). Input: the
execution's `{"AccountId", "Region"}`, plus `ContinuationToken` when continuing. It walks the
bucket's current objects in key order and publishes each one addressed to that account and
region (tags `account`/`region` equal or ALL, absent meaning ALL) with the message attributes
set to them, so only that consumer receives it. Shortly before its time runs out it stops and
returns the input's account and region with the token of the last key it finished; with no
object left it returns them without a token, and the machine ends. Each key is finished once
per run. An object whose tags address nobody validly is logged and passed over (the publisher
refused it on upload, where it raised an alarm). A failure to publish raises: the machine
retries the page. Standard library and boto3 only: Lambda runs this file alone as index.py.
"""

import base64
import binascii
import json
import os
import re

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

__all__ = [
    "ALL",
    "REGION",
    "InvalidInput",
    "Refused",
    "address",
    "key_of",
    "sha256_hex",
    "token_for",
]

ALL = "ALL"
ACCOUNT = r"[0-9]{12}"
REGION = r"[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}"  # the consumer's DistributionRegion pattern
TOPIC_ARN = r"arn:[a-z-]+:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}"
BUCKET = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
URL_SECONDS = (900, 43200)  # the PresignedUrlSeconds parameter's bounds
INPUT_KEYS = {"AccountId", "Region", "ContinuationToken"}
MAX_KEY_BYTES = 1024
# Stop with this much time left: one object's three calls, each bounded by AWS below.
STOP_MARGIN_MS = 60_000
AWS = Config(
    connect_timeout=5, read_timeout=10, retries={"mode": "standard", "total_max_attempts": 2}
)
MISSING = ("404", "NoSuchKey", "NoSuchVersion")


class InvalidInput(Exception):
    """The execution's input is not what the contract says; the machine does not retry it."""


class Refused(Exception):
    """An object's tags, or the configuration, cannot be used; the message says how to fix."""


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


def token_for(key: str) -> str:
    """The continuation token after `key`: its UTF-8 bytes, URL-safe base64."""
    return base64.urlsafe_b64encode(key.encode()).decode()


def key_of(token: str) -> str:
    """The key a continuation token continues after; InvalidInput when it is no token of ours."""
    try:
        key = base64.urlsafe_b64decode(token.encode("ascii")).decode()
        if token_for(key) == token and 0 < len(key.encode()) <= MAX_KEY_BYTES:
            return key
    except (UnicodeError, binascii.Error, ValueError):
        pass
    raise InvalidInput("ContinuationToken is not a token this function returned")


def target(event) -> tuple[str, str, str | None]:
    """(AccountId, Region, key to continue after) from the input; InvalidInput when malformed."""
    if not isinstance(event, dict):
        raise InvalidInput(f"input must be a JSON object, not {type(event).__name__}")
    unknown = sorted(set(event) - INPUT_KEYS)
    if unknown:
        raise InvalidInput(f"input has unknown fields {unknown}; allowed: {sorted(INPUT_KEYS)}")
    account, region = event.get("AccountId"), event.get("Region")
    if not isinstance(account, str) or not re.fullmatch(ACCOUNT, account):
        raise InvalidInput(f"AccountId must be a 12-digit account id, not {account!r}")
    if not isinstance(region, str) or not re.fullmatch(REGION, region):
        raise InvalidInput(f"Region must be a region name such as eu-west-1, not {region!r}")
    token = event.get("ContinuationToken")
    if token is not None and not isinstance(token, str):
        raise InvalidInput("ContinuationToken must be a string")
    return account, region, key_of(token) if token is not None else None


def address(tag_set: list) -> tuple[str, str]:
    """(account, region) an object is addressed to, from its tags; absent tags mean ALL."""
    tags = {tag["Key"]: tag["Value"] for tag in tag_set}
    account, region = tags.get("account", ALL), tags.get("region", ALL)
    if account != ALL and not re.fullmatch(ACCOUNT, account):
        raise Refused(f"tag account={account!r} is neither ALL nor a 12-digit account id")
    if region != ALL and not re.fullmatch(REGION, region):
        raise Refused(f"tag region={region!r} is neither ALL nor a region name")
    return account, region


def sha256_hex(head: dict) -> str | None:
    """The full-object SHA-256 as 64 hex digits; None for none or a composite (multipart) one."""
    value = head.get("ChecksumSHA256")
    if not value or head.get("ChecksumType", "FULL_OBJECT") != "FULL_OBJECT" or "-" in value:
        return None
    try:
        digest = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return digest.hex() if len(digest) == 32 else None


def presigner(region: str):
    """An S3 client whose presigned URLs name the bucket's regional endpoint (see publisher)."""
    overridden = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    endpoint = boto3.client("s3", region_name=region, config=AWS).meta.endpoint_url
    style = {"addressing_style": "path" if overridden else "virtual"}
    config = AWS.merge(Config(signature_version="s3v4", s3=style))
    return boto3.client("s3", region_name=region, endpoint_url=endpoint, config=config)


class Run:
    """One invocation: the clients, the consumer it serves and what it did."""

    def __init__(self, config: dict, account: str, region: str) -> None:
        self.config, self.account, self.region = config, account, region
        self.s3 = boto3.client("s3", region_name=config["region"], config=AWS)
        self.sns = boto3.client("sns", region_name=config["region"], config=AWS)
        self.signer = presigner(config["region"])
        self.counts = {"published": 0, "elsewhere": 0, "refused": 0, "gone": 0}

    def keys(self, after: str | None):
        """The bucket's current keys in order, after `after`."""
        params = {"Bucket": self.config["bucket"], **({"StartAfter": after} if after else {})}
        for page in self.s3.get_paginator("list_objects_v2").paginate(**params):
            for item in page.get("Contents", []):
                yield item["Key"]

    def finish(self, key: str) -> None:
        """Publish `key`'s current version if it is addressed to this consumer."""
        bucket = self.config["bucket"]
        try:
            head = self.s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") not in MISSING:
                raise
            self.counts["gone"] += 1  # deleted since it was listed
            return
        version = head.get("VersionId")
        pinned = {"Bucket": bucket, "Key": key, **({"VersionId": version} if version else {})}
        try:
            account, region = address(self.s3.get_object_tagging(**pinned)["TagSet"])
        except Refused as err:
            self.counts["refused"] += 1
            return log("ERROR", "not published: bad tags", key=key, reason=str(err))
        if account not in (ALL, self.account) or region not in (ALL, self.region):
            self.counts["elsewhere"] += 1
            return
        self.publish(key, head, pinned)

    def publish(self, key: str, head: dict, pinned: dict) -> None:
        """Presign the pinned version's GET and publish the contract message to this consumer."""
        url = self.signer.generate_presigned_url(
            "get_object", Params=pinned, ExpiresIn=self.config["seconds"]
        )
        body = {"ArtifactUrl": url, "ArtifactKey": key, "ArtifactSize": head["ContentLength"]}
        digest = sha256_hex(head)
        self.sns.publish(
            TopicArn=self.config["topic"],
            Message=json.dumps({**body, "ArtifactSha256": digest} if digest else body),
            MessageAttributes={
                "account": {"DataType": "String", "StringValue": self.account},
                "region": {"DataType": "String", "StringValue": self.region},
            },
        )
        self.counts["published"] += 1


def log(level: str, message: str, **fields) -> None:
    """One JSON log line (never a URL)."""
    print(json.dumps({"level": level, "message": message, **fields}), flush=True)


def handler(event, context):
    """Publish the next page of the initial set; return the token while objects remain."""
    account, region, after = target(event)
    run = Run(settings(), account, region)
    done = {"AccountId": account, "Region": region}
    progress = False  # at least one key per run, however little time is left: the loop ends
    for key in run.keys(after):
        if progress and context.get_remaining_time_in_millis() < STOP_MARGIN_MS:
            log("INFO", "page done, more to come", AccountId=account, Region=region, **run.counts)
            return {**done, "ContinuationToken": token_for(after)}
        run.finish(key)
        after, progress = key, True
    log("INFO", "initial set done", AccountId=account, Region=region, **run.counts)
    return done
