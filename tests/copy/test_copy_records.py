"""How the copy function reads a batch: each body parsed and type-checked, records grouped by key.

Pure functions, tested with plain inputs and outputs (no server), on the source and the inlined
code alike.
"""

from __future__ import annotations

import json

import pytest

URL = "https://bucket.s3.eu-west-1.amazonaws.com/a.zip?X-Amz-Signature=x"
SHA256 = "ab" * 32


def body(**fields) -> str:
    return json.dumps({"ArtifactUrl": URL, "ArtifactKey": "a.zip", **fields})


def record(message_id: str, raw) -> dict:
    return {"messageId": message_id, "body": raw}


@pytest.mark.parametrize(
    "fields",
    [{}, {"ArtifactSize": 0}, {"ArtifactSize": 2**40, "ArtifactSha256": SHA256.upper()}],
    ids=["required-only", "empty-artifact", "size-and-sha256"],
)
def test_parse_returns_a_valid_message_as_sent(fields, copy_files):
    # GIVEN a body with the required fields and valid optional ones WHEN parsed THEN it is the
    # message, unchanged
    assert copy_files.parse(body(**fields)) == json.loads(body(**fields))


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "body is not JSON"),
        ("not json", "body is not JSON"),
        ('["a.zip"]', "body is not a JSON object"),
        ('"a.zip"', "body is not a JSON object"),
        (json.dumps({"ArtifactKey": "a.zip"}), "ArtifactUrl is missing or not a string"),
        (json.dumps({"ArtifactUrl": URL, "ArtifactKey": 5}), "ArtifactKey is missing or not"),
        (body(ArtifactSize=-1), "ArtifactSize must be a non-negative integer"),
        (body(ArtifactSize="5"), "ArtifactSize must be a non-negative integer"),
        (body(ArtifactSize=1.0), "ArtifactSize must be a non-negative integer"),
        (body(ArtifactSize=True), "ArtifactSize must be a non-negative integer"),
        (body(ArtifactSha256="ab" * 31), "ArtifactSha256 must be 64 hex digits"),
        (body(ArtifactSha256="zz" * 32), "ArtifactSha256 must be 64 hex digits"),
        (body(ArtifactSha256=SHA256 + "\n"), "ArtifactSha256 must be 64 hex digits"),
    ],
    ids=[
        "none",
        "not-json",
        "array",
        "string",
        "no-url",
        "key-not-string",
        "negative-size",
        "size-string",
        "size-float",
        "size-bool",
        "sha256-short",
        "sha256-not-hex",
        "sha256-newline",
    ],
)
def test_parse_refuses_a_bad_body_saying_what_is_wrong(raw, reason, copy_files):
    # GIVEN a malformed body WHEN parsed THEN the module's own error (CopyError, whatever the
    # minifier named it; not a TypeError or KeyError of the parsing) says what is wrong
    with pytest.raises(Exception, match=reason) as raised:
        copy_files.parse(raw)
    assert type(raised.value).__module__ == copy_files.__name__


def test_records_of_one_key_form_one_group_in_arrival_order(copy_files):
    # GIVEN records for keys a, b, a, c, b WHEN grouped
    keys = ["a", "b", "a", "c", "b"]
    records = [record(f"m{i}", body(ArtifactKey=key)) for i, key in enumerate(keys)]
    groups = copy_files.same_key_groups(records)
    # THEN each key has one group, in the order the key first came, its records in order
    assert [[r["messageId"] for r in group] for group in groups] == [
        ["m0", "m2"],
        ["m1", "m4"],
        ["m3"],
    ]


def test_records_without_a_readable_key_each_form_a_group_of_their_own(copy_files):
    # GIVEN unreadable bodies, bodies without a string key, and two readable ones for one key
    records = [
        record("m0", "not json"),
        record("m1", "not json"),
        record("m2", None),
        record("m3", json.dumps({"ArtifactKey": 5})),
        record("m4", json.dumps({"ArtifactKey": 5})),
        record("m5", "[]"),
        record("m6", body()),
        record("m7", body()),
    ]
    # WHEN grouped THEN each unreadable record is alone (parse reports it), the readable share one
    groups = copy_files.same_key_groups(records)
    assert [[r["messageId"] for r in group] for group in groups] == [
        ["m0"],
        ["m1"],
        ["m2"],
        ["m3"],
        ["m4"],
        ["m5"],
        ["m6", "m7"],
    ]


def test_an_empty_batch_has_no_groups(copy_files):
    assert copy_files.same_key_groups([]) == []
