"""JSON templates whose encoder writes "/" as "\\/" (PHP's json_encode does by default).

References are rewritten as in any template and keep the escaped form; names that merely
contain the bucket name stay untouched, escaped or not.
"""

from __future__ import annotations

import json

import pytest

from tests.rewrite import test_references as references
from tests.rewrite.names import SOURCE, TARGET

S, T = SOURCE, TARGET
KEY = "stacks/app.json"


def escaped(text: str) -> str:
    """`text` with every "/" written as JSON's "\\/"."""
    return text.replace("/", "\\/")


def json_template(value: str) -> str:
    """A JSON template (as PHP encodes it) whose only property holds the string `value`."""
    document = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"Stack": {"Type": "AWS::CloudFormation::Stack", "Properties": {}}},
    }
    text = json.dumps(document).replace('"Properties": {}', '"Properties": {"Value": "@"}')
    return escaped(text).replace("@", value)


# Every plain reference case (test_references) with a "/" to escape that can stand inside a JSON
# string as it is (no quote, backslash or newline: those forms are YAML's), and what it becomes.
REWRITTEN = {
    name: case
    for name, case in references.REWRITTEN.items()
    if "/" in case[0] and not {'"', "\\", "\n"} & set(case[0])
}

LEFT_ALONE = {
    "longer name in a uri": f"s3://{S}-logs/k",
    "prefixed name in a url": f"https://my-{S}.s3.amazonaws.com/a",
    "dotted name in a path": f"https://s3.amazonaws.com/{S}.backup/a",
    "suffixed name in an arn": f"arn:aws:s3:::{S}x/*",
    "other bucket, key segment": f"s3://other/{S}/k",
    "other bucket, virtual": f"https://other.s3.eu-west-1.amazonaws.com/{S}/a.json",
    "other bucket, path style": f"https://s3.eu-west-1.amazonaws.com/other/{S}/a.json",
    "key starting with the name": f"{S}/functions/app.zip",
    "key segment": f"functions/{S}/app.zip",
    "host under another domain": f"https://{S}.s3.amazonaws.com.example.org/a",
    "sub variable": f"${{{S}}}/a",
}


@pytest.mark.parametrize(("value", "expected"), REWRITTEN.values(), ids=REWRITTEN.keys())
def test_escaped_reference_is_rewritten_and_stays_escaped(rewrite, value, expected):
    """GIVEN a JSON template that writes a reference with "\\/"
    WHEN it is rewritten
    THEN the reference names the target bucket (and region), still written with "\\/"."""
    out = rewrite(json_template(escaped(value)), key=KEY)

    assert out.decode() == json_template(escaped(expected))


@pytest.mark.parametrize("value", LEFT_ALONE.values(), ids=LEFT_ALONE.keys())
def test_escaped_names_that_contain_the_bucket_name_are_left_alone(rewrite, value):
    """GIVEN a JSON template with "\\/" whose only mention of the name is inside another token
    THEN nothing changes (None: the artifact is copied as it is)."""
    assert rewrite(json_template(escaped(value)), key=KEY) is None


@pytest.fixture
def nested_stack_template() -> dict:
    """A template with a nested stack, a Lambda bundle and a bucket policy in the bucket."""
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Nested": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {"TemplateURL": f"https://{S}.s3.amazonaws.com/n/a.json"},
            },
            "Function": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Code": {"S3Bucket": S, "S3Key": f"{S}/app.zip"}},
            },
            "Policy": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "PolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "s3:GetObject",
                                "Resource": [f"arn:aws:s3:::{S}/*", f"arn:aws:s3:::{S}-logs/*"],
                            }
                        ]
                    }
                },
            },
            "Copy": {"Type": "Custom::Copy", "Properties": {"From": f"s3://{S}/k/x.zip"}},
        },
    }


def test_php_encoded_template_is_rewritten_like_its_plain_encoding(rewrite, nested_stack_template):
    """GIVEN one template encoded plainly and as PHP does ("\\/")
    WHEN both are rewritten
    THEN the escaped output is the plain output with "/" escaped: same references, same form."""
    plain = json.dumps(nested_stack_template, indent=2)

    out_plain = rewrite(plain, key=KEY).decode()
    out_escaped = rewrite(escaped(plain), key=KEY).decode()

    assert out_escaped == escaped(out_plain)
    assert json.loads(out_escaped) == json.loads(out_plain)
    resources = json.loads(out_plain)["Resources"]
    assert (
        resources["Nested"]["Properties"]["TemplateURL"] == f"https://{T}.s3.amazonaws.com/n/a.json"
    )
    assert resources["Function"]["Properties"]["Code"] == {"S3Bucket": T, "S3Key": f"{S}/app.zip"}
    assert resources["Copy"]["Properties"]["From"] == f"s3://{T}/k/x.zip"
    statement = resources["Policy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Resource"] == [f"arn:aws:s3:::{T}/*", f"arn:aws:s3:::{S}-logs/*"]
