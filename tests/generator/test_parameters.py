"""Parameters: the contract in ARCHITECTURE.md, each validating its input, grouped."""

from __future__ import annotations

import re

import pytest

from generator.consumer.defaults import DefaultsError, check_defaults

CONTRACT_DEFAULTS = {
    "DistributionTopic": "arn:aws:sns:eu-west-1:529985782713:"
    "build-artifact-distributor-DistributionTopic-1A5L07HYRFVRA",
    "DistributionRegion": "eu-west-1",
    "DistributionBucket": "tts-cloud-artifacts-529985782713-eu-west-1",
    "InitialDistributionRole": "arn:aws:iam::529985782713:role/TriggerInitSetRole",
    "InitialDistributionSetMachine": "arn:aws:states:eu-west-1:529985782713:"
    "stateMachine:InitSetRetrieverMachine-i1BYUlZbD1Si",
    "TargetBucket": "!NO_VALUE",
    "TriggerVersion": "1.0",
}

# Values a user could type by mistake: each must be refused before anything is created.
BAD_VALUES = {
    "DistributionTopic": [
        "",
        "my-topic",
        "arn:aws:sqs:eu-west-1:529985782713:q",
        "arn:aws:sns:eu-west-1:52998578271:t",
    ],
    # The last one matches the region grammar, but is longer than a region name may be (50).
    "DistributionRegion": ["", "EU-WEST-1", "eu-west", "eu_west_1", "us-" + "a" * 46 + "-1"],
    "DistributionBucket": ["", "Upper-Case", "ab", "bucket/", "s3://bucket"],
    "InitialDistributionRole": ["", "TriggerInitSetRole", "arn:aws:iam::529985782713:user/x"],
    "InitialDistributionSetMachine": ["", "arn:aws:states:eu-west-1:529985782713:activity:x"],
    "TargetBucket": ["NO_VALUE", "Bad_Bucket", "x"],
    "TriggerVersion": ["", "two words", "v" * 65],
    "BucketNameParameterName": [
        "",
        "no-leading-slash",
        "/trailing/",
        "/aws/reserved",
        "/SSM/reserved",
        "/" + "x" * 1011,
        "/" + "/".join(["x" * 100] * 11),  # 1,111 characters: over MaxLength 1,011
    ],
    "AlarmTopicName": ["arn:aws:sns:eu-west-1:123456789012:alarms", "two words"],
    "TargetBucketKmsKey": ["alias/aws/s3", "arn:aws:kms:eu-west-1:123456789012:alias/x"],
    "DetailedMonitoring": ["", "True", "yes", "1", "true "],
    "ReceiptEventBusArn": [
        "receipts",
        "arn:aws:events:eu-west-1:123456789012:rule/receipts",
        "arn:aws:events:eu-west-1:12345678901:event-bus/receipts",
        "arn:aws:sns:eu-west-1:123456789012:event-bus/receipts",
        # A default bus would be this stack's own in the central account: the rule would loop.
        "arn:aws:events:eu-west-1:123456789012:event-bus/default",
        "arn:aws:events:eu-west-1:123456789012:event-bus/",
    ],
}

