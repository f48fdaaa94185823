"""Receipt forwarding: a rule on the default bus that copies every receipt to a central bus.

The copy function puts one receipt per stored artifact on this account's default event bus
(ARCHITECTURE.md); with ReceiptEventBusArn set, this rule forwards them, the AWS way of
sending events to a bus in another account or region. A receipt EventBridge cannot deliver
(after its retries, or at once for an error no retry can mend, such as a refused PutEvents) goes
to a dead-letter queue of its own, whose alarm tells the operator.
"""

from __future__ import annotations

from troposphere import Equals, GetAtt, Not, Ref, Template, cloudwatch, events, iam, sqs

from generator import policies
from generator.consumer.messaging import (
    queue_alarm,
)
from generator.queues import dead_letter_queue

RECEIPT_SOURCE = "build-artifact-consumer"  # the Source of every receipt the copy function puts
HAS_RECEIPT_EVENT_BUS = "HasReceiptEventBus"
FORWARDING_RULE = "ReceiptForwardingRule"
FORWARDING_ROLE = "ReceiptForwardingRole"
FORWARDING_TARGET_ID = "ReceiptEventBus"
RECEIPT_DEAD_LETTER_QUEUE = "ReceiptDeadLetterQueue"
RECEIPT_DEAD_LETTER_QUEUE_POLICY = "ReceiptDeadLetterQueuePolicy"
RECEIPT_DEAD_LETTER_ALARM = "ReceiptDeadLetterQueueAlarm"
# EventBridge's longest retry: 24 hours (its maximum event age) and 185 attempts (its maximum
# and default), with exponential back-off; a central bus down for less loses nothing.
RETRY_MAX_EVENT_AGE_SECONDS = 24 * 3600
RETRY_MAX_ATTEMPTS = 185


def add_receipt_forwarding(template: Template, params: dict) -> None:
    """Add the condition, and the rule, role, dead-letter queue, its policy and its alarm that
    exist only when ReceiptEventBusArn is set."""
    bus = Ref(params["ReceiptEventBusArn"])
    template.add_condition(HAS_RECEIPT_EVENT_BUS, Not(Equals(bus, "")))
    role = template.add_resource(
        policies.event_rule_role(
            FORWARDING_ROLE, HAS_RECEIPT_EVENT_BUS, "ForwardReceipts", policies.put_events(bus)
        )
    )
    dlq = template.add_resource(_dead_letter_queue())
    rule = template.add_resource(_rule(bus, role, dlq))
    template.add_resource(_dead_letter_queue_policy(dlq, rule))
    template.add_resource(_dead_letter_alarm(params, dlq))


def _rule(bus: Ref, role: iam.Role, dlq: sqs.Queue) -> events.Rule:
    # No EventBusName: the rule lives on the default bus, where the copy function puts receipts.
    target = events.Target(
        Id=FORWARDING_TARGET_ID,
        Arn=bus,
        RoleArn=GetAtt(role, "Arn"),
        RetryPolicy=events.RetryPolicy(
            MaximumEventAgeInSeconds=RETRY_MAX_EVENT_AGE_SECONDS,
            MaximumRetryAttempts=RETRY_MAX_ATTEMPTS,
        ),
        DeadLetterConfig=events.DeadLetterConfig(Arn=GetAtt(dlq, "Arn")),
    )
    return events.Rule(
        FORWARDING_RULE,
        Condition=HAS_RECEIPT_EVENT_BUS,
        Description="Forwards receipts to ReceiptEventBusArn",
        EventPattern={"source": [RECEIPT_SOURCE]},
        State="ENABLED",
        Targets=[target],
    )


def _dead_letter_queue() -> sqs.Queue:
    # SQS-managed encryption: EventBridge cannot send to a queue under the AWS managed KMS key.
    # Deleted with the stack like the artifact queues (messaging.py): its receipts are replayed
    # through the stack's rule (README, Troubleshooting), so they go with it; the artifacts stay.
    return dead_letter_queue(RECEIPT_DEAD_LETTER_QUEUE, Condition=HAS_RECEIPT_EVENT_BUS)


def _dead_letter_queue_policy(dlq: sqs.Queue, rule: events.Rule) -> sqs.QueuePolicy:
    # EventBridge sends dead letters with its service principal: only for this stack's rule.
    return sqs.QueuePolicy(
        RECEIPT_DEAD_LETTER_QUEUE_POLICY,
        Condition=HAS_RECEIPT_EVENT_BUS,
        Queues=[Ref(dlq)],
        PolicyDocument=policies.policy(
            policies.rule_may_send(dlq, GetAtt(rule, "Arn"), "AllowReceiptForwardingRule")
        ),
    )


def _dead_letter_alarm(params: dict, dlq: sqs.Queue) -> cloudwatch.Alarm:
    description = "Receipts could not be forwarded to ReceiptEventBusArn and wait in a queue"
    alarm = queue_alarm(
        RECEIPT_DEAD_LETTER_ALARM, description, dlq, "ApproximateNumberOfMessagesVisible", 0, params
    )
    alarm.Condition = HAS_RECEIPT_EVENT_BUS
    return alarm
