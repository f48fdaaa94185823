"""Publishing: the topic and its policy, and the publisher run by the bucket's S3 events.

S3 sends `Object Created` to the default event bus; a rule runs PublisherFunction for each.
Nothing is dropped silently: an event EventBridge cannot hand to Lambda is retried by the
target's RetryPolicy and then kept in the dead-letter queue; an invocation that raises is
retried by Lambda (asynchronous invocation) and then kept in the same queue, whose alarm fires.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import GetAtt, Ref, Template, awslambda, cloudwatch, events, sns, sqs

from generator import policies
from generator.distributor.parameters import Consumers
from generator.functions import FunctionIds, FunctionSpec, PythonFunction, add_python_function
from generator.inline import InlinedCode
from generator.queues import dead_letter_queue

TOPIC = "DistributionTopic"
TOPIC_POLICY = "DistributionTopicPolicy"
PUBLISHER = FunctionIds(
    function="PublisherFunction",
    log_group="PublisherFunctionLogGroup",
    role="PublisherFunctionRole",
)
RULE = "PublishOnObjectCreated"
PERMISSION = "PublisherFunctionPermission"
INVOKE_CONFIG = "PublisherFunctionInvokeConfig"
DEAD_LETTER_QUEUE = "PublishDeadLetterQueue"
DEAD_LETTER_QUEUE_POLICY = "PublishDeadLetterQueuePolicy"
DEAD_LETTER_ALARM = "PublishDeadLetterAlarm"
PUBLISHER_TIMEOUT = 60  # seconds: three S3/SNS calls
PUBLISHER_MEMORY = 256
# EventBridge retries delivery to Lambda for up to a day; Lambda retries a failed run twice.
TARGET_RETRY = {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86_400}
FUNCTION_RETRIES = 2
SNS_MANAGED_KEY = "alias/aws/sns"


@dataclass(frozen=True)
class Publishing:
    """What other modules need: the topic and the URL-lifetime environment variables."""

    topic: sns.Topic
    environment: dict


def add_publishing(
    template: Template, params: dict, consumers: Consumers, bucket, code: InlinedCode
) -> Publishing:
    """Add the topic and its policy, the publisher, its rule, retries, dead-letter queue, alarm."""
    topic = template.add_resource(
        sns.Topic(TOPIC, KmsMasterKeyId=SNS_MANAGED_KEY, DisplayName="Build artifacts")
    )
    template.add_resource(_topic_policy(topic, consumers))
    environment = {
        "DISTRIBUTION_BUCKET": Ref(bucket),
        "DISTRIBUTION_TOPIC": Ref(topic),
        "URL_SECONDS": Ref(params["PresignedUrlSeconds"]),
    }
    dlq = template.add_resource(_dead_letter_queue())
    publisher = add_python_function(template, _spec(code, environment, bucket, topic, dlq))
    rule = template.add_resource(_rule(bucket, publisher, dlq))
    template.add_resource(
        sqs.QueuePolicy(
            DEAD_LETTER_QUEUE_POLICY,
            Queues=[Ref(dlq)],
            PolicyDocument=policies.policy(policies.rule_may_send(dlq, GetAtt(rule, "Arn"))),
        )
    )
    template.add_resource(
        awslambda.Permission(
            PERMISSION,
            Action="lambda:InvokeFunction",
            FunctionName=Ref(publisher.function),
            Principal="events.amazonaws.com",
            SourceArn=GetAtt(rule, "Arn"),
        )
    )
    template.add_resource(_invoke_config(publisher, dlq))
    template.add_resource(_alarm(dlq))
    return Publishing(topic=topic, environment=environment)


def _topic_policy(topic: sns.Topic, consumers: Consumers) -> sns.TopicPolicy:
    statements = consumers.confine(
        lambda sid, who: policies.subscribe_queues(f"Subscribe{sid}", Ref(topic), who)
    )
    return sns.TopicPolicy(
        TOPIC_POLICY, Topics=[Ref(topic)], PolicyDocument=policies.conditional_policy(*statements)
    )


def _spec(code: InlinedCode, environment: dict, bucket, topic, dlq) -> FunctionSpec:
    return FunctionSpec(
        ids=PUBLISHER,
        code=code,
        description="Announces each new artifact of the distribution bucket on the topic",
        environment=environment,
        statements=(
            policies.read_artifacts(Ref(bucket)),
            policies.list_bucket(Ref(bucket)),  # a missing version answers 404, not 403
            policies.publish(Ref(topic)),
            policies.send_messages(dlq),  # the failed runs (EventInvokeConfig)
        ),
        timeout=PUBLISHER_TIMEOUT,
        memory=PUBLISHER_MEMORY,
        checkov_skips=(
            ("CKV_AWS_115", "One run per uploaded object"),
            ("CKV_AWS_116", "EventInvokeConfig OnFailure"),
        ),
    )


def _dead_letter_queue() -> sqs.Queue:
    return dead_letter_queue(DEAD_LETTER_QUEUE)


def _rule(bucket, publisher: PythonFunction, dlq: sqs.Queue) -> events.Rule:
    return events.Rule(
        RULE,
        Description="Runs the publisher for each object created in the distribution bucket",
        EventPattern={
            "source": ["aws.s3"],
            "detail-type": ["Object Created"],
            "detail": {"bucket": {"name": [Ref(bucket)]}},
        },
        State="ENABLED",
        Targets=[
            events.Target(
                Id="Publisher",
                Arn=GetAtt(publisher.function, "Arn"),
                RetryPolicy=events.RetryPolicy(**TARGET_RETRY),
                DeadLetterConfig=events.DeadLetterConfig(Arn=GetAtt(dlq, "Arn")),
            )
        ],
    )


def _invoke_config(publisher: PythonFunction, dlq: sqs.Queue) -> awslambda.EventInvokeConfig:
    return awslambda.EventInvokeConfig(
        INVOKE_CONFIG,
        FunctionName=Ref(publisher.function),
        Qualifier="$LATEST",
        MaximumRetryAttempts=FUNCTION_RETRIES,
        DestinationConfig=awslambda.DestinationConfig(
            OnFailure=awslambda.OnFailure(Destination=GetAtt(dlq, "Arn"))
        ),
    )


def _alarm(dlq: sqs.Queue) -> cloudwatch.Alarm:
    return cloudwatch.Alarm(
        DEAD_LETTER_ALARM,
        AlarmDescription="Artifacts were not announced: their events wait in the dead-letter queue",
        Namespace="AWS/SQS",
        MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[cloudwatch.MetricDimension(Name="QueueName", Value=GetAtt(dlq, "QueueName"))],
        Statistic="Maximum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
    )
