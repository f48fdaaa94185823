"""Template parameters (a contract: ARCHITECTURE.md), their validation and console grouping."""

from __future__ import annotations

import re
from dataclasses import dataclass

from troposphere import Equals, Not, Parameter, Ref, Template

from generator.aws_names import (
    ACCOUNT,
    BUCKET,
    BUCKET_MAX,
    EVENT_BUS_ARN,
    EVENT_BUS_NAME_MAX,
    KEY_ID_MAX,
    PARTITION,
    REGION,
    REGION_MAX,
    ROLE_MAX,
    SSM_PARAMETER_NAME_MAX,
    STATE_MACHINE_NAME_MAX,
    TOPIC_ARN,
    TOPIC_NAME_MAX,
    VERSION_MAX,
    arn_max,
)

BOOLEAN = ("true", "false")

NO_VALUE = "!NO_VALUE"
TARGET_IS_NOT_THE_SOURCE = "TargetIsNotTheSource"  # the Rule


@dataclass(frozen=True)
class ParameterSpec:
    """One template parameter: its contract name, default and validation."""

    name: str
    description: str
    default: str
    pattern: str
    constraint: str
    group: str
    max_length: int  # the longest value AWS allows (see REGION_MAX and the others above)
    allowed_values: tuple[str, ...] = ()  # when set, the template lists these, not the pattern


def _one_of(values: tuple[str, ...]) -> str:
    """The pattern that accepts exactly `values`, for checks made outside CloudFormation."""
    return "^(" + "|".join(map(re.escape, values)) + ")$"


SPECS: tuple[ParameterSpec, ...] = (
    ParameterSpec(
        "DistributionTopic",
        "ARN of the distributor's SNS topic that announces new build artifacts.",
        "arn:aws:sns:eu-west-1:529985782713:build-artifact-distributor-DistributionTopic-1A5L07HYRFVRA",
        rf"^{TOPIC_ARN}$",
        "must be an SNS topic ARN, e.g. arn:aws:sns:eu-west-1:123456789012:my-topic",
        "Distributor",
        max_length=arn_max("sns", TOPIC_NAME_MAX),
    ),
    ParameterSpec(
        "DistributionRegion",
        "Region of the distributor stack (where its topic and state machine live).",
        "eu-west-1",
        rf"^{REGION}$",
        "must be a region name, e.g. eu-west-1",
        "Distributor",
        max_length=REGION_MAX,
    ),
    ParameterSpec(
        "DistributionBucket",
        "The distributor's bucket: the only source of artifacts, and the name that CloudFormation "
        "templates among them get rewritten from.",
        "tts-cloud-artifacts-529985782713-eu-west-1",
        rf"^{BUCKET}$",
        "must be an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)",
        "Distributor",
        max_length=BUCKET_MAX,
    ),
    ParameterSpec(
        "InitialDistributionRole",
        "Role in the distributor account that this stack assumes to request the initial set.",
        "arn:aws:iam::529985782713:role/TriggerInitSetRole",
        rf"^{PARTITION}:iam::{ACCOUNT}:role/[A-Za-z0-9+=,.@_/-]{{1,{ROLE_MAX}}}$",
        "must be an IAM role ARN, e.g. arn:aws:iam::123456789012:role/TriggerInitSetRole",
        "Distributor",
        max_length=arn_max("iam", len("role/") + ROLE_MAX, regional=False),
    ),
    ParameterSpec(
        "InitialDistributionSetMachine",
        "Step Functions state machine in the distributor account that sends the initial set.",
        "arn:aws:states:eu-west-1:529985782713:stateMachine:InitSetRetrieverMachine-i1BYUlZbD1Si",
        rf"^{PARTITION}:states:{REGION}:{ACCOUNT}:stateMachine:[A-Za-z0-9_-]{{1,{STATE_MACHINE_NAME_MAX}}}$",
        "must be a Step Functions state machine ARN, "
        "e.g. arn:aws:states:eu-west-1:123456789012:stateMachine:InitialSet",
        "Distributor",
        max_length=arn_max("states", len("stateMachine:") + STATE_MACHINE_NAME_MAX),
    ),
    ParameterSpec(
        "TargetBucket",
        f"Existing bucket to copy artifacts into. {NO_VALUE} or empty creates and retains "
        "tts-cloud-artifacts-<account>-<region>.",
        NO_VALUE,
        rf"^({NO_VALUE}|{BUCKET})?$",
        f"must be {NO_VALUE}, empty, or an S3 bucket name",
        "Consumer",
        max_length=BUCKET_MAX,
    ),
    ParameterSpec(
        "TriggerVersion",
        "Change this value on a stack update to request the initial set again.",
        "1.0",
        rf"^[A-Za-z0-9._-]{{1,{VERSION_MAX}}}$",
        "must be 1-64 letters, digits, dots, underscores or hyphens",
        "Consumer",
        max_length=VERSION_MAX,
    ),
    ParameterSpec(
        "BucketNameParameterName",
        "Name of the SSM parameter that holds the target bucket's name for other stacks.",
        "/build-artifact-consumer/bucket-name",
        rf"^(?!/(?i:aws|ssm))(?=.{{2,{SSM_PARAMETER_NAME_MAX}}}$)/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$",
        "must be an SSM parameter path, e.g. /build-artifact-consumer/bucket-name, "
        "not under the reserved /aws or /ssm",
        "Consumer",
        max_length=SSM_PARAMETER_NAME_MAX,
    ),
    ParameterSpec(
        "TargetBucketKmsKey",
        "ARN of TargetBucket's SSE-KMS key, so the copy function may use it; empty for SSE-S3 "
        "or a created bucket.",
        "",
        rf"^({PARTITION}:kms:{REGION}:{ACCOUNT}:key/[A-Za-z0-9-]{{1,{KEY_ID_MAX}}})?$",
        "must be empty or a KMS key ARN, e.g. arn:aws:kms:eu-west-1:123456789012:key/1234abcd-...",
        "Consumer",
        max_length=arn_max("kms", len("key/") + KEY_ID_MAX),
    ),
    ParameterSpec(
        "AlarmTopicName",
        "Name (not ARN: one StackSet value fits every region) of an SNS topic in this account "
        "and region that the stack's alarms notify; empty for none.",
        "",
        rf"^[A-Za-z0-9_-]{{0,{TOPIC_NAME_MAX}}}$",
        "must be empty or an SNS topic name (letters, digits, hyphens, underscores)",
        "Monitoring",
        max_length=TOPIC_NAME_MAX,
    ),
    ParameterSpec(
        "DetailedMonitoring",
        "true: custom metrics and a dashboard, charged per stack and month. false: neither.",
        "false",
        _one_of(BOOLEAN),
        "must be true or false",
        "Monitoring",
        max_length=max(map(len, BOOLEAN)),
        allowed_values=BOOLEAN,
    ),
    ParameterSpec(
        "ReceiptEventBusArn",
        "Central event bus (any account and region, not a default bus) that gets a copy of "
        "every receipt; empty for none.",
        "",
        rf"^({EVENT_BUS_ARN})?$",
        "must be empty or the ARN of a bus other than default, "
        "e.g. arn:aws:events:eu-west-1:123456789012:event-bus/receipts",
        "Monitoring",
        max_length=arn_max("events", len("event-bus/") + EVENT_BUS_NAME_MAX),
    ),
)

