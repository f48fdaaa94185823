"""Queue, dead-letter queue, queue policy, the filtered subscription and the DLQ alarm."""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import (
    AWS_ACCOUNT_ID,
    AWS_NO_VALUE,
    AWS_REGION,
    Equals,
    GetAtt,
    If,
    Not,
    Ref,
    Sub,
    Template,
    cloudwatch,
    sns,
    sqs,
)

from generator import policies
from generator.checkov import skips
from generator.consumer.regions import OPT_IN_REGIONS, is_one_of
from generator.queues import QUEUE_DELETION_POLICY, QUEUE_SKIPS, dead_letter_queue

MAX_RECEIVE_COUNT = 5
QUEUE_RETENTION_SECONDS = 4 * 24 * 3600
VISIBILITY_FACTOR = 6  # AWS's advice for SQS event sources: at least 6 x the function timeout
# The copy handler's schedule of next tries (seconds after the Nth failed receive), read from its
# source: it changes a failed message's visibility to it (one entry per receive).
RETRY_DELAYS_NAME = "RETRY_DELAYS"
# What the stuck-queue alarm allows a failing try: one fails within seconds when the source
# refuses, within a few minutes when it stalls (30 s per read, S3's retries). A try that runs into
# the function's timeout changes no visibility: its message waits the whole visibility timeout.
FAILED_TRY_SECONDS = 210
HAS_ALARM_TOPIC = "HasAlarmTopic"
DISTRIBUTION_REGION_IS_OPT_IN = "DistributionRegionIsOptIn"
QUEUE = "ArtifactQueue"
DEAD_LETTER_QUEUE = "ArtifactDeadLetterQueue"
QUEUE_POLICY = "ArtifactQueuePolicy"
SUBSCRIPTION = "DistributionSubscription"
DEAD_LETTER_ALARM = "DeadLetterQueueAlarm"
ALARM_PERIOD = 300  # seconds
# Deleting or replacing the stack deletes both queues (QUEUE_DELETION_POLICY) with any message
# still in them: without its subscription and function a queue is useless, and nothing is lost
# for good, because the distributor still holds every artifact (a new stack, or a new
# TriggerVersion, asks for the initial set again).


@dataclass(frozen=True)
class Messaging:
    """The resources other modules refer to."""

    queue: sqs.Queue
    dead_letter_queue: sqs.Queue
    subscription: sns.SubscriptionResource
    visibility_timeout: int  # seconds a received message stays invisible
    max_receive_count: int  # receives before the dead-letter queue takes a message
    retry_delays: tuple[int, ...]  # seconds a failed message stays hidden, per receive

    @property
    def longest_stay(self) -> int:
        """Seconds a message that keeps failing stays in the queue before it is dead-lettered.

        The copy function hides it after each failed receive for that receive's delay; after
        the last one it is visible at once, and moved at its next receive, which Lambda's pollers
        make at once. Each try gets FAILED_TRY_SECONDS.
        """
        return sum(self.retry_delays) + self.max_receive_count * FAILED_TRY_SECONDS


def add_messaging(
    template: Template, params: dict, function_timeout: int, retry_delays: tuple[int, ...]
) -> Messaging:
    """Add the queue pair, the SNS-only queue policy, the subscription and the DLQ alarm."""
    if len(retry_delays) != MAX_RECEIVE_COUNT:
        raise ValueError(
            f"{RETRY_DELAYS_NAME} has {len(retry_delays)} delays, one per receive is "
            f"{MAX_RECEIVE_COUNT} (maxReceiveCount)"
        )
    template.add_condition(
        DISTRIBUTION_REGION_IS_OPT_IN, is_one_of(Ref(params["DistributionRegion"]), OPT_IN_REGIONS)
    )
    template.add_condition(HAS_ALARM_TOPIC, Not(Equals(Ref(params["AlarmTopicName"]), "")))
    visibility_timeout = VISIBILITY_FACTOR * function_timeout
    dlq = template.add_resource(_dead_letter_queue())
    queue = template.add_resource(_queue(dlq, visibility_timeout))
    queue_policy = template.add_resource(_queue_policy(params, queue))
    subscription = template.add_resource(_subscription(params, queue, queue_policy))
    template.add_resource(_dead_letter_alarm(params, dlq))
    return Messaging(
        queue=queue,
        dead_letter_queue=dlq,
        subscription=subscription,
        visibility_timeout=visibility_timeout,
        max_receive_count=MAX_RECEIVE_COUNT,
        retry_delays=tuple(retry_delays),
    )


