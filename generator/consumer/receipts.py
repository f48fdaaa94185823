"""Receipt forwarding: a rule on the default bus that copies every receipt to a central bus.

The copy function puts one receipt per stored artifact on this account's default event bus
(ARCHITECTURE.md); with ReceiptEventBusArn set, this rule forwards them, the AWS way of
sending events to a bus in another account or region.
"""

from __future__ import annotations

from troposphere import Equals, GetAtt, Not, Ref, Template, events, iam

from generator import policies

RECEIPT_SOURCE = "build-artifact-consumer"  # the Source of every receipt the copy function puts
HAS_RECEIPT_EVENT_BUS = "HasReceiptEventBus"
FORWARDING_RULE = "ReceiptForwardingRule"
FORWARDING_ROLE = "ReceiptForwardingRole"
FORWARDING_TARGET_ID = "ReceiptEventBus"


def add_receipt_forwarding(template: Template, params: dict) -> None:
    """Add the condition, and the rule and role that exist only when ReceiptEventBusArn is set."""
    bus = Ref(params["ReceiptEventBusArn"])
    template.add_condition(HAS_RECEIPT_EVENT_BUS, Not(Equals(bus, "")))
    role = template.add_resource(
        policies.event_rule_role(
            FORWARDING_ROLE, HAS_RECEIPT_EVENT_BUS, "ForwardReceipts", policies.put_events(bus)
        )
    )
    template.add_resource(_rule(bus, role))


def _rule(bus: Ref, role: iam.Role) -> events.Rule:
    # No EventBusName: the rule lives on the default bus, where the copy function puts receipts.
    return events.Rule(
        FORWARDING_RULE,
        Condition=HAS_RECEIPT_EVENT_BUS,
        Description="Forwards receipts to ReceiptEventBusArn",
        EventPattern={"source": [RECEIPT_SOURCE]},
        State="ENABLED",
        Targets=[events.Target(Id=FORWARDING_TARGET_ID, Arn=bus, RoleArn=GetAtt(role, "Arn"))],
    )
