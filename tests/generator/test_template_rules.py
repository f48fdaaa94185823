"""The template's rules, asserted on its dict: what a user deploying the stack relies on."""

from __future__ import annotations

import json

import pytest

import generator
from tests.generator.conftest import of_type, only

DEFAULT_BUS = "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"
TARGET_BUCKET = {"Fn::If": ["CreateNewBucket", {"Ref": "ArtifactBucket"}, {"Ref": "TargetBucket"}]}


def pick(expression, create_new_bucket: bool):
    """Evaluate every CreateNewBucket Fn::If in `expression` for one state of the condition."""
    if isinstance(expression, dict):
        if set(expression) == {"Fn::If"} and expression["Fn::If"][0] == "CreateNewBucket":
            return pick(expression["Fn::If"][1 if create_new_bucket else 2], create_new_bucket)
        return {k: pick(v, create_new_bucket) for k, v in expression.items()}
    if isinstance(expression, list):
        return [pick(v, create_new_bucket) for v in expression]
    return expression


def allow_statements(resources: dict) -> list[tuple[str, dict]]:
    """Every Allow statement of every role's inline policies, with its role's logical id."""
    found = []
    for title, role in of_type(resources, "AWS::IAM::Role").items():
        for policy in role["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                if statement["Effect"] == "Allow":
                    found.append((title, statement))
    return found


def role_actions(resources: dict, role: str) -> dict[str, list]:
    """Action -> resources granted by one role's inline policies."""
    granted: dict[str, list] = {}
    for title, statement in allow_statements(resources):
        if title == role:
            for action in statement["Action"]:
                granted.setdefault(action, []).extend(statement["Resource"])
    return granted


# --- bucket -------------------------------------------------------------------------------


def test_bucket_is_created_only_without_target_bucket(template, resources):
    condition = template["Conditions"]["CreateNewBucket"]
    assert condition == {
        "Fn::Or": [
            {"Fn::Equals": [{"Ref": "TargetBucket"}, "!NO_VALUE"]},
            {"Fn::Equals": [{"Ref": "TargetBucket"}, ""]},
        ]
    }
    assert resources["ArtifactBucket"]["Condition"] == "CreateNewBucket"
    # Retained even on a failed create: the likely failure (subscribing cross-account) goes first.
    assert resources["ArtifactBucket"]["DependsOn"] == ["DistributionSubscription"]
    assert resources["ArtifactBucketPolicy"]["Condition"] == "CreateNewBucket"


def test_bucket_is_retained_private_encrypted_versioned(resources):
    bucket = resources["ArtifactBucket"]
    props = bucket["Properties"]
    assert bucket["DeletionPolicy"] == bucket["UpdateReplacePolicy"] == "Retain"
    assert props["BucketName"] == {
        "Fn::Sub": "tts-cloud-artifacts-${AWS::AccountId}-${AWS::Region}"
    }
    sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    (rule,) = props["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled"
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}


def test_bucket_policy_denies_every_request_without_tls(resources):
    resource = resources["ArtifactBucketPolicy"]
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
    policy = resource["Properties"]
    assert policy["Bucket"] == {"Ref": "ArtifactBucket"}
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == "*"
    assert statement["Action"] == ["s3:*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statement["Resource"] == [
        {
            "Fn::Sub": [
                "arn:${AWS::Partition}:s3:::${Bucket}",
                {"Bucket": {"Ref": "ArtifactBucket"}},
            ]
        },
        {
            "Fn::Sub": [
                "arn:${AWS::Partition}:s3:::${Bucket}/*",
                {"Bucket": {"Ref": "ArtifactBucket"}},
            ]
        },
    ]


def test_every_use_of_the_target_bucket_is_one_expression(template, resources):
    uses = [
        resources["CopyFunction"]["Properties"]["Environment"]["Variables"]["TARGET_BUCKET"],
        resources["BucketNameParameter"]["Properties"]["Value"],
        template["Outputs"]["BucketName"]["Value"],
    ]
    uses += [
        r["Fn::Sub"][1]["Bucket"]
        for _, s in allow_statements(resources)
        for r in s["Resource"]
        if isinstance(r, dict) and "Fn::Sub" in r and ":s3:::" in r["Fn::Sub"][0]
    ]
    assert len(uses) == 5
    assert all(use == TARGET_BUCKET for use in uses)


@pytest.mark.parametrize(
    ("create_new_bucket", "expected"),
    [(True, {"Ref": "ArtifactBucket"}), (False, {"Ref": "TargetBucket"})],
)
def test_target_bucket_in_both_condition_states(resources, create_new_bucket, expected):
    env = pick(resources["CopyFunction"]["Properties"]["Environment"], create_new_bucket)
    assert env["Variables"]["TARGET_BUCKET"] == expected
    granted = pick(role_actions(resources, "CopyFunctionRole"), create_new_bucket)
    objects = {"Fn::Sub": ["arn:${AWS::Partition}:s3:::${Bucket}/*", {"Bucket": expected}]}
    assert granted["s3:PutObject"] == [objects]
    assert granted["s3:ListBucket"] == [
        {"Fn::Sub": ["arn:${AWS::Partition}:s3:::${Bucket}", {"Bucket": expected}]}
    ]


# --- queue and subscription ---------------------------------------------------------------


def test_queue_encrypted_with_dead_letter_queue(resources):
    queue = resources["ArtifactQueue"]["Properties"]
    dlq = resources["ArtifactDeadLetterQueue"]["Properties"]
    assert queue["SqsManagedSseEnabled"] is True and dlq["SqsManagedSseEnabled"] is True
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["ArtifactDeadLetterQueue", "Arn"]},
        "maxReceiveCount": 5,
    }
    assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600
    # A message keeps its enqueue time in the DLQ: the DLQ must keep it longer than the queue.
    assert queue["MessageRetentionPeriod"] < dlq["MessageRetentionPeriod"]


