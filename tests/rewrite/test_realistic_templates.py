"""Whole templates as a distributor ships them, rewritten byte for byte.

Bucket dist-artifacts in eu-west-1 becomes dist-artifacts-copy in eu-central-1 (see names.py).
Each template and its expected output is written out in full in templates/ (`app.yaml` and
`app.rewritten.yaml`, likewise JSON), so any byte the rewriter touches by mistake fails.
"""

from __future__ import annotations

import json
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"


def template(name: str) -> str:
    """templates/<name>, byte for byte (no newline translation)."""
    return (TEMPLATES / name).read_bytes().decode()


YAML_TEMPLATE, YAML_EXPECTED = template("app.yaml"), template("app.rewritten.yaml")
JSON_TEMPLATE, JSON_EXPECTED = template("app.json"), template("app.rewritten.json")


def test_yaml_template_is_rewritten_byte_for_byte(rewrite):
    """GIVEN a YAML template naming the distribution bucket in every way a template does
    WHEN it is rewritten
    THEN every reference names the target bucket (and region), and nothing else changed."""
    assert rewrite(YAML_TEMPLATE).decode() == YAML_EXPECTED


def test_crlf_line_endings_are_kept(rewrite):
    """GIVEN the same template with Windows line endings
    THEN the output keeps every CR LF and rewrites the same references."""
    crlf, expected = (text.replace("\n", "\r\n") for text in (YAML_TEMPLATE, YAML_EXPECTED))

    assert rewrite(crlf, key="stacks/app.template").decode() == expected


def test_json_template_is_rewritten_textually_keeping_its_layout(rewrite):
    """GIVEN a hand-formatted JSON template
    WHEN it is rewritten
    THEN its layout stays byte for byte (it is not re-serialized) and it is still valid JSON."""
    out = rewrite(JSON_TEMPLATE, key="stacks/app.json")

    assert out.decode() == JSON_EXPECTED
    assert json.loads(out)["Parameters"]["ArtifactBucket"]["Default"] == "dist-artifacts-copy"


def test_minified_json_template_stays_minified(rewrite):
    """GIVEN a JSON template on one line, without any whitespace
    THEN only the bucket changes."""
    body = '{"Resources":{"B":{"Properties":{"Bucket":"dist-artifacts","K":"dist-artifacts-x"}}}}'

    out = rewrite(body, key="app.json")

    assert out == (
        b'{"Resources":{"B":{"Properties":{"Bucket":"dist-artifacts-copy","K":"dist-artifacts-x"}}}}'
    )


def test_byte_order_mark_and_unicode_are_kept(rewrite):
    """GIVEN a UTF-8 template with a byte order mark and non-ASCII text
    THEN both survive and the bucket is rewritten."""
    body = "\ufeffResources: # Überblick — 構成\n  B: {Properties: {Bucket: dist-artifacts}}\n"

    out = rewrite(body.encode())

    expected = (
        "\ufeffResources: # Überblick — 構成\n  B: {Properties: {Bucket: dist-artifacts-copy}}\n"
    )
    assert out == expected.encode()
    assert out.startswith(b"\xef\xbb\xbf")


def test_json_template_with_byte_order_mark_is_recognised(rewrite):
    """GIVEN a JSON template saved with a byte order mark (json.loads alone refuses it)
    THEN it is still recognised and rewritten."""
    body = '\ufeff{"Resources": {"B": {"Properties": {"Bucket": "dist-artifacts"}}}}'

    out = rewrite(body.encode(), key="t.json")

    expected = '\ufeff{"Resources": {"B": {"Properties": {"Bucket": "dist-artifacts-copy"}}}}'
    assert out == expected.encode()
