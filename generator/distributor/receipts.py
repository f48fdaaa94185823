"""Receipts: the bus consumers forward their receipts to, and the log group that keeps them.

Each consumer stack with ReceiptEventBusArn forwards its copy function's receipts (Source
`build-artifact-consumer`) to ReceiptEventBus; the bus admits PutEvents from the consumers
only, and a rule writes every receipt into ReceiptLogGroup, one JSON event per log record.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import GetAtt, Ref, Sub, Template, events, logs

from generator import policies
from generator.checkov import skips
from generator.distributor.parameters import Consumers

RECEIPT_SOURCE = "build-artifact-consumer"  # the consumer's copy function's receipts
BUS = "ReceiptEventBus"
RULE = "ReceiptsToLogGroup"
RULE_NAME = "receipts-to-log-group"  # fixed, so the log group's policy can name it beforehand
LOG_GROUP = "ReceiptLogGroup"
LOG_POLICY = "ReceiptLogGroupPolicy"
# One bus policy per kind of consumer (Consumers.kinds: statement ids ReceiptsOrganization, ...)
BUS_POLICIES = {
    "Organization": "ReceiptEventBusPolicyOrganization",
    "Accounts": "ReceiptEventBusPolicyAccounts",
}


@dataclass(frozen=True)
class Receipts:
    """The bus and the log group, for the template's outputs."""

    bus: events.EventBus
    log_group: logs.LogGroup


def add_receipts(template: Template, params: dict, consumers: Consumers) -> Receipts:
    """Add the bus with its consumers-only policy, the log group, its policy and the rule."""
    bus = template.add_resource(events.EventBus(BUS, Name=Sub("${AWS::StackName}-receipts")))
    _bus_policies(template, bus, consumers)
    log_group = template.add_resource(
        logs.LogGroup(
            LOG_GROUP,
            DeletionPolicy="Retain",
            UpdateReplacePolicy="Retain",
            # EventBridge writes only into groups under /aws/events/.
            LogGroupName=Sub("/aws/events/${AWS::StackName}-receipts"),
            RetentionInDays=Ref(params["ReceiptLogRetentionDays"]),
            Metadata=skips(("CKV_AWS_158", "Receipts hold no secrets")),
        )
    )
    rule_arn = Sub(
        "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/${Bus}/${Rule}",
        Bus=GetAtt(bus, "Name"),
        Rule=RULE_NAME,
    )
    log_policy = template.add_resource(_log_policy(log_group, rule_arn))
    template.add_resource(_rule(bus, log_group, log_policy))
    return Receipts(bus=bus, log_group=log_group)


def _bus_policies(template: Template, bus: events.EventBus, consumers: Consumers) -> None:
    # One statement per resource: a bus policy made of conditional statements is not accepted
    # in every region, so each kind of consumer gets its own, present only when given.
    for condition, statement in consumers.kinds(
        lambda sid, who: policies.consumers_put_events(f"Receipts{sid}", GetAtt(bus, "Arn"), who)
    ):
        template.add_resource(
            events.EventBusPolicy(
                BUS_POLICIES[statement.Sid.removeprefix("Receipts")],
                Condition=condition,
                EventBusName=GetAtt(bus, "Name"),  # not Ref: see ARCHITECTURE.md (moto)
                StatementId=statement.Sid,
                Statement=statement.JSONrepr(),
            )
        )


def _log_policy(log_group: logs.LogGroup, rule_arn: Sub) -> logs.ResourcePolicy:
    # A CloudWatch Logs resource policy is a JSON string: its ARNs are filled in by Fn::Sub.
    document = policies.policy(policies.events_write_logs("${LogGroupArn}", "${RuleArn}"))
    return logs.ResourcePolicy(
        LOG_POLICY,
        PolicyName=Sub("${AWS::StackName}-receipts"),
        PolicyDocument=Sub(
            document.to_json(indent=None, sort_keys=True),
            LogGroupArn=GetAtt(log_group, "Arn"),
            RuleArn=rule_arn,
        ),
    )


def _rule(bus: events.EventBus, log_group: logs.LogGroup, log_policy) -> events.Rule:
    # After the log group's policy: without it EventBridge could not write the first receipts.
    return events.Rule(
        RULE,
        DependsOn=[log_policy.title],
        Name=RULE_NAME,
        EventBusName=GetAtt(bus, "Name"),  # not Ref: see ARCHITECTURE.md (moto)
        Description="Writes every receipt into the receipt log group",
        EventPattern={"source": [RECEIPT_SOURCE]},
        State="ENABLED",
        # The group's ARN without GetAtt's trailing `:*`, as EventBridge targets name it.
        Targets=[
            events.Target(
                Id="ReceiptLogGroup",
                Arn=Sub(
                    "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Group}",
                    Group=Ref(log_group),
                ),
            )
        ],
    )
