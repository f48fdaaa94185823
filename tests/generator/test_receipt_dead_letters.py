"""Receipts never lost on the way to the central bus: the forwarding rule's target retries, then
keeps what it could not deliver in a dead-letter queue whose alarm tells the operator; all of it
exists only with ReceiptEventBusArn (ARCHITECTURE.md: receipts)."""

from __future__ import annotations

from tests.generator.conftest import of_type

RECEIPTS = "HasReceiptEventBus"
QUEUE = "ReceiptDeadLetterQueue"
QUEUE_ARN = {"Fn::GetAtt": [QUEUE, "Arn"]}


def test_the_forwarding_target_retries_for_a_day_then_dead_letters(resources):
    (target,) = resources["ReceiptForwardingRule"]["Properties"]["Targets"]
    # EventBridge's longest retry: 24 hours and 185 attempts, its maxima
    assert target["RetryPolicy"] == {
        "MaximumEventAgeInSeconds": 86_400,
        "MaximumRetryAttempts": 185,
    }
    assert target["DeadLetterConfig"] == {"Arn": QUEUE_ARN}


def test_the_dead_letter_queue_exists_only_with_a_central_bus(resources):
    queues = of_type(resources, "AWS::SQS::Queue")
    assert {title for title, queue in queues.items() if queue.get("Condition") == RECEIPTS} == {
        QUEUE
    }
    for title in (QUEUE, "ReceiptDeadLetterQueuePolicy", "ReceiptDeadLetterQueueAlarm"):
        assert resources[title]["Condition"] == RECEIPTS, title


def test_the_dead_letter_queue_is_encrypted_and_keeps_receipts_14_days(resources):
    queue = resources[QUEUE]
    props = queue["Properties"]
    # SQS-managed SSE: EventBridge cannot send to a queue under the AWS managed KMS key.
    assert props["SqsManagedSseEnabled"] is True and "KmsMasterKeyId" not in props
    assert props["MessageRetentionPeriod"] == 14 * 24 * 3600  # SQS's longest
    assert queue["DeletionPolicy"] == queue["UpdateReplacePolicy"] == "Delete"


def test_only_the_forwarding_rule_may_send_to_the_dead_letter_queue(resources):
    policy = resources["ReceiptDeadLetterQueuePolicy"]["Properties"]
    assert policy["Queues"] == [{"Ref": QUEUE}]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Action"] == ["sqs:SendMessage"]
    assert statement["Resource"] == [QUEUE_ARN]
    rule_arn = {"Fn::GetAtt": ["ReceiptForwardingRule", "Arn"]}
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": rule_arn}}


def test_a_dead_letter_alarms_like_an_artifact_dead_letter(resources):
    # The existing alarm path: same metric, threshold and actions as the artifact DLQ's alarm.
    props = resources["ReceiptDeadLetterQueueAlarm"]["Properties"]
    artifact = resources["DeadLetterQueueAlarm"]["Properties"]
    assert props["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": [QUEUE, "QueueName"]}}
    ]
    same = ("Namespace", "MetricName", "Statistic", "Period", "EvaluationPeriods", "Threshold")
    for key in (*same, "ComparisonOperator", "TreatMissingData", "AlarmActions", "OKActions"):
        assert props[key] == artifact[key], key
    assert props["MetricName"] == "ApproximateNumberOfMessagesVisible" and props["Threshold"] == 0
    assert "ReceiptEventBusArn" in props["AlarmDescription"]
