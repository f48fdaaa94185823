"""The distributor template's rules, read from the emitted template (moto models no policies).

GIVEN the distributor template as `python -m generator --stack distributor` builds it
THEN every cross-account Allow is confined to the organisation or the listed accounts, in every
 combination of the two parameters, and the resources are configured as the contract says.
"""

from __future__ import annotations

import itertools
import json
import re

import jmespath
import pytest

from generator.consumer.defaults import check_defaults
from generator.consumer.docs import README
from generator.consumer.parameters import SPECS as CONSUMER_SPECS
from generator.distributor.defaults import DefaultsError
from generator.distributor.defaults import check_defaults as check_distributor_defaults
from generator.distributor.template import CONSUMER_OUTPUTS, DEFAULTS_QUERY
from generator.inline import inline_handler
from testkit.handlers import emitted_template

CONFINING_KEYS = {"aws:PrincipalOrgID", "aws:PrincipalAccount"}


@pytest.fixture(scope="module")
def template() -> dict:
    return emitted_template("distributor")


@pytest.fixture(scope="module")
def resources(template) -> dict:
    return template["Resources"]


def resolve_ifs(value, conditions: dict[str, bool]):
    """`value` with each Fn::If decided by `conditions` and AWS::NoValue left out of lists."""
    if isinstance(value, list):
        resolved = [resolve_ifs(item, conditions) for item in value]
        return [item for item in resolved if item != {"Ref": "AWS::NoValue"}]
    if isinstance(value, dict):
        if set(value) == {"Fn::If"}:
            name, yes, no = value["Fn::If"]
            return resolve_ifs(yes if conditions[name] else no, conditions)
        return {key: resolve_ifs(item, conditions) for key, item in value.items()}
    return value


COMBINATIONS = [
    {"HasOrganization": org, "HasConsumerAccounts": accounts}
    for org, accounts in itertools.product([True, False], repeat=2)
    if org or accounts
]


def allow_statements(resources: dict, conditions: dict[str, bool]) -> list[tuple[str, dict]]:
    """(resource, statement) for every Allow in every policy of the stack, as deployed."""
    found = []
    for logical_id, resource in resources.items():
        if "Condition" in resource and not conditions.get(resource["Condition"], True):
            continue
        props = resolve_ifs(resource.get("Properties", {}), conditions)
        documents = [
            props.get("PolicyDocument"),
            props.get("AssumeRolePolicyDocument"),
            *[p["PolicyDocument"] for p in props.get("Policies", [])],
        ]
        if "Statement" in props and isinstance(props["Statement"], dict):
            documents.append({"Statement": [props["Statement"]]})
        for document in documents:
            if isinstance(document, dict) and "Fn::Sub" in document:  # a Logs resource policy
                document = json.loads(document["Fn::Sub"][0])
            for statement in (document or {}).get("Statement", []):
                if statement["Effect"] == "Allow":
                    found.append((logical_id, statement))
    return found


def confining(statement: dict) -> set[str]:
    """The condition keys of `statement` that confine its principals to the consumers."""
    return set(statement.get("Condition", {}).get("StringEquals", {})) & CONFINING_KEYS


@pytest.mark.parametrize("conditions", COMBINATIONS, ids=lambda c: "+".join(k for k in c if c[k]))
def test_every_allow_for_any_principal_is_confined_to_the_consumers(resources, conditions):
    for logical_id, statement in allow_statements(resources, conditions):
        principal = statement.get("Principal")
        if principal is None or (isinstance(principal, dict) and "Service" in principal):
            continue  # identity policies, and AWS services under their own conditions
        assert principal == "*", f"{logical_id}: unexpected principal {principal}"
        assert len(confining(statement)) == 1, f"{logical_id}: {statement} admits anyone"


