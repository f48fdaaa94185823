"""AWS's names: their grammar (patterns) and their longest lengths, shared by every template."""

from __future__ import annotations

# MaxLength: the longest value AWS allows for what a parameter names, so that the console refuses
# an over-long value before anything is created and the build can bound the template's size
# (generator/validation.py: every default at its MaxLength must still fit; ARCHITECTURE.md).
# The longest partition of aws, aws-cn, aws-us-gov, aws-eusc, aws-iso, aws-iso-b, -e and -f:
PARTITION_MAX = len("aws-us-gov")
REGION_MAX = 50  # Account Management API, Region.RegionName: "Maximum length of 50"
ACCOUNT_LENGTH = 12
BUCKET_MAX = 63  # S3 bucket naming rules: 3-63 characters
TOPIC_NAME_MAX = 256  # SNS CreateTopic: topic names are 1-256 characters
ROLE_MAX = 512  # IAM: a role's path is 1-512 characters, its name 1-64; the pattern (and the
# trigger's check, handlers/consumer/initial_set_trigger.py ROLE_ARN) accept 512 after "role/"
STATE_MACHINE_NAME_MAX = 80  # Step Functions CreateStateMachine: name is 1-80 characters
KEY_ID_MAX = 64  # KMS key ids are 36 (a UUID, or mrk- and 32 hex); the pattern allows 64
EVENT_BUS_NAME_MAX = 256  # EventBridge CreateEventBus: Name is 1-256 characters
# SSM: "The maximum length for a parameter name that you create is 1011 characters", ARN prefix
# (arn:aws:ssm:<region>:<account>:parameter) included, so real names are shorter: 1,011 bounds them.
SSM_PARAMETER_NAME_MAX = 1011
VERSION_MAX = 64  # TriggerVersion's own grammar: 1-64 characters


def arn_max(service: str, resource_max: int, regional: bool = True) -> int:
    """The longest `arn:<partition>:<service>:<region>:<account>:<resource>`."""
    region = REGION_MAX if regional else 0
    return len(f"arn::{service}:::") + PARTITION_MAX + region + ACCOUNT_LENGTH + resource_max


PARTITION = r"arn:aws(-[a-z]+)*"
REGION = r"[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}"  # eu-west-1, us-gov-west-1, eusc-de-east-1
ACCOUNT = r"[0-9]{12}"
BUCKET = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
TOPIC_ARN = rf"{PARTITION}:sns:{REGION}:{ACCOUNT}:[A-Za-z0-9_-]{{1,{TOPIC_NAME_MAX}}}"
# Any bus but a default one: the forwarding rule lives on this account's default bus, and a rule
# forwarding the default bus to itself would loop (a central account may run a consumer too).
EVENT_BUS_ARN = (
    rf"{PARTITION}:events:{REGION}:{ACCOUNT}:"
    rf"event-bus/(?!default$)[A-Za-z0-9._/-]{{1,{EVENT_BUS_NAME_MAX}}}"
)
