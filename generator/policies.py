"""IAM policies: awacs statement factories for every role and resource policy of both templates.

Every ARN is built with `Sub`/`GetAtt` and `${AWS::Partition}`; nothing here splits strings.
"""

from __future__ import annotations

from typing import Any

from awacs import awslambda, events, kms, logs, s3, sns, sqs, states, sts
from awacs.aws import (
    Allow,
    ArnEquals,
    ArnLike,
    Bool,
    Condition,
    Deny,
    Policy,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
)
from troposphere import AWS_ACCOUNT_ID, AWS_NO_VALUE, GetAtt, If, Ref, Sub, iam

VERSION = "2012-10-17"


def bucket_arn(bucket: Any) -> Sub:
    """ARN of the bucket named by `bucket` (a string or intrinsic)."""
    return Sub("arn:${AWS::Partition}:s3:::${Bucket}", Bucket=bucket)


def objects_arn(bucket: Any) -> Sub:
    """ARN of every object in the bucket named by `bucket`."""
    return Sub("arn:${AWS::Partition}:s3:::${Bucket}/*", Bucket=bucket)


def default_event_bus_arn() -> Sub:
    """ARN of this account's default event bus in this region."""
    return Sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default")


def assumed_by(service: str, condition: Condition | None = None) -> PolicyDocument:
    """Trust policy that lets one AWS service assume a role, under `condition` when given."""
    extra = {"Condition": condition} if condition else {}
    return PolicyDocument(
        Version=VERSION,
        Statement=[
            Statement(
                Effect=Allow,
                Principal=Principal("Service", service),
                Action=[sts.AssumeRole],
                **extra,
            )
        ],
    )


