"""The initial-set trigger: its function, role and the custom resource that runs it once."""

from __future__ import annotations

from typing import ClassVar

from troposphere import AWS_ACCOUNT_ID, AWS_REGION, GetAtt, Ref, Template
from troposphere.cloudformation import CustomResource
from troposphere.validators import integer

from generator import iam
from generator.functions import add_python_function
from generator.inline import InlinedCode

# Seconds: AssumeRole and StartExecution with botocore's retries; the handler answers FAILED
# at most 10 s before this runs out.
TRIGGER_TIMEOUT = 60
# CloudFormation invokes the function asynchronously; a run that dies without answering (crash,
# out of memory) is retried by Lambda twice, 1 and then 2 minutes later. CloudFormation waits for
# all three runs and those pauses, plus a minute of queueing slack, before it gives up (<= 3600).
SERVICE_TIMEOUT = 3 * TRIGGER_TIMEOUT + 60 + 120 + 60


class InitialSetTrigger(CustomResource):
    """Custom::InitialSetTrigger: a new Version asks the distributor for the initial set again."""

    resource_type = "Custom::InitialSetTrigger"
    props: ClassVar[dict] = {
        "ServiceToken": (str, True),
        "ServiceTimeout": (integer, False),
        "Version": (str, True),
    }


def add_initial_set(template: Template, params: dict, code: InlinedCode, subscription) -> None:
    """Add the trigger function and the custom resource, created only once subscribed."""
    trigger = add_python_function(
        template,
        "InitialSetTriggerFunction",
        code,
        environment={
            "INITIAL_DISTRIBUTION_ROLE": Ref(params["InitialDistributionRole"]),
            "INITIAL_DISTRIBUTION_MACHINE": Ref(params["InitialDistributionSetMachine"]),
            "DISTRIBUTION_REGION": Ref(params["DistributionRegion"]),
            "CONSUMER_ACCOUNT_ID": Ref(AWS_ACCOUNT_ID),
            "CONSUMER_REGION": Ref(AWS_REGION),
        },
        statements=[iam.assume_role(Ref(params["InitialDistributionRole"]))],
        timeout=TRIGGER_TIMEOUT,
        memory=128,
        description="Asks the distributor for the initial set of artifacts",
        checkov_skips=(
            ("CKV_AWS_115", "Runs once per CloudFormation request"),
            ("CKV_AWS_116", "Failures are reported to CloudFormation"),
        ),
    )
    # DependsOn the subscription: the distributor must not publish before the queue listens.
    template.add_resource(
        InitialSetTrigger(
            "InitialSetTrigger",
            DependsOn=[subscription.title],
            ServiceToken=GetAtt(trigger.function, "Arn"),
            ServiceTimeout=SERVICE_TIMEOUT,
            Version=Ref(params["TriggerVersion"]),
        )
    )