@pytest.mark.parametrize("queue", ["ArtifactQueue", "ArtifactDeadLetterQueue"])
def test_queues_go_with_the_stack(resources, queue):
    # Queued messages are requested again (initial set); a queue without its stack is useless.
    assert resources[queue]["DeletionPolicy"] == resources[queue]["UpdateReplacePolicy"] == "Delete"


def test_queue_visibility_covers_six_function_timeouts(resources):
    timeout = resources["CopyFunction"]["Properties"]["Timeout"]
    assert resources["ArtifactQueue"]["Properties"]["VisibilityTimeout"] >= 6 * timeout


def test_only_the_distribution_topic_may_send(resources):
    policy = resources["ArtifactQueuePolicy"]["Properties"]
    assert policy["Queues"] == [{"Ref": "ArtifactQueue"}]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {
        "Service": {
            "Fn::If": [
                "DistributionRegionIsOptIn",
                [
                    "sns.amazonaws.com",
                    {
                        "Fn::Sub": [
                            "sns.${Region}.amazonaws.com",
                            {"Region": {"Ref": "DistributionRegion"}},
                        ]
                    },
                ],
                "sns.amazonaws.com",
            ]
        }
    }
    assert statement["Action"] == ["sqs:SendMessage"]
    assert statement["Resource"] == [{"Fn::GetAtt": ["ArtifactQueue", "Arn"]}]
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Ref": "DistributionTopic"}}}


def equals_values(condition) -> set[str]:
    """The regions a nest of Fn::Or / Fn::Equals on DistributionRegion accepts."""
    if "Fn::Equals" in condition:
        ref, value = condition["Fn::Equals"]
        assert ref == {"Ref": "DistributionRegion"}
        return {value}
    (items,) = condition.values()
    assert 2 <= len(items) <= 10  # Fn::Or's own limits
    return set().union(*(equals_values(item) for item in items))


