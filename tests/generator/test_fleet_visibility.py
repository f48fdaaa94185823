"""Fleet visibility in the template: receipt forwarding, the dashboard, the stuck-queue alarm, and
the version every stack carries (ARCHITECTURE.md: receipts and metrics of the copy function)."""

from __future__ import annotations

import json
import re

import pytest
from troposphere import Template

import generator
from generator.consumer.messaging import FAILED_TRY_SECONDS, add_messaging
from generator.consumer.parameters import add_parameters
from generator.inline import inline_handler
from tests.generator.conftest import of_type, only

RECEIPTS = "HasReceiptEventBus"
DETAILED = "DetailedMonitoringEnabled"
# What the copy function writes with EMIT_METRICS=true: the dashboard must graph these.
OWN_METRICS = set(inline_handler("copy_files", "consumer").constant("METRICS"))
# Physical names of one deployed stack's resources, as the dashboard's Fn::Sub receives them.
QUEUE, DEAD_LETTER_QUEUE, FUNCTION = "c-Queue-1", "c-DeadLetterQueue-2", "c-CopyFunction-3"
DASHBOARD_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")  # CloudWatch's rule for dashboard names


def substitute(sub: list, values: dict[str, str]) -> str:
    """The text of a two-argument Fn::Sub once CloudFormation has filled in `values`."""
    text, _ = sub
    done = re.sub(r"\$\{([^}]+)\}", lambda m: values[m.group(1)], text)
    assert "${" not in done
    return done


def metric_rows(body: dict) -> list[list]:
    """Every graphed metric as [namespace, name, dimension, value], "." resolved as CloudWatch."""
    rows = []
    for widget in body["widgets"]:
        previous: list = []
        for row in widget["properties"]["metrics"]:
            parts = [p for p in row if isinstance(p, str)]
            resolved = [previous[i] if p == "." else p for i, p in enumerate(parts)]
            rows.append(resolved)
            previous = resolved
    return rows


# --- receipts -------------------------------------------------------------------------------


def test_forwarding_rule_and_role_exist_only_with_a_receipt_event_bus(template, resources):
    assert template["Conditions"][RECEIPTS] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "ReceiptEventBusArn"}, ""]}]
    }
    conditional = {k for k, v in resources.items() if v.get("Condition") == RECEIPTS}
    assert conditional == {
        "ReceiptForwardingRule",
        "ReceiptForwardingRole",
        "ReceiptDeadLetterQueue",
        "ReceiptDeadLetterQueuePolicy",
        "ReceiptDeadLetterQueueAlarm",
    }
    assert set(of_type(resources, "AWS::Events::Rule")) == {"ReceiptForwardingRule"}


def test_forwarding_rule_sends_every_receipt_on_the_default_bus_to_the_central_bus(resources):
    props = resources["ReceiptForwardingRule"]["Properties"]
    assert props.get("EventBusName", "default") == "default"  # where the copy function puts them
    assert props["EventPattern"] == {"source": ["build-artifact-consumer"]}
    assert props["State"] == "ENABLED"
    (target,) = props["Targets"]
    assert target["Arn"] == {"Ref": "ReceiptEventBusArn"}
    assert target["RoleArn"] == {"Fn::GetAtt": ["ReceiptForwardingRole", "Arn"]}


def test_forwarding_role_may_only_put_events_on_the_central_bus(resources):
    role = resources["ReceiptForwardingRole"]["Properties"]
    (policy,) = role["Policies"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement == {
        "Effect": "Allow",
        "Action": ["events:PutEvents"],
        "Resource": [{"Ref": "ReceiptEventBusArn"}],
    }


def test_forwarding_role_is_assumed_only_by_rules_of_its_own_account_and_region(resources):
    (trust,) = resources["ReceiptForwardingRole"]["Properties"]["AssumeRolePolicyDocument"][
        "Statement"
    ]
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        "ArnLike": {
            "aws:SourceArn": {
                "Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/*"
            }
        },
    }


# --- metrics and dashboard ------------------------------------------------------------------


