"""Copy function: streams each announced artifact from its presigned URL into TARGET_BUCKET.

The file reads as a record travels (ARCHITECTURE.md, Copy function): the batch plumbing runs
copy_record on every record of the SQS batch at once and collects what each one returns (a
Result); the record's checks (body, source allow-list, key, address) come before any connection;
transfer and store download with http.client (which never follows redirects) and write with a
conditional write, unless the key holds this source or a newer one already; the readers and
uploaders count, hash and verify the bytes on their way, so a failed check raises inside the
upload, before it is completed, and the key keeps what it held; small artifacts are read whole
and offered to the template rewrite. Then the batch's receipts go to the default event bus, and
(EMIT_METRICS=true) one Embedded Metric Format document to the log. Records that do not end
stored, verified and receipted are reported in batchItemFailures, their messages hidden until
their next try (RETRY_DELAYS), so SQS retries them within the hour and the dead-letter queue
keeps them; every record gets one JSON log line. Settings and clients live in
the warm context (CopyContext), read once per Lambda environment.
"""

import hashlib
import http.client
import json
import math
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from email.utils import parsedate_to_datetime
from functools import cache
from typing import NamedTuple
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from s3transfer.manager import TransferConfig, TransferManager  # boto3's transfer layer
from s3transfer.subscribers import BaseSubscriber

# Keep their names when inlined (the minifier renames every other global); tests use them.
__all__ = [
    "BATCH_SIZE",
    "DEADLINE_MARGIN",
    "READ_TIMEOUT",
    "RETRY_DELAYS",
    "REWRITE_MAX_BYTES",
    "allowed_source",
    "handler",
    "parse",
    "rewrite_template",
    "same_key_groups",
]


# ---- Batch plumbing: one invocation, its records at once, the failures it reports -------------

BATCH_SIZE = 10  # records per invocation (the event source mapping's BatchSize), copied at once
READ_TIMEOUT = 30  # seconds to connect to the source, and for each read from the source or S3
# Kept before Lambda's timeout: a blocked read, then aborting, then the batch's receipts and then
# its failed records' next tries (15 s each: PutEvents and ChangeMessageVisibilityBatch get 3
# attempts of 2 s to connect and 2 s to answer, with at most 1 + 2 s of backoff between them; they
# answer in milliseconds when the service is well). One S3 call that stays stuck through all its
# retries (4 attempts of up to 10 + 30 s) can outlast it: Lambda's timeout then fails the whole
# batch and SQS delivers it again after the queue's visibility timeout, its stored records coming
# back as duplicates (receipted then). A shorter S3 timeout would fail slow uploads that are
# merely slow.
DEADLINE_MARGIN = 2 * READ_TIMEOUT + 2 * 15


def handler(event, context):
    """Copy the batch's artifacts at once; report each record not stored, verified and receipted."""
    records = sqs_records(event)
    warm = CopyContext.current()
    results = send_receipts(warm, copy_batch(records, warm, deadline_of(context)))
    results = retry_later(warm, results)
    for result in results:
        print(json.dumps(result.log()))
    if warm.emit_metrics and results:
        print(json.dumps(metrics(results, warm.function_name)))
    return {"batchItemFailures": [{"itemIdentifier": r.message_id} for r in failures(results)]}


def sqs_records(event) -> list:
    """The records of an SQS event; anything else is a wiring error, raised loudly."""
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list) or not all(
        isinstance(r, dict) and r.get("eventSource") == "aws:sqs" and "messageId" in r
        for r in records
    ):
        raise ValueError("not an SQS event: expected Records with eventSource aws:sqs")
    return records


def copy_batch(records: list, warm: "CopyContext", deadline: float) -> list:
    """Each record's Result, in the order they end; records of one key run one after another."""
    groups = same_key_groups(records)
    with ThreadPoolExecutor(max_workers=max(1, min(BATCH_SIZE, len(groups)))) as pool:
        futures = [pool.submit(copy_group, group, warm, deadline) for group in groups]
        return [result for future in as_completed(futures) for result in future.result()]


def same_key_groups(records: list) -> list:
    """Records grouped by ArtifactKey, in order: copies of one key run one after another.

    Each final write is conditional on what HeadObject saw; two copies of one key at once
    would race for that check. Unreadable bodies form groups of their own.
    """
    groups = {}
    for record in records:
        try:
            key = json.loads(record.get("body"))["ArtifactKey"]
        except Exception:  # parse() reports it; here it only needs a group of its own
            key = None
        groups.setdefault(key if isinstance(key, str) else record["messageId"], []).append(record)
    return list(groups.values())


def copy_group(group: list, warm: "CopyContext", deadline: float) -> list:
    """The Results of the group's records, copied one after another."""
    return [copy_record(record, warm, deadline) for record in group]


def failures(results: list) -> list:
    """The Results reported as batch item failures: SQS retries their messages."""
    return [result for result in results if result.outcome == "failed"]


def deadline_of(context) -> float:
    """When copies must stop, so the batch is answered before Lambda's timeout (inf: no context).

    A copy cut short fails alone and is retried; a function timeout would fail the whole batch.
    """
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return time.monotonic() + remaining() / 1000 - DEADLINE_MARGIN if remaining else math.inf