def _dead_letter_queue() -> sqs.Queue:
    return dead_letter_queue(DEAD_LETTER_QUEUE)


def _queue(dlq: sqs.Queue, visibility_timeout: int) -> sqs.Queue:
    return sqs.Queue(
        QUEUE,
        DeletionPolicy=QUEUE_DELETION_POLICY,
        UpdateReplacePolicy=QUEUE_DELETION_POLICY,
        SqsManagedSseEnabled=True,
        MessageRetentionPeriod=QUEUE_RETENTION_SECONDS,
        VisibilityTimeout=visibility_timeout,
        RedrivePolicy=sqs.RedrivePolicy(
            deadLetterTargetArn=GetAtt(dlq, "Arn"), maxReceiveCount=MAX_RECEIVE_COUNT
        ),
        Metadata=skips(*QUEUE_SKIPS),
    )


def _queue_policy(params: dict, queue: sqs.Queue) -> sqs.QueuePolicy:
    # From an opt-in region SNS delivers cross-region as sns.<region>.amazonaws.com.
    region = Ref(params["DistributionRegion"])
    principals = If(
        DISTRIBUTION_REGION_IS_OPT_IN,
        ["sns.amazonaws.com", Sub("sns.${Region}.amazonaws.com", Region=region)],
        "sns.amazonaws.com",
    )
    topic = Ref(params["DistributionTopic"])
    return sqs.QueuePolicy(
        QUEUE_POLICY,
        Queues=[Ref(queue)],
        PolicyDocument=policies.policy(policies.sns_may_send(queue, topic, principals)),
    )


def _subscription(
    params: dict, queue: sqs.Queue, queue_policy: sqs.QueuePolicy
) -> sns.SubscriptionResource:
    # DependsOn the queue policy: until it exists SNS cannot deliver, and messages would be lost.
    return sns.SubscriptionResource(
        SUBSCRIPTION,
        DependsOn=[queue_policy.title],
        Protocol="sqs",
        Endpoint=GetAtt(queue, "Arn"),
        TopicArn=Ref(params["DistributionTopic"]),
        Region=Ref(params["DistributionRegion"]),
        RawMessageDelivery=True,
        FilterPolicy={
            "account": ["ALL", Ref(AWS_ACCOUNT_ID)],
            "region": ["ALL", Ref(AWS_REGION)],
        },
    )


def _alarm_actions(params: dict) -> If:
    """The topic named by AlarmTopicName (in this account and region), or no action."""
    topic_arn = Sub(
        "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${Topic}",
        Topic=Ref(params["AlarmTopicName"]),
    )
    return If(HAS_ALARM_TOPIC, [topic_arn], Ref(AWS_NO_VALUE))


def queue_alarm(
    title: str, description: str, queue: sqs.Queue, metric: str, threshold: int, params: dict
) -> cloudwatch.Alarm:
    """An alarm when a queue's SQS `metric` is above `threshold` for 5 minutes (its maximum; no
    data is no alarm), notifying the alarm topic on alarm and on recovery."""
    actions = _alarm_actions(params)
    return cloudwatch.Alarm(
        title,
        AlarmDescription=description,
        Namespace="AWS/SQS",
        MetricName=metric,
        Dimensions=[cloudwatch.MetricDimension(Name="QueueName", Value=GetAtt(queue, "QueueName"))],
        Statistic="Maximum",
        Period=ALARM_PERIOD,
        EvaluationPeriods=1,
        Threshold=threshold,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
        AlarmActions=actions,
        OKActions=actions,
    )


def _dead_letter_alarm(params: dict, dlq: sqs.Queue) -> cloudwatch.Alarm:
    description = "Artifacts failed to copy and are kept in the dead-letter queue"
    return queue_alarm(
        DEAD_LETTER_ALARM, description, dlq, "ApproximateNumberOfMessagesVisible", 0, params
    )
