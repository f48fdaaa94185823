"""The distributor stack's Outputs (ARCHITECTURE.md, Distributor template): topic, bucket, logs."""

from __future__ import annotations

import re

from generator.fleet.model import Distributor, FleetError

NEEDED = ("DistributionTopic", "DistributionRegion", "DistributionBucket", "ReceiptLogGroup")
TOPIC_ARN = re.compile(r"arn:[a-z-]+:sns:(?P<region>[a-z0-9-]+):\d{12}:[A-Za-z0-9_.-]{1,256}")


def read_distributor(cloudformation, stack: str) -> Distributor:
    """Describe `stack` and check that its Outputs are the distributor's; else FleetError."""
    stacks = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    outputs = {o["OutputKey"]: o.get("OutputValue", "") for o in stacks[0].get("Outputs", [])}
    absent = [name for name in NEEDED if not outputs.get(name)]
    if absent:
        raise FleetError(
            f"stack {stack} has no Output {', '.join(absent)}: is it a distributor stack "
            f"(status {stacks[0].get('StackStatus', 'unknown')})?"
        )
    topic = TOPIC_ARN.fullmatch(outputs["DistributionTopic"])
    if not topic:
        raise FleetError(
            f"stack {stack}: Output DistributionTopic is not an SNS topic ARN: "
            f"{outputs['DistributionTopic']!r}"
        )
    if topic["region"] != outputs["DistributionRegion"]:
        raise FleetError(
            f"stack {stack}: DistributionTopic is in {topic['region']}, "
            f"DistributionRegion says {outputs['DistributionRegion']}"
        )
    return Distributor(
        topic_arn=outputs["DistributionTopic"],
        region=outputs["DistributionRegion"],
        bucket=outputs["DistributionBucket"],
        log_group=outputs["ReceiptLogGroup"],
    )