def test_opt_in_distribution_regions_get_the_regional_sns_principal(template):
    opt_in = equals_values(template["Conditions"]["DistributionRegionIsOptIn"])
    assert {"af-south-1", "ap-east-1", "me-south-1", "il-central-1", "mx-central-1"} <= opt_in
    assert not opt_in & {"us-east-1", "eu-west-1", "eu-central-1", "ap-northeast-1"}


def test_subscription_is_raw_filtered_and_in_the_distribution_region(resources):
    _, subscription = only(resources, "AWS::SNS::Subscription")
    props = subscription["Properties"]
    assert props["Protocol"] == "sqs"
    assert props["Endpoint"] == {"Fn::GetAtt": ["ArtifactQueue", "Arn"]}
    assert props["TopicArn"] == {"Ref": "DistributionTopic"}
    assert props["Region"] == {"Ref": "DistributionRegion"}
    assert props["RawMessageDelivery"] is True
    assert props["FilterPolicy"] == {
        "account": ["ALL", {"Ref": "AWS::AccountId"}],
        "region": ["ALL", {"Ref": "AWS::Region"}],
    }
    # SNS cannot deliver before the queue policy exists: subscribing earlier would lose messages.
    assert subscription["DependsOn"] == ["ArtifactQueuePolicy"]


# --- functions ----------------------------------------------------------------------------


def test_copy_function_contract(resources):
    props = resources["CopyFunction"]["Properties"]
    assert props["Handler"] == "index.handler"
    assert props["Runtime"] == "python3.13"
    assert props["Environment"]["Variables"] == {
        "TARGET_BUCKET": TARGET_BUCKET,
        "DISTRIBUTION_BUCKET": {"Ref": "DistributionBucket"},
        "DISTRIBUTION_REGION": {"Ref": "DistributionRegion"},
        "EMIT_METRICS": {"Ref": "DetailedMonitoring"},
    }
    assert props["Timeout"] == 900
    assert props["MemorySize"] >= 512
    assert isinstance(props["Code"]["ZipFile"], str)


def test_copy_function_is_fed_in_batches_with_partial_failures(resources):
    _, mapping = only(resources, "AWS::Lambda::EventSourceMapping")
    props = mapping["Properties"]
    assert props["EventSourceArn"] == {"Fn::GetAtt": ["ArtifactQueue", "Arn"]}
    assert props["FunctionName"] == {"Ref": "CopyFunction"}
    assert props["BatchSize"] == 10
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert 2 <= props["ScalingConfig"]["MaximumConcurrency"] <= 1000


def test_a_whole_batch_is_copied_at_once(resources, copy_files):
    # The handler sizes its pool (and S3 connections) by BATCH_SIZE: a larger BatchSize would
    # queue records behind the pool and eat into the function's time.
    mapping = resources["CopyFunctionEventSource"]["Properties"]
    assert mapping["BatchSize"] == copy_files.BATCH_SIZE


def test_trigger_function_contract(resources):
    props = resources["InitialSetTriggerFunction"]["Properties"]
    assert props["Handler"] == "index.handler"
    assert props["Runtime"] == "python3.13"
    assert props["Environment"]["Variables"] == {
        "INITIAL_DISTRIBUTION_ROLE": {"Ref": "InitialDistributionRole"},
        "INITIAL_DISTRIBUTION_MACHINE": {"Ref": "InitialDistributionSetMachine"},
        "DISTRIBUTION_REGION": {"Ref": "DistributionRegion"},
        "CONSUMER_ACCOUNT_ID": {"Ref": "AWS::AccountId"},
        "CONSUMER_REGION": {"Ref": "AWS::Region"},
    }