def test_copy_function_emits_metrics_exactly_when_detailed_monitoring_is_true(template, resources):
    variables = resources["CopyFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["EMIT_METRICS"] == {"Ref": "DetailedMonitoring"}
    assert template["Parameters"]["DetailedMonitoring"]["AllowedValues"] == ["true", "false"]
    assert template["Conditions"][DETAILED] == {
        "Fn::Equals": [{"Ref": "DetailedMonitoring"}, "true"]
    }


def test_one_dashboard_only_with_detailed_monitoring(resources):
    title, dashboard = only(resources, "AWS::CloudWatch::Dashboard")
    assert dashboard["Condition"] == DETAILED
    assert {k for k, v in resources.items() if v.get("Condition") == DETAILED} == {title}


@pytest.mark.parametrize(
    ("stack", "region"),
    [("consumer", "eu-central-1"), ("StackSet-" + "a" * 82 + "-" + "f" * 36, "ap-southeast-7")],
)
def test_dashboard_name_is_unique_per_region_and_valid_for_any_stack_name(resources, stack, region):
    # Dashboards are global to an account; StackSets deploy one stack name in many regions.
    name = resources["Dashboard"]["Properties"]["DashboardName"]
    assert name == {"Fn::Sub": "${AWS::StackName}-${AWS::Region}"}
    assert len(stack) <= 128  # CloudFormation's longest stack name
    assert DASHBOARD_NAME.fullmatch(f"{stack}-{region}")


@pytest.fixture(scope="module")
def dashboard(resources) -> dict:
    """The dashboard body as CloudFormation renders it for one deployed stack."""
    sub = resources["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    assert sub[1] == {
        "Queue": {"Fn::GetAtt": ["ArtifactQueue", "QueueName"]},
        "DeadLetterQueue": {"Fn::GetAtt": ["ArtifactDeadLetterQueue", "QueueName"]},
        "Function": {"Ref": "CopyFunction"},
    }
    values = {
        "Queue": QUEUE,
        "DeadLetterQueue": DEAD_LETTER_QUEUE,
        "Function": FUNCTION,
        "AWS::Region": "eu-central-1",
    }
    return json.loads(substitute(sub, values))


def test_dashboard_body_is_json_that_names_both_queues_and_the_copy_function(dashboard):
    rows = metric_rows(dashboard)
    assert ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", QUEUE] in rows
    assert ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", QUEUE] in rows
    assert ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", DEAD_LETTER_QUEUE] in rows
    for name in OWN_METRICS:
        assert ["BuildArtifactConsumer", name, "FunctionName", FUNCTION] in rows, name
    for name in ("Errors", "Throttles", "Duration"):
        assert ["AWS/Lambda", name, "FunctionName", FUNCTION] in rows, name
    assert {w["properties"]["region"] for w in dashboard["widgets"]} == {"eu-central-1"}


def test_custom_metrics_have_one_low_cardinality_dimension(dashboard):
    # One dimension value per stack: 4 custom metrics a stack, never one per artifact key.
    own = [r for r in metric_rows(dashboard) if r[0] == "BuildArtifactConsumer"]
    assert {r[1] for r in own} == OWN_METRICS
    assert all(len(r) == 4 and r[2] == "FunctionName" for r in own)


def test_dashboard_marks_the_stuck_queue_threshold(dashboard, resources):
    threshold = resources["StuckQueueAlarm"]["Properties"]["Threshold"]
    annotations = [
        a["value"]
        for w in dashboard["widgets"]
        for a in w["properties"].get("annotations", {}).get("horizontal", [])
    ]
    assert annotations == [threshold]


# --- stuck-queue alarm ----------------------------------------------------------------------


def test_stuck_queue_alarm_fires_only_when_no_retry_explains_the_age(resources):
    alarm = resources["StuckQueueAlarm"]
    props = alarm["Properties"]
    queue = resources["ArtifactQueue"]["Properties"]
    assert "Condition" not in alarm  # always, whatever DetailedMonitoring says
    assert props["Namespace"] == "AWS/SQS"
    assert props["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert props["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["ArtifactQueue", "QueueName"]}}
    ]
    assert props["Statistic"] == "Maximum" and props["ComparisonOperator"] == "GreaterThanThreshold"
    # A failing message ages through the copy function's waits between its maxReceiveCount tries
    # (RETRY_DELAYS) and the tries themselves before it is dead-lettered: within an hour; older
    # than that, nothing consumes the queue.
    delays = inline_handler("copy_files", "consumer").constant("RETRY_DELAYS")
    tries = queue["RedrivePolicy"]["maxReceiveCount"]
    assert len(delays) == tries
    assert props["Threshold"] == sum(delays) + tries * FAILED_TRY_SECONDS == 3600
    # ... and the alarm comes days before SQS would delete the message.
    assert props["Threshold"] * 10 < queue["MessageRetentionPeriod"]


def test_a_schedule_that_does_not_match_the_receives_is_refused():
    # One delay per receive: the schedule and maxReceiveCount cannot drift apart silently.
    with pytest.raises(ValueError, match="RETRY_DELAYS has 4 delays"):
        add_messaging(Template(), add_parameters(Template()), 900, (30, 120, 480, 1920))


def test_stuck_queue_alarm_notifies_the_same_topic_as_the_dead_letter_alarm(resources):
    stuck = resources["StuckQueueAlarm"]["Properties"]
    dead_letter = resources["DeadLetterQueueAlarm"]["Properties"]
    assert stuck["AlarmActions"] == stuck["OKActions"] == dead_letter["AlarmActions"]
    assert stuck["TreatMissingData"] == "notBreaching"


# --- version --------------------------------------------------------------------------------


def test_template_carries_the_project_version(template):
    version = generator.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert template["Outputs"]["TemplateVersion"]["Value"] == version
    # The console's stack list shows the Description: the version is at its end.
    assert template["Description"].endswith(f" {version}")
    assert len(template["Description"]) <= 1024
