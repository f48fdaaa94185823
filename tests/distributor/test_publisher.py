"""The publisher: one `Object Created` event in, one contract message out (ARCHITECTURE.md).

GIVEN a distribution bucket and topic on moto, and an object put into the bucket
WHEN the publisher runs on the event S3 sends to EventBridge for it (source and inlined code)
THEN the topic carries the contract message for that very version, addressed by the tags; or the
 function raises, saying why, and nothing is published.
"""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests

from tests.distributor.conftest import BUCKET, URL_SECONDS, context, object_created

ACCOUNT = "111122223333"
CONTENT = b"artifact bytes\n" * 100


def run(publisher, distribution, key: str, version: str | None):
    return publisher.handler(object_created(distribution.bucket, key, version), context())


def test_a_tagged_object_is_announced_with_the_contract_message(publisher, distribution):
    put = distribution.put("app/1.0/app.zip", CONTENT, {"account": ACCOUNT, "region": "eu-west-1"})
    result = run(publisher, distribution, "app/1.0/app.zip", put["VersionId"])
    (message,) = distribution.messages()
    body = message["body"]
    assert set(body) == {"ArtifactUrl", "ArtifactKey", "ArtifactSize", "ArtifactSha256"}
    assert body["ArtifactKey"] == "app/1.0/app.zip"
    assert body["ArtifactSize"] == len(CONTENT)
    assert body["ArtifactSha256"] == hashlib.sha256(CONTENT).hexdigest()
    assert message["attributes"] == {"account": ACCOUNT, "region": "eu-west-1"}
    assert result == {"outcome": "published", "key": "app/1.0/app.zip", "account": ACCOUNT,
                      "region": "eu-west-1"}  # fmt: skip


def test_the_url_is_a_presigned_get_of_that_version_with_the_configured_lifetime(
    publisher, distribution
):
    first = distribution.put("tool.bin", b"version one")
    run(publisher, distribution, "tool.bin", first["VersionId"])
    distribution.put("tool.bin", b"version two")  # replaced before the consumer copies it
    (message,) = distribution.messages()
    url = message["body"]["ArtifactUrl"]
    query = parse_qs(urlsplit(url).query)
    assert query["versionId"] == [first["VersionId"]]
    assert query["X-Amz-Expires"] == [str(URL_SECONDS)]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert requests.get(url, timeout=10).content == b"version one"


def test_untagged_objects_are_addressed_to_all(publisher, distribution):
    put = distribution.put("everyone.txt", b"x")
    run(publisher, distribution, "everyone.txt", put["VersionId"])
    assert distribution.messages()[0]["attributes"] == {"account": "ALL", "region": "ALL"}


def test_one_tag_alone_leaves_the_other_all(publisher, distribution):
    put = distribution.put("regional.txt", b"x", {"region": "us-east-2"})
    run(publisher, distribution, "regional.txt", put["VersionId"])
    assert distribution.messages()[0]["attributes"] == {"account": "ALL", "region": "us-east-2"}


def test_without_a_sha256_checksum_the_message_has_none(publisher, distribution):
    put = distribution.put("plain.bin", CONTENT, checksum=False)  # boto3's default CRC only
    run(publisher, distribution, "plain.bin", put["VersionId"])
    assert "ArtifactSha256" not in distribution.messages()[0]["body"]


@pytest.mark.parametrize(
    "head",
    [
        {},
        {"ChecksumCRC32": "NhCmhg=="},
        {"ChecksumSHA256": base64.b64encode(b"\x01" * 32).decode() + "-3"},  # multipart, 1.34
        {"ChecksumSHA256": base64.b64encode(b"\x01" * 32).decode(), "ChecksumType": "COMPOSITE"},
        {"ChecksumSHA256": "not base64!"},
        {"ChecksumSHA256": base64.b64encode(b"\x01" * 20).decode()},
    ],
    ids=["none", "crc32", "composite-suffix", "composite-type", "garbled", "short"],
)
def test_only_a_full_object_sha256_is_used(publisher, head):
    assert publisher.sha256_hex(head) is None


def test_a_full_object_sha256_becomes_hex(publisher):
    digest = hashlib.sha256(b"abc").digest()
    for extra in ({}, {"ChecksumType": "FULL_OBJECT"}):
        head = {"ChecksumSHA256": base64.b64encode(digest).decode(), **extra}
        assert publisher.sha256_hex(head) == digest.hex()


@pytest.mark.parametrize(
    ("tags", "named"),
    [
        ({"account": "1234"}, "account='1234'"),
        ({"account": "all"}, "account='all'"),
        ({"account": " 111122223333"}, "account=' 111122223333'"),
        ({"region": "Europe"}, "region='Europe'"),
    ],
)
def test_a_bad_tag_fails_the_run_naming_it_and_publishes_nothing(
    publisher, distribution, tags, named, capsys
):
    put = distribution.put("bad.bin", b"x", tags)
    with pytest.raises(publisher.Refused, match=named):
        run(publisher, distribution, "bad.bin", put["VersionId"])
    assert distribution.messages() == []
    (line,) = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
    assert line["outcome"] == "failed" and named in line["reason"]


def test_an_event_of_another_bucket_is_refused(publisher, distribution):
    event = object_created("some-other-bucket", "x", None)
    with pytest.raises(publisher.Refused, match=f"not for bucket {BUCKET}"):
        publisher.handler(event, context())
    assert distribution.messages() == []


def test_an_event_that_is_not_object_created_is_refused(publisher, distribution):
    event = {**object_created(distribution.bucket, "x", None), "detail-type": "Object Deleted"}
    with pytest.raises(publisher.Refused, match="not an S3 'Object Created' event"):
        publisher.handler(event, context())


def test_a_version_deleted_before_the_run_is_skipped_and_logged(publisher, distribution, capsys):
    put = distribution.put("gone.bin", b"x")
    boto3.client("s3").delete_object(Bucket=BUCKET, Key="gone.bin", VersionId=put["VersionId"])
    result = run(publisher, distribution, "gone.bin", put["VersionId"])
    assert result["outcome"] == "skipped"
    assert distribution.messages() == []
    assert '"outcome": "skipped"' in capsys.readouterr().out


def test_a_url_encoded_key_in_the_event_finds_the_object(publisher, distribution):
    put = distribution.put("with space/a+b.txt", b"x")
    run(publisher, distribution, "with+space/a%2Bb.txt", put["VersionId"])
    assert distribution.messages()[0]["body"]["ArtifactKey"] == "with space/a+b.txt"


def test_a_failed_publish_raises_so_the_event_is_retried(publisher, distribution, monkeypatch):
    put = distribution.put("x.bin", b"x")
    boto3.client("sns").delete_topic(TopicArn=distribution.topic_arn)
    with pytest.raises(Exception, match=r"NotFound|does not exist"):
        run(publisher, distribution, "x.bin", put["VersionId"])


def test_the_url_never_reaches_the_log(publisher, distribution, capsys):
    put = distribution.put("secret.bin", b"x")
    run(publisher, distribution, "secret.bin", put["VersionId"])
    url = distribution.messages()[0]["body"]["ArtifactUrl"]
    out = capsys.readouterr().out
    assert "X-Amz-Signature" not in out and urlsplit(url).query not in out
    assert json.loads(out)["outcome"] == "published"


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DISTRIBUTION_TOPIC", "my-topic"), ("URL_SECONDS", "60"), ("DISTRIBUTION_BUCKET", "")],
)
def test_a_bad_environment_is_named(publisher, distribution, monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(publisher.Refused, match="environment"):
        run(publisher, distribution, "x", None)