@pytest.mark.parametrize("conditions", COMBINATIONS, ids=lambda c: "+".join(k for k in c if c[k]))
def test_each_given_kind_of_consumer_is_admitted_and_no_other(resources, conditions):
    expected = {
        key
        for key, given in (
            ("aws:PrincipalOrgID", conditions["HasOrganization"]),
            ("aws:PrincipalAccount", conditions["HasConsumerAccounts"]),
        )
        if given
    }
    admitted = {}
    for _, statement in allow_statements(resources, conditions):
        if statement.get("Principal") == "*":
            admitted.setdefault(tuple(statement["Action"]), set()).update(confining(statement))
    assert admitted == {
        ("sns:Subscribe",): expected,
        ("sts:AssumeRole",): expected,
        ("events:PutEvents",): expected,
    }


def test_the_confining_values_are_the_parameters(resources):
    conditions = {"HasOrganization": True, "HasConsumerAccounts": True}
    for _, statement in allow_statements(resources, conditions):
        equals = statement.get("Condition", {}).get("StringEquals", {})
        if "aws:PrincipalOrgID" in equals:
            assert equals["aws:PrincipalOrgID"] == {"Ref": "OrganizationId"}
        if "aws:PrincipalAccount" in equals:
            assert equals["aws:PrincipalAccount"] == {
                "Fn::Split": [",", {"Ref": "ConsumerAccountIds"}]
            }


def test_topic_policy_admits_only_subscribing_own_queues(resources):
    statements = resources["DistributionTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    for wrapped in statements:
        statement = wrapped["Fn::If"][1]
        assert statement["Action"] == ["sns:Subscribe"]
        assert statement["Resource"] == [{"Ref": "DistributionTopic"}]
        assert statement["Condition"]["StringEquals"]["sns:Protocol"] == "sqs"
        endpoint = statement["Condition"]["ArnLike"]["sns:Endpoint"]["Fn::Sub"]
        assert endpoint == "arn:${AWS::Partition}:sqs:*:${!aws:PrincipalAccount}:*"


def test_initial_distribution_role_trusts_only_roles_and_only_starts_the_machine(resources):
    role = resources["InitialDistributionRole"]["Properties"]
    for wrapped in role["AssumeRolePolicyDocument"]["Statement"]:
        statement = wrapped["Fn::If"][1]
        assert statement["Action"] == ["sts:AssumeRole"]
        assert statement["Condition"]["ArnLike"] == {
            "aws:PrincipalArn": {"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/*"}
        }
    (policy,) = role["Policies"]
    assert policy["PolicyDocument"]["Statement"] == [
        {
            "Action": ["states:StartExecution"],
            "Effect": "Allow",
            "Resource": [{"Ref": "InitialDistributionSetMachine"}],
        }
    ]


def test_receipt_bus_policies_exist_per_kind_of_consumer(resources):
    policies = {k: v for k, v in resources.items() if v["Type"] == "AWS::Events::EventBusPolicy"}
    assert {v["Condition"] for v in policies.values()} == {"HasOrganization", "HasConsumerAccounts"}
    for policy in policies.values():
        assert policy["Properties"]["EventBusName"] == {"Fn::GetAtt": ["ReceiptEventBus", "Name"]}
        assert policy["Properties"]["Statement"]["Action"] == ["events:PutEvents"]


def test_someone_must_be_allowed_to_consume(template):
    (rule,) = template["Rules"].values()
    (assertion,) = rule["Assertions"]
    assert assertion["Assert"] == {
        "Fn::Or": [
            {"Fn::Not": [{"Fn::Equals": [{"Ref": "OrganizationId"}, ""]}]},
            {"Fn::Not": [{"Fn::Equals": [{"Ref": "ConsumerAccountIds"}, ""]}]},
        ]
    }


@pytest.mark.parametrize(
    ("name", "good", "bad"),
    [
        (
            "OrganizationId",
            ["", "o-a1b2c3d4e5", "o-" + "a" * 32],
            ["o-short", "o-A1B2C3D4E5", "r-a1b2c3d4e5"],
        ),
        (
            "ConsumerAccountIds",
            ["", "111122223333", "111122223333,444455556666"],
            ["1111", "111122223333,", "111122223333, 444455556666", "ALL"],
        ),
    ],
)  # fmt: skip
def test_who_may_consume_is_validated(template, name, good, bad):
    parameter = template["Parameters"][name]
    pattern = parameter["AllowedPattern"]
    assert [v for v in good if not re.fullmatch(pattern, v)] == []
    assert [v for v in bad if re.fullmatch(pattern, v)] == []
    assert parameter["Default"] == ""


def test_every_string_parameter_has_a_max_length(template):
    for name, parameter in template["Parameters"].items():
        if parameter["Type"] == "String":
            assert parameter.get("MaxLength", 0) > 0, name
            assert len(parameter["Default"]) <= parameter["MaxLength"]
    assert template["Parameters"]["ConsumerAccountIds"]["MaxLength"] == 200 * 13 - 1


def test_bucket_is_retained_private_encrypted_versioned_and_announces_to_eventbridge(resources):
    bucket = resources["DistributionBucket"]
    props = bucket["Properties"]
    assert bucket["DeletionPolicy"] == bucket["UpdateReplacePolicy"] == "Retain"
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert all(props["PublicAccessBlockConfiguration"].values())
    rule = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert props["NotificationConfiguration"] == {
        "EventBridgeConfiguration": {"EventBridgeEnabled": True}
    }
    policy = resources["DistributionBucketPolicy"]["Properties"]["PolicyDocument"]
    (deny,) = policy["Statement"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_publisher_runs_on_the_buckets_object_created_events_and_keeps_failures(resources):
    rule = resources["PublishOnObjectCreated"]["Properties"]
    assert rule["EventPattern"] == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [{"Ref": "DistributionBucket"}]}},
    }
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["PublisherFunction", "Arn"]}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    dlq = {"Fn::GetAtt": ["PublishDeadLetterQueue", "Arn"]}
    assert target["DeadLetterConfig"] == {"Arn": dlq}
    invoke = resources["PublisherFunctionInvokeConfig"]["Properties"]
    assert invoke["DestinationConfig"] == {"OnFailure": {"Destination": dlq}}
    alarm = resources["PublishDeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"][0]["Value"] == {
        "Fn::GetAtt": ["PublishDeadLetterQueue", "QueueName"]
    }
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    permission = resources["PublisherFunctionPermission"]["Properties"]
    assert permission["SourceArn"] == {"Fn::GetAtt": ["PublishOnObjectCreated", "Arn"]}