def test_custom_resource_waits_for_the_subscription(resources):
    trigger = resources["InitialSetTrigger"]
    assert trigger["Type"] == "Custom::InitialSetTrigger"
    props = trigger["Properties"]
    assert props["ServiceToken"] == {"Fn::GetAtt": ["InitialSetTriggerFunction", "Arn"]}
    assert props["Version"] == {"Ref": "TriggerVersion"}
    # Covers Lambda's two async retries of the function; never CloudFormation's default hour.
    timeout = resources["InitialSetTriggerFunction"]["Properties"]["Timeout"]
    assert 3 * timeout <= props["ServiceTimeout"] < 3600
    assert trigger["DependsOn"] == ["DistributionSubscription"]


@pytest.mark.parametrize("function", ["CopyFunction", "InitialSetTriggerFunction"])
def test_each_function_logs_to_its_own_retained_log_group(resources, function):
    log_group = f"{function}LogGroup"
    assert resources[log_group]["Type"] == "AWS::Logs::LogGroup"
    assert resources[log_group]["Properties"]["RetentionInDays"] > 0
    # The record of what a deleted stack copied stays until its retention ends.
    assert resources[log_group]["DeletionPolicy"] == "Retain"
    assert resources[log_group]["UpdateReplacePolicy"] == "Retain"
    props = resources[function]["Properties"]
    assert props["LoggingConfig"] == {"LogGroup": {"Ref": log_group}}
    granted = role_actions(resources, f"{function}Role")
    log_arn = [{"Fn::GetAtt": [log_group, "Arn"]}]
    assert granted["logs:CreateLogStream"] == granted["logs:PutLogEvents"] == log_arn
    assert props["Role"] == {"Fn::GetAtt": [f"{function}Role", "Arn"]}


# --- IAM ----------------------------------------------------------------------------------


def test_copy_role_is_least_privilege(resources):
    granted = role_actions(resources, "CopyFunctionRole")
    assert set(granted) == {
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ChangeMessageVisibility",
        "s3:PutObject",
        "s3:GetObject",
        "s3:AbortMultipartUpload",
        "s3:ListBucket",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "events:PutEvents",
    }
    # Receipts go to this account's default bus in this region, and nowhere else.
    assert granted["events:PutEvents"] == [{"Fn::Sub": DEFAULT_BUS}]
    queue = [{"Fn::GetAtt": ["ArtifactQueue", "Arn"]}]
    # ChangeMessageVisibility (a failed record's next try) on the artifact queue alone: not on
    # the dead-letter queue, nor any other queue.
    for action in (
        "ReceiveMessage",
        "DeleteMessage",
        "GetQueueAttributes",
        "ChangeMessageVisibility",
    ):
        assert granted[f"sqs:{action}"] == queue
    objects = [{"Fn::Sub": ["arn:${AWS::Partition}:s3:::${Bucket}/*", {"Bucket": TARGET_BUCKET}]}]
    for action in ("PutObject", "GetObject", "AbortMultipartUpload"):
        assert granted[f"s3:{action}"] == objects


def test_kms_key_of_an_existing_bucket_is_granted_only_when_named(template, resources):
    policy = resources["CopyFunctionKmsPolicy"]
    assert policy["Type"] == "AWS::IAM::Policy"
    assert policy["Condition"] == "HasTargetBucketKmsKey"
    assert template["Conditions"]["HasTargetBucketKmsKey"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "TargetBucketKmsKey"}, ""]}]
    }
    props = policy["Properties"]
    assert props["Roles"] == [{"Ref": "CopyFunctionRole"}]
    (statement,) = props["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["kms:GenerateDataKey", "kms:Decrypt"]
    assert statement["Resource"] == [{"Ref": "TargetBucketKmsKey"}]
    # Only through S3 in this region: the role cannot use the key directly.
    assert statement["Condition"] == {
        "StringEquals": {"kms:ViaService": {"Fn::Sub": "s3.${AWS::Region}.${AWS::URLSuffix}"}}
    }


def test_target_bucket_may_not_be_the_distribution_bucket(template):
    (assertion,) = template["Rules"]["TargetIsNotTheSource"]["Assertions"]
    assert assertion["Assert"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "TargetBucket"}, {"Ref": "DistributionBucket"}]}]
    }


