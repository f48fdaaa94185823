"""Lambda functions: a shared factory (role, log group, function) and the copy function."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from troposphere import AWSProperty, Equals, GetAtt, Not, Ref, Template, awslambda, logs
from troposphere import iam as iam_resources
from troposphere.validators import integer

from generator import iam
from generator.checkov import skips
from generator.inline import InlinedCode

RUNTIME = "python3.13"
HANDLER = "index.handler"
LOG_RETENTION_DAYS = 365
# Deleting or replacing the stack keeps the log groups: they are the record of what was copied
# and requested, wanted most after a stack is gone, and expire on their own by the retention
# above (the empty group stays until deleted by hand). Their names are generated, so a new stack
# never collides with a kept one.
LOG_GROUP_DELETION_POLICY = "Retain"
# Lambda's maximum. A batch shares it: at a few hundred MB/s a single invocation moves a few
# hundred GB at most; larger artifacts are retried and end in the dead-letter queue.
COPY_TIMEOUT = 900
COPY_MEMORY = 1024  # MiB: more memory buys network and CPU; the copy itself stays bounded
COPY_BATCH_SIZE = 10
COPY_MAX_CONCURRENCY = 5
HAS_TARGET_BUCKET_KMS_KEY = "HasTargetBucketKmsKey"

# Reasons are short here (they ship in every template); README.md gives them in full.
FUNCTION_SKIPS = (
    ("CKV_AWS_117", "Reaches only AWS endpoints; no VPC in every consumer account"),
    ("CKV_AWS_173", "Environment holds only names, ARNs and regions"),
)
COPY_SKIPS = (
    ("CKV_AWS_115", "Capped by the event source mapping's MaximumConcurrency"),
    ("CKV_AWS_116", "Failures are kept by the queue's dead-letter queue"),
)


class EventSourceMappingScalingConfig(AWSProperty):
    """ScalingConfig of AWS::Lambda::EventSourceMapping (troposphere 4.11 maps another one)."""

    props: ClassVar[dict] = {"MaximumConcurrency": (integer, False)}


class EventSourceMapping(awslambda.EventSourceMapping):
    """AWS::Lambda::EventSourceMapping whose ScalingConfig takes MaximumConcurrency."""

    props: ClassVar[dict] = {
        **awslambda.EventSourceMapping.props,
        "ScalingConfig": (EventSourceMappingScalingConfig, False),
    }


@dataclass(frozen=True)
class PythonFunction:
    """A function with its role and log group."""

    function: awslambda.Function
    role: Any
    log_group: logs.LogGroup


def add_python_function(
    template: Template,
    title: str,
    code: InlinedCode,
    environment: dict[str, Any],
    statements: list,
    timeout: int,
    memory: int,
    description: str,
    checkov_skips: tuple = (),
) -> PythonFunction:
    """Add a python function with inline code, its own log group and a least-privilege role."""
    log_group = template.add_resource(
        logs.LogGroup(
            f"{title}LogGroup",
            DeletionPolicy=LOG_GROUP_DELETION_POLICY,
            UpdateReplacePolicy=LOG_GROUP_DELETION_POLICY,
            RetentionInDays=LOG_RETENTION_DAYS,
            Metadata=skips(("CKV_AWS_158", "Logs hold no secrets; default encryption")),
        )
    )
    role = template.add_resource(
        iam.lambda_role(f"{title}Role", title, iam.write_logs(log_group), *statements)
    )
    function = template.add_resource(
        awslambda.Function(
            title,
            Description=description,
            Runtime=RUNTIME,
            Handler=HANDLER,
            Code=awslambda.Code(ZipFile=code.code),
            Role=GetAtt(role, "Arn"),
            Timeout=timeout,
            MemorySize=memory,
            Environment=awslambda.Environment(Variables=environment),
            LoggingConfig=awslambda.LoggingConfig(LogGroup=Ref(log_group)),
            Metadata=skips(*checkov_skips, *FUNCTION_SKIPS),
        )
    )
    return PythonFunction(function=function, role=role, log_group=log_group)


def add_copy_function(
    template: Template, params: dict, code: InlinedCode, bucket_name: Any, queue: Any
) -> PythonFunction:
    """Add the copy function, fed by `queue` in batches with partial batch responses."""
    copy = add_python_function(
        template,
        "CopyFunction",
        code,
        environment={
            "TARGET_BUCKET": bucket_name,
            "DISTRIBUTION_BUCKET": Ref(params["DistributionBucket"]),
            "DISTRIBUTION_REGION": Ref(params["DistributionRegion"]),
        },
        statements=[
            iam.consume_queue(queue),
            iam.write_objects(bucket_name),
            iam.list_bucket(bucket_name),
        ],
        timeout=COPY_TIMEOUT,
        memory=COPY_MEMORY,
        description="Copies announced build artifacts into the target bucket",
        checkov_skips=COPY_SKIPS,
    )
    _add_kms_policy(template, params, copy.role)
    template.add_resource(
        EventSourceMapping(
            "CopyFunctionEventSource",
            EventSourceArn=GetAtt(queue, "Arn"),
            FunctionName=Ref(copy.function),
            BatchSize=COPY_BATCH_SIZE,
            FunctionResponseTypes=["ReportBatchItemFailures"],
            ScalingConfig=EventSourceMappingScalingConfig(MaximumConcurrency=COPY_MAX_CONCURRENCY),
        )
    )
    return copy


def _add_kms_policy(template: Template, params: dict, role: Any) -> None:
    # Only when the user names the existing bucket's SSE-KMS key: then S3 needs the key for us.
    key = params["TargetBucketKmsKey"]
    template.add_condition(HAS_TARGET_BUCKET_KMS_KEY, Not(Equals(Ref(key), "")))
    template.add_resource(
        iam_resources.PolicyType(
            "CopyFunctionKmsPolicy",
            Condition=HAS_TARGET_BUCKET_KMS_KEY,
            PolicyName="TargetBucketKmsKey",
            Roles=[Ref(role)],
            PolicyDocument=iam.policy(iam.use_kms_key(Ref(key))),
        )
    )