def test_publisher_role_reads_the_bucket_and_publishes_to_the_topic_only(resources):
    (policy,) = resources["PublisherFunctionRole"]["Properties"]["Policies"]
    actions = {a for s in policy["PolicyDocument"]["Statement"] for a in s["Action"]}
    assert actions == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:GetObjectTagging",
        "s3:GetObjectVersionTagging",
        "s3:ListBucket",
        "sns:Publish",
        "sqs:SendMessage",
    }


def test_machine_loops_over_the_function_while_it_returns_a_token(resources):
    machine = resources["InitialDistributionSetMachine"]["Properties"]
    text, variables = machine["DefinitionString"]["Fn::Sub"]
    definition = json.loads(text)
    assert variables == {"Function": {"Fn::GetAtt": ["InitialSetFunction", "Arn"]}}
    task = definition["States"][definition["StartAt"]]
    assert task["Parameters"] == {"FunctionName": "${Function}", "Payload.$": "$"}
    assert task["OutputPath"] == "$.Payload"
    (choice,) = definition["States"][task["Next"]]["Choices"]
    assert choice == {
        "Variable": "$.ContinuationToken",
        "IsPresent": True,
        "Next": definition["StartAt"],
    }
    retried = task["Retry"][0]["ErrorEquals"]
    assert "InvalidInput" not in retried and "Refused" not in retried


def test_function_timeout_leaves_the_stop_margin(resources):
    timeout = resources["InitialSetFunction"]["Properties"]["Timeout"]
    margin = inline_handler("initial_set", "distributor").constant("STOP_MARGIN_MS")
    assert timeout * 1000 > 4 * margin