GOOD_VALUES = {
    "DistributionTopic": ["arn:aws-us-gov:sns:us-gov-west-1:123456789012:artifacts"],
    "DistributionRegion": [
        "ap-southeast-2",
        "us-gov-west-1",
        "il-central-1",
        "mx-central-1",
        "ap-southeast-7",
        "us-isob-east-1",
        "eusc-de-east-1",
        "cn-northwest-1",
    ],
    "DistributionBucket": ["my.artifacts-bucket"],
    "InitialDistributionRole": ["arn:aws:iam::123456789012:role/path/to/Role+x"],
    "TargetBucket": ["", "!NO_VALUE", "existing-bucket"],
    "TriggerVersion": ["2", "2026-11-27.1"],
    "AlarmTopicName": ["", "ops-alerts"],
    "InitialDistributionSetMachine": [
        "arn:aws-cn:states:cn-north-1:123456789012:stateMachine:Initial_Set-1",
        "arn:aws-iso-b:states:us-isob-east-1:123456789012:stateMachine:m",
    ],
    "BucketNameParameterName": ["/build-artifact-consumer/bucket-name", "/team.a/b_c-d"],
    "TargetBucketKmsKey": ["", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef"],
    "DetailedMonitoring": ["true", "false"],
    "ReceiptEventBusArn": [
        "",
        "arn:aws:events:eu-west-1:123456789012:event-bus/build-artifact-receipts",
        "arn:aws-cn:events:cn-north-1:123456789012:event-bus/org.receipts_v2",
        "arn:aws:events:us-east-1:123456789012:event-bus/default-receipts",
    ],
}


def matches(parameter: dict, value: str) -> bool:
    """CloudFormation's check: within MaxLength, and one of AllowedValues or all of it
    AllowedPattern."""
    if len(value) > parameter["MaxLength"]:
        return False
    if "AllowedValues" in parameter:
        return value in parameter["AllowedValues"]
    return re.fullmatch(parameter["AllowedPattern"], value) is not None


def test_contract_parameters_keep_their_names_and_defaults(template):
    params = template["Parameters"]
    for name, default in CONTRACT_DEFAULTS.items():
        assert params[name]["Default"] == default


def test_added_parameters_have_safe_defaults(template):
    params = template["Parameters"]
    assert params["BucketNameParameterName"]["Default"] == "/build-artifact-consumer/bucket-name"
    assert params["AlarmTopicName"]["Default"] == ""
    assert params["TargetBucketKmsKey"]["Default"] == ""
    # Fleet visibility costs money: off unless asked for.
    assert params["DetailedMonitoring"]["Default"] == "false"
    assert params["DetailedMonitoring"]["AllowedValues"] == ["true", "false"]
    assert params["ReceiptEventBusArn"]["Default"] == ""


def test_every_parameter_validates_and_explains(template):
    for name, parameter in template["Parameters"].items():
        assert parameter["Type"] == "String"
        assert parameter["ConstraintDescription"], name
        assert parameter["Description"], name
        assert matches(parameter, parameter["Default"]), f"{name} refuses its own default"


@pytest.mark.parametrize(
    ("name", "value"), [(n, v) for n, values in BAD_VALUES.items() for v in values]
)
def test_wrong_values_are_refused(template, name, value):
    assert not matches(template["Parameters"][name], value)


@pytest.mark.parametrize(
    ("name", "value"), [(n, v) for n, values in GOOD_VALUES.items() for v in values]
)
def test_valid_values_in_any_partition_are_accepted(template, name, value):
    assert matches(template["Parameters"][name], value)


def test_console_groups_every_parameter_under_its_own_name(template):
    interface = template["Metadata"]["AWS::CloudFormation::Interface"]
    grouped = [p for group in interface["ParameterGroups"] for p in group["Parameters"]]
    assert sorted(grouped) == sorted(template["Parameters"])
    # No labels: the console shows the names StackSets and the CLI use (ParameterKey=...).
    assert "ParameterLabels" not in interface


def test_monitoring_parameters_share_one_console_group(template):
    groups = template["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
    (monitoring,) = [g for g in groups if g["Label"]["default"].startswith("Monitoring")]
    assert monitoring["Parameters"] == [
        "AlarmTopicName",
        "DetailedMonitoring",
        "ReceiptEventBusArn",
    ]


def test_baked_defaults_are_checked_against_allowed_values_too():
    # GIVEN an organisation that wants detailed monitoring everywhere, or misspells it
    # THEN the allowed values are accepted and anything else is one clear error
    assert check_defaults({"DetailedMonitoring": "true"}) == {"DetailedMonitoring": "true"}
    with pytest.raises(DefaultsError, match="DetailedMonitoring is 'yes': must be true or false"):
        check_defaults({"DetailedMonitoring": "yes"})


def test_baked_defaults_are_checked_against_max_length():
    # GIVEN a topic ARN that the pattern accepts but that is longer than any can be (its region
    # name is longer than a region name may be)
    topic = f"arn:aws:sns:us-{'a' * 55}-1:529985782713:{'t' * 256}"
    # THEN it is refused, naming the parameter, the value's length and the MaxLength
    with pytest.raises(DefaultsError, match="Topic is 342 characters long, over its MaxLength 339"):
        check_defaults({"DistributionTopic": topic})