def check_time(deadline: float) -> None:
    """CopyError once the deadline has passed."""
    if time.monotonic() > deadline:
        raise CopyError("stopped before the function's timeout; the message is retried")


# ---- The record's checks: body, source allow-list, key, address; before any connection ---------

SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")
REGION = r"[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}"  # the DistributionRegion parameter's pattern
# AWS partitions as botocore's partitions.json defines them (kept here: a Lambda runtime's bundled
# botocore may lack the newest): id, region names, DNS suffix, global S3 endpoint (aws alone has
# one). A bucket name is unique only within its partition, so sources stay in DISTRIBUTION_REGION's.
PARTITIONS = (
    ("aws", r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$", "amazonaws.com", "s3.amazonaws.com"),
    ("aws-cn", r"^cn\-\w+\-\d+$", "amazonaws.com.cn", None),
    ("aws-eusc", r"^eusc\-(de)\-\w+\-\d+$", "amazonaws.eu", None),
    ("aws-iso", r"^us\-iso\-\w+\-\d+$", "c2s.ic.gov", None),
    ("aws-iso-b", r"^us\-isob\-\w+\-\d+$", "sc2s.sgov.gov", None),
    ("aws-iso-e", r"^eu\-isoe\-\w+\-\d+$", "cloud.adc-e.uk", None),
    ("aws-iso-f", r"^us\-isof\-\w+\-\d+$", "csp.hci.ic.gov", None),
    ("aws-us-gov", r"^us\-gov\-\w+\-\d+$", "amazonaws.com", None),
)
# A region's S3 endpoints: s3.R, legacy s3-R, dualstack, FIPS and FIPS dualstack (s3<form>R.suffix).
S3_REGIONAL_FORMS = (".", "-", ".dualstack.", "-fips.", "-fips.dualstack.")
DEFAULT_PORTS = {"http": 80, "https": 443}


class CopyError(Exception):
    """A record cannot be copied; the message says why, and never holds a credential."""


class Held(NamedTuple):
    """What the key holds once a record is done, as its receipt reports it."""

    size: int
    source_etag: str | None
    version_id: str | None  # None for S3's version "null": versioning off or suspended
    sha256: str | None = None  # only when the copy verified it


class Done(NamedTuple):
    """How a record ended: copied, duplicate or stale (what the key holds then), or failed."""

    outcome: str
    held: Held | None  # set when stored: acknowledged once its receipt is accepted
    written: int = 0  # bytes written (none for a duplicate or stale record)
    reason: str | None = None


class Result(NamedTuple):
    """One record's result: its log line, and what its receipt reports once it is stored."""

    record: dict
    key: str | None
    outcome: str
    held: Held | None
    written: int
    reason: str | None
    seconds: float
    retry: dict | None = None  # a failed record's next try (retry_later): the log line's fields

    @property
    def message_id(self) -> str:
        """The SQS message's id: the batch item failure names it."""
        return self.record["messageId"]

    def log(self) -> dict:
        """The record's JSON log line (ARCHITECTURE.md, Logs); never a URL's query string."""
        line = {"outcome": self.outcome, "messageId": self.message_id, "key": self.key}
        line["bytes"] = self.written
        if self.reason is not None:
            line["reason"] = self.reason
        line["seconds"] = self.seconds
        return {**line, **(self.retry or {})}


def copy_record(record: dict, warm: "CopyContext", deadline: float) -> Result:
    """Check and copy one record's artifact; its Result says how it ended and why."""
    start, key = time.monotonic(), None
    try:
        message = parse(record.get("body"))
        key = message["ArtifactKey"]
        check_addressed_here(record, warm.settings)
        done = transfer(message, warm, deadline)
    except Exception as err:  # one record's failure must never fail the others
        reason = str(err) if isinstance(err, CopyError) else f"{type(err).__name__}: {err}"
        done = Done("failed", None, reason=re.sub(r"\?\S*", "?...", reason))  # no credential
    return Result(record, key, *done, round(time.monotonic() - start, 3))


def parse(body) -> dict:
    """The message's fields, type-checked; CopyError says what is wrong with the body."""
    try:
        message = json.loads(body)
    except (TypeError, ValueError) as err:
        raise CopyError(f"body is not JSON: {err}") from None
    if not isinstance(message, dict):
        raise CopyError("body is not a JSON object")
    for name in ("ArtifactUrl", "ArtifactKey"):
        if type(message.get(name)) is not str:
            raise CopyError(f"{name} is missing or not a string")
    size, sha256 = message.get("ArtifactSize"), message.get("ArtifactSha256")
    if size is not None and (type(size) is not int or size < 0):
        raise CopyError("ArtifactSize must be a non-negative integer")
    if sha256 is not None and not (type(sha256) is str and SHA256_HEX.fullmatch(sha256)):
        raise CopyError("ArtifactSha256 must be 64 hex digits")
    return message


def allowed_source(url: str, bucket: str, region: str, own_endpoint: str = "") -> tuple:
    """(https, host, port, path?query) of a URL into `bucket` of the distributor's `region`.

    Anything else raises CopyError; see s3_endpoints for the hosts a region allows, and
    in_bucket for `own_endpoint` (boto3's S3 endpoint, when it is pointed at one).
    """
    hosts = s3_endpoints(region)
    try:
        parts = urlsplit(url)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
        allowed = (
            re.fullmatch(r"[!-~]+", url)  # printable ASCII: no space, control or non-ASCII
            and not re.search(r"[@\\]", url)  # no userinfo, no backslash
            and re.fullmatch(r"[a-zA-Z0-9.-]+(:[0-9]+)?", parts.netloc)
            and not parts.fragment
            and parts.path.startswith("/")
            and not {".", ".."} & set(parts.path.split("/"))
            and in_bucket(parts, port, bucket, hosts, own_endpoint)
        )
    except ValueError:  # a port out of range, a malformed endpoint variable
        allowed = False
    if not allowed:
        raise CopyError(f"ArtifactUrl {url.split('?')[0].rpartition('@')[2]!r} is not allowed")
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return parts.scheme == "https", parts.hostname, port, target


@cache
def s3_endpoints(region: str) -> frozenset:
    """The S3 endpoint hosts that reach `region`: its own forms and its partition's global one.

    The partition is the first whose pattern matches the region, else aws (botocore's rule).
    Built once per DISTRIBUTION_REGION; CopyError when it is no region name.
    """
    if not re.fullmatch(REGION, region):
        raise CopyError(f"DISTRIBUTION_REGION {region!r} is not a region name")
    _, _, suffix, global_host = next(
        (partition for partition in PARTITIONS if re.match(partition[1], region)), PARTITIONS[0]
    )
    hosts = {f"s3{form}{region}.{suffix}" for form in S3_REGIONAL_FORMS}
    return frozenset(hosts | ({global_host} if global_host else set()))


def in_bucket(parts, port: int | None, bucket: str, hosts: frozenset, own_endpoint: str) -> bool:
    """Whether the URL names an object of `bucket` on one of `hosts`, or on boto3's own endpoint."""
    segments = parts.path.split("/")
    path_style = len(segments) > 2 and segments[1] == bucket and any(segments[2:])
    own = urlsplit(own_endpoint)
    if own.hostname and (parts.scheme, parts.hostname, port) == (
        own.scheme,
        own.hostname,
        own.port or DEFAULT_PORTS.get(own.scheme),
    ):
        return path_style
    if parts.scheme != "https" or port != 443:
        return False
    host = parts.netloc.partition(":")[0]  # as written: no upper case (hostname lowers it)
    if host in hosts:
        return path_style
    virtual = host.startswith(f"{bucket}.") and host[len(bucket) + 1 :] in hosts
    return virtual and parts.path != "/"


def safe_key(key: str) -> str:
    """The key when it is safe in S3 (1-1024 UTF-8 bytes, no "/" start, dot segment, control)."""
    try:
        size = len(key.encode())
    except UnicodeEncodeError:  # a lone surrogate from a JSON escape
        size = 0
    if (
        not 0 < size <= 1024
        or key.startswith("/")
        or {".", ".."} & set(key.split("/"))
        or re.search(r"[\x00-\x1f\x7f-\x9f]", key)
    ):
        raise CopyError(f"ArtifactKey {key[:100]!r} is not a safe S3 key")
    return key


def check_addressed_here(record: dict, env: dict) -> None:
    """CopyError for a record addressed to another consumer: never copied, and (as the contract
    says of anything not stored) not acknowledged. SNS applies a new filter within minutes."""
    attributes = record.get("messageAttributes") or {}
    account = record.get("eventSourceARN", "").split(":")[4:5]  # arn:aws:sqs:region:account:name
    for name, own in (("account", account), ("region", [env["AWS_REGION"]])):
        value = (attributes.get(name) or {}).get("stringValue")
        if value not in (None, "ALL") and [value] != own:
            raise CopyError(f"addressed to {name} {value}, not this consumer: not copied")


# ---- Transfer and store: download, look at the key, write conditionally -----------------------

SOURCE_METADATA = (("source-etag", "ETag"), ("source-last-modified", "Last-Modified"))
# Source headers the copy keeps, as upload arguments: the bytes are copied as they are encoded.
KEPT_HEADERS = (
    ("Content-Type", "ContentType"),
    ("Content-Encoding", "ContentEncoding"),
    ("Content-Disposition", "ContentDisposition"),
)
# S3's answers to a presigned URL past its expiry, or signed with a session token that expired.
EXPIRED = re.compile(
    rb"<Code>ExpiredToken</Code>|<Message>(Request has expired|The provided token has expired)"
)
EXPIRED_ADVICE = "ask the distributor for the artifacts again (a new TriggerVersion)"


def transfer(message: dict, warm: "CopyContext", deadline: float) -> Done:
    """Download the artifact and store it, unless the target holds it or a newer one already."""
    env = warm.settings
    https, host, port, target = allowed_source(
        message["ArtifactUrl"], env["DISTRIBUTION_BUCKET"], env["DISTRIBUTION_REGION"], warm.own_s3
    )
    key = safe_key(message["ArtifactKey"])
    check_time(deadline)
    kind = http.client.HTTPSConnection if https else http.client.HTTPConnection
    connection = kind(host, port, timeout=READ_TIMEOUT)
    try:
        connection.request("GET", target)
        return store(connection, message, key, warm, deadline)
    finally:
        connection.close()


def store(connection, message: dict, key: str, warm: "CopyContext", deadline: float) -> Done:
    """Write the source's answer to the key with a conditional write, unless the key holds it."""
    bucket = warm.settings["TARGET_BUCKET"]
    # While the source prepares its answer, one round trip to see what the target holds.
    head = target_object(warm.s3, bucket, key)
    response = connection.getresponse()
    length = content_length(response, message.get("ArtifactSize"))
    source = {name: response.getheader(header, "") for name, header in SOURCE_METADATA}
    skip = already_held(head, source)
    if skip:
        return skip
    extra = {"Metadata": {name: value for name, value in source.items() if value}}
    for header, argument in KEPT_HEADERS:
        if response.getheader(header):
            extra[argument] = response.getheader(header)
    reader = Verifier(response, length, message.get("ArtifactSha256"), deadline)
    # Conditional write (PutObject or CompleteMultipartUpload, see target_client): S3 refuses
    # it (412) if another copy wrote the key since HeadObject.
    write = warm.writes[bucket, key] = (
        {"If-Match": head["ETag"]} if head else {"If-None-Match": "*"}
    )
    try:
        if length <= REWRITE_MAX_BYTES:
            written = store_small(warm, reader, key, extra)
        else:
            written = stream(warm, reader, key, extra)
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "PreconditionFailed":
            raise
        return refused_write(warm, bucket, key, source)
    finally:
        warm.writes.pop((bucket, key), None)
    # What the key holds now; sha256 only when verified (the read would have raised otherwise).
    held = holds(written, extra["Metadata"], write.get("VersionId"))
    return Done("copied", held._replace(sha256=reader.hash and reader.sha256), written)


def holds(size: int, metadata: dict, version: str | None) -> Held:
    """What an object of `size` with this metadata and VersionId holds, as a receipt says it."""
    return Held(size, metadata.get("source-etag"), None if version == "null" else version)


def refused_write(warm: "CopyContext", bucket: str, key: str, source: dict) -> Done:
    """After a 412, done if the key now holds this source (a retried write that had succeeded,
    or the same message copied elsewhere meanwhile) or a newer one, as before the write;
    otherwise CopyError, and SQS retries."""
    skip = already_held(target_object(warm.s3, bucket, key), source)
    if not skip:
        raise CopyError("PreconditionFailed: the key changed since it was checked")
    return skip._replace(reason=f"write refused (412): {skip.reason or 'key holds this source'}")


def content_length(response, size: int | None) -> int:
    """The verified Content-Length of a 200 response; CopyError for any other answer, which
    names an expired URL (its retries cannot succeed: ARCHITECTURE.md, Copy function)."""
    if response.status != 200:
        error = response.read(4096)
        code = re.search(rb"<Code>(\w{1,64})</Code>", error)
        detail = f"HTTP {response.status}" + (f" {code[1].decode()}" if code else "")
        if response.status == 403 and EXPIRED.search(error):
            raise CopyError(f"ArtifactUrl expired (source answered {detail}): {EXPIRED_ADVICE}")
        raise CopyError(f"source answered {detail}")
    if response.length is None:
        raise CopyError("source sent no Content-Length")
    if size is not None and size != response.length:
        raise CopyError(f"Content-Length {response.length} differs from ArtifactSize {size}")
    return response.length


def target_object(s3, bucket: str, key: str) -> dict | None:
    """HeadObject of the target key, or None when it does not exist yet."""
    try:
        return s3.head_object(Bucket=bucket, Key=key)
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
            return None
        raise


def already_held(head: dict | None, source: dict) -> Done | None:
    """Done when the target holds this source (duplicate) or a newer one (stale); its receipt
    describes what the key holds."""
    metadata = head["Metadata"] if head else {}
    if source["source-etag"] and metadata.get("source-etag") == source["source-etag"]:
        outcome, reason = "duplicate", None
    else:
        try:
            newer = parsedate_to_datetime(metadata["source-last-modified"]) > parsedate_to_datetime(
                source["source-last-modified"]
            )
        except (KeyError, TypeError, ValueError):  # no or unreadable dates: copy
            newer = False
        if not newer:
            return None
        outcome = "stale"
        reason = f"target holds a newer source ({metadata['source-last-modified']})"
    held = holds(head["ContentLength"], metadata, head.get("VersionId"))
    return Done(outcome, held, reason=reason)


# ---- Readers and uploaders: verify on the way, one put or a bounded multipart upload -----------

MIB = 1024 * 1024
# Part sizes (part_size). s3transfer uploads a part once it has read it whole, so a copy ends
# about one part's upload after its download. Under 256 MiB that tail weighs: parts are as small
# as S3 allows (MIN_PART, but for the last) and the last is about half the others, so the last
# two uploads end together, half a part after the download (16 MiB: 1.33 x the ideal, not 1.60 x
# with 8 MiB parts; `tox -e bench` row 6). From 256 MiB, s3transfer's 8 MiB: fewer requests.
MIN_PART = 5 * MIB
MAX_PARTS = 10_000  # S3's limit on the parts of one multipart upload
# Memory bound of one streamed upload. For a non-seekable stream s3transfer's submission thread
# reads one whole part, then submits its UploadPart; the part stays in memory until that request
# finishes, and max_in_memory_upload_chunks (a semaphore taken after the read) caps the parts in
# flight. So one upload holds at most in_flight + 1 parts, plus one while Verifier.read joins the
# pieces of the part it reads. in_flight = PART_BUDGET // part keeps that <= PART_BUDGET + 2 parts:
# 40 MiB with 8 MiB parts (artifacts up to 78 GiB; at most 36 MiB with the parts under 256 MiB),
# at most 72 MiB beyond (24 MiB parts up to 234 GiB, then 3 parts of whatever size: more than one
# invocation moves in 15 minutes).
# BATCH_SIZE uploads at once: 10 x 40 MiB plus ~50 MiB of interpreter and boto3 fit in 1024 MiB.
# Measured (`tox -e bench`): +58 to +62 MiB peak RSS at 256 MiB and at 1 GiB.
PART_BUDGET = 24 * MIB
CHUNK = MIB  # at most this much is read between two looks at the deadline


class Verifier:
    """Reads the source, counting and hashing; raises at its end when size or sha256 is wrong.

    s3transfer reads the last part (or the whole small body) before it completes the upload, so
    raising here makes it abort the upload instead: the key keeps what it held before.
    """

    def __init__(self, response, length: int, sha256: str | None, deadline: float):
        self.response, self.length, self.sha256 = response, length, (sha256 or "").lower()
        # Hashing costs CPU on every byte: only when there is a digest to check.
        self.hash = hashlib.sha256() if self.sha256 else None
        self.count, self.deadline = 0, deadline

    def read(self, amount: int | None = None) -> bytes:
        """`amount` bytes (all when None or negative) unless the body ends; checked at its end.

        s3transfer takes a short read for the last part, so this reads until it has `amount`;
        in pieces, so a source that trickles meets the deadline between them.
        """
        want = self.length - self.count if amount is None or amount < 0 else amount
        chunks, ended = [], False
        while want > 0 and not ended:
            check_time(self.deadline)  # raising aborts the upload, as a failed check does
            try:
                data = self.response.read1(min(want, CHUNK))
            except http.client.IncompleteRead as err:
                data, ended = err.partial, True
            ended = ended or not data
            chunks.append(data)
            want -= len(data)
        data = b"".join(chunks)
        self.count += len(data)
        if self.hash:
            self.hash.update(data)
        if ended or self.count >= self.length:
            self.verify()
        return data

    def verify(self) -> None:
        """Raise CopyError unless exactly Content-Length bytes with the given sha256 came."""
        if self.count != self.length:
            raise CopyError(f"received {self.count} of {self.length} bytes")
        if self.hash and self.hash.hexdigest() != self.sha256:
            raise CopyError(f"sha256 {self.hash.hexdigest()} is not ArtifactSha256")


def store_small(warm: "CopyContext", reader: Verifier, key: str, extra: dict) -> int:
    """Read a small artifact whole (verified), rewrite it if it is a template, put it; its size."""
    body = reader.read()
    env = warm.settings
    rewritten = rewrite_template(
        key,
        body,
        env["DISTRIBUTION_BUCKET"],
        env["TARGET_BUCKET"],
        env["DISTRIBUTION_REGION"],
        env["AWS_REGION"],
    )
    body = body if rewritten is None else rewritten
    warm.s3.put_object(Bucket=env["TARGET_BUCKET"], Key=key, Body=body, **extra)
    return len(body)


def part_size(size: int) -> int:
    """Bytes per part of an upload of `size` bytes, at most MAX_PARTS parts (see MIN_PART)."""
    if size >= 256 * MIB:
        return max(8 * MIB, size // MAX_PARTS + 1)
    whole = int(size / MIN_PART - 0.5) or 1  # parts before the last, which is about half
    return max(MIN_PART, 2 * size // (2 * whole + 1))


def stream(warm: "CopyContext", reader: Verifier, key: str, extra: dict) -> int:
    """Multipart-upload the verifying reader with parts sized for its length (see PART_BUDGET)."""
    part = part_size(reader.length)
    in_flight = max(1, PART_BUDGET // part)
    config = TransferConfig(
        multipart_threshold=part,
        multipart_chunksize=part,
        max_request_concurrency=in_flight,
        max_submission_concurrency=1,
        max_in_memory_upload_chunks=in_flight,
    )
    bucket = warm.settings["TARGET_BUCKET"]
    subscribers = [ProvideSize()]
    with TransferManager(warm.s3, config) as manager:
        manager.upload(reader, bucket, key, extra_args=extra, subscribers=subscribers).result()
    return reader.count


class ProvideSize(BaseSubscriber):
    """Tells s3transfer the reader's length: it starts the upload before reading the first part."""

    def on_queued(self, future, **kwargs) -> None:
        future.meta.provide_transfer_size(future.meta.call_args.fileobj.length)


# ---- Template rewrite: CloudFormation templates name the target bucket, not the distributor's --

# CloudFormation templates among the artifacts name the distribution bucket; the consumer's copy
# must name the target bucket instead. The Lambda runtime has no YAML parser, so detection and
# rewriting are textual: one regex finds every whole-token reference to the bucket (as a value,
# key, in a comment, an ARN, an s3:// URI or an https URL in any S3 host form) and the rest of
# the file stays byte for byte. A template is at most REWRITE_MAX_BYTES, so it fits in memory.
REWRITE_MAX_BYTES = 1024 * 1024
_TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
# A top-level YAML key (column 0, optionally quoted) that only CloudFormation templates have.
_TOP_KEY = re.compile(r"""(?m)^(["']?)(?:AWSTemplateFormatVersion|Resources)\1[ \t]*:(?!\S)""")
# An S3 endpoint host as templates write it: "s3", then optionally [.-] and the labels that name
# the endpoint (region, dualstack, fips, ${AWS::Region}, ...), up to amazonaws.com(.cn) or
# ${AWS::URLSuffix}. Any region: a template may name the bucket through any endpoint.
_S3_HOST_IN_TEMPLATE = (
    r"s3(?:[.-](?:[\w.-]|\$\{[\w:]+\})*?)?\.(?:amazonaws\.com(?:\.cn)?|\$\{AWS::URLSuffix\})"
)
# "/" as JSON may write it: "\/" (PHP's json_encode does), so "https:\/\/B..." is a reference too.
_SLASH = r"\\?/"
# A reference is _BEFORE + the escaped bucket name B + _AFTER. Bucket names are [a-z0-9.-], so
# "." and "-" belong to the token: "my-B", "x.B", "B-logs", "B.backup", "Bx" are other names.
# Before B: either (group u) "//" of s3:// or https:// (or "\/\/"), ":::" of an ARN, or a
# path-style host "s3....amazonaws.com/" (group p) that is not itself part of a name
# ("B2.s3...com/B/" is a key in B2); or no name character, nor "/" (a key segment "other/B/",
# "other\/B\/"), nor "{" or "}" ("${B}" is a Sub variable, "${X}B" a composed name).
_BEFORE = (
    r"(?:(?P<u>(?<=//)|(?<=\\/\\/)|(?<=:::)|(?P<p>(?<![\w.-])"
    + _S3_HOST_IN_TEMPLATE
    + _SLASH
    + r"))|(?<![\w./{}-]))"
)
# After B: "/" (or "\/") only after a group-u start ("S3Key: B/x.zip" is a key, not the bucket);
# then optionally a virtual-hosted suffix ".s3....amazonaws.com" (group v); then nothing that
# would continue a name: no [\w$-], and "." only as punctuation ("B." ending a sentence is B).
_AFTER = r"(?(u)|(?!" + _SLASH + r"))(?P<v>\." + _S3_HOST_IN_TEMPLATE + r")?(?![\w$-]|\.[\w$-])"


def rewrite_template(
    key: str,
    body: bytes,
    source_bucket: str,
    target_bucket: str,
    source_region: str,
    target_region: str,
) -> bytes | None:
    """Rewritten template bytes, or None when the artifact is not a CloudFormation template or nothing changes."""  # noqa: E501
    if not (
        source_bucket
        and key.lower().endswith(_TEMPLATE_SUFFIXES)
        and len(body) <= REWRITE_MAX_BYTES
    ):
        return None
    try:
        text = body.decode()  # a BOM decodes to U+FEFF and encodes back unchanged
    except UnicodeDecodeError:
        return None
    if not _is_template(text.lstrip("\ufeff")):
        return None
    # In a matched host, the source region as a whole label (".R." or "-R.") becomes the target's
    # (with no source region, a NUL: it never occurs in a host, so no region changes).
    region = re.compile(r"(?<=[.-])" + re.escape(source_region or "\0") + r"(?=\.)")

    def host(found: str | None) -> str:
        return region.sub(lambda _: target_region, found or "")

    reference = _BEFORE + re.escape(source_bucket) + _AFTER
    new = re.sub(reference, lambda m: host(m["p"]) + target_bucket + host(m["v"]), text)
    return new.encode() if new != text else None


def _is_template(text: str) -> bool:
    """Whether text is a JSON object or a YAML mapping with a CloudFormation top-level key."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):  # not JSON: judge it as YAML, textually
        return bool(_TOP_KEY.search(text))
    return isinstance(doc, dict) and ("AWSTemplateFormatVersion" in doc or "Resources" in doc)


# ---- Receipts and metrics: the batch's receipts on the default bus, one EMF document -----------

RECEIPTS_PER_CALL = 10  # PutEvents' limit; 10 receipts (a key is <= 1,024 bytes) stay << 256 KB
# The Embedded Metric Format document of an invocation: its metrics, their units, one dimension.
METRICS = {
    "ArtifactsStored": "Count",
    "ArtifactsFailed": "Count",
    "BytesCopied": "Bytes",
    "CopyDuration": "Milliseconds",
}


def send_receipts(warm: "CopyContext", results: list) -> list:
    """Put a receipt for each stored record on the default event bus, in calls of up to 10.

    Returns the results, with failed those whose receipt was not accepted (an entry with an
    ErrorCode or without an EventId, or the call failed): SQS delivers it again, and that copy,
    finding the key held (duplicate), sends its receipt then. So every stored record has a
    receipt, at least once.
    """
    results = list(results)
    stored = [at for at, result in enumerate(results) if result.held]
    bucket = warm.settings["TARGET_BUCKET"]
    for start in range(0, len(stored), RECEIPTS_PER_CALL):
        chunk = stored[start : start + RECEIPTS_PER_CALL]
        receipts = [receipt(results[at], bucket) for at in chunk]
        try:
            answers = warm.events.put_events(Entries=receipts)["Entries"]
        except Exception as err:  # none of this call's receipts is known to be accepted
            answers = [{"ErrorCode": type(err).__name__, "ErrorMessage": err}] * len(chunk)
        answers += [{}] * len(chunk)  # entries it did not answer for are not accepted
        for at, answer in zip(chunk, answers, strict=False):  # answered in order
            if "ErrorCode" in answer or "EventId" not in answer:
                results[at] = results[at]._replace(
                    outcome="failed",
                    reason="stored, receipt not accepted: "
                    f"{answer.get('ErrorCode')}: {answer.get('ErrorMessage')}",
                )
    return results


def receipt(result: Result, bucket: str) -> dict:
    """The PutEvents entry of a record's receipt (ARCHITECTURE.md, Receipts): its key and
    outcome, and what the target holds once it is done; never the URL."""
    held = result.held
    detail = {
        "bucket": bucket,
        "key": result.key,
        "outcome": result.outcome,
        "size": held.size,
        "sourceETag": held.source_etag,
        "versionId": held.version_id,
        **({"sha256": held.sha256} if held.sha256 else {}),
        "messageId": result.message_id,
    }
    return {
        "Source": "build-artifact-consumer",
        "DetailType": "Artifact Stored",
        "Detail": json.dumps(detail),
    }


def metrics(results: list, function_name: str) -> dict:
    """The invocation's Embedded Metric Format document (CloudWatch extracts it from the log).

    CopyDuration holds each record's milliseconds, so the dashboard's median and maximum are
    per artifact; ArtifactsStored counts acknowledged records, BytesCopied the bytes written.
    """
    failed = len(failures(results))
    directive = {
        "Namespace": "BuildArtifactConsumer",
        "Dimensions": [["FunctionName"]],
        "Metrics": [{"Name": name, "Unit": unit} for name, unit in METRICS.items()],
    }
    return {
        "_aws": {"Timestamp": round(time.time() * 1000), "CloudWatchMetrics": [directive]},
        "FunctionName": function_name,
        "ArtifactsStored": len(results) - failed,
        "ArtifactsFailed": failed,
        "BytesCopied": sum(result.written for result in results),
        "CopyDuration": [round(r.seconds * 1000) for r in results[:100]],  # EMF: <= 100 values
    }


# ---- Retries: a failed record's next try comes sooner, then later ------------------------------

# Seconds until the next try of a record that failed on its Nth receive: RETRY_DELAYS[N - 1]. The
# five tries (maxReceiveCount) of a record that keeps failing come within 30 s, 2, 8 and 32 min of
# each other, 42.5 min of waits in all; after the fifth, the message is visible at once and SQS
# moves it to the dead-letter queue at its next receive. The generator reads this constant (the
# stuck-queue alarm's threshold follows from it).
RETRY_DELAYS = (30, 120, 480, 1920, 0)


def retry_later(warm: "CopyContext", results: list) -> list:
    """Set each failed record's next try by RETRY_DELAYS; stored records are left to Lambda.

    Returns the results, each failed one noting its next try for its log line. A change that
    fails (throttled, a stale receipt handle, any error) fails nothing more: the message waits
    the queue's visibility timeout, and the log line says why.
    """
    results, queues = list(results), {}
    for at, result in enumerate(results):
        if result.outcome == "failed":
            queues.setdefault(result.record.get("eventSourceARN"), []).append(at)
    for arn, chunk in queues.items():  # one queue (an event source mapping has one)
        records = [results[at].record for at in chunk]
        delays = [next_try(record) for record in records]
        errors = change_visibility(warm.sqs, arn, records, delays)
        for at, delay, error in zip(chunk, delays, errors, strict=True):
            retry = {"retryIn": delay} if error is None else {"retryIn": None}
            if error:
                retry["retryError"] = f"{error}; the next try comes after the visibility timeout"
            results[at] = results[at]._replace(retry=retry)
    return results


def change_visibility(sqs, arn: str | None, records: list, delays: list) -> list:
    """Hide each record's message for its delay, in one ChangeMessageVisibilityBatch (at most
    BATCH_SIZE entries); per record the error, or None when its visibility was changed."""
    try:  # the queue's URL from its ARN: arn:partition:sqs:region:account:name
        _, account, name = arn.rsplit(":", 2)
        entries = [
            {"Id": str(n), "ReceiptHandle": record["receiptHandle"], "VisibilityTimeout": delay}
            for n, (record, delay) in enumerate(zip(records, delays, strict=True))
        ]
        answer = sqs.change_message_visibility_batch(
            QueueUrl=f"{sqs.meta.endpoint_url}/{account}/{name}", Entries=entries
        )
    except Exception as err:  # no change is known to be made
        return [f"{type(err).__name__}: {err}"] * len(records)
    changed = {entry["Id"] for entry in answer.get("Successful", [])}
    failed = {e["Id"]: f"{e.get('Code')}: {e.get('Message')}" for e in answer.get("Failed", [])}
    return [
        None if str(n) in changed else failed.get(str(n), "not answered")
        for n in range(len(records))
    ]


def next_try(record: dict) -> int:
    """Seconds until the next try of a record that failed, by its ApproximateReceiveCount."""
    try:
        receives = int(record["attributes"]["ApproximateReceiveCount"])
    except (KeyError, TypeError, ValueError):  # Lambda always sends it: a hand-made event
        receives = 1
    return RETRY_DELAYS[min(max(receives, 1), len(RETRY_DELAYS)) - 1]


# ---- The warm context: settings and clients, kept between invocations --------------------------

SETTINGS = ("TARGET_BUCKET", "DISTRIBUTION_BUCKET", "DISTRIBUTION_REGION", "AWS_REGION")
# What a copy context is built from; when one of them changes, the next invocation builds anew.
# Credentials stay with boto3's default session, which keeps (and refreshes) them as before.
BUILT_FROM = (
    *SETTINGS,
    "EMIT_METRICS",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_EVENTBRIDGE",
    "AWS_ENDPOINT_URL_SQS",
)


class CopyContext:
    """What a warm Lambda environment keeps between invocations: settings, clients, writes.

    Built on the first invocation (a client costs milliseconds and its connections are kept
    alive); Lambda runs one invocation at a time in an environment, whose records share it.
    """

    _kept = None  # the context this environment keeps

    def __init__(self, built_from: tuple):
        self.built_from = built_from
        self.settings = settings()
        env = os.environ.get
        # Metrics are opt-in (they cost money): only "true", which the template passes for
        # DetailedMonitoring=true, turns them on; a stack from before the variable has none.
        self.emit_metrics = env("EMIT_METRICS") == "true"
        self.function_name = env("AWS_LAMBDA_FUNCTION_NAME", "unknown")  # Lambda sets it
        # The S3 endpoint boto3 is pointed at is an allowed source (tests, local runs).
        self.own_s3 = env("AWS_ENDPOINT_URL_S3") or env("AWS_ENDPOINT_URL", "")
        # (bucket, key) -> the If-Match / If-None-Match headers of its final write, to which S3's
        # answer then adds its VersionId (see target_client). Records run at once, but those of
        # one key in turn (same_key_groups): no two copies share an entry.
        self.writes = {}
        self.s3 = target_client(self.writes)
        # Receipts and next tries: a stuck PutEvents or ChangeMessageVisibilityBatch gives up
        # within the 15 s DEADLINE_MARGIN keeps for each.
        quick = Config(
            connect_timeout=2,
            read_timeout=2,
            retries={"mode": "standard", "max_attempts": 2},  # retries: 3 attempts in all
        )
        self.events = boto3.client("events", config=quick)
        self.sqs = boto3.client("sqs", config=quick)

    @classmethod
    def current(cls) -> "CopyContext":
        """The environment's context, built anew when a variable it was built from has changed.

        Were two invocations to race (Lambda runs one at a time), each would use the one it got.
        """
        built_from = tuple(os.environ.get(name) for name in BUILT_FROM)
        current = cls._kept
        if current is None or current.built_from != built_from:
            current = cls._kept = cls(built_from)
        return current


def settings() -> dict:
    """The environment the function needs, read once per context; missing variables are an error."""
    missing = [name for name in SETTINGS if not os.environ.get(name)]
    if missing:
        raise RuntimeError(f"missing environment variables: {', '.join(missing)}")
    return {name: os.environ[name] for name in SETTINGS}


def target_client(writes: dict):
    """An S3 client whose final writes carry the condition registered for their (bucket, key),
    and note there the VersionId S3 answered (s3transfer returns no answer)."""
    config = Config(
        max_pool_connections=BATCH_SIZE * 6,
        connect_timeout=10,
        read_timeout=READ_TIMEOUT,  # per attempt; see DEADLINE_MARGIN
        retries={"mode": "standard", "max_attempts": 3},
    )
    s3 = boto3.client("s3", config=config)

    def find_write(params: dict, context: dict, **_) -> None:
        context["write"] = writes.get((params["Bucket"], params["Key"]), {})

    def add_condition(request, **_) -> None:
        for header, value in request.context["write"].items():
            request.headers[header] = value

    # after-call comes once the request was signed and sent for the last time: the version
    # noted among the headers is never sent.
    def note_version(parsed: dict, context: dict, **_) -> None:
        context["write"]["VersionId"] = parsed.get("VersionId")

    # s3transfer passes no condition to its requests, and a Lambda runtime's bundled botocore
    # may predate the IfMatch/IfNoneMatch parameters: the headers are added to the request.
    hooks = {
        "before-parameter-build": find_write,
        "before-sign": add_condition,
        "after-call": note_version,
    }
    for operation in ("PutObject", "CompleteMultipartUpload"):
        for event, hook in hooks.items():
            s3.meta.events.register(f"{event}.s3.{operation}", hook)
    return s3