def test_receipts_reach_a_log_group_with_the_retention_parameter(resources):
    rule = resources["ReceiptsToLogGroup"]["Properties"]
    assert rule["EventBusName"] == {"Fn::GetAtt": ["ReceiptEventBus", "Name"]}
    assert rule["EventPattern"] == {"source": ["build-artifact-consumer"]}
    group = resources["ReceiptLogGroup"]["Properties"]
    assert group["RetentionInDays"] == {"Ref": "ReceiptLogRetentionDays"}
    assert group["LogGroupName"]["Fn::Sub"].startswith("/aws/events/")
    (target,) = rule["Targets"]
    assert target["Arn"]["Fn::Sub"][1] == {"Group": {"Ref": "ReceiptLogGroup"}}
    assert resources["ReceiptsToLogGroup"]["DependsOn"] == ["ReceiptLogGroupPolicy"]


def test_outputs_are_the_consumers_parameters_and_the_log_group(template):
    assert set(template["Outputs"]) == {*CONSUMER_OUTPUTS, "ReceiptLogGroup"}
    consumer = {spec.name for spec in CONSUMER_SPECS}
    assert set(CONSUMER_OUTPUTS) <= consumer


def describe_stacks(outputs: dict[str, str]) -> dict:
    """A DescribeStacks answer for a stack with `outputs`, as the AWS CLI reads it."""
    return {
        "Stacks": [
            {
                "StackName": "build-artifact-distributor",
                "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()],
            }
        ]
    }


DEPLOYED = {
    "DistributionTopic": "arn:aws:sns:eu-west-1:111122223333:dist-DistributionTopic-AbC123",
    "DistributionRegion": "eu-west-1",
    "DistributionBucket": "dist-distributionbucket-1x2y3z4w5v6u",
    "InitialDistributionRole": "arn:aws:iam::111122223333:role/dist-InitialDistributionRole-Q1",
    "InitialDistributionSetMachine": (
        "arn:aws:states:eu-west-1:111122223333:stateMachine:InitialDistributionSetMachine-x1Y2"
    ),
    "ReceiptEventBusArn": "arn:aws:events:eu-west-1:111122223333:event-bus/dist-receipts",
    "ReceiptLogGroup": "/aws/events/dist-receipts",
}


def test_the_documented_query_turns_outputs_into_consumer_defaults():
    defaults = jmespath.search(DEFAULTS_QUERY, describe_stacks(DEPLOYED))
    assert defaults == {name: DEPLOYED[name] for name in CONSUMER_OUTPUTS}
    assert check_defaults(defaults) == defaults  # the consumer's loader accepts them


def test_distributor_defaults_need_someone_to_consume():
    assert check_distributor_defaults({"OrganizationId": "o-a1b2c3d4e5"})
    assert check_distributor_defaults(
        {"ReceiptLogRetentionDays": 30, "ConsumerAccountIds": "111122223333"}
    )
    with pytest.raises(DefaultsError, match="set OrganizationId, ConsumerAccountIds or both"):
        check_distributor_defaults({"PresignedUrlSeconds": "900"})
    with pytest.raises(DefaultsError, match="PresignedUrlSeconds"):
        check_distributor_defaults({"OrganizationId": "o-a1b2c3d4e5", "PresignedUrlSeconds": "60"})
    with pytest.raises(DefaultsError, match="unknown parameter 'TargetBucket'"):
        check_distributor_defaults({"TargetBucket": "x"})


@pytest.mark.parametrize("value", ["03600", "3600.0", "+3600", " 3600"])
def test_a_number_default_is_a_canonical_integer(value):
    # the worst-case size check bounds a Number by its MaxValue's digits (generator/validation.py)
    with pytest.raises(DefaultsError, match="PresignedUrlSeconds"):
        check_distributor_defaults({"OrganizationId": "o-a1b2c3d4e5", "PresignedUrlSeconds": value})


def test_readme_gives_the_query_and_explains_every_distributor_skip(resources):
    text = README.read_text(encoding="utf-8")
    assert f'--query "{DEFAULTS_QUERY}" > distributor-defaults.json' in text
    table = text.split("The distributor template's skips")[1].split("\n\n")[1]
    checks = " ".join(row.split("|")[1] for row in table.splitlines())  # the first cells
    for title, resource in resources.items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert skip["comment"], f"{title} skips {skip['id']} without a reason"
            assert skip["id"] in checks, f"README does not list {skip['id']} ({title})"
