"""Which artifacts are CloudFormation templates; every other artifact is copied byte for byte.

The rewriter answers None for an artifact it leaves alone, and the copy function then stores
exactly the bytes it downloaded.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.rewrite.names import SOURCE, TARGET, template_with

MIB = 1024 * 1024
TEMPLATE = template_with(SOURCE)
REWRITTEN = template_with(TARGET).encode()


@pytest.mark.parametrize(
    "key",
    ["app.yaml", "stacks/app.yml", "app.json", "nested/app.template", "APP.YAML", "x/App.Json"],
)
def test_template_keys_are_rewritten(rewrite, key):
    """GIVEN a template under any of the template suffixes, in any case
    THEN it is rewritten."""
    assert rewrite(TEMPLATE, key=key) == REWRITTEN


@pytest.mark.parametrize(
    "key", ["app.txt", "app.yaml.zip", "app.yaml.bak", "app", "yaml", "app.jsonl", "app.cfn"]
)
def test_other_keys_are_left_alone(rewrite, key):
    """GIVEN template content under a key without a template suffix
    THEN it is copied as it is."""
    assert rewrite(TEMPLATE, key=key) is None


def test_binary_containing_the_name_is_left_alone(rewrite):
    """GIVEN a zip archive whose entries name the bucket, even under a template suffix
    THEN it is not a template and is copied byte for byte."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{SOURCE}/Resources.yaml", TEMPLATE)
    data = buffer.getvalue()
    assert SOURCE.encode() in data

    assert rewrite(data, key="lambda.zip") is None
    assert rewrite(data, key="lambda.json") is None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(f'{{"bucket": "{SOURCE}"}}', id="json config"),
        pytest.param(f'{{"Metadata": {{"Resources": {{}}}}, "b": "{SOURCE}"}}', id="json nested"),
        pytest.param(f'[{{"Resources": {{"Bucket": "{SOURCE}"}}}}]', id="json array"),
        pytest.param(f'"Resources: {SOURCE}"', id="json string"),
        pytest.param(f"Config:\n  Resources:\n    Bucket: {SOURCE}\n", id="yaml nested key"),
        pytest.param(f"# Resources: {SOURCE}\nBucket: {SOURCE}\n", id="yaml comment"),
        pytest.param(f"ResourcesList:\n  - {SOURCE}\n", id="yaml longer key"),
        pytest.param(f"Resources:{SOURCE}\n", id="yaml scalar, not a key"),
        pytest.param(f"- Resources:\n    Bucket: {SOURCE}\n", id="yaml sequence"),
        pytest.param(f"Bucket: {SOURCE}\n", id="yaml plain"),
        pytest.param("[" * 100_000 + f'"{SOURCE}"', id="json nested too deep"),
        pytest.param("", id="empty"),
    ],
)
def test_non_templates_are_left_alone(rewrite, body):
    """GIVEN a .json or .yaml artifact that is not a CloudFormation template
    THEN it is copied byte for byte, whatever it contains."""
    assert rewrite(body, key="config.json") is None
    assert rewrite(body, key="config.yaml") is None


@pytest.mark.parametrize(
    "head",
    [
        "Resources:",
        "AWSTemplateFormatVersion: 2010-09-09\nDescription: x\nResources:",
        "'Resources' :",
        '"Resources":',
        "%YAML 1.2\n---\nResources:",
        "Description: |\n  Resources:\n    x\nResources:",
    ],
)
def test_yaml_top_level_keys_make_a_template(rewrite, head):
    """GIVEN YAML with Resources or AWSTemplateFormatVersion at column 0 (plain or quoted)
    THEN it is a template."""
    body = f"{head}\n  B:\n    Properties: {{Bucket: {SOURCE}}}\n"

    assert rewrite(body) == body.replace(SOURCE, TARGET).encode()


def test_format_version_alone_makes_a_template(rewrite):
    """GIVEN a template fragment with only AWSTemplateFormatVersion at the top level
    THEN it is a template."""
    body = f'AWSTemplateFormatVersion: "2010-09-09"\nMetadata:\n  Source: {SOURCE}\n'

    assert rewrite(body) == body.replace(SOURCE, TARGET).encode()


def padded(size: int) -> bytes:
    """A YAML template of exactly `size` bytes that refers to the bucket once."""
    head = f"Resources:\n  B:\n    Properties: {{Bucket: {SOURCE}}}\n# "
    body = head + "x" * (size - len(head) - 1) + "\n"
    assert len(body.encode()) == size
    return body.encode()


def test_template_of_exactly_the_size_limit_is_rewritten(rewrite, copy_files):
    """GIVEN a template of exactly REWRITE_MAX_BYTES (1 MiB)
    THEN it is rewritten."""
    assert copy_files.REWRITE_MAX_BYTES == MIB
    body = padded(MIB)

    assert rewrite(body) == body.replace(SOURCE.encode(), TARGET.encode())


def test_template_over_the_size_limit_is_left_alone(rewrite):
    """GIVEN a template one byte over REWRITE_MAX_BYTES
    THEN it is copied as it is (rewriting is bounded: the function holds it in memory)."""
    assert rewrite(padded(MIB + 1)) is None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(f"Resources: # caf\xe9\n  Bucket: {SOURCE}\n".encode("latin-1"), id="latin-1"),
        pytest.param(f"Resources:\n  Bucket: {SOURCE}\n".encode("utf-16"), id="utf-16"),
        pytest.param(f"Resources:\n  Bucket: {SOURCE}\n".encode() + b"\xff", id="stray byte"),
        pytest.param(f"Resources:\n  Bucket: {SOURCE}\n".encode() + b"\xe2\x82", id="truncated"),
    ],
)
def test_non_utf8_is_left_alone(rewrite, body):
    """GIVEN template-looking bytes that are not valid UTF-8
    THEN they are copied byte for byte rather than guessed at."""
    assert rewrite(body) is None


def test_template_without_the_bucket_is_left_alone(rewrite):
    """GIVEN a template that does not name the distribution bucket
    THEN there is nothing to rewrite."""
    assert rewrite(template_with("other-bucket")) is None


def test_nothing_to_do_when_source_and_target_are_the_same(rewrite):
    """GIVEN a consumer that copies into a bucket of the same name in the same region
    THEN there is nothing to rewrite."""
    url = f"https://{SOURCE}.s3.eu-west-1.amazonaws.com/a"

    assert rewrite(template_with(url), target=SOURCE, target_region="eu-west-1") is None


def test_empty_source_bucket_rewrites_nothing(rewrite):
    """GIVEN no distribution bucket name (a misconfiguration)
    THEN nothing is rewritten, rather than the target inserted everywhere."""
    assert rewrite(TEMPLATE, source="") is None