def for_own_event_rules() -> Condition:
    """Only EventBridge rules of this account and region (confused deputy prevention).

    EventBridge sets aws:SourceArn to the rule's ARN. A role cannot name its own rule: the rule
    names the role, and CloudFormation generates the rule's name, so any rule of this account
    and region is accepted; attaching the role to one still takes iam:PassRole on it.
    """
    return Condition(
        [
            StringEquals("aws:SourceAccount", Ref(AWS_ACCOUNT_ID)),
            ArnLike(
                "aws:SourceArn",
                Sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/*"),
            ),
        ]
    )


def write_logs(log_group: Any) -> Statement:
    """Create streams and put events in one log group (its `GetAtt Arn` ends in `:*`)."""
    return Statement(
        Effect=Allow,
        Action=[logs.CreateLogStream, logs.PutLogEvents],
        Resource=[GetAtt(log_group, "Arn")],
    )


def consume_queue(queue: Any) -> Statement:
    """What an SQS event source mapping needs on its queue (the function's own: delay_retries)."""
    return Statement(
        Effect=Allow,
        Action=[sqs.ReceiveMessage, sqs.DeleteMessage, sqs.GetQueueAttributes],
        Resource=[GetAtt(queue, "Arn")],
    )


def delay_retries(queue: Any) -> Statement:
    """ChangeMessageVisibility (and its batch form) on the queue: a failed message's next try."""
    return Statement(
        Effect=Allow, Action=[sqs.ChangeMessageVisibility], Resource=[GetAtt(queue, "Arn")]
    )


def write_objects(bucket: Any) -> Statement:
    """Put, read (HeadObject) and abort multipart uploads of the bucket's objects."""
    return Statement(
        Effect=Allow,
        Action=[s3.PutObject, s3.GetObject, s3.AbortMultipartUpload],
        Resource=[objects_arn(bucket)],
    )


def list_bucket(bucket: Any) -> Statement:
    """ListBucket, so that HeadObject on a missing key answers 404 rather than 403."""
    return Statement(Effect=Allow, Action=[s3.ListBucket], Resource=[bucket_arn(bucket)])


def use_kms_key_through_s3(key_arn: Any) -> Statement:
    """Encrypt and decrypt with one KMS key, only in requests S3 makes for this region's buckets.

    That is what SSE-KMS uploads need; `kms:ViaService` keeps the key unusable directly.
    """
    return Statement(
        Effect=Allow,
        Action=[kms.GenerateDataKey, kms.Decrypt],
        Resource=[key_arn],
        Condition=Condition(
            StringEquals("kms:ViaService", Sub("s3.${AWS::Region}.${AWS::URLSuffix}"))
        ),
    )


def put_events(bus_arn: Any) -> Statement:
    """Put events on one event bus, and on no other."""
    return Statement(Effect=Allow, Action=[events.PutEvents], Resource=[bus_arn])


def assume_role(role_arn: Any) -> Statement:
    """Assume exactly one (cross-account) role."""
    return Statement(Effect=Allow, Action=[sts.AssumeRole], Resource=[role_arn])


def deny_insecure_transport(bucket: Any) -> Statement:
    """Deny every request to the bucket and its objects that does not use TLS."""
    return Statement(
        Sid="DenyInsecureTransport",
        Effect=Deny,
        Principal=Principal("*"),
        Action=[s3.Action("*")],
        Resource=[bucket_arn(bucket), objects_arn(bucket)],
        Condition=Condition(Bool("aws:SecureTransport", "false")),
    )


def sns_may_send(queue: Any, topic_arn: Any, service: Any = "sns.amazonaws.com") -> Statement:
    """Let SNS (`service`: its principal or principals) deliver to the queue for one topic."""
    return Statement(
        Sid="AllowDistributionTopic",
        Effect=Allow,
        Principal=Principal("Service", service),
        Action=[sqs.SendMessage],
        Resource=[GetAtt(queue, "Arn")],
        Condition=Condition(ArnEquals("aws:SourceArn", topic_arn)),
    )


# --- The distributor's statements (generator/distributor/) ---------------------------------------

# Who a cross-account Allow admits: `{key: value}` for StringEquals, where the key is
# aws:PrincipalOrgID (the organisation) or aws:PrincipalAccount (a list of account ids).
ORGANIZATION_KEY = "aws:PrincipalOrgID"
ACCOUNT_KEY = "aws:PrincipalAccount"


def subscribe_queues(sid: str, topic: Any, who: dict) -> Statement:
    """Consumers (`who` only) may subscribe their own SQS queues to the topic, nothing else."""
    return Statement(
        Sid=sid,
        Effect=Allow,
        Principal=Principal("*"),
        Action=[sns.Subscribe],
        Resource=[topic],
        # The endpoint: a queue of the subscribing account itself (a policy variable).
        Condition=Condition(
            [
                StringEquals({**who, "sns:Protocol": "sqs"}),
                ArnLike(
                    "sns:Endpoint", Sub("arn:${AWS::Partition}:sqs:*:${!aws:PrincipalAccount}:*")
                ),
            ]
        ),
    )


def consumer_roles_assume(sid: str, who: dict) -> Statement:
    """Trust: roles (no users, no root) of the consumers (`who` only) may assume the role."""
    return Statement(
        Sid=sid,
        Effect=Allow,
        Principal=Principal("*"),
        Action=[sts.AssumeRole],
        Condition=Condition(
            [
                StringEquals(who),
                ArnLike("aws:PrincipalArn", Sub("arn:${AWS::Partition}:iam::*:role/*")),
            ]
        ),
    )


def consumers_put_events(sid: str, bus_arn: Any, who: dict) -> Statement:
    """Consumers (`who` only) may put events on one bus."""
    return Statement(
        Sid=sid,
        Effect=Allow,
        Principal=Principal("*"),
        Action=[events.PutEvents],
        Resource=[bus_arn],
        Condition=Condition(StringEquals(who)),
    )


def either(*pairs: tuple[str, Statement]) -> list:
    """Each (condition, statement) pair as a statement present only when its condition holds."""
    return [If(condition, statement, Ref(AWS_NO_VALUE)) for condition, statement in pairs]


def conditional_policy(*items: Any) -> dict:
    """A policy document whose statements may be `Fn::If`s (awacs's Policy refuses those)."""
    return {"Version": VERSION, "Statement": list(items)}


def read_artifacts(bucket: Any) -> Statement:
    """Read objects and their tags, of any version (presigned GETs pinned to a version)."""
    return Statement(
        Effect=Allow,
        Action=[s3.GetObject, s3.GetObjectVersion, s3.GetObjectTagging, s3.GetObjectVersionTagging],
        Resource=[objects_arn(bucket)],
    )


def publish(topic: Any) -> Statement:
    """Publish to one topic."""
    return Statement(Effect=Allow, Action=[sns.Publish], Resource=[topic])


def send_messages(queue: Any) -> Statement:
    """Send messages to one queue (a function's failed events)."""
    return Statement(Effect=Allow, Action=[sqs.SendMessage], Resource=[GetAtt(queue, "Arn")])


def start_execution(machine: Any) -> Statement:
    """Start executions of one state machine."""
    return Statement(Effect=Allow, Action=[states.StartExecution], Resource=[machine])


def invoke_function(function: Any) -> Statement:
    """Invoke one function (and its versions)."""
    arn = GetAtt(function, "Arn")
    return Statement(
        Effect=Allow,
        Action=[awslambda.InvokeFunction],
        Resource=[arn, Sub("${Arn}:*", Arn=arn)],
    )


def rule_may_send(queue: Any, rule_arn: Any, sid: str = "AllowDeadLetters") -> Statement:
    """Let EventBridge put one rule's undeliverable events into the queue."""
    return Statement(
        Sid=sid,
        Effect=Allow,
        Principal=Principal("Service", "events.amazonaws.com"),
        Action=[sqs.SendMessage],
        Resource=[GetAtt(queue, "Arn")],
        Condition=Condition(ArnEquals("aws:SourceArn", rule_arn)),
    )


def events_write_logs(log_group_arn: Any, rule_arn: Any) -> Statement:
    """Let EventBridge (one rule) write into one log group: a CloudWatch Logs resource policy."""
    return Statement(
        Sid="EventBridgeWritesReceipts",
        Effect=Allow,
        Principal=Principal("Service", ["events.amazonaws.com", "delivery.logs.amazonaws.com"]),
        Action=[logs.CreateLogStream, logs.PutLogEvents],
        Resource=[log_group_arn],
        Condition=Condition(ArnEquals("aws:SourceArn", rule_arn)),
    )


def policy(*statements: Statement) -> Policy:
    """A policy document made of `statements`."""
    return Policy(Version=VERSION, Statement=list(statements))


def lambda_role(title: str, policy_name: str, *statements: Statement) -> iam.Role:
    """A role Lambda assumes, with one inline policy of `statements`."""
    return iam.Role(
        title,
        AssumeRolePolicyDocument=assumed_by("lambda.amazonaws.com"),
        Policies=[iam.Policy(PolicyName=policy_name, PolicyDocument=policy(*statements))],
    )


def service_role(
    title: str, service: str, policy_name: str, *statements: Statement, **properties: Any
) -> iam.Role:
    """A role one service assumes for this account only, with one inline policy of `statements`."""
    own_account = Condition(StringEquals("aws:SourceAccount", Ref(AWS_ACCOUNT_ID)))
    return iam.Role(
        title,
        AssumeRolePolicyDocument=assumed_by(service, own_account),
        Policies=[iam.Policy(PolicyName=policy_name, PolicyDocument=policy(*statements))],
        **properties,
    )


def event_rule_role(
    title: str, condition: str, policy_name: str, *statements: Statement
) -> iam.Role:
    """A role only this account's EventBridge rules assume, with `statements`, if `condition`."""
    return iam.Role(
        title,
        Condition=condition,
        AssumeRolePolicyDocument=assumed_by("events.amazonaws.com", for_own_event_rules()),
        Policies=[iam.Policy(PolicyName=policy_name, PolicyDocument=policy(*statements))],
    )
