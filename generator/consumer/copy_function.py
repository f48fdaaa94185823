"""The copy function: fed by the queue in batches, writing into the target bucket."""

from __future__ import annotations

from typing import ClassVar

from troposphere import AWSProperty, Equals, GetAtt, Not, Ref, Template, awslambda, iam
from troposphere.validators import integer

from generator import policies
from generator.consumer.messaging import Messaging
from generator.consumer.storage import Storage
from generator.functions import FunctionIds, FunctionSpec, PythonFunction, add_python_function
from generator.inline import InlinedCode

COPY_FUNCTION = FunctionIds(
    function="CopyFunction", log_group="CopyFunctionLogGroup", role="CopyFunctionRole"
)
EVENT_SOURCE = "CopyFunctionEventSource"
KMS_POLICY = "CopyFunctionKmsPolicy"
# Lambda's maximum. A batch shares it: at a few hundred MB/s a single invocation moves a few
# hundred GB at most; larger artifacts are retried and end in the dead-letter queue.
COPY_TIMEOUT = 900
COPY_MEMORY = 1024  # MiB: more memory buys network and CPU; the copy itself stays bounded
# The handler copies a whole batch at once; its BATCH_SIZE is the event source's BatchSize.
BATCH_SIZE_NAME = "BATCH_SIZE"
COPY_MAX_CONCURRENCY = 5
HAS_TARGET_BUCKET_KMS_KEY = "HasTargetBucketKmsKey"


class EventSourceMappingScalingConfig(AWSProperty):
    """ScalingConfig of AWS::Lambda::EventSourceMapping (troposphere 4.11 maps another one)."""

    props: ClassVar[dict] = {"MaximumConcurrency": (integer, False)}


class EventSourceMapping(awslambda.EventSourceMapping):
    """AWS::Lambda::EventSourceMapping whose ScalingConfig takes MaximumConcurrency."""

    props: ClassVar[dict] = {
        **awslambda.EventSourceMapping.props,
        "ScalingConfig": (EventSourceMappingScalingConfig, False),
    }


def add_copy_function(
    template: Template, params: dict, code: InlinedCode, storage: Storage, messaging: Messaging
) -> PythonFunction:
    """Add the copy function, its event source (batches, partial failures) and KMS grant."""
    copy = add_python_function(template, _spec(params, code, storage, messaging))
    template.add_condition(
        HAS_TARGET_BUCKET_KMS_KEY, Not(Equals(Ref(params["TargetBucketKmsKey"]), ""))
    )
    template.add_resource(_kms_policy(params, copy))
    template.add_resource(_event_source(code, messaging, copy))
    return copy


def _spec(params: dict, code: InlinedCode, storage: Storage, messaging: Messaging) -> FunctionSpec:
    return FunctionSpec(
        ids=COPY_FUNCTION,
        code=code,
        description="Copies announced build artifacts into the target bucket",
        environment={
            "TARGET_BUCKET": storage.bucket_name,
            "DISTRIBUTION_BUCKET": Ref(params["DistributionBucket"]),
            "DISTRIBUTION_REGION": Ref(params["DistributionRegion"]),
            "EMIT_METRICS": Ref(params["DetailedMonitoring"]),  # "true" or "false"
        },
        statements=(
            policies.consume_queue(messaging.queue),
            policies.delay_retries(messaging.queue),  # backoff of failed records
            policies.write_objects(storage.bucket_name),
            policies.list_bucket(storage.bucket_name),
            policies.put_events(policies.default_event_bus_arn()),  # the receipts
        ),
        timeout=COPY_TIMEOUT,
        memory=COPY_MEMORY,
        checkov_skips=(
            ("CKV_AWS_115", "Capped by MaximumConcurrency"),
            ("CKV_AWS_116", "The queue has a DLQ"),
        ),
    )


def _kms_policy(params: dict, copy: PythonFunction) -> iam.PolicyType:
    # Only when the user names the existing bucket's SSE-KMS key: then S3 needs the key for us.
    return iam.PolicyType(
        KMS_POLICY,
        Condition=HAS_TARGET_BUCKET_KMS_KEY,
        PolicyName="TargetBucketKmsKey",
        Roles=[Ref(copy.role)],
        PolicyDocument=policies.policy(
            policies.use_kms_key_through_s3(Ref(params["TargetBucketKmsKey"]))
        ),
    )


def _event_source(
    code: InlinedCode, messaging: Messaging, copy: PythonFunction
) -> EventSourceMapping:
    return EventSourceMapping(
        EVENT_SOURCE,
        EventSourceArn=GetAtt(messaging.queue, "Arn"),
        FunctionName=Ref(copy.function),
        BatchSize=code.constant(BATCH_SIZE_NAME),
        FunctionResponseTypes=["ReportBatchItemFailures"],
        ScalingConfig=EventSourceMappingScalingConfig(MaximumConcurrency=COPY_MAX_CONCURRENCY),
    )
