"""Monitoring: the stuck-queue alarm (always) and the dashboard (with DetailedMonitoring=true)."""

from __future__ import annotations

import json
from itertools import pairwise

from troposphere import Equals, GetAtt, Ref, Sub, Template, cloudwatch

from generator.consumer.messaging import Messaging, queue_alarm
from generator.functions import PythonFunction

DETAILED_MONITORING = "DetailedMonitoringEnabled"
STUCK_QUEUE_ALARM = "StuckQueueAlarm"
DASHBOARD = "Dashboard"
# Where the copy function writes its metrics with EMIT_METRICS=true (Embedded Metric Format):
# ArtifactsStored, ArtifactsFailed, BytesCopied, CopyDuration, with one low-cardinality
# dimension, the function's name, so a stack has 4 custom metrics (ARCHITECTURE.md).
METRICS_NAMESPACE = "BuildArtifactConsumer"
METRICS_DIMENSION = "FunctionName"


def add_monitoring(
    template: Template, params: dict, messaging: Messaging, copy: PythonFunction
) -> None:
    """Add the stuck-queue alarm, and the dashboard under the DetailedMonitoring condition."""
    template.add_condition(DETAILED_MONITORING, Equals(Ref(params["DetailedMonitoring"]), "true"))
    template.add_resource(_stuck_queue_alarm(params, messaging))
    template.add_resource(_dashboard(messaging, copy))


def _stuck_queue_alarm(params: dict, messaging: Messaging) -> cloudwatch.Alarm:
    # A failing message legitimately ages through all its tries and the waits between them
    # until the dead-letter queue takes it (Messaging.longest_stay: an hour); older than that,
    # nothing receives at all (function, mapping or role broken, or throttled), an invocation
    # ran into its timeout (its messages wait the whole visibility timeout), or a backlog takes
    # longer than that to drain. SQS keeps a message 4 days.
    description = (
        "Nothing consumes the queue: its oldest message is older than any retry lets a message get"
    )
    return queue_alarm(
        STUCK_QUEUE_ALARM,
        description,
        messaging.queue,
        "ApproximateAgeOfOldestMessage",
        messaging.longest_stay,
        params,
    )


def _dashboard(messaging: Messaging, copy: PythonFunction) -> cloudwatch.Dashboard:
    # Dashboards are global to the account, and one stack name may be deployed in several of
    # its regions: the region keeps the names apart (letters, digits and hyphens, < 255).
    body = json.dumps(_dashboard_body(messaging.longest_stay), separators=(",", ":"))
    return cloudwatch.Dashboard(
        DASHBOARD,
        Condition=DETAILED_MONITORING,
        DashboardName=Sub("${AWS::StackName}-${AWS::Region}"),
        DashboardBody=Sub(
            body,
            Queue=GetAtt(messaging.queue, "QueueName"),
            DeadLetterQueue=GetAtt(messaging.dead_letter_queue, "QueueName"),
            Function=Ref(copy.function),
        ),
    )


def _dashboard_body(stuck_after: int) -> dict:
    """The dashboard, two widgets a row; Fn::Sub fills ${Queue}, ${DeadLetterQueue}, ${Function}."""
    widgets = [
        _widget(
            "Messages waiting",
            "Maximum",
            _metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "${Queue}"),
            _metric(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                "QueueName",
                "${DeadLetterQueue}",
                label="dead-letter queue",
            ),
        ),
        _widget(
            "Age of the oldest message (s)",
            "Maximum",
            _metric("AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "${Queue}"),
            annotations={"horizontal": [{"label": "stuck-queue alarm", "value": stuck_after}]},
        ),
        _widget("Artifacts", "Sum", _own("ArtifactsStored"), _own("ArtifactsFailed")),
        _widget("Bytes copied", "Sum", _own("BytesCopied")),
        _widget(
            "Copy duration (ms)",
            "Maximum",
            _own("CopyDuration", stat="p50", label="median"),
            _own("CopyDuration", label="maximum"),
        ),
        _widget(
            "Copy function",
            "Sum",
            _lambda("Errors"),
            _lambda("Throttles"),
            _lambda("Duration", stat="Maximum", yAxis="right"),
        ),
    ]
    return {"widgets": widgets}


def _widget(title: str, stat: str, *metrics: list, **properties) -> dict:
    # No x, y or period: CloudWatch places each widget after the previous one, two to a row,
    # and graphs 5-minute periods.
    return {
        "type": "metric",
        "width": 12,
        "properties": {
            "title": title,
            "region": "${AWS::Region}",
            "stat": stat,
            "metrics": _abbreviated(metrics),
            **properties,
        },
    }


def _abbreviated(metrics: tuple[list, ...]) -> list[list]:
    """`metrics` with each part equal to the previous row's written ".", as CloudWatch allows."""
    rows = [metrics[0]]
    for previous, row in pairwise(metrics):
        same = [
            isinstance(part, str) and part in previous[index : index + 1]
            for index, part in enumerate(row)
        ]
        rows.append(["." if repeated else part for repeated, part in zip(same, row, strict=True)])
    return rows


def _metric(namespace: str, name: str, dimension: str, value: str, **options) -> list:
    return [namespace, name, dimension, value, *([options] if options else [])]


def _own(name: str, **options) -> list:
    """One of the copy function's own metrics (Embedded Metric Format)."""
    return _metric(METRICS_NAMESPACE, name, METRICS_DIMENSION, "${Function}", **options)


def _lambda(name: str, **options) -> list:
    return _metric("AWS/Lambda", name, "FunctionName", "${Function}", **options)