def test_trigger_role_may_only_assume_the_distribution_role(resources):
    granted = role_actions(resources, "InitialSetTriggerFunctionRole")
    assert set(granted) == {"sts:AssumeRole", "logs:CreateLogStream", "logs:PutLogEvents"}
    assert granted["sts:AssumeRole"] == [{"Ref": "InitialDistributionRole"}]


def all_allow_statements(resources: dict) -> list[dict]:
    """Allow statements of inline role policies and of AWS::IAM::Policy resources."""
    found = [statement for _, statement in allow_statements(resources)]
    for policy in of_type(resources, "AWS::IAM::Policy").values():
        found += policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def test_no_allow_statement_has_a_wildcard(resources):
    statements = all_allow_statements(resources)
    assert len(statements) >= 7
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert "*" not in json.dumps(statement["Action"]), statement
        for resource in statement["Resource"]:
            text = json.dumps(resource)
            # Only the object ARN of one named bucket may end in /*; nothing else is a pattern.
            assert text.count("*") == (1 if ":s3:::${Bucket}/*" in text else 0), statement


def test_roles_are_assumed_by_lambda_except_the_receipt_forwarding_role(resources):
    services = {}
    for title, role in of_type(resources, "AWS::IAM::Role").items():
        (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Action"] == ["sts:AssumeRole"], title
        services[title] = statement["Principal"]["Service"]
    assert services == {
        "CopyFunctionRole": "lambda.amazonaws.com",
        "InitialSetTriggerFunctionRole": "lambda.amazonaws.com",
        "ReceiptForwardingRole": "events.amazonaws.com",
    }


# --- alarm, SSM parameter, outputs --------------------------------------------------------


def test_alarm_fires_on_any_dead_letter_and_notifies_optional_topic(template, resources):
    assert set(of_type(resources, "AWS::CloudWatch::Alarm")) == {
        "DeadLetterQueueAlarm",
        "StuckQueueAlarm",
        "ReceiptDeadLetterQueueAlarm",  # with ReceiptEventBusArn: test_receipt_dead_letters.py
    }
    props = resources["DeadLetterQueueAlarm"]["Properties"]
    assert props["Namespace"] == "AWS/SQS"
    assert props["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert props["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["ArtifactDeadLetterQueue", "QueueName"]}}
    ]
    assert props["ComparisonOperator"] == "GreaterThanThreshold" and props["Threshold"] == 0
    assert props["Statistic"] == "Maximum"
    assert props["Period"] == 300 and props["EvaluationPeriods"] == 1
    assert props["TreatMissingData"] == "notBreaching"
    topic = {
        "Fn::Sub": [
            "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${Topic}",
            {"Topic": {"Ref": "AlarmTopicName"}},
        ]
    }
    actions = {"Fn::If": ["HasAlarmTopic", [topic], {"Ref": "AWS::NoValue"}]}
    assert props["AlarmActions"] == props["OKActions"] == actions
    assert template["Conditions"]["HasAlarmTopic"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmTopicName"}, ""]}]
    }


def test_ssm_parameter_names_the_target_bucket(resources):
    props = resources["BucketNameParameter"]["Properties"]
    assert props["Name"] == {"Ref": "BucketNameParameterName"}
    assert props["Type"] == "String"
    assert props["Value"] == TARGET_BUCKET


def test_outputs(template):
    outputs = {name: output["Value"] for name, output in template["Outputs"].items()}
    assert outputs == {
        "BucketName": TARGET_BUCKET,
        "QueueArn": {"Fn::GetAtt": ["ArtifactQueue", "Arn"]},
        "QueueUrl": {"Ref": "ArtifactQueue"},
        "DeadLetterQueueUrl": {"Ref": "ArtifactDeadLetterQueue"},
        "CopyFunctionName": {"Ref": "CopyFunction"},
        "TemplateVersion": generator.__version__,
    }