GROUPS = (
    ("Distributor", "Distributor (where artifacts come from)"),
    ("Consumer", "Consumer (this account and region)"),
    ("Monitoring", "Monitoring and receipts (optional)"),
)


def add_parameters(
    template: Template, defaults: dict[str, str] | None = None
) -> dict[str, Parameter]:
    """Add every parameter, `defaults` overriding built-in defaults, and the console grouping."""
    defaults = defaults or {}
    params = {}
    for spec in SPECS:
        allowed = (
            {"AllowedValues": list(spec.allowed_values)}
            if spec.allowed_values
            else {"AllowedPattern": spec.pattern}
        )
        params[spec.name] = template.add_parameter(
            Parameter(
                spec.name,
                Type="String",
                Description=spec.description,
                Default=defaults.get(spec.name, spec.default),
                ConstraintDescription=spec.constraint,
                MaxLength=spec.max_length,
                **allowed,
            )
        )
    template.set_metadata({"AWS::CloudFormation::Interface": _interface()})
    _add_rules(template, params)
    return params


def _add_rules(template: Template, params: dict) -> None:
    # Copying the distribution bucket into itself would overwrite every source with itself.
    template.add_rule(
        TARGET_IS_NOT_THE_SOURCE,
        {
            "Assertions": [
                {
                    "Assert": Not(
                        Equals(Ref(params["TargetBucket"]), Ref(params["DistributionBucket"]))
                    ),
                    "AssertDescription": "TargetBucket must not be the DistributionBucket",
                }
            ]
        },
    )


def _interface() -> dict:
    return {
        "ParameterGroups": [
            {
                "Label": {"default": label},
                "Parameters": [s.name for s in SPECS if s.group == group],
            }
            for group, label in GROUPS
        ],
    }
